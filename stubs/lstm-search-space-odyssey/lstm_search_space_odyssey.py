"""LSTM: A Search Space Odyssey (Greff, Srivastava, Koutnik, Steunebrink & Schmidhuber 2017).

IEEE TNNLS 28(10):2222-2232, arXiv 1503.04069.

The study. Vanilla LSTM (V: input, forget and output gates, peepholes, tanh block input and tanh
output activation, full-gradient BPTT) against eight variants that each change one thing:

    NIG   no input gate            i = 1
    NFG   no forget gate           f = 1
    NOG   no output gate           o = 1
    NIAF  no input activation      z = a_z            (no tanh on the block input)
    NOAF  no output activation     y = o * c          (no tanh on the cell state)
    NP    no peepholes             p_i = p_f = p_o = 0
    CIFG  coupled input and forget gate: i = 1 - f
    FGR   full gate recurrence: the gates also see all gate activations of step t-1
          (nine extra recurrent matrices, gate -> gate)

each tuned by its own random search (the paper: 200 trials per variant and data set) over four
hyperparameters: hidden size log-uniform [20, 200], learning rate log-uniform [1e-6, 1e-2],
momentum 1 - log-uniform [0.01, 1], Gaussian input-noise sd uniform [0, 1]; SGD with momentum.
The paper then compares each variant's test errors with V's (significance test) and splits the
variance of the performance among the hyperparameters with fANOVA.

Here (a substitute, see README): the paper's data sets (TIMIT, IAM-OnDB, JSB Chorales) cannot be
shipped, so the task is next-symbol-set prediction on the continual embedded Reber grammar
(Gers, Schmidhuber & Cummins 2000): one stream without resets, 7 one-hot inputs, 7 sigmoid
outputs trained on the set of legal next symbols (multi-label, like JSB's sigmoid outputs), loss
= summed binary cross-entropy. The stream never resets, so a cell must learn to forget.

The cell (one cell per block, as in the paper), per unit, with a = net input:

    z = tanh(W_z x + R_z y' + b_z)                       block input (NIAF: no tanh)
    i = sigma(W_i x + R_i y' + p_i * c' + b_i)           input gate  (NIG: 1; CIFG: 1 - f)
    f = sigma(W_f x + R_f y' + p_f * c' + b_f)           forget gate (NFG: 1)
    c = f * c' + i * z                                   cell state
    o = sigma(W_o x + R_o y' + p_o * c + b_o)            output gate (NOG: 1)
    y = o * tanh(c)                                      block output (NOAF: o * c)
    FGR: a_{i,f,o} += R_g [i', f', o']                   (primes: step t-1)
    out = sigma(W_y y + b_y)                             7 sigmoid outputs

The cell is the family core's (shared/lstm_gers: forward ``run``, exact BPTT ``backprop``, step
Jacobians ``state_jacobians``, in its split layout); each variant is one of its switches (input
gate absent or coupled, forget or output gate absent, g or h the identity, peepholes off, gate
recurrence). Fused matrices keep the gate order i, f, z(=g), o and omit absent gates:
Wx (S, D, G), R (S, H, G), b (S, G) with G = (number of gates present) * H; peepholes P (S, n_peep,
H) in the order i, f, o of the gates present; FGR: Rg (S, 3H, 3H). S is the trial axis (every
trial of one variant trains at once), hidden sizes are padded to the largest with zero weights
(a padded unit stays exactly 0 and gets exactly zero gradient). Arrays are time-major:
x (T, S, B, D), states (S, B, H).

    python3 lstm_search_space_odyssey.py --seed 0              # headline random search
    python3 lstm_search_space_odyssey.py --setting catalog      # the earlier catalog's adding problem,
                                                                # in lstm_search_space_odyssey_catalog.py
    python3 lstm_search_space_odyssey.py --quick                # seconds; what the tests run
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401  (pins BLAS to one thread before numpy loads)

import math

import numpy as np

from shared import cli
from shared.ensemble import map_jobs, sum_outer
from shared.gradcheck import check_gradients
from shared.lstm_gers import lstm
from shared.lstm_gers.lstm import sigmoid
from shared.lyapunov import qr_spectrum
from shared.results import finish_run, record
from shared.rng import streams
from shared.stats import main_effects, welch_test

PAPER = ("K. Greff, R. K. Srivastava, J. Koutnik, B. R. Steunebrink and J. Schmidhuber, LSTM: A Search "
         "Space Odyssey, IEEE TNNLS 28(10):2222-2232, 2017 (arXiv 1503.04069)")
VARIANTS = ("V", "NIG", "NFG", "NOG", "NIAF", "NOAF", "NP", "CIFG", "FGR")

# the paper's search ranges (Sec. IV); hidden size scaled by 1/10, see README "Deviations"
PAPER_H_RANGE = (20, 200)
H_RANGE = (2, 20)
LR_RANGE = (1e-6, 1e-2)
ONE_MINUS_MOMENTUM_RANGE = (0.01, 1.0)
NOISE_RANGE = (0.0, 1.0)
CE_HALF = 7 * math.log(2.0)                                # cross-entropy of the constant output 0.5


# -------------------- Data: the continual embedded Reber grammar (Gers et al. 2000)
SYMBOLS = "BTPSXVE"
B_, T_, P_, S_, X_, V_, E_ = range(7)
# Reber grammar: node -> [(symbol, next node)]; node 5 is the exit (E follows)
REBER = {0: [(T_, 1), (P_, 2)], 1: [(S_, 1), (X_, 3)], 2: [(T_, 2), (V_, 4)],
         3: [(X_, 2), (S_, 5)], 4: [(P_, 3), (V_, 5)]}


def embedded_reber_string(rng):
    """One embedded Reber string B (T|P) B <Reber> E (T|P) E as symbol indices, with the legal-next
    sets (multi-hot, 7) after every symbol, and the index of the long-lag symbol (the second T/P)."""
    outer = T_ if rng.random() < 0.5 else P_
    sym = [B_, outer, B_]
    legal = [[T_, P_], [B_], [T_, P_]]
    node = 0
    while node != 5:
        options = REBER[node]
        s, node = options[rng.integers(len(options))]
        sym.append(s)
        legal.append([o for o, _ in REBER[node]] if node != 5 else [E_])
    sym.append(E_)                                           # inner E
    legal.append([outer])                                    # the long-lag prediction
    sym += [outer, E_]
    legal += [[E_], [B_]]                                    # after the final E the next string's B
    return sym, legal, len(sym) - 3                          # position of inner E (predicts T/P)


def reber_streams(rng, n_steps, n_streams):
    """Continual embedded Reber streams: strings concatenated without resets.

    Returns sym (n_steps, n_streams) int8, legal (n_steps, n_streams, 7) float32 (targets: the
    symbols allowed after sym[t]) and longlag (n_steps, n_streams) bool (steps whose prediction is
    the outer T/P that needs the long memory)."""
    sym = np.empty((n_steps, n_streams), np.int8)
    legal = np.zeros((n_steps, n_streams, 7), np.float32)
    longlag = np.zeros((n_steps, n_streams), bool)
    for b in range(n_streams):
        t = 0
        while t < n_steps:
            s, lg, k = embedded_reber_string(rng)
            n = min(len(s), n_steps - t)
            sym[t:t + n, b] = s[:n]
            for j in range(n):
                legal[t + j, b, lg[j]] = 1.0
            if k < n:
                longlag[t + k, b] = True
            t += n
    return sym, legal, longlag


def one_hot(sym, dtype=np.float32):
    return np.eye(7, dtype=dtype)[sym]


# -------------------- Model: the nine cells, each the family core's cell with one switch changed
class Cell:
    """One variant: which gates exist, peepholes, FGR, as switches of the family core's cell
    (shared/lstm_gers, split layout), with the random search's init and padding masks."""

    def __init__(self, variant, n_in, H, n_out):
        if variant not in VARIANTS:
            raise ValueError(f"unknown variant {variant!r}; choose from {VARIANTS}")
        self.variant, self.n_in, self.H, self.n_out = variant, n_in, H, n_out
        absent = {"NIG": "i", "CIFG": "i", "NFG": "f", "NOG": "o"}.get(variant, "")
        self.gates = [g for g in "ifgo" if g != absent]      # catalog order i, f, g(=z), o
        self.G = len(self.gates) * H
        self.peep = [] if variant == "NP" else [g for g in "ifo" if g in self.gates]
        self.fgr = variant == "FGR"
        self.n_state = (5 if self.fgr else 2) * H             # (c, y) and, for FGR, (i, f, o)
        squash = {"NIAF": lstm.IDENTITY_G, "NOAF": lstm.IDENTITY_H}.get(variant, lstm.TANH)
        self.core = lstm.Cell(n_in, H, forget=absent != "f", output_gate=absent != "o",
                              input_gate={"NIG": False, "CIFG": "coupled"}.get(variant, True),
                              peephole=variant != "NP", gate_recurrence=self.fgr, squash=squash, split=True)

    def n_weights(self, H=None):
        """Trainable weights of one net with H cells (biases and peepholes included)."""
        H = self.H if H is None else H
        G = len(self.gates) * H
        n = (self.n_in + H + 1) * G + len(self.peep) * H + (H + 1) * self.n_out
        return n + (9 * H * H if self.fgr else 0)

    def init(self, rng, S, sizes=None, scale=0.1, dtype=np.float32):
        """Weights U[-scale, scale], biases 0; units past each trial's size (sizes (S,)) are zero."""
        H, G = self.H, self.G
        u = lambda *shape: rng.uniform(-scale, scale, size=shape)   # noqa: E731
        p = {"Wx": u(S, self.n_in, G), "R": u(S, H, G), "b": np.zeros((S, G)),
             "Wy": u(S, H, self.n_out), "by": np.zeros((S, self.n_out))}
        if self.peep:
            p["P"] = u(S, len(self.peep), H)
        if self.fgr:
            p["Rg"] = u(S, 3 * H, 3 * H)
        if sizes is not None:
            for k, m in self.pad_masks(sizes).items():
                p[k] *= m
        return {k: v.astype(dtype) for k, v in p.items()}

    def pad_masks(self, sizes):
        """1 for the weights of each trial's own cells, 0 for the padding (sizes (S,))."""
        H = self.H
        live = (np.arange(H)[None, :] < np.asarray(sizes)[:, None]).astype(float)   # (S, H)
        gl = np.tile(live, (1, len(self.gates)))                                   # (S, G)
        m = {"Wx": gl[:, None, :], "R": live[:, :, None] * gl[:, None, :], "b": np.ones_like(gl),
             "Wy": live[:, :, None], "by": 1.0}
        if self.peep:
            m["P"] = live[:, None, :]
        if self.fgr:
            l3 = np.tile(live, (1, 3))
            m["Rg"] = l3[:, :, None] * l3[:, None, :]
        return m


