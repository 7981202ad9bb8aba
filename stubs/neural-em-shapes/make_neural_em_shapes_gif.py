"""Test images through every EM step of the trained RNN-EM: the noisy input the step sees, the
responsibilities of the slots (one colour per slot) and each slot's predicted image (from the
saved run).

    python3 make_neural_em_shapes_gif.py      # results.json + results.npz -> neural_em_shapes.gif
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt

from shared.cli import make_artifact_parser, run
from shared.figures import figure_to_frame, save_gif
from shared.results import load_run
from visualize_neural_em_shapes import SIDE, SLOT_COLOURS, gamma_image, groups_image

N_IMAGES = 3


def frame(res, a, t):
    K, T = res["config"]["K"], res["config"]["steps"]
    n = min(N_IMAGES, a["ex_x"].shape[0])
    fig, axes = plt.subplots(n, K + 3, figsize=(1.15 * (K + 3), 1.2 * n + 0.35))
    for i in range(n):
        x = a["ex_x"][i]
        ims = [(a["ex_x_in"][t - 1, i].reshape(SIDE, SIDE) / 255.0, "gray_r"),
               (groups_image(a["ex_groups"][i], x), None),
               (gamma_image(a["ex_gamma"][t, i] / 255.0, x), None)]
        ims += [(a["ex_psi"][t, i, k].reshape(SIDE, SIDE) / 255.0, "gray_r") for k in range(K)]
        for j, (im, cmap) in enumerate(ims):
            ax = axes[i, j]
            ax.imshow(im, cmap=cmap, vmin=0, vmax=1, interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            if j >= 3:
                for s in ax.spines.values():
                    s.set_color(SLOT_COLOURS[j - 3])
                    s.set_linewidth(2)
    for j, title in enumerate(["noisy input", "true shapes", "gamma"] + [f"slot {k + 1}" for k in range(K)]):
        axes[0, j].set_title(title, fontsize=6)
    fig.suptitle(f"EM step {t} of {T}", fontsize=8)
    fig.tight_layout()
    return figure_to_frame(fig, dpi=70)


def main(args):
    res, a = load_run(args.results)
    T = res["config"]["steps"]
    frames = [frame(res, a, t) for t in range(1, T + 1)]
    save_gif(frames, args.out, fps=3, colors=48)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "gif"))
