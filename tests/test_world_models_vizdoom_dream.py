"""Checks of stubs/world-models-vizdoom-dream: the gradient checks behind --gradcheck (V, and M with
its death head and masked windows), the death head's batched loss against the plain one written
step by step, the game (fireballs land where the agent stood when they were fired, 16 steps later;
idle monsters fire; walls; frames that hide where a fireball is heading), the policies, the dream
(the death rule, the temperature per block), common random numbers in the game, M's state
Jacobians against finite differences and its Lyapunov spectrum along recorded games, the training
windows, and the verdict rules."""
import argparse

import numpy as np
import pytest

from conftest import load_stub
from shared.gradcheck import TOLERANCE, numeric_jacobian
from shared.world_models import mdn_rnn, vae

wm = load_stub("world-models-vizdoom-dream")
dg = wm.diagnostics()
ck = wm.cli.load_sibling(wm.__file__, "world_models_vizdoom_dream_checks", vars(wm))


def test_gradcheck_flag_passes():
    errs = wm.gradcheck(argparse.Namespace(seed=0))
    assert {"M.Wd", "M.bd", "M.R", "V.W1"} <= set(errs)
    assert max(errs.values()) < TOLERANCE, errs


def test_death_head_loss_equals_the_plain_step_by_step_loss():
    cell, m, xs, tgt, done, mask, Z, K = ck.small_m(np.random.default_rng(4))
    parts, _, _ = mdn_rnn.loss_and_grads_done(cell, m, xs, tgt, done, mask, Z, K, w_pos=10.0)
    plain = mdn_rnn.plain_loss_done(m, xs, tgt, done, mask, Z, K, 10.0)
    assert parts["total"] == pytest.approx(plain, rel=1e-12)
    assert parts["total"] == pytest.approx(parts["z"] + parts["done"])


def test_masked_nll_is_the_nll_of_the_kept_steps():
    rng = np.random.default_rng(1)
    lg, mu, ls = rng.standard_normal((3, 5, 4, 2, 3))
    tgt, mask = rng.standard_normal((5, 4, 2)), np.zeros((5, 4))
    mask[:3, 1], mask[1:, 3] = 1, 1
    keep = mask.astype(bool)
    full = mdn_rnn.masked_nll(lg, mu, ls, tgt, mask)
    part = mdn_rnn.nll(lg[keep], mu[keep], ls[keep], tgt[keep])
    assert full[0] == pytest.approx(part[0], rel=1e-12)
    for a, b in zip(full[1:], part[1:], strict=True):
        np.testing.assert_allclose(a[keep] * keep.sum(), b * keep.sum(), rtol=1e-11)
        assert not a[~keep].any()


def test_the_death_head_leaves_the_other_weights_as_they_were():
    a = mdn_rnn.init(np.random.default_rng(7), 4, 3, 6, 5)
    b = mdn_rnn.init(np.random.default_rng(7), 4, 3, 6, 5, done=True)
    assert set(b) - set(a) == {"Wd", "bd"}
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])          # world-models-carracing's M is unchanged


def one_shot(x0):
    """A game where only the middle monster fires, once, at an agent standing at x0."""
    st = wm.new_games(1)
    st["x"][:] = x0
    u = np.ones((1, 3))
    u[0, 1] = 0.0
    wm.game_step(st, np.zeros(1), u)                      # fires at the end of this step
    return st


@pytest.mark.parametrize("moves,hit", [(0, True), (1, False), (-1, False)])
def test_a_fireball_lands_where_the_agent_stood_sixteen_steps_later(moves, hit):
    st = one_shot(10.0)
    assert st["air"][0, 1] and not st["air"][0, [0, 2]].any()
    hits = [wm.game_step(st, np.full(1, moves), np.ones((1, 3)))[0] for _ in range(wm.FLIGHT)]
    assert hits[-1] == hit and not any(hits[:-1])         # only on landing
    assert not st["air"].any()                            # the fireball is gone


def test_idle_monsters_fire_and_busy_ones_do_not():
    st = one_shot(10.0)
    u = np.zeros((1, 3))                                  # every monster would fire
    wm.game_step(st, np.zeros(1), u)
    assert st["air"].all() and st["age"][0, 1] == 1 and st["age"][0, 0] == 0


def test_the_walls_stop_the_agent():
    st = wm.new_games(2)
    for _ in range(40):
        wm.game_step(st, np.array([-1, 1]), np.ones((2, 3)))
    np.testing.assert_array_equal(st["x"], [wm.X_MIN, wm.X_MAX])


