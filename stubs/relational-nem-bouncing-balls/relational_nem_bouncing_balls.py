"""Relational N-EM against RNN-EM on rendered bouncing balls of two masses (van Steenkiste et al. 2018).

S. van Steenkiste, M. Chang, K. Greff & J. Schmidhuber, "Relational Neural Expectation
Maximization: Unsupervised Discovery of Objects and their Interactions", ICLR 2018
(arXiv:1802.10353): the bouncing-balls-with-mass experiment, small.

Data: a hard-disk simulator (elastic ball-ball collisions with masses 1 or 2, mirror walls, no
friction) rendered to 24 x 24 binary frames. Training: 4 balls, sequences of T + 1 frames. Test:
4 balls (K = 5 slots), and 6-8 balls with K = 8 slots (extrapolation: the same weights, more slots).

Model (family core ``shared/nem/``, ``relational``): N-EM on sequences. Every step sees frame t
(bit-flip noise 0.2), the K slots update their states with the M-step and predict frame t + 1; the
E-step assigns the pixels of frame t + 1 to the slots; the loss sum_k gamma BCE + (1 - gamma)
KL(0 || psi) is averaged over every step, with the gradient stopped at gamma (the authors' code).

    RNN-EM   h_k <- sigmoid(LN(u_k Wx + h_k Wh))                       slots never see each other
    R-NEM    h_k <- sigmoid(LN(u_k Wx + hh_k Wr1 + (sum_{i != k} a_ki e_ki) Wr2))
             hh = relu(h We + be),  xi_ki = relu([hh_k; hh_i] Wc),  e_ki = relu(xi_ki Wf),
             a_ki = sigmoid(tanh(xi_ki Wa1) wa2)                      attention-weighted pair effects

Scores (test sequences from their own stream): next-frame BCE of the prediction max_k psi_k
(summed over pixels, per frame, last 10 steps), AMI of argmax_k gamma against the ball each pixel
belongs to (``shared/nem/grouping.py``), and the BCE of a 10-frame rollout in which the model's
own mixture prediction is fed back as its input (the authors' rollout). Dynamics
(``relational_nem_bouncing_balls_dynamics.py``): Lyapunov exponents of the learned rollout map
against those of the simulator (a hard-disk billiard).

    python3 relational_nem_bouncing_balls.py --seed 0      # headline
    python3 relational_nem_bouncing_balls.py --quick       # smoke test, seconds
"""
import copy
import os
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401  (pins BLAS to one thread before numpy loads)

import numpy as np

from shared import cli
from shared import checkpoint
from shared.checkpoint import Checkpoint
from shared.nem import relational as nem
from shared.nem import rnn_em
from shared.nem.grouping import ami
from shared.optim import Adam
from shared.results import finish_run, record
from shared.rng import streams

PAPER = ("van Steenkiste, Chang, Greff & Schmidhuber, \"Relational Neural Expectation Maximization: "
         "Unsupervised Discovery of Objects and their Interactions\", ICLR 2018 (arXiv:1802.10353)")
SIDE = 24                  # frame side (pixels); D = 576
RADIUS = 2.5               # ball radius (pixels)
MASSES = (1.0, 2.0)        # each ball's mass, drawn uniformly from these two
SPEED = (0.5, 1.0)         # initial speed range (pixels per frame)
SUBSTEPS = 4               # physics substeps per frame (collisions are detected per substep)
LAST = 10                  # the scores average the last LAST steps (the authors' code: dt = 10)
BCE_CLIP = 1e-6            # the authors' clipping of predictions inside the BCE
PAPER_EPOCHS, PAPER_TRAIN = 500, 50_000   # authors' code: up to 500 epochs; the set's size is recalled
SHORT_SEQS = 25_600        # the committed headline's budget per model (about 5 CPU-minutes for both)
CHECKPOINT_EVERY = 100     # batches between two saves of a training loop
DEFAULTS = dict(K=5, K_test=8, balls=4, balls_test=(6, 8), steps=20, rollout=10, hidden=64,
                inter=64, att=32, flip=0.2, lr=1e-3, batch=32, train_seqs=None, n_test=96,
                eval_every=1_600, lyap_seqs=4, lyap_steps=50, lyap_k=6)
