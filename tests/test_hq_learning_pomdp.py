"""Checks of stubs/hq-learning-pomdp: the reconstructed maze and its observation map on hand cases,
the Q(lambda) and HQ update rules on hand-worked transitions, the two choice rules, a hand-built
3-agent HQ system that walks the 28-step path, determinism of --quick, the verdict rules, and a
bad flag in one line. HQ-learning has no gradient, so there is no gradient check."""
import json

import numpy as np

from conftest import ROOT, load_stub, run_stub

STUB = ROOT / "stubs" / "hq-learning-pomdp"
hq = load_stub("hq-learning-pomdp")
W_, N_, E_, S_ = 0, 1, 2, 3


def cell(r, c):
    return r * 10 + c


def test_maze_and_observation_map_by_hand():
    m = hq.Maze()
    assert m.free.shape == (10, 10) and m.free.sum() == 62
    assert m.start == cell(9, 0) and m.goal == cell(1, 4)
    # bit 0 west, 1 north, 2 east, 3 south set when that neighbour is blocked
    assert m.obs[cell(9, 0)] == 1 + 4 + 8            # start: open only to the north
    assert m.obs[cell(1, 4)] == 1 + 2 + 4            # goal: a dead end open to the south
    assert m.obs[cell(5, 0)] == 1 + 4                # vertical corridor: input 5
    assert m.obs[cell(1, 1)] == 2 + 8                # horizontal corridor
    assert m.obs[cell(1, 0)] == 1                    # junction below the dead end at the top
    assert m.obs[cell(9, 4)] == 4 + 8                # corner at the foot of the last corridor
    assert m.obs[cell(0, 1)] == -1                   # a wall
    assert len(set(m.obs[m.obs >= 0].tolist())) == 9
    # moves: blocked moves stay put
    assert m.nxt[cell(9, 0), N_] == cell(8, 0)
    assert m.nxt[cell(9, 0), W_] == cell(9, 0) and m.nxt[cell(9, 0), E_] == cell(9, 0)
    assert m.nxt[cell(1, 0), E_] == cell(1, 1) and m.nxt[cell(1, 0), N_] == cell(0, 0)


def test_maze_properties_the_paper_states():
    facts = hq.maze_facts(hq.Maze())
    assert facts["free_fields"] == 62 and facts["observations_occurring"] == 9
    assert facts["shortest_path_steps"] == 28
    assert facts["actions_on_obs5_along_path"] == ["north", "south", "north"]
    assert facts["memoryless_policies_reaching_goal"] == 0
    assert max(facts["observation_counts"], key=facts["observation_counts"].get) == 5


def test_memoryless_counter_finds_solvers_where_they_exist():
    # a straight corridor: every policy that goes east in the corridor reaches G
    rows = ("S..G",)
    free, s, g = hq.parse_maze(rows)
    n = hq.memoryless_solvers(free, s, g)
    assert n > 0


def test_choice_rules():
    q = np.array([[0.0, 1.0, 0.5, 0.2], [0.0, 0.0, 0.0, 0.0]])
    a = hq.max_boltzmann(q, np.ones(2), 0.1, np.array([0.3, 0.3]), np.array([0.0, 0.99]))
    assert a.tolist() == [1, 0]                       # greedy (argmax; ties to the first)
    a = hq.max_boltzmann(q, np.zeros(2), 1e6, np.array([0.3, 0.3]), np.array([0.0, 0.6]))
    assert a.tolist() == [0, 2]                       # uniform Boltzmann: u = 0.6 -> third action
    a = hq.max_boltzmann(q[:1], np.zeros(1), 1e-3, np.array([0.9]), np.array([0.5]))
    assert a.tolist() == [1]                          # a cold Boltzmann is greedy
    hqrow = np.zeros((2, 16))
    hqrow[:, 7] = 1.0
    g = hq.max_random(hqrow, np.array([0.5, 0.5]), np.array([0.2, 0.8]), np.array([0.0, 0.99]))
    assert g.tolist() == [7, 15]


def _hist(B, H=8):
    M = 2
    base = (np.arange(B) * M * 17 * 4 + 16 * 4)[:, None]
    return {"i": np.repeat(base, H, axis=1), "e": np.zeros((B, H))}


