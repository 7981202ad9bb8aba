"""Figures of the saved run: the receptive-field atlas of every run (initial and trained, each
field at its place in the input disc, framed by its class), the per-field leading principal
components (the PCA baseline) classified by the same rule, the pairwise mutual information of
the rounded code units before and after training, the class shares along training, and the
photograph with one input disc on it.

    python3 visualize_semilinear_pm_image_patches.py       # results.json + .npz -> viz/*.png
"""
import os
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Circle

from shared.cli import make_artifact_parser, run
from shared.figures import save_figure
from shared.results import load_run

CLASS_COLOUR = {0: "0.6", 1: "C3", 2: "C0"}          # unclassified, oriented, centre-surround
SPREAD = 3.0                                         # fields drawn apart: centres scaled by this
CLASS_NAME = {0: "unclassified", 1: "oriented", 2: "centre-surround"}


def draw_atlas(ax, W, cls, centres, offsets, field_d, area_d, size=18):
    """Each unit's 81 weights as coloured dots at their places in the input disc (normalised per
    unit, red > 0 > blue), a ring around each field in its class colour."""
    for i, c in enumerate(centres):
        w = W[i] - W[i].mean()
        w = w / max(np.abs(w).max(), 1e-12)
        # draw the fields a little apart (scaled offsets) so overlapping fields stay readable
        pts = c * SPREAD + offsets
        ax.scatter(pts[:, 0], pts[:, 1], c=w, cmap="RdBu_r", vmin=-1, vmax=1, s=size, lw=0)
        ax.add_patch(Circle(c * SPREAD, field_d / 2 + 1, fill=False, color=CLASS_COLOUR[int(cls[i])], lw=1.6))
    lim = np.abs(centres).max() * SPREAD + field_d / 2 + 3
    ax.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal", xticks=[], yticks=[])


def atlas(res, a, path):
    cfg = res["config"]
    R = cfg["runs"]
    fig, axes = plt.subplots(2, R, figsize=(3.2 * R, 6.6))
    for r in range(R):
        for row, (k, name) in enumerate(((0, "initial"), (-1, "trained"))):
            ax = axes[row, r]
            draw_atlas(ax, a["W_hist"][k, r], a["cls_hist"][k, r], a["centres"], a["offsets"],
                       cfg["field"], cfg["area"], size=5)
            cls = a["cls_hist"][k, r]
            ax.set_title(f"run {r}, {name}: {int((cls == 1).sum())} oriented, {int((cls == 2).sum())} c-s",
                         fontsize=8)
    for c, name in CLASS_NAME.items():
        axes[0, 0].plot([], [], color=CLASS_COLOUR[c], label=name)
    axes[0, 0].legend(fontsize=6, loc="lower left")
    fig.suptitle(f"receptive-field atlas: {cfg['codes']} code units (weights, red > 0 > blue), field "
                 f"centres spread x{SPREAD} apart;\nafter {cfg['steps']:,} patterns", fontsize=9)
    fig.tight_layout()
    save_figure(fig, path, dpi=70)


def closeups(res, a, path):
    """Run 0's 32 trained fields one by one, as smooth maps, with the shares of the rule."""
    cfg = res["config"]
    n = cfg["codes"]
    cols = 8
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(1.4 * cols, 1.55 * rows))
    off = a["offsets"]
    for i, ax in enumerate(axes.ravel()):
        ax.set_axis_off()
        if i >= n:
            continue
        w = a["W_hist"][-1, 0, i]
        w = w - w.mean()
        ax.tricontourf(off[:, 0], off[:, 1], w, levels=12, cmap="RdBu_r",
                       vmin=-np.abs(w).max(), vmax=np.abs(w).max())
        cls = int(a["cls_hist"][-1, 0, i])
        e, b, c = a["shares"][0, i]
        ax.set_title(f"{i} {CLASS_NAME[cls][:6]}\ne{e:.2f} b{b:.2f} c{c:.2f}", fontsize=6,
                     color=CLASS_COLOUR[cls])
        ax.set_aspect("equal")
    fig.suptitle("run 0, trained fields (mean removed); shares of variance on edge (e), bar (b) "
                 "and centre-surround (c) shapes", fontsize=8)
    fig.tight_layout()
    save_figure(fig, path)


