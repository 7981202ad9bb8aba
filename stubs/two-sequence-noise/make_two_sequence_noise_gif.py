"""Animation of learning the two-sequence problem, from the saved snapshots (never retrains).

Each frame: the three cell states of the first net of each task (3a, 3b, 3c) along one test
sequence of each class after n training sequences, with the output at the end, and the median
test error of every task with a cursor. Watch a cell learn to jump on the first elements and hold
the class through the noise.

    python3 make_two_sequence_noise_gif.py        # reads results.json + results.npz
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

COLORS = {"3a": "tab:blue", "3b": "tab:orange", "3c": "tab:green"}


def frame(res, a, k, lim):
    cfg = res["config"]
    variants, n = cfg["variants"], cfg["n_seeds"]
    s, y, sn = a["snap_s"], a["snap_y"], a["snap_n"]                       # (K, V, L, 2, C), (K, V, 2)
    fig = plt.figure(figsize=(8.4, 4.6))
    grid = fig.add_gridspec(2, len(variants), height_ratios=[2, 1])
    for i, v in enumerate(variants):
        ax = fig.add_subplot(grid[0, i])
        for j, ls in ((0, "-"), (1, "--")):
            L = int(a["probe_last"][i, j]) + 1
            for c in range(s.shape[-1]):
                ax.plot(s[k, i, :L, j, c], ls, color=f"C{c}", lw=1.1)
        tgt = (1.0, 0.0) if v != "3c" else (0.2, 0.8)
        ax.set_title(f"task {v}: out {y[k, i, 0]:.2f} / {y[k, i, 1]:.2f}\n(targets {tgt[0]} / {tgt[1]})",
                     fontsize=8)
        ax.set(ylim=lim, xlabel="t")
        ax.tick_params(labelsize=7)
        if i == 0:
            ax.set_ylabel("cell states s(t)\nsolid class 1, dashed class 2", fontsize=8)
    ax = fig.add_subplot(grid[1, :])
    for i, v in enumerate(variants):
        ax.plot(a["curve_n"], np.median(a["curve_mae"][:, i * n:(i + 1) * n], axis=1), color=COLORS[v],
                label=f"task {v}")
    ax.axvline(sn[k], color="k", lw=1)
    ax.set(yscale="log", xlabel="training sequences per net", ylabel="median test |err|")
    ax.legend(fontsize=7, loc="lower left")
    fig.suptitle(f"first net of each task after {sn[k]:,} sequences", fontsize=10)
    fig.tight_layout()
    return figure_to_frame(fig, dpi=64)


def main(args):
    res, a = load_run(args.results)
    s = a["snap_s"]
    lim = (float(s.min()) - 0.1, float(s.max()) + 0.1)
    frames = [frame(res, a, k, lim) for k in range(len(a["snap_n"]))]
    save_gif(frames, args.out, fps=4)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "gif"))
