"""Checks of stubs/pole-balance-non-markov: the cart-pole's equations on hand-worked cases, its
Jacobian, the failure rule and the random-force baseline, the environment's input layout and trial
bookkeeping, a hand-built controller that balances from position and angle alone (so the task is
solvable by a C that sees no velocity), the closed loop's Jacobian, the batch layout of the groups
and the verdict rules. The family core's checks are in tests/test_world_model_core.py."""
import numpy as np

from conftest import load_stub
from shared.gradcheck import numeric_jacobian, rel_error
from shared.world_model import core

pb = load_stub("pole-balance-non-markov")


def test_plant_at_rest_and_under_a_push():
    # upright and still: only the force acts; theta'' = -F / (M + m) / (l (4/3 - m / (M + m))) and
    # x'' = F / (M + m) - m l theta'' / (M + m)
    s = np.zeros(4)
    n = pb.plant_step(s, 10.0)
    tot = 1.1
    xacc_expected = 10.0 / tot - 0.1 * 0.5 * (-10.0 / tot / (0.5 * (4 / 3 - 0.1 / tot))) / tot
    thacc_expected = (-10.0 / tot) / (0.5 * (4 / 3 - 0.1 / tot))
    assert np.allclose(n, [0.0, 0.02 * xacc_expected, 0.0, 0.02 * thacc_expected])
    # Euler: positions move with the old velocities
    s = np.array([0.1, 0.5, 0.02, -0.3])
    n = pb.plant_step(s, -10.0)
    assert np.isclose(n[0], 0.1 + 0.02 * 0.5) and np.isclose(n[2], 0.02 - 0.02 * 0.3)
    # mirror symmetry: s -> -s, F -> -F
    assert np.allclose(pb.plant_step(-s, 10.0), -n)
    # a tilted pole falls further with no net push (gravity wins): theta'' > 0 for theta > 0
    assert pb.plant_step(np.array([0, 0, 0.1, 0]), 0.0)[3] > 0


def test_plant_jacobian_matches_central_differences():
    s = np.array([[0.3, -0.4, 0.1, 0.5], [-1.0, 0.2, -0.15, -0.7]])
    for F in (10.0, -10.0):
        J = pb.plant_jacobian(s, np.array([F, F]))
        assert rel_error(J, numeric_jacobian(lambda x, F=F: pb.plant_step(x, F), s, eps=1e-4)) < 1e-7


def test_failure_rule_and_random_forces_fail_after_about_twenty_steps():
    s = np.array([[2.41, 0, 0, 0], [0, 0, -0.21, 0], [2.39, 0, 0.2, 0]])
    assert pb.failed(s).tolist() == [True, True, False]
    mean = pb.random_policy(np.random.default_rng(0), 4000)
    assert 15 < mean < 30 and pb.verdict_random(mean) == "yes"
    assert pb.verdict_random(60.0) == "no"


def test_environment_layout_pain_and_trials():
    env = pb.CartPole(np.random.default_rng(1), np.array([False, True]))
    assert np.allclose(env.obs[:, pb.PAIN], 0) and env.obs[0, pb.SHAPED] == 0
    a = np.array([[1.0], [1.0]])                    # always push right: fails within tens of steps
    fails = 0
    for _ in range(300):
        s_before = env.s.copy()
        obs, info = env.step(a)
        assert np.allclose(info["s"], pb.plant_step(s_before, pb.FORCE))
        assert np.array_equal(obs[:, pb.PAIN], info["fail"].astype(float))
        # the input shows the state the next action acts on (a fresh start after a failure)
        assert np.allclose(obs[:, pb.X], np.clip(0.5 + 0.5 * env.s[:, 0] / pb.X_MAX, 0, 1))
        assert np.allclose(obs[:, pb.TH], np.clip(0.5 + 0.5 * env.s[:, 2] / pb.TH_MAX, 0, 1))
        cost = (env.s[1, 2] / pb.TH_MAX) ** 2 + 0.1 * (env.s[1, 0] / pb.X_MAX) ** 2
        assert obs[0, pb.SHAPED] == 0 and np.isclose(obs[1, pb.SHAPED], min(cost, 1.0))
        fails += info["fail"].sum()
    assert env.trials.sum() == fails > 10
    assert env.lengths[0, :env.trials[0]].sum() + env.length[0] == 300


