"""Phase 2 step by step (from the saved run): left, the task-1 test error of the LWTA, ReLU and
sigmoid nets (every seed thin, the mean thick) as training on digits 5-9 goes on; right, the
relative change of each first-layer unit's incoming weights since phase 2 began (seed 0, units
sorted by their final change), for the three kinds.

    python3 make_compete_to_compute_gif.py      # results.json + results.npz -> compete_to_compute.gif
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

COLORS = {"lwta": "tab:blue", "relu": "tab:red", "sigmoid": "tab:green"}


def frame(res, a, j):
    kinds = res["config"]["kinds"]
    n1 = int(a["phase1_points"])
    x = (a["curve_images"][n1 - 1:] - a["curve_images"][n1 - 1]) / 1000.0
    e = 100 * a["curve_err1"][n1 - 1:]                                  # (points2 + 1, K, S)
    dW = a["dW_curve"]                                                  # (points2, K, H)
    order = np.argsort(dW[-1], axis=-1)
    fig, axes = plt.subplots(1, 2, figsize=(7.6, 3.0))
    ax = axes[0]
    for i, k in enumerate(kinds):
        ax.plot(x[:j + 2], e[:j + 2, i], color=COLORS[k], lw=0.4, alpha=0.35)
        ax.plot(x[:j + 2], e[:j + 2, i].mean(1), color=COLORS[k], lw=2, label=k)
    ax.set_xlim(0, x[-1])
    ax.set_ylim(max(0.1, 0.8 * e.min()), 1.2 * e.max())
    ax.set_yscale("log")
    ax.set_xlabel("task-2 training images (thousands)", fontsize=7)
    ax.set_ylabel("task-1 test error (%)", fontsize=7)
    ax.set_title("forgetting digits 0-4 while learning 5-9", fontsize=8)
    ax.legend(fontsize=6)
    ax.tick_params(labelsize=6)
    ax = axes[1]
    for i, k in enumerate(kinds):
        ax.plot(np.linspace(0, 1, dW.shape[-1]), dW[j, i, order[i]], color=COLORS[k], label=k)
    ax.set_yscale("log")
    ax.set_ylim(max(1e-5, 0.5 * dW[-1][dW[-1] > 0].min()), 2 * dW.max())
    ax.set_xlabel("layer-1 units, sorted by final change (seed 0)", fontsize=7)
    ax.set_ylabel("relative change of incoming weights", fontsize=7)
    ax.set_title(f"after {x[j + 1]:.1f}k task-2 images", fontsize=8)
    ax.tick_params(labelsize=6)
    fig.tight_layout()
    return figure_to_frame(fig, dpi=70)


def main(args):
    res, a = load_run(args.results)
    frames = [frame(res, a, j) for j in range(a["dW_curve"].shape[0])]
    save_gif(frames + frames[-1:] * 3, args.out, fps=3, colors=32)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "gif"))
