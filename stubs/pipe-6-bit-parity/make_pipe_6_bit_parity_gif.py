"""The best PIPE run of each parity size (3, 4, 5, 6 bits), one frame per 1,000 program evaluations
(from the saved run): every case of the truth table as a cell, green where the elitist program (the
best found so far) is right and red where it is wrong, with the number wrong.

    python3 make_pipe_6_bit_parity_gif.py    # results.json + .npz -> pipe_6_bit_parity.gif
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

from shared.cli import make_artifact_parser, run
from shared.figures import figure_to_frame, save_gif
from shared.results import load_run

FRAME_EVALS = 1000
SHAPES = {3: (2, 4), 4: (4, 4), 5: (4, 8), 6: (8, 8)}
CMAP = ListedColormap(["#d62728", "#2ca02c", "#dddddd"])


def right_cells(word, target, n):
    """(rows, cols) grid of the 2^n cases: 1 right, 0 wrong."""
    c = np.arange(2 ** n, dtype=np.uint64)
    right = (((np.uint64(word) ^ np.uint64(target)) >> c) & np.uint64(1)) == 0
    return right.astype(float).reshape(SHAPES[n])


def frame(a, g):
    fig, axes = plt.subplots(1, len(a["bits"]), figsize=(9, 2.6))
    for ax, n in zip(axes, a["bits"], strict=True):
        best = a[f"b{n}_best"][int(a[f"b{n}_film_run"]), g]
        if np.isnan(best):                                      # no elitist yet
            cells = np.full(SHAPES[n], 2.0)
        else:
            cells = right_cells(a[f"b{n}_film_out"][g], a[f"b{n}_target"], n)
        ax.imshow(cells, cmap=CMAP, vmin=0, vmax=2)
        ax.set_xticks([])
        ax.set_yticks([])
        wrong = "-" if np.isnan(best) else f"{best:.0f}"
        ax.set_title(f"{n}-bit: {wrong} of {2 ** n} wrong", fontsize=9)
    fig.suptitle(f"{int(a['grid'][g]):,} evaluations (best run of 20 per size)", fontsize=9)
    fig.tight_layout()
    return figure_to_frame(fig, dpi=60)


def main(args):
    _, a = load_run(args.results)
    grid = a["grid"]
    step = max(1, int(round(FRAME_EVALS / grid[0])))
    keep = sorted(set(range(step - 1, len(grid), step)) | {len(grid) - 1})
    frames = [frame(a, g) for g in keep]
    save_gif(frames, args.out, fps=4, colors=16)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "gif"))
