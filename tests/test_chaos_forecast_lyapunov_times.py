"""Checks of stubs/chaos-forecast-lyapunov-times: determinism, the verdict rules, the closed-loop
Jacobians against finite differences, the fast QR path against shared.lyapunov.qr_spectrum, the sum
identity along the model's own trajectory, the ridge solution, and bad input.

The closed-form readouts have no trained gradient; tests/test_stubs.py runs --gradcheck (the ridge
objective's gradient and the two Jacobians)."""
import json

import numpy as np
from conftest import ROOT, load_stub, run_stub

from shared.gradcheck import numeric_jacobian, rel_error
from shared.lyapunov import qr_spectrum

STUB = ROOT / "stubs" / "chaos-forecast-lyapunov-times"
m = load_stub("chaos-forecast-lyapunov-times")
checks = m.cli.load_sibling(str(STUB / "chaos_forecast_lyapunov_times.py"),
                            "chaos_forecast_lyapunov_times_checks", vars(m))


def small_esn(seed=0, S=2, N=16):
    rng = np.random.default_rng(seed)
    p = m.esn_init(rng, S, N, 4, 1.2, 0.5)
    return p, 0.3 * rng.standard_normal((S, 3, N)), np.tanh(rng.standard_normal((S, N)))


def test_quick_run_is_deterministic(tmp_path):
    outs = []
    for i in range(2):
        proc = run_stub(STUB, "--quick", "--out", tmp_path / f"r{i}.json", timeout=300)
        assert proc.returncode == 0, proc.stderr
        r = json.loads((tmp_path / f"r{i}.json").read_text())
        outs.append((r["headline"], r["metrics"]["flows"], r["lyapunov"]))
    assert outs[0] == outs[1]


def test_esn_jacobian_matches_finite_differences():
    p, W, r = small_esn()
    J, r_new = m.esn_jacobian(p, W, r[:, None])
    assert np.allclose(r_new, m.esn_step(p, W, r[:, None]))
    assert rel_error(J, numeric_jacobian(lambda z: m.esn_step(p, W, z), r[:, None])) < 1e-6


def test_nvar_jacobian_and_features():
    rng = np.random.default_rng(1)
    W, z = 0.05 * rng.standard_normal((2, 3, 28)), rng.standard_normal((2, 3, 6))
    assert rel_error(m.nvar_jacobian(W, z)[0], numeric_jacobian(lambda q: m.nvar_step(W, q), z)) < 1e-6
    assert rel_error(m.nvar_features_jac(z), numeric_jacobian(m.nvar_features, z)) < 1e-6
    assert m.nvar_features(z).shape == (2, 3, 28)                   # 1 + 6 + 21 (Gauthier's count)


def test_fast_spectrum_equals_qr_spectrum_on_explicit_jacobians():
    p, W, r = small_esn(2)
    fast = m.esn_spectrum(p, W, r, 5, 40, 4, 0.02, 3)[0]
    states = list(checks._esn_states(p, W, r, 45))
    slow = qr_spectrum((m.esn_jacobian(p, W, s)[0][:, 0] for s in states), k=4, dt=0.02,
                       n_transient=5, rng=3)
    assert np.max(np.abs(fast - slow)) < 1e-9
    fast5 = m.esn_spectrum(p, W, r, 5, 40, 4, 0.02, 3, qr_every=5)[0]   # QR every 5 steps: same sums
    assert np.max(np.abs(fast5 - slow)) < 1e-9


def test_sum_identity_along_the_models_own_trajectory():
    p, W, r = small_esn(3)
    total, logdet, _ = checks.esn_sum_identity(p, W, r, 30, 0.02)
    assert abs(total - logdet) < 1e-8 * max(1.0, abs(logdet))
    rng = np.random.default_rng(4)
    Wn, z0 = 0.02 * rng.standard_normal((2, 3, 28)), 0.3 * rng.standard_normal((2, 6))
    lam, ld = m.nvar_spectrum(Wn, z0, 5, 50, 0.025, 0)[:2]
    ok = np.isfinite(ld)
    assert ok.any() and np.allclose(lam[ok].sum(-1), ld[ok], atol=1e-8)
    lam5, ld5 = m.nvar_spectrum(Wn, z0, 5, 50, 0.025, 0, qr_every=5)[:2]
    assert np.allclose(lam5[ok], lam[ok], atol=1e-9) and np.allclose(ld5[ok], ld[ok])


