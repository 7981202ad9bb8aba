"""The shared layer as a recurrence in depth: per-column Lyapunov spectra along the steps, the gate
and attention maps of one filmed example, the metrics and the headline of neural_data_router.

The shared layer maps all columns' states x_t (L, d) to x_{t+1}. For column c the per-column layer
map is x_t[c] -> x_{t+1}[c] with the other columns held at their values on the trajectory; its
Jacobian J_t[c] = d x_{t+1}[c] / d x_t[c] (d, d) comes from the hand-written backward pass (one
backward per output coordinate, all at once in a replicated batch) and is checked against finite
differences in the tests. The finite-time spectrum over the n_steps iterations of a depth-10 test
sequence is shared.lyapunov.qr_spectrum of J_0[c] ... J_{n_steps-1}[c]. A column whose copy gate
stays closed (g ~ 0) has J ~ I: exponents ~ 0, its state carried unchanged.
"""
import numpy as np

from neural_data_router import (ARCHS, N_VALUES, TEST_DEPTHS, TRAIN_DEPTHS, VALID_DEPTHS, batch, bin_mean,
                                layer, layer_back, lin, run_layers)
from shared.lyapunov import qr_spectrum
from shared.results import at_budget, budget_note, headline_row

K_EXP = 8                    # exponents kept per column
CLOSED = 0.1                 # a column whose mean gate over the steps is below this counts as closed
PAPER_BUDGET = 30_000 * 512  # the paper's training sequences per net (30k steps, batch 512)


def column_jacobians(p, x, arch):
    """J (S, B, L, d, d), J[s, b, c] = d layer(x)[s, b, c] / d x[s, b, c], for states x (S, B, L, d)."""
    S, B, L, d = x.shape
    J = np.zeros((S, B, L, d, d))
    eye = np.eye(L * d).reshape(L * d, L, d)                     # one output coordinate per copy
    for b in range(B):
        rep = np.broadcast_to(x[:, b:b + 1], (S, L * d, L, d)).copy()
        _, c = layer(p, rep, arch)
        dx = layer_back(p, np.broadcast_to(eye, (S,) + eye.shape).copy(), c, arch, {})
        dx = dx.reshape(S, L, d, L, d)          # (S, out column, out unit, in column, in unit)
        J[:, b] = dx[:, np.arange(L), :, np.arange(L), :].transpose(1, 0, 2, 3)
    return J


def spectra(p, tok, arch, n_steps):
    """Finite-time exponents per column (S, B, L, k) along the steps, and the gate per step and
    column (n_steps, S, B, L) (mean over units; ones for the baseline, which always transforms)."""
    p64 = {k: v.astype(np.float64) for k, v in p.items()}
    xs, caches = run_layers(p64, tok, arch, n_steps)
    S, B, L, d = xs[0].shape
    Js = [column_jacobians(p64, x, arch).reshape(-1, d, d) for x in xs[:-1]]
    lam = qr_spectrum(Js, k=min(K_EXP, d)).reshape(S, B, L, -1)
    gates = np.stack([c["g"].mean(-1) if arch == "ndr" else np.ones((S, B, L)) for c in caches])
    return lam, gates


def analyse(R, cfg, tables, rng):
    """Lyapunov spectra of both kinds on the same depth-10 test sequences, and one filmed example
    (seed 0's first sequence): gates, attention and each column's readout per step."""
    tok, y = batch(rng, tables, max(TEST_DEPTHS), cfg["n_seeds"], cfg["lyap_seqs"])
    lyap, film = {}, {"tok": tok[0, 0], "y": y[0, 0]}
    for arch in ARCHS:
        lam, gates = spectra(R[arch]["p"], tok, arch, cfg["n_steps"])
        lyap[arch] = dict(lam=lam, gates=gates)
        p0 = {k: v[:1].astype(np.float64) for k, v in R[arch]["p"].items()}
        xs, caches = run_layers(p0, tok[:1, :1], arch, cfg["n_steps"])
        logits = np.stack([lin(x[:, 0], p0["Wout"], p0["bout"])[0] for x in xs])     # (n_steps+1, L, 8)
        e = np.exp(logits - logits.max(-1, keepdims=True))
        film[f"{arch}/readout"] = e / e.sum(-1, keepdims=True)
        film[f"{arch}/attention"] = np.stack([c["A"][0, 0] for c in caches])          # (n_steps, L, L)
        film[f"{arch}/gate"] = np.stack([c["g"][0, 0] if arch == "ndr" else np.ones_like(c["x"][0, 0])
                                         for c in caches])                            # (n_steps, L, d)
    return film, lyap


def lyap_summary(ly):
    """Top exponent and mean of the kept exponents, over all columns and over closed/open columns."""
    lam, openness = ly["lam"], ly["gates"].mean(0)               # (S, B, L, k), (S, B, L)
    closed = openness < CLOSED
    out = dict(lam1_mean=float(lam[..., 0].mean()), lam_mean=float(lam.mean()),
               spectrum_mean=lam.reshape(-1, lam.shape[-1]).mean(0),
               frac_closed=float(closed.mean()), gate_mean=float(openness.mean()))
    for name, m in (("closed", closed), ("open", ~closed)):
        out[f"n_{name}"] = int(m.sum())
        out[f"lam1_{name}"] = float(lam[..., 0][m].mean()) if m.any() else None
        out[f"lam_abs_{name}"] = float(np.abs(lam[m]).mean()) if m.any() else None
    return out


