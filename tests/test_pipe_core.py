"""The PIPE core (shared/pipe): PPT initialisation and sampling, the population evaluator against
the one-program evaluator, the P_TARGET update on hand-worked cases (and closed form against the
literal loop), mutation, pruning, constants, and the GP helpers."""
import copy
import math

import numpy as np
import pytest

from shared.pipe.gp import crossover, ramped_half_and_half, run_gp
from shared.pipe.learn import (entropy_bits, learn_from, mutate, p_target, program_log_prob, prune, run_pipe,
                               store_constants, update, update_reference)
from shared.pipe.ppt import (PPT, InstructionSet, depths, evaluate, evaluate_program, nodes_of, sample,
                             subtree_end, to_text)


def arith():
    return InstructionSet([("+", 2, np.add), ("*", 2, np.multiply), ("sin", 1, np.sin)], ["x", "R"])


def plus_x():
    return InstructionSet([("+", 2, np.add)], ["x"])


def test_initial_probabilities():
    iset = arith()
    p = iset.initial_probs(0.8)
    assert np.allclose(p, [0.2 / 3] * 3 + [0.4, 0.4])
    assert math.isclose(p.sum(), 1.0)


def test_sampler_forced_terminal_and_function():
    iset = plus_x()
    ppt = PPT(iset, 1.0, np.random.default_rng(0))            # P(x) = 1 at every node
    pop = sample(ppt, 5, np.random.default_rng(1))
    assert len(pop.nodes) == 1 and (pop.ins[0] == 1).all()
    ppt.probs[0] = [1.0, 0.0]                                  # root: always "+", children: x
    pop = sample(ppt, 3, np.random.default_rng(1))
    for b in range(3):
        ins, _ = pop.program(b)
        assert list(ins) == [0, 1, 1]
        assert to_text(iset, ins, np.zeros(3)) == "(x + x)"


def test_sampler_frequencies_match_root_probabilities():
    iset = arith()
    ppt = PPT(iset, 0.5, np.random.default_rng(0))
    ppt.probs[0] = [0.1, 0.2, 0.05, 0.25, 0.4]
    pop = sample(ppt, 20000, np.random.default_rng(2), max_depth=3)
    freq = np.bincount(pop.ins[0], minlength=iset.n) / 20000
    assert np.allclose(freq, ppt.probs[0], atol=0.015)


def test_depth_cap_and_population_evaluator_agree_with_one_program_evaluator():
    iset = arith()
    ppt = PPT(iset, 0.0, np.random.default_rng(0))            # functions only, until the cap
    X = np.linspace(-2, 2, 7)[None]
    pop = sample(ppt, 30, np.random.default_rng(3), t_random=0.3, max_depth=3)
    out = evaluate(iset, pop, X)
    for b in range(30):
        ins, const = pop.program(b)
        d = depths(iset.arity[ins])
        assert d.max() == 3 and (iset.arity[ins][d == 3] == 0).all()
        assert np.allclose(out[b], evaluate_program(iset, ins, const, X))
        # the nodes the program visited are the PPT nodes its preorder maps to
        assert sorted(nodes_of(ppt, ins)) == sorted(pop.nodes[pop.ins[:, b] >= 0])


def test_evaluate_program_by_hand():
    iset = arith()
    X = np.array([[0.0, 1.0, 2.0]])
    # (x * (x + 0.5)) in preorder: * x + x R
    ins = np.array([1, 3, 0, 3, 4])
    out = evaluate_program(iset, ins, np.array([0, 0, 0, 0, 0.5]), X)
    assert np.allclose(out, [0.0, 1.5, 5.0])
    with pytest.raises(ValueError):
        evaluate_program(iset, np.array([1, 3]), np.zeros(2), X)


def test_update_hand_worked_equal_fitness():
    """+ x x with P(+) = P(x) = 1/2: P(PROG) = 1/8. lr = 0.2, c_lr = 0.5 (step 0.1), FIT = FIT_el:
    P_TARGET = 1/8 + 7/8 * 0.2 = 0.3. After k passes each entry is 1 - 0.5 * 0.9^k, and P(PROG) its
    cube: 0.166, 0.211, 0.257, 0.303 for k = 1..4, so the loop stops at k = 4 with 0.67195."""
    iset = plus_x()
    for fn in (update, update_reference):
        ppt = PPT(iset, 0.5, np.random.default_rng(0))
        ins = np.array([0, 1, 1])
        nodes = nodes_of(ppt, ins)
        t = p_target(program_log_prob(ppt, nodes, ins), 2.0, 2.0, 0.2, 0.0)
        assert math.isclose(t, 0.3)
        k = fn(ppt, nodes, ins, t, 0.5, 0.2)
        assert k == 4
        assert np.allclose(ppt.probs[nodes, ins], 0.67195)
        assert np.allclose(ppt.probs[nodes].sum(axis=1), 1.0)
        assert np.allclose(ppt.probs[nodes, 1 - ins], 0.32805)


