"""Science checks of stubs/maze-traj-perturb: baseline = TRM, resets, statistics, verdicts, flags.

The multi-K gradient is checked against finite differences once, by tests/test_stubs.py (--gradcheck)."""
import numpy as np
from conftest import ROOT, load_stub, run_stub

from shared import cli
from shared.mazes import grid
from shared.mazes import net
from shared.mazes.trm import loss_and_grads, supervision_step, train
from shared.rng import streams

STUB = ROOT / "stubs" / "maze-traj-perturb"
maze_traj_perturb = load_stub("maze-traj-perturb")
STREAMS = maze_traj_perturb.STREAMS

TINY = dict(maze_traj_perturb.DEFAULTS, **maze_traj_perturb.QUICK)


def _data(cfg):
    rngs = streams(0, maze_traj_perturb.STREAMS)
    return grid.make_data(rngs["data"], rngs["eval"], cfg)


def test_baseline_arm_is_trm_bit_for_bit():
    """K = 1 of the stub's loop reproduces shared.mazes.trm.train exactly (same weights, same EMA)."""
    cfg = dict(TINY, steps=5)
    Xa, Ya, Xt, Yt = _data(cfg)
    quiet = dict(log=lambda *a, **k: None)
    p1, ema1, *_ = train(cfg, streams(3, STREAMS), Xa, Ya, Xt, Yt, cli.Timer(), **quiet)
    p2, ema2, *_ = maze_traj_perturb.train_arm(cfg, 1, 5, set(), streams(3, STREAMS), Xa, Ya, Xt, Yt,
                                               cli.Timer(), **quiet)
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
    maze_traj_perturb.reset_states(y0, z0, np.ones((S, B), bool), K, 0.0, rng, ys, zs)
    _, _, _, loss, _, g = maze_traj_perturb.multi_step(p, tokens, target, ys, zs, cfg)
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
    maze_traj_perturb.reset_states(y0, z0, halted, K, sigma, rng, ys, zs)
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
    quiet = dict(log=lambda *a, **k: None)
    data = (Xa, Ya, Xt, Yt)
    runs = [maze_traj_perturb.train_arm(cfg, 4, 4, {4}, streams(5, STREAMS), *data, cli.Timer(), **quiet)
            for _ in range(2)]
    base = maze_traj_perturb.train_arm(cfg, 1, 4, {4}, streams(5, STREAMS), *data, cli.Timer(), **quiet)
    for k in runs[0][0]:
        assert np.array_equal(runs[0][0][k], runs[1][0][k]), k
    assert np.array_equal(runs[0][2], base[2]) and np.array_equal(runs[0][3], base[3])   # same y0, z0
    assert any(not np.array_equal(runs[0][0][k], base[0][k]) for k in base[0])
    assert runs[0][6]["spread"].min() > 0                                     # perturbed carries differ


def test_a_stopped_arm_resumes_bit_identically(tmp_path):
    """Stopped after step 5 (a save at step 4), the arm restarts from its checkpoint and ends with
    the same weights, EMA, losses and evaluations as an uninterrupted run."""
    from shared.checkpoint import Checkpoint
    cfg = dict(TINY, steps=8)
    data = _data(cfg)
    quiet = dict(log=lambda *a, **k: None)
    arm = maze_traj_perturb.train_arm
    whole = arm(cfg, 3, 8, {3, 6, 8}, streams(7, STREAMS), *data, cli.Timer(), **quiet)

    class Stop(Exception):
        pass

    def stop_at_6(*a, **k):
        raise Stop
    path = str(tmp_path / "perturbed.pkl")
    ck = Checkpoint(path, 2, {"cfg": cfg})
    try:
        arm(cfg, 3, 8, {3, 6, 8}, streams(7, STREAMS), *data, cli.Timer(),
            log=lambda *a, **k: stop_at_6() if "step     6" in a[0] else None, ck=ck)
    except Stop:
        pass
    assert (tmp_path / "perturbed.pkl").is_file()
    logs = []
    again = arm(cfg, 3, 8, {3, 6, 8}, streams(7, STREAMS), *data, cli.Timer(),
                log=lambda *a, **k: logs.append(a[0]), ck=Checkpoint(path, 2, {"cfg": cfg}))
    assert "resumed after step 4" in logs[0]
    for k in whole[0]:
        assert np.array_equal(whole[0][k], again[0][k]) and np.array_equal(whole[1][k], again[1][k]), k
    assert np.array_equal(whole[5], again[5])                                   # loss history
    assert [c["step"] for c in whole[4]] == [c["step"] for c in again[4]] == [3, 6, 8]
    for a, b in zip(whole[4], again[4], strict=True):
        assert np.array_equal(a["exact"], b["exact"])


