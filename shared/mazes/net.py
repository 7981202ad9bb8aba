"""TRM-Local: the one network of the mazes family, with its backward pass and its JVP.

The net of Tiny Recursive Models (Jolicoeur-Martineau 2025) with its token mixer replaced by a
depthwise 3 x 3 spatial mix (maze solving is a local cellular computation); everything else is
TRM's: post-norm blocks, RMSNorm without gain, no biases, one net shared by the latent and the
answer update. net(state, inj) first adds the injection, then runs two blocks:

    h  = state + inj
    a  = h + dwconv3x3(h)            u   = a / rms(a)          (token mix + RMSNorm)
    b  = u + relu(u W_up) W_down     out = b / rms(b)          (MLP + RMSNorm)

rms(v) = sqrt(mean_d v^2 + 1e-5). Heads: logits = y W_out (5 output tokens); the halting logit
q = mean_positions(y) . w_q + b_q (no puzzle-prefix token, so the Q head reads a mean-pool).

Shapes: every weight carries a leading seed axis S (several seeds train in one pass); activations
are (S, B, P, P, d) for S seeds, B mazes, a P x P token grid and width d. Tangents for the JVP may
carry extra leading axes: (K, S, B, P, P, d) for K tangent vectors per maze.

    emb (S, 4, d)   conv{i} (S, 3, 3, d)   up{i} (S, d, h)   down{i} (S, h, d)   i = 0, 1
    w_out (S, d, 5) w_q (S, d)             b_q (S,)
"""
import numpy as np

EPS = 1e-5
N_BLOCKS = 2


def init_params(rng, S, d, h, n_in=4, n_out=5, dtype=np.float32):
    """LeCun-normal weights (std 1/sqrt(fan_in)), unit-std embedding, Q head zero with bias -5."""
    p = {"emb": rng.standard_normal((S, n_in, d))}
    for i in range(N_BLOCKS):
        p[f"conv{i}"] = rng.standard_normal((S, 3, 3, d)) / 3.0
        p[f"up{i}"] = rng.standard_normal((S, d, h)) / np.sqrt(d)
        p[f"down{i}"] = rng.standard_normal((S, h, d)) / np.sqrt(h)
    p["w_out"] = rng.standard_normal((S, d, n_out)) / np.sqrt(d)
    p["w_q"] = np.zeros((S, d))
    p["b_q"] = np.full((S,), -5.0)
    return {k: v.astype(dtype) for k, v in p.items()}


def init_states(rng, S, d, dtype=np.float32):
    """The fixed initial answer and latent vectors (TRM's H_init, L_init): truncated N(0, 1), (S, d)."""
    def trunc(shape):
        v = rng.standard_normal(shape)
        while np.any(np.abs(v) > 2):
            bad = np.abs(v) > 2
            v[bad] = rng.standard_normal(int(bad.sum()))
        return v.astype(dtype)
    return trunc((S, d)), trunc((S, d))


def n_params(p):
    """Number of trainable numbers per seed."""
    return int(sum(v[0].size if v.ndim > 1 else 1 for v in p.values()))


# ----------------------------------------------------------------------------------------------
# Pieces: matmul over the seed axis, depthwise 3x3 mix, RMSNorm
# ----------------------------------------------------------------------------------------------
def _mm(x, W):
    """x (..., S, B, P, P, a) @ W (S, a, b) -> (..., S, B, P, P, b)."""
    lead = x.shape[:-1]
    return (x.reshape(*x.shape[:-4], -1, x.shape[-1]) @ W).reshape(*lead, W.shape[-1])


def _pad(x):
    """x (..., P, P, d) with a border of zeros on the two grid axes: (..., P+2, P+2, d)."""
    xp = np.zeros(x.shape[:-3] + (x.shape[-3] + 2, x.shape[-2] + 2, x.shape[-1]), dtype=x.dtype)
    xp[..., 1:-1, 1:-1, :] = x
    return xp


def dwconv(x, c):
    """Depthwise 3x3 mix with zero padding: out[i, j] = sum_ab c[a, b] * x[i + a - 1, j + b - 1].

    x (..., S, B, P, P, d), c (S, 3, 3, d). Returns (out, padded x).
    """
    P = x.shape[-2]
    xp = _pad(x)
    out = xp[..., 1:1 + P, 1:1 + P, :] * c[:, 1, 1, None, None, None, :]
    tmp = np.empty_like(out)
    for a in range(3):
        for b in range(3):
            if a != 1 or b != 1:
                np.multiply(xp[..., a:a + P, b:b + P, :], c[:, a, b, None, None, None, :], out=tmp)
                out += tmp
    return out, xp


def dwconv_backward(dout, xp, c):
    """Gradients of dwconv for x (S, B, P, P, d): (dx, dc (S, 3, 3, d))."""
    P = dout.shape[-2]
    S, d = dout.shape[0], dout.shape[-1]
    dxp = np.zeros_like(xp)
    dc = np.empty_like(c)
    tmp = np.empty_like(dout)
    for a in range(3):
        for b in range(3):
            # out[i, j] += c[a, b] * xp[i + a, j + b]
            np.multiply(dout, c[:, a, b, None, None, None, :], out=tmp)
            dxp[..., a:a + P, b:b + P, :] += tmp
            np.multiply(xp[..., a:a + P, b:b + P, :], dout, out=tmp)
            dc[:, a, b] = np.add.reduce(tmp.reshape(S, -1, d), axis=1)
    return dxp[..., 1:-1, 1:-1, :], dc


