"""Science checks of stubs/timing-counting-spikes: the paper's net, its scalar step and Jacobian
against the family core, the tasks, the online learning rule, the dynamics. The gradient checks run
once, through --gradcheck in test_stubs.py."""
import numpy as np
from conftest import load_stub

from shared.gradcheck import numeric_jacobian, rel_error
from shared.lstm_gers import lstm

timing = load_stub("timing-counting-spikes")
dynamics = timing.stub_module("dynamics")
catalog = timing.stub_module("catalog")


def test_weight_count_is_the_papers_17():
    theta = timing.init_params(np.random.default_rng(0), [True, False])
    assert theta.shape == (2, 17) == (2, timing.N_WEIGHTS)
    W, P, V = timing.split(theta)
    assert W.shape == (2, 3, 4) and P.shape == (2, 3) and V.shape == (2, 2)
    assert W[0].size + P[0].size + V[0].size == 17              # 4 units x (x, y_c, 1) + 3 peepholes + 2
    assert np.all(P[1] == 0) and np.all(P[0] != 0)              # the no-peephole net has 14 weights
    assert np.shares_memory(W, theta) and np.shares_memory(P, theta) and np.shares_memory(V, theta)


def test_init_biases():
    theta = timing.init_params(np.random.default_rng(1), [True] * 5)
    W, P, V = timing.split(theta)
    assert np.all(W[:, 2, 0] == timing.BIAS_I) and np.all(W[:, 2, 1] == timing.BIAS_F)
    assert np.all(W[:, 2, 3] == timing.BIAS_O)
    rest = np.concatenate([W[:, :2].reshape(5, -1), W[:, 2, 2:3], P, V], axis=1)
    assert np.abs(rest).max() <= 0.1


def test_streams_follow_the_task_rules():
    kind, F = np.array([0, 0, 1, 2]), np.array([10, 49, 10, 10])
    st = timing.Streams(kind, F, np.random.default_rng(2))
    cols = [st.next() for _ in range(3000)]
    x, tg, m, ev = (np.array(c) for c in zip(*cols, strict=True))
    for j in (0, 1):                                            # MSD: intervals F or F + 1, target I
        sp = np.flatnonzero(x[:, j])
        gaps = np.diff(sp)
        assert set(gaps) == {F[j], F[j] + 1} and sp[0] == 0
        np.testing.assert_array_equal(tg[sp[1:], j], gaps - F[j])
        assert m[sp[0], j] == 0 and np.all(m[sp[1:], j] == 1) and m[:, j].sum() == len(sp) - 1
    assert np.all(x[:, 2:] == 0)                                # GTS, PFG: no input
    t = np.arange(3000)
    np.testing.assert_array_equal(tg[:, 2], ((t + 1) % 10 == 0).astype(float))
    np.testing.assert_allclose(tg[:, 3], np.cos(2 * np.pi * t / 10))
    assert np.all(m[:, 2:] == 1) and ev[:, 2].sum() == ev[:, 3].sum() == 300


def test_test_streams_have_the_requested_events():
    kind, F = np.array([0, 0, 1, 2]), np.array([10, 49, 10, 10])
    x, tg, m, ev, valid = timing.test_streams(kind, F, np.random.default_rng(3), 50)
    assert np.all((m * valid)[:, :2].sum(0) == 50)
    assert valid[:, 2].sum() == valid[:, 3].sum() == 500
    assert np.all((ev & valid).sum(0) == 50)
    np.testing.assert_array_equal(ev[:, :2], m[:, :2] > 0)
    gaps = np.diff(np.flatnonzero(x[:, 1]))
    assert set(gaps) <= {49, 50}


def test_scalar_step_and_jacobian_are_the_cores():
    """The stub's scalar step and Jacobian (the core's step and step_jacobian in the unrolled
    arithmetic the recorded runs used) agree with the core's matrix-product forward pass and
    Jacobians of the peephole cell with g = h = identity."""
    rng = np.random.default_rng(9)
    theta = rng.uniform(-1, 1, size=(4, 17))
    x = rng.normal(size=(6, 4))
    lin = np.array([False, True, False, True])
    cache, y, _ = timing.run_sequence(theta, x, lin)
    J_core = lstm.jacobians(timing.CELL, timing.core_params(theta), cache)     # J[t-1] = dz(t)/dz(t-1)
    s, yc = np.zeros(4), np.zeros(4)
    for t in range(6):
        J = timing.jacobian(theta, x[t], s, yc)
        if t:
            assert rel_error(J, J_core[t - 1, :, 0]) < 1e-12
        _, s, yc = timing.step(theta, x[t], s, yc)
        assert rel_error(s, cache["s"][t + 1, :, 0, 0]) < 1e-12
        assert rel_error(timing.output(theta, yc, lin)[0], y[t]) < 1e-12


