"""Learning precise timing: Gers, Schraudolph & Schmidhuber (2002), one peephole LSTM cell.

JMLR 3:115-143, 2002 (earlier: Gers & Schmidhuber, "Recurrent nets that time and count", IJCNN 2000).

Net (one block with one cell, for every task). One input x, one output y. The cell input, the
input, forget and output gates each see [x(t), y_c(t-1), 1]; with peepholes the input and forget
gates also see s(t-1) and the output gate sees s(t); the output unit sees y_c(t) and a bias:
4 * 3 + 3 peepholes + 2 = 17 weights (14 without peepholes).

    u(t) = [x(t), y_c(t-1), 1]                      columns of W (S, 3, 4): i, f, g, o
    i = sigma(u W_i + p_i s(t-1)),  f = sigma(u W_f + p_f s(t-1)),  g = u W_g   (g = identity)
    s(t) = f s(t-1) + i g
    o = sigma(u W_o + p_o s(t))                     peepholes P (S, 3): p_i, p_f, p_o
    y_c(t) = o s(t)                                 (h = identity)
    y(t) = sigma(v y_c(t) + b)  (spike tasks) or v y_c(t) + b (periodic function)   V (S, 2)

This is the peephole cell of the family core shared/lstm_gers with one block of one cell, one
input, g = h = identity and one output unit on [y_c, 1]; ``step`` and ``jacobian`` below call the
core's step and step_jacobian in its unrolled arithmetic (u(t) W summed row by row, the scalar
form the recorded runs used), and the exact and truncated backward passes of the checks are the
core's.

Learning (the paper's, this stub's own): truncated RTRL, updates at every time step, error flows
back in time only through s(t) -> s(t-1) (multiplied by f), never through y_c(t-1) and never
through a peephole; the peephole weights themselves are trained with s as their input. Momentum
SGD, lr 1e-5.

Tasks (the paper's; stream protocol: a training stream runs until the first output error or 100
events; a net is solved when a 1000-event test stream has no error):
    MSD   measuring spike delays: spikes at T(n) = T(n-1) + F + I(n), I(n) in {0, 1}, continual
          stream without resets; at each spike the output must be I(n) (|err| < 0.49).
          F = 10, and F = 49 (intervals of 49 vs 50 steps, the abstract's claim).
    GTS   generating timed spikes: no input; output 1 every F = 10 steps and 0 otherwise.
    PFG   periodic function generation: no input; output cos(2 pi t / F), F = 10, linear output
          unit, |err| < 0.3 at every step.
Every (task, with/without peepholes, seed) net trains at once on one leading axis.

    python3 timing_counting_spikes.py --seed 0              # headline
    python3 timing_counting_spikes.py --setting catalog     # the earlier catalog's invented task
                                                            # (timing_counting_spikes_catalog.py)
    python3 timing_counting_spikes.py --quick               # seconds; what the tests run

Shapes: every weight has a leading net axis S; per-step arrays are (S,) or (S, k); sequences
for the checks are time-major (T, S).
"""
import argparse
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
from shared.results import at_budget, budget_note, finish_run, record
from shared.rng import streams

PAPER = ("F. A. Gers, N. N. Schraudolph and J. Schmidhuber, Learning Precise Timing with LSTM Recurrent "
         "Networks, JMLR 3:115-143, 2002")
TITLE = "Learning precise timing with a peephole LSTM cell (Gers, Schraudolph & Schmidhuber 2002)"
N_WEIGHTS = 17                     # 4 units x 3 inputs + 3 peepholes + output (weight, bias)
LR = 1e-5
# (name, kind, F, momentum, output, tolerance); the paper's momenta: 0.9999 MSD, 0.999 GTS, 0.99 PFG
TASKS = (("MSD F=10", "msd", 10, 0.9999, "logistic", 0.49),
         ("MSD F=49 (49 vs 50)", "msd", 49, 0.9999, "logistic", 0.49),
         ("GTS F=10", "gts", 10, 0.999, "logistic", 0.49),
         ("PFG cos F=10", "pfg", 10, 0.99, "linear", 0.3))
KIND_ID = {"msd": 0, "gts": 1, "pfg": 2}
TRAIN_EVENTS, TEST_EVENTS = 100, 1000
BIAS_I, BIAS_F, BIAS_O = 0.0, -2.0, 2.0
QUICK = {"n_seeds": 2, "max_steps": 3000, "test_every": 500}
# sizes that are not flags: test events, dynamics window, snapshots, kick test (quick and full)
RUN_SIZES = {True: {"test_events": 20, "L_dyn": 400, "n_snaps": 5, "rec_len": 400, "kick_at": 200},
             False: {"test_events": TEST_EVENTS, "L_dyn": 3000, "n_snaps": 40, "rec_len": 1500,
                     "kick_at": 1000}}


