"""The earlier catalog's setting of the embedded Reber grammar (``embedded_reber.py --setting catalog``).

Not the paper's experiment: the earlier public catalog's own net and training, rerun and timed
for the speed comparison. 8 cells, each with its own input and output gate (1997 squashings, no
forget gate, no blocks); cells and gates see [x(t), h(t-1), 1]; gate biases -1; a 7-way softmax on
[h(t), 1] with cross-entropy on the next symbol at every step; exact BPTT; Adam lr 0.01 with
clipping at 5 (global norm per net); one fresh string per Adam step; 200 evaluation strings every
500 strings; solved at legal-symbol accuracy >= 0.999 and outer T/P accuracy 1.0.

Arrays: x (L, S, N, 7); W (S, 16, 24) columns [i | g | o] (8 each; SPEC.md's order without f),
rows [x (7), h(t-1) (8), 1]; V (S, 9, 7) rows [h (8), 1].
"""
import os
import resource

import numpy as np

from embedded_reber import NK, NX, REBER, SYM, embedded_string, encode
from shared import cli
from shared.ensemble import sum_outer
from shared.gradcheck import check_gradients
from shared.optim import Adam
from shared.rng import streams

# 8 cells, each with its own input and output gate (no blocks, no forget gate, g = 4 sigma - 2,
# h = 2 sigma - 1); cells and gates see [x(t), h(t-1), 1]; gate biases -1, cell bias 0; weights
# N(0, (0.2 / sqrt(fan-in))^2); a 7-way softmax on [h(t), 1] with cross-entropy on the next symbol
# at every step, summed over the string; exact BPTT; Adam lr 0.01, clip 5 (global norm), one fresh
# string per Adam step; 200 fixed evaluation strings every 500 strings; solved when the argmax is
# a legal next symbol at >= 99.9 % of the steps and the outer T/P is recalled in every string.
CAT_H, CAT_LR, CAT_CLIP, CAT_EVAL_EVERY, CAT_N_EVAL, CAT_MAX = 8, 0.01, 5.0, 500, 200, 12_000
CAT_D = NX + CAT_H + 1                                    # rows of W: [x (7), h(t-1) (8), 1]
I8, G8, O8 = slice(0, CAT_H), slice(CAT_H, 2 * CAT_H), slice(2 * CAT_H, 3 * CAT_H)
_EYE32 = np.eye(NX, dtype=np.float32)


def catalog_n_weights():
    return CAT_D * 3 * CAT_H + (CAT_H + 1) * NK          # 16 * 24 + 9 * 7 = 447


def catalog_init(rng):
    """One net: W (16, 24) with columns [i | g | o] (8 each), V (9, 7) rows [h (8), 1]."""
    W = rng.standard_normal((CAT_D, 3 * CAT_H)) * (0.2 / np.sqrt(NX + CAT_H))
    W[-1] = 0.0
    W[-1, I8] = W[-1, O8] = -1.0                          # gates start half closed
    V = rng.standard_normal((CAT_H + 1, NK)) * (0.2 / np.sqrt(CAT_H))
    V[-1] = 0.0
    return W, V


def catalog_symbols(rng):
    """One embedded Reber string as symbol indices (list of int)."""
    outer = 1 if rng.random() < 0.5 else 2                # T or P
    out, node = [0, outer, 0], 0
    while node < 5:
        c, node = REBER[node][int(rng.random() < 0.5)]
        out.append(SYM[c])
    return out + [6, outer, 6]                            # inner E, outer T/P, E


_CBUF = {}


