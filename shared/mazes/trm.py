"""TRM, the Tiny Recursive Model (Jolicoeur-Martineau 2025, arXiv 2510.04871), on token grids.

The recursion, its truncated backward pass, TRM's training loop and its evaluation, shared by the
family's TRM stubs (trm-maze trains it; maze-ftle, maze-ptrm, maze-traj-perturb and maze-flossing
study it). The net of one call is shared.mazes.net (TRM-Local).

    one supervision step:  repeat T times:  repeat n times: z <- net(z + y + x)
                                            y <- net(y + z)
    only the last of the T cycles is differentiated, through all of its n + 1 net calls;
    logits = y W_out; halting logit q = mean(y) . w_q + b_q; (y, z) is carried, detached.

Training: deep supervision with a persistent batch of slots; every optimizer step runs one
supervision step for every slot, loss = mean token cross-entropy + q_weight * BCE(q, "answer
exactly right now"); a slot halts after N_sup steps, or when q > 0 (past a random minimum with
probability `explore`), and is refilled with a fresh maze in a random orientation and the fixed
initial (y, z). AdamW with linear warm-up; evaluation with an EMA of the weights, no halting.

cfg keys used: T, n, n_sup, d, hidden, n_seeds, batch, grid, steps, lr, warmup, beta1, beta2, wd,
ema, explore, q_weight, eval_every, n_curve.
Arrays: tokens (S, B, P, P) int; states (S, B, P, P, d); every weight has the leading seed axis S.
"""
import numpy as np

from shared import cli
from shared.mazes import grid, net
from shared.mazes.ftle import two_state_ftle
from shared.mazes.supervision import Slots, optimizer, optimizer_step, unroll_accuracy


# trm-maze's recipe (task size, net, recursion, training), which every TRM stub of the family trains
# with; a stub overrides what it changes (e.g. dict(RECIPE, steps=600)) and adds its own keys
RECIPE = dict(
    grid=9, kind="wilson",      # 9x9 tokens = 4x4 cells; DFS makes only 481 distinct 4x4 mazes (trm-maze)
    n_train=2000, n_test=1000,  # the 1k-train regime of Maze-Hard, doubled; test disjoint under symmetry
    d=32, hidden=64,            # 9,089 weights (TRM-Local, shared.mazes.net)
    T=2, n=3, n_sup=8,          # cycles, latent updates per cycle, supervision steps
    batch=64, steps=900, lr=1e-3, warmup=100, beta1=0.9, beta2=0.95, wd=0.1,
    ema=0.99,                   # TRM: 0.999 over 65k steps; the capped 900-step budget needs a shorter window
    explore=0.1, q_weight=0.5,
    n_seeds=3, eval_every=300, n_curve=256,
)

# ----------------------------------------------------------------------------------------------
# Model: one supervision step (T cycles, the last one differentiated) and its backward pass
# ----------------------------------------------------------------------------------------------
def latent_cycles(p, xe, y, z, cfg, n_cycles):
    """n_cycles full cycles without gradient: n times z <- net(z + y + x), then y <- net(y + z)."""
    for _ in range(n_cycles):
        for _ in range(cfg["n"]):
            z = net.net_forward(p, z, y + xe)[0]
        y = net.net_forward(p, y, z)[0]
    return y, z


def supervision_step(p, xe, y, z, cfg):
    """One call of TRM's inner model. xe, y, z (S, B, P, P, d).

    Returns y', z', logits (S, B, P, P, 5), q (S, B) and the cache of the last cycle.
    """
    y, z = latent_cycles(p, xe, y, z, cfg, cfg["T"] - 1)      # no-grad cycles
    y_in, caches = y, []
    for _ in range(cfg["n"]):                                  # the differentiated cycle
        z, c = net.net_forward(p, z, y_in + xe)
        caches.append(c)
    y, cy = net.net_forward(p, y_in, z)
    logits, q = net.heads(p, y)
    return y, z, logits, q, (caches, cy)


