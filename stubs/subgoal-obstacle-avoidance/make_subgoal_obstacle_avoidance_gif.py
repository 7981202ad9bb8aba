"""The paper's two runs as the iterations go on (from the saved run): left the one-swamp problem
(recurrent S, eta 0.03), right the four-swamp problem (static S, eta 0.002). Each frame shows the
sub-goals of every seed (grey dots), seed 0's plan (black), the swamps, start (green) and goal
(red star), and how many seeds have a swamp-free plan by then.

    python3 make_subgoal_obstacle_avoidance_gif.py      # results.json + results.npz -> the GIF
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
from visualize_subgoal_obstacle_avoidance import draw_world

PANELS = (("one_swamp", "recurrent_one", "one swamp, recurrent S, eta 0.03"),
          ("several_swamps", "static_several", "four swamps, static S, eta 0.002"))


def frame(res, a, i):
    side = res["config"]["side"]
    fig, axes = plt.subplots(1, 2, figsize=(7.2, 3.9))
    for ax, (problem, run_, title) in zip(axes, PANELS, strict=True):
        pb = res["config"]["problems"][problem]
        draw_world(ax, pb, side)
        plans = a[f"{run_}_plans"][i]                              # (S, K+2, 2)
        for P in plans[1:]:
            ax.plot(P[:, 0], P[:, 1], "-", color="0.6", lw=0.5, alpha=0.5)
        ax.plot(plans[1:, 1:-1, 0].ravel(), plans[1:, 1:-1, 1].ravel(), "o", color="0.45", ms=2.5)
        ax.plot(plans[0, :, 0], plans[0, :, 1], "k-", lw=1.5)
        ax.plot(plans[0, 1:-1, 0], plans[0, 1:-1, 1], "ko", ms=4.5)
        c = a[f"{run_}_costs"][i]
        ax.set_title(f"{title}\nswamp-free: {int((c == 0).sum())}/{len(c)} seeds", fontsize=8)
    fig.suptitle(f"iteration {int(a['snap_iters'][i]):,}", fontsize=10)
    fig.tight_layout()
    return figure_to_frame(fig, dpi=70)


def main(args):
    res, a = load_run(args.results)
    n = len(a["snap_iters"])
    idx = np.unique(np.round(np.linspace(0, n - 1, min(n, 48))).astype(int))
    frames = [frame(res, a, i) for i in idx]
    frames += [frames[-1]] * 6                                      # hold the end
    save_gif(frames, args.out, fps=6, colors=32)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "gif"))
