"""shared.optim: Adam and global-norm clipping."""
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
