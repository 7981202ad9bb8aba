"""Ten test digits as each column sees them in training, draw after draw (width-normalised, then
deformed anew), beside each column's test error and the error of their average (from the saved run).

    python3 make_mcdnn_image_bench_gif.py      # results.json + results.npz -> mcdnn_image_bench.gif
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


def frame(res, a, k):
    v = a["deform_views"][k]                                         # (n, 10, 28, 28)
    M = res["metrics"]
    names = ["original" if w == 0 else f"w {w}" for w in res["config"]["widths"]]
    grid = np.concatenate([np.concatenate(list(v[c]), 1) for c in range(len(v))], 0)
    fig = plt.figure(figsize=(8.0, 0.5 * len(v) + 1.0))
    ax = fig.add_axes((0.08, 0.05, 0.6, 0.85))
    ax.imshow(grid, cmap="gray_r", vmin=0, vmax=255)
    ax.set_xticks([])
    ax.set_yticks(np.arange(len(v)) * 28 + 14, names, fontsize=7)
    ax.set_title(f"draw {k + 1}: each column's input, deformed anew", fontsize=8)
    ax2 = fig.add_axes((0.76, 0.2, 0.22, 0.68))
    n = M["n_columns"]
    ax2.barh(range(n), M["column_err"], color="tab:gray")
    ax2.barh([n], [M["ensemble_err"]], color="tab:blue")
    ax2.set_yticks(range(n + 1), names + ["average"], fontsize=6)
    ax2.invert_yaxis()
    ax2.axvline(0.23, color="k", ls=":", lw=1)
    ax2.set_xlabel("test error (%); paper 0.23 (dotted)", fontsize=6)
    ax2.tick_params(labelsize=6)
    return figure_to_frame(fig, dpi=70)


def main(args):
    res, a = load_run(args.results)
    frames = [frame(res, a, k) for k in range(len(a["deform_views"]))]
    save_gif(frames, args.out, fps=2, colors=32)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "gif"))
