"""Animation: K noisy rollouts of TRM on one test maze, with the halting logit of each.

Each frame is one supervision step; every panel is one rollout's current answer (seed 0's EMA
weights, noise sigma on z at every step), titled with its q. Orange crosses mark wrong tokens;
the frame around the rollout with the largest q is thick (at the last step: the PTRM answer).

    python3 make_maze_ptrm_gif.py      # reads results.json + results.npz, writes maze_ptrm.gif
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np

from shared import cli
from shared.figures import figure_to_frame, save_gif
from shared.mazes.draw import draw_answer
from shared.results import load_run


def frame(pred, q, target, s, n_sup, sigma):
    K = pred.shape[0]
    cols = int(np.ceil(np.sqrt(K)))
    rows = int(np.ceil(K / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(1.6 * cols, 1.75 * rows + 0.5), squeeze=False)
    best = int(np.argmax(q))
    for k, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if k >= K:
            continue
        draw_answer(ax, pred[k], target, ms=4, mew=1.5)
        right = bool(np.all(pred[k] == target))
        ax.set_title(f"q {q[k]:+.2f}{' ok' if right else ''}", fontsize=7,
                     color="#1f77b4" if right else "#d62728")
        if k == best:
            ax.axis("on")
            ax.set_xticks([])
            ax.set_yticks([])
            for sp in ax.spines.values():
                sp.set_linewidth(3)
                sp.set_color("black")
    fig.suptitle(f"supervision step {s + 1} of {n_sup}, sigma {sigma}: {K} rollouts "
                 f"(thick frame: largest q)", fontsize=8)
    fig.tight_layout()
    return figure_to_frame(fig, dpi=70)


def main(args):
    res, a = load_run(args.results)
    pred, q, target = a["gif_pred"], a["gif_q"], a["gif_y"]              # (n_sup, K, P, P), (n_sup, K)
    n_sup = pred.shape[0]
    frames = [frame(pred[s], q[s], target, s, n_sup, res["metrics"]["sigma"]) for s in range(n_sup)]
    save_gif(frames, args.out, fps=1.5)


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "gif"))
