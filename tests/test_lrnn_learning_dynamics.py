"""Checks of stubs/lrnn-learning-dynamics: determinism, the reduced system against the full network,
the closed forms the verdicts use, the Lyapunov identities, the verdict rules and bad flags.

The BPTT gradient and the reduced system's gradient flow are checked against finite differences by
tests/test_stubs.py (--gradcheck)."""
import json

import numpy as np
import pytest
from conftest import ROOT, load_stub, run_stub

from shared.gradcheck import numeric_jacobian
from shared.lyapunov import qr_spectrum

STUB = ROOT / "stubs" / "lrnn-learning-dynamics"
lrnn = load_stub("lrnn-learning-dynamics")


def test_quick_run_is_deterministic(tmp_path):
    outs = []
    for i in range(2):
        proc = run_stub(STUB, "--quick", "--out", tmp_path / f"r{i}.json", timeout=300)
        assert proc.returncode == 0, proc.stderr
        r = json.loads((tmp_path / f"r{i}.json").read_text())
        outs.append((r["headline"], r["metrics"]["staircase"]["t_half"], r["metrics"]["tasks"]["by_variant"],
                     r["lyapunov"]["exponents"]))
    assert outs[0] == outs[1]


def test_data_are_exactly_whitened_with_the_prescribed_correlations():
    rng = np.random.default_rng(1)
    S = np.abs(rng.standard_normal((3, 4)))
    X, Y, U, V = lrnn.make_data(rng, S, 50)
    P = X.shape[1]
    flat = X.transpose(1, 0, 2).reshape(P, -1)
    assert np.allclose(flat.T @ flat / P, np.eye(12), atol=1e-12)
    for t in range(4):
        assert np.allclose(Y.T @ X[t] / P, U @ np.diag(S[:, t]) @ V.T, atol=1e-12)


def test_aligned_network_follows_the_per_mode_recursion_exactly():
    """GD on the full matrices (BPTT on whitened data) = Euler steps of eqs. 5-7, mode by mode."""
    rng = np.random.default_rng(2)
    T, lr = 5, 0.05
    S = np.stack([lrnn.task_values("inverse-exp", d, lam, T)
                  for d, lam in ((1.5, 0.4), (0.8, 0.9), (0.5, 1.1))])
    X, Y, U, V = lrnn.make_data(rng, S, 40)
    a0, b0, c0 = np.array([[0.1, 0.2, 0.3]]), np.array([[0.2, -0.1, 0.4]]), np.array([[0.3, 0.1, 0.2]])
    p = lrnn.init_aligned(rng, U[None], V[None], a0, b0, c0)
    a, b, c = a0[0].copy(), b0[0].copy(), c0[0].copy()
    for _ in range(60):
        loss, g = lrnn.loss_and_grads(p, X[:, None], Y[None])
        assert np.isclose(loss[0], lrnn.mode_energy(a, b, c, S).sum(), rtol=1e-10)   # L = sum of E_alpha
        for k in p:
            p[k] -= lr * g[k]
        da, db, dc = lrnn.mode_rhs(a, b, c, S)
        a, b, c = a + lr * da, b + lr * db, c + lr * dc
    m = lrnn.lag_maps(p, U[None], V[None], T)[0]
    assert np.allclose(m, (a * c)[:, None] * b[:, None] ** np.arange(T), atol=1e-10)


def test_rk4_integration_converges_to_the_known_solutions():
    s = np.stack([lrnn.task_values("inverse-exp", 1.0, 0.7, 6), lrnn.task_values("exponential", 1.0, 0.9, 6)])
    a, b, c = lrnn.integrate_modes(np.full(2, 0.1), np.full(2, 0.1), np.full(2, 0.1), s, 0.02, 4000, 4000)
    assert np.allclose(b[-1], [0.7, 1 / 0.9], atol=1e-6)
    assert np.allclose((a * c)[-1], [1.0, 0.9 ** 6], atol=1e-6)


def test_energy_splits_into_data_term_and_effective_regulariser():
    rng = np.random.default_rng(3)
    s, u, b = rng.standard_normal((5, 7)), rng.standard_normal(5), rng.uniform(-1.3, 1.3, 5)
    data, reg = lrnn.energy_terms(u, b, s)
    assert np.allclose(data + reg, lrnn.mode_energy(u, b, np.ones(5), s))
    assert np.allclose(reg, 0.5 * u ** 2 * (1 - b ** 14) / (1 - b ** 2))          # Lemma 3.2, T = 7


@pytest.mark.parametrize("kind,lam,u_star,b_star", [
    ("inverse-exp", 0.8, 1.5, 0.8), ("constant", 1.0, 1.5, 1.0),
    ("exponential", 1.2, 1.5 * 1.2 ** 6, 1 / 1.2)])