def _cat_buffers(L, S, N, dtype):
    """Work arrays reused across strings of the same padded length (allocation costs more than
    the arithmetic at this size). U[t] = [x(t), h(t-1), 1], so U[t + 1, ..., 7:15] = h(t)."""
    key = (L, S, N, np.dtype(dtype).str)
    if key not in _CBUF:
        U = np.zeros((L + 1, S, N, CAT_D), dtype)
        U[..., -1] = 1.0
        _CBUF[key] = {"U": U, "Z": np.empty((L, S, N, 3 * CAT_H), dtype),
                      "SG": np.empty((L, S, N, 3 * CAT_H), dtype),
                      "ST": np.zeros((L + 1, S, N, CAT_H), dtype),
                      "HS": np.empty((L, S, N, CAT_H), dtype), "dZ": np.empty((L, S, N, 3 * CAT_H), dtype),
                      "ig": np.empty((S, N, CAT_H), dtype), "Q": np.empty((S, N, 3 * CAT_H), dtype),
                      "e": np.empty((S, N, CAT_H), dtype)}
    return _CBUF[key]


def catalog_forward(W, V, x):
    """x (L, S, N, 7) -> logits (L, S, N, 7) and the work arrays: Z = tanh(net / 2) and
    SG = sigma(net) of [i | g | o] (so g = 4 sigma - 2 = 2 Z), ST[t + 1] = s(t) / 2,
    HS = h(s) = 2 sigma(s) - 1 = tanh(s / 2), U[t + 1, ..., 7:15] = h(t) = y_out h(s)."""
    L, S, N, _ = x.shape
    b = _cat_buffers(L, S, N, W.dtype)
    U, Z, SG, ST, HS, ig = b["U"], b["Z"], b["SG"], b["ST"], b["HS"], b["ig"]
    U[:L, ..., :NX] = x
    W2 = 0.5 * W
    for t in range(L):
        z, sg = Z[t], SG[t]
        np.matmul(U[t], W2, out=z)
        np.tanh(z, out=z)
        np.multiply(z, 0.5, out=sg)
        sg += 0.5
        np.multiply(sg[..., I8], z[..., G8], out=ig)      # y_in g / 2
        np.add(ST[t], ig, out=ST[t + 1])                  # s(t)/2 = s(t-1)/2 + y_in g / 2
        np.tanh(ST[t + 1], out=HS[t])                     # h(s)
        np.multiply(sg[..., O8], HS[t], out=U[t + 1, ..., NX:NX + CAT_H])   # y_c = y_out h(s)
    logits = np.matmul(U[1:L + 1, ..., NX:NX + CAT_H], V[:, :CAT_H]) + V[:, None, -1]
    return logits, b


def catalog_loss_grads(W, V, x, tgt, need_loss=True):
    """Cross-entropy of the next symbol summed over every step, and its exact BPTT gradient.

    x (L, S, N, 7) inputs, tgt (L, S, N, 7) one-hot next symbols, zero rows where there is none
    (padding: no error). Returns loss (S,) (None unless need_loss), and {"W": (S, 16, 24),
    "V": (S, 9, 7)}."""
    L, S, N, _ = x.shape
    logits, b = catalog_forward(W, V, x)
    U, Z, SG, HS, dZ, Q, e = b["U"], b["Z"], b["SG"], b["HS"], b["dZ"], b["Q"], b["e"]
    logits -= logits.max(-1, keepdims=True)
    p = np.exp(logits)
    tot = p.sum(-1, keepdims=True)
    p /= tot
    loss = None
    if need_loss:
        loss = (np.log(tot[..., 0]) - (logits * tgt).sum(-1)).sum(axis=(0, 2), where=tgt.any(-1))
    p -= tgt
    dlog = p * tgt.any(-1, keepdims=True)                 # d loss / d logits, zero at padding
    H = U[1:L + 1, ..., NX:NX + CAT_H]
    gV = np.concatenate([sum_outer(H, dlog), dlog.sum(axis=(0, 2))[:, None]], axis=1)
    dY = np.matmul(dlog, np.swapaxes(V[:, :CAT_H], 1, 2))  # d loss / d h(t) through the outputs
    # local derivatives at every step at once (derivatives with respect to the real net inputs)
    D = SG * (1.0 - SG)                                   # sigma'
    yi, hs = SG[..., I8], HS
    A = SG[..., O8] * 0.5 * (1.0 - hs * hs)               # dh(t)/ds(t) = y_out h'(s)
    B = np.empty_like(Z)
    np.multiply(2.0 * Z[..., G8], D[..., I8], out=B[..., I8])          # g y_in'
    np.multiply(yi, 1.0 - Z[..., G8] ** 2, out=B[..., G8])             # y_in g' (g' = 1 - tanh^2)
    np.multiply(hs, D[..., O8], out=B[..., O8])                         # h(s) y_out'
    WrT = np.swapaxes(W[:, NX:NX + CAT_H], 1, 2)          # (S, 24, 8): dnet(t) -> dh(t-1)
    ds1, ds2, dh = Q[..., I8], Q[..., G8], Q[..., O8]     # Q = [ds | ds | dh]
    Q[...] = 0.0
    dh[...] = dY[L - 1]
    for t in range(L - 1, -1, -1):
        if t < L - 1:
            np.matmul(dZ[t + 1], WrT, out=dh)
            dh += dY[t]
        np.multiply(dh, A[t], out=e)
        ds1 += e                                          # ds(t) = ds(t+1) + dh y_out h'(s): the CEC
        ds2 += e
        np.multiply(Q, B[t], out=dZ[t])                   # [ds g y_in', ds y_in g', dh h(s) y_out']
    return loss, {"W": sum_outer(U[:L], dZ), "V": gV}


