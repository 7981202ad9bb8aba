"""One test game and one dream, from the saved run (never retrains).

Four panels, step by step: the same real game (seed 0's first test game, the same monster draws)
played by the controller trained in the cold dream (tau = 0.1), by the one trained in the warm
dream (tau = 1.15) and by the random policy; and the tau = 1.15 controller inside its own dream,
decoded by V. A panel turns red when its agent has died (the game runs on; the dream stops when M says the
agent is dead). The animation runs until the last of the four has died.

    python3 make_world_models_vizdoom_dream_gif.py      # results.json + results.npz -> the GIF
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

FRAMES = 60


def panel(fig, k, img, title, dead, F):
    ax = fig.add_axes([0.01 + 0.25 * k, 0.04, 0.23, 0.74])
    ax.imshow(img.reshape(F, F), cmap="gray", vmin=0, vmax=255)
    ax.set(xticks=[], yticks=[])
    for s in ax.spines.values():
        s.set_color("tab:red" if dead else "0.6")
        s.set_linewidth(3 if dead else 1)
    ax.set_title(title, fontsize=7, color="tab:red" if dead else "k")


def frame(res, a, t):
    F = res["config"]["frame"]
    fig = plt.figure(figsize=(7.2, 2.2))
    for k, (key, name) in enumerate((("cold", "trained at tau = 0.1"), ("warm", "trained at tau = 1.15"),
                                     ("random", "random policy"))):
        fr, alive = a[f"game_{key}_frames"], a[f"game_{key}_alive"]
        tt = min(t, len(fr) - 1)
        steps = int(alive[:tt + 1].sum())
        dead = not alive[tt]
        panel(fig, k, fr[tt], f"{name}\n{'dead after ' + str(steps) if dead else 'alive'}", dead, F)
    d = a["dream_frames"]
    over = t >= len(d)
    panel(fig, 3, d[min(t, len(d) - 1)], "tau = 1.15 controller in its dream\n"
          + (f"M says dead after {len(d)}" if over else "(V decodes M's z)"), over, F)
    fig.suptitle(f"step {t}: the real game (three panels) and the dream", fontsize=8, y=0.99)
    return figure_to_frame(fig, dpi=72)


def main(args):
    res, a = load_run(args.results)
    # until the last of the four is dead, and a few steps more
    ends = [int(a[f"game_{k}_alive"].sum()) for k in ("cold", "warm", "random")]
    last = max(ends + [len(a["dream_frames"])])
    T = min(last + 8, len(a["game_warm_frames"]))
    steps = np.unique(np.linspace(0, T - 1, FRAMES).astype(int))
    save_gif([frame(res, a, int(t)) for t in steps], args.out, fps=6)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "gif"))
