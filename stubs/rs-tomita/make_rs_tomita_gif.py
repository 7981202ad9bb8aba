"""Random guessing on Tomita grammars 1, 2 and 4, one guess per frame (from the saved run).

Each frame shows, for each grammar, one net of run 0's weight stream (every weight uniform in
[-100, 100]): its output at the end of each of Tomita's training strings, accepted strings (target
1.0) in green and rejected ones (target 0.0) in red, with the 0.1 bands a correct output must fall
in. Most guesses give all strings the same answer or miss a few; the last frame is each run's
solver, the first net that lands every string in its band.

    python3 make_rs_tomita_gif.py        # results.json + results.npz -> rs_tomita.gif
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

GRAMMARS = (1, 2, 4)
NAMES = {1: "#1  1*", 2: "#2  (10)*", 4: "#4  no 000"}


def frame(a, k, n_frames):
    fig, axes = plt.subplots(1, 3, figsize=(8.4, 2.9), sharey=True)
    for ax, g in zip(axes, GRAMMARS, strict=True):
        ys, tr, tg = a[f"g{g}_film_outputs"], a[f"g{g}_film_trial"], a[f"g{g}_film_target"]
        # the last frame shows each run's solver; a run solved within the first guesses shows its
        # solver from then on
        i = len(ys) - 1 if k == n_frames - 1 else min(k, len(ys) - 1)
        is_solver = i == len(ys) - 1 and bool(a[f"g{g}_solved"][0])
        ax.axhspan(0.9, 1.05, color="tab:green", alpha=0.1)
        ax.axhspan(-0.05, 0.1, color="tab:red", alpha=0.1)
        x = np.arange(len(tg))
        ax.bar(x, ys[i], color=np.where(tg == 1, "tab:green", "tab:red"), alpha=0.8)
        ax.set(xticks=[], ylim=(-0.05, 1.05), xlabel=f"{len(tg)} training strings")
        what = f"solver, guess #{int(tr[i]):,}" if is_solver else f"guess #{int(tr[i]):,}"
        ax.set_title(f"{NAMES[g]}: {what}", fontsize=9, color="tab:green" if is_solver else "black")
    axes[0].set_ylabel("output at the string's end")
    fig.suptitle("random weight guessing, run 0 (green: accepted strings, red: rejected)", fontsize=9)
    fig.tight_layout()
    return figure_to_frame(fig, dpi=60)


def main(args):
    res, a = load_run(args.results)
    n = max(len(a[f"g{g}_film_trial"]) for g in GRAMMARS)
    frames = [frame(a, k, n) for k in range(n)]
    save_gif(frames, args.out, fps=2, colors=32)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "gif"))
