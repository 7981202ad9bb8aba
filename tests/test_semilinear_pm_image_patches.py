"""Checks of stubs/semilinear-pm-image-patches: the hand-written updates against central
differences; the local coder equals the PM core's dense semilinear coder with a block-sparse
weight matrix (forward and gradient); the on-line step is one descent step of the predictors and
one ascent step of the code units from the same point; the data (quantisation, cross average,
geometry, rotation) on hand-worked cases; the classification rule on built fields; the
mutual-information and throughput measures on known codes; the verdict rules. The PM core's own
checks are in tests/test_pm_core.py."""
import numpy as np
from conftest import load_stub

sp = load_stub("semilinear-pm-image-patches")
checks = sp.cli.load_sibling(sp.__file__, "semilinear_pm_image_patches_checks", vars(sp))
core = sp.core


def test_gradients():
    errs = checks.gradient_checks()
    assert len(errs) == 6
    assert max(errs.values()) < 1e-6, errs


def test_code_gradient_is_the_cores_coder_backward_split():
    rng = np.random.default_rng(0)
    cp, pp = core.init_coder(rng, 2, 4, 0, 3, 1.0), core.init_predictors(rng, 2, 3, 0, 1.0)
    x, w = rng.normal(size=(5, 4)), rng.uniform(0.5, 2, 5)
    y, cc = core.coder_forward(cp, x)
    P, pc = core.predictor_forward(pp, y)
    _, dz = core.predictor_backward(pp, pc, y, w)
    dy = core.code_gradient(P, y, None, w, False)
    assert np.allclose(dy, -w[None, :, None] * (P - y))
    for through in (True, False):
        a = core.coder_backward(cp, cc, P, dz, w, through)
        b = core.coder_backprop(cp, cc, core.code_gradient(P, y, dz, w, through))
        assert all(np.array_equal(a[k], b[k]) for k in a)


def test_local_coder_equals_dense_core_coder_with_block_mask():
    rng = np.random.default_rng(1)
    R, n, m, B = 2, 4, 6, 7
    cp = sp.init_coder(rng, R, n, m, 1.0)
    pp = core.init_predictors(rng, R, n, 0, 1.0)
    x = rng.uniform(-1, 1, (R, B, n, m))
    dense = np.zeros((R, n * m, n))                  # input unit (i, j) feeds only code unit i
    for i in range(n):
        dense[:, i * m:(i + 1) * m, i] = cp["W"][:, i, :]
    dcp = {"W2": dense, "b2": cp["b"].copy()}
    xf = x.reshape(R, B, n * m)
    y_local = sp.code(cp, x)
    y_dense, cc = core.coder_forward(dcp, xf)
    assert np.allclose(y_local, y_dense)
    _, gc, gp, _, P = sp.pm_gradients(cp, pp, x)
    Pd, pc = core.predictor_forward(pp, y_dense)
    gpd, _ = core.predictor_backward(pp, pc, y_dense, np.ones((R, B)), need_dz=False)
    gcd = core.coder_backward(dcp, cc, Pd, None, np.ones((R, B)), through_predictors=False)
    for i in range(n):
        assert np.allclose(gc["W"][:, i, :], gcd["W2"][:, i * m:(i + 1) * m, i])
    assert np.allclose(gc["b"], gcd["b2"])
    assert all(np.allclose(gp[k], gpd[k]) for k in gp)


def test_online_step_descends_predictors_and_ascends_code():
    rng = np.random.default_rng(2)
    cp, pp = sp.init_coder(rng, 3, 5, 9, 0.5), core.init_predictors(rng, 3, 5, 0, 0.5)
    x = rng.uniform(-1, 1, (3, 1, 5, 9))
    c0, p0 = {k: v.copy() for k, v in cp.items()}, {k: v.copy() for k, v in pp.items()}
    _, gc, gp, _, _ = sp.pm_gradients(c0, p0, x)
    sp.online_step(cp, pp, x, 0.2, 0.7)
    assert all(np.allclose(cp[k], c0[k] + 0.2 * gc[k]) for k in cp)
    assert all(np.allclose(pp[k], p0[k] - 0.7 * gp[k]) for k in pp)
    # small steps: the predictors' error falls with the code fixed, rises with the predictors fixed
    y = sp.code(c0, x)
    q = lambda c, p: core.objective(core.predictor_forward(p, sp.code(c, x))[0], sp.code(c, x), 1.0)  # noqa: E731
    p_small = {k: p0[k] - 1e-3 * gp[k] for k in p0}
    c_small = {k: c0[k] + 1e-3 * gc[k] for k in c0}
    assert np.all(q(c0, p_small) < q(c0, p0))
    assert np.all(core.objective(core.predictor_forward(p0, y)[0], sp.code(c_small, x), 1.0)
                  > core.objective(core.predictor_forward(p0, y)[0], y, 1.0))


