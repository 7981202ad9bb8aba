"""Animation of the saved ssa-bias-transfer-mazes run: epoch by epoch, the steps each learner's
Levin searches spent on the goalset (median life), growing as the goalsets add goals.

    python3 make_ssa_bias_transfer_mazes_gif.py     # results.json + results.npz -> the GIF
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


def frame(res, a, e):
    names = [str(n) for n in a["names"]]
    steps = a["epoch_steps"]
    found = a["epoch_found"]
    eps = res["config"]["epochs_per_set"]
    fig, axes = plt.subplots(1, 2, figsize=(7.6, 3.4))
    x = np.arange(1, e + 2)
    for i, n in enumerate(names):
        med = np.median(steps[i, :, :e + 1], axis=0)
        axes[0].semilogy(x, np.maximum(med, 1), "-o", ms=3, label=n, color="k" if n == "LS" else f"C{i}")
    axes[0].set(xlim=(0.5, steps.shape[2] + 0.5), ylim=(10, 2 * steps.max() + 10), xlabel="epoch",
                ylabel="steps for the goalset (median life)")
    axes[0].legend(fontsize=6)
    need = 4 + e // eps
    share = found[:, :, e].mean(1) / need
    axes[1].barh(range(len(names)), share, color=["k" if n == "LS" else f"C{i}" for i, n in enumerate(names)])
    axes[1].set(xlim=(0, 1), xlabel=f"share of the {need} goals found this epoch")
    axes[1].set_yticks(range(len(names)), names, fontsize=7)
    fig.suptitle(f"epoch {e + 1}: goalset G{e // eps + 1}", fontsize=9)
    fig.tight_layout()
    return figure_to_frame(fig, dpi=70)


def main(args):
    res, a = load_run(args.results)
    frames = [frame(res, a, e) for e in range(a["epoch_steps"].shape[2])]
    save_gif(frames, args.out, fps=3, colors=32)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "gif"))
