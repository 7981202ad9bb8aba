"""The earlier catalog's version of a^n b^n / a^n b^n c^n (``anbn_anbncn.py --setting catalog``).

Not the paper's experiment: it is kept to run and time the earlier catalog's own recipe
(results_catalog.json). 2 (CFL) / 3 (CSL) peephole cells with g = h = tanh, cell biases, outputs
on [y_c, 1], per-symbol binary cross-entropy, exact BPTT (through the peepholes), Adam lr 0.01 with
clip 1, one string per update, n uniform in 1..10, 4000 / 8000 strings, init N(0, 0.1^2) with
input-gate bias -1 and forget-gate bias +1; test n = 1..100. The two languages train in two worker
processes (--workers).

The cell is the family core's (shared/lstm_gers) with this wiring; ``catalog_grads`` is a
speed-tuned forward and exact backward pass for it (tests check it against the core's). Arrays as
in anbn_anbncn.py: x (L, S, K), W (S, D, 4C), P (S, 3, C), V (S, K, D).
"""
import os

import numpy as np
from anbn_anbncn import PAPER, TRAIN_N, Lang, accept, gen_range

from shared import cli
from shared.ensemble import map_jobs
from shared.lstm_gers import lstm
from shared.lstm_gers.lstm import sigmoid
from shared.optim import Adam
from shared.results import finish_run, record
from shared.rng import streams

TITLE = "a^n b^n and a^n b^n c^n: the earlier catalog's setting"


def catalog_cell(K, C):
    """C one-cell peephole blocks with g = h = tanh, cell biases, outputs on [y_c, 1]."""
    return lstm.Cell(K, C, peephole=True, squash=lstm.TANH, cell_bias=True, out_x=False)


CAT = {"lr": 0.01, "clip": 1.0, "strings": {"anbn": 4000, "anbncn": 8000}, "cells": {"anbn": 2, "anbncn": 3},
       "init_sd": 0.1, "test_max": 100}


def catalog_grads(a, p, x, d):
    """The catalog net's forward pass and exact BPTT (through the peepholes and y_c(t-1)) of the
    summed per-symbol binary cross-entropy, written for speed: one string per net, every local
    derivative computed for all steps at once, the loops keep only the recurrences. x, d (L, S, K).
    Must equal forward + grads_bptt (a test checks it). Returns gradients masked to the weights."""
    L, S, K = x.shape
    C, W, P, V = a.nc, p["W"], p["P"], p["V"]
    WR = W[:, a.R]                                        # (S, C, H) recurrent rows
    NET = np.einsum("tsk,skh->tsh", x, W[:, :K]) + W[:, -1]   # input and bias part of every net input
    scale = np.r_[np.full(2 * C, 0.5), np.ones(C)]        # sigmoid(v) = (1 + tanh(v / 2)) / 2; g = tanh
    Z = np.empty((L, S, 3 * C))                           # tanh of [input, forget, cell] net inputs
    Yo = np.empty((L, S, C))
    Th = np.empty((L, S, C))
    St = np.zeros((L + 1, S, C))
    Yc = np.zeros((L + 1, S, C))
    P01, P2 = P[:, :2], P[:, 2]
    for t in range(L):
        net = NET[t] + np.matmul(Yc[t][:, None, :], WR)[:, 0]
        net[:, :2 * C].reshape(S, 2, C)[...] += P01 * St[t][:, None, :]
        z = np.tanh(net[:, :3 * C] * scale)
        Z[t] = z
        sg = 0.5 + 0.5 * z[:, :2 * C]
        st = sg[:, C:] * St[t] + sg[:, :C] * z[:, 2 * C:]
        St[t + 1] = st
        yo = sigmoid(net[:, 3 * C:] + P2 * st)
        Yo[t] = yo
        th = np.tanh(st)
        Th[t] = th
        Yc[t + 1] = yo * th
    Oin = np.concatenate([x, Yc[1:], np.ones((L, S, 1))], -1)
    y = sigmoid(np.einsum("tsd,skd->tsk", Oin, V))
    dz = y - d                                            # BCE through the logistic
    gV = np.einsum("tsk,tsd->skd", dz, Oin)
    dYC = np.einsum("tsk,skc->tsc", dz, V[:, :, a.R])      # (L, S, C)
    SG = 0.5 + 0.5 * Z[..., :2 * C]
    B3 = np.empty((L, S, 3, C))                           # ds(t) -> d net of [input, forget, cell]
    B3[:, :, 0] = Z[..., 2 * C:] * SG[..., :C] * (1 - SG[..., :C])
    B3[:, :, 1] = St[:-1] * SG[..., C:] * (1 - SG[..., C:])
    B3[:, :, 2] = SG[..., :C] * (1 - Z[..., 2 * C:] ** 2)
    A = Yo * (1 - Th ** 2)                                # dy_c/ds through h
    DO = Th * Yo * (1 - Yo)                               # dy_c -> d net_out
    F = SG[..., C:]
    WRT = np.swapaxes(WR, 1, 2)                           # (S, H, C)
    DN = np.empty((L, S, 4 * C))
    carry = np.zeros((S, C))
    dr = np.zeros((S, C))
    P0, P1 = P[:, 0], P[:, 1]
    for t in range(L - 1, -1, -1):
        dyc = dYC[t] + dr
        dno = dyc * DO[t]
        ds = carry + dyc * A[t] + dno * P2
        dn = DN[t]
        np.multiply(B3[t], ds[:, None, :], out=dn[:, :3 * C].reshape(S, 3, C))
        dn[:, 3 * C:] = dno
        carry = ds * F[t] + dn[:, :C] * P0 + dn[:, C:2 * C] * P1
        dr = np.matmul(dn[:, None, :], WRT)[:, 0]
    U = np.concatenate([x, Yc[:-1], np.ones((L, S, 1))], -1)
    gW = np.einsum("tsd,tsh->sdh", U, DN) * a.wmask
    gP = np.stack([(DN[..., :C] * St[:-1]).sum(0), (DN[..., C:2 * C] * St[:-1]).sum(0),
                   (DN[..., 3 * C:] * St[1:]).sum(0)], 1)
    return {"W": gW, "P": gP, "V": gV * a.vmask}