# ----------------------------------------------------------------------------------------------
# Model: init, one forward step (scalar form), the core's gradients of a whole sequence
# ----------------------------------------------------------------------------------------------
def init_params(rng, peep):
    """theta (S, 17) = [W (3 x 4, rows x, y_c, 1; columns i, f, g, o) | P (i, f, o) | V (v, b)].

    Weights U[-0.1, 0.1]; biases input 0, forget -2, output +2; no-peephole nets (peep False)
    keep P = 0. Returns theta; W, P, V are views into it (see split).
    """
    S = len(peep)
    theta = rng.uniform(-0.1, 0.1, size=(S, N_WEIGHTS))
    W, P, _ = split(theta)
    W[:, 2, 0], W[:, 2, 1], W[:, 2, 3] = BIAS_I, BIAS_F, BIAS_O
    P *= np.asarray(peep, float)[:, None]
    return theta


def split(theta):
    """Views W (S, 3, 4), P (S, 3), V (S, 2) into theta (S, 17)."""
    S = theta.shape[0]
    return theta[:, :12].reshape(S, 3, 4), theta[:, 12:15], theta[:, 15:17]


def step(theta, x, s, yc):
    """One step for every net: x, s = s(t-1), yc = y_c(t-1), all (S,). Returns the activations
    (S, 4) i, f, g, o and the new s, y_c (S,): the core's step in its scalar (unrolled) arithmetic."""
    W, P, _ = split(theta)
    u = np.stack([x, yc, np.ones_like(x)], -1)                        # u(t) = [x(t), y_c(t-1), 1]
    act, s_new, yc_new = lstm.step(SCALAR_CELL, {"W": W, "P": P[:, :, None]}, u, s[:, None])
    return act, s_new[:, 0], yc_new[:, 0]


def output(theta, yc, linear):
    """y (S,) and dy/dnet (S,): logistic output unit, or linear where ``linear`` (S,) is True."""
    _, _, V = split(theta)
    net = V[:, 0] * yc + V[:, 1]
    sg = sigmoid(net)
    return np.where(linear, net, sg), np.where(linear, 1.0, sg * (1 - sg))



# The same cell in the family core's layout: W (S, 3, 4) as here, P (S, 3, 1), V (S, 1, 3) over
# [x, y_c, 1] with the x weight held at 0. The output units are "linear" in the core; the logistic
# ones are applied here, net by net.
CELL = lstm.Cell(1, 1, peephole=True, squash=lstm.IDENTITY, cell_bias=True, out_x=False, out="linear")
# The same cell summing u(t) W row by row (``step``, ``jacobian``): the arithmetic the recorded runs used.
SCALAR_CELL = lstm.Cell(1, 1, peephole=True, squash=lstm.IDENTITY, cell_bias=True, out_x=False,
                        out="linear", unrolled=True)


def core_params(theta):
    """theta (S, 17) -> the core's parameters {W, P, V} (copies)."""
    W, P, V = split(theta)
    V_core = np.concatenate([np.zeros((len(theta), 1)), V], 1)[:, None]       # (S, 1, 3): [0, v, b]
    return {"W": W.copy(), "P": P[:, :, None].copy(), "V": V_core}


def run_sequence(theta, x, linear):
    """The core's forward pass over x (T, S) from a reset state: cache, y and dy/dnet (T, S)."""
    cache = lstm.forward(CELL, core_params(theta), x[:, :, None, None])
    z = cache["z"][:, :, 0, 0]
    sg = sigmoid(z)
    return cache, np.where(linear, z, sg), np.where(linear, 1.0, sg * (1 - sg))


def seq_loss(theta, x, target, mask, linear):
    """E = 1/2 sum_t mask (y - target)^2, summed over nets."""
    return 0.5 * float(np.sum(mask * (run_sequence(theta, x, linear)[1] - target) ** 2))


def grads_bptt(theta, x, target, mask, linear, truncate):
    """dE/dtheta (S, 17) by the core's backpropagation through time: exact (truncate=False) or the
    paper's truncation (an implementation independent of the RTRL traces in ``RTRL``)."""
    cache, y, dy = run_sequence(theta, x, linear)
    dz = (mask * (y - target) * dy)[:, :, None, None]                   # (T, S, 1, 1)
    g = lstm.grads_bptt(CELL, core_params(theta), cache, dz, truncate)
    G = np.zeros_like(theta)
    gW, gP, gV = split(G)
    gW[...], gP[...], gV[...] = g["W"], g["P"][:, :, 0], g["V"][:, 0, 1:]
    return G


def grads_rtrl(theta, x, target, mask, linear):
    """The paper's truncated RTRL, summed over a sequence with the weights held fixed:
    exactly the per-step gradients ``train`` applies. Must equal grads_bptt(..., truncate=True)."""
    net = RTRL(theta, linear)
    G = np.zeros_like(theta)
    for t in range(x.shape[0]):
        G += net.step(x[t], target[t], mask[t])[0]
    return G


