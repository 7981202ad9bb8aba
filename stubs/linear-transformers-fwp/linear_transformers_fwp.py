"""Associative retrieval with fast weights: sum rule vs delta rule (Schlag, Irie & Schmidhuber 2021).

I. Schlag, K. Irie, J. Schmidhuber, "Linear Transformers Are Secretly Fast Weight Programmers",
ICML 2021 (arXiv:2102.11174), the synthetic retrieval experiments. A sequence of key -> value
token pairs is written one pair per step into a fast-weight memory; then one key is queried and
the memory must return its value. Setting 1 (capacity): N distinct keys, sequence length N.
Setting 2 (updates): length 2N, keys and values drawn with replacement, and the query asks for
the value the key had last. N keys, N values; values are fixed one-hot vectors, keys have a
learned embedding E (e = int(2.2 N) dims). The slow net is linear:

    x_t = [onehot(v_t), E[k_t]]      k_t = W_k x_t + b_k (d dims)      q = W_q E[query] + b_q
    beta_t = sigmoid(w_b . x_t + b_b)                                    (delta rule only)

and the fast weights are programmed with the sum rule (linear attention) or the delta rule,
with the feature map "linear" (elu + 1) or "dpfp" (nu = 1), by the family core
``shared/fast_weights/linear_attention.py``. Loss 1/2 ||y - onehot(value)||^2, Adam (lr 1e-3,
batch 32); every 100 steps the loss on 20 fresh sequences, each queried on all its keys; a net
stops at loss <= 0.001 or after 11 evaluations without a new best (the authors' code). Every
configuration trains --n-seeds nets at once (own init and data each). The key dimension is
d = 16, not the paper's 64, and each N is the paper's divided by 4; six configurations also
run at d = 64 and the paper's own N to measure what the reduction costs. The fast-weight
matrix's Lyapunov exponents along task streams close the run.

    python3 linear_transformers_fwp.py --seed 0      # headline (resumable: a hidden checkpoint
                                                     # folder beside the results keeps each
                                                     # finished configuration)
    python3 linear_transformers_fwp.py --quick       # smoke test, seconds
"""
import os
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401  (pins BLAS to one thread before numpy loads)

import numpy as np

from shared import cli
from shared.checkpoint import Checkpoint
from shared.fast_weights import linear_attention as la
from shared.optim import Adam
from shared.results import finish_run, headline_row, record
from shared.rng import streams

PAPER = ("I. Schlag, K. Irie, J. Schmidhuber, Linear Transformers Are Secretly Fast Weight "
         "Programmers, ICML 2021 (arXiv:2102.11174)")
SCALE = 4                      # the paper's d = 64 and its N over this stub's d = 16 and N
PAPER_D = 64
# the paper's final evaluation losses, read in the authors' logs of the synthetic experiments
# (one run per point at d = 64; N there = SCALE x N here)
PAPER_LOSS = {"s1/linear/sum": {20: 0.00089, 40: 0.00083, 60: 0.0246, 80: 0.110, 100: 0.171, 120: 0.232,
                                160: 0.301},
              "s1/dpfp/sum": {20: 0.00078, 40: 0.00027, 60: 0.00043, 80: 0.00017, 100: 0.00021,
                              120: 0.0086, 140: 0.053, 160: 0.102},
              "s2/dpfp/sum": {20: 0.105, 40: 0.114, 60: 0.115, 100: 0.116, 200: 0.238},
              "s2/dpfp/delta": {20: 0.00077, 40: 0.00097, 60: 0.0061, 80: 0.0106, 100: 0.000086,
                                120: 0.0183, 140: 0.049, 200: 0.185}}
PAPER_FIRST_FAIL = {"linear": 60, "dpfp": 120}    # the paper's smallest N not solved, setting 1
DEFAULTS = dict(d_key=16, n_seeds=3, batch=32, lr=1e-3, eval_every=100, eval_seqs=20, stop_loss=1e-3,
                patience=10, max_steps=20_000, s1_max_n=40, s2_max_n=30, n_step=5, lyap_steps=400,
                lyap_transient=50, lyap_streams=8, paper_size="on")
QUICK = dict(n_seeds=2, max_steps=200, s1_max_n=5, s2_max_n=5, lyap_steps=40, lyap_transient=5,
             lyap_streams=2, eval_seqs=4, paper_size="off")