def test_global_minimum_matches_the_zero_loss_solutions(kind, lam, u_star, b_star):
    u, b, E = lrnn.global_minimum(lrnn.task_values(kind, 1.5, lam, 6), np.linspace(-1.5, 1.5, 30001))
    assert abs(b - b_star) < 1e-4 and abs(u - u_star) < 1e-3 * u_star and E < 1e-6


def test_dirac_delta_t3_transition_is_at_one_over_sqrt2():
    """App. H: for T = 3 the b^2 coefficient of the effective energy changes sign at beta = 1/sqrt(2)."""
    beta = lrnn.dirac_critical(3, np.round(np.arange(0.5, 1.0, 0.001), 3), np.linspace(0, 3, 30001))
    assert abs(beta - 2 ** -0.5) < 0.02


def test_linear_rnn_jacobian_and_exponents():
    """dh_{t+1}/dh_t = W_h (finite differences); QR exponents = ln|eig| and their sum = ln|det W_h|."""
    rng = np.random.default_rng(4)
    Q = np.linalg.qr(rng.standard_normal((4, 4)))[0]
    M = Q + 0.3 * np.eye(4)                             # a non-normal matrix with real distinct eigenvalues
    W = M @ np.diag([1.2, 0.7, -0.4, 0.1]) @ np.linalg.inv(M)
    Wx, x = rng.standard_normal((4, 4)), rng.standard_normal(4)
    J = numeric_jacobian(lambda h: h @ W.T + x @ Wx.T, rng.standard_normal(4))
    assert np.allclose(J, W, atol=1e-8)
    eig, qr = lrnn.lyapunov_exponents(W[None])
    assert np.allclose(eig[0], np.sort(np.log([1.2, 0.7, 0.4, 0.1]))[::-1], atol=1e-10)
    assert np.allclose(qr, eig, atol=1e-8)
    assert abs(qr.sum() - np.log(abs(np.linalg.det(W)))) < 1e-10
    assert np.allclose(qr_spectrum([W] * 300, n_transient=50), eig[0], atol=1e-8)


def test_half_times_and_switch_helpers():
    at = np.arange(5) * 10
    S = np.ones((2, 3))
    m = np.zeros((1, 5, 2, 3))
    m[0, 2:, 0] = 1.0                                   # dimension 0 learned at step 20, dimension 1 never
    assert lrnn.half_times(m, S, at).tolist() == [[20, -1]]
    k = np.arange(6.0)
    assert lrnn.switch_point([1.0, 0.9, 0.8, 0.3, 0.2, 0.1], k) == 2.5
    assert lrnn.switch_point([0.1, 0.2, 0.3], k[:3]) is None
    assert np.isclose(lrnn.largest_jump([1.0, 0.9, 0.8, 0.3, 0.2]), 0.5)


def test_verdict_rules():
    assert lrnn.verdict_ode([0.01, 0.02], [0.01, 0.04]) == "yes"
    assert lrnn.verdict_ode([0.01, 0.06], [0.01, 0.01]) == "no"
    o = [[0, 1, 2, 3]]
    assert lrnn.verdict_order(o * 2, o * 2, [0, 1, 2, 3]) == "yes"
    assert lrnn.verdict_order(o * 2, [[1, 0, 2, 3]], [0, 1, 2, 3]) == "partial"
    assert lrnn.verdict_order([[1, 0, 2, 3]], o, [0, 1, 2, 3]) == "no"
    assert [lrnn.verdict_eigen(0.005, r) for r in (0.02, 0.05)] == ["yes", "partial"]
    assert lrnn.verdict_eigen(0.02, 0.0) == "no"
    assert lrnn.verdict_extrapolation(0.05, 1e-4, True) == "yes"
    assert lrnn.verdict_extrapolation(0.2, 1e-4, True) == "partial"
    assert lrnn.verdict_extrapolation(0.2, 1e-2, True) == "no"
    k = np.arange(0.25, 2.01, 0.25)
    long = dict(switch_gd=1.125, switch_glob=1.375, jump_gd=0.3)
    assert lrnn.verdict_switch(long, dict(jump_gd=0.1), k) == "yes"
    assert lrnn.verdict_switch(long, dict(jump_gd=0.2), k) == "partial"
    assert lrnn.verdict_switch(dict(long, switch_gd=1.875), dict(jump_gd=0.2), k) == "no"


def test_bad_flags_fail_with_one_line():
    for argv in (["--samples", "10"], ["--n-seeds", "0"], ["--n-seeds", "100"], ["--samples", "abc"]):
        proc = run_stub(STUB, "--quick", *argv, "--out", "/tmp/never-written.json", timeout=60)
        err = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        assert proc.returncode == 2 and len(err) == 1 and "Traceback" not in proc.stderr, argv
