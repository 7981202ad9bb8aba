"""Noise and signal on the same channel: Hochreiter & Schmidhuber (1997), LSTM, Experiment 3.

Neural Computation 9(8):1735-1780, Section 5.3, Tasks 3a, 3b and 3c (Bengio et al.'s 1994
"2-sequence problem" and two harder versions of it).

Task (the paper's own). One input line, two classes with probability 0.5 each. Only the first N
elements carry the class: +1.0 for class 1, -1.0 for class 2 (N = 1 or 3). Every later element is
Gaussian noise with mean 0 and variance 0.2. Length is uniform in [T, T + T/10]. The target comes at
the last step only.
    3a: targets 1.0 (class 1) / 0.0 (class 2); correct if |error| < 0.2.
    3b: as 3a, with the same Gaussian noise (variance 0.2) also added to the N informative elements.
    3c: as 3a, but targets 0.2 (class 1) / 0.8 (class 2) plus Gaussian target noise of variance 0.1;
        misclassified if |output - noise-free target| > 0.1.
Stopping (tested on 256 test sequences): 3a ST1 = none misclassified, ST2 = ST1 and mean absolute
error < 0.01; 3b ST1 = fewer than 6 misclassified, ST2 = ST1 and mean absolute error < 0.04; 3c =
none misclassified and mean absolute difference to the noise-free target < 0.015. After stopping,
2560 fresh sequences give the fraction misclassified.

Net (the paper's, the same for all three): 1 input, 3 memory blocks of 1 cell, no forget gate, one
logistic output that sees only the cells and has no bias. Cells and gates see the input, all cells
and gates of step t-1 and a bias: 9 * (1 + 9 + 1) + 1 * 3 = 102 weights.

    u(t) = [x(t), r(t-1), 1]        r = [y_in (3), y_c (3), y_out (3)]
    y_in = sigma(net_in), y_out = sigma(net_out)          (one each per block)
    s_c(t) = s_c(t-1) + y_in(t) g(net_c(t))               g = 4 sigma - 2, range [-2, 2]
    y_c(t) = y_out(t) h(s_c(t))                           h = 2 sigma - 1, range [-1, 1]
    y = sigma(sum_c v_c y_c(last))

The net is the 1997 LSTM of the family core shared/lstm1997 (its forward passes, truncated
gradient, BPTT and Jacobians); this file keeps the task, the wiring, the output unit, the training
loop, the stopping tests and the analysis.

Initialisation: weights U[-0.1, 0.1]; input-gate biases -1, -3, -5; output-gate biases -2, -4, -6.
Learning: the truncated gradient of Appendix A.1, online (one update per sequence), learning rate
1.0 (3a, 3b) or 0.1 (3c), no momentum. All three variants train at once: 3 x n_seeds nets on one
leading seed axis, each with its own data, learning rate and stopping test.

    python3 two_sequence_noise.py --seed 0                     # headline: 3a, 3b, 3c, 10 nets each
    python3 two_sequence_noise.py --setting guessing           # two_sequence_noise_guessing.py
    python3 two_sequence_noise.py --setting catalog            # two_sequence_noise_catalog.py
    python3 two_sequence_noise.py --quick                      # seconds; what the tests run

Gradient checks (--gradcheck): two_sequence_noise_checks.py.

Arrays are time-major: x (L, S, N, 1) = (time, net, sequence, input). Columns of W (S, D, H)
(the core's layout): [input gates (B) | cell inputs (C) | output gates (B)], SPEC.md's i, g, o
order without a forget gate; rows [x(t), r(t-1) (H), 1]. V (S, 1, C [+ 1 bias in the catalog setting]).
"""
import argparse
import os
import pathlib
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
import shared  # noqa: F401  (pins BLAS to one thread before numpy loads)

import numpy as np

from shared import cli
from shared.lstm1997 import cell
from shared.lyapunov import ensemble_spectrum
from shared.results import finish_run, headline_row, record
from shared.rng import streams

PAPER = ("S. Hochreiter and J. Schmidhuber, Long Short-Term Memory, Neural Computation 9(8):1735-1780, "
         "1997, Section 5.3, Experiment 3 (noise and signal on the same channel), Tasks 3a-3c")
