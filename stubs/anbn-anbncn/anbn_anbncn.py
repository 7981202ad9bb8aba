"""a^n b^n and a^n b^n c^n: Gers & Schmidhuber (2001), LSTM learns simple CFL and CSL.

F. A. Gers and J. Schmidhuber, LSTM Recurrent Networks Learn Simple Context-Free and
Context-Sensitive Languages, IEEE Transactions on Neural Networks 12(6):1333-1340, 2001.

Task. Strings S a^n b^n (CFL) and S a^n b^n c^n (CSL), n >= 1, one symbol per step (one local input
unit per symbol S, a, b[, c]). At every step the net predicts the set of legal next symbols: one
logistic output unit per symbol a, b[, c], T (T ends the string), target 1 for every legal next
symbol and 0 otherwise, squared error. After S: {a}; after an a: {a, b}; inside the b block: {b};
after the n-th b: {T} (CFL) or {c} (CSL); inside the c block {c}; after the n-th c: {T}. A string
is accepted when every output unit is on the right side of 0.5 at every step. Training set: the
ten shortest strings, n = 1..10. Generalisation: the largest N such that every n in 1..N is
accepted, tested here up to n = --test-max (1000 by default, 3001 steps for the CSL).

Net (peephole LSTM with forget gates; the paper's sizes as cited: 1 block of 1 cell for the CFL,
2 blocks of 1 cell for the CSL). Cells and gates see the inputs, every cell output of the previous
step and a bias (no cell bias); each gate also sees its own cell's state through a peephole weight
(input and forget gates s(t-1), the output gate s(t)); the outputs see the inputs, the cell outputs
and a bias.

    u(t)   = [x(t), y_c(t-1), 1]
    y_in   = sigma(W_in u + p_in s(t-1)),  y_f = sigma(W_f u + p_f s(t-1)),  g = 4 sigma(W_g u) - 2
    s(t)   = y_f s(t-1) + y_in g
    y_out  = sigma(W_out u + p_out s(t)),  y_c(t) = y_out h(s(t)),  h = 2 sigma - 1
    y_k(t) = sigma(V_k [x(t), y_c(t), 1])

CFL: 4 x 5 - 1 + 3 + 3 x 5 = 37 weights; CSL: 8 x 7 - 2 + 6 + 4 x 7 = 88 weights.
Learning: truncated RTRL (no error flows back through y_c(t-1), nor through the peephole
connections; the traces ds/dw are multiplied by y_f), weights changed after every symbol, gradient
descent with momentum; activations and traces reset at the start of every string. A net stops when
it accepts every training string (tested every --test-every symbols) or at the budget.

    python3 anbn_anbncn.py --seed 0                 # headline: 20 nets per language
    python3 anbn_anbncn.py --quick                  # seconds; what the tests run
    python3 anbn_anbncn.py --setting catalog        # the earlier catalog's version, timed

--setting catalog (results_catalog.json): 2 (CFL) / 3 (CSL) peephole cells with g = h = tanh, cell
biases, outputs on [y_c, 1], per-symbol binary cross-entropy, exact BPTT (through the peepholes),
Adam lr 0.01 with clip 1, one string per update, n uniform in 1..10, 4000 / 8000 strings,
init N(0, 0.1^2) with input-gate bias -1 and forget-gate bias +1; test n = 1..100.

Arrays are time-major: x (L, S, N, K) = (time, nets, strings per net, symbol). Columns of
W (S, D, 4C): [input gates | forget gates | cell inputs | output gates] (one cell per block, so C
blocks), rows [x (K), y_c(t-1) (C), 1]; P (S, 3, C) peepholes into [input, forget, output] gates;
V (S, K, D) rows a, b[, c], T, columns [x (K), y_c(t) (C), 1].
"""
import argparse
import os
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401  (pins BLAS to one thread before numpy loads)

import numpy as np

from shared import cli
from shared.ensemble import map_jobs, sum_outer
from shared.gradcheck import check_gradients, rel_error
from shared.lyapunov import qr_spectrum
from shared.optim import Adam
from shared.results import finish_run
from shared.rng import streams

PAPER = ("F. A. Gers and J. Schmidhuber, LSTM Recurrent Networks Learn Simple Context-Free and "
         "Context-Sensitive Languages, IEEE Transactions on Neural Networks 12(6):1333-1340, 2001")
THRESH = 0.5
TRAIN_N = 10                                              # training set: n = 1..10


# ----------------------------------------------------------------------------------------------
# Data: the strings and their legal-next-symbol targets
# ----------------------------------------------------------------------------------------------
class Lang:
    """a^n b^n (blocks=2) or a^n b^n c^n (blocks=3). Inputs S, a, b[, c]; outputs a, b[, c], T."""

    def __init__(self, blocks):
        self.B = blocks
        self.K = blocks + 1
        self.name = "anbn" if blocks == 2 else "anbncn"

    def length(self, n):
        return self.B * np.asarray(n) + 1                 # S plus B blocks of n symbols

    def step(self, t, n):
        """Input symbol index (N,) and target (N, K) at step t of the strings with lengths n (N,)
        (all of them longer than t)."""
        n = np.asarray(n)
        tgt = np.zeros((len(n), self.K))
        if t == 0:
            tgt[:, 0] = 1.0                               # after S only a
            return np.zeros(len(n), dtype=int), tgt
        k = (t - 1) // n                                  # 0: a block, 1: b block, 2: c block
        r = (t - 1) - k * n
        a_blk = k == 0
        tgt[a_blk, 0] = tgt[a_blk, 1] = 1.0               # after an a: a or b
        nxt = k + (r == n - 1)                            # last symbol of a block: the next block (or T)
        rows = np.flatnonzero(~a_blk)
        tgt[rows, nxt[rows]] = 1.0
        return k + 1, tgt

    def string(self, n):
        """sym (L,) input indices and target (L, K) of the string of index n."""
        L = int(self.length(n))
        out = [self.step(t, np.array([n])) for t in range(L)]
        return np.array([o[0][0] for o in out]), np.stack([o[1][0] for o in out])


CFL, CSL = Lang(2), Lang(3)


