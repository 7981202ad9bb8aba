"""Figures of the saved saccadic-target-detection run: the scenes and the fovea, example
trajectories, success against saccades and learning curves, and the closed loop's basin of
attraction with its fixed point.

    python3 visualize_saccadic_target_detection.py     # results.json + results.npz -> viz/*.png
"""
import os
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Circle

from shared.cli import make_artifact_parser, run
from shared.figures import save_figure
from shared.results import load_run

sys.path.insert(0, str(HERE))
from saccadic_target_detection import blob_mask, fovea_layout, rot, triangle_mask  # noqa: E402

VARIANTS = (("translation", "translation (blob)"), ("rotation", "rotation (triangle)"))
EXTENT = 96


def draw_object(ax, rotation, extent=EXTENT):
    g = np.arange(-extent, extent + 1)
    yy, xx = np.meshgrid(g, g, indexing="ij")
    mask = (triangle_mask if rotation else blob_mask)(xx, yy)
    ax.imshow(np.where(mask, 0.25, 1.0), cmap="gray", vmin=0, vmax=1,
              extent=(-extent - 0.5, extent + 0.5, extent + 0.5, -extent - 0.5))
    ax.set_xlim(-extent, extent)
    ax.set_ylim(extent, -extent)
    ax.set_aspect("equal")


def draw_fovea(ax, q, psi, color="tab:red", lw=0.7, alpha=0.9):
    offs, radii = fovea_layout()
    for c, r in zip(q + rot(offs, np.full(len(offs), psi)), radii, strict=True):
        ax.add_patch(Circle(c, r, fill=False, ec=color, lw=lw, alpha=alpha))
    tip = q + rot(np.array([14.0, 0.0]), np.array(psi))
    ax.annotate("", tip, q, arrowprops=dict(arrowstyle="->", color=color, lw=1.4))


def scene_figure(res, a, path):
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.8))
    for ax, (name, label) in zip(axes[:2], VARIANTS, strict=True):
        draw_object(ax, name == "rotation", 64)
        draw_fovea(ax, np.zeros(2), 0.0)
        ax.set_title(f"{label}: fovea at the target", fontsize=9)
    ax = axes[2]
    for name, label in VARIANTS:
        ax.plot(a[f"{name}_desired"], "o-", ms=3, label=label)
    ax.set_xlabel("input unit (5 rings x 8, inner ring first)")
    ax.set_ylabel("desired final input d")
    ax.legend(fontsize=8)
    fig.suptitle("512 x 512 field, dark object; 40 receptive fields (pixel averages)", fontsize=10)
    fig.tight_layout()
    save_figure(fig, path)


def best_and_worst(res, name):
    """Indices of the seeds with the highest and the lowest success (first of ties)."""
    s = np.asarray(res["metrics"][name]["success_per_seed"]["trained"])
    return int(np.argmax(s)), int(np.argmin(s))


def trajectories_figure(res, a, path):
    fig, axes = plt.subplots(2, 2, figsize=(10, 10))
    for col, (name, label) in enumerate(VARIANTS):
        for row, seed in enumerate(best_and_worst(res, name)):
            trajectories_panel(res, a, axes[row, col], name, label, seed)
    fig.tight_layout()
    save_figure(fig, path)


def trajectories_panel(res, a, ax, name, label, seed):
    draw_object(ax, name == "rotation")
    q, psi = a[f"{name}_traj_q"][:, seed], a[f"{name}_traj_psi"][:, seed]    # (T+1, k, 2), (T+1, k)
    rq = a[f"{name}_rand_q"][:, seed]
    for j in range(q.shape[1]):
        ax.plot(rq[:, j, 0], rq[:, j, 1], "-", color="0.6", lw=0.7)
        ax.plot(q[:, j, 0], q[:, j, 1], "-o", ms=2.5, lw=1.0, color=plt.cm.tab20(j % 20))
        tip = q[-1, j] + rot(np.array([10.0, 0.0]), np.array(psi[-1, j]))
        ax.annotate("", tip, q[-1, j], arrowprops=dict(arrowstyle="->", lw=0.8, color="k"))
    m = res["metrics"][name]["success_per_seed"]
    ax.set_title(f"{label}, seed {seed}: trained C (colour) vs random moves (grey)\nsuccess "
                 f"{m['trained'][seed]:.2f} vs {m['random'][seed]:.2f}", fontsize=9)


