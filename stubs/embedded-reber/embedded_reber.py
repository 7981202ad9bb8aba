"""Embedded Reber grammar: Hochreiter & Schmidhuber (1997), LSTM, Experiment 1.

Neural Computation 9(8):1735-1780, Section 5.1; grammar after Cleeremans, Servan-Schreiber &
McClelland (1989) and Fahlman (1991).

Task (the paper's own). Strings of the embedded Reber grammar, every branch taken with
probability 0.5: B, then T or P, then a Reber string (B ... E), then the same T or P again, then
E. Seven symbols B T P S X V E, one local input unit and one logistic output unit each. At every
step the net predicts the next symbol (squared error against the next symbol's local code). Fixed
sets of 256 training strings and 256 test strings (no test string is in the training set);
training strings are drawn at random from the training set; activations are reset after every
string. Success: every symbol of every string of both sets is predicted correctly, i.e. at every
step the output units of all legal next symbols are more active than every other output unit.
The hard step is the second-to-last one: the net must recall the outer T/P across the whole
inner string.

Nets (the paper's): 3 memory blocks of 2 cells (276 weights) or 4 blocks of 1 cell (264). Cells
and gates see the 7 inputs and all cells and gates of step t-1; only gates have a bias (output
gates -1, -2, -3 (, -4); input gates random); the 7 logistic outputs see only the cells, no bias.
Weights U[-0.2, 0.2]. No forget gate.

    u(t) = [x(t), r(t-1), 1]            r = [y_in (B), y_c (C), y_out (B)]
    s_c(t) = s_c(t-1) + y_in(t) g(net_c(t))        g = 4 sigma - 2, range [-2, 2]
    y_c(t) = y_out(t) h(s_c(t))                    h = 2 sigma - 1, range [-1, 1]
    y_k(t) = sigma(sum_c v_kc y_c(t))              k = B, T, P, S, X, V, E

The net is the 1997 LSTM of the family core shared/lstm1997 (its forward pass, truncated
gradient, BPTT and Jacobians); this file keeps the task, the wiring (no cell bias, the outputs),
the paper's forward RTRL (``rtrl_string``), the training loop and the analysis.

Learning (the paper's): the truncated gradient of Appendix A.1 (error flows back in time only
through the cell states s), online, squared error at every step; the contributions of all steps
of a string are summed and applied at the string's end ("each weight's total update is the sum
of the contributions of all time steps"); no momentum, no clipping. Learning rates of Table 1.

    python3 embedded_reber.py --seed 0     # headline: 30 nets per row of Table 1 at once
    python3 embedded_reber.py --quick      # seconds; what the tests run
    python3 embedded_reber.py --setting catalog       # embedded_reber_catalog.py: the earlier catalog's
    python3 embedded_reber.py --setting diagnostics   # embedded_reber_diagnostics.py: readings of the paper

Gradient checks (--gradcheck): embedded_reber_checks.py.

Arrays are time-major: x (L, S, N, 7) = (time, seed ensemble, strings per seed, symbol). Columns
of W (S, D, H) (the core's layout; 3x2: D = 20, H = 12): [input gates (B) | cell inputs (C) |
output gates (B)], SPEC.md's i, g, o order with no forget gate; rows [x(t) (7), r(t-1) (H), 1];
the bias entries of the cell columns stay zero (the paper's cells have no bias). V (S, 7, C): rows
B, T, P, S, X, V, E.
"""
import os
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
import shared  # noqa: F401  (pins BLAS to one thread before numpy loads)

import numpy as np

from shared import cli
from shared.checkpoint import Checkpoint, folder_beside, remove_folder
from shared.lstm1997 import cell
from shared.lyapunov import qr_spectrum
from shared.results import finish_run, record
from shared.rng import streams

PAPER = ("S. Hochreiter and J. Schmidhuber, Long Short-Term Memory, Neural Computation 9(8):1735-1780, "
         "1997, Section 5.1, Experiment 1 (embedded Reber grammar)")
SYMBOLS = "BTPSXVE"
SYM = {c: i for i, c in enumerate(SYMBOLS)}
NX = NK = 7
# Reber grammar (Cleeremans et al. 1989): node -> [(symbol, next node)]; node 5 emits E
REBER = {0: [("T", 1), ("P", 2)], 1: [("S", 1), ("X", 3)], 2: [("T", 2), ("V", 4)],
         3: [("X", 2), ("S", 5)], 4: [("P", 3), ("V", 5)]}
N_TRAIN = N_TEST = 256
CHECKPOINT_EVERY = 2000   # strings between saves of a paper-setting row (about a minute)
# Table 1 of the paper (30 trials each): (blocks, cells per block, lr) -> (% solved, mean sequences)
PAPER_TABLE = {(3, 2, 0.1): (100, 21_730), (4, 1, 0.1): (100, 39_740), (3, 2, 0.2): (97, 14_060),
               (4, 1, 0.5): (97, 9_500), (3, 2, 0.5): (100, 8_440)}


