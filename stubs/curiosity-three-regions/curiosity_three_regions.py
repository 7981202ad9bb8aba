"""Curious model-building control systems (Schmidhuber, IJCNN 1991; FKI-149-91, "Adaptive confidence
and adaptive curiosity"): Q-learning on the change of a world model's assumed reliability.

An agent moves around a 10x10 world (100 states, actions north/east/south/west, a wall keeps it
where it is). Every action provokes a reaction of the environment, a number in [-1, 1]: in the
deterministic states the reaction to (state, action) is fixed, in the random states it is drawn
afresh each time. Four adaptive modules, each a one-layer net on a local (one-hot) input, which
makes each a lookup table trained by the delta rule:

    M(x, a)  world model: predicts the reaction d(t)                  M += eta_M (d - M)
    C(x, a)  confidence: predicts M's squared error e = (d - M)^2     C += eta_C (e - C)
    Q(x, a), U(x)  Watkins' Q-learning on the curiosity reward
    A(x)     controller: trained to emit the action with the largest Q

    r(t) = C_before(x, a) - C_after(x, a)      (the assumed error fell: the assumed reliability rose)

Each step: 1. with probability epsilon a random action, else the action A rates highest; 2. act,
observe the reaction and the next state; 3. train C on M's error, reward = the change of C's
output, train M; 4. Q(x, a) += alpha (r + gamma U(x') - Q(x, a)), train A toward the greedy
action; 5. U(x) = max_b Q(x, b). Random search (the paper's baseline) picks every action at random
and trains M the same way.

Criterion (the paper's): E(t) = sum over the deterministic (state, action) pairs of
(d - M)^2. The headline is how much sooner the curious agent drives E(t) down to 1 %, 10 % and
50 % of E(0) than random search, over 20 seeds, in a world whose deterministic part is a 3x3
block (9 states); variants change the world, C's initial output, the reward's sign and M's rate.
Not recurrent: the diagnostic is the learning-progress curves and the per-cell confidence.

    python3 curiosity_three_regions.py --seed 0      # headline
    python3 curiosity_three_regions.py --quick       # smoke test, seconds
"""
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401  (pins BLAS to one thread before numpy loads)

import numpy as np

from shared import cli
from shared.results import finish_run, headline_row, record
from shared.rng import streams

PAPER = ("J. Schmidhuber, Curious model-building control systems, Proc. IJCNN 1991 Singapore, vol. 2, "
         "pp. 1458-1463; Adaptive confidence and adaptive curiosity, TR FKI-149-91, TU Munich, 1991")
N_SIDE, N_STATES, N_ACTIONS = 10, 100, 4
MOVES = ((-1, 0), (0, 1), (1, 0), (0, -1))                 # north, east, south, west
# deterministic block (rows from the top, columns from the right) of each world
WORLDS = {"9%": (3, 3), "25%": (5, 5), "50%": (10, 5)}
# name -> (world, M's rate as a multiple of --eta-m, C's initial output, reward sign)
VARIANTS = {
    "paper": ("9%", 1.0, "random", 1.0),
    "world25": ("25%", 1.0, "random", 1.0),
    "world50": ("50%", 1.0, "random", 1.0),
    "c0_untrained": ("9%", 1.0, "untrained", 1.0),    # C starts at an untrained M's error, E d^2 = 1/3
    "literal_sign": ("9%", 1.0, "random", -1.0),      # the printed formula's minus sign taken literally
    "fast_m": ("9%", 3.0, "random", 1.0),
}
THRESHOLDS = (0.5, 0.1, 0.01)                             # E(t) / E(0) levels timed
DEFAULTS = dict(seeds=20, steps=200_000, eta_m=0.01, eta_c=0.1, alpha=0.5, gamma=0.9, epsilon=0.1,
                eta_a=1.0, init=0.01, log_every=500, snap_every=5000)
QUICK = dict(seeds=2, steps=4000, eta_m=0.1, log_every=100, snap_every=1000)


