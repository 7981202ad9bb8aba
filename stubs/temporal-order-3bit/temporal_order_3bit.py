"""Temporal order, two relevant symbols: Hochreiter & Schmidhuber (1997), LSTM, Experiment 6a.

Neural Computation 9(8):1735-1780, Section 5.6, Task 6a.

Task (the paper's own). Eight symbols, one local input unit each: E, B, a, b, c, d, X, Y. A
sequence starts with E and ends with the trigger B; every other element is drawn from
{a, b, c, d}, except at two random positions t1 in [10, 20] and t2 in [50, 60], which hold X or Y.
Length is uniform in [100, 110]. The class is the ordered pair: Q = XX, R = XY, S = YX, U = YY,
one logistic output unit each (local targets 1/0), squared error at the last step only. A
sequence is correct when every output's final absolute error is below 0.3.

Net (the paper's): 2 memory blocks of 2 cells, shared input and output gate per block, no forget
gate. Every cell and gate sees the 8 inputs, all 8 cells and gates of step t-1 and a bias; the 4
logistic outputs see only the 4 cells and a bias: 8 * (8 + 8 + 1) + 4 * (4 + 1) = 156 weights.

    u(t) = [x(t), r(t-1), 1]       r = [y_in (2), y_c (4), y_out (2)]
    y_in = sigma(net_in), y_out = sigma(net_out)        (one per block)
    s_c(t) = s_c(t-1) + y_in(t) g(net_c(t))             g = 4 sigma - 2, range [-2, 2]
    y_c(t) = y_out(t) h(s_c(t))                         h = 2 sigma - 1, range [-1, 1]
    y_k = sigma(sum_c v_kc y_c(last) + b_k)             k = Q, R, S, U

Learning (the paper's): the truncated gradient of Appendix A.1 (error flows back in time only
through the cell states s), online, one update per sequence, learning rate 0.5, no momentum, no
clipping. Stop (ST3(0.1)): mean training error over the last 2000 sequences below 0.1 and all of
them correct. Test on 2560 fresh sequences.

Baseline (the project's addition; the paper ran none on this task): a vanilla tanh RNN of 8
units (172 weights), exact BPTT, per-sequence Adam, same budget.

    python3 temporal_order_3bit.py --seed 0     # headline: 10 seeds of each model at once
    python3 temporal_order_3bit.py --quick      # seconds; what the tests run

Arrays are time-major: x (L, S, N, 8) = (time, seed ensemble, sequences per seed, symbol).
Columns of W (S, 17, 8): [input gates (2) | cell inputs (4) | output gates (2)], the catalog's
i, g, o order with no forget gate; rows [x(t) (8), r(t-1) (8), 1]. V (S, 4, 5): rows Q, R, S, U.
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401  (pins BLAS to one thread before numpy loads)

import numpy as np

from shared import cli
from shared.ensemble import map_jobs, per_seed, seed_chunks, sum_outer
from shared.gradcheck import check_gradients, rel_error
from shared.lyapunov import cell_state_jacobian, ensemble_spectrum
from shared.online import ST3, adam_step_active
from shared.optim import Adam
from shared.results import finish_run
from shared.rng import streams

PAPER = ("S. Hochreiter and J. Schmidhuber, Long Short-Term Memory, Neural Computation 9(8):1735-1780, "
         "1997, Section 5.6, Experiment 6a (temporal order)")
SYMBOLS = "EBabcdXY"                     # one local input unit per symbol
E, B_, X, Y = 0, 1, 6, 7
CLASSES = ("Q (XX)", "R (XY)", "S (YX)", "U (YY)")
NX, NK = 8, 4                            # input units, output units
PAPER_SEQS = 31_390                      # Table 9: mean sequences until ST3(0.1), 20 trials
PAPER_WRONG = 1                          # Table 9: wrong test sequences out of 2560
WINDOW, MAX_MEAN_ERR, TOL = 2000, 0.1, 0.3


# ----------------------------------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------------------------------
def positions(T):
    """(t1 range, t2 range), inclusive, for minimal length T: [10, 20] and [50, 60] at T = 100."""
    return (T // 10, T // 5), (T // 2, 3 * T // 5)


def temporal_order_batch(rng, shape, T=100):
    """Sequences of Task 6a, padded with zeros to the longest possible length T + T/10.

    shape = (S, N). Returns x (L_max, S, N, 8) one-hot, target (S, N, 4) local, label (S, N) in
    0..3 (Q, R, S, U), length (S, N) in [T, T + T/10], pos (S, N, 2) = (t1, t2), 0-based indices
    (E sits at index 0, B at index length - 1).
    """
    S, N = shape
    L_max = T + T // 10
    (a1, b1), (a2, b2) = positions(T)
    length = rng.integers(T, L_max + 1, size=shape)
    sym = rng.integers(2, 6, size=(L_max, S, N))                    # a, b, c, d everywhere ...
    t1 = rng.integers(a1, b1 + 1, size=shape)
    t2 = rng.integers(a2, b2 + 1, size=shape)
    first, second = rng.integers(0, 2, size=shape), rng.integers(0, 2, size=shape)   # 0 = X, 1 = Y
    si, ni = np.indices(shape)
    sym[t1, si, ni] = X + first                                      # ... except at t1 and t2
    sym[t2, si, ni] = X + second
    sym[0] = E
    sym[length - 1, si, ni] = B_
    x = np.eye(NX)[sym]
    x *= (np.arange(L_max)[:, None, None] < length)[..., None]      # zero padding after B
    label = 2 * first + second                                       # XX, XY, YX, YY -> 0..3
    return x, np.eye(NK)[label], label, length, np.stack([t1, t2], axis=-1)


# ----------------------------------------------------------------------------------------------
# Model 1: the 1997 LSTM, 2 memory blocks of 2 cells
# ----------------------------------------------------------------------------------------------
NB, BS = 2, 2                            # blocks, cells per block
NC = NB * BS
H = 2 * NB + NC                          # units with a net input: gates and cells
I_, G_, O_ = slice(0, NB), slice(NB, NB + NC), slice(NB + NC, H)
D = NX + H + 1                           # rows of W: [x, r(t-1), 1]
BLK = np.repeat(np.arange(NB), BS)       # cell -> its block


def n_weights_lstm():
    return D * H + NK * (NC + 1)


def sigmoid(z):
    return 0.5 + 0.5 * np.tanh(0.5 * z)


def h_(s):
    return np.tanh(0.5 * s)              # 2 sigma(s) - 1


def dh_(s):
    e = np.exp(-np.abs(s))               # 2 sigma'(s), written so large |s| does not overflow
    return 2.0 * e / (1.0 + e) ** 2


def dg_(g):
    return (4.0 - g * g) / 4.0           # g'(net) through g = 4 sigma - 2


def block_sum(v):
    """Sum over each block's cells: (..., C) -> (..., B)."""
    return v.reshape(v.shape[:-1] + (NB, BS)).sum(-1)