# run at the paper's d = 64 and N: (setting, feature map, rule, N); the last two ask whether
# DPFP-1's stuck nets in setting 1 and the delta rule's shortfall at N = 15 (d = 16) are small-d effects
PAPER_POINTS = (("s1", "linear", "sum", 40), ("s1", "linear", "sum", 60), ("s2", "dpfp", "sum", 20),
                ("s2", "dpfp", "delta", 20), ("s1", "dpfp", "sum", 40), ("s2", "dpfp", "delta", 60))


# ---------------------------------------------------------------- data

def sequences(rng, T_len, S, B, N, replace):
    """Keys and values (T, S, B) in [0, N): setting 1 (replace False) a permutation of the N keys
    and of the N values (T = N); setting 2 uniform with replacement (T = T_len)."""
    if replace:
        return rng.integers(0, N, (T_len, S, B)), rng.integers(0, N, (T_len, S, B))
    return np.argsort(rng.random((N, S, B)), axis=0), np.argsort(rng.random((N, S, B)), axis=0)


def last_value(k, v, q):
    """The value each queried key was given last: k, v (T, ...), q (Q, ...) -> (Q, ...), and
    whether the key occurs at all (Q, ...)."""
    hit = k[None] == q[:, None]                                  # (Q, T, ...)
    T = k.shape[0]
    last = T - 1 - np.argmax(hit[:, ::-1], axis=1)               # (Q, ...)
    return np.take_along_axis(v, last, axis=0), hit.any(1)


def batch(rng, S, B, N, replace):
    """A training batch: keys and values (T, S, B), one query per sequence (a key drawn from the
    sequence, so uniform over its positions, as the authors' code) and its target value (S, B)."""
    k, v = sequences(rng, 2 * N, S, B, N, replace)
    q = np.take_along_axis(k, rng.integers(0, k.shape[0], (1, S, B)), axis=0)
    return k, v, q[0], last_value(k, v, q)[0][0]


# ---------------------------------------------------------------- model: the slow net

def emb_dim(N):
    return int(2 * N * 1.1)          # the authors' code: 1.1 times the number of keys and values


def init_params(rng, S, N, d, rule):
    """Per-seed parameters (S, ...). E ~ N(0, 1) and W_k, W_q ~ U(-1/sqrt(d), 1/sqrt(d)) as in the
    authors' code; the biases and w_b ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (PyTorch's default)."""
    e = emb_dim(N)
    u = lambda a, shape: rng.uniform(-a, a, shape)       # noqa: E731
    p = dict(E=rng.standard_normal((S, N, e)), Wk=u(d ** -0.5, (S, d, N + e)), bk=u((N + e) ** -0.5, (S, d)),
             Wq=u(d ** -0.5, (S, d, e)), bq=u(e ** -0.5, (S, d)))
    if rule == "delta":
        p.update(wb=u((N + e) ** -0.5, (S, N + e)), bb=u((N + e) ** -0.5, (S,)))
    return p


def one_hot(idx, N, dtype=np.float64):
    return (idx[..., None] == np.arange(N)).astype(dtype)


def _seeds(S, ndim, axis):
    """arange(S) shaped to index axis ``axis`` of an ndim-dimensional index array."""
    shape = [1] * ndim
    shape[axis] = S
    return np.arange(S).reshape(shape)


def gather(M, idx, axis):
    """Rows idx of a per-seed table M (S, N, m): idx has its seed axis at ``axis``; -> idx.shape + (m,)."""
    return M[_seeds(M.shape[0], idx.ndim, axis), idx]


def scatter(idx, G, N, axis):
    """The adjoint of ``gather``: the rows G (idx.shape + (m,)) summed into their tokens' rows (S, N, m)."""
    S, m = idx.shape[axis], G.shape[-1]
    flat = (_seeds(S, idx.ndim, axis) * N + idx).ravel()
    G = G.reshape(-1, m)
    return np.stack([np.bincount(flat, weights=G[:, j], minlength=S * N) for j in range(m)], -1) \
        .reshape(S, N, m)


def slow_net(p, k, v, rule):
    """Keys K (T, S, B, d) and write strengths beta (T, S, B) (delta rule, else None) of token
    sequences k, v (T, S, B). k_t = W_k x_t + b_k with x_t = [onehot(v_t), E[k_t]] is column v_t of
    W_k's value half plus row k_t of P = E Ae^T (Ae: W_k's key half): two gathers."""
    N = p["E"].shape[1]
    Pk = p["E"] @ np.swapaxes(p["Wk"][..., N:], 1, 2)            # every key token's term (S, N, d)
    K = gather(np.swapaxes(p["Wk"][..., :N], 1, 2), v, 1) + gather(Pk, k, 1) + p["bk"][:, None]
    if rule == "sum":
        return K, None
    Pb = p["E"] @ p["wb"][:, N:, None]                           # (S, N, 1)
    z = gather(p["wb"][:, :N, None], v, 1)[..., 0] + gather(Pb, k, 1)[..., 0] + p["bb"][:, None]
    return K, 1.0 / (1.0 + np.exp(-z))


