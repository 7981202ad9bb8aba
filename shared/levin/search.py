"""Levin's universal search (1973) over the oracle answers of `shared.levin.machine`.

Phase i has the budget T_i = 2**i steps. A program prefix p (the oracle answers so far) has the
probability P(p) = prod 1/n_k, n_k the number of options of its k-th oracle request, and may run
for at most T_i * P(p) steps in phase i (time-sharing: each program gets time in proportion to its
probability). Since the P of all prefixes that are ever extended sum to at most 1, phase i costs at
most ~T_i steps, and a program p that halts after t(p) steps is met in the first phase with
T_i >= t(p) / P(p): the total cost to find it is below 2 * t(p) / P(p) (the Levin bound).

`levin_phase` walks the tree of oracle answers depth first, copying the machine at each request,
so a shared prefix is executed once per phase. `run_from_scratch_cost` is the plain count for
comparison: each program run from its start, as the textbook algorithm does.
"""
from shared.levin import machine as M


def levin_phase(phase, on_halt, max_runs=None):
    """Run every program in phase `phase`. `on_halt(state, prob, steps)` is called for each program
    that halts within its time share (steps: instructions this phase has executed so far, the
    halting run's included) and returns True to stop the search early.

    Returns dict(runs, halted, timed_out, steps, charged, stopped): runs = programs run (halted or
    out of time), steps = instructions executed (shared prefixes once), charged = the sum of the
    runs' own times (the from-scratch cost of the same phase).
    """
    T = float(2 ** phase)
    stats = dict(runs=0, halted=0, timed_out=0, steps=0, charged=0, stopped=False)
    stack = [(M.State(), 1.0)]
    while stack:
        s, p = stack.pop()
        limit = T * p
        t0 = s.t
        while True:
            if s.t + 1 > limit:                        # no time left for another instruction
                stats["runs"] += 1
                stats["timed_out"] += 1
                stats["charged"] += s.t
                break
            r = M.step(s)
            if r == M.ORACLE:
                opts = M.oracle_options(s)
                pc = p / len(opts)
                if s.t + 1 > T * pc:                   # no child may run another step this phase
                    stats["runs"] += 1
                    stats["timed_out"] += 1
                    stats["charged"] += s.t
                    break
                for v in reversed(opts):
                    c = s.copy()
                    c.answer(v)
                    stack.append((c, pc))
                break
            if r == M.HALTED:
                stats["runs"] += 1
                stats["halted"] += 1
                stats["charged"] += s.t
                stats["steps"] += s.t - t0
                t0 = s.t
                if on_halt(s, p, stats["steps"]):
                    stats["stopped"] = True
                    return stats
                break
        stats["steps"] += s.t - t0
        if max_runs is not None and stats["runs"] >= max_runs:
            stats["stopped"] = True
            return stats
    return stats


def levin_phase_plain(phase):
    """Plain reference of `levin_phase`: the textbook algorithm, every program prefix re-run from
    its start (no state copies), for the tests. Returns the runs as a list of
    (tape, halted, t, weights) in no particular order."""
    T = float(2 ** phase)
    runs, todo = [], [[]]
    while todo:
        tape = todo.pop()
        s, p, k = M.State(), 1.0, 0
        while True:
            if s.t + 1 > T * p:
                runs.append((tuple(s.code), False, s.t, None))
                break
            r = M.step(s)
            if r == M.ORACLE:
                opts = M.oracle_options(s)
                if k < len(tape):                      # replay the prefix's next answer
                    p /= len(opts)
                    s.answer(tape[k])
                    k += 1
                    continue
                if s.t + 1 > T * p / len(opts):
                    runs.append((tuple(s.code), False, s.t, None))
                else:
                    todo.extend(list(tape) + [v] for v in opts)
                break
            if r == M.HALTED:
                runs.append((tuple(s.code), True, s.t, tuple(s.weights())))
                break
    return runs


def program_probability(tape):
    """P(p): the product over the program's oracle requests of 1/(number of options), found by
    replaying the tape; also returns the number of oracle requests."""
    s, p, n = M.State(), 1.0, 0
    rest = list(tape)
    while rest:
        r = M.step(s)
        if r == M.HALTED:
            break
        if r == M.ORACLE:
            opts = M.oracle_options(s)
            p /= len(opts)
            n += 1
            s.answer(rest.pop(0))
    return p, n


def levin_bound(t, p):
    """Levin's bound on the total search cost to find a program of runtime t and probability p:
    the first phase i with 2**i >= t/p, summed over phases 0..i: 2**(i+1) - 1 steps."""
    i = 0
    while 2 ** i < t / p:
        i += 1
    return i, 2 ** (i + 1) - 1


def levin_search(fits, max_phase, extra_phases=0, log=print):
    """Phases 0, 1, ... until the first phase that holds a fitting program, then `extra_phases`
    more (to see which other programs fit), never past `max_phase`.

    `fits(weights) -> bool` is the task's test on the training examples. Every halted program's
    weights are tested. Returns dict(phases=[per-phase stats], fits=[...] of the last phase run
    (each: tape, t, p, phase, cost = cumulative steps executed when it was first met), first_fit
    = the first fit met, or None).
    """
    cum, phases, first, seen, last = 0, [], None, {}, []
    stop_at = max_phase
    for ph in range(max_phase + 1):
        found = []

        def on_halt(s, p, steps, _ph=ph, _cum=cum, _found=found):
            if fits(s.weights()):
                key = tuple(s.code)
                if key not in seen:
                    seen[key] = dict(tape=list(s.code), t=s.t, p=p, phase=_ph, cost=_cum + steps,
                                     weights=s.weights(), why=s.why)
                _found.append(seen[key])
            return False

        st = levin_phase(ph, on_halt)
        cum += st["steps"]
        st.update(phase=ph, budget=2 ** ph, fits=len(found), cum_steps=cum)
        phases.append(st)
        log(f"phase {ph:2d}  budget 2^{ph:<2d} runs {st['runs']:9,d}  halted {st['halted']:8,d}  "
            f"steps {st['steps']:11,d}  cumulative {cum:12,d}  fits {len(found)}")
        last = found
        if found and first is None:
            first = min(found, key=lambda f: f["cost"])
            stop_at = min(max_phase, ph + extra_phases)
        if ph >= stop_at:
            break
    return dict(phases=phases, fits=last, first_fit=first)