QUICK = dict(steps=12, hidden=16, inter=16, att=8, train_seqs=64, n_test=12, eval_every=32,
             lyap_seqs=2, lyap_steps=12, lyap_k=3)


# ---------------------------------------------------------------- data: hard disks in a box

def place(rng, n_seq, n_balls):
    """Non-overlapping centres (n_seq, n_balls, 2) inside the box, by rejection."""
    pos = np.empty((n_seq, n_balls, 2))
    for s in range(n_seq):
        k = 0
        while k < n_balls:
            c = rng.uniform(RADIUS, SIDE - RADIUS, 2)
            if k == 0 or np.min(np.linalg.norm(pos[s, :k] - c, axis=1)) > 2 * RADIUS + 0.1:
                pos[s, k] = c
                k += 1
    return pos


def substep(pos, vel, mass, dt):
    """One physics substep on any leading shape (..., n, 2): move, reflect at the walls, then
    resolve every approaching overlapping pair with an elastic impulse along the line of centres:
    v_i -= 2 m_j / (m_i + m_j) <v_i - v_j, n> n, v_j += 2 m_i / (m_i + m_j) <v_i - v_j, n> n."""
    pos = pos + vel * dt
    out = ((pos < RADIUS) & (vel < 0)) | ((pos > SIDE - RADIUS) & (vel > 0))
    vel = np.where(out, -vel, vel)
    n_balls = pos.shape[-2]
    for i in range(n_balls):
        for j in range(i + 1, n_balls):
            d = pos[..., i, :] - pos[..., j, :]
            dist = np.sqrt(np.sum(d * d, axis=-1, keepdims=True))
            nrm = d / np.maximum(dist, 1e-12)
            rel = np.sum((vel[..., i, :] - vel[..., j, :]) * nrm, axis=-1, keepdims=True)
            hit = (dist < 2 * RADIUS) & (rel < 0)
            jmp = np.where(hit, 2.0 * rel / (mass[..., i, None] + mass[..., j, None]), 0.0)
            vel = vel.copy()
            vel[..., i, :] -= jmp * mass[..., j, None] * nrm
            vel[..., j, :] += jmp * mass[..., i, None] * nrm
    return pos, vel


def frame_map(state, mass):
    """The simulator as a map from frame to frame: state (..., 4 n) = [positions, velocities]
    flattened, mass (..., n)."""
    n = mass.shape[-1]
    pos, vel = state[..., :2 * n].reshape(state.shape[:-1] + (n, 2)), state[..., 2 * n:].reshape(
        state.shape[:-1] + (n, 2))
    for _ in range(SUBSTEPS):
        pos, vel = substep(pos, vel, mass, 1.0 / SUBSTEPS)
    flat = state.shape[:-1] + (2 * n,)
    return np.concatenate([pos.reshape(flat), vel.reshape(flat)], -1)


def simulate(rng, n_seq, n_balls, n_frames):
    """States (n_frames, n_seq, 4 n) and masses (n_seq, n)."""
    pos = place(rng, n_seq, n_balls)
    ang = rng.uniform(0, 2 * np.pi, (n_seq, n_balls))
    speed = rng.uniform(*SPEED, (n_seq, n_balls))
    vel = speed[..., None] * np.stack([np.cos(ang), np.sin(ang)], -1)
    mass = rng.choice(np.array(MASSES), (n_seq, n_balls))
    states = [np.concatenate([pos.reshape(n_seq, -1), vel.reshape(n_seq, -1)], -1)]
    for _ in range(n_frames - 1):
        states.append(frame_map(states[-1], mass))
    return np.stack(states), mass


CENTRES = np.arange(SIDE) + 0.5          # pixel centres along either axis


