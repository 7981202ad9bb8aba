"""PIPE on even parity (the paper's 6-bit task, with 3-, 4- and 5-bit below it), after Salustowicz &
Schmidhuber, "Probabilistic Incremental Program Evolution" (Evolutionary Computation 5(2):123-141, 1997).

Task: find a program of the n inputs x0 .. x(n-1) that outputs 1 exactly when an even number of them
are 1 (Koza's even-n-parity), from the functions {AND, OR, NAND, NOR} (Koza's standard set for it:
no XOR, no IF, so parity must be built from at least three gates per XOR) and the terminals
x0 .. x(n-1). Fitness (minimised) is the number of the 2^n cases the program gets wrong; a run has
solved the task when it gets none wrong.

Bitmasks: all 2^n <= 64 cases are the bits of one unsigned 64-bit word. Input x_j is the word whose
bit c is bit j of c; a program's output on every case at once is the same expression on the words
(AND = &, OR = |, NAND = ~(a & b), NOR = ~(a | b)); its errors are the popcount of
(output XOR target) over the 2^n case bits.

PIPE (family core ``shared/pipe``; its fast path ``shared/pipe/batched.py`` runs the independent
runs as arrays with a leading run axis): every run samples PS programs from its probabilistic
prototype tree, evaluates them, moves the tree toward the best one (P_TARGET rule), mutates around it
and prunes; with probability P_el it learns from its elitist instead (no evaluations).

Settings: every PIPE parameter is the set recalled for the paper (the same as pipe-symbolic-regression);
the function set, the budget and the paper's success rates are recalled or not retrieved (README,
Sources), so no verdict can be better than partial. The budget run here (30,000 evaluations per run,
20 runs per parity size) is a cap well below the recalled paper budget: 6-bit unsolved at the cap is
`open`, and the 3- to 5-bit runs give the scaling the 6-bit case is extrapolated from.

    python3 pipe_6_bit_parity.py --seed 0     # headline: 4 sizes x 20 runs x 30,000 evaluations
    python3 pipe_6_bit_parity.py --quick      # smoke test, seconds
"""
import math
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401  (pins BLAS to one thread before numpy loads)

import numpy as np

from shared import cli
from shared.ensemble import map_jobs
from shared.pipe import PAPER
from shared.pipe.batched import run_pipe_batch
from shared.pipe.ppt import InstructionSet, to_text
from shared.results import at_budget, finish_run, headline_row, record
from shared.rng import streams

# PIPE's parameters as recalled for the paper (not read: see README, Sources)
PIPE_CFG = dict(pop_size=10, p_terminal=0.8, lr=0.01, c_lr=0.1, eps=1e-6, p_elitist=0.2,
                p_mut=0.4, mut_rate=0.4, t_prune=0.999999,
                max_depth=17)          # Koza's depth limit as a safety cap; PIPE's PPT has none
PAPER_BUDGET = 500_000                 # evaluations per run, recalled (low confidence), not read
BITS = (3, 4, 5, 6)
DEFAULTS = dict(runs=20, budget=30_000, pop_size=10)
QUICK = dict(runs=3, budget=1000)
TRACE_EVERY = 500                      # evaluations between trace points


# ---------------------------------------------------------------- task

def parity_task(n):
    """Even-n-parity as bitmasks: X (n, 1) uint64 (input j, bit c = bit j of case c), the target word
    (bit c set when c has an even number of ones) and the mask of the 2^n case bits."""
    C = 2 ** n
    X = np.array([[sum(((c >> j) & 1) << c for c in range(C))] for j in range(n)], dtype=np.uint64)
    target = np.uint64(sum(1 << c for c in range(C) if bin(c).count("1") % 2 == 0))
    mask = np.uint64(2 ** C - 1)
    return X, target, mask


def nand(a, b):
    return ~(a & b)


def nor(a, b):
    return ~(a | b)


def instruction_set(n):
    functions = [("AND", 2, np.bitwise_and), ("OR", 2, np.bitwise_or), ("NAND", 2, nand), ("NOR", 2, nor)]
    return InstructionSet(functions, [f"x{j}" for j in range(n)])


