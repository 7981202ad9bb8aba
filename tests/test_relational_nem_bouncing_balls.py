"""Checks of stubs/relational-nem-bouncing-balls and of the core it adds, shared/nem/relational.py:
the gradient check behind --gradcheck, the fast interaction and loop against their plain
pair-by-pair twins, the RNN-EM cell against shared/nem/rnn_em.py, the rollout Jacobian against
finite differences, the simulator (conservation laws, collisions of unequal masses, walls, the
exact Jacobian of free flight), the renderer, and the verdict rules."""
import argparse

import numpy as np
import pytest

from conftest import load_stub
from shared.gradcheck import TOLERANCE, check_gradients, numeric_jacobian
from shared.nem import relational as nem
from shared.nem import rnn_em

rb = load_stub("relational-nem-bouncing-balls")
dy = rb.cli.load_sibling(rb.__file__, "relational_nem_bouncing_balls_dynamics", vars(rb))


def test_gradcheck_passes():
    errs = rb.gradcheck(argparse.Namespace(seed=0))
    assert {"rnn.Wh", "rnn.ln_g", "rnem.Wc1", "rnem.wa2", "rnem.Wr2", "rnem.ln_b",
            "rnem.rollout_jacobian"} <= set(errs)
    assert max(errs.values()) < TOLERANCE, errs


def test_stopped_gradient_is_not_the_full_gradient():
    # the check holds gamma fixed; measured against the loss whose E-steps move, the same gradient
    # must fail, or the truncation (and so the check) would say nothing
    p, x_in, x_next, g0 = dy.small_problem(1, "rnem")
    _, g, _ = nem.loss_and_grads(p, x_in, x_next, g0)
    errs = check_gradients(lambda: nem.forward(p, x_in, x_next, g0)[0], p, g, eps=1e-3, richardson=True)
    assert max(errs.values()) > 1e-3, errs


@pytest.mark.parametrize("cell", nem.CELLS)
@pytest.mark.parametrize("layer_norm", [True, False])
def test_fast_loop_matches_plain(cell, layer_norm):
    p, x_in, x_next, g0 = dy.small_problem(2, cell, layer_norm=layer_norm)
    loss, cache = nem.forward(p, x_in, x_next, g0)
    loss_p, gammas = nem.forward_plain(p, x_in, x_next, g0)
    assert abs(loss - loss_p) <= 1e-12 * abs(loss)
    for t, gp in enumerate(gammas):
        np.testing.assert_allclose(cache["gamma"][t], gp, rtol=1e-11, atol=1e-13)


def test_interaction_matches_plain_and_ignores_self_pairs():
    rng = np.random.default_rng(4)
    p = nem.init_params(rng, 6, 5, "rnem", E=4, C=6, F=3, A=2, dtype=np.float64)
    hh = rng.random((3, 4, 4))
    E, _ = nem.interaction(p, hh)
    np.testing.assert_allclose(E, nem.interaction_plain(p, hh), rtol=1e-12, atol=1e-14)
    # one slot alone has no partner: no effect
    np.testing.assert_array_equal(nem.interaction(p, hh[:, :1])[0], 0.0)
    # slots are interchangeable: permuting them permutes the effects
    perm = [2, 0, 3, 1]
    np.testing.assert_allclose(nem.interaction(p, hh[:, perm])[0], E[:, perm], rtol=1e-12)