def success_figure(res, a, path):
    fig, axes = plt.subplots(2, 3, figsize=(12, 6.5))
    for row, (name, label) in enumerate(VARIANTS):
        ps = a[f"{name}_per_step"]                                             # (3, T+1, S)
        ax = axes[row, 0]
        for k, lab in enumerate(("trained C", "random moves", "untrained C")):
            ax.errorbar(np.arange(ps.shape[1]), ps[k].mean(-1), yerr=ps[k].std(-1), marker="o", ms=3,
                        capsize=2, label=lab)
        ab = a[f"{name}_ablation_per_step"]
        eta_ab = res["config"]["ablation_eta_c"]
        ax.errorbar(np.arange(ab.shape[0]), ab.mean(-1), yerr=ab.std(-1), marker="s", ms=3, capsize=2,
                    ls="--", label=f"trained C, eta_C {eta_ab:g}")
        ax.set_xlabel("saccade t")
        ax.set_ylabel("share within tol")
        ax.set_ylim(-0.03, 1.03)
        ax.set_title(f"{label}: success by step", fontsize=9)
        ax.legend(fontsize=7)
        ax = axes[row, 1]
        cv = a[f"{name}_curve"]
        for j in range(cv.shape[1] - 1):
            ax.plot(cv[:, 0], cv[:, 1 + j], lw=1, color=plt.cm.tab10(j))
            ax.plot(cv[:, 0], a[f"{name}_ablation_curve"][:, 1 + j], lw=1, ls="--", color=plt.cm.tab10(j))
        ax.set_xlabel("C training trajectories")
        ax.set_ylabel("success (curve test set)")
        ax.set_ylim(-0.03, 1.03)
        ax.set_title(f"C's learning curve per seed (solid eta_C {res['config']['eta_c']:g}, "
                     f"dashed {res['config']['ablation_eta_c']:g})", fontsize=9)
        ax = axes[row, 2]
        me = a[f"{name}_m_err"].mean(-1)
        w = min(20, len(me))
        ax.semilogy(np.arange(len(me) - w + 1) * 50, np.convolve(me, np.ones(w) / w, "valid"), lw=1)
        ax.set_xlabel("M training cycles")
        ax.set_ylabel("1/2 |prediction - next input|^2")
        ax.set_title("M's error (seed mean, smoothed)", fontsize=9)
    fig.tight_layout()
    save_figure(fig, path)


def basin_figure(res, a, path):
    fig, axes = plt.subplots(1, 3, figsize=(13, 4.3))
    tol = res["config"]["tol_px"]
    for ax, (name, label) in zip(axes[:2], VARIANTS, strict=True):
        g, sd = a[f"{name}__grid"], best_and_worst(res, name)[0]
        dist = np.where(a[f"{name}__sees"][sd], a[f"{name}__basin_T"][sd], np.nan)
        h = g[1] - g[0]
        box = (g[0] - h / 2, g[-1] + h / 2, g[-1] + h / 2, g[0] - h / 2)
        im = ax.imshow(np.log10(dist + 0.1), extent=box, cmap="viridis_r", vmin=-1, vmax=2.3)
        ax.contour(g, g, dist, levels=[tol], colors="w", linewidths=1)
        gg = np.arange(-96, 97)
        yy, xx = np.meshgrid(gg, gg, indexing="ij")
        ax.contour(gg, gg, (triangle_mask if name == "rotation" else blob_mask)(xx, yy).astype(float),
                   levels=[0.5], colors="k", linewidths=0.8)
        fx = a[f"{name}__fixed"][sd]
        ax.plot(fx[0], fx[1], "r+", ms=10)
        ax.set_xlim(-EXTENT, EXTENT)
        ax.set_ylim(EXTENT, -EXTENT)
        d = res["metrics"]["diagnostics"][name]
        ax.set_title(f"{label}, best seed ({sd}): log10 distance after T saccades\n(start angle 0; white: "
                     f"{tol:g} px; basin {d['basin_fraction'][sd]:.2f}; spectral radius "
                     f"{d['spectral_radius'][sd]:.2f})",
                     fontsize=8)
        fig.colorbar(im, ax=ax, shrink=0.8)
    ax = axes[2]
    ang = np.degrees(a["rotation__sweep_angles"])
    ax.plot(ang, a["rotation__sweep_final_deg"].T, lw=0.8)
    ax.axhline(res["config"]["tol_deg"], color="k", ls="--", lw=0.8)
    ax.set_xlabel("start angle to the triangle (deg), at the target point")
    ax.set_ylabel("|final angle| after T saccades (deg)")
    ax.set_title("rotation: where C leaves the arrow, one line per seed", fontsize=9)
    fig.tight_layout()
    save_figure(fig, path)


def main(args):
    res, a = load_run(args.results)
    os.makedirs(args.out_dir, exist_ok=True)
    scene_figure(res, a, os.path.join(args.out_dir, "scene.png"))
    trajectories_figure(res, a, os.path.join(args.out_dir, "trajectories.png"))
    success_figure(res, a, os.path.join(args.out_dir, "success.png"))
    basin_figure(res, a, os.path.join(args.out_dir, "basin.png"))
    print(f"wrote 4 figures to {args.out_dir}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
