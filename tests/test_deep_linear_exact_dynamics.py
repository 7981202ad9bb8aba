"""Checks of stubs/deep-linear-exact-dynamics: determinism, the closed forms, the fast GD step
against the plain one, the invariant decoupled manifold, Jacobians and sum identities of the depth
spectra, the mean field, the verdict rules, bad flags.

The hand-written gradients (3-layer net, deep chain) are checked by tests/test_stubs.py through
--gradcheck."""
import json

import numpy as np

from conftest import ROOT, load_stub, run_stub
from shared.gradcheck import numeric_jacobian
from shared.lyapunov import qr_spectrum

STUB = ROOT / "stubs" / "deep-linear-exact-dynamics"
dl = load_stub("deep-linear-exact-dynamics")


def test_quick_run_is_deterministic(tmp_path):
    outs = []
    for i in range(2):
        proc = run_stub(STUB, "--quick", "--out", tmp_path / f"r{i}.json", timeout=300)
        assert proc.returncode == 0, proc.stderr
        r = json.loads((tmp_path / f"r{i}.json").read_text())
        outs.append((r["headline"], r["metrics"]["three_layer"], r["metrics"]["deep"]))
    assert outs[0] == outs[1]


def test_logistic_solves_the_mode_equation_and_half_time_inverts_it():
    s, u0, tau = np.array([3.0, 20.0]), 1e-6, 2000.0
    t = np.linspace(10, 3000, 50)[:, None]
    u = dl.logistic_strength(t, s, u0, tau)
    h = 1e-3
    du = (dl.logistic_strength(t + h, s, u0, tau) - dl.logistic_strength(t - h, s, u0, tau)) / (2 * h)
    assert np.allclose(tau * du, 2 * u * (s - u), rtol=1e-6, atol=1e-6)          # Eq. 10
    assert np.allclose(dl.logistic_strength(0.0, s, u0, tau), u0)
    assert np.allclose(dl.logistic_strength(dl.half_time(s, u0, tau), s, u0, tau), s / 2)


def test_rotated_step_equals_the_full_gradient_step():
    rng = np.random.default_rng(1)
    Y = dl.hierarchical_features(rng, 3, 40, 0.1)                       # (40, 8), X = I
    U, s, Vt = np.linalg.svd(Y, full_matrices=False)
    Q = np.linalg.qr(np.concatenate([U, rng.standard_normal((40, 32))], 1))[0]
    Q[:, :8] = U                                                         # [U, U_perp], orthonormal
    W21, B, G = (0.3 * rng.standard_normal((2, 6, 8)), 0.3 * rng.standard_normal((2, 8, 6)), None)
    P = 0.3 * rng.standard_normal((2, 32, 6))
    W32 = Q @ np.concatenate([B, P], 1)
    G = P.swapaxes(1, 2) @ P
    W21f = W21.copy()
    for _ in range(30):
        W21f, W32 = dl.three_step_full(W21f, W32, np.eye(8), Y, 0.01)
        W21, B, G = dl.three_step_rotated(W21, B, G, (s[:, None] * Vt)[None], 0.01)
    assert np.allclose(W21, W21f, atol=1e-11)
    assert np.allclose(U.T @ W32, B, atol=1e-11)
    assert np.allclose(dl.mode_strengths(W21, B, Vt.T), np.einsum("ia,sij,sjk,ka->sa", U, W32, W21f, Vt.T))


def test_decoupled_initial_conditions_stay_decoupled():
    rng = np.random.default_rng(2)
    Y = dl.hierarchical_features(rng, 3, 30, 0.1)
    cfg = dict(dl.THREE, n_hidden=8, steps=200, lr=5e-3, save_every=50, n_saved_seeds=1, u0=1e-3)
    r = dl.train_three(Y, cfg, rng, decoupled=True)
    # the modes evolve independently: each follows Eq. 12 up to the discretisation of GD
    th = dl.half_time(r["s"], cfg["u0"], 1 / cfg["lr"])
    reached = np.isfinite(r["t_half"][0])
    assert reached.sum() >= 3
    assert np.all(np.abs(r["t_half"][0, reached] / th[reached] - 1) < 0.05)