def test_update_hand_worked_fitness_ratio():
    """FIT(PROG) = 3, FIT_el = 1, eps = 0: P_TARGET = 1/8 + 7/8 * 0.2 / 3 = 0.18333; k = 2."""
    iset = plus_x()
    ppt = PPT(iset, 0.5, np.random.default_rng(0))
    ins = np.array([0, 1, 1])
    nodes = nodes_of(ppt, ins)
    t = p_target(math.log(0.125), 3.0, 1.0, 0.2, 0.0)
    assert math.isclose(t, 0.125 + 0.875 * 0.2 / 3)
    assert update(ppt, nodes, ins, t, 0.5, 0.2) == 2
    assert np.allclose(ppt.probs[nodes, ins], 1 - 0.5 * 0.81)


def test_closed_form_update_equals_literal_loop():
    iset = arith()
    rng = np.random.default_rng(5)
    for _ in range(20):
        a = PPT(iset, 0.6, np.random.default_rng(1))
        pop = sample(a, 1, rng, max_depth=4)
        ins, _ = pop.program(0)
        a.probs[:a.n] = rng.dirichlet(np.ones(iset.n), size=a.n)
        nodes = nodes_of(a, ins)
        b = copy.deepcopy(a)
        fit, fit_el = rng.uniform(1, 5), rng.uniform(0, 1)
        t = p_target(program_log_prob(a, nodes, ins), fit, fit_el, 0.01, 1e-6)
        ka = update(a, nodes, ins, t, 0.1, 0.01)
        kb = update_reference(b, nodes, ins, t, 0.1, 0.01)
        assert ka == kb
        assert np.allclose(a.probs[:a.n], b.probs[:b.n], atol=1e-10)
        assert math.exp(program_log_prob(a, nodes, ins)) >= t * (1 - 1e-9)


def test_mutation_hand_worked_and_rate():
    iset = plus_x()
    ppt = PPT(iset, 0.5, np.random.default_rng(0))
    ppt.probs[0] = [0.8, 0.2]
    nodes = np.array([0])
    mutate(ppt, nodes, size=1, p_m=100.0, mr=0.5, rng=np.random.default_rng(0))   # every entry hit
    assert np.allclose(ppt.probs[0], [0.9 / 1.5, 0.6 / 1.5])
    before = ppt.probs[0].copy()
    assert mutate(ppt, nodes, 1, 0.0, 0.5, np.random.default_rng(0)) == 0
    assert np.allclose(ppt.probs[0], before)
    # P_M / (|I| sqrt(|PROG|)) = 0.4 / (5 * 2) = 0.04 per entry: 2000 nodes x 5 entries -> ~400 hits
    big = PPT(arith(), 0.5, np.random.default_rng(0))
    for _ in range(1999):
        big.new_node(1)
    hits = mutate(big, np.arange(2000), size=4, p_m=0.4, mr=0.4, rng=np.random.default_rng(9))
    assert abs(hits - 400) < 4 * math.sqrt(400 * 0.96)


def test_prune_detaches_unusable_children():
    iset = arith()
    ppt = PPT(iset, 0.5, np.random.default_rng(0))
    a, b = ppt.child_of(0, 0), ppt.child_of(0, 1)
    ppt.child_of(a, 0)
    ppt.probs[0] = [0, 0, 1 - 1e-8, 1e-8, 0]                    # "sin" dominant: one child only
    ppt.probs[a] = [0, 0, 0, 1.0, 0]                           # "x" dominant: no children
    assert prune(ppt, np.array([0, a]), 0.999999) == 2
    assert ppt.child[0, 0] == a and ppt.child[0, 1] == -1 and ppt.child[a, 0] == -1
    assert set(ppt.reachable()) == {0, a}
    assert b not in ppt.reachable()


