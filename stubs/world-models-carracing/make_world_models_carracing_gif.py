"""The two controllers driving the first unseen test track, from the saved run (never retrains).

Left: the track from above, the C(z, h) car (red) and the C(z) car (blue) with their trails.
Right: the 24 x 24 frame the C(z, h) car sees at that step, and V's reconstruction of it.

    python3 make_world_models_carracing_gif.py      # results.json + results.npz -> the GIF
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

FRAMES = 40


def road(ax, centre, w):
    d = np.gradient(centre, axis=0)
    n = np.stack([-d[:, 1], d[:, 0]], 1) / np.linalg.norm(d, axis=1, keepdims=True)
    o, i = centre + w * n, centre - w * n
    ax.fill(np.r_[o[:, 0], i[::-1, 0]], np.r_[o[:, 1], i[::-1, 1]], color="0.82", lw=0)


def frame(res, a, t):
    F, w = res["config"]["frame"], res["config"]["road_half_width"]
    fig = plt.figure(figsize=(6.0, 3.0))
    ax = fig.add_axes([0.0, 0.02, 0.5, 0.9])
    road(ax, a["centre"][0], w)
    for key, col in (("zh", "tab:red"), ("z", "tab:blue")):
        pos, alive = a[f"pos_{key}"][:, 0], a[f"alive_{key}"][:, 0]
        upto = min(t, len(pos) - 1)
        seen = alive[:upto + 1]
        ax.plot(pos[:upto + 1][seen, 0], pos[:upto + 1][seen, 1], color=col, lw=1)
        ax.plot(*pos[upto], "o", color=col, ms=4)
    ax.set(aspect="equal", xticks=[], yticks=[])
    ax.set_title(f"step {t}: C(z, h) red, C(z) blue", fontsize=8)
    tf = min(t, a["frames"].shape[0] - 1)
    for k, (key, title) in enumerate((("frames", "what C(z, h) sees"), ("recon", "V's reconstruction"))):
        sub = fig.add_axes([0.55 + 0.23 * k, 0.25, 0.2, 0.5])
        sub.imshow(a[key][tf].reshape(F, F), cmap="gray", vmin=0, vmax=255)
        sub.set(xticks=[], yticks=[])
        sub.set_title(title, fontsize=7)
    return figure_to_frame(fig, dpi=80)


def main(args):
    res, a = load_run(args.results)
    T = max(a["pos_zh"].shape[0], a["pos_z"].shape[0])
    steps = np.unique(np.linspace(0, T - 1, FRAMES).astype(int))
    save_gif([frame(res, a, int(t)) for t in steps], args.out, fps=6)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "gif"))