def test_newman_spectrum_and_special_functions():
    assert np.isclose(dl._special().digamma(1.0), -0.5772156649015329)
    assert np.isclose(dl._special().digamma(0.5), -0.5772156649015329 - 2 * np.log(2))
    assert np.isclose(dl._special().trigamma(1.0), np.pi ** 2 / 6)
    mean, sd = dl._special().newman_spectrum(20)
    rng = np.random.default_rng(3)
    Ws = [rng.standard_normal((20, 20)) / np.sqrt(20) for _ in range(3000)]
    lam = qr_spectrum(Ws, rng=rng)
    assert np.all(np.abs(lam - mean) < 5 * sd / np.sqrt(3000) + 0.01)


def test_depth_spectrum_sum_identity_and_orthogonal_zeros():
    rng = np.random.default_rng(4)
    for kind in ("gaussian", "orthogonal"):
        Ws = [W[0] for W in dl.init_chain(rng, 1, 41, 12, 12, kind)[:-1]]
        lam = qr_spectrum(Ws, rng=rng)
        assert np.isclose(lam.sum(), np.mean([np.linalg.slogdet(W)[1] for W in Ws]), atol=1e-10)
        if kind == "orthogonal":
            assert np.abs(lam).max() < 1e-12


def test_tanh_chain_jacobians_and_sum_identity():
    rng = np.random.default_rng(5)
    cfg = dict(dl.CHAOS, width=7, layers=30, transient=0)
    jac = list(dl.tanh_chain(np.random.default_rng(6), 1.3, cfg))
    # replay the chain to get states and weights, then compare each Jacobian with finite differences
    r2 = np.random.default_rng(6)
    x = np.sqrt(cfg["q1"]) * r2.standard_normal(7)
    logdet = []
    for J in jac:
        W = dl.qr_positive(r2.standard_normal((7, 7)))[0]
        num = numeric_jacobian(lambda z, W=W: dl.tanh_step(z, W, 1.3), x[None])[0]
        assert np.allclose(J, num, atol=1e-8)
        logdet.append(np.linalg.slogdet(J)[1])
        x = dl.tanh_step(x[None], W, 1.3)[0]
    lam = qr_spectrum(jac, rng=rng)
    assert np.isclose(lam.sum(), np.mean(logdet), atol=1e-10)


def test_mean_field_matches_independent_values():
    # lambda_1 of the mean field (fine-grid quadrature done independently): g = 1.5, 2, 3
    lam, q = dl.mean_field_lambda([0.5, 1.5, 2.0, 3.0])
    assert np.isclose(lam[0], np.log(0.5)) and q[0] == 0
    assert np.allclose(lam[1:], [0.0652, 0.1547, 0.3102], atol=2e-4)
    assert np.allclose(q[1:], [0.793, 2.12, 6.31], atol=0.01)


def test_verdict_rules():
    assert dl.verdict_half_times(np.array([0.02, -0.05, 0.1])) == "yes"
    assert dl.verdict_half_times(np.array([0.02, 0.158])) == "partial"
    assert dl.verdict_half_times(np.array([0.3])) == "no"
    assert dl.verdict_exponent(-1.03, -0.94) == "yes" and dl.verdict_exponent(-1.2, -0.94) == "no"
    assert dl.verdict_depth(1.2, 10.0, substitute=False) == "yes"
    assert dl.verdict_depth(1.2, 10.0) == "partial"
    assert dl.verdict_depth(2.3, 136.0) == "partial"
    assert dl.verdict_depth(2.0, 1.5) == "no"
    assert dl.verdict_isometry(1e-15, 2.0, 2.4) == "yes"
    assert dl.verdict_isometry(1e-15, 6.0, 2.4) == "no" and dl.verdict_isometry(1e-3, 1.0, 2.4) == "no"
    g, mf = [0.5, 0.9, 1.0, 1.1, 1.5], [-0.69, -0.1, 0, 0.005, 0.065]
    assert dl.verdict_edge_of_chaos(g, [-0.69, -0.1, 0.0, 0.005, 0.07], mf) == "yes"
    assert dl.verdict_edge_of_chaos(g, [-0.5, -0.1, 0.0, 0.005, 0.2], mf) == "partial"
    assert dl.verdict_edge_of_chaos(g, [-0.69, 0.1, 0.0, 0.005, 0.07], mf) == "no"


def test_bad_flags_fail_with_one_line():
    for argv in (["--n-seeds", "0"], ["--n-seeds", "100000"], ["--max-depth", "2"],
                 ["--max-depth", "1000"], ["--max-depth", "x"]):
        proc = run_stub(STUB, "--quick", *argv, "--out", "/tmp/never-written.json", timeout=60)
        err = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        assert proc.returncode == 2 and len(err) == 1 and "Traceback" not in proc.stderr, argv
