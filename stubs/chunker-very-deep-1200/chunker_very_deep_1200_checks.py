"""Gradient checks behind --gradcheck (loaded on demand by chunker_very_deep_1200.py), float64.

The chunker's nets learn with BPTT truncated to ``depth`` steps, which finite differences of the
whole history would not measure. At this stub's sizes (23 inputs) some coordinates have tiny
gradients, so the central differences are Richardson-extrapolated (eps 1e-3 and 5e-4, see
shared.gradcheck). The truncated gradient is instead the exact gradient of the loss
re-computed over the last depth + 1 steps from a constant state (``net.window_loss``), and that is
what is differenced, for A's and C's nets at this stub's sizes (23 inputs). The conventional net's
full BPTT gradient is differenced over a whole short sequence. Finally the batched on-line system
is compared, weight for weight after a stretch of this task's stream (a lag of 25, so the filler
wraps round b20 -> b1), with the family core's plain one-run reference written unit by unit.
"""
import numpy as np
from chunker_very_deep_1200 import PERIOD, inputs, sequence

from shared.chunker import net, system
from shared.gradcheck import check_gradients, rel_error


def _window_check(rng, n_in, n_hid, n_out, depth, scale=0.8):
    W = net.init(rng, 1, n_in, n_hid, n_out, scale)
    us = rng.random((depth + 1, n_in))
    h0 = rng.random(n_hid)
    tgt = rng.random(n_out)
    mask = (rng.random(n_out) < 0.7).astype(float)
    h, zs = h0[None], []
    for u in us:
        h, y, z = net.step(W, u[None], h)
        zs.append(z)
    g = net.truncated_grad(W, np.stack(zs, axis=1), net.output_delta(y, tgt[None], mask[None]),
                           n_in, depth)
    W1 = W[0].copy()
    return check_gradients(lambda: net.window_loss(W1, us, h0, tgt, mask), {"W": W1}, {"W": g[0]},
                           eps=1e-3, richardson=True)["W"]


def gradient_checks(cfg, lag=25, T=8, steps=260):
    rng = np.random.default_rng(0)
    n_I, depth = PERIOD + 2, cfg["depth"]
    H_A, H_C = cfg["hidden_a"], cfg["hidden_c"]
    errs = {"A truncated BPTT (window loss)": _window_check(rng, n_I + 1, H_A, 2 * (n_I + 1) + H_C, depth),
            "C truncated BPTT (window loss)": _window_check(rng, n_I + 1, H_C, n_I + 1, depth)}
    # conventional net: full BPTT over T steps, every output scored
    W = net.init(rng, 1, n_I + 1, H_A, n_I + 1, 0.8)
    us = rng.random((T, 1, n_I + 1))
    h0 = rng.random((1, H_A))
    tg = rng.random((T, 1, n_I + 1))
    mk = (rng.random((T, 1, n_I + 1)) < 0.7).astype(float)
    _, dW, _, _ = net.bptt(W, us, h0, tg, mk)
    errs["conventional full BPTT"] = check_gradients(
        lambda: net.sequence_loss(W, us, h0, tg, mk)[0], {"W": W}, {"W": dW}, eps=1e-3, richardson=True)["W"]
    # the batched on-line system against the unit-by-unit reference, on this task's stream
    R = 2
    ch = system.Chunker(np.random.default_rng(1), R, n_I, 1, H_A, H_C, cfg["init"], 1.0, 1.0,
                        cfg["eps"], depth)
    WA0, WC0 = ch.WA.copy(), ch.WC.copy()
    data = np.random.default_rng(2)
    us = np.concatenate([inputs(*sequence(data, R, lag)) for _ in range(steps // (lag + 1))])
    has = np.zeros((len(us), R), bool)
    has[lag::lag + 1] = True
    surprise = np.array([ch.step(u[:, :n_I], u[:, n_I:], hd)["surprise"]
                         for u, hd in zip(us, has, strict=True)])
    worst = 0.0
    for r in range(R):
        s_ref, WA, WC = system.run_reference(WA0[r], WC0[r], us[:, r, :n_I], us[:, r, n_I:], has[:, r],
                                             n_I, 1, H_A, H_C, 1.0, 1.0, cfg["eps"], depth)
        if not np.array_equal(s_ref, surprise[:, r]):
            worst = 1.0
        worst = max(worst, rel_error(WA, ch.WA[r]), rel_error(WC, ch.WC[r]))
    errs["batched system = plain reference (weights after the stream)"] = worst
    return errs