# ----------------------------------------------------------------------------------------------
# The net: peephole LSTM blocks of one cell with forget gates
# ----------------------------------------------------------------------------------------------
class Arch:
    """C one-cell blocks on K symbols. squash 'paper' (g = 4 sigma - 2, h = 2 sigma - 1) or 'tanh'
    (catalog); out_x: outputs see the inputs; cell_bias: cells have a bias (catalog)."""

    def __init__(self, K, C, squash="paper", out_x=True, cell_bias=False):
        self.K, self.C = K, C
        self.I, self.F, self.G, self.O = (slice(k * C, (k + 1) * C) for k in range(4))
        self.H = 4 * C
        self.D = K + C + 1
        self.R = slice(K, K + C)                          # rows of y_c
        paper = squash == "paper"
        self.ag, self.bg, self.ah, self.bh = (2.0, 2.0, 1.0, 2.0) if paper else (1.0, 1.0, 1.0, 1.0)
        self.wmask = np.ones((self.D, self.H))
        if not cell_bias:
            self.wmask[-1, self.G] = 0.0
        self.vmask = np.ones((K, self.D))
        if not out_x:
            self.vmask[:, :K] = 0.0
        self.squash = squash

    def n_weights(self):
        return int(self.wmask.sum() + 3 * self.C + self.vmask.sum())

    # g(net) = ag tanh(net / bg) (4 sigma - 2 = 2 tanh(net / 2)); g' written through g
    def g(self, z):
        return self.ag * np.tanh(z / self.bg)

    def dg(self, g):
        return (self.ag / self.bg) * (1.0 - (g / self.ag) ** 2)

    def h(self, s):
        return self.ah * np.tanh(s / self.bh)

    def dh(self, hs):
        return (self.ah / self.bh) * (1.0 - (hs / self.ah) ** 2)


def paper_arch(lang):
    return Arch(lang.K, lang.B - 1)                       # 1 block (CFL), 2 blocks (CSL)


def sigmoid(z):
    return 0.5 + 0.5 * np.tanh(0.5 * z)


BIAS_STEP = 0.5


def init_paper(a, rng, S, w=0.1):
    """U[-w, w] for every weight; gate biases staggered block by block as in Gers et al. (2000):
    input and output gates -0.5, -1.0, forget gates +0.5, +1.0 (the 2001 values were not found)."""
    steps = BIAS_STEP * np.arange(1, a.C + 1)
    W = rng.uniform(-w, w, size=(S, a.D, a.H)) * a.wmask
    W[:, -1, a.I] = -steps
    W[:, -1, a.O] = -steps
    W[:, -1, a.F] = steps
    return {"W": W, "P": rng.uniform(-w, w, size=(S, 3, a.C)),
            "V": rng.uniform(-w, w, size=(S, a.K, a.D)) * a.vmask}


def cell_step(a, p, u, sp):
    """One step. u (S, N, D) = [x, y_c(t-1), 1], sp (S, N, C) = s(t-1).
    Returns act (S, N, 4C) = [y_in, y_f, g, y_out], s(t), y_c(t)."""
    W, P = p["W"], p["P"]
    net = np.matmul(u, W)                                 # (S, N, D) @ (S, D, H)
    C = a.C
    net[..., :C] += P[:, None, 0] * sp
    net[..., C:2 * C] += P[:, None, 1] * sp
    act = np.empty_like(net)
    act[..., :2 * C] = sigmoid(net[..., :2 * C])
    act[..., a.G] = a.g(net[..., a.G])
    s = act[..., a.F] * sp + act[..., a.I] * act[..., a.G]
    act[..., a.O] = sigmoid(net[..., a.O] + P[:, None, 2] * s)
    return act, s, act[..., a.O] * a.h(s)


def forward(a, p, x):
    """x (L, S, N, K) from a zero state. Returns cache: U (L, S, N, D) unit inputs, act (L, S, N, 4C),
    s (L+1, S, N, C) with s[0] = 0, O (L, S, N, D) output-layer inputs, z and y (L, S, N, K)."""
    L, S, N, K = x.shape
    s = np.zeros((L + 1, S, N, a.C))
    U = np.zeros((L, S, N, a.D))
    U[..., :K] = x
    U[..., -1] = 1.0
    Oin = U.copy()
    act = np.empty((L, S, N, a.H))
    yc = np.zeros((S, N, a.C))
    for t in range(L):
        U[t, ..., a.R] = yc
        act[t], s[t + 1], yc = cell_step(a, p, U[t], s[t])
        Oin[t, ..., a.R] = yc
    z = np.matmul(Oin, np.swapaxes(p["V"], 1, 2))       # (L, S, N, D) @ (S, D, K)
    return {"U": U, "act": act, "s": s, "O": Oin, "z": z, "y": sigmoid(z)}


def grads_bptt(a, p, cache, dz, truncate=False):
    """Backpropagation through time from dz = dE/dz (L, S, N, K).

    truncate=False: the exact gradient, through y_c(t-1) and the peepholes (checked against finite
    differences). truncate=True: the paper's truncation by a second route: an error reaching a net
    input stops there; only s(t) -> s(t-1) through y_f(t) carries error back, and no error flows
    through a peephole. It must equal the RTRL traces of ``rtrl_step``.
    """
    U, act, s, W, P = cache["U"], cache["act"], cache["s"], p["W"], p["P"]
    L = U.shape[0]
    dV = np.einsum("tsnk,tsnd->skd", dz, cache["O"])
    dyc_out = np.matmul(dz, p["V"][None])[..., a.R]
    WrT = np.swapaxes(W[:, a.R], 1, 2)                    # (S, H, C): dnet(t) -> dy_c(t-1)
    dnet = np.zeros(act.shape)
    dP = np.zeros(P.shape)
    carry = np.zeros(dyc_out.shape[1:])
    dr = np.zeros(dyc_out.shape[1:])
    p_in, p_f, p_out = P[:, None, 0], P[:, None, 1], P[:, None, 2]
    for t in range(L - 1, -1, -1):
        at, st, sp = act[t], s[t + 1], s[t]
        yi, yf, g, yo = at[..., a.I], at[..., a.F], at[..., a.G], at[..., a.O]
        hs = a.h(st)
        dyc = dyc_out[t] if truncate else dyc_out[t] + dr
        dn = dnet[t]
        # y_c = y_out h(s); y_out = sigma(... + p_out s(t))
        dn[..., a.O] = dyc * hs * yo * (1 - yo)
        ds = carry + dyc * yo * a.dh(hs)
        if not truncate:
            ds = ds + dn[..., a.O] * p_out
        # s(t) = y_f s(t-1) + y_in g
        dn[..., a.G] = ds * yi * a.dg(g)
        dn[..., a.I] = ds * g * yi * (1 - yi)
        dn[..., a.F] = ds * sp * yf * (1 - yf)
        carry = ds * yf
        if not truncate:
            carry = carry + dn[..., a.I] * p_in + dn[..., a.F] * p_f
            dr = np.matmul(dn, WrT)
        dP[:, 0] += (dn[..., a.I] * sp).sum(1)
        dP[:, 1] += (dn[..., a.F] * sp).sum(1)
        dP[:, 2] += (dn[..., a.O] * st).sum(1)
    return {"W": sum_outer(U, dnet), "P": dP, "V": dV}  # unmasked: apply a.wmask, a.vmask to update


