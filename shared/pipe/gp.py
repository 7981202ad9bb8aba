"""A plain Koza-style genetic programming baseline on the same instruction sets and evaluator.

Generational GP (Koza 1992): a population of M preorder programs, initialised by ramped
half-and-half (depths 2..6, half "grow", half "full"); each new generation is made of
reproductions (probability p_repro) and subtree crossovers, parents chosen by tournament
selection; a crossover point is a function node with probability 0.9 (else a leaf), and an
offspring deeper than max_depth is replaced by its first parent. No mutation. Random constants
("R") are ephemeral: drawn uniform in [0, 1) when a leaf is created and then kept.
The search stops at the first solving program or when the evaluation budget is spent.
"""
import math

import numpy as np

from shared.pipe.ppt import depths, evaluate_program, subtree_end


def random_tree(iset, rng, depth, full):
    """One random program of at most ``depth`` (grow) or exactly ``depth`` (full): (ins, const)."""
    funcs = np.arange(iset.n_functions)
    terms = np.arange(iset.n_functions, iset.n)
    ins, const = [], []

    def rec(d):
        if d == depth:
            i = int(rng.choice(terms))
        elif full:
            i = int(rng.choice(funcs))
        else:
            i = int(rng.integers(iset.n))
        ins.append(i)
        const.append(rng.random() if i == iset.r_index else 0.0)
        for _ in range(iset.arity[i]):
            rec(d + 1)

    rec(0)
    return np.array(ins, np.int64), np.array(const)


def ramped_half_and_half(iset, rng, M, min_depth=2, max_depth=6):
    out = []
    span = max_depth - min_depth + 1
    for k in range(M):
        out.append(random_tree(iset, rng, min_depth + (k // 2) % span, full=k % 2 == 0))
    return out


def crossover_point(iset, ins, rng, p_internal=0.9):
    funcs = np.flatnonzero(iset.arity[ins] > 0)
    leaves = np.flatnonzero(iset.arity[ins] == 0)
    if len(funcs) and rng.random() < p_internal:
        return int(rng.choice(funcs))
    return int(rng.choice(leaves))


def crossover(iset, a, b, rng, max_depth):
    """Replace a random subtree of a by a random subtree of b; a itself if too deep."""
    ia, ib = crossover_point(iset, a[0], rng), crossover_point(iset, b[0], rng)
    ea = subtree_end(iset.arity[a[0]], ia)
    eb = subtree_end(iset.arity[b[0]], ib)
    ins = np.concatenate([a[0][:ia], b[0][ib:eb], a[0][ea:]])
    const = np.concatenate([a[1][:ia], b[1][ib:eb], a[1][ea:]])
    if depths(iset.arity[ins]).max() > max_depth:
        return a
    return ins, const


def tournament(fit, rng, size):
    idx = rng.integers(len(fit), size=size)
    return int(idx[np.argmin(fit[idx])])


def run_gp(iset, X, score, cfg, rng, budget, grid):
    """One GP run. score(out (m, C)) -> (fitness (m,), solved (m,)). cfg: pop_size, tournament,
    p_repro, max_depth. Returns solved, evals, generations, best fitness and program, and the
    best-so-far fitness on the evaluation grid."""
    M = cfg["pop_size"]
    pop = ramped_half_and_half(iset, rng, M)
    best_trace = np.full(len(grid), np.nan)
    evals, gens, g = 0, 0, 0
    best, best_prog, solved = math.inf, None, False
    while True:
        out = np.stack([evaluate_program(iset, ins, const, X) for ins, const in pop])
        fit, ok = score(out)
        # a solution found midway through a generation counts the evaluations up to it
        hit = np.flatnonzero(ok)
        used = int(hit[0]) + 1 if len(hit) else M
        evals += used
        gens += 1
        b = int(hit[0]) if len(hit) else int(np.argmin(fit))
        if fit[b] < best or len(hit):
            best, best_prog = float(fit[b]), pop[b]
        solved = bool(len(hit))
        while g < len(grid) and grid[g] <= evals:
            best_trace[g] = best
            g += 1
        if solved or evals + M > budget:
            break
        new = []
        while len(new) < M:
            a = pop[tournament(fit, rng, cfg["tournament"])]
            if rng.random() < cfg["p_repro"]:
                new.append(a)
            else:
                bb = pop[tournament(fit, rng, cfg["tournament"])]
                new.append(crossover(iset, a, bb, rng, cfg["max_depth"]))
        pop = new
    best_trace[g:] = best
    return {"solved": solved, "evals": evals, "generations": gens, "best": best,
            "ins": best_prog[0], "const": best_prog[1], "trace": {"best": best_trace}}