def test_q_lambda_update_by_hand():
    gamma, lam, alpha = 0.9, 0.9, 0.5
    Q = np.zeros((1, 2, 17, 4))
    Q[0, 1, 5] = [0.0, 10.0, 0.0, 0.0]
    hist = _hist(1)
    one = np.array
    # agent 0 at obs 3 goes east, its subgoal is seen: agent 1 takes over at obs 5
    d = hq.q_lambda_step(Q, hist, one([0]), one([3]), one([2]), one([0.0]), one([1]), one([5]),
                         one([0]), one([False]), one([True]), gamma, alpha, gamma * lam)
    assert np.isclose(d[0], 9.0) and np.isclose(Q[0, 0, 3, 2], 4.5)
    # agent 1 at obs 5 goes north and reaches G: delta = 100 - 10 = 90, trace of the first pair 0.81
    d = hq.q_lambda_step(Q, hist, one([1]), one([5]), one([1]), one([100.0]), one([1]), one([7]),
                         one([1]), one([True]), one([True]), gamma, alpha, gamma * lam)
    assert np.isclose(d[0], 90.0)
    assert np.isclose(Q[0, 1, 5, 1], 10.0 + 0.5 * 90.0)
    assert np.isclose(Q[0, 0, 3, 2], 4.5 + 0.5 * 90.0 * 0.81)
    touched = np.argwhere(Q[0, :, :16] != 0).tolist()
    assert touched == [[0, 3, 2], [1, 5, 1]]


def test_replacing_trace_and_test_runs_do_not_learn():
    gamma, lam, alpha = 0.9, 0.9, 1.0
    Q = np.zeros((1, 2, 17, 4))
    hist = _hist(1)
    one = np.array
    for t in range(2):                                # the same pair twice: trace 1, not 1 + 0.81
        hq.q_lambda_step(Q, hist, one([0]), one([3]), one([2]), one([0.0]), one([0]), one([3]),
                         one([t]), one([False]), one([True]), gamma, alpha, gamma * lam)
    hq.q_lambda_step(Q, hist, one([0]), one([3]), one([2]), one([10.0]), one([0]), one([7]),
                     one([2]), one([True]), one([True]), gamma, alpha, gamma * lam)
    assert np.isclose(Q[0, 0, 3, 2], 10.0)           # alpha 1 with trace 1: Q = target
    before = Q.copy()
    hq.q_lambda_step(Q, hist, one([0]), one([3]), one([2]), one([100.0]), one([0]), one([7]),
                     one([3]), one([True]), one([False]), gamma, alpha, gamma * lam)
    assert np.array_equal(Q[:, :, :16], before[:, :, :16])


def test_windowed_trace_equals_dense_q_lambda():
    """The speed form (a window of the last H visits) against the plain form: a dense trace table
    e over every agent's Q-table, e <- gamma lambda e, e(visit) <- 1, Q += alpha delta e, on random
    visits (revisits included) with a window longer than the sequence."""
    rng = np.random.default_rng(3)
    B, M, steps, gamma, lam, alpha = 3, 2, 40, 0.9, 0.9, 0.3
    Q = rng.normal(size=(B, M, 17, 4))
    Q[:, :, 16] = 0.0
    ref = Q[:, :, :16].copy()
    e = np.zeros_like(ref)
    hist = _hist(B, H=64)
    rows = np.arange(B)
    k = np.zeros(B, dtype=int)
    for t in range(steps):
        o, a = rng.integers(0, 3, B), rng.integers(0, 2, B)        # few pairs: many revisits
        k2 = np.minimum(k + (rng.random(B) < 0.2), M - 1)
        o2 = rng.integers(0, 3, B)
        term = np.full(B, t == steps - 1)
        r = np.where(term, 100.0, rng.normal(size=B))
        d = hq.q_lambda_step(Q, hist, k, o, a, r, k2, o2, np.full(B, t), term, np.ones(B, bool),
                             gamma, alpha, gamma * lam)
        boot = np.where(term, 0.0, ref[rows, k2, o2].max(axis=1))
        d_ref = r + gamma * boot - ref[rows, k, o, a]
        e *= gamma * lam
        e[rows, k, o, a] = 1.0
        ref += alpha * d_ref[:, None, None, None] * e
        assert np.allclose(d, d_ref)
        k = k2
    assert np.allclose(Q[:, :, :16], ref, atol=1e-10)


