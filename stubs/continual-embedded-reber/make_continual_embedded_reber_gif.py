"""Animation of learning the continual embedded Reber grammar, from the saved snapshots (never retrains).

Each frame: the eight cell states of net 0 along one 48-symbol stretch of a continual stream, after N
training symbols, for the forget-gate net (top) and the 1997 net (bottom); string boundaries dashed.

    python3 make_continual_embedded_reber_gif.py     # reads results.json + results.npz
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
    sym = a["probe_sym"]
    fig, axes = plt.subplots(2, 1, figsize=(7, 4.6), sharex=True)
    for ax, key, name in ((axes[0], "forget", "forget gates"), (axes[1], "no_forget", "1997 cell")):
        snaps, n = a[f"{key}_snaps"], a[f"{key}_curve_n"]
        j = min(k, len(snaps) - 1)
        s = snaps[j][:, :8]
        ax.plot(s, lw=1)
        for t in np.flatnonzero(sym == 0)[::2]:
            ax.axvline(t, color="k", ls="--", lw=0.6)
        ax.set_ylabel("cell state s")
        ax.set_title(f"{name}: net 0 after {int(n[j]):,} symbols", fontsize=9)
    axes[1].set_xticks(range(len(sym)))
    axes[1].set_xticklabels([SYMBOLS[i] for i in sym], fontsize=6)
    fig.tight_layout()
    return figure_to_frame(fig, dpi=64)


def main(args):
    res, a = load_run(args.results)
    n = max(len(a["forget_snaps"]), len(a["no_forget_snaps"]))
    if not n:
        raise cli.StubError(f"{args.results} holds no snapshots to animate")
    frames = [frame(res, a, k) for k in range(n)]
    save_gif(frames, args.out, fps=2)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "gif"))