def catalog_eval(W, V, ev):
    """Legal-symbol accuracy over every step and outer T/P accuracy, (S,) each, on the fixed
    evaluation strings ev (x (L, 1, N, 7), legal (L, 1, N, 7), recall_t (N,), outer (N,))."""
    S = W.shape[0]
    logits = catalog_forward(W, V, np.broadcast_to(ev["x"], (ev["x"].shape[0], S) + ev["x"].shape[2:]))[0]
    arg = logits.argmax(-1)                               # (L, S, N)
    hit = np.take_along_axis(ev["legal"], arg[..., None], -1)[..., 0]
    legal_acc = (hit & ev["valid"]).sum(axis=(0, 2)) / ev["valid"].sum()
    n = np.arange(arg.shape[2])
    outer_acc = (arg[ev["recall_t"], :, n] == ev["outer"][:, None]).mean(0)
    return legal_acc, outer_acc


def catalog_train(seed_ids, master_seed, cap, every, n_eval):
    """Nets seed_ids trained in lock-step, each from its own named streams (init_<i>, data_<i>); a
    net's run depends on the nets beside it only through float32 rounding (the padded length of a
    lock-step batch changes summation order), which over thousands of Adam steps can move the
    evaluation at which it is found solved. All weights of a net sit in one
    flat vector (one Adam tensor, W and V are views into it). Returns per-net solved_at (-1 = not
    within cap), curves, final accuracies and the wall time of the training loop."""
    t0 = cli.Timer()
    S = len(seed_ids)
    names = [f"init_{i}" for i in seed_ids] + [f"data_{i}" for i in seed_ids] + ["eval"]
    r = streams(master_seed, names)
    nW = CAT_D * 3 * CAT_H
    theta = np.stack([np.concatenate([w.ravel(), v.ravel()]) for w, v in
                      (catalog_init(r[f"init_{i}"]) for i in seed_ids)]).astype(np.float32)
    W, V = theta[:, :nW].reshape(S, CAT_D, 3 * CAT_H), theta[:, nW:].reshape(S, CAT_H + 1, NK)
    opt = Adam({"theta": theta}, lr=CAT_LR, clip=CAT_CLIP, per_member=True)
    grad = np.empty_like(theta)
    data = [r[f"data_{i}"] for i in seed_ids]
    strings = [embedded_string(r["eval"]) for _ in range(n_eval)]
    xe, _, lg, ln = encode([s for s, _ in strings], [g for _, g in strings])
    ev = {"x": xe[:-1, None].astype(np.float32), "legal": lg[:-1, None], "valid": lg[:-1, None].any(-1),
          "recall_t": ln - 3, "outer": np.array([SYM[s[1]] for s, _ in strings])}
    solved_at, final = np.full(S, -1), theta.copy()
    curve_n, curve_legal, curve_outer = [], [], []
    k = 0
    for k in range(1, cap + 1):
        seqs = [catalog_symbols(rng) for rng in data]
        if S == 1:
            xf = _EYE32[seqs[0]][:, None, None]
        else:
            xf = np.zeros((max(len(q) for q in seqs), S, 1, NX), np.float32)
            for s_, q in enumerate(seqs):
                xf[:len(q), s_, 0] = _EYE32[q]
        _, g = catalog_loss_grads(W, V, xf[:-1], xf[1:], need_loss=False)
        grad[:, :nW] = g["W"].reshape(S, nW)
        grad[:, nW:] = g["V"].reshape(S, -1)
        opt.step({"theta": grad})
        if k % every == 0 or k == cap:
            cli.check_finite(k, weights=theta)
            la, oa = catalog_eval(W, V, ev)
            curve_n.append(k)
            curve_legal.append(la)
            curve_outer.append(oa)
            new = (solved_at < 0) & (la >= 0.999) & (oa >= 1.0)
            solved_at[new] = k
            final[new] = theta[new]                       # a solved net is kept as it was then
            if not (solved_at < 0).any():
                break
    final[solved_at < 0] = theta[solved_at < 0]           # unsolved nets: as they are at the cap
    la, oa = catalog_eval(final[:, :nW].reshape(W.shape), final[:, nW:].reshape(V.shape), ev)
    return {"solved_at": solved_at, "n_trained": k, "curve_n": np.array(curve_n),
            "curve_legal": np.array(curve_legal), "curve_outer": np.array(curve_outer),
            "final_legal": la, "final_outer": oa, "train_wall_s": t0()}


