"""Five trained pilots fly the same start (from the saved run, seed 0): UDRL with its evaluation
command under the dense and the sparse reward, UDRL (sparse) told to aim for a low return, and
A2C under both rewards. The flame marks the engine fired at each step.

    python3 make_upside_down_rl_gif.py       # results.json + results.npz -> upside_down_rl.gif
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np

from shared.cli import make_artifact_parser, run
from shared.figures import figure_to_frame, save_gif

# the body and leg geometry of upside_down_rl_lander.py, for drawing only
BODY_HW, BODY_HH, LEG_X, LEG_Y, PAD = 0.07, 0.05, 0.08, 0.10, 0.2


def draw_lander(ax, z, act, color):
    x, y, th = z[0], z[1], z[4]
    s, c = np.sin(th), np.cos(th)

    def world(bx, by):
        return x + bx * c - by * s, y + bx * s + by * c
    corners = [world(bx, by) for bx, by in ((-BODY_HW, -BODY_HH), (BODY_HW, -BODY_HH),
                                            (BODY_HW, BODY_HH), (-BODY_HW, BODY_HH))]
    ax.add_patch(plt.Polygon(corners, color=color))
    for sx in (-1, 1):
        hip, tip = world(sx * BODY_HW * 0.7, -BODY_HH), world(sx * LEG_X, -LEG_Y)
        ax.plot([hip[0], tip[0]], [hip[1], tip[1]], color=color, lw=1.5)
    if act == 2:                                          # main engine: flame below the body
        a, b = world(0, -BODY_HH), world(0, -BODY_HH - 0.12)
        ax.plot([a[0], b[0]], [a[1], b[1]], color="orangered", lw=3)
    elif act in (1, 3):                                   # side engine: a short puff sideways
        sx = -1 if act == 1 else 1
        a, b = world(sx * BODY_HW, BODY_HH * 0.5), world(sx * (BODY_HW + 0.07), BODY_HH * 0.5)
        ax.plot([a[0], b[0]], [a[1], b[1]], color="orange", lw=2)


def frame(a, pilots, t):
    fig, axes = plt.subplots(1, len(pilots), figsize=(2.0 * len(pilots), 2.5))
    for ax, (name, i, label, color) in zip(axes, pilots, strict=True):
        n = int(a[f"len_{name}"][i])
        k = min(t, n)
        path = a[f"path_{name}"][i]
        ax.axhline(0, color="k", lw=1)
        ax.plot([-PAD, PAD], [0, 0], color="gold", lw=4, solid_capstyle="butt")
        ax.plot(path[:k + 1, 0], path[:k + 1, 1], color=color, lw=0.6, alpha=0.5)
        draw_lander(ax, path[k], int(a[f"act_{name}"][i][k]) if k < n else 0, color)
        ax.set_xlim(-0.8, 0.8)
        ax.set_ylim(-0.05, 1.25)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        end = f"return {float(a[f'ret_{name}'][i]):.0f}" if t >= n else f"step {k}"
        ax.set_title(f"{label}\n{end}", fontsize=8)
    fig.tight_layout()
    return figure_to_frame(fig, dpi=85)


def main(args):
    from shared.results import load_run
    res, a = load_run(args.results)
    S = res["config"]["seeds"]
    pilots = [("udrl", 0, "UDRL dense", "tab:blue"), ("udrl", S, "UDRL sparse", "tab:cyan"),
              ("udrl_low", S, "UDRL sparse, low cmd", "tab:purple"), ("a2c", 0, "A2C dense", "tab:red"),
              ("a2c", S, "A2C sparse", "tab:orange")]
    longest = max(int(a[f"len_{n}"][i]) for n, i, _, _ in pilots)
    ts = list(range(0, longest + 1, 3)) + [longest]
    frames = [frame(a, pilots, t) for t in ts]
    save_gif(frames, args.out, fps=10, colors=32)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "gif"))