def render(states, n_balls):
    """Binary frames (F, S, D) float32 and ball labels (F, S, D) int8: 1..n the ball covering the
    pixel, 0 background or a pixel two balls cover. Pixel (r, c) is on when its centre lies within
    RADIUS of a ball's centre; the first coordinate is the row."""
    pos = states[..., :2 * n_balls].reshape(states.shape[:-1] + (n_balls, 2))
    dr = (CENTRES - pos[..., 0:1]) ** 2                                   # (F, S, n, SIDE)
    dc = (CENTRES - pos[..., 1:2]) ** 2
    inside = (dr[..., :, None] + dc[..., None, :] < RADIUS ** 2).reshape(dr.shape[:-1] + (-1,))
    # inside: (F, S, n, D)
    count = inside.sum(axis=-2)
    labels = np.where(count == 1, np.argmax(inside, axis=-2) + 1, 0).astype(np.int8)
    return (count > 0).astype(np.float32), labels


def make_batch(rng, n_seq, n_balls, cfg, K, n_frames=None):
    """Everything one run of the loop needs: clean frames x (F, S, D), labels, the noisy inputs,
    gamma0 (S, K, D), and the simulator states and masses."""
    n_frames = cfg["steps"] + 1 if n_frames is None else n_frames
    states, mass = simulate(rng, n_seq, n_balls, n_frames)
    x, labels = render(states, n_balls)
    x_in = _flip(rng, x[:cfg["steps"]], cfg["flip"])
    gamma0 = rnn_em.random_gamma(rng, n_seq, K, SIDE * SIDE)
    return {"x": x, "labels": labels, "x_in": x_in, "gamma0": gamma0, "states": states, "mass": mass}


def _flip(rng, x, p):
    """x with each pixel flipped with probability p, drawn anew for every frame."""
    return np.where(rng.random(x.shape) < p, 1.0 - x, x).astype(np.float32)


def make_test(rng, cfg, n_balls_list, K):
    """Test sequences split evenly over the ball counts in ``n_balls_list``, with the frames a
    rollout needs (T + 1 + rollout); states and masses kept per ball count."""
    n_frames = cfg["steps"] + cfg["rollout"] + 1
    parts = [make_batch(rng, len(idx), n, cfg, K, n_frames)
             for n, idx in zip(n_balls_list, np.array_split(np.arange(cfg["n_test"]), len(n_balls_list)),
                               strict=True)]
    out = {k: np.concatenate([p[k] for p in parts], axis=0 if k == "gamma0" else 1)
           for k in ("x", "labels", "x_in", "gamma0")}
    out["n_balls"] = np.concatenate([np.full(p["x"].shape[1], n)
                                     for p, n in zip(parts, n_balls_list, strict=True)])
    out["states"], out["mass"] = parts[0]["states"], parts[0]["mass"]   # of the first ball count
    return out


# ---------------------------------------------------------------- evaluation

def bce(pred, x):
    """Per-frame binary cross-entropy summed over pixels: pred, x (..., D) -> (...)."""
    p = np.clip(pred, BCE_CLIP, 1.0 - BCE_CLIP)
    return -np.sum(x * np.log(p) + (1.0 - x) * np.log(1.0 - p), axis=-1)


def evaluate(p, data, cfg, chunk=48, keep=6):
    """Scores of one model on one test set: next-frame BCE per step (T,), AMI per step (T,)
    averaged over the sequences, each sequence's AMI over the last LAST steps (S,), rollout BCE per
    rollout step (R,), the slot states after the last observed step (S, K, H), and the first
    ``keep`` sequences' groupings and predictions (uint8) for the figures."""
    T, R = cfg["steps"], cfg["rollout"]
    x, labels = data["x"], data["labels"]
    S = x.shape[1]
    bce_t, ami_t, roll, h_last, ex = np.zeros((T, S)), np.zeros((T, S)), np.zeros((R, S)), [], {}
    for i in range(0, S, chunk):
        sl = slice(i, min(S, i + chunk))
        _, c = nem.forward(p, data["x_in"][:, sl], x[1:T + 1, sl], data["gamma0"][sl])
        pred = c["psi"][1:].max(axis=2)                                      # (T, s, D)
        bce_t[:, sl] = bce(pred, x[1:T + 1, sl])
        slot = c["gamma"][1:].argmax(axis=2)                                 # (T, s, D)
        for t in range(T):
            for j, lab in enumerate(labels[t + 1, sl]):
                ami_t[t, i + j] = ami(lab[lab > 0], slot[t, j][lab > 0])
        h = c["h"][T]
        h_last.append(h)
        rpred = []
        for r in range(R):
            h, psi = nem.rollout_step(p, h)
            rpred.append(psi.max(axis=1))
            roll[r, sl] = bce(rpred[-1], x[T + 1 + r, sl])
        if i == 0:
            m = min(keep, sl.stop)
            ex = {"slot": slot[:, :m].astype(np.uint8), "pred": _u8(pred[:, :m]),
                  "rollout": _u8(np.stack(rpred)[:, :m])}
    return {"bce": bce_t.mean(1), "ami": ami_t.mean(1), "ami_last_per_seq": ami_t[-LAST:].mean(0),
            "bce_last_per_seq": bce_t[-LAST:].mean(0), "rollout_bce": roll.mean(1),
            "h_last": np.concatenate(h_last), "examples": ex}


