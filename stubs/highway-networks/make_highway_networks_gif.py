"""Depth as time (from the saved run): each frame is one more layer of the trained deepest nets.
Left, the singular values of the input-output Jacobian dh_l / dh_0 of the highway and the plain net
at that layer (all of them, largest first); right, the mean transform-gate value of each highway
layer up to that layer.

    python3 make_highway_networks_gif.py       # results.json + results.npz -> highway_networks.gif
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

COLORS = {"highway": "tab:blue", "plain": "tab:red"}


def frame(a, d, j, lims):
    fig, axes = plt.subplots(1, 2, figsize=(7.2, 2.9))
    ax = axes[0]
    for f, col in COLORS.items():
        s = a[f"logsv_{f}_{d}_trained"][j]
        ax.plot(np.arange(1, len(s) + 1), s, "o-", ms=2, color=col, label=f"{f}: top {s[0]:+.1f}")
    ax.axhline(0, color="k", lw=0.5)
    ax.set_ylim(*lims)
    ax.set_xlabel("singular value index", fontsize=7)
    ax.set_ylabel("ln singular value", fontsize=7)
    ax.set_title(f"input-output Jacobian after layer {j + 2} of {d}", fontsize=8)
    ax.legend(fontsize=6, loc="lower left")
    ax.tick_params(labelsize=6)
    ax = axes[1]
    g = a[f"gate_mean_{d}"].mean(axis=1)                                # (L-1,)
    ax.plot(np.arange(2, j + 3), g[:j + 1], "o-", ms=2, color=COLORS["highway"])
    ax.set_xlim(1, d + 1)
    ax.set_ylim(0, max(0.05, float(g.max()) * 1.15))
    ax.set_xlabel("highway layer", fontsize=7)
    ax.set_ylabel("mean transform gate T", fontsize=7)
    ax.set_title("how much each layer transforms", fontsize=8)
    ax.tick_params(labelsize=6)
    fig.tight_layout()
    return figure_to_frame(fig, dpi=70)


def main(args):
    res, a = load_run(args.results)
    d = max(res["config"]["depths"])
    both = np.concatenate([a[f"logsv_{f}_{d}_trained"].ravel() for f in COLORS])
    lims = (max(float(both.min()), -60.0) - 1, float(both.max()) + 1)
    n = d - 1
    layers = sorted(set(np.linspace(0, n - 1, min(n, 40)).astype(int).tolist()))
    frames = [frame(a, d, j, lims) for j in layers]
    save_gif(frames, args.out, fps=6, colors=32)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "gif"))
