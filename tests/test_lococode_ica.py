"""Checks of stubs/lococode-ica: the bars ensemble, the closed-form FMS terms against B written
out weight by weight from the output derivatives, the hand-written gradients against finite
differences, the lambda rule, the unit and bar judges on hand-built codes, and the baselines
(FastICA recovers linearly mixed Laplacian sources; the 10 bars span only 9 dimensions)."""
import numpy as np
from conftest import load_stub

from shared.gradcheck import TOLERANCE

lc = load_stub("lococode-ica")


def test_bars_ensemble():
    rng = np.random.default_rng(0)
    X, Z = lc.bars(rng, 4000, "bars")
    assert X.shape == (4000, 25) and Z.shape == (4000, 10)
    assert set(np.unique(X)) <= {-0.5, 0.5}
    assert abs(Z.mean() - 0.2) < 0.01                       # each bar present with probability 1/5
    # a pixel is on exactly when a bar through it is on
    on = (Z @ lc.bar_masks()) > 0
    assert np.array_equal(on, X > 0)
    Xn, Zn = lc.bars(rng, 4000, "noisy")
    resid = Xn - np.where(Zn @ lc.bar_masks() > 0, Xn, -0.5)
    assert abs(resid[(Zn @ lc.bar_masks()) == 0].var() - 0.05) < 0.005  # noise variance 0.05 off the bars


def derivatives_by_weight(p, x):
    """dy^k/dw for every weight of net 0 on one pattern, by central differences: (K, L)."""
    cols = []
    for k in ("W1", "b1", "W2", "b2"):
        flat = p[k][0].reshape(-1)
        for i in range(flat.size):
            keep = flat[i]
            flat[i] = keep + 1e-6
            yp = lc.forward(p, x[None])["y"][0, 0]
            flat[i] = keep - 1e-6
            ym = lc.forward(p, x[None])["y"][0, 0]
            flat[i] = keep
            cols.append((yp - ym) / 2e-6)
    return np.array(cols).T


def test_fms_closed_form_matches_the_definition():
    """B from fms_terms equals 1/2 [sum_ij log sum_k d_kij^2 + L log sum_k (sum_ij |d_kij| /
    sqrt(sum_k d_kij^2))^2] with d = dy/dw taken numerically, up to the constant log x_j^2 terms."""
    rng = np.random.default_rng(1)
    p = lc.init_net(rng, 1, 4, 0.6, -1.0)
    X, _ = lc.bars(rng, 3, "noisy")
    c = lc.forward(p, X)
    B = lc.fms_terms(p, c)[0][0]
    ref = 0.0
    for x in X:
        d = derivatives_by_weight(p, x)                      # (K, L)
        s = (d ** 2).sum(0)
        T1 = np.log(s).sum()
        T2 = d.shape[1] * np.log(((np.abs(d) / np.sqrt(s)).sum(1) ** 2).sum())
        # the closed form drops sum_h sum_j log x_j^2, constant in the weights
        T1 -= 4 * np.log(x ** 2).sum()
        ref += 0.5 * (T1 + T2) / len(X)
    assert abs(B - ref) < 1e-5 * abs(ref)


def test_gradients_match_finite_differences():
    checks = lc.cli.load_sibling(lc.__file__, "lococode_ica_checks", vars(lc))
    errs = checks.gradient_checks()
    assert len(errs) == 24
    assert max(errs.values()) < TOLERANCE, errs


def test_lambda_rule():
    lam = np.array([1.0, 1.0, 1.0, 1.0])
    # below E_tol; above it but falling; rising but below the average A; rising above A
    E = np.array([0.1, 0.5, 0.5, 0.5])
    E_prev = np.array([0.05, 0.6, 0.4, 0.4])
    A = np.array([0.3, 0.3, 0.6, 0.45])
    out = lc.lambda_rule(lam, E, E_prev, A, e_tol=0.16, dlam=0.01)
    assert np.allclose(out, [1.01, 1.01, 0.99, 0.9])
    low = lc.lambda_rule(np.array([0.005]), np.array([0.5]), np.array([0.4]), np.array([0.6]), 0.16, 0.01)
    assert low[0] == 0


def test_pruned_units_and_bar_match():
    rng = np.random.default_rng(2)
    _, Z = lc.bars(rng, 300, "bars")
    H = 12
    a = np.full((1, 300, H), 0.3)
    a[0, :, :10] = 0.02 + 0.96 * Z                   # ten perfect bar detectors
    p = {"W2": np.zeros((1, 25, H))}
    p["W2"][0, :, :10] = 1.0
    p["W2"][0, :, 10] = 0.01                          # an active unit with tiny outgoing weights
    p["W2"][0, :, 11] = 5.0                           # a strong unit that never changes (a bias)
    a[0, :, 10] = rng.random(300)
    gone, swing = lc.pruned_units(p, {"a": a})
    assert gone[0].tolist() == [False] * 10 + [True, True]
    best, n = lc.bar_match(a, Z)
    assert n[0] == 10 and np.allclose(best, 1.0)
    shuffled = a.copy()
    shuffled[0, :, :10] = rng.permutation(shuffled[0, :, :10])
    assert lc.bar_match(shuffled, Z)[1][0] <= 1


def test_fastica_and_the_rank_of_the_bars():
    base = lc.cli.load_sibling(lc.__file__, "lococode_ica_baselines", vars(lc))
    rng = np.random.default_rng(3)
    S = rng.laplace(size=(2000, 6))
    X = S @ rng.normal(size=(25, 6)).T
    F, mu, _ = base.fastica(X, 6, rng)
    C = np.abs(np.corrcoef(base.codes(F, mu, X).T, S.T)[:6, 6:])
    assert C.max(0).min() > 0.98                     # every source found
    assert np.allclose(np.sort(C.max(1)), np.sort(C.max(0)))
    # horizontal bars and vertical bars both sum to the full grid: 10 images, rank 9
    assert np.linalg.matrix_rank(lc.bar_masks()) == 9
    pc, var, _ = base.pca(X, 6)
    assert np.allclose(pc @ pc.T, np.eye(6)) and np.all(np.diff(var) <= 0)


def test_training_lowers_the_error_and_is_deterministic():
    rng = np.random.default_rng(4)
    X, _ = lc.bars(rng, 60, "bars")
    cfg = dict(lc.DEFAULTS, epochs=30, batch=20)
    runs = []
    for _ in range(2):
        p = lc.init_net(np.random.default_rng(5), 2, 8, 0.1, -1.0)
        curves, snaps = lc.train(p, X, "bars", cfg, np.random.default_rng(6), snapshots=(0, 10))
        runs.append(curves["E"])
        assert len(snaps) == 3
    assert np.array_equal(runs[0], runs[1])
    assert np.all(runs[0][-1] < runs[0][0])
