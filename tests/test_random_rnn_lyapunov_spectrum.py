"""Checks of stubs/random-rnn-lyapunov-spectrum: determinism, the mean-field solver, the Jacobian
against finite differences, the stub's estimators against shared.lyapunov, the sum identity, the
fixed point below onset, the verdict rules and bad flags. The --gradcheck Jacobian checks also run
in tests/test_stubs.py."""
import json

import numpy as np

from conftest import ROOT, load_stub, run_stub
from shared.cli import load_sibling
from shared.gradcheck import check_gradients
from shared.lyapunov import map_spectrum

STUB = ROOT / "stubs" / "random-rnn-lyapunov-spectrum"
rr = load_stub("random-rnn-lyapunov-spectrum")
dyn = load_sibling(str(STUB / "random_rnn_lyapunov_spectrum.py"), "random_rnn_lyapunov_spectrum_dynamics",
                   vars(rr))


def test_quick_run_is_deterministic(tmp_path):
    outs = []
    for i in range(2):
        proc = run_stub(STUB, "--quick", "--out", tmp_path / f"r{i}.json", timeout=300)
        assert proc.returncode == 0, proc.stderr
        r = json.loads((tmp_path / f"r{i}.json").read_text())
        r["metrics"].pop("timing")
        outs.append((r["headline"], r["metrics"], r["lyapunov"]))
    assert outs[0] == outs[1]


def test_mean_field_matches_the_reference_table():
    # the family note's table (fine quadrature): g -> (Delta, lambda_1)
    g = np.array([0.5, 1.5, 2.0, 3.0, 5.0])
    delta, lam = rr.mean_field(g)
    assert np.allclose(lam, [np.log(0.5), 0.0652, 0.1547, 0.3102, 0.5324], atol=6e-5)
    assert np.allclose(delta, [0.0, 0.793, 2.12, 6.31, 20.7], rtol=3e-3, atol=1e-12)
    # self-consistency, and the answer does not move on a ten times finer grid
    assert np.allclose(g[1:] ** 2 * rr.gauss_average(lambda h: np.tanh(h) ** 2, delta[1:]), delta[1:])
    fine = rr.mean_field(g, average=lambda f, d: rr.gauss_average(f, d, n=400_001, width=12.0))[1]
    assert np.abs(fine - lam).max() < 1e-9
    # the pitfall the note warns about: 121-node Gauss-Hermite is off by > 0.04 at g = 5
    gh = rr.mean_field(g, rr.gauss_hermite_average(121))[1]
    assert gh[-1] - lam[-1] > 0.04 and abs(gh[1] - lam[1]) < 1e-3


def test_jacobian_matches_finite_differences():
    rng = np.random.default_rng(3)
    N = 10
    W = rng.standard_normal((N, N)) / np.sqrt(N)
    for g in (0.5, 2.0, 5.0):
        x = {"x": rng.standard_normal(N)}
        for _ in range(3):
            c = rng.standard_normal(N)
            err = check_gradients(lambda c=c, g=g, x=x: float(c @ rr.rnn_step(W, x["x"], g)), x,
                                  {"x": rr.rnn_jacobian(W, x["x"], g).T @ c})["x"]
            assert err < 1e-6, (g, err)


def test_top_exponents_equal_shared_map_spectrum():
    """The stub's fused N x (k+2)-column iteration equals shared.lyapunov.map_spectrum on the
    same net, initial state and frame, and its twin follows the first QR column."""
    N, k, g, align, steps = 16, 3, 2.5, 20, 200
    W = rr.make_nets(np.random.default_rng(0), 1, N)
    lam, first, twin = rr.top_exponents(W, [g], 1, k, 0, align, steps, 1e-8,
                                        np.random.default_rng(1), np.random.default_rng(2))
    x0 = np.random.default_rng(1).standard_normal(N)
    ref = map_spectrum(lambda x: rr.rnn_step(W[0], x, g), lambda x: rr.rnn_jacobian(W[0], x, g),
                       x0, steps, k=k, n_transient=align, rng=np.random.default_rng(2))
    assert np.allclose(lam[0, 0, 0], ref, atol=1e-10)
    assert abs(twin[0, 0, 0] - first[0, 0, 0]) < 1e-5


