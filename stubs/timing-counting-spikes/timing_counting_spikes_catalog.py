"""The earlier catalog's invented timing task (``timing_counting_spikes.py --setting catalog``).

Not the paper's experiment: it is kept to run and time the earlier catalog's own recipe
(results_catalog.json). Two input spikes at t1 and t2 = t1 + D, D in [30, 60], T = 150; target a
single spike at t1 + 2D; 8 forget-gate LSTM units (forget bias +1) with or without peepholes
(gradients through them), g = h = tanh, linear output, per-step MSE, Adam lr 5e-3 halved every
1500 iterations, global clip 1, batch 32, 3000 iterations, full BPTT. Solved: argmax of the output
after t2 is exactly t1 + 2D.

The cell is the family core's tanh peephole cell (shared/lstm_gers: 8 one-cell blocks);
``catalog_loss_grads`` is a speed-tuned float32 forward and exact backward pass for it (the tests
check it against the core's in float64).
"""
import numpy as np
from timing_counting_spikes import PAPER

from shared import cli
from shared.gradcheck import check_gradients
from shared.optim import Adam
from shared.results import finish_run, record
from shared.rng import streams

TITLE = "Timing: the earlier catalog's invented interval-reproduction task"

CAT_T, CAT_H, CAT_ITERS, CAT_BATCH, CAT_DMIN, CAT_DMAX = 150, 8, 3000, 32, 30, 60


def catalog_batch(rng, shape):
    """x (T, S, N) spikes at t1, t2; target (T, S, N) one spike at t1 + 2D; t2, tt (S, N)."""
    D = rng.integers(CAT_DMIN, CAT_DMAX + 1, size=shape)
    t1 = rng.integers(0, CAT_T - 2 * D)                               # t1 + 2D <= T - 1
    x = np.zeros((CAT_T,) + shape, np.float32)
    tg = np.zeros_like(x)
    si, ni = np.indices(shape)
    x[t1, si, ni] = 1.0
    x[t1 + D, si, ni] = 1.0
    tg[t1 + 2 * D, si, ni] = 1.0
    return x, tg, t1 + D, t1 + 2 * D


def catalog_init(rng, S, peep):
    """W (S, 1 + H + 1, 4H) columns i, f, g, o; P (S, 3, H) peepholes i, f, o; V (S, H + 1).

    The catalog's scales: input weights N(0, 0.5^2), recurrent N(0, (0.5 / sqrt(H))^2), biases 0
    but forget +1, peepholes N(0, 0.1^2), output weights N(0, 1 / H), output bias 0.
    """
    H = CAT_H
    W = np.zeros((S, H + 2, 4 * H))
    W[:, 0] = 0.5 * rng.standard_normal((S, 4 * H))
    W[:, 1:H + 1] = 0.5 / np.sqrt(H) * rng.standard_normal((S, H, 4 * H))
    W[:, -1, H:2 * H] = 1.0                                           # forget bias +1
    P = 0.1 * rng.standard_normal((S, 3, H)) * np.asarray(peep, float)[:, None, None]
    V = np.zeros((S, H + 1))
    V[:, :H] = rng.standard_normal((S, H)) / np.sqrt(H)
    return {"W": W.astype(np.float32), "P": P.astype(np.float32), "V": V.astype(np.float32)}


_BUF = {}


