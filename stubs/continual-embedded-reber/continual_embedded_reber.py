"""Continual embedded Reber grammar: Gers, Schmidhuber & Cummins (2000), Learning to Forget.

Neural Computation 12(10):2451-2471 (also ICANN'99, IDSIA-01-99).

Task. Embedded Reber strings (B, T or P, an inner Reber string, the same T or P, E; every branch
taken with probability 0.5) are concatenated into one stream with no reset and no marker beyond
the grammar's own B and E. At every step the net predicts the set of legal next symbols: seven
logistic output units, target 1 for every legal next symbol and 0 for the others, squared error.
A prediction is correct when every output unit's error is below 0.49. A training stream runs until
the net's first wrong prediction (or until the stream cap); the net's state is then reset and a new
stream begins. A "perfect solution" (the paper's criterion) is 10^6 successive correct symbols;
here the cap is lowered to --stream-cap symbols (default 10^4) to fit the time budget.

Net (the paper's). 7 inputs, 4 memory blocks of 2 cells, each block with an input, a forget and an
output gate; cells see the inputs and all cells (no bias); gates see the inputs and all cells plus
a bias; the 7 logistic outputs see the inputs and all cells plus a bias: 4*2*15 + 12*16 + 7*16 =
424 weights. Weights U[-0.2, 0.2]; input-gate and output-gate biases -0.5, -1.0, -1.5, -2.0 and
forget-gate biases +0.5, +1.0, +1.5, +2.0, block by block. No peepholes.

    u(t) = [x(t), y_c(t-1), 1]
    s_c(t) = y_f(t) s_c(t-1) + y_in(t) g(net_c(t))     g = 4 sigma - 2, range [-2, 2]
    y_c(t) = y_out(t) h(s_c(t))                        h = 2 sigma - 1, range [-1, 1]
    y_k(t) = sigma(v_k . [x(t), y_c(t), 1])

The 1997 cell ("--no forget gate", the baseline) is the same net with y_f = 1 (360 weights).

Learning: truncated RTRL, online, weights changed after every symbol at lr 0.5 (no momentum, no
decay): the forward traces ds/dw of weights into cells, input gates and forget gates are multiplied
by the forget gate at every step; output gates and output units get one-step backprop.

    python3 continual_embedded_reber.py --seed 0      # headline: 20 forget-gate nets + 20 1997 nets
    python3 continual_embedded_reber.py --quick       # seconds; what the tests run
    python3 continual_embedded_reber.py --setting catalog   # the earlier catalog's version, timed

--setting catalog (results_catalog.json): the earlier catalog's own version for the speed
comparison: 12 blocks of 1 cell (with and without forget gates), cells and gates see
[x, y_c(t-1), 1] (cell biases too), gate biases -1 (input, output) and +1 (forget), a 7-way softmax
on [y_c, 1] with cross-entropy on the next symbol, chunks of 75 symbols with the state carried and
the gradient cut at chunk boundaries, |s| clipped at 50 after every chunk, Adam lr 0.01 clip 5,
2000 chunks; evaluation: outer T/P recall and legal-symbol argmax accuracy on a 60-string stream.

Arrays are time-major: x (L, S, N, 7) = (time, seed ensemble, streams per net, symbol). Columns of
W (S, D, H): [input gates (B) | forget gates (B, absent in the 1997 cell) | cell inputs (C) |
output gates (B)], rows [x (7), y_c(t-1) (C), 1] (cell-bias entries masked to zero in the paper's
net); V (S, 7, D) rows B T P S X V E, columns [x (7), y_c(t) (C), 1].
"""
import os
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401  (pins BLAS to one thread before numpy loads)

import numpy as np

from shared import cli
from shared.ensemble import sum_outer
from shared.gradcheck import check_gradients, rel_error
from shared.lyapunov import qr_spectrum
from shared.optim import Adam
from shared.results import finish_run
from shared.rng import streams

PAPER = ("F. A. Gers, J. Schmidhuber and F. Cummins, Learning to Forget: Continual Prediction with LSTM, "
         "Neural Computation 12(10):2451-2471, 2000 (continual embedded Reber grammar)")
SYMBOLS = "BTPSXVE"
NX = NK = 7
THRESH = 0.49
MAX_STREAMS = 30_000                                      # the paper's limit per net

# ----------------------------------------------------------------------------------------------
# Data: the continual embedded Reber stream as one finite automaton (20 states)
# ----------------------------------------------------------------------------------------------
# state -> ((symbol, next state), (symbol, next state)); one-choice states list the same pair twice.
# 0 emits the outer B; 1 the outer T/P; 2..10 the T branch, 11..19 the P branch: inner B, the five
# Reber nodes (Cleeremans et al. 1989), inner E, the repeated T/P, the final E (back to 0).


def _automaton():
    B, T, P, S, X, V, E = range(7)
    tab = {0: [(B, 1)], 1: [(T, 2), (P, 11)]}
    for base, outer in ((2, T), (11, P)):
        n = base + 1                                      # Reber node k is state n + k
        tab[base] = [(B, n)]
        tab[n + 0] = [(T, n + 1), (P, n + 2)]
        tab[n + 1] = [(S, n + 1), (X, n + 3)]
        tab[n + 2] = [(T, n + 2), (V, n + 4)]
        tab[n + 3] = [(X, n + 2), (S, n + 5)]
        tab[n + 4] = [(P, n + 3), (V, n + 5)]
        tab[n + 5] = [(E, base + 7)]
        tab[base + 7] = [(outer, base + 8)]
        tab[base + 8] = [(E, 0)]
    sym = np.array([[c[0] for c in (tab[q] * 2)[:2]] for q in range(20)])
    nxt = np.array([[c[1] for c in (tab[q] * 2)[:2]] for q in range(20)])
    legal = np.zeros((20, NK), dtype=bool)
    for q in range(20):
        legal[q, sym[q]] = True
    return sym, nxt, legal


AUTO_SYM, AUTO_NEXT, AUTO_LEGAL = _automaton()


