"""Many independent PIPE runs advanced together: R probabilistic prototype trees held as arrays with
a leading run axis, so that sampling, evaluation and learning are numpy calls over all runs at once.

This is the fast path beside the one-run loop of ``learn.run_pipe``; it implements the same PIPE
(sampling from the PPT, generation-based and elitist learning toward P_TARGET, mutation around the
best program, pruning), for instruction sets without the random constant R (boolean sets, say).

Arrays. ``BatchPPT``: probs (R, cap, |I|), child (R, cap, A) (-1: not grown, or pruned),
depth (R, cap), n_nodes (R,). Node 0 of every run is its root; runs grow their own nodes on demand,
all sharing one capacity ``cap`` (doubled when a run needs more).

``RunView(batch, r)`` shows run r through the one-run PPT interface (iset, probs, child, depth,
child_of, reachable), so the plain functions of ``learn`` and ``ppt`` (``nodes_of``, ``update``,
``mutate``, ``prune``) act on it directly: they are the reference that the vectorised steps here
(``sample_batch``, ``evaluate_batch``, ``learn_batch``, ``mutate_batch``, ``prune_batch``) are
tested against (tests/test_pipe_core.py).

A sampled population (``BatchPop``) is stored level by level (breadth first): level L holds one
row per (program, PPT node at depth L) it reaches: run (K,), prog (K,) (program index over the
sampled runs: a * m + p for the a-th sampled run), node (K,), ins (K,), kid (K, A) (row of child j
in level L + 1, -1 if none).
"""
import math

import numpy as np

from shared.pipe.learn import entropy_bits
from shared.pipe.ppt import nodes_of


class BatchPPT:
    """R independent PPTs over one instruction set, as arrays (see the module docstring)."""

    def __init__(self, iset, p_terminal, R, capacity=64):
        if iset.r_index >= 0:
            raise ValueError("BatchPPT has no random constants: use an instruction set without R")
        self.iset, self.R = iset, R
        self.p0 = iset.initial_probs(p_terminal)
        self.A = max(iset.max_arity, 1)
        self.probs = np.zeros((R, capacity, iset.n))
        self.child = np.full((R, capacity, self.A), -1, np.int64)
        self.depth = np.zeros((R, capacity), np.int64)
        self.n_nodes = np.ones(R, np.int64)
        self.probs[:, 0] = self.p0

    @property
    def cap(self):
        return self.probs.shape[1]

    def _grow(self, need):
        cap = self.cap
        while cap < need:
            cap *= 2
        extra = cap - self.cap
        if extra:
            R, n = self.R, self.iset.n
            self.probs = np.concatenate([self.probs, np.zeros((R, extra, n))], axis=1)
            self.child = np.concatenate([self.child, np.full((R, extra, self.A), -1, np.int64)], axis=1)
            self.depth = np.concatenate([self.depth, np.zeros((R, extra), np.int64)], axis=1)

    def alloc(self, runs, depths):
        """New nodes (initial probabilities) for ``runs`` (sorted ascending), at ``depths``: ids (k,)."""
        counts = np.bincount(runs, minlength=self.R)
        self._grow(int((self.n_nodes + counts).max()))
        rank = np.arange(len(runs)) - np.searchsorted(runs, runs)      # position within its run
        ids = self.n_nodes[runs] + rank
        self.n_nodes += counts
        self.probs[runs, ids] = self.p0
        self.child[runs, ids] = -1
        self.depth[runs, ids] = depths
        return ids

    def children(self, runs, nodes, j):
        """Child j (an int or an array (k,)) of each (run, node), grown where missing: ids (k,)."""
        j = np.broadcast_to(np.asarray(j, np.int64), runs.shape)
        c = self.child[runs, nodes, j]
        miss = np.flatnonzero(c < 0)
        if len(miss):
            cap, A = self.cap, self.A
            keys, inv = np.unique((runs[miss] * cap + nodes[miss]) * A + j[miss], return_inverse=True)
            uj, keys = keys % A, keys // A
            ur, un = keys // cap, keys % cap
            new = self.alloc(ur, self.depth[ur, un] + 1)
            self.child[ur, un, uj] = new
            c = c.copy()
            c[miss] = new[inv.ravel()]
        return c


