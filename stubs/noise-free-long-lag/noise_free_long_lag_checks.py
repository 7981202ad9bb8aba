"""Gradient checks of noise_free_long_lag.py (float64; ``--gradcheck`` and the tests).

2a/2b cell: exact gradient vs central differences (the paper's truncation removes nothing there),
under each reading of its g and h (--squash).
2c net: exact BPTT vs central differences; the truncated gradient of the training recursion (RTRL
traces, eqs. 19-28) vs an independent step-by-step truncated BPTT, and vs complex-step derivatives
of the frozen-activation pass (the truncation's definition: every step's r(t-1) held). The
earlier catalog's net: full BPTT vs central differences (noise_free_long_lag_catalog.py). Short
random sequences, dense weights.
"""
import numpy as np

from noise_free_long_lag import (G_, H, READINGS, ab_batch, ab_forward, ab_grads, ab_targets, c_batch,
                                 c_forward,
                                 c_grads_bptt, c_net_of, c_readout, c_rtrl_grads, c_rtrl_init, c_rtrl_step,
                                 init_ab, init_c, sibling_module)
from shared.gradcheck import check_gradients, complex_step_gradients, rel_error
from shared.lstm1997 import cell as lstm_cell


def gradient_checks(args=None):
    """2a/2b net: exact gradient vs central differences (the truncation is exact there). 2c net:
    exact BPTT vs central differences; truncated RTRL traces vs an independent truncated BPTT.
    Catalog net: full BPTT vs central differences. Short random sequences, dense weights."""
    rng = np.random.default_rng(0)
    errs = {}
    p, S, N = 6, 2, 3
    prm = {n: rng.uniform(-1, 1, size=v.shape) for n, v in init_ab(rng, S, p).items()}
    sym = ab_batch(rng, (S, N), p, True)
    cell = np.array([1.0, 1.0])
    tgt = ab_targets(sym, p + 1)

    for reading in READINGS:  # "paper" and the three other readings of g and h (--squash)
        def loss_ab(reading=reading):
            return 0.5 * np.sum((ab_forward(prm, sym[:-1], cell, reading)["y"] - tgt) ** 2)

        c = ab_forward(prm, sym[:-1], cell, reading)
        for n, v in check_gradients(
            loss_ab, prm, ab_grads(prm, c, c["y"] - tgt), eps=1e-3, richardson=True
        ).items():
            name = "2a/2b cell" + ("" if reading == "paper" else f", reading {reading}")
            errs[f"{name}: exact gradient vs finite differences: {n}"] = v
    p, q = 5, 4
    prm = {n: rng.uniform(-1, 1, size=v.shape) for n, v in init_c(rng, S, p).items()}
    seqs = [c_batch(rng, N, q, p) for _ in range(S)]
    L = max(a[0].shape[0] for a in seqs)
    sym = np.full((L, S, N), -1)
    for s_, (a, _, _) in enumerate(seqs):
        sym[: a.shape[0], s_] = a
    last = np.stack([b for _, b, _ in seqs])
    tgt = np.eye(2)[np.stack([c_ for _, _, c_ in seqs])]
    si, ni = np.indices((S, N))

    def loss_c():
        cache = c_forward(prm, sym)
        return 0.5 * np.sum((c_readout(prm, cache["yc"][last, si, ni]) - tgt) ** 2)

    cache = c_forward(prm, sym)
    dy = c_readout(prm, cache["yc"][last, si, ni]) - tgt
    g = c_grads_bptt(prm, cache, last, dy)
    for n, v in check_gradients(loss_c, prm, g, eps=1e-3, richardson=True).items():
        errs[f"2c net: exact BPTT vs finite differences: {n}"] = v
    tb = c_grads_bptt(prm, cache, last, dy, truncate=True)
    ta = c_rtrl_truncated(prm, sym, last, tgt)
    for n in tb:
        errs[f"2c net: truncated, RTRL traces vs step-by-step BPTT: {n}"] = rel_error(ta[n], tb[n])
    net_c, r_frozen = c_net_of(prm["W"]), lstm_cell.carried_activations(c_net_of(prm["W"]), cache)

    def frozen_loss(q):                       # Appendix A.1: every step's r(t-1) held at this run's
        yc = lstm_cell.frozen_forward(net_c, q["W"], np.maximum(sym, 0), r_frozen)["yc"]
        return 0.5 * np.sum((c_readout(q, yc[last, si, ni]) - tgt) ** 2)
    for n, v in complex_step_gradients(frozen_loss, prm, ta).items():
        errs[f"2c net: truncated RTRL traces vs derivatives of the frozen-activation pass: {n}"] = v
    errs.update(sibling_module("catalog").catalog_gradient_checks(S))
    return errs


def c_rtrl_truncated(prm, sym, last, tgt):
    """The training recursion's gradient for whole batches sym (L, S, N) (summed over sequences):
    run the RTRL traces to each sequence's e and take eqs. 19-28 there."""
    S, N = last.shape
    st = c_rtrl_init(S, N, prm["W"].shape[1] - H)
    total = {n: np.zeros_like(v) for n, v in prm.items()}
    for t in range(int(last.max()) + 1):
        st, u = c_rtrl_step(prm["W"], st, np.maximum(sym[t], 0))
        m = (last == t)[..., None]
        y = c_readout(prm, st["r"][..., G_])
        g = c_rtrl_grads(prm, st, u, (y - tgt) * m)
        for n in total:
            total[n] += g[n]
    return total
