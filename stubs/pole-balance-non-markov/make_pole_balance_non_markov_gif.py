"""The first run of each main group as on-line learning goes on (from the saved run; never trains).

Each frame shows the same 100-step window for the two main groups (sequential and parallel regime,
failure pain only): the cart and pole at the window's last step, and over the window the pole
angle, the cart position, C's action (above 0.5: push right) and M's predicted failure pain, with
failures marked. The frames are spaced geometrically in time.

    python3 make_pole_balance_non_markov_gif.py    # results.json + results.npz -> the GIF
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


def draw_cart(ax, x, th):
    """The cart (a box) at x and the pole (length 1 m, 2 x the half-length) at angle th."""
    ax.add_patch(plt.Rectangle((x - 0.25, -0.12), 0.5, 0.24, color="0.3"))
    ax.plot([x, x + np.sin(th)], [0.12, 0.12 + np.cos(th)], color="tab:red", lw=3)
    ax.plot([-2.4, -2.4], [-0.2, 0.4], color="k", lw=1)
    ax.plot([2.4, 2.4], [-0.2, 0.4], color="k", lw=1)
    ax.plot([-2.6, 2.6], [-0.13, -0.13], color="0.6", lw=1)
    ax.set_xlim(-2.6, 2.6)
    ax.set_ylim(-0.3, 1.25)
    ax.set_aspect("equal")
    ax.axis("off")


def frame(a, i, names):
    t_end = int(a["film_end"][i])
    W = a["film_x"].shape[1]
    t = np.arange(t_end - W, t_end)
    fig, axes = plt.subplots(2, 2, figsize=(7.6, 4.6), gridspec_kw=dict(width_ratios=(1, 2)))
    for k in range(2):
        r = int(a["film_runs"][k])
        x, th = a["film_x"][i, :, k], a["film_th"][i, :, k]
        draw_cart(axes[k, 0], x[-1], th[-1])
        axes[k, 0].set_title(f"{names[k]}, run {r}", fontsize=7)
        ax = axes[k, 1]
        ax.plot(t, th / (12 * np.pi / 180), color="tab:red", lw=1, label="angle / 12 deg")
        ax.plot(t, x / 2.4, color="tab:blue", lw=1, label="position / 2.4 m")
        ax.plot(t, 2 * a["film_a"][i, :, k] - 1, ".", color="0.4", ms=2, label="2 a - 1 (force sign)")
        ax.plot(t, a["film_J"][i, :, k], color="tab:purple", lw=1, label="M's predicted pain")
        for s in t[a["film_fail"][i, :, k]]:
            ax.axvline(s, color="k", lw=0.6)
        ax.set_ylim(-1.1, 1.1)
        ax.ticklabel_format(axis="x", useOffset=False, style="plain")
        n_fail = int(a["film_fail"][i, :, k].sum())
        ax.set_title(f"steps {t[0]:,}-{t[-1]:,}: {n_fail} failures (black lines)", fontsize=7)
    axes[0, 1].legend(fontsize=5, loc="lower left", ncol=2)
    fig.tight_layout()
    return figure_to_frame(fig, dpi=56)


def main(args):
    res, a = load_run(args.results)
    names = [str(n) for n in a["group_names"]][:2]
    frames = [frame(a, i, names) for i in range(len(a["film_end"]))]
    save_gif(frames, args.out, fps=2, colors=16)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "gif"))