def _process_wall_s():
    """Seconds since this process started (interpreter start-up and imports included), Linux only."""
    try:
        with open("/proc/self/stat") as f:
            start = int(f.read().rsplit(")", 1)[1].split()[19]) / os.sysconf("SC_CLK_TCK")
        with open("/proc/uptime") as f:
            return float(f.read().split()[0]) - start
    except (OSError, ValueError, IndexError):
        return None


def verdict_catalog(solved):
    """An easier net and training than Exp. 1: partial at best (when solved), else no."""
    return "partial" if solved else "no"


def catalog_headline(st, S, cap, n_eval, mean):
    """Net 0's strings to solve, and the nets solved, against the catalog's README."""
    ok = st >= 0
    return [
        {"name": f"earlier catalog's setting: net 0 strings to solve (legal >= 0.999, outer T/P 1.0, "
                 f"{n_eval} strings)",
         "value": int(st[0]) if st[0] >= 0 else f"not within {cap:,}", "paper_value": None,
         "verdict": verdict_catalog(st[0] >= 0),
         "note": "catalog's README: seed 0 solved at 4,000 strings (its random numbers differ from ours); "
                 "an easier net and training than Exp. 1: partial at best"},
        {"name": f"earlier catalog's setting: nets solved within {cap:,} strings, mean strings",
         "value": f"{int(ok.sum())}/{S}; " + (f"{mean:,.0f}" if mean is not None else "none"),
         "paper_value": None, "verdict": verdict_catalog(ok.any()),
         "note": "catalog's README: 10/10 seeds, mean 4,800 (range 2,500-8,000); easier than Exp. 1: "
                 "partial at best"
                 + (f"; {'one net' if S == 1 else f'{S} nets'} cannot test that claim (--n-seeds 10 can)"
                    if S < 10 else "")}]