def hand_C(k_th=7.5, k_dth=63.0, k_x=4.8, k_dx=385.0):
    """A controller built by hand from position and angle only: the sign of a linear feedback on
    angle, position and their one-step differences (velocity estimates from positions). Hidden
    units 0 and 1 copy the angle and position inputs at a tenth of their deviation from 0.5 (a
    small gain keeps the logistic linear); units 2 and 3 copy units 0 and 1 one step later, so at
    step t they hold e(t - 1). Gains on the inputs' [0, 1] scale; in plant units the feedback is
    about 18 theta + 3 theta' + x + 1.6 x' (a common stabilising choice for this cart-pole)."""
    Wh, Wo = np.zeros((1, 4, 9)), np.zeros((1, 2, 9))
    # columns: inputs x, theta, pain, shaped (0-3), bias (4), hidden units 0-3 (5-8)
    Wh[0, 0, [pb.TH, 4]] = [0.4, -0.2]              # h0 - .5 ~ 0.1 (e_th(t) - .5)
    Wh[0, 1, [pb.X, 4]] = [0.4, -0.2]               # h1 - .5 ~ 0.1 (e_x(t) - .5)
    Wh[0, 2, [5, 4]] = [4.0, -2.0]                  # h2(t) - .5 ~ h0(t - 1) - .5
    Wh[0, 3, [6, 4]] = [4.0, -2.0]                  # h3(t) - .5 ~ h1(t - 1) - .5
    # s_mu = k_th u_th + k_dth (u_th - u_th(t-1)) + k_x u_x + k_dx (u_x - u_x(t-1)), u = e - .5
    Wo[0, 0, pb.TH], Wo[0, 0, 7] = k_th + k_dth, -10.0 * k_dth
    Wo[0, 0, pb.X], Wo[0, 0, 8] = k_x + k_dx, -10.0 * k_dx
    Wo[0, 0, 4] = -0.5 * (k_th + k_dth + k_x + k_dx) + 5.0 * (k_dth + k_dx)
    Wo[0, 1, 4] = -10.0                              # noise unit: off
    return {"Wh": Wh, "Wo": Wo}


def test_a_hand_built_position_only_controller_balances():
    Cw = hand_C()
    rng = np.random.default_rng(2)
    s0 = rng.uniform(-pb.START, pb.START, (8, 4))
    W = {k: np.repeat(v, 8, axis=0) for k, v in Cw.items()}
    run = pb.closed_loop(W, s0, pb.SUCCESS, jacobians=False)
    assert (run["length"] >= pb.SUCCESS).all()
    # without the velocity estimates (the same feedback on positions only) it fails: the task is
    # non-Markovian, C must remember
    W0 = {k: np.repeat(v, 8, axis=0) for k, v in hand_C(k_dth=0.0, k_dx=0.0).items()}
    assert (pb.closed_loop(W0, s0, pb.SUCCESS, jacobians=False)["length"] < pb.SUCCESS).all()


def test_closed_loop_jacobian_matches_finite_differences_where_the_force_holds():
    Cw = hand_C()
    Cw["Wh"] = Cw["Wh"] + np.random.default_rng(3).normal(0, 0.3, Cw["Wh"].shape)
    s0 = np.array([[0.02, 0.1, -0.01, 0.05]])
    Jl = pb.closed_loop(Cw, s0, 1)["Jl"][0, 0]

    def loop(z):
        f = core.net_forward(Cw, pb.observe(z[None, :4], np.zeros(1), np.zeros(1, bool)), z[None, 4:])
        return np.concatenate([pb.plant_step(z[None, :4], pb.force_of(f["o"][:, 0]))[0], f["h"][0]])
    z0 = np.concatenate([s0[0], np.full(4, 0.5)])
    assert rel_error(Jl, numeric_jacobian(loop, z0, eps=1e-4)) < 1e-6
    # the plant block does not see C: the a.e. closed loop is block triangular
    assert not Jl[:4, 4:].any()


def test_frozen_test_and_fingerprint_of_the_hand_built_controller():
    Cw = hand_C()
    cfg = dict(test_starts=3, lyap_steps=300, lyap_transient=50)
    ft = pb.frozen_test(Cw, np.zeros(1, bool), np.random.default_rng(4), cfg)
    assert ft["balanced"][0] == 3 and ft["whole"][0]
    # C's internal map contracts (copies with f'(s) 4 <= 1 and no recurrence)
    assert ft["lyap_C"][0, 0] < 0
    # linearised where the force holds, the closed loop is the free plant: the upright pole's
    # instability sqrt(g / l_eff) tau ~ +0.08 per step leads
    assert 0.05 < ft["lyap_loop"][0, 0] < 0.1
    assert np.isfinite(ft["twin"][0])


def test_groups_and_batch_layout():
    cfg = dict(pb.DEFAULTS)
    G = pb.groups(cfg)
    names = [g[0] for g in G]
    assert names[:2] == list(pb.MAIN) and set(names[2:]) == set(pb.ABLATIONS)
    regime, pain_w, mask, shaped, gid = pb.build(G, cfg)
    first = {g[0]: np.flatnonzero(gid == i)[0] for i, g in enumerate(G)}
    r = first["failure, sequential"]
    assert regime.seq[r] and pain_w[r].tolist() == [0, 0, 1, 0] and mask[r].tolist() == [1, 1, 1, 0]
    r = first["shaped cost, parallel"]
    assert not regime.seq[r] and shaped[r]
    assert pain_w[r].tolist() == [0, 0, 0, 1] and mask[r].tolist() == [1, 1, 1, 1]
    assert regime.noise_pain[first["failure, parallel"]]
    assert not regime.noise_pain[first["failure, parallel, no noise"]]
    assert regime.carry[first["failure, sequential, truncated through M"]] == 0.0
    assert not regime.noise_unit.any()


def test_verdict_rules():
    assert pb.verdict_success(dict(succeeded=3)) == "partial"
    assert pb.verdict_success(dict(succeeded=0)) == "open"
