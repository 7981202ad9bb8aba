"""Gradient checks of embedded_reber.py (float64; ``--gradcheck`` and the tests).

For both architectures: exact BPTT vs central differences with Richardson extrapolation on short
dense random inputs; the truncated gradient's closed form vs the step-by-step truncated BPTT and
vs the forward-mode RTRL traces (weights held fixed) on grammar strings of different lengths, and
vs complex-step derivatives of the frozen-activation pass (cell.frozen_forward: the truncation's
definition, every step's r(t-1) held at the run's own). Then the earlier catalog's net
(embedded_reber_catalog.py): exact BPTT vs central differences.
"""
import numpy as np

from embedded_reber import (ARCHS, NK, NX, embedded_string, encode, forward, grads_bptt, grads_truncated,
                            init_lstm, rtrl_string, sibling_module, sigmoid)
from shared.gradcheck import check_gradients, complex_step_gradients, rel_error
from shared.lstm1997 import cell


def gradient_checks(args=None):
    """Exact BPTT vs central differences with Richardson extrapolation on short dense random
    inputs; the truncated gradient's closed form vs the step-by-step truncated BPTT and vs the
    forward-mode RTRL traces (weights held fixed) on grammar strings of different lengths (padding
    masked), for both architectures."""
    rng = np.random.default_rng(0)
    errs = {}
    for name, a in ARCHS.items():
        T, S, N = 5, 2, 2
        x = rng.normal(size=(T, S, N, NX))
        target = rng.uniform(size=(T, S, N, NK))
        mask = np.ones((T, S, N, 1))
        mask[-1, 0, 0] = 0.0
        p = {n: rng.uniform(-1.0, 1.0, size=v.shape) for n, v in init_lstm(a, rng, S).items()}

        def loss(p=p, a=a, x=x, target=target, mask=mask):
            return 0.5 * np.sum(mask * (forward(a, p, x)["y"] - target) ** 2)
        cache = forward(a, p, x)
        g = grads_bptt(a, p, cache, mask * (cache["y"] - target))
        for pn, v in check_gradients(loss, p, g, eps=1e-3, richardson=True).items():
            errs[f"{name} exact BPTT vs finite differences: {pn}"] = v
        strings = [embedded_string(rng) for _ in range(S * 3)]
        xs, ts, lg, _ = encode([s for s, _ in strings], [lg for _, lg in strings])
        L = xs.shape[0]
        xs, ts, lg = (v.reshape(L, S, 3, NK) for v in (xs, ts, lg))
        p = init_lstm(a, rng, S)
        p["W"] += rng.uniform(-0.5, 0.5, size=p["W"].shape)
        cache = forward(a, p, xs)
        dy = (cache["y"] - ts) * lg.any(-1, keepdims=True)
        g1 = grads_truncated(a, p, cache, dy)
        g2 = grads_bptt(a, p, cache, dy, truncate=True)
        _, g3 = rtrl_string(a, p, xs[:, :, 0], ts[:, :, 0], lg[:, :, 0].any(-1).astype(float))
        c0 = forward(a, p, xs[:, :, :1])
        g0 = grads_truncated(a, p, c0, (c0["y"] - ts[:, :, :1]) * lg[:, :, :1].any(-1, keepdims=True))
        r_frozen = cell.carried_activations(a, cache)

        def frozen_loss(q, a=a, xs=xs, ts=ts, lg=lg, r_frozen=r_frozen):   # Appendix A.1's truncation
            yc = cell.frozen_forward(a, q["W"], xs, r_frozen)["yc"]
            y = sigmoid(np.matmul(yc, np.swapaxes(q["V"], 1, 2)[None]))
            return 0.5 * np.sum(lg.any(-1, keepdims=True) * (y - ts) ** 2)
        for pn, v in complex_step_gradients(frozen_loss, p, g1).items():
            errs[f"{name} truncated vs derivatives of the frozen-activation pass: {pn}"] = v
        for pn in g1:
            errs[f"{name} truncated: closed form vs step-by-step: {pn}"] = rel_error(g1[pn], g2[pn])
            errs[f"{name} truncated: closed form vs forward RTRL traces: {pn}"] = rel_error(g0[pn], g3[pn])
    # the earlier catalog's net (--setting catalog), on the same stream
    errs.update(sibling_module("catalog").catalog_gradient_checks(rng))
    return errs
