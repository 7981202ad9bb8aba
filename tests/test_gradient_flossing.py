"""Checks of stubs/gradient-flossing: determinism, the verdict rules, the RNN Jacobians against
finite differences, the sum identity along the stub's own trajectories, bad input.

Every gradient of the stub (d lambda / d (J, b, w_s) through the QR steps, the flossing loss, the
QR backward rule, the XOR BPTT of the core) is checked against central differences by
--gradcheck, which tests/test_stubs.py runs; the core has its own tests in tests/test_flossing.py."""
import json

import numpy as np

from conftest import ROOT, load_stub, run_stub

from shared.flossing.floss import floss_grads
from shared.flossing.rnn import rnn_init
from shared.lyapunov import qr_positive

STUB = ROOT / "stubs" / "gradient-flossing"
gf = load_stub("gradient-flossing")


def test_quick_run_is_deterministic(tmp_path):
    outs = []
    for i in range(2):
        proc = run_stub(STUB, "--quick", "--workers", "1", "--out", tmp_path / f"r{i}.json", timeout=300)
        assert proc.returncode == 0, proc.stderr
        r = json.loads((tmp_path / f"r{i}.json").read_text())
        r["metrics"].pop("timing")
        outs.append((r["headline"], r["metrics"], r["lyapunov"]))
    assert outs[0] == outs[1]


def test_two_workers_give_the_same_numbers(tmp_path):
    """Jobs in worker processes draw from the same named streams as in one process."""
    res = []
    for w in (1, 2):
        proc = run_stub(STUB, "--quick", "--workers", str(w), "--out", tmp_path / f"w{w}.json", timeout=300)
        assert proc.returncode == 0, proc.stderr
        r = json.loads((tmp_path / f"w{w}.json").read_text())
        r["metrics"].pop("timing")
        res.append(r["metrics"])
    assert res[0] == res[1]


def _net(seed=0, S=2, N=7, g=1.3):
    rng = np.random.default_rng(seed)
    p = rnn_init(rng, S, N, 2, g, 0.1)
    return rng, p


def _rates(p, u, r0):
    """r_n = tanh h_n after the steps u, from the rate r0 = tanh h_0."""
    return np.tanh(gf.drive(p, u, np.arctanh(r0)))


def test_one_step_jacobian_matches_finite_differences():
    """D_n = diag(sech^2 h_n) J is the derivative of the rate map r_{n-1} -> r_n."""
    rng, p = _net()
    r0 = 0.8 * np.tanh(rng.standard_normal((2, 7)))
    u = np.array([[1.0, 0.0]])
    D = gf.jacobian(p, gf.drive(p, u, np.arctanh(r0))[0])
    eps = 1e-6
    num = np.zeros_like(D)
    for j in range(7):
        e = np.zeros(7)
        e[j] = eps
        num[:, :, j] = (_rates(p, u, r0 + e)[0] - _rates(p, u, r0 - e)[0]) / (2 * eps)
    assert np.allclose(D, num, rtol=1e-7, atol=1e-9)


def test_long_term_jacobian_matches_finite_differences():
    """The tau-step product D_tau ... D_1 whose singular values the stub reports is the derivative
    of the tau-step rate map."""
    rng, p = _net(1)
    r0 = 0.8 * np.tanh(rng.standard_normal((2, 7)))
    u = rng.integers(0, 2, size=(6, 2)).astype(float)
    P = gf.long_term_jacobian(p, gf.drive(p, u, np.arctanh(r0)))
    eps = 1e-6
    num = np.zeros_like(P)
    for j in range(7):
        e = np.zeros(7)
        e[j] = eps
        num[:, :, j] = (_rates(p, u, r0 + e)[-1] - _rates(p, u, r0 - e)[-1]) / (2 * eps)
    assert np.allclose(P, num, rtol=1e-6, atol=1e-9)


def test_sum_identity_and_gradient_rate():
    """Sum of all N exponents = mean ln|det D_n| along the same steps; a gradient sent back
    through a linear-ish net decays at about lambda_1 per step."""
    rng, p = _net(2, N=9, g=0.6)
    fcfg = dict(check_steps=300, check_transient=50, tau=5, n_windows=3, grad_steps=20)
    u = rng.integers(0, 2, size=(350, 2)).astype(float)
    d = gf.diagnostics(p, p["x0"][:, 0], u, fcfg, k=9)
    assert np.allclose(d["lam_sum"], d["det_sum"], atol=1e-10)
    assert np.all(np.diff(d["lam"], axis=1) <= 1e-12)
    assert np.all(np.abs(d["grad_rate"] - d["lam"][:, 0]) < 0.15), (d["grad_rate"], d["lam"][:, 0])
    assert d["sv_log10"].shape == (2, 9) and np.all(d["log10_kappa"] > 0)