def init_lstm(rng, S):
    """Weights U[-0.1, 0.1]; input-gate biases -2, -4 (Table 10); output-gate biases random."""
    W = rng.uniform(-0.1, 0.1, size=(S, D, H))
    W[:, -1, I_] = [-2.0, -4.0]
    return {"W": W, "V": rng.uniform(-0.1, 0.1, size=(S, NK, NC + 1))}


def lstm_forward(p, x):
    """x (L, S, N, 8) -> cache: U (L, S, N, D) unit inputs, act (L, S, N, H) activations (gate
    sigmoids; cell columns hold g), s (L+1, S, N, C) cell states with s[0] = 0, yc (L, S, N, C).

    Every squashing is one tanh of half the net input: sigma(z) = (1 + tanh(z/2))/2 and
    g(z) = 2 tanh(z/2), so the weights are halved once and each step is ~10 array operations.
    """
    L, S, N, _ = x.shape
    Wh = 0.5 * p["W"]
    XB = np.matmul(x, Wh[:, :NX]) + Wh[:, -1][:, None]             # (L, S, N, H): input part + bias
    Wr = Wh[:, NX:NX + H]                                            # (S, H, H): r(t-1) -> net(t)
    th = np.empty((L, S, N, H))                                      # tanh(net/2) of every unit
    r = np.zeros((L + 1, S, N, H))                                   # r[t+1] = r(t), r[0] = 0
    s = np.zeros((L + 1, S, N, NB, BS))
    for t in range(L):
        z = th[t]
        np.matmul(r[t], Wr, out=z)
        z += XB[t]
        np.tanh(z, out=z)
        rt = r[t + 1]
        np.multiply(z, 0.5, out=rt)
        rt += 0.5                                                    # sigma of the gate units
        # s_c(t) = s_c(t-1) + y_in g(net_c), g = 2 tanh(net_c/2)
        s[t + 1] = s[t] + 2.0 * rt[..., I_, None] * z[..., G_].reshape(S, N, NB, BS)
        # y_c(t) = y_out h(s_c(t)), h = tanh(s/2)
        rt[..., G_] = (rt[..., O_, None] * np.tanh(0.5 * s[t + 1])).reshape(S, N, NC)
    act = 0.5 + 0.5 * th
    act[..., G_] = 2.0 * th[..., G_]
    U = np.concatenate([x, r[:L], np.ones((L, S, N, 1))], axis=-1)
    return {"U": U, "act": act, "s": s.reshape(L + 1, S, N, NC), "yc": r[1:, ..., G_]}


def readout(p, cache, last):
    """Outputs at each sequence's last step, last (S, N). Returns y (S, N, 4), features (S, N, C+1)."""
    S, N = last.shape
    si, ni = np.indices((S, N))
    feat = np.concatenate([cache["yc"][last, si, ni], np.ones((S, N, 1))], axis=-1)
    return sigmoid(np.einsum("snc,skc->snk", feat, p["V"])), feat


def _output_part(p, cache, last, dy):
    """Shared top of both LSTM backward passes: y_k = sigma(V [y_c(last), 1]).
    dy (S, N, 4) = dLoss/dy. Returns dV (S, 4, C+1) and dLoss/dy_c(last) (S, N, C)."""
    y, feat = readout(p, cache, last)
    d_out = dy * y * (1.0 - y)
    return np.einsum("snk,snc->skc", d_out, feat), np.einsum("snk,skc->snc", d_out, p["V"][..., :NC])


def lstm_grads_truncated(p, cache, last, dy):
    """The paper's truncated gradient (Appendix A.1) in closed form.

    Truncated, the only path back in time is ds(t)/ds(t-1) = 1, so dLoss/ds(t) is the same
    e_s for every t <= last: the RTRL traces of the paper (eqs. 19-28) sum local derivatives over
    time. Output gates get standard backprop at the last step only. dy (S, N, 4).
    """
    U, act, s = cache["U"], cache["act"], cache["s"]
    L, S, N, _ = U.shape
    si, ni = np.indices((S, N))
    dV, dyc = _output_part(p, cache, last, dy)
    a_last, s_last = act[last, si, ni], s[last + 1, si, ni]
    yo = a_last[..., O_]
    # y_c = y_out h(s) at the last step
    dnet_o = block_sum(dyc * h_(s_last)) * yo * (1 - yo)
    e_s = dyc * yo.repeat(BS, axis=-1) * dh_(s_last)              # dLoss/ds(t), every t <= last
    alive = (np.arange(L)[:, None, None] <= last)[..., None]      # (L, S, N, 1)
    yi, g = act[..., I_], act[..., G_]
    dnet = np.zeros((L, S, N, H))
    # s(t) = s(t-1) + y_in g(net_c):  dnet_c = e_s y_in g',  dnet_in = sum_c e_s g sigma'
    dnet[..., G_] = e_s * yi.repeat(BS, axis=-1) * dg_(g) * alive
    dnet[..., I_] = block_sum(e_s * g) * yi * (1 - yi) * alive
    dnet[last, si, ni, O_] += dnet_o
    return {"W": sum_outer(U, dnet), "V": dV}


