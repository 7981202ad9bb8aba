"""Figures of the saved compete-to-compute run: the task-1 and task-2 test error through both phases,
the forgetting of every seed, the LWTA winners on the two tasks' inputs, and each unit's weight
change in phase 2 against how much task-2 gradient its gate let through.

    python3 visualize_compete_to_compute.py      # results.json + results.npz -> viz/*.png
"""
import os
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np

from shared.cli import make_artifact_parser, run
from shared.figures import save_figure
from shared.results import load_run

COLORS = {"lwta": "tab:blue", "relu": "tab:red", "sigmoid": "tab:green"}


def error_curves(res, a, path):
    """Task-1 (head 1) and task-2 (head 2) error on the curve subsets through both phases."""
    kinds = res["config"]["kinds"]
    x = a["curve_images"] / 1000.0
    n1 = int(a["phase1_points"])
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), sharey=True)
    for ax, key, title in zip(axes, ("curve_err1", "curve_err2"),
                              ("task 1 (digits 0-4), head 1", "task 2 (digits 5-9), head 2"), strict=True):
        for i, k in enumerate(kinds):
            e = 100 * a[key][:, i, :]                                   # (points, S)
            ax.plot(x, e, color=COLORS[k], lw=0.4, alpha=0.35)
            ax.plot(x, e.mean(1), color=COLORS[k], lw=2, label=k)
        ax.axvline(x[n1 - 1], color="gray", ls="--", lw=0.8)
        ax.set_yscale("log")
        ax.set_xlabel("training images seen (thousands); dashed: phase 1 ends")
        ax.set_title(f"test error, {title}", fontsize=9)
    axes[0].set_ylabel("test error (%) on the curve subset")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, path)


def forgetting(res, a, path):
    """Each seed's forgetting (points), the kinds side by side, seeds joined (paired design)."""
    kinds = res["config"]["kinds"]
    F = a["forgetting"]                                                 # (K, S)
    fig, ax = plt.subplots(figsize=(5.2, 3.6))
    for s in range(F.shape[1]):
        ax.plot(range(len(kinds)), F[:, s], color="gray", lw=0.5, alpha=0.6)
    for i, k in enumerate(kinds):
        ax.scatter(np.full(F.shape[1], i), F[i], color=COLORS[k], s=14, zorder=3)
        m = res["metrics"]["forgetting"][k]
        ax.errorbar(i + 0.18, m["mean"], yerr=m["half"], fmt="s", color="k", ms=4, capsize=3)
    ax.set_xticks(range(len(kinds)), kinds)
    ax.set_ylabel("task-1 test error after phase 2 - after phase 1 (points)")
    ax.set_title(f"forgetting, {F.shape[1]} seeds (black: mean, 95 % t-interval)", fontsize=9)
    fig.tight_layout()
    save_figure(fig, path)


def winners(res, a, path):
    """LWTA layer 1: share of task-1 and task-2 inputs on which a block's first unit wins."""
    fig, axes = plt.subplots(1, 2, figsize=(8.4, 3.6), sharey=True)
    for ax, suffix, when in zip(axes, ("", "_after2"), ("after phase 1", "after phase 2"), strict=True):
        p1, p2 = a["win1_task1" + suffix].ravel(), a["win1_task2" + suffix].ravel()
        switch = np.mean((p1 > 0.5) != (p2 > 0.5))
        ax.scatter(p1, p2, s=3, alpha=0.3, color=COLORS["lwta"])
        ax.plot([0, 1], [0, 1], color="k", lw=0.5)
        ax.axhline(0.5, color="gray", lw=0.5)
        ax.axvline(0.5, color="gray", lw=0.5)
        ax.set_xlabel("share of task-1 inputs where unit 1 of the block wins")
        ax.set_title(f"LWTA layer-1 blocks {when}: {100 * switch:.0f} % switch winner", fontsize=9)
    axes[0].set_ylabel("share of task-2 inputs where unit 1 wins")
    fig.tight_layout()
    save_figure(fig, path)


def weight_change(res, a, path):
    """Relative change of each unit's incoming weights in phase 2 against its mean gate on task-2
    inputs before phase 2 (the share of task-2 gradient the unit lets through), layer 1 and 2."""
    kinds = res["config"]["kinds"]
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
    for ax, layer in zip(axes, (1, 2), strict=True):
        for i, k in enumerate(kinds):
            g, c = a[f"gate{layer}_task2"][i].ravel(), a[f"change_W{layer}"][i].ravel()
            ax.scatter(g, c, s=2, alpha=0.25, color=COLORS[k], label=k)
        ax.set_yscale("log")
        ax.set_xlabel("mean gate dh/da on task-2 inputs, before phase 2")
        ax.set_title(f"layer {layer}: every unit of every seed", fontsize=9)
        leg = ax.legend(fontsize=7, markerscale=4)
        for h in leg.legend_handles:
            h.set_alpha(1)
    axes[0].set_ylabel("relative change of incoming weights in phase 2")
    fig.tight_layout()
    save_figure(fig, path)


def main(args):
    res, a = load_run(args.results)
    os.makedirs(args.out_dir, exist_ok=True)
    error_curves(res, a, os.path.join(args.out_dir, "error_curves.png"))
    forgetting(res, a, os.path.join(args.out_dir, "forgetting.png"))
    winners(res, a, os.path.join(args.out_dir, "lwta_winners.png"))
    weight_change(res, a, os.path.join(args.out_dir, "weight_change.png"))
    print(f"wrote 4 figures to {args.out_dir}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
