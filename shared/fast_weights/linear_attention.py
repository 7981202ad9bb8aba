"""Fast weights as linear attention: the sum rule and the delta rule (Schlag, Irie & Schmidhuber 2021).

I. Schlag, K. Irie, J. Schmidhuber, "Linear Transformers Are Secretly Fast Weight Programmers",
ICML 2021 (arXiv:2102.11174). A slow net turns each input into a key k_t, a value v_t and (delta
rule) a write strength beta_t; a fast-weight matrix W (n x p) is the memory, programmed by one
elementary instruction per step and read with a query q:

    feature map     f_t = phi(k_t), f_q = phi(q)                     (p features)
    sum rule        W_t = W_{t-1} + v_t f_t^T,   z_t = z_{t-1} + f_t
                    y   = W_T f_q / (z_T . f_q + eps)                 normalised linear attention
    delta rule      kt_t = f_t / sum(f_t),   vbar_t = W_{t-1} kt_t
                    W_t  = W_{t-1} + beta_t (v_t - vbar_t) kt_t^T
                    y    = W_T f_q / (sum(f_q) + eps)

The sum rule's read is the same number as attention over the stored pairs,
y = sum_t v_t (f_t . f_q) / sum_t (f_t . f_q): V^T (F f_q) = (V^T F) f_q, by associativity
(``attention_read`` and ``sum_memory`` + ``sum_read``, tested to agree). Feature maps: "linear",
elu(x) + 1 (Katharopoulos et al. 2020), and "dpfp" with order nu, the paper's deterministic
parameter-free projection: r = [relu(x), relu(-x)] (2d), phi = concat_{j=1..nu} r * roll(r, j)
(2 d nu features), roll(r, j)[i] = r[i - j mod 2d].

Sequences are time-major, batched over any axes B after time: V (T, B, n), F (T, B, p),
beta (T, B); a query f_q (B, p), or (B, Q, p) for Q queries of one memory; W (B, n, p). Each
forward returns a cache for its backward, which returns gradients keyed like its inputs.
``delta_write`` runs the delta rule's recurrence over W_t, and ``delta_step_reference`` writes
one pair the way the equations read, one element at a time (the test's reference for it);
``delta_attention_read`` is the speed-tuned closed form of a whole write-then-read, tested to
give the recurrence's numbers and gradients. ``delta_transition`` is the Jacobian of the
fast-weight map, for the Lyapunov fingerprint. Used by linear-transformers-fwp.
"""
import numpy as np

FEATURE_MAPS = ("linear", "dpfp")
EPS = 1e-6                       # the normaliser's guard in both reads (the authors' code: 1e-6)


def feature_dim(kind, d, nu=1):
    """p, the number of features phi makes of a d-dimensional key."""
    if kind == "linear":
        return d
    if kind == "dpfp":
        return 2 * d * nu
    raise ValueError(f"feature map must be one of {FEATURE_MAPS}, got {kind!r}")


# ---------------------------------------------------------------- feature maps

def phi_forward(x, kind, nu=1):
    """phi(x) over the last axis: x (..., d) -> f (..., p), and the cache for ``phi_backward``."""
    if kind == "linear":
        e = np.exp(np.minimum(x, 0.0))                   # elu(x) + 1 = x + 1 (x > 0), exp(x) else
        return np.where(x > 0, x + 1.0, e), (kind, x, e, nu)
    if kind != "dpfp":
        raise ValueError(f"feature map must be one of {FEATURE_MAPS}, got {kind!r}")
    r = np.concatenate([np.maximum(x, 0.0), np.maximum(-x, 0.0)], axis=-1)       # (..., 2d)
    f = np.concatenate([r * np.roll(r, j, axis=-1) for j in range(1, nu + 1)], axis=-1)
    return f, (kind, x, r, nu)


def phi_backward(df, cache):
    """dL/dx from dL/df (..., p)."""
    kind, x, aux, nu = cache
    if kind == "linear":
        return df * np.where(x > 0, 1.0, aux)
    r, m = aux, aux.shape[-1]
    dr = np.zeros_like(r)
    for j in range(1, nu + 1):
        g = df[..., (j - 1) * m: j * m]
        # f_j[i] = r[i] r[i - j]: r[i] is the first factor of f_j[i] and the second of f_j[i + j]
        dr += g * np.roll(r, j, axis=-1) + np.roll(g * r, -j, axis=-1)
    d = x.shape[-1]
    return dr[..., :d] * (x > 0) - dr[..., d:] * (x < 0)


# ---------------------------------------------------------------- sum rule

def sum_memory(V, F):
    """The sum rule's fast weights after T writes: W = sum_t v_t f_t^T (B, n, p), z = sum_t f_t (B, p)."""
    return np.einsum("t...n,t...p->...np", V, F), F.sum(axis=0)


def sum_read(W, z, fq, eps=EPS):
    """y = W f_q / (z . f_q + eps): fq (B, p) -> (B, n), or (B, Q, p) -> (B, Q, n)."""
    if fq.ndim == z.ndim:
        return (W @ fq[..., None])[..., 0] / ((z * fq).sum(-1) + eps)[..., None]
    return np.einsum("...np,...qp->...qn", W, fq) / (np.einsum("...p,...qp->...q", z, fq) + eps)[..., None]