def test_image_and_reads():
    img = sp.load_image(16)
    levels = np.unique(img)
    assert len(levels) <= 16 and levels.min() >= -1 and levels.max() <= 1
    assert np.allclose(np.diff(levels) * 7.5, np.round(np.diff(levels) * 7.5))   # integer steps
    a = np.zeros((5, 5))
    a[2, 2] = 5.0
    avg = sp.cross_average(a)
    assert avg[2, 2] == 1.0 and avg[1, 2] == 1.0 and avg[1, 1] == 0.0


def test_layout_and_patterns():
    centres, offsets, places = sp.layout(32, 81, 64, 20)
    assert places.shape == (32, 81, 2)
    assert np.linalg.norm(offsets, axis=1).max() <= 10 + 1e-9
    assert np.linalg.norm(places, axis=2).max() <= 32 + 1e-9        # every input inside the area
    # fields overlap: some centres closer than a field diameter
    d = np.linalg.norm(centres[:, None] - centres[None], axis=-1) + np.eye(32) * 99
    assert d.min() < 20
    # a ramp image: an input unit reads its own row index; rotation moves it around the centre
    ramp = np.tile(np.arange(200.0)[:, None], (1, 200))
    x = sp.draw_patterns(np.random.default_rng(0), ramp, places, 2, 50, 64)
    assert x.shape == (2, 50, 32, 81)
    spread = x.max((2, 3)) - x.min((2, 3))
    assert np.all(spread <= 64 + 2) and np.all(spread >= 40)


def test_classification_rule():
    _, offsets, _ = sp.layout(32, 81, 64, 20)
    basis, groups = sp.field_basis(offsets, 10.0)
    assert np.allclose(basis.T @ basis, np.eye(5))
    u, v = offsets[:, 0] / 10, offsets[:, 1] / 10
    rng = np.random.default_rng(0)
    fields = np.stack([0.3 * u + 0.5 * v,                       # an edge: oriented
                       u * v,                                   # a bar: oriented
                       u * u + v * v,                           # centre vs surround
                       rng.normal(size=81),                     # noise: unclassified
                       u + 1.5 * (u * u + v * v)])               # mixed: neither dominates enough
    shares, cls = sp.classify_fields(fields, basis, groups)
    assert cls.tolist()[:4] == [1, 1, 2, 0]
    assert shares[0, 0] > 0.99 and shares[2, 2] > 0.99
    # random fields are almost never classified
    _, cr = sp.classify_fields(rng.normal(size=(500, 81)), basis, groups)
    assert (cr != 0).mean() < 0.02


def test_mutual_information_and_throughput():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 2, 4000)
    b = rng.integers(0, 2, 4000)
    bits = np.stack([a, a, b, 1 - b], -1)[None]                  # (1, N, 4)
    mi = sp.pairwise_mi(bits)[0]
    assert abs(mi[0, 1] - 1.0) < 0.01 and abs(mi[2, 3] - 1.0) < 0.01 and mi[0, 2] < 0.01
    th = sp.throughput(bits.astype(float))
    assert abs(th["sum_entropy_bits"][0] - 4.0) < 0.01
    assert abs(th["pairwise_mi_sum_bits"][0] - 2.0) < 0.02
    assert th["binary_share"][0] == 1.0


def test_verdict_rules():
    assert sp.verdict_oriented(np.array([0.3, 0.5, 0.25])) == "partial"
    assert sp.verdict_oriented(np.array([0.3, 0.2])) == "open"
    assert sp.verdict_cs(np.array([1, 3])) == "partial" and sp.verdict_cs(np.array([0, 3])) == "open"
    assert sp.verdict_redundancy(np.array([0.2, 0.2]), np.array([0.1, 0.15])) == "partial"
    assert sp.verdict_redundancy(np.array([0.2, 0.2]), np.array([0.1, 0.25])) == "no"
