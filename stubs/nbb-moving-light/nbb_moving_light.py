"""Direction of a moving light learned by the Neural Bucket Brigade (Schmidhuber 1989).

The paper's recurrent experiment: a one-dimensional "retina" of 5 input units plus one unit that
is always on, fully connected to a competitive subset of 2 output units, which is fully
connected to itself (self- and cross-connections) so that it can hold a state. The net must switch
on output 1 after a light point has crossed the retina left to right within 5 ticks, and output 2
after a right-to-left crossing. The only learning rule is the NBB (family core
``shared/nbb/core.py``, shared with nbb-xor); it has no gradient, so ``--gradcheck`` reports an
empty check.

Cycle (one sequence): reset all activations; the clamped input at tick t = 0..4 is the bias plus
the lit cell (t for left-to-right, 4 - t for right-to-left), at tick 5 the bias alone; outputs
update at ticks 1..5 from the previous tick's units, so the output at tick 5 is the answer after
the crossing. Payoff at every tick to the correct output when it is on. A sequence is correct if
the correct output is on at tick 5. Per run:
    solution: the first cycle that starts 20 correct cycles in a row (learning on);
    frozen:   both sequences correct with learning off, tested every 10 cycles.
Groups trained side by side (30 runs each):
    paper          the setting above, initial weights U(0.999, 1.001) (the earlier catalog's);
    paper@wide     the same with initial weights U(0, 1);
    catalog        the earlier catalog's timing (no input at tick 0, so the outputs see the
                   lights one tick late and never the last one), its order (pairs holding one
                   sequence of each direction in random order) and its frozen criterion (2/2 for
                   5 consecutive checks, one check per pair, 5000 sequences at most): it
                   reported 9/30 runs;
    catalog@iid    the same with each sequence's direction drawn independently;
    paper@wide-norec  paper@wide with payoff only on the retina -> output connections, not on
                   the recurrent ones (the catalog paid both; the paper's choice was not read).
Directions are drawn independently in the paper groups (the paper's order was not readable).

    python3 nbb_moving_light.py --seed 0     # headline
    python3 nbb_moving_light.py --quick      # seconds; what the tests run

Arrays: runs R = groups x runs on the leading axis (see shared/nbb/core.py); inputs per run
U (R, 6, 6) (tick, input unit); correct (C, R) per cycle.
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401  (pins BLAS to one thread before numpy loads)

import numpy as np

from shared import cli
from shared.lyapunov import qr_spectrum
from shared.nbb import core
from shared.results import finish_run, headline_row, record
from shared.rng import streams
from shared.stats import solved_summary

PAPER = ("J. Schmidhuber, A local learning algorithm for dynamic feedforward and recurrent networks, "
         "Connection Science 1(4):403-412, 1989 (FKI-124-90), section 'Simple experiments', moving light")
GROUPS = ("paper", "paper@wide", "catalog", "catalog@iid", "paper@wide-norec")
INITS = {"paper": (0.999, 1.001), "paper@wide": (0.0, 1.0), "catalog": (0.999, 1.001),
         "catalog@iid": (0.999, 1.001), "paper@wide-norec": (0.0, 1.0)}
NO_RECURRENT_PAYOFF = ("paper@wide-norec",)   # payoff only on retina -> output connections
PAIRED = ("catalog",)              # sequences in pairs, one of each direction in random order
N_CELLS, N_IN, N = 5, 6, 8
OUT = (6, 7)
BIAS = 5
DEFAULTS = dict(runs=30, cycles=2500, ticks=5, solve_window=20, test_every=10, lam=0.005, eta=0.005,
                catalog_stable=5, lyap_cycles=200, lyap_transient=20, tie_break="random")
PAPER_RUNS, PAPER_CYCLES_PER_SEQ = (9, 10), 223        # quoted by the earlier catalog, not read
CATALOG_RUNS = (9, 30)


# ==============================================================================================
# Data and network
# ==============================================================================================
def sequence(direction, timing):
    """Clamped inputs (6 ticks, 6 input units) of one sequence. direction 0: left to right."""
    U = np.zeros((6, N_IN))
    cells = list(range(N_CELLS)) if direction == 0 else list(range(N_CELLS - 1, -1, -1))
    if timing == "paper":
        U[:, BIAS] = 1.0
        for t, cell in enumerate(cells):
            U[t, cell] = 1.0
    else:                                   # catalog: nothing at tick 0, lights shifted one tick
        U[1:, BIAS] = 1.0
        for t, cell in enumerate(cells[:4]):
            U[t + 1, cell] = 1.0
    return U


def topology():
    mask = np.zeros((N, N), bool)
    mask[:N_IN, OUT] = True                                    # retina + bias -> outputs
    mask[np.ix_(OUT, OUT)] = True                              # outputs -> outputs (recurrent)
    groups = np.zeros((1, N), bool)
    groups[0, OUT] = True
    return mask, groups


def cycle(W, d, timing_of, groups, cfg, ties, lam, eta, jac=False, pay_mask=None):
    """One sequence per run (direction d (R,)): reset, 5 ticks, learning every tick.

    Returns (correct at tick 5 (R,), W, outputs (ticks, R, 2), cycle Jacobian of W or None)."""
    R = len(d)
    rows = np.arange(R)
    U = np.stack([SEQS[timing_of[r]][d[r]] for r in range(R)])            # (R, 6, 6)
    target = np.where(d == 0, OUT[0], OUT[1])
    good = np.zeros((R, N), bool)
    good[rows, target] = True
    x = np.zeros((R, N))
    x[:, :N_IN] = U[:, 0]
    c = np.zeros((R, N, N))
    outs = np.zeros((cfg["ticks"], R, 2))
    J = None
    if jac:
        m = N * N
        J = np.zeros((R, 2 * m, m))
        J[:, np.arange(m), np.arange(m)] = 1.0                               # d(W, c) / dW at reset
    for t in range(1, cfg["ticks"] + 1):
        tie_u = ties.random((R,) + groups.shape[1:]) if ties is not None else None
        x_prev, c_prev = x, c
        W_new, x, c, _ = core.step(W, x_prev, c_prev, U[:, t], groups, good, lam, eta, tie_u, pay_mask)
        if jac:
            J = core.weight_jacobian(W, x_prev, x, c_prev, good, lam, eta, pay_mask) @ J
        W = W_new
        outs[t - 1] = x[:, OUT]
    return x[rows, target] == 1.0, W, outs, (None if J is None else J[:, :N * N])


SEQS = {timing: [sequence(0, timing), sequence(1, timing)] for timing in ("paper", "catalog")}


# ==============================================================================================
# Training
# ==============================================================================================
def train(cfg, seed):
    rs = streams(seed, ["init", "data", "ties", "lyap"])
    mask1, groups1 = topology()
    G, runs = len(GROUPS), cfg["runs"]
    group_of = np.repeat(np.arange(G), runs)
    R, C = len(group_of), cfg["cycles"]
    timing_of = np.array(["catalog" if GROUPS[g].startswith("catalog") else "paper" for g in group_of])
    mask = np.broadcast_to(mask1, (R, N, N))
    groups = np.broadcast_to(groups1, (R,) + groups1.shape)
    lo = np.array([INITS[GROUPS[g]][0] for g in group_of])[:, None, None]
    hi = np.array([INITS[GROUPS[g]][1] for g in group_of])[:, None, None]
    W = np.where(mask, lo + (hi - lo) * rs["init"].random((R, N, N)), 0.0)
    direction = rs["data"].integers(0, 2, (C, R))
    paired = np.isin(group_of, [GROUPS.index(g) for g in PAIRED])
    direction[1::2, paired] = 1 - direction[0:C - C % 2:2, paired]       # the pair's other direction
    correct = np.zeros((C, R), bool)
    frozen = np.zeros((C // cfg["test_every"], R), bool)
    pair_ok = np.zeros((C // 2, R), bool)                     # the catalog's check after each pair
    substance = np.zeros((C // 5, R))
    ties = rs["ties"] if cfg["tie_break"] == "random" else None
    pay_mask = np.broadcast_to(mask1, (R, N, N)).copy()
    norec = np.isin(group_of, [GROUPS.index(g) for g in NO_RECURRENT_PAYOFF])
    pay_mask[np.ix_(norec, OUT, OUT)] = False
    shown = GROUPS.index("paper@wide") * runs
    outs_log = np.zeros((min(C, 400), cfg["ticks"], 2))
    for p in range(C):
        ok, W, outs, _ = cycle(W, direction[p], timing_of, groups, cfg, ties, cfg["lam"], cfg["eta"],
                               pay_mask=pay_mask)
        correct[p] = ok
        if p < len(outs_log):
            outs_log[p] = outs[:, shown]
        if p % 5 == 0:
            substance[p // 5] = W.sum((1, 2))
            cli.check_finite(p, W=W)
        if (p + 1) % 2 == 0:
            pair_ok[p // 2] = frozen_test(W, timing_of, groups, cfg)
        if (p + 1) % cfg["test_every"] == 0:
            frozen[(p + 1) // cfg["test_every"] - 1] = pair_ok[p // 2]
    return dict(group_of=group_of, direction=direction, correct=correct, frozen=frozen,
                pair_ok=pair_ok, substance=substance, W=W, timing_of=timing_of, groups=groups,
                pay_mask=pay_mask,
                shown=shown, outs_log=outs_log, direction_shown=direction[:len(outs_log), shown])


def frozen_test(W, timing_of, groups, cfg):
    """Both sequences with learning off (lam = eta = 0), lowest-index ties: (R,) both correct."""
    R = W.shape[0]
    ok0, _, _, _ = cycle(W, np.zeros(R, int), timing_of, groups, cfg, None, 0.0, 0.0)
    ok1, _, _, _ = cycle(W, np.ones(R, int), timing_of, groups, cfg, None, 0.0, 0.0)
    return ok0 & ok1


def frozen_outputs(W, timing_of, groups, cfg):
    """Output trajectories (direction, ticks, R, 2) of the final nets with learning off."""
    R = W.shape[0]
    return np.stack([cycle(W, np.full(R, d), timing_of, groups, cfg, None, 0.0, 0.0)[2] for d in (0, 1)])


# ==============================================================================================
# Evaluation
# ==============================================================================================
def first_run_of(flags, window):
    """1-based index of the first entry starting `window` consecutive True values; -1 if none."""
    P, R = flags.shape
    out = np.full(R, -1)
    streak = np.zeros(R, int)
    for p in range(P):
        streak = np.where(flags[p], streak + 1, 0)
        hit = (out < 0) & (streak >= window)
        out[hit] = p + 2 - window
    return out


def group_metrics(tr, cfg):
    te = cfg["test_every"]
    solved = first_run_of(tr["correct"], cfg["solve_window"])
    f_first = first_run_of(tr["frozen"], 1) * te
    f_keep = np.where((s := first_run_of(tr["frozen"], 10)) > 0, s * te, -1)
    cat = first_run_of(tr["pair_ok"], cfg["catalog_stable"])
    cat_seq = np.where(cat > 0, (cat + cfg["catalog_stable"] - 1) * 2, -1)    # sequences when met
    cat_seq = np.where(cat_seq <= 5000, cat_seq, -1)
    out = {}
    for g, name in enumerate(GROUPS):
        sel = tr["group_of"] == g
        out[name] = dict(
            solution_cycles=solved_summary(solved[sel]),
            solution_cycles_per_sequence=solved_summary(np.where(solved[sel] > 0, solved[sel] / 2, -1)),
            frozen_first_cycles=solved_summary(f_first[sel]), frozen_100_cycles=solved_summary(f_keep[sel]),
            catalog_criterion_sequences=solved_summary(cat_seq[sel]),
            kept_last_100=float(tr["correct"][-100:, sel].all(0).mean()),
            frozen_at_end=float(tr["frozen"][-10:, sel].all(0).mean()),
            solution_per_run=solved[sel], catalog_per_run=cat_seq[sel])
    return out


# ==============================================================================================
# Dynamics: the WTA state is binary (its Jacobian is zero wherever defined), so the fingerprint is
# taken on the continuous part, the weights: cycle-to-cycle Jacobians of the learning map
# ==============================================================================================
def weight_spectrum(W, timing_of, groups, cfg, rng, sel):
    """Top exponents (per cycle) of the map W -> W after one learning cycle, along random
    sequences, winners held fixed within each cycle (exact inside each region)."""
    Ws = W[sel].copy()
    R = Ws.shape[0]
    on = np.flatnonzero(topology()[0].ravel())                          # the 16 real connections
    jacs = []
    for _ in range(cfg["lyap_cycles"]):
        d = rng.integers(0, 2, R)
        _, Ws, _, J = cycle(Ws, d, timing_of[sel], groups[sel], cfg, None, cfg["lam"], cfg["eta"], jac=True)
        jacs.append(J[:, on][:, :, on])
    lam = qr_spectrum(np.array(jacs), k=4, n_transient=cfg["lyap_transient"], rng=rng)
    return lam                                                           # (R, 4)


# ==============================================================================================
# Verdicts (bars stated in the README)
# ==============================================================================================
def verdict_success(solved, runs, paper=PAPER_RUNS, read=False):
    """The success rate: `yes` if at least the paper's fraction minus 0.2 solve; `partial` if
    at least half of that (or the paper's count is only quoted); `no` below."""
    frac, ref = solved / runs, paper[0] / paper[1]
    if frac >= ref - 0.2:
        return "yes" if read else "partial"
    return "partial" if frac >= ref / 2 else "no"


def verdict_speed(mean, paper=PAPER_CYCLES_PER_SEQ, read=False):
    """Cycles per sequence: within a factor 2 of the paper (faster is fine) is `yes` (capped at
    `partial` when quoted); slower is `partial`; no solving run is `no`."""
    if mean is None:
        return "no"
    return ("yes" if read else "partial") if mean <= 2 * paper else "partial"


def verdict_catalog_explained(rate_catalog, rate_changed, ref=CATALOG_RUNS[0] / CATALOG_RUNS[1]):
    """The earlier 30 %: `yes` if the catalog's setting reproduces it within 0.15 and one named
    change lifts the rate by at least 0.3; `partial` if only one holds; `no` else."""
    repro, lift = abs(rate_catalog - ref) <= 0.15, rate_changed - rate_catalog >= 0.3
    return "yes" if repro and lift else ("partial" if repro or lift else "no")


def fmt(s, unit=""):
    if s.get("mean") is None:
        return f"{s['solved']}/{s['runs']} runs"
    ci = "" if s.get("lo") is None else f" (95 % CI {s['lo']:.0f}-{s['hi']:.0f})"
    return f"mean {s['mean']:.0f}{unit}{ci}, median {s['median']:.0f}; {s['solved']}/{s['runs']} runs"


def headline_rows(m):
    p, w = m["paper"], m["paper@wide"]
    q = "quoted, not read"
    cat, iid = m["catalog"]["catalog_criterion_sequences"], m["catalog@iid"]["catalog_criterion_sequences"]
    return [
        headline_row("runs that learn the task, init U(0.999, 1.001)", f"{p['solution_cycles']['solved']}/"
                     f"{p['solution_cycles']['runs']} runs", f"9/10 runs ({q})",
                     verdict_success(p["solution_cycles"]["solved"], p["solution_cycles"]["runs"]),
                     "solution = 20 correct sequences in a row, learning on (answer at tick 5)"),
        headline_row("cycles per sequence to a solution, init U(0.999, 1.001)",
                     fmt(p["solution_cycles_per_sequence"]), f"223 ({q})",
                     verdict_speed(p["solution_cycles_per_sequence"].get("mean")),
                     "cycles to the first of 20 correct in a row, divided by 2"),
        headline_row("runs that learn the task, init U(0, 1)", f"{w['solution_cycles']['solved']}/"
                     f"{w['solution_cycles']['runs']} runs", f"9/10 runs ({q})",
                     verdict_success(w["solution_cycles"]["solved"], w["solution_cycles"]["runs"]),
                     "as above, initial weights U(0, 1)"),
        headline_row("cycles per sequence to a solution, init U(0, 1)",
                     fmt(w["solution_cycles_per_sequence"]), f"223 ({q})",
                     verdict_speed(w["solution_cycles_per_sequence"].get("mean")),
                     "as above, initial weights U(0, 1)"),
        headline_row("the earlier catalog's 30 % success explained",
                     f"its setting here: {cat['solved']}/{cat['runs']} runs; the same with "
                     f"independently drawn directions: {iid['solved']}/{iid['runs']} runs",
                     "9/30 runs (earlier catalog, its own run)",
                     verdict_catalog_explained(cat["solved"] / cat["runs"], iid["solved"] / iid["runs"]),
                     "catalog: lights one tick late, last light unseen, sequences in balanced pairs, "
                     "frozen 2/2 five checks in a row, at most 5000 sequences"),
    ]


def saved_arrays(tr, m, lam_w, outs_frozen):
    C = tr["correct"].shape[0]
    return dict(group_of=tr["group_of"], correct_rate=tr["correct"][:C - C % 50].reshape(-1, 50, len(
        tr["group_of"])).mean(1).astype(np.float32), frozen=tr["frozen"], substance=tr["substance"],
                W_final=tr["W"], shown=np.array(tr["shown"]), outs_log=tr["outs_log"],
                direction_shown=tr["direction_shown"], outs_frozen=outs_frozen, lam_weights=lam_w,
                solution=np.concatenate([m[g]["solution_per_run"] for g in GROUPS]),
                catalog=np.concatenate([m[g]["catalog_per_run"] for g in GROUPS]))


def lyapunov_record(lam_w, cfg):
    method = ("The output state is a binary winner-take-all code, so the activation map is piecewise "
              "constant: its Jacobian is zero wherever it is defined and its exponents are all -inf "
              "(degenerate; the state-transition graph is in viz/transitions.png). The exponents "
              "listed are those of the continuous part, the learning map of the 16 weights from one "
              "cycle to the next (winners held fixed inside each cycle, exact there; "
              "shared.nbb.core.weight_jacobian chained over the 5 ticks), along "
              f"{cfg['lyap_cycles']} random sequences after training, first {cfg['lyap_transient']} "
              "only aligning the frame, per cycle; mean over the runs of each group. Negative: "
              "the weights contract onto the solution; zero: neutral directions the payments "
              "leave untouched.")
    return dict(method=method, exponents={f"weights, {g} (trained)": v for g, v in lam_w.items()},
                window=cfg["lyap_cycles"] - cfg["lyap_transient"], n_sequences=cfg["lyap_cycles"])


# ==============================================================================================
# Headline
# ==============================================================================================
def main(args):
    timer = cli.Timer()
    cli.quick(args, runs=3, cycles=300)
    cfg = dict(DEFAULTS, runs=args.runs, cycles=args.cycles, tie_break=args.tie_break)
    if args.quick:
        cfg.update(lyap_cycles=30, lyap_transient=5)
    if cfg["cycles"] < 100:
        raise cli.StubError("--cycles must be at least 100 (the kept-to-the-end window)")
    print(f"NBB moving light: groups {list(GROUPS)}, {cfg['runs']} runs each, {cfg['cycles']} cycles "
          f"(sequences) of {cfg['ticks']} ticks, lam {cfg['lam']}, eta {cfg['eta']}")
    tr = train(cfg, args.seed)
    m = group_metrics(tr, cfg)
    for g in GROUPS:
        print(f"  {g:11s} solution (cycles): {fmt(m[g]['solution_cycles'])}; frozen first: "
              f"{fmt(m[g]['frozen_first_cycles'])}; catalog criterion (sequences): "
              f"{fmt(m[g]['catalog_criterion_sequences'])}; kept {m[g]['kept_last_100']:.2f}")
    rng = streams(args.seed, ["init", "data", "ties", "lyap"])["lyap"]
    lam_w = {g: np.sort(weight_spectrum(tr["W"], tr["timing_of"], tr["groups"], cfg, rng,
                                        tr["group_of"] == i).mean(0))[::-1]
             for i, g in enumerate(GROUPS[:2])}
    print("  weight-map exponents per cycle: " + "; ".join(f"{g} {np.round(v, 5).tolist()}"
                                                          for g, v in lam_w.items()))
    outs_frozen = frozen_outputs(tr["W"], tr["timing_of"], tr["groups"], cfg)
    metrics = {g: {k: v for k, v in m[g].items()} for g in GROUPS}
    metrics["timing"] = dict(wall_s=timer())
    title = "Moving-light direction by the Neural Bucket Brigade (Schmidhuber 1989)"
    rec = record(args, __file__, title=title,
                 paper=PAPER, config=dict(cfg, groups=list(GROUPS), inits=INITS, n_seeds=cfg["runs"]),
                 metrics=metrics, headline=headline_rows(m), lyapunov=lyapunov_record(lam_w, cfg))
    finish_run(args.out, rec, saved_arrays(tr, m, np.array([lam_w[g] for g in GROUPS[:2]]), outs_frozen),
               timer)


def build_parser():
    parser = cli.make_parser(__doc__, __file__)
    parser.add_argument("--runs", type=cli.int_range(2, 200), default=DEFAULTS["runs"],
                        help="independent runs per group (trained side by side), 2..200")
    parser.add_argument("--cycles", type=cli.int_range(1, 100000), default=DEFAULTS["cycles"],
                        help="sequences per run (each a cycle of 5 ticks), 100..100000")
    parser.add_argument("--tie-break", choices=("random", "lowest"), default=DEFAULTS["tie_break"],
                        help="how an exact tie between the two outputs is broken while learning")
    return parser


if __name__ == "__main__":
    cli.run(main, build_parser(), gradcheck=None)
