"""The earlier catalog's version of temporal order with three relevant symbols
(``temporal_order_4bit.py --setting catalog``).

Not the paper's experiment: kept to run and time the earlier catalog's own recipe. Fixed length
50, B first and E last, t1 in [3, 9], t2 in [18, 26], t3 in [33, 40]; 6 cells, each its own input
and output gate, no forget gate, tanh squashing, gates seeing [x(t), h(t-1), 1]
(3 * 15 * 6 + 7 * 8 = 326 weights), or a tanh RNN of 6 units (146 weights); a softmax on the 8
outputs at the last step with cross-entropy, exact BPTT, Adam lr 0.02 with clipping at 1 per net,
batch 32, float32.

Arrays as in the main file: x (50, S, N, 8) one-hot. The LSTM's W (S, 15, 18) has columns
[i | g | o] (6 each), rows [x(t) (8), h(t-1) (6), 1]; V (S, 8, 7).
"""
import os
import time
import types

import numpy as np

from shared import cli
from shared.ensemble import map_jobs, sum_outer
from shared.lstm1997 import nets, output
from shared.optim import Adam
from shared.rng import streams
from temporal_order_4bit import B_, NK, NX, E, X, spectrum


def catalog_batch(rng, shape, T=50):
    """The earlier catalog's version: fixed length 50, B first, E last, t1 in [3, 9], t2 in [18, 26],
    t3 in [33, 40]. Returns x (T, S, N, 8), label (S, N), pos (S, N, 3)."""
    S, N = shape
    sym = rng.integers(2, 6, size=(T, S, N))
    si, ni = np.indices(shape)
    pos, label = [], np.zeros(shape, dtype=int)
    for lo, hi in ((3, 9), (18, 26), (33, 40)):
        t = rng.integers(lo, hi + 1, size=shape)
        bit = rng.integers(0, 2, size=shape)
        sym[t, si, ni] = X + bit
        pos.append(t)
        label = 2 * label + bit
    sym[0], sym[-1] = B_, E
    return np.eye(NX)[sym], label, np.stack(pos, axis=-1)


# ----------------------------------------------------------------------------------------------
# The earlier catalog's LSTM: 6 cells, each its own input and output gate, no forget gate
# ----------------------------------------------------------------------------------------------
CH = 6
CI, CG, CO = slice(0, CH), slice(CH, 2 * CH), slice(2 * CH, 3 * CH)


def init_catalog_lstm(rng, S):
    """N(0, 0.1^2) weights, input-gate biases -1 (the catalog's choices)."""
    W = rng.normal(0.0, 0.1, size=(S, NX + CH + 1, 3 * CH))
    W[:, -1, CI] = -1.0
    return {"W": W, "V": rng.normal(0.0, 0.1, size=(S, NK, CH + 1))}


def catalog_lstm_forward(p, x):
    """c(t) = c(t-1) + i g, h(t) = o tanh(c(t)); i, o sigmoid, g tanh of W^T [x(t), h(t-1), 1].
    Returns U (L, S, N, 15), a (L, S, N, 18) = [i, g, o], c (L+1, S, N, 6), yc = h (L, S, N, 6)."""
    L, S, N, _ = x.shape
    dt = p["W"].dtype                                             # float32 when training, float64 in checks
    U = np.zeros((L + 1, S, N, NX + CH + 1), dtype=dt)
    U[:L, ..., :NX] = x
    U[..., -1] = 1.0
    scale = np.full(3 * CH, 0.5, dtype=dt)
    scale[CG] = 1.0
    Ws = p["W"] * scale                                            # sigma(z) = (1 + tanh(z/2)) / 2
    a = np.empty((L, S, N, 3 * CH), dtype=dt)
    c = np.zeros((L + 1, S, N, CH), dtype=dt)
    for t in range(L):
        at = a[t]
        np.matmul(U[t], Ws, out=at)
        np.tanh(at, out=at)
        at[..., CI] = 0.5 + 0.5 * at[..., CI]
        at[..., CO] = 0.5 + 0.5 * at[..., CO]
        np.add(c[t], at[..., CI] * at[..., CG], out=c[t + 1])
        np.multiply(at[..., CO], np.tanh(c[t + 1]), out=U[t + 1, ..., NX:NX + CH])
    return {"U": U[:L], "a": a, "c": c, "yc": U[1:, ..., NX:NX + CH]}