def test_a_frame_shows_where_a_fireball_is_but_not_where_it_goes():
    st = one_shot(10.0)
    for _ in range(5):
        wm.game_step(st, np.zeros(1), np.ones((1, 3)))
    f = wm.render(st)
    other = {k: v.copy() for k, v in st.items()}
    fx, _ = wm.ball_xy(st)
    other["vx"][0, 1] += 0.5                              # heading elsewhere, from the same spot
    other["fx0"][0, 1] = fx[0, 1] - other["vx"][0, 1] * other["age"][0, 1]
    np.testing.assert_allclose(wm.render(other), f, atol=1e-12)
    assert f.shape == (1, wm.FRAME ** 2) and 0 <= f.min() and f.max() <= 1
    assert f.max() == 1.0 and (f > 0.9).sum() > 10        # the fireball and the agent are drawn


def test_actions_and_policies():
    np.testing.assert_array_equal(wm.to_move(np.array([-0.9, -0.3, 0.0, 0.3, 0.34])), [-1, 0, 0, 0, 1])
    pol = wm.RandomPolicy(50, np.random.default_rng(0))
    a = np.array([pol() for _ in range(200)])
    runs = np.diff(np.flatnonzero(np.diff(a[:, 0]) != 0))
    assert (np.abs(a) <= 1).all() and runs.max() <= 10 and runs.min() >= 1
    z, h, th = np.ones((2, 3)), np.ones((2, 4)), np.zeros((2, 8))
    th[:, -1] = [0.5, -0.5]
    np.testing.assert_allclose(wm.controller(th, z, h), np.tanh([0.5, -0.5]))


def small_agent(seed=0, Z=4, H=6):
    rng = np.random.default_rng(seed)
    V = vae.init(rng, wm.FRAME ** 2, Z, 8)
    M = mdn_rnn.init(rng, Z, 1, H, 3, done=True)
    init = (rng.standard_normal((5, Z)), np.full((5, Z), 0.1))
    return V, M, mdn_rnn.make_cell(Z + 1, H), init, rng


@pytest.mark.parametrize("bias,expect", [(50.0, 1), (-50.0, 20)])
def test_dream_death_rule(bias, expect):
    _, M, cell, init, rng = small_agent()
    M["bd"][:] = bias
    M["Wd"][:] = 0.0
    surv, rec = wm.dream(cell, M, wm.Groups([("random", 6)], rng), [(1.0, 6)], init, 20, rng, record=2)
    assert (surv == expect).all() and rec.shape == (expect, 2, 4)


def test_dream_temperature_per_block():
    _, M, cell, init, rng = small_agent(1)
    M["Wd"][:], M["bd"][:] = 0.0, -50.0
    init = (np.repeat(init[0][:1], 5, 0), np.zeros((5, 4)))     # one start for every row
    theta = np.zeros((40, 4 + 6 + 1))
    _, rec = wm.dream(cell, M, wm.Groups([("c", theta)]), [(1e-4, 20), (1.3, 20)], init, 4, rng, record=40)
    spread = rec[-1].std(0)                               # same inputs: the cold rows barely differ
    cold, warm = rec[-1][:20].std(0).mean(), rec[-1][20:].std(0).mean()
    assert cold < 0.05 * warm and spread.mean() > 0


def test_the_game_uses_common_random_numbers_across_blocks():
    V, M, cell, _, rng = small_agent(2)
    th = np.zeros((4, 11))                                # a = tanh(0) = 0: stand still, whatever z is
    pol = wm.Groups([("c", th), ("c", th.copy())])
    surv, rec = wm.play(V, cell, M, pol, 4, 60, np.random.default_rng(0), np.random.default_rng(1), [0, 4])
    np.testing.assert_array_equal(surv[:4], surv[4:])     # block b plays games 0..3 with the same draws
    np.testing.assert_array_equal(rec["frame"][:, 0], rec["frame"][:, 1])
    assert rec["frame"].dtype == np.uint8 and len(set(surv[:4])) > 1


