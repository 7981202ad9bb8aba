"""Animation of learning the temporal order task, from the saved snapshots (never retrains).

Each frame: the four cell states of seed 0's net along one test sequence of each class (Q, R, S,
U) after N training sequences, with the outputs it gives at the end, and the learning curve with
a cursor. Watch the cells start to jump at t1 and t2 and the four classes separate.

    python3 make_temporal_order_3bit_gif.py       # reads results.json + results.npz
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

CLASSES = ("Q = XX", "R = XY", "S = YX", "U = YY")


def frame(a, k, lim):
    n, states, ys = a["lstm1997_snap_n"], a["lstm1997_snap_state"], a["lstm1997_snap_y"]
    pos, length, lab = a["probe_pos"], a["probe_len"], a["probe_label"]
    P = states.shape[2]
    fig = plt.figure(figsize=(8, 5))
    grid = fig.add_gridspec(2, P, height_ratios=[2, 1.1])
    for j in range(P):
        ax = fig.add_subplot(grid[0, j])
        L = int(length[j])
        ax.plot(np.arange(L), states[k, :L, j], lw=1.3)
        for p_ in pos[j]:
            ax.axvline(p_, color="red", lw=0.6, ls=":")
        ok = int(np.argmax(ys[k, j])) == int(lab[j])
        ax.set_title(f"{CLASSES[int(lab[j])]}\nout " + " ".join(f"{v:.2f}" for v in ys[k, j]), fontsize=7,
                     color="tab:green" if ok else "k")
        ax.set(ylim=lim, xlabel="t")
        ax.tick_params(labelsize=7)
        if j:
            ax.set_yticklabels([])
        else:
            ax.set_ylabel("cell states s(t)")
    ax = fig.add_subplot(grid[1, :])
    ax.plot(a["lstm1997_curve_n"], np.median(a["lstm1997_curve_err"], axis=1), color="tab:blue")
    ax.axvline(n[k], color="k", lw=1)
    ax.axhline(0.1, color="k", ls="--", lw=0.7)
    ax.set(yscale="log", xlabel="training sequences", ylabel="median train err")
    fig.suptitle(f"seed 0 after {n[k]:,} sequences", fontsize=10)
    fig.tight_layout()
    return figure_to_frame(fig, dpi=64)


def main(args):
    res, a = load_run(args.results)
    s = a["lstm1997_snap_state"]
    lim = (float(s.min()) - 0.1, float(s.max()) + 0.1)
    frames = [frame(a, k, lim) for k in range(len(a["lstm1997_snap_n"]))]
    save_gif(frames, args.out, fps=4)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "gif"))