def test_a_finished_arm_is_read_back_not_retrained(tmp_path, capsys):
    cfg = maze_traj_perturb.resolve_config(
        maze_traj_perturb.build_parser().parse_args(["--quick", "--steps", "4", "--eval-every", "2"]))
    job = dict(arm="perturbed", seed=0, cfg=cfg, data=_data(cfg), ck_dir=str(tmp_path))
    first = maze_traj_perturb._arm_job(job)
    assert (tmp_path / "perturbed-done.pkl").is_file() and not (tmp_path / "perturbed.pkl").exists()
    capsys.readouterr()
    second = maze_traj_perturb._arm_job(job)
    assert "finished earlier" in capsys.readouterr().out
    assert np.array_equal(first["loss"], second["loss"]) and first["cpu_s"] == second["cpu_s"]
    maze_traj_perturb.checkpoint.remove_folder(str(tmp_path))
    assert not tmp_path.exists()


def test_sign_flip_and_best_checkpoint():
    assert maze_traj_perturb.sign_flip_p([0.01, 0.02, 0.03, 0.04, 0.05]) == (1 / 32, 2 / 32)
    p1, p2 = maze_traj_perturb.sign_flip_p([0.0] * 5)
    assert p1 == 1.0 and p2 == 1.0
    p1, p2 = maze_traj_perturb.sign_flip_p([-0.01, 0.02, 0.03, 0.04, 0.05])
    assert p1 == 2 / 32 and p2 == 4 / 32
    ck = [dict(step=s, exact=np.array([[0, a], [0, b]]), token=np.array([[0, a / 2], [0, b / 2]]),
               ema={"w": np.array([[s], [10 * s]])})
          for s, a, b in ((1, 0.2, 0.5), (2, 0.6, 0.1), (3, 0.9, 0.9))]
    params, step, ex, tok = maze_traj_perturb.best_checkpoint(ck, 2)
    assert step.tolist() == [2, 1] and ex.tolist() == [0.6, 0.5] and tok.tolist() == [0.3, 0.25]
    assert params["w"].tolist() == [[2], [10]]


def test_bad_k_gives_one_clear_line():
    proc = run_stub(STUB, "--quick", "--K", "1", timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "--K" in proc.stderr


def test_verdict_rules():
    gain = dict(mean=0.025, p_one_sided=0.03, p_two_sided=0.06)
    assert maze_traj_perturb.verdict_gain(gain) == "partial"
    assert maze_traj_perturb.verdict_gain(dict(gain, p_one_sided=0.2)) == "no"
    drop = dict(mean=-0.03, p_one_sided=1.0, p_two_sided=0.04)
    assert maze_traj_perturb.verdict_final_drop(drop) == "partial"
    assert maze_traj_perturb.verdict_final_drop(dict(mean=-0.005, p_one_sided=1.0, p_two_sided=0.01)) == "no"
    assert maze_traj_perturb.verdict_fewer_positive(dict(pos_success=3.0), dict(pos_success=7.8)) == "partial"
    assert maze_traj_perturb.verdict_fewer_positive(dict(pos_success=None), dict(pos_success=7.8)) == "no"
    assert maze_traj_perturb.effect(dict(mean=0.005)).startswith("no effect")


def test_absurd_flags_are_refused_in_one_line():
    for argv in (["--steps", "1000000000"], ["--n-seeds", "0"], ["--sigma", "nan"], ["--workers", "5"],
                 ["--K", "1000000000"], ["--eval-every", "abc"]):
        proc = run_stub(STUB, "--quick", *argv, "--out", "/tmp/never-written.json", timeout=60)
        err = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        assert proc.returncode == 2 and len(err) == 1 and "Traceback" not in proc.stderr, argv
