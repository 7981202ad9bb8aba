"""LSTM: A Search Space Odyssey, the earlier catalog's setting (``--setting catalog`` of
lstm_search_space_odyssey.py).

The earlier catalog's version of this stub, kept for comparison: not the paper's random search but
one fixed configuration on the adding problem with T = 50 (values U[0, 1], one marker in each half
of the sequence, target X1 + X2 read by a linear output at the last step, squared error): V and
the seven variants without FGR, 12 cells each, Adam at 5e-3, batch 32, 1500 steps, 3 seeds per
cell, test MSE on 1000 fresh sequences. The cells are lstm_search_space_odyssey.py's. Its README
reported the median test MSEs in EARLIER_CATALOG_MSE: CIFG best (0.0010), NIG worst (0.0088).

Arrays: x (T, S, B, 2) = (time, seed, sequence, [value, marker]); targets (S, B).

    python3 lstm_search_space_odyssey.py --setting catalog
"""
from lstm_search_space_odyssey import (  # first: its preamble pins BLAS before numpy loads
    PAPER, VARIANTS, Cell, cell_forward, loss_and_grads, loss_only, zero_state)

import numpy as np

from shared import cli
from shared.ensemble import map_jobs
from shared.gradcheck import check_gradients
from shared.optim import Adam
from shared.results import finish_run, record
from shared.rng import streams

TITLE = "LSTM: A Search Space Odyssey (earlier catalog's setting)"
# the earlier catalog's median test MSE per cell, from its README
EARLIER_CATALOG_MSE = {"CIFG": 0.0010, "NOAF": 0.0017, "NIAF": 0.0027, "V": 0.0028, "NP": 0.0028,
                       "NOG": 0.0029, "NFG": 0.0033, "NIG": 0.0088}
LEARNED_MSE = 0.05           # far below the target's variance 1/6: the cell solved the task


