"""The closed loop of a trained controller as a map of the fovea's pose (loaded by the main file).

Both nets are feed-forward, so there is no hidden state and no Lyapunov spectrum of one; the only
dynamics is the loop pose -> fovea input -> C -> move -> new pose. In the object's frame, with the
pose z = (q) (translation) or z = (q, psi) (rotation), one saccade is the map

    F(z) = (q + R(psi) d(a), psi + turn(a)),     a = C(x(q, psi))

(the field's border plays no part near the object). Reported per seed:
    fixed point z*  found by iterating F from the target pose (residual |F(z*) - z*| kept);
    Jacobian DF(z*) by central differences: its eigenvalues, spectral radius (the contraction
                factor: < 1 means nearby poses are pulled in) and log |eigenvalues| (the Lyapunov
                exponents of the loop at that fixed point);
    basin       a grid of start positions (psi = 0): the share of starts that see the object and end
                within tol of the target after T saccades, and after 10 T (the long-run attractor);
    (rotation)  a sweep over start angles at the target position.
"""
import numpy as np

from saccadic_target_detection import net_forward, rot, wrap

GRID_HALF = 96.0       # px either side of the object's centre
SWEEP = 72             # start angles (rotation)
H_FD = 1e-3            # central-difference step (px, rad)


def saccade(scene, WC, q, psi):
    """One closed-loop saccade in the object's frame; q (S, B, 2), psi (S, B)."""
    a, _ = net_forward(WC, scene.sense_rel(q, psi))
    d, turn = scene.move(a)
    return q + rot(d, psi), wrap(psi + turn) if scene.rotation else psi


def iterate(scene, WC, q, psi, n):
    for _ in range(n):
        q, psi = saccade(scene, WC, q, psi)
    return q, psi


def as_state(scene, q, psi):
    return np.concatenate([q, psi[..., None]], -1) if scene.rotation else q


def from_state(scene, z):
    return (z[..., :2], z[..., 2]) if scene.rotation else (z, np.zeros(z.shape[:-1]))


def jacobian(scene, WC, z):
    """DF at z (S, D) by central differences -> (S, D, D)."""
    S, D = z.shape
    cols = []
    for j in range(D):
        e = np.zeros(D)
        e[j] = H_FD
        zz = np.stack([z + e, z - e], 1)                                      # (S, 2, D)
        q, psi = from_state(scene, zz)
        out = as_state(scene, *saccade(scene, WC, q, psi))
        cols.append((out[:, 0] - out[:, 1]) / (2 * H_FD))
    return np.stack(cols, -1)


def diagnose(scene, WC, cfg):
    """The fixed point near the target, its Jacobian and the basin, for every seed."""
    S, T, GRID = WC["W1"].shape[0], cfg["steps"], cfg["basin_grid"]
    q, psi = iterate(scene, WC, np.zeros((S, 1, 2)) + scene.target, np.zeros((S, 1)), 300)
    q1, psi1 = saccade(scene, WC, q, psi)
    resid = np.linalg.norm(as_state(scene, q1, psi1) - as_state(scene, q, psi), axis=-1)[:, 0]
    z = as_state(scene, q, psi)[:, 0]                                        # (S, D)
    J = jacobian(scene, WC, z)
    eig = np.linalg.eigvals(J)                                               # (S, D)
    order = np.argsort(-np.abs(eig), axis=-1)
    eig = np.take_along_axis(eig, order, -1)
    radius = np.abs(eig[:, 0])
    # basin over start positions at psi = 0
    g = np.linspace(-GRID_HALF, GRID_HALF, GRID)
    gy, gx = np.meshgrid(g, g, indexing="ij")
    q0 = np.broadcast_to(np.stack([gx, gy], -1).reshape(1, -1, 2), (S, GRID * GRID, 2)).copy()
    p0 = np.zeros((S, GRID * GRID))
    sees = scene.sense_rel(q0, p0).sum(-1) > 1e-6
    qT, pT = iterate(scene, WC, q0, p0, T)
    qL, pL = iterate(scene, WC, qT, pT, 9 * T)

    def ok(qq, pp):
        good = np.linalg.norm(qq - scene.target, axis=-1) <= cfg["tol_px"]
        if scene.rotation:
            good &= np.degrees(np.abs(wrap(pp))) <= cfg["tol_deg"]
        return good
    basin_T = (ok(qT, pT) & sees).sum(-1) / sees.sum(-1)
    basin_L = (ok(qL, pL) & sees).sum(-1) / sees.sum(-1)
    out = {
        "fixed_point_dist_px": np.round(np.linalg.norm(z[:, :2] - scene.target, axis=-1), 3),
        "fixed_point_residual": np.round(resid, 6),
        "spectral_radius": np.round(radius, 4),
        "basin_fraction": np.round(basin_T, 4), "basin_fraction_mean": float(basin_T.mean()),
        "basin_fraction_long": np.round(basin_L, 4), "basin_fraction_long_mean": float(basin_L.mean()),
        "_fixed": z, "_eig_abs": np.abs(eig), "_eig_arg": np.angle(eig), "_grid": g,
        "_sees": sees.reshape(S, GRID, GRID),
        "_basin_T": np.linalg.norm(qT - scene.target, axis=-1).reshape(S, GRID, GRID),
        "_basin_long": np.linalg.norm(qL - scene.target, axis=-1).reshape(S, GRID, GRID),
    }
    if scene.rotation:
        ang = np.linspace(-np.pi, np.pi, SWEEP, endpoint=False)
        qs, ps = iterate(scene, WC, np.zeros((S, SWEEP, 2)) + scene.target,
                         np.broadcast_to(ang, (S, SWEEP)).copy(), T)
        out["_sweep_angles"] = ang
        out["_sweep_final_deg"] = np.degrees(np.abs(wrap(ps)))
        out["_sweep_final_px"] = np.linalg.norm(qs - scene.target, axis=-1)
        out["_basin_T_angle"] = np.degrees(np.abs(wrap(pT))).reshape(S, GRID, GRID)
    return out
