"""The Gers-line LSTM cell for S nets at once: forward, backward (exact or truncated), Jacobians.

Gers, Schmidhuber and Cummins (2000), "Learning to Forget": memory blocks of bs cells that share an
input gate, a forget gate and an output gate. Gers and Schmidhuber (2001) and Gers, Schraudolph and
Schmidhuber (2002): peephole connections from each cell's state to its block's gates (used here with
one cell per block, as in those papers' nets).

    u(t)   = [x(t), y_c(t-1), 1]                                       (D = K + C + 1)
    y_in   = sigma(W_in u + p_in s(t-1)),   y_phi = sigma(W_phi u + p_phi s(t-1))       per block
    s_c(t) = y_phi s_c(t-1) + y_in g(W_c u)                                             per cell
    y_out  = sigma(W_out u + p_out s(t))                                                per block
    y_c(t) = y_out h(s_c(t))
    z(t)   = V [x(t), y_c(t), 1],   y = f_out(z)          f_out logistic, softmax or linear

Without a forget gate (the 1997 cell) y_phi = 1; without peepholes there are no p terms.

Layout. W (S, D, H): rows [x (K), y_c(t-1) (C), 1]; columns [input gates (B) | forget gates (B, absent
without them) | cell inputs (C) | output gates (B)] (SPEC's i, f, g, o order). P (S, 3, C): peepholes
into [input, forget, output] gates (peephole cells only). V (S, K_out, D) over [x, y_c(t), 1].
``Cell.wmask`` and ``Cell.vmask`` mark the weights a variant has (no cell bias, no output weights
from the inputs, ...); gradients come back unmasked. Sequences are time-major: x (L, S, N, K).

``reference.py`` holds the same step for one net, unit by unit; tests/test_lstm_gers.py checks
that the two agree, the backward pass against finite differences and the Jacobians likewise.
"""
import numpy as np

from shared.ensemble import sum_outer


def sigmoid(z):
    return 0.5 + 0.5 * np.tanh(0.5 * z)


# ----------------------------------------------------------------------------------------------
# Squashing functions g (cell input) and h (cell output); derivatives written through the values
# ----------------------------------------------------------------------------------------------
class ScaledTanh:
    """g(z) = ag tanh(z / bg), h(s) = ah tanh(s / bh)."""

    def __init__(self, ag, bg, ah, bh, name):
        self.ag, self.bg, self.ah, self.bh, self.name = ag, bg, ah, bh, name

    def g(self, z):
        return self.ag * np.tanh(z / self.bg)

    def dg(self, g):
        """g'(z) from g = g(z)."""
        return (self.ag / self.bg) * (1.0 - (g / self.ag) ** 2)

    def h(self, s):
        return self.ah * np.tanh(s / self.bh)

    def dh(self, s):
        return (self.ah / self.bh) * (1.0 - (self.h(s) / self.ah) ** 2)


class Logistic2000:
    """The same g = 4 sigma - 2 and h = 2 sigma - 1 as GERS, written through the logistic as the 2000
    paper defines them (g as 4 sigma(z) - 2; h' = 2 sigma' evaluated safely at large |s|). The two
    spellings differ in the last bits; each stub keeps the one its recorded runs used."""
    name = "g = 4 sigma - 2, h = 2 sigma - 1 (logistic form)"

    def g(self, z):
        return 4.0 * sigmoid(z) - 2.0

    def dg(self, g):
        return (4.0 - g * g) / 4.0

    def h(self, s):
        return np.tanh(0.5 * s)

    def dh(self, s):
        e = np.exp(-np.abs(s))
        return 2.0 * e / (1.0 + e) ** 2


class Identity:
    """g(z) = z, h(s) = s (the 2002 timing nets)."""
    name = "g = h = identity"

    def g(self, z):
        return z.copy()

    def dg(self, g):
        return np.ones_like(g)

    def h(self, s):
        return s

    def dh(self, s):
        return np.ones_like(s)


GERS = ScaledTanh(2.0, 2.0, 1.0, 2.0, "g = 4 sigma - 2 = 2 tanh(z / 2), h = 2 sigma - 1 = tanh(s / 2)")
TANH = ScaledTanh(1.0, 1.0, 1.0, 1.0, "g = h = tanh")
LOGISTIC_2000 = Logistic2000()
IDENTITY = Identity()