def catalog_lstm_grads(p, cache, last, d_out):
    """Exact BPTT (what the catalog used); d_out (S, N, K) = dLoss/d logits at the last step."""
    U, a, c = cache["U"], cache["a"], cache["c"]
    L = U.shape[0]
    dV, inject = output.backward(p["V"], output.features(cache["yc"], last), d_out)
    W_hT = np.swapaxes(p["W"][:, NX:NX + CH], 1, 2)
    dZ = np.zeros(a.shape, dtype=a.dtype)
    dh = np.zeros(c.shape[1:], dtype=a.dtype)
    dc = np.zeros(c.shape[1:], dtype=a.dtype)
    for t in range(L - 1, -1, -1):
        i, g, o = a[t, ..., CI], a[t, ..., CG], a[t, ..., CO]
        tc = np.tanh(c[t + 1])
        dh = dh + (last == t)[..., None] * inject
        # h = o tanh(c)
        dc = dc + dh * o * (1 - tc ** 2)
        dZ[t, ..., CO] = dh * tc * o * (1 - o)
        # c(t) = c(t-1) + i g
        dZ[t, ..., CI] = dc * g * i * (1 - i)
        dZ[t, ..., CG] = dc * i * (1 - g ** 2)
        dh = np.matmul(dZ[t], W_hT)
    return {"W": sum_outer(U, dZ), "V": dV.astype(U.dtype)}


def catalog_lstm_jacobians(p, cache):
    """dz(t)/dz(t-1) for z = [c (6), h (6)]: (L-1, S, N, 12, 12)."""
    a, c = cache["a"][1:], cache["c"][2:]
    Wh_T = np.swapaxes(p["W"][:, NX:NX + CH], 1, 2)[None, :, None]        # (1, S, 1, 18, 6)
    i, g, o = a[..., CI], a[..., CG], a[..., CO]
    dI = (i * (1 - i))[..., None] * Wh_T[..., CI, :]
    dG = (1 - g ** 2)[..., None] * Wh_T[..., CG, :]
    dO = (o * (1 - o))[..., None] * Wh_T[..., CO, :]
    dc_dh = i[..., None] * dG + g[..., None] * dI
    tc = np.tanh(c)
    k = (o * (1 - tc ** 2))[..., None]
    J = np.zeros(a.shape[:3] + (2 * CH, 2 * CH))
    J[..., :CH, :CH] = np.eye(CH)
    J[..., :CH, CH:] = dc_dh
    J[..., CH:, :CH] = k * np.eye(CH)
    J[..., CH:, CH:] = k * dc_dh + tc[..., None] * dO
    return J


def catalog_lstm_exact_grads(p, cache, last, dy):
    """The same from dy = dLoss/dy of the 8 logistic outputs (the main file's; for its gradient check)."""
    y, _ = output.readout(p["V"], cache["yc"], last)
    return catalog_lstm_grads(p, cache, last, output.logistic_delta(y, dy))


def logits(p, cache, last):
    """Net inputs of the 8 output units at the last step (the softmax's logits): (S, N, 8)."""
    return output.net_input(p["V"], output.features(cache["yc"], last))


def _readout(p, cache, last):
    return output.readout(p["V"], cache["yc"], last)


# Each net as one object: init, forward, jacobians, backward from dLoss/d logits (the softmax's),
# readout and exact_grads through the logistic outputs (the main file's gradient check)
CATALOG_MODELS = {
    "lstm_catalog": types.SimpleNamespace(init=init_catalog_lstm, forward=catalog_lstm_forward,
                                          jacobians=catalog_lstm_jacobians, backward=catalog_lstm_grads,
                                          readout=_readout, exact_grads=catalog_lstm_exact_grads),
    "rnn": nets.TanhNet(n_in=NX, n_hidden=CH, n_out=NK),              # the main file's RNN, 6 units
}


# ----------------------------------------------------------------------------------------------
# Training and the run
# ----------------------------------------------------------------------------------------------
def train_catalog(kind, S, steps, rng_init, rng_data, batch=32, lr=0.02, log_every=250,
                  x_val=None, lab_val=None):
    """Softmax + cross-entropy at the last step, exact BPTT, Adam (lr 0.02, clip 1 per net), batch 32."""
    net = CATALOG_MODELS[kind]
    p = net.init(rng_init, S)
    p = {n: v.astype(np.float32) for n, v in p.items()}               # float32: tanh is ~4x faster
    opt = Adam(p, lr=lr, clip=1.0, per_member=True)
    last = np.full((S, batch), 49)
    curve = []
    t_loop = cli.Timer()
    for step in range(steps):
        x, lab, _ = catalog_batch(rng_data, (S, batch))
        cache = net.forward(p, x.astype(np.float32))
        o = logits(p, cache, last)
        pr = np.exp(o - o.max(-1, keepdims=True))
        pr /= pr.sum(-1, keepdims=True)
        onehot = np.eye(NK)[lab]
        loss = -np.log(np.maximum((pr * onehot).sum(-1), 1e-300)).mean(axis=1)        # (S,)
        cli.check_finite(step, **{f"{kind} loss": loss})
        opt.step(net.backward(p, cache, last, ((pr - onehot) / batch).astype(np.float32)))
        if (step + 1) % log_every == 0 or step + 1 == steps:
            o_v = logits(p, net.forward(p, x_val), np.full(lab_val.shape, 49))
            acc = (o_v.argmax(-1) == lab_val).mean(axis=1)
            curve.append((step + 1, loss.mean(), *acc))
            print(f"  {kind:12s} step {step + 1:5d}  loss {loss.mean():.4f}  "
                  f"val acc {np.round(acc, 3).tolist()}  "
                  f"{cli.progress(step + 1, steps, t_loop())}", flush=True)
    return p, np.array(curve)