class Streams:
    """S independent continual streams generated in blocks. ``take(n)`` -> symbols (n, S) int,
    legal next symbols (n, S, 7) bool and string starts (n, S) bool (the symbol is an outer B)."""

    def __init__(self, rng, S):
        self.rng, self.q = rng, np.zeros(S, dtype=int)

    def reset(self, which):
        self.q[which] = 0                                # a new stream starts with an outer B

    def take(self, n):
        S = len(self.q)
        ch = (self.rng.random((n, S)) < 0.5).astype(int)
        sym = np.empty((n, S), dtype=int)
        start = np.empty((n, S), dtype=bool)
        legal = np.empty((n, S, NK), dtype=bool)
        q = self.q
        for t in range(n):
            start[t] = q == 0
            sym[t] = AUTO_SYM[q, ch[t]]
            q = AUTO_NEXT[q, ch[t]]
            legal[t] = AUTO_LEGAL[q]
        self.q = q
        return sym, legal, start


def one_hot(sym):
    return np.eye(NX)[sym]


# ----------------------------------------------------------------------------------------------
# The net: memory blocks with (or without) forget gates
# ----------------------------------------------------------------------------------------------
class Arch:
    """Index bookkeeping of nb blocks of bs cells. forget: forget gates; cell_bias: cells have a
    bias (catalog); out_x: outputs see the inputs (paper) or only [y_c, 1] (catalog); out: 'sigmoid'
    (paper, squared error) or 'softmax' (catalog, cross-entropy)."""

    def __init__(self, nb, bs, forget=True, cell_bias=False, out_x=True, out="sigmoid"):
        self.nb, self.bs, self.nc, self.forget, self.out = nb, bs, nb * bs, forget, out
        nf = nb if forget else 0
        self.I = slice(0, nb)
        self.F = slice(nb, nb + nf)
        self.G = slice(nb + nf, nb + nf + self.nc)
        self.O = slice(nb + nf + self.nc, 2 * nb + nf + self.nc)
        self.H = self.O.stop
        self.D = NX + self.nc + 1
        self.R = slice(NX, NX + self.nc)                  # rows of y_c
        self.wmask = np.ones((self.D, self.H))
        if not cell_bias:
            self.wmask[-1, self.G] = 0.0
        self.vmask = np.ones((NK, self.D))
        if not out_x:
            self.vmask[:, :NX] = 0.0
        self.name = f"{nb}x{bs}" + ("" if forget else " no-forget")

    def n_weights(self):
        return int(self.wmask.sum() + self.vmask.sum())

    def block_sum(self, v):
        if self.bs == 1:
            return v
        return v.reshape(v.shape[:-1] + (self.nb, self.bs)).sum(-1)

    def per_cell(self, v):
        return v if self.bs == 1 else v.repeat(self.bs, axis=-1)


PAPER_NET = Arch(4, 2, forget=True)
PAPER_NET_1997 = Arch(4, 2, forget=False)
BIAS_STEPS = np.array([0.5, 1.0, 1.5, 2.0])


def sigmoid(z):
    return 0.5 + 0.5 * np.tanh(0.5 * z)


def h_(s):
    return np.tanh(0.5 * s)                               # 2 sigma(s) - 1


def dh_(s):
    e = np.exp(-np.abs(s))                                # h'(s) = 2 sigma'(s), safe at large |s|
    return 2.0 * e / (1.0 + e) ** 2


def dg_(g):
    return (4.0 - g * g) / 4.0                            # g'(net) written through g = 4 sigma - 2


def init_paper(a, rng, S):
    """U[-0.2, 0.2]; input/output-gate biases -0.5 .. -2.0, forget-gate biases +0.5 .. +2.0."""
    W = rng.uniform(-0.2, 0.2, size=(S, a.D, a.H)) * a.wmask
    W[:, -1, a.I] = -np.resize(BIAS_STEPS, a.nb)
    W[:, -1, a.O] = -np.resize(BIAS_STEPS, a.nb)
    if a.forget:
        W[:, -1, a.F] = np.resize(BIAS_STEPS, a.nb)
    return {"W": W, "V": rng.uniform(-0.2, 0.2, size=(S, NK, a.D)) * a.vmask}


def cell_step(a, W, u, s):
    """One step of the blocks. u (..., D) = [x, y_c(t-1), 1], s (..., C) = s(t-1).
    Returns act (..., H) (gate sigmoids; cell columns hold g), s(t), y_c(t)."""
    net = np.matmul(u[..., None, :], W[:, None] if u.ndim == 3 else W)[..., 0, :]
    act = 0.5 + 0.5 * np.tanh(0.5 * net)
    act[..., a.G] = 4.0 * act[..., a.G] - 2.0
    fc = a.per_cell(act[..., a.F]) if a.forget else 1.0
    s = fc * s + a.per_cell(act[..., a.I]) * act[..., a.G]
    yc = a.per_cell(act[..., a.O]) * h_(s)
    return act, s, yc


def readout(a, V, o):
    """o (..., D) = [x, y_c, 1] -> output net inputs z and outputs y (sigmoid or softmax)."""
    z = np.matmul(o[..., None, :], np.swapaxes(V, -1, -2)[:, None])[..., 0, :]
    if a.out == "sigmoid":
        return z, sigmoid(z)
    e = np.exp(z - z.max(-1, keepdims=True))
    return z, e / e.sum(-1, keepdims=True)


def forward(a, p, x, s0=None, y0=None):
    """x (L, S, N, 7) from state s0, y0 (S, N, C) (zeros if None). Returns cache: U (L, S, N, D)
    unit inputs, act (L, S, N, H), s (L+1, S, N, C) with s[0] = s0, O (L, S, N, D) output inputs,
    z and y (L, S, N, 7)."""
    L, S, N, _ = x.shape
    C = a.nc
    s = np.zeros((L + 1, S, N, C))
    if s0 is not None:
        s[0] = s0
    U = np.zeros((L, S, N, a.D))
    U[..., :NX] = x
    U[..., -1] = 1.0
    Oin = U.copy()
    act = np.empty((L, S, N, a.H))
    yc = np.zeros((S, N, C)) if y0 is None else y0
    for t in range(L):
        U[t, ..., a.R] = yc
        act[t], s[t + 1], yc = cell_step(a, p["W"], U[t], s[t])
        Oin[t, ..., a.R] = yc
    z, y = readout(a, p["V"], Oin)
    return {"U": U, "act": act, "s": s, "O": Oin, "z": z, "y": y, "yc_last": yc}


