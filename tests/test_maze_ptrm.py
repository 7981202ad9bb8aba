"""Science checks of stubs/maze-ptrm: noisy rollouts, Q selection, the stability proxy, statistics,
verdicts, flags. The proxy's growth against the linearised rollout is checked once, by
tests/test_stubs.py (--gradcheck)."""
import numpy as np
import pytest
from conftest import ROOT, load_stub, run_stub

from shared.mazes import grid
from shared.mazes import net
from shared.mazes.trm import evaluate, latent_cycles

STUB = ROOT / "stubs" / "maze-ptrm"
maze_ptrm = load_stub("maze-ptrm")


def _tiny(rng, S=2, M=3, d=4, h=6):
    p = {k: v.astype(np.float64) for k, v in net.init_params(rng, S, d, h).items()}
    for k in p:
        p[k] += 0.3 * rng.standard_normal(p[k].shape)
    y0, z0 = net.init_states(rng, S, d, np.float64)
    X = np.stack([grid.make_maze(rng, 2, "wilson")[0] for _ in range(M)])
    Y = np.stack([grid.label(x) for x in X])
    cfg = dict(maze_ptrm.DEFAULTS, T=2, n=2, n_sup=4, d=d, hidden=h, chunk=2)
    return p, y0, z0, X, Y, cfg


def test_noise_free_rollouts_equal_the_family_evaluation():
    rng = np.random.default_rng(0)
    p, y0, z0, X, Y, cfg = _tiny(rng)
    r = maze_ptrm.run_blocks(p, y0, z0, X, Y, cfg, 3, 0.0, np.random.default_rng(1))
    ev = evaluate(p, y0, z0, X, Y, cfg, cfg["n_sup"])
    assert r["q"].shape == (2, 3, 3)
    assert np.allclose(r["q_steps"][:, :, 0], ev["q"], atol=1e-12)              # every rollout the same
    assert np.allclose(r["q_steps"], r["q_steps"][:, :, :1])
    assert np.array_equal(r["ok"][:, :, 0], ev["ok"])


def test_noise_changes_rollouts_and_is_deterministic_per_stream():
    rng = np.random.default_rng(0)
    p, y0, z0, X, Y, cfg = _tiny(rng)
    a = maze_ptrm.run_blocks(p, y0, z0, X, Y, cfg, 4, 0.5, np.random.default_rng(7))
    b = maze_ptrm.run_blocks(p, y0, z0, X, Y, cfg, 4, 0.5, np.random.default_rng(7))
    assert np.array_equal(a["q"], b["q"])
    assert np.ptp(a["q"], axis=2).min() > 1e-6                                   # rollouts differ


def test_stability_proxy_is_the_log_growth_of_a_small_displacement():
    """Noise-free: the proxy of each rollout equals ln |J v| / |v| for the same displacement
    direction pushed through the second half with the hand JVP (|v| = 1e-4 is in the linear
    regime to ~1e-3)."""
    rng = np.random.default_rng(3)
    p, y0, z0, X, Y, cfg = _tiny(rng, S=1, M=2)
    r = maze_ptrm.rollouts(p, y0, z0, X, Y, cfg, 1, 0.0, np.random.default_rng(11), proxy=True)
    half = cfg["n_sup"] // 2
    xe = net.embed(p, X[None])
    y = np.broadcast_to(y0[:, None, None, None, :], xe.shape).copy()
    z = np.broadcast_to(z0[:, None, None, None, :], xe.shape).copy()

    y, z = latent_cycles(p, xe, y, z, cfg, half * cfg["T"])
    dv = np.random.default_rng(11).standard_normal((2,) + y.shape)
    _, _, ty, tz = maze_ptrm.linear_growth(p, xe, y, z, dv[0], dv[1], cfg, cfg["n_sup"] - half)
    growth = np.log(np.sqrt(((ty ** 2 + tz ** 2).reshape(1, 2, -1)).sum(2)) /
                    np.sqrt((dv ** 2).reshape(2, 1, 2, -1).sum((0, 3))))
    assert np.allclose(r["proxy"][..., 0], growth, atol=1e-3), (r["proxy"], growth)


def test_q_selection_and_spearman():
    r = dict(q=np.array([[[0.1, 2.0, -1.0], [3.0, 0.0, 1.0]]]),
             ok=np.array([[[False, True, False], [False, True, True]]]))
    assert maze_ptrm.q_select(r).tolist() == [[True, False]]
    rng = np.random.default_rng(0)
    a = rng.normal(size=50)
    b = a + 0.5 * rng.normal(size=50)
    rho, p = maze_ptrm.spearman_perm(a, b, 2000, np.random.default_rng(1))
    stats = pytest.importorskip("scipy.stats")
    assert abs(rho - stats.spearmanr(a, b)[0]) < 1e-12 and p < 0.01
    rho0, p0 = maze_ptrm.spearman_perm(a, rng.normal(size=50), 2000, np.random.default_rng(2))
    assert abs(rho0) < 0.4 and p0 > 0.01
    assert maze_ptrm.spearman_perm([1, 2], [2, 1], 10, rng) == (None, None)
    assert maze_ptrm.ranks([3, 1, 3, 2]).tolist() == [3.5, 1.0, 3.5, 2.0]


def test_bad_flags_fail_with_one_line():
    for argv in (["--K", "0"], ["--sigmas", "-1"], ["--K", "1000000000"], ["--n-head", "abc"],
                 ["--sigmas", "inf"], ["--sigmas"] + ["0.1"] * 17, ["--n-seeds", "17"]):
        proc = run_stub(STUB, *argv, "--quick", "--out", "/tmp/never-written.json", timeout=60)
        err = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        assert proc.returncode == 2 and len(err) == 1 and "Traceback" not in proc.stderr


def test_verdicts_and_user_flags_under_quick():
    assert maze_ptrm.verdict_gain(np.array([0.03, 0.05])) == "partial"
    assert maze_ptrm.verdict_gain(np.array([0.03, 0.02])) == "no"
    assert maze_ptrm.verdict_rho(np.array([0.3, 0.5]), np.array([0.001, 0.005])) == "partial"
    assert maze_ptrm.verdict_rho(np.array([0.3, np.nan]), np.array([0.001, np.nan])) == "no"
    args = maze_ptrm.build_parser().parse_args(["--quick", "--K", "7", "--sigmas", "0.5"])
    cfg = maze_ptrm.resolve_config(args)
    assert cfg["K"] == 7 and cfg["sigmas"] == (0.5,) and cfg["n_head"] == maze_ptrm.QUICK["n_head"]
