"""Diagnostics of the trained nets of highway-networks, loaded on demand by highway_networks.py.

Depth plays the part of time. For the winner of every grid (family x depth):

- the per-layer Jacobians J_l = dh_l / dh_{l-1} (n, n) of the square layers, per image;
- their Lyapunov-like spectrum: a tangent frame pushed through J_1 ... J_{L-1} and re-orthonormalised
  (``shared.lyapunov.qr_spectrum``), giving the mean log-stretch per layer of each direction;
- the singular values of the input-output Jacobian of the stack, J_l ... J_1, layer by layer;
- the mean transform-gate value per layer (highway), over ``probe_images`` training images;
- a layer-lesion curve at ``lesion_depth``: training error with one layer lesioned at a time
  (highway: its gates closed, T = 0, so it copies its input, as in the paper's section 4.2; plain:
  the layer replaced by the identity, the nearest thing a plain layer has).
"""
import numpy as np

from highway_networks import (FAMILIES, IDLE_POINTS, WIDTH, act_grad, act_slices, describe, evaluate,
                              forward)
from shared.lyapunov import qr_spectrum

LOG_FLOOR = -30.0      # ln of a stretch below e^-30 per layer (a direction annihilated, e.g. dead ReLUs)


# ---------------------------------------------------------------- Jacobians across depth

def layer_jacobians(p, x, family, acts):
    """J_l = dh_l / dh_{l-1} of every square layer, per image: (L-1, B, n, n) float64, for member 0
    of p (rows: outputs, columns: inputs). x (B, 784).

        plain:    h' = f(h W + b)            J = diag(f') W^T
        highway:  h' = h + T (H - h)         J = diag(1 - T) + diag(T f'(a_H)) W_H^T
                                                 + diag((H - h) T (1 - T)) W_T^T
    """
    q = {k: v[:1].astype(np.float64) for k, v in p.items()}
    _, (hs, Hs, Ts) = forward(q, x.astype(np.float64), family, acts)
    n = q["W0"].shape[-1]
    Js = []
    for j in range(q["W"].shape[1]):
        h, H, fp, W = hs[j][0], Hs[j][0], act_grad(Hs[j], acts)[0], q["W"][0, j]
        if family == "highway":
            T = Ts[j][0]
            J = ((T * fp)[:, :, None] * W[:, :n].T[None]
                 + ((H - h) * T * (1.0 - T))[:, :, None] * W[:, n:].T[None])
            J[:, np.arange(n), np.arange(n)] += 1.0 - T
        else:
            J = fp[:, :, None] * W.T[None]
        Js.append(J)
    return np.stack(Js)


def depth_spectra(Js):
    """Lyapunov-like exponents (n,) (mean over images of the per-image QR exponents, each floored
    at LOG_FLOOR) and the mean log singular values (L-1, n) of the input-output Jacobians
    J_l ... J_1 for l = 1 .. L-1 (largest first). Js (L-1, B, n, n)."""
    lam = np.maximum(qr_spectrum(Js), LOG_FLOOR).mean(axis=0)
    P, log_scale, logsv = None, np.zeros(Js.shape[1]), []
    for J in Js:
        P = J if P is None else J @ P
        sv = np.linalg.svd(P, compute_uv=False)                       # (B, n), largest first
        logsv.append((np.log(np.maximum(sv, 1e-300)) + log_scale[:, None]).mean(axis=0))
        # keep the product representable: divide by its largest singular value, remember the log
        top = np.where(sv[:, 0] > 0, sv[:, 0], 1.0)
        P = P / top[:, None, None]
        log_scale = log_scale + np.log(top)
    return lam, np.array(logsv)


# ---------------------------------------------------------------- gates and lesions

def gate_statistics(p, x, acts, chunk=2000):
    """Mean transform-gate value (L-1, n) over the images x, for member 0 of a highway net."""
    tot = None
    for i in range(0, len(x), chunk):
        _, (_, _, Ts) = forward(p, x[i:i + chunk], "highway", acts)
        s = np.stack([T[0].sum(0) for T in Ts])
        tot = s if tot is None else tot + s
    return tot / len(x)


def lesion_curve(p, x, y, family, acts):
    """Training cross-entropy and error (%) with each square layer lesioned in turn: (L-1,) each."""
    ce, err = [], []
    for j in range(p["W"].shape[1]):
        c, e = evaluate(p, x, y, family, acts, lesion=j)
        ce.append(float(c[0]))
        err.append(float(e[0]))
    return np.array(ce), np.array(err)