def zero_state(cell, S, B, dtype=np.float32):
    """{c, y[, g]}: cell states, cell outputs and, for FGR, the gate activations i, f, o."""
    return lstm.zero_state(cell.core, S, B, dtype)


# -------------------- Loss: sigmoid outputs with cross-entropy on the legal next symbols
def bce_loss(p, Y, target):
    """Y (T, S, B, H), target (T, B, K) -> per-trial loss (S,) = mean over B of the sum over time and
    outputs of the cross-entropy; also dY and the output-layer gradients."""
    B = Y.shape[2]
    logit = np.matmul(Y, p["Wy"]) + p["by"][:, None, :]     # (T, S, B, K)
    tgt = target[:, None]
    loss = (np.logaddexp(0.0, logit) - tgt * logit).sum(axis=(0, 2, 3)) / B
    dlogit = (sigmoid(logit) - tgt) / B
    dY = np.matmul(dlogit, np.swapaxes(p["Wy"], 1, 2))
    return loss, dY, {"Wy": sum_outer(Y, dlogit), "by": dlogit.sum(axis=(0, 2))}


def loss_only(cell, p, x, state, target, loss_fn=bce_loss):
    """The summed per-trial loss, forward only (what the finite differences perturb)."""
    Y, _, _ = lstm.run(cell.core, p, x, state)
    return float(loss_fn(p, Y, target)[0].sum())


