"""Figures of the saved mcdnn-image-bench run: each column's test error beside the averaged net's
(paper's 0.23 % marked), error against the number of columns averaged, the pairwise disagreement
of the columns, what each column's preprocessing does to ten digits, the columns' learning
curves, their first-layer kernels, and the digits the averaged net still gets wrong.

    python3 visualize_mcdnn_image_bench.py      # results.json + results.npz -> viz/*.png
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

PAPER_ERR = 0.23


def names(res):
    return ["original" if w == 0 else f"width {w}" for w in res["config"]["widths"]]


def errors_figure(res, a, path):
    """Per-column test error, the average of all columns, and the error against the number averaged."""
    M = res["metrics"]
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(8.4, 3.4))
    n = M["n_columns"]
    ax.bar(range(n), M["column_err"], color="tab:gray", label="single column")
    ax.bar([n], [M["ensemble_err"]], color="tab:blue", label="average of all columns")
    ax.axhline(M["mean_column_err"], color="tab:gray", ls="--", lw=1, label="mean single column")
    ax.axhline(PAPER_ERR, color="k", ls=":", lw=1, label=f"paper, 35 columns: {PAPER_ERR} %")
    ax.set_xticks(range(n + 1), names(res) + ["average"], rotation=30, fontsize=7)
    ax.set_ylabel("test error (%)")
    ax.set_ylim(0, 1.7 * max(M["column_err"]))
    ax.legend(fontsize=7, ncol=2, loc="upper left")
    k = M["ensemble_vs_k"]
    ax2.plot(k["k"], k["mean"], "o-", color="tab:blue", label="mean over subsets")
    ax2.fill_between(k["k"], k["min"], k["max"], color="tab:blue", alpha=0.2, label="best to worst subset")
    ax2.axhline(PAPER_ERR, color="k", ls=":", lw=1)
    ax2.set_xticks(k["k"])
    ax2.set_xlabel("columns averaged")
    ax2.set_ylabel("test error (%)")
    ax2.legend(fontsize=7)
    fig.suptitle(f"MNIST, {res['config']['n_train']:,} images per column, one pass, seed {res['seed']}",
                 fontsize=9)
    fig.tight_layout()
    save_figure(fig, path)


def disagreement_figure(res, a, path):
    d = 100 * a["disagreement"]
    fig, ax = plt.subplots(figsize=(4.4, 3.8))
    im = ax.imshow(d, cmap="viridis")
    for i in range(len(d)):
        for j in range(len(d)):
            ax.text(j, i, f"{d[i, j]:.2f}", ha="center", va="center", fontsize=7,
                    color="w" if d[i, j] < d.max() / 2 else "k")
    ax.set_xticks(range(len(d)), names(res), rotation=30, fontsize=7)
    ax.set_yticks(range(len(d)), names(res), fontsize=7)
    ax.set_title("test digits on which two columns decide differently (%)", fontsize=8)
    fig.colorbar(im, ax=ax, shrink=0.8)
    fig.tight_layout()
    save_figure(fig, path)


def views_figure(res, a, path):
    v = a["views"]                                                   # (n, 10, 28, 28)
    fig, axes = plt.subplots(len(v), v.shape[1], figsize=(0.8 * v.shape[1], 0.85 * len(v)))
    axes = np.atleast_2d(axes)
    for c in range(len(v)):
        for d in range(v.shape[1]):
            axes[c, d].imshow(v[c, d], cmap="gray_r", vmin=0, vmax=255)
            axes[c, d].set_xticks([])
            axes[c, d].set_yticks([])
        axes[c, 0].set_ylabel(names(res)[c], rotation=0, labelpad=28, fontsize=7)
    fig.suptitle("the first test digit of each class as each column sees it", fontsize=8)
    fig.tight_layout()
    save_figure(fig, path)


def curves_figure(res, a, path):
    fig, ax = plt.subplots(figsize=(5.6, 3.4))
    for c, nm in enumerate(names(res)):
        ax.plot(a["probe_seen"], a["probe_curves"][c], "o-", ms=3, label=nm)
    ax.set_yscale("log")
    ticks = [t for t in (1, 1.5, 2, 3, 4, 5, 7, 10, 20, 50) if a["probe_curves"].min() * 0.9 <= t
             <= a["probe_curves"].max() * 1.1]
    ax.set_yticks(ticks, [f"{t:g}" for t in ticks])
    ax.minorticks_off()
    ax.set_xlabel("training images seen")
    ax.set_ylabel(f"error on the first {res['config']['probe_images']:,} test digits (%)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, path)


def kernels_figure(res, a, path):
    k = a["kernels1"]                                                # (n, 20, 4, 4)
    fig, axes = plt.subplots(len(k), k.shape[1], figsize=(0.4 * k.shape[1], 0.5 * len(k)))
    axes = np.atleast_2d(axes)
    for c in range(len(k)):
        for f in range(k.shape[1]):
            m = np.abs(k[c, f]).max()
            axes[c, f].imshow(k[c, f], cmap="RdBu_r", vmin=-m, vmax=m)
            axes[c, f].axis("off")
    fig.suptitle("first-layer 4x4 kernels, one row per column (" + ", ".join(names(res)) + ")", fontsize=7)
    save_figure(fig, path)


def wrong_figure(res, a, path):
    idx, img = a["wrong_idx"][:len(a["wrong_img"])], a["wrong_img"]
    n = min(40, len(idx))
    if n == 0:
        return
    cols = 10
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 0.8, rows * 0.95))
    axes = np.atleast_2d(axes)
    for ax in axes.ravel():
        ax.axis("off")
    for i in range(n):
        ax = axes.ravel()[i]
        ax.imshow(img[i], cmap="gray_r", vmin=0, vmax=255)
        ax.set_title(f"{a['labels'][idx[i]]}->{a['ensemble_pred'][idx[i]]}", fontsize=6)
    fig.suptitle("test digits the averaged net gets wrong (label -> decision)", fontsize=8)
    fig.tight_layout()
    save_figure(fig, path)


def main(args):
    res, a = load_run(args.results)
    os.makedirs(args.out_dir, exist_ok=True)
    for name, fn in (("errors", errors_figure), ("disagreement", disagreement_figure),
                     ("views", views_figure), ("curves", curves_figure),
                     ("kernels", kernels_figure), ("wrong", wrong_figure)):
        fn(res, a, os.path.join(args.out_dir, f"{name}.png"))
    print(f"wrote figures to {args.out_dir}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