class RunView:
    """Run r of a BatchPPT through the one-run PPT interface of ``shared.pipe.ppt.PPT``."""

    def __init__(self, batch, r):
        self.batch, self.r, self.iset = batch, r, batch.iset
        self.p0 = batch.p0

    @property
    def probs(self):
        return self.batch.probs[self.r]

    @property
    def child(self):
        return self.batch.child[self.r]

    @property
    def depth(self):
        return self.batch.depth[self.r]

    @property
    def n(self):
        return int(self.batch.n_nodes[self.r])

    def child_of(self, node, j):
        return int(self.batch.children(np.array([self.r]), np.array([node]), j)[0])

    def reachable(self):
        out, stack = [], [0]
        child = self.child
        while stack:
            i = stack.pop()
            out.append(i)
            stack.extend(int(c) for c in child[i] if c >= 0)
        return np.array(sorted(out), np.int64)


class Level:
    __slots__ = ("run", "prog", "node", "ins", "kid")

    def __init__(self, run, prog, node, ins, kid):
        self.run, self.prog, self.node, self.ins, self.kid = run, prog, node, ins, kid


class BatchPop:
    """m programs from each of the runs ``runs`` (S,), level by level (see the module docstring)."""

    def __init__(self, runs, m, levels, arity):
        self.runs, self.m, self.levels, self.arity = runs, m, levels, arity

    def positions(self, progs):
        """Every (run, node, ins) of the programs ``progs`` (one per sampled run, in run order):
        arrays (k,) each and seg (k,), the index into ``progs``; grouped by program."""
        pick = np.full(len(self.runs) * self.m, -1, np.int64)
        pick[progs] = np.arange(len(progs))
        seg, run, node, ins = [], [], [], []
        for lev in self.levels:
            s = pick[lev.prog]
            keep = s >= 0
            seg.append(s[keep])
            run.append(lev.run[keep])
            node.append(lev.node[keep])
            ins.append(lev.ins[keep])
        seg = np.concatenate(seg)
        order = np.argsort(seg, kind="stable")
        return (seg[order], np.concatenate(run)[order], np.concatenate(node)[order],
                np.concatenate(ins)[order])

    def program(self, g):
        """Program g in preorder: (ins (n,), PPT nodes (n,))."""
        ins, nodes, stack = [], [], [(0, g)]
        while stack:
            L, k = stack.pop()
            lev = self.levels[L]
            i = int(lev.ins[k])
            ins.append(i)
            nodes.append(int(lev.node[k]))
            stack.extend((L + 1, int(lev.kid[k, j])) for j in reversed(range(self.arity[i])))
        return np.array(ins, np.int64), np.array(nodes, np.int64)


def sample_batch(bp, runs, m, rng, max_depth=None):
    """m programs from each run in ``runs`` (ascending), one breadth-first walk for all: BatchPop.

    At node (d, w) a program draws instruction i with probability P_{d,w}(i) (inverse CDF of one
    uniform); at depth max_depth only terminals can be drawn (a cap PIPE itself does not have)."""
    iset = bp.iset
    runs = np.asarray(runs, np.int64)
    ar, term, n = iset.arity, iset.is_terminal, iset.n
    run = np.repeat(runs, m)
    prog = np.arange(len(runs) * m)
    node = np.zeros(len(run), np.int64)
    levels = []
    while len(run):
        rows = bp.probs[run, node]                                   # (K, |I|)
        if max_depth is not None:
            capped = bp.depth[run, node] >= max_depth
            if capped.any():
                rows = np.where(capped[:, None] & ~term[None], 0.0, rows)
        cum = np.cumsum(rows, axis=1)
        u = rng.random(len(run)) * cum[:, -1]
        ins = np.minimum((cum <= u[:, None]).sum(axis=1), n - 1)   # bisect_right, as ppt.sample
        a = ar[ins]
        kid = np.full((len(run), bp.A), -1, np.int64)
        # child slots in the order (slot 0 of every parent, then slot 1, ...), as kid records them
        par = [np.flatnonzero(a > j) for j in range(bp.A)]
        slot = np.concatenate([np.full(len(s), j) for j, s in enumerate(par)])
        par = np.concatenate(par)
        kid[par, slot] = np.arange(len(par))
        levels.append(Level(run, prog, node, ins, kid))
        if len(par) == 0:
            break
        run, prog, node = run[par], prog[par], bp.children(run[par], node[par], slot)
    return BatchPop(runs, m, levels, ar)


