"""Animation of Task 2a training, read from the saved run (never retrains): net 0's cell state
along the two training sequences and its final predictions of x and y, snapshot by snapshot.

    python3 make_noise_free_long_lag_gif.py       # writes noise_free_long_lag.gif
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


def frame(n, s, y, added, smax):
    """s (p, 2) cell state along the x- and y-key sequence; y (2, 2) last-step outputs [x, y]."""
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(8, 3.2), gridspec_kw={"width_ratios": [1.7, 1]})
    ax.plot(s[:, 0], color="tab:red", label="starts with x")
    ax.plot(s[:, 1], color="tab:blue", label="starts with y")
    ax.set(ylim=(0, smax), xlabel="step", ylabel="cell state s(t)",
           title=f"Task 2a, net 0, after {n:,} sequences" + ("" if added else " (no cell yet)"))
    ax.legend(fontsize=7, loc="upper left")
    w = 0.35
    for k, (col, key) in enumerate((("tab:red", "x"), ("tab:blue", "y"))):
        bx.bar(np.arange(2) + (k - 0.5) * w, y[k], w, color=col, label=f"sequence with {key}")
    bx.axhline(0.75, color="k", ls=":", lw=0.8)
    bx.axhline(0.25, color="k", ls=":", lw=0.8)
    bx.set(ylim=(0, 1), xticks=[0, 1], xticklabels=["output x", "output y"],
           title="last prediction (target: the key)")
    bx.legend(fontsize=6)
    fig.tight_layout()
    return figure_to_frame(fig)


def main(args):
    res, a = load_run(args.results)
    n, s, y = a["2a_snap_n"], a["2a_snap_s"], a["2a_snap_y"]                # (K,), (K, p, 2), (K, 2, 2)
    added = a["2a_added_at"][0]
    smax = max(1e-3, float(np.nanmax(s))) * 1.05
    frames = [frame(int(n[i]), s[i], y[i], added > 0 and n[i] >= added, smax) for i in range(len(n))]
    save_gif(frames, args.out, fps=4)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "gif"))
