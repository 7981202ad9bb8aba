"""shared/cnn: the fast layers agree with their loop twins, and every backward pass agrees with
central differences in float64."""
import numpy as np
import pytest

from shared.cnn import layers as L
from shared.cnn.column import Column
from shared.gradcheck import check_gradients


def rng():
    return np.random.default_rng(7)


def test_conv_matches_loop_forward_and_backward():
    r = rng()
    x = r.standard_normal((3, 9, 8, 2))
    K = r.standard_normal((4, 4, 2, 5))
    b = r.standard_normal(5)
    y, cache = L.conv_forward(x, K, b)
    assert y.shape == (3, 6, 5, 5)
    np.testing.assert_allclose(y, L.conv_forward_loop(x, K, b), rtol=1e-12, atol=1e-12)
    dy = r.standard_normal(y.shape)
    dx, dK, db = L.conv_backward(dy, cache)
    rx, rK, rb = L.conv_backward_loop(x, K, dy)
    for a, e in ((dx, rx), (dK, rK), (db, rb)):
        np.testing.assert_allclose(a, e, rtol=1e-11, atol=1e-11)


def test_pool_matches_loop_forward_and_backward():
    r = rng()
    for p in (2, 3):
        x = r.standard_normal((2, 6 * p // 2 * 2, 6, 3)) if p == 2 else r.standard_normal((2, 9, 6, 3))
        y, cache = L.pool_forward(x, p)
        np.testing.assert_array_equal(y, L.pool_forward_loop(x, p))
        dy = r.standard_normal(y.shape)
        np.testing.assert_array_equal(L.pool_backward(dy, cache), L.pool_backward_loop(x, p, dy))


def test_pool_refuses_indivisible_maps():
    with pytest.raises(ValueError):
        L.pool_forward(np.zeros((1, 5, 6, 1)), 2)


def test_dense_matches_loop():
    r = rng()
    x, W, b = r.standard_normal((4, 7)), r.standard_normal((7, 3)), r.standard_normal(3)
    np.testing.assert_allclose(L.dense_forward(x, W, b)[0], L.dense_forward_loop(x, W, b), rtol=1e-12)


def test_column_fast_forward_matches_loop_forward():
    col = Column.parse("1x29x29-20C4-MP2-40C5-MP3-150N-10N")
    r = rng()
    p = col.init(r, dtype=np.float64)
    x = r.uniform(-1, 1, (2, 29, 29, 1))
    np.testing.assert_allclose(col.forward(p, x)[0], col.forward_loop(p, x), rtol=1e-10, atol=1e-12)
    assert col.shapes()[-3] == (3, 3, 40) and col.n_weights(p) == 76040


def test_column_gradients_match_central_differences():
    col = Column.parse("2x11x11-3C2-MP2-4C3-MP3-6N-5N")
    r = rng()
    p = col.init(r, init=0.5, dtype=np.float64)
    x = r.uniform(-1, 1, (3, 11, 11, 2))
    y = r.integers(0, 5, 3)
    _, g, dx = col.loss_and_grads(p, x, y, reduce="mean", need_dx=True)
    errs = check_gradients(lambda: col.loss_and_grads(p, x, y, reduce="mean")[0], p, g, rng=r)
    xs = {"x": x}
    errs.update(check_gradients(lambda: col.loss_and_grads(p, xs["x"], y, reduce="mean")[0], xs,
                                {"x": dx}, n_samples=60, rng=r))
    assert max(errs.values()) < 1e-6, errs


def test_parse_refuses_bad_columns():
    for bad in ("29x29-20C4-10N", "1x29x29-20C4-MP2", "1x29x29-20C4-MP3-10N", "1x29x29-20Q4-10N"):
        with pytest.raises(ValueError):
            Column.parse(bad)