def loss_and_grads(cell, p, x, state, target, loss_fn=bce_loss):
    Y, final, cache = lstm.run(cell.core, p, x, state)
    loss, dY, gout = loss_fn(p, Y, target)
    g, dstate0 = lstm.backprop(cell.core, p, cache, dY)
    g.update(gout)
    return loss, g, final, dstate0


# -------------------- Random search: every trial of one variant trains at once (trial axis S)
def sample_hyperparameters(rng, n, h_range=H_RANGE):
    """The paper's four ranges (hidden size scaled, see H_RANGE)."""
    logu = lambda lo, hi: np.exp(rng.uniform(np.log(lo), np.log(hi), size=n))   # noqa: E731
    return {"hidden": np.round(logu(*h_range)).astype(int),
            "lr": logu(*LR_RANGE),
            "momentum": 1.0 - logu(*ONE_MINUS_MOMENTUM_RANGE),
            "noise": rng.uniform(*NOISE_RANGE, size=n)}


def evaluate_reber(cell, p, sym, legal, longlag, chunk=500):
    """Forward only from a zero state over test streams (T, B). Per trial: mean cross-entropy per
    symbol (nats, summed over the 7 outputs), fraction of symbols whose legal set is not exactly
    reproduced at threshold 0.5, the same at the long-lag T/P steps, and the mean |c| over time."""
    S = p["Wx"].shape[0]
    T, B = sym.shape
    st = zero_state(cell, S, B)
    ce, wrong, cnorm = np.zeros(S), np.zeros((S, T, B), bool), np.zeros((S, T))
    for t0 in range(0, T, chunk):
        x = np.broadcast_to(one_hot(sym[t0:t0 + chunk])[:, None], (min(chunk, T - t0), S, B, 7))
        Y, st, cache = lstm.run(cell.core, p, np.ascontiguousarray(x), st)
        logit = np.matmul(Y, p["Wy"]) + p["by"][:, None, :]
        tgt = legal[t0:t0 + chunk][:, None]
        ce += (np.logaddexp(0.0, logit) - tgt * logit).sum(axis=(0, 2, 3))
        wrong[:, t0:t0 + chunk] = np.any((logit > 0) != (tgt > 0.5), axis=-1).transpose(1, 0, 2)
        cnorm[:, t0:t0 + chunk] = np.abs(cache["s"][1:]).mean(axis=(2, 3)).T
    ll = longlag[None].repeat(S, 0)
    ce = ce / (T * B)
    # a net worse than the constant output 0.5 (7 ln 2 nats; e.g. NOAF trials whose unbounded
    # outputs blow up) is scored as that constant: a failed trial, not an outlier of 1e6 nats
    return {"ce": np.minimum(ce, CE_HALF), "ce_raw": ce, "err": wrong.mean(axis=(1, 2)),
            "err_longlag": (wrong & ll).sum(axis=(1, 2)) / max(1, longlag.sum()),
            "cnorm": cnorm}


