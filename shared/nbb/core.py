"""The Neural Bucket Brigade (NBB), discrete-time version (Schmidhuber 1989, Connection Science 1(4)).

A network is a directed graph of units. Input units are clamped; every other unit belongs to one
predefined competitive subset, and at each tick the member with the largest positive net input
wins (activation 1), the others are off (0). All weights start positive. At tick t:

    c_ij(t)   = x_i(t-1) w_ij(t-1)                       contribution of connection i -> j
    net_j(t)  = sum_i c_ij(t);    x_j(t) = 1 if j wins its subset, else 0
    pay_ij(t) = lam c_ij(t) x_j(t)                        a connection into a winner pays
    R_j(t)    = sum_k pay_jk(t)                           what j's outgoing connections paid
    dw_ij(t)  = - pay_ij(t)
                + [c_ij(t-1) / sum_h c_hj(t-1)] R_j(t)    j passes it back to the connections
                                                          that activated it one tick earlier
                + eta c_ij(t) g_j(t)                      payoff: g_j = 1 if j is an output unit
                                                          switched on correctly at t

Weight "substance" therefore flows backwards along the chain of active connections; it is lost
where a paying unit had no incoming contribution one tick earlier (input units, the first tick of a
cycle) and created only by the payoff. Conservation per tick (tested):

    sum_ij dw_ij(t) = sum_ij eta c_ij g_j - sum_{j: sum_h c_hj(t-1) = 0} R_j(t).

Arrays (R independent runs on a leading axis; n units, inputs first):
    W (R, n, n) weights, zero where ``mask`` (R, n, n) has no connection;
    groups (R, G, n) bool membership of the competitive subsets (an input belongs to none);
    x_prev (R, n) activations at t-1; c_prev (R, n, n) contributions at t-1;
    u (R, n_in) the clamped inputs at t; good (R, n) bool, the units payoff would reward if on;
    pay_mask (R, n, n) bool or None: which connections into a rewarded unit receive the payoff
    (None: all of them).
"""
import numpy as np


def init_weights(rng, mask, lo, hi):
    """Positive weights U(lo, hi) on the connections of ``mask`` (R, n, n), zero elsewhere."""
    return np.where(mask, rng.uniform(lo, hi, mask.shape), 0.0)


def winners(net, groups, tie_u=None):
    """Winner-take-all in every competitive subset: (R, n) 0/1.

    net (R, n); groups (R, G, n) bool; tie_u (R, G, n) uniform numbers that break exact ties at
    random (None: the lowest index wins). A subset whose largest net input is not positive has no
    winner (the paper's "largest positive net input")."""
    masked = np.where(groups, net[:, None, :], -np.inf)             # (R, G, n)
    top = masked.max(2, keepdims=True)
    tied = groups & (masked == top) & (top > 0)
    if tie_u is None:
        key = np.where(tied, -np.arange(net.shape[1]), -np.inf)       # lowest index
    else:
        key = np.where(tied, tie_u, -np.inf)
    pick = key.argmax(2)                                               # (R, G)
    x = np.zeros_like(net)
    has = tied.any(2)
    r, g = np.nonzero(has)
    x[r, pick[r, g]] = 1.0
    return x


def step(W, x_prev, c_prev, u, groups, good, lam, eta, tie_u=None, pay_mask=None):
    """One tick for all runs at once; returns (W_new, x, c, parts) with W_new a new array.

    parts: dict of the per-run terms (paid, returned, payoff, lost) for the substance budget."""
    n_in = u.shape[1]
    c = x_prev[:, :, None] * W                                        # c_ij(t) (R, n, n)
    net = c.sum(1)                                                     # (R, n)
    x = winners(net, groups, tie_u)
    x[:, :n_in] = u
    pay = lam * c * x[:, None, :]                                      # (R, n, n)
    R_j = pay.sum(2)                                                   # (R, n) paid by j's outgoing
    D = c_prev.sum(1)                                                  # (R, n) sum_h c_hj(t-1)
    ok = D > 0
    share = np.divide(c_prev, D[:, None, :], out=np.zeros_like(c_prev), where=ok[:, None, :])
    back = share * R_j[:, None, :]
    ext = eta * c * (x * good)[:, None, :]
    if pay_mask is not None:
        ext = ext * pay_mask
    W_new = W - pay + back + ext
    parts = dict(paid=pay.sum((1, 2)), returned=back.sum((1, 2)), payoff=ext.sum((1, 2)),
                 lost=(R_j * ~ok).sum(1))
    return W_new, x, c, parts


