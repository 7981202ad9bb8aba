"""The dynamics of A and of the conventional net along the filler (loaded on demand by
chunker_very_deep_1200.py): frozen forward passes over "x-sequence, a-sequence, x-sequence" from
the zero state, the Lyapunov spectrum of the hidden state along the filler of the last two, and
the unit that carries a/x across the lag with its self-connection.

    J_t = dh_t / dh_{t-1} = diag(sigma'(net_t)) W_hh^T      (shared.chunker.net.state_jacobian)

For the conventional net the top exponent lambda_1 says how a perturbation of the state (and so
the gradient sent back) shrinks per step along the filler: over the lag L it is multiplied by
about exp(lambda_1 (L - 1)), the number set beside its failure. For A, the exponent at its
solution says whether it carries the bit in a neutral direction (lambda_1 near 0) or as two
separate contracting trajectories (a latch: lambda_1 < 0 with the bit intact).
"""
import numpy as np
from chunker_very_deep_1200 import PERIOD, inputs, sequence

from shared.chunker import net
from shared.lyapunov import qr_spectrum

FLOOR = -50.0


def filler_pass(W, lag, n_hid):
    """Frozen nets W (R, K, N) read an x-, an a- and an x-sequence from h = 0. Returns the hidden
    states (3, lag + 1, R, n_hid), the outputs (3, lag + 1, R, N - n_hid) and the Jacobians along
    the filler of the a- and x-sequences (2, lag, R, n_hid, n_hid)."""
    R = W.shape[0]
    n_in = PERIOD + 3
    u = []
    for first in (1, 0, 1):
        sym, _ = sequence(np.random.default_rng(0), R, lag)
        sym[0] = first
        u.append(inputs(sym, np.full(R, float(first == 0))))
    u = np.concatenate(u)
    h = np.zeros((R, n_hid))
    H, Y, J = [], [], []
    for t in range(len(u)):
        h, y, z = net.step(W, u[t], h)
        H.append(h)
        Y.append(y)
        J.append(net.state_jacobian(W, z, h, n_in))
    H, Y, J = (np.array(a).reshape((3, lag + 1) + a[0].shape) for a in (H, Y, J))
    return H, Y, J[1:, 1:]


def n_transient(lag):
    """Filler steps that only align the frame: a quarter of them."""
    return lag // 4


def spectrum(W, lag, n_hid):
    """Lyapunov exponents per step along the filler (counted after n_transient alignment steps),
    for the a- and the x-sequence: (R, 2, n_hid), descending, floored at FLOOR."""
    _, _, J = filler_pass(W, lag, n_hid)
    R = W.shape[0]
    Js = J.transpose(1, 2, 0, 3, 4).reshape(lag, R * 2, n_hid, n_hid)          # (T, R*2, n, n)
    lam = qr_spectrum(Js, k=n_hid, n_transient=n_transient(lag))
    return np.maximum(lam, FLOOR).reshape(R, 2, n_hid)


def memory_unit(W, lag, n_hid):
    """Per net, the hidden unit whose activation differs most between the a- and x-sequences along
    the filler before the target, its mean gap and its self-weight W[h_j -> h_j]."""
    H, _, _ = filler_pass(W, lag, n_hid)
    gap = np.abs(H[1, 1:lag] - H[2, 1:lag]).mean(axis=0)                        # (R, n_hid)
    j = gap.argmax(axis=1)
    r = np.arange(W.shape[0])
    return j, gap[r, j], W[r, PERIOD + 3 + j, j]


def fingerprint(chunks, convs, per_lag, cfg):
    """Per lag: A's top exponent at init and at its solution (solved runs), the conventional nets'
    at the end of their budget with lambda_1 (L - 1), and A's memory unit. Returns the
    results.json ``lyapunov`` block, the metrics block and the arrays for the figures."""
    H = cfg["hidden_a"]
    exps, metrics, arrays = {}, [], {}
    for ch, conv, st in zip(chunks, convs, per_lag, strict=True):
        L = ch["lag"]
        ok = ch["solved_A"] > 0
        lam_A0 = spectrum(ch["W0"], L, H)
        lam_A = spectrum(ch["W_end"], L, H)
        lam_c = spectrum(conv["W"], L, H)
        j, gap, w = memory_unit(ch["W_end"], L, H)
        top_c = float(np.median(lam_c[:, :, 0]))
        row = dict(lag=L, A_init_top=float(np.median(lam_A0[:, :, 0])),
                   A_solved_top=float(np.median(lam_A[ok][:, :, 0])) if ok.any() else None,
                   A_solved_top_range=[float(lam_A[ok][:, :, 0].min()), float(lam_A[ok][:, :, 0].max())]
                   if ok.any() else None,
                   A_unsolved_top=float(np.median(lam_A[~ok][:, :, 0])) if (~ok).any() else None,
                   conv_top=top_c, conv_top_range=[float(lam_c[:, :, 0].min()), float(lam_c[:, :, 0].max())],
                   conv_log_attenuation=top_c * (L - 1),
                   conv_log10_attenuation=top_c * (L - 1) / np.log(10),
                   conv_improved=st["conv_improved"],
                   memory_self_weight=[float(v) for v in w[ok]],
                   memory_gap=[float(v) for v in gap[ok]],
                   memory_strong=int((w[ok] > 4).sum()))
        metrics.append(row)
        exps[f"A at init, L={L}"] = [float(v) for v in np.median(lam_A0.reshape(-1, H), axis=0)]
        if ok.any():
            exps[f"A at its solution, L={L}"] = [float(v) for v in
                                                 np.median(lam_A[ok].reshape(-1, H), axis=0)]
        exps[f"conventional at its budget, L={L}"] = [float(v) for v in
                                                      np.median(lam_c.reshape(-1, H), axis=0)]
        arrays[f"lyap_A0_{L}"] = lam_A0[:, :, 0]
        arrays[f"lyap_A_{L}"] = lam_A[:, :, 0]
        arrays[f"lyap_conv_{L}"] = lam_c[:, :, 0]
        arrays[f"memory_self_{L}"] = w
    lyap = {"method": "shared.lyapunov.qr_spectrum on J_t = dh_t/dh_{t-1} of the frozen net along the "
                      "filler (the L steps after the first symbol) of one a- and one x-sequence read after "
                      "an x-sequence from h = 0; the first L // 4 steps align the frame, the rest are "
                      f"counted; all {H} exponents per step, median over nets and both sequences (A: the "
                      f"runs it solved); floored at {FLOOR}", "exponents": exps}
    return lyap, metrics, arrays


def film(chunk, cfg, max_frames=40):
    """For the GIF: run 0's A at its snapshots (longest lag), frozen, along an a- and an
    x-sequence: hidden states (F, 2, lag + 1, H_A), its target predictions (F, 2), and the
    surprises per sequence of run 0."""
    Ws, ks = chunk["film_W"], chunk["film_k"]
    if not len(Ws):
        Ws, ks = chunk["W_end"][:1], np.array([chunk["sequences"]])
    idx = np.unique(np.linspace(0, len(Ws) - 1, min(max_frames, len(Ws))).astype(int))
    Ws, ks = Ws[idx], ks[idx]
    H, Y, _ = filler_pass(Ws, chunk["lag"], cfg["hidden_a"])
    return {"film_hidden": H[1:].transpose(2, 0, 1, 3), "film_target": Y[1:, -2, :, PERIOD + 2].T,
            "film_k": ks, "film_surprises": chunk["surprises"][:, 0],
            "film_solved": np.array([chunk["solved_A"][0], chunk["solved_C"][0]]),
            "film_lag": np.array(chunk["lag"])}
