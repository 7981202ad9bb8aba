"""Training of the saved run, frame by frame: left, every stereo run's shift-decoding accuracy
(the worse of T1 and T2, on fresh pairs) with D_l by predictability minimization and by an
auto-encoder; right, every run's feature-combination accuracy on the two-feature task. Chance,
the success bar and the time of the frame are marked.

    python3 make_predictable_stereo_gif.py      # results.json + .npz -> the GIF
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

VARIANTS = (("pm", "C0", "PM D_l"), ("ae", "C1", "auto-encoder D_l"))


def frame(res, a, c):
    """The frame after check c (0 .. checks)."""
    cfg = res["config"]
    fig, axes = plt.subplots(1, 2, figsize=(9.0, 3.4))
    ax = axes[0]
    frac = np.linspace(0, 1, len(a["stereo_marks"]))
    for v, col, name in VARIANTS:
        acc = a[f"stereo_{v}_acc"].min(1)
        ax.plot(frac[: c + 1], acc[: c + 1], color=col, lw=0.8, alpha=0.7)
        ax.plot([], [], color=col, label=name)
    ax.axhline(1.0 / cfg["n_shifts"], color="0.5", ls=":", lw=1)
    ax.axhline(0.9, color="C3", ls="--", lw=1)
    ax.set(xlim=(0, 1), ylim=(0.3, 1.02), xlabel="fraction of training",
           ylabel="shift-decoding accuracy", title="shift stereo (10 runs per D_l)")
    ax.legend(fontsize=7, loc="upper left")
    ax = axes[1]
    for v, col, name in VARIANTS:
        cur = a[f"features_{v}_curve"][:, 0]
        f = np.linspace(0, 1, len(cur))
        ax.plot(f[: c + 1], cur[: c + 1], color=col, lw=0.8, alpha=0.7)
        ax.plot([], [], color=col, label=name)
    ax.axhline(0.5, color="0.5", ls=":", lw=1)
    ax.axhline(0.9, color="C3", ls="--", lw=1)
    ax.set(xlim=(0, 1), ylim=(0.2, 1.02), xlabel="fraction of training",
           ylabel="feature-combination accuracy", title="two features, tied weights")
    ax.legend(fontsize=7, loc="upper left")
    for ax in axes:
        ax.title.set_fontsize(9)
    fig.suptitle("predictable classifications: do T1 and T2 agree on what their inputs share?", fontsize=10)
    fig.tight_layout()
    return figure_to_frame(fig, dpi=70)


def main(args):
    res, a = load_run(args.results)
    n = len(a["stereo_marks"])
    frames = [frame(res, a, c) for c in range(n)] + [frame(res, a, n - 1)] * 4
    save_gif(frames, args.out, fps=4, colors=64)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "gif"))
