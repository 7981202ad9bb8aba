"""Animation of learning the embedded Reber grammar, from the saved snapshots (never retrains).

Each frame: net 0's seven output units along one test string after N training strings, with the
legal next symbols boxed in red (a step is right when every boxed unit beats every other unit),
and the fraction of strings predicted correctly with a cursor. The last column to come right is
the second-to-last step: recalling the outer T/P across the inner string.

    python3 make_embedded_reber_gif.py       # reads results.json + results.npz
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

SYMBOLS = "BTPSXVE"


def frame(res, a, k):
    y, legal, n = a["snap_y"][k], a["probe_legal"], int(a["snap_n"][k])
    key = str(a["snap_key"])
    probe = res["metrics"]["sets"]["probe"]
    L = len(probe) - 1
    fig = plt.figure(figsize=(7, 4.6))
    grid = fig.add_gridspec(2, 1, height_ratios=[1.6, 1])
    ax = fig.add_subplot(grid[0])
    ax.imshow(y[:L].T, aspect="auto", cmap="viridis", vmin=0, vmax=1)
    tt, kk = np.nonzero(legal[:L])
    ax.plot(tt, kk, "s", mfc="none", mec="red", ms=8)
    lo = np.where(legal[:L], y[:L], np.inf).min(-1)
    hi = np.where(legal[:L], -np.inf, y[:L]).max(-1)
    for t in range(L):
        ax.text(t, 7.1, "ok" if lo[t] > hi[t] else "x", ha="center", va="top", fontsize=7,
                color="tab:green" if lo[t] > hi[t] else "tab:red")
    ax.set_yticks(range(7))
    ax.set_yticklabels(list(SYMBOLS))
    ax.set_xticks(range(L))
    ax.set_xticklabels(list(probe[:L]), fontsize=8)
    ax.set_ylim(7.6, -0.5)
    ax.set_ylabel("output unit")
    bx = fig.add_subplot(grid[1])
    cn, cf = a[f"{key}_curve_n"], a[f"{key}_curve_frac"]
    if len(cn):
        bx.plot(cn, cf[:, 0], color="tab:blue", label="net 0")
        bx.plot(cn, cf.mean(1), color="tab:gray", label="mean of all nets")
    bx.axvline(n, color="k", lw=1)
    bx.set(xlabel="training strings", ylabel="strings correct", ylim=(0, 1.02))
    bx.legend(fontsize=7, loc="lower right")
    fig.suptitle(f"{key}, net 0 after {n:,} training strings", fontsize=10)
    fig.tight_layout()
    return figure_to_frame(fig, dpi=64)


def main(args):
    res, a = load_run(args.results)
    if not len(a["snap_n"]):
        raise cli.StubError(f"{args.results} holds no snapshots to animate")
    frames = [frame(res, a, k) for k in range(len(a["snap_n"]))]
    save_gif(frames, args.out, fps=4)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "gif"))
