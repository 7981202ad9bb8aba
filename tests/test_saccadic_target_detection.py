"""Checks of stubs/saccadic-target-detection: the receptive-field averages against a rendered
512 x 512 field, the fovea's geometry and the move coding, the starts, the gradient of M and of the
C -> M -> C -> M chain, the saccade-map diagnostic on hand-made controllers, and the verdict
rules."""
import sys

import numpy as np

from conftest import ROOT, load_stub

STUB = ROOT / "stubs" / "saccadic-target-detection"
sac = load_stub("saccadic-target-detection")
sys.modules.setdefault("saccadic_target_detection", sac)
sys.path.insert(0, str(STUB))
import saccadic_target_detection_checks as checks  # noqa: E402
import saccadic_target_detection_diagnostics as diag  # noqa: E402


def test_fovea_layout_is_40_discs_finer_in_the_centre():
    offs, radii = sac.fovea_layout()
    assert offs.shape == (40, 2) and radii.shape == (40,)
    ecc = np.linalg.norm(offs, axis=1)
    assert np.all(np.diff(radii.reshape(5, 8)[:, 0]) > 0) and np.all(np.diff(ecc.reshape(5, 8)[:, 0]) > 0)
    # the fovea's diameter (outer ring + its discs) is about the object's (64-72 px)
    assert 60 <= 2 * (ecc.max() + radii.max()) <= 90


def test_receptive_field_averages_match_a_rendered_field():
    """An integer-placed disc's map value is the plain mean of the pixels it covers (black = 1)."""
    for rotation in (False, True):
        scene = sac.Scene(rotation)
        mask_fn = sac.triangle_mask if rotation else sac.blob_mask
        c = np.array([300, 200])                                       # object centre (x, y)
        yy, xx = np.mgrid[0:sac.FIELD, 0:sac.FIELD]
        field = mask_fn(xx - c[0], yy - c[1]).astype(float)            # the 512 x 512 scene
        for k, (dx, dy) in enumerate([(0, 0), (17, -9), (-30, 22), (41, 3)]):
            r = scene.radii[(7 * k) % 40]
            cx, cy = c[0] + dx, c[1] + dy
            disc = (xx - cx) ** 2 + (yy - cy) ** 2 <= r ** 2
            direct = field[disc].mean()
            kk = (7 * k) % 40
            assert abs(scene.maps[kk, sac.HALF + dy, sac.HALF + dx] - direct) < 1e-9


def test_sensing_depends_only_on_the_pose_relative_to_the_object():
    scene = sac.Scene(True)
    st = {"c": np.array([[200.0, 300.0]]), "phi": np.array([0.7]), "theta": np.array([1.0]),
          "p": np.array([[215.0, 290.0]])}
    moved = {"c": st["c"] + 60, "phi": st["phi"] + 0.5, "theta": st["theta"] + 0.5,
             "p": st["c"] + 60 + sac.rot(st["p"] - st["c"], np.array([0.5]))}
    assert np.allclose(scene.sense(st), scene.sense(moved), atol=1e-9)
    at_target = {"c": st["c"], "phi": st["phi"], "theta": st["phi"].copy(), "p": st["c"].copy()}
    assert np.allclose(scene.sense(at_target)[0], scene.desired())
    far = {**st, "p": st["c"] + 150}
    assert np.all(scene.sense(far) == 0)                               # white background


def test_move_coding_and_field_border():
    scene = sac.Scene(True)
    st = {"c": np.array([[256.0, 256.0]]), "phi": np.zeros(1), "theta": np.zeros(1),
          "p": np.array([[256.0, 256.0]])}
    up = scene.step(st, np.array([[1.0, 0, 0, 0, 0, 0]]))
    assert np.allclose(up["p"], [[256.0, 236.0]])                     # up = -y on screen
    right_cw = scene.step(st, np.array([[0, 0, 0, 1.0, 1.0, 0]]))
    assert np.allclose(right_cw["p"], [[276.0, 256.0]]) and np.isclose(right_cw["theta"][0], np.radians(50))
    turned = {**st, "theta": np.array([np.pi / 2])}                    # moves are in the fovea's frame
    assert np.allclose(scene.step(turned, np.array([[0, 0, 0, 1.0, 0, 0]]))["p"], [[256.0, 276.0]])
    edge = {**st, "p": np.array([[5.0, 510.0]])}
    out = scene.step(edge, np.array([[0, 1.0, 1.0, 0, 0, 0]]))
    assert np.allclose(out["p"], [[0.0, 511.0]])