def test_rnn_cell_is_the_rnn_em_core_on_a_static_target():
    # with the same frame as target at every step, the sequential RNN-EM loop is shared/nem/rnn_em's
    # loop with every step in the loss and the gradient stopped at gamma (its loss summed, ours averaged)
    p, x_in, x_next, g0 = dy.small_problem(5, "rnn", layer_norm=False)
    T = x_in.shape[0]
    static = np.repeat(x_next[:1], T, axis=0)
    loss, g, cache = nem.loss_and_grads(p, x_in, static, g0)
    loss_c, g_c, cache_c = rnn_em.loss_and_grads(p, x_in, static[0], g0, np.ones(T), gamma_grad=False)
    assert abs(loss * T - loss_c) <= 1e-12 * abs(loss_c)
    np.testing.assert_allclose(cache["h"], cache_c["h"], rtol=1e-12, atol=1e-14)
    for k in p:
        np.testing.assert_allclose(g[k] * T, g_c[k], rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("cell", nem.CELLS)
def test_rollout_jacobian_matches_finite_differences(cell):
    p, _, _, _ = dy.small_problem(7, cell)
    h = np.random.default_rng(8).random((3, 3, 5))
    J = nem.rollout_jacobian(p, h)
    Jn = numeric_jacobian(lambda v: nem.rollout_step(p, v.reshape(3, 3, 5))[0].reshape(3, -1),
                          h.reshape(3, -1), eps=1e-5)
    assert np.abs(J).max() > 1e-3
    np.testing.assert_allclose(J, Jn, rtol=1e-6, atol=1e-9)


# ---------------------------------------------------------------- the simulator and the frames

def two_balls(pos, vel, mass):
    return np.concatenate([np.ravel(pos), np.ravel(vel)])[None], np.array([mass], float)


def test_head_on_collision_of_unequal_masses():
    # m1 = 1 at speed 0.5 meets m2 = 2 at rest: v1' = (m1 - m2)/(m1 + m2) v1, v2' = 2 m1/(m1 + m2) v1
    state, mass = two_balls([[12.0, 8.0], [12.0, 13.2]], [[0.0, 0.5], [0.0, 0.0]], [1.0, 2.0])
    for _ in range(3):
        state = rb.frame_map(state, mass)
    v = state[0, 4:].reshape(2, 2)
    np.testing.assert_allclose(v, [[0.0, -0.5 / 3], [0.0, 1.0 / 3]], atol=1e-12)


def test_simulation_conserves_energy_and_keeps_balls_apart_and_inside():
    rng = np.random.default_rng(0)
    states, mass = rb.simulate(rng, 16, 6, 200)
    n = 6
    pos, vel = states[..., :2 * n].reshape(200, 16, n, 2), states[..., 2 * n:].reshape(200, 16, n, 2)
    energy = 0.5 * np.sum(mass[None, :, :, None] * vel ** 2, axis=(2, 3))
    np.testing.assert_allclose(energy, np.broadcast_to(energy[0], energy.shape), rtol=1e-10)
    d = np.linalg.norm(pos[:, :, :, None] - pos[:, :, None], axis=-1) + 100 * np.eye(n)
    # overlaps (detected after a substep's move) stay below one substep's relative travel
    rel = np.linalg.norm(vel[:, :, :, None] - vel[:, :, None], axis=-1).max()
    assert d.min() > 2 * rb.RADIUS - rel / rb.SUBSTEPS
    assert pos.min() > rb.RADIUS - 0.5 and pos.max() < rb.SIDE - rb.RADIUS + 0.5
    assert set(np.unique(mass)) == set(rb.MASSES)


def test_free_flight_jacobian_is_exact():
    # far from walls and each other, a frame maps (x, v) to (x + v, v)
    state, mass = two_balls([[6.0, 6.0], [17.0, 17.0]], [[0.3, 0.2], [-0.1, 0.4]], [1.0, 2.0])
    J = dy.sim_jacobian(state, mass)[0]
    exact = np.block([[np.eye(4), np.eye(4)], [np.zeros((4, 4)), np.eye(4)]])
    np.testing.assert_allclose(J, exact, atol=1e-8)


def test_collision_makes_the_jacobian_depend_on_positions():
    state, mass = two_balls([[12.0, 8.0], [12.6, 13.0]], [[0.0, 0.9], [0.0, -0.2]], [1.0, 2.0])
    J = dy.sim_jacobian(state, mass)[0]
    assert np.abs(J[4:, :4]).max() > 0.01          # velocities after depend on positions before


def test_render_and_labels():
    rng = np.random.default_rng(3)
    states, _ = rb.simulate(rng, 8, 4, 5)
    x, labels = rb.render(states, 4)
    assert x.shape == labels.shape == (5, 8, rb.SIDE * rb.SIDE)
    assert np.all(x[labels > 0] == 1)
    per_ball = np.stack([(labels == b).sum(-1) for b in range(1, 5)], -1)
    assert 15 <= np.median(per_ball) <= 25          # a disc of radius 2.5 covers about 20 pixel centres


def test_verdicts():
    cfg = {"K": 5, "K_test": 8}
    M = {"train_seqs": 6400, "rnem_4_bce_last10": 40.0, "rnn_4_bce_last10": 50.0,
         "rnem_678_bce_last10": 60.0, "rnn_678_bce_last10": 80.0, "rnem_4_ami_last10": 0.7,
         "rnn_4_ami_last10": 0.6,
         "rnem_678_ami_last10": 0.6, "rnn_678_ami_last10": 0.5, "rnem_lyapunov_top": 0.1,
         "rnn_lyapunov_top": -0.2, "simulator_lyapunov_top": 0.15, "simulator_lyapunov_top_twin": 0.15,
         "rnem_untrained_4_bce_last10": 400.0, "rnem_untrained_4_ami_last10": 0.0,
         "density_4_bce_last10": 230.0}
    assert [r["verdict"] for r in dy.headline_rows(M, cfg)] == ["partial"] * 4
    M.update(rnem_4_bce_last10=49.5, rnem_4_ami_last10=0.2, rnem_678_ami_last10=0.2, rnem_lyapunov_top=-0.1)
    assert [r["verdict"] for r in dy.headline_rows(M, cfg)] == ["open"] * 4     # a budget cap is never a no


def test_training_resumes_bit_identically(tmp_path, monkeypatch):
    cfg = dict(rb.DEFAULTS, steps=4, hidden=6, inter=5, att=3, train_seqs=8 * 6, batch=8, eval_every=16,
               n_test=6, K=3, balls=2)

    def fresh():
        rs = rb.streams(0, ["init", "data", "eval"])
        probe = rb.make_test(rs["eval"], cfg, [2], cfg["K"])
        return rb.init_model(rs["init"], "rnem", cfg), rs["data"], probe
    p1, d1, pr1 = fresh()
    r1 = rb.train(p1, cfg, d1, pr1, "a", rb.Checkpoint(None, 1, None))
    ck = rb.Checkpoint(str(tmp_path / "rnem.pkl"), 2, {"v": 1})
    p2, d2, pr2 = fresh()
    real, calls = rb.make_batch, {"n": 0, "stop": True}

    def interrupted(*a, **k):          # Ctrl-C while drawing the 4th batch (saved after the 2nd)
        calls["n"] += 1
        if calls["stop"] and calls["n"] == 4:
            raise KeyboardInterrupt
        return real(*a, **k)
    monkeypatch.setattr(rb, "make_batch", interrupted)
    with pytest.raises(KeyboardInterrupt):
        rb.train(p2, cfg, d2, pr2, "b", ck)
    calls["stop"] = False
    p3, d3, pr3 = fresh()
    r3 = rb.train(p3, cfg, d3, pr3, "c", ck)
    np.testing.assert_array_equal(r1["loss"], r3["loss"])
    np.testing.assert_array_equal(r1["curve"], r3["curve"])
    for k in p1:
        np.testing.assert_array_equal(p1[k], p3[k])
    assert (tmp_path / "rnem.pkl").is_file()   # kept until the results are written


def test_simulator_frame_map_preserves_phase_space_volume():
    # free flight is a shear and an elastic kick a reflection in velocity space plus a
    # position-dependent shear: |det J| = 1 even across a collision between unequal masses
    state, mass = two_balls([[12.0, 8.0], [12.6, 13.0]], [[0.0, 0.9], [0.0, -0.2]], [1.0, 2.0])
    assert abs(abs(np.linalg.det(dy.sim_jacobian(state, mass)[0])) - 1.0) < 1e-6