def train_variant(job):
    """Train every trial of one variant on the shared continual streams (worker-process entry)."""
    v, hp, data, cfg, seed = job["variant"], job["hp"], job["data"], job["cfg"], job["seed"]
    rs = streams(seed, [f"{kind}_{u}" for u in VARIANTS for kind in ("init", "noise")])
    rng_init, rng_noise = rs[f"init_{v}"], rs[f"noise_{v}"]
    S = len(hp["lr"])
    H = int(hp["hidden"].max())
    cell = Cell(v, 7, H, 7)
    p = cell.init(rng_init, S, sizes=hp["hidden"])
    mom = {k: np.zeros_like(a) for k, a in p.items()}
    rg_mask = cell.pad_masks(hp["hidden"])["Rg"].astype(np.float32) if cell.fgr else None
    lr = hp["lr"].astype(np.float32)
    mu = hp["momentum"].astype(np.float32)
    sd = hp["noise"].astype(np.float32)
    alive = np.ones(S, bool)
    diverged_at = np.full(S, -1)
    sym, legal = data["train_sym"], data["train_legal"]
    Tseg, B = cfg["segment"], sym.shape[1]
    st = zero_state(cell, S, B)
    n_updates = cfg["updates"]
    ckpts = set(np.linspace(0, n_updates, cfg["n_ckpt"]).astype(int)[1:].tolist())
    val_curve, train_curve = [], np.zeros((n_updates, S), np.float32)
    val = data["val"]
    val_curve.append(evaluate_reber(cell, p, *val)["ce"])
    t_loop = cli.Timer()
    for u in range(n_updates):
        seg = slice(u * Tseg, (u + 1) * Tseg)
        x = one_hot(sym[seg])[:, None] + sd[None, :, None, None] * \
            rng_noise.standard_normal((Tseg, 1, B, 7), dtype=np.float32)      # (T, S, B, 7)
        with np.errstate(all="ignore"):
            loss, g, st, _ = loss_and_grads(cell, p, x, st, legal[seg])
            # SGD with classical momentum, one update per segment of the stream (truncated BPTT)
            for k in p:
                shp = (-1,) + (1,) * (p[k].ndim - 1)
                mom[k] = mu.reshape(shp) * mom[k] - lr.reshape(shp) * g[k]
                p[k] += mom[k]
            if cell.fgr:
                # a padded unit's gates sit at sigma(0) = 0.5, so R_g rows from padded gates get a
                # gradient; project it away so that each trial stays exactly its own h-cell net
                mom["Rg"] *= rg_mask
                p["Rg"] *= rg_mask
        train_curve[u] = np.where(alive, loss / Tseg, np.nan)
        bad = alive & ~(np.isfinite(loss) & np.all([np.all(np.isfinite(a.reshape(S, -1)), axis=1)
                                                      for a in p.values()], axis=0))
        bad |= alive & (np.abs(st["c"]).reshape(S, -1).max(axis=1) > 1e6)
        if bad.any():                     # a diverged trial is frozen at zero weights (outputs 0.5)
            alive &= ~bad
            diverged_at[bad] = u
            for k in p:
                p[k][bad] = 0.0
                mom[k][bad] = 0.0
            for k in st:
                st[k][bad] = 0.0
            lr[bad] = 0.0
        if u + 1 in ckpts:
            val_curve.append(evaluate_reber(cell, p, *val)["ce"])
            # one write per line: the variants train side by side in worker processes
            print(f"  {v:5s} update {u + 1:6d}  val CE median {np.median(val_curve[-1]):.4f}  "
                  f"alive {int(alive.sum())}/{S}  {cli.progress(u + 1, n_updates, t_loop())}\n",
                  end="", flush=True)
    test = evaluate_reber(cell, p, *data["test"])
    # Lyapunov spectra and state growth of the best trials (by test loss), all on the same input
    best = np.argsort(test["ce"])[:cfg["n_lyap"]]
    lyap = [trial_spectrum(cell, p, s, hp["hidden"][s], data["lyap_sym"], cfg) for s in best]
    return {"variant": v, "test_ce": test["ce"], "test_ce_raw": test["ce_raw"], "test_err": test["err"],
            "test_err_longlag": test["err_longlag"], "alive": alive, "diverged_at": diverged_at,
            "val_curve": np.array(val_curve), "train_curve": train_curve,
            "best": best, "lyap": lyap, "cnorm_best": test["cnorm"][best[0]],
            "n_weights": np.array([cell.n_weights(h) for h in hp["hidden"]])}


