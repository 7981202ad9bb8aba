"""PIPE on the function-regression problem of Salustowicz & Schmidhuber, "Probabilistic Incremental
Program Evolution" (Evolutionary Computation 5(2):123-141, 1997), against Koza-style GP.

Task: find a program of one variable x that fits

    f(x) = x^3 e^-x cos x sin x (sin^2 x cos x - 1)

on the 101 fitness cases x = 0, 0.1, ..., 10, from the functions {+, -, *, %, sin, cos, exp, rlog}
(% and rlog protected: x % 0 = 1, rlog(0) = 0, rlog(x) = log|x|) and the terminals {x, R} (R a
random constant in [0, 1)). Fitness (minimised) is the sum over the cases of |program(x) - f(x)|.
A run counts as solved when every case is within 0.01 (Koza's "hit" criterion on all cases).

PIPE (family core ``shared/pipe``): sample PS programs from the probabilistic prototype tree,
evaluate them on all 101 cases at once, move the tree toward the best one (P_TARGET rule), mutate
around it and prune; with probability P_el learn from the elitist instead (no evaluations).
GP (``shared.pipe.gp``): generational, population 500, tournament 7, 90 % subtree crossover, 10 %
reproduction, depth limit 17. Both get the same evaluation budget per run (25,500 programs, the size
of a standard Koza GP run of 500 programs over 51 generations: 2,550 PIPE generations of 10),
20 independent runs each.

Settings: the target function and its interval are read in secondary sources (benchmark suites name
it after Salustowicz); the fitness cases, instruction set, every PIPE parameter and the budget are
recalled, not read (see the README's Sources); so every verdict is capped at partial.

    python3 pipe_symbolic_regression.py --seed 0     # headline (about 5 CPU-minutes; resumable)
    python3 pipe_symbolic_regression.py --quick      # smoke test, seconds

The headline is resumable: every finished run is saved in a hidden ``.results-seed<N>.checkpoint/``
folder beside the results (deleted once they are written), and the same command skips the runs
found there. Each run has its own random stream, so a resumed headline equals an unbroken one.
"""
import math
import os
import pathlib
import shutil
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401  (pins BLAS to one thread before numpy loads)

import numpy as np

from shared import cli
from shared.checkpoint import Checkpoint
from shared.ensemble import map_jobs
from shared.pipe import PAPER
from shared.pipe.gp import run_gp
from shared.pipe.learn import run_pipe
from shared.pipe.ppt import InstructionSet, evaluate_program, to_text
from shared.results import at_unknown_budget, finish_run, headline_row, record
from shared.rng import streams

# PIPE's parameters as recalled from the paper's regression experiment (not read: see README)
PIPE_CFG = dict(pop_size=10, p_terminal=0.8, lr=0.01, c_lr=0.1, eps=1e-6, p_elitist=0.2,
                p_mut=0.4, mut_rate=0.4, t_random=0.3, t_prune=0.999999,
                max_depth=20)          # a safety cap on program depth that PIPE itself does not have
GP_CFG = dict(pop_size=500, tournament=7, p_repro=0.1, max_depth=17)
# 25,500 evaluations per run, a standard Koza GP run (500 programs, 51 generations); the paper's
# budget was not read. Three seeds of 40 runs fit the shared machine's time at this size.
DEFAULTS = dict(runs=20, budget=25_500, pop_size=10, gp_pop_size=500)
QUICK = dict(runs=2, budget=600, gp_pop_size=50)
HIT = 0.01                              # a case is hit when |error| < 0.01
THRESHOLDS = (1.0, 3.0, 5.0)            # looser fits, for the success-vs-evaluations curves
BAD_FITNESS = 1e12                      # a program whose output overflows (inf, nan) scores this


# ---------------------------------------------------------------- task

def target(x):
    return x ** 3 * np.exp(-x) * np.cos(x) * np.sin(x) * (np.sin(x) ** 2 * np.cos(x) - 1.0)


def protected_div(a, b):
    """Koza's %: a / b, and 1 where b == 0."""
    zero = b == 0
    return np.where(zero, 1.0, a / np.where(zero, 1.0, b))


def rlog(a):
    """Koza's rlog: log|a|, and 0 where a == 0."""
    zero = a == 0
    return np.where(zero, 0.0, np.log(np.abs(np.where(zero, 1.0, a))))


def instruction_set():
    functions = [("+", 2, np.add), ("-", 2, np.subtract), ("*", 2, np.multiply), ("%", 2, protected_div),
                 ("sin", 1, np.sin), ("cos", 1, np.cos), ("exp", 1, np.exp), ("rlog", 1, rlog)]
    return InstructionSet(functions, ["x", "R"])