class RTRL:
    """The paper's truncated RTRL for S nets, one time step per call, on preallocated arrays.

    State: s, y_c (S,); traces trW (S, 3, 3) = ds/dW[:, rows (x, y_c, 1), columns (i, f, g)] and
    trP (S, 2) = ds/d(p_i, p_f). ``step`` returns the step's gradient G (S, 17) (a reused buffer)
    and the output y (S,). The weights theta (S, 17) are read through views, so updating theta in
    place between steps is seen at the next step.
    """

    def __init__(self, theta, linear):
        S = theta.shape[0]
        self.W, self.P, self.V = split(theta)
        self.linear = np.asarray(linear, float)           # 1 = linear output unit, 0 = logistic
        self.U = np.ones((S, 3))                       # u(t) = [x(t), y_c(t-1), 1]
        self.loc = np.zeros((S, 3))
        self.G = np.zeros_like(theta)
        self.gW, self.gP, self.gV = split(self.G)
        self.reset(np.ones(S, bool))

    def reset(self, which):
        """Reset state and traces of the nets in ``which`` (S,) bool (a new stream)."""
        S = len(which)
        if which.all():
            self.s, self.yc = np.zeros(S), np.zeros(S)
            self.trW, self.trP = np.zeros((S, 3, 3)), np.zeros((S, 2))
            return
        keep = ~which
        self.s = self.s * keep
        self.yc = self.yc * keep
        self.trW *= keep[:, None, None]
        self.trP *= keep[:, None]

    def step(self, x, target, mask):
        W, P, V, U, loc = self.W, self.P, self.V, self.U, self.loc
        s = self.s
        U[:, 0], U[:, 1] = x, self.yc
        z = x[:, None] * W[:, 0]                                       # (S, 4) net inputs i, f, g, o
        z += self.yc[:, None] * W[:, 1]
        z += W[:, 2]
        zif = z[:, :2] + P[:, :2] * s[:, None]                         # peepholes from s(t-1)
        sif = np.tanh(0.5 * zif)
        sif *= 0.5
        sif += 0.5                                                     # i, f = sigma(.)
        i, f, g = sif[:, 0], sif[:, 1], z[:, 2]
        # s(t) = f s(t-1) + i g
        s_new = f * s + i * g
        o = 0.5 + 0.5 * np.tanh(0.5 * (z[:, 3] + P[:, 2] * s_new))    # output gate sees s(t)
        yc = o * s_new                                                 # y_c = o h(s), h = identity
        net = V[:, 0] * yc + V[:, 1]
        sg = 0.5 + 0.5 * np.tanh(0.5 * net)
        y = sg + self.linear * (net - sg)
        # truncated traces: ds(t)/dw = f ds(t-1)/dw + d s(t)/d net * d net/dw (u, s(t-1) fixed)
        dsif = sif * (1.0 - sif)
        loc[:, 0] = g * dsif[:, 0]
        loc[:, 1] = s * dsif[:, 1]
        loc[:, 2] = i
        trW, trP = self.trW, self.trP
        trW *= f[:, None, None]
        trW += U[:, :, None] * loc[:, None, :]
        trP *= f[:, None]
        trP += s[:, None] * loc[:, :2]
        # error at the output unit; output gate and output unit: plain backprop at this step
        dn = mask * (y - target) * (sg * (1.0 - sg) * (1.0 - self.linear) + self.linear)
        gW, gP, gV = self.gW, self.gP, self.gV
        gV[:, 0] = dn * yc
        gV[:, 1] = dn
        e_s = dn * V[:, 0] * o                                         # dE/ds(t) at this step
        dzo = e_s * s_new * (1.0 - o)                                  # dE/dnet_o = dE/dy_c s o (1-o)
        np.multiply(e_s[:, None, None], trW, out=gW[:, :, :3])
        np.multiply(dzo[:, None], U, out=gW[:, :, 3])
        np.multiply(e_s[:, None], trP, out=gP[:, :2])
        gP[:, 2] = dzo * s_new
        self.s, self.yc = s_new, yc
        return self.G, y


def jacobian(theta, x, s, yc):
    """d(s(t), y_c(t)) / d(s(t-1), y_c(t-1)) of the full map (peepholes included), (S, 2, 2):
    the core's ``step_jacobian`` of the step from s, yc."""
    W, P, _ = split(theta)
    act, s_new, _ = step(theta, x, s, yc)
    return lstm.step_jacobian(SCALAR_CELL, {"W": W, "P": P[:, :, None]}, act, s[:, None], s_new[:, None])