def loss_and_grads(p, tokens, target, xe, y_new, logits, q, cache, cfg, need_grads=True):
    """TRM's loss for one supervision step and its gradient through the last cycle.

    loss = mean_b [ mean_tokens CE(logits, target) + q_weight * BCE(q, exact) ], summed over
    seeds (each seed's gradient is its own). Returns (loss (S,), exact (S, B), grads).
    """
    S, B = target.shape[:2]
    P2 = target.shape[2] * target.shape[3]
    zmax = logits - logits.max(axis=-1, keepdims=True)
    logp = zmax - np.log(np.exp(zmax).sum(axis=-1, keepdims=True))
    onehot = (target[..., None] == np.arange(grid.N_OUT))                        # (S, B, P, P, 5)
    ce = -np.add.reduce((logp * onehot).reshape(S, B, -1), axis=-1) / P2     # (S, B)
    exact = np.all(logits.argmax(-1) == target, axis=(2, 3))                 # (S, B)
    tq = exact.astype(logits.dtype)
    bce = np.logaddexp(0, q) - tq * q                                          # BCE with logits
    loss = (ce + cfg["q_weight"] * bce).mean(axis=1)
    if not need_grads:
        return loss, exact, None
    g = net.zero_grads(p)
    dlogits = (np.exp(logp) - onehot) / (P2 * B)
    dq = cfg["q_weight"] * (1 / (1 + np.exp(-q)) - tq) / B
    dy = net.heads_backward(p, y_new, dlogits, dq, g)
    caches, cy = cache
    # y' = net(y_in + z_n): the y_in branch stops here (it came out of the no-grad cycles)
    dz = net.net_backward(p, dy, cy, g)
    dxe = np.zeros_like(dz)
    for c in reversed(caches):
        # z_i = net(z_{i-1} + y_in + x): the gradient reaches z_{i-1} and the embedded input x
        dz = net.net_backward(p, dz, c, g)
        dxe += dz
    net.embed_backward(dxe, tokens, grid.N_IN, g)
    return loss, exact, g


# ----------------------------------------------------------------------------------------------
# Training: deep supervision with a persistent carry, Q-head halting, AdamW, EMA
# ----------------------------------------------------------------------------------------------
def train(cfg, rngs, Xa, Ya, Xt, Yt, timer, log=print, init=None, on_eval=None):
    """TRM's training loop; returns (p, ema, y0, z0, curve, loss_hist, halt_steps).

    ``init = (p, y0, z0)`` starts from given weights and initial states (copied) instead of
    drawing them from ``rngs["init"]``. ``on_eval(step, ema, row)``, if given, is called after
    every evaluation with the EMA weights (the live dict: copy what you keep) and the curve row;
    it must not touch any random stream.
    """
    S, B, P, d = cfg["n_seeds"], cfg["batch"], cfg["grid"], cfg["d"]
    rng_init, rng_data = rngs["init"], rngs["batches"]
    if init is None:
        p = net.init_params(rng_init, S, d, cfg["hidden"])
        y0, z0 = net.init_states(rng_init, S, d)
    else:
        p, y0, z0 = {k: v.copy() for k, v in init[0].items()}, init[1].copy(), init[2].copy()
    opt, ema = optimizer(p, cfg)
    slots = Slots(cfg, Xa.shape[1], rng_data)
    y = np.zeros((S, B, P, P, d), np.float32)
    z = np.zeros_like(y)
    curve, ex_seen = [], 0
    loss_hist = np.zeros((cfg["steps"], S), np.float32)
    t_loop = cli.Timer()
    for step in range(1, cfg["steps"] + 1):
        # refill halted slots with a fresh maze in a random orientation and TRM's initial states
        tokens, target = slots.refill(Xa, Ya)                                   # (S, B, P, P)
        y, z = slots.reset(y, y0), slots.reset(z, z0)
        xe = net.embed(p, tokens)
        y, z, logits, q, cache = supervision_step(p, xe, y, z, cfg)
        loss, exact, g = loss_and_grads(p, tokens, target, xe, y, logits, q, cache, cfg)
        cli.check_finite(step, loss=loss)
        optimizer_step(opt, p, ema, g, step, cfg)
        loss_hist[step - 1] = loss
        ex_seen += S * B
        # halting (training only): N_sup reached, or q > 0 after a random minimum (exploration)
        slots.halt(q > 0)
        y, z = y.astype(np.float32), z.astype(np.float32)
        if step % cfg["eval_every"] == 0 or step == cfg["steps"]:
            ev = evaluate(ema, y0, z0, Xt[:cfg["n_curve"]], Yt[:cfg["n_curve"]], cfg, cfg["n_sup"])
            row = dict(step=step, examples=ex_seen // S, loss=loss_hist[max(0, step - 50):step].mean(0),
                       exact_1=ev["exact"][:, 0], exact_last=ev["exact"][:, -1], wall_s=timer())
            curve.append(row)
            if on_eval is not None:
                on_eval(step, ema, row)
            log(f"step {step:5d}  ex/seed {row['examples']:7d}  loss {np.mean(row['loss']):.4f}  "
                f"EMA exact@1 {np.mean(row['exact_1']):.3f}  @{cfg['n_sup']} {np.mean(row['exact_last']):.3f}"
                f"  (per seed {np.round(row['exact_last'], 3).tolist()})  "
                f"{cli.progress(step, cfg['steps'], t_loop())}")
    return p, ema, y0, z0, curve, loss_hist, np.array(slots.halt_steps)