def _u8(a):
    return np.round(np.clip(a, 0.0, 1.0) * 255).astype(np.uint8)


# ---------------------------------------------------------------- training

def checkpoint_for(args, cfg, cell):
    """Each model's training checkpoint, in a hidden folder beside the results (none for --quick).
    The state after n sequences does not depend on the budget asked for, so a longer run continues
    from a shorter one's file."""
    if args.quick:
        return Checkpoint(None, 1, None)
    folder = checkpoint.folder_beside(args.out, args.seed)
    fp = {"cfg": {k: v for k, v in cfg.items() if k != "train_seqs"}, "seed": args.seed, "v": 1}
    return Checkpoint(os.path.join(folder, f"{cell}.pkl"), CHECKPOINT_EVERY, fp)


def remove_checkpoints(cks):
    for ck in cks:
        if ck.path is not None:
            checkpoint.remove_folder(os.path.dirname(ck.path))


def train(p, cfg, data_rng, probe, name, ck):
    """Adam on fresh batches of 4-ball sequences until ``train_seqs`` have been seen; every
    ``eval_every`` sequences the probe set's last-10-step BCE and AMI. The loop's whole state is
    saved every CHECKPOINT_EVERY batches and at the end, so an interrupted run resumes
    bit-identically. Returns curves and timing."""
    state = {"params": p, "opt": Adam(p, lr=cfg["lr"]), "data": data_rng, "losses": [], "curve": [],
             "count": {"seen": 0, "next_eval": 0, "cpu": 0.0}}
    k = ck.restore(state)
    c, losses, curve = state["count"], state["losses"], state["curve"]
    if c["seen"] > cfg["train_seqs"]:
        raise cli.StubError(f"the checkpoint {ck.path} is past --train-seqs {cfg['train_seqs']:,}: "
                            f"delete it or ask for more sequences")
    if k:
        print(f"  resumed {name} after {c['seen']:,} sequences from {os.path.relpath(ck.path)}", flush=True)
    timer = cli.Timer()
    done = ck.final and c["seen"] >= cfg["train_seqs"]       # restored from a finished run
    while not done:
        if c["seen"] >= c["next_eval"] or c["seen"] >= cfg["train_seqs"]:
            e = evaluate(p, probe, cfg, keep=0)
            curve.append((c["seen"], e["bce_last_per_seq"].mean(), e["ami_last_per_seq"].mean()))
            c["next_eval"] = c["seen"] + cfg["eval_every"]
            recent = np.mean(losses[-20:]) if losses else float("nan")
            print(f"  {name:6s} {c['seen']:7,d} seqs  train loss {recent:8.2f}  probe BCE "
                  f"{curve[-1][1]:7.2f}  AMI {curve[-1][2]:.3f}  "
                  f"{cli.progress(c['seen'], cfg['train_seqs'], timer())}", flush=True)
            if c["seen"] >= cfg["train_seqs"]:
                ck.save(k, state, final=True)
                break
        b = make_batch(data_rng, cfg["batch"], cfg["balls"], cfg, cfg["K"])
        c0 = time.process_time()
        loss, g, _ = nem.loss_and_grads(p, b["x_in"], b["x"][1:], b["gamma0"])
        cli.check_finite(c["seen"], loss=loss, **{f"grad_{n}": v for n, v in g.items()})
        state["opt"].step(g)
        c["cpu"] += time.process_time() - c0
        losses.append(loss)
        c["seen"] += cfg["batch"]
        k += 1
        if ck.due(k):
            ck.save(k, state)
    return {"loss": np.array(losses), "curve": np.array(curve), "cpu_s": c["cpu"], "seqs": c["seen"]}


