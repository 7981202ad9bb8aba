"""M: the MDN-RNN of World Models (Ha & Schmidhuber 2018).

An LSTM with forget gates and no peepholes (family core ``shared/lstm_gers``, split layout, one
net: seed axis S = 1) reads x_t = [z_t, a_t]; a mixture-density head on its output h_t gives, for
every latent dimension j, a mixture of K Gaussians for z_{t+1, j}:

    i, f, g, o = sigma(.), sigma(.), tanh(.), sigma(.)  of  x_t Wx + h_{t-1} R + b   (columns i, f, g, o)
    c_t = f c_{t-1} + i g,     h_t = o tanh(c_t)                                     (B, H)
    y_t = h_t Wo + bo,   y_t = [logits l | means m | log sds s],   each (B, Z, K)
    pi_jk = softmax_k(l_jk)
    NLL_t = -sum_j log sum_k pi_jk N(z_{t+1, j}; m_jk, exp(s_jk)^2)

The loss is the NLL averaged over time steps, sequences and latent dimensions.

Death head (the paper's DoomTakeCover model, optional): one more logistic unit on h_t predicts
whether the episode ends at the next step, d_t = sigma(h_t Wd + bd); its loss is a sigmoid
cross-entropy with the positive (death) steps weighted w_pos (the authors' code: 10),

    L_done = mean_t [ -w_pos y_t log d_t - (1 - y_t) log(1 - d_t) ],

added to the mixture NLL (``loss_and_grads_done``, which also takes a 0/1 mask (T, B) for
episodes that end inside a window; masked steps count in neither term). ``plain_loss_done`` is
the same total loss step by step with ``plain_step`` and ``plain_done``. Sampling at
temperature tau (the paper's knob for the dream's uncertainty): pi_k ~ exp(l_k / tau) and every
standard deviation times sqrt(tau).

Weights: {"Wx" (1, D, 4H), "R" (1, H, 4H), "b" (1, 4H)} in the core's layout (D = Z + A inputs),
the head {"Wo" (H, 3 Z K), "bo" (3 Z K,)}, and with the death head {"Wd" (H, 1), "bd" (1,)}.
Sequences are time-major: x (T, B, D).
``plain_step`` computes one step for one sequence with the gates written out; the tests check it
against ``run`` + ``head``, the backward pass against central differences, and ``state_jacobians``
(the core's, state [c, h]) against finite differences of ``plain_step``.
"""
import numpy as np

from shared.lstm_gers import lstm

LOG_SQRT_2PI = 0.5 * np.log(2.0 * np.pi)
CORE = ("Wx", "R", "b")


def make_cell(D, H):
    """The core's forget-gate LSTM cell on D inputs with H cells (g = h = tanh, biases everywhere)."""
    return lstm.Cell(D, H, forget=True, squash=lstm.TANH, cell_bias=True, split=True)


def init(rng, Z, A, H, K, dtype=np.float64, done=False):
    """Uniform(+-1/sqrt(fan-in)) weights, forget-gate bias +1, head weights small; done=True adds
    the death head (drawn after everything else, so the other weights are the same either way)."""
    D = Z + A
    p = {"Wx": rng.uniform(-1, 1, (1, D, 4 * H)) / np.sqrt(D),
         "R": rng.uniform(-1, 1, (1, H, 4 * H)) / np.sqrt(H),
         "b": np.zeros((1, 4 * H)),
         "Wo": rng.uniform(-1, 1, (H, 3 * Z * K)) / np.sqrt(H),
         "bo": np.zeros(3 * Z * K)}
    p["b"][0, H:2 * H] = 1.0                              # forget gates open at the start
    if done:
        p["Wd"], p["bd"] = rng.uniform(-1, 1, (H, 1)) / np.sqrt(H), np.zeros(1)
    return {k: v.astype(dtype) for k, v in p.items()}


def zero_state(H, B, dtype=np.float64):
    """{"c", "y"}: (1, B, H) each (the core's state; y is h)."""
    return {"c": np.zeros((1, B, H), dtype), "y": np.zeros((1, B, H), dtype)}


def run(cell, p, x, state):
    """x (T, B, D) from ``state`` -> h (T, B, H), the final state, the core's cache."""
    Y, final, cache = lstm.run(cell, {k: p[k] for k in CORE}, x[:, None], state)
    return Y[:, 0], final, cache


def head(p, h, Z, K):
    """h (..., H) -> logits, means, log sds (..., Z, K)."""
    y = h @ p["Wo"] + p["bo"]
    y = y.reshape(y.shape[:-1] + (3, Z, K))
    return y[..., 0, :, :], y[..., 1, :, :], y[..., 2, :, :]