# ----------------------------------------------------------------------------------------------
# Data: the embedded Reber grammar
# ----------------------------------------------------------------------------------------------
def reber_string(rng):
    """One Reber string and, for each symbol but the last, the set of legal next symbols."""
    syms, legal, node = ["B"], [], 0
    while True:
        choices = REBER[node] if node < 5 else [("E", None)]
        legal.append({c for c, _ in choices})
        c, node = choices[int(rng.random() < 0.5)] if len(choices) == 2 else choices[0]
        syms.append(c)
        if c == "E":
            return syms, legal


def embedded_string(rng):
    """B (T|P) <Reber string> (same T|P) E. Returns the symbols (str) and legal-next sets."""
    outer = "T" if rng.random() < 0.5 else "P"
    inner, inner_legal = reber_string(rng)
    syms = ["B", outer] + inner + [outer, "E"]
    legal = [{"T", "P"}, {"B"}] + inner_legal + [{outer}, {"E"}]
    return "".join(syms), legal


def encode(strings, legals, L=None):
    """Strings -> x (L, N, 7) one-hot, target (L, N, 7) next symbol, legal (L, N, 7) bool, length (N,).

    Step t (input symbol t) predicts symbol t+1; steps t >= length - 1 are padding (zero)."""
    length = np.array([len(s) for s in strings])
    L = int(length.max()) if L is None else L
    N = len(strings)
    x = np.zeros((L, N, NX))
    target = np.zeros((L, N, NK))
    legal = np.zeros((L, N, NK), dtype=bool)
    for n, (s, lg) in enumerate(zip(strings, legals, strict=True)):
        idx = [SYM[c] for c in s]
        x[np.arange(len(s)), n, idx] = 1.0
        target[np.arange(len(s) - 1), n, idx[1:]] = 1.0
        for t, ls in enumerate(lg):
            legal[t, n, [SYM[c] for c in ls]] = True
    return x, target, legal, length


def make_sets(rng, n_pairs, n_train=N_TRAIN, n_test=N_TEST, distinct=False):
    """n_pairs training/test set pairs. Training strings are drawn from the grammar (repeats
    allowed, as the grammar makes them); test strings are drawn until n_test strings not in that
    pair's training set are found. Each set is sorted by length (order is irrelevant: training
    draws at random) so that evaluation chunks carry little padding.
    distinct=True (a diagnostic): the training set holds n_train different strings.
    Returns dict of arrays with a pair axis: x, target, legal (L, P, N, 7); length (P, N);
    strings (P, N) for both 'train' and 'test'."""
    out = {"train": [], "test": []}
    for _ in range(n_pairs):
        train = [embedded_string(rng) for _ in range(n_train)]
        if distinct:
            train = list(dict(train).items())
            have = {s for s, _ in train}
            while len(train) < n_train:
                s, lg = embedded_string(rng)
                if s not in have:
                    train.append((s, lg))
                    have.add(s)
        seen, test = {s for s, _ in train}, []
        while len(test) < n_test:
            s, lg = embedded_string(rng)
            if s not in seen:
                test.append((s, lg))
        out["train"].append(sorted(train, key=lambda a: (len(a[0]), a[0])))
        out["test"].append(sorted(test, key=lambda a: (len(a[0]), a[0])))
    sets = {}
    for name, pairs in out.items():
        L = max(len(s) for pair in pairs for s, _ in pair)
        enc = [encode([s for s, _ in pair], [lg for _, lg in pair], L) for pair in pairs]
        sets[name] = {"x": np.stack([e[0] for e in enc], 1), "target": np.stack([e[1] for e in enc], 1),
                      "legal": np.stack([e[2] for e in enc], 1), "length": np.stack([e[3] for e in enc]),
                      "strings": [[s for s, _ in pair] for pair in pairs]}
    return sets


# ----------------------------------------------------------------------------------------------
# Model: the 1997 LSTM of the family core shared/lstm1997 (forward, truncated gradient, BPTT and
# Jacobians are cell.forward, cell.grads_truncated, cell.grads_bptt, cell.jacobians). This stub
# adds its wiring (cells without bias, 7 outputs on the cells without bias) and the paper's
# forward-mode RTRL (eqs. 19-28), its online learning rule.
# ----------------------------------------------------------------------------------------------
class Arch(cell.Blocks):
    """The core's layout of nb blocks of bs cells on the 7 inputs, with this experiment's wiring:
    the cells have no bias (``wmask`` keeps W's bias row zero in the cell columns, at init and
    after every update)."""

    def __init__(self, nb, bs):
        super().__init__(n_in=NX, n_blocks=nb, block_size=bs)
        self.name = f"{nb}x{bs}"
        self.wmask = np.ones((self.D, self.H))
        self.wmask[-1, self.g_sl] = 0.0                   # cells have no bias


ARCHS = {"3x2": Arch(3, 2), "4x1": Arch(4, 1)}


def n_weights(a):
    """Weights of the gates and cells (no cell bias) and of the outputs (cells only, no bias)."""
    return int(a.wmask.sum()) + NK * a.C


def sigmoid(z):
    return 0.5 + 0.5 * np.tanh(0.5 * z)


