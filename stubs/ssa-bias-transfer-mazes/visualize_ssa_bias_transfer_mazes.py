"""Figures of the saved ssa-bias-transfer-mazes run: the maze with one life's goals, the paper's
measure (steps per epoch) for every learner, and SSA's diagnostics along life 0 (stack size and
lifelong reward per time at every checkpoint).

    python3 visualize_ssa_bias_transfer_mazes.py     # results.json + results.npz -> viz/*.png
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


def key(name):
    return name.replace(" ", "_").replace("=", "").replace("+", "_")


def maze_figure(a, path):
    free, goals = a["maze_free"], a["goal_sets"][0]
    W = free.shape[1]
    fig, ax = plt.subplots(figsize=(4.6, 4.6))
    ax.imshow(np.where(free, 1.0, 0.0), cmap="Greys_r", vmin=-0.3, vmax=1)
    s = int(a["start"])
    ax.text(s % W, s // W, "S", ha="center", va="center", color="crimson", weight="bold")
    for i, g in enumerate(goals):
        ax.text(g % W, g // W, str(i + 1), ha="center", va="center", color="navy", weight="bold")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title("the maze, start S facing east, life 0's goals 1-7", fontsize=9)
    fig.tight_layout()
    save_figure(fig, path)


def curves_figure(res, a, path):
    names = [str(n) for n in a["names"]]
    steps = a["epoch_steps"]                       # (learners, lives, epochs)
    eps = res["config"]["epochs_per_set"]
    fig, ax = plt.subplots(figsize=(7.0, 4.2))
    x = np.arange(1, steps.shape[2] + 1)
    for i, n in enumerate(names):
        med = np.median(steps[i], axis=0)
        ax.semilogy(x, np.maximum(med, 1), marker="o", ms=3, label=n,
                    color="k" if n == "LS" else f"C{i}", ls="--" if n.startswith("ALS") else "-")
    for k in range(1, 4):
        ax.axvline(k * eps + 0.5, color="0.8", lw=0.8)
    ax.set(xlabel="epoch (goalset G1..G4: 4..7 goals)", ylabel="steps to find the goalset (median life)",
           title=f"the paper's measure, median over {steps.shape[1]} lives "
                 f"(search cap {res['config']['search_cap']:,} steps per goal)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, path)


def ssa_figure(res, a, path):
    names = [str(n) for n in a["names"] if str(n).startswith("SSA")]
    fig, axes = plt.subplots(1, 2, figsize=(8.4, 3.4))
    for i, n in enumerate(names):
        k = key(n)
        t, R, st = a[f"trace_{k}_t"], a[f"trace_{k}_R"], a[f"trace_{k}_stack"]
        if t.size == 0:
            continue
        axes[0].step(np.arange(st.size), st, where="post", color=f"C{2 * i + 2}", label=n)
        axes[1].semilogy(t, R / t, color=f"C{2 * i + 2}", label=n)
    axes[0].set(xlabel="checkpoint (solution found)", ylabel="tags on the stack", title="stack size, life 0")
    axes[1].set(xlabel="life time (search steps)", ylabel="R(t)/t", title="lifelong reward per time, life 0")
    for ax in axes:
        ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, path)


def main(args):
    res, a = load_run(args.results)
    os.makedirs(args.out_dir, exist_ok=True)
    maze_figure(a, os.path.join(args.out_dir, "maze.png"))
    curves_figure(res, a, os.path.join(args.out_dir, "steps_per_epoch.png"))
    ssa_figure(res, a, os.path.join(args.out_dir, "ssa_stack.png"))
    print(f"wrote 3 figures to {args.out_dir}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