def _log_softmax(a):
    m = a.max(-1, keepdims=True)
    return a - m - np.log(np.exp(a - m).sum(-1, keepdims=True))


def _mixture(logits, means, logsd, target):
    """Per entry: standardised distances u, log-likelihood lse (..., Z), responsibilities gamma
    and mixture weights pi (..., Z, K)."""
    u = (target[..., None] - means) * np.exp(-logsd)      # standardised distance to each mean
    logp = _log_softmax(logits) - 0.5 * u ** 2 - logsd - LOG_SQRT_2PI
    top = logp.max(-1, keepdims=True)
    lse = top[..., 0] + np.log(np.exp(logp - top).sum(-1))
    gamma = np.exp(logp - lse[..., None])                  # responsibilities
    pi = np.exp(_log_softmax(logits))
    return u, lse, gamma, pi


def nll(logits, means, logsd, target):
    """Mixture NLL and its gradients. logits, means, logsd (..., Z, K); target (..., Z).
    Returns the mean NLL over all leading axes and Z, and d/d(logits, means, logsd)."""
    n = target.size
    u, lse, gamma, pi = _mixture(logits, means, logsd, target)
    # -log sum_k pi_k N_k: d/dl = pi - gamma, d/dm = -gamma u / sd, d/ds = -gamma (u^2 - 1)
    dl = (pi - gamma) / n
    dm = -gamma * u * np.exp(-logsd) / n
    ds = -gamma * (u ** 2 - 1.0) / n
    return float(-lse.mean()), dl, dm, ds


def masked_nll(logits, means, logsd, target, mask):
    """``nll`` over the entries whose mask (...,) is 1: the mean over those entries and Z."""
    w = mask / (mask.sum() * target.shape[-1])            # each kept (entry, latent) counts once
    u, lse, gamma, pi = _mixture(logits, means, logsd, target)
    c = w[..., None, None]
    return (float(-(lse * w[..., None]).sum()), (pi - gamma) * c, -gamma * u * np.exp(-logsd) * c,
            -gamma * (u ** 2 - 1.0) * c)


def done_logit(p, h):
    """The death head: h (..., H) -> logit of P(episode ends at the next step) (...,)."""
    return (h @ p["Wd"])[..., 0] + p["bd"][0]


def done_loss(logit, y, mask, w_pos):
    """Weighted sigmoid cross-entropy, mean over the masked-in steps, and its gradient on the
    logits: loss = w_pos y softplus(-a) + (1 - y) softplus(a), d/da = w_pos y (d - 1) + (1 - y) d."""
    w = mask / mask.sum()
    sp = np.logaddexp(0.0, logit)                          # softplus(a) = -log(1 - d)
    loss = w_pos * y * (sp - logit) + (1.0 - y) * sp       # softplus(-a) = softplus(a) - a
    d = 0.5 + 0.5 * np.tanh(0.5 * logit)
    return float((w * loss).sum()), w * (w_pos * y * (d - 1.0) + (1.0 - y) * d)


def loss_and_grads(cell, p, x, target, Z, K, state=None):
    """x (T, B, D) inputs [z_t, a_t], target (T, B, Z) the next latents. Returns the mean NLL,
    gradients keyed like p, and the final state."""
    T, B, _ = x.shape
    H = p["R"].shape[1]
    state = zero_state(H, B, x.dtype) if state is None else state
    h, final, cache = run(cell, p, x, state)
    loss, dl, dm, ds = nll(*head(p, h, Z, K), target)
    dy = np.stack([dl, dm, ds], axis=-3).reshape(T, B, 3 * Z * K)
    g = {"Wo": h.reshape(T * B, H).T @ dy.reshape(T * B, -1), "bo": dy.sum((0, 1))}
    gc, _ = lstm.backprop(cell, {k: p[k] for k in CORE}, cache, (dy @ p["Wo"].T)[:, None])
    g.update(gc)
    return loss, g, final


