"""Gradient flossing (Engelken 2023, arXiv 2312.17306): a delayed-XOR RNN, then the TRM recursion.

Gradient flossing pushes the Lyapunov exponents of a recurrent net's forward dynamics towards zero
by gradient descent on mean_i (lambda_i - 0)^2, where the exponents come from a QR iteration that
is differentiated like any other computation:

    h_n = J tanh(h_{n-1}) + b + w_s u_n,   D_n = diag(sech^2 h_n) J,
    D_n Q_{n-1} = Q_n R_n (QR every step),  lambda_i = mean_{n > transient} ln R_n[i, i].

Part 1, the positive control (Engelken's own setting): a vanilla tanh RNN (N = 80) reads a
random bit stream and must output, at every step t >= 2d, the XOR of the bits seen d and 2d steps
earlier (binary cross-entropy, AdamW 1e-3 with per-array gradient-norm clip 0.03, batch 16,
T = 300, 301 epochs of one batch). Arms: plain; pre-flossing (50 flossing epochs on one sequence,
75 exponents, horizon 55 steps) before training; pre- and inter-flossing (another 50 flossing
epochs after every 10 training epochs, twice). The flossing gradient is exact: through the QR
steps (shared.lyapunov.qr_backward) and through the state trajectory.

Part 2, the recursion: TRM (shared/mazes/trm.py, trm-maze's settings) on 9 x 9 Wilson mazes,
with and without pre-flossing the top-k finite-time exponents of its joint (y, z) recursion.
There the exact flossing gradient would need the second derivative of the net; we use the
note's first-order analogue: each sub-update's Jacobian on the (detached) orthonormal frame is
replaced by secant differences [F(s + eps q_i) - F(s)] / eps, whose weight gradient is two
ordinary backward passes, and the loss is the same mean of squared exponents.

    python3 maze_flossing.py --seed 0      # headline: both parts
    python3 maze_flossing.py --quick       # seconds; what the tests run

Arrays: runs (arm x delay x seed) on a leading axis R of every RNN weight; RNN states (R, B, N);
TRM as in shared/mazes (seed axis S first).
"""
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401  (pins BLAS to one thread before numpy loads)

import numpy as np

from shared import cli
from shared.ensemble import map_jobs
from shared.gradcheck import check_gradients
from shared.lyapunov import qr_backward, qr_positive
from shared.mazes import grid
from shared.mazes import net
from shared.mazes.trm import RECIPE, evaluate, recursion_ftle, train
from shared.optim import Adam
from shared.results import finish_run
from shared.rng import streams
from shared.stats import sign_flip_test, t_interval

PAPER = ("R. Engelken, Gradient Flossing: Improving Gradient Descent through Dynamic Control of "
         "Jacobians, NeurIPS 2023, arXiv 2312.17306; applied to TRM (A. Jolicoeur-Martineau, "
         "arXiv 2510.04871, 2025) on mazes as the recursive-reasoning seed did")
ARMS = ("plain", "pre", "pre+inter")

XOR = dict(N=80, B=16, T=300, epochs=301, lr=1e-3, clip=0.03, g=1.0, b_scale=0.1,
           k=75, horizon=55, transient=16, floss_T=300, pre_epochs=50,
           inter_every=10, inter_epochs=50, inter_times=2,
           delays=(10, 20), n_seeds=4, n_test=256, solved=0.95)
XOR_QUICK = dict(N=12, B=4, T=40, epochs=6, k=6, horizon=12, transient=3, floss_T=40, pre_epochs=3,
                 inter_every=3, inter_epochs=2, inter_times=1, delays=(3, 6), n_seeds=2, n_test=16)

MAZE = dict(                    # trm-maze's recipe (shared.mazes.trm), except steps and seeds (see README)
    RECIPE, eval_sup=8, steps=600, n_seeds=5,
    floss_k=8, floss_batch=4, floss_steps=50, floss_lr=1e-3, floss_eps=1e-3, floss_horizon=1,
    n_lyap=24, k_lyap=8)
MAZE_QUICK = dict(n_train=64, n_test=24, d=8, hidden=16, n_sup=3, eval_sup=3, batch=8, steps=6,
                  warmup=2, n_seeds=2, eval_every=3, n_curve=16, floss_k=3, floss_batch=2,
                  floss_steps=3, n_lyap=3, k_lyap=3)


# ==============================================================================================
# Part 1: the delayed-XOR RNN (Engelken's positive control)
# ==============================================================================================
def xor_data(rng, R, B, T, delays, dtype=np.float64):
    """Bits u (T, R, B) in {0, 1}; targets y_t = u_{t-d} XOR u_{t-2d}; loss mask (T, R) t >= 2d."""
    u = rng.integers(0, 2, size=(T, R, B)).astype(dtype)
    y = np.zeros_like(u)
    mask = np.zeros((T, R), dtype)
    for r, d in enumerate(delays):
        y[2 * d:, r] = np.abs(u[d:T - d, r] - u[:T - 2 * d, r])
        mask[2 * d:, r] = 1.0
    return u, y, mask


