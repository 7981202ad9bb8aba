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

Learning (the paper's): truncated RTRL, updates at every time step, error flows back in time only
through s(t) -> s(t-1) (multiplied by f), never through y_c(t-1) and never through a peephole;
the peephole weights themselves are trained with s as their input. Momentum SGD, lr 1e-5.

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
    python3 timing_counting_spikes.py --quick               # seconds; what the tests run

Shapes: every weight has a leading net axis S; per-step arrays are (S,) or (S, k); sequences
for the checks are time-major (T, S).
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401  (pins BLAS to one thread before numpy loads)

import numpy as np

from shared import cli
from shared.gradcheck import check_gradients, rel_error
from shared.lyapunov import qr_spectrum
from shared.optim import Adam
from shared.results import finish_run
from shared.rng import streams

PAPER = ("F. A. Gers, N. N. Schraudolph and J. Schmidhuber, Learning Precise Timing with LSTM Recurrent "
         "Networks, JMLR 3:115-143, 2002")
N_WEIGHTS = 17                     # 4 units x 3 inputs + 3 peepholes + output (weight, bias)
LR = 1e-5
# (name, kind, F, momentum, output, tolerance); momenta per task as the note transcribes the paper
TASKS = (("MSD F=10", "msd", 10, 0.9999, "logistic", 0.49),
         ("MSD F=49 (49 vs 50)", "msd", 49, 0.9999, "logistic", 0.49),
         ("GTS F=10", "gts", 10, 0.999, "logistic", 0.49),
         ("PFG cos F=10", "pfg", 10, 0.99, "linear", 0.3))
KIND_ID = {"msd": 0, "gts": 1, "pfg": 2}
TRAIN_EVENTS, TEST_EVENTS = 100, 1000
BIAS_I, BIAS_F, BIAS_O = 0.0, -2.0, 2.0


def sigmoid(z):
    return 0.5 + 0.5 * np.tanh(0.5 * z)


# ----------------------------------------------------------------------------------------------
# Model: init, one forward step, exact and truncated gradients of a whole sequence
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
    """One step for every net: x, s = s(t-1), yc = y_c(t-1), all (S,). Returns a dict of (S,)
    arrays (z: (S, 4) net inputs; a: (S, 4) activations i, f, g, o) and the new s, y_c."""
    W, P, _ = split(theta)
    z = x[:, None] * W[:, 0] + yc[:, None] * W[:, 1] + W[:, 2]        # (S, 4)
    z[:, 0] += P[:, 0] * s
    z[:, 1] += P[:, 1] * s
    a = z.copy()
    a[:, :2] = sigmoid(z[:, :2])
    s_new = a[:, 1] * s + a[:, 0] * a[:, 2]                          # s(t) = f s(t-1) + i g
    z[:, 3] += P[:, 2] * s_new                                        # output gate sees s(t)
    a[:, 3] = sigmoid(z[:, 3])
    return z, a, s_new, a[:, 3] * s_new                               # y_c = o s


def output(theta, yc, linear):
    """y (S,) and dy/dnet (S,): logistic output unit, or linear where ``linear`` (S,) is True."""
    _, _, V = split(theta)
    net = V[:, 0] * yc + V[:, 1]
    sg = sigmoid(net)
    return np.where(linear, net, sg), np.where(linear, 1.0, sg * (1 - sg))


def run_sequence(theta, x, linear):
    """Forward over x (T, S) from a reset state. Returns cache with s (T+1, S), yc (T+1, S),
    z, a (T, S, 4), y, dy (T, S)."""
    T, S = x.shape
    s, yc = np.zeros((T + 1, S)), np.zeros((T + 1, S))
    z, a, y, dy = np.zeros((T, S, 4)), np.zeros((T, S, 4)), np.zeros((T, S)), np.zeros((T, S))
    for t in range(T):
        z[t], a[t], s[t + 1], yc[t + 1] = step(theta, x[t], s[t], yc[t])
        y[t], dy[t] = output(theta, yc[t + 1], linear)
    return {"x": x, "s": s, "yc": yc, "z": z, "a": a, "y": y, "dy": dy}


def seq_loss(theta, x, target, mask, linear):
    """E = 1/2 sum_t mask (y - target)^2, summed over nets."""
    y = run_sequence(theta, x, linear)["y"]
    return 0.5 * float(np.sum(mask * (y - target) ** 2))


def grads_bptt(theta, cache, target, mask, truncate):
    """Backpropagation through time over a whole sequence, dE/dtheta (S, 17).

    truncate=False: the exact gradient (checked by finite differences).
    truncate=True: the paper's truncation written as a backward pass (an implementation
    independent of the RTRL traces in ``train``): errors reaching a net input stop there
    (nothing flows into y_c(t-1), nothing back through a peephole into s); only
    ds(t) -> ds(t-1) = f(t) ds(t) continues.
    """
    x, s, yc, a, y, dyo = cache["x"], cache["s"], cache["yc"], cache["a"], cache["y"], cache["dy"]
    T, S = x.shape
    W, P, V = split(theta)
    G = np.zeros_like(theta)
    gW, gP, gV = split(G)
    ds_next, dyc_next = np.zeros(S), np.zeros(S)
    for t in range(T - 1, -1, -1):
        i, f, g, o = a[t].T
        sp, st = s[t], s[t + 1]
        dnet_out = mask[t] * (y[t] - target[t]) * dyo[t]
        gV[:, 0] += dnet_out * yc[t + 1]
        gV[:, 1] += dnet_out
        # y_c = o s
        dyc = dnet_out * V[:, 0] + dyc_next
        dzo = dyc * st * o * (1 - o)
        ds = dyc * o + ds_next
        if not truncate:
            ds = ds + dzo * P[:, 2]                                   # o sees s(t) via p_o
        # s(t) = f s(t-1) + i g
        dzi, dzf, dzg = ds * g * i * (1 - i), ds * sp * f * (1 - f), ds * i
        dz = np.stack([dzi, dzf, dzg, dzo], axis=1)                   # (S, 4)
        u = np.stack([x[t], yc[t], np.ones(S)], axis=1)               # (S, 3)
        gW += u[:, :, None] * dz[:, None, :]
        gP += np.stack([dzi * sp, dzf * sp, dzo * st], axis=1)
        ds_next = ds * f
        if truncate:
            dyc_next = np.zeros(S)
        else:
            ds_next = ds_next + dzi * P[:, 0] + dzf * P[:, 1]
            dyc_next = np.einsum("sk,sk->s", dz, W[:, 1])
    return G


def grads_rtrl(theta, x, target, mask, linear):
    """The paper's truncated RTRL, summed over a sequence with the weights held fixed:
    exactly the per-step gradients ``train`` applies. Must equal grads_bptt(truncate=True)."""
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
    """d(s(t), y_c(t)) / d(s(t-1), y_c(t-1)) of the full map (peepholes included), (S, 2, 2)."""
    W, P, _ = split(theta)
    z, a, s_new, _ = step(theta, x, s, yc)
    i, f, g, o = a.T
    di, df, do = i * (1 - i), f * (1 - f), o * (1 - o)
    W1 = W[:, 1]
    ds_ds = f + s * df * P[:, 1] + g * di * P[:, 0]
    ds_dy = s * df * W1[:, 1] + g * di * W1[:, 0] + i * W1[:, 2]
    dy_ds = do * P[:, 2] * ds_ds * s_new + o * ds_ds
    dy_dy = do * (P[:, 2] * ds_dy + W1[:, 3]) * s_new + o * ds_dy
    return np.stack([np.stack([ds_ds, ds_dy], -1), np.stack([dy_ds, dy_dy], -1)], -2)


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
        _, _, s, yc = step(th, x[t], s, yc)
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
def train(theta, peep, nets, max_steps, rng_data, test, test_short, snap_x, log_every, test_every, n_snaps,
          timer):
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
                  f"nets with a full stream {int((full_streams > 0).sum()):3d}  {timer():7.1f}s", flush=True)
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
        _, _, s, yc = step(theta, x[t], s, yc)
        ys.append(output(theta, yc, linear)[0])
        ss.append(s)
        ycs.append(yc)
    return np.array(ys), np.array(ss), np.array(ycs)


