"""Checks of stubs/flip-flop: both tasks' targets on hand-worked streams, the environment's pain
and input layout, hand-built controllers that solve each task (so a 3-hidden-unit C can) and what
the frozen test, the hold map and the fingerprint say about them, the batch layout of the groups,
and the verdict rules. The family core's checks are in tests/test_world_model_core.py."""
import numpy as np

from conftest import load_stub

ff = load_stub("flip-flop")
A, B, C = ff.A, ff.B, ff.C
CFG = dict(lyap_steps=400, lyap_transient=100)


def events(text):
    return np.array(["ABC".index(c) for c in text])[:, None]


def test_flip_flop_targets_on_a_hand_worked_stream():
    ev = events("BABCBAABCCBBAB")
    d, mem = ff.targets(ev, np.zeros(1, bool), np.zeros(1, bool))
    #                 B  A  B  C  B  A  A  B  C  C  B  B  A  B
    assert d[:, 0].tolist() == [0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1]
    assert mem[:, 0].tolist() == [0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0]


def test_latch_targets_on_a_hand_worked_stream():
    ev = events("CBCCABBAC")
    d, _ = ff.targets(ev, np.zeros(1, bool), np.ones(1, bool))
    #                 C  B  C  C  A  B  B  A  C
    assert d[:, 0].tolist() == [0, 1, 1, 1, 0, 1, 1, 0, 0]


def test_environment_pain_and_layout():
    env = ff.FlipFlop(np.random.default_rng(0), np.array([False, True]))
    ev0, n = env.ev.copy(), 0
    for _ in range(2000):
        a = np.array([[0.3], [0.8]])
        d, _ = ff.step_target(env.ev, env.mem, env.latch)
        obs, info = env.step(a)
        assert np.allclose(obs[:, ff.PAIN], (d - a[:, 0]) ** 2) and np.array_equal(info["d"], d)
        assert np.array_equal(obs[:, :3].argmax(1), env.ev) and np.allclose(obs[:, :3].sum(1), 1)
        n += (env.ev == A).sum()
    assert abs(n / 4000 - 1 / 3) < 0.03 and ev0.shape == (2,)


def hand_C(task):
    """A controller built by hand. Flip-flop: unit 0 latches "an A since the last B" (set by A,
    cleared by B, held by C through its self-connection); unit 1 fires on a B while unit 0 was
    set; the action reads unit 1. Latch: unit 0 latches "a B since the last A"; the action reads it.
    Inputs A, B, C, pain, bias, then the 3 hidden units."""
    Wh, Wo = np.zeros((1, 3, 8)), np.zeros((1, 2, 8))
    if task == "wz":
        Wh[0, 0, [A, B, 4, 5]] = [10.0, -10.0, -5.0, 10.0]
        Wh[0, 1, [B, 4, 5]] = [10.0, -15.0, 10.0]
        Wo[0, 0, [4, 6]] = [-10.0, 20.0]
    else:
        Wh[0, 0, [A, B, 4, 5]] = [-10.0, 10.0, -5.0, 10.0]
        Wo[0, 0, [4, 5]] = [-10.0, 20.0]
    Wo[0, 1, 4] = -10.0                           # noise unit: off
    return {"Wh": Wh, "Wo": Wo}


def test_hand_built_controllers_solve_both_tasks_and_are_bistable_latches():
    for task in ("wz", "latch"):
        Cw = hand_C(task)
        ev = np.random.default_rng(1).integers(0, 3, (3000, 1))
        ft = ff.frozen_test(Cw, np.zeros((1, 3)), np.zeros(1, bool), np.array([task == "latch"]), ev,
                            CFG)
        assert ft["real"][0] and ft["worst"][0] < 0.05
        # a C event leaves two stable states (the bit), contracting: a latch, not a slow manifold
        assert ft["hold_count"][0] == 2 and ft["hold_settled"][0] and ft["hold_radius"][0] < 0.2
        assert np.isfinite(ft["lyap"][0, 0]) and ft["lyap"][0, 0] < -1.0
        assert (ft["lyap"][0] >= ff.LYAP_FLOOR).all()       # unit 2 has no weights: floored, finite
    # the latch's bit sits in one unit: holding on a C contracts like sigma'(5) * 10 = e^-2.7 per step
    assert -3.2 < ft["split"][0, C] < -2.2


