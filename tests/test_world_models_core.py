"""Checks of the World Models family core (shared/world_models, Ha & Schmidhuber 2018): V's and
M's backward passes against central differences in float64 (M also with its death head and masked
windows), the batched passes against the plain versions written like the equations, M's state
Jacobians against finite differences, the temperature sampling, and CMA-ES (fast tell = plain
tell; it solves an ill-conditioned ellipsoid that an isotropic search with the same budget does
not)."""
import numpy as np
import pytest

from shared.gradcheck import TOLERANCE, check_gradients, numeric_jacobian
from shared.world_models import cmaes, mdn_rnn, vae


def small_vae(seed=0, P=10, Z=3, Hv=6, B=4):
    rng = np.random.default_rng(seed)
    p = vae.init(rng, P, Z, Hv)
    for k in ("b1", "b3", "bm", "bv", "b4"):
        p[k] = p[k] + rng.normal(0, 0.3, p[k].shape)
    return p, rng.random((B, P)), rng.standard_normal((B, Z))


def test_vae_gradients_match_central_differences():
    p, x, eps = small_vae()
    _, _, g = vae.loss_and_grads(p, x, eps)
    errs = check_gradients(lambda: vae.loss_and_grads(p, x, eps)[0], p, g)
    assert max(errs.values()) < TOLERANCE, errs


def test_vae_batched_equals_plain():
    p, x, eps = small_vae(1)
    loss, parts, g = vae.loss_and_grads(p, x, eps)
    loss2, g2 = vae.plain_loss_and_grads(p, x, eps)
    assert loss == pytest.approx(loss2, rel=1e-12) and loss == pytest.approx(parts["recon"] + parts["kl"])
    for k in g:
        np.testing.assert_allclose(g[k], g2[k], rtol=1e-10, atol=1e-13)


def test_vae_encode_decode_are_the_forward_pass():
    p, x, eps = small_vae(2)
    mu, lv = vae.encode(p, x)
    xhat = vae.decode(p, mu + np.exp(lv / 2) * eps)
    recon = ((x - xhat) ** 2).sum(1).mean()
    assert vae.loss_and_grads(p, x, eps)[1]["recon"] == pytest.approx(recon, rel=1e-12)


def small_m(seed=0, Z=3, A=2, H=4, K=2, T=5, B=2):
    rng = np.random.default_rng(seed)
    p = mdn_rnn.init(rng, Z, A, H, K)
    p["b"] = p["b"] + rng.normal(0, 0.3, p["b"].shape)
    p["bo"] = p["bo"] + rng.normal(0, 0.3, p["bo"].shape)
    x, tgt = rng.standard_normal((T, B, Z + A)), rng.standard_normal((T, B, Z))
    return mdn_rnn.make_cell(Z + A, H), p, x, tgt, Z, K


def test_mdn_rnn_gradients_match_central_differences():
    cell, p, x, tgt, Z, K = small_m()
    _, g, _ = mdn_rnn.loss_and_grads(cell, p, x, tgt, Z, K)
    # the mean NLL is O(1) while some weights move it by ~1e-4: Richardson-extrapolated differences
    errs = check_gradients(lambda: mdn_rnn.loss_and_grads(cell, p, x, tgt, Z, K)[0], p, g, eps=1e-3,
                           richardson=True)
    assert max(errs.values()) < TOLERANCE, errs


