"""A test section of the saved run, then its ground truth, the averaged nets' membrane probability
for windows 24 and 48, the segmentation and the second observer, one panel per frame beside the
section (from the saved run; never retrains).

    python3 make_em_segmentation_isbi_gif.py      # results.json + results.npz -> em_segmentation_isbi.gif
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt

from shared.cli import make_artifact_parser, run
from shared.figures import figure_to_frame, save_gif
from shared.results import load_run


def frame(res, a, title, img, cmap):
    M = res["metrics"]
    fig, axes = plt.subplots(1, 2, figsize=(7.0, 3.8))
    axes[0].imshow(a["image"], cmap="gray", interpolation="nearest")
    axes[0].set_title("synthetic EM-like test section", fontsize=9)
    axes[1].imshow(img, cmap=cmap, interpolation="nearest")
    axes[1].set_title(title, fontsize=9)
    for ax in axes:
        ax.axis("off")
    e, o = M["ensemble"], M["observer"]
    fig.suptitle(f"window-48 average: pixel {e['pixel']:.3f}, Rand {e['rand']:.3f}; "
                 f"2nd observer: {o['pixel']:.3f}, {o['rand']:.3f}", fontsize=8)
    return figure_to_frame(fig, dpi=60)


def main(args):
    res, a = load_run(args.results)
    panels = [("ground-truth membranes", a["gt"], "gray_r"),
              ("P(membrane): 1 net, window 48", a["single_w48"].astype(float), "magma_r"),
              ("P(membrane): 3 nets, window 24", a["prob_w24"].astype(float), "magma_r"),
              ("P(membrane): 3 nets, window 48", a["prob_w48"].astype(float), "magma_r"),
              ("segments (window-48 average)", a["seg"], "tab20"),
              ("ground-truth cells", a["gt_seg"], "tab20"),
              ("second observer's membranes", a["observer"], "gray_r")]
    frames = [frame(res, a, *p) for p in panels]
    save_gif(frames, args.out, fps=1, colors=64)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "gif"))
