"""The world-model family core (shared/world_model): the batched on-line step equals the plain
one-run step written unit by unit; C's gradient through the frozen M and M's own gradient, carried
forward in time, equal back-propagation through time and central differences; the truncated
gradient is a different quantity but equals its own BPTT twin; a small step along C's gradient
lowers the predicted pain; the regimes switch their phases as stated; the hidden-layer Jacobian
matches finite differences."""
import numpy as np
import pytest

from shared.gradcheck import check_gradients, numeric_jacobian, rel_error
from shared.world_model import core, regimes


def problem(R=3, T=8, seed=0, scale=0.8, m=4, na=1, H_C=3, H_M=4):
    rng = np.random.default_rng(seed)
    C = core.init_net(rng, R, m, H_C, 2 * na, scale)
    M = core.init_net(rng, R, m + na, H_M, m, scale)
    e = rng.uniform(0, 1, (T + 1, R, m))
    eps, a_rand = rng.normal(size=(T, R, na)), rng.uniform(size=(T, R, na))
    pw = rng.uniform(0.0, 1.0, m)
    mask = rng.uniform(0.2, 1.0, m)
    return C, M, e, eps, a_rand, pw, mask


MIXED = dict(random=np.array([False, True, False]), noise=np.array([1.0, 0.0, 0.0]),
             pain_noise=np.array([0.0, 0.0, 1.0]))


def copy(net):
    return {k: v.copy() for k, v in net.items()}


def test_batched_step_equals_reference():
    C, M, e, eps, a_rand, pw, mask = problem()
    st = core.init_state(copy(C), copy(M), 1)
    flags = core.Flags(**MIXED, learn_C=np.array([1.0, 0.0, 1.0]), learn_M=np.array([1.0, 1.0, 0.0]),
                       carry=np.array([1.0, 0.0, 1.0]))
    refs = [dict(C={k: v[r].copy() for k, v in C.items()}, M={k: v[r].copy() for k, v in M.items()},
                 n_act=1, **{k: st[k][r].copy() for k in ("h_C", "h_M", "P", "Q", "P_M")}) for r in range(3)]
    for t in range(e.shape[0] - 1):
        out = core.controller_step(st, e[t], eps[t], a_rand[t], flags, 1.5, pw, 0.3)
        E, _ = core.model_step(st, out, e[t + 1], flags, mask, 0.2)
        for r in range(3):
            fr = core.Flags(*(np.asarray(getattr(flags, f))[r] for f in
                              ("random", "noise", "pain_noise", "learn_C", "learn_M", "carry")))
            a, J, g, Er = core.step_reference(refs[r], e[t, r], eps[t, r], a_rand[t, r], e[t + 1, r], fr,
                                              1.5, pw, 0.3, mask, 0.2)
            assert np.allclose(a, out["a"][r], atol=1e-13) and abs(J - out["J"][r]) < 1e-13
            assert np.allclose(g, out["grad"][r], atol=1e-12) and abs(Er - E[r]) < 1e-13
            for k in ("Wh", "Wo"):
                assert np.allclose(refs[r]["C"][k], st["C"][k][r], atol=1e-12)
                assert np.allclose(refs[r]["M"][k], st["M"][k][r], atol=1e-12)
            for k in ("h_C", "h_M", "P", "Q", "P_M"):
                assert np.allclose(refs[r][k], st[k][r], atol=1e-12)


@pytest.mark.parametrize("flags", [core.Flags(**MIXED, carry=1.0), core.Flags(**MIXED, carry=0.0),
                                   core.Flags(noise=1.0), core.Flags(pain_noise=1.0)],
                         ids=["full", "truncated", "unit-noise", "pain-noise"])
def test_forward_recursion_equals_bptt(flags):
    C, M, e, eps, a_rand, pw, mask = problem(T=25)
    J, gC, E, gM = core.rollout(C, M, 1, e, eps, a_rand, flags, 1.5, pw, mask)
    J2, gC2, E2, gM2 = core.bptt(C, M, 1, e, eps, a_rand, flags, 1.5, pw, mask)
    assert np.allclose(J, J2, atol=1e-12) and np.allclose(E, E2, atol=1e-12)
    assert rel_error(gC, gC2) < 1e-10
    assert max(rel_error(gM[k], gM2[k]) for k in gM) < 1e-10


def test_gradients_equal_central_differences():
    C, M, e, eps, a_rand, pw, mask = problem(T=6)
    fl = core.Flags(random=np.array([False, True, False]), noise=np.array([1.0, 0.0, 0.0]))
    J, gC, E, gM = core.rollout(C, M, 1, e, eps, a_rand, fl, 1.5, pw, mask)
    errC = check_gradients(lambda: core.rollout(C, M, 1, e, eps, a_rand, fl, 1.5, pw, mask)[0].sum(),
                           C, core.unflatten(C, gC), eps=1e-4, richardson=True)
    errM = check_gradients(lambda: core.rollout(C, M, 1, e, eps, a_rand, fl, 1.5, pw, mask)[2].sum(),
                           M, gM, eps=1e-4, richardson=True)
    assert max(errC.values()) < 1e-6 and max(errM.values()) < 1e-6
    # a random-action run's C gets no gradient; the truncated gradient is another quantity
    assert not gC[1].any()
    g0 = core.rollout(C, M, 1, e, eps, a_rand, core.Flags(noise=fl.noise, random=fl.random, carry=0.0),
                      1.5, pw, mask)[1]
    assert rel_error(g0[0], gC[0]) > 1e-3


