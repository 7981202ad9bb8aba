"""Checks of stubs/modern-hopfield-retrieval: determinism, the verdict rules, the Jacobian and the
energy gradient against finite differences, the CCCP energy decrease, the Lyapunov spectrum at a
fixed point against ln eig(J) and its sum identity, the paper's stated Theorem 3 constants, and
bad input. The gradient checks of --gradcheck run in tests/test_stubs.py."""

import json

import numpy as np

from conftest import ROOT, load_stub, run_stub

STUB = ROOT / "stubs" / "modern-hopfield-retrieval"
mh = load_stub("modern-hopfield-retrieval")


def test_quick_run_is_deterministic(tmp_path):
    outs = []
    for i in range(2):
        proc = run_stub(STUB, "--quick", "--out", tmp_path / f"r{i}.json", timeout=120)
        assert proc.returncode == 0, proc.stderr
        r = json.loads((tmp_path / f"r{i}.json").read_text())
        r["metrics"].pop("timing")
        outs.append((r["headline"], r["metrics"], r["lyapunov"]))
    assert outs[0] == outs[1]


def test_verdict_rules():
    assert mh.verdict_bounds({"a": 0, "b": 0}) == "yes" and mh.verdict_bounds({"a": 0, "b": 1}) == "no"
    assert [mh.verdict_rate(s) for s in (-1.0, -0.95, -1.3, -0.5)] == ["yes", "yes", "partial", "no"]
    assert [mh.verdict_one_step(s) for s in (0.995, 0.95, 0.5)] == ["yes", "partial", "no"]
    assert [mh.verdict_capacity(m, 8) for m in (65536, 100, 8)] == ["yes", "partial", "no"]
    assert [mh.verdict_exponential(lo, r2) for lo, r2 in ((0.3, 0.99), (0.3, 0.5), (-0.1, 0.99))] == [
        "yes",
        "partial",
        "no",
    ]
    assert [mh.verdict_classical(a) for a in (0.13, 0.19, 0.3)] == ["yes", "partial", "no"]
    assert mh.verdict_theorem3(0.0, 1e-3) == "yes" and mh.verdict_theorem3(0.01, 1e-3) == "no"
    assert [mh.verdict_types(n, 5) for n in (5, 2, 0)] == ["yes", "partial", "no"]
    assert [mh.verdict_jacobian(s, m) for s, m in ((1e-5, 0.7), (0.05, 0.7), (0.9, 0.5), (None, 0.5))] == [
        "yes",
        "partial",
        "no",
        "no",
    ]
    assert mh.verdict_energy(1e-15) == "yes" and mh.verdict_energy(1e-6) == "no"


def _fd_jacobian(xi, X, beta, eps=1e-5):
    d = xi.shape[-1]
    J = np.zeros((d, d))
    for j in range(d):
        e = np.zeros(d)
        e[j] = eps
        J[:, j] = (mh.update(xi + e, X, beta)[0] - mh.update(xi - e, X, beta)[0])[0] / (2 * eps)
    return J


def test_jacobian_matches_finite_differences_in_all_regimes():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((5, 7))
    for beta in (0.02, 0.5, 5.0):
        xi = rng.standard_normal((1, 5))
        J = mh.jacobian(mh.update(xi, X, beta)[1], X, beta)[0]
        assert np.allclose(J, J.T)
        assert np.allclose(J, _fd_jacobian(xi, X, beta), rtol=1e-6, atol=1e-9)


def test_energy_gradient_is_state_minus_update_and_zero_at_fixed_points():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((4, 6))
    xi = rng.standard_normal((1, 4))
    g = mh.energy_grad(xi, X, 0.8)
    num = np.array(
        [(mh.energy(xi + e, X, 0.8) - mh.energy(xi - e, X, 0.8))[0] / 2e-6 for e in 1e-6 * np.eye(4)]
    )
    assert np.allclose(g[0], num, rtol=1e-6, atol=1e-8)
    fp = mh.iterate(xi, X, 0.8, 5000, 1e-14)[0]
    assert np.abs(mh.energy_grad(fp, X, 0.8)).max() < 1e-12


