"""Fast weights controlled by a slow net, with the exact gradient carried forward (Schmidhuber 1992).

F has I input units, O identity output units and one fast weight w_ab from each input a to each
output b (no hidden units). S has M input units and K identity output units, weights W_S (no
hidden units, no bias). At time step 0 every fast weight is set to S's change, w_ab(0) = dw_ab(0).
At every step t > 0:

    y_b(t)    = sum_a w_ab(t-1) x_F,a(t)                       F's output, old weights
    E(t)      = 1/2 sum_b m_b(t) (d_b(t) - y_b(t))^2            m: which outputs have a target
    s(t)      = W_S x_S(t)                                      S's output units
    dw_ab(t)  = s_ab(t)                                         eq. 4 ("direct": K = O I)
              = s_a(t) s_b(t),  a in FROM, b in TO              eq. 5 ("fromto": K = I + O)
    w_ab(t)   = sigma(T (w_ab(t-1) + dw_ab(t) - 0.5))           eqs. 1 and 7, sigma logistic

The exact gradient of sum_t E(t) with respect to W_S is accumulated forward (eqs. 2-3): with
p^ab_kj(t) = d w_ab(t) / d W_S[k, j], p(0) = 0 (the paper's initialisation; w(0) counts as given),

    p^ab_kj(t)  = sigma'_ab(t) ( p^ab_kj(t-1) + (d dw_ab(t) / d s_k(t)) x_S,j(t) )
    dE(t)/dW_S  = sum_ab delta_ab(t) p^ab(t-1),   delta_ab(t) = dE(t)/dw_ab(t-1) = -m_b e_b x_F,a

where sigma'_ab(t) = T w_ab(t) (1 - w_ab(t)) is the derivative with respect to both arguments, and
d dw_ab / d s is 1 on s_ab (eq. 4) or (s_b on s_a, s_a on s_b) (eq. 6). On-line learning changes
W_S by -eta dE(t)/dW_S at every step, never resetting w or p (the paper's section 2.1).

Shapes, R independent runs on the leading axis:
    W_S (R, K, M)   w (R, O, I), w[:, b, a] = w_ab   p (R, O, I, K, M)   x_F (R, I)   x_S (R, M)
    d, m (R, O)     T, eta: scalars or (R,)
Slow output order: "direct" k = b I + a; "fromto" FROM units 0..I-1, then TO units I..I+O-1.
"""
import numpy as np

RULES = ("direct", "fromto")


def n_slow_outputs(rule, n_in, n_out):
    """K, the number of S's output units: one per fast weight (eq. 4) or one per F unit (eq. 5)."""
    if rule not in RULES:
        raise ValueError(f"rule must be one of {RULES}, got {rule!r}")
    return n_in * n_out if rule == "direct" else n_in + n_out


def init_slow(rng, runs, n_slow_out, n_slow_in, scale=0.1):
    """W_S (runs, K, M) uniform in [-scale, scale] (the paper's experiments: scale 0.1)."""
    return rng.uniform(-scale, scale, (runs, n_slow_out, n_slow_in))


def _per_run(v, R, ndim):
    """A scalar or (R,) parameter shaped to broadcast against an (R, ...) array of ndim axes."""
    v = np.asarray(v, dtype=np.float64)
    return v if v.ndim == 0 else v.reshape((R,) + (1,) * (ndim - 1))


def weight_change(rule, s, n_in, n_out):
    """S's contribution dw (R, O, I) and its derivative G = d dw / d s (R, O, I, K)."""
    R, K = s.shape
    if rule == "direct":                                             # eq. 4
        dw = s.reshape(R, n_out, n_in)
        G = np.broadcast_to(np.eye(K).reshape(n_out, n_in, K), (R, n_out, n_in, K))
        return dw, G
    frm, to = s[:, :n_in], s[:, n_in:]                               # eq. 5
    dw = to[:, :, None] * frm[:, None, :]
    G = np.concatenate([to[:, :, None, None] * np.eye(n_in)[None, None],           # eq. 6
                        frm[:, None, :, None] * np.eye(n_out)[None, :, None, :]], axis=3)
    return dw, G