def evaluate_batch(iset, pop, X):
    """Outputs of every program of pop on every case: (S * m, C). X: (V, C) input rows.
    Bottom-up, one level at a time; inside a level one call per instruction used there."""
    C = X.shape[1]
    tv = np.zeros((iset.n, C), X.dtype)                             # the value of each terminal
    for i in np.flatnonzero(iset.is_terminal):
        tv[i] = X[iset.var_row[iset.names[i]]]
    below = None
    for lev in reversed(pop.levels):
        out = np.empty((len(lev.ins), C), X.dtype)
        t = iset.is_terminal[lev.ins]
        out[t] = tv[lev.ins[t]]
        for i in range(iset.n_functions):
            sel = np.flatnonzero(lev.ins == i)
            if len(sel):
                out[sel] = iset.fns[i](*[below[lev.kid[sel, j]] for j in range(iset.arity[i])])
        below = out
    return below


def p_target_batch(bp, seg, run, node, ins, fit, fit_el, lr, eps):
    """P_TARGET per program (as learn.p_target): seg (k,) groups the positions by program."""
    with np.errstate(divide="ignore"):
        log_p = np.bincount(seg, np.log(bp.probs[run, node, ins]), minlength=len(fit))
    p = np.exp(log_p)
    return p + (1.0 - p) * lr * (eps + fit_el) / (eps + fit)


def update_batch(bp, seg, run, node, ins, target, c_lr, lr, max_k=10**9):
    """learn.update for several programs at once (each in its own run): the smallest k >= 1 with
    P(PROG) >= P_TARGET after k increments, found by a vectorised doubling then bisection. Returns k."""
    L = len(target)
    p0 = bp.probs[run, node, ins]
    q = 1.0 - c_lr * lr
    log_t = np.log(target)

    def log_prob(k):
        with np.errstate(divide="ignore"):
            return np.bincount(seg, np.log1p(-(1.0 - p0) * q ** k[seg].astype(float)), minlength=L)

    lo, hi = np.zeros(L, np.int64), np.ones(L, np.int64)       # lo = 0: "k = 1 is enough"
    short = log_prob(hi) < log_t
    while short.any():
        lo = np.where(short, hi, lo)
        hi = np.where(short, 2 * hi, hi)
        if hi.max() > max_k:
            raise RuntimeError("P_TARGET not reachable")
        short &= log_prob(hi) < log_t
    while (hi - lo > 1).any():                  # invariant: log_prob(lo) < log_t <= log_prob(hi)
        open_ = hi - lo > 1
        mid = (lo + hi) // 2
        ok = log_prob(mid) >= log_t
        hi = np.where(open_ & ok, mid, hi)
        lo = np.where(open_ & ~ok, mid, lo)
    k = hi
    new = 1.0 - (1.0 - p0) * q ** k[seg].astype(float)
    rows = bp.probs[run, node]
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(p0 < 1.0, (1.0 - new) / (1.0 - p0), 0.0)
    rows *= scale[:, None]
    rows[np.arange(len(run)), ins] = new
    rows /= rows.sum(axis=1, keepdims=True)
    bp.probs[run, node] = rows
    return k


