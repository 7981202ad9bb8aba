"""Science checks of stubs/trm-maze: the recursion's Jacobian, data split, flags.

The truncated gradient is checked once, by tests/test_stubs.py (--gradcheck)."""
import numpy as np
from conftest import ROOT, load_stub, run_stub

from shared.lyapunov import qr_spectrum
from shared.mazes import grid
from shared.mazes import net

STUB = ROOT / "stubs" / "trm-maze"
trm_maze = load_stub("trm-maze")


def test_ftle_matches_qr_spectrum_of_finite_difference_jacobians():
    """Top exponents of the joint (y, z) map on a tiny grid, from the hand-written JVP, equal
    shared.lyapunov.qr_spectrum of the full Jacobians of every sub-update built by central
    differences of the forward pass (same initial frame). The full-spectrum sum identity is not
    usable here: RMSNorm nearly annihilates the radial direction (eigenvalue ~ eps/rms^2), so
    ln|det J| is dominated by ill-conditioned directions."""
    rng = np.random.default_rng(0)
    S, P, d = 1, 5, 2
    cfg = dict(trm_maze.DEFAULTS, T=2, n=1, d=d, hidden=3)
    p = {k: v.astype(np.float64) for k, v in net.init_params(rng, S, d, 3).items()}
    y0, z0 = net.init_states(rng, S, d, np.float64)
    X = grid.make_maze(rng, 2, "dfs")[0][None]                        # (1, 5, 5)
    n_dim, k = 2 * P * P * d, 6
    lam, n_maps = trm_maze.recursion_ftle(p, y0, z0, X, cfg, 1, k, np.random.default_rng(1))
    assert n_maps == 4 and lam.shape == (1, 1, k)

    xe = net.embed(p, X[None])
    y = np.broadcast_to(y0[:, None, None, None, :], xe.shape).copy()
    z = np.broadcast_to(z0[:, None, None, None, :], xe.shape).copy()

    def maps():
        for _ in range(cfg["T"]):
            yield "z"
            yield "y"

    jacobians, eps = [], 1e-6
    for which in maps():
        def f(s, which=which, shape=y.shape):
            yy, zz = s[:n_dim // 2].reshape(shape), s[n_dim // 2:].reshape(shape)
            if which == "z":
                zz = net.net_forward(p, zz, yy + xe)[0]
            else:
                yy = net.net_forward(p, yy, zz)[0]
            return np.concatenate([yy.ravel(), zz.ravel()])
        s0 = np.concatenate([y.ravel(), z.ravel()])
        J = np.stack([(f(s0 + eps * e) - f(s0 - eps * e)) / (2 * eps) for e in np.eye(n_dim)], axis=1)
        jacobians.append(J)
        s1 = f(s0)
        y, z = s1[:n_dim // 2].reshape(y.shape), s1[n_dim // 2:].reshape(z.shape)
    ref = qr_spectrum(jacobians, k=k, rng=np.random.default_rng(1))
    assert np.allclose(lam[0, 0], ref, atol=1e-6), (lam[0, 0], ref)
    assert np.all(np.diff(lam[0, 0]) <= 1e-12)


def test_train_and_test_mazes_are_disjoint_under_symmetry():
    cfg = dict(trm_maze.DEFAULTS, n_train=200, n_test=100)
    Xa, Ya, Xt, Yt = grid.make_data(np.random.default_rng(0), np.random.default_rng(1), cfg)
    assert Xa.shape == (8, 200, 9, 9) and Xt.shape == (100, 9, 9)
    train = {grid.canonical_key(x) for x in Xa[0]}
    assert not any(grid.canonical_key(x) in train for x in Xt)
    for t in range(8):                                             # augmented copies keep their labels
        assert np.array_equal(grid.label(Xa[t, 3]), Ya[t, 3])


def test_auc():
    assert grid.auc([2, 3], [0, 1]) == 1.0 and grid.auc([0], [1]) == 0.0 and grid.auc([1], [1]) == 0.5
    assert grid.auc([], [1]) is None


def test_impossible_sizes_fail_with_one_line():
    for argv in (["--grid", "8"], ["--grid", "5", "--quick"], ["--grid", "1001", "--quick"],
                 ["--steps", "1000000000"], ["--n-seeds", "0"], ["--n-test", "abc"]):
        proc = run_stub(STUB, *argv, "--out", "/tmp/never-written.json", timeout=120)
        err = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        assert proc.returncode == 2 and len(err) == 1 and "error" in err[0] and "Traceback" not in proc.stderr


def test_user_flags_win_under_quick():
    """--quick shrinks what the user did not set; a flag the user gave is kept."""
    parser = trm_maze.build_parser()
    args = parser.parse_args(["--quick", "--steps", "11", "--grid", "11"])
    cfg = trm_maze.resolve_config(args)
    assert cfg["steps"] == 11 and cfg["grid"] == 11 and cfg["d"] == trm_maze.QUICK["d"]
    assert trm_maze.resolve_config(parser.parse_args([]))["steps"] == trm_maze.DEFAULTS["steps"]
