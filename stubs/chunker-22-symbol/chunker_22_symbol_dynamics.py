"""The dynamics of A and of the conventional net along the b-filler (loaded on demand by
chunker_22_symbol.py): frozen forward passes over "x b1..b20 a b1..b20 x b1..b20" from the zero
state, the Lyapunov spectrum of the hidden state along the filler of the last two sequences, and
the unit that carries a/x across the lag with its self-connection.

    J_t = dh_t / dh_{t-1} = diag(sigma'(net_t)) W_hh^T      (shared.chunker.net.state_jacobian)
"""
import numpy as np
from chunker_22_symbol import inputs

from shared.chunker import net
from shared.lyapunov import qr_spectrum



def filler_pass(W, lag, n_hid):
    """Frozen nets W (R, K, N) read x-, a- and x-sequences from h = 0. Returns the hidden states
    (3, lag + 1, R, n_hid), the outputs (3, lag + 1, R, N - n_hid) and the Jacobians along the
    filler of the a- and x-sequences, (2, lag, R, n_hid, n_hid) (steps reading b1..b_lag)."""
    R = W.shape[0]
    n_I = lag + 2
    sym = np.concatenate([np.r_[k, np.arange(2, lag + 2)] for k in (1, 0, 1)])[:, None].repeat(R, 1)
    tgt = np.array([0.0, 1.0, 0.0])
    u = np.concatenate([inputs(sym[i * (lag + 1):(i + 1) * (lag + 1)], np.full(R, tgt[i]), n_I)
                        for i in range(3)])
    h = np.zeros((R, n_hid))
    H, Y, J = [], [], []
    for t in range(len(u)):
        h, y, z = net.step(W, u[t], h)
        H.append(h)
        Y.append(y)
        J.append(net.state_jacobian(W, z, h, n_I + 1))
    H, Y, J = (np.array(a).reshape((3, lag + 1) + a[0].shape) for a in (H, Y, J))
    return H, Y, J[1:, 1:]


def n_transient(lag):
    """Filler steps that only align the frame: a quarter of them (5 of the 20)."""
    return lag // 4


def spectrum(W, lag, n_hid):
    """Lyapunov exponents per step along the filler (counted after n_transient alignment steps),
    for the a- and the x-sequence: (R, 2, n_hid), descending."""
    _, _, J = filler_pass(W, lag, n_hid)
    R = W.shape[0]
    Js = J.transpose(1, 2, 0, 3, 4).reshape(lag, R * 2, n_hid, n_hid)          # (T, R*2, n, n)
    lam = qr_spectrum(Js, k=n_hid, n_transient=n_transient(lag))
    return np.maximum(lam, -50.0).reshape(R, 2, n_hid)


def memory_units(W, lag, n_hid, n_I):
    """Per net, the hidden unit whose activation differs most between the a- and x-sequences
    along b1..b_{lag-1} (the steps whose state the target prediction reads), its mean gap and its
    self-weight W[h_j -> h_j]."""
    H, _, _ = filler_pass(W, lag, n_hid)
    gap = np.abs(H[1, 1:lag] - H[2, 1:lag]).mean(axis=0)                        # (R, n_hid)
    j = gap.argmax(axis=1)
    r = np.arange(W.shape[0])
    return j, gap[r, j], W[r, n_I + 1 + j, j]


def self_weights(res, lag, n_hid):
    n_I = lag + 2
    ok = res["solved_A"] > 0
    j, gap, w = memory_units(res["W_after"], lag, n_hid, n_I)
    w_ok = w[ok]
    return dict(runs=int(ok.sum()), strong=int((w_ok > 4).sum()),
                median_self=float(np.median(w_ok)) if ok.any() else 0.0,
                self_weight=[float(v) for v in w_ok], gap=[float(v) for v in gap[ok]],
                unit=[int(v) for v in j[ok]])


def fingerprint(chunk, conv, lag, n_hid):
    """Top exponents of A at init, at C's solution (before the collapse reached the targets) and
    at its own solution, and of the conventional nets at the end of their budget."""
    ok = (chunk["solved_A"] > 0) & (chunk["solved_C"] > 0)
    spectra = {"A at init": spectrum(chunk["W0"], lag, n_hid)[ok],
               "A when C solved (before collapse)": spectrum(chunk["W_before"], lag, n_hid)[ok],
               "A when A solved (after collapse)": spectrum(chunk["W_after"], lag, n_hid)[ok],
               "conventional net at its budget": spectrum(conv["W"], lag, n_hid)}
    summary = {name: dict(top_median=float(np.median(s[:, :, 0])), top_min=float(s[:, :, 0].min()),
                          top_max=float(s[:, :, 0].max()),
                          second_median=float(np.median(s[:, :, 1])))
               for name, s in spectra.items() if len(s)}
    exps = {name: [float(v) for v in np.median(s.reshape(-1, n_hid), axis=0)]
            for name, s in spectra.items() if len(s)}
    return spectra, summary, exps


def film(chunk, cfg):
    """For the GIF: run 0's A at every film_every sequences, frozen, along an a- and an
    x-sequence: hidden states (F, 2, lag + 1, H_A) and its target predictions (F, 2)."""
    Ws = chunk["film_W"]
    if not len(Ws):
        Ws = chunk["W_after"][:1]
    H, Y, _ = filler_pass(Ws, cfg["lag"], cfg["hidden_a"])
    n_I = cfg["lag"] + 2
    return {"film_hidden": H[1:].transpose(2, 0, 1, 3), "film_target": Y[1:, -2, :, n_I].T,
            "film_k": chunk["film_k"] if len(chunk["film_k"]) else np.array([chunk["sequences"]]),
            "film_blocks_surprises": chunk["blocks"]["surprises"][:, 0] if len(chunk["blocks"]["surprises"])
            else np.zeros(0), "film_solved": np.array([chunk["solved_A"][0], chunk["solved_C"][0]])}