# ----------------------------------------------------------------------------------------------
# Dynamics: Lyapunov exponents, Floquet multipliers, recovery after a kick, slope of s
# ----------------------------------------------------------------------------------------------
def dynamics(theta, x, period, warm):
    """Along input x (L, S) (zeros for GTS/PFG: the free-running orbit; a test stream for MSD).

    Returns exponents (S, 2) over steps [warm, L) (QR method, 10 alignment steps), the moduli of
    the 10-step multipliers (S, 2) = |eig| of the product of the Jacobians over the last ``period``
    steps (Floquet multipliers when the orbit has that period), the states s (L, S), and a flag
    (S,) for orbits that overflow: with g and h the identity, y_c -> g feedback can make s grow
    geometrically; from the first non-finite step on, such a net's Jacobian is held at its last
    finite value (saturated gates: the growth factor itself).
    """
    L, S = x.shape
    s, yc = np.zeros(S), np.zeros(S)
    Js, ss = [], []
    J_last = np.broadcast_to(np.eye(2), (S, 2, 2)).copy()
    diverged = np.zeros(S, bool)
    for t in range(L):
        J = jacobian(theta, x[t], s, yc)
        bad = ~np.isfinite(J).all(axis=(1, 2)) | ~np.isfinite(s)
        diverged |= bad
        J = np.where(diverged[:, None, None], J_last, J)
        J_last = J
        if t >= warm:
            Js.append(J)
        _, _, s, yc = step(theta, x[t], s, yc)
        ss.append(s)
    Js = np.array(Js)                                                 # (L - warm, S, 2, 2)
    ex = np.maximum(qr_spectrum(Js, n_transient=10), -50.0)
    M = np.broadcast_to(np.eye(2), (S, 2, 2)).copy()
    for J in Js[-period:]:
        M = np.nan_to_num(J @ M, posinf=1e300, neginf=-1e300)
    mult = np.sort(np.abs(np.linalg.eigvals(M)), axis=-1)[:, ::-1]
    return ex, mult, np.array(ss), diverged


