"""An unseen test word being written, from the saved run: the pen trajectory so far (top; each letter
its own colour) and the trained BLSTM-CTC's outputs up to the pen's position (bottom: the blank in
grey, each letter of the word in its letter's colour, the letter's name at its peak).

    python3 make_iam_handwriting_gif.py      # results.json + results.npz -> the GIF
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

ALPHABET = "abcdefghijklmnopqrstuvwxyz"


def frame(a, ex, t):
    pts, up, letter, labels = a[f"{ex}_pts"], a[f"{ex}_up"], a[f"{ex}_letter"], a[f"{ex}_labels"]
    y = np.exp(a[f"{ex}_blstm"].astype(np.float64))
    T = len(pts)
    cmap = plt.get_cmap("tab10")
    fig, axes = plt.subplots(2, 1, figsize=(5.2, 3.6), gridspec_kw={"height_ratios": [1.3, 1]})
    ax = axes[0]
    starts = np.r_[0, np.flatnonzero(up > 0.5), T]
    for s0, s1 in zip(starts[:-1], starts[1:], strict=True):
        e = min(s1, t + 1)
        if e > s0:
            ax.plot(pts[s0:e, 0], pts[s0:e, 1], color=cmap(int(letter[s0]) % 10), lw=1.2)
    ax.plot(*pts[min(t, T - 1)], "k.", ms=6)
    pad = 0.1
    lo, hi = pts.min(0) - pad, pts.max(0) + pad
    ax.set(xlim=(lo[0], hi[0]), ylim=(lo[1], hi[1]))
    ax.set_aspect("equal")
    ax.axis("off")
    word = "".join(ALPHABET[k] for k in labels)
    ax.set_title(f"unseen word '{word}', new writer: pen point {t + 1} of {T}",
                 fontsize=8)
    ax = axes[1]
    ts = np.arange(t + 1)
    ax.plot(ts, y[:t + 1, -1], color="0.6", lw=1)
    for i, k in enumerate(labels):
        ax.plot(ts, y[:t + 1, k], color=cmap(i % 10), lw=1.2)
        if y[:t + 1, k].max() > 0.5:
            tk = int(np.argmax(y[:t + 1, k]))
            ax.text(tk, min(1.02, y[tk, k] + 0.04), ALPHABET[k], fontsize=8, ha="center", color=cmap(i % 10))
    ax.set(xlim=(0, T), ylim=(0, 1.15))
    ax.tick_params(labelsize=6)
    ax.set_xlabel("pen point", fontsize=7)
    ax.set_title("BLSTM-CTC outputs: blank (grey) and the word's letters", fontsize=8)
    fig.tight_layout()
    return figure_to_frame(fig, dpi=60)


def main(args):
    _, a = load_run(args.results)
    ex = "ex0"
    T = len(a[f"{ex}_pts"])
    times = list(range(0, T, max(1, T // 40))) + [T - 1]
    frames = [frame(a, ex, t) for t in times]
    save_gif(frames + [frames[-1]] * 6, args.out, fps=8, colors=32)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "gif"))
