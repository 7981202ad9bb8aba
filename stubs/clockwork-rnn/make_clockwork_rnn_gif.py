"""Animation of the three kinds of net learning to generate a fragment, from saved snapshots.

Each frame: fragment 0 (grey) and what the largest CW-RNN, SRN and LSTM generate after N epochs,
and the median normalised MSE of the largest nets with a cursor. Never retrains.

    python3 make_clockwork_rnn_gif.py             # reads results.json + results.npz
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

STYLE = {"cw": ("CW-RNN", "tab:red"), "srn": ("SRN", "tab:gray"), "lstm": ("LSTM", "tab:blue")}


def frame(res, a, k):
    kinds = [q for q in STYLE if q in res["metrics"]]
    D, tof = a["targets"], a["target_of"]
    reps = len(tof)
    var = D.var(1)[tof]
    ep = a["snap_epochs"]
    fig, axes = plt.subplots(len(kinds) + 1, 1, figsize=(8, 1.5 * len(kinds) + 2.0),
                             gridspec_kw={"height_ratios": [1] * len(kinds) + [1.1]})
    for ax, kind in zip(axes[:-1], kinds, strict=True):
        label, col = STYLE[kind]
        Y = a[f"{kind}_snaps"][k]                                   # (T, S)
        s = Y.shape[1] - reps                                       # largest size, fragment 0
        ax.plot(D[tof[0]], color="k", lw=2, alpha=0.3)
        ax.plot(Y[:, s], color=col, lw=1.2)
        nm = float(np.mean((Y[:, s] - D[tof[0]]) ** 2) / var[0])
        ax.set_ylim(-1.3, 1.3)
        ax.set_ylabel(label, fontsize=8)
        ax.text(0.99, 0.95, f"NMSE {nm:.3f}  ({res['metrics'][kind]['n_params'][-1]} params)",
                transform=ax.transAxes, ha="right", va="top", fontsize=7)
        ax.tick_params(labelsize=7)
    ax = axes[-1]
    for kind in kinds:
        label, col = STYLE[kind]
        c = a[f"{kind}_curve"][:, -reps:] / var[None]
        ax.plot(np.median(c, 1), color=col, lw=1.5, label=label)
    ax.axvline(ep[k], color="k", lw=1)
    ax.set(yscale="log", xlabel="epoch", ylabel="median NMSE")
    ax.legend(fontsize=7, loc="lower left")
    ax.tick_params(labelsize=7)
    fig.suptitle(f"generating fragment 0 with no input, epoch {ep[k]}", fontsize=10)
    fig.tight_layout()
    return figure_to_frame(fig, dpi=64)


def main(args):
    res, a = load_run(args.results)
    frames = [frame(res, a, k) for k in range(len(a["snap_epochs"]))]
    save_gif(frames, args.out, fps=4)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "gif"))
