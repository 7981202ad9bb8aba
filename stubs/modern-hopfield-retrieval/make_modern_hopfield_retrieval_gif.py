"""Animation: one noisy query, one update, as beta grows (from the saved run; never recomputes).

Stored: 16 images of 8 x 8 pixels (+-1), three clusters of four similar images and four loners.
The query is a cluster member with 13 of 64 pixels flipped. Each frame is one beta: the query,
the result of a single update xi <- X softmax(beta X^T xi), the fixed point the iteration settles
in, and the softmax weights p of the update over the 16 stored images (coloured by cluster).
Small beta: the update returns the average of all images (global fixed point); medium beta: the
average of the query's cluster (a metastable state); large beta: the stored image itself.

    python3 make_modern_hopfield_retrieval_gif.py       # reads results.json + results.npz
"""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np

from shared import cli
from shared.figures import figure_to_frame, save_gif
from shared.results import load_run

KIND = ("global average", "metastable: cluster mean", "single stored image")
KIND_COLORS = ("tab:gray", "tab:orange", "tab:blue")
SETTLES = (
    "the global average of all images",
    "a metastable state, its cluster's mean",
    "its own stored image",
)
CLUSTER_COLORS = ("tab:red", "tab:green", "tab:purple", "0.6")


def main(args):
    _, a = load_run(args.results)
    X, cl, betas = a["fp_X"], a["fp_cluster"], a["fp_betas"]
    N = X.shape[1]
    j = N  # the first noisy query: pattern 0 with bits flipped
    kind = a["fp_kind"][0, :, j]
    side = int(round(np.sqrt(X.shape[0])))
    frames = []
    for ib, b in enumerate(betas):
        fig = plt.figure(figsize=(8.4, 3.3))
        gs = fig.add_gridspec(2, 5, height_ratios=[5, 1], width_ratios=[1, 1, 1, 0.15, 2.2])
        imgs = (
            (a["fp_queries"][j], "query (13 pixels flipped)"),
            (a["fp_one_step"][ib, j], "one update"),
            (a["fp_state"][ib, j], "fixed point"),
        )
        for c, (img, title) in enumerate(imgs):
            ax = fig.add_subplot(gs[0, c])
            ax.imshow(img.reshape(side, side), cmap="gray", vmin=-1, vmax=1)
            ax.set_title(title, fontsize=8)
            ax.set_xticks([])
            ax.set_yticks([])
        ax = fig.add_subplot(gs[0, 4])
        colors = [CLUSTER_COLORS[k] for k in cl]
        ax.bar(np.arange(N), a["fp_one_step_p"][ib, j], color=colors)
        ax.set_ylim(0, 1.02)
        ax.set_xticks(np.arange(N))
        ax.set_xticklabels([str(k + 1) if k >= 0 else "-" for k in cl], fontsize=6)
        ax.set_xlabel("stored image (cluster; - = loner)", fontsize=7)
        ax.set_title("softmax weights p of the update", fontsize=8)
        ax.tick_params(labelsize=6)
        ax = fig.add_subplot(gs[1, :])
        for k in range(3):
            sel = kind == k
            ax.scatter(betas[sel], np.zeros(sel.sum()), color=KIND_COLORS[k], s=18, marker="s", label=KIND[k])
        ax.axvline(b, color="k", lw=2)
        ax.set_xscale("log")
        ax.set_yticks([])
        ax.set_xlabel("beta", fontsize=7, labelpad=0)
        ax.tick_params(labelsize=6)
        ax.legend(fontsize=6, ncol=3, loc="upper center", bbox_to_anchor=(0.5, 2.2), frameon=False)
        fig.suptitle(f"beta = {b:.3g}: the query settles in {SETTLES[kind[ib]]}", fontsize=9, y=0.99)
        fig.subplots_adjust(left=0.03, right=0.98, top=0.86, bottom=0.13, wspace=0.25, hspace=0.9)
        frames.append(figure_to_frame(fig, dpi=80))
    save_gif(frames, args.out, fps=4)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "gif"))
