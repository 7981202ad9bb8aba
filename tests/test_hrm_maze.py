"""Science checks of stubs/hrm-maze: the 1-step gradient, the Q target, the recursion's Jacobian."""
import importlib.util

import numpy as np
from conftest import ROOT, run_stub

from shared.gradcheck import TOLERANCE
from shared.lyapunov import qr_spectrum
from shared.mazes import grid as G
from shared.mazes import net as N

STUB = ROOT / "stubs" / "hrm-maze"
_spec = importlib.util.spec_from_file_location("hrm_maze", STUB / "hrm_maze.py")
hm = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hm)


def test_one_step_and_full_gradients_match_their_references():
    errs = hm.gradcheck()
    assert any(k.startswith("1-step") for k in errs) and any(k.startswith("full") for k in errs)
    assert max(errs.values()) < TOLERANCE, errs


def test_one_step_gradient_is_a_real_truncation():
    """The 1-step tape holds exactly the last L and H updates, and its gradient differs from the
    full-segment gradient (the dropped terms are not zero)."""
    rng = np.random.default_rng(3)
    p, tokens, target, zl, zh, tq = hm._tiny(rng)
    cfg = dict(hm.DEFAULTS)
    xe = N.embed(p, tokens)
    assert [op for op, _ in hm.segment(p, xe, zl, zh, cfg, 2)[4]] == ["L", "H"]
    assert hm.schedule(cfg) == ["L", "L", "H", "L", "L", "H"]
    g1 = hm.analytic(p, tokens, target, zl, zh, tq, cfg, 2)
    gf = hm.analytic(p, tokens, target, zl, zh, tq, cfg, None)
    assert np.allclose(g1["w_out"], gf["w_out"]) and np.allclose(g1["w_q"], gf["w_q"])
    assert not np.allclose(g1["conv0"], gf["conv0"], rtol=1e-3)


def test_continue_target_bootstraps_from_the_next_segment():
    q = np.array([[[1.0, 3.0], [2.0, -1.0]]])                  # (S=1, B=2, [halt, continue])
    sig = lambda v: 1 / (1 + np.exp(-v))                       # noqa: E731
    assert np.allclose(hm.continue_target(q, np.array([[False, False]])), sig(np.array([[3.0, 2.0]])))
    assert np.allclose(hm.continue_target(q, np.array([[True, True]])), sig(np.array([[1.0, 2.0]])))


def test_weight_budget_matches_trm_local():
    p = hm.init_params(np.random.default_rng(0), 1, 32, 64)
    trm = N.n_params(N.init_params(np.random.default_rng(0), 1, 32, 64))
    assert N.n_params(p) == trm + 33 == 9122                   # HRM's Q head has two outputs
    assert abs(N.n_params(p) / trm - 1) < 0.10


def test_one_block_module_jvp_matches_finite_differences():
    rng = np.random.default_rng(0)
    p = {k: v.astype(np.float64) for k, v in N.init_params(rng, 1, 3, 4).items()}
    x = rng.standard_normal((1, 1, 5, 5, 3))
    for blocks in ((0,), (1,)):
        out, c = N.net_forward(p, x, 0.0, blocks)
        t = rng.standard_normal(x.shape)
        fd = (N.net_forward(p, x + 1e-6 * t, 0.0, blocks)[0]
              - N.net_forward(p, x - 1e-6 * t, 0.0, blocks)[0]) / 2e-6
        assert np.allclose(N.net_jvp(p, c, t), fd, atol=1e-7)
    # the full net is the two one-block modules in sequence
    assert np.allclose(N.net_forward(p, x, 0.0)[0],
                       N.net_forward(p, N.net_forward(p, x, 0.0, (0,))[0], 0.0, (1,))[0])


def test_ftle_matches_qr_spectrum_of_finite_difference_jacobians():
    """Top exponents of the (z_L, z_H) map from the hand JVP equal shared.lyapunov.qr_spectrum of
    central-difference Jacobians of every module update (same initial frame)."""
    rng = np.random.default_rng(0)
    S, P, d = 1, 5, 2
    cfg = dict(hm.DEFAULTS, N=1, T=2, d=d, hidden=3)
    p = {k: v.astype(np.float64) for k, v in hm.init_params(rng, S, d, 3).items()}
    zl0, zh0 = N.init_states(rng, S, d, np.float64)
    X = G.make_maze(rng, 2, "dfs")[0][None]
    n_dim, k = 2 * P * P * d, 6
    lam, n_maps = hm.recursion_ftle(p, zl0, zh0, X, cfg, 1, k, np.random.default_rng(1))
    assert n_maps == 3 and lam.shape == (1, 1, k)
    xe = N.embed(p, X[None])
    zl = np.broadcast_to(zl0[:, None, None, None, :], xe.shape).copy()
    zh = np.broadcast_to(zh0[:, None, None, None, :], xe.shape).copy()
    jac, eps, half = [], 1e-6, n_dim // 2
    for op in hm.schedule(cfg):
        def f(s, op=op, shape=zl.shape):
            a, b = s[:half].reshape(shape), s[half:].reshape(shape)
            if op == "L":
                a = N.net_forward(p, a, b + xe, (0,))[0]
            else:
                b = N.net_forward(p, b, a, (1,))[0]
            return np.concatenate([a.ravel(), b.ravel()])
        s0 = np.concatenate([zl.ravel(), zh.ravel()])
        jac.append(np.stack([(f(s0 + eps * e) - f(s0 - eps * e)) / (2 * eps) for e in np.eye(n_dim)], axis=1))
        s1 = f(s0)
        zl, zh = s1[:half].reshape(zl.shape), s1[half:].reshape(zh.shape)
    ref = qr_spectrum(jac, k=k, rng=np.random.default_rng(1))
    assert np.allclose(lam[0, 0], ref, atol=1e-6), (lam[0, 0], ref)


def test_impossible_sizes_fail_with_one_line():
    for argv in (["--grid", "8"], ["--grid", "5", "--quick"]):
        proc = run_stub(STUB, *argv, "--out", "/tmp/never-written.json", timeout=120)
        err = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        assert proc.returncode == 2 and len(err) == 1 and "error" in err[0] and "Traceback" not in proc.stderr
