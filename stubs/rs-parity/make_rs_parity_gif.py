"""Random guessing on parity, one guess per frame (from the saved run).

Each frame is one net of run 0's weight stream for architecture A2 without hidden self-loops
(every weight uniform in [-100, 100]) on four of its training sequences, the first 60 of their
500-600 steps: the input bits (+1 marked above) and the output unit. A parity solver must flip its
output at every +1 and hold it at every -1; most guesses sit still or follow the input. The last
frame is the run's solver, the first net that ends within 0.1 of the parity on all 100 sequences.

    python3 make_rs_parity_gif.py        # results.json + results.npz -> rs_parity.gif
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


def frame(a, g):
    ys, xs = a["film_outputs"][g], a["film_inputs"]                 # (4, T), (T, 4)
    T = ys.shape[1]
    fits = bool(a["film_fits"][g])
    fig, axes = plt.subplots(4, 1, figsize=(7, 4.2), sharex=True)
    for i, ax in enumerate(axes):
        parity = np.cumsum(xs[:, i] > 0) % 2
        ax.step(np.arange(T), parity, where="mid", color="0.75", lw=3, label="running parity")
        ax.plot(np.arange(T), ys[i], "-", color="tab:green" if fits else "tab:blue", lw=1.5, label="output")
        up = np.flatnonzero(xs[:, i] > 0)
        ax.plot(up, np.full(len(up), 1.25), "v", color="k", ms=3, label="input +1")
        ax.set(ylim=(-0.15, 1.4), yticks=[0, 1])
    axes[0].legend(fontsize=6, loc="upper right", ncol=3)
    axes[-1].set_xlabel("step (first 60 of 500-600)")
    verdict = "fits all 100 training sequences: solver" if fits else "misses a training sequence"
    fig.suptitle(f"A2 without self-loops, guess #{int(a['film_trial'][g]):,} of run 0: {verdict}",
                 fontsize=10, color="tab:green" if fits else "black")
    fig.tight_layout()
    return figure_to_frame(fig, dpi=60)


def main(args):
    res, a = load_run(args.results)
    frames = [frame(a, g) for g in range(len(a["film_trial"]))]
    save_gif(frames, args.out, fps=2, colors=32)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "gif"))
