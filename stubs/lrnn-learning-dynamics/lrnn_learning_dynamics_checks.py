"""Gradient checks of lrnn_learning_dynamics.py (``--gradcheck``), float64 central differences.

The full network's BPTT (unwhitened data, unaligned weights, so every term of the gradient is
non-zero) and the reduced scalar system's gradient flow, eqs. (5)-(7) of the paper, which must equal
-dE/d(a, b, c) of E = 1/2 sum_t (s_t - c b^{T-t} a)^2.
"""
import numpy as np

from lrnn_learning_dynamics import loss_and_grads, mode_energy, mode_rhs
from shared.gradcheck import check_gradients


def gradcheck(args=None):
    """BPTT of the full LRNN (unwhitened data, unaligned weights) and the reduced scalar system's
    gradient flow (-dE/da, -dE/db, -dE/dc) against central differences."""
    rng = np.random.default_rng(0)
    R, N, T, P = 2, 3, 5, 7
    X, Y = rng.standard_normal((T, R, P, N)), rng.standard_normal((R, P, N))
    p = {k: 0.6 * rng.standard_normal((R, N, N)) for k in ("W_x", "W_h", "W_y")}
    errs = {f"bptt {k}": v for k, v in check_gradients(
        lambda: float(loss_and_grads(p, X, Y)[0].sum()), p, loss_and_grads(p, X, Y)[1], eps=1e-4,
        richardson=True).items()}
    s = rng.uniform(0.2, 1.5, (4, T))
    q = dict(a=rng.uniform(0.2, 1, 4), b=rng.uniform(-1.2, 1.2, 4), c=rng.uniform(0.2, 1, 4))
    da, db, dc = mode_rhs(q["a"], q["b"], q["c"], s)
    errs.update({f"reduced {k}": v for k, v in check_gradients(
        lambda: float(mode_energy(q["a"], q["b"], q["c"], s).sum()), q,
        dict(a=-da, b=-db, c=-dc), eps=1e-5).items()})
    return errs