# ----------------------------------------------------------------------------------------------
# Tasks: per-net event streams, stepped in lock-step
# ----------------------------------------------------------------------------------------------
class Streams:
    """The input, target and error mask of every net's current stream, one step at a time.

    kind (S,) 0 = MSD, 1 = GTS, 2 = PFG; F (S,). MSD: a spike at the first step of a stream
    (no target), then every F + I(n) steps, I(n) in {0, 1}; the target I(n) is asked at each later
    spike. GTS: target 1 at steps F-1, 2F-1, ... of the stream, 0 elsewhere, asked at every step.
    PFG: target cos(2 pi tau / F) at step tau of the stream, asked at every step. An event is a
    scored spike (MSD), a target spike (GTS) or a completed period (PFG); ``events`` counts them.
    """
    NEVER = 1 << 40

    def __init__(self, kind, F, rng, chunk=4096):
        self.kind, self.F, self.rng, self.chunk = np.asarray(kind), np.asarray(F), rng, chunk
        S = len(self.kind)
        self.msd = self.kind == 0
        self.not_msd = ~self.msd
        ph = np.arange(self.F.max())[None, :]
        self.tab = np.where(self.kind[:, None] == 2, np.cos(2 * np.pi * ph / self.F[:, None]),
                            (ph + 1 == self.F[:, None]).astype(float))          # (S, F_max)
        self.ev_tab = (ph + 1 == self.F[:, None]) & self.not_msd[:, None]
        self.ar = np.arange(S)
        self.ph = np.zeros(S, dtype=np.int64)            # step of the stream modulo F (GTS, PFG)
        self.c = np.zeros(S, dtype=np.int64)             # steps since the last spike (MSD)
        self.iv = np.zeros(S, dtype=np.int64)            # current interval F + I (MSD)
        self.started = np.zeros(S, bool)
        self.events = np.zeros(S, dtype=np.int64)
        self.k = 0
        self.reset(np.ones(S, bool))

    def reset(self, which):
        self.ph[which] = 0
        self.events[which] = 0
        self.c[which] = 0
        self.iv[which] = np.where(self.msd[which], 0, self.NEVER)   # MSD: a spike at the first step
        self.started[which] = False

    def next(self):
        """x, target, mask, event (all (S,)) for the next step; advances the counters."""
        if self.k % self.chunk == 0:
            self.delays = self.rng.integers(0, 2, size=(self.chunk, len(self.kind)))
        spike = self.c >= self.iv
        scored = spike & self.started
        x = spike.astype(float)
        target = np.where(self.msd, self.iv - self.F, self.tab[self.ar, self.ph])
        mask = (scored | self.not_msd).astype(float)
        event = scored | self.ev_tab[self.ar, self.ph]
        self.iv = np.where(spike, self.F + self.delays[self.k % self.chunk], self.iv)
        self.c = np.where(spike, 1, self.c + 1)
        self.ph += 1
        self.ph[self.ph >= self.F] = 0
        self.started[:] = True
        self.k += 1
        return x, target, mask, event


def test_streams(kind, F, rng, n_events):
    """Fixed test streams, one per net, built directly (same rules as ``Streams``): x, target,
    mask, event, valid (L, S); valid marks the steps up to the n_events-th event."""
    kind, F = np.asarray(kind), np.asarray(F)
    S = len(kind)
    delays = rng.integers(0, 2, size=(S, n_events))
    spikes = np.concatenate([np.zeros((S, 1), np.int64), np.cumsum(F[:, None] + delays, axis=1)], axis=1)
    length = np.where(kind == 0, spikes[:, -1] + 1, n_events * F)
    L = int(length.max())
    t = np.arange(L)[:, None]
    x, target, mask = np.zeros((L, S)), np.zeros((L, S)), np.zeros((L, S))
    ph = t % F
    target[:] = np.where(kind == 2, np.cos(2 * np.pi * ph / F), (ph + 1 == F).astype(float))
    mask[:] = kind != 0
    event = (ph + 1 == F) & (kind != 0)
    for j in np.flatnonzero(kind == 0):
        x[spikes[j], j] = 1.0
        target[:, j] = 0.0
        target[spikes[j, 1:], j] = delays[j]
        mask[spikes[j, 1:], j] = 1.0
        event[spikes[j, 1:], j] = True
    return x, target, mask, event, t < length


def evaluate(theta, linear, tol, test, which=None):
    """Run the fixed test streams with frozen weights for the nets in ``which`` (default all).
    Returns passed (S,) bool and the number of events before the first error (S,); nets not in
    ``which`` get False and 0. Stops early once every tested net has made an error."""
    x, tg, m, ev, valid = test
    S = theta.shape[0]
    which = np.ones(S, bool) if which is None else which
    idx = np.flatnonzero(which)
    passed, n_ev = np.zeros(S, bool), np.zeros(S, dtype=np.int64)
    if idx.size == 0:
        return passed, n_ev
    th, lin, tl = theta[idx], np.asarray(linear)[idx], np.asarray(tol)[idx]
    x, tg, m, ev, valid = x[:, idx], tg[:, idx], m[:, idx] > 0, ev[:, idx], valid[:, idx]
    n = idx.size
    s, yc = np.zeros(n), np.zeros(n)
    ok = np.ones(n, bool)
    n_ok = np.zeros(n, dtype=np.int64)
    for t in range(x.shape[0]):
        _, s, yc = step(th, x[t], s, yc)
        y, _ = output(th, yc, lin)
        ok &= ~(valid[t] & m[t] & ~(np.abs(y - tg[t]) < tl))          # NaN counts as an error
        n_ok += ok & valid[t] & ev[t]
        if t % 64 == 0 and not (ok & valid[t]).any():
            break
    passed[idx], n_ev[idx] = ok, n_ok
    return passed, n_ev


