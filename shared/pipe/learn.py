"""The PIPE learning rules and the search loop.

Notation (the paper's): PROG_b the best program of the current population, PROG_el the best program
found so far (the elitist), FIT a fitness to be minimised, P(PROG) = prod over the program's nodes
of P_{d,w}(I_{d,w}), lr the learning rate, c_lr a constant, eps a fitness constant, P_el the
elitist-learning probability, P_M and mr the mutation probability and rate, T_R the threshold above
which the stored constant R_{d,w} is reused, T_P the pruning threshold.

Learning from a program PROG (generation-based: PROG_b; elitist: PROG_el):

    P_TARGET = P(PROG) + (1 - P(PROG)) * lr * (eps + FIT(PROG_el)) / (eps + FIT(PROG))
    REPEAT  P_{d,w}(I) <- P_{d,w}(I) + c_lr * lr * (1 - P_{d,w}(I))   for every node PROG uses
    UNTIL   P(PROG) >= P_TARGET
    then every node's other entries are scaled so that its vector sums to 1, and R_{d,w} takes the
    constant PROG used at that node.

k passes of the REPEAT loop give 1 - P_{d,w}(I) = (1 - P_0) * q^k with q = 1 - c_lr * lr, so the
loop stops at the smallest k >= 1 with  sum log(1 - (1 - P_0) q^k) >= log P_TARGET.  ``update``
finds that k by bisection; ``update_reference`` runs the literal loop (the tests check they agree).

Mutation (after generation-based learning), on every node PROG_b uses: each entry is hit with
probability P_M / (|I| * sqrt(|PROG_b|)) and moved to P + mr * (1 - P); the vector is renormalised.
Pruning: a node whose largest entry exceeds T_P loses the children its likeliest instruction cannot
use (all of them for a terminal).
"""
import math

import numpy as np

from shared.pipe.ppt import PPT, evaluate, nodes_of, sample


def program_log_prob(ppt, nodes, ins):
    """log P(PROG) for a program at PPT nodes ``nodes`` (n,) with instructions ``ins`` (n,)."""
    with np.errstate(divide="ignore"):
        return float(np.log(ppt.probs[nodes, ins]).sum())


def p_target(log_p, fit, fit_el, lr, eps):
    """P_TARGET from log P(PROG), FIT(PROG) and FIT(PROG_el)."""
    p = math.exp(log_p)
    return p + (1.0 - p) * lr * (eps + fit_el) / (eps + fit)


def _set_chosen(ppt, nodes, ins, new):
    """Set P_{d,w}(I) of the chosen entries to ``new`` and rescale the other entries of each node."""
    rows = ppt.probs[nodes]
    old = rows[np.arange(len(nodes)), ins]
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(old < 1.0, (1.0 - new) / (1.0 - old), 0.0)
    rows *= scale[:, None]
    rows[np.arange(len(nodes)), ins] = new
    rows /= rows.sum(axis=1, keepdims=True)
    ppt.probs[nodes] = rows


def update(ppt, nodes, ins, target, c_lr, lr, max_k=10**9):
    """Raise P(PROG) to ``target`` exactly as the REPEAT loop would, in closed form. Returns k."""
    p0 = ppt.probs[nodes, ins]
    q = 1.0 - c_lr * lr
    log_t = math.log(target)

    def log_prob(k):
        with np.errstate(divide="ignore"):
            return float(np.log1p(-(1.0 - p0) * q ** k).sum())

    if log_prob(1) >= log_t:
        k = 1
    else:
        lo, hi = 1, 2                      # log_prob(lo) < log_t
        while log_prob(hi) < log_t:
            lo, hi = hi, 2 * hi
            if hi > max_k:
                raise RuntimeError("P_TARGET not reachable")
        while hi - lo > 1:                  # invariant: log_prob(lo) < log_t <= log_prob(hi)
            mid = (lo + hi) // 2
            if log_prob(mid) >= log_t:
                hi = mid
            else:
                lo = mid
        k = hi
    _set_chosen(ppt, nodes, ins, 1.0 - (1.0 - p0) * q ** k)
    return k


def update_reference(ppt, nodes, ins, target, c_lr, lr, max_k=10**7):
    """The literal REPEAT ... UNTIL loop, one increment per pass. Returns the number of passes."""
    p = ppt.probs[nodes, ins].copy()
    old = p.copy()
    k = 0
    while True:
        p = p + c_lr * lr * (1.0 - p)
        k += 1
        if np.prod(p) >= target or k >= max_k:
            break
    ppt.probs[nodes, ins] = old                     # _set_chosen rescales from the old entries
    _set_chosen(ppt, nodes, ins, p)
    return k


def store_constants(ppt, nodes, ins, const):
    """R_{d,w} <- the constant the learned-from program used at that node."""
    r = ppt.iset.r_index
    if r >= 0:
        uses = ins == r
        ppt.const[nodes[uses]] = const[uses]


