"""Training of the saved run, frame by frame: run 0's receptive-field atlas at each snapshot
(each field's 81 weights at their places in the input disc, ringed by its class) beside the
share of oriented and centre-surround units of every run so far.

    python3 make_semilinear_pm_image_patches_gif.py      # results.json + .npz -> the GIF
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt

from shared.cli import load_sibling, make_artifact_parser, run
from shared.figures import figure_to_frame, save_gif
from shared.results import load_run

viz = load_sibling(__file__, "visualize_semilinear_pm_image_patches", globals())


def frame(res, a, k):
    cfg = res["config"]
    fig, axes = plt.subplots(1, 2, figsize=(8.0, 3.9), gridspec_kw={"width_ratios": [1.1, 1]})
    cls = a["cls_hist"]
    viz.draw_atlas(axes[0], a["W_hist"][k, 0], cls[k, 0], a["centres"], a["offsets"],
                   cfg["field"], cfg["area"], size=4)
    axes[0].set_title(f"run 0 after {int(a['marks'][k]):,} patterns", fontsize=9)
    ax = axes[1]
    marks = a["marks"]
    for r in range(cls.shape[1]):
        ax.plot(marks[: k + 1], (cls[: k + 1, r] == 1).mean(-1), color="C3", lw=0.9, alpha=0.7)
        ax.plot(marks[: k + 1], (cls[: k + 1, r] == 2).mean(-1), color="C0", lw=0.9, alpha=0.7)
    ax.plot([], [], color="C3", label="oriented")
    ax.plot([], [], color="C0", label="centre-surround")
    ax.set(xlim=(0, marks[-1]), ylim=(0, 1), xlabel="training patterns",
           ylabel="share of the 32 units (each run)")
    ax.legend(fontsize=7, loc="upper left")
    fig.suptitle("semilinear PM on a photograph: code units escaping their predictors", fontsize=10)
    fig.tight_layout()
    return figure_to_frame(fig, dpi=65)


def main(args):
    res, a = load_run(args.results)
    n = len(a["marks"])
    frames = [frame(res, a, k) for k in range(n)] + [frame(res, a, n - 1)] * 4
    save_gif(frames, args.out, fps=3, colors=64)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "gif"))