def init_lstm(a, rng, S, igb=None):
    """Weights U[-0.2, 0.2]; output-gate biases -1, -2, ..., -B; input-gate biases random
    (U[-0.2, 0.2] like every other weight); no cell bias. Diagnostics only: igb a number r
    rescales the input-gate biases to U[-r, r] (same draws), a list sets them per block."""
    W = cell.init_weights(a, rng, S, scale=0.2) * a.wmask
    W[:, -1, a.o_sl] = -np.arange(1, a.B + 1)
    if isinstance(igb, (int, float)):
        W[:, -1, a.i_sl] *= igb / 0.2
    elif igb is not None:
        W[:, -1, a.i_sl] = igb
    return {"W": W, "V": rng.uniform(-0.2, 0.2, size=(S, NK, a.C))}


def forward(a, p, x):
    """x (L, S, N, 7) -> the core's cache (U, act, s, yc: shared/lstm1997/cell.py) and the
    outputs y (L, S, N, 7) = sigma(V y_c(t)) at every step."""
    cache = cell.forward(a, p["W"], x)
    cache["y"] = sigmoid(np.matmul(cache["yc"], np.swapaxes(p["V"], 1, 2)[None]))
    return cache


def _output_part(p, cache, dy):
    """Top of both backward passes: y = sigma(V y_c) at every step. dy (L, S, N, 7) = dE/dy
    (zero at padding). Returns dV (S, 7, C) and dE/dy_c (L, S, N, C) through the outputs."""
    y = cache["y"]
    d_out = dy * y * (1.0 - y)
    dV = np.einsum("tsnk,tsnc->skc", d_out, cache["yc"])
    return dV, np.matmul(d_out, p["V"][None])


def grads_truncated(a, p, cache, dy):
    """The paper's truncated gradient (Appendix A.1) in closed form, error at every step (the
    core's reverse cumulative sum of the cell-state errors: the RTRL traces of eqs. 19-28 summed
    over the string with the weights held fixed). dy (L, S, N, 7)."""
    dV, dyc = _output_part(p, cache, dy)
    return {"W": cell.grads_truncated(a, cache, dyc), "V": dV}


def grads_bptt(a, p, cache, dy, truncate=False):
    """Step-by-step BPTT, dy (L, S, N, 7): exact, or the truncation by a second route."""
    dV, dyc = _output_part(p, cache, dy)
    return {"W": cell.grads_bptt(a, p["W"], cache, dyc, truncate=truncate), "V": dV}


def rtrl_string(a, p, x, d, mask, lr=0.0, active=None, need_sum=True):
    """One string through S nets with the paper's truncated RTRL (Appendix A.1, eqs. 19-28),
    updating the weights after every step (lr > 0) in place.

    x, d (L, S, 7) inputs and next-symbol targets, mask (L, S) 1 inside the string. Forward traces
    Tc (S, D, C) = ds_c/dw (w into cell c) and Ti (S, D, C) = ds_c/dw (w into c's input gate) are
    carried along; weights into output gates and output units get standard one-step backprop.
    Returns y (L, S, 7) and the sum over steps of the gradients (with lr = 0 it must equal
    ``grads_truncated``: the same truncation by a third, forward-mode route).
    """
    L, S, _ = x.shape
    W, V = p["W"], p["V"]
    scale = lr * (np.ones(S) if active is None else active.astype(float))[:, None, None]
    u = np.zeros((S, a.D))
    u[:, -1] = 1.0
    s = np.zeros((S, a.C))
    Tc = np.zeros((S, a.D, a.C))
    Ti = np.zeros((S, a.D, a.C))
    gsum = {"W": np.zeros_like(W), "V": np.zeros_like(V)} if need_sum else None
    ys = np.zeros((L, S, NK))
    dW = np.zeros_like(W)
    ii, gg, oo, blk = a.i_sl, a.g_sl, a.o_sl, a.blk
    for t in range(L):
        u[:, :NX] = x[t]
        net = np.matmul(u[:, None, :], W)[:, 0]                           # (S, H)
        th = np.tanh(0.5 * net)
        yi, yo, g = 0.5 + 0.5 * th[:, ii], 0.5 + 0.5 * th[:, oo], 2.0 * th[:, gg]
        yi_c = yi[:, blk]
        s = s + yi_c * g
        Tc += u[:, :, None] * (yi_c * cell.dg(g))[:, None, :]             # w into cells
        Ti += u[:, :, None] * (g * (yi * (1 - yi))[:, blk])[:, None, :]   # w into input gates
        hs = cell.h(s)
        yc = yo[:, blk] * hs
        y = sigmoid(np.matmul(V, yc[:, :, None])[..., 0])                 # (S, 7)
        ys[t] = y
        delta = (y - d[t]) * y * (1 - y) * mask[t][:, None]
        dyc = np.matmul(delta[:, None, :], V)[:, 0]                       # (S, C)
        e_s = dyc * yo[:, blk] * cell.dh(s)
        dW[:, :, oo] = u[:, :, None] * (a.block_sum(dyc * hs) * yo * (1 - yo))[:, None, :]
        dW[:, :, gg] = Tc * e_s[:, None, :]
        dW[:, :, ii] = a.block_sum(Ti * e_s[:, None, :])
        dV = delta[:, :, None] * yc[:, None, :]
        if need_sum:
            gsum["W"] += dW
            gsum["V"] += dV
        if lr:
            dW *= a.wmask
            W -= scale * dW
            V -= scale * dV
        u[:, NX:NX + a.H] = np.concatenate([yi, yc, yo], axis=1)            # r(t) for step t+1
    return ys, gsum