def test_hq_targets_by_hand():
    g = 0.9
    # three agents, all used: C1 5 steps, C2 10 steps, C3 reaches G (R_3 = 100 g^3)
    R = np.array([[0.0, 0.0, 100 * g ** 3]])
    dur = np.array([[5, 10, 4]])
    hv = np.array([[1.0, 2.0, 0.0]])
    tgt = hq.hq_targets(R, dur, np.array([2]), hv, g)
    assert np.isclose(tgt[0, 0], g ** 5 * 2.0)                 # HQ.1: bootstrap on max HQ_2
    assert np.isclose(tgt[0, 1], g ** 10 * 100 * g ** 3)       # HQ.2: the last agent's return
    assert np.isclose(tgt[0, 2], 100 * g ** 3)                 # HQ.3
    # C2 never reaches its subgoal and the trial times out: HQ.2 for C1, HQ.3 for C2, both 0
    tgt = hq.hq_targets(np.zeros((1, 3)), np.array([[5, 0, 0]]), np.array([1]), hv, g)
    assert tgt[0, 0] == 0.0 and tgt[0, 1] == 0.0 and np.isnan(tgt[0, 2])
    HQ = np.full((1, 3, 16), 10.0)
    sub = np.array([[4, 12, -1]])
    hq.hq_update(HQ, sub, tgt, np.array([1]), np.array([3]), 0.2)
    assert np.isclose(HQ[0, 0, 4], 8.0) and np.isclose(HQ[0, 1, 12], 8.0)
    assert np.sum(HQ != 10.0) == 2                             # nothing else moves


def hand_built(m, M=3):
    """Q- and HQ-tables of a 3-agent system that walks the shortest path (by hand)."""
    Q = np.zeros((M, 16, 4))
    for k, pol in enumerate([{13: N_, 5: N_, 1: E_, 10: E_},
                             {4: S_, 5: S_, 9: E_, 10: E_},
                             {12: N_, 1: N_, 5: N_}]):
        for o, a in pol.items():
            Q[k, o, a] = 1.0
    HQ = np.zeros((M, 16))
    HQ[0, 4] = HQ[1, 12] = 1.0
    return Q, HQ


def test_hand_built_three_agents_walk_the_shortest_path():
    m = hq.Maze()
    Q, HQ = hand_built(m)
    steps, cells, agents, subs = hq.greedy_run(m, Q, HQ)
    assert steps == 28 and cells[-1] == m.goal and subs == [4, 12]
    assert agents == [0] * 10 + [1] * 10 + [2] * 8
    # one agent with the first agent's table loops in the first corridor
    steps1, *_ = hq.greedy_run(m, Q[:1], HQ[:1])
    assert steps1 == 1000


def test_quick_run_is_deterministic_and_replays(tmp_path):
    outs = []
    for i in range(2):
        proc = run_stub(STUB, "--quick", "--out", tmp_path / f"r{i}.json", timeout=600)
        assert proc.returncode == 0, proc.stderr
        r = json.loads((tmp_path / f"r{i}.json").read_text())
        r["metrics"].pop("timing")
        outs.append((r["headline"], r["metrics"]))
    assert outs[0] == outs[1]
    # the batched run's last greedy tests equal a fresh greedy run of its final tables
    assert outs[0][1]["final_tables_replay_match"] is True


def test_training_counts_stop_at_each_rows_budget():
    """Rows keep stepping until the slowest row has made its last test; what they do after their
    own last test is not counted (goal trials, steps, control transfers)."""
    cfg = dict(hq.DEFAULTS, sims=3, trials=20, test_every=10, t_max=40)
    out = hq.run_systems(hq.Maze(), (3, 1), cfg, np.random.default_rng(0), trace_len=16,
                         init_rng=np.random.default_rng(1))
    assert (out["goal_trials"] <= cfg["trials"]).all()
    assert (out["train_steps"] <= cfg["trials"] * cfg["t_max"]).all()
    assert (out["train_steps"] >= cfg["trials"]).all()
    assert (out["transfers"].sum(axis=-1) <= out["train_steps"]).all()
    assert out["transfers"][1].sum() == 0                      # flat Q(lambda) never hands over


def test_verdict_rules():
    assert hq.verdict_hq(0, 20, 200, 20_000) == "open"
    assert hq.verdict_hq(0, 20, 20_000, 20_000) == "no"
    assert hq.verdict_hq(3, 20, 200, 20_000) == "partial"
    assert hq.verdict_flat(0, 0) == "partial"
    assert hq.verdict_flat(1, 0) == "no" and hq.verdict_flat(0, 5) == "no"


def test_bad_input_is_one_line(tmp_path):
    proc = run_stub(STUB, "--quick", "--trials", "25", "--test-every", "10", "--out", tmp_path / "r.json")
    assert proc.returncode != 0 and len(proc.stderr.strip().splitlines()) == 1
    assert "multiple" in proc.stderr