def fast_update(W_S, w, x_S, T, rule):
    """w(t) from w(t-1) and S's output on x_S(t): (w_new, sigma' (R, O, I), G (R, O, I, K)).

    The logistic of eq. 7 is evaluated through z = exp(-|u|), u = T (w + dw - 0.5), so that neither
    tail overflows and sigma' = T z / (1 + z)^2 keeps its relative precision deep in saturation
    (the Lyapunov exponents are logarithms of it)."""
    R, n_o, n_i = w.shape
    s = np.einsum("rkm,rm->rk", W_S, x_S)
    dw, G = weight_change(rule, s, n_i, n_o)
    Tr = _per_run(T, R, 3)
    u = Tr * (w + dw - 0.5)
    z = np.exp(-np.abs(u))
    w_new = np.where(u >= 0, 1.0, z) / (1.0 + z)                     # eq. 7
    return w_new, Tr * z / (1.0 + z) ** 2, G


def start(W_S, x_S0, rule, n_in, n_out):
    """Time step 0: w(0) = dw(0) (not squashed, as the paper says) and p(0) = 0."""
    R, K, M = W_S.shape
    dw, _ = weight_change(rule, np.einsum("rkm,rm->rk", W_S, x_S0), n_in, n_out)
    return dw.copy(), np.zeros((R, n_out, n_in, K, M))


def step(W_S, w, p, x_F, x_S, d, T, eta, rule, mask=None, carry=True, learn=True):
    """One time step t > 0 of R runs: output, error, gradient, fast-weight and p update, then the
    on-line change of W_S. ``carry`` False (or 0 for some runs, an (R,) array) drops p(t-1) from
    the p update: a one-step truncated gradient, an ablation; the paper's rule is the exact one
    (True). Returns
    (W_S, w, p, y (R, O), E (R,), grad (R, K, M))."""
    R = w.shape[0]
    m = np.ones_like(d) if mask is None else mask
    y = np.einsum("roi,ri->ro", w, x_F)
    e = m * (d - y)
    E = 0.5 * np.sum(e * (d - y), axis=1)
    delta = -e[:, :, None] * x_F[:, None, :]                         # dE(t)/dw(t-1)
    grad = np.einsum("roi,roikm->rkm", delta, p)                     # eq. 2 with p(t-1)
    w_new, sp, G = fast_update(W_S, w, x_S, T, rule)
    # p(t) = sigma' (p(t-1) + d dw / d W_S)                             eq. 3
    D = G[..., None] * x_S[:, None, None, None, :]
    p_new = sp[..., None, None] * (_per_run(carry, R, 5) * p + D)
    if learn:
        W_S = W_S - _per_run(eta, R, 3) * grad
    return W_S, w_new, p_new, y, E, grad


def step_reference(W_S, w, p, x_F, x_S, d, T, eta, rule, mask=None, carry=True):
    """The same step for one run, written out unit by unit as in the paper (the test's reference).
    W_S (K, M), w (O, I), p (O, I, K, M), x_F (I,), x_S (M,), d and mask (O,); T, eta scalars."""
    K, M = W_S.shape
    n_o, n_i = w.shape
    m = np.ones(n_o) if mask is None else mask
    y = np.array([sum(w[b, a] * x_F[a] for a in range(n_i)) for b in range(n_o)])
    E = 0.5 * sum(m[b] * (d[b] - y[b]) ** 2 for b in range(n_o))
    grad = np.zeros((K, M))
    for k in range(K):
        for j in range(M):
            grad[k, j] = sum(-m[b] * (d[b] - y[b]) * x_F[a] * p[b, a, k, j]       # eq. 2
                             for b in range(n_o) for a in range(n_i))
    s = np.array([sum(W_S[k, j] * x_S[j] for j in range(M)) for k in range(K)])
    w_new, p_new = np.zeros_like(w), np.zeros_like(p)
    for b in range(n_o):
        for a in range(n_i):
            dds = np.zeros(K)                        # d dw_ab / d s_k
            if rule == "direct":
                dw = s[b * n_i + a]                                             # eq. 4
                dds[b * n_i + a] = 1.0
            else:
                dw = s[a] * s[n_i + b]                                          # eq. 5
                dds[a], dds[n_i + b] = s[n_i + b], s[a]                         # eq. 6
            with np.errstate(over="ignore"):        # exp overflow: 1 / (1 + inf) = 0 is right
                w_new[b, a] = 1.0 / (1.0 + np.exp(-T * (w[b, a] + dw - 0.5)))  # eqs. 1, 7
            sp = T * w_new[b, a] * (1.0 - w_new[b, a])
            for k in range(K):
                for j in range(M):
                    p_new[b, a, k, j] = sp * ((p[b, a, k, j] if carry else 0.0)  # eq. 3
                                              + dds[k] * x_S[j])
    return W_S - eta * grad, w_new, p_new, y, E, grad


