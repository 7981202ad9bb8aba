"""The fast-weight family core (shared/fast_weights/core.py): the batched step equals the plain
per-weight reference, the forward-carried gradient equals unfolding in time and central
differences, the FROM/TO interface is an outer product with the stated derivative, and the
fast-weight Jacobian matches finite differences of the map."""
import numpy as np
import pytest

from shared.fast_weights import core
from shared.gradcheck import check_gradients, numeric_jacobian, rel_error

# (F inputs, F outputs, S inputs): section 3.1's nets and section 3.2's
SHAPES = [(3, 1, 3), (1, 3, 6)]


def problem(rule, n_in, n_out, n_s, R=3, N=30, seed=0):
    rng = np.random.default_rng(seed)
    K = core.n_slow_outputs(rule, n_in, n_out)
    W = rng.uniform(-1.0, 1.0, (R, K, n_s))
    x_F = rng.integers(0, 2, (N, R, n_in)).astype(float)
    x_S = rng.normal(size=(N, R, n_s))
    d = rng.integers(0, 2, (N, R, n_out)).astype(float)
    mask = rng.integers(0, 2, (N, R, n_out)).astype(float)
    w0 = rng.uniform(0.0, 1.0, (R, n_out, n_in))
    return rng, W, x_F, x_S, d, mask, w0


@pytest.mark.parametrize("rule", core.RULES)
@pytest.mark.parametrize("shape", SHAPES)
def test_batched_step_equals_reference(rule, shape):
    rng, W, x_F, x_S, d, mask, w = problem(rule, *shape)
    R = W.shape[0]
    p = rng.normal(size=w.shape + W.shape[1:])
    T, eta, carry = np.array([10.0, 4.0, 2.0]), np.array([1.0, 0.5, 0.1]), np.array([1.0, 0.0, 1.0])
    ref = [(W[r].copy(), w[r].copy(), p[r].copy()) for r in range(R)]
    for t in range(x_F.shape[0]):
        W, w, p, y, E, g = core.step(W, w, p, x_F[t], x_S[t], d[t], T, eta, rule, mask[t], carry)
        for r in range(R):
            Wr, wr, pr, yr, Er, gr = core.step_reference(*ref[r], x_F[t, r], x_S[t, r], d[t, r], T[r],
                                                         eta[r], rule, mask[t, r], bool(carry[r]))
            ref[r] = (Wr, wr, pr)
            assert np.allclose(y[r], yr, atol=1e-12) and abs(E[r] - Er) < 1e-12
            assert np.allclose(g[r], gr, atol=1e-12)
            assert np.allclose(W[r], Wr, atol=1e-10) and np.allclose(w[r], wr, atol=1e-12)
            assert np.allclose(p[r], pr, atol=1e-10)


@pytest.mark.parametrize("rule", core.RULES)
@pytest.mark.parametrize("shape", SHAPES)
def test_forward_gradient_equals_unfolding_in_time(rule, shape):
    _, W, x_F, x_S, d, mask, w0 = problem(rule, *shape, N=40)
    T = np.array([10.0, 4.0, 1.0])
    g = core.offline_gradient(W, w0, x_F, x_S, d, T, rule, mask)[1]
    assert rel_error(g, core.bptt_gradient(W, w0, x_F, x_S, d, T, rule, mask)) < 1e-10


@pytest.mark.parametrize("rule", core.RULES)
@pytest.mark.parametrize("shape", SHAPES)
def test_forward_gradient_equals_central_differences(rule, shape):
    _, W, x_F, x_S, d, mask, w0 = problem(rule, *shape, N=6)
    W *= 0.1
    w0 = 0.45 + 0.1 * w0
    T = np.array([4.0, 2.0, 10.0])
    g = core.offline_gradient(W, w0, x_F, x_S, d, T, rule, mask)[1]
    err = check_gradients(lambda: core.offline_gradient(W, w0, x_F, x_S, d, T, rule, mask)[0].sum(),
                          {"W_S": W}, {"W_S": g}, eps=1e-4, richardson=True)
    assert err["W_S"] < 1e-7


def test_slow_output_counts():
    assert core.n_slow_outputs("direct", 3, 1) == 3 and core.n_slow_outputs("fromto", 3, 1) == 4
    assert core.n_slow_outputs("direct", 1, 3) == 3 and core.n_slow_outputs("fromto", 1, 3) == 4
    with pytest.raises(ValueError):
        core.n_slow_outputs("hebb", 3, 1)


