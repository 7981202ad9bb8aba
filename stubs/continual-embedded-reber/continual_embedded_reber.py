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

Net (the paper's): the memory-block LSTM of the family core shared/lstm_gers (forward, exact and
truncated BPTT, Jacobians), with forget gates and without peepholes. 7 inputs, 4 memory blocks of
2 cells, each block with an input, a forget and an output gate; cells see the inputs and all cells
(no bias); gates see the inputs and all cells plus a bias; the 7 logistic outputs see the inputs
and all cells plus a bias: 4*2*15 + 12*16 + 7*16 = 424 weights. Weights U[-0.2, 0.2]; input-gate
and output-gate biases -0.5, -1.0, -1.5, -2.0 and forget-gate biases +0.5, +1.0, +1.5, +2.0, block
by block.

    u(t) = [x(t), y_c(t-1), 1]
    s_c(t) = y_f(t) s_c(t-1) + y_in(t) g(net_c(t))     g = 4 sigma - 2, range [-2, 2]
    y_c(t) = y_out(t) h(s_c(t))                        h = 2 sigma - 1, range [-1, 1]
    y_k(t) = sigma(v_k . [x(t), y_c(t), 1])

The 1997 cell ("--no forget gate", the baseline) is the same net with y_f = 1 (360 weights).