def learn_batch(bp, seg, run, node, ins, fit, fit_el, cfg):
    """Generation-based or elitist learning toward one program per run (learn.learn_from)."""
    target = p_target_batch(bp, seg, run, node, ins, fit, fit_el, cfg["lr"], cfg["eps"])
    return update_batch(bp, seg, run, node, ins, target, cfg["c_lr"], cfg["lr"])


def mutate_batch(bp, seg, run, node, size, p_m, mr, rng):
    """learn.mutate on one program per run: entry hit with prob P_M / (|I| sqrt(|PROG_b|)). The
    uniforms are drawn as one (k, |I|) block, so with positions grouped by run in run order they are
    the numbers the one-run mutate would draw run after run. Returns hits per program."""
    n_i = bp.iset.n
    rows = bp.probs[run, node]
    hit = rng.random(rows.shape) < (p_m / (n_i * np.sqrt(size[seg].astype(float))))[:, None]
    rows = np.where(hit, rows + mr * (1.0 - rows), rows)
    bp.probs[run, node] = rows / rows.sum(axis=1, keepdims=True)
    return np.bincount(seg, hit.sum(axis=1), minlength=len(size)).astype(np.int64)


def prune_batch(bp, run, node, t_p):
    """learn.prune: a node whose largest entry exceeds T_P loses the children its likeliest
    instruction cannot use. Returns the number of links cut."""
    rows = bp.probs[run, node]
    big = rows.max(axis=1) > t_p
    if not big.any():
        return 0
    r, nd = run[big], node[big]
    a = bp.iset.arity[rows[big].argmax(axis=1)]
    cut = 0
    for j in range(bp.A):
        sel = a <= j
        cut += int((bp.child[r[sel], nd[sel], j] >= 0).sum())
        bp.child[r[sel], nd[sel], j] = -1
    return cut


def elite_nodes(bp, r, el):
    """PPT nodes of run r's elitist (grown again where pruning cut them), as learn.run_pipe does
    with nodes_of; a cached answer is kept while every link it uses is still in place."""
    ins, nodes, parent, slot = el["ins"], el["nodes"], el["parent"], el["slot"]
    if len(ins) == 1 or (bp.child[r, nodes[parent[1:]], slot[1:]] == nodes[1:]).all():
        return nodes
    nodes = nodes_of(RunView(bp, r), ins)
    el["nodes"] = nodes
    return nodes


def preorder_links(arity_of_ins):
    """Parent position and child slot of every preorder position (the root's are 0)."""
    n = len(arity_of_ins)
    parent, slot = np.zeros(n, np.int64), np.zeros(n, np.int64)
    stack = []                                  # [position, next slot, arity] of open functions
    for k in range(n):
        if stack:
            top = stack[-1]
            parent[k], slot[k] = top[0], top[1]
            top[1] += 1
            if top[1] == top[2]:
                stack.pop()
        if arity_of_ins[k] > 0:
            stack.append([k, 0, int(arity_of_ins[k])])
    return parent, slot