def _buffers(T, S, N, H, dt):
    """Work arrays and their per-step views for one (T, S, N, dtype), made once and reused:
    fresh arrays cost page faults at every iteration, and slicing inside the time loop costs
    as much as the arithmetic on arrays this small."""
    key = (T, S, N, H, np.dtype(dt).str)
    if key in _BUF:
        return _BUF[key]
    b = {n: np.empty((T, S, N, 4 * H), dt) for n in ("Z", "A", "D", "dZ")}
    b.update({n: np.empty((T + 1, S, N, H), dt) for n in ("C", "TC", "Hs")})
    b.update({n: np.empty((T, S, N, H), dt) for n in ("DY", "OC")})
    b.update(M=np.empty((S, N, 4 * H), dt), PC=np.empty((S, N, 2, H), dt), t1=np.empty((S, N, H), dt),
             dh=np.empty((S, N, H), dt), dc=np.empty((S, N, H), dt))
    Z, A, D, dZ, C = b["Z"], b["A"], b["D"], b["dZ"], b["C"]
    split = (S, N, 2, H)
    b["v"] = [dict(Z=Z[t], Zif=Z[t, ..., :2 * H].reshape(split), Zifg=Z[t, ..., :3 * H],
                   Zo=Z[t, ..., 3 * H:], Aif=A[t, ..., :2 * H], Aifg=A[t, ..., :3 * H], Ai=A[t, ..., :H],
                   Af=A[t, ..., H:2 * H], Ag=A[t, ..., 2 * H:3 * H], Ao=A[t, ..., 3 * H:],
                   Cp=C[t], Cp4=C[t][:, :, None], Cn=C[t + 1], TCn=b["TC"][t + 1],
                   Hp=b["Hs"][t], Hn=b["Hs"][t + 1],
                   Do=D[t, ..., 3 * H:], Difg=D[t, ..., :3 * H].reshape(S, N, 3, H), OC=b["OC"][t],
                   DY=b["DY"][t], dZ=dZ[t], dZo=dZ[t, ..., 3 * H:],
                   dZifg=dZ[t, ..., :3 * H].reshape(S, N, 3, H), dZif=dZ[t, ..., :2 * H].reshape(split))
              for t in range(T)]
    b["dc4"] = b["dc"][:, :, None]
    _BUF[key] = b
    return b