def catalog_run(args):
    """--setting catalog: nets 0 .. n-1 at once; returns config, metrics, headline, arrays."""
    S = cli.quick(args, n_seeds=2).n_seeds
    cap, every, n_eval = (60, 20, 20) if args.quick else (CAT_MAX, CAT_EVAL_EVERY, CAT_N_EVAL)
    print(f"embedded Reber, the earlier catalog's setting: {S} net(s) at once, cap {cap:,} strings, "
          f"{catalog_n_weights()} weights each")
    out = catalog_train(list(range(S)), args.seed, cap, every, n_eval)
    st = out["solved_at"]
    ok = st >= 0
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    m = {"weights": catalog_n_weights(), "solved_at": st.tolist(), "n_solved": int(ok.sum()),
         "mean_sequences_to_solve": float(st[ok].mean()) if ok.any() else None,
         "median_sequences_to_solve": float(np.median(st[ok])) if ok.any() else None,
         "strings_trained": int(out["n_trained"]),
         "final_legal_acc": out["final_legal"].tolist(), "final_outer_acc": out["final_outer"].tolist(),
         "timing": {"train_wall_s": out["train_wall_s"], "train_wall_s_per_net": out["train_wall_s"] / S,
                    "process_wall_s_before_writing": _process_wall_s(),
                    "process_cpu_s_before_writing": cpu.ru_utime + cpu.ru_stime,
                    "load_average_1min_at_end": os.getloadavg()[0],
                    "catalog_wall_s_seed0_here": 3.05}}
    print(f"  solved {m['n_solved']}/{S} at {st.tolist()}, training {out['train_wall_s']:.2f}s "
          f"({m['timing']['train_wall_s_per_net']:.2f}s per net)")
    cfg = {"setting": "catalog", "n_seeds": S, "cells": CAT_H, "weights": catalog_n_weights(),
           "max_sequences": cap, "eval_every": every, "n_eval": n_eval, "optimizer":
           f"Adam lr {CAT_LR}, clip {CAT_CLIP} (global norm, per net), one fresh string per step",
           "init": "N(0, (0.2 / sqrt(fan-in))^2); gate biases -1; cell and output biases 0",
           "loss": "softmax cross-entropy of the next symbol, summed over the string's steps",
           "gradient": "exact BPTT", "dtype": "float32",
           "solved": "legal-symbol argmax accuracy >= 0.999 and outer T/P accuracy 1.0 on the "
                     f"{n_eval} strings"}
    arrays = {"catalog_curve_n": out["curve_n"], "catalog_curve_legal": out["curve_legal"],
              "catalog_curve_outer": out["curve_outer"], "catalog_solved_at": st}
    return cfg, m, catalog_headline(st, S, cap, n_eval, m["mean_sequences_to_solve"]), arrays


def catalog_gradient_checks(rng):
    """Exact BPTT of the summed cross-entropy vs central differences (Richardson), on random
    inputs and a string that ends early; rng continues the stream of the main checks."""
    errs = {}
    S, N, L = 2, 3, 6
    x = rng.normal(size=(L, S, N, NX))
    tgt = np.eye(NK)[rng.integers(0, NK, size=(L, S, N))]
    tgt[-2:, 0, 0] = 0.0                                  # a string that ends early
    p = {"W": rng.uniform(-1.0, 1.0, size=(S, CAT_D, 3 * CAT_H)),
         "V": rng.uniform(-1.0, 1.0, size=(S, CAT_H + 1, NK))}
    g = catalog_loss_grads(p["W"], p["V"], x, tgt)[1]
    for pn, v in check_gradients(lambda p=p: catalog_loss_grads(p["W"], p["V"], x, tgt)[0].sum(), p, g,
                                 eps=1e-3, richardson=True).items():
        errs[f"catalog net exact BPTT vs finite differences: {pn}"] = v
    return errs