def new_state(a, S):
    """Zero state of S nets: s (S, C), u (S, D) = [x, y_c(t-1), 1], traces TW (S, D, 3, C) = ds/dw
    of the weights into [input gates, forget gates, cells] (W's column order) and TP (S, 2, C) of
    the input and forget peepholes, and a scratch array for the local terms."""
    u = np.zeros((S, a.D))
    u[:, -1] = 1.0
    return {"s": np.zeros((S, a.C)), "u": u, "TW": np.zeros((S, a.D, 3, a.C)),
            "TP": np.zeros((S, 2, a.C)), "loc": np.zeros((S, 3, a.C))}


def reset(st, which):
    """Zero the activations and traces of the nets in ``which`` (a new string starts)."""
    st["s"][which] = 0.0
    st["u"][which, :-1] = 0.0
    st["TW"][which] = 0.0
    st["TP"][which] = 0.0


def flat_params(a, S):
    """Parameters of S nets as views into one (S, n) buffer, so one momentum update moves all."""
    sizes = [("W", (a.D, a.H)), ("P", (3, a.C)), ("V", (a.K, a.D))]
    buf = np.zeros((S, sum(int(np.prod(sh)) for _, sh in sizes)))
    out, i = {}, 0
    for k, sh in sizes:
        m = int(np.prod(sh))
        out[k] = buf[:, i:i + m].reshape((S,) + sh)
        i += m
    return buf, out


def rtrl_step(a, p, st, x, d, g):
    """One step of the paper's online learning for S nets (one string each), state st in place.

    x, d (S, K): input and target; g: gradient views {W, P, V} (filled here). The traces follow
    T <- y_f T + (local term): y_c(t-1) and the peephole inputs count as constants (the
    truncation); weights into output gates and output units get one-step backprop. Written as few
    large numpy calls (the nets are tiny; call overhead is the cost). Returns y (S, K).
    """
    W, P, V = p["W"], p["P"], p["V"]
    C, K, S = a.C, a.K, x.shape[0]
    u, sp, TW, TP, loc = st["u"], st["s"], st["TW"], st["TP"], st["loc"]
    u[:, :K] = x
    net = np.matmul(u[:, None, :], W)[:, 0]               # (S, 4C)
    net[:, :2 * C].reshape(S, 2, C)[...] += P[:, :2] * sp[:, None, :]
    sg = sigmoid(net[:, :2 * C])
    yi, yf = sg[:, :C], sg[:, C:]
    gg = a.g(net[:, a.G])
    s = yf * sp + yi * gg                                 # s(t) = y_f s(t-1) + y_in g
    yo = sigmoid(net[:, a.O] + P[:, 2] * s)
    hs = a.h(s)
    yc = yo * hs
    # traces: T(t) = y_f(t) T(t-1) + (local derivative of s(t)) x (input of the unit)
    np.multiply(gg, yi * (1 - yi), out=loc[:, 0])
    np.multiply(sp, yf * (1 - yf), out=loc[:, 1])
    np.multiply(yi, a.dg(gg), out=loc[:, 2])
    TW *= yf[:, None, None, :]
    TW += u[:, :, None, None] * loc[:, None]
    TP *= yf[:, None, :]
    TP += sp[:, None, :] * loc[:, :2]
    o = u.copy()
    o[:, a.R] = yc
    y = sigmoid(np.matmul(V, o[:, :, None])[..., 0])
    delta = (y - d) * y * (1 - y)                         # E = 0.5 sum (y - d)^2 through the logistic
    dyc = np.matmul(delta[:, None, :], V[:, :, a.R])[:, 0]
    e_s = dyc * yo * a.dh(hs)                             # error at s(t); not through the peephole
    dnO = dyc * hs * yo * (1 - yo)
    gW = g["W"]
    np.multiply(TW, e_s[:, None, None, :], out=gW[:, :, :3 * C].reshape(S, a.D, 3, C))
    np.multiply(u[:, :, None], dnO[:, None, :], out=gW[:, :, a.O])
    gW *= a.wmask
    np.multiply(TP, e_s[:, None, :], out=g["P"][:, :2])
    np.multiply(dnO, s, out=g["P"][:, 2])
    np.multiply(delta[:, :, None], o[:, None, :], out=g["V"])
    g["V"] *= a.vmask
    st["s"] = s
    u[:, a.R] = yc
    return y


def rtrl_sum(a, p, x, d):
    """Weights held fixed: y (L, S, K) and the RTRL gradients summed over the L steps of x, d
    (L, S, K) from a zero state. Must equal grads_bptt(truncate=True) (the checks)."""
    S = x.shape[1]
    st = new_state(a, S)
    _, g = flat_params(a, S)
    tot, ys = {k: np.zeros_like(v) for k, v in g.items()}, []
    for t in range(len(x)):
        ys.append(rtrl_step(a, p, st, x[t], d[t], g))
        for k in tot:
            tot[k] += g[k]
    return np.stack(ys), tot


def jacobians(a, p, cache):
    """J(t) = dz(t)/dz(t-1) of the state z = [s (C), y_c (C)], (L-1, S, N, 2C, 2C), t = 1..L-1
    (exact: through the peepholes and the recurrent weights)."""
    C = a.C
    act, s = cache["act"][1:], cache["s"]
    sp, sn = s[1:-1], s[2:]
    yi, yf, g, yo = act[..., a.I], act[..., a.F], act[..., a.G], act[..., a.O]
    P = p["P"][None, :, None]                             # (1, S, 1, 3, C)
    Wr = p["W"][:, a.R][None, :, None]                    # (1, S, 1, C, H): rows y_c(t-1)
    di, df, do = yi * (1 - yi), yf * (1 - yf), yo * (1 - yo)
    # ds/ds_prev (diagonal) and ds/dy_c_prev
    a_s = yf + sp * df * P[..., 1, :] + g * di * P[..., 0, :]
    B_y = (np.swapaxes(Wr[..., a.G], -1, -2) * (yi * a.dg(g))[..., None]
           + np.swapaxes(Wr[..., a.I], -1, -2) * (g * di)[..., None]
           + np.swapaxes(Wr[..., a.F], -1, -2) * (sp * df)[..., None])      # (..., C, C)
    hs = a.h(sn)
    k = yo * a.dh(hs) + hs * do * P[..., 2, :]            # dy_c/ds(t) (diagonal)
    eye = np.eye(C)
    J = np.zeros(act.shape[:3] + (2 * C, 2 * C))
    J[..., :C, :C] = a_s[..., None] * eye
    J[..., :C, C:] = B_y
    J[..., C:, :C] = (k * a_s)[..., None] * eye
    J[..., C:, C:] = k[..., None] * B_y + np.swapaxes(Wr[..., a.O], -1, -2) * (hs * do)[..., None]
    return J


