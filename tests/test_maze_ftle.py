"""Science checks of stubs/maze-ftle: the sum identity, the statistics, the verdicts, flags.

The tangent maps are checked against central differences once, by tests/test_stubs.py (--gradcheck)."""
import numpy as np
from conftest import ROOT, load_stub, run_stub

from shared.mazes import grid
from shared.mazes import net
from shared.mazes.trm import recursion_ftle

STUB = ROOT / "stubs" / "maze-ftle"
maze_ftle = load_stub("maze-ftle")


def _tiny(rng, d=3, h=4, S=1):
    p = {k: v.astype(np.float64) for k, v in net.init_params(rng, S, d, h).items()}
    for k in p:                                     # away from the init so the maps are generic
        p[k] += 0.3 * rng.standard_normal(p[k].shape)
    y0, z0 = net.init_states(rng, S, d, np.float64)
    X = grid.make_maze(rng, 2, "wilson")[0][None]                         # (1, 5, 5)
    return p, y0, z0, X


def test_sum_of_all_exponents_equals_mean_log_det(monkeypatch):
    """With k = the full state dimension, sum_i lambda_i = mean over sub-updates of ln|det J|.
    det of the joint z-update [[I, 0], [A, A]] (and of the y-update) is det A, the net's Jacobian
    at that call, built here column by column from the JVP; the exponents come from the QR chain.

    RMSNorm's epsilon is raised from 1e-5 to 0.5 for this check: with 1e-5 each norm shrinks its
    radial direction ~1e5-fold, four norms per call leave singular values near round-off, and
    ln|det| (of either side) is then noise (measured: -976 vs -998 per call). The identity tests
    the tangent-map and QR machinery, which do not depend on the constant."""
    monkeypatch.setattr(net, "EPS", 0.5)
    rng = np.random.default_rng(0)
    p, y0, z0, X = _tiny(rng)
    cfg = dict(maze_ftle.DEFAULTS, T=1, n=2, n_sup=2, d=3)
    P, d = 5, 3
    n_dim = 2 * P * P * d
    Q0 = maze_ftle.initial_frame(np.random.default_rng(1), n_dim, n_dim)
    tr = maze_ftle.ftle_trajectories(p, y0, z0, X, grid.label(X[0])[None], cfg, Q0, chunk=1)
    lam_sum = tr["log_r"][0, 0].mean(0).sum()

    xe = net.embed(p, X[None])
    y = np.broadcast_to(y0[:, None, None, None, :], xe.shape).copy()
    z = np.broadcast_to(z0[:, None, None, None, :], xe.shape).copy()
    logdets = []
    for which in maze_ftle.schedule(cfg, cfg["n_sup"]):
        y, z, c = maze_ftle.sub_update(p, xe, y, z, which)
        basis = np.eye(P * P * d).reshape(-1, 1, 1, P, P, d)
        A = net.net_jvp(p, c, basis).reshape(P * P * d, -1).T          # column j = J e_j
        logdets.append(np.linalg.slogdet(A)[1])
    assert len(logdets) == tr["log_r"].shape[2] == 6
    ref = np.mean(logdets)
    assert abs(lam_sum - ref) < 1e-9 * abs(ref), (lam_sum, ref)
    assert ref < -1 and tr["log_r"][0, 0].mean(0)[0] > ref / n_dim       # a non-trivial spectrum


def test_exponents_equal_the_family_estimator():
    """The stub's trajectory recorder (every ln R_ii kept) gives the same top-k exponents as
    shared.mazes.trm.recursion_ftle, an independent loop, from the same initial frame."""
    rng = np.random.default_rng(2)
    p, y0, z0, X = _tiny(rng, S=2)
    X = np.concatenate([X, grid.make_maze(rng, 2, "wilson")[0][None]])
    cfg = dict(maze_ftle.DEFAULTS, T=2, n=2, n_sup=2, d=3)
    k, n_dim = 4, 2 * 25 * 3
    ref, n_maps = recursion_ftle(p, y0, z0, X, cfg, cfg["n_sup"], k, np.random.default_rng(5))
    Q0 = maze_ftle.initial_frame(np.random.default_rng(5), n_dim, k)
    Y = np.stack([grid.label(x) for x in X])
    tr = maze_ftle.ftle_trajectories(p, y0, z0, X, Y, cfg, Q0, chunk=1)
    lam = -np.sort(-tr["log_r"].mean(2), axis=-1)
    assert tr["log_r"].shape == (2, 2, n_maps, k) and n_maps == 2 * 2 * 3
    assert np.allclose(lam, ref, atol=1e-12), (lam, ref)


