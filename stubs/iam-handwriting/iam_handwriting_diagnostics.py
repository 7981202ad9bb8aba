"""Diagnostics of iam-handwriting (loaded by the main file on demand): test scores per net, decoder
and test set; where the CTC emissions fall along the pen trajectory relative to each letter's own
strokes; the Lyapunov spectra of every LSTM direction; the record's metrics and arrays.

Emission timing. For each test word the forced alignment (``shared.blstm_ctc.decode``: the most
probable path through the net's outputs that spells the true word) gives the pen point t_i at which
letter i is emitted. Letter i's extent is [a_i, b_i], the first and last pen point of its strokes.
Each emission is *before* (t_i < a_i), *during* (a_i <= t_i <= b_i) or *after* the letter; after it,
the lag t_i - b_i in pen points. A net that memorised whole words could emit everything at the end;
a unidirectional net cannot emit a letter before it has seen enough of it.

Lyapunov spectra: each direction's state [s (C), y_c (C)] and its closed-form step Jacobian
(``shared.blstm_ctc.blstm.state_jacobians``); ``shared.lyapunov.qr_spectrum`` along the longest
unseen test words driven together (cut to the shortest of them), in nats per pen point.
"""
import numpy as np
import iam_handwriting as m

from shared.blstm_ctc import blstm, decode
from shared.lyapunov import qr_spectrum

N_EXP = 10                 # exponents kept per direction
TRANSIENT = 15             # pen points that only align the QR frame
FLOOR = -30.0              # exponents below this (nats per point) are recorded as this
SPIKE_LAG = 10             # "just after" a letter: within this many pen points of its end
SETS = ("test_seen", "test_unseen")


def letter_extents(letter, n):
    """First and last pen point of each of the n letters: (n, 2)."""
    return np.array([[np.flatnonzero(letter == i)[0], np.flatnonzero(letter == i)[-1]] for i in range(n)])


def emission_timing(logys, samples, lag=SPIKE_LAG):
    """Per emitted letter (forced alignment): its frame relative to its letter's extent, in
    letter lengths (0 = first point, 1 = last), the lag after the letter's end in points (<= 0
    when during or before), and its position in the word (0..1). Returns a summary and arrays."""
    rel, after, pos = [], [], []
    for ly, s in zip(logys, samples, strict=True):
        _, first = decode.forced_alignment(ly, s["labels"])
        ext = letter_extents(s["letter"], len(s["labels"]))
        T = len(ly)
        for t, (a, b) in zip(first, ext, strict=True):
            rel.append((t - a) / max(1, b - a))
            after.append(t - b)
            pos.append(t / max(1, T - 1))
    rel, after, pos = np.array(rel), np.array(after), np.array(pos)
    summary = {"n": len(rel), "before": float(np.mean(rel < 0)),
               "during": float(np.mean((rel >= 0) & (after <= 0))),
               "after": float(np.mean(after > 0)),
               "during_or_within_lag": float(np.mean((rel >= 0) & (after <= lag))),
               "lag_median_points": float(np.median(after)), "in_last_tenth": float(np.mean(pos >= 0.9))}
    return summary, rel, after


