"""Science checks of stubs/hrm-maze: the 1-step truncation, the Q target, the recursion's
Jacobian, the TRM - HRM verdict, flags. Both gradients are checked once, by tests/test_stubs.py
(--gradcheck)."""
import numpy as np
from conftest import ROOT, load_stub, run_stub

from shared.lyapunov import qr_spectrum
from shared.mazes import grid
from shared.mazes import net

STUB = ROOT / "stubs" / "hrm-maze"
hrm_maze = load_stub("hrm-maze")


def test_one_step_gradient_is_a_real_truncation():
    """The 1-step tape holds exactly the last L and H updates, and its gradient differs from the
    full-segment gradient (the dropped terms are not zero)."""
    rng = np.random.default_rng(3)
    p, tokens, target, zl, zh, tq = hrm_maze._tiny(rng)
    cfg = dict(hrm_maze.DEFAULTS)
    xe = net.embed(p, tokens)
    assert [op for op, _ in hrm_maze.segment(p, xe, zl, zh, cfg, 2)[4]] == ["L", "H"]
    assert hrm_maze.schedule(cfg) == ["L", "L", "H", "L", "L", "H"]
    g1 = hrm_maze.analytic(p, tokens, target, zl, zh, tq, cfg, 2)
    gf = hrm_maze.analytic(p, tokens, target, zl, zh, tq, cfg, None)
    assert np.allclose(g1["w_out"], gf["w_out"]) and np.allclose(g1["w_q"], gf["w_q"])
    assert not np.allclose(g1["conv0"], gf["conv0"], rtol=1e-3)


def test_continue_target_bootstraps_from_the_next_segment():
    q = np.array([[[1.0, 3.0], [2.0, -1.0]]])                  # (S=1, B=2, [halt, continue])
    sig = lambda v: 1 / (1 + np.exp(-v))                       # noqa: E731
    assert np.allclose(hrm_maze.continue_target(q, np.array([[False, False]])), sig(np.array([[3.0, 2.0]])))
    assert np.allclose(hrm_maze.continue_target(q, np.array([[True, True]])), sig(np.array([[1.0, 2.0]])))


def test_weight_budget_matches_trm_local():
    p = hrm_maze.init_params(np.random.default_rng(0), 1, 32, 64)
    trm = net.n_params(net.init_params(np.random.default_rng(0), 1, 32, 64))
    assert net.n_params(p) == trm + 33 == 9122                   # HRM's Q head has two outputs
    assert abs(net.n_params(p) / trm - 1) < 0.10


def test_one_block_module_jvp_matches_finite_differences():
    rng = np.random.default_rng(0)
    p = {k: v.astype(np.float64) for k, v in net.init_params(rng, 1, 3, 4).items()}
    x = rng.standard_normal((1, 1, 5, 5, 3))
    for blocks in ((0,), (1,)):
        out, c = net.net_forward(p, x, 0.0, blocks)
        t = rng.standard_normal(x.shape)
        fd = (net.net_forward(p, x + 1e-6 * t, 0.0, blocks)[0]
              - net.net_forward(p, x - 1e-6 * t, 0.0, blocks)[0]) / 2e-6
        assert np.allclose(net.net_jvp(p, c, t), fd, atol=1e-7)
    # the full net is the two one-block modules in sequence
    assert np.allclose(net.net_forward(p, x, 0.0)[0],
                       net.net_forward(p, net.net_forward(p, x, 0.0, (0,))[0], 0.0, (1,))[0])


def test_ftle_matches_qr_spectrum_of_finite_difference_jacobians():
    """Top exponents of the (z_L, z_H) map from the hand JVP equal shared.lyapunov.qr_spectrum of
    central-difference Jacobians of every module update (same initial frame)."""
    rng = np.random.default_rng(0)
    S, P, d = 1, 5, 2
    cfg = dict(hrm_maze.DEFAULTS, N=1, T=2, d=d, hidden=3)
    p = {k: v.astype(np.float64) for k, v in hrm_maze.init_params(rng, S, d, 3).items()}
    zl0, zh0 = net.init_states(rng, S, d, np.float64)
    X = grid.make_maze(rng, 2, "dfs")[0][None]
    n_dim, k = 2 * P * P * d, 6
    lam, n_maps = hrm_maze.recursion_ftle(p, zl0, zh0, X, cfg, 1, k, np.random.default_rng(1))
    assert n_maps == 3 and lam.shape == (1, 1, k)
    xe = net.embed(p, X[None])
    zl = np.broadcast_to(zl0[:, None, None, None, :], xe.shape).copy()
    zh = np.broadcast_to(zh0[:, None, None, None, :], xe.shape).copy()
    jac, eps, half = [], 1e-6, n_dim // 2
    for op in hrm_maze.schedule(cfg):
        def f(s, op=op, shape=zl.shape):
            a, b = s[:half].reshape(shape), s[half:].reshape(shape)
            if op == "L":
                a = net.net_forward(p, a, b + xe, (0,))[0]
            else:
                b = net.net_forward(p, b, a, (1,))[0]
            return np.concatenate([a.ravel(), b.ravel()])
        s0 = np.concatenate([zl.ravel(), zh.ravel()])
        jac.append(np.stack([(f(s0 + eps * e) - f(s0 - eps * e)) / (2 * eps) for e in np.eye(n_dim)], axis=1))
        s1 = f(s0)
        zl, zh = s1[:half].reshape(zl.shape), s1[half:].reshape(zh.shape)
    ref = qr_spectrum(jac, k=k, rng=np.random.default_rng(1))
    assert np.allclose(lam[0, 0], ref, atol=1e-6), (lam[0, 0], ref)


def test_impossible_sizes_fail_with_one_line():
    for argv in (["--grid", "8"], ["--grid", "5", "--quick"], ["--grid", "1001", "--quick"],
                 ["--n-seeds", "1000000000"], ["--steps", "abc"]):
        proc = run_stub(STUB, *argv, "--out", "/tmp/never-written.json", timeout=120)
        err = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        assert proc.returncode == 2 and len(err) == 1 and "error" in err[0] and "Traceback" not in proc.stderr


def test_gap_row_against_a_comparable_trm_run():
    """With trm-maze's run as reference: the gap per seed, the bar in every seed -> partial (a 9x9
    task), a positive mean short of the bar -> partial, a negative one -> no; no reference, no row."""
    cfg = dict(hrm_maze.DEFAULTS)
    ex = hrm_maze.exact_summary(np.array([[0.1, 0.3], [0.2, 0.5], [0.0, 0.4]]), 2)
    trm = dict(exact_last=[0.45, 0.6, 0.55], n_params=9089)
    rows, gap = hrm_maze.headline_rows(ex, cfg, 9122, trm)
    assert np.allclose(gap, [0.15, 0.1, 0.15]) and rows[1]["verdict"] == "partial"
    assert rows[1]["value"] == round(0.5333333333 - 0.4, 4) and "bar >= +0.10" in rows[1]["note"]
    assert hrm_maze.verdict_gap(np.array([0.2, 0.05]), 0.125) == "partial"
    assert hrm_maze.verdict_gap(np.array([-0.2, 0.05]), -0.075) == "no"
    assert len(hrm_maze.headline_rows(ex, cfg, 9122, None)[0]) == 1
    assert not hrm_maze.comparable(dict(trm, quick=True, config={}), cfg, False)