def queries(p):
    """Every key token's query q = W_q E[key] + b_q (S, N, d)."""
    return p["E"] @ np.swapaxes(p["Wq"], 1, 2) + p["bq"][:, None]


def forward(p, k, v, q, tgt, fmap, rule, impl="parallel"):
    """Loss per seed (S,), the cache, and the read-outs y (S, B, N). k, v (T, S, B), q, tgt (S, B).
    ``impl``: the delta rule in closed form ("parallel", used for training) or by the recurrence
    over the fast-weight matrices W_t ("recurrent", the paper's equations); tested to agree."""
    N = p["E"].shape[1]
    dt = p["E"].dtype                          # float64; np.longdouble in the gradient check
    V = one_hot(v, N, dt)                                        # the value vectors (T, S, B, N)
    K, beta = slow_net(p, k, v, rule)                            # (T, S, B, d), (T, S, B)
    F, cF = la.phi_forward(K, fmap)
    fq, cq = la.phi_forward(gather(queries(p), q, 0), fmap)      # (S, B, p)
    c = dict(k=k, v=v, q=q, cF=cF, cq=cq, beta=beta, impl=impl)
    if rule == "sum":
        y, c["read"] = la.attention_read(V, F, fq)
    elif impl == "parallel":
        y, c["read"] = la.delta_attention_read(V, F, beta, fq)
    else:
        W, c["write"] = la.delta_write(V, F, beta)
        y, c["read"] = la.delta_read(W, fq)
    err = y - one_hot(tgt, N, dt)
    c["err"] = err
    return 0.5 * (err ** 2).sum(-1).mean(-1), c, y


def backward(p, c, rule):
    """Gradients of the summed per-seed losses, keyed like ``p`` (the values are fixed one-hot
    vectors, so no gradient is formed for them)."""
    S, B, N = c["err"].shape
    dy = c["err"] / B
    g = {}
    if rule == "sum":
        _, dF, dfq = la.attention_read_backward(dy, c["read"], values=False)
    elif c["impl"] == "parallel":
        _, dF, dbeta, dfq = la.delta_attention_read_backward(dy, c["read"], values=False)
    else:
        dW, dfq = la.delta_read_backward(dy, c["read"])
        _, dF, dbeta, _ = la.delta_write_backward(dW, c["write"])
    dK = la.phi_backward(dF, c["cF"])                            # (T, S, B, d)
    dQ = la.phi_backward(dfq, c["cq"])                           # (S, B, d)
    # K = gather(Av^T, v) + gather(P, k) + b_k,  P = E Ae^T
    dPk = scatter(c["k"], dK, N, 1)                              # (S, N, d)
    g["Wk"] = np.concatenate([np.swapaxes(scatter(c["v"], dK, N, 1), 1, 2),
                              np.swapaxes(dPk, 1, 2) @ p["E"]], axis=2)
    g["bk"] = dK.sum((0, 2))
    # q = gather(E Wq^T, query) + b_q
    dPq = scatter(c["q"], dQ, N, 0)                              # (S, N, d)
    g["Wq"] = np.swapaxes(dPq, 1, 2) @ p["E"]
    g["bq"] = dQ.sum(1)
    g["E"] = dPk @ p["Wk"][..., N:] + dPq @ p["Wq"]
    if rule == "delta":
        # beta = sigmoid(gather(w_b's value half, v) + gather(E w_b's key half, k) + b_b)
        dz = (dbeta * c["beta"] * (1.0 - c["beta"]))[..., None]  # (T, S, B, 1)
        dPb = scatter(c["k"], dz, N, 1)                          # (S, N, 1)
        g["wb"] = np.concatenate([scatter(c["v"], dz, N, 1)[..., 0],
                                  (np.swapaxes(dPb, 1, 2) @ p["E"])[:, 0]], axis=1)
        g["bb"] = dz.sum((0, 2, 3))
        g["E"] += dPb * p["wb"][:, None, N:]
    return g


# ---------------------------------------------------------------- evaluation