# ----------------------------------------------------------------------------------------------
# Evaluation: which n are accepted
# ----------------------------------------------------------------------------------------------
def accept(a, p, lang, n_max, record=None):
    """(S, n_max) bool: the string of index n accepted, n = 1..n_max, every string of every net at
    once (the strings still running at step t are n > (t - 1) / B, a tail of the batch).
    record: a string index whose states s (L, S, C) and gate activations (L, S, 4C) are returned."""
    S = p["W"].shape[0]
    ns = np.arange(1, n_max + 1)
    L = lang.length(ns)
    ok = np.ones((S, n_max), dtype=bool)
    s = np.zeros((S, n_max, a.C))
    u = np.zeros((S, n_max, a.D))
    u[..., -1] = 1.0
    VT = np.swapaxes(p["V"], 1, 2)
    eye = np.eye(a.K)
    rec_s, rec_a = [], []
    for t in range(int(L[-1])):
        j0 = int(np.searchsorted(L, t, side="right"))    # first string still running
        sym, tgt = lang.step(t, ns[j0:])
        uu = u[:, j0:]
        uu[..., :a.K] = eye[sym]
        act, s_new, yc = cell_step(a, p, uu, s[:, j0:])
        s[:, j0:] = s_new
        o = uu.copy()
        o[..., a.R] = yc
        y = sigmoid(np.matmul(o, VT))
        ok[:, j0:] &= ((y > THRESH) == (tgt > 0.5)).all(-1)
        uu[..., a.R] = yc
        if record is not None and t < lang.length(record):
            rec_s.append(s_new[:, record - 1 - j0])
            rec_a.append(act[:, record - 1 - j0])
    if record is not None:
        return ok, np.stack(rec_s), np.stack(rec_a)
    return ok


def gen_range(ok):
    """Largest N with every n in 1..N accepted, per net (S,) (0 if n = 1 fails)."""
    bad = ~ok
    first = np.where(bad.any(1), bad.argmax(1), ok.shape[1])
    return first


# ----------------------------------------------------------------------------------------------
# Training: the paper's online protocol, S nets in lock-step
# ----------------------------------------------------------------------------------------------
class TrainStream:
    """Each net reads the training strings n = 1..10, every pass in a fresh random order, one
    symbol per step. take(m) -> input indices (m, S), targets (m, S, K), string starts (m, S)."""

    def __init__(self, lang, rng, S):
        self.lang, self.rng, self.S = lang, rng, S
        self.strings = [lang.string(n) for n in range(1, TRAIN_N + 1)]
        self.buf = [(np.zeros(0, int), np.zeros((0, lang.K)), np.zeros(0, bool)) for _ in range(S)]

    def _epoch(self):
        order = self.rng.permutation(TRAIN_N)
        sym = np.concatenate([self.strings[i][0] for i in order])
        tgt = np.concatenate([self.strings[i][1] for i in order])
        start = np.concatenate([np.arange(len(self.strings[i][0])) == 0 for i in order])
        return sym, tgt, start

    def take(self, m):
        out = []
        for i in range(self.S):
            sym, tgt, start = self.buf[i]
            while len(sym) < m:
                e = self._epoch()
                sym, tgt, start = (np.concatenate([u, v]) for u, v in zip((sym, tgt, start), e, strict=True))
            out.append((sym[:m], tgt[:m], start[:m]))
            self.buf[i] = (sym[m:], tgt[m:], start[m:])
        return (np.stack([o[0] for o in out], 1), np.stack([o[1] for o in out], 1),
                np.stack([o[2] for o in out], 1))


def train(a, lang, p, rng, lr, momentum, budget, test_every, curve_max, label="", timer=None,
          probe_n=30):
    """Online truncated RTRL with momentum for S nets in lock-step. Every test_every symbols every
    net is tested on n = 1..curve_max; a net accepting all ten training strings is frozen (the
    stopping rule). Stops at budget symbols per net or when every net is frozen."""
    S = p["W"].shape[0]
    st = new_state(a, S)
    data = TrainStream(lang, rng, S)
    theta, q = flat_params(a, S)                          # the weights of all nets in one buffer
    for k in p:
        q[k][...] = p[k]
    gbuf, g = flat_params(a, S)
    vel = np.zeros_like(theta)
    live = np.ones(S, dtype=bool)
    strings = np.zeros(S, dtype=int)
    solved_at = np.full(S, -1)
    eye = np.eye(lang.K)
    curve_n, curve_range, curve_train, curve_mse, snaps = [], [], [], [], []
    sq, cnt = np.zeros(S), 0
    n = 0
    while n < budget and live.any():
        sym, tgt, start = data.take(test_every)
        x_all = eye[sym]
        lr_s = np.where(live, lr, 0.0).reshape(S, 1)           # frozen nets: no step, no momentum
        mom_s = np.where(live, momentum, 0.0)[:, None]
        resets = start.any(1)
        for t in range(test_every):
            if resets[t]:
                reset(st, start[t])
            y = rtrl_step(a, q, st, x_all[t], tgt[t], g)
            vel *= mom_s                                  # dw(t) = momentum dw(t-1) - lr dE(t)/dw
            vel -= lr_s * gbuf
            theta += vel
            sq += ((y - tgt[t]) ** 2).sum(-1)
        cnt += test_every
        strings += np.where(live, start.sum(0), 0)
        n += test_every
        cli.check_finite(n, **{f"{label} {k}": v for k, v in q.items()})
        ok = accept(a, q, lang, curve_max)
        rng_now = gen_range(ok)
        solved = ok[:, :TRAIN_N].all(1) & live
        solved_at[solved] = strings[solved]
        live &= ~solved
        curve_n.append(n)
        curve_range.append(rng_now)
        curve_train.append(ok[:, :TRAIN_N].mean(1))
        curve_mse.append(sq / cnt)
        sq, cnt = np.zeros(S), 0
        _, ps, _ = accept(a, q, lang, probe_n, record=probe_n)
        snaps.append(ps)
        print(f"  {label} {n:9,d} symbols  solved {int((solved_at >= 0).sum()):2d}/{S}  "
              f"range (n<={curve_max}) median {int(np.median(rng_now)):4d} max {int(rng_now.max()):4d}  "
              f"mse {np.mean(curve_mse[-1]):.4f}  {timer() if timer else 0:6.1f}s", flush=True)
    for k in p:
        p[k][...] = q[k]
    return {"solved_at": solved_at, "n_trained": n, "strings": strings, "curve_n": np.array(curve_n),
            "curve_range": np.array(curve_range), "curve_train": np.array(curve_train),
            "curve_mse": np.array(curve_mse), "snaps": np.stack(snaps)}