Learning (this stub's own, written here): truncated RTRL, online, weights changed after every
symbol at lr 0.5 (no momentum, no decay): the forward traces ds/dw of weights into cells, input
gates and forget gates are multiplied by the forget gate at every step; output gates and output
units get one-step backprop.

    python3 continual_embedded_reber.py --seed 0      # headline: 20 forget-gate nets + 20 1997 nets
    python3 continual_embedded_reber.py --quick       # seconds; what the tests run
    python3 continual_embedded_reber.py --setting catalog   # the earlier catalog's version
                                                            # (continual_embedded_reber_catalog.py)

Arrays are time-major: x (L, S, N, 7) = (time, seed ensemble, streams per net, symbol). Columns of
W (S, D, H): [input gates (B) | forget gates (B, absent in the 1997 cell) | cell inputs (C) |
output gates (B)], rows [x (7), y_c(t-1) (C), 1] (cell-bias entries masked to zero in the paper's
net); V (S, 7, D) rows B T P S X V E, columns [x (7), y_c(t) (C), 1].
"""
import os
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
import shared  # noqa: F401  (pins BLAS to one thread before numpy loads)

import numpy as np

from shared import cli
from shared.gradcheck import check_gradients, rel_error
from shared.lstm_gers import lstm
from shared.lstm_gers.lstm import sigmoid
from shared.lyapunov import qr_spectrum
from shared.results import finish_run, record
from shared.rng import streams

PAPER = ("F. A. Gers, J. Schmidhuber and F. Cummins, Learning to Forget: Continual Prediction with LSTM, "
         "Neural Computation 12(10):2451-2471, 2000 (continual embedded Reber grammar)")
TITLE = "Continual embedded Reber grammar (Learning to Forget, 2000)"
SYMBOLS = "BTPSXVE"
NX = NK = 7
THRESH = 0.49
MAX_STREAMS = 30_000                                      # the paper's limit per net
QUICK = {"n_nets": 3, "stream_cap": 200, "max_symbols": 2_000, "test_every": 1_000}
# test streams, Lyapunov stream and window, drift stream (not flags): quick and full sizes
PROBE_SIZES = {True: {"n_test": 3, "n_lyap": 120, "window": 60, "n_drift": 400},
               False: {"n_test": 10, "n_lyap": 1_200, "window": 1_000, "n_drift": 20_000}}

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
# The net: memory blocks with (or without) forget gates (shared/lstm_gers)
# ----------------------------------------------------------------------------------------------
# g and h in the logistic form of the 2000 paper, one vector-matrix product per row (the online
# step's layout): the recorded runs' arithmetic
PAPER_NET = lstm.Cell(NX, 4, 2, forget=True, squash=lstm.LOGISTIC_2000, rows=True)
PAPER_NET_1997 = lstm.Cell(NX, 4, 2, forget=False, squash=lstm.LOGISTIC_2000, rows=True)
BIAS_STEPS = np.array([0.5, 1.0, 1.5, 2.0])


def init_paper(a, rng, S):
    """U[-0.2, 0.2]; input/output-gate biases -0.5 .. -2.0, forget-gate biases +0.5 .. +2.0."""
    W = rng.uniform(-0.2, 0.2, size=(S, a.D, a.H)) * a.wmask
    W[:, -1, a.I] = -np.resize(BIAS_STEPS, a.nb)
    W[:, -1, a.O] = -np.resize(BIAS_STEPS, a.nb)
    if a.forget:
        W[:, -1, a.F] = np.resize(BIAS_STEPS, a.nb)
    return {"W": W, "V": rng.uniform(-0.2, 0.2, size=(S, NK, a.D)) * a.vmask}


# ----------------------------------------------------------------------------------------------
# The paper's learning rule: truncated RTRL, one symbol at a time
# ----------------------------------------------------------------------------------------------
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
    sq = a.squash
    C = a.nc
    s = st["s"]
    S = xt.shape[0]
    u = np.empty((S, a.D))
    u[:, :NX] = xt
    u[:, a.R] = st["yc"]
    u[:, -1] = 1.0
    act, s_new, yc = lstm.step(a, p, u, s)
    yi, g, yo = act[:, a.I], act[:, a.G], act[:, a.O]
    yi_c = a.per_cell(yi)
    if a.forget:
        yf = act[:, a.F]
        fc = a.per_cell(yf)
        T *= np.tile(fc, 3)[:, None, :]
        loc = np.concatenate([yi_c * sq.dg(g), g * a.per_cell(yi * (1 - yi)), s * a.per_cell(yf * (1 - yf))],
                             1)
    else:
        loc = np.concatenate([yi_c * sq.dg(g), g * a.per_cell(yi * (1 - yi))], 1)
    T += u[:, :, None] * loc[:, None, :]
    st["s"], st["yc"] = s_new, yc
    hs = sq.h(s_new)
    o = u.copy()
    o[:, a.R] = yc
    y = sigmoid(np.matmul(V, o[:, :, None])[..., 0])
    delta = (y - dt) * y * (1 - y)
    dyc = np.matmul(delta[:, None, :], V[:, :, a.R])[:, 0]
    e_s = dyc * a.per_cell(yo) * sq.dh(s_new)
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
        _, s, yc = lstm.step(a, p, u, s)
        u[..., a.R] = yc
        _, y = lstm.readout(a, p["V"], u)
        bad = alive & ~correct(y, legal[t])
        run[bad] = t
        alive &= ~bad
        if not alive.any():
            break
    return run


# ----------------------------------------------------------------------------------------------
# Training: the paper's protocol, S nets in lock-step
# ----------------------------------------------------------------------------------------------
def train(a, p, rng_data, test, lr, stream_cap, budget, test_every, label="", probe=None):
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
    n, t_loop = 0, cli.Timer()
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
              f"solved {int((solved_at >= 0).sum())}/{S}  {cli.progress(n, budget, t_loop())}", flush=True)
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
            "catalog 12x1 softmax": setting_module("catalog").catalog_cell(True)}
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
            c = lstm.forward(a, p, x, s0, y0)
            if a.out == "sigmoid":
                return 0.5 * np.sum((c["y"] - tgt) ** 2)
            return -np.sum(tgt * np.log(c["y"]))
        c = lstm.forward(a, p, x, s0, y0)
        y = c["y"]
        dz = (y - tgt) * y * (1 - y) if a.out == "sigmoid" else y * tgt.sum(-1, keepdims=True) - tgt
        g = lstm.grads_bptt(a, p, c, dz)
        for k, v in check_gradients(loss, p, g, eps=1e-3, richardson=True).items():
            errs[f"{name} exact BPTT vs finite differences: {k}"] = v
        if a.out != "sigmoid":
            continue
        sym, legal, _ = Streams(rng, S).take(12)
        xs, ds = one_hot(sym), legal.astype(float)
        p = init_paper(a, rng, S)
        p["W"] += rng.uniform(-0.5, 0.5, size=p["W"].shape) * a.wmask
        c = lstm.forward(a, p, xs[:, :, None])
        y = c["y"]
        g1 = lstm.grads_bptt(a, p, c, (y - ds[:, :, None]) * y * (1 - y), truncate=True)
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
    c = lstm.forward(a, p, x[:n_sym])
    J = lstm.jacobians(a, p, c)[:, :, 0]                       # (n_sym - 1, S, 2C, 2C)
    ex = np.maximum(qr_spectrum(J, k=k, n_transient=n_sym - 1 - window), LYAP_FLOOR)
    lnf = None
    if a.forget:
        ends = np.flatnonzero(start[:n_sym, 0]) - 1       # the final E precedes each outer B
        ends = ends[(ends >= 12) & (ends + 4 <= n_sym)]
        lf = np.log(c["act"][..., a.F][:, :, 0])          # (n_sym, S, B)
        lnf = np.stack([lf[e - 12:e + 4] for e in ends]).mean(0).transpose(1, 2, 0)
    cd = lstm.forward(a, p, x[:drift_sym])
    drift = np.abs(cd["s"][1:, :, 0]).mean(-1).T          # (S, drift_sym)
    ok = correct(cd["y"][:, :, 0], legal[:drift_sym, 0][:, None])
    return ex, lnf, drift, ok.T, sym[:drift_sym, 0]


# ----------------------------------------------------------------------------------------------
# Headline run
# ----------------------------------------------------------------------------------------------
def paper_config(args, sizes):
    return {"n_seeds": args.n_nets, "stream_cap": args.stream_cap, "paper_stream_cap": 1_000_000,
            "max_symbols": args.max_symbols, "test_every": args.test_every, "n_test_streams": sizes["n_test"],
            "lr": args.lr, "threshold": THRESH,
            "weights": {"forget": PAPER_NET.n_weights(), "no_forget": PAPER_NET_1997.n_weights()},
            "init": "U[-0.2, 0.2]; input- and output-gate biases -0.5, -1.0, -1.5, -2.0; forget-gate "
                    "biases +0.5, +1.0, +1.5, +2.0 (block by block); no cell bias",
            "target": "1 for every legal next symbol, 0 otherwise; squared error",
            "update": "truncated RTRL, weights changed after every symbol, no momentum, no decay",
            "lyapunov_window": sizes["window"], "drift_symbols": sizes["n_drift"]}


def kind_metrics(a, out, final, cap, ex, lnf, drift, dok, edge):
    st = out["solved_at"]
    ok = st >= 0
    m = {"weights": a.n_weights(), "solved_at": st.tolist(), "n_solved": int(ok.sum()),
         "fraction_solved": float(ok.mean()),
         "mean_symbols_to_criterion": float(st[ok].mean()) if ok.any() else None,
         "training_streams": out["n_streams"].tolist(), "symbols_trained": int(out["n_trained"]),
         "test_symbols_until_error_final": final.mean(1).tolist(),
         "test_symbols_until_error_final_mean": float(final.mean()),
         "test_streams_reaching_cap": int((final >= cap).sum()),
         "top_exponent_per_net": ex[:, 0].tolist(),
         # keys name the full run's 1,000-symbol edges; --quick uses n_drift / 4
         "mean_abs_state_drift_stream": {"first_1000": float(drift[:, :edge].mean()),
                                         "last_1000": float(drift[:, -edge:].mean()),
                                         "max": float(drift.max())},
         "drift_stream_correct_fraction": dok.mean(1).tolist()}
    if lnf is not None:
        m["mean_ln_forget_gate_at_final_E"] = lnf[:, :, 12].mean(0).tolist()
        m["mean_ln_forget_gate_inside_string"] = lnf[:, :, :10].mean((0, 2)).tolist()
    return m


def kind_arrays(key, out, drift, ex, lnf):
    arrays = {} if lnf is None else {f"{key}_lnf": lnf}
    arrays.update({f"{key}_curve_n": out["curve_n"], f"{key}_curve_test": out["curve_test"],
                   f"{key}_curve_train": out["curve_train"], f"{key}_curve_smax": out["curve_smax"],
                   f"{key}_solved_at": out["solved_at"], f"{key}_drift": drift[:, ::10], f"{key}_lyap": ex,
                   f"{key}_snaps": np.stack(out["snaps"])})
    return arrays


def run_kind(a, key, args, sizes, r, test, probe_x):
    """Train S nets of one kind (forget gates or the 1997 cell), test them, fingerprint them.
    Returns metrics, arrays and the mean Lyapunov exponents."""
    p = init_paper(a, r["init"], args.n_nets)

    def probe(p):
        c = lstm.forward(a, {k: v[:1] for k, v in p.items()}, probe_x)
        return np.concatenate([c["s"][1:, 0, 0], c["y"][:, 0, 0]], -1)
    out = train(a, p, r["data"], test, args.lr, args.stream_cap, args.max_symbols, args.test_every, label=key,
                probe=probe)
    final = symbols_until_error(a, p, test, args.stream_cap)
    ex, lnf, drift, dok, _ = fingerprint(a, p, r["eval"], sizes["n_lyap"], sizes["window"], sizes["n_drift"])
    edge = min(1_000, sizes["n_drift"] // 4)              # 1,000 symbols (100 in --quick)
    m = kind_metrics(a, out, final, args.stream_cap, ex, lnf, drift, dok, edge)
    return m, kind_arrays(key, out, drift, ex, lnf), np.sort(ex.mean(0))[::-1].tolist()


def verdict_forget(n_solved):
    """partial at best: the stream criterion is a fraction of the paper's 10^6 symbols."""
    return "partial" if n_solved else "no"


def verdict_1997(n_1997, n_forget):
    """yes when no 1997 net meets the criterion and some forget-gate net does."""
    if n_1997 == 0 and n_forget > 0:
        return "yes"
    return "partial" if n_1997 < n_forget else "no"


def verdict_test_run(mean_forget, mean_1997):
    """yes when the forget-gate nets run ten times longer without error on the test streams."""
    return "yes" if mean_forget > 10 * mean_1997 else "partial"


def verdict_drift(drift_forget, drift_1997):
    """yes when the 1997 states end three times larger than the forget-gate states."""
    return "yes" if drift_1997 > 3 * drift_forget else "partial"


def paper_headline(f_, n_, cfg):
    S, cap, budget, n_drift = cfg["n_seeds"], cfg["stream_cap"], cfg["max_symbols"], cfg["drift_symbols"]
    edge = min(1_000, n_drift // 4)
    d_f, d_n = f_["mean_abs_state_drift_stream"], n_["mean_abs_state_drift_stream"]
    return [
        {"name": "forget-gate nets (4x2, 424 weights) meeting the stream criterion "
                 f"({cap:,} symbols without error)",
         "value": f"{f_['n_solved']}/{S} ({100 * f_['fraction_solved']:.0f} %)",
         "paper_value": "18 % of 100 nets (10^6 symbols; 62 % with lr decay)",
         "verdict": verdict_forget(f_["n_solved"]),
         "note": f"cap {cap:,} = {cap / 1e6:.0%} of the paper's 10^6 symbols; budget {budget:,} symbols per "
                 f"net; lr {cfg['lr']:g} constant; mean symbols to criterion "
                 + (f"{f_['mean_symbols_to_criterion']:,.0f}" if f_["n_solved"] else "none")},
        {"name": "1997 nets (no forget gate, 360 weights) meeting the same criterion",
         "value": f"{n_['n_solved']}/{S}", "paper_value": "standard LSTM without resets fails",
         "verdict": verdict_1997(n_["n_solved"], f_["n_solved"]), "note": "same protocol, cap and budget"},
        {"name": "test symbols until first error at the end, forget vs 1997 "
                 f"(mean of {cfg['n_test_streams']} streams x nets)",
         "value": f"{f_['test_symbols_until_error_final_mean']:,.0f} vs "
                  f"{n_['test_symbols_until_error_final_mean']:,.0f}",
         "paper_value": None,
         "verdict": verdict_test_run(f_["test_symbols_until_error_final_mean"],
                                     n_["test_symbols_until_error_final_mean"]),
         "note": f"test streams capped at {cap:,}"},
        {"name": f"mean |s| over the last {edge:,} of {n_drift:,} symbols, forget vs 1997",
         "value": f"{d_f['last_1000']:.2f} vs {d_n['last_1000']:.2f}",
         "paper_value": "no-forget states grow without bound; forget-gate states stay bounded",
         "verdict": verdict_drift(d_f["last_1000"], d_n["last_1000"]),
         "note": f"first {edge:,} symbols: {d_f['first_1000']:.2f} vs {d_n['first_1000']:.2f}"}]


def lyapunov_record(sizes, lyap):
    return {"method": (f"QR iteration of the Jacobian of z = [s, y_c] (16 dims) along one test stream of "
                       f"{sizes['n_lyap']:,} symbols (no resets), exponents per symbol over the last "
                       f"{sizes['window']:,} (the earlier steps align the frame), floored at {LYAP_FLOOR:g}; "
                       f"mean over nets"),
            "exponents": lyap}


def setting_module(name):
    """continual_embedded_reber_<name>.py beside this file, imported on demand. It imports this file
    by its module name: a script run registers itself under that name first (no second execution)."""
    return cli.load_sibling(__file__, f"continual_embedded_reber_{name}", globals())


def main(args):
    timer = cli.Timer()
    if args.setting != "paper":
        setting_module(args.setting).run(args, timer)
        return
    cli.quick(args, **QUICK)
    sizes = PROBE_SIZES[bool(args.quick)]
    cfg = paper_config(args, sizes)
    r = streams(args.seed, ["init", "data", "test", "eval"])
    test = Streams(r["test"], sizes["n_test"]).take(args.stream_cap)[:2]
    # the probe stream's generator is seeded by one draw from "eval" (kept: the recorded runs used it)
    probe_sym = Streams(np.random.default_rng(r["eval"].integers(2**32)), 1).take(48)[0][:, 0]
    probe_x = one_hot(probe_sym)[:, None, None]
    print(f"continual embedded Reber: {args.n_nets} nets per kind, stream cap {args.stream_cap:,} "
          f"(paper 10^6), budget {args.max_symbols:,} symbols per net, weights {cfg['weights']}")
    metrics, arrays, lyap, timing = {}, {"probe_sym": probe_sym}, {}, {}
    for a, key in ((PAPER_NET, "forget"), (PAPER_NET_1997, "no_forget")):
        t_k = cli.Timer()
        metrics[key], arr, lyap[key] = run_kind(a, key, args, sizes, r, test, probe_x)
        arrays.update(arr)
        timing[key] = t_k()
        m = metrics[key]
        print(f"  {key}: {m['n_solved']}/{args.n_nets} reached the cap, final test mean "
              f"{m['test_symbols_until_error_final_mean']:.1f}, lambda1 {lyap[key][0]:.3f}, "
              f"{timing[key]:.1f}s")
    headline = paper_headline(metrics["forget"], metrics["no_forget"], cfg)
    metrics["timing"] = {"kind_wall_s": timing, "load_average_1min_at_end": os.getloadavg()[0],
                         "cpu_s": float(sum(os.times()[:2]))}
    finish_run(args.out, record(args, __file__, title=TITLE, paper=PAPER, config=cfg, metrics=metrics,
                                headline=headline, lyapunov=lyapunov_record(sizes, lyap)), arrays, timer)


def build_parser():
    parser = cli.make_parser(__doc__, __file__, settings={
        "paper": "the paper's protocol with the stream cap lowered (the headline)",
        "catalog": "the earlier catalog's 12-cell nets with Adam and chunked BPTT, timed"})
    parser.add_argument("--n-nets", type=cli.int_range(1, 1000), default=20,
                        help="nets per kind, trained at once")
    parser.add_argument("--stream-cap", type=cli.int_range(1, 1_000_000), default=10_000,
                        help="symbols without error that meet the criterion (paper: 10^6)")
    parser.add_argument("--max-symbols", type=cli.int_range(1, 100_000_000), default=250_000,
                        help="training budget in symbols per net")
    parser.add_argument("--test-every", type=cli.int_range(1, 10_000_000), default=25_000,
                        help="test every net on the test streams after this many training symbols")
    parser.add_argument("--lr", type=cli.float_range(0.0, 100.0), default=0.5,
                        help="learning rate (paper: 0.5)")
    parser.add_argument("--catalog-nets", type=cli.int_range(1, 1000), default=1,
                        help="--setting catalog only: nets per kind trained at once")
    # the stub's own flags each setting reads (any other given flag is refused in one line)
    cli.setting_flags(parser, {
        "paper": ["lr", "max_symbols", "n_nets", "stream_cap", "test_every"],
        "catalog": ["catalog_nets"]})
    return parser


if __name__ == "__main__":
    np.seterr(over="ignore", invalid="ignore")
    cli.run(main, build_parser(), gradcheck=gradient_checks)
