"""Test sequences of bouncing balls step by step (from the saved run): the noisy frame each step
sees, the next frame with its balls, R-NEM's and RNN-EM's grouping of it (one colour per slot)
and their predictions; a 4-ball sequence (K = 5) and a 6-8-ball sequence (K = 8).

    python3 make_relational_nem_bouncing_balls_gif.py      # results.json + results.npz -> .gif
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt

from shared.cli import make_artifact_parser, run
from shared.figures import figure_to_frame, save_gif
from visualize_relational_nem_bouncing_balls import _show, ball_image, gray, slot_image
from shared.results import load_run


def frame(a, t, T):
    fig, axes = plt.subplots(2, 6, figsize=(6.6, 2.5))
    for row, test in enumerate(("4", "678")):
        x = a[f"x_{test}"][t, 0] / 255.0
        cells = [(gray(a[f"x_in_{test}"][t - 1, 0]), "input (noisy)", "gray_r"),
                 (ball_image(a[f"labels_{test}"][t, 0], x), "next frame", None),
                 (slot_image(a[f"rnem_{test}_slot"][t - 1, 0], x), "R-NEM slots", None),
                 (gray(a[f"rnem_{test}_pred"][t - 1, 0]), "R-NEM predicts", "gray_r"),
                 (slot_image(a[f"rnn_{test}_slot"][t - 1, 0], x), "RNN-EM slots", None),
                 (gray(a[f"rnn_{test}_pred"][t - 1, 0]), "RNN-EM predicts", "gray_r")]
        for j, (im, title, cmap) in enumerate(cells):
            _show(axes[row, j], im, title if row == 0 else None, cmap)
        axes[row, 0].set_ylabel("4 balls, K=5" if test == "4" else "6-8 balls, K=8", fontsize=6)
    fig.suptitle(f"step {t} of {T}: sees frame {t - 1}, predicts frame {t}", fontsize=7)
    fig.tight_layout()
    return figure_to_frame(fig, dpi=70)


def main(args):
    res, a = load_run(args.results)
    T = res["config"]["steps"]
    frames = [frame(a, t, T) for t in range(1, T + 1)]
    save_gif(frames, args.out, fps=3, colors=48)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "gif"))
