"""Figures of the saved curiosity-three-regions run: E(t) curves, speed-ups by variant, per-cell
confidence maps, and the learning-progress curves (reward by region, focus over time).

    python3 visualize_curiosity_three_regions.py       # results.json + results.npz -> viz/*.png
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

THRESHOLDS = (0.5, 0.1, 0.01)


def pop_index(res, name):
    return res["metrics"]["populations"].index(name)


def random_of(res, variant):
    """Index of the random-search population a curious variant is compared with."""
    return pop_index(res, res["metrics"]["speedup"][variant]["random_population"])


def error_curves(res, a, path):
    """E(t)/E(0), median and quartiles over seeds, curious vs random search, headline world."""
    t = a["log_steps"]
    fig, ax = plt.subplots(figsize=(7, 3.8))
    for name, j, col in (("curious (Q-learning on C's change)", pop_index(res, "paper"), "tab:red"),
                         ("random search", random_of(res, "paper"), "tab:blue")):
        rel = a["E"][:, j] / a["E"][:1, j]                           # (n_log, S)
        q1, med, q3 = np.percentile(rel, [25, 50, 75], axis=1)
        ax.plot(t, med, color=col, lw=2, label=name)
        ax.fill_between(t, q1, q3, color=col, alpha=0.2, lw=0)
    for f in THRESHOLDS:
        ax.axhline(f, color="0.6", lw=0.8, ls=":")
    ax.set_yscale("log")
    ax.set_ylim(max(1e-6, ax.get_ylim()[0]), 1.5)
    ax.set_xlabel("step")
    ax.set_ylabel("E(t) / E(0)")
    ax.set_title(f"M's squared error on the deterministic reactions (9-state block), median and "
                 f"quartiles of {a['E'].shape[2]} seeds", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, path)


def speedup_figure(res, path):
    """Median speed-up t_random / t_curious per variant and threshold (log scale)."""
    sp = res["metrics"]["speedup"]
    names = list(sp)
    fig, ax = plt.subplots(figsize=(7.5, 3.6))
    w = 0.26
    for i, f in enumerate(THRESHOLDS):
        vals = [sp[n][f"{f:g}"]["speedup_median"] for n in names]
        x = np.arange(len(names)) + (i - 1) * w
        ax.bar(x, [v if v else 1e-2 for v in vals], w, label=f"E to {f:.0%} of E(0)", color=f"C{i}")
        for xi, v in zip(x, vals, strict=True):
            if not v:
                ax.text(xi, 1.2e-2, "mostly never", rotation=90, fontsize=6, ha="center", va="bottom")
    ax.axhline(1, color="k", lw=0.8)
    ax.axhline(10, color="goldenrod", lw=1.2, ls="--", label="paper: up to 10")
    ax.set_yscale("log")
    ax.set_ylim(1e-2, 30)
    ax.set_xticks(np.arange(len(names)), names, fontsize=8)
    ax.set_ylabel("median t_random / t_curious")
    ax.set_title("speed-up of curious exploration over random search (above 1: curiosity is faster)",
                 fontsize=9)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    save_figure(fig, path)


def outline_block(ax, det):
    """Draw the outline of the deterministic cells on a 10x10 image."""
    m = det.reshape(10, 10)
    for r in range(10):
        for c in range(10):
            if m[r, c]:
                for (dr, dc, xs, ys) in ((-1, 0, (c - .5, c + .5), (r - .5, r - .5)),
                                         (1, 0, (c - .5, c + .5), (r + .5, r + .5)),
                                         (0, -1, (c - .5, c - .5), (r - .5, r + .5)),
                                         (0, 1, (c + .5, c + .5), (r - .5, r + .5))):
                    rr, cc = r + dr, c + dc
                    if not (0 <= rr < 10 and 0 <= cc < 10 and m[rr, cc]):
                        ax.plot(xs, ys, color="lime", lw=1.6)


def confidence_maps(res, a, path):
    """C's output (M's assumed error) per cell, median over seeds, at three times, with the share
    of steps each cell got in the window before (dots)."""
    det = a["det"][pop_index(res, "paper")]
    n = len(a["snap_steps"])
    picks = sorted({0, n // 4, n - 1})
    fig, axes = plt.subplots(2, len(picks), figsize=(2.6 * len(picks) + 1, 5.6))
    axes = np.atleast_2d(axes)
    vmax = float(np.percentile(a["C_cell_median"], 99)) or 1.0
    for row, who in enumerate(("curious", "random search")):
        for col, i in enumerate(picks):
            ax = axes[row, col]
            im = ax.imshow(a["C_cell_median"][i, row].reshape(10, 10), cmap="magma", vmin=0, vmax=vmax)
            v = a["visits_median"][i, row].reshape(10, 10)
            rr, cc = np.nonzero(v > 0)
            ax.scatter(cc, rr, s=60 * v[rr, cc] / max(v.max(), 1), color="cyan", alpha=0.8)
            outline_block(ax, det)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(f"{who}, step {int(a['snap_steps'][i]):,}", fontsize=8)
    fig.colorbar(im, ax=axes, shrink=0.8, label="C: assumed squared error of M")
    fig.suptitle("per-cell confidence (median over seeds); dots: visits in the window before; "
                 "green: deterministic block", fontsize=9)
    save_figure(fig, path)


def progress_figure(res, a, path):
    """Learning progress: reward per step in deterministic vs random states (curious agent), and
    the share of steps spent in deterministic states, per window, median over seeds."""
    t = a["snap_steps"]
    ic = pop_index(res, "paper")
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.4))
    rr = a["reward_region"]                                           # (n, P, S, 2)
    ax1.plot(t, np.median(rr[:, ic, :, 0], 1), color="tab:green", label="in deterministic states")
    ax1.plot(t, np.median(rr[:, ic, :, 1], 1), color="tab:gray", label="in random states")
    ax1.axhline(0, color="k", lw=0.6)
    ax1.set_yscale("symlog", linthresh=1e-5)
    ax1.set_xlabel("step")
    ax1.set_ylabel("curiosity reward per step")
    ax1.set_title("learning progress seen by the curious agent", fontsize=9)
    ax1.legend(fontsize=7)
    det = a["det"][ic]
    for j, (name, col) in enumerate((("curious", "tab:red"), ("random search", "tab:blue"))):
        v = a["visits_median"][:, j]
        ax2.plot(t, (v * det).sum(1) / np.maximum(v.sum(1), 1), color=col, label=name)
    ax2.axhline(det.mean(), color="0.6", ls=":", lw=0.8)
    ax2.set_ylim(0, 1)
    ax2.set_xlabel("step")
    ax2.set_ylabel("share of steps in deterministic states")
    ax2.set_title("focus (per window, seed median of visits)", fontsize=9)
    ax2.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, path)


def main(args):
    res, a = load_run(args.results)
    os.makedirs(args.out_dir, exist_ok=True)
    error_curves(res, a, os.path.join(args.out_dir, "error_curves.png"))
    speedup_figure(res, os.path.join(args.out_dir, "speedup_by_variant.png"))
    confidence_maps(res, a, os.path.join(args.out_dir, "confidence_maps.png"))
    progress_figure(res, a, os.path.join(args.out_dir, "learning_progress.png"))
    print(f"wrote 4 figures to {args.out_dir}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