def grads_bptt(a, p, cache, dz, truncate=False):
    """Backpropagation through time from dz = dE/dz (L, S, N, 7) (output net inputs).

    truncate=False: the exact gradient (checked against finite differences); the initial state is
    a constant (the gradient is cut at chunk boundaries). truncate=True: the paper's truncation by
    a second route: every error reaching a unit's net input stops there; only s(t) -> s(t-1)
    (through y_f(t)) carries error back. It must equal the RTRL traces of ``rtrl_steps``.
    """
    U, act, s, W = cache["U"], cache["act"], cache["s"], p["W"]
    L = U.shape[0]
    dV = np.einsum("tsnk,tsnd->skd", dz, cache["O"])
    dyc_out = np.matmul(dz, p["V"][None])[..., a.R]
    WrT = np.swapaxes(W[:, a.R], 1, 2)                    # (S, H, C): dnet(t) -> dy_c(t-1)
    dnet = np.zeros(act.shape)
    carry = np.zeros(dyc_out.shape[1:])
    dr = np.zeros(dyc_out.shape[1:])
    for t in range(L - 1, -1, -1):
        at, st, sp = act[t], s[t + 1], s[t]
        yi, g, yo = at[..., a.I], at[..., a.G], at[..., a.O]
        dyc = dyc_out[t] if truncate else dyc_out[t] + dr
        ds = carry + dyc * a.per_cell(yo) * dh_(st)
        dn = dnet[t]
        dn[..., a.O] = a.block_sum(dyc * h_(st)) * yo * (1 - yo)
        dn[..., a.G] = ds * a.per_cell(yi) * dg_(g)
        dn[..., a.I] = a.block_sum(ds * g) * yi * (1 - yi)
        if a.forget:
            yf = at[..., a.F]
            dn[..., a.F] = a.block_sum(ds * sp) * yf * (1 - yf)
            carry = ds * a.per_cell(yf)
        else:
            carry = ds
        if not truncate:
            dr = np.matmul(dn, WrT)
    return {"W": sum_outer(U, dnet), "V": dV}          # unmasked: apply a.wmask, a.vmask to update


def new_state(a, S):
    """Zero state of S nets: s, y_c (S, C) and the traces T (S, D, k C) = ds/dw for the weights
    into the cells, the input gates and (with forget gates) the forget gates, in that order."""
    k = 3 if a.forget else 2
    return {"s": np.zeros((S, a.nc)), "yc": np.zeros((S, a.nc)), "T": np.zeros((S, a.D, k * a.nc))}


