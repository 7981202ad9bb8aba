"""Checks of stubs/world-models-carracing: the gradient checks behind --gradcheck, the car-racing
substitute (tracks, tiles, rewards, frames that hide the speed, the rasterised frames against the
exact road), the three controllers (C(z) and C(z) with a hidden layer never read M, so M cannot change them),
M's Lyapunov spectrum along recorded latents, and the verdict rules. V's and M's backward passes,
the plain versions and CMA-ES are checked in tests/test_world_models_core.py."""
import argparse

import numpy as np
import pytest

from conftest import load_stub
from shared.gradcheck import TOLERANCE
from shared.world_models import mdn_rnn, vae

wm = load_stub("world-models-carracing")
dg = wm.diagnostics()


def test_gradcheck_flag_passes():
    errs = wm.gradcheck(argparse.Namespace(seed=0))
    assert {k.split(".")[0] for k in errs} == {"V", "M"} and "M.R" in errs and "V.W1" in errs
    assert max(errs.values()) < TOLERANCE, errs


@pytest.fixture(scope="module")
def tracks():
    return wm.make_tracks(np.random.default_rng(5), 6)


def test_tracks_have_no_bend_sharper_than_r_min(tracks):
    th = np.linspace(0, 2 * np.pi, 4001)
    c, s = np.broadcast_to(np.cos(th), (6, th.size)), np.broadcast_to(np.sin(th), (6, th.size))
    r, dr, d2r = wm.radius(tracks, c, s, second=True)
    kappa = np.abs(r ** 2 + 2 * dr ** 2 - r * d2r) / (r ** 2 + dr ** 2) ** 1.5
    assert (1 / kappa.max(1) >= wm.R_MIN * 0.99).all()
    assert (r > 0).all()


def test_tiles_run_once_round_the_centre_line_in_order(tracks):
    th = np.linspace(0, 2 * np.pi, 2000, endpoint=False)
    for i in range(3):
        one = wm.pick(tracks, np.full(th.size, i))
        r, _ = wm.radius(one, np.cos(th), np.sin(th))
        tiles = wm.tile_of(one, np.stack([r * np.cos(th), r * np.sin(th)], 1))
        assert tiles[0] == 0 and set(tiles) == set(range(wm.N_TILES))
        assert (np.diff(tiles) >= 0).all()                # one lap: every tile once, in order
        assert np.abs(wm.road_offset(one, r * np.cos(th), r * np.sin(th))).max() < 1e-8


def test_rewards_time_penalty_tiles_and_leaving_the_playfield(tracks):
    tr = wm.pick(tracks, np.arange(3))
    st = wm.reset(tr)
    r, done = wm.env_step(tr, st, np.zeros((3, 3)))       # standing on the start: first tile
    np.testing.assert_allclose(r, 1000 / wm.N_TILES - 0.1)
    r, done = wm.env_step(tr, st, np.zeros((3, 3)))       # no gas, no new tile: only the time penalty
    np.testing.assert_allclose(r, -0.1)
    assert not done.any()
    st["pos"][1] = [200.0, 0.0]
    r, done = wm.env_step(tr, st, np.zeros((3, 3)))
    assert done[1] and r[1] == pytest.approx(-100.1) and not done[[0, 2]].any()


def test_all_tiles_pay_1000_and_end_the_episode(tracks):
    tr = wm.pick(tracks, np.array([0]))
    st = wm.reset(tr)
    total, th = 0.0, np.linspace(0, 2 * np.pi, 400, endpoint=False)
    for t in th:                                          # carry the car round the centre line
        r_, _ = wm.radius(tr, np.array([np.cos(t)]), np.array([np.sin(t)]))
        st["pos"][0] = [r_[0] * np.cos(t), r_[0] * np.sin(t)]
        st["v"][:], st["vel"][:] = 0.0, 0.0
        r, done = wm.env_step(tr, st, np.zeros((1, 3)))
        total += r[0]
        if done[0]:
            break
    assert done[0] and total == pytest.approx(1000 - 0.1 * (list(th).index(t) + 1))


def test_a_frame_shows_the_road_but_not_the_speed(tracks):
    tr = wm.pick(tracks, np.arange(6))
    st = wm.reset(tr, np.random.default_rng(0))
    f = wm.render(tr, st)
    fast = {**st, "v": st["v"] + 1.0, "omega": st["omega"] + 0.1, "vel": st["vel"] * 3}
    np.testing.assert_array_equal(wm.render(tr, fast), f)
    assert 0.1 < f.mean() < 0.6                            # road and grass both in view
    # the raster sampled bilinearly stays close to the exact road
    c, s = np.cos(st["psi"])[:, None], np.sin(st["psi"])[:, None]
    x = st["pos"][:, :1] + wm.VIEW_F * c - wm.VIEW_L * s
    y = st["pos"][:, 1:] + wm.VIEW_F * s + wm.VIEW_L * c
    assert np.abs(f - wm.road_value(wm.road_offset(tr, x, y))).max() < 0.06