# ----------------------------------------------------------------------------------------------
# Evaluation: all supervision steps, no halting, EMA weights
# ----------------------------------------------------------------------------------------------
def evaluate(p, y0, z0, X, Y, cfg, n_steps, chunk=200, keep=0):
    """Exact / token accuracy after each supervision step, per seed. X, Y (M, P, P).

    Returns exact (S, n_steps), token (S, n_steps), ok (S, M) at the last step, ok_all
    (S, n_steps, M), pred (S, M, P, P) at the last step, q (S, M, n_steps), and the predictions
    of the first ``keep`` mazes after every step (n_steps, S, keep, P, P); all M if keep > M.
    """
    def step(p, xe, y, z):                   # one supervision step: T cycles, then the heads
        y, z = latent_cycles(p, xe, y, z, cfg, cfg["T"])
        return (y, z) + net.heads(p, y)
    return unroll_accuracy(p, (y0, z0), X, Y, n_steps, step, chunk, keep)


# ----------------------------------------------------------------------------------------------
# Lyapunov fingerprint: finite-time exponents of the joint (y, z) recursion
# ----------------------------------------------------------------------------------------------
def z_update(p, y, z, xe):
    """z <- net(z + y + x): (new z, cache)."""
    return net.net_forward(p, z, y + xe)


def y_update(p, y, z, xe):
    """y <- net(y + z): (new y, cache)."""
    return net.net_forward(p, y, z)


def recursion_ftle(p, y0, z0, X, cfg, n_steps, k, rng):
    """Top-k finite-time exponents per maze of the sub-update map on s = (y, z), float64.

    Every net call is one map: z <- net(z + y + x) has tangent (ty, tz) -> (ty, J (tz + ty)),
    y <- net(y + z) has (ty, tz) -> (J (ty + tz), tz), with J v from the hand-written JVP.
    QR (positive diagonal) after every sub-update; lambda_i = mean ln R_ii over the
    n_steps * T * (n + 1) sub-updates of a fixed unroll from TRM's initial states
    (shared.mazes.ftle). X (M, P, P); returns (S, M, k), sorted descending, and the number of maps.
    """
    one_cycle = [(1, z_update)] * cfg["n"] + [(0, y_update)]
    return two_state_ftle(p, y0, z0, X, one_cycle * (n_steps * cfg["T"]), k, rng)