def init_model(rng, cell, cfg):
    return nem.init_params(rng, SIDE * SIDE, cfg["hidden"], cell, E=cfg["inter"], C=cfg["inter"],
                           F=cfg["inter"], A=cfg["att"])


# ---------------------------------------------------------------- CLI and main

def build_parser():
    p = cli.make_parser(__doc__, __file__)
    p.add_argument("--steps", type=cli.int_range(3, 60), default=DEFAULTS["steps"],
                   help="frames per training and test sequence seen by the loop (one N-EM step each)")
    p.add_argument("--rollout", type=cli.int_range(1, 100), default=DEFAULTS["rollout"],
                   help="frames predicted after the observed ones, the model's prediction fed back")
    p.add_argument("--hidden", type=cli.int_range(2, 512), default=DEFAULTS["hidden"],
                   help="sigmoid units of each slot's state")
    p.add_argument("--inter", type=cli.int_range(2, 512), default=DEFAULTS["inter"],
                   help="units of R-NEM's encoder, pair embedding and effect layers")
    p.add_argument("--att", type=cli.int_range(1, 512), default=DEFAULTS["att"],
                   help="tanh units of R-NEM's attention layer")
    p.add_argument("--flip", type=cli.float_range(0.0, 0.5), default=DEFAULTS["flip"],
                   help="bit-flip probability of the input noise, drawn anew for every frame")
    p.add_argument("--lr", type=cli.float_range(0.0, 1.0), default=DEFAULTS["lr"], help="Adam step size")
    p.add_argument("--batch", type=cli.int_range(1, 512), default=DEFAULTS["batch"],
                   help="sequences per update")
    p.add_argument("--train-seqs", type=cli.int_range(1, PAPER_EPOCHS * PAPER_TRAIN), default=None,
                   help="training sequences seen by each model, generated afresh (overrides --budget)")
    p.add_argument("--n-test", type=cli.int_range(3, 3_000), default=DEFAULTS["n_test"],
                   help="test sequences per test set (4 balls; 6-8 balls)")
    p.add_argument("--eval-every", type=cli.int_range(1, 50_000_000), default=DEFAULTS["eval_every"],
                   help="training sequences between two points of the learning curve")
    p.add_argument("--lyap-seqs", type=cli.int_range(1, 64), default=DEFAULTS["lyap_seqs"],
                   help="test sequences whose rollout dynamics are analysed")
    p.add_argument("--lyap-steps", type=cli.int_range(12, 2_000), default=DEFAULTS["lyap_steps"],
                   help="rollout frames iterated for the Lyapunov spectra (the first 10 align the frame)")
    p.add_argument("--lyap-k", type=cli.int_range(1, 64), default=DEFAULTS["lyap_k"],
                   help="leading Lyapunov exponents reported")
    cli.budget_flag(p, "train_seqs", paper=PAPER_EPOCHS * PAPER_TRAIN, short=SHORT_SEQS, unit="sequences",
                    why="the authors' cap of 500 epochs; a training set of 50,000 is recalled, not read",
                    default="short")
    return p