def select_trial(cell, p, s, h):
    """One trial's parameters cut to its own h cells (drops the zero padding)."""
    sub = Cell(cell.variant, cell.n_in, int(h), cell.n_out)
    idx_g = np.concatenate([np.arange(k * cell.H, k * cell.H + h) for k in range(len(cell.gates))])
    q = {"Wx": p["Wx"][s:s + 1][:, :, idx_g], "R": p["R"][s:s + 1][:, :h][:, :, idx_g],
         "b": p["b"][s:s + 1][:, idx_g], "Wy": p["Wy"][s:s + 1, :h], "by": p["by"][s:s + 1]}
    if cell.peep:
        q["P"] = p["P"][s:s + 1, :, :h]
    if cell.fgr:
        i3 = np.concatenate([np.arange(k * cell.H, k * cell.H + h) for k in range(3)])
        q["Rg"] = p["Rg"][s:s + 1][:, i3][:, :, i3]
    return sub, {k: np.ascontiguousarray(a, dtype=np.float64) for k, a in q.items()}


def trial_spectrum(cell, p, s, h, sym, cfg):
    """Top Lyapunov exponents of one trained trial along a test stream (float64, B = 1) and the
    mean |c| over a long run of the same stream (drift without forgetting)."""
    sub, q = select_trial(cell, p, s, h)
    x = one_hot(sym, np.float64)[:, None, None, :]          # (T, 1, 1, 7)
    _, _, cache = lstm.run(sub.core, q, x, zero_state(sub, 1, 1, np.float64))
    J = lstm.state_jacobians(sub.core, q, cache)[:, 0]                 # (T, n, n)
    k = min(cfg["lyap_k"], sub.n_state)
    lam = qr_spectrum(J, k=k, n_transient=cfg["lyap_transient"])
    return {"trial": int(s), "hidden": int(h), "exponents": lam,
            "cnorm": np.abs(cache["s"][1:, 0, 0]).mean(axis=-1)}


# -------------------- Statistics: Welch's t-test and the fANOVA-style main-effect split (shared.stats)
def search_statistics(res, hp, rng, top_frac):
    """Per-variant distributions, Welch tests of each variant against V on the top trials and on
    all trials, and the main-effect split (pooled and V alone)."""
    names = [r["variant"] for r in res]
    ce = {r["variant"]: r["test_ce"] for r in res}
    n = len(ce["V"])
    k = max(3, int(round(top_frac * n)))
    top = {v: np.sort(ce[v])[:k] for v in names}
    stats = {}
    for v in names:
        t_top, p_top = welch_test(top[v], top["V"])
        t_all, p_all = welch_test(ce[v], ce["V"])
        stats[v] = {"median": float(np.median(ce[v])), "best": float(ce[v].min()),
                    "top_mean": float(top[v].mean()), "top_sd": float(top[v].std(ddof=1)),
                    "t_top": t_top, "p_top": p_top, "t_all": t_all, "p_all": p_all}
    cols = ["log10 lr", "log10 hidden", "log10 (1 - momentum)", "input noise sd"]
    X = np.concatenate([np.stack([np.log10(hp[v]["lr"]), np.log10(hp[v]["hidden"]),
                                  np.log10(1.0 - hp[v]["momentum"]), hp[v]["noise"]], 1)
                        for v in names])
    y = np.concatenate([ce[v] for v in names])
    pooled, pooled_raw = main_effects(X, y, rng)
    only_v, _ = main_effects(X[:n], ce["V"], rng)
    return {"k_top": k, "per_variant": stats, "fanova_columns": cols,
            "fanova_pooled": dict(zip(cols, pooled.tolist(), strict=True)),
            "fanova_pooled_uncorrected": dict(zip(cols, pooled_raw.tolist(), strict=True)),
            "fanova_V": dict(zip(cols, only_v.tolist(), strict=True))}


