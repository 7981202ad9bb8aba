"""Checks of the family core shared/esp: the double-pole plant (batched step against the plain
one, rest and pure-force cases worked by hand, RK4's fourth order, the 625-start grid, the damping
fitness), the recurrent net (batched against neuron-by-neuron, its Jacobian against finite
differences) and the ESP operators (every neuron joins exactly `trials` networks, fitness sharing,
crossover children made of their parents' genes, burst mutation around the best neuron)."""
import numpy as np

from shared.esp import esp, net, plant
from shared.gradcheck import numeric_jacobian


def test_batched_step_matches_reference():
    rng = np.random.default_rng(0)
    s = rng.normal(0, 0.2, size=(6, 5))
    F = rng.uniform(-10, 10, size=5)
    got = plant.step(s, F)
    for b in range(5):
        ref = plant.step_reference(list(s[:, b]), F[b])
        assert np.allclose(got[:, b], ref, rtol=1e-13, atol=1e-14)


def test_rest_and_pure_force_by_hand():
    assert np.all(plant.derivs(np.zeros((6, 1)), np.zeros(1)) == 0)
    # upright and still, a force F only accelerates the whole: x'' = F / (M + m1/4 + m2/4)
    d = plant.derivs(np.zeros((6, 1)), np.array([10.0]))
    xdd = 10.0 / (1.0 + 0.1 * 0.25 + 0.01 * 0.25)
    assert np.isclose(d[1, 0], xdd)
    assert np.isclose(d[3, 0], -0.75 * xdd / 0.5) and np.isclose(d[5, 0], -0.75 * xdd / 0.05)
    # a tilted long pole falls further (G = -9.8 with this sign convention: th'' > 0 for th > 0)
    s = np.zeros((6, 1))
    s[2] = 0.1
    assert plant.derivs(s, np.zeros(1))[3, 0] > 0


def test_rk4_is_fourth_order():
    s0 = plant.start_state(1)
    F = np.array([3.0])

    def run(h, T=0.4):
        s = s0.copy()
        for _ in range(int(round(T / h))):
            s = plant.rk4(s, F, h)
        return s
    exact = run(0.0002)
    e1 = np.abs(run(0.005) - exact).max()
    e2 = np.abs(run(0.0025) - exact).max()
    assert 12 < e1 / e2 < 20                  # 2^4 = 16


def test_generalisation_grid():
    g = plant.generalisation_starts()
    assert g.shape == (6, 625)
    assert len({tuple(c) for c in g.T.round(12)}) == 625
    assert np.allclose(sorted(set(g[0].round(10))), [-1.944, -1.08, 0.0, 1.08, 1.944])
    assert np.isclose(np.abs(g[2]).max(), 0.9 * 0.06283152) and np.all(g[4:] == 0)


def test_damping_fitness_by_hand():
    f = plant.damping_fitness(np.array([50, 1000, 1000]), np.array([5.0, 7.5, 75.0]))
    assert np.allclose(f, [0.005, 0.1 + 0.9 * 0.1, 0.1 + 0.9 * 0.01])


def test_net_batched_matches_reference_and_jacobian():
    rng = np.random.default_rng(1)
    W = rng.normal(0, 2, size=(3, 5, 9))
    u, h = rng.normal(size=(3, 3)), rng.uniform(size=(3, 5))
    hb, a = net.forward(W, u, h)
    for b in range(3):
        hr, ar = net.forward_reference(W[b], u[b], h[b])
        assert np.allclose(hb[b], hr, rtol=1e-14) and np.allclose(a[b], ar, rtol=1e-14)
    J = net.jacobian(W, a)
    for b in range(3):
        num = numeric_jacobian(lambda x, b=b: net.forward(W[b:b + 1], u[b:b + 1], x[None])[0][0], h[b].copy())
        assert np.abs(J[b] - num).max() / np.abs(num).max() < 1e-8


