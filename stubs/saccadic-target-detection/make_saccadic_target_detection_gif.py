"""Animation of the saved saccadic-target-detection run: the trained controller's fovea
trajectories from random starts, translation (left) and rotation (right), saccade by saccade
(the best seed of each variant, in the object's frame; the receptive fields of one trajectory are drawn).

    python3 make_saccadic_target_detection_gif.py     # results.json + results.npz -> the GIF
"""
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np

from shared.cli import make_artifact_parser, run
from shared.figures import figure_to_frame, save_gif
from shared.results import load_run

sys.path.insert(0, str(HERE))
from visualize_saccadic_target_detection import (VARIANTS, best_and_worst, draw_fovea,  # noqa: E402
                                                 draw_object)

SUB = 4          # frames per saccade (poses interpolated between saccades)
SHOWN = 8        # trajectories per panel


def pose_at(q, psi, f):
    """Pose of every shown trajectory at fractional step f: q (k, 2), psi (k,)."""
    t = min(int(f), q.shape[0] - 2)
    w = f - t
    dpsi = (psi[t + 1] - psi[t] + np.pi) % (2 * np.pi) - np.pi
    return (1 - w) * q[t] + w * q[t + 1], psi[t] + w * dpsi


def frame(res, a, f):
    fig, axes = plt.subplots(1, 2, figsize=(8, 4.2))
    for ax, (name, label) in zip(axes, VARIANTS, strict=True):
        draw_object(ax, name == "rotation", 80)
        seed = best_and_worst(res, name)[0]
        q, psi = a[f"{name}_traj_q"][:, seed, :SHOWN], a[f"{name}_traj_psi"][:, seed, :SHOWN]
        t = int(np.floor(f))
        qf, pf = pose_at(q, psi, f)
        for j in range(q.shape[1]):
            col = plt.cm.tab10(j % 10)
            ax.plot(np.r_[q[:t + 1, j, 0], qf[j, 0]], np.r_[q[:t + 1, j, 1], qf[j, 1]], "-", color=col, lw=1)
            ax.plot(qf[j, 0], qf[j, 1], "o", color=col, ms=4)
        draw_fovea(ax, qf[0], pf[0], color=plt.cm.tab10(0), lw=0.6)
        m = res["metrics"][name]["success_per_seed"]["trained"]
        ax.set_title(f"{label}: saccade {min(f, q.shape[0] - 1):.2f}\nbest seed ({seed}): success "
                     f"{m[seed]:.2f}; seed mean {np.mean(m):.2f}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return figure_to_frame(fig, dpi=70)


def main(args):
    res, a = load_run(args.results)
    T = res["config"]["steps"]
    frames = [frame(res, a, i / SUB) for i in range(T * SUB + 1)]
    save_gif(frames, args.out, fps=6, colors=48)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "gif"))