def test_controllers_and_their_sizes():
    rng = np.random.default_rng(1)
    Z, H = 16, 64
    k = wm.hidden_units(Z, H)
    assert k == 12 and wm.n_params("z_hidden", Z, H, k) == wm.n_params("zh", Z, H, k) == 243
    z, h = rng.standard_normal((3, Z)), rng.standard_normal((3, H))
    th = {kind: rng.standard_normal((3, wm.n_params(kind, Z, H, k))) for kind in wm.KINDS}
    pol = wm.Policy([(kind, th[kind]) for kind in wm.KINDS] + [("random", 2)], k, np.random.default_rng(0))
    a = pol(np.tile(z, (4, 1))[:11], np.tile(h, (4, 1))[:11])
    assert a.shape == (11, 3) and (a[:, 0] >= -1).all() and (a[:, 1:] >= 0).all() and (a <= 1).all()
    np.testing.assert_allclose(a[:3], wm.controller(th["zh"], np.concatenate([z, h], 1)))
    np.testing.assert_allclose(a[3:6], wm.controller(th["z"], z))
    W1 = th["z_hidden"][:, :k * Z].reshape(3, k, Z)
    b1 = th["z_hidden"][:, k * Z:k * (Z + 1)]
    hid = np.tanh(np.einsum("ekd,ed->ek", W1, z) + b1)
    np.testing.assert_allclose(a[6:9], wm.controller(th["z_hidden"][:, k * (Z + 1):], hid))


def small_agent(seed=0, Z=4, H=6):
    rng = np.random.default_rng(seed)
    V = vae.init(rng, wm.FRAME ** 2, Z, 8)
    M = mdn_rnn.init(rng, Z, 3, H, 2)
    return V, M, mdn_rnn.make_cell(Z + 3, H), rng


def test_controllers_without_h_drive_the_same_whatever_m_is(tracks):
    V, M, cell, rng = small_agent()
    k = wm.hidden_units(4, 6)
    n_hid = wm.n_params("z_hidden", 4, 6, k)
    groups = [("z", rng.normal(0, 0.5, (2, 15))), ("z_hidden", rng.normal(0, 0.5, (2, n_hid)))]
    tr = wm.pick(tracks, np.array([0, 1, 0, 1]))
    a = wm.rollout(V, M, cell, wm.Policy(groups, k), tr, 30)[0]
    M2 = {key: v + rng.normal(0, 1, v.shape) for key, v in M.items()}
    b = wm.rollout(V, M2, cell, wm.Policy(groups, k), wm.pick(tracks, np.array([0, 1, 0, 1])), 30)[0]
    np.testing.assert_array_equal(a, b)


def test_lyapunov_of_m_along_recorded_latents(tracks):
    V, M, cell, rng = small_agent(2)
    pol = wm.Policy([("zh", rng.normal(0, 0.3, (3, 3 * (4 + 6 + 1))))], 1)
    _, _, rec = wm.rollout(V, M, cell, pol, wm.pick(tracks, np.arange(3)), 40, record_envs=3)
    lam = dg.lyapunov(M, cell, rec, {"lyap_seqs": 3, "lyap_transient": 10})
    assert lam.shape == (3, 6) and (np.diff(lam, axis=1) <= 1e-12).all()
    assert np.isfinite(lam).all() and lam[:, 0].max() < 1.0


def metrics(zh, z, zhid, p=0.01):
    pairs = (("zh", zh), ("z", z), ("z_hidden", zhid), ("random", 30.0))
    e = {k: {"mean": m, "sd": 20.0, "laps_completed": 0.5} for k, m in pairs}
    return {"eval": e, "paired": {k: {"mean": zh - m, "p": p, "wins": 60, "losses": 40}
                                  for k, m in (("z", z), ("z_hidden", zhid))}}


CFG = {"eval_tracks": 100, "generations": 80, "pop": 20, "rollouts": 4, "z_dim": 16, "m_hidden": 64}


@pytest.mark.parametrize("zh,z,zhid,p,expect", [
    (920, 700, 800, 0.001, ["partial", "partial", "partial", "partial", "partial"]),
    (850, 700, 800, 0.001, ["open", "partial", "partial", "partial", "partial"]),
    (850, 860, 700, 0.7, ["open", "partial", "partial", "open", "open"]),
    (950, 930, 910, 0.2, ["partial", "open", "open", "open", "open"]),
])
def test_verdict_rules(zh, z, zhid, p, expect):
    rows = dg.headline_rows(metrics(zh, z, zhid, p=p), CFG)
    assert [r["verdict"] for r in rows] == expect
    assert [r["paper_value"] for r in rows[:3]] == ["906 ± 21", "632 ± 251", "788 ± 141"]


def test_speed_read_out_scores_a_linear_signal_and_a_constant():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((40, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3
    train, test = np.arange(40) < 20, np.arange(40) >= 20
    assert dg._r2(X, y, train, test) == pytest.approx(1.0)
    assert dg._r2(X, np.zeros(40), train, test) == 0.0        # no variance to explain


def test_data_rollouts_shapes():
    cfg = dict(wm.DEFAULTS, data_rollouts=3, data_steps=5)
    frames, acts = wm.collect(np.random.default_rng(0), cfg)
    assert frames.shape == (6, 3, wm.FRAME ** 2) and acts.shape == (5, 3, 3)
    assert (frames >= 0).all() and (frames <= 1).all() and (acts[..., 1:] >= 0).all()