TITLE = "Two-sequence problem with noise (LSTM 1997, Experiment 3)"
VARIANTS = ("3a", "3b", "3c")
NOISE_VAR = 0.2                                  # distractors (and 3b's informative elements)
TARGET_NOISE_VAR = 0.1                           # 3c only
# Per variant: learning rate, misclassification threshold, misclassified test sequences allowed
# (out of 256), and the mean-absolute-error bound of the final criterion (ST2 / 3c's stop).
RULES = {"3a": {"lr": 1.0, "tol": 0.2, "max_wrong": 0, "max_mae": 0.01},
         "3b": {"lr": 1.0, "tol": 0.2, "max_wrong": 5, "max_mae": 0.04},
         "3c": {"lr": 0.1, "tol": 0.1, "max_wrong": 0, "max_mae": 0.015}}
# Tables 4-6, T = 100 (means of 10 trials): sequences to ST1 / ST2 (3c: to its one stop test),
# fraction of 2560 post-training test sequences misclassified, 3c's average difference to the mean.
PAPER_TABLE = {("3a", 3): {"st1": 27_380, "st2": 39_850, "frac_wrong": 0.000195},
               ("3a", 1): {"st1": 58_370, "st2": 64_330, "frac_wrong": 0.000117},
               ("3b", 3): {"st1": 41_740, "st2": 43_250, "frac_wrong": 0.00828},
               ("3b", 1): {"st1": 74_950, "st2": 78_430, "frac_wrong": 0.01500},
               ("3c", 3): {"st1": None, "st2": 269_650, "frac_wrong": 0.00558, "mae": 0.014},
               ("3c", 1): {"st1": None, "st2": 565_640, "frac_wrong": 0.00441, "mae": 0.012}}
N_TEST_STOP, N_TEST_FINAL = 256, 2560


# ----------------------------------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------------------------------
def two_sequence_batch(rng, shape, T, n_info, variant):
    """Sequences of Task 3a/3b/3c, zero-padded to the longest length T + T/10.

    shape = (S, N). Returns x (L_max, S, N, 1), clean target (S, N), training target (S, N) (3c adds
    the target noise), cls (S, N) in {0 = class 1, 1 = class 2}, length (S, N) in [T, T + T/10].
    """
    S, N = shape
    L_max = T + T // 10
    length = rng.integers(T, L_max + 1, size=shape)
    cls = rng.integers(0, 2, size=shape)
    x = rng.normal(0.0, np.sqrt(NOISE_VAR), size=(L_max, S, N))
    sign = 1.0 - 2.0 * cls                                           # class 1: +1, class 2: -1
    if variant == "3b":
        x[:n_info] += sign                                           # noise on the signal too
    else:
        x[:n_info] = sign
    x *= np.arange(L_max)[:, None, None] < length
    if variant == "3c":
        clean = 0.2 + 0.6 * cls
        noisy = clean + rng.normal(0.0, np.sqrt(TARGET_NOISE_VAR), size=shape)
    else:
        clean = 1.0 - cls
        noisy = clean
    return x[..., None], clean, noisy, cls, length


# ----------------------------------------------------------------------------------------------
# Model: the 1997 LSTM of the family core shared/lstm1997 (cell.forward, cell.forward_last,
# cell.grads_truncated, cell.grads_bptt, cell.jacobians). This stub adds its wiring (one input,
# one output on the cells, the catalog net's cut gate rows), its init and the output layer.
# ----------------------------------------------------------------------------------------------
class Net(cell.Blocks):
    """The core's layout of nb blocks of bs cells on one input line; gate_rec: gates and cells see
    all gates and cells of t-1 (the paper) or only the cell outputs (the earlier catalog: ``mask``
    cuts the gates' rows of r(t-1)); out_bias: a bias on the output unit."""

    def __init__(self, nb=3, bs=1, gate_rec=True, out_bias=False):
        super().__init__(n_in=1, n_blocks=nb, block_size=bs)
        self.out_bias = out_bias
        self.mask = np.ones((self.D, self.H))
        if not gate_rec:                                               # rows of r(t-1)'s gates off
            self.mask[1 + self.i_sl.start:1 + self.i_sl.stop] = 0.0
            self.mask[1 + self.o_sl.start:1 + self.o_sl.stop] = 0.0


def n_weights(net):
    """Weights of the gates and cells (those the wiring keeps) and of the output unit."""
    return int(net.mask.sum()) + net.C + int(net.out_bias)


PAPER_NET = Net(3, 1, gate_rec=True, out_bias=False)


def sigmoid(z):
    return 0.5 + 0.5 * np.tanh(0.5 * z)


