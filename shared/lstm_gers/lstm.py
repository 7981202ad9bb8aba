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

Without a forget gate (the 1997 cell) y_phi = 1; without peepholes there are no p terms. The
variants of Greff et al. (2017), "LSTM: A Search Space Odyssey", are switches of the same cell: no
input gate (y_in = 1) or one coupled to the forget gate (y_in = 1 - y_phi), no output gate
(y_out = 1), g or h the identity, and full gate recurrence (every gate also sees [y_in, y_phi,
y_out](t-1) through weights Rg).

Layout. W (S, D, H): rows [x (K), y_c(t-1) (C), 1]; columns [input gates (B) | forget gates (B, absent
without them) | cell inputs (C) | output gates (B)] (SPEC's i, f, g, o order). P (S, 3, C): peepholes
into [input, forget, output] gates (peephole cells only). V (S, K_out, D) over [x, y_c(t), 1].
``Cell.wmask`` and ``Cell.vmask`` mark the weights a variant has (no cell bias, no output weights
from the inputs, ...); gradients come back unmasked. Sequences are time-major: x (L, S, N, K).
The split layout (``Cell(split=True)``; ``run``, ``backprop``, ``state_jacobians``,
``closed_state_jacobians``) keeps the same columns in Wx (S, K, H), R (S, C, H), b (S, H), has no
output units, gives the gradient on the initial state as well, and follows the dtype of its inputs
(float32 training).

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


class Pair:
    """g from one squashing, h from another (Greff et al.'s NIAF: g = identity, h = tanh; NOAF:
    g = tanh, h = identity)."""

    def __init__(self, g_from, h_from, name):
        self.g, self.dg, self.h, self.dh, self.name = g_from.g, g_from.dg, h_from.h, h_from.dh, name


GERS = ScaledTanh(2.0, 2.0, 1.0, 2.0, "g = 4 sigma - 2 = 2 tanh(z / 2), h = 2 sigma - 1 = tanh(s / 2)")
TANH = ScaledTanh(1.0, 1.0, 1.0, 1.0, "g = h = tanh")
LOGISTIC_2000 = Logistic2000()
IDENTITY = Identity()
IDENTITY_G = Pair(IDENTITY, TANH, "g = identity, h = tanh")
IDENTITY_H = Pair(TANH, IDENTITY, "g = tanh, h = identity")


# ----------------------------------------------------------------------------------------------
# The layout of one variant
# ----------------------------------------------------------------------------------------------
class Cell:
    """nb memory blocks of bs cells on K inputs, n_out output units (default K).

    forget: forget gates (False: the 1997 cell); peephole: peephole weights P (S, n_peep, C) from
    each cell to every gate its block has (W layout: one cell per block, with a forget gate);
    squash: g and h (GERS, LOGISTIC_2000, TANH, IDENTITY, IDENTITY_G, IDENTITY_H); cell_bias: the
    cell inputs have a bias; out_x: the output units see the inputs;
    out: 'sigmoid', 'softmax' or 'linear' output units.
    input_gate: True, False (y_in = 1) or 'coupled' (y_in = 1 - y_phi); output_gate: False for
    y_out = 1; gate_recurrence: the gates also see all gate activations of step t-1 (weights Rg).
    These three, and peepholes on blocks of several cells or without a forget gate, need the
    split layout.
    rows: every row of a batch (S, N, ...) gets its own vector-matrix product instead of one matrix
    product per net; the two round differently in the last bit, and a stub keeps the one its
    recorded runs used.
    deriv_first: the backward pass forms each gate's derivative y (1 - y) before multiplying it in,
    and sums the two errors reaching s(t) from y_c(t) before adding them to the carried error (an
    order of rounding a stub's recorded runs used).
    logistic_values (split layout, g and h of LOGISTIC_2000): the cell-input columns of act hold
    sigma(z_c), and g = 4 sigma - 2, g' = 4 sigma (1 - sigma), h' = (1 - h^2) / 2 are formed from
    values; the backward pass forms y_out h'(s) before the error meets it, multiplies R^T as a
    contiguous copy, and takes Wx, R and b's gradients as the rows of one product over
    [x, y_c(t-1), 1] (the order of rounding blues-improvisation's recorded runs used).
    unrolled (W layout, peephole cells): ``step`` and ``readout`` sum the products row by row,
    u_1 W_1 + u_2 W_2 + ..., instead of a matrix product, and ``jacobians`` groups its products as
    ``step_jacobian`` does (timing-counting-spikes's scalar arithmetic, which its recorded runs
    used; ``forward``'s output units keep the matrix product).
    split: the split layout (``run``, ``backprop``, ``state_jacobians``): net inputs x Wx + b +
    y_c(t-1) R (Wx (S, K, H), R (S, C, H), b (S, H)), the input part for a whole sequence at once;
    no output units (the stub owns its output layer); any float dtype.
    """

    def __init__(self, K, nb, bs=1, forget=True, peephole=False, squash=GERS, cell_bias=False,
                 out_x=True, n_out=None, out="sigmoid", rows=False, input_gate=True, output_gate=True,
                 gate_recurrence=False, split=False, deriv_first=False, logistic_values=False,
                 unrolled=False):
        if peephole and not split and (bs != 1 or not forget):
            raise ValueError("peephole cells in the W layout have one cell per block and a forget gate")
        if out not in ("sigmoid", "softmax", "linear"):
            raise ValueError(f"unknown output units {out!r}")
        if not split and (input_gate is not True or not output_gate or gate_recurrence):
            raise ValueError("cells without input or output gates, or with gate recurrence, need split=True")
        if input_gate == "coupled" and not forget:
            raise ValueError("a coupled input gate needs a forget gate")
        if logistic_values and not (split and squash is LOGISTIC_2000 and input_gate is True and output_gate
                                    and forget and not gate_recurrence and not deriv_first):
            raise ValueError("logistic_values: split layout, LOGISTIC_2000, all three gates, no gate "
                             "recurrence, not with deriv_first")
        if unrolled and (split or rows or not peephole):
            raise ValueError("unrolled: W layout, peephole cells, not with rows")
        self.K, self.nb, self.bs, self.nc = K, nb, bs, nb * bs
        self.forget, self.squash, self.out, self.rows, self.split = forget, squash, out, rows, split
        self.input_gate, self.output_gate, self.gate_recurrence = input_gate, output_gate, gate_recurrence
        self.deriv_first, self.logistic_values, self.unrolled = deriv_first, logistic_values, unrolled
        has = (input_gate is True, forget, output_gate)
        present = [gate for gate, on in zip("ifo", has, strict=True) if on]
        self.peep = tuple(present) if peephole else ()         # gates with peepholes: rows of P
        self.peephole = bool(self.peep)
        self.n_out = K if n_out is None else n_out
        ni, nf, no = (nb if input_gate is True else 0), (nb if forget else 0), (nb if output_gate else 0)
        self.I = slice(0, ni)
        self.F = slice(ni, ni + nf)
        self.G = slice(ni + nf, ni + nf + self.nc)
        self.O = slice(self.G.stop, self.G.stop + no)
        self.H = self.O.stop
        self.n_gates = self.G.start + no                      # gate columns (gate recurrence)
        self.D = K + self.nc + 1
        self.R = slice(K, K + self.nc)                    # rows of y_c(t-1) in W, of y_c(t) in V
        self.wmask = np.ones((self.D, self.H))
        if not cell_bias:
            self.wmask[-1, self.G] = 0.0
        self.vmask = np.ones((self.n_out, self.D))
        if not out_x:
            self.vmask[:, :K] = 0.0

    def n_weights(self):
        return int(self.wmask.sum() + len(self.peep) * self.nc + self.vmask.sum())

    def block_sum(self, v):
        """(..., C) per cell -> (..., B) summed over each block's cells."""
        if self.bs == 1:
            return v
        return v.reshape(v.shape[:-1] + (self.nb, self.bs)).sum(-1)

    def per_cell(self, v):
        """(..., B) per block -> (..., C), each block's value for each of its cells."""
        return v if self.bs == 1 else v.repeat(self.bs, axis=-1)

    def columns(self, gate):
        return {"i": self.I, "f": self.F, "o": self.O}[gate]

    def peep_weights(self, p, gate, ndim):
        """The peepholes into one gate (S, C), shaped to broadcast over per-net arrays of ndim axes."""
        return _lead(p["P"][:, self.peep.index(gate)], ndim)

    def input_values(self, act):
        """y_in per cell from the activations, or None when there is no input gate (y_in = 1)."""
        if self.input_gate == "coupled":
            return 1.0 - self.per_cell(act[..., self.F])
        return self.per_cell(act[..., self.I]) if self.input_gate else None

    def gate_activations(self, act):
        """The gate activations [y_in, y_phi, y_out] (..., n_gates) that the gate recurrence feeds on."""
        return np.concatenate([act[..., :self.G.start], act[..., self.O]], axis=-1)


def _lead(v, ndim):
    """Per-net weights v (S, ...) with ones inserted after the net axis, to ndim axes: they then
    broadcast over the middle axes of per-net arrays (S, ..., X)."""
    return v.reshape(v.shape[:1] + (1,) * (ndim - v.ndim) + v.shape[1:])


def _times(cell, u, M):
    """u (S, ..., D) @ M (S, D, X) per net -> (S, ..., X), in the cell's layout (``Cell.rows``,
    ``Cell.unrolled``)."""
    if cell.unrolled:                                     # u_1 M_1 + u_2 M_2 + ..., row by row
        z = u[..., 0, None] * _lead(M[:, 0], u.ndim)
        for d in range(1, u.shape[-1]):
            z = z + u[..., d, None] * _lead(M[:, d], u.ndim)
        return z
    if cell.rows:
        return np.matmul(u[..., None, :], _lead(M, u.ndim + 1))[..., 0, :]
    return np.matmul(u, _lead(M, u.ndim))


# ----------------------------------------------------------------------------------------------
# Forward
# ----------------------------------------------------------------------------------------------
def update(cell, p, net, s_prev):
    """One step from the net inputs ``net`` (S, ..., H) without the peephole terms (net is written
    over) and s(t-1) (S, ..., C). Returns act (S, ..., H) = [y_in, y_phi, g, y_out] (cell-input
    columns hold g), s(t), y_c(t)."""
    a = cell
    if "i" in a.peep:
        net[..., a.I] += a.block_sum(a.peep_weights(p, "i", net.ndim) * s_prev)
    if "f" in a.peep:
        net[..., a.F] += a.block_sum(a.peep_weights(p, "f", net.ndim) * s_prev)
    act = np.empty_like(net)
    gates = slice(0, a.G.start)                           # input and forget gates
    act[..., gates] = sigmoid(net[..., gates])
    if a.logistic_values:                                 # act keeps sigma(z_c); g = 4 sigma - 2
        act[..., a.G] = sigmoid(net[..., a.G])
        g = 4.0 * act[..., a.G] - 2.0
    else:
        g = act[..., a.G] = a.squash.g(net[..., a.G])
    # s(t) = y_phi s(t-1) + y_in g
    yi = a.input_values(act)
    ig = g if yi is None else yi * g
    s = a.per_cell(act[..., a.F]) * s_prev + ig if a.forget else s_prev + ig
    if not a.output_gate:
        return act, s, a.squash.h(s)
    net_o = net[..., a.O]
    if "o" in a.peep:
        net_o = net_o + a.block_sum(a.peep_weights(p, "o", net.ndim) * s)   # the output gate sees s(t)
    act[..., a.O] = sigmoid(net_o)
    return act, s, a.per_cell(act[..., a.O]) * a.squash.h(s)


def step(cell, p, u, s_prev):
    """One step of S nets. u (S, ..., D) = [x, y_c(t-1), 1], s_prev (S, ..., C) = s(t-1); the
    weights broadcast over the middle axes (at least one unless ``cell.rows``).
    Returns act (S, ..., H) = [y_in, y_phi, g, y_out] (cell-input columns hold g), s(t), y_c(t).
    """
    return update(cell, p, _times(cell, u, p["W"]), s_prev)


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


def zero_state(cell, S, N, dtype=np.float64):
    """The split layout's state {"c": s, "y": y_c[, "g": gate activations]}, all zeros."""
    st = {"c": np.zeros((S, N, cell.nc), dtype), "y": np.zeros((S, N, cell.nc), dtype)}
    if cell.gate_recurrence:
        st["g"] = np.zeros((S, N, cell.n_gates), dtype)
    return st


def run(cell, p, x, state):
    """Split layout: x (L, S, N, K) from ``state`` (see ``zero_state``). Returns the cell outputs
    Y (L, S, N, C), the final state and the cache {x, act (L, S, N, H), s and y (L+1, S, N, C)
    with index 0 the initial state[, gp (L+1, S, N, n_gates): gate activations]}."""
    a = cell
    L = x.shape[0]
    ax = np.matmul(x, p["Wx"]) + p["b"][:, None, :]      # the input part of every step at once
    s = np.empty((L + 1,) + state["c"].shape, x.dtype)
    Y = np.empty_like(s)
    act = np.empty_like(ax)
    s[0], Y[0] = state["c"], state["y"]
    if a.gate_recurrence:
        gp = np.empty((L + 1,) + state["g"].shape, x.dtype)
        gp[0] = state["g"]
    for t in range(L):
        net = ax[t] + np.matmul(Y[t], p["R"])
        if a.gate_recurrence:                             # gates += Rg [y_in, y_phi, y_out](t-1)
            r = np.matmul(gp[t], p["Rg"])
            net[..., :a.G.start] += r[..., :a.G.start]
            net[..., a.O] += r[..., a.G.start:]
        act[t], s[t + 1], Y[t + 1] = update(a, p, net, s[t])
        if a.gate_recurrence:
            gp[t + 1] = a.gate_activations(act[t])
    cache = {"x": x, "act": act, "s": s, "y": Y}
    final = {"c": s[L], "y": Y[L]}
    if a.gate_recurrence:
        cache["gp"] = gp
        final["g"] = gp[L]
    return Y[1:], final, cache


# ----------------------------------------------------------------------------------------------
# Backward
# ----------------------------------------------------------------------------------------------
def step_back(cell, p, act, s_prev, s_new, dyc, carry, dgate=None, peep=True, out=None):
    """Backpropagation through one step. act, s_prev, s_new: the step's activations, s(t-1), s(t);
    dyc = dE/dy_c(t); carry = the error reaching s(t) from later steps; dgate (gate recurrence):
    dE/d gate activations of step t from step t+1. peep=False: nothing flows back through the
    peepholes (the papers' truncation). The errors may broadcast against the activations (the
    Jacobians push a batch of unit vectors through one step).

    Returns dn (..., H), the errors at the net inputs (in ``out`` if given), and the error at
    s(t-1) (through y_phi and the peepholes; not through y_c(t-1), which goes through the weights).
    """
    a = cell
    dn = np.empty(dyc.shape[:-1] + (a.H,), dyc.dtype) if out is None else out
    if a.logistic_values:
        return _step_back_logistic(a, p, act, s_prev, s_new, dyc, carry, dn)
    g = act[..., a.G]
    # y_c = y_out h(s(t));  y_out = sigma(... + p_out s(t))
    if a.output_gate:
        yo = act[..., a.O]
        do = a.block_sum(dyc * a.squash.h(s_new))
        if dgate is not None:
            do = do + dgate[..., a.G.start:]
        dn[..., a.O] = do * (yo * (1 - yo)) if a.deriv_first else do * yo * (1 - yo)
        e = dyc * a.per_cell(yo) * a.squash.dh(s_new)
        if peep and "o" in a.peep:
            e_o = a.per_cell(dn[..., a.O]) * a.peep_weights(p, "o", e.ndim)
            ds = carry + (e + e_o) if a.deriv_first else carry + e + e_o
        else:
            ds = carry + e
    else:
        ds = carry + dyc * a.squash.dh(s_new)
    # s(t) = y_phi s(t-1) + y_in g
    yi = a.input_values(act)
    dn[..., a.G] = (ds if yi is None else ds * yi) * a.squash.dg(g)
    if a.input_gate is True:
        yib = act[..., a.I]
        di = a.block_sum(ds * g)
        if dgate is not None:
            di = di + dgate[..., a.I]
        dn[..., a.I] = di * (yib * (1 - yib)) if a.deriv_first else di * yib * (1 - yib)
    if a.forget:
        yf = act[..., a.F]
        df = a.block_sum(ds * s_prev)
        if dgate is not None:
            df = df + dgate[..., a.F]
        if a.input_gate == "coupled":                     # y_in = 1 - y_phi
            df = df - a.block_sum(ds * g)
        dn[..., a.F] = df * (yf * (1 - yf)) if a.deriv_first else df * yf * (1 - yf)
        carry = ds * a.per_cell(yf)
    else:
        carry = ds
    if peep and "i" in a.peep:
        carry = carry + a.per_cell(dn[..., a.I]) * a.peep_weights(p, "i", carry.ndim)
    if peep and "f" in a.peep:
        carry = carry + a.per_cell(dn[..., a.F]) * a.peep_weights(p, "f", carry.ndim)
    return dn, carry


def _step_back_logistic(a, p, act, s_prev, s_new, dyc, carry, dn):
    """``step_back`` for ``Cell.logistic_values``: the cell-input columns of act hold sigma(z_c);
    the exact gradient through the peepholes, in that option's order of rounding."""
    yi, yf, yo, sg = act[..., a.I], act[..., a.F], act[..., a.O], act[..., a.G]
    hs = a.squash.h(s_new)
    g = 4.0 * sg - 2.0
    odh = a.per_cell(yo) * (0.5 * (1 - hs * hs))         # y_out h'(s)
    dn[..., a.O] = a.block_sum(dyc * hs) * (yo * (1 - yo))
    ds = carry + dyc * odh
    if "o" in a.peep:
        ds = ds + a.per_cell(dn[..., a.O]) * a.peep_weights(p, "o", ds.ndim)
    dn[..., a.I] = a.block_sum(ds * g) * (yi * (1 - yi))
    dn[..., a.F] = a.block_sum(ds * s_prev) * (yf * (1 - yf))
    dn[..., a.G] = ds * (a.per_cell(yi) * 4.0 * sg * (1 - sg))
    carry = ds * a.per_cell(yf)
    if "i" in a.peep:
        carry = carry + a.per_cell(dn[..., a.I]) * a.peep_weights(p, "i", carry.ndim)
    if "f" in a.peep:
        carry = carry + a.per_cell(dn[..., a.F]) * a.peep_weights(p, "f", carry.ndim)
    return dn, carry


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
    if a.peephole:
        dP = np.zeros(p["P"].shape)
    for t in range(L - 1, -1, -1):
        dyc = dyc_out[t] if truncate else dyc_out[t] + dr
        dn, carry = step_back(a, p, act[t], s[t], s[t + 1], dyc, carry, peep=not truncate, out=dnet[t])
        if not truncate:
            dr = np.matmul(dn, WrT)
        if a.peephole:
            axes = tuple(range(1, s.ndim - 2))
            for k, gate in enumerate(a.peep):             # p_in, p_phi see s(t-1), p_out s(t)
                dP[:, k] += (dn[..., a.columns(gate)] * (s[t + 1] if gate == "o" else s[t])).sum(axes)
    grads = {"W": sum_outer(U, dnet), "V": dV}
    if a.peephole:
        grads["P"] = dP
    return grads


def backprop(cell, p, cache, dY):
    """Split layout: exact BPTT from dY = dE/dy_c (L, S, N, C) along a cache of ``run`` (no error
    on the final state). Returns the gradients {"Wx", "R", "b"[, "P"][, "Rg"]} and the gradient on
    the initial state {"c", "y"[, "g"]}."""
    a = cell
    act, s = cache["act"], cache["s"]
    L = dY.shape[0]
    dA = np.empty(act.shape, dY.dtype)
    dy_rec, dc = 0.0, np.zeros_like(dY[0])
    dg = np.zeros(dY.shape[1:-1] + (a.n_gates,), dY.dtype) if a.gate_recurrence else None
    RT = np.swapaxes(p["R"], 1, 2)
    if a.logistic_values:
        RT = RT.copy()
    RgT = np.swapaxes(p["Rg"], 1, 2) if a.gate_recurrence else None
    for t in range(L - 1, -1, -1):
        da, dc = step_back(a, p, act[t], s[t], s[t + 1], dY[t] + dy_rec, dc, dg)
        dA[t] = da
        dy_rec = np.matmul(da, RT)                        # net(t) = ... + y_c(t-1) R
        if a.gate_recurrence:                             # gates(t) = ... + Rg gates(t-1)
            dg = np.matmul(a.gate_activations(da), RgT)
    if a.logistic_values:                                 # one product over [x, y_c(t-1), 1]
        K, C, x = cache["x"].shape[-1], a.nc, cache["x"]
        dW = sum_outer(np.concatenate([x, cache["y"][:-1], np.ones(x.shape[:-1] + (1,), x.dtype)], -1), dA)
        g = {"Wx": dW[:, :K], "R": dW[:, K:K + C], "b": dW[:, K + C]}
    else:
        g = {"Wx": sum_outer(cache["x"], dA), "R": sum_outer(cache["y"][:-1], dA), "b": dA.sum(axis=(0, 2))}
    if a.peep:                                            # p_in, p_phi see s(t-1); p_out sees s(t)
        g["P"] = np.stack([(a.per_cell(dA[..., a.columns(gate)]) * (s[1:] if gate == "o" else s[:-1]))
                           .sum(axis=(0, 2)) for gate in a.peep], axis=1)
    if a.gate_recurrence:
        g["Rg"] = sum_outer(cache["gp"][:-1], a.gate_activations(dA))
    d0 = {"c": dc, "y": dy_rec}
    if a.gate_recurrence:
        d0["g"] = dg
    return g, d0


# ----------------------------------------------------------------------------------------------
# Jacobians of the state map
# ----------------------------------------------------------------------------------------------
def jacobians(cell, p, cache):
    """J(t) = dz(t)/dz(t-1) of the state z = [s (C), y_c (C)] along a forward cache, exact
    (through the recurrent weights and the peepholes): (L-1, S, N, 2C, 2C) for t = 1..L-1.

        J = [[A, B], [k A, k B + h(s) dy_out/dy_c]],  A = ds(t)/ds(t-1), B = ds(t)/dy_c(t-1),
        k = dy_c(t)/ds(t) (diagonal)
    """
    if cell.unrolled:                                     # net axis first for step_jacobian, and back
        act, s = np.swapaxes(cache["act"][1:], 0, 1), np.swapaxes(cache["s"], 0, 1)
        return np.swapaxes(step_jacobian(cell, p, act, s[:, 1:-1], s[:, 2:]), 0, 1)
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


def step_jacobian(cell, p, act, s_prev, s_new):
    """The same matrix for one step of peephole cells (W layout), from the step's act (S, ..., H),
    s(t-1) and s(t) (S, ..., C): (S, ..., 2C, 2C), with the products grouped as the scalar step
    of timing-counting-spikes computed them (``Cell.unrolled``; W_X^T (C, C) a unit's y_c(t-1) rows):

        ds(t)/ds(t-1)     = y_phi + s' y_phi' p_phi + g y_in' p_in                  (diagonal)
        ds(t)/dy_c(t-1)   = (s' y_phi') W_phi^T + (g y_in') W_in^T + (y_in g') W_c^T
        dy_c(t)/ds(t-1)   = y_out' p_out ds/ds(t-1) h + y_out h' ds/ds(t-1)          (diagonal)
        dy_c(t)/dy_c(t-1) = y_out' (p_out ds/dy_c + W_out^T) h + y_out h' ds/dy_c

    with s' = s(t-1), h = h(s(t)) and a gate's derivative y' = y (1 - y).
    """
    a = cell
    if not (a.peephole and not a.split):
        raise ValueError("step_jacobian: peephole cells in the W layout")
    C, nd = a.nc, act.ndim
    yi, yf, g, yo = act[..., a.I], act[..., a.F], act[..., a.G], act[..., a.O]
    p_in, p_phi, p_out = (a.peep_weights(p, gate, nd) for gate in "ifo")

    def rows(cols):                                       # (S, 1.., C, C): [unit of step t, y_c(t-1)]
        return _lead(np.swapaxes(p["W"][:, a.R, cols], 1, 2), nd + 1)
    di, df, do = yi * (1 - yi), yf * (1 - yf), yo * (1 - yo)
    ds_ds = yf + s_prev * df * p_phi + g * di * p_in
    ds_dy = ((s_prev * df)[..., None] * rows(a.F) + (g * di)[..., None] * rows(a.I)
             + (yi * a.squash.dg(g))[..., None] * rows(a.G))
    h, k = a.squash.h(s_new), yo * a.squash.dh(s_new)     # k = y_out h'
    dy_ds = do * p_out * ds_ds * h + k * ds_ds
    dy_dy = (do[..., None] * (p_out[..., None] * ds_dy + rows(a.O)) * h[..., None]
             + k[..., None] * ds_dy)
    J = np.zeros(act.shape[:-1] + (2 * C, 2 * C), act.dtype)
    J[..., :C, C:], J[..., C:, C:] = ds_dy, dy_dy
    idx = np.arange(C)
    J[..., idx, idx], J[..., C + idx, idx] = ds_ds, dy_ds
    return J


def state_jacobians(cell, p, cache):
    """Split layout: J(t) = d state(t) / d state(t-1) along a cache of ``run`` with N = 1, for
    t = 1..L: (L, S, n, n), the state [s (C), y_c (C)[, gate activations (n_gates)]]. Row k is one
    backward step (``step_back``) from the k-th unit vector."""
    a = cell
    C = a.nc
    act, s = cache["act"], cache["s"]
    n = 2 * C + (a.n_gates if a.gate_recurrence else 0)
    L, S = act.shape[:2]
    eye = np.eye(n, dtype=act.dtype)
    dc0 = np.broadcast_to(eye[:, :C], (S, n, C))
    dy0 = np.broadcast_to(eye[:, C:2 * C], (S, n, C))
    dg0 = np.broadcast_to(eye[:, 2 * C:], (S, n, a.n_gates)) if a.gate_recurrence else None
    RT = np.swapaxes(p["R"], 1, 2)
    RgT = np.swapaxes(p["Rg"], 1, 2) if a.gate_recurrence else None
    J = np.empty((L, S, n, n), act.dtype)
    for t in range(L):
        da, dc_prev = step_back(a, p, act[t], s[t], s[t + 1], dy0, dc0, dg0)
        J[t, :, :, :C] = dc_prev
        J[t, :, :, C:2 * C] = np.matmul(da, RT)
        if a.gate_recurrence:
            J[t, :, :, 2 * C:] = np.matmul(a.gate_activations(da), RgT)
    return J


def closed_state_jacobians(cell, p, cache):
    """Split layout, peepholes into all three gates: the same J(t) = d state(t+1) / d state(t) as
    ``state_jacobians``, state [s (C), y_c (C)], written in closed form along a cache of ``run``
    with any N: (L, S, N, 2C, 2C). It rounds differently from the backward steps in the last bit,
    grouped as the recorded spectra of two stubs were computed: one cell per block (clockwork-rnn),

        ds(t)/dy_c(t-1)   = (s' y_phi') R_phi^T + (g y_in') R_in^T + (y_in g') R_c^T
        ds(t)/ds(t-1)     = y_phi + s' y_phi' p_phi + g y_in' p_in                  (diagonal)
        dy_c(t)/dy_c(t-1) = (h y_out') (R_out^T + p_out ds/dy_c) + (y_out h') ds/dy_c
        dy_c(t)/ds(t-1)   = (h y_out' p_out + y_out h') ds/ds(t-1)                  (diagonal)

    with s' = s(t-1), h = h(s(t)), a gate's derivative y' = y (1 - y), R_gate (C, C) its columns
    of R; or, for ``Cell.logistic_values`` (blocks of several cells, blues-improvisation), the
    derivative of each gate's net input with respect to the whole state [s(t-1), y_c(t-1)] first.
    """
    a = cell
    if not (a.split and a.peep == ("i", "f", "o") and not a.gate_recurrence
            and (a.bs == 1 or a.logistic_values)):
        raise ValueError("closed_state_jacobians: split layout, peepholes into all three gates, one cell "
                         "per block unless logistic_values")
    if a.logistic_values:
        return _closed_jacobians_logistic(a, p, cache)
    C = a.nc
    act, s = cache["act"], cache["s"]                     # (L, S, N, H), (L+1, S, N, C)
    sp, sn = s[:-1], s[1:]
    yi, yf, g, yo = act[..., a.I], act[..., a.F], act[..., a.G], act[..., a.O]
    p_in, p_phi, p_out = (p["P"][:, None, k] for k in range(3))            # (S, 1, C)

    def rows(cols):                                       # (S, 1, C, C): [unit of step t, y_c(t-1)]
        return np.swapaxes(p["R"][:, :, cols], 1, 2)[:, None]
    h = a.squash.h(sn)
    di, df, dg, do = yi * (1 - yi), yf * (1 - yf), a.squash.dg(g), yo * (1 - yo)
    ds_dy = ((sp * df)[..., None] * rows(a.F) + (g * di)[..., None] * rows(a.I)
             + (yi * dg)[..., None] * rows(a.G))
    ds_ds = yf + sp * df * p_phi + g * di * p_in
    dh = a.squash.dh(sn)
    dy_dy = (h * do)[..., None] * (rows(a.O) + p_out[..., None] * ds_dy) + (yo * dh)[..., None] * ds_dy
    dy_ds = (h * do * p_out + yo * dh) * ds_ds
    J = np.zeros(act.shape[:3] + (2 * C, 2 * C), act.dtype)
    J[..., C:, C:], J[..., :C, C:] = dy_dy, ds_dy
    idx = np.arange(C)
    J[..., idx, idx], J[..., C + idx, idx] = ds_ds, dy_ds
    return J


def _closed_jacobians_logistic(a, p, cache):
    """``closed_state_jacobians`` for ``Cell.logistic_values`` (act holds sigma(z_c)): rows
    d net_gate / d [s(t-1), y_c(t-1)] per block, the block's derivative times them, spread over
    its cells."""
    C, nb, bs = a.nc, a.nb, a.bs
    act, s = cache["act"], cache["s"]
    sp, sn = s[:-1], s[1:]
    yi, yf, sg, yo = act[..., a.I], act[..., a.F], act[..., a.G], act[..., a.O]
    hs = a.squash.h(sn)
    R, P = p["R"], p["P"]
    blk = np.repeat(np.arange(nb), bs)                    # block of every cell
    member = (blk[None, :] == np.arange(nb)[:, None]).astype(act.dtype)   # (nb, C)
    zero = np.zeros((R.shape[0], nb, C), act.dtype)

    def gate_rows(cols, peep):                            # d net_gate / d [s(t-1), y_c(t-1)]: (S, nb, 2C)
        return np.concatenate([member[None] * peep[:, None, :], R[:, :, cols].transpose(0, 2, 1)], -1)
    da_i = gate_rows(a.I, P[:, 0])
    da_f = gate_rows(a.F, P[:, 1])
    di = (yi * (1 - yi))[..., None] * da_i[:, None]       # (L, S, N, nb, 2C)
    df = (yf * (1 - yf))[..., None] * da_f[:, None]
    dzg = np.concatenate([np.zeros((R.shape[0], C, C), act.dtype), R[:, :, a.G].transpose(0, 2, 1)], -1)
    dgg = (4 * sg * (1 - sg))[..., None] * dzg[:, None]   # (L, S, N, C, 2C)
    eye = np.concatenate([np.eye(C, dtype=act.dtype), np.zeros((C, C), act.dtype)], -1)
    ds = (np.repeat(yf, bs, -1)[..., None] * eye + sp[..., None] * df[..., blk, :]
          + (4 * sg - 2)[..., None] * di[..., blk, :] + np.repeat(yi, bs, -1)[..., None] * dgg)
    da_o = (np.concatenate([zero, R[:, :, a.O].transpose(0, 2, 1)], -1)[:, None]
            + np.matmul(member[None, None] * P[:, None, None, 2], ds))
    do = (yo * (1 - yo))[..., None] * da_o
    dy = hs[..., None] * do[..., blk, :] + (np.repeat(yo, bs, -1) * (1 - hs ** 2) / 2)[..., None] * ds
    return np.concatenate([ds, dy], axis=-2)