def lstm_grads_bptt(p, cache, last, dy, truncate=False):
    """Step-by-step backpropagation through time, dy (S, N, 4).

    truncate=False: the exact gradient (checked against finite differences).
    truncate=True: an independent implementation of the paper's truncation: every error reaching
    a unit's net input stops there (nothing flows into r(t-1)); only ds(t) -> ds(t-1) continues.
    It must equal ``lstm_grads_truncated``.
    """
    U, act, s, W = cache["U"], cache["act"], cache["s"], p["W"]
    L, S, N, _ = U.shape
    dV, dyc_end = _output_part(p, cache, last, dy)
    W_rT = np.swapaxes(W[:, NX:NX + H, :], 1, 2)                   # (S, H, H): dnet -> dr(t-1)
    dnet = np.zeros((L, S, N, H))
    ds = np.zeros((S, N, NC))
    dr = np.zeros((S, N, H))
    for t in range(L - 1, -1, -1):
        a, s_t = act[t], s[t + 1]
        yi, g, yo = a[..., I_], a[..., G_], a[..., O_]
        dyc = (last == t)[..., None] * dyc_end
        if not truncate:
            dyc = dyc + dr[..., G_]
        # y_c = y_out h(s)
        ds = ds + dyc * yo.repeat(BS, axis=-1) * dh_(s_t)
        dyo = block_sum(dyc * h_(s_t))
        # s(t) = s(t-1) + y_in g
        dyi = block_sum(ds * g)
        if not truncate:
            dyo, dyi = dyo + dr[..., O_], dyi + dr[..., I_]
        dn = dnet[t]
        dn[..., O_] = dyo * yo * (1 - yo)
        dn[..., I_] = dyi * yi * (1 - yi)
        dn[..., G_] = ds * yi.repeat(BS, axis=-1) * dg_(g)
        dn *= (t <= last)[..., None]
        if not truncate:
            dr = np.matmul(dn, W_rT)                                # through u(t) = [x, r(t-1), 1]
    return {"W": sum_outer(U, dnet), "V": dV}


def lstm_jacobians(p, cache):
    """J(t) = dz(t)/dz(t-1) for the state z = [s (C), r (H)], (L-1, S, N, C+H, C+H), t = 1..L-1.

    r's cell columns hold y_c = y_out h(s), a function of the other coordinates, so C exponents
    are -inf by construction; the others are the dynamics.
    """
    act, s = cache["act"][1:], cache["s"]
    Wr_T = np.swapaxes(p["W"][:, NX:NX + H, :], 1, 2)             # (S, H, H)
    da = act * (1 - act)
    da[..., G_] = dg_(act[..., G_])
    dA = da[..., None] * Wr_T[None, :, None]                       # d act(t) / d r(t-1)
    yi, g = act[..., I_].repeat(BS, axis=-1), act[..., G_]
    yo = act[..., O_].repeat(BS, axis=-1)
    s_new = s[2:]
    # s(t) = s(t-1) + y_in g
    dS_dr = yi[..., None] * dA[..., G_, :] + g[..., None] * dA[..., I_, :].repeat(BS, axis=-2)
    # y_c(t) = y_out h(s(t))
    k = (yo * dh_(s_new))[..., None]
    dY_dr = k * dS_dr + h_(s_new)[..., None] * dA[..., O_, :].repeat(BS, axis=-2)
    # z = [s, r]: ds/ds = I, and r's cell-output columns y_c depend on s through k
    return cell_state_jacobian(np.eye(NC), dS_dr, dA, k * np.eye(NC), dY_dr, G_)


# ----------------------------------------------------------------------------------------------
# Model 2: vanilla tanh RNN (the project's baseline; exact BPTT)
# ----------------------------------------------------------------------------------------------
NH = 8                                   # hidden units: 8 * 17 + 4 * 9 = 172 weights


def n_weights_rnn():
    return (NX + NH + 1) * NH + NK * (NH + 1)


def init_rnn(rng, S):
    return {"W": rng.uniform(-0.1, 0.1, size=(S, NX + NH + 1, NH)),
            "V": rng.uniform(-0.1, 0.1, size=(S, NK, NH + 1))}


def rnn_forward(p, x):
    """h(t) = tanh(W^T [x(t), h(t-1), 1]). Returns U (L, S, N, 17), yc = h (L, S, N, 8)."""
    L, S, N, _ = x.shape
    U = np.zeros((L + 1, S, N, NX + NH + 1))
    U[:L, ..., :NX] = x
    U[..., -1] = 1.0
    for t in range(L):
        np.tanh(np.matmul(U[t], p["W"]), out=U[t + 1, ..., NX:NX + NH])
    return {"U": U[:L], "yc": U[1:, ..., NX:NX + NH]}


def rnn_grads(p, cache, last, dy):
    """Exact BPTT, dy (S, N, 4) at each sequence's last step."""
    U, hs = cache["U"], cache["yc"]
    L = U.shape[0]
    y, feat = readout(p, cache, last)
    d_out = dy * y * (1 - y)
    dV = np.einsum("snk,snc->skc", d_out, feat)
    inject = np.einsum("snk,skc->snc", d_out, p["V"][..., :NH])
    W_rT = np.swapaxes(p["W"][:, NX:NX + NH], 1, 2)
    dZ = np.zeros(hs.shape)
    dh = np.zeros(hs.shape[1:])
    for t in range(L - 1, -1, -1):
        dh = dh + (last == t)[..., None] * inject
        dZ[t] = dh * (1 - hs[t] ** 2)                             # h = tanh(z)
        dh = np.matmul(dZ[t], W_rT)
    return {"W": sum_outer(U, dZ), "V": dV}


