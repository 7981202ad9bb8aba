"""Animation: TRM's answer grid refined across supervision steps, a solved and an unsolved maze.

Each frame is one supervision step (EMA weights of seed 0, no halting) on two test mazes: one
answered exactly at N_sup and one not (or the two hardest if every maze is solved / none is).
Orange crosses mark tokens that differ from the shortest path.

    python3 make_trm_maze_gif.py       # reads results.json + results.npz, writes trm_maze.gif
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

from shared import cli
from shared.figures import figure_to_frame, save_gif
from shared.results import load_run

CMAP = ListedColormap(["#2b2b2b", "#ffffff", "#2ca02c", "#d62728", "#1f77b4"])


def pick(a, ns):
    """Indices of one maze solved at step N_sup and one not (seed 0)."""
    ok = a["ok_test"][0, ns - 1]                                  # (24,)
    wrong = (a["pred_steps"][ns - 1, 0] != a["Y_test"]).sum((1, 2))
    good = int(np.flatnonzero(ok)[0]) if ok.any() else int(np.argmin(wrong))
    bad = int(np.flatnonzero(~ok)[0]) if (~ok).any() else int(np.argmax(wrong))
    return good, bad


def frame(a, s, idx, ns, q):
    fig, axes = plt.subplots(1, 2, figsize=(6.4, 3.6))
    for ax, j in zip(axes, idx, strict=True):
        pred, target = a["pred_steps"][s, 0, j], a["Y_test"][j]
        ax.imshow(pred, cmap=CMAP, vmin=0, vmax=4)
        for (yy, xx) in np.argwhere(pred != target):
            ax.plot(xx, yy, "x", color="orange", ms=9, mew=2.2)
        final = "solved at N_sup" if a["ok_test"][0, ns - 1, j] else "not solved at N_sup"
        n_wrong = int((pred != target).sum())
        ax.set_title(f"{final}\n{n_wrong} wrong tokens, q_halt {q[j, s]:+.1f}", fontsize=8)
        ax.axis("off")
    fig.suptitle(f"supervision step {s + 1} of {a['pred_steps'].shape[0]}"
                 + (" (beyond training's N_sup)" if s + 1 > ns else ""), fontsize=10)
    fig.tight_layout()
    return figure_to_frame(fig, dpi=80)


def main(args):
    res, a = load_run(args.results)
    ns = res["config"]["n_sup"]
    idx = pick(a, ns)
    q = a["q_test"][0]                                             # (24, eval_sup)
    frames = [frame(a, s, idx, ns, q) for s in range(a["pred_steps"].shape[0])]
    save_gif(frames, args.out, fps=2)


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "gif"))
