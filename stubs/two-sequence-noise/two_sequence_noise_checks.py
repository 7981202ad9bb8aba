"""Gradient checks of two_sequence_noise.py (float64; ``--gradcheck`` and the tests).

For both wirings (the paper's net and the earlier catalog's, two_sequence_noise_catalog.py), each
with its trainer's BPTT (the family core's; the catalog's in the core's deriv_first order): exact BPTT vs
central differences with Richardson extrapolation on short dense random sequences; the truncated
gradient's closed form vs the step-by-step truncated BPTT on the task's own sequences, and vs
complex-step derivatives of the frozen-activation pass (cell.frozen_forward: the truncation's
definition, every step's r(t-1) held at the run's own).
"""
import numpy as np

from shared.gradcheck import check_gradients, complex_step_gradients, rel_error
from shared.lstm1997 import cell
from two_sequence_noise import (PAPER_NET, init_paper, lstm_forward, lstm_grads_bptt, lstm_grads_truncated,
                                readout, setting_module, two_sequence_batch)


def gradient_checks(args=None):
    """For both wirings (the paper's and the catalog's), each with its trainer's BPTT (the core's;
    the core's deriv_first order): exact BPTT vs central differences with Richardson extrapolation on short
    dense random sequences; the truncated gradient's closed form vs the step-by-step truncated
    BPTT on the task's own sequences, lengths differing."""
    rng = np.random.default_rng(0)
    T, S, N = 5, 2, 3
    x = rng.normal(size=(T, S, N, 1))
    target = rng.uniform(size=(S, N))
    last = np.full((S, N), T - 1)
    last[0, 0] = T - 2
    errs, catalog = {}, setting_module("catalog")
    for name, net, init, bptt in (("paper 3x1", PAPER_NET, init_paper, lstm_grads_bptt),
                                  ("catalog 3x2", catalog.CATALOG_NET, catalog.init_catalog,
                                   catalog.catalog_grads_bptt)):
        # dense weights, no gate held closed by its bias: finite differences stay accurate there
        p = {k: rng.uniform(-1.0, 1.0, size=v.shape) for k, v in init(rng, S).items()}
        p["W"] *= net.mask

        def loss(p=p, net=net):                                     # absent weights stay absent
            q = {"W": p["W"] * net.mask, "V": p["V"]}
            return 0.5 * np.sum((readout(net, q, lstm_forward(net, q, x), last)[0] - target) ** 2)
        cache = lstm_forward(net, p, x)
        g = bptt(net, p, cache, last, readout(net, p, cache, last)[0] - target)
        fd = check_gradients(loss, p, g, eps=1e-3, richardson=True)
        for k, v in fd.items():
            errs[f"{name}: exact BPTT vs finite differences: {k}"] = v
        xs, _, ts, _, lens = two_sequence_batch(rng, (S, 4), 20, 3, "3b")
        q = init(rng, S)
        q["W"] += rng.uniform(-0.5, 0.5, size=q["W"].shape) * net.mask
        c = lstm_forward(net, q, xs)
        dy = readout(net, q, c, lens - 1)[0] - ts
        a = lstm_grads_truncated(net, q, c, lens - 1, dy)
        b = bptt(net, q, c, lens - 1, dy, truncate=True)
        for k in a:
            errs[f"{name}: truncated closed form vs step-by-step: {k}"] = rel_error(a[k], b[k])
        r_frozen = cell.carried_activations(net, c)

        def frozen_loss(q, net=net, xs=xs, ts=ts, lens=lens, r_frozen=r_frozen):   # Appendix A.1
            q = {"W": q["W"] * net.mask, "V": q["V"]}
            frozen = cell.frozen_forward(net, q["W"], xs, r_frozen)
            return 0.5 * np.sum((readout(net, q, frozen, lens - 1)[0] - ts) ** 2)
        for k, v in complex_step_gradients(frozen_loss, q, a).items():
            errs[f"{name}: truncated vs derivatives of the frozen-activation pass: {k}"] = v
    return errs