def test_starts_overlap_the_object():
    for rotation in (False, True):
        scene = sac.Scene(rotation)
        st = scene.draw_starts(np.random.default_rng(3), (4, 50), 64.0)
        assert np.all(scene.sense(st).sum(-1) > 0)
        assert np.all(np.linalg.norm(st["p"] - st["c"], axis=-1) <= 64.0 + 1e-9)


def test_gradients_of_model_controller_and_chain():
    assert max(checks.check_model().values()) < 1e-6
    assert max(checks.check_controller_input().values()) < 1e-6
    for n_act in (4, 6):
        assert max(checks.check_chain(n_act, T=3, seed=5).values()) < 1e-6


def test_chain_gradient_is_not_the_one_step_gradient():
    """With T > 1 the chain carries credit through earlier saccades (differs from using only the
    last step), so the multi-step path is really in the update."""
    rng = np.random.default_rng(0)
    WC = sac.init_net(rng, 1, 40, 20, 4, 1.0)
    WM = sac.init_net(rng, 1, 44, 40, 40, 1.0)
    xs, cc, cm = checks.model_chain(WC, WM, rng.uniform(0, 1, (1, 2, 40)), 3)
    d = rng.uniform(0, 1, 40)
    full = sac.chain_gradient(WC, WM, cc, cm, xs[-1] - d)
    last = sac.chain_gradient(WC, WM, cc[-1:], cm[-1:], xs[-1] - d)
    assert not np.allclose(full["W1"], last["W1"])


def hand_controller(n_act, gain):
    """A C whose net input is linear in the fovea's left/right and up/down imbalance of the inner
    ring; W2 reads hidden units that saturate little (weights small)."""
    offs, _ = sac.fovea_layout()
    WC = {"W1": np.zeros((1, 20, 41)), "W2": np.zeros((1, n_act, 21))}
    WC["W1"][0, 0, :8] = gain * offs[:8, 0]
    WC["W1"][0, 1, :8] = gain * offs[:8, 1]
    return WC


def test_saccade_map_of_a_still_controller_is_the_identity():
    """C outputs equal on opposite units -> no move: Jacobian = identity, contraction 1."""
    scene = sac.Scene(False)
    WC = {"W1": np.zeros((1, 20, 41)), "W2": np.zeros((1, 4, 21))}
    cfg = {"steps": 2, "basin_grid": 5, "tol_px": 8.0, "tol_deg": 15.0}
    out = diag.diagnose(scene, WC, cfg)
    assert np.allclose(out["_eig_abs"], 1.0) and np.allclose(out["_fixed"], 0.0)
    assert out["fixed_point_residual"][0] == 0.0


def test_jacobian_matches_secant_of_the_map():
    scene = sac.Scene(False)
    rng = np.random.default_rng(1)
    WC = sac.init_net(rng, 1, 40, 20, 4, 0.3)
    z = np.array([[3.3, -2.1]])
    J = diag.jacobian(scene, WC, z)[0]
    h = 1e-5
    for j in range(2):
        e = np.zeros(2)
        e[j] = h
        up = diag.saccade(scene, WC, (z + e)[None], np.zeros((1, 1)))[0][0, 0]
        dn = diag.saccade(scene, WC, (z - e)[None], np.zeros((1, 1)))[0][0, 0]
        assert np.allclose((up - dn) / (2 * h), J[:, j], atol=1e-5)


def test_verdict_rules():
    m = {"success_per_seed": {"trained": [0.9, 0.95, 0.1], "random": [0.0, 0.0, 0.0],
                              "untrained": [0.02, 0.02, 0.2]}}
    ok = sac.seeds_holding(m)
    assert ok.tolist() == [True, True, False] and sac.verdict(ok) == "partial"
    assert sac.verdict(np.array([False, False])) == "no"
    assert sac.verdict(np.array([True, True])) == "partial"           # capped: reconstructed settings
