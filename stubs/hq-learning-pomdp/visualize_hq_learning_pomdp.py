"""Figures of the saved hq-learning-pomdp run: the maze and its observation map, the greedy-test
learning curve of every system, and the subgoals the agents settled on.

    python3 visualize_hq_learning_pomdp.py     # results.json + results.npz -> viz/*.png
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


def maze_figure(a, path):
    free, obs = a["maze_free"], a["maze_obs"]
    start, goal = (int(x) for x in a["start_goal"])
    W = free.shape[1]
    fig, ax = plt.subplots(figsize=(5.2, 5.2))
    codes = sorted(set(obs[free].tolist()))
    shade = np.where(free, 0.0, np.nan)
    for i, c in enumerate(codes):
        shade[obs == c] = i
    ax.imshow(np.where(free, shade, np.nan), cmap="tab10", vmin=0, vmax=9, alpha=0.35)
    ax.imshow(np.where(free, np.nan, 1.0), cmap="Greys", vmin=0, vmax=1)
    for r, c in zip(*np.nonzero(free), strict=False):
        ax.text(c, r, str(obs[r, c]), ha="center", va="center", fontsize=9,
                weight="bold" if obs[r, c] == 5 else "normal")
    for s, lab in ((start, "S"), (goal, "G")):
        ax.text(s % W + 0.33, s // W - 0.3, lab, color="crimson", fontsize=10, weight="bold")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title("62 free fields, 9 observations (walls W=1 N=2 E=4 S=8)", fontsize=9)
    fig.tight_layout()
    save_figure(fig, path)


def curves_figure(res, a, path):
    cfg = res["config"]
    ts = a["test_steps"]                                     # (systems, sims, tests)
    x = cfg["test_every"] * np.arange(1, ts.shape[2] + 1)
    fig, axes = plt.subplots(1, 2, figsize=(9.5, 3.6))
    for i, M in enumerate(a["systems"]):
        lab = "flat Q(lambda)" if M == 1 else f"HQ, {M} agents"
        style = dict(color="k", ls="--") if M == 1 else dict(color=f"C{i}")
        axes[0].plot(x, ts[i].mean(axis=0), marker="o", ms=3, label=lab, **style)
        axes[1].plot(x, (ts[i] < cfg["t_max"]).mean(axis=0), marker="o", ms=3, label=lab, **style)
    axes[0].axhline(28, color="0.6", lw=0.8, ls=":")
    axes[0].set(xlabel="training trials", ylabel="steps in greedy test (1000 = failed)",
                ylim=(0, cfg["t_max"] * 1.05))
    axes[1].set(xlabel="training trials", ylabel="share of simulations reaching G", ylim=(-0.03, 1.03))
    axes[0].legend(fontsize=7)
    fig.suptitle(f"greedy test runs, mean over {cfg['sims']} simulations per system "
                 f"({cfg['trials']:,} of the paper's 20,000 trials)", fontsize=9)
    fig.tight_layout()
    save_figure(fig, path)


def subgoals_figure(res, a, path):
    """For each HQ system: how often agent i's greedy subgoal at the last test is observation o."""
    subs = a["test_subgoals"][:, :, -1, :]                 # (systems, sims, M_max)
    systems = [int(M) for M in a["systems"] if M > 1]
    fig, axes = plt.subplots(1, len(systems), figsize=(2.3 * len(systems), 3.4), sharey=True)
    for ax, M in zip(axes, systems, strict=False):
        i = list(a["systems"]).index(M)
        counts = np.zeros((M - 1, 16))
        for row in subs[i]:
            for k in range(M - 1):
                if row[k] >= 0:
                    counts[k, row[k]] += 1
        ax.imshow(counts.T, aspect="auto", cmap="Blues", origin="lower")
        ax.set(title=f"{M} agents", xlabel="agent")
        ax.set_xticks(range(M - 1), [str(k + 1) for k in range(M - 1)], fontsize=6)
    axes[0].set_ylabel("subgoal observation (last greedy test)")
    axes[0].set_yticks(range(16))
    fig.suptitle("subgoals picked greedily at the last test, counted over simulations "
                 "(an agent only picks one if control reaches it)", fontsize=8)
    fig.tight_layout()
    save_figure(fig, path)


def main(args):
    res, a = load_run(args.results)
    os.makedirs(args.out_dir, exist_ok=True)
    maze_figure(a, os.path.join(args.out_dir, "maze.png"))
    curves_figure(res, a, os.path.join(args.out_dir, "learning_curves.png"))
    subgoals_figure(res, a, os.path.join(args.out_dir, "subgoals.png"))
    print(f"wrote 3 figures to {args.out_dir}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