def memories(p, k, v, fmap, rule):
    """The fast weights after whole sequences k, v (T, S, M), by the recurrence: W (S, M, N, p),
    the sum rule's normaliser z (S, M, p) (None for the delta rule), every step's features
    F (T, S, M, p) and write strengths beta (T, S, M) (None for the sum rule)."""
    K, beta = slow_net(p, k, v, rule)
    F = la.phi_forward(K, fmap)[0]
    V = one_hot(v, p["E"].shape[1])
    if rule == "sum":
        return (*la.sum_memory(V, F), F, None)
    return la.delta_write(V, F, beta)[0], None, F, beta


def evaluate(p, rng, n_seqs, N, T_eval, replace, fmap, rule):
    """The authors' test: n_seqs fresh sequences of T_eval pairs, each queried on every key it
    holds (for the value it was given last); the memory is written once per sequence and read once
    per query. Per seed: the loss (mean over sequences of the mean over their queries) and the
    share of queries whose largest read-out is the right value."""
    S = p["E"].shape[0]
    k, v = sequences(rng, T_eval, S, n_seqs, N, replace)
    qs = np.broadcast_to(np.arange(N)[:, None, None], (N, S, n_seqs))
    tgt, present = last_value(k, v, qs)                          # (N, S, M)
    W, z, _, _ = memories(p, k, v, fmap, rule)
    fq = la.phi_forward(queries(p), fmap)[0]                     # (S, N, p)
    fq = np.broadcast_to(fq[:, None], (S, n_seqs) + fq.shape[1:])
    y = la.sum_read(W, z, fq) if rule == "sum" else la.delta_read(W, fq)[0]      # (S, M, N, N)
    tgt, present = np.moveaxis(tgt, 0, -1), np.moveaxis(present, 0, -1)         # (S, M, N)
    per_q = 0.5 * ((y - one_hot(tgt, N)) ** 2).sum(-1)
    loss = ((per_q * present).sum(-1) / present.sum(-1)).mean(-1)
    acc = ((y.argmax(-1) == tgt) & present).sum((1, 2)) / present.sum((1, 2))
    return loss, acc


# ---------------------------------------------------------------- training

