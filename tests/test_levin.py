"""Checks of the Levin-search family core shared/levin: the machine's instructions one by one,
the plain (re-run) search against the fast (state-copying) one, and Levin's bound."""
import pytest

from conftest import ROOT  # noqa: F401  (puts the repository on sys.path)
from shared.levin import machine as M
from shared.levin import search as S


def test_count_program_writes_ones_and_halts_at_weight_100():
    s = M.run([1, 0, 2, 0], 10_000)               # Output(0) Jump(0): cell 0 holds 1
    assert s.weights() == [1] * 100 and s.t == 201 and s.why == "weight pointer out of range"


def test_positions_program_writes_i():
    s = M.run([7, 1, 1, -1, 8, -1, 2, 2], 10_000)  # Allocate 1; loop: Output(-1) Increment(-1)
    assert s.weights() == list(range(100))


@pytest.mark.parametrize("tape,check", [
    ([7, 1, 7, 1, 8, -2, 4, -2, -2, -1, 3], lambda s: s.work == [2, 1]),  # Add 1+1 -> -1
    ([7, 1, 8, -1, 8, -1, 6, -1, 0, 3], lambda s: s.prog[0] == 2),       # Move c[-1] = 2 onto cell 0
    ([7, 1, 9, -1, 3], lambda s: s.work == [-1]),                      # Decrement
    ([7, 1, 7, 1, 12, 1, 3], lambda s: len(s.work) == 1),              # Free 1 of 2 cells
    ([7, 1, 8, -1, 10, 1, -1, -1, 3], lambda s: s.work == [0]),        # Subtract c[-1] - c[1]
    ([7, 1, 8, -1, 11, -1, -1, -1, 3], lambda s: s.work == [1]),       # Multiply 1 * 1
    ([7, 1, 5, -1, -1, 3], lambda s: s.work == [0]),                    # GetInput field[0] = 0
])
def test_instructions(tape, check):
    s = M.run(tape, 100)
    assert s.why == "Stop" and check(s), (s.why, s.prog, s.work)


def test_jumpleq_takes_both_branches():
    s = M.run([0, 0, 1, 3], 100)                 # c[0] = 0 <= c[1] = 0: jump to 3, which holds Stop
    assert s.why == "Stop" and s.ip == 3 and s.t == 2
    s = M.run([0, 1, 0, 3, 3], 100)              # c[1] = 1 <= c[0] = 0 is false: go on to 4 = Stop
    assert s.why == "Stop" and s.ip == 4 and s.t == 2


def test_impossible_things_halt():
    assert M.run([2, 1], 100).why == "needs more code"   # Jump(1) runs Output(?) at 1: a new cell
    assert M.run([7, 0], 100).why == "bad cell count"
    assert M.run([12, 1], 100).why == "freeing cells that do not exist"
    assert M.run([7, 1, 2, -1], 100).why == "read outside storage"       # Jumpleq(7, 1, 2) at -1
    assert M.run([7, 1, 9, -1, 2, -1], 100).why == "no instruction -1"
    with pytest.raises(ValueError):
        M.run([2, 7], 100)                       # the oracle could not have written 7 at address 1


def test_fast_search_equals_plain_reference():
    for phase in range(0, 15):
        fast = []
        st = S.levin_phase(phase, lambda s, p, steps, out=fast: out.append(
            (tuple(s.code), s.t, tuple(s.weights()))) and False)
        plain = S.levin_phase_plain(phase)
        halted = sorted((tape, t, w) for tape, h, t, w in plain if h)
        assert sorted(fast) == halted
        assert st["runs"] == len(plain) and st["halted"] == len(halted)
        assert st["charged"] == sum(t for _, _, t, _ in plain)       # from-scratch cost
        assert st["steps"] <= st["charged"] <= 2 ** phase * 2        # sharing prefixes only saves


def test_levin_bound_and_probability():
    p, n = S.program_probability([1, 0, 2, 0])
    assert n == 4 and p == pytest.approx(1 / (13 * 2 * 13 * 4))
    phase, bound = S.levin_bound(201, p)
    assert 2 ** (phase - 1) < 201 / p <= 2 ** phase and bound == 2 ** (phase + 1) - 1
    res = S.levin_search(lambda w: w[5] + w[17] + w[86] == 3 and w[13] + w[55] + w[58] == 3
                         and w[40] + w[87] + w[94] == 3, max_phase=phase, log=lambda *a: None)
    assert res["first_fit"] is not None and res["first_fit"]["cost"] <= bound