def test_a_small_step_along_the_gradient_lowers_the_predicted_pain():
    C, M, e, eps, a_rand, pw, mask = problem(T=12, seed=3)
    fl = core.Flags()
    J, g, _, _ = core.rollout(C, M, 1, e, eps, a_rand, fl, 1.0, pw, mask)
    step = core.unflatten(C, 1e-3 * g / np.linalg.norm(g, axis=1, keepdims=True))
    C2 = {k: C[k] - step[k] for k in C}
    J2 = core.rollout(C2, M, 1, e, eps, a_rand, fl, 1.0, pw, mask)[0]
    assert (J2 < J).all()


def test_regime_phases():
    reg = regimes.Regime(seq=np.array([True, False, False]), model_steps=np.array([100, 100, 100]),
                         noise_unit=np.array([True, True, False]), noise_pain=np.array([False, False, True]),
                         carry=np.array([1.0, 0.0, 1.0]))
    early, late = reg.flags(99), reg.flags(100)
    # sequential: M alone from random actions, then C alone through the frozen M, no noise
    assert early.random.tolist() == [True, False, False] and late.random.tolist() == [False] * 3
    assert early.learn_M.tolist() == [1, 1, 1] and late.learn_M.tolist() == [0, 1, 1]
    assert early.learn_C.tolist() == [0, 1, 1] and late.learn_C.tolist() == [1, 1, 1]
    assert late.noise.tolist() == [0, 1, 0] and late.pain_noise.tolist() == [0, 0, 1]
    assert late.carry.tolist() == [1.0, 0.0, 1.0]


class Echo:
    """A toy world: inputs are random, the last line is the squared action (pain of acting)."""

    def __init__(self, rng, R):
        self.rng, self.obs = rng, rng.uniform(0, 1, (R, 3))

    def step(self, a):
        self.obs = np.concatenate([self.rng.uniform(0, 1, (len(a), 2)), a ** 2], axis=1)
        return self.obs, {}


def test_run_is_deterministic_and_chunk_boundaries_do_not_matter():
    def go(splits):
        rng = np.random.default_rng(5)
        C, M = core.init_net(rng, 2, 3, 2, 2, 0.5), core.init_net(rng, 2, 4, 3, 3, 0.5)
        st = core.init_state(C, M, 1)
        env = Echo(np.random.default_rng(6), 2)
        reg = regimes.Regime(np.array([True, False]), np.array([30, 30]), np.array([False, True]),
                             np.array([False, False]), np.array([1.0, 1.0]))
        hy = regimes.Hyper(0.5, 0.5, 1.0, np.array([0.0, 0, 1]), np.ones(3))
        noise, t = np.random.default_rng(7), 0
        for n in splits:
            regimes.run(env, st, reg, hy, t, n, noise, chunk=20)
            t += n
        return st
    a, b = go([60]), go([20, 40])
    for k in ("Wh", "Wo"):
        assert np.array_equal(a["C"][k], b["C"][k]) and np.array_equal(a["M"][k], b["M"][k])


def test_hidden_jacobian_matches_finite_differences():
    rng = np.random.default_rng(2)
    net = core.init_net(rng, 2, 3, 4, 1, 1.0)
    x, h = rng.uniform(0, 1, (2, 3)), rng.uniform(0, 1, (2, 4))
    f = core.net_forward(net, x, h)
    num = numeric_jacobian(lambda z: core.net_forward(net, x, z)["h"], h)
    assert np.allclose(core.hidden_jacobian(net["Wh"], f["sp_h"], 3), num, atol=1e-9)
    # an input that depends on the previous state (through the environment)
    G = rng.normal(size=(2, 3, 4))
    num = numeric_jacobian(lambda z: core.net_forward(net, x + np.einsum("rij,rj->ri", G, z - h), z)["h"], h)
    assert np.allclose(core.hidden_jacobian(net["Wh"], f["sp_h"], 3, G), num, atol=1e-9)


def test_logistic_is_exact_in_both_tails():
    s = np.array([-800.0, -40.0, 0.0, 40.0, 800.0])
    f, fp = core.logistic(s)
    assert np.allclose(f[1:4], 1 / (1 + np.exp(-s[1:4])), rtol=1e-15) and f[0] == 0 and f[-1] == 1
    assert fp[1] > 0 and np.isclose(fp[1], np.exp(-40.0), rtol=1e-12) and fp[2] == 0.25


def test_per_run_pain_weights_equal_separate_runs():
    """pain_w (R, m), one weighting per run (pole-balance-non-markov's failure and shaped-cost
    groups share a batch), gives each run what a batch with its own (m,) weighting gives it, in
    the on-line step and in both off-line gradients."""
    C, M, e, eps, a_rand, _, mask = problem(T=6, seed=4)
    pw = np.random.default_rng(9).uniform(0, 1, (3, 4))
    fl = core.Flags(**MIXED)
    J, gC, _, _ = core.rollout(C, M, 1, e, eps, a_rand, fl, 1.5, pw, mask)
    J2, gC2, _, _ = core.bptt(C, M, 1, e, eps, a_rand, fl, 1.5, pw, mask)
    assert np.allclose(J, J2, atol=1e-12) and rel_error(gC, gC2) < 1e-10
    for r in range(3):
        Jr, gr, _, _ = core.rollout(C, M, 1, e, eps, a_rand, fl, 1.5, pw[r], mask)
        assert np.isclose(J[r], Jr[r], atol=1e-13) and np.allclose(gC[r], gr[r], atol=1e-13)