def catalog_job(job):
    """One language of the earlier catalog's setting (a worker process): (seed, blocks, S, quick)
    -> (key, metrics, accept map, wall seconds, CPU seconds)."""
    seed, blocks, S, quick = job
    t0 = cli.Timer()
    lang = Lang(blocks)
    key = lang.name
    r = streams(seed, ["init_anbn", "data_anbn", "init_anbncn", "data_anbncn"])
    r_init, r_data = r[f"init_{key}"], r[f"data_{key}"]
    a = catalog_cell(lang.K, CAT["cells"][key])
    sd = CAT["init_sd"]
    p = {"W": r_init.normal(0, sd, size=(S, a.D, a.H)), "P": r_init.normal(0, sd, size=(S, 3, a.nc)),
         "V": r_init.normal(0, sd, size=(S, a.K, a.D)) * a.vmask}
    p["W"][:, -1] = 0.0
    p["W"][:, -1, a.I] = -1.0
    p["W"][:, -1, a.F] = 1.0
    p["V"][:, :, -1] = 0.0
    opt = Adam(p, lr=CAT["lr"], clip=CAT["clip"], per_member=True)
    n_str = 40 if quick else CAT["strings"][key]
    tables = [lang.string(n) for n in range(1, TRAIN_N + 1)]
    eye = np.eye(a.K)
    for it in range(n_str):
        n = int(r_data.integers(1, TRAIN_N + 1))          # one string per update, the same for every net
        sym, tgt = tables[n - 1]
        x = np.ascontiguousarray(np.broadcast_to(eye[sym][:, None], (len(sym), S, a.K)))
        d = np.ascontiguousarray(np.broadcast_to(tgt[:, None], (len(sym), S, a.K)))
        opt.step(catalog_grads(a, p, x, d))
        if it % 500 == 0:
            cli.check_finite(it, **{f"catalog {key} {k}": v for k, v in p.items()})
    ok = accept(a, p, lang, CAT["test_max"])
    rg = gen_range(ok)
    m = {"weights": a.n_weights(), "strings": n_str, "generalisation_range": rg.tolist(),
         "median_range": float(np.median(rg)), "train_set_accepted": ok[:, :TRAIN_N].all(1).tolist()}
    print(f"  catalog {key}: ranges {rg.tolist()} (median {np.median(rg):.0f}), {t0():.1f}s", flush=True)
    return key, m, ok, t0(), float(sum(os.times()[:2]))


def verdict_catalog(median_cfl, median_csl):
    """partial at best (not the paper's learning rule or net): both medians beyond n = 10."""
    return "partial" if min(median_cfl, median_csl) > TRAIN_N else "no"


def catalog_run(args):
    """The earlier catalog's version: tanh peephole cells, BCE, Adam, exact BPTT, n ~ U{1..10};
    the two languages in two worker processes (--workers)."""
    S = args.catalog_nets
    metrics, headline, arrays, timing, cpu = {}, [], {}, {}, {}
    jobs = [(args.seed, 2, S, args.quick), (args.seed, 3, S, args.quick)]
    for key, m, ok, wall, cpu_s in map_jobs(catalog_job, jobs, workers=args.workers):
        metrics[key], arrays[f"{key}_accept"], timing[key], cpu[key] = m, ok, wall, cpu_s
    f_, c_ = metrics["anbn"], metrics["anbncn"]
    headline.append({
        "name": f"earlier catalog's setting: median contiguous range (n tested 1..{CAT['test_max']}), "
                f"a^n b^n / a^n b^n c^n, {S} nets",
        "value": f"{f_['median_range']:.0f} / {c_['median_range']:.0f}",
        "paper_value": None,
        "verdict": verdict_catalog(f_["median_range"], c_["median_range"]),
        "note": "earlier catalog (5 seeds): medians 100 (cap) / 24; Adam, BCE, full BPTT, not the paper's "
                "learning rule or net, so partial at best"})
    metrics["timing"] = {"kind_wall_s": timing, "kind_cpu_s": cpu, "catalog_wall_s_here": 33.28,
                         "load_average_1min_at_end": os.getloadavg()[0], "workers": args.workers}
    cfg = {"setting": "catalog", "n_seeds": S, "workers": args.workers, **CAT, "squash": "g = h = tanh",
           "loss": "per-symbol BCE",
           "gradient": "exact BPTT including the peepholes", "init": "N(0, 0.1^2); input-gate bias -1, "
           "forget-gate bias +1, other biases 0"}
    return cfg, metrics, headline, arrays


def run(args, timer):
    """--setting catalog: train, test and write results_catalog.json."""
    cfg, metrics, headline, arrays = catalog_run(args)
    finish_run(args.out, record(args, __file__, title=TITLE, paper=PAPER, config=cfg,
                                metrics=metrics, headline=headline, lyapunov=None), arrays, timer)