def recovery(theta, linear, L, kick_at, kick, F):
    """Free run of L steps with s kicked by ``kick`` at step kick_at: periods (of F steps) after the
    kick until the output stays within 0.05 of the unkicked run for a whole period (-1: never)."""
    S = theta.shape[0]
    x = np.zeros(S)
    out = []
    for kicked in (False, True):
        s, yc = np.zeros(S), np.zeros(S)
        ys = []
        for t in range(L):
            if kicked and t == kick_at:
                s = s + kick
            _, _, s, yc = step(theta, x, s, yc)
            ys.append(output(theta, yc, linear)[0])
        out.append(np.array(ys))
    d = np.abs(out[0] - out[1])[kick_at:]                             # (L - kick_at, S)
    n_per = d.shape[0] // F
    per = d[:n_per * F].reshape(n_per, F, S).max(axis=1) < 0.05       # (n_per, S)
    # first period from which the runs stay together until the end
    tail_ok = np.flip(np.cumprod(np.flip(per, 0), axis=0), 0).astype(bool)
    first = np.where(tail_ok.any(0), tail_ok.argmax(0), -1)
    return first


def slope_stats(s, x):
    """Per net: mean and coefficient of variation of the per-step change of s between spikes
    (MSD), over steps that are neither a spike nor the step after one. s, x (L, S)."""
    ds = np.diff(s, axis=0)
    quiet = (x[1:] == 0) & (x[:-1] == 0)
    mean = np.array([ds[quiet[:, j], j].mean() for j in range(s.shape[1])])
    sd = np.array([ds[quiet[:, j], j].std() for j in range(s.shape[1])])
    return mean, sd / np.maximum(np.abs(mean), 1e-12)


def constructed_nets():
    """Hand-set weights that solve GTS (F = 10, with peepholes) and MSD (F = 10 and 49, without
    peepholes): what the 17-weight net can represent, as a reference for the trained nets.

    GTS timer: i open and g = 1, so s counts steps; the output gate opens through p_o when
    s(t) reaches 10; the large y_c that follows closes the forget gate at the next step (reset).
    MSD counter: the same count, read at each input spike through an input-driven output gate;
    the output unit thresholds the count between F and F + 1. Returns theta (3, 17), kind, F,
    linear, tol, peep, names.
    """
    theta = np.zeros((3, N_WEIGHTS))
    W, P, V = split(theta)
    W[:, 2, 0], W[:, 2, 2] = 20.0, 1.0                                 # input gate open, g = 1
    W[0, 2, 1], W[0, 1, 1] = 20.0, -60.0                               # GTS: reset after firing
    P[0, 2], W[0, 2, 3] = 40.0, -40.0 * 9.5                            # fire when s(t) > 9.5
    V[0] = 4.0, -20.0
    W[1:, 2, 1], W[1:, 1, 1] = 15.0, -40.0                             # MSD: reset after a read-out
    W[1:, 0, 3], W[1:, 2, 3] = 20.0, -10.0                             # read out at input spikes
    F = np.array([10, 10, 49])
    V[1:, 0], V[1:, 1] = 10.0, -10.0 * (F[1:] + 0.5)
    names = ["GTS F=10 timer (peephole)", "MSD F=10 counter (no peephole)", "MSD F=49 counter (no peephole)"]
    peep = np.array([True, False, False])
    return theta, np.array([1, 0, 0]), F, np.zeros(3, bool), np.full(3, 0.49), peep, names


