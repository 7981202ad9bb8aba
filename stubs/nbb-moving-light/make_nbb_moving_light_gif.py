"""Animation of one NBB run learning the direction of a moving light (never retrains).

Each frame: one training sequence of the first run with initial weights U(0, 1) (every 10th of
the first 400 cycles): the lit retina cell and the winning output at each of the 5 ticks, and the
running fraction of sequences answered correctly at the last tick.

    python3 make_nbb_moving_light_gif.py      # reads results.json + results.npz
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np

from shared import cli
from shared.figures import figure_to_frame, save_gif
from shared.results import load_run


def main(args):
    res, a = load_run(args.results)
    outs, dirs = a["outs_log"], a["direction_shown"]
    n = len(outs)
    if n < 20:
        raise cli.StubError(f"{args.results} holds too few cycles for an animation")
    target = np.where(dirs == 0, 0, 1)
    ok = (outs[:, -1, :].argmax(1) == target) & (outs[:, -1, :].sum(1) > 0)
    rate = np.convolve(ok.astype(float), np.ones(20) / 20, mode="full")[:n]
    frames = []
    for k in range(0, n, max(1, n // 40)):
        fig, (ax, bx) = plt.subplots(1, 2, figsize=(8.4, 3.4), gridspec_kw=dict(width_ratios=[1, 1.2]))
        grid = np.zeros((7, 5))
        for t in range(5):
            cell = t if dirs[k] == 0 else 4 - t          # the light seen by the output at tick t+1
            grid[cell, t] = 0.5
            w = outs[k, t]
            if w.sum() > 0:
                grid[5 + int(w.argmax()), t] = 1.0
        ax.imshow(grid, cmap="magma", vmin=0, vmax=1, aspect="auto")
        ax.axhline(4.5, color="w", lw=1)
        ax.set(xticks=range(5), xticklabels=range(1, 6), yticks=range(7),
               yticklabels=[f"cell {i}" for i in range(5)] + ["out1", "out2"], xlabel="tick",
               title=f"cycle {k + 1}: {'left to right' if dirs[k] == 0 else 'right to left'} "
                     f"(want out{1 + target[k]})")
        bx.plot(np.arange(1, n + 1), rate, color="0.8")
        bx.plot(np.arange(1, k + 2), rate[:k + 1], color="tab:orange")
        bx.set(ylim=(0, 1.05), xlabel="cycle", ylabel="correct at tick 5 (last 20)",
               title="init U(0, 1), run 0, learning on")
        fig.tight_layout()
        frames.append(figure_to_frame(fig, dpi=64))
    save_gif(frames, args.out, fps=5)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "gif"))
