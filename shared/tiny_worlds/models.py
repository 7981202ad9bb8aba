"""Tanh RNN, GRU and LSTM with PyTorch's equations and initialisation, as seed-batched ensembles.

Every weight carries a leading seed axis S, so S independently initialised networks are trained by
one forward and one backward pass. Orientation is "input @ W" (the transpose of PyTorch's storage):

    kind  W_ih (S, D, G*H)   W_hh (S, H, G*H)   b_ih, b_hh (S, G*H)   w_out (S, H)   b_out (S,)
    rnn   G = 1
    gru   G = 3, column blocks (r, z, n)        [PyTorch's row order of weight_ih/weight_hh]
    lstm  G = 4, column blocks (i, f, g, o)

    rnn : h' = tanh(x W_ih + b_ih + h W_hh + b_hh)
    gru : r = sig(x W_ir + b_ir + h W_hr + b_hr),  z = sig(x W_iz + b_iz + h W_hz + b_hz)
          n = tanh(x W_in + b_in + r * (h W_hn + b_hn)),  h' = (1 - z) * n + z * h
    lstm: i, f, o = sig(.), g = tanh(.),  c' = f * c + i * g,  h' = o * tanh(c')
    readout: yhat_t = h_t . w_out + b_out   (the prediction of y_{t+1}, from h_t that has seen x_t)

Initialisation (torch.nn defaults, then the original code's orthogonal_ on weight_hh): every core
weight and bias ~ U(-1/sqrt(H), 1/sqrt(H)); weight_hh, the whole stacked (G*H, H) matrix, replaced
by torch's orthogonal_ (QR of a Gaussian, columns times sign(diag R)), so it has orthonormal
columns and no single gate block is orthogonal; readout weight and bias ~ U(-1/sqrt(H), 1/sqrt(H)).

Arrays are time-major: x (T, S, B, D), hidden states (T, S, B, H). h_0 = 0 (and c_0 = 0) unless
given. Loss: Gaussian NLL with fixed sigma = 0.05, mean over batch and the T - 1 prediction pairs,
per seed; the loss returned for the backward pass is the sum over seeds (seeds share nothing).

This module is the family's reference: the plain step, readable against the equations above.
Training runs the same step through fast.py (fused, gate-major, preallocated), which the tests
check against forward / backward here.
"""
import numpy as np

SIGMA = 0.05
NLL_CONST = 0.5 * np.log(2.0 * np.pi * SIGMA ** 2)       # -2.07679...
GATES = {"rnn": 1, "gru": 3, "lstm": 4}
CORE = ("W_ih", "W_hh", "b_ih", "b_hh")
HEAD = ("w_out", "b_out")


def nll_from_mse(mse):
    """Per-element Gaussian NLL (sigma = 0.05) from a mean squared error: 200 MSE - 2.0768."""
    return 0.5 * mse / SIGMA ** 2 + NLL_CONST


def n_params(kind, H, D=2):
    """Weights of one network (PyTorch's count): RNN 337, GRU 977, LSTM 1297 at H = 16, D = 2."""
    G = GATES[kind]
    return G * H * (D + H + 2) + H + 1


def torch_orthogonal(rng, rows, cols, S):
    """S matrices (S, rows, cols) as torch.nn.init.orthogonal_ makes them (gain 1)."""
    a = rng.standard_normal((S, rows, cols))
    if rows < cols:
        a = np.swapaxes(a, 1, 2)
    q, r = np.linalg.qr(a)
    q = q * np.sign(np.diagonal(r, axis1=1, axis2=2))[:, None, :]
    return np.swapaxes(q, 1, 2) if rows < cols else q


def init_params(kind, S, H, D=2, rng=None, dtype=np.float64):
    """S networks of one kind, initialised as in the original code (see module docstring)."""
    if kind not in GATES:
        raise ValueError(f"unknown model kind {kind!r}; expected one of {sorted(GATES)}")
    G, k = GATES[kind], 1.0 / np.sqrt(H)
    rng = np.random.default_rng(0) if rng is None else rng
    u = lambda *shape: rng.uniform(-k, k, size=(S,) + shape)  # noqa: E731
    p = {"W_ih": u(D, G * H), "W_hh": u(H, G * H), "b_ih": u(G * H), "b_hh": u(G * H)}
    # weight_hh (G*H, H) orthogonal with orthonormal columns; ours is its transpose (H, G*H)
    p["W_hh"] = np.swapaxes(torch_orthogonal(rng, G * H, H, S), 1, 2).copy()
    p["w_out"], p["b_out"] = u(H), u()
    return {n: np.ascontiguousarray(v, dtype=dtype) for n, v in p.items()}


def sigmoid(a):
    """Logistic function without overflow warnings."""
    return 0.5 + 0.5 * np.tanh(0.5 * a)