# -------------------- Gradient checks (float64): every variant, then the catalog's loss
def gradient_checks(args=None):
    """Finite differences (Richardson); the spectra's step Jacobians are checked in the tests."""
    errs = {}
    rng = np.random.default_rng(7)
    T, S, B, H = 5, 2, 3, 3
    for v in VARIANTS:
        cell = Cell(v, 7, H, 7)
        p = cell.init(rng, S, scale=0.6, dtype=np.float64)
        p["b"] = rng.uniform(-0.5, 0.5, size=p["b"].shape)
        x = rng.standard_normal((T, S, B, 7))
        tgt = (rng.random((T, B, 7)) < 0.4).astype(float)
        st = {k: 0.5 * rng.standard_normal(a.shape) for k, a in zero_state(cell, S, B, np.float64).items()}
        if cell.fgr:
            st["g"] = rng.random(st["g"].shape)
        _, g, _, dst = loss_and_grads(cell, p, x, st, tgt)
        def loss(cell=cell, p=p, x=x, st=st, tgt=tgt):
            return loss_only(cell, p, x, st, tgt)
        for name, e in check_gradients(loss, p, g, eps=1e-3, richardson=True).items():
            errs[f"{v}.{name}"] = e
        for name, e in check_gradients(loss, st, dst, eps=1e-3, richardson=True).items():
            errs[f"{v}.state0_{name}"] = e
    errs.update(catalog_setting().gradient_checks(rng))      # the adding-problem loss, same rng
    return errs


# -------------------- Headline
HERE = pathlib.Path(__file__).resolve().parent


def catalog_setting():
    """lstm_search_space_odyssey_catalog.py beside this file (the earlier catalog's adding-problem
    run), imported only when that setting or its gradient check runs."""
    return cli.load_sibling(__file__, 'lstm_search_space_odyssey_catalog', globals())


def make_config(args):
    """The search's configuration; --quick shrinks the trials and updates the user did not set."""
    cli.quick(args, trials=3, updates=6)
    quick = args.quick
    return {"trials_per_variant": args.trials, "segment": 10 if quick else 50,
            "batch": 4 if quick else 8, "updates": args.updates,
            "n_ckpt": 3 if quick else 9, "val_steps": 100 if quick else 500,
            "test_steps": 200 if quick else 2000, "test_streams": 2 if quick else 8,
            "lyap_steps": 200 if quick else 1000, "lyap_transient": 50 if quick else 100,
            "lyap_k": 4, "n_lyap": 1 if quick else 3, "top_frac": 0.25,
            "hidden_range": list(H_RANGE), "paper_hidden_range": list(PAPER_H_RANGE),
            "lr_range": list(LR_RANGE), "one_minus_momentum_range": list(ONE_MINUS_MOMENTUM_RANGE),
            "noise_range": list(NOISE_RANGE), "init": "U[-0.1, 0.1], biases 0",
            "workers": args.workers}


def make_data(cfg, rs):
    """Training streams (shared by every trial), validation, test and Lyapunov streams."""
    tr_sym, tr_legal, _ = reber_streams(rs["data"], cfg["updates"] * cfg["segment"], cfg["batch"])
    return {"train_sym": tr_sym, "train_legal": tr_legal,
            "val": reber_streams(rs["eval"], cfg["val_steps"], cfg["test_streams"]),
            "test": reber_streams(rs["eval"], cfg["test_steps"], cfg["test_streams"]),
            "lyap_sym": reber_streams(rs["eval"], cfg["lyap_steps"], 1)[0][:, 0]}


def print_table(res, stats, lyap_summary):
    pv = stats["per_variant"]
    print(f"{'variant':8s} {'median':>8s} {'best':>8s} {'top-k mean':>10s} {'p(top) vs V':>12s} "
          f"{'p(all) vs V':>12s} {'diverged':>8s}")
    for r in res:
        s = pv[r["variant"]]
        print(f"{r['variant']:8s} {s['median']:8.4f} {s['best']:8.4f} {s['top_mean']:10.4f} "
              f"{s['p_top']:12.3g} {s['p_all']:12.3g} {int((~r['alive']).sum()):8d}")
    print("main effects (pooled):", {k: round(v, 3) for k, v in stats["fanova_pooled"].items()})
    for r in res:
        top, ls = np.round(r['lyap'][0]['exponents'], 3).tolist(), lyap_summary[r['variant']]
        print(f"  {r['variant']:5s} top exponents (best trial): {top}   mean|c| first/last 200 steps "
              f"{ls['cnorm_start']:.3f} / {ls['cnorm_end']:.3f}")