# ---------------------------------------------------------------- off-line gradient of a stream

def offline_gradient(W_S, w0, x_F, x_S, d, T, rule, mask=None):
    """Total error sum_t E(t) (R,) and its gradient (R, K, M) for a fixed W_S over a stream
    x_F (N, R, I), x_S (N, R, M), d (N, R, O), mask (N, R, O) or None, from given fast weights
    w0 (R, O, I) (steps 1..N), by the forward recursion of ``step``."""
    R, K, M = W_S.shape
    w, p = w0.copy(), np.zeros(w0.shape + (K, M))
    total, g = np.zeros(R), np.zeros_like(W_S)
    for t in range(x_F.shape[0]):
        mt = None if mask is None else mask[t]
        _, w, p, _, E, grad = step(W_S, w, p, x_F[t], x_S[t], d[t], T, 0.0, rule, mt, learn=False)
        total += E
        g += grad
    return total, g


def bptt_gradient(W_S, w0, x_F, x_S, d, T, rule, mask=None):
    """The same gradient by unfolding in time (the paper's section 2.2): forward pass storing the
    fast weights, then errors propagated back through sigma and into S. An implementation
    independent of the p recursion, for the tests."""
    N = x_F.shape[0]
    R, n_o, n_i = w0.shape
    ws, sps, Gs = [w0], [], []
    for t in range(N):
        w_new, sp, G = fast_update(W_S, ws[-1], x_S[t], T, rule)
        ws.append(w_new)
        sps.append(sp)
        Gs.append(G)
    gW = np.zeros_like(W_S)
    g_w = np.zeros((R, n_o, n_i))                     # dE_total / dw(t), from steps after t
    for t in range(N - 1, -1, -1):                # step t + 1 of the paper (x index t)
        # w(t+1) = sigma(T (w(t) + dw(t+1) - 0.5)): the error reaching w(t+1) passes sigma'
        g_pre = g_w * sps[t]
        gs = np.einsum("roi,roik->rk", g_pre, Gs[t])
        gW += gs[:, :, None] * x_S[t][:, None, :]
        m = np.ones((R, n_o)) if mask is None else mask[t]
        y = np.einsum("roi,ri->ro", ws[t], x_F[t])
        # y(t+1) = w(t) x_F(t+1): E(t+1) reaches w(t) directly, and w(t+1) reaches it through sigma
        g_w = g_pre - (m * (d[t] - y))[:, :, None] * x_F[t][:, None, :]
    return gW


# ---------------------------------------------------------------- frozen runs and the fingerprint

def run_frozen(W_S, x_F, x_S, T, rule, n_out, w0=None):
    """F driven by a frozen S over x_F (N + 1, R, I), x_S (N + 1, R, M): outputs y (N, R, O) for
    steps 1..N, fast weights w (N + 1, R, O, I) for steps 0..N and sigma' (N, R, O, I) of steps
    1..N (the fingerprint's Jacobians, ``weight_jacobian``). w(0) is step 0's initialisation from
    x_S[0], or the given w0 (R, O, I) to continue a running system (x[0] is then not read)."""
    n_in = x_F.shape[2]
    w = start(W_S, x_S[0], rule, n_in, n_out)[0] if w0 is None else w0.copy()
    ws, ys, sps = [w], [], []
    for t in range(1, x_F.shape[0]):
        ys.append(np.einsum("roi,ri->ro", w, x_F[t]))
        w, sp, _ = fast_update(W_S, w, x_S[t], T, rule)
        ws.append(w)
        sps.append(sp)
    return np.array(ys), np.array(ws), np.array(sps)


# sigma' underflows to 0 past |u| ~ 745; floored so that a fully saturated weight gives a large
# negative but finite exponent (ln 1e-300 = -691 per step) instead of -inf
DERIV_FLOOR = 1e-300


def weight_jacobian(sp):
    """d w(t) / d w(t-1) (..., O I, O I) from sigma' (..., O, I) of step t: S reads only x_S, so
    dw(t) does not depend on w(t-1) and the map is diagonal, one entry per fast weight (order
    b I + a). Each fast weight is its own one-dimensional driven map."""
    flat = np.maximum(sp, DERIV_FLOOR).reshape(sp.shape[:-2] + (-1,))
    return flat[..., :, None] * np.eye(flat.shape[-1])