def rnn_init(rng, R, N, B, g, b_scale):
    """Engelken's initialisation; x0 is relaxed for 100 autonomous steps from N(0, 1)."""
    p = dict(J=g * rng.standard_normal((R, N, N)) / np.sqrt(N), ws=rng.standard_normal((R, N)),
             wr=rng.standard_normal((R, N)), b=b_scale * rng.random((R, N)), off=np.full((R,), 1e-3))
    x = rng.standard_normal((R, B, N))
    JT = p["J"].transpose(0, 2, 1)
    for _ in range(100):
        x = np.tanh(x) @ JT + p["b"][:, None, :]
    p["x0"] = x
    return p


def rnn_forward(p, u):
    """h_t = J tanh(h_{t-1}) + b + w_s u_t, readout r_t = w_r . h_t + offset. u (T, R, B)."""
    T = u.shape[0]
    JT = p["J"].transpose(0, 2, 1)
    h = np.empty((T + 1,) + p["x0"].shape)
    h[0] = p["x0"]
    for t in range(T):
        h[t + 1] = np.tanh(h[t]) @ JT + p["b"][:, None, :] + u[t][..., None] * p["ws"][:, None, :]
    r = np.einsum("trbn,rn->trb", h[1:], p["wr"]) + p["off"][None, :, None]
    return h, r


def xor_loss(r, y, mask, B):
    """Per run: sum of BCE-with-logits over the masked steps / (B * masked steps)."""
    bce = np.logaddexp(0, r) - y * r
    return np.einsum("trb,tr->r", bce, mask) / (B * mask.sum(0))


def xor_grads(p, u, y, mask):
    """Exact BPTT of ``xor_loss`` (summed over runs; each run's gradient is its own).
    Returns (loss per run, grads)."""
    T, R, B = u.shape
    h, r = rnn_forward(p, u)
    loss = xor_loss(r, y, mask, B)
    dr = (1 / (1 + np.exp(-r)) - y) * mask[:, :, None] / (B * mask.sum(0))[None, :, None]
    g = {k: np.zeros_like(v) for k, v in p.items()}
    g["wr"] = np.einsum("trb,trbn->rn", dr, h[1:])
    g["off"] = dr.sum(axis=(0, 2))
    J = p["J"]
    ph = np.tanh(h[:-1])                                          # tanh(h_{t-1}), (T, R, B, N)
    dhs = np.empty_like(ph)                                       # d loss / d h_t, t = 1..T
    dh = np.zeros_like(h[0])
    for t in range(T - 1, -1, -1):
        dh += dr[t][..., None] * p["wr"][:, None, :]
        dhs[t] = dh
        dh = (dh @ J) * (1 - ph[t] * ph[t])
    g["x0"] = dh
    # h_t = J tanh(h_{t-1}) + b + w_s u_t: the weight gradients in one product each
    Rr, N_ = J.shape[:2]
    g["J"] = np.matmul(dhs.transpose(1, 3, 0, 2).reshape(Rr, N_, -1),
                       ph.transpose(1, 0, 2, 3).reshape(Rr, -1, N_))
    g["b"] = dhs.sum(axis=(0, 2))
    g["ws"] = np.einsum("trb,trbn->rn", u, dhs)
    return loss, g


def floss_forward(p, u, k, transient, Q0):
    """Top-k exponents of the driven RNN along u (H, R) from x0[:, 0]: (R, k), and the tape."""
    H = u.shape[0]
    JT = p["J"].transpose(0, 2, 1)
    h = np.empty((H + 1,) + p["x0"][:, 0].shape)
    h[0] = p["x0"][:, 0]
    Qs, Rs = [Q0], []
    Q = Q0
    log_r = np.zeros(Q0.shape[0:1] + (k,))
    for n in range(H):
        h[n + 1] = (np.tanh(h[n])[:, None, :] @ JT)[:, 0] + p["b"] + u[n][:, None] * p["ws"]
        c = 1.0 / np.cosh(h[n + 1]) ** 2
        Q, Rm = qr_positive(c[:, :, None] * (p["J"] @ Q))
        Qs.append(Q)
        Rs.append(Rm)
        if n >= transient:
            log_r += np.log(np.diagonal(Rm, axis1=-2, axis2=-1))
    lam = log_r / (H - transient)
    return lam, (h, Qs, Rs)


def floss_loss(lam):
    """Engelken's flossing loss per run: mean_i (lambda_i - 0)^2."""
    return np.mean(lam * lam, axis=-1)