def test_sum_identity_and_row_sorting():
    """Sum of all exponents = ln|det gW| + mean sum ln sech^2 h on every trajectory; sorting the
    rows changes no exponent beyond rounding (and keeps the identity at g = 5)."""
    W = rr.make_nets(np.random.default_rng(4), 2, 24)
    gs = [1.5, 3.0, 5.0]
    lam, pred = rr.full_spectra(W, gs, 100, 50, 400, np.random.default_rng(5), np.random.default_rng(6))
    assert np.max(np.abs(lam.sum(-1) - pred) / np.abs(pred)) < 1e-11
    # the unsorted stream on the same trajectories: same top exponents
    S, G, N = lam.shape
    gW = (np.asarray(gs)[None, :, None, None] * W[:, None]).reshape(S * G, N, N)
    x = np.random.default_rng(5).standard_normal((S * G, N))
    for _ in range(100):
        x = np.tanh((gW @ x[..., None])[..., 0])
    acc = np.zeros(S * G)
    plain = rr.qr_spectrum(rr.jacobian_stream(gW, x, 450, 50, acc, sort_rows=False), n_transient=50,
                           rng=np.random.default_rng(6)).reshape(S, G, N)
    assert np.allclose(plain[..., :N // 2], lam[..., :N // 2], atol=1e-8)


def test_below_onset_the_spectrum_is_ln_eig_gW():
    W = rr.make_nets(np.random.default_rng(7), 1, 20)
    g = 0.6
    lam, pred = rr.full_spectra(W, [g], 200, 200, 2000, np.random.default_rng(8), np.random.default_rng(9))
    mu = np.sort(np.log(g * np.abs(np.linalg.eigvals(W[0]))))[::-1]
    assert abs(lam[0, 0, 0] - mu[0]) < 2e-3                   # complex pairs: O(1/T)
    assert abs(lam[0, 0].sum() - mu.sum()) < 1e-9              # fixed point: J = gW exactly


def test_verdict_rules():
    assert rr.verdict_mf([0.001, -0.007], 0.008, 0.02) == "yes"
    assert rr.verdict_mf([0.001, -0.012], 0.008, 0.02) == "partial"
    assert rr.verdict_mf([0.03, 0.0], 0.008, 0.02) == "no"
    assert rr.verdict_full([0.01, -0.02], [0.03, 0.04], 0.025, 0.05) == "yes"
    assert rr.verdict_full([0.01, -0.03], [0.03, 0.04], 0.025, 0.05) == "partial"
    assert rr.verdict_full([0.01, -0.03], [0.03, 0.06], 0.025, 0.05) == "no"
    assert rr.verdict_rise_fall([0.13, 0.24, 0.28, 0.24], [0.01, 0.01, 0.01, 0.01]) == "yes"
    assert rr.verdict_rise_fall([0.13, 0.24, 0.28, 0.27], [0.01, 0.01, 0.01, 0.01]) == "partial"
    assert rr.verdict_rise_fall([0.13, 0.24, 0.28, 0.30], [0.01, 0.01, 0.01, 0.01]) == "no"
    assert rr.verdict_rise_fall_here([0.13, 0.24, 0.28, 0.24], [0.01, 0.01, 0.01, 0.01]) == "partial"
    assert rr.verdict_rise_fall_here([0.13, 0.24, 0.28, 0.30], [0.01, 0.01, 0.01, 0.01]) == "no"
    assert rr.verdict_sum([1e-14, 3e-12], 1e-9) == "yes" and rr.verdict_sum([1e-6], 1e-9) == "no"
    assert rr.verdict_onset(0.001, [0.01, 0.2], 0.005) == "yes"
    assert rr.verdict_onset(0.001, [-0.01, 0.2], 0.005) == "partial"
    assert rr.verdict_onset(0.01, [-0.01], 0.005) == "no"
    assert rr.verdict_twin([1e-7, -2e-7], 1e-3) == "yes" and rr.verdict_twin([2e-3], 1e-3) == "no"
    assert dyn.verdict_pairs([-2.050, -2.055], [0.03, 0.04], -2.0517, 0.01, 0.05) == "yes"
    assert dyn.verdict_pairs([-2.050, -2.055], [0.03, 0.09], -2.0517, 0.01, 0.05) == "partial"
    assert dyn.verdict_pairs([-2.050, -2.07], [0.03, 0.04], -2.0517, 0.01, 0.05) == "no"


def test_flow_jacobian_and_blocks():
    """The Euler step's Jacobian against central differences, and a block of steps against the
    product of single-step Jacobians along the same states."""
    rng = np.random.default_rng(11)
    N, dt = 9, 0.05
    J = 2.0 * rng.standard_normal((N, N)) / np.sqrt(N)
    np.fill_diagonal(J, 0.0)
    h = {"x": rng.standard_normal(N)}
    c = rng.standard_normal(N)
    err = check_gradients(lambda: float(c @ dyn.flow_step(J, h["x"], dt)), h,
                          {"x": dyn.flow_jacobian(J, h["x"], dt).T @ c})["x"]
    assert err < 1e-6
    M_ref, x = np.eye(N), h["x"].copy()
    for _ in range(4):
        M_ref, x = dyn.flow_jacobian(J, x, dt) @ M_ref, dyn.flow_step(J, x, dt)
    M = next(dyn.flow_blocks(J[None], h["x"][None], dt, 1, 4))[0]
    assert np.allclose(M, M_ref, atol=1e-13)


def test_spectrum_rms_compares_on_i_over_n():
    a = np.linspace(1, -3, 100)
    b = np.linspace(1, -3, 200)
    assert rr.spectrum_rms(a, b) < 0.03 and rr.spectrum_rms(b, a) == rr.spectrum_rms(a, b)
    assert rr.spectrum_rms(a, b - 0.5) > 0.45


def test_bad_sizes_fail_with_one_line():
    for argv in (["--n-large", "1"], ["--nets", "9"], ["--n-full", "5000"], ["--steps", "x"]):
        proc = run_stub(STUB, "--quick", *argv, "--out", "/tmp/never-written.json", timeout=60)
        err = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        assert proc.returncode == 2 and len(err) == 1 and "Traceback" not in proc.stderr, argv