def test_auc_and_permutation_p_value():
    rng = np.random.default_rng(0)
    score = np.r_[rng.normal(1, 1, 60), rng.normal(0, 1, 40)]
    label = np.r_[np.ones(60, bool), np.zeros(40, bool)]
    a, p = maze_ftle.auc_perm(score, label, 2000, np.random.default_rng(1))
    assert abs(a - grid.auc(score[label], score[~label])) < 1e-12
    assert a > 0.7 and p < 0.01
    a0, p0 = maze_ftle.auc_perm(rng.normal(size=100), label, 2000, np.random.default_rng(2))
    assert 0.02 < p0 <= 1.0 and 0.3 < a0 < 0.7                  # no signal: not significant
    tied = np.r_[np.ones(5), np.zeros(5)]                          # ties get mid-ranks
    assert maze_ftle.auc_perm(tied, np.r_[np.ones(5, bool), np.zeros(5, bool)], 10, rng)[0] == 1.0
    assert maze_ftle.auc_perm(np.ones(10), np.r_[np.ones(5, bool), np.zeros(5, bool)], 10, rng)[0] == 0.5
    assert maze_ftle.auc_perm(score, np.ones(100, bool), 10, rng) == (None, None)


def test_analysis_windows_and_checkpoint_rule():
    """Early window = the first quarter of the sub-updates, among mazes not yet right at its end;
    late drift = the last quarter of the steps; the checkpoint rule picks the latest in the band."""
    rng = np.random.default_rng(0)
    M, n_maps, k = 80, 64, 8
    ok = np.zeros((M, 8), bool)
    ok[:40, 4:] = True                                             # solved late
    ok[:10] = True                                                 # solved from step 1
    log_r = rng.normal(-0.1, 0.01, (M, n_maps, k))
    log_r[40:, 16:] += 0.05                                        # failures differ only after the window
    drift = np.ones((M, 8))
    drift[:40, 6:] = 0.01
    tr = dict(log_r=log_r, ok=ok, q=rng.normal(size=(M, 8)), drift_y=drift, drift_z=drift)
    a, lam, early, late = maze_ftle.analyse(tr, dict(maze_ftle.DEFAULTS))
    assert a["early_window_maps"] == 16 and a["n_pending"] == 70 and a["n_pending_success"] == 30
    assert a["auc_l1"] == 1.0 and a["auc_late_drift"] == 1.0
    assert 0.3 < a["auc_early_l1_pending"] < 0.7
    assert np.allclose(early, log_r[:, :16].mean(1)) and np.allclose(late, drift[:, 6:].mean(1))
    curve = np.array([[0.0, 0.1], [0.4, 0.5], [0.8, 0.95], [0.95, 0.97]])
    assert maze_ftle.pick_checkpoints(curve, np.arange(4)).tolist() == [2, 1]
    assert maze_ftle.pick_checkpoints(np.array([[0.0], [0.1]]), np.arange(2)).tolist() == [1]


def test_bad_flags_fail_with_one_line():
    for argv in (["--n-ftle", "0"], ["--steps", "-3"], ["--n-ftle", "1000000000"], ["--steps", "1e9"]):
        proc = run_stub(STUB, *argv, "--quick", "--out", "/tmp/never-written.json", timeout=60)
        err = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        assert proc.returncode == 2 and len(err) == 1 and "Traceback" not in proc.stderr


def test_verdicts_follow_the_bars():
    """The lambda1 verdict needs AUC, p, the median order and the accuracy band in one seed; the
    others need their bar in some seed (partial at best on 9x9 mazes)."""
    per_seed = [dict(auc_l1=0.85, p_l1=0.001, median_l1_success=-0.1, median_l1_failure=-0.05,
                     auc_spectral_mean=0.82, auc_early_l1_pending=0.55, auc_late_drift=0.8, n_failure=40,
                     exact=0.6, n_pending=10, n_pending_success=3, auc_q_halt=0.9, auc_i=[0.8] * 3),
                dict(auc_l1=0.6, p_l1=0.2, median_l1_success=-0.1, median_l1_failure=-0.2,
                     auc_spectral_mean=0.5, auc_early_l1_pending=None, auc_late_drift=0.9, n_failure=10,
                     exact=0.95, n_pending=0, n_pending_success=0, auc_q_halt=None, auc_i=[0.5, None, 0.9])]
    c = maze_ftle.columns(per_seed)
    assert c["in_band"].tolist() == [True, False] and np.isnan(c["auc_early_l1_pending"][1])
    assert [maze_ftle.verdict_l1(c), maze_ftle.verdict_median_gap(c), maze_ftle.verdict_per_exponent(c),
            maze_ftle.verdict_spectral_mean(c), maze_ftle.verdict_early(c), maze_ftle.verdict_late(c)] == \
        ["partial"] * 6
    per_seed[0].update(n_failure=5)                  # out of the band: the lambda1 bar is not met
    assert maze_ftle.verdict_l1(maze_ftle.columns(per_seed)) == "no"
    rows = maze_ftle.headline_rows(c, dict(maze_ftle.DEFAULTS), np.array([300, 450]))
    assert len(rows) == 6 and rows[0]["value"] == 0.725 and "NOT met" in rows[0]["note"]