# ---------------------------------------------------------------- world

def grid_moves():
    """next_state (100, 4): where each action leads; a move into the wall keeps the state."""
    nxt = np.zeros((N_STATES, N_ACTIONS), dtype=np.int64)
    for s in range(N_STATES):
        r, c = divmod(s, N_SIDE)
        for a, (dr, dc) in enumerate(MOVES):
            rr, cc = r + dr, c + dc
            nxt[s, a] = rr * N_SIDE + cc if 0 <= rr < N_SIDE and 0 <= cc < N_SIDE else s
    return nxt


def det_mask(world):
    """(100,) bool: the deterministic states, a block in the top-right corner."""
    h, w = WORLDS[world]
    r, c = np.divmod(np.arange(N_STATES), N_SIDE)
    return (r < h) & (c >= N_SIDE - w)


# ---------------------------------------------------------------- the four modules
# Every module is a one-layer linear net on a one-hot input x = e_k, so its output is the k-th row
# of its weight matrix and the gradient of L = 1/2 (o - target)^2 is (o - target) e_k^T: only row k
# changes. ``local_grad`` is that gradient written out in full (for the checks); the training steps
# below apply it to row k alone.

def local_out(W, k):
    """o = W^T x with x = one-hot(k): W (N, K) or (N, K, O), k (N,) -> (N,) or (N, O)."""
    return W[np.arange(len(k)), k]


def local_grad(W, k, target):
    """dL/dW of L = sum_n 1/2 ||o_n - target_n||^2, o_n = local_out(W, k)_n: same shape as W."""
    g = np.zeros_like(W)
    np.add.at(g, (np.arange(len(k)), k), local_out(W, k) - target)
    return g


def init_agents(pops, n_seeds, cfg, rs):
    """Weights of N = pops x seeds agents (agent i = pop i // S, seed i % S), uniform in
    [-init, init] ("random initialization of C, M, A, U and Q"); C shifted to 1/3 where the
    variant starts it at an untrained M's expected error. Returns a dict of float64 arrays."""
    N, K, w = len(pops) * n_seeds, N_STATES * N_ACTIONS, cfg["init"]
    u = lambda *shape: rs["init"].uniform(-w, w, size=shape)           # noqa: E731
    c0 = np.repeat([1.0 / 3.0 if p["c0"] == "untrained" else 0.0 for p in pops], n_seeds)
    return {"M": u(N, K), "C": u(N, K) + c0[:, None], "Q": u(N, K), "U": u(N, N_STATES),
            "A": u(N, N_STATES, N_ACTIONS)}


# ---------------------------------------------------------------- one step of every agent

def step(net, s, env, par, draws):
    """The paper's five steps for N agents at once. s (N,) states; env: next (100, 4), det (N, 100),
    react (N, 100, 4); par: eps, eta_m, sign (N,) and the scalars eta_c, alpha, gamma, eta_a;
    draws: p (N,) in [0, 1), a (N,) random actions, d (N,) random reactions in [-1, 1].
    Updates ``net`` in place; returns (next states, actions, rewards), each (N,)."""
    ag = np.arange(len(s))
    # 1. explore with probability eps, else the action A rates highest
    a = np.where(draws["p"] < par["eps"], draws["a"], net["A"][ag, s].argmax(1))
    k = s * N_ACTIONS + a
    # 2. act: the next state, and the reaction (fixed in deterministic states, random elsewhere)
    s2 = env["next"][s, a]
    d = np.where(env["det"][ag, s], env["react"][ag, s, a], draws["d"])
    # 3. C learns M's squared error; the reward is how far C's output fell; then M learns d
    o_m = local_out(net["M"], k)
    e = (d - o_m) ** 2
    o_c = local_out(net["C"], k)
    net["C"][ag, k] -= par["eta_c"] * (o_c - e)                 # C -= eta_C dL/dC, L = 1/2 (C - e)^2
    r = par["sign"] * (o_c - net["C"][ag, k])
    net["M"][ag, k] -= par["eta_m"] * (o_m - d)                 # M -= eta_M dL/dM, L = 1/2 (M - d)^2
    # 4. Watkins: Q(x, a) toward r + gamma U(x'); A toward the action with the largest Q
    q = local_out(net["Q"], k)
    net["Q"][ag, k] -= par["alpha"] * (q - (r + par["gamma"] * net["U"][ag, s2]))
    q_s = net["Q"].reshape(len(s), N_STATES, N_ACTIONS)[ag, s]  # (N, 4) after the update
    greedy = np.eye(N_ACTIONS)[q_s.argmax(1)]
    net["A"][ag, s] -= par["eta_a"] * (net["A"][ag, s] - greedy)
    # 5. U(x) = max_b Q(x, b)
    net["U"][ag, s] = q_s.max(1)
    return s2, a, r