def test_default_upstream_gradient_is_the_flossing_loss():
    """floss_grads(dlam=None) (what maze-flossing calls) equals the explicit 2 lambda / k."""
    rng, p = _net(3)
    u = rng.integers(0, 2, size=(15, 2)).astype(float)
    Q0 = np.broadcast_to(qr_positive(rng.standard_normal((7, 5)))[0], (2, 7, 5)).copy()
    lam, g0 = floss_grads(p, u, 5, 3, Q0)
    _, g1 = floss_grads(p, u, 5, 3, Q0, dlam=2 * lam / 5)
    for key in g0:
        assert np.array_equal(g0[key], g1[key]), key


def test_epochs_to_learn():
    loss = np.full((30, 2), 0.69)
    loss[12:, 0] = 0.1          # epoch 18: mean of 4 x 0.69 and 6 x 0.1 = 0.336 < ln 2 / 2 = 0.347
    assert gf.epochs_to_learn(loss).tolist() == [18, 31]


def test_verdict_rules():
    assert gf.verdict_to_zero(np.array([1.0, 0.9]), np.array([0.05, 0.08])) == "yes"
    assert gf.verdict_to_zero(np.array([1.0, 0.9]), np.array([0.05, 0.2])) == "partial"
    assert gf.verdict_to_zero(np.array([0.3, 0.3]), np.array([0.09, 0.02])) == "partial"   # not 5x
    assert gf.verdict_to_zero(np.array([1.0, 0.9]), np.array([1.1, 0.2])) == "no"
    assert gf.verdict_condition(np.array([9.0, 8.0]), np.array([2.0, 6.5])) == "yes"
    assert gf.verdict_condition(np.array([9.0, 8.0]), np.array([2.0, 7.5])) == "partial"
    assert gf.verdict_condition(np.array([2.0]), np.array([2.5])) == "no"
    assert gf.verdict_gradient(np.array([-0.3, -0.3]), np.array([-0.02, 0.04])) == "yes"
    assert gf.verdict_gradient(np.array([-0.3, -0.3]), np.array([-0.2, 0.04])) == "partial"
    assert gf.verdict_gradient(np.array([-0.1]), np.array([-0.2])) == "no"
    assert gf.verdict_gradcheck(5e-8) == "yes" and gf.verdict_gradcheck(2e-6) == "no"
    assert gf.verdict_pre([3, 2, 0], [3, 0, 0]) == "yes"
    assert gf.verdict_pre([3, 2, 0], [2, 0, 1]) == "partial"
    assert gf.verdict_pre([1, 0], [1, 0]) == "no"
    c = 302
    assert gf.verdict_speed(np.array([[40, 50, 60]]), np.array([[80, 90, 302]]), c) == "yes"
    assert gf.verdict_speed(np.array([[40, 50], [90, 90]]), np.array([[80, 90], [50, 50]]), c) == "partial"
    assert gf.verdict_speed(np.array([[90, 90]]), np.array([[50, 50]]), c) == "no"
    assert gf.verdict_speed(np.array([[302, 302]]), np.array([[302, 302]]), c) == "open"
    assert gf.verdict_inter(15, 10, 7, 5) == "yes"
    assert gf.verdict_inter(10, 10, 7, 5) == "partial"
    assert gf.verdict_inter(10, 10, 5, 5) == "open"
    assert gf.verdict_inter(5, 10, 3, 5) == "open"                # a budget cap is never a no


def test_bad_input_fails_with_one_line():
    for argv in (["--delays", "150"], ["--delays"] + ["2"] * 9, ["--n-seeds", "0"], ["--workers", "9"],
                 ["--floss-steps", "abc"], ["--epochs", "1000000000"]):
        proc = run_stub(STUB, "--quick", *argv, "--out", "/tmp/never-written.json", timeout=120)
        err = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        assert proc.returncode == 2 and len(err) == 1 and "Traceback" not in proc.stderr, (argv, proc.stderr)