def lesion_summary(base_err, err, n_layers):
    """Share of layers whose lesion raises the training error by less than IDLE_POINTS, and the
    mean rise over the first and the last third of the square layers."""
    rise = err - base_err
    third = max(1, n_layers // 3)
    return {"idle_share": float(np.mean(rise < IDLE_POINTS)), "rise_first_third": float(rise[:third].mean()),
            "rise_last_third": float(rise[-third:].mean()), "max_rise": float(rise.max())}


# ---------------------------------------------------------------- everything the record holds

def summarise(runs, data, cfg, rng):
    """metrics (best losses, the search, spectra, gates, lesions, timing) and the saved arrays."""
    x_tr, y_tr, x_te, y_te = data
    probe = rng.choice(len(x_tr), cfg["probe_images"], replace=False)
    jac = probe[:cfg["jac_images"]]
    M = {"best": {f: {} for f in FAMILIES}, "spectra": {f: {} for f in FAMILIES}, "gates": {}, "lesion": {},
         "timing": {}}
    arrays = {}
    for (family, depth), r in runs.items():
        d, acts = str(depth), r["acts"]
        ce, err = evaluate(r["p"], x_tr, y_tr, family, acts)
        _, terr = evaluate(r["p"], x_te, y_te, family, acts)
        M["best"][family][d] = {
            "train_ce": float(ce[0]), "train_err": float(err[0]), "test_err": float(terr[0]),
            "winner": r["members"][r["winner"]], "winner_text": describe(r["members"][r["winner"]]),
            "search_ce": [None if not np.isfinite(c) else float(c) for c in r["search_ce"]],
            "n_diverged": int(np.sum(~np.isfinite(r["search_ce"]))), "members": r["members"]}
        arrays[f"curve_{family}_{d}"] = r["curve"]
        arrays[f"search_{family}_{d}"] = np.where(np.isfinite(r["search_curves"]), r["search_curves"], np.nan)
        acts_init = act_slices([r["members"][r["winner"]]])
        for when, p in (("init", r["p_init"]), ("trained", r["p"])):
            lam, logsv = depth_spectra(layer_jacobians(p, x_tr[jac], family, acts if when == "trained"
                                                       else acts_init))
            M["spectra"][family].setdefault(d, {})[when] = {
                "top_exponent": float(lam[0]), "mean_exponent": float(lam.mean()),
                "median_exponent": float(np.median(lam)), "end_to_end_top_log_sv": float(logsv[-1, 0])}
            arrays[f"lyap_{family}_{d}_{when}"] = lam
            arrays[f"logsv_{family}_{d}_{when}"] = logsv
        if family == "highway":
            G = gate_statistics(r["p"], x_tr[probe], acts)
            M["gates"][d] = {"mean_per_layer": G.mean(axis=1).tolist(), "mean": float(G.mean())}
            arrays[f"gate_mean_{d}"] = G
            arrays[f"gate_bias_{d}"] = r["p"]["b"][0, :, WIDTH["highway"]:]
        if depth == cfg["lesion_depth"]:
            base_ce, base_err = evaluate(r["p"], x_tr[probe], y_tr[probe], family, acts)
            lce, lerr = lesion_curve(r["p"], x_tr[probe], y_tr[probe], family, acts)
            M["lesion"][family] = dict(lesion_summary(float(base_err[0]), lerr, len(lerr)),
                                       base_err=float(base_err[0]), base_ce=float(base_ce[0]),
                                       err=lerr.tolist())
            arrays[f"lesion_err_{family}"], arrays[f"lesion_ce_{family}"] = lerr, lce
            if family == "highway":                                 # one image's gates and outputs
                _, (hs, _, Ts) = forward(r["p"], x_tr[probe[:1]], family, acts)
                arrays["example_gates"] = np.stack([T[0, 0] for T in Ts])
                arrays["example_outputs"] = np.stack([h[0, 0] for h in hs[1:]])
                arrays["example_image"] = (x_tr[probe[0]].reshape(28, 28) * 255).round().astype(np.uint8)
        M["timing"][f"{family}_{d}"] = {"cpu_s": r["cpu_s"],
                                        "alone_cpu_s_per_epoch": r["alone_cpu_s_per_epoch"]}
    per_epoch = sum(t["alone_cpu_s_per_epoch"] for t in M["timing"].values())
    M["timing"]["cpu_h_100_runs_x_100_epochs"] = per_epoch * 100 * 100 / 3600
    return M, arrays


def lyapunov_block(M, cfg):
    """The record's Lyapunov entry: exponents per layer of depth of the trained winners."""
    ex = {}
    for family in FAMILIES:
        for d in cfg["depths"]:
            spec = M["spectra"][family][str(d)]
            ex[f"{family}_L{d}"] = [spec["trained"]["top_exponent"], spec["trained"]["median_exponent"]]
    return {"method": (f"depth as time: qr_spectrum over the per-layer Jacobians dh_l/dh_(l-1) of the "
                       f"square layers (float64), {cfg['jac_images']} training images, no alignment steps, "
                       f"per-image exponents floored at {LOG_FLOOR:g} then averaged; listed: the top and the "
                       f"median exponent (nats per layer) of each trained winner"),
            "exponents": ex}
