"""Animation: HRM's answer grid refined across segments, a solved and an unsolved test maze.

Each frame is one segment (supervision step), trained weights, no halting, for the seed with the
highest test exact at M_max, on two test mazes: one answered exactly at M_max and one not (the
closest / farthest if every maze is solved / none is). Orange crosses mark wrong tokens; the
titles carry the Q head's halt margin Q_halt - Q_continue.

    python3 make_hrm_maze_gif.py       # reads results.json + results.npz, writes hrm_maze.gif
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np

from shared import cli
from shared.figures import figure_to_frame, save_gif
from shared.mazes.draw import draw_answer, pick_pair
from shared.results import load_run


def frame(a, step, idx, ns, seed):
    fig, axes = plt.subplots(1, 2, figsize=(6.4, 3.6))
    q = a["q_test"][seed]                                           # (24, eval_sup, 2)
    for ax, j in zip(axes, idx, strict=True):
        pred, target = a["pred_steps"][step, seed, j], a["Y_test"][j]
        n_wrong = draw_answer(ax, pred, target, ms=9, mew=2.2)
        final = "solved at M_max" if a["ok_test"][seed, ns - 1, j] else "not solved at M_max"
        margin = q[j, step, 0] - q[j, step, 1]
        ax.set_title(f"{final}\n{n_wrong} wrong tokens, "
                     f"Q_halt - Q_cont {margin:+.1f}", fontsize=8)
        ax.axis("off")
    fig.suptitle(f"HRM seed {seed}, segment {step + 1} of {a['pred_steps'].shape[0]}"
                 + (" (beyond training's M_max)" if step + 1 > ns else ""), fontsize=10)
    fig.tight_layout()
    return figure_to_frame(fig, dpi=80)


def main(args):
    res, a = load_run(args.results)
    ns = res["config"]["n_sup"]
    seed = int(np.argmax(res["metrics"]["exact_last"]))
    idx = pick_pair(a, ns, seed)                       # a solved and an unsolved saved test maze
    save_gif([frame(a, s, idx, ns, seed) for s in range(a["pred_steps"].shape[0])], args.out, fps=2)


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "gif"))