# ----------------------------------------------------------------------------------------------
# Gradient checks (float64)
# ----------------------------------------------------------------------------------------------
def _mse_dz(y, d):
    return (y - d) * y * (1 - y)


def gradient_checks(args=None):
    """Exact BPTT vs central differences (both paper nets, and the catalog's tanh/BCE net);
    the truncated gradient by step-by-step BPTT with stop-gradients vs the forward RTRL traces
    (weights fixed) on real strings; the batched forward pass vs the online step."""
    rng = np.random.default_rng(0)
    errs = {}
    nets = {"CFL 1x1": (paper_arch(CFL), CFL, "mse"), "CSL 2x1": (paper_arch(CSL), CSL, "mse"),
            "catalog CSL 3 cells": (Arch(4, 3, "tanh", out_x=False, cell_bias=True), CSL, "bce")}
    for name, (a, lang, loss_kind) in nets.items():
        T, S, N = 5, 2, 2
        x = rng.normal(size=(T, S, N, a.K))
        tgt = rng.uniform(size=(T, S, N, a.K))
        p = {k: rng.uniform(-1.0, 1.0, size=v.shape) for k, v in init_paper(a, rng, S).items()}
        p["W"] *= a.wmask
        p["V"] *= a.vmask

        def loss(p=p, a=a, x=x, tgt=tgt, kind=loss_kind):
            y = forward(a, p, x)["y"]
            if kind == "mse":
                return 0.5 * np.sum((y - tgt) ** 2)
            return -np.sum(tgt * np.log(y) + (1 - tgt) * np.log(1 - y))
        c = forward(a, p, x)
        dz = _mse_dz(c["y"], tgt) if loss_kind == "mse" else c["y"] - tgt
        g = grads_bptt(a, p, c, dz)                        # unmasked: every coordinate is checked
        for k, v in check_gradients(loss, p, g, eps=1e-3, richardson=True).items():
            errs[f"{name} exact BPTT vs finite differences: {k}"] = v
        if loss_kind != "mse":
            continue
        n = 4
        sym, d = lang.string(n)
        xs = np.broadcast_to(np.eye(a.K)[sym][:, None], (len(sym), S, a.K)).copy()
        ds = np.broadcast_to(d[:, None], xs.shape).copy()
        p = init_paper(a, rng, S)
        for k in p:
            p[k] = p[k] + rng.uniform(-0.5, 0.5, size=p[k].shape)
        p["W"] *= a.wmask
        p["V"] *= a.vmask
        c = forward(a, p, xs[:, :, None])
        g1 = grads_bptt(a, p, c, _mse_dz(c["y"], ds[:, :, None]), truncate=True)
        y2, g2 = rtrl_sum(a, p, xs, ds)
        errs[f"{name} forward pass: batched vs online step"] = rel_error(c["y"][:, :, 0], y2)
        g1 = {"W": g1["W"] * a.wmask, "P": g1["P"], "V": g1["V"] * a.vmask}
        for k in g1:
            errs[f"{name} truncated: step-by-step BPTT vs RTRL traces: {k}"] = rel_error(g1[k], g2[k])
    return errs


# ----------------------------------------------------------------------------------------------
# Dynamics: the counter cell, its increments and its Lyapunov exponents along a long string
# ----------------------------------------------------------------------------------------------
LYAP_FLOOR = -50.0


def dynamics(a, lang, p, n_long, k_lyap=None):
    """Along a^n b^n (c^n) with n = n_long: per-block Lyapunov exponents of z = [s, y_c] (mean
    over each block's steps after the first), the counter cell's mean increment per symbol in
    each block, the mean forget gate per block. Returns a dict of (S, ...) arrays and the
    whole-string exponents (S, k)."""
    sym, _ = lang.string(n_long)
    S = p["W"].shape[0]
    x = np.ascontiguousarray(np.broadcast_to(np.eye(a.K)[sym][:, None, None], (len(sym), S, 1, a.K)))
    c = forward(a, p, x)
    J = jacobians(a, p, c)[:, :, 0]                       # (L-1, S, 2C, 2C): J[t-1] = dz(t)/dz(t-1)
    s = c["s"][1:, :, 0]                                  # (L, S, C): s after each symbol
    lo = [1 + b * n_long for b in range(lang.B)]          # first step of each block
    k = k_lyap or 2 * a.C
    block_ex, inc, fmean = [], [], []
    for b in range(lang.B):
        t0, t1 = lo[b] + 1, lo[b] + n_long - 1            # steps inside block b (not its edges)
        block_ex.append(np.maximum(qr_spectrum(J[t0 - 1:t1], k=k), LYAP_FLOOR))   # per step, (S, k)
        inc.append((s[t1] - s[t0]) / (t1 - t0))           # mean ds per symbol, (S, C)
        fmean.append(c["act"][t0:t1 + 1, :, 0, a.F].mean(0))
    counter = np.abs(inc[0]).argmax(-1)                   # the cell that moves most in the a block
    inc = np.stack(inc, 1)                                # (S, B, C)
    pick = inc[np.arange(S), :, counter]                  # (S, B): counter cell, per block
    whole = np.maximum(qr_spectrum(J, k=k), LYAP_FLOOR)   # a saturated gate makes a direction -inf
    return {"block_exponents": np.stack(block_ex, 1), "increments": inc, "counter_cell": counter,
            "counter_increments": pick, "forget_mean": np.stack(fmean, 1), "s": s,
            "gates": c["act"][:, :, 0]}, whole


# ----------------------------------------------------------------------------------------------
# The earlier catalog's setting (--setting catalog)
# ----------------------------------------------------------------------------------------------
CAT = {"lr": 0.01, "clip": 1.0, "strings": {"anbn": 4000, "anbncn": 8000}, "cells": {"anbn": 2, "anbncn": 3},
       "init_sd": 0.1, "test_max": 100}