def test_a_controller_whose_memory_fades_has_one_hold_state():
    Cw = hand_C("latch")
    Cw["Wh"][0, 0, [4, 5]] = [-1.0, 2.0]          # weak self-connection: slope <= 1/2, one state
    ev = np.random.default_rng(2).integers(0, 3, (3000, 1))
    ft = ff.frozen_test(Cw, np.full((1, 3), 0.5), np.zeros(1, bool), np.array([True]), ev, CFG)
    assert ft["hold_count"][0] == 1 and not ft["real"][0]


def test_lyap_split_averages_to_the_top_exponent():
    Cw = hand_C("wz")
    Cw["Wh"] = Cw["Wh"] + np.random.default_rng(3).normal(0, 0.5, Cw["Wh"].shape)
    ev = np.random.default_rng(4).integers(0, 3, (2101, 1))
    _, _, J = ff.frozen_run(Cw, np.full((1, 3), 0.5), np.zeros(1, bool), np.array([False]), ev)
    split = ff.lyap_split(J, ev[1:], 100)
    counts = np.array([(ev[101:2101, 0] == k).sum() for k in range(3)])
    lam = ff.qr_spectrum(J, n_transient=100)
    assert np.isclose((split[0] * counts).sum() / counts.sum(), lam[0, 0], atol=1e-9)


def test_groups_and_batch_layout():
    cfg = dict(ff.DEFAULTS)
    G = ff.groups(cfg)
    names = [g[0] for g in G]
    assert names[:4] == list(ff.MAIN) and set(names[4:]) == set(ff.ABLATIONS)
    assert sum(g[3] for g in G) == 30 + 8 * 10
    regime, mask, latch, gid = ff.build(G, cfg)
    first = {g[0]: np.flatnonzero(gid == i)[0] for i, g in enumerate(G)}
    assert regime.seq[first["wz-sequential"]] and not regime.seq[first["wz-parallel"]]
    assert regime.noise_pain[first["wz-parallel"]] and not regime.noise_pain[first["wz-parallel, no noise"]]
    assert regime.noise_unit[first["wz-parallel, noise from C's units"]]
    assert mask[first["wz-sequential"]].tolist() == [0, 0, 0, 1]
    assert mask[first["wz-sequential, M predicts every input"]].tolist() == [1, 1, 1, 1]
    assert regime.carry[first["wz-sequential, truncated through M"]] == 0.0
    assert latch[first["latch-parallel"]] and not latch[first["wz-parallel"]]


def test_verdict_rules():
    assert ff.verdict_count(7, 200_000) == "partial"
    assert ff.verdict_count(0, 200_000) == "open"
    assert ff.verdict_count(0, 1_000_000) == "no"
    m = lambda k, n: dict(real=k, runs=n)            # noqa: E731
    assert ff.verdict_randomness(m(0, 10), m(20, 30)) == "partial"
    assert ff.verdict_randomness(m(7, 10), m(20, 30)) == "no"
    assert ff.verdict_randomness(m(0, 10), m(0, 30)) == "open"


def test_memory_span_of_a_latch_and_of_a_fading_memory():
    latch = np.array([False, True, True])
    Cw = {k: np.concatenate([hand_C("wz")[k], hand_C("latch")[k], hand_C("latch")[k]]) for k in ("Wh", "Wo")}
    Cw["Wh"][2, 0, [4, 5]] = [-1.5, 2.0]          # one hold state, below 0.5: a set bit fades over C's
    span = ff.memory_span(Cw, latch, np.random.default_rng(5), ks=(0, 1, 2, 3, 5, 10, 40))
    assert span[0] == 40 and span[1] == 40        # bistable: every probe up to 40 C's in a row
    assert 0 <= span[2] < 10
    held = ff.hold_states(Cw, np.random.default_rng(6).uniform(0, 1, (12, 3, 3)))[0]
    assert held.tolist() == [2, 2, 1]
    assert ff.memory_class(held, span).tolist() == ["latch", "latch", "fading"]
    assert ff.memory_class(np.array([1]), np.array([ff.SPAN_KS[-1]])).tolist() == ["slow"]


def test_longest_run():
    mask = np.array([[1, 0], [1, 1], [0, 1], [1, 1], [1, 1], [1, 0]], bool)
    assert ff.longest_run(mask).tolist() == [3, 4]