def fitness_cases():
    x = np.round(np.linspace(0.0, 10.0, 101), 10)
    return x[None, :], target(x)                       # X (1, 101), y (101,)


def make_score(y):
    def score(out):
        """out (m, C) -> (sum of |errors| (m,), every case hit (m,))."""
        err = np.abs(out - y[None])
        with np.errstate(invalid="ignore"):
            fit = err.sum(axis=1)
        finite = np.isfinite(fit)
        return np.where(finite, fit, BAD_FITNESS), finite & (err < HIT).all(axis=1)
    return score


# ---------------------------------------------------------------- runs

def run_one(job):
    """One independent run (a module-level function, so worker processes can take it): job is
    (method, run index, method config, settings, seed, checkpoint folder or None); the run's
    stream is the run-th child of the method's named stream, whichever process runs it. A run
    found finished in the checkpoint folder (same configuration) is returned as saved."""
    method, r, cfg, settings, seed, ck_dir = job
    ck = Checkpoint(None if ck_dir is None else os.path.join(ck_dir, f"{method}-{r:03d}.pkl"), 1,
                    {"method": method, "run": r, "cfg": cfg, "settings": settings, "seed": seed})
    held = {"res": {}}
    ck.restore(held)
    if ck.final:
        res = held["res"]
        print(f"  {method:4s} run {r:2d}: best sum|err| {res['best']:9.4f}  (finished earlier, from "
              f"the checkpoint)", flush=True)
        return res
    iset = instruction_set()
    X, y = fitness_cases()
    grid = evaluation_grid(settings)
    rng = streams(seed, ["pipe", "gp"])[method].spawn(settings["runs"])[r]
    timer = cli.Timer()
    res = (run_pipe(iset, X, make_score(y), cfg, rng, settings["budget"], grid) if method == "pipe"
           else run_gp(iset, X, make_score(y), cfg, rng, settings["budget"], grid))
    res["text"] = to_text(iset, res["ins"], res["const"])
    print(f"  {method:4s} run {r:2d}: best sum|err| {res['best']:9.4f}  "
          f"{'SOLVED' if res['solved'] else 'unsolved':8s} evals {res['evals']:7,d}  "
          f"size {len(res['ins']):4d}  {timer():6.1f}s", flush=True)
    held["res"] = res
    ck.save(1, held, final=True)
    return res


def checkpoint_dir(out, seed, quick):
    """Hidden folder beside the results that holds the finished runs (none for --quick)."""
    if quick:
        return None
    stem = os.path.splitext(os.path.basename(out))[0]
    return os.path.join(os.path.dirname(os.path.abspath(out)), f".{stem}-seed{seed}.checkpoint")


def run_all(pipe_cfg, gp_cfg, settings, seed, workers, ck_dir=None):
    """settings['runs'] independent runs of each method, spread over ``workers`` processes (PIPE
    and GP jobs alternate, so an interrupted headline has finished runs of both)."""
    jobs = []
    for r in range(settings["runs"]):
        jobs += [("pipe", r, pipe_cfg, settings, seed, ck_dir), ("gp", r, gp_cfg, settings, seed, ck_dir)]
    out = map_jobs(run_one, jobs, workers)
    return out[0::2], out[1::2]


def evaluation_grid(settings):
    """Evaluation counts where traces are taken: every GP generation (gp_pop_size programs)."""
    step = settings["gp_pop_size"]
    return np.arange(step, settings["budget"] + 1, step)


# ---------------------------------------------------------------- metrics and verdicts

def method_stats(runs, grid):
    best = np.array([r["best"] for r in runs])
    solved = np.array([r["solved"] for r in runs])
    evals = np.array([r["evals"] for r in runs])
    curves = {"solved": solved_curve(runs, grid)}
    for th in THRESHOLDS:
        curves[f"below_{th:g}"] = (np.array([r["trace"]["best"] for r in runs]) < th).mean(axis=0)
    return {"runs": len(runs), "solved": int(solved.sum()),
            "evals_to_solve": [int(e) for e in evals[solved]],
            "median_evals_to_solve": float(np.median(evals[solved])) if solved.any() else None,
            "best_fitness": {"median": float(np.median(best)), "min": float(best.min()),
                             "q25": float(np.quantile(best, 0.25)), "q75": float(np.quantile(best, 0.75)),
                             "max": float(best.max())},
            "fraction_below_at_budget": {k: float(v[-1]) for k, v in curves.items()},
            "best_program": runs[int(np.argmin(best))]["text"],
            "best_program_size": int(len(runs[int(np.argmin(best))]["ins"]))}, curves


