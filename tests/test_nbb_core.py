"""The NBB family core (shared/nbb/core.py): the batched tick equals the plain per-connection
reference, weight substance is conserved up to payoff and the stated losses, and the weight-update
Jacobian (winners held fixed) matches central differences."""
import numpy as np

from shared.nbb import core


def small_net(R=5, seed=0):
    rng = np.random.default_rng(seed)
    n, n_in = 9, 3
    mask = np.zeros((R, n, n), bool)
    mask[:, :3, 3:6] = True
    mask[:, :3, 7:] = True
    mask[:, 3:6, 7:] = True
    mask[:, 7:, 7:] = True                               # a recurrent output subset as well
    groups = np.zeros((R, 3, n), bool)
    groups[:, 0, 3:6] = True
    groups[:, 2, 7:] = True
    W = core.init_weights(rng, mask, 0.2, 1.0)
    return rng, n, n_in, mask, groups, W


def test_batched_step_equals_reference_over_a_cycle():
    rng, n, n_in, mask, groups, W = small_net()
    R = W.shape[0]
    good = np.zeros((R, n), bool)
    good[np.arange(R), rng.integers(7, 9, R)] = True
    u = rng.integers(0, 2, (R, n_in)).astype(float)
    u[:, 2] = 1.0
    x = np.zeros((R, n))
    x[:, :n_in] = u
    c = np.zeros((R, n, n))
    Wa, xa, ca = W.copy(), x.copy(), c.copy()
    pm = rng.random(W.shape) < 0.7
    for t in range(6):
        tie = rng.random(groups.shape) if t % 2 else None
        pay = pm if t >= 3 else None
        Wa, xa, ca, _ = core.step(Wa, xa, ca, u, groups, good, 0.05, 0.03, tie, pay)
        W, x, c = core.step_reference(W, x, c, u, groups, good, 0.05, 0.03, tie, pay)
        assert np.array_equal(xa, x)
        assert np.allclose(Wa, W, rtol=0, atol=1e-13) and np.allclose(ca, c, rtol=0, atol=1e-13)


def test_substance_is_conserved_up_to_payoff_and_losses():
    rng, n, n_in, mask, groups, W = small_net(seed=3)
    R = W.shape[0]
    good = np.zeros((R, n), bool)
    good[:, 7] = True
    u = np.ones((R, n_in))
    x = np.zeros((R, n))
    x[:, :n_in] = u
    c = np.zeros((R, n, n))
    for _ in range(6):
        W_new, x, c, p = core.step(W, x, c, u, groups, good, 0.1, 0.07)
        assert np.allclose(W_new.sum((1, 2)) - W.sum((1, 2)), p["payoff"] - p["lost"], atol=1e-12)
        assert np.allclose(p["paid"] - p["returned"], p["lost"], atol=1e-12)
        W = W_new


def test_ties_and_nonpositive_nets():
    net = np.array([[0.0, 0.0, 2.0, 2.0, -1.0, -3.0]])
    groups = np.zeros((1, 2, 6), bool)
    groups[0, 0, 2:4] = True
    groups[0, 1, 4:] = True
    assert core.winners(net, groups).tolist() == [[0, 0, 1, 0, 0, 0]]          # lowest index
    tie = np.zeros((1, 2, 6))
    tie[0, 0, 3] = 0.9
    assert core.winners(net, groups, tie).tolist() == [[0, 0, 0, 1, 0, 0]]     # random key
    # the second subset has no positive net input: nobody wins there


def test_weight_jacobian_matches_finite_differences():
    rng, n, n_in, mask, groups, W = small_net(R=2, seed=5)
    good = np.zeros((2, n), bool)
    good[:, 8] = True
    x_prev = np.zeros((2, n))
    x_prev[:, :3] = 1.0
    x_prev[:, 4] = 1.0
    x_prev[:, 7] = 1.0
    c_prev = rng.uniform(0.1, 1.0, W.shape) * mask
    lam, eta = 0.1, 0.05
    _, x, _, _ = core.step(W, x_prev, c_prev, np.ones((2, n_in)), groups, good, lam, eta)
    pm = rng.random(W.shape) < 0.6                        # payoff to some connections only
    J = core.weight_jacobian(W, x_prev, x, c_prev, good, lam, eta, pm)
    m = n * n

    def F(v, r):
        Wv, Cv = v[:m].reshape(1, n, n), v[m:].reshape(1, n, n)
        c = x_prev[r:r + 1, :, None] * Wv
        xr = x[r:r + 1]
        Rj = (lam * c * xr[:, None, :]).sum(2)
        D = Cv.sum(1)
        share = np.divide(Cv, D[:, None, :], out=np.zeros_like(Cv), where=D[:, None, :] > 0)
        ext = eta * c * (xr * good[r:r + 1])[:, None, :] * pm[r:r + 1]
        Wn = Wv - lam * c * xr[:, None, :] + share * Rj[:, None, :] + ext
        return np.concatenate([Wn.ravel(), c.ravel()])

    for r in range(2):
        v = np.concatenate([W[r].ravel(), c_prev[r].ravel()])
        cols = [k for k in range(2 * m) if k < m or mask[r].ravel()[k - m]]   # D_j > 0 there
        eye = np.eye(2 * m)
        num = np.stack([(F(v + 1e-6 * eye[k], r) - F(v - 1e-6 * eye[k], r)) / 2e-6 for k in cols], 1)
        assert np.abs(num - J[r][:, cols]).max() < 1e-7