def _catalog_job(job):
    kind, seed, cfg = job
    r = streams(seed, ["init_lstm_catalog", "init_rnn", "data", "eval"])
    x_val, lab_val, _ = catalog_batch(r["eval"], (1, cfg["n_val"]))
    x_val = np.ascontiguousarray(np.broadcast_to(x_val, (50, cfg["n_seeds"], cfg["n_val"], NX)), np.float32)
    lab_val = np.broadcast_to(lab_val, (cfg["n_seeds"], cfg["n_val"]))
    timer, cpu0 = cli.Timer(), time.process_time()
    p, curve = train_catalog(kind, cfg["n_seeds"], cfg["steps"], r["init_" + kind], r["data"],
                             log_every=cfg["log_every"], x_val=x_val, lab_val=lab_val)
    wall, cpu = timer(), time.process_time() - cpu0
    p64 = {n: v.astype(np.float64) for n, v in p.items()}
    ex = spectrum(CATALOG_MODELS[kind], p64, x_val[:, :1, :cfg["n_lyap"]].astype(np.float64), 41, 49)
    return kind, {"params": p64, "curve": curve, "wall_s": wall, "cpu_s": cpu, "lyap": ex}


def run_catalog(args, timer):
    cli.quick(args, catalog_steps=40)
    q = args.quick
    S = min(args.n_seeds, 5)
    cfg = {"setting": "catalog", "T": 50, "t_ranges": [[3, 9], [18, 26], [33, 40]], "n_seeds": S,
           "steps": args.catalog_steps, "batch": 32, "n_val": 128 if q else 512,
           "n_lyap": 8 if q else 64, "log_every": 20 if q else 250,
           "lstm": "6 cells, own input/output gates, no forget gate, tanh; N(0, 0.1^2), input-gate bias -1",
           "rnn": "6 tanh units",
           "optimizer": "Adam lr 0.02, clip 1 per net; softmax + cross-entropy; exact BPTT",
           "weights": {"lstm_catalog": (NX + CH + 1) * 3 * CH + NK * (CH + 1),
                       "rnn": CATALOG_MODELS["rnn"].n_weights()}}
    print(f"temporal order, the earlier catalog's setting: T=50, {S} nets per kind, {cfg['steps']} Adam "
          f"steps of batch 32, weights {cfg['weights']}")
    kinds = ("lstm_catalog", "rnn")
    trained = dict(map_jobs(_catalog_job, [(k, args.seed, cfg) for k in kinds], args.workers))
    metrics, lyap, arrays = {}, {}, {}
    for kind in kinds:
        tr = trained[kind]
        final = tr["curve"][-1, 2:]
        metrics[kind] = {"final_val_acc_per_seed": final.tolist(), "final_val_acc_seed0": float(final[0]),
                         "best_val_acc_per_seed": tr["curve"][:, 2:].max(axis=0).tolist(),
                         "weights": cfg["weights"][kind]}
        lyap[kind] = np.sort(tr["lyap"].mean(axis=(0, 1)))[::-1].tolist()
        arrays[f"{kind}_curve"] = tr["curve"]
        arrays[f"{kind}_lyap"] = tr["lyap"]
    metrics["timing"] = {"train_wall_s": {k: trained[k]["wall_s"] for k in kinds}, "workers": args.workers,
                         "train_cpu_s": {k: trained[k]["cpu_s"] for k in kinds},
                         "earlier_catalog_wall_s_here": 31.16,
                         "load_average_1min_at_start_and_end": [args.load_at_start, os.getloadavg()[0]]}
    m, r = metrics["lstm_catalog"], metrics["rnn"]
    headline = [
        {"name": "earlier catalog's setting (T = 50): LSTM final validation accuracy, net 0",
         "value": m["final_val_acc_seed0"], "paper_value": None,
         "verdict": "partial",
         "note": "catalog README: 0.990 (seed 0), 1.000 on 4 of 5 seeds; here per net "
                 f"{np.round(m['final_val_acc_per_seed'], 3).tolist()}; an easier task than 6b"},
        {"name": "earlier catalog's setting: RNN final validation accuracy, net 0",
         "value": r["final_val_acc_seed0"], "paper_value": None, "verdict": "partial",
         "note": "catalog README: 0.123 (chance 0.125)"},
    ]
    lyapunov = {"method": "QR iteration along 64 validation sequences per net over steps [41, 49) (after t3)",
                "exponents": lyap}
    return cfg, metrics, headline, lyapunov, arrays