# ----------------------------------------------------------------------------------------------
# The paper's success test
# ----------------------------------------------------------------------------------------------
def step_correct(y, legal):
    """A step is predicted correctly when every legal next symbol's output is above every
    illegal one's. y (..., 7), legal (..., 7) bool -> (...) bool (padding steps, with no legal
    symbol, count as correct)."""
    lo = np.where(legal, y, np.inf).min(-1)
    hi = np.where(legal, -np.inf, y).max(-1)
    return lo > hi


def strings_correct(y, legal):
    """y (L, S, N, 7), legal (L, S, N, 7) -> (S, N) bool: every step of the string correct."""
    return step_correct(y, legal).all(axis=0)


def step_accuracy(y, legal, length):
    """Fraction of correctly predicted steps by kind: y, legal (L, S, N, 7), length (S, N).
    'outer' = after the first B (T or P), 'inner' = inputs from the outer T/P to the symbol before
    the inner E, 'recall' = input inner E, target the outer T/P again, 'end' = target E.
    Returns dict kind -> (S,) fractions."""
    ok = step_correct(y, legal)
    t = np.arange(y.shape[0])[:, None, None]
    kinds = {"outer": t == 0, "inner": (t >= 1) & (t < length - 3), "recall": t == length - 3,
             "end": t == length - 2}
    return {k: (ok & m).sum(axis=(0, 2)) / np.broadcast_to(m, ok.shape).sum(axis=(0, 2))
            for k, m in kinds.items()}


def evaluate(a, p, sset, pair_of, chunk=128):
    """Fraction-free success test of S nets, each on its own pair's set. sset: a set from
    make_sets, pair_of (S,) pair index per net. Returns (S, N) bool and y (L, S, N, 7)."""
    N = sset["x"].shape[2]
    ok, ys = [], []
    for c in range(0, N, chunk):
        L = int(sset["length"][:, c:c + chunk].max())
        x = sset["x"][:L, pair_of, c:c + chunk]
        y = forward(a, p, x)["y"]
        ok.append(strings_correct(y, sset["legal"][:L, pair_of, c:c + chunk]))
        ys.append(np.pad(y, ((0, sset["x"].shape[0] - L), (0, 0), (0, 0), (0, 0))))
    return np.concatenate(ok, axis=1), np.concatenate(ys, axis=2)


def solves(a, p, sset, pair_of, chunk=64):
    """(S,) bool: does each net predict every string of its pair's set correctly? The same test as
    ``evaluate``, but chunks run from the longest strings down and a net leaves at its first
    wrong string, so early in training a check costs a fraction of a full evaluation."""
    N = sset["x"].shape[2]
    alive = np.ones(len(pair_of), dtype=bool)
    for c in range(max(0, N - chunk), -chunk, -chunk):
        idx = np.flatnonzero(alive)
        if not idx.size:
            break
        lo = max(0, c)
        L = int(sset["length"][:, lo:c + chunk].max())
        y = forward(a, {n: v[idx] for n, v in p.items()}, sset["x"][:L, pair_of[idx], lo:c + chunk])["y"]
        alive[idx] = strings_correct(y, sset["legal"][:L, pair_of[idx], lo:c + chunk]).all(1)
    return alive