def solved_curve(runs, grid):
    """Fraction of runs solved within each grid budget: (G,)."""
    e = np.array([r["evals"] if r["solved"] else np.inf for r in runs])
    return (e[:, None] <= grid[None]).mean(axis=0)


def mann_whitney(a, b):
    """Two-sided Mann-Whitney U test (normal approximation with tie correction): (U of a, p)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    n1, n2 = len(a), len(b)
    allv = np.concatenate([a, b])
    order = allv.argsort(kind="stable")
    ranks = np.empty(len(allv))
    sv = allv[order]
    i = 0
    while i < len(sv):                              # average ranks over ties
        j = i
        while j + 1 < len(sv) and sv[j + 1] == sv[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    u = ranks[:n1].sum() - n1 * (n1 + 1) / 2
    _, counts = np.unique(allv, return_counts=True)
    n = n1 + n2
    var = n1 * n2 / 12 * ((n + 1) - ((counts ** 3 - counts).sum()) / (n * (n - 1)))
    if var <= 0:
        return float(u), 1.0
    z = (u - n1 * n2 / 2) / math.sqrt(var)
    return float(u), float(math.erfc(abs(z) / math.sqrt(2)))


def verdict_solved(n_solved):
    """Any run fitting all 101 cases within 0.01: partial (settings recalled, so never yes);
    none: open, since the paper's budget and success criterion were not read (a cap is never a no)."""
    return "partial" if n_solved > 0 else at_unknown_budget("no")


def verdict_vs_gp(pipe_best, gp_best, p):
    """The comparison the paper makes (PIPE no worse than GP at equal evaluations, recalled):
    PIPE's median best fitness lower, or not significantly different (p >= 0.05): partial (capped,
    settings recalled); GP significantly better (p < 0.05): open rather than no, since the paper's
    budget is not known here."""
    if np.median(pipe_best) <= np.median(gp_best) or p >= 0.05:
        return "partial"
    return at_unknown_budget("no")


def headline_rows(st, budget, p):
    pipe, gp = st["pipe"], st["gp"]
    rows = []
    for name, s, who in (("PIPE", pipe, "pipe"), ("GP", gp, "gp")):
        med = s["median_evals_to_solve"]
        value = (f"{s['solved']}/{s['runs']} runs solved within {budget:,} evaluations"
                 + (f" (median {med:,.0f} evaluations)" if med else ""))
        v = verdict_solved(s["solved"]) if who == "pipe" else "open"
        note = ("criterion: all 101 cases within 0.01; paper's criterion, budget and rate not retrieved"
                if who == "pipe" else
                "GP run here as the paper's baseline; the paper's GP figure was not retrieved")
        rows.append(headline_row(f"{name} solves the regression (every case within 0.01)", value,
                                 "not retrieved", v, note,
                                 numbers=[{"value": s["solved"]}]))
    pb, gb = pipe["best_fitness"], gp["best_fitness"]
    value = (f"PIPE median {pb['median']:.3g} (IQR {pb['q25']:.3g}-{pb['q75']:.3g}) vs GP median "
             f"{gb['median']:.3g} (IQR {gb['q25']:.3g}-{gb['q75']:.3g}), Mann-Whitney p = {p:.2g}")
    rows.append(headline_row(f"Best sum of |errors| after {budget:,} evaluations, PIPE vs GP, "
                             f"{pipe['runs']} runs each", value,
                             "PIPE at least as good as GP (recalled; figure not retrieved)",
                             st["verdict_vs_gp"],
                             "lower is better; on recalled settings no verdict can be better than partial",
                             numbers=[{"value": pb["median"]}, {"value": gb["median"]}, {"value": p}]))
    return rows


# ---------------------------------------------------------------- main