def init_paper(rng, S, net=PAPER_NET):
    """Table 10 / Section 5.3: U[-0.1, 0.1]; input-gate biases -1, -3, -5; output-gate -2, -4, -6."""
    W = cell.init_weights(net, rng, S, scale=0.1, in_bias=[-1.0, -3.0, -5.0])
    W[:, -1, net.o_sl] = [-2.0, -4.0, -6.0]
    return {"W": W, "V": rng.uniform(-0.1, 0.1, size=(S, 1, net.C + int(net.out_bias)))}


def lstm_forward(net, p, x):
    """x (L, S, N, 1) -> the core's cache (U, act, s, yc); its dtype follows the weights (float32
    in training, float64 in the checks)."""
    return cell.forward(net, p["W"], x)


def lstm_outputs(net, p, x, last):
    """Output at each sequence's last step without keeping a cache (evaluation): x (L, S, N, 1),
    last (S, N) -> y (S, N)."""
    return _squash_out(net, p, cell.forward_last(net, p["W"], x, last))


def _squash_out(net, p, yc):
    z = np.einsum("snc,sc->sn", yc, p["V"][:, 0, :net.C])
    if net.out_bias:
        z += p["V"][:, 0, -1][:, None]
    return sigmoid(z)


def readout(net, p, cache, last):
    """Output at each sequence's last step, last (S, N). Returns y (S, N), features (S, N, C [+1])."""
    S, N = last.shape
    si, ni = np.indices((S, N))
    feat = cache["yc"][last, si, ni]
    if net.out_bias:
        feat = np.concatenate([feat, np.ones((S, N, 1))], axis=-1)
    return sigmoid(np.einsum("snc,sc->sn", feat, p["V"][:, 0])), feat


def _output_part(net, p, cache, last, dy):
    """Top of the backward passes: y = sigma(v . [y_c(last) (, 1)]). dy (S, N) = dLoss/dy.
    Returns dV (S, 1, C [+1]) and dLoss/dy_c(last) (S, N, C)."""
    y, feat = readout(net, p, cache, last)
    d_out = dy * y * (1.0 - y)
    dV = np.einsum("sn,snc->sc", d_out, feat)[:, None]
    return dV, d_out[..., None] * p["V"][:, 0, None, :net.C]


def lstm_grads_truncated(net, p, cache, last, dy):
    """The paper's truncated gradient (Appendix A.1) in closed form (the core's), dy (S, N)."""
    dV, dyc = _output_part(net, p, cache, last, dy)
    return {"W": cell.grads_truncated(net, cache, dyc, last) * net.mask, "V": dV}


def lstm_grads_bptt(net, p, cache, last, dy, truncate=False):
    """Step-by-step BPTT (the core's), dy (S, N): exact, or the truncation by a second route."""
    dV, dyc = _output_part(net, p, cache, last, dy)
    return {"W": cell.grads_bptt(net, p["W"], cache, dyc, last, truncate=truncate) * net.mask, "V": dV}


# ----------------------------------------------------------------------------------------------
# Training: the paper's online regime, every net in lock-step (one sequence per net per update)
# ----------------------------------------------------------------------------------------------
def variant_rows(variants, n_seeds, key):
    """A per-variant rule spread over the seed axis: (n_var * n_seeds,)."""
    return np.repeat([RULES[v][key] for v in variants], n_seeds)


def stacked_batch(rng, variants, n_seeds, n_seq, T, n_info):
    """One batch per variant, stacked on the seed axis: x (L_max, V*n_seeds, n_seq, 1), ..."""
    parts = [two_sequence_batch(rng, (n_seeds, n_seq), T, n_info, v) for v in variants]
    return tuple(np.concatenate([q[i] for q in parts], axis=1 if i == 0 else 0) for i in range(5))


def misclassified(err, variants, n_seeds):
    """err (S, N) absolute difference to the noise-free target -> wrong (S, N): 3a/3b are correct
    below 0.2; 3c is misclassified above 0.1."""
    tol = variant_rows(variants, n_seeds, "tol")[:, None]
    strict = np.repeat([v == "3c" for v in variants], n_seeds)[:, None]
    return np.where(strict, err > tol, err >= tol)


def evaluate(net, p, x, clean, length, chunk=512):
    """|output - noise-free target| at each sequence's end, x (L, S, N, 1) -> (S, N), and y."""
    ys = []
    for a in range(0, x.shape[2], chunk):
        L = int(length[:, a:a + chunk].max())
        ys.append(lstm_outputs(net, p, x[:L, :, a:a + chunk], length[:, a:a + chunk] - 1))
    y = np.concatenate(ys, axis=1)
    return np.abs(y - clean), y


