"""The earlier catalog's version of the continual embedded Reber grammar
(``continual_embedded_reber.py --setting catalog``, results_catalog.json).

Not the paper's experiment: it is kept to run and time the earlier catalog's own recipe. 12 blocks
of 1 cell (with and without forget gates), cells and gates see [x, y_c(t-1), 1] (cell biases too),
gate biases -1 (input, output) and +1 (forget), a 7-way softmax on [y_c, 1] with cross-entropy on
the next symbol, chunks of 75 symbols with the state carried and the gradient cut at chunk
boundaries, |s| clipped at 50 after every chunk, Adam lr 0.01 clip 5, 2000 chunks; evaluation:
outer T/P recall and legal-symbol argmax accuracy on a 60-string stream.

The cell is the family core's (shared/lstm_gers) with this wiring; ``catalog_loss_grads`` is a
speed-tuned forward and exact backward pass for it (tests check it against the core's). Arrays as
in continual_embedded_reber.py.
"""
import os

import numpy as np
from continual_embedded_reber import NK, NX, PAPER, Streams, one_hot

from shared import cli
from shared.ensemble import sum_outer
from shared.lstm_gers import lstm
from shared.optim import Adam
from shared.results import finish_run, record
from shared.rng import streams

TITLE = "Continual embedded Reber grammar: the earlier catalog's setting"


def catalog_cell(forget):
    """12 one-cell blocks (forget gates or not), cell biases, a softmax on [y_c, 1]."""
    return lstm.Cell(NX, CAT["cells"], 1, forget=forget, squash=lstm.LOGISTIC_2000, cell_bias=True,
                     out_x=False, out="softmax", rows=True)


CAT = {"cells": 12, "lr": 0.01, "clip": 5.0, "chunk": 75, "state_clip": 50.0, "chunks": 2000,
       "eval_strings": 60}