def attention_read(V, F, fq, eps=EPS):
    """The same read as attention over the stored pairs: scores s_t = f_t . f_q,
    y = sum_t s_t v_t / (sum_t s_t + eps). V (T, B, n), F (T, B, p), fq (B, p) -> y (B, n)."""
    s = (F * fq).sum(-1)                                         # (T, B)
    den = s.sum(0) + eps                                         # (B,)
    y = (s[..., None] * V).sum(0) / den[..., None]               # (B, n)
    return y, (V, F, fq, s, den, y)


def attention_read_backward(dy, cache, values=True):
    """Gradients of ``attention_read``: dV (T, B, n) (None unless ``values``), dF (T, B, p), dfq (B, p)."""
    V, F, fq, s, den, y = cache
    # y = num / den, num = sum_t s_t v_t, den = sum_t s_t + eps
    dnum = dy / den[..., None]
    dden = -(dy * y).sum(-1) / den
    ds = (V * dnum).sum(-1) + dden                               # (T, B)
    dV = s[..., None] * dnum if values else None
    # s_t = f_t . f_q
    dF = ds[..., None] * fq
    dfq = (ds[..., None] * F).sum(0)
    return dV, dF, dfq


# ---------------------------------------------------------------- delta rule

def _normalise(F):
    """kt = f / sum(f); a key whose features are all 0 (possible with DPFP) writes nothing."""
    n = F.sum(-1, keepdims=True)
    n = np.where(n > 0, n, 1.0)
    return F / n, n


def delta_write(V, F, beta, W0=None):
    """The delta rule over T steps: W_T (B, n, p) from V (T, B, n), F (T, B, p), beta (T, B)
    (beta in (0, 1), the slow net's sigmoid), starting from W0 (default 0). The cache keeps the
    per-step vectors only; ``delta_write_backward`` rebuilds W_{t-1} = W_t - u_t kt_t^T on its
    way back instead of storing T matrices."""
    kt, nrm = _normalise(F)
    dt = np.result_type(V, F, beta)          # float64, or np.longdouble for the tests' differences
    W = np.zeros(V.shape[1:] + F.shape[-1:], dt) if W0 is None else W0.astype(dt)
    U, R = np.empty(V.shape, dt), np.empty(V.shape, dt)
    for t in range(V.shape[0]):
        R[t] = V[t] - (W @ kt[t][..., None])[..., 0]             # v_t - vbar_t, vbar_t = W_{t-1} kt_t
        U[t] = beta[t][..., None] * R[t]                         # u_t = beta_t (v_t - vbar_t)
        W += U[t][..., :, None] * kt[t][..., None, :]            # W_t = W_{t-1} + u_t kt_t^T
    return W, (W.copy(), kt, nrm, beta, U, R)


def delta_write_backward(dW, cache):
    """Gradients of ``delta_write``: dV (T, B, n), dF (T, B, p), dbeta (T, B), dW0 (B, n, p)."""
    W, kt, nrm, beta, U, R = cache
    dt = np.result_type(dW, R)
    dV, dkt, dbeta = np.empty(R.shape, dt), np.empty(kt.shape, dt), np.empty(beta.shape, dt)
    G = dW.copy()                                                # dL/dW_t
    for t in range(kt.shape[0] - 1, -1, -1):
        k, u = kt[t], U[t]
        W = W - u[..., :, None] * k[..., None, :]                # back to W_{t-1}
        # W_t = W_{t-1} + u_t kt_t^T
        du = (G @ k[..., None])[..., 0]                          # (B, n)
        dk = (u[..., None, :] @ G)[..., 0, :]                    # (B, p)
        # u_t = beta_t (v_t - vbar_t)
        dbeta[t] = (du * R[t]).sum(-1)
        dV[t] = beta[t][..., None] * du
        # vbar_t = W_{t-1} kt_t
        dk -= (dV[t][..., None, :] @ W)[..., 0, :]
        G = G - dV[t][..., :, None] * k[..., None, :]            # plus the identity path
        dkt[t] = dk
    # kt = f / sum(f)
    dF = (dkt - (dkt * kt).sum(-1, keepdims=True)) / nrm
    return dV, dF, dbeta, G


def delta_read(W, fq, eps=EPS):
    """y = W f_q / (sum(f_q) + eps): fq (B, p) -> (B, n), or (B, Q, p) -> (B, Q, n)."""
    s = fq.sum(-1) + eps
    if fq.ndim == W.ndim - 1:
        y = (W @ fq[..., None])[..., 0] / s[..., None]
    else:
        y = np.einsum("...np,...qp->...qn", W, fq) / s[..., None]
    return y, (W, fq, s, y)