def summarise(R, cfg, film, lyap):
    metrics, arrays = {"archs": {}}, {}
    depths = TRAIN_DEPTHS + VALID_DEPTHS + TEST_DEPTHS
    for arch in ARCHS:
        r = R[arch]
        final = {dep: r["curve"][-1, i] for i, dep in enumerate(depths)}
        metrics["archs"][arch] = dict(
            acc_by_depth={str(dep): final[dep] for dep in depths},
            acc_by_depth_mean={str(dep): float(final[dep].mean()) for dep in depths},
            acc_train=bin_mean(final, TRAIN_DEPTHS), acc_valid=bin_mean(final, VALID_DEPTHS),
            acc_test=bin_mean(final, TEST_DEPTHS),
            final_loss=r["losses"][-50:].mean(0), lyap=lyap_summary(lyap[arch]))
        arrays[f"{arch}/curve"] = r["curve"]
        arrays[f"{arch}/losses"] = r["losses"]
        arrays[f"{arch}/lam"] = lyap[arch]["lam"]
        arrays[f"{arch}/gates"] = lyap[arch]["gates"]
    arrays.update({f"film/{k}": v for k, v in film.items()})
    arrays["eval_steps"] = np.array([s for s in range(1, cfg["steps"] + 1)
                                     if s % cfg["eval_every"] == 0 or s == cfg["steps"]])
    metrics["timing"] = {f"cpu_s_{a}": R[a]["cpu_s"] for a in ARCHS}
    return metrics, arrays


def verdict(ndr, base, chance=1.0 / N_VALUES):
    """Before the budget rule: yes when every NDR net reaches 0.95 and the NDR mean is at least 0.3
    above the baseline's; partial when the NDR mean is 0.1 above the baseline's and 0.2 above
    chance; no otherwise. A yes is capped at partial (d, batch and steps below the paper's) and a
    no becomes open (at_budget: the run is far below the paper's budget)."""
    if ndr.min() >= 0.95 and ndr.mean() - base.mean() >= 0.3:
        v = "yes"
    elif ndr.mean() - base.mean() >= 0.1 and ndr.mean() - chance >= 0.2:
        v = "partial"
    else:
        v = "no"
    return "partial" if v == "yes" else v


def _ms(a):
    return f"{np.mean(a):.3f} +/- {np.std(a):.3f}"


def headline_rows(metrics, cfg):
    m = metrics["archs"]
    seen = cfg["steps"] * cfg["batch"]
    note_budget = budget_note(seen, PAPER_BUDGET, "training sequences per net")
    rows = []
    for key, label, paper in (("acc_valid", "depths 6-8 (the paper's validation split)", "NDR 1.00"),
                              ("acc_test", "depths 9-10 (the paper's test split)", "NDR 1.00")):
        nd, ba = np.asarray(m["ndr"][key]), np.asarray(m["baseline"][key])
        v = at_budget(verdict(nd, ba), seen, PAPER_BUDGET)
        rows.append(headline_row(
            f"Length generalisation, {label}: accuracy, NDR vs shared-layer Transformer "
            f"({cfg['n_seeds']} seeds, d = {cfg['d']})",
            f"NDR {_ms(nd)}; baseline {_ms(ba)}",
            f"{paper} (100 % length generalisation); shared-layer Transformers fail beyond the "
            "training depth",
            v, f"mean +/- sd over seeds; per seed NDR {', '.join(f'{x:.3f}' for x in nd)}, baseline "
               f"{', '.join(f'{x:.3f}' for x in ba)}; chance {1 / N_VALUES:.3f}; {note_budget}",
            numbers=[{"value": float(nd.mean()), "spread": float(nd.std())},
                     {"value": float(ba.mean()), "spread": float(ba.std())}]))
    nd, ba = np.asarray(m["ndr"]["acc_train"]), np.asarray(m["baseline"]["acc_train"])
    v = "partial" if min(nd.min(), ba.min()) >= 0.95 else at_budget("no", seen, PAPER_BUDGET)
    rows.append(headline_row(
        "In distribution, depths 1-5: accuracy, NDR vs shared-layer Transformer",
        f"NDR {_ms(nd)}; baseline {_ms(ba)}", "both ~1.00", v,
        "the paper's point is that both fit the training depths; partial at this reduced size and budget",
        numbers=[{"value": float(nd.mean()), "spread": float(nd.std())},
                 {"value": float(ba.mean()), "spread": float(ba.std())}]))
    return rows


def lyapunov_record(lyap, cfg):
    return {"method": (f"finite-time spectrum of the per-column layer map x_t[c] -> x_(t+1)[c] (other "
                       f"columns held on the trajectory) over the {cfg['n_steps']} steps of the shared "
                       f"layer, shared.lyapunov.qr_spectrum, top {K_EXP} exponents per column (natural log "
                       f"per step); {cfg['lyap_seqs']} depth-10 test sequences per net x {cfg['n_seeds']} "
                       f"nets, every column; no alignment steps (the trajectory is only {cfg['n_steps']} "
                       f"steps long); 'closed' columns: mean copy gate over the steps below {CLOSED}"),
            "exponents": {arch: [float(x) for x in np.sort(lyap_summary(lyap[arch])["spectrum_mean"])[::-1]]
                          for arch in ARCHS},
            "window": cfg["n_steps"], "n_sequences": cfg["lyap_seqs"] * cfg["n_seeds"], "n_transient": 0}