def rnn_jacobians(p, cache):
    """dh(t)/dh(t-1) = diag(1 - h(t)^2) W_rec^T, (L-1, S, N, 8, 8)."""
    Wr_T = np.swapaxes(p["W"][:, NX:NX + NH], 1, 2)
    return (1 - cache["yc"][1:] ** 2)[..., None] * Wr_T[None, :, None]


MODELS = {"lstm1997": (init_lstm, lstm_forward, lstm_jacobians, n_weights_lstm),
          "rnn": (init_rnn, rnn_forward, rnn_jacobians, n_weights_rnn)}


# ----------------------------------------------------------------------------------------------
# Training: the paper's online regime, S seeds in lock-step (one sequence per seed per update)
# ----------------------------------------------------------------------------------------------
def train_online(kind, S, T, max_sequences, rng_init, rng_data, probe=None, n_snaps=40, log_every=5000,
                 timer=None, lr=0.5, window=WINDOW):
    """Train S nets of one kind until each meets ST3(0.1) or the cap is reached.

    LSTM: the truncated gradient, w <- w - lr dE/dw after every sequence (E = 1/2 sum_k err_k^2).
    RNN: exact BPTT, per-sequence Adam (lr 1e-3, clip 1 per seed). A seed that met ST3 is frozen.
    Returns params, stop counts (S,) (-1 = not stopped), a learning curve and (LSTM) snapshots of
    seed 0's cell states on the probe sequences.
    """
    init, forward, _, _ = MODELS[kind]
    p = init(rng_init, S)
    opt = Adam(p, lr=1e-3, clip=1.0, per_member=True) if kind == "rnn" else None
    st3 = ST3(S, window, MAX_MEAN_ERR)
    curve_n, curve_err, snaps, snap_n = [], [], [], []
    snap_every = max(1, max_sequences // n_snaps)
    chunk = 256
    for k in range(max_sequences):
        if k % chunk == 0:
            xs, ts, _, lens, _ = temporal_order_batch(rng_data, (S, chunk), T)
        j = k % chunk
        L = int(lens[:, j].max())
        last = lens[:, j:j + 1] - 1                                      # (S, 1)
        cache = forward(p, xs[:L, :, j:j + 1])
        y, _ = readout(p, cache, last)
        err = y[:, 0] - ts[:, j]                                         # (S, 4)
        cli.check_finite(k, **{f"{kind} output": err, f"{kind} weights W": p["W"]})
        dy = err[:, None]                                                # dE/dy
        grads = rnn_grads(p, cache, last, dy) if kind == "rnn" else lstm_grads_truncated(p, cache, last, dy)
        active = st3.active
        if opt is not None:
            adam_step_active(opt, grads, active)
        else:
            for n in p:                                                  # online gradient descent
                p[n] -= lr * grads[n] * active.reshape((-1,) + (1,) * (p[n].ndim - 1))
        # ST3(0.1): last `window` sequences all correct, their mean error (sum_k err_k^2) < 0.1
        st3.update(k, np.abs(err).max(axis=1) < TOL, (err ** 2).sum(axis=1))
        if probe is not None and (k % snap_every == 0 or k == max_sequences - 1):
            xp, lastp = probe                                            # (L, 1, P, 8), (1, P)
            cp = forward({n: v[:1] for n, v in p.items()}, xp)
            yp, _ = readout({n: v[:1] for n, v in p.items()}, cp, lastp)
            snaps.append((cp["s"][1:, 0] if kind == "lstm1997" else cp["yc"][:, 0], yp[0]))
            snap_n.append(k + 1)
        finished = not st3.active.any()
        if (k + 1) % log_every == 0 or k + 1 == max_sequences or finished:
            filled = st3.filled()
            curve_n.append(k + 1)
            curve_err.append(filled.mean(axis=1))
            print(f"  {kind:8s} seq {k + 1:7d}  mean err (last {window}) {filled.mean():.4f}  "
                  f"stopped {int((~st3.active).sum())}/{S}  {timer() if timer else 0:7.1f}s", flush=True)
        if finished:
            break
    out = {"params": p, "stopped_at": st3.stopped_at, "n_trained": k + 1, "curve_n": np.array(curve_n),
           "curve_err": np.array(curve_err)}
    if snaps:
        out["snap_n"], out["snap_state"] = np.array(snap_n), np.stack([a for a, _ in snaps])
        out["snap_y"] = np.stack([b for _, b in snaps])                 # (n_snap, P, 4)
    return out


# ----------------------------------------------------------------------------------------------
# Evaluation and the Lyapunov fingerprint
# ----------------------------------------------------------------------------------------------
def evaluate(kind, p, x, target, length, chunk=256):
    """Largest absolute output error per test sequence, and the outputs. x (L, 1, N, 8) shared
    by the S seeds. Returns err (S, N), y (S, N, 4)."""
    _, forward, _, _ = MODELS[kind]
    ys = [readout(p, forward(p, xb), last)[0] for xb, last in seed_chunks(x, length, p["W"].shape[0], chunk)]
    y = np.concatenate(ys, axis=1)
    return np.abs(y - target).max(axis=-1), y


LYAP_FLOOR = -50.0      # per step: a direction squashed to exactly zero is recorded at this floor


def spectrum(kind, p, x, t0, t1, k=6, n_transient=5):
    """Finite-time Lyapunov exponents over steps [t0, t1) along x (L, 1, N, 8). Returns (S, N, k)."""
    _, forward, jacobians, _ = MODELS[kind]
    S = p["W"].shape[0]
    xb = per_seed(x[:t1], S)
    J = jacobians(p, forward(p, xb))[t0 - 1:t1 - 1]                    # maps into steps t0..t1-1
    return ensemble_spectrum(J, k, LYAP_FLOOR, n_transient)


# ----------------------------------------------------------------------------------------------
# Gradient checks (float64; --gradcheck and the tests)
# ----------------------------------------------------------------------------------------------
def gradient_checks(args=None):
    """Exact BPTT (LSTM, RNN) vs central differences with Richardson extrapolation on short dense
    random sequences; the truncated gradient's closed form vs the step-by-step truncated BPTT on
    the task's own (short) sequences, lengths differing within the batch."""
    rng = np.random.default_rng(0)
    T, S, N = 5, 2, 3
    x = rng.normal(size=(T, S, N, NX))
    target = rng.uniform(size=(S, N, NK))
    last = np.full((S, N), T - 1)
    last[0, 0] = T - 2
    errs = {}
    for kind, grads in (("lstm1997", lstm_grads_bptt), ("rnn", rnn_grads)):
        init, forward, _, _ = MODELS[kind]
        # dense weights, no gate held closed by its bias: finite differences stay accurate there
        p = {n: rng.uniform(-1.0, 1.0, size=v.shape) for n, v in init(rng, S).items()}

        def loss(p=p, forward=forward):
            return 0.5 * np.sum((readout(p, forward(p, x), last)[0] - target) ** 2)
        cache = forward(p, x)
        g = grads(p, cache, last, readout(p, cache, last)[0] - target)
        for name, v in check_gradients(loss, p, g, eps=1e-3, richardson=True).items():
            errs[f"{kind} exact BPTT vs finite differences: {name}"] = v
    xs, ts, _, lens, _ = temporal_order_batch(rng, (S, 4), 24)
    p = init_lstm(rng, S)
    p["W"] += rng.uniform(-0.5, 0.5, size=p["W"].shape)
    cache = lstm_forward(p, xs)
    dy = readout(p, cache, lens - 1)[0] - ts
    a = lstm_grads_truncated(p, cache, lens - 1, dy)
    b = lstm_grads_bptt(p, cache, lens - 1, dy, truncate=True)
    for name in a:
        errs[f"lstm1997 truncated: closed form vs step-by-step: {name}"] = rel_error(a[name], b[name])
    xc, lc = catalog_batch(rng, (S, N))
    xc = rng.normal(size=(6,) + xc.shape[1:])                         # short dense inputs
    for kind in ("lstm", "rnn"):
        p = {n: rng.uniform(-1.0, 1.0, size=v.shape) for n, v in catalog_init(kind, rng, S).items()}
        g = catalog_loss_grads(kind, p, xc, lc)[1]
        for name, v in check_gradients(lambda p=p, kind=kind: catalog_loss_grads(kind, p, xc, lc)[0].sum(),
                                       p, g, eps=1e-3, richardson=True).items():
            errs[f"catalog {kind} exact BPTT vs finite differences: {name}"] = v
    return errs


# ----------------------------------------------------------------------------------------------
# The earlier catalog's setting (``--setting catalog``), for the speed comparison only
# ----------------------------------------------------------------------------------------------
# Its task: T = 50 fixed, B at 0 and E at T-1, t1 in [3, 12], t2 in [25, 40]; 4 independent cells
# (own input and output gate each, no forget gate, the 1997 squashings), gates and cell inputs see
# [x(t), h(t-1), 1]; a 4-way softmax on h(T-1) with cross-entropy; full BPTT; Adam lr 0.02, clip 1,
# batch 32, 1500 steps; input-gate biases -1, other weights N(0, 0.1^2). Its tanh RNN has 4 units.
CAT_T, CAT_H, CAT_STEPS, CAT_BATCH = 50, 4, 1500, 32


def catalog_batch(rng, shape):
    """x (50, S, N, 8) one-hot over E, B, a-d, X, Y (B first, E last), label (S, N) in 0..3."""
    sym = rng.integers(2, 6, size=(CAT_T,) + shape)
    t1, t2 = rng.integers(3, 13, size=shape), rng.integers(25, 41, size=shape)
    first, second = rng.integers(0, 2, size=shape), rng.integers(0, 2, size=shape)
    si, ni = np.indices(shape)
    sym[t1, si, ni], sym[t2, si, ni] = X + first, X + second
    sym[0], sym[-1] = B_, E
    return np.eye(NX, dtype=np.float32)[sym], 2 * first + second


def catalog_init(kind, rng, S):
    """W (S, 8 + H + 1, n) with n = 3H for the LSTM (columns i, g, o) or H for the RNN; V (S, H + 1, 4)."""
    n = 3 * CAT_H if kind == "lstm" else CAT_H
    W = rng.normal(0.0, 0.1, size=(S, NX + CAT_H + 1, n))
    if kind == "lstm":
        W[:, -1, :CAT_H] = -1.0                                     # input gates start closed
    return {"W": W.astype(np.float32), "V": rng.normal(0.0, 0.1, size=(S, CAT_H + 1, NK)).astype(np.float32)}


_BUF = {}


def _buffers(*shapes, dtype):
    """Work arrays reused from step to step (fresh large arrays cost page faults every step)."""
    key = (shapes, np.dtype(dtype).str)
    if key not in _BUF:
        _BUF[key] = [np.empty(sh, dtype=dtype) for sh in shapes]
    return _BUF[key]


def catalog_loss_grads(kind, p, x, label):
    """Forward, mean cross-entropy and its exact BPTT gradient: (loss (S,), logits, grads)."""
    L, S, N, _ = x.shape
    Hh, W = CAT_H, p["W"]
    U, A, c, dZ = _buffers((L, S, N, NX + Hh + 1), (L, S, N, W.shape[-1]), (L + 1, S, N, Hh),
                           (L, S, N, W.shape[-1]), dtype=W.dtype)
    U[..., :NX], U[..., -1] = x, 1.0                                 # A: activations per step
    c[0] = 0.0
    h = np.zeros((S, N, Hh), dtype=W.dtype)
    for t in range(L):
        U[t, ..., NX:NX + Hh] = h
        z = np.matmul(U[t], W)
        if kind == "lstm":
            a = sigmoid(z)                                           # i, (g + 2) / 4, o
            a[..., Hh:2 * Hh] = 4.0 * a[..., Hh:2 * Hh] - 2.0
            c[t + 1] = c[t] + a[..., :Hh] * a[..., Hh:2 * Hh]        # s(t) = s(t-1) + y_in g
            h = a[..., 2 * Hh:] * h_(c[t + 1])                       # y_c = y_out h(s)
        else:
            a = h = np.tanh(z)
        A[t] = a
    hb = np.concatenate([h, np.ones((S, N, 1), W.dtype)], -1)
    logits = np.matmul(hb, p["V"])
    logits -= logits.max(-1, keepdims=True)
    prob = np.exp(logits)
    prob /= prob.sum(-1, keepdims=True)
    onehot = np.eye(NK, dtype=W.dtype)[label]
    loss = -np.log(np.maximum((prob * onehot).sum(-1), 1e-30)).mean(-1)
    dlog = (prob - onehot) / N                                       # d mean CE / d logits
    gV = np.matmul(hb.transpose(0, 2, 1), dlog)
    dh = np.matmul(dlog, p["V"][:, :Hh].transpose(0, 2, 1))
    dc = np.zeros((S, N, Hh), dtype=W.dtype)
    WrT = W[:, NX:NX + Hh].transpose(0, 2, 1)                        # recurrent rows, (S, n, H)
    for t in range(L - 1, -1, -1):
        a = A[t]
        if kind == "lstm":
            yi, g, yo, hs = a[..., :Hh], a[..., Hh:2 * Hh], a[..., 2 * Hh:], h_(c[t + 1])
            # y_c = y_out h(s):  d y_out = dh h(s);  ds += dh y_out h'(s)
            dc = dc + dh * yo * dh_(c[t + 1])
            # s(t) = s(t-1) + y_in g:  d y_in = ds g;  d g = ds y_in;  ds(t-1) = ds(t) (the CEC)
            dZ[t, ..., :Hh] = dc * g * yi * (1 - yi)
            dZ[t, ..., Hh:2 * Hh] = dc * yi * dg_(g)
            dZ[t, ..., 2 * Hh:] = dh * hs * yo * (1 - yo)
        else:
            dZ[t] = dh * (1 - a * a)                                 # h = tanh(z)
        dh = np.matmul(dZ[t], WrT)
    return loss, {"W": sum_outer(U, dZ), "V": gV}


def catalog_run(args, timer):
    """Both nets of the earlier catalog, every seed at once, as it trained them; returns what main writes."""
    q = args.quick
    S, steps = (2, 20) if q else (args.n_seeds, CAT_STEPS)
    n_val, every = (64, 10) if q else (512, 50)
    r = streams(args.seed, ["init_lstm", "init_rnn", "data", "eval"])
    xv, lv = catalog_batch(r["eval"], (1, n_val))
    xv = np.ascontiguousarray(np.broadcast_to(xv, (CAT_T, S, n_val, NX)))
    lv = np.broadcast_to(lv, (S, n_val))
    cfg = {"setting": "catalog", "T": CAT_T, "t1_range": [3, 12], "t2_range": [25, 40], "n_seeds": S,
           "cells": CAT_H, "steps": steps, "batch": CAT_BATCH, "optimizer": "Adam lr 0.02, clip 1 per seed",
           "n_val": n_val, "eval_every": every, "dtype": "float32"}
    print(f"temporal order, the earlier catalog's setting: T={CAT_T}, {S} seeds at once, {steps} Adam steps "
          f"of batch {CAT_BATCH}")
    metrics, curves, timing = {}, {}, {}
    for kind in ("lstm", "rnn"):
        t_kind = cli.Timer()
        p = catalog_init(kind, r["init_" + kind], S)
        opt = Adam(p, lr=0.02, clip=1.0, per_member=True)
        data = np.random.default_rng(r["data"].integers(2 ** 63))    # both nets see the same batches
        acc_curve, first95 = [], np.full(S, -1)
        for step in range(1, steps + 1):
            x, lab = catalog_batch(data, (S, CAT_BATCH))
            loss, g = catalog_loss_grads(kind, p, x, lab)
            cli.check_finite(step, loss=loss)
            opt.step(g)
            if step % every == 0 or step == steps:
                acc = _catalog_accuracy(kind, p, xv, lv)
                acc_curve.append(acc)
                first95[(first95 < 0) & (acc >= 0.95)] = step
        acc_curve = np.array(acc_curve)
        timing[kind] = t_kind()
        metrics[kind] = {"final_val_accuracy": acc_curve[-1].tolist(),
                         "mean_final_val_accuracy": float(acc_curve[-1].mean()),
                         "first_step_val_acc_95": first95.tolist(),
                         "n_seeds_reaching_95": int((first95 > 0).sum())}
        curves[f"catalog_{kind}_val_acc"] = acc_curve
        print(f"  {kind}: final val acc per seed {np.round(acc_curve[-1], 3).tolist()}, "
              f"first step >= 0.95 {first95.tolist()} ({timing[kind]:.1f}s)")
    metrics["timing"] = {"train_wall_s": timing}
    m, rn = metrics["lstm"], metrics["rnn"]
    headline = [
        {"name": "earlier catalog's task (T = 50): LSTM seeds reaching 95 % validation accuracy",
         "value": f"{m['n_seeds_reaching_95']}/{S}", "paper_value": None,
         "verdict": "partial" if m["n_seeds_reaching_95"] else "no",
         "note": "catalog's README: 5/5 seeds at step 100-300; an easier task than Exp. 6a: partial at best"},
        {"name": "earlier catalog's task: tanh RNN mean final validation accuracy",
         "value": rn["mean_final_val_accuracy"], "paper_value": None,
         "verdict": "yes" if rn["mean_final_val_accuracy"] < 0.4 else "no",
         "note": "catalog's README: 0.250 (chance)"}]
    return cfg, metrics, headline, None, curves


def _catalog_accuracy(kind, p, xv, lv):
    """Validation accuracy per seed, (S,)."""
    L, S, N, _ = xv.shape
    Hh, W = CAT_H, p["W"]
    u = np.empty((S, N, NX + Hh + 1), dtype=W.dtype)
    u[..., -1] = 1.0
    h, c = np.zeros((S, N, Hh), W.dtype), np.zeros((S, N, Hh), W.dtype)
    for t in range(L):
        u[..., :NX], u[..., NX:NX + Hh] = xv[t], h
        z = np.matmul(u, W)
        if kind == "lstm":
            a = sigmoid(z)
            c = c + a[..., :Hh] * (4.0 * a[..., Hh:2 * Hh] - 2.0)
            h = a[..., 2 * Hh:] * h_(c)
        else:
            h = np.tanh(z)
    logits = np.matmul(np.concatenate([h, np.ones((S, N, 1), W.dtype)], -1), p["V"])
    return (logits.argmax(-1) == lv).mean(-1)


# ----------------------------------------------------------------------------------------------
# Headline run
# ----------------------------------------------------------------------------------------------
def _train_job(job):
    kind, seed, cfg, probe = job
    r = streams(seed, ["init_lstm1997", "init_rnn", "data"])          # both kinds see the same stream
    timer = cli.Timer()
    out = train_online(kind, cfg["n_seeds"], cfg["T"], cfg["max_sequences"], r["init_" + kind], r["data"],
                       probe=probe, n_snaps=cfg["n_snaps"], log_every=cfg["log_every"], timer=timer,
                       lr=cfg["lr"], window=cfg["window"])
    out["wall_s"] = timer()
    return kind, out


def main(args):
    timer = cli.Timer()
    q = args.quick
    if args.setting == "catalog":
        cfg, metrics, headline, lyapunov, arrays = catalog_run(args, timer)
        finish_run(args.out, {
            "stub": "temporal-order-3bit", "family": "schmidhuber",
            "title": "Temporal order, two relevant symbols: the earlier catalog's setting", "paper": PAPER,
            "seed": args.seed, "quick": bool(q), "config": cfg, "metrics": metrics, "headline": headline,
            "lyapunov": lyapunov}, arrays, timer)
        return
    if q:
        args.T, args.n_seeds, args.max_sequences = 24, 2, min(args.max_sequences, 300)
    if args.T < 20:
        raise cli.StubError(f"--T must be at least 20 (t1 in [T/10, T/5] must follow E), got {args.T}")
    T, S = args.T, args.n_seeds
    cfg = {"T": T, "lengths": [T, T + T // 10], "t1_range": list(positions(T)[0]),
           "t2_range": list(positions(T)[1]), "n_seeds": S, "max_sequences": args.max_sequences,
           "lr": args.lr, "window": 50 if q else WINDOW, "max_mean_err": MAX_MEAN_ERR, "tol": TOL,
           "n_test": 64 if q else 2560, "n_lyap": 8 if q else 64, "n_snaps": 5 if q else 40,
           "log_every": 100 if q else 5000,
           "weights": {k: MODELS[k][3]() for k in MODELS},
           "lstm_init": "U[-0.1, 0.1]; input-gate biases -2, -4; output-gate biases random",
           "rnn_optimizer": "Adam lr 1e-3, clip 1 per seed, per-sequence updates, exact BPTT",
           "error": "per sequence sum over the 4 outputs of squared errors; correct if all |err| < 0.3"}
    print(f"temporal order (Exp. 6a): T={T}, {S} seeds per model at once, cap {cfg['max_sequences']:,} "
          f"sequences, weights {cfg['weights']}")
    ev = streams(args.seed, ["eval"])["eval"]
    x_te, y_te, lab_te, len_te, pos_te = temporal_order_batch(ev, (1, cfg["n_test"]), T)
    pick = [int(np.flatnonzero(lab_te[0] == c)[0]) if (lab_te[0] == c).any() else 0 for c in range(NK)]
    probe = (x_te[:, :, pick], len_te[:, pick] - 1)                    # one test sequence per class
    jobs = [(k, args.seed, cfg, probe) for k in MODELS]
    trained = dict(map_jobs(_train_job, jobs, args.workers))
    t0 = positions(T)[1][1] + 1                                          # after t2 ...
    t1 = T - 1                                                           # ... before the trigger B
    metrics, lyap, lyap_sd, arrays = {}, {}, {}, {}
    for kind in MODELS:
        tr = trained[kind]
        err, y = evaluate(kind, tr["params"], x_te, y_te, len_te)
        wrong = (err >= TOL).sum(axis=1)
        ex = spectrum(kind, tr["params"], x_te[:, :, :cfg["n_lyap"]], t0, t1)
        st = tr["stopped_at"]
        ok = st >= 0
        metrics[kind] = {
            "weights": cfg["weights"][kind], "stopped_at": st.tolist(), "n_stopped": int(ok.sum()),
            "mean_sequences_to_stop": float(st[ok].mean()) if ok.any() else None,
            "sequences_trained": int(tr["n_trained"]), "wrong_of_test": wrong.tolist(),
            "mean_wrong_all_seeds": float(wrong.mean()),
            "mean_wrong_stopped": float(wrong[ok].mean()) if ok.any() else None,
            "class_accuracy": float((y.argmax(-1) == lab_te).mean()),
            "train_err_last_window_at_end": tr["curve_err"][-1].tolist()}
        lyap[kind] = np.sort(ex.mean(axis=(0, 1)))[::-1].tolist()
        lyap_sd[kind] = ex.mean(axis=1).std(axis=0).tolist()
        arrays.update({f"{kind}_curve_n": tr["curve_n"], f"{kind}_curve_err": tr["curve_err"],
                       f"{kind}_stopped_at": st, f"{kind}_test_err": err, f"{kind}_lyap": ex,
                       f"{kind}_snap_n": tr["snap_n"], f"{kind}_snap_state": tr["snap_state"],
                       f"{kind}_snap_y": tr["snap_y"]})
        print(f"  {kind:8s} stopped {int(ok.sum())}/{S}  wrong/{cfg['n_test']} per seed {wrong.tolist()}  "
              f"lambda_1..3 {np.round(lyap[kind][:3], 4).tolist()}  {timer():.1f}s")
    c = lstm_forward(trained["lstm1997"]["params"], per_seed(probe[0], S))
    arrays.update({"probe_x": probe[0][:, 0], "probe_len": probe[1][0] + 1, "probe_pos": pos_te[0, pick],
                   "probe_label": lab_te[0, pick], "lstm1997_probe_s": c["s"][1:],
                   "lstm1997_probe_act": c["act"]})                          # every seed
    # where the trained input gates open: at t1, at t2, elsewhere (64 test sequences, every seed)
    n_g = min(64, cfg["n_test"])
    xg = np.ascontiguousarray(np.broadcast_to(x_te[:, :, :n_g], (x_te.shape[0], S, n_g, NX)))
    yi = lstm_forward(trained["lstm1997"]["params"], xg)["act"][..., I_]          # (L, S, n_g, 2)
    tt = np.arange(x_te.shape[0])[:, None]
    at1, at2 = tt == pos_te[0, :n_g, 0], tt == pos_te[0, :n_g, 1]                 # (L, n_g)
    other = (tt > 0) & (tt < len_te[0, :n_g] - 1) & ~at1 & ~at2
    metrics["lstm1997"]["input_gate_mean"] = {
        name: ((yi * mask[:, None, :, None]).sum(axis=(0, 2)) / mask.sum()).tolist()   # (S, 2 blocks)
        for name, mask in (("at_t1", at1), ("at_t2", at2), ("elsewhere", other))}
    m, r = metrics["lstm1997"], metrics["rnn"]
    n_st, cap, n_test = m["n_stopped"], cfg["max_sequences"], cfg["n_test"]
    mean_seq, mw = m["mean_sequences_to_stop"], m["mean_wrong_all_seeds"]
    headline = [
        {"name": f"nets meeting ST3(0.1) within the cap (T = {T})", "value": f"{n_st}/{S}",
         "paper_value": "20/20", "verdict": "yes" if n_st == S else ("partial" if n_st else "no"),
         "note": f"1997 net, 156 weights, truncated gradient, online lr {cfg['lr']}; cap {cap:,} sequences"},
        {"name": "sequences until ST3, mean over the nets that met it",
         "value": mean_seq if mean_seq is not None else f"none within {cap:,}", "paper_value": PAPER_SEQS,
         "verdict": "no" if mean_seq is None else
         ("yes" if n_st == S and mean_seq <= 2 * PAPER_SEQS else "partial"),
         "note": "paper: mean of 20 trials (Table 9)"},
        {"name": f"wrong test sequences out of {n_test}, mean over all nets", "value": mw,
         "paper_value": PAPER_WRONG,
         "verdict": "yes" if mw <= 3 * n_test / 2560 else ("partial" if mw < 0.1 * n_test else "no"),
         "note": "correct: every output's |error| < 0.3; answering 0.25 everywhere gets all wrong"},
        {"name": f"vanilla tanh RNN (project's addition), same budget: wrong out of {n_test}",
         "value": r["mean_wrong_all_seeds"], "paper_value": None,
         "verdict": "yes" if r["mean_wrong_all_seeds"] > 0.5 * n_test else "no",
         "note": "the paper's claim that gradient-trained RNNs fail at long lags; exact BPTT, Adam"},
    ]
    metrics["timing"] = {"train_wall_s": {k: trained[k]["wall_s"] for k in MODELS}, "workers": args.workers}
    lyapunov = {"method": (f"QR iteration of the full state Jacobian along {cfg['n_lyap']} test sequences "
                           f"per seed over steps [{t0}, {t1}) (after t2, before the trigger), 5 alignment "
                           "steps, exponents per step (floored at -50), mean over seeds and sequences"),
                "exponents": lyap, "sd_over_seeds": lyap_sd,
                "state": {"lstm1997": "s (4) + 8 unit activations", "rnn": "h (8)"}}
    finish_run(args.out, {
        "stub": "temporal-order-3bit", "family": "schmidhuber",
        "title": "Temporal order, two relevant symbols (LSTM 1997, Experiment 6a)", "paper": PAPER,
        "seed": args.seed, "quick": bool(q), "config": cfg, "metrics": metrics, "headline": headline,
        "lyapunov": lyapunov}, arrays, timer)


def build_parser():
    parser = cli.make_parser(__doc__, __file__, settings={
        "paper": "Exp. 6a as published (the headline)",
        "catalog": "the earlier catalog's easier task and training, for the speed comparison"})
    parser.add_argument("--T", type=cli.positive_int, default=100,
                        help="minimal sequence length (paper: 100; t1, t2 and lengths scale with it)")
    parser.add_argument("--n-seeds", type=cli.positive_int, default=10,
                        help="nets of each kind trained at once on a leading seed axis")
    parser.add_argument("--max-sequences", type=cli.positive_int, default=80_000,
                        help="cap on training sequences per seed (the paper's mean is 31,390)")
    parser.add_argument("--lr", type=cli.positive_float, default=0.5,
                        help="learning rate of the LSTM's online gradient descent (paper: 0.5)")
    parser.add_argument("--workers", type=cli.positive_int, default=2,
                        help="processes training the two model kinds side by side (1 = one after the other)")
    return parser


if __name__ == "__main__":
    np.seterr(over="ignore", invalid="ignore")
    cli.run(main, build_parser(), gradcheck=gradient_checks)
