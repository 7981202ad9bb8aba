"""Curiosity vs random search in the 10x10 world, one snapshot per frame (from the saved run).

Seed 0 of the headline world (3x3 deterministic block in the top-right corner, 91 random states).
Left the curious Q-learner, right random search: each cell coloured by C's output there (M's
assumed squared error, averaged over the four actions), cyan dots sized by the steps spent in the
cell over the last window, the deterministic block outlined. Below, E(t)/E(0) of both agents up
to the frame's step.

    python3 make_curiosity_three_regions_gif.py      # results.json + results.npz -> the GIF
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np

from shared.cli import make_artifact_parser, run
from shared.figures import figure_to_frame, save_gif
from shared.results import load_run
from visualize_curiosity_three_regions import outline_block, pop_index, random_of


def frame(res, a, i, vmax):
    ic, ir = pop_index(res, "paper"), random_of(res, "paper")
    det = a["det"][ic]
    fig = plt.figure(figsize=(6, 5))
    gs = fig.add_gridspec(2, 2, height_ratios=[3, 1.5])
    for j, who in enumerate(("curious", "random search")):
        ax = fig.add_subplot(gs[0, j])
        ax.imshow(a["C_cell_seed0"][i, j].reshape(10, 10), cmap="magma", vmin=0, vmax=vmax)
        v = a["visits_seed0"][i, j].reshape(10, 10)
        rr, cc = np.nonzero(v > 0)
        ax.scatter(cc, rr, s=90 * v[rr, cc] / max(v.max(), 1), color="cyan", alpha=0.85)
        outline_block(ax, det)
        ax.set_xticks([])
        ax.set_yticks([])
        share = a["visits_seed0"][i, j][det].sum() / max(a["visits_seed0"][i, j].sum(), 1)
        ax.set_title(f"{who}: {share:.0%} of steps in the block", fontsize=8)
    ax = fig.add_subplot(gs[1, :])
    t = a["log_steps"]
    upto = t <= a["snap_steps"][i]
    for j, col, name in ((ic, "tab:red", "curious"), (ir, "tab:blue", "random search")):
        ax.plot(t[upto], a["E"][upto, j, 0] / a["E"][0, j, 0], color=col, label=name)
    ax.legend(fontsize=7, loc="upper right")
    ax.set_xlim(0, t[-1])
    ax.set_ylim(1e-5, 2)
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("E(t)/E(0)", fontsize=8)
    ax.tick_params(labelsize=7)
    fig.suptitle(f"seed 0, step {int(a['snap_steps'][i]):,}: colour = C (assumed error of M), "
                 "dots = visits", fontsize=9)
    fig.tight_layout()
    return figure_to_frame(fig, dpi=80)


def main(args):
    res, a = load_run(args.results)
    vmax = float(np.percentile(a["C_cell_seed0"], 99)) or 1.0
    frames = [frame(res, a, i, vmax) for i in range(len(a["snap_steps"]))]
    save_gif(frames, args.out, fps=4, colors=32)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "gif"))