def rtrl_step(a, p, st, xt, dt, scale=None):
    """One step of the paper's online learning for S nets (one stream each), state st in place.

    xt, dt (S, 7) input and target (legal next symbols). The forward traces T = ds_c/dw of the
    weights into cell c, its input gate and its forget gate follow T <- y_f T + u (local term)
    (the truncation: no error through y_c(t-1)); weights into output gates and output units get
    one-step backprop. scale (S, 1, 1) = lr per net (0 = frozen): the weights change in place.
    Returns y (S, 7) and this step's gradients dW (S, D, H), dV (S, 7, D).
    """
    W, V, T = p["W"], p["V"], st["T"]
    C = a.nc
    s = st["s"]
    S = xt.shape[0]
    u = np.empty((S, a.D))
    u[:, :NX] = xt
    u[:, a.R] = st["yc"]
    u[:, -1] = 1.0
    act, s_new, yc = cell_step(a, W, u, s)
    yi, g, yo = act[:, a.I], act[:, a.G], act[:, a.O]
    yi_c = a.per_cell(yi)
    if a.forget:
        yf = act[:, a.F]
        fc = a.per_cell(yf)
        T *= np.tile(fc, 3)[:, None, :]
        loc = np.concatenate([yi_c * dg_(g), g * a.per_cell(yi * (1 - yi)), s * a.per_cell(yf * (1 - yf))], 1)
    else:
        loc = np.concatenate([yi_c * dg_(g), g * a.per_cell(yi * (1 - yi))], 1)
    T += u[:, :, None] * loc[:, None, :]
    st["s"], st["yc"] = s_new, yc
    hs = h_(s_new)
    o = u.copy()
    o[:, a.R] = yc
    y = sigmoid(np.matmul(V, o[:, :, None])[..., 0])
    delta = (y - dt) * y * (1 - y)
    dyc = np.matmul(delta[:, None, :], V[:, :, a.R])[:, 0]
    e_s = dyc * a.per_cell(yo) * dh_(s_new)
    TE = T * np.tile(e_s, T.shape[-1] // C)[:, None, :]
    dW = np.empty_like(W)
    dW[:, :, a.O] = u[:, :, None] * (a.block_sum(dyc * hs) * yo * (1 - yo))[:, None, :]
    dW[:, :, a.G] = TE[:, :, :C]
    nb = a.nb if not a.forget else 2 * a.nb
    dW[:, :, a.I.start:a.I.start + nb] = TE[:, :, C:].reshape(S, a.D, nb, a.bs).sum(-1)
    dW *= a.wmask
    dV = delta[:, :, None] * o[:, None, :] * a.vmask
    if scale is not None:
        W -= scale * dW
        V -= scale * dV
    return y, dW, dV


def rtrl_sum(a, p, x, d):
    """Weights held fixed: y (L, S, 7) and the RTRL gradients summed over the L steps of x, d
    (L, S, 7) from a zero state. Must equal grads_bptt(truncate=True) (the checks)."""
    st = new_state(a, x.shape[1])
    gW, gV, ys = 0.0, 0.0, []
    for t in range(len(x)):
        y, dW, dV = rtrl_step(a, p, st, x[t], d[t])
        gW, gV = gW + dW, gV + dV
        ys.append(y)
    return np.stack(ys), {"W": gW, "V": gV}


def correct(y, legal):
    """Every output unit's error below 0.49 against the legal-next-symbol target. (...,) bool."""
    return (np.abs(y - legal) < THRESH).all(-1)


def jacobians(a, p, cache):
    """J(t) = dz(t)/dz(t-1) for the state z = [s (C), y_c (C)], (L-1, S, N, 2C, 2C), t = 1..L-1."""
    act, s = cache["act"][1:], cache["s"]
    C = a.nc
    WrT = np.swapaxes(p["W"][:, a.R], 1, 2)[None, :, None]   # (1, S, 1, H, C)
    da = act * (1 - act)
    da[..., a.G] = dg_(act[..., a.G])
    dA = da[..., None] * WrT                               # d act(t) / d y_c(t-1): (..., H, C)
    rep = lambda m: m.repeat(a.bs, axis=-2)                # noqa: E731  block rows -> cell rows
    yi, g, yo = a.per_cell(act[..., a.I]), act[..., a.G], a.per_cell(act[..., a.O])
    s_prev, s_new = s[1:-1], s[2:]
    fc = a.per_cell(act[..., a.F]) if a.forget else np.ones_like(g)
    dS_dy = yi[..., None] * dA[..., a.G, :] + g[..., None] * rep(dA[..., a.I, :])
    if a.forget:
        dS_dy += s_prev[..., None] * rep(dA[..., a.F, :])
    k = (yo * dh_(s_new))[..., None]
    eye = np.eye(C)
    J = np.zeros(act.shape[:3] + (2 * C, 2 * C))
    J[..., :C, :C] = fc[..., None] * eye
    J[..., :C, C:] = dS_dy
    J[..., C:, :C] = k * fc[..., None] * eye
    J[..., C:, C:] = k * dS_dy + h_(s_new)[..., None] * rep(dA[..., a.O, :])
    return J


# ----------------------------------------------------------------------------------------------
# Test streams: symbols until the first wrong prediction
# ----------------------------------------------------------------------------------------------
def symbols_until_error(a, p, test, cap):
    """test: (sym (cap, M), legal (cap, M, 7)) for M test streams, the same for every net.
    Returns (S, M) symbols predicted correctly before the first error (cap = none)."""
    sym, legal = test
    S, M = p["W"].shape[0], sym.shape[1]
    run = np.full((S, M), cap)
    alive = np.ones((S, M), dtype=bool)
    s = np.zeros((S, M, a.nc))
    u = np.zeros((S, M, a.D))
    u[..., -1] = 1.0
    eye = np.eye(NX)
    for t in range(cap):
        u[..., :NX] = eye[sym[t]]
        _, s, yc = cell_step(a, p["W"], u, s)
        u[..., a.R] = yc
        _, y = readout(a, p["V"], u)
        bad = alive & ~correct(y, legal[t])
        run[bad] = t
        alive &= ~bad
        if not alive.any():
            break
    return run


# ----------------------------------------------------------------------------------------------
# Training: the paper's protocol, S nets in lock-step
# ----------------------------------------------------------------------------------------------
def train(a, p, rng_data, test, lr, stream_cap, budget, test_every, label="", timer=None, probe=None):
    """The paper's protocol for S nets in lock-step. Each net reads its own continual stream with
    online truncated-RTRL updates after every symbol. A training stream ends at the net's first
    wrong prediction: state and traces are reset to zero and a new stream (from an outer B)
    begins. A net whose training stream reaches stream_cap correct symbols has met the criterion
    and is frozen. Every test_every symbols every net is tested on the test streams (symbols until
    the first error). Stops after budget symbols per net or when every net is frozen."""
    S = p["W"].shape[0]
    st = new_state(a, S)
    q = np.zeros(S, dtype=int)                            # automaton state of each net's stream
    run_len = np.zeros(S, dtype=int)
    solved_at = np.full(S, -1)
    n_streams = np.zeros(S, dtype=int)
    scale = np.full((S, 1, 1), lr)
    eye = np.eye(NX)
    curve_n, curve_test, curve_train, curve_smax, snaps = [], [], [], [], []
    ended, smax = [[] for _ in range(S)], np.zeros(S)
    n = 0
    while n < budget and ((solved_at < 0) & (n_streams < MAX_STREAMS)).any():
        ch = (rng_data.random((test_every, S)) < 0.5).astype(int)
        for t in range(test_every):
            sym = AUTO_SYM[q, ch[t]]
            q = AUTO_NEXT[q, ch[t]]
            legal = AUTO_LEGAL[q]
            y, _, _ = rtrl_step(a, p, st, eye[sym], legal, scale)
            bad = ~correct(y, legal) & (solved_at < 0)
            run_len += 1
            if bad.any():
                for i in np.flatnonzero(bad):
                    ended[i].append(int(run_len[i]) - 1)
                run_len[bad] = 0
                n_streams[bad] += 1
                q[bad] = 0
                for v in st.values():
                    v[bad] = 0.0
            new = (run_len >= stream_cap) & (solved_at < 0)
            if new.any():
                solved_at[new] = n + t + 1
                scale[new] = 0.0
        gave_up = (n_streams >= MAX_STREAMS) & (solved_at < 0)
        scale[gave_up] = 0.0                              # the paper's limit of training streams
        smax = np.maximum(smax, np.abs(st["s"]).max(-1))
        n += test_every
        cli.check_finite(n, **{f"{label} W": p["W"], f"{label} V": p["V"]})
        r = symbols_until_error(a, p, test, stream_cap).mean(1)
        curve_n.append(n)
        curve_test.append(r)
        curve_train.append([np.mean(v) if v else run_len[i] for i, v in enumerate(ended)])
        curve_smax.append(smax)
        ended, smax = [[] for _ in range(S)], np.zeros(S)
        if probe is not None:
            snaps.append(probe(p))
        print(f"  {label} {n:8d} symbols  test mean {r.mean():8.1f}  best {r.max():8.1f}  "
              f"solved {int((solved_at >= 0).sum())}/{S}  {timer() if timer else 0:6.1f}s", flush=True)
    return {"solved_at": solved_at, "n_trained": n, "n_streams": n_streams, "curve_n": np.array(curve_n),
            "curve_test": np.array(curve_test), "curve_train": np.array(curve_train),
            "curve_smax": np.array(curve_smax), "snaps": snaps}


# ----------------------------------------------------------------------------------------------
# Gradient and Jacobian checks (float64)
# ----------------------------------------------------------------------------------------------
def gradient_checks(args=None):
    """Exact BPTT vs central differences (paper nets with and without forget gates, from a nonzero
    initial state; the catalog's softmax net); the truncated gradient by step-by-step BPTT with
    stop-gradients vs the forward RTRL traces (weights held fixed) on a grammar stream."""
    rng = np.random.default_rng(0)
    errs = {}
    nets = {"4x2 forget": PAPER_NET, "4x2 no-forget": PAPER_NET_1997,
            "catalog 12x1 softmax": Arch(12, 1, True, cell_bias=True, out_x=False, out="softmax")}
    for name, a in nets.items():
        T, S, N = 5, 2, 2
        x = rng.normal(size=(T, S, N, NX))
        tgt = rng.uniform(size=(T, S, N, NK))
        s0 = rng.normal(size=(S, N, a.nc))
        y0 = rng.uniform(-0.5, 0.5, size=(S, N, a.nc))
        w = 1.0 if a.out == "sigmoid" else 0.5           # the 12-cell net saturates at 1.0
        p = {k: rng.uniform(-w, w, size=v.shape) * (a.wmask if k == "W" else a.vmask)
             for k, v in init_paper(a, rng, S).items()}

        def loss(p=p, a=a, x=x, tgt=tgt, s0=s0, y0=y0):
            c = forward(a, p, x, s0, y0)
            if a.out == "sigmoid":
                return 0.5 * np.sum((c["y"] - tgt) ** 2)
            return -np.sum(tgt * np.log(c["y"]))
        c = forward(a, p, x, s0, y0)
        y = c["y"]
        dz = (y - tgt) * y * (1 - y) if a.out == "sigmoid" else y * tgt.sum(-1, keepdims=True) - tgt
        g = grads_bptt(a, p, c, dz)
        for k, v in check_gradients(loss, p, g, eps=1e-3, richardson=True).items():
            errs[f"{name} exact BPTT vs finite differences: {k}"] = v
        if a.out != "sigmoid":
            continue
        sym, legal, _ = Streams(rng, S).take(12)
        xs, ds = one_hot(sym), legal.astype(float)
        p = init_paper(a, rng, S)
        p["W"] += rng.uniform(-0.5, 0.5, size=p["W"].shape) * a.wmask
        c = forward(a, p, xs[:, :, None])
        y = c["y"]
        g1 = grads_bptt(a, p, c, (y - ds[:, :, None]) * y * (1 - y), truncate=True)
        y2, g2 = rtrl_sum(a, p, xs, ds)
        errs[f"{name} forward pass: batched vs online step"] = rel_error(y[:, :, 0], y2)
        g1 = {"W": g1["W"] * a.wmask, "V": g1["V"] * a.vmask}
        for k in g1:
            errs[f"{name} truncated: step-by-step BPTT vs RTRL traces: {k}"] = rel_error(g1[k], g2[k])
    return errs


# ----------------------------------------------------------------------------------------------
# Fingerprint: Lyapunov exponents, forget gates aligned to string ends, state drift
# ----------------------------------------------------------------------------------------------
LYAP_FLOOR = -50.0


def fingerprint(a, p, rng, n_sym, window, drift_sym, k=8):
    """Along one test stream (the same for every net, no resets, no stopping at errors):
    exponents of z = [s, y_c] over steps [n_sym - window, n_sym) (the earlier steps align the QR
    frame) -> (S, k); mean ln y_f per block at offsets -12..+3 from each string's final E ->
    (S, B, 16) (forget-gate nets); mean |s| over cells along a drift_sym-symbol stream (S, drift_sym)."""
    S = p["W"].shape[0]
    sym, legal, start = Streams(rng, 1).take(max(n_sym, drift_sym))
    x = np.ascontiguousarray(np.broadcast_to(one_hot(sym)[:, None], (len(sym), S, 1, NX)))
    c = forward(a, p, x[:n_sym])
    J = jacobians(a, p, c)[:, :, 0]                       # (n_sym - 1, S, 2C, 2C)
    ex = np.maximum(qr_spectrum(J, k=k, n_transient=n_sym - 1 - window), LYAP_FLOOR)
    lnf = None
    if a.forget:
        ends = np.flatnonzero(start[:n_sym, 0]) - 1       # the final E precedes each outer B
        ends = ends[(ends >= 12) & (ends + 4 <= n_sym)]
        lf = np.log(c["act"][..., a.F][:, :, 0])          # (n_sym, S, B)
        lnf = np.stack([lf[e - 12:e + 4] for e in ends]).mean(0).transpose(1, 2, 0)
    cd = forward(a, p, x[:drift_sym])
    drift = np.abs(cd["s"][1:, :, 0]).mean(-1).T          # (S, drift_sym)
    ok = correct(cd["y"][:, :, 0], legal[:drift_sym, 0][:, None])
    return ex, lnf, drift, ok.T, sym[:drift_sym, 0]


# ----------------------------------------------------------------------------------------------
# The earlier catalog's setting (--setting catalog)
# ----------------------------------------------------------------------------------------------
CAT = {"cells": 12, "lr": 0.01, "clip": 5.0, "chunk": 75, "state_clip": 50.0, "chunks": 2000,
       "eval_strings": 60}


def catalog_loss_grads(a, p, x, tgt, s0, y0):
    """The catalog nets' forward pass and exact BPTT of the summed softmax cross-entropy, written for
    speed (one-cell blocks, every local derivative computed for all steps at once; the loop keeps
    only the recurrences). x, tgt (L, S, N, 7); s0, y0 (S, N, C) the carried state (a constant: the
    gradient is cut at the chunk boundary). Must equal forward + grads_bptt (a test checks it).
    Returns the gradients {"W", "V"} (unmasked), s(L) and y_c(L)."""
    L, S, N, _ = x.shape
    C, W, V = a.nc, p["W"], p["V"]
    U = np.empty((L + 1, S, N, a.D))
    U[:L, ..., :NX] = x
    U[..., -1] = 1.0
    U[0, ..., a.R] = y0
    Z = np.empty((L, S, N, a.H))
    St = np.empty((L + 1, S, N, C))
    St[0] = s0
    HS = np.empty((L, S, N, C))
    Wh = 0.5 * W[:, None]
    gI, gF, gG, gO = a.I, a.F, a.G, a.O
    for t in range(L):
        z = Z[t]
        np.matmul(U[t, ..., None, :], Wh, out=z[..., None, :])
        np.tanh(z, out=z)
        ig = (z[..., gI] + 1.0) * z[..., gG]              # y_in g = (1 + tanh) / 2 * 2 tanh
        if a.forget:
            st = St[t] * (0.5 * z[..., gF] + 0.5)
            st += ig
            St[t + 1] = st
        else:
            np.add(St[t], ig, out=St[t + 1])
        np.tanh(0.5 * St[t + 1], out=HS[t])
        np.multiply(0.5 * z[..., gO] + 0.5, HS[t], out=U[t + 1, ..., a.R])
    SG = 0.5 * Z + 0.5
    Oin = U[1:].copy()
    Oin[..., :NX] = x
    zo = np.matmul(Oin[..., None, :], np.swapaxes(V, 1, 2)[:, None])[..., 0, :]
    e = np.exp(zo - zo.max(-1, keepdims=True))
    dz = e / e.sum(-1, keepdims=True) * tgt.sum(-1, keepdims=True) - tgt
    gV = np.einsum("tsnk,tsnd->skd", dz, Oin)
    dY = np.matmul(dz, V[None])[..., a.R]
    D = SG * (1.0 - SG)
    g = 2.0 * Z[..., gG]
    A = SG[..., gO] * 0.5 * (1.0 - HS * HS)               # dy_c/ds = y_out h'(s)
    B = np.empty_like(Z)
    B[..., gI] = g * D[..., gI]
    B[..., gG] = SG[..., gI] * (1.0 - Z[..., gG] ** 2)    # y_in g'(net), g' = 1 - tanh^2
    B[..., gO] = HS * D[..., gO]
    if a.forget:
        B[..., gF] = St[:L] * D[..., gF]
        Fn = SG[..., gF]
    WrT = np.swapaxes(W[:, a.R], 1, 2)[:, None]           # (S, 1, H, C)
    dZ = np.empty_like(Z)
    ds = np.zeros((S, N, C))
    Q = np.empty((S, N, a.H))
    for t in range(L - 1, -1, -1):
        dh = dY[t] if t == L - 1 else dY[t] + np.matmul(dZ[t + 1][..., None, :], WrT)[..., 0, :]
        if a.forget and t < L - 1:
            ds = ds * Fn[t + 1] + dh * A[t]
        else:
            ds = ds + dh * A[t]
        Q[..., :gO.start] = np.tile(ds, gO.start // C)
        Q[..., gO] = dh
        np.multiply(Q, B[t], out=dZ[t])
    return {"W": sum_outer(U[:L], dZ), "V": gV}, St[L], U[L, ..., a.R]


def catalog_run(args):
    """12x1 blocks with and without forget gates, softmax + cross-entropy, Adam, chunked BPTT."""
    q = args.quick
    S = args.catalog_nets
    n_chunks = 20 if q else CAT["chunks"]
    r = streams(args.seed, ["init", "data", "eval"])
    ev_sym, ev_legal, ev_start = Streams(r["eval"], 1).take(10_000)
    n_ev = np.flatnonzero(ev_start[:, 0])[CAT["eval_strings"]]   # the first 60 strings
    ev_sym, ev_legal = ev_sym[:n_ev, 0], ev_legal[:n_ev, 0]
    recall = ev_legal.sum(-1) == 1
    recall &= ev_legal[:, 1] | ev_legal[:, 2]                     # legal set {T} or {P}: the recall step
    metrics, headline, arrays, timing = {}, [], {}, {}
    for forget in (True, False):
        t0 = cli.Timer()
        a = Arch(CAT["cells"], 1, forget, cell_bias=True, out_x=False, out="softmax")
        key = "forget" if forget else "no_forget"
        p = {"W": r["init"].uniform(-0.2, 0.2, size=(S, a.D, a.H)),
             "V": r["init"].uniform(-0.2, 0.2, size=(S, NK, a.D)) * a.vmask}
        p["W"][:, -1, a.G] = 0.0
        p["W"][:, -1, a.I] = p["W"][:, -1, a.O] = -1.0
        if forget:
            p["W"][:, -1, a.F] = 1.0
        opt = Adam(p, lr=CAT["lr"], clip=CAT["clip"], per_member=True)
        gen = Streams(r["data"], S)
        cur = gen.take(1)[0][0]
        s0, y0 = np.zeros((S, 1, a.nc)), np.zeros((S, 1, a.nc))
        for k in range(n_chunks):
            nxt = gen.take(CAT["chunk"])[0]
            inp = np.concatenate([cur[None], nxt[:-1]])
            cur = nxt[-1]
            xin, tgt = one_hot(inp)[:, :, None], one_hot(nxt)[:, :, None]
            g, s_end, y0 = catalog_loss_grads(a, p, xin, tgt, s0, y0)
            g["W"] *= a.wmask
            g["V"] *= a.vmask
            opt.step(g)
            s0 = np.clip(s_end, -CAT["state_clip"], CAT["state_clip"])
            cli.check_finite(k, **{f"catalog {key} W": p["W"]})
        xe = np.ascontiguousarray(np.broadcast_to(one_hot(ev_sym)[:, None, None], (n_ev, S, 1, NX)))
        ce = forward(a, p, xe)
        arg = ce["y"][:, :, 0].argmax(-1)                          # (n_ev, S)
        lg = np.broadcast_to(ev_legal[:, None], (n_ev, S, NK))
        hit = np.take_along_axis(lg, arg[..., None], -1)[..., 0]
        m = {"weights": a.n_weights(), "legal_acc": hit.mean(0).tolist(),
             "outer_acc": hit[recall].mean(0).tolist(),
             "cell_norm_at_end": np.linalg.norm(ce["s"][-1, :, 0], axis=-1).tolist()}
        metrics[key] = m
        timing[key] = t0()
        arrays[f"{key}_outer_acc"] = np.array(m["outer_acc"])
        print(f"  catalog {key}: outer T/P acc {np.mean(m['outer_acc']):.3f}, "
              f"legal {np.mean(m['legal_acc']):.3f}, "
              f"|s| {np.mean(m['cell_norm_at_end']):.2f}, {timing[key]:.1f}s", flush=True)
    f_, n_ = metrics["forget"], metrics["no_forget"]
    headline.append({"name": "earlier catalog's setting: outer T/P recall on 60 strings, "
                             f"forget vs no forget "
                             f"({S} net{'s' if S > 1 else ''} each)",
                     "value": f"{np.mean(f_['outer_acc']):.3f} vs {np.mean(n_['outer_acc']):.3f}",
                     "paper_value": None,
                     "verdict": "partial" if np.mean(f_["outer_acc"]) > np.mean(n_["outer_acc"]) else "no",
                     "note": "earlier catalog (seed 0): 1.000 vs 0.500; a much easier test than the paper's "
                             "10^6-symbol criterion, so partial at best"})
    metrics["timing"] = {"kind_wall_s": timing, "catalog_wall_s_here": 16.39,
                         "load_average_1min_at_end": os.getloadavg()[0]}
    cfg = {"setting": "catalog", "n_seeds": S, **CAT, "chunks": n_chunks,
           "init": "U[-0.2, 0.2]; input/output-gate biases -1, forget +1, cell bias 0",
           "loss": "softmax cross-entropy of the next symbol", "gradient": "exact BPTT within chunks"}
    return cfg, metrics, headline, arrays


# ----------------------------------------------------------------------------------------------
# Headline run
# ----------------------------------------------------------------------------------------------
def main(args):
    timer = cli.Timer()
    q = args.quick
    if args.setting == "catalog":
        cfg, metrics, headline, arrays = catalog_run(args)
        finish_run(args.out, {
            "stub": "continual-embedded-reber", "family": "schmidhuber",
            "title": "Continual embedded Reber grammar: the earlier catalog's setting", "paper": PAPER,
            "seed": args.seed, "quick": bool(q), "config": cfg, "metrics": metrics, "headline": headline,
            "lyapunov": None}, arrays, timer)
        return
    S = 3 if q else args.n_nets
    cap = 200 if q else args.stream_cap
    budget = 2_000 if q else args.max_symbols
    every = 1_000 if q else args.test_every
    n_test, n_lyap, window, n_drift = (3, 120, 60, 400) if q else (10, 1_200, 1_000, 20_000)
    cfg = {"n_seeds": S, "stream_cap": cap, "paper_stream_cap": 1_000_000, "max_symbols": budget,
           "test_every": every, "n_test_streams": n_test, "lr": args.lr, "threshold": THRESH,
           "weights": {"forget": PAPER_NET.n_weights(), "no_forget": PAPER_NET_1997.n_weights()},
           "init": "U[-0.2, 0.2]; input- and output-gate biases -0.5, -1.0, -1.5, -2.0; forget-gate "
                   "biases +0.5, +1.0, +1.5, +2.0 (block by block); no cell bias",
           "target": "1 for every legal next symbol, 0 otherwise; squared error",
           "update": "truncated RTRL, weights changed after every symbol, no momentum, no decay",
           "lyapunov_window": window, "drift_symbols": n_drift}
    r = streams(args.seed, ["init", "data", "test", "eval"])
    test = Streams(r["test"], n_test).take(cap)[:2]
    probe_sym = Streams(np.random.default_rng(r["eval"].integers(2**32)), 1).take(48)[0][:, 0]
    probe_x = one_hot(probe_sym)[:, None, None]
    print(f"continual embedded Reber: {S} nets per kind, stream cap {cap:,} (paper 10^6), budget {budget:,} "
          f"symbols per net, weights {cfg['weights']}")
    metrics, headline, arrays, lyap, timing = {}, [], {"probe_sym": probe_sym}, {}, {}
    for a, key in ((PAPER_NET, "forget"), (PAPER_NET_1997, "no_forget")):
        t_k = cli.Timer()
        p = init_paper(a, r["init"], S)

        def probe(p, a=a):
            c = forward(a, {k: v[:1] for k, v in p.items()}, probe_x)
            return np.concatenate([c["s"][1:, 0, 0], c["y"][:, 0, 0]], -1)
        out = train(a, p, r["data"], test, args.lr, cap, budget, every, label=key, timer=timer, probe=probe)
        st = out["solved_at"]
        ok = st >= 0
        final = symbols_until_error(a, p, test, cap)
        ex, lnf, drift, dok, dsym = fingerprint(a, p, r["eval"], n_lyap, window, n_drift)
        edge = min(1_000, n_drift // 4)                    # 1,000 symbols (100 in --quick)
        lyap[key] = np.sort(ex.mean(0))[::-1].tolist()
        m = {"weights": a.n_weights(), "solved_at": st.tolist(), "n_solved": int(ok.sum()),
             "fraction_solved": float(ok.mean()),
             "mean_symbols_to_criterion": float(st[ok].mean()) if ok.any() else None,
             "training_streams": out["n_streams"].tolist(), "symbols_trained": int(out["n_trained"]),
             "test_symbols_until_error_final": final.mean(1).tolist(),
             "test_symbols_until_error_final_mean": float(final.mean()),
             "test_streams_reaching_cap": int((final >= cap).sum()),
             "top_exponent_per_net": ex[:, 0].tolist(),
             "mean_abs_state_drift_stream": {"first_1000": float(drift[:, :edge].mean()),
                                             "last_1000": float(drift[:, -edge:].mean()),
                                             "max": float(drift.max())},
             "drift_stream_correct_fraction": dok.mean(1).tolist()}
        if lnf is not None:
            m["mean_ln_forget_gate_at_final_E"] = lnf[:, :, 12].mean(0).tolist()
            m["mean_ln_forget_gate_inside_string"] = lnf[:, :, :10].mean((0, 2)).tolist()
            arrays[f"{key}_lnf"] = lnf
        metrics[key] = m
        arrays.update({f"{key}_curve_n": out["curve_n"], f"{key}_curve_test": out["curve_test"],
                       f"{key}_curve_train": out["curve_train"], f"{key}_curve_smax": out["curve_smax"],
                       f"{key}_solved_at": st, f"{key}_drift": drift[:, ::10], f"{key}_lyap": ex,
                       f"{key}_snaps": np.stack(out["snaps"])})
        timing[key] = t_k()
        print(f"  {key}: {m['n_solved']}/{S} reached the cap, final test mean "
              f"{m['test_symbols_until_error_final_mean']:.1f}, lambda1 {lyap[key][0]:.3f}, "
              f"{timing[key]:.1f}s")
    f_, n_ = metrics["forget"], metrics["no_forget"]
    verdict_f = "partial" if f_["n_solved"] else "no"
    headline.append({
        "name": "forget-gate nets (4x2, 424 weights) meeting the stream criterion "
                f"({cap:,} symbols without error)",
        "value": f"{f_['n_solved']}/{S} ({100 * f_['fraction_solved']:.0f} %)",
        "paper_value": "18 % of 100 nets (10^6 symbols; 62 % with lr decay)", "verdict": verdict_f,
        "note": f"cap {cap:,} = {cap / 1e6:.0%} of the paper's 10^6 symbols; "
                f"budget {budget:,} symbols per net; "
                f"lr {args.lr:g} constant; mean symbols to criterion "
                + (f"{f_['mean_symbols_to_criterion']:,.0f}" if f_["n_solved"] else "none")})
    headline.append({
        "name": "1997 nets (no forget gate, 360 weights) meeting the same criterion",
        "value": f"{n_['n_solved']}/{S}", "paper_value": "standard LSTM without resets fails",
        "verdict": "yes" if n_["n_solved"] == 0 and f_["n_solved"] > 0 else ("partial" if n_["n_solved"] <
                                                                             f_["n_solved"] else "no"),
        "note": "same protocol, cap and budget"})
    headline.append({
        "name": "test symbols until first error at the end, forget vs 1997 (mean of 10 streams x nets)",
        "value": f"{f_['test_symbols_until_error_final_mean']:,.0f} vs "
                 f"{n_['test_symbols_until_error_final_mean']:,.0f}",
        "paper_value": None, "verdict": "yes" if f_["test_symbols_until_error_final_mean"] >
        10 * n_["test_symbols_until_error_final_mean"] else "partial",
        "note": f"test streams capped at {cap:,}"})
    d_f, d_n = f_["mean_abs_state_drift_stream"], n_["mean_abs_state_drift_stream"]
    headline.append({
        "name": f"mean |s| over the last {min(1_000, n_drift // 4):,} of {n_drift:,} symbols, forget vs 1997",
        "value": f"{d_f['last_1000']:.2f} vs {d_n['last_1000']:.2f}",
        "paper_value": "no-forget states grow without bound; forget-gate states stay bounded",
        "verdict": "yes" if d_n["last_1000"] > 3 * d_f["last_1000"] else "partial",
        "note": f"first {min(1_000, n_drift // 4):,} symbols: "
                f"{d_f['first_1000']:.2f} vs {d_n['first_1000']:.2f}"})
    metrics["timing"] = {"kind_wall_s": timing, "load_average_1min_at_end": os.getloadavg()[0],
                         "cpu_s": float(sum(os.times()[:2]))}
    lyapunov = {"method": (f"QR iteration of the Jacobian of z = [s, y_c] (16 dims) along one test stream of "
                           f"{n_lyap:,} symbols (no resets), exponents per symbol over the last {window:,} "
                           f"(the earlier steps align the frame), floored at {LYAP_FLOOR:g}; mean over nets"),
                "exponents": lyap}
    finish_run(args.out, {
        "stub": "continual-embedded-reber", "family": "schmidhuber",
        "title": "Continual embedded Reber grammar (Learning to Forget, 2000)", "paper": PAPER,
        "seed": args.seed, "quick": bool(q), "config": cfg, "metrics": metrics, "headline": headline,
        "lyapunov": lyapunov}, arrays, timer)


def build_parser():
    parser = cli.make_parser(__doc__, __file__, settings={
        "paper": "the paper's protocol with the stream cap lowered (the headline)",
        "catalog": "the earlier catalog's 12-cell nets with Adam and chunked BPTT, timed"})
    parser.add_argument("--n-nets", type=cli.positive_int, default=20, help="nets per kind, trained at once")
    parser.add_argument("--stream-cap", type=cli.positive_int, default=10_000,
                        help="symbols without error that meet the criterion (paper: 10^6)")
    parser.add_argument("--max-symbols", type=cli.positive_int, default=250_000,
                        help="training budget in symbols per net")
    parser.add_argument("--test-every", type=cli.positive_int, default=25_000,
                        help="test every net on the test streams after this many training symbols")
    parser.add_argument("--lr", type=cli.positive_float, default=0.5, help="learning rate (paper: 0.5)")
    parser.add_argument("--catalog-nets", type=cli.positive_int, default=1,
                        help="--setting catalog only: nets per kind trained at once")
    return parser


if __name__ == "__main__":
    np.seterr(over="ignore", invalid="ignore")
    cli.run(main, build_parser(), gradcheck=gradient_checks)