def catalog_grads(a, p, x, d):
    """The catalog net's forward pass and exact BPTT (through the peepholes and y_c(t-1)) of the
    summed per-symbol binary cross-entropy, written for speed: one string per net, every local
    derivative computed for all steps at once, the loops keep only the recurrences. x, d (L, S, K).
    Must equal forward + grads_bptt (a test checks it). Returns gradients masked to the weights."""
    L, S, K = x.shape
    C, W, P, V = a.C, p["W"], p["P"], p["V"]
    WR = W[:, a.R]                                        # (S, C, H) recurrent rows
    NET = np.einsum("tsk,skh->tsh", x, W[:, :K]) + W[:, -1]   # input and bias part of every net input
    scale = np.r_[np.full(2 * C, 0.5), np.ones(C)]        # sigmoid(v) = (1 + tanh(v / 2)) / 2; g = tanh
    Z = np.empty((L, S, 3 * C))                           # tanh of [input, forget, cell] net inputs
    Yo = np.empty((L, S, C))
    Th = np.empty((L, S, C))
    St = np.zeros((L + 1, S, C))
    Yc = np.zeros((L + 1, S, C))
    P01, P2 = P[:, :2], P[:, 2]
    for t in range(L):
        net = NET[t] + np.matmul(Yc[t][:, None, :], WR)[:, 0]
        net[:, :2 * C].reshape(S, 2, C)[...] += P01 * St[t][:, None, :]
        z = np.tanh(net[:, :3 * C] * scale)
        Z[t] = z
        sg = 0.5 + 0.5 * z[:, :2 * C]
        st = sg[:, C:] * St[t] + sg[:, :C] * z[:, 2 * C:]
        St[t + 1] = st
        yo = sigmoid(net[:, 3 * C:] + P2 * st)
        Yo[t] = yo
        th = np.tanh(st)
        Th[t] = th
        Yc[t + 1] = yo * th
    Oin = np.concatenate([x, Yc[1:], np.ones((L, S, 1))], -1)
    y = sigmoid(np.einsum("tsd,skd->tsk", Oin, V))
    dz = y - d                                            # BCE through the logistic
    gV = np.einsum("tsk,tsd->skd", dz, Oin)
    dYC = np.einsum("tsk,skc->tsc", dz, V[:, :, a.R])      # (L, S, C)
    SG = 0.5 + 0.5 * Z[..., :2 * C]
    B3 = np.empty((L, S, 3, C))                           # ds(t) -> d net of [input, forget, cell]
    B3[:, :, 0] = Z[..., 2 * C:] * SG[..., :C] * (1 - SG[..., :C])
    B3[:, :, 1] = St[:-1] * SG[..., C:] * (1 - SG[..., C:])
    B3[:, :, 2] = SG[..., :C] * (1 - Z[..., 2 * C:] ** 2)
    A = Yo * (1 - Th ** 2)                                # dy_c/ds through h
    DO = Th * Yo * (1 - Yo)                               # dy_c -> d net_out
    F = SG[..., C:]
    WRT = np.swapaxes(WR, 1, 2)                           # (S, H, C)
    DN = np.empty((L, S, 4 * C))
    carry = np.zeros((S, C))
    dr = np.zeros((S, C))
    P0, P1 = P[:, 0], P[:, 1]
    for t in range(L - 1, -1, -1):
        dyc = dYC[t] + dr
        dno = dyc * DO[t]
        ds = carry + dyc * A[t] + dno * P2
        dn = DN[t]
        np.multiply(B3[t], ds[:, None, :], out=dn[:, :3 * C].reshape(S, 3, C))
        dn[:, 3 * C:] = dno
        carry = ds * F[t] + dn[:, :C] * P0 + dn[:, C:2 * C] * P1
        dr = np.matmul(dn[:, None, :], WRT)[:, 0]
    U = np.concatenate([x, Yc[:-1], np.ones((L, S, 1))], -1)
    gW = np.einsum("tsd,tsh->sdh", U, DN) * a.wmask
    gP = np.stack([(DN[..., :C] * St[:-1]).sum(0), (DN[..., C:2 * C] * St[:-1]).sum(0),
                   (DN[..., 3 * C:] * St[1:]).sum(0)], 1)
    return {"W": gW, "P": gP, "V": gV * a.vmask}


def catalog_job(job):
    """One language of the earlier catalog's setting (a worker process): (seed, blocks, S, quick)
    -> (key, metrics, accept map, wall seconds, CPU seconds)."""
    seed, blocks, S, quick = job
    t0 = cli.Timer()
    lang = Lang(blocks)
    key = lang.name
    r = streams(seed, ["init_anbn", "data_anbn", "init_anbncn", "data_anbncn"])
    r_init, r_data = r[f"init_{key}"], r[f"data_{key}"]
    a = Arch(lang.K, CAT["cells"][key], "tanh", out_x=False, cell_bias=True)
    sd = CAT["init_sd"]
    p = {"W": r_init.normal(0, sd, size=(S, a.D, a.H)), "P": r_init.normal(0, sd, size=(S, 3, a.C)),
         "V": r_init.normal(0, sd, size=(S, a.K, a.D)) * a.vmask}
    p["W"][:, -1] = 0.0
    p["W"][:, -1, a.I] = -1.0
    p["W"][:, -1, a.F] = 1.0
    p["V"][:, :, -1] = 0.0
    opt = Adam(p, lr=CAT["lr"], clip=CAT["clip"], per_member=True)
    n_str = 40 if quick else CAT["strings"][key]
    tables = [lang.string(n) for n in range(1, TRAIN_N + 1)]
    eye = np.eye(a.K)
    for it in range(n_str):
        n = int(r_data.integers(1, TRAIN_N + 1))          # one string per update, the same for every net
        sym, tgt = tables[n - 1]
        x = np.ascontiguousarray(np.broadcast_to(eye[sym][:, None], (len(sym), S, a.K)))
        d = np.ascontiguousarray(np.broadcast_to(tgt[:, None], (len(sym), S, a.K)))
        opt.step(catalog_grads(a, p, x, d))
        if it % 500 == 0:
            cli.check_finite(it, **{f"catalog {key} {k}": v for k, v in p.items()})
    ok = accept(a, p, lang, CAT["test_max"])
    rg = gen_range(ok)
    m = {"weights": a.n_weights(), "strings": n_str, "generalisation_range": rg.tolist(),
         "median_range": float(np.median(rg)), "train_set_accepted": ok[:, :TRAIN_N].all(1).tolist()}
    print(f"  catalog {key}: ranges {rg.tolist()} (median {np.median(rg):.0f}), {t0():.1f}s", flush=True)
    return key, m, ok, t0(), float(sum(os.times()[:2]))