def catalog_loss_grads(p, x, tg, peep_mask):
    """Per-step MSE (mean over time and batch, per net) and the exact BPTT gradient of the catalog's
    training loss, 1/2 sum over time of the squared error, mean over the batch.

    x, tg (T, S, N). Peephole LSTM (Gers 2002 placement: i, f see c(t-1), o sees c(t)) with tanh
    cell input and output squashing. Returns loss (S,), y (T, S, N), grads keyed like p.
    """
    T, S, N = x.shape
    H, W, P, V = CAT_H, p["W"], p["P"], p["V"]
    dt = W.dtype
    b = _buffers(T, S, N, H, dt)
    Z, A, D, dZ, C, TC, Hs, DY, OC = (b[k] for k in ("Z", "A", "D", "dZ", "C", "TC", "Hs", "DY", "OC"))
    M, PC, t1, dh, dc, dc4 = (b[k] for k in ("M", "PC", "t1", "dh", "dc", "dc4"))
    C[0], TC[0], Hs[0] = 0.0, 0.0, 0.0
    # sigma(z) = (1 + tanh(z / 2)) / 2: the gates' weights and peepholes are halved once here, so
    # one tanh per step serves the input and forget gates and the cell input
    half = np.r_[np.full(2 * H, 0.5), np.ones(H), np.full(H, 0.5)].astype(dt)
    Wh = W[:, 1:H + 1] * half                                          # (S, H, 4H): h(t-1) -> nets
    np.multiply(x[..., None], W[None, :, None, 0] * half, out=Z)        # (T, S, N, 4H): input + bias
    Z += W[None, :, None, -1] * half
    Pif = 0.5 * P[:, None, :2]                                         # (S, 1, 2, H)
    Po = 0.5 * P[:, None, 2]                                           # (S, 1, H)
    for v in b["v"]:
        np.matmul(v["Hp"], Wh, out=M)
        v["Z"] += M
        np.multiply(Pif, v["Cp4"], out=PC)                             # i, f see c(t-1)
        v["Zif"] += PC
        np.tanh(v["Zifg"], out=v["Aifg"])
        v["Aif"] *= 0.5
        v["Aif"] += 0.5
        np.multiply(v["Af"], v["Cp"], out=v["Cn"])                     # c = f c(t-1) + i g
        np.multiply(v["Ai"], v["Ag"], out=t1)
        v["Cn"] += t1
        np.multiply(Po, v["Cn"], out=t1)                               # o sees c(t)
        t1 += v["Zo"]
        np.tanh(t1, out=v["Ao"])
        v["Ao"] *= 0.5
        v["Ao"] += 0.5
        np.tanh(v["Cn"], out=v["TCn"])
        np.multiply(v["Ao"], v["TCn"], out=v["Hn"])                    # h = o tanh(c)
    y = np.matmul(Hs[1:], V[:, :H, None])[..., 0] + V[None, :, None, H]        # (T, S, N)
    e = y - tg
    loss = (e * e).mean(axis=(0, 2))
    dy = e / N
    i, f, g, o = A[..., :H], A[..., H:2 * H], A[..., 2 * H:3 * H], A[..., 3 * H:]
    D[..., :H] = g * i * (1 - i)
    D[..., H:2 * H] = C[:-1] * f * (1 - f)
    D[..., 2 * H:3 * H] = i * (1 - g * g)
    D[..., 3 * H:] = TC[1:] * o * (1 - o)
    np.multiply(o, 1 - TC[1:] ** 2, out=OC)
    np.multiply(dy[..., None], V[None, :, None, :H], out=DY)
    dh[...] = 0.0
    dc[...] = 0.0
    WrT = np.ascontiguousarray(np.swapaxes(W[:, 1:H + 1], 1, 2))       # (S, 4H, H), unscaled
    Pif_b = P[:, None, :2]                                             # (S, 1, 2, H)
    Po_b = P[:, None, 2]
    for v in reversed(b["v"]):
        dh += v["DY"]
        np.multiply(dh, v["Do"], out=v["dZo"])                         # h = o tanh(c)
        np.multiply(dh, v["OC"], out=t1)
        dc += t1
        np.multiply(v["dZo"], Po_b, out=t1)                            # o saw c(t)
        dc += t1
        np.multiply(dc4, v["Difg"], out=v["dZifg"])                    # c = f c(t-1) + i g
        dc *= v["Af"]
        np.multiply(v["dZif"], Pif_b, out=PC)                         # i, f saw c(t-1)
        dc += PC[:, :, 0]
        dc += PC[:, :, 1]
        np.matmul(v["dZ"], WrT, out=dh)
    U = np.concatenate([x[..., None], Hs[:-1], np.ones((T, S, N, 1), dt)], axis=-1)
    gW = np.matmul(U.transpose(1, 3, 0, 2).reshape(S, H + 2, T * N),
                   dZ.transpose(1, 0, 2, 3).reshape(S, T * N, 4 * H))
    gP = np.stack([np.einsum("tsnh,tsnh->sh", dZ[..., :H], C[:-1]),
                   np.einsum("tsnh,tsnh->sh", dZ[..., H:2 * H], C[:-1]),
                   np.einsum("tsnh,tsnh->sh", dZ[..., 3 * H:], C[1:])], axis=1)
    gP *= peep_mask[:, None, None]
    gV = np.concatenate([np.einsum("tsn,tsnh->sh", dy, Hs[1:]), dy.sum(axis=(0, 2))[:, None]], axis=1)
    return loss, y, {"W": gW, "P": gP.astype(dt), "V": gV}