def make_score(target, mask):
    def score(out):
        """out (k, 1) uint64 -> (cases wrong (k,), solved (k,))."""
        wrong = np.bitwise_count((out[:, 0] ^ target) & mask).astype(float)
        return wrong, wrong == 0
    return score


def case_bits(word, n):
    """The 2^n case bits of a word: (2^n,) in {0, 1}."""
    return ((int(word) >> np.arange(2 ** n)) & 1).astype(np.int8)


# ---------------------------------------------------------------- runs

def run_size(job):
    """All runs of one parity size as one batch (a module-level function for worker processes):
    job = (n, cfg, settings, seed); the size's stream is the seed's child named bits<n>."""
    n, cfg, settings, seed = job
    X, target, mask = parity_task(n)
    rng = streams(seed, [f"bits{b}" for b in BITS])[f"bits{n}"]
    timer = cli.Timer()
    res = run_pipe_batch(instruction_set(n), X, make_score(target, mask), cfg, settings["runs"], rng,
                         settings["budget"], evaluation_grid(settings))
    res["seconds"] = timer()
    print(f"  {n}-bit: {int(res['solved'].sum()):2d}/{settings['runs']} solved, best wrong cases "
          f"median {np.median(res['best']):.1f} of {2 ** n}, {res['seconds']:6.1f}s", flush=True)
    return res