def constructed_report(rng, n_events, L_dyn, warm, rec_len, kick_at):
    """Test and dynamics of the hand-set nets, same measures as for the trained nets."""
    theta, kind, F, lin, tol, peep, names = constructed_nets()
    ok, n_ev = evaluate(theta, lin, tol, test_streams(kind, F, rng, n_events))
    x = np.zeros((L_dyn, 3))
    xt = test_streams(kind, F, rng, L_dyn // 10 + 2)[0]
    x[:, 1:] = xt[:L_dyn, 1:]
    ex, mult, s, _ = dynamics(theta, x, period=10, warm=warm)
    slope_m, slope_cv = slope_stats(s, x)
    rec = recovery(theta, lin, rec_len, kick_at, 0.5, 10)
    out = {}
    for j, name in enumerate(names):
        out[name] = {"test_passed": bool(ok[j]), "test_events": int(n_ev[j]),
                     "lyapunov": sorted(ex[j].tolist())[::-1]}
        if kind[j] == 1:
            out[name].update({"multiplier_moduli_10_steps": mult[j].tolist(),
                              "recovery_periods_after_kick": int(rec[j])})
        else:
            out[name].update({"slope_s_mean": float(slope_m[j]), "slope_s_cv": float(slope_cv[j])})
    return out


# ----------------------------------------------------------------------------------------------
# Gradient checks (float64; --gradcheck and the tests)
# ----------------------------------------------------------------------------------------------
def gradient_checks(args=None):
    """Exact BPTT vs central differences (Richardson) on short dense random inputs, logistic and
    linear outputs; the truncated gradient as RTRL traces vs the truncated backward pass, on a
    spike stream with targets at the spikes."""
    rng = np.random.default_rng(0)
    T, S = 7, 4
    errs = {}
    linear = np.array([False, True, False, True])
    theta = rng.uniform(-1.0, 1.0, size=(S, N_WEIGHTS))
    x = rng.normal(size=(T, S))
    target, mask = rng.uniform(size=(T, S)), (rng.uniform(size=(T, S)) < 0.7).astype(float)
    cache = run_sequence(theta, x, linear)
    g = grads_bptt(theta, cache, target, mask, truncate=False)
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
    b = grads_bptt(theta, run_sequence(theta, xs, linear), ts, ms, truncate=True)
    errs["truncated: RTRL traces vs truncated BPTT"] = rel_error(a, b)
    # the earlier catalog's 8-unit peephole LSTM (full BPTT, gradients through the peepholes)
    pm = np.array([1.0, 0.0])
    pc = {k: v.astype(np.float64) + rng.uniform(-0.3, 0.3, size=v.shape)
          for k, v in catalog_init(rng, 2, [True, False]).items()}
    pc["P"] *= pm[:, None, None]
    xc, tc_ = rng.normal(size=(6, 2, 3)), rng.uniform(size=(6, 2, 3))
    gc = catalog_loss_grads(pc, xc, tc_, pm)[2]
    gc["P"] = gc["P"][:1].copy()                                       # net 1 has no peepholes
    pP = {"W": pc["W"], "V": pc["V"], "P": pc["P"][:1].copy()}

    def cat_loss():
        full = dict(pP, P=np.concatenate([pP["P"], np.zeros_like(pP["P"])]))
        return float(0.5 * xc.shape[0] * catalog_loss_grads(full, xc, tc_, pm)[0].sum())   # the trained loss
    for name, v in check_gradients(cat_loss, pP, gc, eps=5e-3, richardson=True).items():
        errs[f"catalog LSTM exact BPTT vs finite differences: {name}"] = v
    return errs


# ----------------------------------------------------------------------------------------------
# The earlier catalog's setting (``--setting catalog``): its invented interval-reproduction task
# ----------------------------------------------------------------------------------------------
# Two input spikes at t1 and t2 = t1 + D, D in [30, 60], T = 150; target a single spike at t1 + 2D;
# 8 forget-gate LSTM units (forget bias +1) with or without peepholes (gradients through them),
# linear output, per-step MSE, Adam lr 5e-3 halved every 1500 iterations, global clip 1, batch 32,
# 3000 iterations, full BPTT. Solved: argmax of the output after t2 is exactly t1 + 2D.
CAT_T, CAT_H, CAT_ITERS, CAT_BATCH, CAT_DMIN, CAT_DMAX = 150, 8, 3000, 32, 30, 60


def catalog_batch(rng, shape):
    """x (T, S, N) spikes at t1, t2; target (T, S, N) one spike at t1 + 2D; t2, tt (S, N)."""
    D = rng.integers(CAT_DMIN, CAT_DMAX + 1, size=shape)
    t1 = rng.integers(0, CAT_T - 2 * D)                               # t1 + 2D <= T - 1
    x = np.zeros((CAT_T,) + shape, np.float32)
    tg = np.zeros_like(x)
    si, ni = np.indices(shape)
    x[t1, si, ni] = 1.0
    x[t1 + D, si, ni] = 1.0
    tg[t1 + 2 * D, si, ni] = 1.0
    return x, tg, t1 + D, t1 + 2 * D


def catalog_init(rng, S, peep):
    """W (S, 1 + H + 1, 4H) columns i, f, g, o; P (S, 3, H) peepholes i, f, o; V (S, H + 1).

    The catalog's scales: input weights N(0, 0.5^2), recurrent N(0, (0.5 / sqrt(H))^2), biases 0
    but forget +1, peepholes N(0, 0.1^2), output weights N(0, 1 / H), output bias 0.
    """
    H = CAT_H
    W = np.zeros((S, H + 2, 4 * H))
    W[:, 0] = 0.5 * rng.standard_normal((S, 4 * H))
    W[:, 1:H + 1] = 0.5 / np.sqrt(H) * rng.standard_normal((S, H, 4 * H))
    W[:, -1, H:2 * H] = 1.0                                           # forget bias +1
    P = 0.1 * rng.standard_normal((S, 3, H)) * np.asarray(peep, float)[:, None, None]
    V = np.zeros((S, H + 1))
    V[:, :H] = rng.standard_normal((S, H)) / np.sqrt(H)
    return {"W": W.astype(np.float32), "P": P.astype(np.float32), "V": V.astype(np.float32)}


_BUF = {}


def _buffers(T, S, N, H, dt):
    """Work arrays and their per-step views for one (T, S, N, dtype), made once and reused:
    fresh arrays cost page faults at every iteration, and slicing inside the time loop costs
    as much as the arithmetic on arrays this small."""
    key = (T, S, N, H, np.dtype(dt).str)
    if key in _BUF:
        return _BUF[key]
    b = {n: np.empty((T, S, N, 4 * H), dt) for n in ("Z", "A", "D", "dZ")}
    b.update({n: np.empty((T + 1, S, N, H), dt) for n in ("C", "TC", "Hs")})
    b.update({n: np.empty((T, S, N, H), dt) for n in ("DY", "OC")})
    b.update(M=np.empty((S, N, 4 * H), dt), PC=np.empty((S, N, 2, H), dt), t1=np.empty((S, N, H), dt),
             dh=np.empty((S, N, H), dt), dc=np.empty((S, N, H), dt))
    Z, A, D, dZ, C = b["Z"], b["A"], b["D"], b["dZ"], b["C"]
    split = (S, N, 2, H)
    b["v"] = [dict(Z=Z[t], Zif=Z[t, ..., :2 * H].reshape(split), Zifg=Z[t, ..., :3 * H],
                   Zo=Z[t, ..., 3 * H:], Aif=A[t, ..., :2 * H], Aifg=A[t, ..., :3 * H], Ai=A[t, ..., :H],
                   Af=A[t, ..., H:2 * H], Ag=A[t, ..., 2 * H:3 * H], Ao=A[t, ..., 3 * H:],
                   Cp=C[t], Cp4=C[t][:, :, None], Cn=C[t + 1], TCn=b["TC"][t + 1],
                   Hp=b["Hs"][t], Hn=b["Hs"][t + 1],
                   Do=D[t, ..., 3 * H:], Difg=D[t, ..., :3 * H].reshape(S, N, 3, H), OC=b["OC"][t],
                   DY=b["DY"][t], dZ=dZ[t], dZo=dZ[t, ..., 3 * H:],
                   dZifg=dZ[t, ..., :3 * H].reshape(S, N, 3, H), dZif=dZ[t, ..., :2 * H].reshape(split))
              for t in range(T)]
    b["dc4"] = b["dc"][:, :, None]
    _BUF[key] = b
    return b


def catalog_loss_grads(p, x, tg, peep_mask):
    """Per-step MSE (mean over time and batch, per net) and the exact BPTT gradient of the catalog's
    training loss, 1/2 sum over time of the squared error, mean over the batch.

    x, tg (T, S, N). Peephole LSTM (Gers 2002 placement: i, f see c(t-1), o sees c(t)) with tanh
    cell input and output squashing. Returns loss (S,), y (T, S, N), grads keyed like p.
    """
    T, S, N = x.shape
    H, W, P, V = CAT_H, p["W"], p["P"], p["V"]
    dt = W.dtype
    b = _buffers(T, S, N, H, dt)
    Z, A, D, dZ, C, TC, Hs, DY, OC = (b[k] for k in ("Z", "A", "D", "dZ", "C", "TC", "Hs", "DY", "OC"))
    M, PC, t1, dh, dc, dc4 = (b[k] for k in ("M", "PC", "t1", "dh", "dc", "dc4"))
    C[0], TC[0], Hs[0] = 0.0, 0.0, 0.0
    # sigma(z) = (1 + tanh(z / 2)) / 2: the gates' weights and peepholes are halved once here, so
    # one tanh per step serves the input and forget gates and the cell input
    half = np.r_[np.full(2 * H, 0.5), np.ones(H), np.full(H, 0.5)].astype(dt)
    Wh = W[:, 1:H + 1] * half                                          # (S, H, 4H): h(t-1) -> nets
    np.multiply(x[..., None], W[None, :, None, 0] * half, out=Z)        # (T, S, N, 4H): input + bias
    Z += W[None, :, None, -1] * half
    Pif = 0.5 * P[:, None, :2]                                         # (S, 1, 2, H)
    Po = 0.5 * P[:, None, 2]                                           # (S, 1, H)
    for v in b["v"]:
        np.matmul(v["Hp"], Wh, out=M)
        v["Z"] += M
        np.multiply(Pif, v["Cp4"], out=PC)                             # i, f see c(t-1)
        v["Zif"] += PC
        np.tanh(v["Zifg"], out=v["Aifg"])
        v["Aif"] *= 0.5
        v["Aif"] += 0.5
        np.multiply(v["Af"], v["Cp"], out=v["Cn"])                     # c = f c(t-1) + i g
        np.multiply(v["Ai"], v["Ag"], out=t1)
        v["Cn"] += t1
        np.multiply(Po, v["Cn"], out=t1)                               # o sees c(t)
        t1 += v["Zo"]
        np.tanh(t1, out=v["Ao"])
        v["Ao"] *= 0.5
        v["Ao"] += 0.5
        np.tanh(v["Cn"], out=v["TCn"])
        np.multiply(v["Ao"], v["TCn"], out=v["Hn"])                    # h = o tanh(c)
    y = np.matmul(Hs[1:], V[:, :H, None])[..., 0] + V[None, :, None, H]        # (T, S, N)
    e = y - tg
    loss = (e * e).mean(axis=(0, 2))
    dy = e / N
    i, f, g, o = A[..., :H], A[..., H:2 * H], A[..., 2 * H:3 * H], A[..., 3 * H:]
    D[..., :H] = g * i * (1 - i)
    D[..., H:2 * H] = C[:-1] * f * (1 - f)
    D[..., 2 * H:3 * H] = i * (1 - g * g)
    D[..., 3 * H:] = TC[1:] * o * (1 - o)
    np.multiply(o, 1 - TC[1:] ** 2, out=OC)
    np.multiply(dy[..., None], V[None, :, None, :H], out=DY)
    dh[...] = 0.0
    dc[...] = 0.0
    WrT = np.ascontiguousarray(np.swapaxes(W[:, 1:H + 1], 1, 2))       # (S, 4H, H), unscaled
    Pif_b = P[:, None, :2]                                             # (S, 1, 2, H)
    Po_b = P[:, None, 2]
    for v in reversed(b["v"]):
        dh += v["DY"]
        np.multiply(dh, v["Do"], out=v["dZo"])                         # h = o tanh(c)
        np.multiply(dh, v["OC"], out=t1)
        dc += t1
        np.multiply(v["dZo"], Po_b, out=t1)                            # o saw c(t)
        dc += t1
        np.multiply(dc4, v["Difg"], out=v["dZifg"])                    # c = f c(t-1) + i g
        dc *= v["Af"]
        np.multiply(v["dZif"], Pif_b, out=PC)                         # i, f saw c(t-1)
        dc += PC[:, :, 0]
        dc += PC[:, :, 1]
        np.matmul(v["dZ"], WrT, out=dh)
    U = np.concatenate([x[..., None], Hs[:-1], np.ones((T, S, N, 1), dt)], axis=-1)
    gW = np.matmul(U.transpose(1, 3, 0, 2).reshape(S, H + 2, T * N),
                   dZ.transpose(1, 0, 2, 3).reshape(S, T * N, 4 * H))
    gP = np.stack([np.einsum("tsnh,tsnh->sh", dZ[..., :H], C[:-1]),
                   np.einsum("tsnh,tsnh->sh", dZ[..., H:2 * H], C[:-1]),
                   np.einsum("tsnh,tsnh->sh", dZ[..., 3 * H:], C[1:])], axis=1)
    gP *= peep_mask[:, None, None]
    gV = np.concatenate([np.einsum("tsn,tsnh->sh", dy, Hs[1:]), dy.sum(axis=(0, 2))[:, None]], axis=1)
    return loss, y, {"W": gW, "P": gP.astype(dt), "V": gV}


def catalog_run(args):
    """The earlier catalog's headline: its peephole net (n seeds on one net axis; its README's
    no-peephole baseline was a separate run and is not repeated here)."""
    q = args.quick
    n = 1 if q else args.catalog_seeds
    iters = 20 if q else CAT_ITERS
    r = streams(args.seed, ["init", "data", "eval"])
    peep = np.ones(n, bool)
    S = len(peep)
    p = catalog_init(r["init"], S, peep)
    pm = peep.astype(np.float32)
    opt = Adam(p, lr=5e-3, clip=1.0, per_member=True)
    xv, tv, t2v, ttv = catalog_batch(r["eval"], (1, 64 if q else 512))
    xv, tv = (np.ascontiguousarray(np.broadcast_to(a, (CAT_T, S, a.shape[2]))) for a in (xv, tv))
    print(f"the earlier catalog's task: T={CAT_T}, D in [{CAT_DMIN}, {CAT_DMAX}], {CAT_H} units, "
          f"{n} peephole net(s), {iters} Adam iterations of batch {CAT_BATCH}")
    timer = cli.Timer()
    curve = []
    for it in range(iters):
        if it == CAT_ITERS // 2:
            opt.lr *= 0.5                                              # lr halved every 1500 iterations
        x, tg, _, _ = catalog_batch(r["data"], (S, CAT_BATCH))
        loss, _, g = catalog_loss_grads(p, x, tg, pm)
        cli.check_finite(it, loss=loss)
        opt.step(g)
        if (it + 1) % (10 if q else 500) == 0:
            curve.append(loss)
            print(f"  iter {it + 1:5d}  train MSE {np.round(loss, 5).tolist()}  {timer():.1f}s", flush=True)
    loss, y, _ = catalog_loss_grads(p, xv, tv, pm)
    steps = np.arange(CAT_T)[:, None, None]
    after = np.where(steps > t2v[0][None, None, :], y, -np.inf)        # (T, S, N): only after t2
    solve = (after.argmax(axis=0) == ttv[0][None, :]).mean(axis=1)     # (S,)
    train_s = timer()
    return peep, loss, solve, np.array(curve), train_s


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


def main(args):
    timer = cli.Timer()
    q = args.quick
    if args.setting == "catalog":
        catalog_main(args, timer)
        return
    task_ids = list(range(len(TASKS)))
    S_per = 2 if q else args.n_seeds
    max_steps = 3000 if q else args.max_steps
    lrs = (LR,) + tuple(args.diag_lrs)
    nets = build_nets(S_per, task_ids, lrs)
    S = len(nets["task"])
    r = streams(args.seed, ["init", "data", "eval"])
    theta = init_params(r["init"], nets["peep"])
    theta0 = theta.copy()
    test_events = 20 if q else TEST_EVENTS
    test = test_streams(nets["kind"], nets["F"], r["eval"], test_events)
    test_short = test_streams(nets["kind"], nets["F"], r["eval"], TRAIN_EVENTS)   # learning curves
    snap_x = np.zeros((60, S))
    snap_x[0] = (nets["kind"] == 0)                                    # MSD nets: one spike, then silence
    cfg = {"tasks": [dict(zip(("name", "kind", "F", "momentum", "output", "tol"), t, strict=True))
                     for t in TASKS],
           "n_seeds_per_task_and_variant": S_per, "n_nets": S, "lr": LR,
           "diagnostic_lrs": list(lrs[1:]), "max_steps_per_net": max_steps,
           "train_events_per_stream": TRAIN_EVENTS, "test_events": test_events,
           "test_every": args.test_every if not q else 500, "weights_with_peepholes": N_WEIGHTS,
           "weights_without_peepholes": N_WEIGHTS - 3,
           "init": "U[-0.1, 0.1]; biases input 0, forget -2, output +2",
           "squashing": "gates logistic; g and h identity", "update": "every time step (online)",
           "gradient": "truncated RTRL: error back in time only through s, not via y_c(t-1) or peepholes",
           "msd_delays": [0, 1]}
    print(f"timing (Gers et al. 2002): {S} nets at once ({len(lrs)} learning rates x {len(task_ids)} tasks x "
          f"peephole/no peephole x {S_per} seeds), cap {max_steps:,} steps per net, lr {lrs}")
    out = train(theta, nets["peep"], nets, max_steps, r["data"], test, test_short, snap_x,
                log_every=max(1, max_steps // 40), test_every=cfg["test_every"],
                n_snaps=5 if q else 40, timer=timer)
    train_s = timer()
    theta = out["theta"]
    passed, test_ev = evaluate(theta, nets["linear"], nets["tol"], test)
    # dynamics of every trained net
    L_dyn = 400 if q else 3000
    warm = L_dyn // 2
    x_dyn = np.zeros((L_dyn, S))
    msd = nets["kind"] == 0
    xt = test[0]
    n_copy = min(L_dyn, xt.shape[0])
    x_dyn[:n_copy, msd] = xt[:n_copy, msd]
    ex, mult, s_dyn, div = dynamics(theta, x_dyn, period=10, warm=warm)
    for j in np.flatnonzero(msd):                                      # MSD: Floquet makes no sense
        mult[j] = np.nan
    slope_m, slope_cv = slope_stats(s_dyn, x_dyn)
    rec = recovery(theta, nets["linear"], 400 if q else 1500, 200 if q else 1000, 0.5, 10)
    built = constructed_report(r["eval"], test_events, L_dyn, warm, 400 if q else 1500, 200 if q else 1000)
    metrics, headline = {}, []
    for lr in lrs:
        group = "paper_lr" if lr == LR else f"lr_{lr:g}"
        metrics[group] = {}
        for ti in task_ids:
            name, kind, F, mom, outk, tol = TASKS[ti]
            per = {}
            for peep in (True, False):
                sel = (nets["lr"] == lr) & (nets["task"] == ti) & (nets["peep"] == peep)
                sa = out["solved_at"][sel]
                ok = sa >= 0
                per["peephole" if peep else "no_peephole"] = {
                    "solved": int(ok.sum()), "n": int(sel.sum()), "streams_to_solve": sa.tolist(),
                    "median_streams_to_solve": float(np.median(sa[ok])) if ok.any() else None,
                    "streams_trained": out["n_streams"][sel].tolist(),
                    "nets_with_a_full_training_stream": int((out["full_streams"][sel] > 0).sum()),
                    "final_test_pass": int(passed[sel].sum()),
                    "final_test_events_before_error": test_ev[sel].tolist(),
                    "final_train_events_per_stream": _finite(out["curve_events"][-1][sel]),
                    "lyapunov_mean": ex[sel].mean(0).tolist(),
                    "forget_bias_final": theta[sel, 9].tolist(),
                    "orbit_overflows": int(div[sel].sum()),
                    "weight_change_norm": np.linalg.norm(theta[sel] - theta0[sel], axis=1).tolist(),
                    "multiplier_moduli_10_steps": None if kind == "msd" else _finite(mult[sel]),
                    "recovery_periods_after_kick": None if kind == "msd" else rec[sel].tolist(),
                    "slope_s_mean": _finite(slope_m[sel]) if kind == "msd" else None,
                    "slope_s_cv": _finite(slope_cv[sel]) if kind == "msd" else None}
            metrics[group][name] = per
    for ti in task_ids:
        name, kind, F, mom, outk, tol = TASKS[ti]
        pp, nn = metrics["paper_lr"][name]["peephole"], metrics["paper_lr"][name]["no_peephole"]
        headline.append({
            "name": f"{name}: nets solved within {max_steps:,} steps (paper's lr), peephole | no peephole",
            "value": f"{pp['solved']}/{pp['n']} | {nn['solved']}/{nn['n']}",
            "paper_value": None,
            "verdict": "yes" if pp["solved"] == pp["n"] else ("partial" if pp["solved"] else "no"),
            "note": (f"lr 1e-5, momentum {mom}; ~{int(np.mean(pp['streams_trained'])):,} streams per net; "
                     "the paper's cap is 1e7 streams (1e8 MSD); its table of results was not found")})
    for lr in lrs[1:]:
        g = metrics[f"lr_{lr:g}"]
        val = "; ".join(f"{TASKS[ti][0].split(' (')[0]} {g[TASKS[ti][0]]['peephole']['solved']}|"
                        f"{g[TASKS[ti][0]]['no_peephole']['solved']}" for ti in task_ids)
        solved = sum(g[TASKS[ti][0]][v]["solved"] for ti in task_ids for v in ("peephole", "no_peephole"))
        headline.append({
            "name": f"diagnostic: lr {lr:g} (x{lr / LR:.0f} the paper's), solved peephole|none per task",
            "value": val, "paper_value": None, "verdict": "partial" if solved else "no",
            "note": "a deviation (learning rate) to see whether the budget, not the task, is the bottleneck"})
    metrics["constructed"] = built
    metrics["timing"] = {"train_wall_s": train_s, "us_per_step_all_nets": 1e6 * train_s / out["steps"]}
    lyap = {"method": (f"QR iteration of the 2x2 Jacobian of (s, y_c) along {L_dyn - warm} steps after "
                       f"{warm} warm-up steps (free run for GTS/PFG, the test stream for MSD), 10 alignment "
                       "steps; per-step exponents, mean over nets of each task and variant"),
            "exponents": {f"{TASKS[ti][0]} {v}": sorted(metrics["paper_lr"][TASKS[ti][0]][v]["lyapunov_mean"],
                                                         reverse=True)
                          for ti in task_ids for v in ("peephole", "no_peephole")}}
    lyap["exponents"].update({f"hand-set {k}": v["lyapunov"] for k, v in built.items()})
    arrays = {"task": nets["task"], "peep": nets["peep"], "lr": nets["lr"], "theta0": theta0, "theta": theta,
              "solved_at": out["solved_at"], "n_streams": out["n_streams"], "curve_t": out["curve_t"],
              "curve_events": out["curve_events"], "curve_streams": out["curve_streams"],
              "curve_test_events": out["curve_test_events"], "snap_t": out["snap_t"], "snap_y": out["snap_y"],
              "dyn_s": s_dyn[-200:], "dyn_x": x_dyn[-200:], "lyap": ex, "floquet": mult}
    fin = free_run(theta, snap_x, nets["linear"])
    arrays.update({"final_y": fin[0], "final_s": fin[1]})
    finish_run(args.out, {
        "stub": "timing-counting-spikes", "family": "schmidhuber",
        "title": "Learning precise timing with a peephole LSTM cell (Gers, Schraudolph & Schmidhuber 2002)",
        "paper": PAPER, "seed": args.seed, "quick": bool(q), "config": cfg, "metrics": metrics,
        "headline": headline, "lyapunov": lyap}, arrays, timer)


def catalog_main(args, timer):
    peep, loss, solve, curve, train_s = catalog_run(args)
    metrics = {"peephole": {"test_mse": loss.tolist(), "solve_rate": solve.tolist()},
               "timing": {"train_wall_s": train_s}}
    cfg = {"setting": "catalog", "T": CAT_T, "D_range": [CAT_DMIN, CAT_DMAX], "units": CAT_H,
           "iters": CAT_ITERS if not args.quick else 20, "batch": CAT_BATCH,
           "optimizer": "Adam lr 5e-3 halved at 1500, clip 1 per net", "n_seeds": len(peep),
           "dtype": "float32", "n_test": 64 if args.quick else 512}
    headline = [
        {"name": "earlier catalog's invented task: peephole net, exact-step solve rate",
         "value": float(solve.mean()), "paper_value": None, "verdict": "partial",
         "note": "catalog: 0.998 (README, seed 4), 0.984 (its run here); not the paper's task: partial"},
        {"name": "earlier catalog's invented task: peephole net, test MSE", "value": float(loss.mean()),
         "paper_value": None, "verdict": "partial",
         "note": "catalog: 0.00073 (README), 0.00090 (its run here)"}]
    finish_run(args.out, {
        "stub": "timing-counting-spikes", "family": "schmidhuber",
        "title": "Timing: the earlier catalog's invented interval-reproduction task", "paper": PAPER,
        "seed": args.seed, "quick": bool(args.quick), "config": cfg, "metrics": metrics,
        "headline": headline, "lyapunov": None}, {"catalog_curve": curve}, timer)


def _lr_list(text):
    """argparse type: comma-separated positive learning rates ('' for none)."""
    if not text.strip():
        return ()
    return tuple(cli.positive_float(v) for v in text.split(","))


def build_parser():
    parser = cli.make_parser(__doc__, __file__, settings={
        "paper": "the paper's MSD, GTS and PFG tasks with its 17-weight net (the headline)",
        "catalog": "the earlier catalog's invented interval-reproduction task, for the speed comparison"})
    parser.add_argument("--n-seeds", type=cli.positive_int, default=10,
                        help="nets per task and variant (peephole / none), all trained at once")
    parser.add_argument("--max-steps", type=cli.positive_int, default=600_000,
                        help="cap on training time steps per net (the paper's cap: 1e7-1e8 streams)")
    parser.add_argument("--diag-lrs", type=_lr_list, default=(1e-4,),
                        help="comma-separated extra learning rates trained beside the paper's 1e-5")
    parser.add_argument("--test-every", type=cli.positive_int, default=50_000,
                        help="steps between tests of nets that completed a 100-event training stream")
    parser.add_argument("--catalog-seeds", type=cli.positive_int, default=1,
                        help="--setting catalog: seeds per variant")
    return parser


if __name__ == "__main__":
    np.seterr(over="ignore", invalid="ignore")
    cli.run(main, build_parser(), gradcheck=gradient_checks)