# ----------------------------------------------------------------------------------------------
# Training: the paper's online regime, S nets in lock-step (one string per net per update)
# ----------------------------------------------------------------------------------------------
def train(a, p, sets, pair_of, lr, max_sequences, rng_data, check_every=100, probe=None, n_snaps=30,
          label="", curve_every=10, update="string", target="next", checkpoint=None):
    """Online training of S nets until each solves its own pair of sets or the cap is reached.

    Each update: every unsolved net gets one training string drawn at random from its training
    set, the truncated gradient of E = 1/2 sum_t sum_k (y_k(t) - d_k(t))^2 summed over the
    string, and w <- w - lr dE/dw at the string's end. Every ``check_every`` strings the unsolved
    nets are tested on all 256 + 256 strings; a solved net is frozen and its count recorded.
    Every ``curve_every`` checks the fraction of correct strings of every net goes on a curve.
    Returns solved_at (S,) (-1 = not solved), curves and snapshots of net 0 on the probe string.
    update: 'step' (truncated RTRL, weights changed after every step), 'string' (truncated
    gradient summed over the string) or 'exact' (exact BPTT gradient summed over the string; a
    diagnostic). target: 'next' (the next symbol's local code, the paper's) or 'legal' (every
    legal next symbol 1; a diagnostic).
    checkpoint: a shared.checkpoint.Checkpoint (or None). The loop's whole state (the weights in
    place, the stopping record, the curves, the data stream) is saved before every ``every``-th
    string and once more when the loop ends, and a re-run restores it, so a stopped run continues
    bit-identically and a finished one skips its loop.
    """
    S = p["W"].shape[0]
    tr = sets["train"]
    n_tr = tr["x"].shape[2]
    solved_at = np.full(S, -1)
    curve_n, curve_frac, snaps, snap_n = [], [], [], []
    snap_every = max(check_every, (max_sequences // n_snaps) // check_every * check_every)
    frac = np.zeros(S)
    ck = checkpoint if checkpoint is not None else Checkpoint(None, 1, None)
    state = {"p": p, "solved_at": solved_at, "frac": frac, "curve_n": curve_n, "curve_frac": curve_frac,
             "snaps": snaps, "snap_n": snap_n, "rng_data": rng_data}
    k0 = ck.restore(state)
    if k0:
        print(f"  {label}: resumed at string {k0:,} from {ck.path}" + (" (finished)" if ck.final else ""),
              flush=True)
    k, t_loop = k0 - 1, cli.Timer()
    for k in range(k0, max_sequences if not ck.final else k0):
        if ck.due(k):
            ck.save(k, state)
        active = solved_at < 0
        j = rng_data.integers(0, n_tr, size=S)            # one training string per net
        L = int(tr["length"][pair_of, j].max())
        x = tr["x"][:L, pair_of, j][:, :, None]           # (L, S, 1, 7)
        d = tr["target" if target == "next" else "legal"][:L, pair_of, j][:, :, None].astype(float)
        step_mask = tr["legal"][:L, pair_of, j][:, :, None].any(-1, keepdims=True)
        if update == "step":                              # RTRL, weights change after every step
            y, _ = rtrl_string(a, p, x[:, :, 0], d[:, :, 0], step_mask[:, :, 0, 0], lr, active, False)
            cli.check_finite(k, **{f"{a.name} output": y, f"{a.name} weights W": p["W"]})
        else:
            cache = forward(a, p, x)
            dy = (cache["y"] - d) * step_mask             # dE/dy, zero after the string's end
            cli.check_finite(k, **{f"{a.name} output": cache["y"], f"{a.name} weights W": p["W"]})
            g = grads_truncated(a, p, cache, dy) if update == "string" else grads_bptt(a, p, cache, dy)
            g["W"] *= a.wmask
            for n in p:                                   # online gradient descent, unsolved nets only
                p[n] -= lr * g[n] * active.reshape((-1,) + (1,) * (p[n].ndim - 1))
        if (k + 1) % check_every == 0 or k + 1 == max_sequences:
            idx = np.flatnonzero(active)
            sub = {n: v[idx] for n, v in p.items()}
            solved = solves(a, sub, tr, pair_of[idx])
            if solved.any():
                solved[solved] = solves(a, {n: v[solved] for n, v in sub.items()}, sets["test"],
                                        pair_of[idx[solved]])
            solved_at[idx[solved]] = k + 1
            frac[idx[solved]] = 1.0
            if (k + 1) % (check_every * curve_every) == 0 or k + 1 == max_sequences:
                ok_tr, _ = evaluate(a, sub, tr, pair_of[idx])
                ok_te, _ = evaluate(a, sub, sets["test"], pair_of[idx])
                frac[idx] = 0.5 * (ok_tr.mean(1) + ok_te.mean(1))
                curve_n.append(k + 1)
                curve_frac.append(frac.copy())
            if probe is not None and ((k + 1) % snap_every == 0 or solved_at[0] == k + 1):
                yp = forward(a, {n: v[:1] for n, v in p.items()}, probe)["y"][:, 0, 0]
                snaps.append(yp)
                snap_n.append(k + 1)
            if (k + 1) % (check_every * 20) == 0 or k + 1 == max_sequences or not (solved_at < 0).any():
                print(f"  {label} seq {k + 1:7d}  strings correct {frac.mean():.3f}  solved "
                      f"{int((solved_at >= 0).sum())}/{S}  "
                      f"{cli.progress(k + 1 - k0, max_sequences - k0, t_loop())}", flush=True)
            if not (solved_at < 0).any():
                break
    if not ck.final:
        ck.save(k + 1, state, final=True)           # kept until the run's results are written
    out = {"solved_at": solved_at, "n_trained": k + 1, "curve_n": np.array(curve_n),
           "curve_frac": np.array(curve_frac)}
    if probe is not None:
        out["snap_n"] = np.array(snap_n, dtype=int)
        out["snap_y"] = np.stack(snaps) if snaps else np.zeros((0, probe.shape[0], NK))
    return out


# ----------------------------------------------------------------------------------------------
# Lyapunov fingerprint along test strings, over the inner Reber string
# ----------------------------------------------------------------------------------------------
LYAP_FLOOR = -50.0      # per step: a direction squashed to exactly zero is recorded at this floor
NEAR_ZERO = 0.05        # |lambda| below this per step counts as neutral


def spectrum(a, p, sset, pair_of, n_strings, k=8):
    """Finite-time exponents over the inner string of n_strings test strings per net: counted over
    the steps from the first symbol after the inner B (index 3) to the inner E (index length - 3),
    inclusive; the two steps before (outer T/P, inner B) align the QR frame. Returns (S, n_strings, k)."""
    out = []
    for n in range(0, sset["x"].shape[2], max(1, sset["x"].shape[2] // n_strings))[:n_strings]:
        L = int(sset["length"][pair_of, n].max())
        x = sset["x"][:L, pair_of, n][:, :, None]
        J = cell.jacobians(a, p["W"], forward(a, p, x))              # J[t-1]: z(t-1) -> z(t)
        lens = sset["length"][pair_of, n]
        exs = []
        for s_ in range(len(pair_of)):                      # own window per net (string lengths differ)
            t1 = int(lens[s_]) - 2                          # steps 1 .. length-3; steps 1 (outer
            Js = J[0:t1 - 1, s_, 0]                         # T/P) and 2 (inner B) align the frame
            exs.append(qr_spectrum(Js, k=min(k, Js.shape[-1]), n_transient=2))
        out.append(np.maximum(np.stack(exs), LYAP_FLOOR))
    return np.stack(out, axis=1)


# ----------------------------------------------------------------------------------------------
# Headline run
# ----------------------------------------------------------------------------------------------
PAPER_QUICK = {"n_pairs": 1, "n_inits": 2, "max_sequences": 200, "check_every": 50, "rows": "3x2:0.5,4x1:0.5"}
TITLES = {"paper": "Embedded Reber grammar (LSTM 1997, Experiment 1)",
          "catalog": "Embedded Reber grammar: the earlier catalog's setting",
          "diagnostics": "Embedded Reber grammar: diagnostics of the slow learning"}
MAX_LR = 100.0


def parse_rows(text):
    """--rows "3x2:0.5,4x1:0.5" -> [("3x2", 0.5), ("4x1", 0.5)]; one clear line on a bad item."""
    rows = []
    for item in text.split(","):
        try:
            arch, lr = item.strip().split(":")
            lr = float(lr)
        except ValueError:
            raise cli.StubError(f"--rows: expected items like 3x2:0.5, got {item!r}") from None
        if arch not in ARCHS or not 0 < lr <= MAX_LR:
            raise cli.StubError(f"--rows: architecture must be 3x2 or 4x1 and 0 < lr <= {MAX_LR:g}, "
                                f"got {item!r}")
        rows.append((arch, lr))
    return rows


def verdict_row(n_ok, S, frac, mean, paper):
    """yes: the fraction solved within 10 points of Table 1's, the mean strings to success within
    twice Table 1's, over at least 10 nets; partial: some nets solved; no: none."""
    if paper is not None and frac >= paper[0] / 100 - 0.1 and mean is not None and mean <= 2 * paper[1] \
            and S >= 10:
        return "yes"
    return "partial" if n_ok else "no"


def paper_config(args, rows, update_of):
    """The resolved configuration of the paper's setting."""
    P, I_ = args.n_pairs, args.n_inits
    return {"n_pairs": P, "n_inits": I_, "n_seeds": P * I_, "rows": [f"{r}:{lr}" for r, lr in rows],
            "max_sequences": args.max_sequences, "check_every": args.check_every,
            "n_train": N_TRAIN, "n_test": N_TEST, "branch_probability": 0.5,
            "weights": {k: n_weights(a) for k, a in ARCHS.items()},
            "init": "U[-0.2, 0.2]; output-gate biases -1, -2, -3 (, -4); input-gate biases U[-0.2, 0.2]; "
                    "no cell or output biases",
            "update": args.update, "update_per_row": [update_of[i] for i in range(len(rows))],
            "update_rules": {"step": "truncated RTRL (forward traces), weights changed after every step",
                             "string": "truncated gradient summed over each string, applied at its end"},
            "error": "1/2 sum over steps and outputs of squared errors against the next symbol",
            "n_lyap": 4 if args.quick else 32}


def probe_strings(te):
    """A test string of pair 0 with a long inner string (the GIF and the twin figure) and its
    twin with the other outer T/P. Returns the string, the twin and its input x (L, 1, 1, 7)."""
    pi = int(np.argsort(te["length"][0])[int(0.75 * te["length"].shape[1])])
    probe_str = te["strings"][0][pi]
    swap = {"T": "P", "P": "T"}
    twin = probe_str[0] + swap[probe_str[1]] + probe_str[2:-2] + swap[probe_str[-2]] + "E"
    return pi, probe_str, twin, te["x"][:len(probe_str), 0, pi][:, None, None]


def row_metrics(a, arch, lr, update, out, sets, p, pair_of):
    """The numbers of one row's nets after training: solved counts, strings left wrong, accuracies."""
    st = out["solved_at"]
    ok = st >= 0
    wrong_tr, _ = evaluate(a, p, sets["train"], pair_of)              # errors left in the unsolved nets
    wrong_te, y_te = evaluate(a, p, sets["test"], pair_of)
    acc = step_accuracy(y_te, sets["test"]["legal"][:, pair_of], sets["test"]["length"][pair_of])
    return {"arch": arch, "lr": lr, "update": update, "weights": n_weights(a), "solved_at": st.tolist(),
            "n_solved": int(ok.sum()), "fraction_solved": float(ok.mean()),
            "mean_sequences_to_success": float(st[ok].mean()) if ok.any() else None,
            "median_sequences_to_success": float(np.median(st[ok])) if ok.any() else None,
            "min_max_sequences_to_success": [int(st[ok].min()), int(st[ok].max())] if ok.any() else None,
            "sequences_trained": int(out["n_trained"]),
            "wrong_train_strings": (~wrong_tr).sum(1).tolist(),
            "wrong_test_strings": (~wrong_te).sum(1).tolist(),
            "test_step_accuracy_at_end": {k: v.tolist() for k, v in acc.items()},
            "test_step_accuracy_at_end_mean": {k: float(v.mean()) for k, v in acc.items()}}


def row_dynamics(a, p, te, pair_of, n_lyap, probe_str, twin, key, m):
    """Lyapunov exponents along test strings, and the cell states along the probe string and its
    twin (the outer T/P kept or not); adds the per-net numbers to m, returns (exponents, arrays)."""
    S = len(pair_of)
    ex = spectrum(a, p, te, pair_of, n_lyap)                          # (S, n, k)
    per_net = ex.mean(axis=1)
    m["near_zero_exponents_per_net"] = (np.abs(per_net) < NEAR_ZERO).sum(1).tolist()
    m["mean_near_zero_exponents"] = float((np.abs(per_net) < NEAR_ZERO).sum(1).mean())
    pair_x = encode([probe_str, twin], [[set()] * (len(probe_str) - 1)] * 2)[0]
    xb = np.ascontiguousarray(np.broadcast_to(pair_x[:, None], (pair_x.shape[0], S, 2, NX)))
    c = forward(a, p, xb)
    ds = np.abs(c["s"][len(probe_str) - 2, :, 0] - c["s"][len(probe_str) - 2, :, 1])   # (S, C)
    m["twin_cell_state_gap_at_inner_E"] = ds.tolist()
    return per_net, {f"{key}_lyap": ex, f"{key}_twin_s": c["s"][1:], f"{key}_twin_act": c["act"],
                     f"{key}_twin_y": c["y"]}


def row_headline(arch, a, lr, m, cfg, update):
    """One headline row per row of Table 1: nets solved and mean strings to success."""
    S, mean = cfg["n_seeds"], m["mean_sequences_to_success"]
    paper = PAPER_TABLE.get((a.B, a.bs, lr))
    rng_ = m["min_max_sequences_to_success"]
    return {"name": f"{arch} ({n_weights(a)} weights), lr {lr:g}: solved / mean strings to success",
            "value": f"{m['n_solved']}/{S}; " + (f"{mean:,.0f}" if mean is not None else "none"),
            "paper_value": f"{paper[0]} %; {paper[1]:,}" if paper else None,
            "verdict": verdict_row(m["n_solved"], S, m["fraction_solved"], mean, paper),
            "note": (f"{cfg['n_pairs']} set pairs x {cfg['n_inits']} inits; {update} updates; cap "
                     f"{cfg['max_sequences']:,} strings; tested every {cfg['check_every']}"
                     + (f"; range {rng_[0]:,}-{rng_[1]:,}" if rng_ else ""))}


def paper_lyapunov(cfg, lyap, lyap_sd):
    return {"method": (f"QR iteration of the full state Jacobian (s and all gate and cell activations) "
                       f"along {cfg['n_lyap']} test strings per trained net, over the inner Reber string "
                       "(steps from the symbol after the inner B to the inner E), 2 alignment steps "
                       "before it (outer T/P, inner B), exponents per step "
                       f"(floored at {LYAP_FLOOR:g}), mean over strings then over nets; "
                       f"near-zero means |lambda| < {NEAR_ZERO}"),
            "exponents": lyap, "sd_over_nets": lyap_sd}


def run_paper(args, timer):
    """Rows of Table 1, each with P set pairs x I initialisations trained at once."""
    q = cli.quick(args, **PAPER_QUICK).quick
    rows = parse_rows(args.rows)
    # --quick runs the second row with the other update rule so that both code paths run
    other = {"step": "string", "string": "step"}
    update_of = {i: args.update if not q or i == 0 else other[args.update] for i in range(len(rows))}
    cfg = paper_config(args, rows, update_of)
    P, I_, S = cfg["n_pairs"], cfg["n_inits"], cfg["n_seeds"]
    print(f"embedded Reber (Exp. 1): {P} set pairs x {I_} inits = {S} nets per row, rows {cfg['rows']}, "
          f"cap {args.max_sequences:,} strings, weights {cfg['weights']}")
    r = streams(args.seed, ["sets", "init", "data", "eval"])
    sets = make_sets(r["sets"], P)
    pair_of = np.repeat(np.arange(P), I_)
    te = sets["test"]
    pi, probe_str, twin, probe_x = probe_strings(te)
    metrics, lyap, lyap_sd, timing = {}, {}, {}, {}
    arrays = {"probe_legal": te["legal"][:len(probe_str), 0, pi], "probe_len": len(probe_str)}
    headline = []
    # resumable (a paper-budget row runs for tens of minutes): each row's training loop saves its
    # state every CHECKPOINT_EVERY strings and when it ends; a re-run of the same command redoes the
    # cheap steps in order (weights drawn, evaluations) and restores the loops
    folder = None if q else folder_beside(args.out, args.seed)
    for i_row, (arch, lr) in enumerate(rows):
        a, key, t_row = ARCHS[arch], f"{arch}_lr{lr:g}", cli.Timer()
        ck = Checkpoint(folder and os.path.join(folder, f"row{i_row}-{key}.pkl"), CHECKPOINT_EVERY,
                        {"config": cfg, "seed": args.seed, "row": i_row})
        p = init_lstm(a, r["init"], S)
        out = train(a, p, sets, pair_of, lr, args.max_sequences, r["data"], check_every=args.check_every,
                    probe=probe_x if i_row == 0 else None, label=key, update=update_of[i_row], checkpoint=ck)
        m = row_metrics(a, arch, lr, update_of[i_row], out, sets, p, pair_of)
        arrays.update({f"{key}_curve_n": out["curve_n"], f"{key}_curve_frac": out["curve_frac"],
                       f"{key}_solved_at": out["solved_at"]})
        if "snap_y" in out:
            arrays.update({"snap_n": out["snap_n"], "snap_y": out["snap_y"], "snap_key": key})
        if lr == 0.5 or q:
            per_net, dyn = row_dynamics(a, p, te, pair_of, cfg["n_lyap"], probe_str, twin, key, m)
            lyap[key], lyap_sd[key] = np.sort(per_net.mean(0))[::-1].tolist(), per_net.std(0).tolist()
            arrays.update(dyn)
        metrics[key], timing[key] = m, t_row()
        headline.append(row_headline(arch, a, lr, m, cfg, update_of[i_row]))
        print(f"  {key}: solved {m['n_solved']}/{S}, mean strings {m['mean_sequences_to_success']}, "
              f"{timing[key]:.1f}s")
    metrics["timing"] = {"row_wall_s": timing}       # this sitting's time (a resumed row: only its rest)
    metrics["sets"] = {"mean_length_train": float(sets["train"]["length"].mean()),
                       "mean_length_test": float(te["length"].mean()),
                       "distinct_train_strings": [len(set(s)) for s in sets["train"]["strings"]],
                       "distinct_test_strings": [len(set(s)) for s in te["strings"]],
                       "probe": probe_str, "twin": twin}
    return cfg, metrics, headline, paper_lyapunov(cfg, lyap, lyap_sd), arrays


def sibling_module(name):
    """embedded_reber_<name>.py beside this file, imported on demand. It imports this file by its
    module name: a script run registers itself under that name first (no second execution)."""
    return cli.load_sibling(__file__, f"embedded_reber_{name}", globals())


def main(args):
    timer = cli.Timer()

    def save(cfg, metrics, headline, lyapunov=None, arrays=None):
        finish_run(args.out, record(args, __file__, title=TITLES[args.setting], paper=PAPER, config=cfg,
                                    metrics=metrics, headline=headline, lyapunov=lyapunov),
                   arrays or {}, timer)
    if args.setting == "diagnostics":                 # saves after every variant (a long run can stop)
        sibling_module("diagnostics").diagnostics_run(args, save)
    elif args.setting == "catalog":
        cfg, metrics, headline, arrays = sibling_module("catalog").catalog_run(args)
        save(cfg, metrics, headline, arrays=arrays)
    else:
        save(*run_paper(args, timer))
        remove_folder(folder_beside(args.out, args.seed))     # the results are written: drop the checkpoints


def build_parser():
    parser = cli.make_parser(__doc__, __file__, settings={
        "paper": "Experiment 1 as published (the headline)",
        "catalog": "the earlier catalog's 8-cell net and Adam training, for the speed comparison",
        "diagnostics": "candidate readings of the paper on the 3x2 lr-0.5 row, 6,000 strings each"})
    add = parser.add_argument
    add("--rows", default="3x2:0.5,4x1:0.5",
        help="rows of Table 1 to run, arch:lr separated by commas (3x2 or 4x1)")
    add("--n-pairs", type=cli.int_range(1, 10), default=3, help="training/test set pairs")
    add("--n-inits", type=cli.int_range(1, 30), default=10,
        help="weight initialisations per set pair (nets = pairs x inits, trained at once)")
    add("--max-sequences", type=cli.int_range(1, 1_000_000), default=20_000,
        help="cap on training strings per net (paper: mean 8,440, slowest lr-0.5 run 24,100; diagnostics: "
             "6,000 unless given)")
    add("--update", choices=("step", "string"), default="step",
        help="step: truncated RTRL, weights change after every step (the paper's online RTRL); string: the "
             "same contributions summed and applied at the string's end")
    add("--n-seeds", type=cli.int_range(1, 100), default=1,
        help="--setting catalog only: nets trained at once in lock-step (net i draws from its own streams; "
             "it matches a run with another --n-seeds up to float rounding)")
    add("--variants", default="",
        help="--setting diagnostics only: variants to run, comma-separated (default all; the list is in "
             "embedded_reber_diagnostics.py)")
    add("--check-every", type=cli.int_range(1, 1_000_000), default=100,
        help="test every unsolved net on all 256 + 256 strings after this many strings")
    # the stub's own flags each setting reads (any other given flag is refused in one line)
    cli.setting_flags(parser, {
        "paper": ["check_every", "max_sequences", "n_inits", "n_pairs", "rows", "update"],
        "catalog": ["n_seeds"],
        "diagnostics": ["check_every", "n_inits", "n_pairs", "variants"]})
    return parser


if __name__ == "__main__":
    np.seterr(over="ignore", invalid="ignore")
    cli.run(main, build_parser(), gradcheck=lambda args: sibling_module("checks").gradient_checks())