def mutate(ppt, nodes, size, p_m, mr, rng):
    """Mutate the nodes PROG_b uses: entry hit with prob P_M / (|I| sqrt(|PROG_b|)). Returns hits."""
    n_i = ppt.iset.n
    rows = ppt.probs[nodes]
    hit = rng.random(rows.shape) < p_m / (n_i * math.sqrt(size))
    rows = np.where(hit, rows + mr * (1.0 - rows), rows)
    ppt.probs[nodes] = rows / rows.sum(axis=1, keepdims=True)
    return int(hit.sum())


def prune(ppt, nodes, t_p):
    """Detach the children a dominant instruction (probability > T_P) cannot use. Returns count."""
    rows = ppt.probs[nodes]
    big = rows.max(axis=1) > t_p
    cut = 0
    for node, i in zip(nodes[big], rows[big].argmax(axis=1), strict=True):
        a = ppt.iset.arity[i]
        cut += int((ppt.child[node, a:] >= 0).sum())
        ppt.child[node, a:] = -1
    return cut


def learn_from(ppt, ins, const, fit, fit_el, cfg):
    """Adapt the PPT toward one program (both kinds of learning). Returns (nodes, k)."""
    nodes = nodes_of(ppt, ins)
    target = p_target(program_log_prob(ppt, nodes, ins), fit, fit_el, cfg["lr"], cfg["eps"])
    k = update(ppt, nodes, ins, target, cfg["c_lr"], cfg["lr"])
    store_constants(ppt, nodes, ins, const)
    return nodes, k


def entropy_bits(rows):
    """Shannon entropy (bits) of each probability vector: rows (n, |I|) -> (n,)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -np.where(rows > 0, rows * np.log2(rows), 0.0).sum(axis=1)
    return h


def run_pipe(iset, X, score, cfg, rng, budget, grid, ppt_rng=None):
    """One PIPE run until a program solves the task or ``budget`` programs have been evaluated.

    score(out (m, C)) -> (fitness (m,), solved (m,) bool). cfg: pop_size, p_terminal, lr, c_lr, eps,
    p_elitist, p_mut, mut_rate, t_random, t_prune, max_depth. grid: increasing evaluation counts at
    which the trace is taken. Returns a dict: solved, evals (to the solution, else the budget used),
    generations, elitist_steps, best fitness and program, and the trace on the grid: best-so-far
    fitness, root entropy and the mean entropy over the nodes the elitist uses, PPT size (nodes
    attached to the root), the elitist's outputs (len(grid), C) and the root's vector (len(grid), |I|)."""
    ppt = PPT(iset, cfg["p_terminal"], ppt_rng if ppt_rng is not None else rng)
    G, C = len(grid), X.shape[1]
    tr = {"best": np.full(G, np.nan), "h_root": np.full(G, np.nan), "h_elite": np.full(G, np.nan),
          "ppt_size": np.zeros(G, np.int64), "elite_out": np.full((G, C), np.nan),
          "root_probs": np.full((G, iset.n), np.nan)}
    evals, gens, el_steps, g = 0, 0, 0, 0
    el_ins = el_const = el_out = el_nodes = None
    fit_el, solved = math.inf, False

    def take_trace(upto):
        nonlocal g
        while g < G and grid[g] <= upto:
            tr["best"][g] = fit_el
            tr["h_root"][g] = entropy_bits(ppt.probs[:1])[0]
            tr["root_probs"][g] = ppt.probs[0]
            if el_nodes is not None:
                tr["h_elite"][g] = entropy_bits(ppt.probs[el_nodes]).mean()
                tr["elite_out"][g] = el_out
            tr["ppt_size"][g] = len(ppt.reachable())
            g += 1

    while evals < budget and not solved:
        if el_ins is not None and rng.random() < cfg["p_elitist"]:
            el_nodes, _ = learn_from(ppt, el_ins, el_const, fit_el, fit_el, cfg)   # no evaluation
            el_steps += 1
            continue
        pop = sample(ppt, cfg["pop_size"], rng, cfg["t_random"], cfg["max_depth"])
        out = evaluate(iset, pop, X)
        fit, ok = score(out)
        evals += pop.m
        gens += 1
        b = int(np.argmin(fit))
        ins_b, const_b = pop.program(b)
        if fit[b] < fit_el:
            el_ins, el_const, fit_el, el_out = ins_b, const_b, float(fit[b]), out[b].copy()
            solved = bool(ok[b])
        nodes, _ = learn_from(ppt, ins_b, const_b, float(fit[b]), fit_el, cfg)
        mutate(ppt, nodes, len(ins_b), cfg["p_mut"], cfg["mut_rate"], rng)
        prune(ppt, nodes, cfg["t_prune"])
        el_nodes = nodes_of(ppt, el_ins)
        take_trace(evals)
    take_trace(math.inf if solved else evals)              # a solved run keeps its final state
    return {"solved": solved, "evals": evals, "generations": gens, "elitist_steps": el_steps,
            "best": fit_el, "ins": el_ins, "const": el_const, "trace": tr}