# ----------------------------------------------------------------------------------------------
# Reference step: the cell equations as written in the module docstring, one gate at a time
# ----------------------------------------------------------------------------------------------
def reference_step(kind, p, x, h, c=None):
    """One step of the cell, spelled out gate by gate (slow; the readable version of `forward`).

    x (S, B, D), h and c (S, B, H). Returns h' (and c' for the LSTM). `forward` computes the same
    numbers with the input projections of all steps at once and fused gate blocks; the tests
    check that both agree step by step.
    """
    H = p["W_hh"].shape[1]

    def pre(block):
        """x W_i<block> + b_i<block> + h W_h<block> + b_h<block> for gate column block `block`."""
        cols = slice(block * H, (block + 1) * H)
        return (np.matmul(x, p["W_ih"][:, :, cols]) + p["b_ih"][:, None, cols]
                + np.matmul(h, p["W_hh"][:, :, cols]) + p["b_hh"][:, None, cols])

    def sig(a):
        return 1.0 / (1.0 + np.exp(-a))

    if kind == "rnn":
        return np.tanh(pre(0))                                        # h' = tanh(x W_ih + h W_hh + b)
    if kind == "gru":
        r = sig(pre(0))                                               # reset gate
        z = sig(pre(1))                                               # update gate
        cols = slice(2 * H, 3 * H)
        hn = np.matmul(h, p["W_hh"][:, :, cols]) + p["b_hh"][:, None, cols]
        n = np.tanh(np.matmul(x, p["W_ih"][:, :, cols]) + p["b_ih"][:, None, cols] + r * hn)
        return (1.0 - z) * n + z * h
    if kind == "lstm":
        i, f, g, o = sig(pre(0)), sig(pre(1)), np.tanh(pre(2)), sig(pre(3))
        c_new = f * c + i * g
        return o * np.tanh(c_new), c_new
    raise ValueError(f"unknown model kind {kind!r}")


# ----------------------------------------------------------------------------------------------
# Forward
# ----------------------------------------------------------------------------------------------
def forward(kind, p, x, h0=None, c0=None, keep=True):
    """Run the core over x (T, S, B, D); return hs (T, S, B, H) and a cache for `backward`.

    h0, c0: (S, B, H) initial state (zeros if None). keep=False skips what only backward needs.
    """
    T, S, B, _ = x.shape
    H = p["W_hh"].shape[1]
    dt = p["W_hh"].dtype
    h = np.zeros((S, B, H), dt) if h0 is None else h0
    ax = np.matmul(x, p["W_ih"]) + p["b_ih"][:, None, :]          # (T, S, B, G*H), all steps at once
    Whh, bhh = p["W_hh"], p["b_hh"][:, None, :]
    hs = np.empty((T, S, B, H), dt)
    cache = {"kind": kind, "x": x, "h0": h}
    if kind == "rnn":
        for t in range(T):
            h = np.tanh(ax[t] + np.matmul(h, Whh) + bhh)
            hs[t] = h
    elif kind == "gru":
        gates = np.empty((T, S, B, 2 * H), dt) if keep else None   # r, z
        ns = np.empty((T, S, B, H), dt) if keep else None
        ghn = np.empty((T, S, B, H), dt) if keep else None         # h W_hn + b_hn
        for t in range(T):
            gh = np.matmul(h, Whh) + bhh                            # (S, B, 3H)
            rz = sigmoid(ax[t, ..., :2 * H] + gh[..., :2 * H])
            n = np.tanh(ax[t, ..., 2 * H:] + rz[..., :H] * gh[..., 2 * H:])
            h = n + rz[..., H:] * (h - n)
            hs[t] = h
            if keep:
                gates[t], ns[t], ghn[t] = rz, n, gh[..., 2 * H:]
        cache.update(gates=gates, n=ns, ghn=ghn)
    elif kind == "lstm":
        c = np.zeros((S, B, H), dt) if c0 is None else c0
        cache["c0"] = c
        acts = np.empty((T, S, B, 4 * H), dt) if keep else None
        cs = np.empty((T, S, B, H), dt)
        for t in range(T):
            a = ax[t] + np.matmul(h, Whh) + bhh
            i_f = sigmoid(a[..., :2 * H])
            g = np.tanh(a[..., 2 * H:3 * H])
            o = sigmoid(a[..., 3 * H:])
            c = i_f[..., H:] * c + i_f[..., :H] * g
            h = o * np.tanh(c)
            hs[t], cs[t] = h, c
            if keep:
                acts[t, ..., :2 * H], acts[t, ..., 2 * H:3 * H], acts[t, ..., 3 * H:] = i_f, g, o
        cache.update(acts=acts, c=cs)
    else:
        raise ValueError(f"unknown model kind {kind!r}")
    cache["hs"] = hs
    return hs, cache


