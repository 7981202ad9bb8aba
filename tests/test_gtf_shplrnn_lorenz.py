"""Checks of stubs/gtf-shplrnn-lorenz: determinism, the verdict rules, the exact Jacobian against
finite differences, the Lyapunov sum identity, the GTF recursion against the plain step, the
metrics on known cases, bad input in one line.

The hand-written GTF backward pass (alpha = 0, 0 < alpha < 1, alpha = 1) is checked by
tests/test_stubs.py through --gradcheck."""
import json

import numpy as np

from conftest import ROOT, load_stub, run_stub
from shared.gradcheck import numeric_jacobian

STUB = ROOT / "stubs" / "gtf-shplrnn-lorenz"
gtf = load_stub("gtf-shplrnn-lorenz")


def _params(seed=0, S=2, H=9):
    rng = np.random.default_rng(seed)
    p = gtf.init_params(rng, S, 3, H)
    p["h1"] += 0.1 * rng.standard_normal(p["h1"].shape)
    return p, rng


def test_quick_run_is_deterministic(tmp_path):
    outs = []
    for i in range(2):
        proc = run_stub(STUB, "--quick", "--out", tmp_path / f"r{i}.json", timeout=300)
        assert proc.returncode == 0, proc.stderr
        r = json.loads((tmp_path / f"r{i}.json").read_text())
        outs.append((r["headline"], r["metrics"]["d_stsp"], r["lyapunov"]["exponents"]))
    assert outs[0] == outs[1]


def test_jacobian_matches_finite_differences():
    p, rng = _params(1)
    z = 1.5 * rng.standard_normal((2, 7, 3))
    J = gtf.jacobian(p, z)
    Jn = numeric_jacobian(lambda x: gtf.step(p, x), z)
    assert np.abs(J - Jn).max() < 1e-8


def test_lyapunov_sum_identity_along_a_trained_like_orbit():
    # sum of the exponents = mean ln|det J| along the same orbit (exact for any map)
    p, rng = _params(2, S=2, H=20)
    p["A"][:] = 1.0
    p["W1"] *= 3.0
    cfg = dict(n_lyap=3000, lyap_transient=200, dt=0.01)
    lam, logdet = gtf.model_spectrum(p, 0.5 * rng.standard_normal((2, 3)), cfg)
    assert np.abs(lam.sum(1) - logdet).max() < 1e-8 * max(1.0, np.abs(logdet).max())


def test_gtf_with_alpha_zero_is_the_free_run_and_alpha_one_is_one_step():
    p, rng = _params(3)
    X = rng.standard_normal((6, 2, 4, 3))
    err = gtf.gtf_forward(p, X, np.zeros(2), 0.0)[1][3]                   # (S, T, B, M)
    z = X[0].copy()
    for t in range(5):
        z = gtf.step(p, z)
        assert np.allclose(err[:, t], z - X[t + 1])
    err1 = gtf.gtf_forward(p, X, np.ones(2), 0.0)[1][3]
    assert np.allclose(err1, np.stack([gtf.step(p, X[t]) - X[t + 1] for t in range(5)], 1))


def test_alpha_estimate_bounds_the_forced_jacobian_product():
    # alpha = 1 - 1/G makes (1 - alpha) * geometric-mean norm <= 1 along every window
    p, rng = _params(4, H=30)
    p["W1"] *= 6.0
    Xf = rng.standard_normal((50, 2, 5, 3))
    alpha, G = gtf.estimate_alpha(p, Xf)
    assert np.all(G > 1) and np.allclose((1 - alpha) * G, 1.0)
    J = gtf.jacobian(p, Xf.transpose(1, 2, 0, 3).reshape(2, -1, 3)).reshape(2, 5, 50, 3, 3)
    geo = np.exp(np.log(np.linalg.norm(J, 2, axis=(-2, -1))).mean(-1))    # (S, B)
    assert np.all((1 - alpha)[:, None] * geo <= 1 + 1e-12)


def test_metrics_on_known_cases():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((20_000, 3))
    assert gtf.d_stsp(x, x, 30) < 1e-12                                  # identical data
    assert gtf.d_stsp(x, x + 3.0, 30) > 5                                # shifted away
    t = np.arange(8192)[:, None] * np.array([0.05, 0.07, 0.11])
    assert gtf.d_hellinger(np.sin(t), np.sin(t), 20.0) < 1e-12
    assert gtf.d_hellinger(np.sin(t), np.sin(3 * t), 20.0) > 0.9           # disjoint spectral peaks
    assert gtf.d_hellinger(np.sin(t), np.ones_like(t), 20.0) == 1.0        # a collapsed free run


def test_verdict_rules():
    assert gtf.verdict_below([0.1, 0.2], 0.2) == "yes"
    assert gtf.verdict_below([0.1, 0.3], 0.2) == "partial"
    assert gtf.verdict_below([0.3, 0.4], 0.2) == "open"
    assert gtf.verdict_close([0.85, 0.95], 0.9056, 0.18) == "yes"
    assert gtf.verdict_close([0.85, 0.5], 0.9056, 0.18) == "partial"
    assert gtf.verdict_close([0.3, 1.5], 0.9056, 0.18) == "open"
    assert [gtf.capped_recalled(v) for v in ("yes", "partial", "open")] == ["partial", "partial", "open"]
    assert gtf.verdict_gradients([1.5, 2.0], [1e4, 500], [0.9, 0.8]) == "yes"
    assert gtf.verdict_gradients([1.5, 20.0], [1e4, 500], [0.9, 0.8]) == "partial"
    assert gtf.verdict_gradients([1.5, 2.0], [50, 20], [0.9, -0.1]) == "no"
    assert gtf.verdict_gradients([1.5, 2.0], [3, 2], [-2.0, -0.1]) == "open"      # no chaotic model


def test_bad_flags_fail_with_one_line():
    for argv in (["--epochs", "0"], ["--epochs", "100000"], ["--n-seeds", "17"], ["--n-seeds", "x"]):
        proc = run_stub(STUB, "--quick", *argv, "--out", "/tmp/never-written.json", timeout=60)
        err = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        assert proc.returncode == 2 and len(err) == 1 and "Traceback" not in proc.stderr, argv