def run_pipe_batch(iset, X, score, cfg, R, rng, budget, grid):
    """R independent PIPE runs, each until a program solves the task or ``budget`` programs have
    been evaluated (learn.run_pipe, run for R trees at once).

    Each round, every live run either (probability P_el, once it has an elitist) learns from its
    elitist, which costs no evaluation, or samples PS programs, evaluates them, updates its elitist,
    learns from its best program, mutates around it and prunes. score(out (k, C)) -> (fitness (k,),
    solved (k,)). Returns per-run arrays: solved, evals (to the solution, else the budget used),
    generations, elitist_steps, best, the elitist programs (preorder), and traces on the grid
    (R, G): best-so-far fitness, root entropy, mean entropy over the elitist's nodes, PPT size
    (nodes attached to the root), the root's vector (R, G, |I|) and the elitist's outputs (R, G, C)."""
    m = cfg["pop_size"]
    bp = BatchPPT(iset, cfg["p_terminal"], R)
    G = len(grid)
    tr = {"best": np.full((R, G), np.nan), "h_root": np.full((R, G), np.nan),
          "h_elite": np.full((R, G), np.nan), "ppt_size": np.zeros((R, G), np.int64),
          "root_probs": np.zeros((R, G, iset.n)), "elite_out": np.zeros((R, G) + X.shape[1:], X.dtype)}
    el_out = np.zeros((R,) + X.shape[1:], X.dtype)
    evals, gens, el_steps = np.zeros(R, np.int64), np.zeros(R, np.int64), np.zeros(R, np.int64)
    fit_el, solved = np.full(R, math.inf), np.zeros(R, bool)
    els = [None] * R
    g_at = np.zeros(R, np.int64)                 # next grid point each run has to record

    def take_trace(r, upto):
        while g_at[r] < G and grid[g_at[r]] <= upto:
            g = g_at[r]
            tr["best"][r, g] = fit_el[r]
            tr["h_root"][r, g] = entropy_bits(bp.probs[r, :1])[0]
            if els[r] is not None:
                tr["h_elite"][r, g] = entropy_bits(bp.probs[r, elite_nodes(bp, r, els[r])]).mean()
            tr["ppt_size"][r, g] = len(RunView(bp, r).reachable())
            tr["root_probs"][r, g] = bp.probs[r, 0]
            tr["elite_out"][r, g] = el_out[r]
            g_at[r] += 1

    while True:
        live = ~solved & (evals < budget)
        if not live.any():
            break
        coin = rng.random(R) < cfg["p_elitist"]
        do_el = np.flatnonzero(live & np.isfinite(fit_el) & coin)
        gen = np.flatnonzero(live & ~(np.isfinite(fit_el) & coin))
        if len(do_el):                                   # elitist learning: no evaluation
            parts = [(a, r, elite_nodes(bp, r, els[r]), els[r]["ins"]) for a, r in enumerate(do_el)]
            seg = np.concatenate([np.full(len(nd), a) for a, _, nd, _ in parts])
            run = np.concatenate([np.full(len(nd), r) for _, r, nd, _ in parts])
            node = np.concatenate([nd for _, _, nd, _ in parts])
            ins = np.concatenate([i for *_, i in parts])
            learn_batch(bp, seg, run, node, ins, fit_el[do_el], fit_el[do_el], cfg)
            el_steps[do_el] += 1
        if len(gen) == 0:
            continue
        pop = sample_batch(bp, gen, m, rng, cfg.get("max_depth"))
        out = evaluate_batch(iset, pop, X)
        fit, ok = score(out)
        fit = np.asarray(fit, float).reshape(len(gen), m)
        ok = np.asarray(ok, bool).reshape(len(gen), m)
        evals[gen] += m
        gens[gen] += 1
        b = fit.argmin(axis=1)                           # first best program of each run
        fb = fit[np.arange(len(gen)), b]
        for a in np.flatnonzero(fb < fit_el[gen]):       # a new elitist
            r = gen[a]
            ins_b, nodes_b = pop.program(a * m + b[a])
            parent, slot = preorder_links(iset.arity[ins_b])
            els[r] = {"ins": ins_b, "nodes": nodes_b, "parent": parent, "slot": slot}
            fit_el[r] = fb[a]
            el_out[r] = out[a * m + b[a]]
            solved[r] = ok[a, b[a]]
        seg, run, node, ins = pop.positions(np.arange(len(gen)) * m + b)
        learn_batch(bp, seg, run, node, ins, fb, fit_el[gen], cfg)
        size = np.bincount(seg, minlength=len(gen))
        mutate_batch(bp, seg, run, node, size, cfg["p_mut"], cfg["mut_rate"], rng)
        prune_batch(bp, run, node, cfg["t_prune"])
        for r in gen:
            take_trace(r, math.inf if solved[r] else evals[r])
    for r in range(R):
        take_trace(r, math.inf if solved[r] else evals[r])
    return {"solved": solved, "evals": evals, "generations": gens, "elitist_steps": el_steps,
            "best": fit_el, "elites": [None if e is None else e["ins"] for e in els], "trace": tr,
            "ppt_nodes": bp.n_nodes.copy()}