def pca_fields(res, a, path):
    cfg = res["config"]
    fig, ax = plt.subplots(figsize=(4.2, 4.4))
    draw_atlas(ax, a["pca_lead"], a["pca_lead_class"], a["centres"], a["offsets"], cfg["field"],
               cfg["area"], 5)
    p = res["metrics"]["pca"]
    ax.set_title(f"PCA baseline: each field's leading principal component\n{p['lead_oriented']} oriented, "
                 f"{p['lead_cs']} centre-surround of {cfg['codes']} (same rule)", fontsize=8)
    fig.tight_layout()
    save_figure(fig, path)


def mutual_information(res, a, path):
    m = res["metrics"]
    mi0, mi1 = a["mi_initial"][0], a["mi_trained"][0]
    vmax = max(mi0.max(), mi1.max())
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.4))
    for ax, mi, name in ((axes[0], mi0, "initial"), (axes[1], mi1, "trained")):
        im = ax.imshow(mi, cmap="magma", vmin=0, vmax=vmax)
        ax.set(title=f"run 0, {name}: pairwise MI of rounded units", xlabel="unit", ylabel="unit")
        ax.title.set_fontsize(8)
    fig.colorbar(im, ax=axes[:2], fraction=0.03, label="bits")
    ax = axes[2]
    R = len(m["trained"]["mean_pairwise_mi_bits"])
    x = np.arange(R)
    ax.bar(x - 0.2, m["initial"]["mean_pairwise_mi_bits"], 0.4, label="initial", color="0.6")
    ax.bar(x + 0.2, m["trained"]["mean_pairwise_mi_bits"], 0.4, label="trained", color="C3")
    ax.axhline(m["pca"]["code"]["mean_pairwise_mi_bits"][0], color="C0", ls="--", lw=1,
               label="PCA sign code")
    ax.set(xlabel="run", ylabel="mean pairwise MI (bits)", title="redundancy per run")
    ax.title.set_fontsize(8)
    ax.legend(fontsize=7)
    save_figure(fig, path)


def shares_along_training(res, a, path):
    cls = a["cls_hist"]                                                    # (snaps, R, n)
    marks = a["marks"]
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    for r in range(cls.shape[1]):
        axes[0].plot(marks, (cls[:, r] == 1).mean(-1), color="C3", lw=0.9, alpha=0.7)
        axes[0].plot(marks, (cls[:, r] == 2).mean(-1), color="C0", lw=0.9, alpha=0.7)
    axes[0].plot([], [], color="C3", label="oriented")
    axes[0].plot([], [], color="C0", label="centre-surround")
    axes[0].axhline(0.25, color="C3", ls=":", lw=1, label="bar for oriented (0.25)")
    axes[0].set(xlabel="training patterns", ylabel="share of the 32 units",
                title="classes along training (each run)")
    axes[0].legend(fontsize=7)
    axes[1].plot(marks[1:], a["Q_hist"][1:], lw=0.9)
    axes[1].set(xlabel="training patterns", ylabel="mean Q per pattern",
                title="the predictors' error (the code units push it up)")
    for ax in axes:
        ax.title.set_fontsize(9)
    fig.tight_layout()
    save_figure(fig, path)


def photograph(res, a, path):
    cfg = res["config"]
    img = a["image"]
    fig, ax = plt.subplots(figsize=(3.6, 4.2))
    ax.imshow(img, cmap="gray")
    cy, cx = img.shape[0] * 0.35, img.shape[1] * 0.5
    ax.add_patch(Circle((cx, cy), cfg["area"] / 2, fill=False, color="C1", lw=1.2))
    for c in a["centres"]:
        ax.add_patch(Circle((cx + c[0], cy + c[1]), cfg["field"] / 2, fill=False, color="C1", lw=0.3))
    ax.set(xticks=[], yticks=[], title=f"the photograph, {cfg['levels']} grey levels,\nwith one "
           f"input disc ({cfg['area']} px) and its {cfg['codes']} fields")
    ax.title.set_fontsize(8)
    fig.tight_layout()
    save_figure(fig, path)


def main(args):
    res, a = load_run(args.results)
    os.makedirs(args.out_dir, exist_ok=True)
    for name, fn in (("atlas", atlas), ("fields_run0", closeups), ("pca_baseline", pca_fields),
                     ("mutual_information", mutual_information), ("training", shares_along_training),
                     ("photograph", photograph)):
        fn(res, a, os.path.join(args.out_dir, f"{name}.png"))
    print(f"wrote 6 figures to {args.out_dir}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