# ----------------------------------------------------------------------------------------------
# The layout of one variant
# ----------------------------------------------------------------------------------------------
class Cell:
    """nb memory blocks of bs cells on K inputs, n_out output units (default K).

    forget: forget gates (False: the 1997 cell); peephole: peephole weights P (one cell per block);
    squash: g and h (GERS, LOGISTIC_2000, TANH, IDENTITY); cell_bias: the cell inputs have a bias;
    out_x: the output units see the inputs; out: 'sigmoid', 'softmax' or 'linear' output units.
    rows: every row of a batch (S, N, ...) gets its own vector-matrix product instead of one matrix
    product per net; the two round differently in the last bit, and a stub keeps the one its
    recorded runs used.
    """

    def __init__(self, K, nb, bs=1, forget=True, peephole=False, squash=GERS, cell_bias=False,
                 out_x=True, n_out=None, out="sigmoid", rows=False):
        if peephole and (bs != 1 or not forget):
            raise ValueError("peephole cells here have one cell per block and a forget gate")
        if out not in ("sigmoid", "softmax", "linear"):
            raise ValueError(f"unknown output units {out!r}")
        self.K, self.nb, self.bs, self.nc = K, nb, bs, nb * bs
        self.forget, self.peephole, self.squash, self.out, self.rows = forget, peephole, squash, out, rows
        self.n_out = K if n_out is None else n_out
        nf = nb if forget else 0
        self.I = slice(0, nb)
        self.F = slice(nb, nb + nf)
        self.G = slice(nb + nf, nb + nf + self.nc)
        self.O = slice(self.G.stop, self.G.stop + nb)
        self.H = self.O.stop
        self.D = K + self.nc + 1
        self.R = slice(K, K + self.nc)                    # rows of y_c(t-1) in W, of y_c(t) in V
        self.wmask = np.ones((self.D, self.H))
        if not cell_bias:
            self.wmask[-1, self.G] = 0.0
        self.vmask = np.ones((self.n_out, self.D))
        if not out_x:
            self.vmask[:, :K] = 0.0

    def n_weights(self):
        return int(self.wmask.sum() + (3 * self.nc if self.peephole else 0) + self.vmask.sum())

    def block_sum(self, v):
        """(..., C) per cell -> (..., B) summed over each block's cells."""
        if self.bs == 1:
            return v
        return v.reshape(v.shape[:-1] + (self.nb, self.bs)).sum(-1)

    def per_cell(self, v):
        """(..., B) per block -> (..., C), each block's value for each of its cells."""
        return v if self.bs == 1 else v.repeat(self.bs, axis=-1)


def _lead(v, ndim):
    """Per-net weights v (S, ...) with ones inserted after the net axis, to ndim axes: they then
    broadcast over the middle axes of per-net arrays (S, ..., X)."""
    return v.reshape(v.shape[:1] + (1,) * (ndim - v.ndim) + v.shape[1:])


def _times(cell, u, M):
    """u (S, ..., D) @ M (S, D, X) per net -> (S, ..., X), in the cell's layout (``Cell.rows``)."""
    if cell.rows:
        return np.matmul(u[..., None, :], _lead(M, u.ndim + 1))[..., 0, :]
    return np.matmul(u, _lead(M, u.ndim))


# ----------------------------------------------------------------------------------------------
# Forward
# ----------------------------------------------------------------------------------------------
def step(cell, p, u, s_prev):
    """One step of S nets. u (S, ..., D) = [x, y_c(t-1), 1], s_prev (S, ..., C) = s(t-1); the
    weights broadcast over the middle axes (at least one unless ``cell.rows``).
    Returns act (S, ..., H) = [y_in, y_phi, g, y_out] (cell-input columns hold g), s(t), y_c(t).
    """
    a = cell
    net = _times(a, u, p["W"])
    if a.peephole:
        P = p["P"]
        net[..., a.I] += _lead(P[:, 0], net.ndim) * s_prev
        net[..., a.F] += _lead(P[:, 1], net.ndim) * s_prev
    act = np.empty_like(net)
    gates = slice(0, a.G.start)                           # input and forget gates
    act[..., gates] = sigmoid(net[..., gates])
    act[..., a.G] = a.squash.g(net[..., a.G])
    # s(t) = y_phi s(t-1) + y_in g
    if a.forget:
        s = a.per_cell(act[..., a.F]) * s_prev + a.per_cell(act[..., a.I]) * act[..., a.G]
    else:
        s = s_prev + a.per_cell(act[..., a.I]) * act[..., a.G]
    net_o = net[..., a.O]
    if a.peephole:
        net_o = net_o + _lead(p["P"][:, 2], net.ndim) * s  # the output gate sees s(t)
    act[..., a.O] = sigmoid(net_o)
    return act, s, a.per_cell(act[..., a.O]) * a.squash.h(s)