def catalog_run(args):
    """The earlier catalog's headline: its peephole net (n seeds on one net axis; its README's
    no-peephole baseline was a separate run and is not repeated here)."""
    q = args.quick
    n = args.catalog_seeds
    iters = 20 if q else CAT_ITERS
    r = streams(args.seed, ["init", "data", "eval"])
    peep = np.ones(n, bool)
    S = len(peep)
    p = catalog_init(r["init"], S, peep)
    pm = peep.astype(np.float32)
    opt = Adam(p, lr=5e-3, clip=1.0, per_member=True)
    xv, tv, t2v, ttv = catalog_batch(r["eval"], (1, 64 if q else 512))
    xv, tv = (np.ascontiguousarray(np.broadcast_to(a, (CAT_T, S, a.shape[2]))) for a in (xv, tv))
    print(f"the earlier catalog's task: T={CAT_T}, D in [{CAT_DMIN}, {CAT_DMAX}], {CAT_H} units, "
          f"{n} peephole net(s), {iters} Adam iterations of batch {CAT_BATCH}")
    timer = cli.Timer()
    curve = []
    for it in range(iters):
        if it == CAT_ITERS // 2:
            opt.lr *= 0.5                                              # lr halved every 1500 iterations
        x, tg, _, _ = catalog_batch(r["data"], (S, CAT_BATCH))
        loss, _, g = catalog_loss_grads(p, x, tg, pm)
        cli.check_finite(it, loss=loss)
        opt.step(g)
        if (it + 1) % (10 if q else 500) == 0:
            curve.append(loss)
            print(f"  iter {it + 1:5d}  train MSE {np.round(loss, 5).tolist()}  "
                  f"{cli.progress(it + 1, iters, timer())}", flush=True)
    loss, y, _ = catalog_loss_grads(p, xv, tv, pm)
    steps = np.arange(CAT_T)[:, None, None]
    after = np.where(steps > t2v[0][None, None, :], y, -np.inf)        # (T, S, N): only after t2
    solve = (after.argmax(axis=0) == ttv[0][None, :]).mean(axis=1)     # (S,)
    train_s = timer()
    return peep, loss, solve, np.array(curve), train_s


def catalog_gradient_checks(rng):
    """The earlier catalog's 8-unit peephole LSTM: exact BPTT (through the peepholes) vs central
    differences, for a net with and one without peepholes."""
    errs = {}
    pm = np.array([1.0, 0.0])
    pc = {k: v.astype(np.float64) + rng.uniform(-0.3, 0.3, size=v.shape)
          for k, v in catalog_init(rng, 2, [True, False]).items()}
    pc["P"] *= pm[:, None, None]
    xc, tc_ = rng.normal(size=(6, 2, 3)), rng.uniform(size=(6, 2, 3))
    gc = catalog_loss_grads(pc, xc, tc_, pm)[2]
    gc["P"] = gc["P"][:1].copy()                                       # net 1 has no peepholes
    pP = {"W": pc["W"], "V": pc["V"], "P": pc["P"][:1].copy()}

    def cat_loss():
        full = dict(pP, P=np.concatenate([pP["P"], np.zeros_like(pP["P"])]))
        return float(0.5 * xc.shape[0] * catalog_loss_grads(full, xc, tc_, pm)[0].sum())   # the trained loss
    for name, v in check_gradients(cat_loss, pP, gc, eps=5e-3, richardson=True).items():
        errs[f"catalog LSTM exact BPTT vs finite differences: {name}"] = v
    return errs


def verdict_catalog():
    """partial at best: not the paper's task (an invented interval-reproduction task)."""
    return "partial"


def run(args, timer):
    """--setting catalog: train, test and write results_catalog.json."""
    cli.quick(args, catalog_seeds=1)
    peep, loss, solve, curve, train_s = catalog_run(args)
    metrics = {"peephole": {"test_mse": loss.tolist(), "solve_rate": solve.tolist()},
               "timing": {"train_wall_s": train_s}}
    cfg = {"setting": "catalog", "T": CAT_T, "D_range": [CAT_DMIN, CAT_DMAX], "units": CAT_H,
           "iters": CAT_ITERS if not args.quick else 20, "batch": CAT_BATCH,
           "optimizer": "Adam lr 5e-3 halved at 1500, clip 1 per net", "n_seeds": len(peep),
           "dtype": "float32", "n_test": 64 if args.quick else 512}
    headline = [
        {"name": "earlier catalog's invented task: peephole net, exact-step solve rate",
         "value": float(solve.mean()), "paper_value": None, "verdict": verdict_catalog(),
         "note": "catalog: 0.998 (README, seed 4), 0.984 (its run here); not the paper's task: partial"},
        {"name": "earlier catalog's invented task: peephole net, test MSE", "value": float(loss.mean()),
         "paper_value": None, "verdict": verdict_catalog(),
         "note": "catalog: 0.00073 (README), 0.00090 (its run here)"}]
    finish_run(args.out, record(args, __file__, title=TITLE, paper=PAPER, config=cfg, metrics=metrics,
                                headline=headline, lyapunov=None), {"catalog_curve": curve}, timer)