def resolve(args):
    cli.quick(args, **QUICK)
    cfg = {k: getattr(args, k) for k in DEFAULTS if hasattr(args, k)}
    cfg.update(K=DEFAULTS["K"], K_test=DEFAULTS["K_test"], balls=DEFAULTS["balls"],
               balls_test=list(range(DEFAULTS["balls_test"][0], DEFAULTS["balls_test"][1] + 1)))
    if cfg["lyap_seqs"] > cfg["n_test"] // 3:
        if cli.given(args, "lyap_seqs"):
            raise cli.StubError("--lyap-seqs must not exceed a third of --n-test")
        cfg["lyap_seqs"] = max(1, cfg["n_test"] // 3)
    if cfg["lyap_k"] > min(4 * cfg["balls"], cfg["K"] * cfg["hidden"]):
        raise cli.StubError("--lyap-k exceeds the state size of the simulator (16) or of the model")
    return cfg


def main(args):
    timer = cli.Timer()
    cfg = resolve(args)
    dy = cli.load_sibling(__file__, "relational_nem_bouncing_balls_dynamics", globals())
    rs = streams(args.seed, ["init", "data", "eval", "lyap"])
    print(f"bouncing balls {SIDE}x{SIDE}, radius {RADIUS}, masses {MASSES}; train {cfg['balls']} balls, "
          f"K={cfg['K']}; test {cfg['balls']} balls K={cfg['K']} and {cfg['balls_test']} balls "
          f"K={cfg['K_test']}; "
          f"{cfg['steps']} steps, bit-flip {cfg['flip']}; {cfg['hidden']} state units, interaction "
          f"{cfg['inter']}/{cfg['att']}; Adam {cfg['lr']:g}, batch {cfg['batch']}, {cfg['train_seqs']:,} "
          f"sequences per model", flush=True)
    test4 = make_test(rs["eval"], cfg, [cfg["balls"]], cfg["K"])
    test678 = make_test(rs["eval"], cfg, cfg["balls_test"], cfg["K_test"])
    probe = {k: (v[:, :24] if k in ("x", "labels", "x_in") else v[:24]) for k, v in test4.items()
             if k in ("x", "labels", "x_in", "gamma0")}
    data0 = copy.deepcopy(rs["data"])           # both models see the same training sequences
    models, runs, scores = {}, {}, {}
    cks = [checkpoint_for(args, cfg, cell) for cell in ("rnem", "rnn")]
    for (cell, data_rng), ck in zip((("rnem", rs["data"]), ("rnn", data0)), cks, strict=True):
        models[cell] = init_model(rs["init"], cell, cfg)
        scores[cell + "_untrained"] = evaluate(models[cell], test4, cfg)
        runs[cell] = train(models[cell], cfg, data_rng, probe, {"rnem": "R-NEM", "rnn": "RNN-EM"}[cell], ck)
        scores[cell + "_4"] = evaluate(models[cell], test4, cfg)
        scores[cell + "_678"] = evaluate(models[cell], test678, cfg)
        s4, s8 = scores[cell + "_4"], scores[cell + "_678"]
        print(f"  {cell}: 4 balls BCE {s4['bce'][-LAST:].mean():.2f} AMI {s4['ami'][-LAST:].mean():.3f}; "
              f"6-8 balls BCE {s8['bce'][-LAST:].mean():.2f} AMI {s8['ami'][-LAST:].mean():.3f}", flush=True)
    lyap = dy.lyapunov(models, scores, test4, cfg, rs["lyap"])
    metrics = dy.summarise(cfg, runs, scores, lyap, {"4": test4, "678": test678})
    config = dict(cfg, side=SIDE, radius=RADIUS, masses=list(MASSES), speed=list(SPEED), substeps=SUBSTEPS,
                  n_seeds=1)
    rec = record(args, __file__, title="Relational N-EM vs RNN-EM on rendered bouncing balls of two masses",
                 paper=PAPER, config=config, metrics=metrics, headline=dy.headline_rows(metrics, cfg),
                 lyapunov=dy.lyapunov_block(lyap, cfg))
    finish_run(args.out, rec, dy.arrays(runs, scores, test4, test678, lyap), timer)
    remove_checkpoints(cks)


def gradcheck(args):
    """Float64 central differences of both cells' sequential loss (the gamma-stopped gradient
    against the loss with the E-steps' gamma held fixed), and the rollout Jacobian against finite
    differences."""
    dy = cli.load_sibling(__file__, "relational_nem_bouncing_balls_dynamics", globals())
    return dy.gradcheck(args.seed)


if __name__ == "__main__":
    cli.run(main, build_parser(), gradcheck=gradcheck)
