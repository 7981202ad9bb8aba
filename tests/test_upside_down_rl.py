"""Checks of stubs/upside-down-rl: the hand-written backward passes of the behaviour function and of
the A2C net against finite differences (float64), the multiplicative command gate, the
independence of members trained side by side, the top-return replay buffer, the trailing-segment
relabelling, the exploratory commands, the command update of algorithm 2, the sparse reward (same
return, paid at the end), the mini lander's physics and reward bookkeeping, and the verdict rules."""
import argparse
import sys

import numpy as np
import pytest

from conftest import ROOT, load_stub
from shared.gradcheck import TOLERANCE, check_gradients

ud = load_stub("upside-down-rl")
sys.path.insert(0, str(ROOT / "stubs" / "upside-down-rl"))
import upside_down_rl_a2c as a2c  # noqa: E402
import upside_down_rl_lander as lander  # noqa: E402


def test_gradcheck_flag_passes():
    errs = ud.gradcheck(argparse.Namespace(seed=0))
    assert {k.split(".")[0] for k in errs} == {"udrl", "a2c"}
    assert len(errs) == 16 and max(errs.values()) < TOLERANCE, errs


@pytest.mark.parametrize("seed", [1, 2])
def test_behaviour_function_gradient_other_sizes(seed):
    rng = np.random.default_rng(seed)
    M, B, H = 3, 7, 5
    p = ud.init_params(rng, M, H)
    for k in p:
        p[k] += rng.normal(0, 0.5, p[k].shape)
    s, c, a = rng.normal(size=(M, B, 8)), rng.normal(size=(M, B, 2)) * 2, rng.integers(0, 4, (M, B))
    _, g = ud.loss_and_grads(p, s, c, a)
    errs = check_gradients(lambda: ud.loss_and_grads(p, s, c, a)[0].sum(), p, g, eps=1e-4, richardson=True)
    assert max(errs.values()) < TOLERANCE, errs


def test_a2c_gradient_with_its_own_advantages_and_no_entropy():
    rng = np.random.default_rng(3)
    q = a2c.init_params(rng, 2, 4, 8, 4)
    for k in q:
        q[k] += rng.normal(0, 0.4, q[k].shape)
    s, a, R = rng.normal(size=(2, 6, 8)), rng.integers(0, 4, (2, 6)), rng.normal(size=(2, 6))
    A = R - a2c.forward(q, s)[1]                     # the advantages the update would use, frozen
    _, g = a2c.loss_and_grads(q, s, a, R, 0.0, 1.0)
    errs = check_gradients(lambda: a2c.loss_and_grads(q, s, a, R, 0.0, 1.0, A)[0].sum(), q, g,
                           eps=1e-4, richardson=True)
    assert max(errs.values()) < TOLERANCE, errs


def test_command_gates_the_state_embedding_multiplicatively():
    rng = np.random.default_rng(0)
    p = ud.init_params(rng, 1, 6)
    s = rng.normal(size=(1, 3, 8))
    c1, c2 = rng.normal(size=(1, 3, 2)), rng.normal(size=(1, 3, 2))
    logits, (_, _, h, g, h1) = ud.forward(p, s, c1)
    assert np.allclose(g, 1 / (1 + np.exp(-(c1 @ p["Wc"] + p["bc"][:, None]))))
    assert np.allclose(h1, np.tanh((h * g) @ p["W1"] + p["b1"][:, None]))
    assert not np.allclose(logits, ud.forward(p, s, c2)[0])           # the command matters ...
    p["Wc"][:] = 0.0                                                    # ... only through the gate
    assert np.allclose(ud.forward(p, s, c1)[0], ud.forward(p, s, c2)[0])


def test_members_are_independent():
    rng = np.random.default_rng(4)
    p = ud.init_params(rng, 2, 5)
    s, c, a = rng.normal(size=(2, 4, 8)), rng.normal(size=(2, 4, 2)), rng.integers(0, 4, (2, 4))
    loss, g = ud.loss_and_grads(p, s, c, a)
    one = {k: v[1:] for k, v in p.items()}
    loss1, g1 = ud.loss_and_grads(one, s[1:], c[1:], a[1:])
    assert np.allclose(loss[1:], loss1) and all(np.allclose(g[k][1:], g1[k]) for k in g)


