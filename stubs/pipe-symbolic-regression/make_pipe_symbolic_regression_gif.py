"""PIPE run 0 on the regression target, one frame per 1,000 program evaluations (from the saved run).

Left: the target f(x) on the 101 fitness cases and the output of the elitist (the best program found
so far). Right: the probability vector P_{0,0}(I) of the PPT's root node, which starts at
P_T / |T| = 0.4 on each terminal and (1 - P_T) / |F| = 0.025 on each function and is pulled toward
the root instruction of the programs PIPE learns from.

    python3 make_pipe_symbolic_regression_gif.py    # results.json + .npz -> pipe_symbolic_regression.gif
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

FRAME_EVERY = 2                         # trace points are 500 evaluations apart (one GP generation)
NAMES = ["+", "-", "*", "%", "sin", "cos", "exp", "rlog", "x", "R"]


def frame(a, g):
    x, y = a["x"], a["y"]
    out, probs = a["film_elite_out"][g], a["film_root_probs"][g]
    best = a["pipe_best"][0, g]
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(8, 3.2), gridspec_kw={"width_ratios": [2.2, 1]})
    ax.plot(x, y, "k-", lw=2.2, label="target")
    if np.isfinite(out).all():
        ax.plot(x, out, "-", color="tab:red", lw=1.4, label="elitist program")
    lo, hi = y.min(), y.max()
    ax.set(ylim=(lo - 0.6 * (hi - lo), hi + 0.6 * (hi - lo)), xlabel="x")
    ax.legend(fontsize=7, loc="lower right")
    ax.set_title(f"{int(a['grid'][g]):,} evaluations, best sum |err| = {best:.3g}", fontsize=9)
    bx.bar(range(len(probs)), probs, color=["tab:blue"] * 8 + ["tab:green"] * 2)
    bx.set(xticks=range(len(probs)), ylim=(0, 1))
    bx.set_xticklabels(NAMES[:len(probs)], fontsize=7, rotation=60)
    bx.set_title("root node P(I)", fontsize=9)
    fig.tight_layout()
    return figure_to_frame(fig, dpi=60)


def main(args):
    _, a = load_run(args.results)
    G = len(a["grid"])
    keep = sorted(set(range(0, G, FRAME_EVERY)) | {G - 1})     # every second trace point, and the last
    frames = [frame(a, g) for g in keep]
    save_gif(frames, args.out, fps=4, colors=32)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "gif"))