def test_state_jacobians_of_m_along_a_game_match_finite_differences():
    V, M, cell, _, rng = small_agent(3)
    th = rng.normal(0, 0.3, (1, 11))
    _, rec = wm.play(V, cell, M, wm.Groups([("c", th)]), 1, 12, rng, rng, [0])
    x = np.concatenate([rec["z"], rec["a"][..., None]], -1)
    _, _, cache = mdn_rnn.run(cell, M, x, mdn_rnn.zero_state(6, 1))
    J = mdn_rnn.state_jacobians(cell, M, cache)
    c, h = cache["s"][:, 0, 0], cache["y"][:, 0, 0]
    for t in (1, 5, 9):
        def step(v, t=t):
            hn, cn, *_ = mdn_rnn.plain_step(M, x[t, 0], v[6:], v[:6], 4, 3)
            return np.concatenate([cn, hn])
        np.testing.assert_allclose(J[t], numeric_jacobian(step, np.concatenate([c[t], h[t]])), atol=1e-8)


def test_lyapunov_and_drift_along_recorded_games():
    V, M, cell, _, rng = small_agent(4)
    n = 2
    groups = [("c", rng.normal(0, 0.3, (n, 11))) for _ in wm.TAUS] + [("random", n)]
    _, rec = wm.play(V, cell, M, wm.Groups(groups, rng), n, 40, rng, rng, list(range(6 * n)))
    cfg = {"lyap_steps": 30, "lyap_transient": 5}
    lam = dg.lyapunov(cell, M, rec, cfg)
    assert lam.shape == (n, 6) and (np.diff(lam, axis=1) <= 1e-12).all() and np.isfinite(lam).all()
    dr = dg.drift(cell, M, rec, cfg, rng, draws=2, horizon=5)
    assert dr["d"].shape == (5, 5) and (dr["d"] >= 0).all() and dr["level"] > 0


def test_training_windows_mark_deaths_and_mask_the_end():
    T, N, Z = 10, 2, 3
    mu, sd = np.zeros((T + 1, N, Z)), np.zeros((T + 1, N, Z))
    mu[..., 0] = np.arange(T + 1)[:, None]
    acts = np.ones((T, N))
    steps, died = np.array([4, 10]), np.array([True, False])
    x, tgt, done, mask = wm.windows(mu, sd, acts, steps, died, np.array([0, 1]), np.array([1, 6]), 5,
                                    np.random.default_rng(0))
    np.testing.assert_array_equal(mask[:, 0], [1, 1, 1, 0, 0])   # transitions 1, 2, 3 of 4
    np.testing.assert_array_equal(done[:, 0], [0, 0, 1, 0, 0])   # the death on transition 3
    np.testing.assert_array_equal(mask[:, 1], [1, 1, 1, 1, 0]) and not done[:, 1].any()
    np.testing.assert_array_equal(tgt[:3, 0, 0], x[:3, 0, 0] + 1)


def metrics(dreams, reals, random_real=50.0, p=0.01):
    per = {f"{t:g}": {"dream": {"mean": d, "sd": 10.0}, "real": {"mean": r, "sd": 10.0}, "dream_at_cap": 0.5,
                      "random_in_dream": {"mean": 30.0}}
           for t, d, r in zip(wm.TAUS, dreams, reals, strict=True)}
    warm = max((1.0, 1.15, 1.3), key=lambda t: reals[wm.TAUS.index(t)])
    cold = max((0.1, 0.5), key=lambda t: reals[wm.TAUS.index(t)])
    diff = reals[wm.TAUS.index(warm)] - reals[wm.TAUS.index(cold)]
    return {"per_tau": per, "solved_bar": 178.6, "random_real": {"mean": random_real, "sd": 20.0},
            "best_tau": warm, "warm_vs_cold": {"warm_tau": warm, "cold_tau": cold, "mean": diff, "p": p,
                                                "wins": 60, "losses": 30}}


CFG = {"cap": 500, "eval_episodes": 100, "data_episodes": 240, "m_hidden": 64, "generations": 30, "pop": 12,
       "rollouts": 4}


@pytest.mark.parametrize("dreams,reals,p,expect", [
    ([490, 480, 300, 250, 200], [40, 45, 250, 300, 220], 0.001, ["partial"] * 4),
    ([490, 480, 300, 250, 200], [40, 45, 150, 170, 120], 0.001, ["partial", "open", "partial", "partial"]),
    ([60, 80, 300, 250, 200], [40, 45, 150, 170, 120], 0.3, ["open", "open", "open", "open"]),
    ([300, 480, 300, 250, 200], [200, 45, 190, 170, 120], 0.9, ["open", "open", "open", "partial"]),
])
def test_verdict_rules(dreams, reals, p, expect):
    rows = dg.headline_rows(metrics(dreams, reals, p=p), CFG)
    assert [r["verdict"] for r in rows] == expect
    assert rows[0]["paper_value"] == "dream 2086 ± 140; real 193 ± 58"