def loss_and_grads_done(cell, p, x, target, done, mask, Z, K, w_pos=10.0, state=None):
    """M with its death head: x (T, B, D) inputs [z_t, a_t], target (T, B, Z) the next latents,
    done (T, B) 1 where the episode ends at step t + 1, mask (T, B) 1 on real steps. Returns the
    parts {"z": mixture NLL, "done": weighted cross-entropy, "total": their sum}, the gradients of
    the total keyed like p, and the final state."""
    T, B, _ = x.shape
    H = p["R"].shape[1]
    state = zero_state(H, B, x.dtype) if state is None else state
    h, final, cache = run(cell, p, x, state)
    lz, dl, dm, ds = masked_nll(*head(p, h, Z, K), target, mask)
    ld, da = done_loss(done_logit(p, h), done, mask, w_pos)
    # y_t = h_t Wo + bo (mixture), a_t = h_t Wd + bd (death)
    dy = np.stack([dl, dm, ds], axis=-3).reshape(T, B, 3 * Z * K)
    hf = h.reshape(T * B, H)
    g = {"Wo": hf.T @ dy.reshape(T * B, -1), "bo": dy.sum((0, 1)),
         "Wd": hf.T @ da.reshape(T * B, 1), "bd": np.array([da.sum()])}
    dh = dy @ p["Wo"].T + da[..., None] * p["Wd"][:, 0]
    gc, _ = lstm.backprop(cell, {k: p[k] for k in CORE}, cache, dh[:, None])
    g.update(gc)
    return {"z": lz, "done": ld, "total": lz + ld}, g, final


def sample(logits, means, logsd, tau, rng):
    """One draw of z (..., Z) from the mixtures at temperature tau > 0."""
    pi = np.exp(_log_softmax(logits / tau))
    u = rng.random(pi.shape[:-1] + (1,))
    k = np.minimum((pi.cumsum(-1) < u).sum(-1), pi.shape[-1] - 1)      # (..., Z) component drawn
    m = np.take_along_axis(means, k[..., None], -1)[..., 0]
    sd = np.exp(np.take_along_axis(logsd, k[..., None], -1)[..., 0]) * np.sqrt(tau)
    return m + sd * rng.standard_normal(m.shape)


def state_jacobians(cell, p, cache):
    """d[c_t, h_t] / d[c_{t-1}, h_{t-1}] along a cache of ``run`` with B = 1: (T, 2H, 2H)."""
    return lstm.state_jacobians(cell, {k: p[k] for k in CORE}, cache)[:, 0]


# ----------------------------------------------------------------------------------------------
# The same step, written like the equations (one sequence, gates by name)
# ----------------------------------------------------------------------------------------------
def plain_step(p, x, h, c, Z, K):
    """One step for one sequence: x (D,), h, c (H,) -> h_t, c_t, and pi, means, sds (Z, K)."""
    H = h.shape[0]
    W, R, b = p["Wx"][0], p["R"][0], p["b"][0]
    pre = x @ W + h @ R + b
    sig = lambda a: 1.0 / (1.0 + np.exp(-a))              # noqa: E731
    i_gate = sig(pre[0:H])
    f_gate = sig(pre[H:2 * H])
    g_in = np.tanh(pre[2 * H:3 * H])
    o_gate = sig(pre[3 * H:4 * H])
    c_new = f_gate * c + i_gate * g_in
    h_new = o_gate * np.tanh(c_new)
    y = h_new @ p["Wo"] + p["bo"]
    logits, means, logsd = (y[j * Z * K:(j + 1) * Z * K].reshape(Z, K) for j in range(3))
    pi = np.exp(logits - logits.max(1, keepdims=True))
    pi = pi / pi.sum(1, keepdims=True)
    return h_new, c_new, pi, means, np.exp(logsd)


def plain_done(p, h):
    """P(the episode ends at the next step) from h (H,), written out."""
    return 1.0 / (1.0 + np.exp(-(h @ p["Wd"][:, 0] + p["bd"][0])))


def plain_loss_done(p, x, target, done, mask, Z, K, w_pos=10.0):
    """The total loss of ``loss_and_grads_done``, one sequence and one step at a time: the
    mixture density and the death probability of each kept step, as the equations read."""
    T, B, _ = x.shape
    H = p["R"].shape[1]
    nll_sum, ce_sum, n = 0.0, 0.0, 0
    for b in range(B):
        h, c = np.zeros(H), np.zeros(H)
        for t in range(T):
            h, c, pi, m, sd = plain_step(p, x[t, b], h, c, Z, K)
            if not mask[t, b]:
                continue
            dens = (pi * np.exp(-0.5 * ((target[t, b][:, None] - m) / sd) ** 2)
                    / (sd * np.sqrt(2 * np.pi))).sum(1)
            nll_sum -= np.log(dens).sum()
            d = plain_done(p, h)
            ce_sum -= w_pos * done[t, b] * np.log(d) + (1 - done[t, b]) * np.log(1 - d)
            n += 1
    return nll_sum / (n * Z) + ce_sum / n
