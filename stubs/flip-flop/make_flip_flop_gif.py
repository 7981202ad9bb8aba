"""The first run of each main group as on-line learning goes on (from the saved run; never trains).

Each frame shows the same 60-step window position in time for the four groups (flip-flop and
latch, sequential and parallel): the desired output (grey bars), C's mean output (dots), the
action it took (small crosses: noisy in the parallel regime, uniform random in the sequential
regime's M-first phase) and M's predicted pain (red). The frames are spaced geometrically in time.

    python3 make_flip_flop_gif.py         # results.json + results.npz -> flip_flop.gif
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

COLORS = ("tab:red", "tab:blue", "0.5")


def frame(a, i, names):
    t_end = int(a["film_end"][i])
    W = a["film_mu"].shape[1]
    t = np.arange(t_end - W, t_end)
    fig, axes = plt.subplots(4, 1, figsize=(6.8, 6.0), sharex=True)
    for k, ax in enumerate(axes):
        ax.bar(t, a["film_d"][i, :, k], width=1.0, color="0.85")
        ax.plot(t, a["film_J"][i, :, k], color="tab:red", lw=1)
        ax.plot(t, a["film_a"][i, :, k], "x", color="0.45", ms=3)
        ax.plot(t, a["film_mu"][i, :, k], "k.", ms=4)
        for s, e in zip(t, a["film_ev"][i, :, k], strict=True):
            ax.text(s, 1.13, "ABC"[int(e)], fontsize=5, ha="center", color=COLORS[int(e)])
        r = int(a["film_runs"][k])
        crit = int(a["crit"][r])
        done = 0 < crit <= t_end
        ax.set_title(f"{names[k]}, run {r}: " + (f"criterion met at step {crit:,}" if done else "learning"),
                     fontsize=8, color="tab:green" if done else "black")
        ax.set_ylim(-0.1, 1.28)
        ax.ticklabel_format(axis="x", useOffset=False, style="plain")
        ax.set_yticks([0, 1])
    axes[-1].set_xlabel(f"on-line step (60 steps up to {t_end:,})")
    fig.text(0.01, 0.005, "grey: desired output   dots: C's mean output   x: action   "
             "red: M's predicted pain", fontsize=7)
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    return figure_to_frame(fig, dpi=52)


def main(args):
    res, a = load_run(args.results)
    names = [str(n) for n in a["group_names"]][:4]
    frames = [frame(a, i, names) for i in range(len(a["film_end"]))]
    save_gif(frames, args.out, fps=2, colors=16)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "gif"))