def test_mdn_rnn_run_and_head_equal_the_plain_step():
    cell, p, x, tgt, Z, K = small_m(1)
    H = p["R"].shape[1]
    h, _, _ = mdn_rnn.run(cell, p, x, mdn_rnn.zero_state(H, x.shape[1]))
    logits, means, logsd = mdn_rnn.head(p, h, Z, K)
    for b in range(x.shape[1]):
        hp, cp = np.zeros(H), np.zeros(H)
        nll = 0.0
        for t in range(x.shape[0]):
            hp, cp, pi, m, sd = mdn_rnn.plain_step(p, x[t, b], hp, cp, Z, K)
            np.testing.assert_allclose(hp, h[t, b], rtol=1e-12, atol=1e-14)
            np.testing.assert_allclose(m, means[t, b], rtol=1e-12, atol=1e-14)
            gauss = np.exp(-0.5 * ((tgt[t, b][:, None] - m) / sd) ** 2) / (sd * np.sqrt(2 * np.pi))
            dens = (pi * gauss).sum(1)
            nll -= np.log(dens).sum()
        single = mdn_rnn.nll(logits[:, b], means[:, b], logsd[:, b], tgt[:, b])[0]
        assert single == pytest.approx(nll / (x.shape[0] * Z), rel=1e-10)


def test_mdn_rnn_state_jacobians_match_finite_differences():
    cell, p, x, _, Z, K = small_m(2, B=1, T=6)
    H = p["R"].shape[1]
    _, _, cache = mdn_rnn.run(cell, p, x, mdn_rnn.zero_state(H, 1))
    J = mdn_rnn.state_jacobians(cell, p, cache)            # (T, 2H, 2H), state [c, h]
    c, h = cache["s"][:, 0, 0], cache["y"][:, 0, 0]         # (T + 1, H), index 0 the initial state
    for t in (1, 3, 5):
        def step(v, t=t):
            hn, cn, *_ = mdn_rnn.plain_step(p, x[t, 0], v[H:], v[:H], Z, K)
            return np.concatenate([cn, hn])
        num = numeric_jacobian(step, np.concatenate([c[t], h[t]]))
        np.testing.assert_allclose(J[t], num, atol=1e-8)


def test_temperature_sampling():
    rng = np.random.default_rng(0)
    logits = np.log(np.array([[0.2, 0.8]]))
    means, logsd = np.array([[-2.0, 3.0]]), np.log(np.array([[0.5, 0.1]]))
    z = mdn_rnn.sample(np.broadcast_to(logits, (20000, 1, 2)), np.broadcast_to(means, (20000, 1, 2)),
                       np.broadcast_to(logsd, (20000, 1, 2)), 1.0, rng)
    assert z.mean() == pytest.approx(0.2 * -2 + 0.8 * 3, abs=0.05)
    cold = mdn_rnn.sample(np.broadcast_to(logits, (2000, 1, 2)), np.broadcast_to(means, (2000, 1, 2)),
                          np.broadcast_to(logsd, (2000, 1, 2)), 0.05, rng)
    assert np.abs(cold - 3.0).max() < 0.2                  # a cold draw picks the likeliest mode, narrowed