def test_constants_stored_and_reused_above_threshold():
    iset = arith()
    ppt = PPT(iset, 0.5, np.random.default_rng(0))
    ins, const = np.array([4]), np.array([0.625])
    store_constants(ppt, nodes_of(ppt, ins), ins, const)
    assert ppt.const[0] == 0.625
    ppt.probs[0] = [0, 0, 0, 0.5, 0.5]
    pop = sample(ppt, 200, np.random.default_rng(1), t_random=0.3)   # P(R) = 0.5 > T_R: reuse
    assert set(pop.const[0][pop.ins[0] == 4]) == {0.625}
    pop = sample(ppt, 200, np.random.default_rng(1), t_random=0.7)   # below T_R: fresh values
    assert len(set(pop.const[0][pop.ins[0] == 4])) > 50


def test_learn_from_moves_probability_toward_program():
    iset = arith()
    ppt = PPT(iset, 0.8, np.random.default_rng(0))
    ins, const = np.array([0, 3, 4]), np.array([0, 0, 0.3])
    cfg = dict(lr=0.01, c_lr=0.1, eps=1e-6)
    before = program_log_prob(ppt, nodes_of(ppt, ins), ins)
    nodes, k = learn_from(ppt, ins, const, 1.0, 1.0, cfg)
    after = program_log_prob(ppt, nodes, ins)
    assert k >= 1 and after > before
    assert math.exp(after) >= math.exp(before) + (1 - math.exp(before)) * 0.01 * (1 - 1e-9)


def test_entropy():
    assert np.allclose(entropy_bits(np.array([[0.25] * 4, [1.0, 0, 0, 0]])), [2.0, 0.0])


def test_tree_helpers():
    ar = np.array([2, 0, 1, 0])                                 # f(a, g(b))
    assert subtree_end(ar, 0) == 4 and subtree_end(ar, 2) == 4 and subtree_end(ar, 1) == 2
    assert list(depths(ar)) == [0, 1, 1, 2]


def test_gp_crossover_keeps_programs_well_formed():
    iset = arith()
    rng = np.random.default_rng(0)
    pop = ramped_half_and_half(iset, rng, 20)
    X = np.linspace(0, 1, 5)[None]
    for i in range(50):
        child = crossover(iset, pop[i % 20], pop[(3 * i + 1) % 20], rng, 6)
        evaluate_program(iset, child[0], child[1], X)               # raises if malformed
        assert depths(iset.arity[child[0]]).max() <= 6 or child is pop[i % 20]


def solve_square_plus_x(method):
    iset = InstructionSet([("+", 2, np.add), ("*", 2, np.multiply)], ["x"])
    X = np.linspace(-1, 1, 9)[None]
    y = X[0] ** 2 + X[0]

    def score(out):
        err = np.abs(out - y)
        return err.sum(axis=1), (err < 1e-9).all(axis=1)
    grid = np.arange(100, 20001, 100)
    if method == "pipe":
        cfg = dict(pop_size=10, p_terminal=0.8, lr=0.01, c_lr=0.1, eps=1e-6, p_elitist=0.2, p_mut=0.4,
                   mut_rate=0.4, t_random=0.3, t_prune=0.999999, max_depth=10)
        return run_pipe(iset, X, score, cfg, np.random.default_rng(0), 20000, grid)
    return run_gp(iset, X, score, dict(pop_size=100, tournament=7, p_repro=0.1, max_depth=10),
                  np.random.default_rng(0), 20000, grid)


@pytest.mark.parametrize("method", ["pipe", "gp"])
def test_both_methods_solve_an_easy_regression(method):
    res = solve_square_plus_x(method)
    assert res["solved"] and res["best"] < 1e-9 and res["evals"] < 20000
    if method == "pipe":
        tr = res["trace"]
        assert np.isfinite(tr["best"]).all() and np.all(np.diff(tr["best"]) <= 0)


# ---------------------------------------------------------------- the batched fast path (batched.py)

from shared.pipe import batched as bt  # noqa: E402


def boolean(n=3):
    fs = [("AND", 2, np.bitwise_and), ("OR", 2, np.bitwise_or),
          ("NAND", 2, lambda a, b: ~(a & b)), ("NOT", 1, np.invert)]
    return InstructionSet(fs, [f"x{j}" for j in range(n)])