def train(cfg, rs, N, d, setting, fmap, rule):
    """S nets of one configuration, trained together until each stops by the authors' rule (eval
    loss <= stop_loss, or patience + 1 evaluations without a new best) or at max_steps. A net that
    stops leaves the batch; every net keeps its own data (all S batches are drawn every step).
    Returns per net the final eval loss and accuracy, steps, how it stopped, its parameters at the
    stop, and the eval curve; setting 2 also its loss on sequences of the training length 2N."""
    S, replace = cfg["n_seeds"], setting == "s2"
    p = init_params(rs["init"], S, N, d, rule)
    opt = Adam(p, lr=cfg["lr"])
    alive = np.arange(S)
    curve = np.full((-(-cfg["max_steps"] // cfg["eval_every"]), S), np.nan)
    best, strikes = np.full(S, np.inf), np.zeros(S, int)
    out = dict(loss=np.zeros(S), acc=np.zeros(S), steps=np.zeros(S, int), how=[""] * S,
               params={key: np.zeros_like(val) for key, val in p.items()}, curve=curve)
    for step in range(1, cfg["max_steps"] + 1):
        k, v, q, tgt = batch(rs["train"], S, cfg["batch"], N, replace)
        k, v, q, tgt = k[:, alive], v[:, alive], q[alive], tgt[alive]
        _, c, _ = forward(opt.params, k, v, q, tgt, fmap, rule)
        grads = backward(opt.params, c, rule)
        cli.check_finite(step, **grads)
        opt.step(grads)
        if step % cfg["eval_every"] and step < cfg["max_steps"]:
            continue
        full = {key: np.zeros((S,) + val.shape[1:]) for key, val in opt.params.items()}
        for key, val in opt.params.items():
            full[key][alive] = val
        # every net sees the same evaluation sequences, whether or not the others still train
        loss, acc = evaluate(full, rs["eval"], cfg["eval_seqs"], N, N, replace, fmap, rule)
        curve[(step - 1) // cfg["eval_every"], alive] = loss[alive]
        improved = loss[alive] < best[alive]
        best[alive] = np.where(improved, loss[alive], best[alive])
        strikes[alive] = np.where(improved, 0, strikes[alive] + 1)
        solved = loss[alive] <= cfg["stop_loss"]
        done = solved | (strikes[alive] > cfg["patience"]) | (step == cfg["max_steps"])
        for j in np.flatnonzero(done):
            m = alive[j]
            out["loss"][m], out["acc"][m], out["steps"][m] = loss[m], acc[m], step
            out["how"][m] = "solved" if solved[j] else ("patience" if strikes[m] > cfg["patience"] else "cap")
            for key in p:
                out["params"][key][m] = opt.params[key][j]
        if done.any():
            alive, keep = alive[~done], ~done
            if not alive.size:
                break
            opt.params = {key: val[keep].copy() for key, val in opt.params.items()}
            opt.m = {key: val[keep] for key, val in opt.m.items()}
            opt.v = {key: val[keep] for key, val in opt.v.items()}
    if replace:             # the authors' test uses sequences of length N; training ones are 2N
        out["loss_2n"], out["acc_2n"] = evaluate(out["params"], rs["eval"], cfg["eval_seqs"], N, 2 * N,
                                                 True, fmap, rule)
    return out


# ---------------------------------------------------------------- summaries and verdicts

def configs(cfg):
    """(label, setting, feature map, rule, N, d) of every configuration: the two grids at d_key,
    then the paper-size points at d = 64."""
    st = cfg["n_step"]
    out = [(f"s1/{fm}/sum/N{N}", "s1", fm, "sum", N, cfg["d_key"])
           for fm in ("linear", "dpfp") for N in range(st, cfg["s1_max_n"] + 1, st)]
    out += [(f"s2/dpfp/{r}/N{N}", "s2", "dpfp", r, N, cfg["d_key"])
            for r in ("sum", "delta") for N in range(st, cfg["s2_max_n"] + 1, st)]
    if cfg["paper_size"]:
        out += [(f"{s}/{fm}/{r}/N{N}/d{PAPER_D}", s, fm, r, N, PAPER_D) for s, fm, r, N in PAPER_POINTS]
    return out


def curve_of(R, family):
    """N -> median final loss over the seeds, for a family such as "s1/linear/sum" at d_key."""
    return {int(lab.split("/N")[1]): float(np.median(r["loss"])) for lab, r in R.items()
            if lab.startswith(family + "/N") and "/d" not in lab.split("/N")[1]}


def first_failure(curve, stop):
    """Smallest N whose median final loss misses the stop criterion (None if every N meets it),
    and whether every larger N misses it too."""
    bad = sorted(N for N, x in curve.items() if x > stop)
    if not bad:
        return None, True
    return bad[0], all(curve[N] > stop for N in curve if N >= bad[0])


def verdict_capacity(first, monotone, paper_first, step, max_n):
    """yes: the first N the sum rule fails lies within one grid step of the paper's (scaled) and
    every larger N fails too; partial: it lies within a factor 2 of it; no: it fails already at
    the smallest N or much later (open if the grid ends before twice the paper's point)."""
    target = paper_first / SCALE
    if first is None:
        return "open" if max_n < 2 * target else "no"
    if abs(first - target) <= step and monotone:
        return "yes"
    return "partial" if target / 2 <= first <= 2 * target else "no"


def verdict_updates(sum_curve, delta_curve, max_paper_n):
    """Setting 2 up to the paper's largest N with delta loss <= 0.011 (N = 100 there): yes when at
    every such N the sum rule misses 0.01 and the delta rule reaches 0.011 (the paper's worst delta
    loss up to N = 100) with under a fifth of the sum rule's loss; partial when the delta rule is
    only below the sum rule everywhere; no when it is not below at some N."""
    Ns = [N for N in sorted(delta_curve) if N * SCALE <= max_paper_n and N in sum_curve]
    if not Ns:
        return "open"
    if any(delta_curve[N] >= sum_curve[N] for N in Ns):
        return "no"
    if all(sum_curve[N] > 0.01 and delta_curve[N] <= 0.011 and delta_curve[N] < sum_curve[N] / 5 for N in Ns):
        return "yes"
    return "partial"


def fmt(x):
    return f"{x:.2g}" if x < 0.01 else f"{x:.3f}"


def paper_curve_text(family, Ns):
    pc = PAPER_LOSS[family]
    return ", ".join(f"{fmt(pc[N * SCALE])} at {N * SCALE}" for N in Ns if N * SCALE in pc)


def headline_rows(R, cfg):
    rows, stop, st = [], cfg["stop_loss"], cfg["n_step"]
    for fm, name, pdim in (("linear", "linear attention (elu + 1)", 1), ("dpfp", "DPFP-1", 2)):
        cur = curve_of(R, f"s1/{fm}/sum")
        first, mono = first_failure(cur, stop)
        v = verdict_capacity(first, mono, PAPER_FIRST_FAIL[fm], st, cfg["s1_max_n"])
        dd = pdim * cfg["d_key"]
        solved = max([N for N in cur if N < (first or 10 ** 9)], default=0)
        value = (f"solved up to N = {solved}; fails from N = {first} ({first / dd:.2f} d_dot)" if first
                 else f"solved at every N up to {max(cur)}")
        rows.append(headline_row(
            f"Setting 1 (capacity), sum rule, {name}: the first N not solved (d_dot = {dd} here)", value,
            f"solved up to N = {PAPER_FIRST_FAIL[fm] - (20 if fm == 'linear' else 20)}; fails from "
            f"N = {PAPER_FIRST_FAIL[fm]} ({PAPER_FIRST_FAIL[fm] / (pdim * PAPER_D):.2f} d_dot, "
            f"d_dot = {pdim * PAPER_D})", v,
            "median final loss over seeds per N: "
            + ", ".join(f"{fmt(x)} at {N}" for N, x in sorted(cur.items()))
            + f"; paper (N x {SCALE}): " + paper_curve_text(f"s1/{fm}/sum", sorted(cur))
            + f"; solved = final eval loss <= {stop}",
            numbers=[{"value": solved}, {"value": first or 0}]))
    s_cur, d_cur = curve_of(R, "s2/dpfp/sum"), curve_of(R, "s2/dpfp/delta")
    Ns = sorted(d_cur)
    rows.append(headline_row(
        "Setting 2 (updates), DPFP-1: final loss, sum rule vs delta rule",
        "sum " + ", ".join(fmt(s_cur[N]) for N in Ns) + "; delta " + ", ".join(fmt(d_cur[N]) for N in Ns)
        + f" (N = {', '.join(map(str, Ns))})",
        "sum 0.105-0.116 (N = 20-100); delta <= 0.011 up to N = 100, 0.018 at 120",
        verdict_updates(s_cur, d_cur, 100),
        "median over seeds; paper (N x 4): sum " + paper_curve_text("s2/dpfp/sum", Ns) + "; delta "
        + paper_curve_text("s2/dpfp/delta", Ns) + "; the loss of the authors' test (sequences of length N)",
        numbers=[{"value": s_cur[N]} for N in Ns] + [{"value": d_cur[N]} for N in Ns]))
    if cfg["paper_size"]:
        a, b = (float(np.median(R[f"s1/linear/sum/N{N}/d64"]["loss"])) for N in (40, 60))
        v = "yes" if a <= stop < b else ("partial" if a < b else "no")
        rows.append(headline_row(
            "At the paper's size (d = 64), Setting 1, linear attention: final loss at N = 40 and N = 60",
            f"{fmt(a)} and {fmt(b)}", "0.00083 and 0.0246", v,
            f"median over seeds; the reduced setting's counterpart is N = 10 and 15 at d = 16: "
            f"{fmt(curve_of(R, 's1/linear/sum').get(10, np.nan))} and "
            f"{fmt(curve_of(R, 's1/linear/sum').get(15, np.nan))}", numbers=[{"value": a}, {"value": b}]))
        s, dl = (float(np.median(R[f"s2/dpfp/{r}/N20/d64"]["loss"])) for r in ("sum", "delta"))
        d60 = float(np.median(R["s2/dpfp/delta/N60/d64"]["loss"]))
        v = "yes" if dl <= stop and s > 0.01 and d60 <= 0.011 else ("partial" if dl < s / 5 else "no")
        rows.append(headline_row(
            "At the paper's size (d = 64), Setting 2, DPFP-1: final loss, sum rule vs delta rule at N = 20; "
            "delta rule at N = 60", f"sum {fmt(s)}, delta {fmt(dl)}; delta {fmt(d60)} at N = 60",
            "sum 0.105, delta 0.00077; delta 0.0061 at N = 60", v,
            f"median over seeds; the reduced setting's counterparts (d = 16): N = 5, sum "
            f"{fmt(s_cur.get(5, np.nan))}, delta {fmt(d_cur.get(5, np.nan))}; N = 15, delta "
            f"{fmt(d_cur.get(15, np.nan))}",
            numbers=[{"value": s}, {"value": dl}, {"value": d60}]))
    return rows


# ---------------------------------------------------------------- main

def checkpoint_for(out, seed, label, fp, quick):
    """One checkpoint file per configuration, in a hidden folder beside the results (none for
    --quick): a finished configuration is kept, so an interrupted headline resumes after it."""
    if quick:
        return Checkpoint(None, 1, None)
    stem = os.path.splitext(os.path.basename(out))[0]
    folder = os.path.join(os.path.dirname(os.path.abspath(out)), f".{stem}-seed{seed}.checkpoint")
    return Checkpoint(os.path.join(folder, label.replace("/", "_") + ".pkl"), 1, fp)


def run_configs(args, cfg):
    """Train every configuration (resuming finished ones from the checkpoint) and take the
    fingerprints of its nets; results keyed by label."""
    R, timer = {}, cli.Timer()
    dyn = dynamics()
    todo = configs(cfg)
    names = [f"{lab}/{s}" for lab, *_ in todo for s in ("init", "train", "eval", "lyap")]
    rs_all = streams(args.seed, names)
    for i, (lab, setting, fmap, rule, N, d) in enumerate(todo):
        rs = {s: rs_all[f"{lab}/{s}"] for s in ("init", "train", "eval", "lyap")}
        ck = checkpoint_for(args.out, args.seed, lab, {"cfg": cfg, "seed": args.seed, "label": lab},
                            args.quick)
        held = {"out": {}}
        ck.restore(held)
        if not ck.final:
            c0 = time.process_time()
            out = train(cfg, rs, N, d, setting, fmap, rule)
            if setting == "s2":
                out["lyap"], out["beta_mean"], out["kt2_mean"] = dyn.fingerprint(out["params"], rs["lyap"], N,
                                                                                 fmap, rule, cfg)
            out["cpu_s"] = time.process_time() - c0
            held["out"] = out
            ck.save(1, held, final=True)
        R[lab] = out = held["out"]
        print(f"  {lab:24s} loss {' '.join(f'{x:8.5f}' for x in out['loss'])}  steps "
              f"{' '.join(f'{x:6d}' for x in out['steps'])}  {'/'.join(h[0] for h in out['how'])}  "
              f"{out['cpu_s']:6.1f}s cpu  [{cli.progress(i + 1, len(todo), timer())}]", flush=True)
    return R


def main(args):
    timer = cli.Timer()
    cli.quick(args, **QUICK)
    cfg = {k: getattr(args, k) for k in DEFAULTS}
    cfg["paper_size"] = int(cfg["paper_size"] == "on")
    for flag in ("s1_max_n", "s2_max_n"):
        if cfg[flag] < cfg["n_step"]:
            raise cli.StubError(f"--{flag.replace('_', '-')} {cfg[flag]} is below --n-step {cfg['n_step']}: "
                                f"its grid of N would be empty")
    print(f"associative retrieval, d_key = {cfg['d_key']} (paper {PAPER_D}), {cfg['n_seeds']} nets per "
          f"configuration, batch {cfg['batch']}, Adam {cfg['lr']:g}; stop at eval loss <= {cfg['stop_loss']} "
          f"or {cfg['patience'] + 1} evaluations without a new best, at most {cfg['max_steps']:,} steps")
    R = run_configs(args, cfg)
    metrics, arrays = summarise(R, cfg)
    lyap = dynamics().lyapunov_record(R, cfg)
    rec = record(args, __file__,
                 title="Linear Transformers as fast weight programmers: associative retrieval",
                 paper=PAPER, config=dict(cfg, n_nets=cfg["n_seeds"] * len(R), scale=SCALE),
                 metrics=metrics, headline=headline_rows(R, cfg), lyapunov=lyap)
    finish_run(args.out, rec, arrays, timer)
    remove_checkpoints(args.out, args.seed)


def remove_checkpoints(out, seed):
    stem = os.path.splitext(os.path.basename(out))[0]
    folder = os.path.join(os.path.dirname(os.path.abspath(out)), f".{stem}-seed{seed}.checkpoint")
    if os.path.isdir(folder):
        for name in os.listdir(folder):
            os.unlink(os.path.join(folder, name))
        os.rmdir(folder)


def summarise(R, cfg):
    """metrics (per configuration: final losses, accuracies, steps, stop reasons, cpu) and the
    arrays for the figures (curves, final losses, spectra, one memory written step by step)."""
    metrics, arrays = {"configs": {}}, {}
    for lab, r in R.items():
        m = dict(loss=r["loss"], acc=r["acc"], steps=r["steps"], how=r["how"],
                 median_loss=float(np.median(r["loss"])),
                 keys_right=float(np.median(r["acc"]) * int(lab.split("/N")[1].split("/")[0])))
        if "loss_2n" in r:
            m.update(loss_2n=r["loss_2n"], acc_2n=r["acc_2n"])
        if "lyap" in r:
            m.update(lyap_top=np.median(r["lyap"], axis=(0, 1))[:4],
                     lyap_mean=float(np.median(r["lyap"].mean(-1))),
                     lyap_min=float(np.median(r["lyap"][..., -1])),
                     n_contracting=float(np.median((r["lyap"] < -1e-3).sum(-1))), beta_mean=r["beta_mean"],
                     kt2_mean=r["kt2_mean"])
            arrays[f"lyap/{lab}"] = r["lyap"]
        metrics["configs"][lab] = m
        arrays[f"curve/{lab}"] = r["curve"][: int(np.max(r["steps"])) // cfg["eval_every"]]
        arrays[f"loss/{lab}"] = r["loss"]
    metrics["curves"] = {fam: curve_of(R, fam) for fam in PAPER_LOSS}
    metrics["timing"] = {"cpu_s_per_config": {lab: r["cpu_s"] for lab, r in R.items()},
                         "cpu_s_all_configs": float(sum(r["cpu_s"] for r in R.values())),
                         "cpu_s": time.process_time()}
    arrays.update(dynamics().film(R, cfg))
    return metrics, arrays


# ---------------------------------------------------------------- gradient checks and CLI

def dynamics():
    """The fingerprint and the filmed memory (``linear_transformers_fwp_dynamics.py``)."""
    return cli.load_sibling(__file__, "linear_transformers_fwp_dynamics", globals())


def gradcheck(args):
    return cli.load_sibling(__file__, "linear_transformers_fwp_checks", globals()).gradcheck(args)


def build_parser():
    parser = cli.make_parser(__doc__, __file__)
    parser.add_argument("--d-key", type=cli.int_range(2, 128), default=DEFAULTS["d_key"],
                        help=f"key dimension d before the feature map (paper: {PAPER_D}; N scales with it "
                             f"only through the grid flags)")
    parser.add_argument("--n-seeds", type=cli.int_range(1, 20), default=DEFAULTS["n_seeds"],
                        help="nets trained per configuration, each its own init and data")
    parser.add_argument("--batch", type=cli.int_range(1, 1024), default=DEFAULTS["batch"],
                        help="sequences per training step (paper: 32)")
    parser.add_argument("--lr", type=cli.float_range(0.0, 1.0), default=DEFAULTS["lr"],
                        help="Adam learning rate (paper: 1e-3)")
    parser.add_argument("--eval-every", type=cli.int_range(1, 10_000), default=DEFAULTS["eval_every"],
                        help="training steps between evaluations (paper: 100)")
    parser.add_argument("--eval-seqs", type=cli.int_range(1, 1000), default=DEFAULTS["eval_seqs"],
                        help="fresh sequences per evaluation, each queried on all its keys (paper: 20)")
    parser.add_argument("--stop-loss", type=cli.float_range(0.0, 1.0), default=DEFAULTS["stop_loss"],
                        help="eval loss at which a net counts as solved and stops (paper: 0.001)")
    parser.add_argument("--patience", type=cli.int_range(0, 1000), default=DEFAULTS["patience"],
                        help="a net stops after more than this many evaluations without a new best "
                             "(paper: 10)")
    parser.add_argument("--max-steps", type=cli.int_range(100, 200_000), default=DEFAULTS["max_steps"],
                        help="training steps at most per net (paper: 100,000; its nets stopped by the "
                             "rules above within 7,600)")
    parser.add_argument("--s1-max-n", type=cli.int_range(2, 200), default=DEFAULTS["s1_max_n"],
                        help="largest number of keys N in setting 1's grid")
    parser.add_argument("--s2-max-n", type=cli.int_range(2, 200), default=DEFAULTS["s2_max_n"],
                        help="largest N in setting 2's grid (sequences of 2N pairs)")
    parser.add_argument("--n-step", type=cli.int_range(2, 100), default=DEFAULTS["n_step"],
                        help="spacing of both N grids, which start at this value (paper: 20 at d = 64)")
    parser.add_argument("--lyap-steps", type=cli.int_range(10, 10_000), default=DEFAULTS["lyap_steps"],
                        help="steps of each token stream the exponents average over")
    parser.add_argument("--lyap-transient", type=cli.int_range(0, 10_000), default=DEFAULTS["lyap_transient"],
                        help="alignment steps before the exponents are counted")
    parser.add_argument("--lyap-streams", type=cli.int_range(1, 100), default=DEFAULTS["lyap_streams"],
                        help="token streams per trained net for the exponents")
    parser.add_argument("--paper-size", choices=["on", "off"], default=DEFAULTS["paper_size"],
                        help="on: also run six configurations at the paper's d = 64 and N (what the "
                             "reduction costs); off: skip them")
    return parser


if __name__ == "__main__":
    cli.run(main, build_parser(), gradcheck=gradcheck)