def rmsnorm(a):
    """u = a / sqrt(mean_d a^2 + EPS); returns (u, 1/rms) with 1/rms (..., 1)."""
    r = 1.0 / np.sqrt(np.mean(a * a, axis=-1, keepdims=True) + EPS)
    return a * r, r


def rmsnorm_tangent(da, u, r):
    """Backward (and, being symmetric, also the JVP) of u = a r: r (da - u mean_d(u da))."""
    return r * (da - u * np.mean(u * da, axis=-1, keepdims=True))


# ----------------------------------------------------------------------------------------------
# The net: forward, backward, JVP
# ----------------------------------------------------------------------------------------------
def net_forward(p, state, inj, blocks=None):
    """out = net(state + inj); state, inj broadcastable to (S, B, P, P, d). Returns (out, cache).

    ``blocks`` (default all, in order) picks which blocks run, e.g. (0,) or (1,) for a one-block
    module (HRM-Local); backward and JVP read the choice from the cache.
    """
    h = state + inj
    cache = []
    for i in (range(N_BLOCKS) if blocks is None else blocks):
        m, hp = dwconv(h, p[f"conv{i}"])
        u, r1 = rmsnorm(h + m)
        pre = _mm(u, p[f"up{i}"])
        act = np.maximum(pre, 0)
        out, r2 = rmsnorm(u + _mm(act, p[f"down{i}"]))
        cache.append((i, hp, u, r1, pre, act, out, r2))
        h = out
    return h, cache


def net_backward(p, dout, cache, grads):
    """Back-propagate dout (S, B, P, P, d) through one net call.

    Adds the weight gradients into ``grads`` (dict keyed like p) and returns d(state + inj):
    the same array is the gradient of the state and of the injection.
    """
    for i, hp, u, r1, pre, act, out, r2 in reversed(cache):
        d = dout.shape[-1]
        # out = rmsnorm(u + act W_down)
        db = rmsnorm_tangent(dout, out, r2)
        grads[f"down{i}"] += act.reshape(act.shape[0], -1, act.shape[-1]).transpose(0, 2, 1) \
            @ db.reshape(db.shape[0], -1, d)
        # act = relu(u W_up)
        dpre = _mm(db, p[f"down{i}"].transpose(0, 2, 1)) * (pre > 0)
        grads[f"up{i}"] += u.reshape(u.shape[0], -1, d).transpose(0, 2, 1) \
            @ dpre.reshape(dpre.shape[0], -1, dpre.shape[-1])
        du = db + _mm(dpre, p[f"up{i}"].transpose(0, 2, 1))
        # u = rmsnorm(h + dwconv(h))
        da = rmsnorm_tangent(du, u, r1)
        dh, dc = dwconv_backward(da, hp, p[f"conv{i}"])
        grads[f"conv{i}"] += dc
        dout = da + dh
    return dout


def net_jvp(p, cache, t_in):
    """Tangent of one net call at the point of ``cache``: d out = J d(state + inj).

    t_in: (..., S, B, P, P, d), extra leading axes (e.g. K tangent vectors) broadcast over the
    cached point. Returns the tangent of out, same shape.
    """
    t = t_in
    for i, _hp, u, r1, pre, _act, out, r2 in cache:
        tm, _ = dwconv(t, p[f"conv{i}"])
        tu = rmsnorm_tangent(t + tm, u, r1)
        tact = _mm(tu, p[f"up{i}"]) * (pre > 0)
        t = rmsnorm_tangent(tu + _mm(tact, p[f"down{i}"]), out, r2)
    return t


# ----------------------------------------------------------------------------------------------
# Embedding and heads
# ----------------------------------------------------------------------------------------------
def embed(p, tokens):
    """x = emb[tokens]: tokens (S, B, P, P) int -> (S, B, P, P, d)."""
    S = tokens.shape[0]
    return p["emb"][np.arange(S)[:, None, None, None], tokens]


def embed_backward(dx, tokens, n_in, grads):
    """Add d emb (S, n_in, d) for the embedding lookup into grads."""
    S, d = dx.shape[0], dx.shape[-1]
    onehot = (tokens.reshape(S, -1, 1) == np.arange(n_in)).astype(dx.dtype)   # (S, BPP, n_in)
    grads["emb"] += onehot.transpose(0, 2, 1) @ dx.reshape(S, -1, d)


def heads(p, y):
    """logits (S, B, P, P, 5) and halting logit q (S, B) from the answer state y (S, B, P, P, d)."""
    logits = _mm(y, p["w_out"])
    q = np.einsum("sbd,sd->sb", y.mean(axis=(2, 3)), p["w_q"]) + p["b_q"][:, None]
    return logits, q


def heads_backward(p, y, dlogits, dq, grads):
    """Add the head weight gradients into grads and return dy (S, B, P, P, d)."""
    S, d = y.shape[0], y.shape[-1]
    P2 = y.shape[2] * y.shape[3]
    grads["w_out"] += y.reshape(S, -1, d).transpose(0, 2, 1) @ dlogits.reshape(S, -1, dlogits.shape[-1])
    ybar = y.mean(axis=(2, 3))                                   # (S, B, d)
    grads["w_q"] += np.einsum("sb,sbd->sd", dq, ybar)
    grads["b_q"] += dq.sum(axis=1)
    dy = _mm(dlogits, p["w_out"].transpose(0, 2, 1))
    dy += (dq[:, :, None] * p["w_q"][:, None, :] / P2)[:, :, None, None, :]
    return dy


def zero_grads(p):
    return {k: np.zeros_like(v) for k, v in p.items()}
