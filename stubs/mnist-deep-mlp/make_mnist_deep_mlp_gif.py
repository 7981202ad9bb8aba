"""Ten training digits deformed anew draw after draw, beside the test error of the two nets (from the
saved run): each frame shows one fresh draw of the deformations the deformed net trains on, and the
error curves of the deformed and the plain net up to the frame's epoch.

    python3 make_mnist_deep_mlp_gif.py       # results.json + results.npz -> mnist_deep_mlp.gif
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

COLORS = {"deformed": "tab:blue", "plain": "tab:orange"}


def frame(a, k, n_frames):
    ex = a["deform_examples"][k]                                       # (10, 28, 28)
    n_ep = len(a["deformed_test_err"])
    upto = max(1, int(np.ceil((k + 1) / n_frames * n_ep)))
    fig = plt.figure(figsize=(7.0, 2.8))
    strip = np.concatenate([np.concatenate(list(ex[:5]), 1), np.concatenate(list(ex[5:10]), 1)], 0)
    ax = fig.add_axes((0.01, 0.08, 0.48, 0.8))
    ax.imshow(strip, cmap="gray_r", vmin=0, vmax=255)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(f"draw {k + 1}: every image deformed anew", fontsize=8)
    ax2 = fig.add_axes((0.6, 0.2, 0.37, 0.65))
    for c, col in COLORS.items():
        e = a[f"{c}_test_err"]
        ax2.plot(np.arange(1, upto + 1), e[:upto], "o-", color=col, label=f"{c} {e[upto - 1]:.2f} %")
    ax2.axhline(0.49, color="k", ls=":", lw=1)
    lo = min(0.4, float(min(a["deformed_test_err"].min(), a["plain_test_err"].min())) * 0.8)
    hi = float(max(a["deformed_test_err"].max(), a["plain_test_err"].max())) * 1.3
    ax2.set_ylim(lo, hi)
    ax2.set_yscale("log")
    ax2.set_xlim(0.5, n_ep + 0.5)
    ax2.set_xlabel("epoch", fontsize=7)
    ax2.set_ylabel("test error (%)", fontsize=7)
    ax2.tick_params(labelsize=6)
    ax2.legend(fontsize=6, title="paper 0.49 % (dotted)", title_fontsize=6)
    return figure_to_frame(fig, dpi=70)


def main(args):
    res, a = load_run(args.results)
    n = len(a["deform_examples"])
    frames = [frame(a, k, n) for k in range(n)]
    save_gif(frames, args.out, fps=2, colors=32)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "gif"))
