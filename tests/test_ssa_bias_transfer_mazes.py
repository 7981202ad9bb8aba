"""Checks of stubs/ssa-bias-transfer-mazes: the maze primitives on hand cases, Levin search finding
a hand-known program, the ALS rule, SSA's popping and the success-story invariant after every
checkpoint of real lives, determinism of --quick, and the verdict rules. No gradient, no
recurrent model: there is no gradient check and no Lyapunov fingerprint."""
import json

import numpy as np

from conftest import ROOT, load_stub, run_stub

STUB = ROOT / "stubs" / "ssa-bias-transfer-mazes"
ssa = load_stub("ssa-bias-transfer-mazes")
E, S, W, N = 0, 1, 2, 3


def cell(r, c):
    return r * 15 + c


def test_instructions_walk_the_corridor_by_hand():
    m = ssa.Maze()
    assert m.start == cell(1, 1) and m.free.sum() == 97
    # instruction 1 (index 0): walk until the front is blocked, then turn left
    assert m.end_cell[0, m.start, E] == cell(1, 13) and m.end_dir[0, m.start, E] == N
    assert m.moves[0, m.start, E] == 12 and m.paths[0, m.start, E][0] == cell(1, 2)
    # instruction 2 (index 1): same walk, turn right (now facing south)
    assert m.end_dir[1, m.start, E] == S
    # instruction 7 (index 6): walk until the right field is free: at (1,13) facing east? no: the
    # first right-free field on row 1 is (1,13) (south of it is free), then turn right
    assert m.end_cell[6, m.start, E] == cell(1, 13) and m.end_dir[6, m.start, E] == S
    # from (1,13) facing south, walk until front blocked: two moves to (3,13)
    assert m.end_cell[0, cell(1, 13), S] == cell(3, 13) and m.moves[0, cell(1, 13), S] == 2
    assert m.distances().max() == 96


def test_levin_search_finds_the_shortest_time_program():
    m = ssa.Maze()
    pol = ssa.uniform_policy(4, 3)
    s = ssa.Search(m, cell(1, 5), pol["P"], pol["Pbar"], pol["Phat"], np.random.default_rng(0), 10_000)
    prog, moves = s.run()
    assert moves == 4 and len(prog) == 1 and prog[0][0] in {0, 1, 2, 3, 4, 5, 6, 7}
    # a far cell needs a longer program: the corridor's turn pattern right, right, left, left
    far = cell(5, 3)
    s = ssa.Search(m, far, pol["P"], pol["Pbar"], pol["Phat"], np.random.default_rng(0), 2_000_000)
    prog, moves = s.run()
    assert moves == m.distances()[far] and len(prog) >= 3


def test_als_adapt_rule():
    pol = ssa.uniform_policy(3, 2)
    prog = ((1, 0, 0), (ssa.JUMP, 0, 2))
    ssa.adapt(pol, prog, 0.5)
    assert np.isclose(pol["P"][0, 1], 1 / 9 + 0.5 * (1 - 1 / 9))
    assert np.isclose(pol["P"][0, 0], 0.5 / 9) and np.allclose(pol["P"].sum(1), 1)
    assert np.isclose(pol["Pbar"][1, 0], 1 / 3 + 0.5 * (1 - 1 / 3))
    assert np.isclose(pol["Phat"][1, 1], 0.75) and np.allclose(pol["P"][2], 1 / 9)
    assert ssa.adapt_columns(prog) == [("P", 0), ("P", 1), ("Pbar", 1), ("Phat", 1)]


def test_ssa_pops_what_did_not_accelerate_reward_and_restores_it():
    pol = ssa.uniform_policy(2, 2)
    st = ssa.SSAStack()
    assert st.call(pol, 100, 1.0) == 0
    st.push(100, 1.0)
    st.save(pol, [("P", 0)])
    ssa.adapt(pol, ((3, 0, 0),), 0.5)
    # later the rate since t=100 is below the lifelong average: the change is undone
    assert st.call(pol, 1000, 1.5) == 1
    assert np.allclose(pol["P"], 1 / 9) and st.tags == []
    # a change followed by faster reward survives
    st.push(1000, 1.5)
    st.save(pol, [("P", 0)])
    ssa.adapt(pol, ((3, 0, 0),), 0.5)
    assert st.call(pol, 1100, 3.0) == 0 and st.criterion_holds(1100, 3.0)


def test_success_story_invariant_after_every_checkpoint_of_real_lives():
    m = ssa.Maze()
    cfg = dict(tape=5, maxr=3, epochs_per_set=2, search_cap=20_000)
    rng = np.random.default_rng(3)
    for gamma in (0.1, 0.6):
        goals = ssa.draw_goals(m, 7, rng)
        out = ssa.live(m, goals, "SSA+ALS", gamma, cfg, np.random.default_rng(4))
        ok = out["trace"]["ok"]
        assert ok.size > 0 and ok.all()
        assert np.all(out["trace"]["stack"] >= 1)
    for _ in range(5):                      # goal k is never nearer to S than goal k-1
        assert np.all(np.diff(m.distances()[ssa.draw_goals(m, 7, rng)]) >= 0)


def test_quick_run_is_deterministic(tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    run_stub(STUB, "--quick", "--out", str(a))
    run_stub(STUB, "--quick", "--out", str(b))
    ra, rb = json.loads(a.read_text()), json.loads(b.read_text())
    assert ra["metrics"]["learners"] == rb["metrics"]["learners"]
    assert ra["quick"] is True


def test_verdict_rules():
    ls = dict(total_steps_median=1e6, goals_found_share=0.5)
    assert ssa.verdict_transfer(ls, dict(total_steps_median=1e4, goals_found_share=1.0)) == "partial"
    assert ssa.verdict_transfer(ls, dict(total_steps_median=2e6, goals_found_share=1.0)) == "no"
    ms = {"LS": dict(lives=10), "SSA+ALS g=0.5": dict(lives_all_goals_last_epoch=10)}
    assert ssa.verdict_rate_independence(ms, [0.5], 30_000, 10**8) == "partial"
    ms["SSA+ALS g=0.5"]["lives_all_goals_last_epoch"] = 3
    assert ssa.verdict_rate_independence(ms, [0.5], 30_000, 10**8) == "open"
    assert ssa.verdict_rate_independence(ms, [0.5], 10**8, 10**8) == "no"
