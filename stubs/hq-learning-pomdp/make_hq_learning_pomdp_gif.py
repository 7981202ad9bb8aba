"""Greedy test runs of the trained systems on the maze, step by step (from the saved run).

One panel per system, showing its best simulation among those whose tables the run saved (the
first four; the fewest steps in the last greedy test, the first such one): the greedy path from S
grows frame by frame, coloured by the agent in control, with each agent's subgoal observation
listed. The path is replayed from the saved final Q- and HQ-tables (greedy and deterministic:
nothing is trained).

    python3 make_hq_learning_pomdp_gif.py      # results.json + results.npz -> hq_learning_pomdp.gif
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np

from shared.cli import load_sibling, make_artifact_parser, run
from shared.figures import figure_to_frame, save_gif
from shared.results import load_run

N_FRAMES = 40
MAX_STEPS = 120         # steps of each path drawn


def replays(res, a):
    hq = load_sibling(__file__, "hq_learning_pomdp", globals())
    maze = hq.Maze()
    out = []
    for i, M in enumerate(a["systems"]):
        M = int(M)
        j = int(np.argmin(a["test_steps"][i, :a["Q"].shape[1], -1]))
        steps, cells, agents, subs = hq.greedy_run(maze, a["Q"][i, j, :M].astype(float),
                                                   a["HQ"][i, j, :M].astype(float), res["config"]["t_max"])
        out.append((M, j, steps, cells[:MAX_STEPS + 1], agents[:MAX_STEPS], subs))
    return out


def frame(a, runs, f):
    free = a["maze_free"]
    W = free.shape[1]
    fig, axes = plt.subplots(2, 3, figsize=(7.2, 5.0))
    for ax, (M, sim, steps, cells, agents, subs) in zip(axes.ravel(), runs, strict=False):
        ax.imshow(np.where(free, 1.0, 0.0), cmap="Greys_r", vmin=-0.3, vmax=1)
        n = min(len(cells) - 1, int(round(f / (N_FRAMES - 1) * MAX_STEPS)))
        for j in range(n):
            (r0, c0), (r1, c1) = divmod(cells[j], W), divmod(cells[j + 1], W)
            ax.plot([c0, c1], [r0, r1], color=f"C{agents[j] % 10}", lw=2.5)
        if n:
            r, c = divmod(cells[n], W)
            ax.plot(c, r, "o", color="k", ms=5)
        s, g = (int(x) for x in a["start_goal"])
        ax.text(s % W, s // W, "S", ha="center", va="center", color="crimson", fontsize=8, weight="bold")
        ax.text(g % W, g // W, "G", ha="center", va="center", color="crimson", fontsize=8, weight="bold")
        name = "flat Q(lambda)" if M == 1 else f"HQ, {M} agents"
        result = f"G in {steps} steps" if steps < 1000 else "no G (loops)"
        ax.set_title(f"{name}, sim {sim}: {result}\nsubgoals {subs[:6]}", fontsize=7)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle("last greedy test, best of simulations 0-3 of each system (colour = agent in control)",
                 fontsize=9)
    fig.tight_layout()
    return figure_to_frame(fig, dpi=75)


def main(args):
    res, a = load_run(args.results)
    runs = replays(res, a)
    frames = [frame(a, runs, f) for f in range(N_FRAMES)]
    save_gif(frames, args.out, fps=4, colors=32)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "gif"))