def step_reference(W, x_prev, c_prev, u, groups, good, lam, eta, tie_u=None, pay_mask=None):
    """The same tick written unit by unit and connection by connection, one run at a time."""
    R, n, _ = W.shape
    n_in = u.shape[1]
    W_new, X, C = W.copy(), np.zeros((R, n)), np.zeros((R, n, n))
    for r in range(R):
        c = np.zeros((n, n))
        for i in range(n):
            for j in range(n):
                c[i, j] = x_prev[r, i] * W[r, i, j]
        x = np.zeros(n)
        x[:n_in] = u[r]
        for g in range(groups.shape[1]):
            members = [j for j in range(n) if groups[r, g, j]]
            if not members:
                continue
            nets = [c[:, j].sum() for j in members]
            best = max(nets)
            if best <= 0:
                continue
            tied = [j for j, v in zip(members, nets, strict=True) if v == best]
            if tie_u is None:
                x[tied[0]] = 1.0
            else:
                x[max(tied, key=lambda j: tie_u[r, g, j])] = 1.0
        for j in range(n):
            paid_by_j = sum(lam * c[j, k] * x[k] for k in range(n))
            before = sum(c_prev[r, h, j] for h in range(n))
            for i in range(n):
                dw = -lam * c[i, j] * x[j]
                if before > 0:
                    dw += c_prev[r, i, j] / before * paid_by_j
                if good[r, j] and x[j] == 1.0 and (pay_mask is None or pay_mask[r, i, j]):
                    dw += eta * c[i, j]
                W_new[r, i, j] = W[r, i, j] + dw
        X[r], C[r] = x, c
    return W_new, X, C


def weight_jacobian(W, x_prev, x, c_prev, good, lam, eta, pay_mask=None):
    """Jacobian of one tick's update (W, c_prev) -> (W_new, c) with the winners x held fixed.

    Inside a region where no winner changes, the tick is a smooth map of the weights and of last
    tick's contributions. Returns J (R, 2 n n, 2 n n) over the flattened pair (W, c_prev)."""
    R, n, _ = W.shape
    m = n * n
    J = np.zeros((R, 2 * m, 2 * m))
    c = x_prev[:, :, None] * W
    R_j = (lam * c * x[:, None, :]).sum(2)
    D = c_prev.sum(1)
    ok = D > 0
    Dsafe = np.where(ok, D, 1.0)
    idx = np.arange(n)
    for i in range(n):
        for j in range(n):
            row = i * n + j
            # own term: w_ij (1 - lam x_prev_i x_j + eta x_prev_i x_j g_j)
            paid = good[:, j] if pay_mask is None else good[:, j] & pay_mask[:, i, j]
            J[:, row, row] = 1.0 - lam * x_prev[:, i] * x[:, j] + eta * x_prev[:, i] * x[:, j] * paid
            # redistribution: (c_prev_ij / D_j) * lam * sum_k x_prev_j w_jk x_k
            f = np.where(ok[:, j], c_prev[:, i, j] / Dsafe[:, j], 0.0)
            J[:, row, j * n + idx] += (f * lam * x_prev[:, j])[:, None] * x
            # dependence on last tick's contributions through the share
            g_ = np.where(ok[:, j], R_j[:, j] / Dsafe[:, j], 0.0)
            J[:, row, m + i * n + j] += g_
            f2 = np.where(ok[:, j], c_prev[:, i, j] / Dsafe[:, j], 0.0)
            J[:, row, m + idx * n + j] -= (g_ * f2)[:, None]
            # the new contribution c_ij = x_prev_i w_ij
            J[:, m + row, row] = x_prev[:, i]
    return J