def model_error(net, env):
    """E(t) of every agent: sum over its deterministic (state, action) pairs of (d - M)^2, (N,)."""
    N = net["M"].shape[0]
    sq = (env["react"].reshape(N, -1) - net["M"]) ** 2
    return (sq * np.repeat(env["det"], N_ACTIONS, axis=1)).sum(1)


# ---------------------------------------------------------------- a run of every population

def populations(variants):
    """One curious population per variant and one random-search population per distinct
    (world, M's rate): list of dicts name, world, eta_mult, c0, sign, curious."""
    pops, seen = [], set()
    for v in variants:
        world, mult, c0, sign = VARIANTS[v]
        pops.append(dict(name=v, world=world, eta_mult=mult, c0=c0, sign=sign, curious=True))
    for v in variants:
        world, mult = VARIANTS[v][:2]
        if (world, mult) not in seen:
            seen.add((world, mult))
            pops.append(dict(name=random_pop(world, mult), world=world, eta_mult=mult, c0="random",
                             sign=1.0, curious=False))
    return pops


def random_pop(world, mult):
    return f"random_{world}" + ("" if mult == 1.0 else f"_etam{mult:g}")


def run(cfg, variants, seed):
    """Train every population for cfg['steps'] steps; return logged curves and snapshots."""
    rs = streams(seed, ["world", "init", "start", "explore", "react"])
    S, pops = cfg["seeds"], populations(variants)
    N = len(pops) * S
    react = rs["world"].uniform(-1, 1, size=(S, N_STATES, N_ACTIONS))    # the fixed reactions
    env = {"next": grid_moves(), "react": np.tile(react, (len(pops), 1, 1)),
           "det": np.repeat(np.array([det_mask(p["world"]) for p in pops]), S, axis=0)}
    rep = lambda key: np.repeat([p[key] for p in pops], S).astype(float)    # noqa: E731
    par = {"eps": np.where(rep("curious") > 0, cfg["epsilon"], 1.0), "eta_m": cfg["eta_m"] * rep("eta_mult"),
           "sign": rep("sign"), "eta_c": cfg["eta_c"], "alpha": cfg["alpha"], "gamma": cfg["gamma"],
           "eta_a": cfg["eta_a"]}
    net = init_agents(pops, S, cfg, rs)
    s = np.tile(rs["start"].integers(0, N_STATES, size=S), len(pops))
    T, lg, sn = cfg["steps"], cfg["log_every"], cfg["snap_every"]
    E, det_steps = [], np.zeros(N)
    win_visits, win_reward = np.zeros((N, N_STATES)), np.zeros((N, 2))
    snaps = {"C_cell": [], "visits": [], "reward_region": []}
    t0, timer = time.process_time(), cli.Timer()
    base = [p["name"] for p in pops].index(random_pop(pops[0]["world"], pops[0]["eta_mult"]))
    for t in range(T + 1):
        if t % lg == 0:
            E.append(model_error(net, env))
            cli.check_finite(t, E=E[-1], Q=net["Q"])
        if t % sn == 0 and t > 0:
            snaps["C_cell"].append(net["C"].reshape(N, N_STATES, N_ACTIONS).mean(2))
            snaps["visits"].append(win_visits.copy())
            snaps["reward_region"].append(win_reward / np.maximum(win_visits_by_region(win_visits, env), 1))
            win_visits[:], win_reward[:] = 0, 0
        if t == T:
            break
        if t % max(T // 10, 1) == 0:
            e_cur, e_rnd = np.median(E[-1][:S]), np.median(E[-1][base * S:(base + 1) * S])
            print(f"step {t:8,d}  E(t) median over seeds, {pops[0]['name']}: curious {e_cur:8.4f} | "
                  f"random search {e_rnd:8.4f}  {cli.progress(t, T, timer())}", flush=True)
        draws = {"p": rs["explore"].random(N), "a": rs["explore"].integers(0, N_ACTIONS, N),
                 "d": rs["react"].uniform(-1, 1, N)}
        in_det = env["det"][np.arange(N), s]
        s_next, _, r = step(net, s, env, par, draws)
        det_steps += in_det
        win_visits[np.arange(N), s] += 1
        win_reward[:, 0] += r * in_det
        win_reward[:, 1] += r * ~in_det
        s = s_next
    E = np.array(E).reshape(-1, len(pops), S)                              # (n_log, P, S)
    snaps = {k: np.array(v).reshape(len(v), len(pops), S, *np.shape(v[0])[1:]) for k, v in snaps.items()}
    return dict(pops=pops, E=E, det_share=(det_steps / T).reshape(len(pops), S), snaps=snaps,
                det=np.array([det_mask(p["world"]) for p in pops]), cpu_s=time.process_time() - t0)


def win_visits_by_region(visits, env):
    """Steps spent in deterministic and in random states in a window: (N, 2)."""
    det = env["det"]
    return np.stack([(visits * det).sum(1), (visits * ~det).sum(1)], axis=1)


# ---------------------------------------------------------------- metrics and verdicts

def first_hit(E, frac, log_every):
    """Steps until E(t) <= frac E(0), per (population, seed): (P, S) floats, inf if never."""
    below = E <= frac * E[:1]
    hit = np.where(below.any(0), below.argmax(0) * float(log_every), np.inf)
    return hit


def speedups(out, cfg):
    """Per curious population and threshold: median over seeds of t_random / t_curious (the paired
    random-search population, same seeds), seeds where curious got there first, and the times."""
    pops, res = out["pops"], {}
    names = [p["name"] for p in pops]
    for i, p in enumerate(pops):
        if not p["curious"]:
            continue
        j = names.index(random_pop(p["world"], p["eta_mult"]))
        rows = {}
        for frac in THRESHOLDS:
            hit = first_hit(out["E"], frac, cfg["log_every"])
            tc, tr = hit[i], hit[j]
            with np.errstate(invalid="ignore", divide="ignore"):
                ratio = tr / tc                     # inf/inf (neither got there) is nan, left out
            med = float(np.median(ratio[~np.isnan(ratio)])) if (~np.isnan(ratio)).any() else None
            rows[f"{frac:g}"] = dict(
                speedup_median=none_if_bad(med), curious_first=int(np.sum(tc < tr)),
                curious_reached=int(np.isfinite(tc).sum()), random_reached=int(np.isfinite(tr).sum()),
                t_curious_median=none_if_bad(np.median(tc)), t_random_median=none_if_bad(np.median(tr)))
        rows["random_population"] = names[j]
        rows["det_share_curious"] = float(np.median(out["det_share"][i]))
        rows["det_share_random"] = float(np.median(out["det_share"][j]))
        rows["focus_seeds"] = int(np.sum(out["det_share"][i] >= 2 * out["det_share"][j]))
        res[p["name"]] = rows
    return res


def none_if_bad(x):
    return float(x) if x is not None and np.isfinite(x) else None


def verdict_speedup(sp, n_seeds):
    """yes: curious reaches 1 % of E(0) first in >= 80 % of seeds and its largest median speed-up
    over the three thresholds is >= 5 (half the paper's "up to 10 times"); partial: first in >= 80 %
    of seeds with a smaller speed-up, or first in more than half of the seeds; no: otherwise.
    Fixed before the headline run."""
    first = sp["0.01"]["curious_first"]
    best = max((sp[f"{f:g}"]["speedup_median"] or 0.0) for f in THRESHOLDS)
    if first >= 0.8 * n_seeds:
        return "yes" if best >= 5.0 else "partial"
    return "partial" if first > 0.5 * n_seeds else "no"


def verdict_focus(sp, n_seeds):
    """yes: the curious agent spends at least twice random search's share of steps in the
    deterministic states in >= 80 % of seeds; partial: in more than half; no: otherwise."""
    f = sp["focus_seeds"]
    return "yes" if f >= 0.8 * n_seeds else ("partial" if f > 0.5 * n_seeds else "no")


def fmt_x(x):
    return "never" if x is None else f"{x:.2f}x"


def headline_rows(sp, cfg):
    S, p = cfg["seeds"], sp["paper"]
    lv = ", ".join(f"{f:.0%} of E(0): {fmt_x(p[f'{f:g}']['speedup_median'])}" for f in THRESHOLDS)
    first = p["0.01"]["curious_first"]
    rows = [headline_row(
        "E(t) falls faster with curiosity than with random search: median speed-up (t_random / t_curious), "
        f"9-state deterministic block, {S} seeds", lv, "up to 10 times faster (section 5)",
        verdict_speedup(p, S),
        f"curious first to 1 % in {first}/{S} seeds; median steps to 1 %: curious "
        f"{p['0.01']['t_curious_median'] or 0:,.0f}, random {p['0.01']['t_random_median'] or 0:,.0f}",
        numbers=[{"value": p[f"{f:g}"]["speedup_median"] or 0.0} for f in THRESHOLDS])]
    rows.append(headline_row(
        "Curious agent focuses on the deterministic states: median share of its steps there vs random search",
        f"{p['det_share_curious']:.3f} vs {p['det_share_random']:.3f}",
        "focuses on the states where M can improve (section 5, qualitative)", verdict_focus(p, S),
        f"share at least doubled in {p['focus_seeds']}/{S} seeds",
        numbers=[{"value": p["det_share_curious"]}, {"value": p["det_share_random"]}]))
    return rows


def headline_pair(out):
    """Indices of the headline's curious population and its random-search population."""
    names = [p["name"] for p in out["pops"]]
    return names.index("paper"), names.index(random_pop(*VARIANTS["paper"][:2]))


def diagnostics(out, cfg):
    """The learning-progress numbers the README quotes, medians over seeds: E(t)/E(0) of every
    population at 1/8, 1/4, 1/2 and all of the run; for the headline pair, the reward per step in
    deterministic and random states (first snapshot window and the whole run; the first window
    for every curious population too) and C's output
    (assumed error) averaged over the deterministic and the random cells at the end."""
    E, n = out["E"], out["E"].shape[0] - 1
    marks = {f"{f:g}": int(f * n) for f in (0.125, 0.25, 0.5, 1.0)}
    res = {"E_rel_median_at": {p["name"]: {f"t={i * cfg['log_every']}": float(np.median(E[i, j] / E[0, j]))
                                           for i in marks.values()} for j, p in enumerate(out["pops"])}}
    ic, ir = headline_pair(out)
    rr, vis = out["snaps"]["reward_region"], out["snaps"]["visits"]           # (n, P, S, 2), (n, P, S, 100)
    res["first_window_reward_per_step"] = {
        p["name"]: {"det": float(np.median(rr[0, j, :, 0])), "random": float(np.median(rr[0, j, :, 1]))}
        for j, p in enumerate(out["pops"]) if p["curious"]}
    det = out["det"][ic]
    steps = np.stack([(vis * det).sum(-1), (vis * ~det).sum(-1)], -1)         # (n, P, S, 2)
    whole = (rr * steps).sum(0) / np.maximum(steps.sum(0), 1)                # (P, S, 2)
    C_end = out["snaps"]["C_cell"][-1]                                       # (P, S, 100)
    for tag, i in (("curious", ic), ("random", ir)):
        res[f"{tag}_reward_per_step"] = {
            "det_first_window": float(np.median(rr[0, i, :, 0])),
            "random_first_window": float(np.median(rr[0, i, :, 1])),
            "det_whole_run": float(np.median(whole[i, :, 0])),
            "random_whole_run": float(np.median(whole[i, :, 1]))}
        res[f"{tag}_assumed_error_end"] = {"det_cells": float(np.median(C_end[i][:, det].mean(1))),
                                           "random_cells": float(np.median(C_end[i][:, ~det].mean(1)))}
    return res


def saved_arrays(out, cfg):
    """What the figures and the GIF read: E(t) of every agent (n_log, P, S), the share of steps in
    deterministic states (P, S), the worlds (P, 100), the per-window reward by region of every
    agent (n_snap, P, S, 2) and, for the headline pair only, the per-cell snapshots of seed 0 and
    the median over seeds (n_snap, 2, 100): C's output and the visits in the window."""
    ic, ir = headline_pair(out)
    arrays = {"E": out["E"], "det_share": out["det_share"], "det": out["det"],
              "log_steps": np.arange(out["E"].shape[0]) * cfg["log_every"],
              "snap_steps": np.arange(1, out["snaps"]["C_cell"].shape[0] + 1) * cfg["snap_every"],
              "reward_region": out["snaps"]["reward_region"]}
    for k in ("C_cell", "visits"):
        v = out["snaps"][k][:, [ic, ir]]                                      # (n, 2, S, 100)
        arrays[f"{k}_seed0"], arrays[f"{k}_median"] = v[:, :, 0], np.median(v, axis=2)
    return arrays


# ---------------------------------------------------------------- main

def resolve(args):
    cli.quick(args, **QUICK)
    cfg = {k: getattr(args, k) for k in DEFAULTS}
    if cfg["snap_every"] % cfg["log_every"]:
        raise cli.StubError(f"--snap-every {cfg['snap_every']} must be a multiple of --log-every "
                            f"{cfg['log_every']}")
    if cfg["snap_every"] > cfg["steps"]:
        raise cli.StubError(f"--snap-every {cfg['snap_every']} exceeds --steps {cfg['steps']}")
    cfg["n_seeds"] = cfg["seeds"]
    cfg["variants"] = args.variants
    cfg["worlds"] = {w: f"deterministic block {h}x{w_} (rows from the top, columns from the right)"
                     for w, (h, w_) in WORLDS.items()}
    return cfg


def main(args):
    timer = cli.Timer()
    cfg = resolve(args)
    print(f"curious Q-learning vs random search, 10x10 world, {cfg['seeds']} seeds x "
          f"{len(populations(cfg['variants']))} populations, {cfg['steps']:,} steps; eta_M {cfg['eta_m']}, "
          f"eta_C {cfg['eta_c']}, alpha {cfg['alpha']}, gamma {cfg['gamma']}, epsilon {cfg['epsilon']}")
    out = run(cfg, cfg["variants"], args.seed)
    sp = speedups(out, cfg)
    for name, r in sp.items():
        print(f"{name:14s} " + "  ".join(f"{f:>5.0%}: {fmt_x(r[f'{f:g}']['speedup_median']):>7s} "
                                         f"({r[f'{f:g}']['curious_first']}/{cfg['seeds']} first)"
                                         for f in THRESHOLDS)
              + f"  det share {r['det_share_curious']:.3f} vs {r['det_share_random']:.3f}")
    metrics = {"speedup": sp, "populations": [p["name"] for p in out["pops"]],
               "E0_median": {p["name"]: float(np.median(out["E"][0, i])) for i, p in enumerate(out["pops"])},
               "diagnostics": diagnostics(out, cfg), "timing": {"cpu_s": out["cpu_s"]}}
    arrays = saved_arrays(out, cfg)
    rec = record(args, __file__, title="Curious model-building control systems (Schmidhuber 1991)",
                 paper=PAPER, config=cfg, metrics=metrics, headline=headline_rows(sp, cfg), lyapunov=None)
    print(f"cpu {out['cpu_s']:.1f} s")
    finish_run(args.out, rec, arrays, timer)


def build_parser():
    p = cli.make_parser(__doc__, __file__)
    p.add_argument("--seeds", type=cli.int_range(2, 200), default=DEFAULTS["seeds"],
                   help="independent seeds per population (each its own reactions, start and weights)")
    p.add_argument("--steps", type=cli.int_range(10, 5_000_000), default=DEFAULTS["steps"],
                   help="steps every agent lives")
    p.add_argument("--eta-m", type=cli.float_range(0.0, 1.0), default=DEFAULTS["eta_m"],
                   help="learning rate of the world model M (variant fast_m uses three times this)")
    p.add_argument("--eta-c", type=cli.float_range(0.0, 1.0), default=DEFAULTS["eta_c"],
                   help="learning rate of the confidence module C")
    p.add_argument("--alpha", type=cli.float_range(0.0, 1.0), default=DEFAULTS["alpha"],
                   help="Q-learning rate")
    p.add_argument("--gamma", type=cli.float_range(0.0, 0.999), default=DEFAULTS["gamma"],
                   help="discount factor")
    p.add_argument("--epsilon", type=cli.float_range(0.0, 1.0), default=DEFAULTS["epsilon"],
                   help="probability of a random action of the curious agent (step 1)")
    p.add_argument("--eta-a", type=cli.float_range(0.0, 1.0), default=DEFAULTS["eta_a"],
                   help="learning rate of the controller A toward the greedy action (1: A copies it)")
    p.add_argument("--init", type=cli.float_range(0.0, 1.0), default=DEFAULTS["init"],
                   help="initial weights uniform in [-init, init]")
    p.add_argument("--log-every", type=cli.int_range(1, 100_000), default=DEFAULTS["log_every"],
                   help="steps between E(t) measurements (the resolution of the timed thresholds)")
    p.add_argument("--snap-every", type=cli.int_range(1, 1_000_000), default=DEFAULTS["snap_every"],
                   help="steps between per-cell snapshots (confidence, visits, rewards) for the figures")
    p.add_argument("--variants", type=cli.name_list(list(VARIANTS), required="paper"),
                   default=list(VARIANTS), help="curious populations to run (paper: the headline)")
    return p


def gradcheck(args):
    """The delta rule of every module is the gradient of 1/2 (o - target)^2 on a one-hot input:
    local_grad against central differences, float64, with repeated indices in the batch."""
    from shared.gradcheck import check_gradients
    rng = np.random.default_rng(0)
    errs = {}
    for name, shape in (("M", (3, 8)), ("C", (3, 8)), ("Q", (3, 8)), ("A", (3, 5, 4))):
        W = rng.normal(size=shape)
        k = np.array([2, 7, 2]) if len(shape) == 2 else np.array([1, 1, 4])
        tgt = rng.normal(size=(3,) + shape[2:])

        def loss(W=W, k=k, tgt=tgt):
            return 0.5 * np.sum((local_out(W, k) - tgt) ** 2)
        errs[name] = check_gradients(loss, {name: W}, {name: local_grad(W, k, tgt)})[name]
    return errs


if __name__ == "__main__":
    cli.run(main, build_parser(), gradcheck=gradcheck)