def output(cell, z):
    """Output units y from their net inputs z (..., K_out)."""
    if cell.out == "sigmoid":
        return sigmoid(z)
    if cell.out == "softmax":
        e = np.exp(z - z.max(-1, keepdims=True))
        return e / e.sum(-1, keepdims=True)
    return z


def readout(cell, V, o):
    """o (S, ..., D) = [x, y_c, 1] -> net inputs z and outputs y (S, ..., K_out), the weights
    broadcast over the middle axes as in ``step``."""
    z = _times(cell, o, np.swapaxes(V, -1, -2))
    return z, output(cell, z)


def forward(cell, p, x, s0=None, y0=None):
    """x (L, S, N, K) from the state s0, y0 (S, N, C) (zeros if None).

    Returns the cache: U (L, S, N, D) unit inputs, act (L, S, N, H), s (L+1, S, N, C) with s[0] =
    s0, O (L, S, N, D) output-unit inputs, z and y (L, S, N, K_out), yc_last (S, N, C).
    """
    a = cell
    L, S, N, K = x.shape
    s = np.zeros((L + 1, S, N, a.nc))
    if s0 is not None:
        s[0] = s0
    U = np.zeros((L, S, N, a.D))
    U[..., :K] = x
    U[..., -1] = 1.0
    Oin = U.copy()
    act = np.empty((L, S, N, a.H))
    yc = np.zeros((S, N, a.nc)) if y0 is None else y0
    for t in range(L):
        U[t, ..., a.R] = yc
        act[t], s[t + 1], yc = step(a, p, U[t], s[t])
        Oin[t, ..., a.R] = yc
    VT = np.swapaxes(p["V"], 1, 2)                       # (S, D, K_out)
    z = np.matmul(Oin[..., None, :], VT[:, None])[..., 0, :] if a.rows else np.matmul(Oin, VT)
    return {"U": U, "act": act, "s": s, "O": Oin, "z": z, "y": output(a, z), "yc_last": yc}


# ----------------------------------------------------------------------------------------------
# Backward
# ----------------------------------------------------------------------------------------------
def grads_bptt(cell, p, cache, dz, truncate=False):
    """Backpropagation through time from dz = dE/dz (L, S, N, K_out); the initial state is a
    constant. Returns {"W", "P" (peephole cells), "V"}, unmasked.

    truncate=False: the exact gradient (through y_c(t-1) and the peepholes). truncate=True: the
    papers' truncation, written as a backward pass: an error reaching a unit's net input stops
    there (nothing flows into y_c(t-1), nothing back through a peephole); only s(t) -> s(t-1),
    multiplied by y_phi(t), carries error back in time. The papers compute this truncated gradient
    forward in time (RTRL); each stub's RTRL is checked against this second implementation.
    """
    a = cell
    U, act, s, W = cache["U"], cache["act"], cache["s"], p["W"]
    L = U.shape[0]
    dV = np.einsum("tsnk,tsnd->skd", dz, cache["O"])
    dyc_out = np.matmul(dz, p["V"][None])[..., a.R]
    WrT = np.swapaxes(W[:, a.R], 1, 2)                    # (S, H, C): dnet(t) -> dy_c(t-1)
    dnet = np.zeros(act.shape)
    carry = np.zeros(dyc_out.shape[1:])
    dr = np.zeros(dyc_out.shape[1:])
    peep = a.peephole and not truncate
    if a.peephole:
        dP = np.zeros(p["P"].shape)
        p_in, p_f, p_out = (_lead(p["P"][:, k], carry.ndim) for k in range(3))
    for t in range(L - 1, -1, -1):
        at, st, sp = act[t], s[t + 1], s[t]
        yi, g, yo = at[..., a.I], at[..., a.G], at[..., a.O]
        hs = a.squash.h(st)
        dyc = dyc_out[t] if truncate else dyc_out[t] + dr
        dn = dnet[t]
        # y_c = y_out h(s(t));  y_out = sigma(... + p_out s(t))
        dn[..., a.O] = a.block_sum(dyc * hs) * yo * (1 - yo)
        ds = carry + dyc * a.per_cell(yo) * a.squash.dh(st)
        if peep:
            ds = ds + dn[..., a.O] * p_out
        # s(t) = y_phi s(t-1) + y_in g
        dn[..., a.G] = ds * a.per_cell(yi) * a.squash.dg(g)
        dn[..., a.I] = a.block_sum(ds * g) * yi * (1 - yi)
        if a.forget:
            yf = at[..., a.F]
            dn[..., a.F] = a.block_sum(ds * sp) * yf * (1 - yf)
            carry = ds * a.per_cell(yf)
        else:
            carry = ds
        if peep:
            carry = carry + dn[..., a.I] * p_in + dn[..., a.F] * p_f
        if not truncate:
            dr = np.matmul(dn, WrT)
        if a.peephole:
            axes = tuple(range(1, sp.ndim - 1))
            dP[:, 0] += (dn[..., a.I] * sp).sum(axes)
            dP[:, 1] += (dn[..., a.F] * sp).sum(axes)
            dP[:, 2] += (dn[..., a.O] * st).sum(axes)
    grads = {"W": sum_outer(U, dnet), "V": dV}
    if a.peephole:
        grads["P"] = dP
    return grads


