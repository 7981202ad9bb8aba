"""One chunker run at the longest lag (1200 filler steps), one frame per snapshot (from the saved
run).

Each frame is run 0's automatizer A, frozen at that point of training, reading an a-sequence and
an x-sequence (a or x, then 1200 filler symbols cycling through b1..b20): its 8 hidden units along
the sequence (top: after a, middle: after x; the bottom row is their difference, which has to
survive all 1200 steps for A to know the target), the inputs it passed to the chunker C per
sequence so far, and A's own prediction of the target at the end (1 after a, 0 after x).

    python3 make_chunker_very_deep_1200_gif.py     # results.json + results.npz -> the GIF
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


def frame(a, f):
    H = a["film_hidden"][f]                                  # (2, lag + 1, H_A)
    lag = int(a["film_lag"])
    k = int(a["film_k"][f])
    fig = plt.figure(figsize=(8, 4))
    gs = fig.add_gridspec(3, 2, width_ratios=[1.6, 1], hspace=0.55, wspace=0.3)
    for row, (img, title) in enumerate(((H[0], "after a"), (H[1], "after x"),
                                        (np.abs(H[0] - H[1]), "|difference|"))):
        ax = fig.add_subplot(gs[row, 0])
        ax.imshow(img.T, aspect="auto", vmin=0, vmax=1, cmap="viridis", interpolation="nearest")
        ax.set_yticks([])
        ax.set_ylabel(title, fontsize=7)
        ticks = np.linspace(0, lag, 7).astype(int)
        ax.set_xticks(ticks, [str(t) for t in ticks], fontsize=6)
        if row == 0:
            ax.set_title(f"A's hidden units along the {lag:,}-step filler", fontsize=8)
    s = a["film_surprises"]
    ax = fig.add_subplot(gs[:2, 1])
    x = np.arange(1, len(s) + 1)
    ax.plot(x, s, color="0.75", lw=0.8)
    ax.plot(x[:k], s[:k], color="C0", lw=1.2)
    ax.set_yscale("log")
    ax.set_title("inputs reaching C per sequence (run 0)", fontsize=8)
    ax.tick_params(labelsize=6)
    ax = fig.add_subplot(gs[2, 1])
    ax.bar([0, 1], a["film_target"][f], color=["C2", "C3"])
    ax.set_xticks([0, 1], ["after a (want 1)", "after x (want 0)"], fontsize=6)
    ax.set_ylim(0, 1)
    ax.tick_params(labelsize=6)
    ax.set_title("A's target prediction", fontsize=8)
    solved_A, solved_C = (int(v) for v in a["film_solved"])
    state = "A solved" if 0 < solved_A <= k else ("C solved" if 0 < solved_C <= k else "")
    fig.suptitle(f"run 0 after {k:,} training sequences {('- ' + state) if state else ''}", fontsize=10)
    return figure_to_frame(fig, dpi=70)


def main(args):
    _, a = load_run(args.results)
    frames = [frame(a, f) for f in range(len(a["film_k"]))]
    save_gif(frames, args.out, fps=3, colors=64)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "gif"))