def catalog_loss_grads(a, p, x, tgt, s0, y0):
    """The catalog nets' forward pass and exact BPTT of the summed softmax cross-entropy, written for
    speed (one-cell blocks, every local derivative computed for all steps at once; the loop keeps
    only the recurrences). x, tgt (L, S, N, 7); s0, y0 (S, N, C) the carried state (a constant: the
    gradient is cut at the chunk boundary). Must equal forward + grads_bptt (a test checks it).
    Returns the gradients {"W", "V"} (unmasked), s(L) and y_c(L)."""
    L, S, N, _ = x.shape
    C, W, V = a.nc, p["W"], p["V"]
    U = np.empty((L + 1, S, N, a.D))
    U[:L, ..., :NX] = x
    U[..., -1] = 1.0
    U[0, ..., a.R] = y0
    Z = np.empty((L, S, N, a.H))
    St = np.empty((L + 1, S, N, C))
    St[0] = s0
    HS = np.empty((L, S, N, C))
    Wh = 0.5 * W[:, None]
    gI, gF, gG, gO = a.I, a.F, a.G, a.O
    for t in range(L):
        z = Z[t]
        np.matmul(U[t, ..., None, :], Wh, out=z[..., None, :])
        np.tanh(z, out=z)
        ig = (z[..., gI] + 1.0) * z[..., gG]              # y_in g = (1 + tanh) / 2 * 2 tanh
        if a.forget:
            st = St[t] * (0.5 * z[..., gF] + 0.5)
            st += ig
            St[t + 1] = st
        else:
            np.add(St[t], ig, out=St[t + 1])
        np.tanh(0.5 * St[t + 1], out=HS[t])
        np.multiply(0.5 * z[..., gO] + 0.5, HS[t], out=U[t + 1, ..., a.R])
    SG = 0.5 * Z + 0.5
    Oin = U[1:].copy()
    Oin[..., :NX] = x
    zo = np.matmul(Oin[..., None, :], np.swapaxes(V, 1, 2)[:, None])[..., 0, :]
    e = np.exp(zo - zo.max(-1, keepdims=True))
    dz = e / e.sum(-1, keepdims=True) * tgt.sum(-1, keepdims=True) - tgt
    gV = np.einsum("tsnk,tsnd->skd", dz, Oin)
    dY = np.matmul(dz, V[None])[..., a.R]
    D = SG * (1.0 - SG)
    g = 2.0 * Z[..., gG]
    A = SG[..., gO] * 0.5 * (1.0 - HS * HS)               # dy_c/ds = y_out h'(s)
    B = np.empty_like(Z)
    B[..., gI] = g * D[..., gI]
    B[..., gG] = SG[..., gI] * (1.0 - Z[..., gG] ** 2)    # y_in g'(net), g' = 1 - tanh^2
    B[..., gO] = HS * D[..., gO]
    if a.forget:
        B[..., gF] = St[:L] * D[..., gF]
        Fn = SG[..., gF]
    WrT = np.swapaxes(W[:, a.R], 1, 2)[:, None]           # (S, 1, H, C)
    dZ = np.empty_like(Z)
    ds = np.zeros((S, N, C))
    Q = np.empty((S, N, a.H))
    for t in range(L - 1, -1, -1):
        dh = dY[t] if t == L - 1 else dY[t] + np.matmul(dZ[t + 1][..., None, :], WrT)[..., 0, :]
        if a.forget and t < L - 1:
            ds = ds * Fn[t + 1] + dh * A[t]
        else:
            ds = ds + dh * A[t]
        Q[..., :gO.start] = np.tile(ds, gO.start // C)
        Q[..., gO] = dh
        np.multiply(Q, B[t], out=dZ[t])
    return {"W": sum_outer(U[:L], dZ), "V": gV}, St[L], U[L, ..., a.R]


def verdict_catalog(recall_forget, recall_1997):
    """partial at best (a much easier test than the paper's): forget gates recall better."""
    return "partial" if recall_forget > recall_1997 else "no"


def catalog_run(args):
    """12x1 blocks with and without forget gates, softmax + cross-entropy, Adam, chunked BPTT."""
    q = args.quick
    S = args.catalog_nets
    n_chunks = 20 if q else CAT["chunks"]
    r = streams(args.seed, ["init", "data", "eval"])
    ev_sym, ev_legal, ev_start = Streams(r["eval"], 1).take(10_000)
    n_ev = np.flatnonzero(ev_start[:, 0])[CAT["eval_strings"]]   # the first 60 strings
    ev_sym, ev_legal = ev_sym[:n_ev, 0], ev_legal[:n_ev, 0]
    recall = ev_legal.sum(-1) == 1
    recall &= ev_legal[:, 1] | ev_legal[:, 2]                     # legal set {T} or {P}: the recall step
    metrics, headline, arrays, timing = {}, [], {}, {}
    for forget in (True, False):
        t0 = cli.Timer()
        a = catalog_cell(forget)
        key = "forget" if forget else "no_forget"
        p = {"W": r["init"].uniform(-0.2, 0.2, size=(S, a.D, a.H)),
             "V": r["init"].uniform(-0.2, 0.2, size=(S, NK, a.D)) * a.vmask}
        p["W"][:, -1, a.G] = 0.0
        p["W"][:, -1, a.I] = p["W"][:, -1, a.O] = -1.0
        if forget:
            p["W"][:, -1, a.F] = 1.0
        opt = Adam(p, lr=CAT["lr"], clip=CAT["clip"], per_member=True)
        gen = Streams(r["data"], S)
        cur = gen.take(1)[0][0]
        s0, y0 = np.zeros((S, 1, a.nc)), np.zeros((S, 1, a.nc))
        for k in range(n_chunks):
            nxt = gen.take(CAT["chunk"])[0]
            inp = np.concatenate([cur[None], nxt[:-1]])
            cur = nxt[-1]
            xin, tgt = one_hot(inp)[:, :, None], one_hot(nxt)[:, :, None]
            g, s_end, y0 = catalog_loss_grads(a, p, xin, tgt, s0, y0)
            g["W"] *= a.wmask
            g["V"] *= a.vmask
            opt.step(g)
            s0 = np.clip(s_end, -CAT["state_clip"], CAT["state_clip"])
            cli.check_finite(k, **{f"catalog {key} W": p["W"]})
        xe = np.ascontiguousarray(np.broadcast_to(one_hot(ev_sym)[:, None, None], (n_ev, S, 1, NX)))
        ce = lstm.forward(a, p, xe)
        arg = ce["y"][:, :, 0].argmax(-1)                          # (n_ev, S)
        lg = np.broadcast_to(ev_legal[:, None], (n_ev, S, NK))
        hit = np.take_along_axis(lg, arg[..., None], -1)[..., 0]
        m = {"weights": a.n_weights(), "legal_acc": hit.mean(0).tolist(),
             "outer_acc": hit[recall].mean(0).tolist(),
             "cell_norm_at_end": np.linalg.norm(ce["s"][-1, :, 0], axis=-1).tolist()}
        metrics[key] = m
        timing[key] = t0()
        arrays[f"{key}_outer_acc"] = np.array(m["outer_acc"])
        print(f"  catalog {key}: outer T/P acc {np.mean(m['outer_acc']):.3f}, "
              f"legal {np.mean(m['legal_acc']):.3f}, "
              f"|s| {np.mean(m['cell_norm_at_end']):.2f}, {timing[key]:.1f}s", flush=True)
    f_, n_ = metrics["forget"], metrics["no_forget"]
    headline.append({"name": "earlier catalog's setting: outer T/P recall on 60 strings, "
                             f"forget vs no forget "
                             f"({S} net{'s' if S > 1 else ''} each)",
                     "value": f"{np.mean(f_['outer_acc']):.3f} vs {np.mean(n_['outer_acc']):.3f}",
                     "paper_value": None,
                     "verdict": verdict_catalog(np.mean(f_["outer_acc"]), np.mean(n_["outer_acc"])),
                     "note": "earlier catalog (seed 0): 1.000 vs 0.500; a much easier test than the paper's "
                             "10^6-symbol criterion, so partial at best"})
    metrics["timing"] = {"kind_wall_s": timing, "catalog_wall_s_here": 16.39,
                         "load_average_1min_at_end": os.getloadavg()[0]}
    cfg = {"setting": "catalog", "n_seeds": S, **CAT, "chunks": n_chunks,
           "init": "U[-0.2, 0.2]; input/output-gate biases -1, forget +1, cell bias 0",
           "loss": "softmax cross-entropy of the next symbol", "gradient": "exact BPTT within chunks"}
    return cfg, metrics, headline, arrays


def run(args, timer):
    """--setting catalog: train, test and write results_catalog.json."""
    cfg, metrics, headline, arrays = catalog_run(args)
    finish_run(args.out, record(args, __file__, title=TITLE, paper=PAPER, config=cfg, metrics=metrics,
                                headline=headline, lyapunov=None), arrays, timer)
