"""Finite-time Lyapunov exponents of a recursion of net calls on two states (TRM's (y, z), HRM's
(z_L, z_H)): the family's Lyapunov fingerprint.

Every net call is one map. A call that updates state i from the net input h (a sum of the states
and perhaps the fixed embedded input x) has the tangent map t_i <- J (t_0 + t_1), the other half
copied (x is fixed, so it has no tangent), with J v from the hand-written JVP (shared.mazes.net).
k tangent vectors, QR with a positive diagonal after every map, lambda_i = mean ln R_ii, float64.

Arrays: tokens X (M, P, P); states (S, M, P, P, d); tangents (k, S, M, 2, P, P, d) (state 0 then 1).
"""
import numpy as np

from shared.lyapunov import qr_positive
from shared.mazes import net


def reorthonormalise(tang):
    """QR (positive diagonal) of the k tangent vectors of every (seed, maze): returns the
    orthonormal frame, shaped like tang, and ln R_ii (S, M, k)."""
    k, S, M = tang.shape[:3]
    A = tang.reshape(k, S, M, -1).transpose(1, 2, 3, 0)                        # (S, M, n_dim, k)
    Qm, R = qr_positive(A)
    return Qm.transpose(3, 0, 1, 2).reshape(tang.shape), np.log(np.diagonal(R, axis1=-2, axis2=-1))


def two_state_ftle(p, a0, b0, X, maps, k, rng):
    """Top-k finite-time exponents per maze of the maps, from the initial states a0, b0 (S, d).

    maps: the sequence of net calls, each (i, f) with f(p, a, b, xe) -> (new state i, net cache).
    The initial frame is one draw of rng, shared by every seed and maze. Returns lambda (S, M, k)
    sorted descending, and the number of maps.
    """
    p = {key: v.astype(np.float64) for key, v in p.items()}
    S, (M, P, _), d = a0.shape[0], X.shape, a0.shape[1]
    xe = net.embed(p, np.broadcast_to(X, (S,) + X.shape))
    s = [np.broadcast_to(v[:, None, None, None, :].astype(np.float64), xe.shape).copy() for v in (a0, b0)]
    n_dim = 2 * P * P * d
    Q0 = qr_positive(rng.standard_normal((n_dim, k)))[0]                        # (n_dim, k)
    tang = np.broadcast_to(Q0.T.reshape(k, 1, 1, 2, P, P, d), (k, S, M, 2, P, P, d)).copy()
    log_r = np.zeros((S, M, k))
    for i, f in maps:
        s[i], c = f(p, s[0], s[1], xe)
        tang[:, :, :, i] = net.net_jvp(p, c, tang[:, :, :, 0] + tang[:, :, :, 1])
        tang, lr_ = reorthonormalise(tang)
        log_r += lr_
    return -np.sort(-log_r / len(maps), axis=-1), len(maps)
