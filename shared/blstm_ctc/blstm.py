"""The bidirectional LSTM layer with a softmax (or any) output layer, on the Gers-line cell.

Graves & Schmidhuber (2005): two LSTM layers see the same input sequence, one forwards in time and
one backwards, and both feed one output layer:

    h_f(t) = LSTM_f(x(1..t)),   h_b(t) = LSTM_b(x(t..T)),   z(t) = [h_f(t), h_b(t)] V + c

Each LSTM layer is ``shared.lstm_gers`` in the split layout with one cell per block, forget gates
and peepholes into all three gates, logistic gates and g = h = tanh (the cell of the 2005 paper's
full-gradient LSTM). The D directions are the D nets of the cell's leading axis: Wx (D, K, H),
R (D, C, H), b (D, H), P (D, 3, C), columns [input gates | forget gates | cell inputs | output
gates] (SPEC's i, f, g, o order); the output layer V (D C, n_out), c (n_out,) reads
[h_f(t), h_b(t)]. D = 1 is the unidirectional net.

Batches are time-major and padded at the end: x (L, N, K), lengths (N,). The backward net reads each
sequence reversed *within its own length* (``reverse_index``), so its padded frames come after the
real ones, as the forward net's do, and no padded frame can influence a real one. The error dz on
padded frames must be zero (the losses here make it so).
"""
import numpy as np

from shared.lstm_gers import lstm


def make_cell(n_in, n_blocks):
    """One direction's cell: n_blocks memory blocks of one cell, forget gates, peepholes, tanh g, h."""
    return lstm.Cell(n_in, n_blocks, forget=True, peephole=True, squash=lstm.TANH, split=True)


def n_weights(cell, n_dir, n_out):
    """Weights and biases of the net: per direction 4C (K + C + 1) + 3C peepholes, plus the output
    layer (D C + 1) n_out. 26 inputs, 100 blocks each way and 62 outputs give the 2006 paper's
    114,662 (recalled, see the stub's README)."""
    C, K = cell.nc, cell.K
    return n_dir * (cell.H * (K + C + 1) + 3 * C) + (n_dir * C + 1) * n_out


def init_params(rng, cell, n_dir, n_out, scale=0.1, dtype=np.float32):
    """Every weight uniform in [-scale, scale] (the 2006 paper: [-0.1, 0.1], recalled)."""
    C, K, H = cell.nc, cell.K, cell.H

    def u(*shape):
        return rng.uniform(-scale, scale, size=shape).astype(dtype)
    return {"Wx": u(n_dir, K, H), "R": u(n_dir, C, H), "b": u(n_dir, H), "P": u(n_dir, 3, C),
            "V": u(n_dir * C, n_out), "c": u(n_out)}


def reverse_index(lengths, L):
    """(L, N) time indices that reverse each sequence within its length; padded frames stay put.
    The map is its own inverse."""
    t = np.arange(L)[:, None]
    n = np.asarray(lengths)[None, :]
    return np.where(t < n, n - 1 - t, t)


def forward(cell, p, x, lengths):
    """x (L, N, K), lengths (N,) -> output-layer inputs z (L, N, n_out) and the cache.

    The cache holds h (L, N, D C) = [h_f, h_b] in real time order, the lstm_gers cache of both
    directions (the backward net's in its own, reversed, time) and the reversal index."""
    L, N, _ = x.shape
    D = p["Wx"].shape[0]
    rev, cols = reverse_index(lengths, L), np.arange(N)
    X = np.stack([x, x[rev, cols]] if D == 2 else [x], axis=1)   # (L, D, N, K): direction d's input
    Y, _, cache = lstm.run(cell, p, X, lstm.zero_state(cell, D, N, x.dtype))
    h = np.concatenate([Y[:, 0], Y[:, 1][rev, cols]], axis=-1) if D == 2 else Y[:, 0]   # (L, N, D C)
    z = h @ p["V"] + p["c"]                                 # z(t) = [h_f(t), h_b(t)] V + c
    return z, {"h": h, "lstm": cache, "rev": rev}


def backward(cell, p, cache, dz, need_dx=False):
    """dz = dE/dz (L, N, n_out), zero on padded frames -> gradients keyed like p, and dE/dx
    (L, N, K) if need_dx (one more backward sweep; training does not need it), else None."""
    h, rev = cache["h"], cache["rev"]
    L, N, _ = dz.shape
    D, C = p["Wx"].shape[0], cell.nc
    cols = np.arange(N)
    # z(t) = h(t) V + c
    g = {"V": h.reshape(L * N, -1).T @ dz.reshape(L * N, -1), "c": dz.sum(axis=(0, 1))}
    dh = dz @ p["V"].T                                      # (L, N, D C)
    dY = np.stack([dh[..., :C], dh[..., C:][rev, cols]] if D == 2 else [dh], axis=1)   # own time
    gl, _ = lstm.backprop(cell, p, cache["lstm"], dY)
    g.update(gl)                                            # Wx, R, b, P
    if not need_dx:
        return g, None
    # net(t) = x(t) Wx + ...: the input error of each direction, the backward one put back in order
    dX = np.matmul(lstm_net_errors(cell, p, cache["lstm"], dY), np.swapaxes(p["Wx"], 1, 2)[None])
    dx = dX[:, 0] + (dX[:, 1][rev, cols] if D == 2 else 0.0)
    return g, dx


def lstm_net_errors(cell, p, cache, dY):
    """The errors at the net inputs of every step (L, D, N, H): the backward sweep of
    ``lstm.backprop`` again, keeping what it sums away (for dE/dx)."""
    act, s = cache["act"], cache["s"]
    dA = np.empty(act.shape, dY.dtype)
    dy_rec, dc = 0.0, np.zeros_like(dY[0])
    RT = np.swapaxes(p["R"], 1, 2)
    for t in range(dY.shape[0] - 1, -1, -1):
        dA[t], dc = lstm.step_back(cell, p, act[t], s[t], s[t + 1], dY[t] + dy_rec, dc)
        dy_rec = np.matmul(dA[t], RT)
    return dA


def state_jacobians(cell, p, cache, t0, t1):
    """J(t) = d state(t+1) / d state(t) for t0 <= t < t1 of each direction, state [s (C), y_c (C)]
    in the direction's own time: (t1 - t0, D, N, 2C, 2C) (``lstm.closed_state_jacobians``)."""
    part = {"act": cache["act"][t0:t1], "s": cache["s"][t0:t1 + 1]}
    return lstm.closed_state_jacobians(cell, p, part)