def test_cmaes_fast_tell_equals_plain_tell():
    # both searches take the same steps (the eigenvectors' signs may differ in the last bit, so
    # the second one reuses the first one's samples) and must make the same updates
    a, b = cmaes.CMAES(np.ones(6), 0.5), cmaes.CMAES(np.ones(6), 0.5)
    rng = np.random.default_rng(3)
    for _ in range(30):
        x = a.ask(rng)
        b.Y = a.Y.copy()
        a.tell((x ** 2).sum(1))
        b.tell_plain((x ** 2).sum(1))
        np.testing.assert_allclose(a.mean, b.mean, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(a.C, b.C, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(a.ps, b.ps, rtol=1e-9, atol=1e-12)
        assert a.sigma == pytest.approx(b.sigma, rel=1e-10)
        b.mean, b.sigma, b.C, b.B, b.D = a.mean.copy(), a.sigma, a.C.copy(), a.B.copy(), a.D.copy()
        b.ps, b.pc = a.ps.copy(), a.pc.copy()
    assert a.g == b.g == 30


def ellipsoid(X):
    n = X.shape[1]
    return (10.0 ** (6 * np.arange(n) / (n - 1)) * X ** 2).sum(1)


def test_cmaes_learns_an_ill_conditioned_ellipsoid():
    es, rng = cmaes.CMAES(np.ones(8), 1.0), np.random.default_rng(0)
    iso = cmaes.CMAES(np.ones(8), 1.0)
    for _ in range(600):
        X = es.ask(rng)
        es.tell(ellipsoid(X))
        Xi = iso.ask(rng)                                 # same budget, covariance never learned
        iso.C = np.eye(8)
        iso.tell(ellipsoid(Xi))
        iso.B, iso.D = np.eye(8), np.ones(8)
    assert ellipsoid(es.mean[None])[0] < 1e-8
    assert ellipsoid(iso.mean[None])[0] > 1e3 * ellipsoid(es.mean[None])[0]
    # the learned covariance lines up with the inverse Hessian: condition number near 1e6
    assert 1e4 < (es.D.max() / es.D.min()) ** 2 < 1e8


def small_m_done(seed=5, Z=3, H=4, K=2, T=6, B=3):
    """M with the death head (DoomTakeCover's M), deaths and a mask of episodes ending early."""
    rng = np.random.default_rng(seed)
    p = mdn_rnn.init(rng, Z, 1, H, K, done=True)
    p["b"] = p["b"] + rng.normal(0, 0.3, p["b"].shape)
    p["bd"] = p["bd"] + 0.3
    x, tgt = rng.standard_normal((T, B, Z + 1)), rng.standard_normal((T, B, Z))
    mask, done = np.ones((T, B)), np.zeros((T, B))
    mask[4:, 0], mask[3:, 2] = 0.0, 0.0
    done[3, 0], done[2, 2] = 1.0, 1.0
    return mdn_rnn.make_cell(Z + 1, H), p, x, tgt, done, mask, Z, K


def test_death_head_gradients_match_central_differences():
    cell, p, x, tgt, done, mask, Z, K = small_m_done()
    _, g, _ = mdn_rnn.loss_and_grads_done(cell, p, x, tgt, done, mask, Z, K)
    errs = check_gradients(lambda: mdn_rnn.loss_and_grads_done(cell, p, x, tgt, done, mask, Z, K)[0]["total"],
                           p, g, eps=1e-3, richardson=True)
    assert {"Wd", "bd"} <= set(errs) and max(errs.values()) < TOLERANCE, errs


def test_death_head_loss_equals_the_plain_loss():
    cell, p, x, tgt, done, mask, Z, K = small_m_done(6)
    parts, _, _ = mdn_rnn.loss_and_grads_done(cell, p, x, tgt, done, mask, Z, K, w_pos=10.0)
    plain = mdn_rnn.plain_loss_done(p, x, tgt, done, mask, Z, K, 10.0)
    assert parts["total"] == pytest.approx(plain, rel=1e-12)
    # with every step kept and no death head term, the masked NLL is the plain NLL of loss_and_grads
    ones = np.ones(mask.shape)
    lz = mdn_rnn.loss_and_grads_done(cell, p, x, tgt, done, ones, Z, K)[0]["z"]
    assert lz == pytest.approx(mdn_rnn.loss_and_grads(cell, p, x, tgt, Z, K)[0], rel=1e-12)


def test_vae_kl_floor_batched_equals_plain_and_gradients():
    p, x, eps = small_vae(3, B=6)
    mu, lv = vae.encode(p, x)
    kl = np.sort(-0.5 * (1 + lv - mu ** 2 - np.exp(lv)).sum(1))
    tol = 0.5 * (kl[2] + kl[3]) / mu.shape[1]             # three frames under the floor, three above
    loss, parts, g = vae.loss_and_grads(p, x, eps, tol)
    loss2, g2 = vae.plain_loss_and_grads(p, x, eps, tol)
    assert loss == pytest.approx(loss2, rel=1e-12) and parts["kl"] > kl.mean()
    for k in g:
        np.testing.assert_allclose(g[k], g2[k], rtol=1e-10, atol=1e-13)
    errs = check_gradients(lambda: vae.loss_and_grads(p, x, eps, tol)[0], p, g)
    assert max(errs.values()) < TOLERANCE, errs
