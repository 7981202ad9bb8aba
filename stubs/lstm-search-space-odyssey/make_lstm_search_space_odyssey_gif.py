"""Animation of the random search, from the saved validation checkpoints (never retrains).

Each frame: for each of the nine cells, the validation loss of every trial against its learning
rate after N updates. Watch the learning-rate window open (lr ~ 1e-3 to 1e-2) for every variant
but NFG, whose trials stay at the level of predicting symbol frequencies.

    python3 make_lstm_search_space_odyssey_gif.py    # reads results.json + results.npz
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np

from shared import cli
from shared.figures import figure_to_frame, save_gif
from shared.results import load_run


def frame(res, a, k, lim):
    names = [str(v) for v in a["variants"]]
    steps = np.linspace(0, res["config"]["updates"], a["val_curve"].shape[1]).astype(int)
    fig, axs = plt.subplots(3, 3, figsize=(7.5, 6), sharex=True, sharey=True)
    for j, (ax, v) in enumerate(zip(axs.ravel(), names, strict=True)):
        y = a["val_curve"][j, k]
        ax.scatter(a["hp_lr"][j], y, s=9, c=np.log10(a["hp_hidden"][j]), cmap="viridis", vmin=np.log10(2),
                   vmax=np.log10(20))
        ax.text(0.04, 0.08, f"{v}  best {y.min():.2f}", transform=ax.transAxes, fontsize=8)
        ax.set(xscale="log", yscale="log", ylim=lim)
        ax.tick_params(labelsize=6)
    for ax in axs[-1]:
        ax.set_xlabel("learning rate", fontsize=7)
    for ax in axs[:, 0]:
        ax.set_ylabel("val. loss", fontsize=7)
    fig.suptitle(f"validation cross-entropy of every trial after {steps[k]} updates "
                 "(colour: hidden size)", fontsize=9)
    fig.tight_layout()
    return figure_to_frame(fig, dpi=64)


def main(args):
    res, a = load_run(args.results)
    vc = a["val_curve"]
    lim = (float(np.nanmin(vc)) * 0.8, float(np.nanmax(np.minimum(vc, 10.0))) * 1.2)
    frames = [frame(res, a, k, lim) for k in range(vc.shape[1])]
    save_gif(frames, args.out, fps=2)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "gif"))
