"""Flat minimum search at work, from the saved run: the first net of the bars task (seed 0). Left:
each hidden unit's input weights as a 5x5 image at a growing epoch, grey once the unit no longer
moves any output (pruned); right: every unit's largest effect on an output's net input, sorted,
against the pruning line.

    python3 make_lococode_ica_gif.py       # results.json + .npz -> lococode_ica.gif
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


def frame(W1, swing, epoch, tol, task):
    fig = plt.figure(figsize=(9, 3.9))
    grid = fig.add_gridspec(5, 9)
    active = swing >= tol
    order = np.argsort(-swing, kind="stable")
    for j, h in enumerate(order):
        ax = fig.add_subplot(grid[j // 5, j % 5])
        v = np.abs(W1[h]).max() or 1.0
        ax.imshow(W1[h].reshape(5, 5), cmap="RdBu_r" if active[h] else "Greys", vmin=-v, vmax=v)
        ax.set_xticks([])
        ax.set_yticks([])
    ax = fig.add_subplot(grid[:, 5:])
    ax.semilogy(np.arange(1, len(swing) + 1), np.maximum(swing[order], 1e-6), "o-", ms=3)
    ax.axhline(tol, color="k", ls="--", lw=1)
    ax.axvline(10.5, color="grey", ls=":", lw=1)
    ax.set(ylim=(1e-6, 1e3), xlabel="hidden unit (sorted)", ylabel="largest effect on an output")
    ax.set_title(f"{task}, epoch {epoch:,}: {int(active.sum())} of {len(swing)} units active", fontsize=9)
    fig.tight_layout()
    return figure_to_frame(fig, dpi=70)


def main(args):
    res, a = load_run(args.results)
    task = "bars" if "bars_film_W1" in a else "noisy"
    if f"{task}_film_W1" not in a:
        raise FileNotFoundError(f"{args.results} holds no weight film")
    tol = res["config"]["prune_tol"]
    frames = [frame(W, s, int(e), tol, task) for W, s, e in
              zip(a[f"{task}_film_W1"], a[f"{task}_film_swing"], a[f"{task}_film_epochs"], strict=True)]
    save_gif(frames, args.out, fps=3, colors=64)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "gif"))