# ----------------------------------------------------------------------------------------------
# Training: online truncated RTRL with momentum, every net in lock-step
# ----------------------------------------------------------------------------------------------
def train(theta, peep, nets, max_steps, rng_data, test, test_short, snap_x, log_every, test_every, n_snaps):
    """Train every net until it is solved or max_steps time steps have passed.

    nets: dict of (S,) arrays kind, F, momentum, linear, tol. Updates at every step:
    delta = momentum delta - lr grad, w += delta. A stream ends at the first output error
    (|err| >= tol on a scored step) or after TRAIN_EVENTS events; then the net's state and traces
    are reset (the momentum is kept). Nets that completed a full training stream since the last
    test are tested on their 1000-event test stream every ``test_every`` steps; a net that passes
    is solved and frozen. Returns a dict of results (streams to solve, learning curves, snapshots).
    """
    S = theta.shape[0]
    linear, tol, mom = nets["linear"], nets["tol"], nets["momentum"]
    lr = np.repeat(np.asarray(nets["lr"], float)[:, None], theta.shape[1], axis=1)
    lr[:, 12:15] *= np.asarray(peep, float)[:, None]                   # no-peephole nets keep P = 0
    st = Streams(nets["kind"], nets["F"], rng_data)
    net = RTRL(theta, linear)
    delta = np.zeros_like(theta)
    mom_col = np.asarray(mom, float)[:, None]
    active = np.ones(S, bool)
    candidate = np.zeros(S, bool)
    n_streams = np.zeros(S, dtype=np.int64)
    solved_at = np.full(S, -1, dtype=np.int64)
    solved_step = np.full(S, -1, dtype=np.int64)
    ev_sum, ev_cnt = np.zeros(S), np.zeros(S)
    full_streams = np.zeros(S, dtype=np.int64)
    curve_t, curve_ev, curve_streams, curve_test = [], [], [], []
    snaps, snap_t = [], []
    snap_every = max(1, max_steps // n_snaps)
    t_loop = cli.Timer()
    for k in range(max_steps):
        x, target, mask, event = st.next()
        G, y = net.step(x, target, mask)
        delta *= mom_col                                               # momentum SGD at every step
        delta -= lr * G
        theta += delta
        err = (mask > 0) & ~(np.abs(y - target) < tol)
        st.events += event & ~err
        end = err | (st.events >= TRAIN_EVENTS)
        if end.any():
            full = end & ~err
            ev_sum += np.where(end, st.events, 0)
            ev_cnt += end
            n_streams += end & active
            full_streams += full & active
            candidate |= full & active
            st.reset(end)
            net.reset(end)
        if (k + 1) % test_every == 0 or k + 1 == max_steps:
            cli.check_finite(k, weights=theta)
            if candidate.any():
                ok, _ = evaluate(theta, linear, tol, test, candidate & active)
                new = ok & active
                solved_at[new], solved_step[new] = n_streams[new], k + 1
                active &= ~new
                lr[new] = 0.0                                          # solved nets are frozen
                delta[new] = 0.0
                candidate[:] = False
        if k % snap_every == 0 or k + 1 == max_steps:
            snaps.append(free_run(theta, snap_x, linear)[0])
            snap_t.append(k + 1)
        if (k + 1) % log_every == 0 or k + 1 == max_steps:
            mean_ev = np.where(ev_cnt > 0, ev_sum / np.maximum(ev_cnt, 1), np.nan)
            curve_t.append(k + 1)
            curve_ev.append(mean_ev)
            curve_streams.append(n_streams.copy())
            ev_sum[:], ev_cnt[:] = 0, 0
            curve_test.append(evaluate(theta, linear, tol, test_short)[1])
            print(f"  step {k + 1:9d}  solved {int((solved_at >= 0).sum()):3d}/{S}  "
                  f"streams/net {n_streams.mean():9.0f}  events/stream {np.nanmean(mean_ev):6.2f}  "
                  f"nets with a full stream {int((full_streams > 0).sum()):3d}  "
                  f"{cli.progress(k + 1, max_steps, t_loop())}", flush=True)
        if not active.any():
            break
    return {"theta": theta, "solved_at": solved_at, "solved_step": solved_step, "n_streams": n_streams,
            "full_streams": full_streams, "steps": k + 1,
            "curve_t": np.array(curve_t), "curve_events": np.array(curve_ev),
            "curve_streams": np.array(curve_streams), "curve_test_events": np.array(curve_test),
            "snap_t": np.array(snap_t), "snap_y": np.array(snaps)}


def free_run(theta, x, linear):
    """Outputs and states over x (L, S) from a reset state: y, s, yc (L, S)."""
    S = theta.shape[0]
    s, yc = np.zeros(S), np.zeros(S)
    ys, ss, ycs = [], [], []
    for t in range(x.shape[0]):
        _, s, yc = step(theta, x[t], s, yc)
        ys.append(output(theta, yc, linear)[0])
        ss.append(s)
        ycs.append(yc)
    return np.array(ys), np.array(ss), np.array(ycs)


# ----------------------------------------------------------------------------------------------
# Gradient checks (float64; --gradcheck and the tests)
# ----------------------------------------------------------------------------------------------
def gradient_checks(args=None):
    """Exact BPTT vs central differences (Richardson) on short dense random inputs, logistic and
    linear outputs; the truncated gradient as RTRL traces vs the truncated backward pass, on a
    spike stream with targets at the spikes; the earlier catalog's LSTM (its own file)."""
    rng = np.random.default_rng(0)
    T, S = 7, 4
    errs = {}
    linear = np.array([False, True, False, True])
    theta = rng.uniform(-1.0, 1.0, size=(S, N_WEIGHTS))
    x = rng.normal(size=(T, S))
    target, mask = rng.uniform(size=(T, S)), (rng.uniform(size=(T, S)) < 0.7).astype(float)
    g = grads_bptt(theta, x, target, mask, linear, truncate=False)
    params = {"theta": theta}
    e = check_gradients(lambda: seq_loss(params["theta"], x, target, mask, linear), params, {"theta": g},
                        eps=1e-3, richardson=True)
    errs["exact BPTT vs finite differences (17 weights, 4 nets)"] = e["theta"]
    # the truncated gradient: two independent implementations on a spike stream
    T = 40
    st = Streams(np.array([0, 0, 1, 2]), np.array([6, 5, 6, 6]), rng)
    cols = [st.next()[:3] for _ in range(T)]
    xs, ts, ms = (np.array(c) for c in zip(*cols, strict=True))
    theta = init_params(rng, [True, True, False, True])
    theta += rng.uniform(-0.5, 0.5, size=theta.shape)
    a = grads_rtrl(theta, xs, ts, ms, linear)
    b = grads_bptt(theta, xs, ts, ms, linear, truncate=True)
    errs["truncated: RTRL traces vs truncated BPTT"] = rel_error(a, b)
    errs.update(stub_module("catalog").catalog_gradient_checks(rng))
    return errs


# ----------------------------------------------------------------------------------------------
# Main
# ----------------------------------------------------------------------------------------------
def _finite(a):
    """A list for results.json with NaN/inf recorded as None (the schema forbids non-finite numbers)."""
    a = np.asarray(a, float)
    return [[None if not np.isfinite(v) else float(v) for v in row] for row in a] if a.ndim == 2 else \
        [None if not np.isfinite(v) else float(v) for v in a]


def build_nets(n_seeds, task_ids, lrs=(LR,)):
    """Net axis: for each learning rate and task, n_seeds with peepholes then n_seeds without."""
    rows = []
    for lr in lrs:
        for ti in task_ids:
            name, kind, F, mom, out, tol = TASKS[ti]
            for peep in (True, False):
                for sd in range(n_seeds):
                    rows.append((ti, KIND_ID[kind], F, mom, out == "linear", tol, peep, sd, lr))
    cols = list(zip(*rows, strict=True))
    keys = ("task", "kind", "F", "momentum", "linear", "tol", "peep", "seed_index", "lr")
    return {k: np.array(c) for k, c in zip(keys, cols, strict=True)}


def paper_config(args, lrs, S, sizes):
    return {"tasks": [dict(zip(("name", "kind", "F", "momentum", "output", "tol"), t, strict=True))
                      for t in TASKS],
            "n_seeds_per_task_and_variant": args.n_seeds, "n_nets": S, "lr": LR,
            "diagnostic_lrs": list(lrs[1:]), "max_steps_per_net": args.max_steps,
            "train_events_per_stream": TRAIN_EVENTS, "test_events": sizes["test_events"],
            "test_every": args.test_every, "weights_with_peepholes": N_WEIGHTS,
            "weights_without_peepholes": N_WEIGHTS - 3,
            "init": "U[-0.1, 0.1]; biases input 0, forget -2, output +2",
            "squashing": "gates logistic; g and h identity", "update": "every time step (online)",
            "gradient": "truncated RTRL: error back in time only through s, not via y_c(t-1) or peepholes",
            "msd_delays": [0, 1]}


def variant_metrics(sel, kind, out, passed, test_ev, dyn, theta, theta0):
    """The nets of one (learning rate, task, peephole or not) group."""
    sa = out["solved_at"][sel]
    ok = sa >= 0
    msd = kind == "msd"
    return {"solved": int(ok.sum()), "n": int(sel.sum()), "streams_to_solve": sa.tolist(),
            "median_streams_to_solve": float(np.median(sa[ok])) if ok.any() else None,
            "streams_trained": out["n_streams"][sel].tolist(),
            "nets_with_a_full_training_stream": int((out["full_streams"][sel] > 0).sum()),
            "final_test_pass": int(passed[sel].sum()),
            "final_test_events_before_error": test_ev[sel].tolist(),
            "final_train_events_per_stream": _finite(out["curve_events"][-1][sel]),
            "lyapunov_mean": dyn["ex"][sel].mean(0).tolist(),
            "forget_bias_final": theta[sel, 9].tolist(),
            "orbit_overflows": int(dyn["div"][sel].sum()),
            "weight_change_norm": np.linalg.norm(theta[sel] - theta0[sel], axis=1).tolist(),
            "multiplier_moduli_10_steps": None if msd else _finite(dyn["mult"][sel]),
            "recovery_periods_after_kick": None if msd else dyn["rec"][sel].tolist(),
            "slope_s_mean": _finite(dyn["slope_m"][sel]) if msd else None,
            "slope_s_cv": _finite(dyn["slope_cv"][sel]) if msd else None}


VARIANTS = (("peephole", True), ("no_peephole", False))


def group_name(lr):
    return "paper_lr" if lr == LR else f"lr_{lr:g}"


def verdict_solved(n_solved, n):
    """yes when every peephole net of the task is solved, partial when some are."""
    return "yes" if n_solved == n else ("partial" if n_solved else "no")


def verdict_diagnostic(n_solved):
    """a deviation (learning rate): partial at best."""
    return "partial" if n_solved else "no"


def paper_budget(task):
    """The paper's stream cap for a task: 10^8 for MSD, 10^7 for the others (README, Sources)."""
    return 10 ** 8 if task.startswith("MSD") else 10 ** 7


def paper_headline(metrics, lrs, max_steps):
    rows = []
    for name, _, _, mom, _, _ in TASKS:
        pp, nn = metrics["paper_lr"][name]["peephole"], metrics["paper_lr"][name]["no_peephole"]
        # a net unsolved after a fraction of the paper's cap is untested, not refuted (SPEC, Verdicts)
        streams, need = int(np.mean(pp["streams_trained"])), paper_budget(name)
        rows.append({
            "name": f"{name}: nets solved within {max_steps:,} steps (paper's lr), peephole | no peephole",
            "value": f"{pp['solved']}/{pp['n']} | {nn['solved']}/{nn['n']}", "paper_value": None,
            "verdict": at_budget(verdict_solved(pp["solved"], pp["n"]), streams, need),
            "note": (f"lr 1e-5, momentum {mom}; ~{streams:,} streams per net; "
                     "the paper's cap is 1e7 streams (1e8 MSD); its table of results was not found"
                     + ("" if pp["solved"] == pp["n"] else "; " + budget_note(streams, need, "streams")))})
    for lr in lrs[1:]:
        g = metrics[group_name(lr)]
        val = "; ".join(f"{name.split(' (')[0]} {g[name]['peephole']['solved']}|"
                        f"{g[name]['no_peephole']['solved']}" for name, *_ in TASKS)
        solved = sum(g[t[0]][v]["solved"] for t in TASKS for v in ("peephole", "no_peephole"))
        rows.append({
            "name": f"diagnostic: lr {lr:g} (x{lr / LR:.0f} the paper's), solved peephole|none per task",
            "value": val, "paper_value": None,
            "verdict": at_budget(verdict_diagnostic(solved), max_steps, 10 ** 7),
            "note": "a deviation (learning rate) to see whether the budget, not the task, is the bottleneck"
                    + ("" if solved else "; open: the same step cap, far below the paper's 10^7 streams")})
    return rows


def lyapunov_record(metrics, built, sizes):
    L_dyn = sizes["L_dyn"]
    warm = L_dyn // 2
    lyap = {"method": (f"QR iteration of the 2x2 Jacobian of (s, y_c) along {L_dyn - warm} steps after "
                       f"{warm} warm-up steps (free run for GTS/PFG, the test stream for MSD), 10 alignment "
                       "steps; per-step exponents, mean over nets of each task and variant"),
            "exponents": {f"{t[0]} {v}": sorted(metrics["paper_lr"][t[0]][v]["lyapunov_mean"], reverse=True)
                          for t in TASKS for v in ("peephole", "no_peephole")}}
    lyap["exponents"].update({f"hand-set {k}": v["lyapunov"] for k, v in built.items()})
    return lyap


def paper_arrays(nets, theta0, theta, out, dyn, fin):
    return {"task": nets["task"], "peep": nets["peep"], "lr": nets["lr"], "theta0": theta0, "theta": theta,
            "solved_at": out["solved_at"], "n_streams": out["n_streams"], "curve_t": out["curve_t"],
            "curve_events": out["curve_events"], "curve_streams": out["curve_streams"],
            "curve_test_events": out["curve_test_events"], "snap_t": out["snap_t"], "snap_y": out["snap_y"],
            "dyn_s": dyn["s"][-200:], "dyn_x": dyn["x"][-200:], "lyap": dyn["ex"], "floquet": dyn["mult"],
            "final_y": fin[0], "final_s": fin[1]}


def stub_module(name):
    """timing_counting_spikes_<name>.py beside this file (dynamics, catalog), imported on demand. It
    imports this file by its module name: a script run registers itself under that name first (no
    second execution)."""
    return cli.load_sibling(__file__, f"timing_counting_spikes_{name}", globals())


def main(args):
    timer = cli.Timer()
    if args.setting != "paper":
        stub_module(args.setting).run(args, timer)
        return
    cli.quick(args, **QUICK)
    sizes = RUN_SIZES[bool(args.quick)]
    lrs = (LR,) + tuple(args.diag_lrs)
    nets = build_nets(args.n_seeds, range(len(TASKS)), lrs)
    S = len(nets["task"])
    r = streams(args.seed, ["init", "data", "eval"])
    theta = init_params(r["init"], nets["peep"])
    theta0 = theta.copy()
    test = test_streams(nets["kind"], nets["F"], r["eval"], sizes["test_events"])
    test_short = test_streams(nets["kind"], nets["F"], r["eval"], TRAIN_EVENTS)   # learning curves
    snap_x = np.zeros((60, S))
    snap_x[0] = (nets["kind"] == 0)                                    # MSD nets: one spike, then silence
    cfg = paper_config(args, lrs, S, sizes)
    print(f"timing (Gers et al. 2002): {S} nets at once ({len(lrs)} learning rates x {len(TASKS)} tasks x "
          f"peephole/no peephole x {args.n_seeds} seeds), cap {args.max_steps:,} steps per net, lr {lrs}")
    out = train(theta, nets["peep"], nets, args.max_steps, r["data"], test, test_short, snap_x,
                log_every=max(1, args.max_steps // 40), test_every=args.test_every, n_snaps=sizes["n_snaps"])
    train_s = timer()
    theta = out["theta"]
    passed, test_ev = evaluate(theta, nets["linear"], nets["tol"], test)
    analysis = stub_module("dynamics")
    dyn = analysis.trained_dynamics(theta, nets, test, sizes)
    built = analysis.constructed_report(r["eval"], sizes["test_events"], sizes["L_dyn"], sizes["L_dyn"] // 2,
                               sizes["rec_len"], sizes["kick_at"])
    metrics = {group_name(lr): {name: {variant: variant_metrics(
        (nets["lr"] == lr) & (nets["task"] == ti) & (nets["peep"] == peep), kind, out, passed, test_ev, dyn,
        theta, theta0) for variant, peep in VARIANTS} for ti, (name, kind, *_) in enumerate(TASKS)}
        for lr in lrs}                                                 # learning rate -> task -> variant
    metrics["constructed"] = built
    metrics["timing"] = {"train_wall_s": train_s, "us_per_step_all_nets": 1e6 * train_s / out["steps"]}
    arrays = paper_arrays(nets, theta0, theta, out, dyn, free_run(theta, snap_x, nets["linear"]))
    finish_run(args.out, record(args, __file__, title=TITLE, paper=PAPER, config=cfg, metrics=metrics,
                                headline=paper_headline(metrics, lrs, args.max_steps),
                                lyapunov=lyapunov_record(metrics, built, sizes)), arrays, timer)


def _lr_list(text):
    """argparse type: up to 5 comma-separated learning rates in (0, 1] ('' for none)."""
    if not text.strip():
        return ()
    v = tuple(cli.float_range(0.0, 1.0)(t) for t in text.split(","))
    if len(v) > 5 or len(set(v)) < len(v) or LR in v:
        raise argparse.ArgumentTypeError(f"at most 5 distinct extra learning rates other than the paper's "
                                         f"{LR:g}, got {text!r}")
    return v


def build_parser():
    parser = cli.make_parser(__doc__, __file__, settings={
        "paper": "the paper's MSD, GTS and PFG tasks with its 17-weight net (the headline)",
        "catalog": "the earlier catalog's invented interval-reproduction task, for the speed comparison"})
    parser.add_argument("--n-seeds", type=cli.int_range(1, 1000), default=10,
                        help="nets per task and variant (peephole / none), all trained at once")
    parser.add_argument("--max-steps", type=cli.int_range(1, 100_000_000), default=600_000,
                        help="cap on training time steps per net (the paper's cap: 1e7-1e8 streams)")
    parser.add_argument("--diag-lrs", type=_lr_list, default=(1e-4,),
                        help="comma-separated extra learning rates trained beside the paper's 1e-5")
    parser.add_argument("--test-every", type=cli.int_range(1, 100_000_000), default=50_000,
                        help="steps between tests of nets that completed a 100-event training stream")
    parser.add_argument("--catalog-seeds", type=cli.int_range(1, 1000), default=1,
                        help="--setting catalog: seeds per variant")
    # the stub's own flags each setting reads (any other given flag is refused in one line)
    cli.setting_flags(parser, {
        "paper": ["diag_lrs", "max_steps", "n_seeds", "test_every"],
        "catalog": ["catalog_seeds"]})
    return parser


if __name__ == "__main__":
    np.seterr(over="ignore", invalid="ignore")
    cli.run(main, build_parser(), gradcheck=gradient_checks)
