"""The DCT-coded net's lap, from the saved run: at each frame the driver's-view image the net sees
(left), the car on the track from above with the direct-coded net's car beside it (right), and the
steering so far (below).

    python3 make_torcs_vision_evolution_gif.py      # results.json + results.npz -> the GIF
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
from visualize_torcs_vision_evolution import COLORS, draw_track

FRAMES = 36


def frame(res, a, t):
    img, pose, u = a["img_dct"], a["pose_dct"], a["u_dct"]
    r = int(round(np.sqrt(img.shape[1])))
    fig = plt.figure(figsize=(6.4, 3.6))
    ax0 = fig.add_axes([0.02, 0.34, 0.36, 0.6])
    ax1 = fig.add_axes([0.42, 0.3, 0.56, 0.68])
    ax2 = fig.add_axes([0.08, 0.08, 0.88, 0.18])
    view = np.vstack([np.full((r // 3, r), 0.97), img[t].reshape(r, r) * 0.45 + 0.15])   # sky, then ground
    ax0.imshow(view, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    ax0.set_xticks([])
    ax0.set_yticks([])
    ax0.set_title(f"what the net sees ({r}x{r}), step {t}", fontsize=7)
    draw_track(ax1, a["track_a"], a["track_p"], 0.08)
    ax1.plot(pose[:t + 1, 0], pose[:t + 1, 1], color=COLORS["dct"], lw=1)
    ax1.plot(*pose[t, :2], "o", color=COLORS["dct"], ms=4)
    pd = a["pose_direct"]
    td = min(t, len(pd) - 1)
    ax1.plot(pd[:td + 1, 0], pd[:td + 1, 1], color=COLORS["direct"], lw=0.8, alpha=0.7)
    ax1.plot(*pd[td, :2], "o", color=COLORS["direct"], ms=3, alpha=0.7)
    ax1.set_title("blue: DCT-coded net, red: direct-coded net", fontsize=7)
    ax2.plot(np.arange(t + 1), u[:t + 1], color=COLORS["dct"], lw=1)
    ax2.set(xlim=(0, len(u)), ylim=(-1.05, 1.05))
    ax2.set_ylabel("steering", fontsize=7)
    ax2.tick_params(labelsize=6)
    return figure_to_frame(fig, dpi=70)


def main(args):
    res, a = load_run(args.results)
    T = len(a["u_dct"])
    steps = np.unique(np.linspace(0, T - 1, min(FRAMES, T)).astype(int))
    save_gif([frame(res, a, int(t)) for t in steps], args.out, fps=6, colors=32)
    print(f"wrote {args.out} ({len(steps)} frames)")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "gif"))