def search_metrics(res, stats, cfg, lyap_summary, n, timer):
    pv = stats["per_variant"]
    return {
        "per_variant": pv, "k_top": stats["k_top"], "top_frac": cfg["top_frac"],
        "fanova_pooled": stats["fanova_pooled"],
        "fanova_pooled_uncorrected": stats["fanova_pooled_uncorrected"],
        "fanova_V": stats["fanova_V"], "ce_constant_half": CE_HALF,
        "ranking_by_top_mean": sorted(VARIANTS, key=lambda v: pv[v]["top_mean"]),
        "n_diverged": {r["variant"]: int((~r["alive"]).sum()) for r in res},
        "n_capped": {r["variant"]: int((r["test_ce_raw"] >= CE_HALF).sum()) for r in res},
        "test_err_best": {r["variant"]: float(r["test_err"][r["best"][0]]) for r in res},
        "test_err_longlag_best": {r["variant"]: float(r["test_err_longlag"][r["best"][0]]) for r in res},
        "n_weights_at_20": {v: Cell(v, 7, 20, 7).n_weights() for v in VARIANTS},
        "lyapunov_summary": lyap_summary,
        "fraction_of_paper_trials": n / 200.0,
        "timing": {"wall_s": timer(), "nets": len(VARIANTS) * n}}


def lyapunov_record(cfg, lyap_summary):
    return {"method": ("QR on the analytic step Jacobians d(c, y[, i, f, o])_t / d(...)_(t-1) of the "
                       f"best {cfg['n_lyap']} trials per variant (by test loss), along one shared test "
                       f"stream of {cfg['lyap_steps']} steps from a zero state, {cfg['lyap_transient']} "
                       f"alignment steps, top {cfg['lyap_k']} exponents per step (natural log); "
                       "padded units excluded"),
            "exponents": {v: lyap_summary[v]["exponents_best"] for v in VARIANTS},
            "window": cfg["lyap_steps"], "n_sequences": 1, "alignment_steps": cfg["lyap_transient"]}


def search_arrays(res, hp):
    """What the figures need: hyperparameters, test scores and curves per variant and trial."""
    arrays = {"variants": np.array(VARIANTS)}
    for key in ("lr", "hidden", "momentum", "noise"):
        arrays[f"hp_{key}"] = np.stack([hp[v][key] for v in VARIANTS])
    for key in ("test_ce", "test_err", "test_err_longlag", "alive", "n_weights"):
        arrays[key] = np.stack([r[key] for r in res])
    arrays["val_curve"] = np.stack([r["val_curve"] for r in res])        # (V, n_ckpt, n)
    arrays["train_curve"] = np.stack([r["train_curve"] for r in res])    # (V, updates, n)
    arrays["cnorm_best"] = np.stack([r["cnorm_best"] for r in res])      # (V, test_steps)
    arrays["lyap_cnorm"] = np.stack([r["lyap"][0]["cnorm"] for r in res])
    arrays["lyap_exponents"] = np.stack([r["lyap"][0]["exponents"] for r in res])
    return arrays


def summarise_spectra(res):
    """Per variant: the best trial's exponents, the top exponent of each analysed trial, and the
    mean |c| over the first and last 200 steps of the Lyapunov stream."""
    summary = {}
    for r in res:
        ex = np.array([x["exponents"][0] for x in r["lyap"]])
        cn = r["lyap"][0]["cnorm"]
        summary[r["variant"]] = {
            "exponents_best": [float(e) for e in r["lyap"][0]["exponents"]],
            "top_exponent_mean": float(ex.mean()), "top_exponent_per_trial": ex.tolist(),
            "trials": [int(x["trial"]) for x in r["lyap"]],
            "cnorm_start": float(cn[:200].mean()), "cnorm_end": float(cn[-200:].mean())}
    return summary


def verdict_none_better(better):
    """The paper: no variant significantly beats V. At most partial on the substitute task."""
    return "partial" if not better else "no"


def verdict_worst_two(rank, worse):
    """The paper: NFG and NOAF hurt most (here: the two worst, or one and both significantly worse)."""
    hit = {"NFG", "NOAF"} & set(rank[:2])
    return "partial" if len(hit) == 2 or (len(hit) == 1 and {"NFG", "NOAF"} <= set(worse)) else "no"


def verdict_harmless(worse):
    """The paper: CIFG and NP cost nothing significant."""
    return "partial" if not ({"CIFG", "NP"} & set(worse)) else "no"


def verdict_lr_leads(lead):
    """The paper's fANOVA: the learning rate has the largest main effect."""
    return "partial" if lead == "log10 lr" else "no"