def fake_episodes(rng, M, E, T):
    length = rng.integers(1, T + 1, (M, E))
    rew = rng.normal(size=(M, E, T)) * (np.arange(T) < length[..., None])
    return {"obs": rng.normal(size=(M, E, T, 8)).astype(np.float32),
            "act": rng.integers(0, 4, (M, E, T)).astype(np.int8), "rew": rew.astype(np.float32),
            "length": length, "ret": rew.sum(-1)}


def test_buffer_keeps_the_highest_returns_sorted():
    rng = np.random.default_rng(5)
    buf = ud.empty_buffer(2, 4, 6, 8)
    eps = [fake_episodes(rng, 2, 3, 6) for _ in range(3)]
    for ep in eps:
        buf = ud.insert(buf, ep, np.array([True, True]))
    for m in range(2):
        every = np.sort(np.concatenate([ep["ret"][m] for ep in eps]))[::-1][:4]
        assert np.allclose(buf["ret"][m], every)
    frozen = {k: v.copy() for k, v in buf.items()}
    buf = ud.insert(buf, fake_episodes(rng, 2, 3, 6), np.array([False, True]))
    assert all(np.array_equal(buf[k][0], frozen[k][0]) for k in buf)   # a member past its budget: unchanged


def test_training_batch_relabels_trailing_segments():
    rng = np.random.default_rng(6)
    buf = ud.insert(ud.empty_buffer(2, 5, 7, 8), fake_episodes(rng, 2, 3, 7), np.array([True, True]))
    s, c, a = ud.training_batch(buf, rng, 50)
    for m in range(2):
        for b in range(50):
            hits = [(e, t) for e in range(3) for t in range(int(buf["length"][m, e]))
                    if np.array_equal(buf["obs"][m, e, t], s[m, b].astype(np.float32))]
            assert len(hits) == 1                                       # only filled slots are drawn
            e, t = hits[0]
            L = buf["length"][m, e]
            assert c[m, b, 1] == L - t and a[m, b] == buf["act"][m, e, t]
            assert np.isclose(c[m, b, 0], buf["rtg"][m, e, t])


def test_return_to_go_of_a_stored_episode():
    rng = np.random.default_rng(8)
    ep = fake_episodes(rng, 1, 1, 9)
    buf = ud.insert(ud.empty_buffer(1, 2, 9, 8), ep, np.array([True]))
    want = np.cumsum(ep["rew"][0, 0, ::-1])[::-1]
    assert np.allclose(buf["rtg"][0, 0], want, atol=1e-5)
    assert np.isclose(buf["rtg"][0, 0, 0], ep["ret"][0, 0], atol=1e-4)


def test_exploratory_commands():
    rng = np.random.default_rng(7)
    buf = ud.insert(ud.empty_buffer(1, 10, 8, 8), fake_episodes(rng, 1, 10, 8), np.array([True]))
    cmd, ev = ud.exploratory_commands(buf, 4, rng, 500)
    top, lens = buf["ret"][0, :4], buf["length"][0, :4]
    assert np.allclose(cmd[0, :, 1], lens.mean()) and np.isclose(ev[0, 1], lens.mean())
    assert np.isclose(ev[0, 0], top.mean())
    assert cmd[0, :, 0].min() >= top.mean() and cmd[0, :, 0].max() <= top.mean() + top.std()
    assert cmd[0, :, 0].max() - cmd[0, :, 0].min() > 0.8 * top.std()   # uniform over [M, M + S]


def test_episodes_update_the_command_and_sparse_pays_the_same_return_at_the_end(monkeypatch):
    monkeypatch.setattr(lander, "DISPERSION", 0.0)      # no engine noise: both members fly the same paths
    T = 60
    z0 = np.repeat(lander.reset(np.random.default_rng(0), (1, 4)), 2, 0)          # the same starts for both
    seen = []

    def policy(obs, cmd):                        # a deterministic pilot: brake when falling fast
        seen.append(cmd.copy())
        return 50.0 * np.eye(4)[np.where(obs[..., 3] < -0.4, 2, 0)]
    cmd0 = np.tile([[[50.0, 30.0]]], (2, 4, 1))
    ep = ud.run_episodes(lander, policy, z0, np.random.default_rng(1), np.array([False, True]), T, cmd0)
    assert np.allclose(ep["ret"][0], ep["ret"][1])                                  # same task, same returns
    assert np.allclose(ep["rew"][0].sum(-1), ep["ret"][0], atol=1e-3)
    last = ep["length"][1] - 1
    sparse = ep["rew"][1].copy()
    assert np.allclose(sparse[np.arange(4), last], ep["ret"][1], atol=1e-3)
    sparse[np.arange(4), last] = 0.0
    assert np.all(sparse == 0.0)                                                    # nothing before the end
    cmds = np.array(seen)                                                           # (steps, 2, 4, 2)
    assert np.all(cmds[..., 1] >= 1.0)
    for e in range(4):                                    # sparse: d_r stays put until the payment comes
        assert np.allclose(cmds[:int(ep["length"][1, e]), 1, e, 0], 50.0)
    for e in range(4):                                    # dense: d_r_t = d_r_0 - rewards so far
        t = min(int(ep["length"][0, e]) - 1, len(cmds) - 1)
        assert np.isclose(cmds[t, 0, e, 0], 50.0 - ep["rew"][0, e, :t].sum(), atol=1e-3)
        assert cmds[t, 0, e, 1] == max(30.0 - t, 1.0)