def readout(p, hs):
    """Predictions (T, S, B) = h_t . w_out + b_out."""
    return np.matmul(hs, p["w_out"][:, :, None])[..., 0] + p["b_out"][:, None]


def nll_loss(p, hs, y):
    """Per-seed mean NLL (S,) of predictions from hs (T, S, B, H) against raw targets y (T, S, B)
    (pairs yhat_t with y_{t+1}, t = 0..T-2), and dL/dyhat (T, S, B) of the seed-summed loss."""
    pred = readout(p, hs)
    err = pred[:-1] - y[1:]                                         # (T-1, S, B)
    n = err.shape[0] * err.shape[2]
    nll = nll_from_mse(np.einsum("tsb,tsb->s", err, err) / n)
    dpred = np.zeros_like(pred)
    dpred[:-1] = err / (SIGMA ** 2 * n)
    return nll, dpred


# ----------------------------------------------------------------------------------------------
# Backward (hand-written BPTT)
# ----------------------------------------------------------------------------------------------
def backward(p, cache, dpred=None, dhs=None, head=True, core=True, need_dx=True):
    """Gradients of a loss through the readout and the core.

    dpred: (T, S, B) dL/dyhat_t; dhs: (T, S, B, H) extra dL/dh_t (either may be None).
    Returns grads keyed like p, plus "x" (T, S, B, D), "h0" (S, B, H) and, for the LSTM, "c0".
    head=False / core=False leave those gradients out (readout-only training skips BPTT);
    need_dx=False skips the input gradient (training does not need it).
    """
    kind, hs, x = cache["kind"], cache["hs"], cache["x"]
    T, S, B, H = hs.shape
    g = {}
    dH = np.zeros_like(hs) if dhs is None else dhs.copy()
    if dpred is not None:
        if head:
            g["w_out"] = np.einsum("tsb,tsbh->sh", dpred, hs)
            g["b_out"] = np.einsum("tsb->s", dpred)
        dH += dpred[..., None] * p["w_out"][None, :, None, :]       # yhat_t = h_t . w_out + b_out
    if not core:
        return g
    WhhT = np.swapaxes(p["W_hh"], 1, 2)                             # (S, G*H, H)
    G = GATES[kind]
    da = np.empty((T, S, B, G * H), hs.dtype)                       # dL/d(pre-activations)
    dgh = np.empty((T, S, B, G * H), hs.dtype) if kind == "gru" else da   # dL/d(h W_hh + b_hh)
    dh = np.zeros((S, B, H), hs.dtype)
    if kind == "rnn":
        for t in range(T - 1, -1, -1):
            dh = dh + dH[t]
            # h_t = tanh(a_t)
            da[t] = d = dh * (1.0 - hs[t] * hs[t])
            dh = np.matmul(d, WhhT)
    elif kind == "gru":
        rz, ns, ghn = cache["gates"], cache["n"], cache["ghn"]
        for t in range(T - 1, -1, -1):
            dh = dh + dH[t]
            hp = hs[t - 1] if t > 0 else cache["h0"]
            r, z, n = rz[t, ..., :H], rz[t, ..., H:], ns[t]
            # h_t = n + z (h_{t-1} - n)
            dan = dh * (1.0 - z) * (1.0 - n * n)                     # n = tanh(a_n + r * ghn)
            daz = dh * (hp - n) * z * (1.0 - z)                      # z = sig(a_z)
            dar = dan * ghn[t] * r * (1.0 - r)                       # r = sig(a_r)
            da[t, ..., :H], da[t, ..., H:2 * H], da[t, ..., 2 * H:] = dar, daz, dan
            dgh[t, ..., :2 * H] = da[t, ..., :2 * H]
            dgh[t, ..., 2 * H:] = dan * r
            dh = dh * z + np.matmul(dgh[t], WhhT)
    elif kind == "lstm":
        acts, cs = cache["acts"], cache["c"]
        dc = np.zeros((S, B, H), hs.dtype)
        for t in range(T - 1, -1, -1):
            dh = dh + dH[t]
            i, f, gg, o = (acts[t, ..., k * H:(k + 1) * H] for k in range(4))
            cp = cs[t - 1] if t > 0 else cache["c0"]
            tc = np.tanh(cs[t])
            # h_t = o tanh(c_t);  c_t = f c_{t-1} + i g
            dc = dc + dh * o * (1.0 - tc * tc)
            da[t, ..., :H] = dc * gg * i * (1.0 - i)
            da[t, ..., H:2 * H] = dc * cp * f * (1.0 - f)
            da[t, ..., 2 * H:3 * H] = dc * i * (1.0 - gg * gg)
            da[t, ..., 3 * H:] = dh * tc * o * (1.0 - o)
            dc = dc * f
            dh = np.matmul(da[t], WhhT)
        g["c0"] = dc
    g["h0"] = dh
    # weight gradients as a few large products over all (t, b) at once
    hprev = np.concatenate([cache["h0"][None], hs[:-1]], axis=0)    # (T, S, B, H)
    TB = T * B
    rows = lambda a: a.transpose(1, 0, 2, 3).reshape(S, TB, a.shape[-1])  # noqa: E731  (S, T*B, .)
    da2 = rows(da)
    dgh2 = da2 if dgh is da else rows(dgh)
    g["W_hh"] = np.matmul(np.swapaxes(rows(hprev), 1, 2), dgh2)
    g["b_hh"] = dgh2.sum(axis=1)
    g["W_ih"] = np.matmul(np.swapaxes(rows(x), 1, 2), da2)
    g["b_ih"] = da2.sum(axis=1)
    if need_dx:
        g["x"] = np.matmul(da, np.swapaxes(p["W_ih"], 1, 2)[None])
    return g


