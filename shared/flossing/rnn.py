"""The delayed-XOR task and the vanilla tanh RNN of Engelken's gradient-flossing experiments.

    h_t = J tanh(h_{t-1}) + b + w_s u_t,   r_t = w_r . h_t + offset,   y_t = u_{t-d} XOR u_{t-2d}

Arrays: bits u (T, R, B) for R runs (an ensemble axis: arms x delays x seeds) and B sequences;
states h (T + 1, R, B, N); every weight carries the leading run axis R: J (R, N, N), b, w_s, w_r
(R, N), offset (R,), x0 (R, B, N).
"""
import numpy as np


def xor_data(rng, R, B, T, delays, dtype=np.float64):
    """Bits u (T, R, B) in {0, 1}; targets y_t = u_{t-d} XOR u_{t-2d}; loss mask (T, R) t >= 2d."""
    u = rng.integers(0, 2, size=(T, R, B)).astype(dtype)
    y = np.zeros_like(u)
    mask = np.zeros((T, R), dtype)
    for r, d in enumerate(delays):
        y[2 * d:, r] = np.abs(u[d:T - d, r] - u[:T - 2 * d, r])
        mask[2 * d:, r] = 1.0
    return u, y, mask


def rnn_init(rng, R, N, B, g, b_scale):
    """Engelken's initialisation; x0 is relaxed for 100 autonomous steps from N(0, 1)."""
    p = dict(J=g * rng.standard_normal((R, N, N)) / np.sqrt(N), ws=rng.standard_normal((R, N)),
             wr=rng.standard_normal((R, N)), b=b_scale * rng.random((R, N)), off=np.full((R,), 1e-3))
    x = rng.standard_normal((R, B, N))
    JT = p["J"].transpose(0, 2, 1)
    for _ in range(100):
        x = np.tanh(x) @ JT + p["b"][:, None, :]
    p["x0"] = x
    return p


def rnn_forward(p, u):
    """h_t = J tanh(h_{t-1}) + b + w_s u_t, readout r_t = w_r . h_t + offset. u (T, R, B)."""
    T = u.shape[0]
    JT = p["J"].transpose(0, 2, 1)
    h = np.empty((T + 1,) + p["x0"].shape)
    h[0] = p["x0"]
    for t in range(T):
        h[t + 1] = np.tanh(h[t]) @ JT + p["b"][:, None, :] + u[t][..., None] * p["ws"][:, None, :]
    r = np.einsum("trbn,rn->trb", h[1:], p["wr"]) + p["off"][None, :, None]
    return h, r


def xor_loss(r, y, mask, B):
    """Per run: sum of BCE-with-logits over the masked steps / (B * masked steps)."""
    bce = np.logaddexp(0, r) - y * r
    return np.einsum("trb,tr->r", bce, mask) / (B * mask.sum(0))


def xor_grads(p, u, y, mask):
    """Exact BPTT of ``xor_loss`` (summed over runs; each run's gradient is its own).
    Returns (loss per run, grads)."""
    T, R, B = u.shape
    h, r = rnn_forward(p, u)
    loss = xor_loss(r, y, mask, B)
    dr = (1 / (1 + np.exp(-r)) - y) * mask[:, :, None] / (B * mask.sum(0))[None, :, None]
    g = {k: np.zeros_like(v) for k, v in p.items()}
    g["wr"] = np.einsum("trb,trbn->rn", dr, h[1:])
    g["off"] = dr.sum(axis=(0, 2))
    J = p["J"]
    ph = np.tanh(h[:-1])                                          # tanh(h_{t-1}), (T, R, B, N)
    dhs = np.empty_like(ph)                                       # d loss / d h_t, t = 1..T
    dh = np.zeros_like(h[0])
    for t in range(T - 1, -1, -1):
        dh += dr[t][..., None] * p["wr"][:, None, :]
        dhs[t] = dh
        dh = (dh @ J) * (1 - ph[t] * ph[t])
    g["x0"] = dh
    # h_t = J tanh(h_{t-1}) + b + w_s u_t: the weight gradients in one product each
    Rr, N_ = J.shape[:2]
    g["J"] = np.matmul(dhs.transpose(1, 3, 0, 2).reshape(Rr, N_, -1),
                       ph.transpose(1, 0, 2, 3).reshape(Rr, -1, N_))
    g["b"] = dhs.sum(axis=(0, 2))
    g["ws"] = np.einsum("trb,trbn->rn", u, dhs)
    return loss, g


def clip_per_array(g, max_norm):
    """Flux's ClipNorm: every array's gradient clipped to norm max_norm, per run."""
    for v in g.values():
        nrm = np.sqrt(np.sum(v * v, axis=tuple(range(1, v.ndim))))
        v *= np.minimum(1.0, max_norm / np.maximum(nrm, 1e-12)).reshape((-1,) + (1,) * (v.ndim - 1))


def xor_accuracy(p, u, y, mask):
    """Fraction of masked steps with the right sign of the logit; the learned initial states
    (one per batch column) are tiled over the larger test batch."""
    reps = -(-u.shape[2] // p["x0"].shape[1])
    _, r = rnn_forward(dict(p, x0=np.tile(p["x0"], (1, reps, 1))[:, :u.shape[2]]), u)
    ok = ((r >= 0) == (y > 0.5)) * mask[:, :, None]
    return ok.sum(axis=(0, 2)) / (mask.sum(0) * u.shape[2])