def grown_batch(iset, R=4, seed=0, rounds=3):
    """A BatchPPT whose runs have grown and learned a little (so rows differ between runs)."""
    bp = bt.BatchPPT(iset, 0.5, R)
    rng = np.random.default_rng(seed)
    for _ in range(rounds):
        pop = bt.sample_batch(bp, np.arange(R), 6, rng, max_depth=5)
        seg, run, node, ins = pop.positions(np.arange(R) * 6)
        bt.learn_batch(bp, seg, run, node, ins, np.full(R, 3.0), np.full(R, 2.0),
                       dict(lr=0.2, eps=1e-6, c_lr=0.1))
    return bp, rng


def bool_inputs(n):
    C = 2 ** n
    return np.array([[sum(((c >> j) & 1) << c for c in range(C))] for j in range(n)], dtype=np.uint64)


def test_batch_evaluator_agrees_with_one_program_evaluator():
    iset = boolean(3)
    bp, rng = grown_batch(iset)
    X = bool_inputs(3)
    pop = bt.sample_batch(bp, np.array([0, 2, 3]), 7, rng, max_depth=6)
    out = bt.evaluate_batch(iset, pop, X)
    assert out.shape == (21, 1) and out.dtype == np.uint64
    for g in range(21):
        ins, nodes = pop.program(g)
        assert out[g, 0] == evaluate_program(iset, ins, np.zeros(len(ins)), X)[0]
        # the nodes a sampled program sits on are the ones the reference nodes_of finds
        r = pop.runs[g // 7]
        assert np.array_equal(nodes, nodes_of(bt.RunView(bp, r), ins))


def test_batch_sampler_matches_the_tree_probabilities():
    """Whole-program frequencies against their probabilities under the PPT (grown nodes hold
    terminals only, so programs have depth at most 1)."""
    iset = InstructionSet([("AND", 2, np.bitwise_and)], ["a", "b"])
    bp = bt.BatchPPT(iset, 1.0, 2)
    bp.probs[0, 0] = [0.5, 0.3, 0.2]
    bp.probs[1, 0] = [0.1, 0.1, 0.8]
    pop = bt.sample_batch(bp, np.array([0, 1]), 20000, np.random.default_rng(5))
    for a, r in enumerate((0, 1)):
        counts = {}
        for g in range(a * 20000, a * 20000 + 4000):
            key = tuple(pop.program(g)[0])
            counts[key] = counts.get(key, 0) + 1
        view = bt.RunView(bp, r)
        for key, c in counts.items():
            ins = np.array(key)
            p = math.exp(program_log_prob(view, nodes_of(view, ins), ins))
            assert abs(c / 4000 - p) < 4 * math.sqrt(p * (1 - p) / 4000) + 1e-3, (r, key)


def test_batch_learning_mutation_and_pruning_agree_with_the_one_run_functions():
    iset = boolean(3)
    bp, rng = grown_batch(iset, R=5, seed=1)
    pop = bt.sample_batch(bp, np.array([0, 1, 3, 4]), 5, rng, max_depth=6)
    progs = np.array([0, 7, 11, 19])                     # one program of each sampled run
    seg, run, node, ins = pop.positions(progs)
    fit, fit_el = np.array([4.0, 3.0, 2.0, 5.0]), np.array([1.0, 3.0, 0.5, 2.0])
    cfg = dict(lr=0.05, eps=1e-6, c_lr=0.1, p_mut=0.4, mut_rate=0.4)
    ref = copy.deepcopy(bp)
    k = bt.learn_batch(bp, seg, run, node, ins, fit, fit_el, cfg)
    size = np.bincount(seg)
    bt.mutate_batch(bp, seg, run, node, size, cfg["p_mut"], cfg["mut_rate"], np.random.default_rng(9))
    mrng = np.random.default_rng(9)
    for a, g in enumerate(progs):
        p_ins, p_nodes = pop.program(g)
        view = bt.RunView(ref, pop.runs[a])
        target = p_target(program_log_prob(view, p_nodes, p_ins), fit[a], fit_el[a], cfg["lr"], cfg["eps"])
        assert update(view, p_nodes, p_ins, target, cfg["c_lr"], cfg["lr"]) == k[a]
        # the batch holds each program's positions level by level; mutate draws in that order
        sel = seg == a
        mutate(view, node[sel], int(sel.sum()), cfg["p_mut"], cfg["mut_rate"], mrng)
    assert np.allclose(bp.probs, ref.probs, rtol=0, atol=1e-12)
    # pruning: force two nodes over T_P and compare with learn.prune run by run
    bp.probs[run[0], node[0]] = np.eye(iset.n)[iset.n - 1] * 0.9999999 + 1e-8
    ref.probs[run[0], node[0]] = bp.probs[run[0], node[0]]
    cut = bt.prune_batch(bp, run, node, 0.999)
    cut_ref = sum(prune(bt.RunView(ref, r), node[run == r], 0.999) for r in np.unique(run))
    assert cut == cut_ref and cut > 0 and np.array_equal(bp.child, ref.child)


def test_closed_form_batch_update_agrees_with_the_literal_loop():
    iset = boolean(2)
    bp, rng = grown_batch(iset, R=3, seed=4)
    pop = bt.sample_batch(bp, np.arange(3), 4, rng, max_depth=4)
    seg, run, node, ins = pop.positions(np.array([1, 5, 10]))
    ref = copy.deepcopy(bp)
    target = np.array([0.3, 0.05, 0.9])
    k = bt.update_batch(bp, seg, run, node, ins, target, 0.1, 0.01)
    for a in range(3):
        sel = seg == a
        view = bt.RunView(ref, run[sel][0])
        assert update_reference(view, node[sel], ins[sel], target[a], 0.1, 0.01) == k[a]
    assert np.allclose(bp.probs, ref.probs, rtol=0, atol=1e-12)


def test_elitist_nodes_are_regrown_after_pruning_as_nodes_of_does():
    iset = boolean(2)
    bp, rng = grown_batch(iset, R=2, seed=6)
    pop = bt.sample_batch(bp, np.array([1]), 30, rng, max_depth=5)
    g = max(range(30), key=lambda g: len(pop.program(g)[0]))
    ins, nodes = pop.program(g)
    assert len(ins) > 1
    parent, slot = bt.preorder_links(iset.arity[ins])
    el = {"ins": ins, "nodes": nodes, "parent": parent, "slot": slot}
    assert bt.elite_nodes(bp, 1, el) is nodes                      # links intact: the cached nodes
    bp.child[1, 0] = -1                                              # prune below the root
    again = bt.elite_nodes(bp, 1, el)
    assert again[0] == 0 and not np.array_equal(again, nodes)
    assert np.array_equal(again, nodes_of(bt.RunView(bp, 1), ins))


def test_batched_runs_solve_two_bit_parity_and_are_reproducible():
    iset = InstructionSet([("AND", 2, np.bitwise_and), ("OR", 2, np.bitwise_or),
                           ("NAND", 2, lambda a, b: ~(a & b)), ("NOR", 2, lambda a, b: ~(a | b))],
                          ["x0", "x1"])
    X = bool_inputs(2)
    target, mask = np.uint64(0b1001), np.uint64(0b1111)

    def score(out):
        wrong = np.bitwise_count((out[:, 0] ^ target) & mask).astype(float)
        return wrong, wrong == 0

    cfg = dict(pop_size=10, p_terminal=0.8, lr=0.01, c_lr=0.1, eps=1e-6, p_elitist=0.2, p_mut=0.4,
               mut_rate=0.4, t_prune=0.999999, max_depth=17)
    grid = np.arange(500, 2001, 500)
    a = bt.run_pipe_batch(iset, X, score, cfg, 8, np.random.default_rng(0), 2000, grid)
    b = bt.run_pipe_batch(iset, X, score, cfg, 8, np.random.default_rng(0), 2000, grid)
    assert np.array_equal(a["evals"], b["evals"]) and np.array_equal(a["best"], b["best"])
    assert a["solved"].sum() >= 2
    for r in np.flatnonzero(a["solved"]):                          # a solved run's elitist is exact
        out = evaluate_program(iset, a["elites"][r], np.zeros(len(a["elites"][r])), X)
        assert (out[0] ^ target) & mask == 0
        assert a["trace"]["best"][r, -1] == 0
    # best-so-far never gets worse; entropies are finite and within [0, log2 |I|]
    assert (np.diff(a["trace"]["best"], axis=1) <= 0).all()
    h = a["trace"]["h_root"]
    assert np.isfinite(h).all() and (h >= 0).all() and (h <= math.log2(iset.n) + 1e-12).all()