def test_ridge_is_the_regularised_least_squares_minimiser():
    rng = np.random.default_rng(5)
    X, Y, beta = rng.standard_normal((2, 40, 6)), rng.standard_normal((2, 40, 3)), 0.7
    W = m.ridge(X, Y, beta)
    Xt = np.swapaxes(X, 1, 2)
    normal = np.swapaxes(np.linalg.solve(Xt @ X + beta * np.eye(6), Xt @ Y), 1, 2)
    assert np.allclose(W, normal, atol=1e-10)
    assert np.abs(m.ridge_loss(W, X, Y, beta)[1]).max() < 1e-9


def test_valid_time_and_error():
    err = np.array([[0.1, 0.2], [0.6, 0.3], [0.2, 0.9]])           # (H=3, 2 forecasts)
    assert m.valid_time(err, 0.5, 0.5).tolist() == [0.5, 1.0]      # fails at step 1 and step 2
    assert m.valid_time(np.zeros((4, 1)), 0.1, 0.5).tolist() == [0.4]
    e = m.normalised_error(np.array([[np.inf, 0, 0]]), np.zeros((1, 3)), np.ones(3))
    assert np.isinf(e).all()                                       # a diverged forecast fails


def test_verdict_rules():
    assert m.verdict_horizon(5.0, 3.2) == "yes"
    assert m.verdict_horizon(5.0, 2.0) == "partial"
    assert m.verdict_horizon(0.5, 0.1) == "no"
    ref = (0.9056, 0.0, -14.5723)
    assert m.spectrum_match(np.array([[0.9, 0.01, -14.0]] * 3), ref) == [True, True, True]
    assert m.spectrum_match(np.array([[0.9, 0.01, -10.0]]), ref) == [True, True, False]
    assert m.spectrum_match(np.array([[np.nan, 0.0, -14.5]]), ref)[0] is False
    assert [m.verdict_spectrum(x, 5, 5) for x in ([True] * 3, [True, True, False], [False, True, True])] == \
        ["yes", "partial", "no"]
    assert m.verdict_spectrum([True] * 3, 2, 5) == "no"                 # most closed loops lose the climate
    assert m.cap_recalled("yes") == "partial" and m.cap_recalled("no") == "no"
    assert m.worse("yes", "partial") == "partial" and m.worse("no", "yes") == "no"
    assert m.better("no", "partial") == "partial" and m.better("yes", "no") == "yes"
    good = dict(vpt_mean=5.0, vpt_ci95=[4.0, 6.0], match=[True, True, False], n_climate=5)
    assert m.model_verdict(good, 5) == "partial"                         # horizon yes, spectrum partial
    assert m.model_verdict(dict(good, vpt_mean=0.2, vpt_ci95=[0.1, 0.3]), 5) == "no"
    ok = m.climate_ok(np.array([[0.0, 0, 23.0], [0.0, 0, 30.0]]), np.array([[8.0, 9, 8.6]] * 2),
                      np.array([0.0, 0, 23.5]), np.array([7.9, 9.0, 8.7]))
    assert ok.tolist() == [True, False]


def test_fast_path_check_and_gradcheck_report_small_errors():
    p, W, r = small_esn(6)
    assert checks.fast_path_error(p, W, r, 20, 0.02) < 1e-10
    errs = checks.gradcheck()
    assert len(errs) == 4 and max(errs.values()) < 1e-6


def test_bad_flags_fail_with_one_line():
    for argv in (["--flows", "rossler"], ["--flows", "lorenz,lorenz"], ["--N", "100000"], ["--n-ic", "0"]):
        proc = run_stub(STUB, "--quick", *argv, "--out", "/tmp/never-written.json", timeout=60)
        err = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        assert proc.returncode == 2 and len(err) == 1 and "Traceback" not in proc.stderr, argv
