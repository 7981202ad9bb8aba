"""The earlier catalog's version of the multiplication problem (``multiplication_problem.py
--setting catalog``).

Not the paper's experiment: kept to run and time the earlier catalog's own recipe. Fixed-length
sequences of T = 20-30 (one length drawn per batch), sentinels -1 at both ends, X1 at positions
1-9 and X2 at 10 .. T/2 - 1, target X1 X2; a modern 8-cell LSTM (each cell its own input, forget
and output gate, forget bias +1, tanh squashing) with a logistic output, MSE, full BPTT, Adam
lr 5e-3 with clipping at 1 per net, batch 32; every 1000 batches the test MSE at T = 30, and a net
below 0.03 stops.

Arrays as in the main file: x (T, S, N, 2). W (S, 2 + 8 + 1, 32) with columns i, f, g, o
(SPEC.md's order), rows [x(t), h(t-1), 1]; V (S, 9): the logistic output of [h(last), 1].
"""
import os
import time
import types

import numpy as np

from multiplication_problem import NX
from shared import cli
from shared.ensemble import per_seed
from shared.lstm1997 import nets, output
from shared.online import adam_step_active
from shared.optim import Adam
from shared.rng import streams

MH = 8                                   # cells, each with its own i, f, o gates


def catalog_batch(rng, shape, T):
    """The earlier catalog's sequences: fixed length T (20-30), sentinels -1 at both ends, X1 at
    positions 1-9, X2 at 10 .. T/2 - 1 (at least position 10), target X1 X2."""
    S, N = shape
    x = np.zeros((T, S, N, 2))
    x[..., 0] = rng.uniform(0.0, 1.0, size=(T, S, N))
    x[0, ..., 1] = x[-1, ..., 1] = -1.0
    p1 = rng.integers(1, 10, size=shape)
    p2 = rng.integers(10, max(T // 2, 11), size=shape)
    si, ni = np.indices(shape)
    x[p1, si, ni, 1] = 1.0
    x[p2, si, ni, 1] = 1.0
    return x, x[p1, si, ni, 0] * x[p2, si, ni, 0], np.full(shape, T), np.stack([p1, p2], axis=-1)


# ----------------------------------------------------------------------------------------------
# The modern LSTM (forward, exact BPTT, Jacobians)
# ----------------------------------------------------------------------------------------------
def init_modern(rng, S):
    """Uniform +-1/sqrt(8) as PyTorch does, forget-gate biases +1. W (S, 2 + 8 + 1, 32), columns
    i, f, g, o; V (S, 9): logistic output of [h(last), 1]."""
    k = 1.0 / np.sqrt(MH)
    W = rng.uniform(-k, k, size=(S, NX + MH + 1, 4 * MH))
    W[:, -1, MH:2 * MH] = 1.0
    return {"W": W, "V": rng.uniform(-k, k, size=(S, MH + 1))}


# inside the fused loop the rows run i, f, o, g, so that the three sigmoid gates are one block
ROWS = np.r_[0:MH, MH:2 * MH, 3 * MH:4 * MH, 2 * MH:3 * MH]        # W's columns (i, f, g, o) -> rows
FI, FF, FO, FG = (slice(k * MH, (k + 1) * MH) for k in range(4))


def modern_forward(p, x):
    """c(t) = f c(t-1) + i g, h(t) = o tanh(c(t)), i/f/o = sigma, g = tanh; x (L, S, N, 2).

    Feature-major, so that each gate is a contiguous block and one step is ten array operations:
    a (L, S, 32, N) activations, rows [i, f, o, g] (W's columns permuted by ROWS); c (L+1, S, 8, N);
    tc (L, S, 8, N) = tanh(c); h (L+1, S, 8, N). The gates' weights are halved once, so one tanh
    serves every unit (sigma(z) = (1 + tanh(z/2))/2). Runs in the weights' dtype.
    """
    L, S, N, _ = x.shape
    W = p["W"][:, :, ROWS]
    dt = W.dtype
    half = np.full(4 * MH, 0.5, dtype=dt)
    half[FG] = 1.0
    Wh = W * half
    XB = np.matmul(x.astype(dt), Wh[:, :NX]) + Wh[:, -1][:, None]               # (L, S, N, 32)
    XB = np.ascontiguousarray(XB.transpose(0, 1, 3, 2))
    W_hT = np.ascontiguousarray(np.swapaxes(Wh[:, NX:NX + MH], 1, 2))          # (S, 32, 8)
    a = np.empty((L, S, 4 * MH, N), dtype=dt)
    c = np.zeros((L + 1, S, MH, N), dtype=dt)
    tc = np.empty((L, S, MH, N), dtype=dt)
    h = np.zeros((L + 1, S, MH, N), dtype=dt)
    ig = np.empty((S, MH, N), dtype=dt)
    for t in range(L):
        z = a[t]
        np.matmul(W_hT, h[t], out=z)
        z += XB[t]
        np.tanh(z, out=z)
        gates = z[:, :3 * MH]
        gates *= 0.5
        gates += 0.5                                                            # i, f, o: sigmoids
        # c(t) = f c(t-1) + i g;  h(t) = o tanh(c(t))
        np.multiply(z[:, FF], c[t], out=c[t + 1])
        np.multiply(z[:, FI], z[:, FG], out=ig)
        c[t + 1] += ig
        np.tanh(c[t + 1], out=tc[t])
        np.multiply(z[:, FO], tc[t], out=h[t + 1])
    return {"x": x, "a": a, "c": c, "tc": tc, "h": h, "yc": h[1:].transpose(0, 1, 3, 2)}


def modern_grads(p, cache, last, dy):
    """Exact BPTT for the modern LSTM with a logistic output, dy (S, N) = dLoss/dy.

    Every local derivative is formed for all steps before the loop; the loop carries dh and dc.
    """
    a, c, tc, h = cache["a"], cache["c"], cache["tc"], cache["h"]
    L, S, _, N = a.shape
    dt = a.dtype
    y, feat = readout(p, cache, last)
    dV, dyc = output.backward(p["V"], feat, output.logistic_delta(y, dy))      # the logistic output
    inject = dyc.transpose(0, 2, 1).astype(dt)                                  # (S, 8, N)
    i, f, o, g = (a[:, :, k] for k in (FI, FF, FO, FG))
    # dz = [dc g sigma'(i), dc c(t-1) sigma'(f), dh tanh(c) sigma'(o), dc i tanh'(g)]
    G = a * (1.0 - a)
    G[:, :, FI] *= g
    G[:, :, FF] *= c[:-1]
    G[:, :, FO] *= tc
    G[:, :, FG] = i * (1.0 - g * g)
    G4 = G.reshape(L, S, 4, MH, N)
    dc_from_h = o * (1.0 - tc * tc)                                             # h = o tanh(c)
    W_h = p["W"][:, NX:NX + MH][:, :, ROWS].astype(dt)                          # (S, 8, 32)
    dZ = np.zeros((L, S, 4 * MH, N), dtype=dt)
    dh = np.zeros((S, MH, N), dtype=dt)
    dc = np.zeros((S, MH, N), dtype=dt)
    tmp = np.empty((S, MH, N), dtype=dt)
    for t in range(L - 1, -1, -1):
        if (last == t).any():
            dh += (last == t)[:, None, :] * inject
        np.multiply(dh, dc_from_h[t], out=tmp)
        dc += tmp
        dz = dZ[t].reshape(S, 4, MH, N)
        np.multiply(G4[t, :, :2], dc[:, None], out=dz[:, :2])                   # i, f rows
        np.multiply(G4[t, :, 2], dh, out=dz[:, 2])                              # o rows
        np.multiply(G4[t, :, 3], dc, out=dz[:, 3])                              # g rows
        dc *= f[t]
        np.matmul(W_h, dZ[t], out=dh)                                           # to h(t-1)
    # dW = sum over t, n of [x, h(t-1), 1] dz^T, columns back in W's order (i, f, g, o)
    U = np.concatenate([cache["x"].astype(dt).transpose(1, 3, 0, 2), h[:L].transpose(1, 2, 0, 3),
                        np.ones((S, 1, L, N), dtype=dt)], axis=1).reshape(S, NX + MH + 1, L * N)
    dW = np.empty_like(p["W"], dtype=dt)
    dW[:, :, ROWS] = np.matmul(U, dZ.transpose(1, 0, 3, 2).reshape(S, L * N, 4 * MH))
    return {"W": dW, "V": dV}


def modern_jacobians(p, cache):
    """J(t) = d[c, h](t) / d[c, h](t-1), (L-1, S, N, 16, 16), t = 1..L-1."""
    sw = lambda v: np.swapaxes(v, -1, -2)                                      # noqa: E731
    a, c, tc = sw(cache["a"][1:]), sw(cache["c"]), sw(cache["tc"][1:])
    i, f, o, g = (a[..., k] for k in (FI, FF, FO, FG))
    da = a * (1 - a)
    da[..., FG] = 1 - g ** 2
    W_rows = p["W"][:, NX:NX + MH][:, :, ROWS]
    dA = da[..., None] * np.swapaxes(W_rows, 1, 2)[None, :, None]               # d act / d h(t-1)
    c_prev = c[1:-1]
    dc_dh = (c_prev[..., None] * dA[..., FF, :] + g[..., None] * dA[..., FI, :]
             + i[..., None] * dA[..., FG, :])
    k = o * (1 - tc ** 2)
    J = np.zeros(a.shape[:3] + (2 * MH, 2 * MH))
    J[..., :MH, :MH] = f[..., None] * np.eye(MH)
    J[..., :MH, MH:] = dc_dh
    J[..., MH:, :MH] = (k * f)[..., None] * np.eye(MH)
    J[..., MH:, MH:] = k[..., None] * dc_dh + tc[..., None] * dA[..., FO, :]
    return J


def readout(p, cache, last):
    """The main file's output: one logistic unit (sigma through tanh) on [h(last), 1]."""
    return output.readout(p["V"], cache["yc"], last)


# the functions above as one net (what nets.spectrum and nets.check_exact call)
MODERN = types.SimpleNamespace(init=init_modern, forward=modern_forward, readout=readout,
                               exact_grads=modern_grads, jacobians=modern_jacobians)


# ----------------------------------------------------------------------------------------------
# Training and the run
# ----------------------------------------------------------------------------------------------
def train_catalog(rng_init, rng_data, x_te, t_te, S, max_iters, eval_every=1000, batch=32, target_mse=0.03):
    """The earlier catalog's recipe, S nets at once: T drawn from [20, 30] per batch, modern 8-cell
    LSTM (forget bias +1, logistic output), MSE, full BPTT, Adam lr 5e-3, clip 1, batch 32; every
    ``eval_every`` batches the test MSE at T = 30, and a net whose test MSE is below 0.03 stops.
    float32 (numpy's tanh is faster there; the gradient checks run in float64)."""
    p = {k: v.astype(np.float32) for k, v in init_modern(rng_init, S).items()}
    opt = Adam(p, lr=5e-3, clip=1.0, per_member=True)
    stopped = np.full(S, -1)
    curve_it, curve_mse = [], []
    last_te = np.full((S, x_te.shape[2]), 29)
    xt = per_seed(x_te, S).astype(np.float32)
    t_loop = cli.Timer()
    for it in range(max_iters):
        T = int(rng_data.integers(20, 31))
        x, target, length, _ = catalog_batch(rng_data, (S, batch), T)
        cache = modern_forward(p, x.astype(np.float32))
        y, _ = readout(p, cache, length - 1)
        cli.check_finite(it, **{"catalog LSTM output": y})
        active = stopped < 0
        grads = modern_grads(p, cache, length - 1, (2.0 * (y - target) / batch).astype(np.float32))
        adam_step_active(opt, grads, active)
        if (it + 1) % eval_every == 0 or it + 1 == max_iters:
            y_te, _ = readout(p, modern_forward(p, xt), last_te)
            mse = np.mean((y_te - t_te) ** 2, axis=1)
            stopped[(stopped < 0) & (mse < target_mse)] = it + 1
            curve_it.append(it + 1)
            curve_mse.append(mse)
            print(f"  catalog iter {it + 1:5d}  test MSE per net {np.round(mse, 4).tolist()}  "
                  f"stopped {int((stopped >= 0).sum())}/{S}  "
                  f"{cli.progress(it + 1, max_iters, t_loop())}", flush=True)
            if (stopped >= 0).all():
                break
    return p, stopped, np.array(curve_it), np.array(curve_mse)


def catalog_headline(mse, seqs, chance, cfg):
    """The earlier catalog's two claims (its README: MSE 0.0028 after 96,000 sequences for net 0;
    3 of 5 nets below 0.03 within 8000 batches); partial at best, since the task is easier."""
    n_ok = int((mse < 0.03).sum())
    return [
        {"name": "earlier catalog's setting (T = 20-30): test MSE at T = 30, net 0", "value": float(mse[0]),
         "paper_value": None, "verdict": "partial",
         "note": f"earlier catalog: 0.0028 after 96,000 sequences; here after {int(seqs[0]):,}; predicting "
                 f"the mean gives {chance:.4f}; not the paper's task (lag 10-25 instead of >= 50)"},
        {"name": "earlier catalog's setting: nets below test MSE 0.03", "value": f"{n_ok}/{len(mse)}",
         "paper_value": None, "verdict": "partial",
         "note": f"earlier catalog: 3/5 within 8000 batches; here cap {cfg['max_iters']} batches"}]


def run_catalog(args, timer):
    """``--setting catalog``: returns config, metrics, headline, Lyapunov record and arrays."""
    cli.quick(args, catalog_nets=2, catalog_iters=200)
    q = args.quick
    S = args.catalog_nets
    cfg = {"setting": "catalog", "T_train": [20, 30], "T_test": 30, "batch": 32, "n_seeds": S,
           "max_iters": args.catalog_iters, "eval_every": 100 if q else 1000,
           "target_mse": 0.03,
           "n_test": 256 if q else 2560,
           "model": "modern LSTM, 8 cells with their own i/f/o gates, forget bias +1, tanh, logistic output",
           "optimizer": "Adam lr 5e-3, clip 1.0 per net, full BPTT, MSE"}
    print(f"multiplication problem, earlier catalog's setting: {S} nets, "
          f"up to {cfg['max_iters']} batches of 32")
    cpu0 = time.process_time()                 # CPU seconds too: wall time depends on the other load
    r = streams(args.seed, ["init", "data", "eval"])
    x_te, t_te, _, _ = catalog_batch(r["eval"], (1, cfg["n_test"]), 30)
    p, stopped, c_it, c_mse = train_catalog(r["init"], r["data"], x_te, t_te, S, cfg["max_iters"],
                                            eval_every=cfg["eval_every"])
    p64 = {k: v.astype(np.float64) for k, v in p.items()}
    xt = per_seed(x_te, S)
    y_te, _ = readout(p64, modern_forward(p64, xt), np.full((S, cfg["n_test"]), 29))
    mse = np.mean((y_te - t_te) ** 2, axis=1)
    chance = float(np.mean((t_te - t_te.mean()) ** 2))
    ex = nets.spectrum(MODERN, p64, x_te[:, :, :64], 15, 30, n_transient=3)
    train_s = timer()
    seqs = np.where(stopped >= 0, stopped, cfg["max_iters"]) * 32
    metrics = {"test_mse_per_net": mse.tolist(), "stopped_at_iter": stopped.tolist(),
               "sequences_per_net": seqs.tolist(), "n_below_target": int((mse < 0.03).sum()),
               "chance_mse": chance,
               "timing": {"train_and_eval_wall_s": train_s,
                          "train_and_eval_cpu_s": time.process_time() - cpu0,
                          "load_average_1min_at_end": os.getloadavg()[0]}}
    lyapunov = {"method": "QR iteration along 64 test sequences (T = 30) over steps [15, 30), 3 alignment "
                          "steps, state [c, h] of the modern cell, mean over nets and sequences",
                "exponents": {"lstm_catalog": np.sort(ex.mean(axis=(0, 1)))[::-1].tolist()}}
    print(f"  test MSE per net {np.round(mse, 4).tolist()} (predicting the mean: {chance:.4f})  "
          f"{timer():.1f}s")
    return (cfg, metrics, catalog_headline(mse, seqs, chance, cfg), lyapunov,
            {"catalog_curve_iter": c_it, "catalog_curve_mse": c_mse})
