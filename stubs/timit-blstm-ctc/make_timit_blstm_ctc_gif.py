"""One test utterance as training goes on, from the saved run: each frame is one epoch, with the
framewise BLSTM's probability of the true phone at every frame (top; it stops at its last epoch)
and the CTC BLSTM's label spikes and blank (bottom), phone boundaries in grey.

    python3 make_timit_blstm_ctc_gif.py      # results.json + results.npz -> the GIF
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


def frame(a, e):
    frames = a["example_frames"].astype(int)
    T = len(frames)
    starts = np.r_[0, np.flatnonzero(np.diff(frames)) + 1]
    fig, axes = plt.subplots(2, 1, figsize=(6.4, 3.6), sharex=True)
    nb = len(a["blstm_snapshots"])                           # the framewise net trains fewer epochs
    y = np.exp(a["blstm_snapshots"][min(e, nb - 1)])
    hit = y.argmax(-1) == frames
    c = np.exp(a["ctc_snapshots"][e])
    for ax in axes:
        for s in starts[1:]:
            ax.axvline(s - 0.5, color="0.85", lw=0.6, zorder=0)
        ax.set(xlim=(0, T), ylim=(0, 1.08))
        ax.tick_params(labelsize=6)
    axes[0].plot(np.arange(T), y[np.arange(T), frames], color="tab:blue", lw=1)
    axes[0].set_title(f"framewise BLSTM after epoch {min(e, nb - 1) + 1}: p(true phone); "
                      f"{100 * hit.mean():.0f}% of frames right", fontsize=7)
    axes[1].plot(np.arange(T), c[:, -1], color="0.6", lw=1)
    for k in np.flatnonzero(c[:, :-1].max(axis=0) > 0.3):
        axes[1].plot(np.arange(T), c[:, k], lw=1)
    axes[1].set_title(f"BLSTM + CTC after epoch {e + 1}: blank (grey) and label spikes; blank wins "
                      f"{100 * (c.argmax(-1) == c.shape[1] - 1).mean():.0f}% of frames", fontsize=7)
    axes[1].set_xlabel("frame (10 ms)", fontsize=7)
    fig.tight_layout()
    return figure_to_frame(fig, dpi=60)


def main(args):
    _, a = load_run(args.results)
    n = max(len(a["blstm_snapshots"]), len(a["ctc_snapshots"]))
    frames = [frame(a, e) for e in range(n)]
    save_gif(frames + [frames[-1]] * 4, args.out, fps=3, colors=32)
    print(f"wrote {args.out} ({n} epochs)")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "gif"))
