"""Random guessing on the 2-sequence problem, one guess per frame (from the saved run).

Each frame is one net of run 0's weight stream (every weight uniform in [-100, 100]), run over four
of its training sequences (two per class, 500+ steps, the class only in the first 3 elements):
the output unit over time, and the target bands (within 0.1 of 1 or 0 at the end). Most guesses
forget the class or never leave a saturated corner; the last frame is the run's solver, the
first net whose output ends inside the band on all 100 training sequences.

    python3 make_rs_two_sequence_gif.py        # results.json + results.npz -> rs_two_sequence.gif
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

COLORS = {1.0: "tab:blue", 0.0: "tab:red"}


def frame(a, g):
    ys, tg = a["film_outputs"][g], a["film_targets"]                    # (4, T), (4,)
    T = ys.shape[1]
    fits = bool(a["film_fits"][g])
    fig, ax = plt.subplots(figsize=(7, 3.4))
    for i in range(4):
        ax.plot(np.arange(T), ys[i], color=COLORS[float(tg[i])], lw=1.4, alpha=0.8,
                label=f"class target {tg[i]:.0f}" if i < 2 else None)
    for t in (0.0, 1.0):
        ax.axhspan(t - 0.1, t + 0.1, xmin=0.93, xmax=1.0, color=COLORS[t], alpha=0.25)
    ax.set(ylim=(-0.05, 1.05), xlim=(0, T), xlabel="step", ylabel="output unit")
    verdict = "fits all 100 training sequences: solver" if fits else "misses a training sequence"
    ax.set_title(f"guess #{int(a['film_trial'][g]):,} of run 0: {verdict}", fontsize=10,
                 color="tab:green" if fits else "black")
    ax.legend(fontsize=7, loc="center right")
    fig.tight_layout()
    return figure_to_frame(fig, dpi=60)


def main(args):
    res, a = load_run(args.results)
    frames = [frame(a, g) for g in range(len(a["film_trial"]))]
    save_gif(frames, args.out, fps=2, colors=32)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "gif"))
