"""Animation of the periodic-function (PFG, cos, F = 10) and timed-spike (GTS) nets during training,
from the saved snapshots (never retrains).

Each frame: the free-running output of a fresh stream (60 steps, no input) of the PFG and GTS nets
that went furthest on their test streams, with their targets, after N training steps.

    python3 make_timing_counting_spikes_gif.py       # reads results.json + results.npz
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


def pick(res, a, kind):
    """(net index, task) of the net of this kind that got furthest on the short test stream."""
    ti = [t["kind"] for t in res["config"]["tasks"]].index(kind)
    sel = np.flatnonzero(a["task"] == ti)
    return sel[np.argmax(a["curve_test_events"][-1, sel])], res["config"]["tasks"][ti]


def frame(a, k, chosen):
    fig, axes = plt.subplots(len(chosen), 1, figsize=(7, 2.4 * len(chosen)), sharex=True)
    for ax, (j, task) in zip(axes, chosen, strict=True):
        y = a["snap_y"][k, :, j]
        t = np.arange(len(y))
        F = task["F"]
        target = np.cos(2 * np.pi * t / F) if task["kind"] == "pfg" else ((t + 1) % F == 0).astype(float)
        ax.plot(t, target, color="k", ls=":", lw=1, label="target")
        ax.plot(t, y, color="tab:blue", lw=1.6, label="output")
        ax.set(ylim=(-1.6, 1.6) if task["kind"] == "pfg" else (-0.2, 1.2))
        ax.set_title(f"{task['name']}: net {j} ({'peephole' if a['peep'][j] else 'no peephole'}, "
                     f"lr {a['lr'][j]:g})", fontsize=9)
        ax.legend(fontsize=7, loc="upper right")
    axes[-1].set_xlabel("step of a fresh stream (no input)")
    fig.suptitle(f"free-running output after {int(a['snap_t'][k]):,} training steps", fontsize=10)
    fig.tight_layout()
    return figure_to_frame(fig, dpi=64)


def main(args):
    res, a = load_run(args.results)
    chosen = [pick(res, a, "pfg"), pick(res, a, "gts")]
    frames = [frame(a, k, chosen) for k in range(len(a["snap_t"]))]
    save_gif(frames, args.out, fps=4)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "gif"))
