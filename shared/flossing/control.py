"""Engelken's positive control: delayed XOR, plain vs pre-flossed vs pre- and inter-flossed RNNs.

All arms x delays x seeds train as one ensemble of runs (leading axis R); cfg keys: N, B, T,
epochs, lr, clip, g, b_scale, k, horizon, transient, pre_epochs, inter_every, inter_epochs,
inter_times, delays, n_seeds, n_test.
"""
import numpy as np

from shared import cli
from shared.flossing.floss import floss_forward, floss_grads
from shared.flossing.rnn import clip_per_array, rnn_init, xor_accuracy, xor_data, xor_grads
from shared.lyapunov import qr_positive
from shared.optim import Adam
from shared.rng import streams

ARMS = ("plain", "pre", "pre+inter")


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
    t_loop = cli.Timer()
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
                    f"{a} {acc_curve[-1][1][arm_of == i].mean():.3f}" for i, a in enumerate(arms))
                    + f"  {cli.progress(ep, cfg['epochs'], t_loop())}")
    lam_final = spectrum()
    acc = acc_curve[-1][1]
    return dict(runs=runs, arm_of=arm_of, delays=np.array(run_delays), acc=acc,
                acc_curve_ep=np.array([e for e, _ in acc_curve]),
                acc_curve=np.array([a for _, a in acc_curve]), loss=np.array(loss_curve),
                lam_init=lam_init, lam_after_pre=lam_after_pre, lam_final=lam_final,
                lam_log={a: np.array(v) for a, v in lam_log.items()})
