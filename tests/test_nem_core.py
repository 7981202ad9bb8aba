"""shared/nem: the fast RNN-EM loop agrees with the plain slot-by-slot loop (forward and backward,
with and without the gradient through gamma), its gradient agrees with central differences, the
EM step as a map reproduces the loop, and its Jacobian agrees with finite differences."""
import numpy as np
import pytest

from shared.gradcheck import check_gradients, numeric_jacobian
from shared.nem import rnn_em


def problem(seed=3, D=10, H=4, K=3, T=4, B=2):
    rng = np.random.default_rng(seed)
    p = rnn_em.init_params(rng, D, H, np.float64)
    p = {k: v * 2.0 + (rng.normal(0, 0.3, v.shape) if k in ("b", "bo") else 0.0) for k, v in p.items()}
    x = (rng.random((B, D)) < 0.4).astype(np.float64)
    flips = rng.random((T, B, D)) < 0.2
    x_in = np.where(flips, 1.0 - x, x)
    gamma0 = rnn_em.random_gamma(rng, B, K, D, np.float64)
    return p, x_in, x, gamma0


@pytest.mark.parametrize("which", ["last", "all"])
def test_fast_forward_matches_plain(which):
    p, x_in, x, gamma0 = problem()
    w = rnn_em.loss_weights(x_in.shape[0], which)
    loss, c = rnn_em.forward(p, x_in, x, gamma0, w)
    loss_p, cp = rnn_em.forward_plain(p, x_in, x, gamma0, w)
    assert abs(loss - loss_p) <= 1e-12 * abs(loss)
    for t in range(x_in.shape[0] + 1):
        np.testing.assert_allclose(c["gamma"][t], np.stack(cp["gamma"][t], axis=1), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(c["h"][t], np.stack(cp["h"][t], axis=1), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(c["gamma"].sum(axis=2), 1.0, rtol=1e-12)


@pytest.mark.parametrize("which", ["last", "all"])
@pytest.mark.parametrize("gamma_grad", [True, False])
def test_fast_backward_matches_plain(which, gamma_grad):
    p, x_in, x, gamma0 = problem()
    w = rnn_em.loss_weights(x_in.shape[0], which)
    _, g, _ = rnn_em.loss_and_grads(p, x_in, x, gamma0, w, gamma_grad)
    _, cp = rnn_em.forward_plain(p, x_in, x, gamma0, w)
    gp = rnn_em.backward_plain(p, x_in, x, cp, w, gamma_grad)
    for k in p:
        np.testing.assert_allclose(g[k], gp[k], rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("which", ["last", "all"])
def test_gradient_matches_central_differences(which):
    p, x_in, x, gamma0 = problem(seed=5)
    w = rnn_em.loss_weights(x_in.shape[0], which)
    _, g, _ = rnn_em.loss_and_grads(p, x_in, x, gamma0, w, gamma_grad=True)
    errs = check_gradients(lambda: rnn_em.forward(p, x_in, x, gamma0, w)[0], p, g, eps=1e-4, richardson=True)
    assert max(errs.values()) < 1e-6, errs


def test_stopped_gradient_differs_from_full():
    # the truncation must matter, or the gamma_grad switch would be a no-op
    p, x_in, x, gamma0 = problem()
    w = rnn_em.loss_weights(x_in.shape[0], "all")
    g_full = rnn_em.loss_and_grads(p, x_in, x, gamma0, w, True)[1]
    g_stop = rnn_em.loss_and_grads(p, x_in, x, gamma0, w, False)[1]
    assert np.max(np.abs(g_full["Wx"] - g_stop["Wx"])) > 1e-3 * np.max(np.abs(g_full["Wx"]))


def test_em_map_reproduces_the_loop_from_step_two():
    p, x_in, x, gamma0 = problem()
    T = x_in.shape[0]
    _, c = rnn_em.forward(p, x_in, x, gamma0, rnn_em.loss_weights(T, "last"))
    for t in range(2, T + 1):
        np.testing.assert_allclose(rnn_em.em_map(p, c["h"][t - 1], x_in[t - 1], x), c["h"][t],
                                   rtol=1e-12, atol=1e-14)


def test_em_map_jacobian_matches_finite_differences():
    p, x_in, x, gamma0 = problem(seed=11)
    B, K, H = x.shape[0], gamma0.shape[1], p["Wh"].shape[0]
    h = np.random.default_rng(0).uniform(0.1, 0.9, (B, K, H))
    J = rnn_em.em_map_jacobian(p, h, x_in[1], x)

    def step(flat):
        return rnn_em.em_map(p, flat.reshape(B, K, H), x_in[1], x).reshape(B, K * H)
    Jn = numeric_jacobian(step, h.reshape(B, K * H))
    np.testing.assert_allclose(J, Jn, rtol=1e-6, atol=1e-9)
    # the slots interact only through the E-step: off-diagonal blocks are not zero
    assert np.abs(J[:, :H, H:2 * H]).max() > 1e-6


def test_init_and_gamma_shapes():
    rng = np.random.default_rng(0)
    p = rnn_em.init_params(rng, 784, 250)
    assert p["Wx"].shape == (784, 250) and p["Wh"].shape == (250, 250) and p["Wo"].shape == (250, 784)
    assert p["Wx"].dtype == np.float32 and not p["b"].any()
    g = rnn_em.random_gamma(rng, 2, 4, 784)
    np.testing.assert_allclose(g.sum(axis=1), 1.0, rtol=1e-6)
    with pytest.raises(ValueError):
        rnn_em.loss_weights(3, "first")


def test_collapsed_slots_stay_collapsed_and_the_jacobian_is_block_symmetric():
    # the slots are interchangeable: equal slot states map to equal slot states, and there the
    # Jacobian has the form J_kj = A delta_kj + C (what the slot-collapse exponent relies on)
    p, x_in, x, gamma0 = problem(seed=2)
    B, K, H = x.shape[0], gamma0.shape[1], p["Wh"].shape[0]
    h = np.repeat(np.random.default_rng(1).uniform(0.1, 0.9, (B, 1, H)), K, axis=1)
    hn = rnn_em.em_map(p, h, x_in[0], x)
    np.testing.assert_allclose(hn, np.repeat(hn[:, :1], K, axis=1), rtol=0, atol=1e-15)
    J = rnn_em.em_map_jacobian(p, h, x_in[0], x).reshape(B, K, H, K, H)
    A = J[:, 0, :, 0] - J[:, 0, :, 1]
    C = J[:, 0, :, 1]
    for k in range(K):
        for j in range(K):
            np.testing.assert_allclose(J[:, k, :, j], C + (A if k == j else 0.0), rtol=1e-10, atol=1e-14)
