"""The earlier catalog's version of the temporal order task (``temporal_order_3bit.py --setting catalog``).

Not the paper's experiment: kept to run and time the earlier catalog's own recipe (the speed
comparison). Fixed length T = 50, B first and E last, t1 in [3, 12], t2 in [25, 40]; 4 independent
cells (each its own input and output gate, no forget gate, the 1997 squashings), gates and cell
inputs see [x(t), h(t-1), 1]; a 4-way softmax on h(T-1) with cross-entropy; full BPTT; Adam lr
0.02, clip 1, batch 32, 1500 steps; input-gate biases -1, other weights N(0, 0.1^2). Its tanh RNN
has 4 units. Float32.

Arrays as in the main file: x (50, S, N, 8) one-hot. W (S, 8 + H + 1, n) with n = 3H columns
[i | g | o] for the LSTM (H each) or H for the RNN; V (S, H + 1, 4).
"""
import numpy as np

from shared import cli
from shared.ensemble import sum_outer
from shared.lstm1997.cell import dg as dg_
from shared.lstm1997.cell import dh as dh_
from shared.lstm1997.cell import h as h_
from shared.optim import Adam
from shared.rng import streams
from temporal_order_3bit import B_, NK, NX, E, X, sigmoid

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
    """Both nets of the earlier catalog, every seed at once, as it trained them; returns config,
    metrics, headline, Lyapunov record (none) and arrays."""
    cli.quick(args, n_seeds=2)
    q = args.quick
    S, steps = args.n_seeds, 20 if q else CAT_STEPS
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