def delta_read_backward(dy, cache):
    """Gradients of ``delta_read`` for one query per memory: dW (B, n, p), dfq (B, p)."""
    W, fq, s, y = cache
    dW = dy[..., :, None] * (fq / s[..., None])[..., None, :]
    # y = W f_q / s with s = sum(f_q) + eps
    dfq = ((dy[..., None, :] @ W)[..., 0, :] - (dy * y).sum(-1, keepdims=True)) / s[..., None]
    return dW, dfq


def delta_attention_read(V, F, beta, fq, eps=EPS):
    """The delta rule's T writes and one read, computed without the matrices W_t: the
    speed-tuned form used for training (tested to equal ``delta_write`` + ``delta_read``).

    With W_0 = 0, W_{t-1} kt_t = sum_{s<t} (kt_s . kt_t) u_s, so the writes
    u_t = beta_t (v_t - W_{t-1} kt_t) solve a unit lower-triangular system in the keys' overlaps,
    and the read y = sum_t u_t (kt_t . fh), fh = f_q / (sum(f_q) + eps), becomes

        y = sum_t beta_t a_t v_t,   a_t = kt_t . fh - kt_t . R_t,   R_t = sum_{s>t} beta_s a_s kt_s

    (back substitution, latest write first: a later write of an overlapping key takes its share
    of the read away from the earlier one). One pass of p-vectors instead of n x p matrices.
    V (T, B, n), F (T, B, p), beta (T, B), fq (B, p) -> y (B, n)."""
    kt, nrm = _normalise(F)
    sq = fq.sum(-1, keepdims=True) + eps
    fh = fq / sq
    c = (kt * fh).sum(-1)                                        # (T, B)
    a, R = np.empty_like(c), np.empty_like(kt)
    acc = np.zeros_like(fh)                                      # R_t, running
    for t in range(F.shape[0] - 1, -1, -1):
        R[t] = acc
        a[t] = c[t] - (kt[t] * acc).sum(-1)
        acc = acc + (beta[t] * a[t])[..., None] * kt[t]
    w = beta * a
    y = (w[..., None] * V).sum(0)
    return y, (V, kt, nrm, beta, fh, sq, a, w, R)


def delta_attention_read_backward(dy, cache, values=True):
    """Gradients of ``delta_attention_read``: dV (T, B, n) (None unless ``values``), dF (T, B, p),
    dbeta (T, B), dfq (B, p). In matrix form a = M^{-T} c with M = I + diag(beta)
    strict_lower(Kt Kt^T); the adjoint dc = M^{-1} da is the forward substitution
    dc_t = da_t - beta_t kt_t . L_t, L_t = sum_{s<t} dc_s kt_s, and dM_ts = -a_t dc_s (t > s)
    reaches the keys through L and R."""
    V, kt, nrm, beta, fh, sq, a, w, R = cache
    # y = sum_t w_t v_t, w = beta a
    dV = w[..., None] * dy if values else None
    dw = (V * dy).sum(-1)                                        # (T, B)
    da = beta * dw
    dc, L = np.empty_like(da), np.empty_like(kt)
    acc = np.zeros_like(fh)                                      # L_t, running
    for t in range(kt.shape[0]):
        L[t] = acc
        dc[t] = da[t] - beta[t] * (kt[t] * acc).sum(-1)
        acc = acc + dc[t][..., None] * kt[t]
    # M_ts = beta_t kt_t . kt_s (t > s), dM_ts = -a_t dc_s
    dbeta = a * dw - a * (kt * L).sum(-1)
    # c_t = kt_t . fh, and the overlaps kt_t . kt_s of M
    dkt = dc[..., None] * fh - w[..., None] * L - dc[..., None] * R
    dfh = (dc[..., None] * kt).sum(0)
    dF = (dkt - (dkt * kt).sum(-1, keepdims=True)) / nrm
    dfq = (dfh - (dfh * fh).sum(-1, keepdims=True)) / sq
    return dV, dF, dbeta, dfq


def delta_step_reference(W, v, f, beta):
    """One write of the delta rule for one memory, element by element as the equations read:
    W (n, p), v (n,), f (p,), beta scalar -> W_t (n, p)."""
    n, p = W.shape
    total = sum(f[j] for j in range(p))
    kt = [f[j] / total if total > 0 else 0.0 for j in range(p)]
    W_new = W.copy()
    for i in range(n):
        vbar_i = sum(W[i, j] * kt[j] for j in range(p))             # what W recalls for the key
        for j in range(p):
            W_new[i, j] = W[i, j] + beta * (v[i] - vbar_i) * kt[j]  # move it towards v
    return W_new


def delta_transition(F, beta):
    """The Jacobian of the fast-weight map along a stream: d row_i(W_t) / d row_i(W_{t-1}) =
    M_t = I - beta_t kt_t kt_t^T (symmetric, (T, ..., p, p) from F (T, ..., p), beta (T, ...)).
    The whole map on vec(W) is block-diagonal, n copies of M_t (one per value row), so its
    spectrum is M's, each exponent n times. The sum rule's map is the identity (M_t = I)."""
    kt, _ = _normalise(F)
    p = F.shape[-1]
    return np.eye(p) - beta[..., None, None] * kt[..., :, None] * kt[..., None, :]
