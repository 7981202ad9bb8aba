"""One chunker run learning the 22-symbol task, one frame per snapshot (from the saved run).

Each frame is run 0's automatizer A, frozen at that point of training, reading an a-sequence and
an x-sequence (a b1..b20, x b1..b20): its hidden units along the 21 steps (top: after a, middle:
after x; the bottom row is their difference, which must survive to the end for A to know the
target), the surprises per sequence so far (inputs A failed to predict, each one passed to the
chunker C), and A's own prediction of the target at the end of each sequence (1 after a, 0 after x).

    python3 make_chunker_22_symbol_gif.py     # results.json + results.npz -> chunker_22_symbol.gif
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


def frame(a, f, lag):
    H = a["film_hidden"][f]                                  # (2, lag + 1, H_A)
    k = int(a["film_k"][f])
    fig = plt.figure(figsize=(8, 4))
    gs = fig.add_gridspec(3, 2, width_ratios=[1.5, 1], hspace=0.5, wspace=0.3)
    labels = ["a"] + [f"b{i}" for i in range(1, lag + 1)]
    for row, (img, title) in enumerate(((H[0], "A's hidden units after a"),
                                        (H[1], "after x"),
                                        (np.abs(H[0] - H[1]), "|difference|"))):
        ax = fig.add_subplot(gs[row, 0])
        ax.imshow(img.T, aspect="auto", vmin=0, vmax=1, cmap="viridis", interpolation="nearest")
        ax.set_yticks([])
        ax.set_ylabel(title, fontsize=7)
        ax.set_xticks(range(0, lag + 1, 5), labels[::5], fontsize=6)
    s = a["film_blocks_surprises"]
    ax = fig.add_subplot(gs[:2, 1])
    x = 100 * np.arange(1, len(s) + 1)
    ax.plot(x, s, color="0.75", lw=1)
    n = int(np.searchsorted(x, k, side="right"))
    ax.plot(x[:n], s[:n], color="C0", lw=1.5)
    ax.set_yscale("log")
    ax.set_title("surprises per sequence (to C)", fontsize=8)
    ax.tick_params(labelsize=6)
    ax = fig.add_subplot(gs[2, 1])
    t = a["film_target"][f]
    ax.bar([0, 1], t, color=["C2", "C3"])
    ax.set_xticks([0, 1], ["after a (want 1)", "after x (want 0)"], fontsize=6)
    ax.set_ylim(0, 1)
    ax.tick_params(labelsize=6)
    ax.set_title("A's target prediction", fontsize=8)
    solved_A = int(a["film_solved"][0])
    state = "A solved" if 0 < solved_A <= k else ("C solved" if 0 < int(a["film_solved"][1]) <= k else "")
    fig.suptitle(f"run 0 after {k:,} training sequences {('- ' + state) if state else ''}", fontsize=10)
    return figure_to_frame(fig, dpi=75)


def main(args):
    res, a = load_run(args.results)
    lag = res["config"]["lag"]
    idx = np.arange(len(a["film_k"]))
    if len(idx) > 40:
        idx = np.unique(np.linspace(0, len(idx) - 1, 40).astype(int))
    frames = [frame(a, f, lag) for f in idx]
    save_gif(frames, args.out, fps=3, colors=64)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "gif"))