def main(args):
    timer = cli.Timer()
    cli.quick(args, **QUICK)
    settings = {k: getattr(args, k) for k in DEFAULTS}
    if settings["budget"] < settings["gp_pop_size"]:
        raise cli.StubError(f"--budget {settings['budget']} is below one GP generation "
                            f"(--gp-pop-size {settings['gp_pop_size']})")
    pipe_cfg = {**PIPE_CFG, "pop_size": settings["pop_size"]}
    gp_cfg = {**GP_CFG, "pop_size": settings["gp_pop_size"]}
    grid = evaluation_grid(settings)
    print(f"f(x) = x^3 e^-x cos x sin x (sin^2 x cos x - 1) on 101 cases in [0, 10]; "
          f"{settings['runs']} runs per method, {settings['budget']:,} evaluations each")
    print(f"PIPE {pipe_cfg}\nGP {gp_cfg}")
    t0 = timer()
    ck_dir = checkpoint_dir(args.out, args.seed, args.quick)
    pipe_runs, gp_runs = run_all(pipe_cfg, gp_cfg, settings, args.seed, args.workers, ck_dir)
    t_runs = timer() - t0
    st, arrays = {}, {"grid": grid}
    st["pipe"], pc = method_stats(pipe_runs, grid)
    st["gp"], gc = method_stats(gp_runs, grid)
    pb = np.array([r["best"] for r in pipe_runs])
    gb = np.array([r["best"] for r in gp_runs])
    _, p = mann_whitney(pb, gb)
    st["mann_whitney_p"] = p
    st["verdict_vs_gp"] = verdict_vs_gp(pb, gb, p)
    st["pipe"]["diagnostics"] = pipe_diagnostics(pipe_runs)
    st["timing"] = {"runs_s": t_runs, "workers": args.workers}
    arrays.update(saved_arrays(pipe_runs, gp_runs, pc, gc))
    rec = record(args, __file__, title="PIPE vs GP on function regression", paper=PAPER,
                 config={"settings": settings, "pipe": pipe_cfg, "gp": gp_cfg, "hit": HIT,
                         "thresholds": list(THRESHOLDS), "n_nets": 2 * settings["runs"]},
                 metrics=st, headline=headline_rows(st, settings["budget"], p))
    finish_run(args.out, rec, arrays, timer)
    if ck_dir is not None and os.path.isdir(ck_dir):
        shutil.rmtree(ck_dir)                       # the results are written: the runs are not needed


def pipe_diagnostics(runs):
    """PPT entropy (bits) at the root and along the elitist, and PPT size, at the end of the runs."""
    h_root = np.array([r["trace"]["h_root"][-1] for r in runs])
    h_el = np.array([r["trace"]["h_elite"][-1] for r in runs])
    size = np.array([r["trace"]["ppt_size"][-1] for r in runs])
    return {"root_entropy_start_bits": float(runs[0]["trace"]["h_root"][0]),
            "root_entropy_end_median_bits": float(np.median(h_root)),
            "elite_entropy_end_median_bits": float(np.nanmedian(h_el)),
            "ppt_size_end_median": float(np.median(size)),
            "generations_median": float(np.median([r["generations"] for r in runs])),
            "elitist_steps_median": float(np.median([r["elitist_steps"] for r in runs]))}


def saved_arrays(pipe_runs, gp_runs, pc, gc):
    X, y = fitness_cases()
    a = {"x": X[0], "y": y,
         "pipe_best": np.array([r["trace"]["best"] for r in pipe_runs]),       # (R, G)
         "gp_best": np.array([r["trace"]["best"] for r in gp_runs]),
         "pipe_h_root": np.array([r["trace"]["h_root"] for r in pipe_runs]),
         "pipe_h_elite": np.array([r["trace"]["h_elite"] for r in pipe_runs]),
         "pipe_ppt_size": np.array([r["trace"]["ppt_size"] for r in pipe_runs]),
         "film_elite_out": pipe_runs[0]["trace"]["elite_out"],                 # run 0: (G, C)
         "film_root_probs": pipe_runs[0]["trace"]["root_probs"]}               # (G, |I|)
    for k, v in pc.items():
        a[f"pipe_curve_{k}"] = v
    for k, v in gc.items():
        a[f"gp_curve_{k}"] = v
    iset = instruction_set()
    for name, runs in (("pipe", pipe_runs), ("gp", gp_runs)):
        b = runs[int(np.argmin([r["best"] for r in runs]))]
        a[f"{name}_best_out"] = evaluate_program(iset, b["ins"], b["const"], X)
    return a


def build_parser():
    parser = cli.make_parser(__doc__, __file__)
    parser.add_argument("--runs", type=cli.int_range(2, 200), default=DEFAULTS["runs"],
                        help="independent runs per method (PIPE and GP)")
    parser.add_argument("--budget", type=cli.int_range(10, 10**6), default=DEFAULTS["budget"],
                        help="program evaluations per run (the same for PIPE and GP)")
    parser.add_argument("--pop-size", type=cli.int_range(1, 10_000), default=DEFAULTS["pop_size"],
                        help="PIPE's population size PS (programs sampled per generation)")
    parser.add_argument("--gp-pop-size", type=cli.int_range(2, 100_000), default=DEFAULTS["gp_pop_size"],
                        help="GP's population size (also the spacing of the saved traces)")
    parser.add_argument("--workers", type=cli.int_range(1, 8), default=2,
                        help="processes the runs are spread over (speed only: every run has its own stream)")
    return parser


if __name__ == "__main__":
    cli.run(main, build_parser())