def test_each_neuron_joins_exactly_trials_networks_and_fitness_sharing():
    rngs = [np.random.default_rng(i) for i in range(2)]
    idx = esp.trial_index(rngs, 5, 8, 3)
    assert idx.shape == (2, 5, 24)
    for r in range(2):
        for h in range(5):
            assert np.all(np.bincount(idx[r, h], minlength=8) == 3)
    fit = np.arange(48, dtype=float).reshape(2, 24)
    nf = esp.neuron_fitness(idx, fit, 8)
    r, h, k = 1, 2, 5
    assert np.isclose(nf[r, h, k], fit[r, idx[r, h] == k].mean())
    best = esp.neuron_fitness(idx, fit, 8, reduce="max")
    assert best[r, h, k] == fit[r, idx[r, h] == k].max() and np.all(best >= nf)
    pops = np.random.default_rng(3).normal(size=(2, 5, 8, 9))
    W = esp.gather(pops, idx)
    assert np.array_equal(W[1, 7, 3], pops[1, 3, idx[1, 3, 7]])


def test_recombine_children_come_from_parents_and_burst():
    rng = np.random.default_rng(0)
    sub = rng.normal(size=(8, 9))
    fit = rng.uniform(size=8)
    new = esp.recombine(sub, fit, np.random.default_rng(1), mut_rate=0.0, alpha=0.3)
    order = np.argsort(-fit)
    assert np.array_equal(new[:4], sub[order[:4]])                 # the top half survives, sorted
    top = sub[order[:2]]                                            # the top quarter breeds
    for child in new[6:]:
        for j in range(9):
            assert child[j] in top[:, j]
    b = esp.burst(sub[0], 8, np.random.default_rng(2), 0.3)
    assert np.array_equal(b[0], sub[0]) and b.shape == (8, 9) and not np.array_equal(b[1], sub[0])


def test_full_state_lqr_balances_from_the_standard_start():
    # the plant is stabilisable with +-10 N at 0.02 s per decision: a discrete LQR on the
    # linearisation (complex-step Jacobians), clipped to +-10 N, holds both poles for 1,500 steps
    # and brings the state to rest; the short pole needs the opposite-sign gain of the long one
    eps = 1e-30
    A = np.zeros((6, 6))
    for j in range(6):
        z = np.zeros((6, 1), dtype=complex)
        z[j] += 1j * eps
        A[:, j] = plant.step(z, np.zeros(1))[:, 0].imag / eps
    B = plant.step(np.zeros((6, 1), dtype=complex), np.array([1j * eps]))[:, 0].imag / eps
    Q, R, P = np.diag([1, 0.1, 10, 1, 10, 1.0]), 0.1, np.diag([1, 0.1, 10, 1, 10, 1.0])
    for _ in range(3000):
        K = (B @ P @ A) / (R + B @ P @ B)
        P = Q + A.T @ P @ A - np.outer(A.T @ P @ B, K)
    assert K[2] > 0 and K[4] < 0
    s = plant.start_state(1)
    for _ in range(1500):
        s = plant.step(s, np.clip(-K @ s, -10, 10))
        assert not plant.failed(s)[0]
    assert np.abs(s).max() < 1e-3


def test_duplicate_mutate_copies_the_top_quarter_with_noise_on_every_weight():
    rng = np.random.default_rng(5)
    sub = rng.normal(size=(12, 7))
    fit = rng.uniform(size=12)
    new = esp.duplicate_mutate(sub, fit, np.random.default_rng(6), alpha=1e-3)
    order = np.argsort(-fit)
    assert np.array_equal(new[:9], sub[order[:9]])                  # the top three quarters kept, sorted
    d = new[9:] - sub[order[:3]]                                     # the copies: parents + small noise
    assert np.all(d != 0) and np.abs(np.median(d)) < 0.01
    same = esp.duplicate_mutate(sub, fit, np.random.default_rng(6), alpha=1e-3)
    assert np.array_equal(new, same)