# ----------------------------------------------------------------------------------------------
# One step and its Jacobian (Lyapunov spectra)
# ----------------------------------------------------------------------------------------------
def step(kind, p, state, x):
    """One update. state: (S, B, H), or (S, B, 2H) = [h, c] for the LSTM; x (S, B, D)."""
    H = p["W_hh"].shape[1]
    h = state[..., :H]
    a_in = np.matmul(x, p["W_ih"]) + p["b_ih"][:, None, :]
    gh = np.matmul(h, p["W_hh"]) + p["b_hh"][:, None, :]
    if kind == "rnn":
        return np.tanh(a_in + gh)
    if kind == "gru":
        rz = sigmoid(a_in[..., :2 * H] + gh[..., :2 * H])
        n = np.tanh(a_in[..., 2 * H:] + rz[..., :H] * gh[..., 2 * H:])
        return n + rz[..., H:] * (h - n)
    a = a_in + gh
    i, f, o = sigmoid(a[..., :H]), sigmoid(a[..., H:2 * H]), sigmoid(a[..., 3 * H:])
    c = f * state[..., H:] + i * np.tanh(a[..., 2 * H:3 * H])
    return np.concatenate([o * np.tanh(c), c], axis=-1)


def jacobian(kind, p, state, x):
    """d step / d state at (state, x): (S, B, n, n) with n = H (2H for the LSTM), rows = outputs."""
    H = p["W_hh"].shape[1]
    h = state[..., :H]
    WT = np.swapaxes(p["W_hh"], 1, 2)[:, None]                      # (S, 1, G*H, H): d gh / dh
    a_in = np.matmul(x, p["W_ih"]) + p["b_ih"][:, None, :]
    gh = np.matmul(h, p["W_hh"]) + p["b_hh"][:, None, :]
    if kind == "rnn":
        hn = np.tanh(a_in + gh)
        return (1.0 - hn * hn)[..., None] * WT
    if kind == "gru":
        r = sigmoid(a_in[..., :H] + gh[..., :H])
        z = sigmoid(a_in[..., H:2 * H] + gh[..., H:2 * H])
        n = np.tanh(a_in[..., 2 * H:] + r * gh[..., 2 * H:])
        dr = (r * (1 - r))[..., None] * WT[..., :H, :]
        dz = (z * (1 - z))[..., None] * WT[..., H:2 * H, :]
        dn = (1 - n * n)[..., None] * (r[..., None] * WT[..., 2 * H:, :] + gh[..., 2 * H:, None] * dr)
        J = (1 - z)[..., None] * dn + (h - n)[..., None] * dz
        J += z[..., None] * np.eye(H)
        return J
    c = state[..., H:]
    a = a_in + gh
    i, f, o = sigmoid(a[..., :H]), sigmoid(a[..., H:2 * H]), sigmoid(a[..., 3 * H:])
    g = np.tanh(a[..., 2 * H:3 * H])
    cn = f * c + i * g
    tc = np.tanh(cn)
    di = (i * (1 - i))[..., None] * WT[..., :H, :]
    df = (f * (1 - f))[..., None] * WT[..., H:2 * H, :]
    dg = (1 - g * g)[..., None] * WT[..., 2 * H:3 * H, :]
    do = (o * (1 - o))[..., None] * WT[..., 3 * H:, :]
    dc_dh = c[..., None] * df + g[..., None] * di + i[..., None] * dg
    dc_dc = f[..., None] * np.eye(H)
    k = (o * (1 - tc * tc))[..., None]
    top = np.concatenate([tc[..., None] * do + k * dc_dh, k * dc_dc], axis=-1)
    bottom = np.concatenate([dc_dh, dc_dc], axis=-1)
    return np.concatenate([top, bottom], axis=-2)
