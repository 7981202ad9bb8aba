"""shared.optim: Adam, global-norm clipping and momentum SGD."""
import numpy as np
import pytest

from shared import optim


def test_adam_matches_the_textbook_update():
    rng = np.random.default_rng(0)
    p = {"w": rng.normal(size=5)}
    ref = p["w"].copy()
    m = v = np.zeros(5)
    opt = optim.Adam(p, lr=0.1)
    for t in range(1, 4):
        g = rng.normal(size=5)
        opt.step({"w": g.copy()})
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        ref = ref - 0.1 * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
    np.testing.assert_allclose(p["w"], ref, rtol=1e-12)


def test_global_norm_clipping_whole_and_per_member():
    g = {"a": np.array([[3.0, 0.0], [0.3, 0.0]]), "b": np.array([[4.0], [0.4]])}
    norms = optim.clip_by_global_norm({k: v.copy() for k, v in g.items()}, 1.0, per_member=True)
    np.testing.assert_allclose(norms, [5.0, 0.5])
    clipped = {k: v.copy() for k, v in g.items()}
    optim.clip_by_global_norm(clipped, 1.0, per_member=True)
    np.testing.assert_allclose(optim.global_norm(clipped, axis=0), [1.0, 0.5])   # only member 0 clipped
    whole = {k: v.copy() for k, v in g.items()}
    optim.clip_by_global_norm(whole, 1.0)
    assert abs(optim.global_norm(whole) - 1.0) < 1e-12
    with pytest.raises(ValueError):
        optim.Adam({"w": np.zeros(2)}, lr=-1)


def test_momentum_step_is_the_textbook_rule_with_scalar_or_per_member_rates():
    rng = np.random.default_rng(1)
    for lr in (0.05, np.array([0.01, 0.1, 0.3], dtype=np.float32)):
        p = {"W": rng.normal(size=(3, 4, 2)).astype(np.float32),
             "b": rng.normal(size=(3, 2)).astype(np.float32)}
        v = {k: np.zeros_like(w) for k, w in p.items()}
        ref_p = {k: w.copy() for k, w in p.items()}
        ref_v = {k: np.zeros_like(w) for k, w in p.items()}
        for _ in range(3):
            g = {k: rng.normal(size=w.shape).astype(np.float32) for k, w in p.items()}
            optim.momentum_step(p, v, g, lr, 0.9)
            for k in p:
                eta = lr if np.ndim(lr) == 0 else lr.reshape((-1,) + (1,) * (g[k].ndim - 1))
                ref_v[k] = 0.9 * ref_v[k] - eta * g[k]
                ref_p[k] = ref_p[k] + ref_v[k]
        for k in p:
            assert p[k].dtype == np.float32
            np.testing.assert_array_equal(v[k], ref_v[k])        # same operations, same order: exact
            np.testing.assert_array_equal(p[k], ref_p[k])


def test_momentum_sgd_matches_the_textbook_update():
    rng = np.random.default_rng(1)
    p = {"w": rng.normal(size=4)}
    ref, vel = p["w"].copy(), np.zeros(4)
    opt = optim.MomentumSGD(p, lr=0.05, momentum=0.9)
    for _ in range(3):
        g = rng.normal(size=4)
        opt.step({"w": g})
        vel = 0.9 * vel - 0.05 * g
        ref = ref + vel
    np.testing.assert_allclose(p["w"], ref, rtol=1e-12)
    with pytest.raises(ValueError):
        optim.MomentumSGD(p, lr=0.1, momentum=1.0)