def train_paper(cfg, rng_init, rng_data, test, probe=None):
    """Train len(variants) x n_seeds nets of the 1997 LSTM until each meets its variant's final
    criterion (ST2; 3c's stop) on the 256-sequence test set, or the cap.

    w <- w - lr dE/dw after every sequence, E = 1/2 (y - target)^2, truncated gradient.
    The test runs every ``test_every`` sequences (the paper's granularity is not stated; its
    10-trial means are all multiples of 10, consistent with testing every 100).
    Returns params, ST1/ST2 counts (S,) (-1 = not met), the test-error curve and snapshots.
    """
    variants, n, T, N_info = cfg["variants"], cfg["n_seeds"], cfg["T"], cfg["N"]
    S, net = len(variants) * n, PAPER_NET
    p = {k: v.astype(np.float32) for k, v in init_paper(rng_init, S).items()}   # float32: 3x faster tanh
    lr = variant_rows(variants, n, "lr").astype(np.float32)
    max_wrong, max_mae = variant_rows(variants, n, "max_wrong"), variant_rows(variants, n, "max_mae")
    x_te, clean_te, len_te = test[0].astype(np.float32), test[1], test[4]
    tol = variant_rows(variants, n, "tol")
    strict = np.repeat([v == "3c" for v in variants], n)
    mae, wrong = np.full(S, np.inf), np.full(S, N_TEST_STOP)
    st1, st2 = np.full(S, -1), np.full(S, -1)
    curve_n, curve_mae, curve_wrong, curve_train = [], [], [], []
    snaps, snap_n, n_snaps, cap, every = [], [], cfg["n_snaps"], cfg["max_sequences"], cfg["test_every"]
    snap_every = max(every, (cap // n_snaps) // every * every)
    train_sq = np.zeros(S)
    chunk, t_loop = 256, cli.Timer()
    for k in range(cap):
        if k % chunk == 0:
            xs, _, ts, _, lens = stacked_batch(rng_data, variants, n, chunk, T, N_info)
            xs = xs.astype(np.float32)
        j = k % chunk
        L = int(lens[:, j].max())
        last = lens[:, j:j + 1] - 1                                  # (S, 1)
        cache = lstm_forward(net, p, xs[:L, :, j:j + 1])
        y, _ = readout(net, p, cache, last)
        err = y[:, 0] - ts[:, j]                                     # (S,)
        cli.check_finite(k, **{"output": err, "weights W": p["W"]})
        grads = lstm_grads_truncated(net, p, cache, last, err[:, None])
        step = lr * (st2 < 0)                                        # a net that stopped is frozen
        p["W"] -= step[:, None, None] * grads["W"]
        p["V"] -= step[:, None, None] * grads["V"]
        train_sq += err ** 2
        if (k + 1) % every == 0:
            rows = np.flatnonzero(st2 < 0)                           # stopped nets are frozen
            e, _ = evaluate(net, {q: v[rows] for q, v in p.items()}, x_te[:, rows], clean_te[rows],
                            len_te[rows])
            t_r = tol[rows][:, None]
            wrong[rows] = np.where(strict[rows][:, None], e > t_r, e >= t_r).sum(axis=1)
            mae[rows] = e.mean(axis=1)
            ok1 = wrong <= max_wrong
            st1[(st1 < 0) & ok1] = k + 1
            st2[(st2 < 0) & ok1 & (mae < max_mae)] = k + 1
            curve_n.append(k + 1)
            curve_mae.append(mae.copy())
            curve_wrong.append(wrong.copy())
            curve_train.append(train_sq / every)
            train_sq = np.zeros(S)
        if probe is not None and (k % snap_every == 0 or k == cap - 1):
            snaps.append(probe_states(net, p, probe, variants, n))
            snap_n.append(k + 1)
        done = not (st2 < 0).any()
        if (k + 1) % cfg["log_every"] == 0 or k + 1 == cap or done:
            parts = "  ".join(f"{v} stop {int((st2[i * n:(i + 1) * n] >= 0).sum())}/{n} "
                              f"mae {np.median(curve_mae[-1][i * n:(i + 1) * n]):.4f}"
                              for i, v in enumerate(variants)) if curve_mae else ""
            print(f"  seq {k + 1:7d}  {parts}  {cli.progress(k + 1, cap, t_loop())}", flush=True)
        if done:
            break
    out = {"params": {q: v.astype(np.float64) for q, v in p.items()}, "st1": st1, "st2": st2,
           "n_trained": k + 1, "curve_n": np.array(curve_n),
           "curve_mae": np.array(curve_mae), "curve_wrong": np.array(curve_wrong),
           "curve_train": np.array(curve_train)}
    if snaps:
        out["snap_n"] = np.array(snap_n)
        out["snap_s"] = np.stack([a for a, _ in snaps])             # (n_snap, V, L, 2, C)
        out["snap_y"] = np.stack([b for _, b in snaps])             # (n_snap, V, 2)
    return out


def probe_states(net, p, probe, variants, n):
    """Cell states and outputs of the first net of each variant on its two probe sequences
    (one per class). probe: x (L, V, 2, 1), last (V, 2)."""
    q = {k: v[np.arange(len(variants)) * n] for k, v in p.items()}
    c = lstm_forward(net, q, probe[0])
    y, _ = readout(net, q, c, probe[1])
    return c["s"][1:].transpose(1, 0, 2, 3), y


# ----------------------------------------------------------------------------------------------
# Lyapunov fingerprint
# ----------------------------------------------------------------------------------------------
LYAP_FLOOR = -50.0      # per step: a direction squashed to exactly zero is recorded at this floor


def spectrum(net, p, x, t0, t1, k=6, n_transient=5):
    """Finite-time Lyapunov exponents over steps [t0, t1) along x (L, S, N, 1). Returns (S, N, k)."""
    J = cell.jacobians(net, p["W"], lstm_forward(net, p, np.ascontiguousarray(x[:t1])))[t0 - 1:t1 - 1]
    return ensemble_spectrum(J, k, LYAP_FLOOR, n_transient)


# ----------------------------------------------------------------------------------------------
# Headline run (the paper's setting)
# ----------------------------------------------------------------------------------------------
PAPER_QUICK = {"T": 20, "n_seeds": 2, "max_sequences": 400, "test_every": 50}


def shared_sets(rng, variants, n_seeds, n_seq, T, n_info):
    """One set of n_seq sequences per variant, shared by that variant's n_seeds nets."""
    x, clean, noisy, cls, length = stacked_batch(rng, variants, 1, n_seq, T, n_info)
    return (np.repeat(x, n_seeds, axis=1),) + tuple(np.repeat(a, n_seeds, axis=0)
                                                    for a in (clean, noisy, cls, length))


def mean_or_none(v):
    return float(np.mean(v)) if len(v) else None


def load_average():
    """The 1-minute load average (other processes share the CPU)."""
    return float(os.getloadavg()[0])


def verdict_all(frac_ok, good):
    """yes: every net meets it (and ``good``); partial: some; no: none."""
    return "yes" if frac_ok == 1.0 and good else ("partial" if frac_ok > 0 else "no")


def verdict_speed(frac_stopped, mean_seq, paper_mean):
    """yes: every net stopped, on average within twice the paper's mean; partial: some stopped."""
    return "no" if mean_seq is None else \
        ("yes" if frac_stopped == 1 and mean_seq <= 2 * paper_mean else "partial")


def verdict_misclassified(frac, paper_frac, n_final):
    """yes: the stopped nets misclassify at most twice the paper's fraction plus one sequence."""
    return "no" if frac is None else ("yes" if frac <= 2 * paper_frac + 1.0 / n_final else "partial")


def paper_config(args):
    """The resolved configuration of the paper's setting (after --quick shrank the sizes)."""
    cli.quick(args, **PAPER_QUICK)
    T, N_info, cap = args.T, args.N, args.max_sequences
    if T < 10 or N_info >= T:
        raise cli.StubError(f"--T must be at least 10 and larger than --N, got T={T}, N={N_info}")
    q = args.quick
    cfg = {"setting": "paper", "variants": list(args.variants), "T": T, "lengths": [T, T + T // 10],
           "N": N_info, "n_seeds": args.n_seeds, "max_sequences": cap, "test_every": args.test_every,
           "n_test_stop": N_TEST_STOP, "n_test_final": 128 if q else N_TEST_FINAL,
           "noise_variance": NOISE_VAR, "target_noise_variance_3c": TARGET_NOISE_VAR,
           "rules": {v: RULES[v] for v in args.variants}, "weights": n_weights(PAPER_NET),
           "init": "U[-0.1, 0.1]; input-gate biases -1, -3, -5; output-gate biases -2, -4, -6",
           "learning": "truncated gradient (Appendix A.1), online, one update per sequence, no momentum",
           "dtype_training": "float32", "n_lyap": 4 if q else 16, "n_snaps": 5 if q else 40,
           "log_every": 100 if q else 2000}
    cfg["cap_fraction_of_paper_mean"] = {v: cap / PAPER_TABLE[(v, N_info)]["st2"] for v in args.variants
                                         if (v, N_info) in PAPER_TABLE}
    return cfg


def probe_sequences(final, variants, n):
    """One fresh sequence of each class per variant, for the first net of each variant: x (L, V, 2,
    1) float32, last (V, 2), and their classes (V, 2)."""
    rows = np.arange(len(variants)) * n
    cls_f = final[3][rows]
    pick = np.stack([[int(np.flatnonzero(c == k)[0]) if (c == k).any() else 0 for k in (0, 1)]
                     for c in cls_f])
    probe = (final[0][:, rows[:, None], pick].astype(np.float32), final[4][rows[:, None], pick] - 1)
    return probe, cls_f[np.arange(len(variants))[:, None], pick]


def input_gate_use(p, x, T, N_info):
    """Mean input-gate activation per net and block on the informative elements and on the noise
    after them, over the first 64 sequences of x (L, S, N, 1): two (S, 3) arrays."""
    n_g = min(64, x.shape[2])
    act = lstm_forward(PAPER_NET, p, x[:T, :, :n_g])["act"][..., PAPER_NET.i_sl]   # (T, S, n_g, 3)
    return act[:N_info].mean(axis=(0, 2)), act[N_info:].mean(axis=(0, 2))


def variant_metrics(tr, sl, e, wrong, gates, ex, ref):
    """The numbers of one variant's nets (seed-axis slice sl) after training."""
    st1, st2 = tr["st1"][sl], tr["st2"][sl]
    ok1, ok2 = st1 >= 0, st2 >= 0
    frac, mae = wrong[sl].mean(axis=1), e[sl].mean(axis=1)
    return {
        "st1_at": st1.tolist(), "st2_at": st2.tolist(), "n_st1": int(ok1.sum()), "n_st2": int(ok2.sum()),
        "mean_sequences_st1": mean_or_none(st1[ok1]), "mean_sequences_st2": mean_or_none(st2[ok2]),
        "frac_misclassified_final": frac.tolist(), "mean_abs_error_final": mae.tolist(),
        "mean_frac_misclassified_all": float(frac.mean()),
        "mean_frac_misclassified_stopped": mean_or_none(frac[ok2]), "mean_abs_error_all": float(mae.mean()),
        "test256_mae_at_end": tr["curve_mae"][-1][sl].tolist() if len(tr["curve_mae"]) else None,
        "test256_wrong_at_end": tr["curve_wrong"][-1][sl].tolist() if len(tr["curve_wrong"]) else None,
        "input_gate_mean_on_info": gates[0][sl].tolist(), "input_gate_mean_on_noise": gates[1][sl].tolist(),
        "lyapunov_top3_per_net": np.sort(ex[sl].mean(axis=1), axis=-1)[:, ::-1][:, :3].tolist(),
        "paper": ref}


def variant_headline(v, m, cfg):
    """Headline rows of one variant: nets stopped, sequences to ST2 (and ST1), fresh-set error."""
    n, cap, n_final = cfg["n_seeds"], cfg["max_sequences"], cfg["n_test_final"]
    ref, rule = m["paper"], RULES[v]
    st1, st2 = np.array(m["st1_at"]), np.array(m["st2_at"])
    fr1, fr2 = (st1 >= 0).mean(), (st2 >= 0).mean()
    crit = ("ST2" if v != "3c" else "the stop test") + \
        f" (<= {rule['max_wrong']} of 256 wrong, mean |err| < {rule['max_mae']})"
    ms2, fr_st = m["mean_sequences_st2"], m["mean_frac_misclassified_stopped"]
    rows = [headline_row(f"{v}: nets meeting {crit} within {cap:,} sequences", f"{m['n_st2']}/{n}",
                         "10/10 (all trials)", verdict_all(fr2, True),
                         f"T={cfg['T']}, N={cfg['N']}; cap = "
                         f"{cfg['cap_fraction_of_paper_mean'].get(v, 0):.0%} of the paper's mean"),
            headline_row(f"{v}: sequences until {'ST2' if v != '3c' else 'stop'}, mean over nets "
                         "that stopped",
                         ms2 if ms2 is not None else f"none within {cap:,}", ref.get("st2"),
                         verdict_speed(fr2, ms2, ref.get("st2", 0)),
                         "paper: mean of 10 trials (Tables 4-6); here nets that did not stop are excluded")]
    if v != "3c":
        rows.append(headline_row(f"{v}: sequences until ST1, mean over nets that met it",
                                 m["mean_sequences_st1"] if m["n_st1"] else f"none within {cap:,}",
                                 ref.get("st1"), verdict_all(fr1, True), f"{m['n_st1']}/{n} nets met ST1"))
    rows.append(headline_row(
        f"{v}: fraction of {n_final} fresh test sequences misclassified, mean over the nets that stopped",
        fr_st if fr_st is not None else "no net stopped", ref.get("frac_wrong"),
        verdict_misclassified(fr_st, ref.get("frac_wrong", 0), n_final),
        f"paper: tested after ST2; over all {n} nets (at the cap if not stopped): "
        f"{m['mean_frac_misclassified_all']:.4f}"))
    if v == "3c":
        mae = np.array(m["mean_abs_error_final"])
        mae_st = mean_or_none(mae[st2 >= 0])
        rows.append(headline_row(
            "3c: mean |output - noise-free target| on the fresh test set, mean over the nets that stopped "
            "(acceptable: < 0.015)", mae_st if mae_st is not None else "no net stopped", ref.get("mae"),
            verdict_all((mae < 0.015).mean(), True),
            f"{int((mae < 0.015).sum())}/{n} nets below 0.015 on the fresh set; the 256-sequence stopping "
            "test is passed at one moment of a noisy trajectory"))
    return rows


def paper_lyapunov(ex, variants, n, cfg, t0, t1):
    per_variant = {v: ex[i * n:(i + 1) * n] for i, v in enumerate(variants)}
    return {"method": f"QR iteration of the full state Jacobian (s (3) + 9 unit activations) along "
                      f"{cfg['n_lyap']} test sequences per net over steps [{t0}, {t1}) (after the "
                      "informative elements, before the earliest end), 5 alignment steps, exponents per step "
                      "(floored at -50; the 3 y_c coordinates are functions of the others, so 3 exponents "
                      "are -inf by construction), mean over nets and sequences",
            "exponents": {f"lstm1997_{v}": np.sort(a.mean(axis=(0, 1)))[::-1].tolist()
                          for v, a in per_variant.items()},
            "sd_over_nets": {f"lstm1997_{v}": a.mean(axis=1).std(axis=0).tolist()
                             for v, a in per_variant.items()}}


def paper_arrays(tr, e, y, final, ex, gates, probe, probe_cls):
    """What the figures and the GIF read from results.npz."""
    return {"curve_n": tr["curve_n"], "curve_mae": tr["curve_mae"], "curve_wrong": tr["curve_wrong"],
            "curve_train": tr["curve_train"], "st1": tr["st1"], "st2": tr["st2"], "final_err": e,
            "final_y": y, "final_cls": final[3], "lyap": ex, "gate_info": gates[0], "gate_noise": gates[1],
            "snap_n": tr.get("snap_n", np.zeros(0)), "snap_s": tr.get("snap_s", np.zeros(0)),
            "snap_y": tr.get("snap_y", np.zeros(0)), "probe_x": probe[0][:, :, :, 0],
            "probe_last": probe[1], "probe_cls": probe_cls}


def run_paper(args, timer):
    """Tasks 3a-3c at once: train, test on fresh sequences, fingerprint, judge against Tables 4-6."""
    cfg = paper_config(args)
    variants, n, T, N_info = cfg["variants"], cfg["n_seeds"], cfg["T"], cfg["N"]
    print(f"two-sequence problem (Exp. 3): variants {','.join(variants)}, T={T}, N={N_info}, {n} nets each "
          f"({len(variants) * n} at once), cap {cfg['max_sequences']:,} sequences, "
          f"{n_weights(PAPER_NET)} weights")
    r = streams(args.seed, ["init", "data", "eval"])
    test = shared_sets(r["eval"], variants, n, N_TEST_STOP, T, N_info)
    final = shared_sets(r["eval"], variants, n, cfg["n_test_final"], T, N_info)
    probe, probe_cls = probe_sequences(final, variants, n)
    tr = train_paper(cfg, r["init"], r["data"], test, probe=probe)
    p = tr["params"]
    e, y = evaluate(PAPER_NET, p, final[0], final[1], final[4])
    wrong = misclassified(e, variants, n)
    # Lyapunov fingerprint after the informative elements, before the earliest end
    t0, t1 = max(N_info + 2, T // 10), T
    ex = spectrum(PAPER_NET, p, final[0][:, :, :cfg["n_lyap"]], t0, t1)          # (S, n_lyap, 6)
    gates = input_gate_use(p, final[0], T, N_info)
    metrics, headline = {}, []
    for i, v in enumerate(variants):
        sl = slice(i * n, (i + 1) * n)
        metrics[v] = variant_metrics(tr, sl, e, wrong, gates, ex, PAPER_TABLE.get((v, N_info), {}))
        headline += variant_headline(v, metrics[v], cfg)
    metrics["sequences_trained"] = int(tr["n_trained"])
    metrics["timing"] = {"train_and_test_wall_s": timer(), "process_cpu_s": time.process_time(),
                         "load_average_at_end": load_average(), "load_average_at_start": args.load_at_start}
    return (cfg, metrics, headline, paper_lyapunov(ex, variants, n, cfg, t0, t1),
            paper_arrays(tr, e, y, final, ex, gates, probe, probe_cls))


def setting_module(name):
    """two_sequence_noise_<name>.py beside this file, imported on demand. It imports this file by its
    module name: a script run registers itself under that name first (no second execution)."""
    return cli.load_sibling(__file__, f"two_sequence_noise_{name}", globals())


def main(args):
    timer = cli.Timer()
    args.load_at_start = load_average()                              # other processes share the CPU
    np.seterr(over="ignore", invalid="ignore")
    if args.setting == "paper":
        run = run_paper
    else:
        run = getattr(setting_module(args.setting), f"run_{args.setting}")
    cfg, metrics, headline, lyapunov, arrays = run(args, timer)
    finish_run(args.out, record(args, __file__, title=TITLE, paper=PAPER, config=cfg, metrics=metrics,
                                headline=headline, lyapunov=lyapunov), arrays, timer)


def bounded(kind, lo, hi):
    """argparse type: an int or float in [lo, hi] (NaN and inf refused), one line otherwise."""
    def parse(text):
        try:
            v = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {'an integer' if kind is int else 'a number'}, "
                                             f"got {text!r}") from None
        if not lo <= v <= hi:
            raise argparse.ArgumentTypeError(f"must be between {lo:,} and {hi:,}, got {text}")
        return v
    parse.__name__ = kind.__name__
    return parse


def _n_info(text):
    v = cli.positive_int(text)
    if v not in (1, 3):
        raise argparse.ArgumentTypeError(f"the paper uses N = 1 or 3, got {v}")
    return v


def build_parser():
    parser = cli.make_parser(__doc__, __file__, settings={
        "paper": "Exp. 3a-3c as published (the headline)", "catalog": "the earlier catalog's version",
        "guessing": "random weight guessing on the paper's net"})
    parser.add_argument("--variants", type=cli.name_list(VARIANTS), default=list(VARIANTS),
                        help="comma list of the tasks to train (3a, 3b, 3c); all train at once")
    parser.add_argument("--T", type=bounded(int, 1, 1000), default=100,
                        help="minimal sequence length (paper: 100 and 1000; at least 10)")
    parser.add_argument("--N", type=_n_info, default=3,
                        help="informative elements at the start (paper: 1 or 3)")
    parser.add_argument("--n-seeds", type=bounded(int, 1, 100), default=10,
                        help="nets per variant, trained at once on a leading seed axis")
    parser.add_argument("--max-sequences", type=bounded(int, 1, 2_000_000), default=40_000,
                        help="cap on training sequences per net (paper means: 39,850 / 43,250 / 269,650)")
    parser.add_argument("--test-every", type=bounded(int, 1, 10_000_000), default=100,
                        help="sequences between the stopping tests on the 256-sequence test set")
    parser.add_argument("--catalog-sequences", type=bounded(int, 1, 1_000_000), default=8_000,
                        help="training sequences per net in the catalog setting "
                             "(its README's headline: 8,000)")
    parser.add_argument("--guess-range", type=bounded(float, 1e-6, 1e6), default=100.0,
                        help="guessing: weights drawn from U[-R, R] (Schmidhuber and Hochreiter used 100)")
    parser.add_argument("--guess-trials", type=bounded(int, 1, 10_000_000), default=50_000,
                        help="guessing: random nets to try")
    # the stub's own flags each setting reads (any other given flag is refused in one line)
    cli.setting_flags(parser, {
        "paper": ["N", "T", "max_sequences", "n_seeds", "test_every", "variants"],
        "catalog": ["catalog_sequences", "n_seeds"],
        "guessing": ["N", "T", "guess_range", "guess_trials"]})
    return parser


if __name__ == "__main__":
    cli.run(main, build_parser(), gradcheck=lambda args: setting_module("checks").gradient_checks())
