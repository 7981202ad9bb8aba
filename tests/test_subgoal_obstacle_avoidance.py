"""Checks of stubs/subgoal-obstacle-avoidance: the analytic cone cost on hand-worked legs and
against quadrature, its gradient and those of S (both architectures) and of the learned E by
central differences, the recurrent S against a step-by-step loop, a hand-built swamp-free plan,
gradient descent lowering the cost, the satisfaction counts, the verdict rules, determinism and
a bad flag in one line."""
import numpy as np
import pytest

from conftest import ROOT, load_stub, run_stub
from shared.gradcheck import check_gradients

STUB = ROOT / "stubs" / "subgoal-obstacle-avoidance"
sg = load_stub("subgoal-obstacle-avoidance")
ONE = np.array([[0.0, 0.0, 1.0, 1.0]])                  # unit cone of slope 1 at the origin


def quad(a, b, swamps, n=400001):
    """The leg's cost by the trapezoid rule on the integral definition."""
    t = np.linspace(0, 1, n)
    p = a + (b - a) * t[:, None]
    g = sum(np.maximum(0.0, h * (1 - np.linalg.norm(p - [cx, cy], axis=1) / r)) for cx, cy, r, h in swamps)
    return np.trapezoid(g, t) * np.linalg.norm(b - a)


def test_leg_cost_hand_worked():
    F = lambda a, b, sw=ONE: sg.leg_cost(np.array([a], float), np.array([b], float), sw)[0][0]  # noqa: E731
    assert F((-3, 0), (3, 0)) == pytest.approx(1.0)             # through the centre: triangle 2r * h / 2
    assert F((0, 0), (3, 0)) == pytest.approx(0.5)              # from the tip out: half of it
    assert F((-3, 2), (3, 2)) == 0.0 and F((2, 2), (3, 3)) == 0.0     # misses the swamp
    assert F((0, 0), (0, 0)) == 0.0                             # no leg, no cost
    deep = np.array([[0.0, 0.0, 1.0, 3.0]])
    assert F((-3, 0), (3, 0), deep) == pytest.approx(3.0)       # cost scales with the depth
    assert F((-3, 0), (3, 0)) == pytest.approx(F((3, 0), (-3, 0)))   # direction does not matter


@pytest.mark.parametrize("a,b", [((-2, 0.3), (0.4, 0.9)), ((0.2, 0.1), (0.5, -0.3)),
                                 ((-1.5, -0.9), (2, 0.95))])
def test_leg_cost_against_quadrature(a, b):
    sw = np.array([[0.0, 0.0, 1.0, 1.0], [0.8, 0.5, 0.6, 0.3]])
    a, b = np.array(a, float), np.array(b, float)
    assert sg.leg_cost(a[None], b[None], sw)[0][0] == pytest.approx(quad(a, b, sw), rel=1e-6, abs=1e-9)


def test_all_gradients_by_central_differences():
    errs = sg.gradient_checks()
    assert len(errs) >= 16 and max(errs.values()) < 1e-6, errs


def test_leg_gradient_through_the_centre_and_at_the_rim():
    """Legs through the cone's tip (beta = 0) and from inside to outside the disc."""
    a = np.array([[-2.0, 0.0], [0.3, 0.2], [-0.5, -0.5]])
    b = np.array([[2.0, 0.0], [1.7, 0.9], [0.5, 0.5]])
    _, ga, gb = sg.leg_cost(a, b, ONE)
    errs = check_gradients(lambda: sg.leg_cost(a, b, ONE)[0].sum(), {"a": a, "b": b}, {"a": ga, "b": gb})
    assert max(errs.values()) < 1e-6, errs
    assert abs(ga[0, 1]) < 1e-12 and abs(gb[0, 1]) < 1e-12      # symmetric: no sideways push


def test_recurrent_S_matches_a_step_by_step_loop():
    rng = np.random.default_rng(1)
    S = sg.init_S(rng, 3, 7, 2, 1.0)
    start, goal = np.array([0.1, 0.5]), np.array([0.9, 0.5])
    P, _ = sg.s_forward("recurrent", S, start, goal, 4)
    for s in range(3):
        cur = start.copy()
        for k in range(4):
            h = sg.sig(S["W1"][s] @ np.concatenate([cur, goal]) + S["b1"][s])
            cur = sg.sig(S["W2"][s] @ h + S["b2"][s])            # side 1: output = coordinates
            assert np.allclose(P[s, k + 1], cur)
    assert np.allclose(P[:, 0], start) and np.allclose(P[:, -1], goal)


def test_hand_built_plan_avoids_the_swamps():
    """A detour over the top of each layout costs nothing; the straight line does not."""
    for name, detour in (("one_swamp", [(0.2, 0.85), (0.5, 0.85), (0.8, 0.85)]),
                         ("several_swamps", [(0.3, 0.65), (0.45, 0.66), (0.6, 0.65)])):
        pb = sg.PROBLEMS[name]
        P = np.array([[pb["start"], *detour, pb["goal"]]])
        C, _ = sg.plan_cost(P, sg.true_evaluator(np.array(pb["swamps"])))
        assert C[0] == 0.0, name
        assert sg.direct_cost(name) > 0


def test_gradient_descent_lowers_the_cost_and_freezes_at_zero():
    cfg = dict(sg.DEFAULTS, seeds=4, iters=300)
    costs, plans = sg.train_S("one_swamp", "recurrent", 0.03, cfg, np.random.default_rng(0))
    assert costs.shape == (301, 4) and plans.shape == (301, 4, 5, 2)
    assert np.all(costs[-1] <= costs[0])
    zero = costs[-1] == 0
    if zero.any():                                              # frozen once swamp-free
        assert np.allclose(plans[-1, zero], plans[-2, zero])


def test_summary_counts_and_censoring():
    cfg = dict(sg.DEFAULTS)
    costs = np.array([[1.0, 1.0, 1.0], [0.5, 0.0, 1.0], [0.0, 0.0, 0.9]])
    s = sg.summarise(costs, "one_swamp", cfg)
    assert s["iters_zero"] == [2, 1, -1] and s["reached_zero"] == 2 and s["iters_zero_median"] == 1.5


def test_verdict_rules():
    s = lambda r, m: {"reached_zero": r, "iters_zero_median": m}  # noqa: E731
    assert sg.verdict_iters(s(20, 30), 20, 20) == "yes"
    assert sg.verdict_iters(s(20, 400), 20, 20) == "partial"
    assert sg.verdict_iters(s(11, 40), 22, 20) == "partial"
    assert sg.verdict_iters(s(5, 40), 22, 20) == "no"
    f = lambda r: {"reached_frac": r}  # noqa: E731
    assert [sg.verdict_learned(f(r), None, 20) for r in (16, 10, 9)] == ["yes", "partial", "no"]


def test_quick_run_is_deterministic(tmp_path):
    outs = []
    for k in range(2):
        out = tmp_path / f"r{k}" / "results.json"
        out.parent.mkdir()
        proc = run_stub(STUB, "--quick", "--out", out)
        assert proc.returncode == 0, proc.stderr
        outs.append(np.load(out.with_suffix(".npz")))
    for key in outs[0]:
        assert np.array_equal(outs[0][key], outs[1][key]), key


def test_bad_input_is_one_line():
    proc = run_stub(STUB, "--quick", "--hidden", "0")
    assert proc.returncode != 0 and len(proc.stderr.strip().splitlines()) == 1
