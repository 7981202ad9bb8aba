"""Checks of stubs/predictable-stereo: every hand-written gradient (all three D_l terms, separate
and tied classifier weights), the three data sources on hand-worked cases, the local-class term
on a hand-built code, the trivial solution's objectives, the evaluation rules on known codes and
the verdict rules. The PM family core's own checks are in tests/test_pm_core.py."""
import numpy as np
from conftest import load_stub

ps = load_stub("predictable-stereo")
checks = ps.cli.load_sibling(ps.__file__, "predictable_stereo_checks", vars(ps))


def test_gradients():
    errs = checks.gradient_checks()
    assert len(errs) > 50
    assert max(errs.values()) < 1e-6, {k: v for k, v in errs.items() if v >= 1e-6}


def test_stereo_pairs_shift_the_right_strips():
    rng = np.random.default_rng(3)
    x1, x2, s = ps.stereo_pairs(rng, 2, 50, 6, 3)
    assert x1.shape == x2.shape == (2, 50, 12) and s.shape == (2, 50)
    assert set(np.unique(s)) <= {0, 1, 2} and set(np.unique(x1)) <= {0.0, 1.0}
    for x in (x1, x2):
        right, left = x[..., :6], x[..., 6:]
        for r in range(2):
            for b in range(50):
                # left pixel i = right pixel i - s (circularly): one global shift for both strips
                assert np.array_equal(left[r, b], np.roll(right[r, b], s[r, b]))
    # the two strips are independent random images sharing only the shift
    assert not np.array_equal(x1[..., :6], x2[..., :6])


def test_feature_vectors_and_pairs():
    X, cls = ps.feature_vectors(8)
    left, right, ones = X[:, :4].sum(1), X[:, 4:].sum(1), X.sum(1)
    assert (left != right).all() and (ones != 4).all()
    # hand-worked: 00000111 has more ones on the right, fewer ones than zeros -> class 2
    i = np.flatnonzero((X == [0, 0, 0, 0, 0, 1, 1, 1]).all(1))[0]
    assert cls[i] == 2
    i = np.flatnonzero((X == [1, 1, 1, 1, 1, 0, 0, 0]).all(1))[0]     # left-heavy, 5 ones -> 1
    assert cls[i] == 1
    assert sorted(np.bincount(cls).tolist()) == [np.bincount(cls)[0]] * 4   # the 4 combos balance
    x1, x2, c = ps.feature_pairs(np.random.default_rng(0), 3, 40, X, cls)
    lookup = {tuple(v): k for v, k in zip(X.astype(int), cls, strict=True)}
    for r in range(3):
        for b in range(40):
            assert lookup[tuple(x1[r, b].astype(int))] == lookup[tuple(x2[r, b].astype(int))] == c[r, b]


