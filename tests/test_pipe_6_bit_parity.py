"""pipe-6-bit-parity: the bitmask task (inputs, target, masks), the function set on bitmasks
against a per-case boolean evaluation, hand-built parity programs score 0, the solve-rate and
extrapolation arithmetic, and the verdict rules."""
import math

import numpy as np
from conftest import load_stub

from shared.pipe.ppt import evaluate_program

stub = load_stub("pipe-6-bit-parity")


def test_bitmask_inputs_and_target():
    for n in (3, 6):
        X, target, mask = stub.parity_task(n)
        C = 2 ** n
        for c in range(C):
            for j in range(n):
                assert (int(X[j, 0]) >> c) & 1 == (c >> j) & 1
            assert (int(target) >> c) & 1 == (bin(c).count("1") % 2 == 0)
        assert int(mask) == 2 ** C - 1
    assert int(stub.parity_task(6)[2]) == 2 ** 64 - 1


def xor_prog(a, b):
    """XOR(a, b) = AND(OR(a, b), NAND(a, b)), in preorder names; a, b are preorder lists."""
    return ["AND", "OR"] + a + b + ["NAND"] + a + b


def names_to_ins(iset, names):
    return np.array([iset.index(t) for t in names])


def test_hand_built_even_parity_scores_zero_and_a_wrong_program_does_not():
    for n in (3, 4, 6):
        iset = stub.instruction_set(n)
        X, target, mask = stub.parity_task(n)
        score = stub.make_score(target, mask)
        odd = [f"x{0}"]
        for j in range(1, n):
            odd = xor_prog(odd, [f"x{j}"])
        even = ["NOR"] + odd + odd                                      # NOT(odd) = NOR(odd, odd)
        ins = names_to_ins(iset, even)
        out = evaluate_program(iset, ins, np.zeros(len(ins)), X)[None]
        fit, ok = score(out)
        assert fit[0] == 0 and ok[0]
        ins = names_to_ins(iset, odd)                                   # odd parity: every case wrong
        fit, ok = score(evaluate_program(iset, ins, np.zeros(len(ins)), X)[None])
        assert fit[0] == 2 ** n and not ok[0]
        ins = names_to_ins(iset, ["x0"])                                # one input: half the cases
        fit, _ = score(evaluate_program(iset, ins, np.zeros(1), X)[None])
        assert fit[0] == 2 ** (n - 1)


def test_functions_agree_with_per_case_booleans():
    n = 4
    iset = stub.instruction_set(n)
    X, _, mask = stub.parity_task(n)
    ins = names_to_ins(iset, ["NAND", "NOR", "x0", "x3", "AND", "x1", "OR", "x2", "x0"])
    word = evaluate_program(iset, ins, np.zeros(len(ins)), X)[0]
    for c in range(2 ** n):
        x = [(c >> j) & 1 for j in range(n)]
        want = not ((not (x[0] or x[3])) and (x[1] and (x[2] or x[0])))
        assert ((int(word) & int(mask)) >> c) & 1 == int(want)


def test_solve_rate_and_extrapolation():
    res = {"solved": np.array([True, False, True, False]), "evals": np.array([100, 1000, 300, 1000])}
    assert math.isclose(stub.solve_rate(res), 2 / 2400)
    rates = {3: 1e-3, 4: 1e-4, 5: 1e-5}
    spent = {3: 10**5, 4: 10**6, 5: 10**6}
    ex = stub.extrapolate(rates, spent, 500_000)
    assert ex["kind"] == "fit" and math.isclose(ex["factor_per_bit"], 10.0)
    assert math.isclose(ex["rate_6"], 1e-6)
    assert math.isclose(ex["p_solved_6_at_paper_budget"], 1 - math.exp(-0.5))
    # one size solved, two never: the tighter rule-of-three bound (here the 4-bit one, 3e-6 one bit
    # above 3-bit, against the 5-bit one two bits above) wins
    ex = stub.extrapolate({3: 1e-3, 4: 0.0, 5: 0.0}, spent, 500_000)
    assert ex["kind"] == "bound" and ex["bits_used"] == [3, 4]
    assert math.isclose(ex["rate_6"], 1e-3 * (3e-6 / 1e-3) ** 3)
    assert math.isclose(ex["factor_per_bit"], 1e-3 / 3e-6)
    ex = stub.extrapolate({3: 1e-3, 4: 0.0, 5: 0.0}, {3: 10**5, 4: 10**3, 5: 10**6}, 500_000)
    assert ex["bits_used"] == [3, 5] and math.isclose(ex["rate_6"], 1e-3 * (3e-6 / 1e-3) ** 1.5)
    assert stub.extrapolate({3: 0.0, 4: 0.0, 5: 0.0}, spent, 500_000) is None
    grid = np.array([100, 300, 1000])
    assert np.allclose(stub.solved_curve(res, grid), [0.25, 0.5, 0.5])


def test_verdict_rules():
    assert stub.verdict_six(2, 30_000) == "partial"
    assert stub.verdict_six(0, 30_000) == "open"                    # a cap is never a no
    assert stub.verdict_six(0, stub.PAPER_BUDGET) == "no"
    st = {f"bits{n}": {"solved": 1} for n in (3, 4, 5)}
    assert stub.verdict_ladder(st) == "partial"
    st["bits5"]["solved"] = 0
    assert stub.verdict_ladder(st) == "open"