def catalog_run(args):
    """The earlier catalog's version: tanh peephole cells, BCE, Adam, exact BPTT, n ~ U{1..10};
    the two languages in two worker processes (--workers)."""
    S = args.catalog_nets
    metrics, headline, arrays, timing, cpu = {}, [], {}, {}, {}
    jobs = [(args.seed, 2, S, args.quick), (args.seed, 3, S, args.quick)]
    for key, m, ok, wall, cpu_s in map_jobs(catalog_job, jobs, workers=args.workers):
        metrics[key], arrays[f"{key}_accept"], timing[key], cpu[key] = m, ok, wall, cpu_s
    f_, c_ = metrics["anbn"], metrics["anbncn"]
    headline.append({
        "name": f"earlier catalog's setting: median contiguous range (n tested 1..{CAT['test_max']}), "
                f"a^n b^n / a^n b^n c^n, {S} nets",
        "value": f"{f_['median_range']:.0f} / {c_['median_range']:.0f}",
        "paper_value": None,
        "verdict": "partial" if min(f_["median_range"], c_["median_range"]) > TRAIN_N else "no",
        "note": "earlier catalog (5 seeds): medians 100 (cap) / 24; Adam, BCE, full BPTT, not the paper's "
                "learning rule or net, so partial at best"})
    metrics["timing"] = {"kind_wall_s": timing, "kind_cpu_s": cpu, "catalog_wall_s_here": 33.28,
                         "load_average_1min_at_end": os.getloadavg()[0], "workers": args.workers}
    cfg = {"setting": "catalog", "n_seeds": S, "workers": args.workers, **CAT, "squash": "g = h = tanh",
           "loss": "per-symbol BCE",
           "gradient": "exact BPTT including the peepholes", "init": "N(0, 0.1^2); input-gate bias -1, "
           "forget-gate bias +1, other biases 0"}
    return cfg, metrics, headline, arrays