def test_symbol_source():
    x1, x2, c, w = ps.symbol_source(4, 2)
    assert x1.shape == x2.shape == (16, 8) and abs(w.sum() - 1) < 1e-12
    a, b = x1.argmax(1), x2.argmax(1)
    assert np.array_equal(a % 4, c) and np.array_equal(b // 2, c)
    # the next symbol is not predictable from the previous one, its class is
    for k in range(8):
        assert len(set(b[a == k])) == 2


def test_local_term_on_a_hand_built_code():
    # four equiprobable patterns coded one-hot on four units: ybar = 1/4, var = 3/16 per unit
    y = np.eye(4)[None]
    w = np.full((1, 4), 0.25)
    D, dD = ps.d_local(y, w, lam=0.7)
    assert abs(D[0] + 0.5 * 4 * 3 / 16) < 1e-12            # the lambda term vanishes at 1/q use
    # a constant output is the trivial solution: no variance, only the lambda penalty if unequal
    D0, _ = ps.d_local(np.full((1, 4, 4), 0.25), w, lam=0.7)
    assert abs(D0[0]) < 1e-12 and D0[0] > D[0]


def test_normalised_outputs_sum_to_one():
    rng = np.random.default_rng(1)
    nets = ps.init_nets(rng, 2, 5, 3, 4, "local", 1.0)
    y, _ = ps.classify(nets["T1"], rng.integers(0, 2, (2, 6, 5)).astype(float), True)
    assert np.allclose(y.sum(-1), 1.0) and (y > 0).all()


def test_trivial_solution_has_zero_distance_and_zero_pm_reward():
    rng = np.random.default_rng(2)
    nets = ps.init_nets(rng, 1, 4, 3, 2, "pm", 1.0, K=2)
    for net in (nets["T1"], nets["T2"]):                    # constant classifiers: bias only
        net["W2"][:] = 0.0
        net["b2"][:] = 3.0
    # predictors that output the constant exactly: V2 = 0, c2 = 3 (their logistic matches)
    for j in (1, 2):
        nets[f"P{j}"]["V2"][:] = 0.0
        nets[f"P{j}"]["c2"][:] = 3.0
    x1, x2 = rng.integers(0, 2, (2, 1, 5, 4)).astype(float)
    L, _, _ = ps.pair_objective(nets, x1, x2, np.full(5, 0.2), "pm", (1.0, 1.0))
    assert abs(L["M"][0]) < 1e-15 and abs(L["D1"][0]) < 1e-15 and abs(L["D2"][0]) < 1e-15


def test_decode_accuracy_on_known_codes():
    labels = np.array([[0, 1, 0, 1, 0, 1, 0, 1]])
    assert ps.decode_accuracy(labels, labels, labels, labels, 2)[0] == 1.0
    flipped = 1 - labels                                      # the code's polarity does not matter
    assert ps.decode_accuracy(flipped, labels, flipped, labels, 2)[0] == 1.0
    const = np.zeros_like(labels)
    assert ps.decode_accuracy(const, labels, const, labels, 2)[0] == 0.5
    # a word never seen when fitting counts as wrong
    assert ps.decode_accuracy(labels, labels, labels + 2, labels, 2)[0] == 0.0
    words = ps.code_words(np.array([[[0.9, 0.1], [0.2, 0.8], [0.7, 0.6]]]), False)
    assert words.tolist() == [[1, 2, 3]]


def test_symbol_report_on_known_codes():
    cls2 = np.arange(8) // 2
    good = np.zeros((1, 8, 6))
    good[0, np.arange(8), cls2] = 1.0                         # one unit per class, units 4, 5 off
    split = np.zeros((1, 8, 6))
    split[0, np.arange(8), np.arange(8) % 6] = 1.0            # each symbol its own unit
    merged = np.zeros((1, 8, 6))
    merged[0, np.arange(8), np.minimum(cls2, 2)] = 1.0        # classes 2 and 3 share a unit
    rep = ps.symbol_report(np.concatenate([good, split, merged]), cls2, 4)
    assert rep["success"].tolist() == [True, False, False]
    assert rep["consistent"].tolist() == [True, False, True]
    assert not rep["distinct"][2]
    noisy = good.copy()
    noisy[0, :, 5] = 0.2                                      # a superfluous unit not quite off
    assert not ps.symbol_report(noisy, cls2, 4)["success"][0]


def test_verdict_rules():
    assert ps.verdict_always(10, 10) == "partial"            # sizes not read: never better
    assert ps.verdict_always(7, 10) == "partial"
    assert ps.verdict_always(0, 10) == "no"
    assert ps.verdict_stereo_pm(10, 10) == "partial"
    assert ps.verdict_stereo_pm(0, 10) == "open"             # the paper's stereo budget is unknown
    assert ps.verdict_stereo_ae(0, 9, 10) == "partial" and ps.verdict_stereo_ae(2, 5, 10) == "partial"
    assert ps.verdict_stereo_ae(0, 0, 10) == "open"          # neither D_l codes the shift
    assert ps.verdict_stereo_ae(5, 10, 10) == "no"
    assert abs(ps.fisher_p(10, 10, 10, 10) - 1.0) < 1e-12 and ps.fisher_p(0, 10, 10, 10) < 1e-4