def test_catalog_fast_path_is_the_cores_tanh_peephole_lstm():
    """The catalog's speed-tuned pass (float64 here) equals the core's forward and exact BPTT for 8
    one-cell tanh peephole blocks with a linear output unit on [h, 1]."""
    rng = np.random.default_rng(10)
    p = {k: v.astype(np.float64) + rng.uniform(-0.3, 0.3, size=v.shape)
         for k, v in catalog.catalog_init(rng, 2, [True, True]).items()}
    x, tg = rng.normal(size=(7, 2, 3)), rng.uniform(size=(7, 2, 3))
    loss, y, g = catalog.catalog_loss_grads(p, x, tg, np.ones(2))
    cell = lstm.Cell(1, catalog.CAT_H, peephole=True, squash=lstm.TANH, cell_bias=True, out_x=False,
                     out="linear")
    pc = {"W": p["W"], "P": p["P"], "V": np.concatenate([np.zeros((2, 1)), p["V"]], 1)[:, None]}
    c = lstm.forward(cell, pc, x[..., None])
    assert rel_error(c["y"][..., 0], y) < 1e-12
    gc = lstm.grads_bptt(cell, pc, c, ((c["y"][..., 0] - tg) / 3)[..., None])
    assert rel_error(gc["W"], g["W"]) < 1e-10 and rel_error(gc["P"], g["P"]) < 1e-10
    assert rel_error(gc["V"][:, 0, 1:], g["V"]) < 1e-10


def test_jacobian_matches_finite_differences():
    rng = np.random.default_rng(5)
    theta = rng.uniform(-1, 1, size=(4, 17))
    x, s, yc = rng.normal(size=4), rng.normal(size=4), rng.normal(size=4)
    J = timing.jacobian(theta, x, s, yc)
    for j in range(4):
        def f(z, j=j):
            th = theta[j:j + 1]
            _, s1, y1 = timing.step(th, x[j:j + 1], z[:1], z[1:])
            return np.concatenate([s1, y1])
        Jn = numeric_jacobian(f, np.array([s[j], yc[j]]))
        np.testing.assert_allclose(J[j], Jn, rtol=1e-6, atol=1e-8)


def test_rtrl_step_equals_forward_step():
    rng = np.random.default_rng(6)
    theta = rng.uniform(-1, 1, size=(3, 17))
    lin = np.array([0.0, 1.0, 0.0])
    net = timing.RTRL(theta, lin)
    s, yc = np.zeros(3), np.zeros(3)
    for _ in range(20):
        x = rng.normal(size=3)
        _, y = net.step(x, np.zeros(3), np.zeros(3))
        _, s, yc = timing.step(theta, x, s, yc)
        np.testing.assert_allclose(net.s, s)
        np.testing.assert_allclose(y, timing.output(theta, yc, lin.astype(bool))[0])


def test_hand_set_nets_solve_gts_and_msd():
    """The tasks are representable by the paper's net: the hand-set GTS timer (17 weights, with
    peepholes) and the MSD counters (14 weights, no peepholes; F = 10 and the abstract's 49 vs 50)
    pass long test streams. So a failure to learn is about learning, not an impossible task or a
    bug in the scoring."""
    theta, kind, F, lin, tol, peep, names = dynamics.constructed_nets()
    assert np.all(theta[~peep, 12:15] == 0)                     # the counters use no peephole
    ok, n = timing.evaluate(theta, lin, tol, timing.test_streams(kind, F, np.random.default_rng(0), 300))
    assert ok.all() and np.all(n == 300), n
    # breaking the timer's peephole breaks GTS
    broken = theta.copy()
    broken[0, 14] = 0.0
    ok, n = timing.evaluate(broken, lin, tol, timing.test_streams(kind, F, np.random.default_rng(0), 300))
    assert not ok[0] and n[0] == 0


def test_hand_set_dynamics():
    """Between events the counters' s rises by exactly one per step (an integrator); the timer's
    reset makes its orbit superstable (multipliers ~ 0, re-locks within a period of a kick)."""
    rep = dynamics.constructed_report(np.random.default_rng(1), 50, 600, 300, 600, 300)
    for name, r in rep.items():
        assert r["test_passed"], name
        if "counter" in name:
            assert abs(r["slope_s_mean"] - 1) < 1e-4 and r["slope_s_cv"] < 1e-4
        else:
            assert max(r["multiplier_moduli_10_steps"]) < 1e-6 and r["recovery_periods_after_kick"] <= 1


def test_unsolved_below_the_papers_stream_cap_is_open():
    assert timing.paper_budget("MSD F=10") == 10 ** 8 and timing.paper_budget("GTS F=10") == 10 ** 7
    rows = timing.paper_headline(
        {"paper_lr": {name: {k: {"solved": 0, "n": 2, "streams_trained": [100, 120]}
                             for k in ("peephole", "no_peephole")} for name, *_ in timing.TASKS}},
        [timing.LR], 3000)
    assert all(r["verdict"] == "open" and "open: stopped at 110 streams" in r["note"] for r in rows)