def test_fromto_is_an_outer_product_with_the_stated_derivative():
    rng = np.random.default_rng(1)
    s = rng.normal(size=(2, 5))                    # 3 FROM units, then 2 TO units
    dw, G = core.weight_change("fromto", s, 3, 2)
    assert np.allclose(dw, s[:, 3:, None] * s[:, None, :3])
    num = numeric_jacobian(lambda z: core.weight_change("fromto", z, 3, 2)[0].reshape(2, -1), s)
    assert np.allclose(num.reshape(G.shape), G, atol=1e-9)


def test_fast_weights_are_bounded_and_step_zero_is_unsquashed():
    rng, W, x_F, x_S, d, mask, _ = problem("direct", 3, 1, 3)
    w, p = core.start(W, x_S[0], "direct", 3, 1)
    assert np.allclose(w[:, 0], np.einsum("rkm,rm->rk", W, x_S[0])) and not p.any()
    assert (w < 0).any() or (w > 1).any()          # raw S output, as the paper's step 0 says
    W, w, p, *_ = core.step(W, w, p, x_F[1], x_S[1], d[1], 10.0, 0.5, "direct")
    assert ((w > 0) & (w < 1)).all()


def test_logistic_is_exact_in_both_tails():
    W = np.array([[[40.0], [-40.0], [0.0]]])                              # (1, 3, 1)
    w = np.full((1, 1, 3), 0.5)
    w_new, sp, _ = core.fast_update(W, w, np.ones((1, 1)), 10.0, "direct")
    u = 10.0 * np.array([40.0, -40.0, 0.0])
    assert np.allclose(w_new[0, 0], 1.0 / (1.0 + np.exp(-u)), rtol=1e-14)
    assert np.allclose(sp[0, 0], 10.0 * np.exp(-np.abs(u)) / (1.0 + np.exp(-np.abs(u))) ** 2, rtol=1e-12)
    assert sp[0, 0, 1] > 0.0                                              # no cancellation to 0


@pytest.mark.parametrize("rule", core.RULES)
def test_weight_jacobian_matches_finite_differences(rule):
    rng, W, x_F, x_S, *_ = problem(rule, 3, 1, 3, R=2)
    W *= 0.2
    w = rng.uniform(0.2, 0.8, (2, 1, 3))
    T = np.array([10.0, 3.0])
    _, sp, _ = core.fast_update(W, w, x_S[0], T, rule)

    def f(z):
        return core.fast_update(W, z.reshape(2, 1, 3), x_S[0], T, rule)[0].reshape(2, 3)
    num = numeric_jacobian(f, w.reshape(2, 3))
    assert np.allclose(core.weight_jacobian(sp), num, atol=1e-8)


def test_run_frozen_continues_from_given_fast_weights():
    rng, W, x_F, x_S, *_ = problem("fromto", 3, 1, 3, R=2, N=20)
    w0 = rng.uniform(0, 1, (2, 1, 3))
    y, w, sp = core.run_frozen(W, x_F, x_S, 6.0, "fromto", 1, w0)
    assert np.allclose(w[0], w0) and y.shape == (19, 2, 1) and sp.shape == (19, 2, 1, 3)
    assert np.allclose(y[0], np.einsum("roi,ri->ro", w0, x_F[1]))


def test_steps_summary_counts_only_solved_runs():
    from shared.fast_weights.online import steps_summary
    st = steps_summary(np.array([0, 100, 300, 0, 200]))
    assert (st["solved"], st["runs"]) == (3, 5)
    assert (st["median"], st["q1"], st["q3"], st["min"], st["max"]) == (200.0, 150.0, 250.0, 100, 300)
    assert steps_summary(np.zeros(4, int)) == dict(solved=0, runs=4)


def test_online_flags_reject_out_of_range_values():
    import argparse

    from shared.fast_weights.online import add_online_flags
    defaults = dict(runs=10, max_steps=500, window=100, tol=0.05, test_steps=1000, lyap_steps=100,
                    lyap_transient=10)
    parser = argparse.ArgumentParser()
    add_online_flags(parser, defaults, max_steps_range=(200, 1000), runs_help="r", window_help="w",
                     tol_help="t")
    assert vars(parser.parse_args([])) == defaults
    for bad in (["--max-steps", "100"], ["--max-steps", "2000"], ["--runs", "1"], ["--tol", "2"]):
        with pytest.raises(SystemExit):
            parser.parse_args(bad)
