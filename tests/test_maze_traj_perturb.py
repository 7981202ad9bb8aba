"""Science checks of stubs/maze-traj-perturb: multi-K gradient, baseline = TRM, resets, statistics."""
import importlib.util

import numpy as np
from conftest import ROOT, run_stub

from shared import cli
from shared.gradcheck import TOLERANCE
from shared.mazes import grid
from shared.mazes import net
from shared.mazes.trm import loss_and_grads, supervision_step, train
from shared.rng import streams

STUB = ROOT / "stubs" / "maze-traj-perturb"
_spec = importlib.util.spec_from_file_location("maze_traj_perturb", STUB / "maze_traj_perturb.py")
mp = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mp)

TINY = dict(mp.DEFAULTS, **mp.QUICK)


def _data(cfg):
    rngs = streams(0, mp.STREAMS)
    return grid.make_data(rngs["data"], rngs["eval"], cfg)


def test_perturbed_loss_gradient_matches_finite_differences():
    errs = mp.gradcheck()
    assert any(k.startswith("T=1") for k in errs) and any(k.startswith("T=2") for k in errs)
    assert max(errs.values()) < TOLERANCE, errs


def test_baseline_arm_is_trm_bit_for_bit():
    """K = 1 of the stub's loop reproduces shared.mazes.trm.train exactly (same weights, same EMA)."""
    cfg = dict(TINY, steps=5)
    Xa, Ya, Xt, Yt = _data(cfg)
    p1, ema1, *_ = train(cfg, streams(3, mp.STREAMS), Xa, Ya, Xt, Yt, cli.Timer(), log=lambda *a, **k: None)
    p2, ema2, *_ = mp.train_arm(cfg, 1, 5, set(), streams(3, mp.STREAMS), Xa, Ya, Xt, Yt, cli.Timer(),
                                log=lambda *a, **k: None)
    for k in p1:
        assert np.array_equal(p1[k], p2[k]) and np.array_equal(ema1[k], ema2[k]), k


def test_equal_carries_give_the_single_carry_loss_and_gradient():
    """With sigma = 0 the K carries are copies, so the mean loss and gradient equal TRM's."""
    rng = np.random.default_rng(0)
    cfg = dict(TINY, T=2, n=2)
    S, B, P, d, K = 2, 3, 5, cfg["d"], 4
    p = net.init_params(rng, S, d, cfg["hidden"], dtype=np.float64)
    tokens, target = rng.integers(0, 4, (S, B, P, P)), rng.integers(0, 5, (S, B, P, P))
    y0, z0 = (v.astype(np.float64) for v in net.init_states(rng, S, d))
    ys, zs = np.zeros((K, S, B, P, P, d)), np.zeros((K, S, B, P, P, d))
    mp.reset_states(y0, z0, np.ones((S, B), bool), K, 0.0, rng, ys, zs)
    _, _, _, loss, _, g = mp.multi_step(p, tokens, target, ys, zs, cfg)
    xe = net.embed(p, tokens)
    y, z, logits, q, cache = supervision_step(p, xe, ys[0], zs[0], cfg)
    loss1, _, g1 = loss_and_grads(p, tokens, target, xe, y, logits, q, cache, cfg)
    assert np.allclose(loss, loss1, rtol=1e-12)
    for k in g:
        assert np.allclose(g[k], g1[k], rtol=1e-10, atol=1e-14), k


def test_reset_keeps_the_clean_carry_and_perturbs_the_others():
    rng = np.random.default_rng(1)
    S, B, P, d, K, sigma = 2, 6, 7, 16, 4, 0.05
    y0, z0 = net.init_states(rng, S, d)
    ys = rng.standard_normal((K, S, B, P, P, d)).astype(np.float32)
    zs = rng.standard_normal((K, S, B, P, P, d)).astype(np.float32)
    before_y = ys.copy()
    halted = np.zeros((S, B), bool)
    halted[0, 1] = halted[1, 4] = halted[1, 5] = True
    mp.reset_states(y0, z0, halted, K, sigma, rng, ys, zs)
    assert np.array_equal(ys[:, ~halted], before_y[:, ~halted])          # running slots untouched
    for s, b in zip(*np.nonzero(halted), strict=True):
        assert np.array_equal(ys[0, s, b], np.broadcast_to(y0[s], (P, P, d)))
        assert np.array_equal(zs[0, s, b], np.broadcast_to(z0[s], (P, P, d)))
        dev = np.concatenate([(ys[1:, s, b] - y0[s]).ravel(), (zs[1:, s, b] - z0[s]).ravel()])
        assert abs(dev.std() / sigma - 1) < 0.05 and abs(dev.mean()) < 0.01 * sigma * 10
        assert not np.allclose(ys[1, s, b], ys[2, s, b])                # carries perturbed independently


def test_perturbed_arm_is_deterministic_and_differs_from_baseline():
    cfg = dict(TINY, steps=4)
    Xa, Ya, Xt, Yt = _data(cfg)
    runs = [mp.train_arm(cfg, 4, 4, {4}, streams(5, mp.STREAMS), Xa, Ya, Xt, Yt, cli.Timer(),
                         log=lambda *a, **k: None) for _ in range(2)]
    base = mp.train_arm(cfg, 1, 4, {4}, streams(5, mp.STREAMS), Xa, Ya, Xt, Yt, cli.Timer(),
                        log=lambda *a, **k: None)
    for k in runs[0][0]:
        assert np.array_equal(runs[0][0][k], runs[1][0][k]), k
    assert np.array_equal(runs[0][2], base[2]) and np.array_equal(runs[0][3], base[3])   # same y0, z0
    assert any(not np.array_equal(runs[0][0][k], base[0][k]) for k in base[0])
    assert runs[0][6]["spread"].min() > 0                                     # perturbed carries differ


def test_sign_flip_and_best_checkpoint():
    assert mp.sign_flip_p([0.01, 0.02, 0.03, 0.04, 0.05]) == (1 / 32, 2 / 32)
    p1, p2 = mp.sign_flip_p([0.0] * 5)
    assert p1 == 1.0 and p2 == 1.0
    p1, p2 = mp.sign_flip_p([-0.01, 0.02, 0.03, 0.04, 0.05])
    assert p1 == 2 / 32 and p2 == 4 / 32
    ck = [dict(step=s, exact=np.array([[0, a], [0, b]]), token=np.array([[0, a / 2], [0, b / 2]]),
               ema={"w": np.array([[s], [10 * s]])})
          for s, a, b in ((1, 0.2, 0.5), (2, 0.6, 0.1), (3, 0.9, 0.9))]
    params, step, ex, tok = mp.best_checkpoint(ck, 2)
    assert step.tolist() == [2, 1] and ex.tolist() == [0.6, 0.5] and tok.tolist() == [0.3, 0.25]
    assert params["w"].tolist() == [[2], [10]]


def test_bad_k_gives_one_clear_line():
    proc = run_stub(STUB, "--quick", "--K", "1", timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "--K" in proc.stderr