def headline_rows(stats, cfg):
    pv, k = stats["per_variant"], stats["k_top"]
    others = [v for v in VARIANTS if v != "V"]
    better = [v for v in others if pv[v]["p_top"] < 0.05 and pv[v]["top_mean"] < pv["V"]["top_mean"]]
    worse = [v for v in others if pv[v]["p_top"] < 0.05 and pv[v]["top_mean"] > pv["V"]["top_mean"]]
    rank = sorted(others, key=lambda v: -pv[v]["top_mean"])     # worst first
    fan = stats["fanova_pooled"]
    sub = "substitute task (continual embedded Reber), capped search; a claim that holds here is partial"
    return [
        {"name": "variants significantly better than V (Welch, top trials)",
         "value": ", ".join(better) or "none", "paper_value": "none",
         "verdict": verdict_none_better(better),
         "note": f"top {k} of {cfg['trials_per_variant']} trials per variant, p < 0.05; {sub}"},
        {"name": "the two variants that hurt most (mean test loss of top trials)",
         "value": ", ".join(rank[:2]), "paper_value": "NFG, NOAF",
         "verdict": verdict_worst_two(rank, worse),
         "note": f"worst first: {', '.join(rank[:4])}; significantly worse than V: "
                 f"{', '.join(worse) or 'none'}"},
        {"name": "CIFG and NP cost nothing significant (p of top trials vs V)",
         "value": f"CIFG p={pv['CIFG']['p_top']:.2g}, NP p={pv['NP']['p_top']:.2g}",
         "paper_value": "not significant",
         "verdict": verdict_harmless(worse),
         "note": f"mean top-trial loss V {pv['V']['top_mean']:.3f}, CIFG {pv['CIFG']['top_mean']:.3f}, "
                 f"NP {pv['NP']['top_mean']:.3f} nats/symbol"},
        {"name": "learning rate has the largest main effect (share of variance)",
         "value": round(fan["log10 lr"], 3), "paper_value": "largest of the four",
         "verdict": verdict_lr_leads(max(fan, key=fan.get)),
         "note": "main effects: " + ", ".join(f"{c} {fan[c]:.2f}" for c in fan)
                 + "; binned fANOVA-style split, all variants pooled"},
    ]


def run_search(args, timer):
    cfg = make_config(args)
    rs = streams(args.seed, ["search", "data", "eval", "stats"])
    n = cfg["trials_per_variant"]
    hp = {v: sample_hyperparameters(rs["search"], n) for v in VARIANTS}
    data = make_data(cfg, rs)
    print(f"random search on the continual embedded Reber stream: {len(VARIANTS)} variants x {n} trials, "
          f"{cfg['updates']} updates of {cfg['segment']} steps x {cfg['batch']} streams "
          f"({cfg['updates'] * cfg['segment']} symbols per stream), SGD + momentum")
    jobs = [{"variant": v, "hp": hp[v], "data": data, "cfg": cfg, "seed": args.seed} for v in VARIANTS]
    res = map_jobs(train_variant, jobs, workers=args.workers)
    print(f"trained {len(VARIANTS) * n} nets in {timer():.1f}s")
    stats = search_statistics(res, hp, rs["stats"], cfg["top_frac"])
    lyap_summary = summarise_spectra(res)
    print_table(res, stats, lyap_summary)
    rec = record(args, __file__, title="LSTM: A Search Space Odyssey", paper=PAPER,
                 config={**cfg, "n_seeds": len(VARIANTS) * n, "variants": list(VARIANTS)},
                 metrics=search_metrics(res, stats, cfg, lyap_summary, n, timer),
                 headline=headline_rows(stats, cfg), lyapunov=lyapunov_record(cfg, lyap_summary))
    finish_run(args.out, rec, search_arrays(res, hp), timer)


def main(args):
    timer = cli.Timer()
    if args.setting == "catalog":
        return catalog_setting().run(args, timer)
    return run_search(args, timer)


def build_parser():
    parser = cli.make_parser(__doc__, __file__, settings={
        "paper": "random search over the nine cells on the continual embedded Reber stream (headline)",
        "catalog": "the earlier catalog's run: adding problem T=50, 8 cells, Adam, 3 seeds"})
    parser.add_argument("--trials", type=cli.int_range(3, 200), default=40,
                        help="random-search trials per variant (the paper: 200; at least 3, the number "
                             "of top trials the Welch tests compare)")
    parser.add_argument("--updates", type=cli.int_range(1, 5000), default=300,
                        help="momentum-SGD updates per trial (segments of 50 steps x 8 streams)")
    parser.add_argument("--workers", type=cli.int_range(1, 32), default=2,
                        help="worker processes (variants are spread over them)")
    # the stub's own flags each setting reads (any other given flag is refused in one line)
    cli.setting_flags(parser, {
        "paper": ["trials", "updates", "workers"],
        "catalog": ["workers"]})
    return parser


if __name__ == "__main__":
    cli.run(main, build_parser(), gradcheck=gradient_checks)