def test_lander_free_fall_engines_and_reward_bookkeeping():
    z = np.array([[0.0, 1.0, 0.0, 0.0, 0.0, 0.0]])
    rng = np.random.default_rng(0)
    z1 = lander.step(z, np.array([0]), rng)[0]
    assert np.isclose(z1[0, 3], -lander.G * lander.DT)                               # free fall
    z2 = lander.step(z, np.array([2]), rng)[0]
    assert z2[0, 3] > 0                                            # the main engine beats gravity
    zl, zr = lander.step(z, np.array([1]), rng)[0], lander.step(z, np.array([3]), rng)[0]
    assert zl[0, 5] * zr[0, 5] < 0 and zl[0, 5] != 0               # side engines turn both ways
    # a soft touchdown on the pad settles to rest (+100); a hard one crashes (-100)
    soft = np.array([[0.0, lander.Y_REST + 0.01, 0.0, -0.1, 0.0, 0.0]])
    hard = np.array([[0.0, lander.Y_REST + 0.01, 0.0, -1.5, 0.0, 0.0]])
    outs = {}
    for name, z in (("soft", soft), ("hard", hard)):
        total, obs0 = 0.0, lander.observe(z)
        for _ in range(100):
            z, obs, r, done, oc = lander.step(z, np.array([0]), rng)
            total += r[0]
            if done[0]:
                break
        outs[name] = oc[0]
        bonus = 100.0 if oc[0] == 2 else -100.0
        # the shaping terms telescope: the return is the change of the potential plus the bonus
        assert np.isclose(total, lander.shaping(obs)[0] - lander.shaping(obs0)[0] + bonus)
    assert outs == {"soft": 2, "hard": 1}
    assert lander.landed_on_pad(soft, np.array([2]))[0]


def test_a2c_sampling_follows_the_softmax():
    rng = np.random.default_rng(0)
    logits = np.tile(np.log([0.1, 0.2, 0.3, 0.4]), (20000, 1))
    freq = np.bincount(a2c.sample(rng, logits), minlength=4) / 20000
    freq2 = np.bincount(ud.sample(rng, logits), minlength=4) / 20000
    assert np.allclose(freq, [0.1, 0.2, 0.3, 0.4], atol=0.015) and np.allclose(freq2, freq, atol=0.02)


def metrics(u_dense, u_sparse, a_dense, a_sparse, pad, r):
    def part(v):
        v = np.asarray(v, float)
        return {"per_seed": v.tolist(), "mean": float(v.mean()), "sd": float(v.std(ddof=1))}
    both = lambda d, s: {"dense": part(d), "sparse": part(s)}   # noqa: E731
    return {"udrl": {"return": both(u_dense, u_sparse), "pad_landing": both(pad, pad)},
            "a2c": {"return": both(a_dense, a_sparse), "pad_landing": both([0, 0, 0], [0, 0, 0])},
            "sweep": {"median_r": r}}


def test_verdict_rules():
    cfg = dict(ud.DEFAULTS, seeds=3)
    good = metrics([150, 160, 170], [150, 155, 160], [200, 210, 220], [-50, -40, -60], [0.8, 0.9, 0.7], 0.9)
    assert [h["verdict"] for h in ud.headline_rows(good, cfg)] == ["partial"] * 4
    bad = metrics([-50, -40, -60], [-50, -45, -60], [-50, -40, -60], [-50, -45, -60], [0.0, 0.1, 0.0], 0.1)
    assert [h["verdict"] for h in ud.headline_rows(bad, cfg)] == ["open"] * 4    # a budget cap is never a no