# ----------------------------------------------------------------------------------------------
# Headline run
# ----------------------------------------------------------------------------------------------
def _lr_list(text):
    """argparse type: comma-separated positive learning rates."""
    try:
        v = [float(t) for t in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers separated by commas, got {text!r}") from None
    if not v or not all(np.isfinite(x) and x > 0 for x in v):
        raise argparse.ArgumentTypeError(f"learning rates must be finite and > 0, got {text!r}")
    return v


def summarise(lang, out, ok, groups, lrs, test_max):
    """Per learning-rate group: nets that learned the training set, strings to learn, ranges."""
    rg = gen_range(ok)
    solved = out["solved_at"] >= 0
    per = []
    for lr, idx in zip(lrs, groups, strict=True):
        sv = solved[idx]
        r = rg[idx][sv]
        per.append({"lr": lr, "n_nets": int(len(idx)), "n_solved": int(sv.sum()),
                    "strings_to_solve": out["solved_at"][idx].tolist(),
                    "mean_strings_to_solve": float(out["solved_at"][idx][sv].mean()) if sv.any() else None,
                    "range_solved_nets": sorted(r.tolist()),
                    "median_range_solved": float(np.median(r)) if sv.any() else None,
                    "nets_reaching_test_max": int((rg[idx] >= test_max).sum())})
    return rg, per


def main(args):
    timer = cli.Timer()
    q = args.quick
    if args.setting == "catalog":
        cfg, metrics, headline, arrays = catalog_run(args)
        finish_run(args.out, {
            "stub": "anbn-anbncn", "family": "schmidhuber",
            "title": "a^n b^n and a^n b^n c^n: the earlier catalog's setting", "paper": PAPER,
            "seed": args.seed, "quick": bool(q), "config": cfg, "metrics": metrics, "headline": headline,
            "lyapunov": None}, arrays, timer)
        return
    per_lr = 2 if q else args.nets_per_lr
    lrs = args.lrs
    S = per_lr * len(lrs)
    lr_net = np.repeat(lrs, per_lr)                       # a learning rate per net: nets of one rate
    groups = [np.arange(i * per_lr, (i + 1) * per_lr) for i in range(len(lrs))]   # are contiguous
    every = 300 if q else args.test_every
    test_max = 40 if q else args.test_max
    curve_max = 20 if q else args.curve_max
    n_long = 20 if q else args.lyap_n
    budgets = {"anbn": 600 if q else args.budget_cfl, "anbncn": 600 if q else args.budget_csl}
    r = streams(args.seed, ["init", "data"])
    cfg = {"n_seeds": S, "learning_rates": lrs, "nets_per_learning_rate": per_lr, "momentum": args.momentum,
           "budget_symbols": budgets, "test_every": every, "train_n": [1, TRAIN_N], "test_n": [1, test_max],
           "curve_n_max": curve_max, "threshold": THRESH, "lyapunov_string_n": n_long,
           "weights": {"anbn": paper_arch(CFL).n_weights(), "anbncn": paper_arch(CSL).n_weights()},
           "init": f"U[-0.1, 0.1]; input/output-gate biases -{BIAS_STEP:g} k, forget-gate biases "
                   f"+{BIAS_STEP:g} k for block k; no cell bias",
           "target": "1 for every legal next symbol, 0 otherwise; squared error",
           "update": "truncated RTRL (no error through y_c(t-1) or peepholes), weights changed after "
                     "every symbol, momentum; reset at every string start",
           "stopping": "a net stops when it accepts all ten training strings (tested every test_every "
                       "symbols)"}
    print(f"a^n b^n / a^n b^n c^n: {S} nets per language ({per_lr} per learning rate {lrs}), momentum "
          f"{args.momentum:g}, budgets {budgets}, weights {cfg['weights']}")
    metrics, headline, arrays, lyap, timing = {}, [], {"lr_net": lr_net}, {}, {}
    for lang in (CFL, CSL):
        key = lang.name
        t_k = cli.Timer()
        a = paper_arch(lang)
        p = init_paper(a, r["init"], S)
        out = train(a, lang, p, r["data"], lr_net, args.momentum, budgets[key], every, curve_max,
                    label=key, timer=timer)
        ok = accept(a, p, lang, test_max)
        rg, per = summarise(lang, out, ok, groups, lrs, test_max)
        solved = out["solved_at"] >= 0
        dyn, whole = dynamics(a, lang, p, n_long)
        if solved.any():
            lyap[key] = np.sort(whole[solved].mean(0))[::-1].tolist()
        ci = dyn["counter_increments"]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = -ci[:, 1] / ci[:, 0]
        head = np.zeros(S, dtype=bool)
        head[groups[0]] = True                            # the best net of the headline rate if any learned
        pool = solved & head if (solved & head).any() else solved
        best = int(np.argmax(np.where(pool, rg, -1)))
        m = {"weights": a.n_weights(), "per_learning_rate": per, "symbols_trained": int(out["n_trained"]),
             "strings_to_solve": out["solved_at"].tolist(), "generalisation_range": rg.tolist(),
             "max_range": int(rg.max()), "best_net": best,
             "accepted_fraction_1_to_test_max": ok.mean(1).tolist(),
             "counter_cell": dyn["counter_cell"].tolist(),
             "counter_increment_per_block": ci.tolist(),
             "up_down_ratio": [float(v) if np.isfinite(v) else None for v in ratio],
             "block_top_exponent": dyn["block_exponents"][:, :, 0].tolist(),
             "forget_gate_mean_per_block": dyn["forget_mean"].tolist(),
             "whole_string_top_exponent": whole[:, 0].tolist()}
        metrics[key] = m
        mis = np.abs(1.0 - ratio)
        rank = lambda v: np.argsort(np.argsort(v))          # noqa: E731  ranks for Spearman's rho
        if solved.sum() > 2:
            rho = float(np.corrcoef(rank(mis[solved]), rank(rg[solved]))[0, 1])
            m["spearman_updown_mismatch_vs_range_solved_nets"] = rho
        arrays.update({f"{key}_accept": ok, f"{key}_curve_n": out["curve_n"],
                       f"{key}_curve_range": out["curve_range"], f"{key}_curve_train": out["curve_train"],
                       f"{key}_curve_mse": out["curve_mse"], f"{key}_snaps_best": out["snaps"][:, :, best],
                       f"{key}_solved_at": out["solved_at"], f"{key}_range": rg,
                       f"{key}_long_s_best": dyn["s"][:, best],
                       f"{key}_long_gates_best": dyn["gates"][:, best],
                       f"{key}_block_exponents": dyn["block_exponents"],
                       f"{key}_counter_increments": ci})
        timing[key] = t_k()
        for g_ in per:
            print(f"  {key} lr {g_['lr']:g}: {g_['n_solved']}/{g_['n_nets']} learned the training set; "
                  f"ranges {g_['range_solved_nets']}", flush=True)
        print(f"  {key}: {timing[key]:.1f}s", flush=True)
    head_lr = lrs[0]
    for lang, title in ((CFL, "a^n b^n"), (CSL, "a^n b^n c^n")):
        per = metrics[lang.name]["per_learning_rate"]
        g0 = per[0]
        k = g0["n_solved"]
        headline.append({
            "name": f"{title}: nets that learned the training set (n = 1..{TRAIN_N}), lr {head_lr:g}, "
                    f"momentum {args.momentum:g}",
            "value": f"{k}/{g0['n_nets']}", "paper_value": "learned (abstract); rates and times not found",
            "verdict": "partial" if k else "no",                # the paper's lr and budget are unconfirmed
            "note": f"budget {budgets[lang.name]:,} symbols per net; mean strings to learn "
                    + (f"{g0['mean_strings_to_solve']:,.0f}" if k else "none")})
        rs = g0["range_solved_nets"]
        med = g0["median_range_solved"]
        headline.append({
            "name": f"{title}: generalisation range of those nets (largest N with n = 1..N all accepted; "
                    f"tested to {test_max})",
            "value": f"median {med:.0f}, min {rs[0]}, max {rs[-1]}" if rs else "none",
            "paper_value": ("gradient-descent ranges not found" if lang is CFL else
                            "gradient descent: not found; Kalman-filter follow-up: n up to 1000 and more"),
            "verdict": "partial" if rs and med > TRAIN_N else "no",
            "note": f"{g0['nets_reaching_test_max']} of {g0['n_nets']} nets accept every n up to {test_max}"})
        for g_ in per[1:]:
            headline.append({
                "name": f"{title}: same, lr {g_['lr']:g}",
                "value": f"{g_['n_solved']}/{g_['n_nets']} learned; ranges "
                         + (", ".join(str(v) for v in g_["range_solved_nets"]) or "none"),
                "paper_value": "lr 1e-5 with momentum 0.99 per the earlier catalog (not confirmed)"
                               if g_["lr"] == 1e-5 else None,
                "verdict": "partial" if g_["n_solved"] else "no",
                "note": f"same budget ({budgets[lang.name]:,} symbols per net)"})
    metrics["timing"] = {"kind_wall_s": timing, "load_average_1min_at_end": os.getloadavg()[0],
                         "cpu_s": float(sum(os.times()[:2]))}
    lyapunov = {"method": (f"QR iteration of the exact Jacobian of z = [s, y_c] along a^n b^n (c^n) with "
                           f"n = {n_long}, exponents per symbol over the whole string, mean over the nets "
                           f"that learned the training set; per-block exponents in metrics "
                           f"(block_top_exponent)"),
                "exponents": lyap}
    finish_run(args.out, {
        "stub": "anbn-anbncn", "family": "schmidhuber",
        "title": "a^n b^n and a^n b^n c^n with peephole LSTM (Gers & Schmidhuber 2001)", "paper": PAPER,
        "seed": args.seed, "quick": bool(q), "config": cfg, "metrics": metrics, "headline": headline,
        "lyapunov": lyapunov or None}, arrays, timer)


def build_parser():
    parser = cli.make_parser(__doc__, __file__, settings={
        "paper": "the paper's nets and online learning rule (the headline)",
        "catalog": "the earlier catalog's tanh cells with Adam, BCE and full BPTT, timed"})
    parser.add_argument("--nets-per-lr", type=cli.positive_int, default=10,
                        help="nets per learning rate and language; all nets train at once")
    parser.add_argument("--lrs", type=_lr_list, default=[1e-2, 1e-3, 1e-5],
                        help="learning rates, comma-separated; the first one is the headline's")
    parser.add_argument("--momentum", type=float, default=0.99, help="momentum")
    parser.add_argument("--budget-cfl", type=cli.positive_int, default=150_000,
                        help="training budget in symbols per net, a^n b^n")
    parser.add_argument("--budget-csl", type=cli.positive_int, default=200_000,
                        help="training budget in symbols per net, a^n b^n c^n")
    parser.add_argument("--test-every", type=cli.positive_int, default=2_000,
                        help="test every net after this many training symbols (stopping rule)")
    parser.add_argument("--curve-max", type=cli.positive_int, default=100,
                        help="largest n of the tests during training (the learning curve)")
    parser.add_argument("--test-max", type=cli.positive_int, default=1000,
                        help="largest n of the final generalisation test")
    parser.add_argument("--lyap-n", type=cli.positive_int, default=200,
                        help="n of the long string for the dynamics and Lyapunov exponents")
    parser.add_argument("--catalog-nets", type=cli.positive_int, default=5,
                        help="--setting catalog only: nets per language trained at once")
    parser.add_argument("--workers", type=cli.positive_int, default=2,
                        help="--setting catalog only: processes (one language each)")
    return parser


if __name__ == "__main__":
    np.seterr(over="ignore", invalid="ignore")
    cli.run(main, build_parser(), gradcheck=gradient_checks)