def lyapunov(net, samples, n, params=None):
    """Top exponents (D, N_EXP) averaged over the n longest samples, the per-sample values
    (D, n, N_EXP) and the common length, for the trained weights or ``params``."""
    idx = np.argsort([-len(s["x"]) for s in samples])[:n]
    L = min(len(samples[i]["x"]) for i in idx)
    x = np.stack([samples[i]["x"][:L] for i in idx], axis=1).astype(np.float64)   # (L, n, 4)
    p = {k: v.astype(np.float64) for k, v in (params or net.p).items()}
    _, cache = blstm.forward(net.cell, p, x, np.full(len(idx), L))
    D, n2 = p["Wx"].shape[0], 2 * net.cell.nc
    jac = (blstm.state_jacobians(net.cell, p, cache["lstm"], t, t + 1)[0].reshape(D * len(idx), n2, n2)
           for t in range(L))
    lam = qr_spectrum(jac, k=min(N_EXP, n2), n_transient=min(TRANSIENT, L // 2)).reshape(D, len(idx), -1)
    lam = np.maximum(lam, FLOOR)          # saturated gates can make a direction vanish exactly (-inf)
    return lam.mean(axis=1), lam, L


def summarise(nets, data, cfg, curves):
    """Scores, emission timing, Lyapunov spectra -> (metrics, arrays)."""
    scores, logys, timing, arrays = {}, {}, {}, {}
    for k, net in nets.items():
        scores[k] = {}
        for sname in SETS:
            logys[k, sname] = m.posteriors(net, data[sname])
            scores[k][sname] = m.evaluate(net, data[sname], data["lexicon"], logys[k, sname])
        timing[k], arrays[f"spike_rel_{k}"], arrays[f"spike_after_{k}"] = \
            emission_timing(logys[k, "test_unseen"], data["test_unseen"])
    lyap, L_lyap = {}, None
    for k, net in nets.items():
        lam, arrays[f"lyap_{k}"], L_lyap = lyapunov(net, data["test_unseen"], cfg["n_lyap"])
        lam0 = lyapunov(net, data["test_unseen"], cfg["n_lyap"], net.p_init)[0]
        dirs = ("forward", "backward")[:net.n_dir]
        lyap[k] = {d: lam[i].tolist() for i, d in enumerate(dirs)}
        lyap[k]["memory_points"] = {d: float(1.0 / abs(lam[i, 0])) for i, d in enumerate(dirs)}
        lyap[k]["at_init"] = {d: lam0[i].tolist() for i, d in enumerate(dirs)}
    letters = np.concatenate([np.diff(letter_extents(s["letter"], len(s["labels"])), axis=1)[:, 0] + 1
                              for s in data["test_unseen"]])
    metrics = {
        "scores": scores, "spikes": timing, "spike_lag": SPIKE_LAG,
        "weights": {k: n.n_weights() for k, n in nets.items()},
        "blocks": {k: n.cell.nc for k, n in nets.items()},
        "best_epoch": {k: c["best_epoch"] for k, c in curves.items()},
        "val_cer_best": {k: float(c["val_cer"].min()) for k, c in curves.items()},
        "lyapunov": lyap, "lyapunov_points": L_lyap,
        "letter_points_mean": float(letters.mean()),
        "word_points_mean": float(np.mean([len(s["x"]) for s in data["test_unseen"]])),
        "lexicon": len(data["lexicon"]),
        "data": {"train_words": len(data["words"]["train"]), "val_words": len(data["words"]["val"]),
                 "test_words": len(data["words"]["test"]), "train_samples": len(data["train"]),
                 "train_points": int(sum(len(s["x"]) for s in data["train"])),
                 "test_seen_samples": len(data["test_seen"]),
                 "test_unseen_samples": len(data["test_unseen"])},
        "test_words": data["words"]["test"],
        "timing": {f"{k}_cpu_s": c["cpu_s"] for k, c in curves.items()},
    }
    for k, c in curves.items():
        arrays[f"{k}_train_loss"], arrays[f"{k}_val_cer"] = c["train_loss"], c["val_cer"]
    for i, s in enumerate(data["test_unseen"][:6]):          # examples for the figures and the GIF
        arrays[f"ex{i}_pts"], arrays[f"ex{i}_up"], arrays[f"ex{i}_letter"] = s["pts"], s["up"], s["letter"]
        arrays[f"ex{i}_labels"] = s["labels"]
        for k in nets:
            arrays[f"ex{i}_{k}"] = logys[k, "test_unseen"][i]
    for i, s in enumerate(data["train"][:12]):
        arrays[f"train{i}_pts"], arrays[f"train{i}_up"] = s["pts"], s["up"]
        arrays[f"train{i}_labels"] = s["labels"]
    return metrics, arrays


def lyapunov_block(M):
    return {"method": (f"qr_spectrum on closed-form state Jacobians ([s, y_c], 2C per direction) of each "
                       f"LSTM direction, driven by the longest unseen test words cut to "
                       f"{M['lyapunov_points']} pen points, {TRANSIENT} alignment points, top {N_EXP}, "
                       f"nats per pen point, floored at {FLOOR:g}"),
            "exponents": {f"{k}_{d}": M["lyapunov"][k][d] for k in M["lyapunov"]
                          for d in ("forward", "backward") if d in M["lyapunov"][k]}}
