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

from shared import cli
from shared.figures import figure_to_frame, save_gif
from shared.mazes.draw import draw_answer, pick_pair
from shared.results import load_run


def frame(a, s, idx, ns, q):
    fig, axes = plt.subplots(1, 2, figsize=(6.4, 3.6))
    for ax, j in zip(axes, idx, strict=True):
        pred, target = a["pred_steps"][s, 0, j], a["Y_test"][j]
        n_wrong = draw_answer(ax, pred, target, ms=9, mew=2.2)
        final = "solved at N_sup" if a["ok_test"][0, ns - 1, j] else "not solved at N_sup"
        ax.set_title(f"{final}\n{n_wrong} wrong tokens, q_halt {q[j, s]:+.1f}", fontsize=8)
        ax.axis("off")
    fig.suptitle(f"supervision step {s + 1} of {a['pred_steps'].shape[0]}"
                 + (" (beyond training's N_sup)" if s + 1 > ns else ""), fontsize=10)
    fig.tight_layout()
    return figure_to_frame(fig, dpi=80)


def main(args):
    res, a = load_run(args.results)
    ns = res["config"]["n_sup"]
    idx = pick_pair(a, ns)                                         # solved, unsolved (seed 0)
    q = a["q_test"][0]                                             # (24, eval_sup)
    frames = [frame(a, s, idx, ns, q) for s in range(a["pred_steps"].shape[0])]
    save_gif(frames, args.out, fps=2)


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "gif"))
