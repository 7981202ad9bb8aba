"""Checks of stubs/fast-weights-unknown-delay: the flip-flop targets on a hand-worked stream,
hand-built slow nets for both interfaces that solve the task (so the paper's nets can) and what the
frozen test and the fingerprint say about them, the hold map's bistability window, that batching
the variants together changes no run, and the verdict rules. The family core's own checks are in
tests/test_fast_weights_core.py."""
import numpy as np
import pytest

from conftest import load_stub
from shared.fast_weights import core

fw = load_stub("fast-weights-unknown-delay")
A, B, C = fw.A, fw.B, fw.C
CFG = dict(tol=0.05, lyap_steps=400, lyap_transient=100)
OFF = np.zeros((1, 1, 3)), np.zeros(1, bool)          # all fast weights off, no A pending


def test_targets_on_a_hand_worked_stream():
    ev = np.array(["ABC".index(c) for c in "BABCBAABCCBBAB"])[:, None]
    d, armed = fw.targets(ev, np.zeros(1, bool))
    #                 B  A  B  C  B  A  A  B  C  C  B  B  A  B
    assert d[:, 0].tolist() == [0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1]
    assert armed[:, 0].tolist() == [0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0]


def test_stream_statistics_and_continuation():
    ev, d, armed = fw.flip_flop(np.random.default_rng(0), 30_000, 2)
    assert abs(np.mean(ev == A) - 1 / 3) < 0.015
    assert abs(d.mean() - 1 / 6) < 0.015                     # armed half the time, then a B
    # a stream continued from its state at step 100 gives the same targets as the whole stream
    dc, ac = fw.continued(ev[100:], armed[100])
    assert np.array_equal(dc[1:], d[101:]) and np.array_equal(ac, armed[100:])


def hand_S(rule):
    """A latch by hand: an A raises w_B, a B resets it, a C leaves it; w_A and w_C pushed low."""
    if rule == "direct":
        return np.array([[[-1.0, -1.0, -1.0], [2.0, -2.0, 0.0], [-1.0, -1.0, -1.0]]])
    #                  on A   on B  on C
    return np.array([[[-1.0, 1.0, 0.0],        # FROM A
                      [1.5, 1.5, 0.0],         # FROM B
                      [-1.0, 1.0, 0.0],        # FROM C
                      [1.0, -1.0, 0.0]]])      # TO (F's output)


@pytest.mark.parametrize("rule", fw.RULES)
def test_hand_built_slow_nets_solve_the_task(rule):
    W = hand_S(rule)
    ev = fw.flip_flop(np.random.default_rng(1), 5000, 1)[0]
    ft = fw.frozen_test(rule, W, np.array([10.0]), ev, CFG, *OFF)
    assert ft["real"][0] and ft["latch"][0] and ft["E_max"][0] < 1e-3
    assert ft["hold_states"][0] == 2 and abs(ft["hold_c"][0]) < 1e-12
    # every exponent is negative; the map is diagonal, so the spectrum is the weights' mean
    # log-derivatives: their sum exactly (log det), each up to the QR frame's finite-time mixing
    # of nearly equal exponents
    assert (ft["lyap"] < 0).all()
    assert abs(ft["lyap_weight"].sum() - ft["lyap"].sum()) < 1e-9
    assert np.allclose(np.sort(ft["lyap_weight"])[:, ::-1], ft["lyap"], atol=1e-2)
    # holding on C contracts like the stable fixed points of sigma(10 (w - 0.5)), about e^-2.7
    assert -3.0 < ft["lyap_B_hold"][0] < -2.4 and ft["lyap_B_write"][0] < -10


def test_the_same_slow_net_cannot_latch_with_a_shallow_logistic():
    """At T = 3 the hold map contracts everywhere (slope <= 3/4): one state, the bit fades."""
    W = hand_S("direct")
    ev = fw.flip_flop(np.random.default_rng(2), 5000, 1)[0]
    ft = fw.frozen_test("direct", W, np.array([3.0]), ev, CFG, *OFF)
    assert ft["hold_states"][0] == 1 and not ft["real"][0]


def test_hold_map_bistability_window():
    # sigma(T (w + c - 0.5)) has two stable states iff T > 4 and |c| below about 0.181 at T = 10
    c = np.array([0.0, 0.17, -0.17, 0.19, -0.19, 0.0, 0.0, 0.0])
    T = np.array([10.0, 10.0, 10.0, 10.0, 10.0, 4.5, 3.9, 2.0])
    assert fw.hold_states(c, T).tolist() == [2, 2, 2, 1, 1, 2, 1, 1]


def test_batching_variants_changes_no_run():
    """The paper variant inside the batch of all variants equals a loop over core.step alone."""
    cfg = dict(fw.DEFAULTS, runs=3, max_steps=400, film_steps=50)
    rng = np.random.default_rng(3)
    W0 = core.init_slow(rng, 3, 4, 3)
    ev, d, _ = fw.flip_flop(rng, 400, 3)
    tr = fw.train("fromto", cfg, W0, ev, d)
    x = np.eye(3)[ev]
    W = W0.copy()
    w, p = core.start(W, x[0], "fromto", 3, 1)
    for t in range(1, 401):
        W, w, p, *_ = core.step(W, w, p, x[t], x[t], d[t][:, None], 10.0, 0.5, "fromto")
    assert np.allclose(tr["W_end"][0], W, atol=1e-12) and np.allclose(tr["w_end"][0], w, atol=1e-12)


def test_verdict_rules():
    st = dict(solved=47, runs=50, median=240.0)
    assert fw.verdict_steps(st, 300, 20_000) == "yes"
    assert fw.verdict_steps(dict(st, median=1172.0), 800, 20_000) == "partial"
    assert fw.verdict_steps(dict(st, solved=40), 300, 20_000) == "partial"
    assert fw.verdict_steps(dict(solved=20, runs=50), 300, 20_000) == "no"
    assert fw.verdict_steps(dict(solved=20, runs=50), 300, 200) == "open"
    assert fw.verdict_latch(46, 50) == "yes" and fw.verdict_latch(36, 47) == "partial"
    assert fw.verdict_latch(0, 47) == "no" and fw.verdict_latch(0, 0) == "no"
