"""Animation of the 1997 LSTM learning Experiment 6b, from the saved snapshots (never retrains).

Each frame: net 0's six cell states along one test sequence of each of the eight classes after N
training sequences (the title turns green where the largest output names the right class), and
the median learning curve with a cursor.

    python3 make_temporal_order_4bit_gif.py       # reads results.json + results.npz
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

CLASSES = ("Q XXX", "R XXY", "S XYX", "U XYY", "V YXX", "A YXY", "B YYX", "C YYY")


def frame(a, k, lim):
    n, states, ys = a["lstm1997_snap_n"], a["lstm1997_snap_state"], a["lstm1997_snap_y"]
    pos, length, lab = a["probe_pos"], a["probe_len"], a["probe_label"]
    P = states.shape[2]
    cols = min(P, 4)
    rows = -(-P // cols)
    fig = plt.figure(figsize=(8, 2.0 * rows + 1.8))
    grid = fig.add_gridspec(rows + 1, cols, height_ratios=[1.6] * rows + [1.2])
    for j in range(P):
        ax = fig.add_subplot(grid[j // cols, j % cols])
        L = int(length[j])
        ax.plot(np.arange(L), states[k, :L, j], lw=1.0)
        for p_ in pos[j]:
            ax.axvline(p_, color="red", lw=0.5, ls=":")
        ok = int(np.argmax(ys[k, j])) == int(lab[j])
        ax.set_title(f"{CLASSES[int(lab[j])]}: out {ys[k, j, int(lab[j])]:.2f}", fontsize=7,
                     color="tab:green" if ok else "k")
        ax.set(ylim=lim)
        ax.tick_params(labelsize=6)
        if j % cols:
            ax.set_yticklabels([])
    ax = fig.add_subplot(grid[rows, :])
    ax.plot(a["lstm1997_curve_n"], np.median(a["lstm1997_curve_err"], axis=1), color="tab:blue")
    ax.axvline(n[k], color="k", lw=1)
    ax.axhline(0.875, color="k", ls=":", lw=0.7)
    ax.set(xlabel="training sequences", ylabel="median train err")
    ax.tick_params(labelsize=7)
    fig.suptitle(f"1997 LSTM, net 0, cell states s(t) after {n[k]:,} sequences", fontsize=9)
    fig.tight_layout()
    return figure_to_frame(fig, dpi=60)


def main(args):
    res, a = load_run(args.results)
    if "lstm1997_snap_state" not in a:
        raise cli.StubError(f"{args.results} holds no training snapshots: run the headline command first")
    s = a["lstm1997_snap_state"]
    lim = (float(s.min()) - 0.1, float(s.max()) + 0.1)
    frames = [frame(a, k, lim) for k in range(len(a["lstm1997_snap_n"]))]
    save_gif(frames, args.out, fps=4)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "gif"))