def evaluation_grid(settings):
    """Evaluation counts where the traces are taken: every TRACE_EVERY, or a tenth of a small budget."""
    step = TRACE_EVERY if settings["budget"] >= 10 * TRACE_EVERY else max(1, settings["budget"] // 10)
    return np.arange(step, settings["budget"] + 1, step)


# ---------------------------------------------------------------- metrics and verdicts

def solved_curve(res, grid):
    """Fraction of runs solved within each grid budget: (G,)."""
    e = np.where(res["solved"], res["evals"], np.inf)
    return (e[:, None] <= grid[None]).mean(axis=0)


def solve_rate(res):
    """Solutions per evaluation, the maximum-likelihood rate of an exponential waiting time with the
    unsolved runs censored at their budget: solved runs / evaluations spent by all runs."""
    return float(res["solved"].sum() / res["evals"].sum())


def extrapolate(rates, spent, budget):
    """6-bit from the smaller sizes, assuming log(rate) linear in the number of bits.

    rates: solutions per evaluation per size; spent: evaluations all runs of that size used. With
    two or more sizes solved: a least-squares fit of log(rate), and at 6 bits the rate, the mean
    evaluations to solve and P(solved within budget). With one size n0 solved and larger sizes
    never solved: each unsolved size n has rate below 3 / spent (95% upper bound, "rule of three"),
    so the rate falls at least (r_n0 / bound_n)^(1 / (n - n0)) per bit and the 6-bit rate is at most
    r_n0 * (bound_n / r_n0)^((6 - n0) / (n - n0)); the tightest such bound is returned ("bound")."""
    solved = [n for n in rates if rates[n] > 0]
    if len(solved) >= 2:
        ns = np.array(solved, float)
        slope, icpt = np.polyfit(ns, np.log([rates[n] for n in solved]), 1)
        r6 = math.exp(icpt + 6 * slope)
        return {"kind": "fit", "bits_used": solved, "factor_per_bit": math.exp(-slope), "rate_6": r6,
                "mean_evals_6": 1.0 / r6, "p_solved_6_at_paper_budget": 1 - math.exp(-r6 * budget)}
    if len(solved) == 1:
        n0 = solved[0]
        bounds = []
        for n in rates:
            if n > n0 and rates[n] == 0:
                u = 3.0 / spent[n]
                if u < rates[n0]:
                    bounds.append((rates[n0] * (u / rates[n0]) ** ((6 - n0) / (n - n0)), n, u))
        if bounds:
            r6, n, u = min(bounds)
            return {"kind": "bound", "bits_used": [n0, n],
                    "factor_per_bit": (rates[n0] / u) ** (1 / (n - n0)),
                    "rate_6": r6, "mean_evals_6": 1.0 / r6,
                    "p_solved_6_at_paper_budget": 1 - math.exp(-r6 * budget)}
    return None


def size_stats(n, res, grid):
    solved = res["solved"]
    ev = res["evals"][solved]
    best_run = int(np.argmin(res["best"]))
    iset = instruction_set(n)
    tr = res["trace"]
    return {"cases": 2 ** n, "runs": int(len(solved)), "solved": int(solved.sum()),
            "evals_to_solve": [int(e) for e in np.sort(ev)],
            "median_evals_to_solve": float(np.median(ev)) if len(ev) else None,
            "solve_rate_per_eval": solve_rate(res),
            "best_wrong": {"median": float(np.median(res["best"])), "min": float(res["best"].min()),
                           "max": float(res["best"].max())},
            "best_program": to_text(iset, res["elites"][best_run], np.zeros(len(res["elites"][best_run]))),
            "best_program_size": int(len(res["elites"][best_run])),
            "root_entropy_start_bits": float(tr["h_root"][0, 0]),
            "root_entropy_end_median_bits": float(np.median(last(tr["h_root"]))),
            "elite_entropy_end_median_bits": float(np.nanmedian(last(tr["h_elite"]))),
            "ppt_size_end_median": float(np.median(last(tr["ppt_size"]))),
            "generations_median": float(np.median(res["generations"])),
            "elitist_steps_median": float(np.median(res["elitist_steps"])),
            "seconds": res["seconds"]}


def last(a):
    return a[:, -1]


def verdict_six(n_solved, budget):
    """Any 6-bit run solved: partial (settings recalled, so never yes); none: a `no` only at the
    paper's budget, so `open` below it (a cap is never a no)."""
    return "partial" if n_solved > 0 else at_budget("no", budget, PAPER_BUDGET)


def verdict_ladder(st):
    """The smaller parities: partial when every size below 6 is solved by some run (the ladder the
    extrapolation stands on), open when a size is never solved within the cap."""
    return "partial" if all(st[f"bits{n}"]["solved"] > 0 for n in BITS[:-1]) else "open"


def headline_rows(st, budget):
    s6 = st["bits6"]
    runs = s6["runs"]
    rows = [headline_row(
        f"PIPE solves 6-bit even parity (all 64 cases), {runs} runs",
        f"{s6['solved']}/{runs} runs solved within {budget:,} evaluations (best run "
        f"{s6['best_wrong']['min']:.0f} of 64 wrong, median {s6['best_wrong']['median']:.0f})",
        "solved in some runs; rate not retrieved (budget recalled as 500,000 evaluations per run)",
        verdict_six(s6["solved"], budget),
        f"open: stopped at {budget:,} evaluations per run, {budget / PAPER_BUDGET:.0%} of the recalled "
        f"{PAPER_BUDGET:,}; function set and parameters recalled",
        numbers=[{"value": s6["solved"]}])]
    ladder = ", ".join(f"{n}-bit {st[f'bits{n}']['solved']}/{runs}" for n in BITS[:-1])
    rows.append(headline_row(
        f"PIPE solves 3-, 4- and 5-bit even parity within {budget:,} evaluations",
        ladder, "not in the paper (the scaling the 6-bit case is extrapolated from)",
        st["verdict_ladder"], "same function set and parameters; a size never solved leaves the ladder open",
        numbers=[{"value": st[f"bits{n}"]["solved"]} for n in BITS[:-1]]))
    ex = st["extrapolation"]
    if ex is None:
        value, nums = "not possible: no smaller size solved often enough to bound the trend", [{"value": 0}]
    elif ex["kind"] == "fit":
        value = (f"solve rate falls {ex['factor_per_bit']:.3g}x per bit; 6-bit: mean "
                 f"{ex['mean_evals_6']:.3g} evaluations to solve, P(solved within 500,000) = "
                 f"{ex['p_solved_6_at_paper_budget']:.2g}")
        nums = [{"value": ex["factor_per_bit"]}, {"value": ex["mean_evals_6"]},
                {"value": ex["p_solved_6_at_paper_budget"]}]
    else:
        value = (f"solve rate falls at least {ex['factor_per_bit']:.3g}x per bit ({ex['bits_used'][0]}-bit "
                 f"solved, {ex['bits_used'][1]}-bit never); 6-bit: mean at least "
                 f"{ex['mean_evals_6']:.3g} evaluations to solve, P(solved within 500,000) at most "
                 f"{ex['p_solved_6_at_paper_budget']:.2g}")
        nums = [{"value": ex["factor_per_bit"]}, {"value": ex["mean_evals_6"]},
                {"value": ex["p_solved_6_at_paper_budget"]}]
    rows.append(headline_row(
        "6-bit success at the paper's budget, extrapolated from 3-5 bits", value, "not retrieved",
        "open", "an extrapolation (exponential waiting times, log-rate linear in bits), not a test",
        numbers=nums))
    return rows


def saved_arrays(results, grid):
    a = {"grid": grid, "bits": np.array(BITS)}
    for n, res in zip(BITS, results, strict=True):
        tr = res["trace"]
        a[f"b{n}_solved_curve"] = solved_curve(res, grid)
        a[f"b{n}_evals"] = res["evals"]
        a[f"b{n}_solved"] = res["solved"]
        a[f"b{n}_best"] = tr["best"]                                  # (R, G) wrong cases
        a[f"b{n}_h_root"] = tr["h_root"]
        a[f"b{n}_h_elite"] = tr["h_elite"]
        a[f"b{n}_ppt_size"] = tr["ppt_size"]
        r = int(np.argmin(res["best"]))                              # the film's run: the best one
        a[f"b{n}_film_run"] = np.array(r)
        a[f"b{n}_film_out"] = tr["elite_out"][r, :, 0]              # (G,) uint64 words
        a[f"b{n}_film_root"] = tr["root_probs"][r]                  # (G, |I|)
        a[f"b{n}_target"] = np.array(parity_task(n)[1])
    return a


# ---------------------------------------------------------------- main

def main(args):
    timer = cli.Timer()
    cli.quick(args, **QUICK)
    settings = {k: getattr(args, k) for k in DEFAULTS}
    cfg = {**PIPE_CFG, "pop_size": settings["pop_size"]}
    grid = evaluation_grid(settings)
    print(f"even parity, {BITS[0]}..{BITS[-1]} bits, functions AND OR NAND NOR; {settings['runs']} runs "
          f"per size, {settings['budget']:,} evaluations each\nPIPE {cfg}")
    results = map_jobs(run_size, [(n, cfg, settings, args.seed) for n in BITS], args.workers)
    st = {f"bits{n}": size_stats(n, res, grid) for n, res in zip(BITS, results, strict=True)}
    st["verdict_ladder"] = verdict_ladder(st)
    st["extrapolation"] = extrapolate({n: st[f"bits{n}"]["solve_rate_per_eval"] for n in BITS[:-1]},
                                      {n: int(r["evals"].sum()) for n, r in zip(BITS, results, strict=True)},
                                      PAPER_BUDGET)
    st["timing"] = {"seconds_per_size": {str(n): st[f"bits{n}"].pop("seconds") for n in BITS},
                    "workers": args.workers}
    rec = record(args, __file__, title="PIPE on 6-bit even parity", paper=PAPER,
                 config={"settings": settings, "pipe": cfg, "bits": list(BITS),
                         "functions": ["AND", "OR", "NAND", "NOR"], "paper_budget_recalled": PAPER_BUDGET,
                         "trace_every": int(grid[0]), "n_nets": len(BITS) * settings["runs"]},
                 metrics=st, headline=headline_rows(st, settings["budget"]))
    finish_run(args.out, rec, saved_arrays(results, grid), timer)


def build_parser():
    parser = cli.make_parser(__doc__, __file__)
    parser.add_argument("--runs", type=cli.int_range(2, 500), default=DEFAULTS["runs"],
                        help="independent PIPE runs per parity size (run together as arrays)")
    parser.add_argument("--budget", type=cli.int_range(10, 10**7), default=DEFAULTS["budget"],
                        help="program evaluations per run")
    parser.add_argument("--pop-size", type=cli.int_range(1, 10_000), default=DEFAULTS["pop_size"],
                        help="PIPE's population size PS (programs sampled per generation)")
    parser.add_argument("--workers", type=cli.int_range(1, 4), default=2,
                        help="processes the four parity sizes are spread over (speed only: each size "
                             "has its own stream)")
    return parser


if __name__ == "__main__":
    cli.run(main, build_parser())