def floss_grads(p, u, k, transient, Q0):
    """Exact gradient of sum_runs floss_loss w.r.t. J, b, w_s: back through QR and the states."""
    lam, (h, Qs, Rs) = floss_forward(p, u, k, transient, Q0)
    H = u.shape[0]
    J = p["J"]
    dlam = 2 * lam / k / (H - transient)                        # d loss / d (sum_n ln R_ii)
    g = {"J": np.zeros_like(J), "b": np.zeros_like(p["b"]), "ws": np.zeros_like(p["ws"])}
    dQ = np.zeros_like(Qs[-1])
    dh_next = np.zeros_like(h[0])                               # d loss / d h_{n+1} from later steps
    for n in range(H - 1, -1, -1):
        Rm, Qn, Qp = Rs[n], Qs[n + 1], Qs[n]
        dR = np.zeros_like(Rm)
        if n >= transient:
            idx = np.arange(k)
            dR[:, idx, idx] = dlam / np.diagonal(Rm, axis1=-2, axis2=-1)
        dA = qr_backward(Qn, Rm, dQ, dR)                          # A = c * (J Q_prev)
        hn = h[n + 1]
        th = np.tanh(hn)
        c = 1 - th * th
        JQ = J @ Qp
        dc = np.sum(dA * JQ, axis=-1)                             # (R, N)
        dJQ = c[:, :, None] * dA
        g["J"] += dJQ @ Qp.transpose(0, 2, 1)
        dQ = J.transpose(0, 2, 1) @ dJQ
        # c = sech^2(h): dc/dh = -2 tanh(h) sech^2(h); plus what h_{n+2} sends back
        dh = dc * (-2 * th * c) + dh_next
        # h_{n+1} = J tanh(h_n) + b + w_s u_n
        ph = np.tanh(h[n])
        g["J"] += dh[:, :, None] * ph[:, None, :]
        g["b"] += dh
        g["ws"] += dh * u[n][:, None]
        dh_next = (dh[:, None, :] @ J)[:, 0] * (1 - ph * ph)
    return lam, g


def clip_per_array(g, max_norm):
    """Flux's ClipNorm: every array's gradient clipped to norm max_norm, per run."""
    for v in g.values():
        nrm = np.sqrt(np.sum(v * v, axis=tuple(range(1, v.ndim))))
        v *= np.minimum(1.0, max_norm / np.maximum(nrm, 1e-12)).reshape((-1,) + (1,) * (v.ndim - 1))