def test_energy_never_increases_and_obeys_lemma_a1():
    rng = np.random.default_rng(3)
    X = np.where(rng.random((16, 40)) < 0.5, -1.0, 1.0)
    M2 = 16.0
    for beta in (0.01, 0.1, 1.0, 10.0):
        xi = 3 * rng.standard_normal((50, 16))
        E = [mh.energy(xi, X, beta)]
        for _ in range(20):
            xi = mh.update(xi, X, beta)[0]
            E.append(mh.energy(xi, X, beta))
        E = np.array(E)
        assert np.diff(E, axis=0).max() <= 1e-12 * M2
        assert E.min() >= -1e-12 and E[1:].max() <= 2 * M2 + 1e-9


def test_retrieval_error_is_exact_and_obeys_lemma_a4():
    rng = np.random.default_rng(4)
    X = np.where(rng.random((32, 50)) < 0.5, -1.0, 1.0)
    tgt = rng.integers(50, size=20)
    xi = mh.flip_bits(rng, X[:, tgt].T, 3)
    sc = xi @ X
    for beta in (0.05, 0.3, 2.0):
        p = mh.softmax(beta * sc)
        err = mh.retrieval_error(p, X, tgt)[0]
        naive = np.sqrt(((p @ X.T - X[:, tgt].T) ** 2).sum(-1))
        assert np.allclose(err, naive, rtol=1e-8, atol=1e-12)
        own = sc[np.arange(20), tgt]
        sc_o = sc.copy()
        sc_o[np.arange(20), tgt] = -np.inf
        bound = 2 * 49 * np.exp(-beta * (own - sc_o.max(1))) * np.sqrt(32)
        assert (err <= bound).all()


def test_lyapunov_spectrum_at_a_fixed_point_is_ln_eig_and_sums_to_ln_det():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((4, 9))  # N > d: J has full rank
    beta = 0.3
    fp, p, _ = mh.iterate(rng.standard_normal((1, 4)), X, beta, 10000, 1e-15)
    J = mh.jacobian(p, X, beta)[0]
    from shared.lyapunov import map_spectrum

    ex = map_spectrum(
        lambda x: mh.update(x, X, beta)[0],
        lambda x: mh.jacobian(mh.update(x, X, beta)[1], X, beta),
        fp[0],
        60,
        n_transient=10,
    )
    eig = np.sort(np.linalg.eigvalsh(J))[::-1]
    assert np.allclose(ex, np.log(eig), atol=1e-8)
    assert abs(ex.sum() - np.linalg.slogdet(J)[1]) < 1e-8


def test_theorem3_constants_match_the_paper():
    assert abs(mh.lambert_w0(np.array(3.0)) * np.exp(mh.lambert_w0(np.array(3.0))) - 3.0) < 1e-12
    c, n, c_min = mh.theorem3_bound(1.0, 3.0, 20, 1e-3)
    assert abs(c - 3.1546) < 1e-4 and c >= c_min and 7 < n < 8
    assert abs(mh.theorem3_bound(1.0, 1.0, 75, 1e-3)[0] - 1.3718) < 1e-4


def test_classical_net_keeps_few_patterns_and_capacity_rule():
    rng = np.random.default_rng(6)
    X = np.where(rng.random((200, 5)) < 0.5, -1.0, 1.0)
    out = mh.classical_retrieve(mh.hebbian(X), X.T, rng, 10)
    assert np.array_equal(out, X.T)
    assert list(mh.capacity_from_curve([2, 4, 8, 16], [[1, 0.95, 0.5, 0.99], [0.2, 1, 1, 1]], 0.9)) == [4, 0]
    assert mh.capacity_from_curve([2, 4], [1.0, 1.0], 0.9) == 4


def test_bad_seed_count_fails_with_one_line():
    for argv in (["--n-seeds", "0"], ["--n-seeds", "1000"], ["--n-seeds", "x"]):
        proc = run_stub(STUB, "--quick", *argv, "--out", "/tmp/never-written.json", timeout=60)
        err = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        assert proc.returncode == 2 and len(err) == 1 and "Traceback" not in proc.stderr, argv