# ----------------------------------------------------------------------------------------------
# Jacobians of the state map
# ----------------------------------------------------------------------------------------------
def jacobians(cell, p, cache):
    """J(t) = dz(t)/dz(t-1) of the state z = [s (C), y_c (C)] along a forward cache, exact
    (through the recurrent weights and the peepholes): (L-1, S, N, 2C, 2C) for t = 1..L-1.

        J = [[A, B], [k A, k B + h(s) dy_out/dy_c]],  A = ds(t)/ds(t-1), B = ds(t)/dy_c(t-1),
        k = dy_c(t)/ds(t) (diagonal)
    """
    if cell.peephole:
        return _jacobians_peephole(cell, p, cache)
    a = cell
    act, s = cache["act"][1:], cache["s"]
    C = a.nc
    WrT = np.swapaxes(p["W"][:, a.R], 1, 2)[None, :, None]   # (1, S, 1, H, C)
    da = act * (1 - act)
    da[..., a.G] = a.squash.dg(act[..., a.G])
    dA = da[..., None] * WrT                               # d act(t) / d y_c(t-1): (..., H, C)
    rep = lambda m: m.repeat(a.bs, axis=-2)                # noqa: E731  block rows -> cell rows
    yi, g, yo = a.per_cell(act[..., a.I]), act[..., a.G], a.per_cell(act[..., a.O])
    s_prev, s_new = s[1:-1], s[2:]
    fc = a.per_cell(act[..., a.F]) if a.forget else np.ones_like(g)
    dS_dy = yi[..., None] * dA[..., a.G, :] + g[..., None] * rep(dA[..., a.I, :])
    if a.forget:
        dS_dy += s_prev[..., None] * rep(dA[..., a.F, :])
    k = (yo * a.squash.dh(s_new))[..., None]
    eye = np.eye(C)
    J = np.zeros(act.shape[:3] + (2 * C, 2 * C))
    J[..., :C, :C] = fc[..., None] * eye
    J[..., :C, C:] = dS_dy
    J[..., C:, :C] = k * fc[..., None] * eye
    J[..., C:, C:] = k * dS_dy + a.squash.h(s_new)[..., None] * rep(dA[..., a.O, :])
    return J


def _jacobians_peephole(cell, p, cache):
    """The same matrix for peephole cells (one cell per block): s(t-1) also reaches the input and
    forget gates, s(t) the output gate. The products are grouped per cell (local derivative first,
    then the weight row), so this is not the block path above with P = 0 to the last bit."""
    a = cell
    C = a.nc
    act, s = cache["act"][1:], cache["s"]
    sp, sn = s[1:-1], s[2:]
    yi, yf, g, yo = act[..., a.I], act[..., a.F], act[..., a.G], act[..., a.O]
    P = p["P"][None, :, None]                             # (1, S, 1, 3, C)
    Wr = p["W"][:, a.R][None, :, None]                    # (1, S, 1, C, H): rows y_c(t-1)
    di, df, do = yi * (1 - yi), yf * (1 - yf), yo * (1 - yo)
    # ds/ds_prev (diagonal) and ds/dy_c_prev
    a_s = yf + sp * df * P[..., 1, :] + g * di * P[..., 0, :]
    B_y = (np.swapaxes(Wr[..., a.G], -1, -2) * (yi * a.squash.dg(g))[..., None]
           + np.swapaxes(Wr[..., a.I], -1, -2) * (g * di)[..., None]
           + np.swapaxes(Wr[..., a.F], -1, -2) * (sp * df)[..., None])      # (..., C, C)
    hs = a.squash.h(sn)
    k = yo * a.squash.dh(sn) + hs * do * P[..., 2, :]     # dy_c/ds(t) (diagonal)
    eye = np.eye(C)
    J = np.zeros(act.shape[:3] + (2 * C, 2 * C))
    J[..., :C, :C] = a_s[..., None] * eye
    J[..., :C, C:] = B_y
    J[..., C:, :C] = (k * a_s)[..., None] * eye
    J[..., C:, C:] = k[..., None] * B_y + np.swapaxes(Wr[..., a.O], -1, -2) * (hs * do)[..., None]
    return J