def xor_accuracy(p, u, y, mask):
    """Fraction of masked steps with the right sign of the logit; the learned initial states
    (one per batch column) are tiled over the larger test batch."""
    reps = -(-u.shape[2] // p["x0"].shape[1])
    _, r = rnn_forward(dict(p, x0=np.tile(p["x0"], (1, reps, 1))[:, :u.shape[2]]), u)
    ok = ((r >= 0) == (y > 0.5)) * mask[:, :, None]
    return ok.sum(axis=(0, 2)) / (mask.sum(0) * u.shape[2])


def xor_part(cfg, seed, log=print):
    """All arms x delays x seeds as one ensemble of runs (float32 training, float64 flossing).

    Runs are paired across arms: run r of every arm is pair r % (delays x seeds), with the same
    initial weights, training batches and test data; the flossing arms draw identical flossing
    inputs, so "pre" and "pre+inter" are the same net until the first inter-flossing round.
    """
    rngs = streams(seed, ["init", "data", "test", "frame", "floss_pre", "floss_pre+inter"])
    arms, delays, S = ARMS, cfg["delays"], cfg["n_seeds"]
    runs = [(a, d, s) for a in arms for d in delays for s in range(S)]
    R, n_pairs = len(runs), len(delays) * S
    pair_delays = [d for d in delays for _ in range(S)]
    base = rnn_init(rngs["init"], n_pairs, cfg["N"], cfg["B"], cfg["g"], cfg["b_scale"])
    p = {k: np.concatenate([v] * len(arms)).astype(np.float32) for k, v in base.items()}
    run_delays = [d for _, d, _ in runs]
    frame = qr_positive(rngs["frame"].standard_normal((cfg["N"], cfg["k"])))[0]
    arm_of = np.array([arms.index(a) for a, _, _ in runs])
    floss_sel = {a: np.flatnonzero(arm_of == i) for i, a in enumerate(arms) if a != "plain"}
    floss_opt = {a: Adam({k: p[k][sel].astype(np.float64) for k in ("J", "b", "ws")}, lr=cfg["lr"])
                 for a, sel in floss_sel.items()}
    lam_log = {a: [] for a in floss_sel}

    def tiled(arrays):
        return [np.concatenate([x] * len(arms), axis=1) for x in arrays]

    def floss(a, n_epochs):
        sel = floss_sel[a]
        opt = floss_opt[a]
        for k in opt.params:                     # the optimiser works on a float64 copy of the runs
            opt.params[k][...] = p[k][sel]
        sub = dict(opt.params, x0=p["x0"][sel].astype(np.float64))
        Q0 = np.broadcast_to(frame, (len(sel),) + frame.shape).copy()
        lam = None
        for _ in range(n_epochs):
            u = rngs[f"floss_{a}"].integers(0, 2, size=(cfg["horizon"], len(sel))).astype(np.float64)
            lam, g = floss_grads(sub, u, cfg["k"], cfg["transient"], Q0)
            cli.check_finite("flossing", lam=lam)
            opt.step(g)
            lam_log[a].append(np.sort(lam, axis=-1)[:, ::-1].mean(0))     # mean spectrum of the arm
        for k in ("J", "b", "ws"):
            p[k][sel] = opt.params[k]
        return lam

    def spectrum():
        u = tiled([rngs["test"].integers(0, 2, size=(cfg["horizon"], n_pairs)).astype(np.float64)])[0]
        sub = {k: p[k].astype(np.float64) for k in ("J", "b", "ws", "x0")}
        Q0 = np.broadcast_to(frame, (R,) + frame.shape)
        return floss_forward(sub, u, cfg["k"], cfg["transient"], Q0)[0]

    lam_init = spectrum()
    for a in floss_sel:
        floss(a, cfg["pre_epochs"])
    lam_after_pre = spectrum()
    opt = Adam({k: p[k] for k in p}, lr=cfg["lr"])
    n_inter = 0
    acc_curve, loss_curve = [], []
    for ep in range(1, cfg["epochs"] + 1):
        if ep % cfg["inter_every"] == 0 and n_inter < cfg["inter_times"] and ep > 1:
            floss("pre+inter", cfg["inter_epochs"])
            n_inter += 1
        u, y, mask = tiled(xor_data(rngs["data"], n_pairs, cfg["B"], cfg["T"], pair_delays, np.float32))
        loss, g = xor_grads(p, u, y, mask)
        cli.check_finite(ep, loss=loss)
        clip_per_array(g, cfg["clip"])
        opt.step(g)
        loss_curve.append(loss)
        if ep % max(1, cfg["epochs"] // 10) == 0 or ep == cfg["epochs"]:
            ut, yt, mt = tiled(xor_data(rngs["test"], n_pairs, cfg["n_test"], cfg["T"], pair_delays,
                                        np.float32))
            acc_curve.append((ep, xor_accuracy(p, ut, yt, mt)))
            if ep % max(1, cfg["epochs"] // 5) == 0 or ep == cfg["epochs"]:
                log(f"  XOR epoch {ep:4d}: test accuracy per arm " + ", ".join(
                    f"{a} {acc_curve[-1][1][arm_of == i].mean():.3f}" for i, a in enumerate(arms)))
    lam_final = spectrum()
    acc = acc_curve[-1][1]
    return dict(runs=runs, arm_of=arm_of, delays=np.array(run_delays), acc=acc,
                acc_curve_ep=np.array([e for e, _ in acc_curve]),
                acc_curve=np.array([a for _, a in acc_curve]), loss=np.array(loss_curve),
                lam_init=lam_init, lam_after_pre=lam_after_pre, lam_final=lam_final,
                lam_log={a: np.array(v) for a, v in lam_log.items()})


# ==============================================================================================
# Part 2: pre-flossing the TRM recursion (first-order secant analogue)
# ==============================================================================================
def recursion_floss_step(p, xe, y0, z0, cfg, n_steps, Q0, eps, frozen=None):
    """Secant exponents of the joint (y, z) recursion and their weight gradient, float64.

    Runs ``n_steps`` supervision steps (T cycles of n z-updates and one y-update) from the
    initial states; every net call is one sub-update. At each, the frame Q (detached) is mapped
    by secant differences G_i = [F(s + eps q_i) - F(s)] / eps, QR'd, and ln R_ii accumulated.
    loss = mean_i lambda_i^2 per maze, averaged over mazes; returns (lam (S, B, k), grads, d xe).
    The states and frames are detached: ``frozen`` (the ``visited`` list of an earlier call)
    replays them, so finite differences of the loss measure exactly the gradient returned.
    """
    S, B, P = xe.shape[:3]
    d = xe.shape[-1]
    k = Q0.shape[-1]
    y = np.broadcast_to(y0[:, None, None, None, :], xe.shape).copy()
    z = np.broadcast_to(z0[:, None, None, None, :], xe.shape).copy()
    Q = np.broadcast_to(Q0, (S, B) + Q0.shape).copy()             # (S, B, n_dim, k)
    tape, log_r, visited = [], np.zeros((S, B, k)), []
    n_calls = 0
    for _ in range(n_steps):
        for _ in range(cfg["T"]):
            for i in range(cfg["n"] + 1):
                upd_z = i < cfg["n"]
                if frozen is not None:
                    y, z, Q = frozen[n_calls]
                visited.append((y, z, Q))
                tq = Q.transpose(3, 0, 1, 2).reshape(k, S, B, 2, P, P, d)   # (k, S, B, 2, P, P, d)
                v = tq[:, :, :, 0] + tq[:, :, :, 1]                          # tangent of the net input
                a = z + y + xe if upd_z else y + z
                a_all = np.concatenate([a[None], a[None] + eps * v]).transpose(1, 0, 2, 3, 4, 5) \
                    .reshape(S, (k + 1) * B, P, P, d)
                out, cache = net.net_forward(p, a_all, 0.0)
                out = out.reshape(S, k + 1, B, P, P, d)
                f0 = out[:, 0]
                sec = (out[:, 1:] - f0[:, None]) / eps                       # (S, k, B, P, P, d)
                Gt = tq.copy()
                Gt[:, :, :, 1 if upd_z else 0] = sec.transpose(1, 0, 2, 3, 4, 5)
                Gm = Gt.reshape(k, S, B, -1).transpose(1, 2, 3, 0)           # (S, B, n_dim, k)
                Qn, Rm = qr_positive(Gm)
                log_r += np.log(np.diagonal(Rm, axis1=-2, axis2=-1))
                tape.append((upd_z, cache, Qn, Rm))
                if upd_z:
                    z = f0
                else:
                    y = f0
                Q = Qn
                n_calls += 1
    lam = log_r / n_calls
    # backward: d loss / d ln R_ii = 2 lam_i / (k n_calls B) per maze (mean over mazes and i)
    coef = 2 * lam / (k * n_calls * B)
    g = net.zero_grads(p)
    dxe = np.zeros_like(xe)
    idx = np.arange(k)
    for upd_z, cache, Qn, Rm in tape:
        dR = np.zeros_like(Rm)
        dR[..., idx, idx] = coef / np.diagonal(Rm, axis1=-2, axis2=-1)
        dG = qr_backward(Qn, Rm, None, dR)                                   # (S, B, n_dim, k)
        dGt = dG.transpose(3, 0, 1, 2).reshape(k, S, B, 2, P, P, d)[:, :, :, 1 if upd_z else 0]
        dsec = dGt.transpose(1, 0, 2, 3, 4, 5) / eps                         # (S, k, B, P, P, d)
        dout = np.concatenate([-dsec.sum(1, keepdims=True), dsec], axis=1).reshape(S, (k + 1) * B, P, P, d)
        da = net.net_backward(p, dout, cache, g).reshape(S, k + 1, B, P, P, d).sum(1)
        if upd_z:
            dxe += da                               # a = z + y + x: the embedding's share
    return lam, g, dxe, visited


def floss_trm(p, y0, z0, X, cfg, rng, log=print):
    """Pre-flossing: Adam on the net and the embedding, fresh training mazes every step."""
    S = y0.shape[0]
    P, d, k = X.shape[-1], cfg["d"], cfg["floss_k"]
    n_dim = 2 * P * P * d
    Q0 = qr_positive(rng.standard_normal((n_dim, k)))[0]
    p64 = {key: v.astype(np.float64) for key, v in p.items()}
    keys = [key for key in p64 if key not in ("w_out", "w_q", "b_q")]
    opt = Adam({key: p64[key] for key in keys}, lr=cfg["floss_lr"])
    lam_hist = []
    for step in range(cfg["floss_steps"]):
        idx = rng.integers(X.shape[1], size=(S, cfg["floss_batch"]))
        tf = rng.integers(8, size=(S, cfg["floss_batch"]))
        tokens = X[tf, idx]
        xe = net.embed(p64, tokens)
        lam, g, dxe, _ = recursion_floss_step(p64, xe, y0.astype(np.float64), z0.astype(np.float64), cfg,
                                           cfg["floss_horizon"], Q0, cfg["floss_eps"])
        net.embed_backward(dxe, tokens, grid.N_IN, g)
        cli.check_finite(f"flossing {step}", lam=lam)
        opt.step({key: g[key] for key in keys})
        lam_hist.append(lam.mean(axis=1))                                    # (S, k)
    return {key: v.astype(np.float32) for key, v in p64.items()}, np.array(lam_hist)


def maze_arm(job):
    """Train one arm (plain or pre-flossed TRM) for all seeds; run in a worker process."""
    arm, cfg, seed = job
    t_cpu = time.process_time()
    timer = cli.Timer()
    rngs = streams(seed, ["init", "data", "eval", "batches", "lyap", "floss"])
    Xa, Ya, Xt, Yt = grid.make_data(rngs["data"], rngs["eval"], cfg)
    S, d = cfg["n_seeds"], cfg["d"]
    p = net.init_params(rngs["init"], S, d, cfg["hidden"])
    y0, z0 = net.init_states(rngs["init"], S, d)
    Xl = Xt[:cfg["n_lyap"]]
    lam_before = recursion_ftle(p, y0, z0, Xl, cfg, cfg["n_sup"], cfg["k_lyap"],
                                np.random.default_rng(rngs["lyap"].integers(2**32)))[0]
    lam_hist = None
    if arm == "flossed":
        p, lam_hist = floss_trm(p, y0, z0, Xa, cfg, rngs["floss"])
    lam_start = recursion_ftle(p, y0, z0, Xl, cfg, cfg["n_sup"], cfg["k_lyap"],
                               np.random.default_rng(rngs["lyap"].integers(2**32)))[0]
    t_floss = timer()
    _, ema, y0, z0, curve, loss_hist, _ = train(cfg, rngs, Xa, Ya, Xt, Yt, timer,
                                                log=lambda s: print(f"  [{arm}] {s}"), init=(p, y0, z0))
    ev = evaluate(ema, y0, z0, Xt, Yt, cfg, cfg["eval_sup"])
    lam_end, _ = recursion_ftle(ema, y0, z0, Xl, cfg, cfg["n_sup"], cfg["k_lyap"],
                                np.random.default_rng(rngs["lyap"].integers(2**32)))
    return dict(arm=arm, exact=ev["exact"], ok_lyap=ev["ok_all"][:, cfg["n_sup"] - 1, :cfg["n_lyap"]],
                lam_before=lam_before, lam_start=lam_start, lam_end=lam_end, lam_hist=lam_hist,
                curve_exact=np.array([r["exact_last"] for r in curve]),
                curve_step=np.array([r["step"] for r in curve]), loss=loss_hist,
                floss_s=t_floss, wall_s=timer(), cpu_s=time.process_time() - t_cpu)


# ==============================================================================================
# Gradient checks (float64)
# ==============================================================================================
def gradcheck(args=None):
    """Training BPTT and the exact flossing gradient of the RNN vs central differences; the
    TRM flossing gradient vs central differences of the same secant loss (frame and states
    detached, the first-order analogue's definition); the QR backward rule on its own."""
    rng = np.random.default_rng(0)
    errs = {}
    R, B, N_, T = 2, 3, 6, 14
    p = rnn_init(rng, R, N_, B, 1.5, 0.1)
    u, y, mask = xor_data(rng, R, B, T, (2, 3))

    def loss_fn():
        return float(xor_loss(rnn_forward(p, u)[1], y, mask, B).sum())
    errs.update({f"xor bptt {k}": v for k, v in check_gradients(
        loss_fn, p, xor_grads(p, u, y, mask)[1], eps=1e-4, richardson=True, n_samples=10, rng=rng).items()})

    k, tr = 4, 3
    uf = rng.integers(0, 2, size=(12, R)).astype(np.float64)
    Q0 = np.broadcast_to(qr_positive(rng.standard_normal((N_, k)))[0], (R, N_, k)).copy()

    def floss_fn():
        return float(floss_loss(floss_forward(p, uf, k, tr, Q0)[0]).sum())
    _, gf = floss_grads(p, uf, k, tr, Q0)
    errs.update({f"flossing {key}": v for key, v in check_gradients(
        floss_fn, {key: p[key] for key in ("J", "b", "ws")}, gf, eps=1e-5, n_samples=10, rng=rng).items()})

    A = rng.standard_normal((2, 7, 4))
    cQ, cR = rng.standard_normal((2, 7, 4)), np.triu(rng.standard_normal((2, 4, 4)))

    def qr_fn():
        Qa, Ra = qr_positive(A)
        return float((Qa * cQ).sum() + (Ra * cR).sum())
    Qa, Ra = qr_positive(A)
    errs.update({f"qr backward {key}": v for key, v in check_gradients(
        qr_fn, {"A": A}, {"A": qr_backward(Qa, Ra, cQ, cR)}, eps=1e-6, n_samples=10, rng=rng).items()})

    cfg = dict(MAZE, T=1, n=1, d=4, hidden=6)
    S, Bm, P, kk = 1, 2, 5, 3
    pm = {key: v.astype(np.float64) for key, v in net.init_params(rng, S, 4, 6).items()}
    y0, z0 = (v.astype(np.float64) for v in net.init_states(rng, S, 4))
    tokens = rng.integers(0, 4, size=(S, Bm, P, P))
    Qm = qr_positive(rng.standard_normal((2 * P * P * 4, kk)))[0]

    _, gm, dxe, seen = recursion_floss_step(pm, net.embed(pm, tokens), y0, z0, cfg, 1, Qm, 1e-3)

    def trm_fn():
        lam = recursion_floss_step(pm, net.embed(pm, tokens), y0, z0, cfg, 1, Qm, 1e-3, frozen=seen)[0]
        return float((lam * lam).mean(-1).mean(-1).sum())
    net.embed_backward(dxe, tokens, grid.N_IN, gm)
    keys = [key for key in pm if key not in ("w_out", "w_q", "b_q")]
    errs.update({f"trm flossing {key}": v for key, v in check_gradients(
        trm_fn, {key: pm[key] for key in keys}, {key: gm[key] for key in keys}, eps=1e-5,
        richardson=True, n_samples=8, rng=rng).items()})
    return errs


# ==============================================================================================
# Headline
# ==============================================================================================
def main(args):
    timer = cli.Timer()
    xcfg, mcfg = dict(XOR), dict(MAZE)
    if args.quick:
        xcfg.update(XOR_QUICK)
        mcfg.update(MAZE_QUICK)
    if args.n_seeds is not None:
        mcfg["n_seeds"] = args.n_seeds
    if args.xor_seeds is not None:
        xcfg["n_seeds"] = args.xor_seeds
    if args.maze_steps is not None:
        mcfg["steps"] = args.maze_steps
    if args.delays is not None:
        xcfg["delays"] = tuple(args.delays)
    if max(xcfg["delays"]) * 2 >= xcfg["T"]:
        raise cli.StubError(f"--delays: 2 x delay must be below T = {xcfg['T']}, got {max(xcfg['delays'])}")
    if xcfg["k"] > xcfg["N"]:
        raise cli.StubError("more flossed exponents than units")
    mcfg["n_curve"] = min(mcfg["n_curve"], mcfg["n_test"])
    mcfg["n_lyap"] = min(mcfg["n_lyap"], mcfg["n_test"])
    cpu0 = time.process_time()

    print(f"Part 1: delayed XOR, N {xcfg['N']}, T {xcfg['T']}, delays {list(xcfg['delays'])}, "
          f"{xcfg['n_seeds']} seeds, arms {list(ARMS)}, {xcfg['epochs']} epochs")
    jobs = [("xor", xcfg, args.seed)] + [("maze", arm, mcfg, args.seed) for arm in ("plain", "flossed")]
    out = map_jobs(_job, jobs, workers=args.workers)
    xr, mz = out[0], {o["arm"]: o for o in out[1:]}
    cpu_children = sum(o["cpu_s"] for o in out)

    # ---- Part 1 summary
    solved = xr["acc"] >= xcfg["solved"]
    by = {}
    for i, a in enumerate(ARMS):
        for d in xcfg["delays"]:
            sel = (xr["arm_of"] == i) & (xr["delays"] == d)
            by[f"{a} d={d}"] = dict(solved=int(solved[sel].sum()), n=int(sel.sum()),
                                    acc_mean=float(xr["acc"][sel].mean()), acc=xr["acc"][sel],
                                    lam1_init=float(xr["lam_init"][sel, 0].mean()),
                                    lam1_after_pre=float(xr["lam_after_pre"][sel, 0].mean()),
                                    lam1_final=float(xr["lam_final"][sel, 0].mean()))
    n_solved = {a: int(solved[xr["arm_of"] == i].sum()) for i, a in enumerate(ARMS)}
    n_runs = int((xr["arm_of"] == 0).sum())
    fl = xr["arm_of"] > 0
    lam_gap_before = float(np.mean(np.abs(xr["lam_init"][fl])))
    lam_gap_after = float(np.mean(np.abs(xr["lam_after_pre"][fl])))

    # ---- Part 2 summary
    ns = mcfg["n_sup"]
    ex_plain, ex_floss = mz["plain"]["exact"][:, ns - 1], mz["flossed"]["exact"][:, ns - 1]
    delta = ex_floss - ex_plain
    best_delta = mz["flossed"]["curve_exact"].max(0) - mz["plain"]["curve_exact"].max(0)
    rng_p = np.random.default_rng(args.seed)
    if len(delta) >= 2:
        m_d, lo_d, hi_d = t_interval(delta)
        p_d = sign_flip_test(delta, 9999, rng_p, alternative="two-sided", exact=True)[1]
    else:
        m_d, lo_d, hi_d, p_d = float(delta.mean()), float("nan"), float("nan"), float("nan")
    lam_trm = {key: dict(before=float(np.median(mz["flossed"]["lam_before"][..., 0])),
                         after_floss=float(np.median(mz["flossed"]["lam_start"][..., 0])),
                         trained_flossed=float(np.median(mz["flossed"]["lam_end"][..., 0])),
                         trained_plain=float(np.median(mz["plain"]["lam_end"][..., 0])))
               for key in ["lambda1_median"]}["lambda1_median"]
    weak = (lo_d >= -0.02) and (hi_d <= 0.02)
    ctrl = n_solved["pre"] > n_solved["plain"] or n_solved["pre+inter"] > n_solved["plain"]
    headline = [
        dict(name="delayed XOR positive control: runs solved (test accuracy >= "
                  f"{xcfg['solved']}), pre-flossed vs plain",
             value=f"pre {n_solved['pre']}/{n_runs}, pre+inter {n_solved['pre+inter']}/{n_runs}, "
                   f"plain {n_solved['plain']}/{n_runs}",
             paper_value="flossed > plain at long delays (Engelken 2023)",
             verdict=("yes" if min(n_solved["pre"], n_solved["pre+inter"]) > n_solved["plain"] else
                      "partial" if ctrl else "no"),
             note=f"delays {list(xcfg['delays'])} x {xcfg['n_seeds']} seeds per arm, Engelken's N, T, "
                  f"epochs, optimiser and flossing schedule; bar: pre-flossed success > plain (notes 7.5); "
                  f"yes = both flossed arms beat plain, partial = one"),
        dict(name="flossing drives the exponents to 0: mean |lambda_i| before -> after pre-flossing "
                  "(XOR RNN)",
             value=f"{lam_gap_before:.3f} -> {lam_gap_after:.3f}", paper_value="-> 0",
             verdict=("yes" if lam_gap_after < 0.5 * lam_gap_before else
                      "partial" if lam_gap_after < lam_gap_before else "no"),
             note=f"{xcfg['k']} exponents over a {xcfg['horizon']}-step horizon, flossed arms, "
                  f"{xcfg['pre_epochs']} flossing epochs; yes = halved, partial = moved towards 0"),
        dict(name="mazes: Delta exact@N_sup (pre-flossed - plain TRM), mean and 95 % CI over paired seeds",
             value=round(m_d, 4), paper_value="'weak so far' (seed, no number)",
             verdict=("partial" if weak else "no"),
             note=f"CI [{lo_d:+.3f}, {hi_d:+.3f}], sign-flip p {p_d:.3f}, {len(delta)} seeds; "
                  f"bar 'weak' = CI within +-0.02 (notes 7.5); plain {np.round(ex_plain, 3).tolist()}, "
                  f"flossed {np.round(ex_floss, 3).tolist()}; 9x9 mazes, {mcfg['steps']} steps: an easier "
                  f"setting than the seed's, so partial at best"),
    ]
    metrics = dict(
        xor=dict(by_arm_delay=by, solved=n_solved, runs_per_arm=n_runs,
                 mean_abs_lambda_flossed_arms=dict(before=lam_gap_before, after_pre=lam_gap_after),
                 lambda1_mean=dict(init=float(xr["lam_init"][:, 0].mean()),
                                   after_pre_flossed_arms=float(xr["lam_after_pre"][fl, 0].mean()),
                                   final_by_arm={a: float(xr["lam_final"][xr["arm_of"] == i, 0].mean())
                                                 for i, a in enumerate(ARMS)})),
        maze=dict(exact_plain=ex_plain, exact_flossed=ex_floss, delta=delta,
                  delta_mean=m_d, delta_ci95=[lo_d, hi_d], delta_sign_flip_p=p_d,
                  delta_best_checkpoint=best_delta,
                  exact_per_step_plain=mz["plain"]["exact"].mean(0),
                  exact_per_step_flossed=mz["flossed"]["exact"].mean(0),
                  lambda1_median=lam_trm,
                  flossing_lambda_first_last=(mz["flossed"]["lam_hist"][[0, -1]].mean(1)
                                              if mz["flossed"]["lam_hist"] is not None else None),
                  ),
        timing=dict(wall_minutes=timer() / 60, cpu_minutes=(time.process_time() - cpu0 + cpu_children) / 60,
                    workers=args.workers, xor_wall_s=xr["wall_s"], xor_cpu_s=xr["cpu_s"],
                    maze_floss_wall_s=mz["flossed"]["floss_s"],
                    maze_wall_s={a: mz[a]["wall_s"] for a in mz}, maze_cpu_s={a: mz[a]["cpu_s"] for a in mz}),
    )
    lyapunov = dict(
        method=(f"XOR RNN: top {xcfg['k']} exponents of the driven map (Engelken's estimator, "
                f"{xcfg['horizon']} steps, first {xcfg['transient']} discarded); TRM: finite-time top "
                f"{mcfg['k_lyap']} of the joint (y, z) recursion over {ns} supervision steps "
                f"(shared.mazes.trm.recursion_ftle, EMA weights), {mcfg['n_lyap']} test mazes per seed; "
                "listed: mean over runs (XOR) / median over mazes and seeds (TRM)"),
        exponents={**{f"xor {a} (trained)": np.sort(xr["lam_final"][xr["arm_of"] == i].mean(0))[::-1][:8]
                      for i, a in enumerate(ARMS)},
                   **{f"trm {a} (trained)": np.sort(np.median(mz[a]["lam_end"].reshape(-1, mcfg["k_lyap"]),
                                                              axis=0))[::-1]
                      for a in ("plain", "flossed")}},
        window=xcfg["horizon"] - xcfg["transient"], n_sequences=mcfg["n_lyap"])
    arrays = dict(xor_arm_of=xr["arm_of"], xor_delays=xr["delays"], xor_acc=xr["acc"],
                  xor_acc_curve=xr["acc_curve"], xor_acc_curve_ep=xr["acc_curve_ep"], xor_loss=xr["loss"],
                  xor_lam_init=xr["lam_init"], xor_lam_after_pre=xr["lam_after_pre"],
                  xor_lam_final=xr["lam_final"],
                  **{f"xor_lam_log_{a.replace('+', '_')}": v for a, v in xr["lam_log"].items()},
                  **{f"maze_{a}_{key}": mz[a][key] for a in mz
                     for key in ("exact", "lam_before", "lam_start", "lam_end", "curve_exact", "curve_step",
                                 "loss", "ok_lyap")},
                  maze_floss_lam_hist=(mz["flossed"]["lam_hist"] if mz["flossed"]["lam_hist"] is not None
                                       else np.zeros(0)))
    record = dict(stub="maze-flossing", family="mazes",
                  title="Gradient flossing: delayed XOR and the TRM recursion",
                  paper=PAPER, seed=args.seed, quick=bool(args.quick),
                  config=dict(xor=xcfg, maze=mcfg), metrics=metrics, headline=headline, lyapunov=lyapunov)
    finish_run(args.out, record, arrays, timer)


def _job(job):
    if job[0] == "xor":
        t_cpu, timer = time.process_time(), cli.Timer()
        r = xor_part(job[1], job[2])
        r.update(wall_s=timer(), cpu_s=time.process_time() - t_cpu)
        return r
    return maze_arm(job[1:])


def build_parser():
    parser = cli.make_parser(__doc__, __file__)
    parser.add_argument("--n-seeds", type=cli.positive_int, default=None,
                        help=f"paired TRM seeds per arm (default {MAZE['n_seeds']})")
    parser.add_argument("--xor-seeds", type=cli.positive_int, default=None,
                        help=f"XOR seeds per arm and delay (default {XOR['n_seeds']})")
    parser.add_argument("--delays", type=cli.positive_int, nargs="+", default=None,
                        help=f"XOR delays d (default {' '.join(map(str, XOR['delays']))}); 2d < T")
    parser.add_argument("--maze-steps", type=cli.positive_int, default=None,
                        help=f"TRM optimizer steps per arm (default {MAZE['steps']})")
    parser.add_argument("--workers", type=cli.positive_int, default=3,
                        help="processes for the three jobs (XOR, plain TRM, flossed TRM)")
    return parser


if __name__ == "__main__":
    cli.run(main, build_parser(), gradcheck=gradcheck)