def adding_batch(rng, n, T=50):
    """The earlier catalog's adding problem: values U[0, 1], one marker in the first half, one in the
    second half, target X1 + X2 at the last step. Returns x (T, n, 2), target (n,)."""
    x = np.zeros((T, n, 2))
    x[..., 0] = rng.uniform(0.0, 1.0, size=(T, n))
    p1 = rng.integers(0, T // 2, size=n)
    p2 = rng.integers(T // 2, T, size=n)
    x[p1, np.arange(n), 1] = 1.0
    x[p2, np.arange(n), 1] = 1.0
    return x, x[p1, np.arange(n), 0] + x[p2, np.arange(n), 0]


def mse_last_loss(p, Y, target):
    """Linear output at the last step only: Y (T, S, B, H), target (S, B) -> per-net mean squared
    error (S,), dY and output gradients."""
    B = Y.shape[2]
    out = np.matmul(Y[-1], p["Wy"])[..., 0] + p["by"][:, None, 0]   # (S, B)
    err = out - target
    loss = (err ** 2).mean(axis=1)
    dout = (2.0 / B) * err[..., None]                       # (S, B, 1)
    dY = np.zeros_like(Y)
    dY[-1] = np.matmul(dout, np.swapaxes(p["Wy"], 1, 2))
    return loss, dY, {"Wy": np.matmul(np.swapaxes(Y[-1], 1, 2), dout), "by": dout.sum(axis=1)}


def train_catalog_variant(job):
    """Train the seeds of one cell with Adam on the shared batches; test MSE per seed (worker entry)."""
    v, cfg, seed = job["variant"], job["cfg"], job["seed"]
    rs = streams(seed, ["data", "eval"] + [f"init_{u}" for u in VARIANTS])
    rng_init = rs[f"init_{v}"]
    rng_data = rs["data"]                                   # the same batches for every variant
    S, H = cfg["n_seeds"], cfg["hidden"]
    cell = Cell(v, 2, H, 1)
    p = cell.init(rng_init, S)
    opt = Adam(p, lr=cfg["lr"], per_member=True)
    for step in range(cfg["steps"]):
        x, tgt = adding_batch(rng_data, S * cfg["batch"], cfg["T"])
        x = x.reshape(cfg["T"], S, cfg["batch"], 2).astype(np.float32)
        loss, g, _, _ = loss_and_grads(cell, p, x, zero_state(cell, S, cfg["batch"]),
                                       tgt.reshape(S, cfg["batch"]).astype(np.float32), mse_last_loss)
        cli.check_finite(step, loss=loss)
        opt.step(g)
    x, tgt = adding_batch(rs["eval"], cfg["n_test"], cfg["T"])
    xs = np.broadcast_to(x[:, None].astype(np.float32), (cfg["T"], S, cfg["n_test"], 2))
    Y, _, _ = cell_forward(cell, p, np.ascontiguousarray(xs), zero_state(cell, S, cfg["n_test"]))
    mse, _, _ = mse_last_loss(p, Y, np.broadcast_to(tgt[None].astype(np.float32), (S, cfg["n_test"])))
    return {"variant": v, "mse": mse.astype(float), "n_weights": cell.n_weights()}


def verdict_best(rank, learned, names):
    """yes: CIFG has the lowest median and every cell learned; partial: CIFG lowest."""
    if rank[0] == "CIFG":
        return "yes" if len(learned) == len(names) else "partial"
    return "no"


def verdict_worst(rank, learned):
    """yes: NIG has the highest median and learned (a last place among cells that never learned
    the task is noise)."""
    return "yes" if rank[-1] == "NIG" and "NIG" in learned else "no"


def headline_rows(med, rank, learned, names, cfg):
    n_l = f"{len(learned)}/{len(names)} cells learned (median MSE < {LEARNED_MSE}; target variance 0.167)"
    return [
        {"name": f"best variant by median test MSE (adding T={cfg['T']}, {cfg['n_seeds']} seeds)",
         "value": rank[0], "paper_value": "CIFG (earlier catalog: 0.0010)",
         "verdict": verdict_best(rank, learned, names),
         "note": f"here {rank[0]} {med[rank[0]]:.4f}; CIFG {med['CIFG']:.4f}; {n_l}"},
        {"name": "worst variant by median test MSE", "value": rank[-1],
         "paper_value": "NIG (earlier catalog: 0.0088)",
         "verdict": verdict_worst(rank, learned),
         "note": f"here {rank[-1]} {med[rank[-1]]:.4f}; NIG {med['NIG']:.4f}; {n_l}; a last place "
                 f"among cells that never learned is noise"}]


def run(args, timer):
    """--setting catalog: train every cell but FGR, rank the cells by median test MSE."""
    cfg = {"T": 50, "hidden": 12, "lr": 5e-3, "batch": 32, "steps": 60 if args.quick else 1500,
           "n_seeds": 3, "n_test": 1000, "workers": args.workers}
    names = [v for v in VARIANTS if v != "FGR"]
    print(f"earlier catalog's setting: adding problem T={cfg['T']}, {len(names)} cells, hidden "
          f"{cfg['hidden']}, Adam {cfg['lr']}, batch {cfg['batch']}, {cfg['steps']} steps, "
          f"{cfg['n_seeds']} seeds each")
    res = map_jobs(train_catalog_variant, [{"variant": v, "cfg": cfg, "seed": args.seed} for v in names],
                   workers=args.workers)
    med = {r["variant"]: float(np.median(r["mse"])) for r in res}
    for r in res:
        print(f"  {r['variant']:5s} test MSE per seed {np.round(r['mse'], 4).tolist()}  median "
              f"{med[r['variant']]:.4f}")
    rank = sorted(med, key=med.get)
    print(f"  ranking by median MSE: {' < '.join(rank)}  ({timer():.1f}s)")
    # a ranking among cells stuck on the plateau is noise, so a match counts only where they learned
    learned = [v for v in names if med[v] < LEARNED_MSE]
    metrics = {"median_mse": med, "mse_per_seed": {r["variant"]: r["mse"] for r in res},
               "ranking": rank, "earlier_catalog_median_mse": EARLIER_CATALOG_MSE,
               "n_weights": {r["variant"]: r["n_weights"] for r in res},
               "timing": {"wall_s": timer()}}
    config = {**cfg, "variants": names, "n_seeds": cfg["n_seeds"] * len(names),
              "seeds_per_variant": cfg["n_seeds"]}
    rec = record(args, __file__, title=TITLE, paper=PAPER, config=config, metrics=metrics,
                 headline=headline_rows(med, rank, learned, names, cfg), lyapunov=None)
    finish_run(args.out, rec, {"median_mse": np.array([med[v] for v in names])}, timer)


def gradient_checks(rng, T=5, S=2, B=3, H=3):
    """Finite differences of the adding-problem loss (linear output at the last step) through V."""
    cell = Cell("V", 2, H, 1)
    p = cell.init(rng, S, scale=0.6, dtype=np.float64)
    x, tgt = rng.standard_normal((T, S, B, 2)), rng.standard_normal((S, B))
    _, g, _, _ = loss_and_grads(cell, p, x, zero_state(cell, S, B, np.float64), tgt, mse_last_loss)
    loss = lambda: loss_only(cell, p, x, zero_state(cell, S, B, np.float64), tgt, mse_last_loss)  # noqa: E731
    return {f"adding.{name}": e for name, e in check_gradients(loss, p, g, eps=1e-3, richardson=True).items()}
