"""The best evolved nets running free, from the saved run.

Each frame extends the free runs by a few steps: every sines net continues past the end of its
training sequence (grey: the true sum of sines, red: the net's own output fed back as its input),
and the Mackey-Glass net's 84-step free runs from the first test starts grow beside the true series.

    python3 make_evolino_sines_mackey_glass_gif.py      # results.json + results.npz -> the GIF
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

FRAMES = 30


def frame(res, a, f):
    cfg, rows = res["config"], res["metrics"]["sines"]
    tr, T = cfg["sine_train"], cfg["sine_test"]
    n = len(rows) + 1
    fig, axes = plt.subplots(n, 1, figsize=(6, 1.25 * n + 0.4))
    upto = max(1, int(round(T * (f + 1) / FRAMES)))
    for ax, r in zip(axes[:-1], rows, strict=True):
        s, g = a[f"sines{r['k']}_series"], a[f"sines{r['k']}_gen"]
        lo = tr - 60
        ax.plot(np.arange(lo, tr + T), s[lo:tr + T], color="0.7", lw=1.4)
        ax.plot(np.arange(tr, tr + upto), g[:upto], color="tab:red", lw=1)
        ax.axvline(tr, color="k", ls="--", lw=0.7)
        ax.set(ylim=(-1.3, 1.3), yticks=[])
        ax.set_title(f"{r['k']} sines ({r['cells']} cells), free run step {upto}", fontsize=7)
        ax.tick_params(labelsize=6)
    ax = axes[-1]
    runs, st, ser = a["mg_runs"], a["mg_starts"], a["mg_series"]
    H = runs.shape[0]
    h = max(1, int(round(H * (f + 1) / FRAMES)))
    lo, hi = int(st[0]) - 20, int(st[min(5, len(st) - 1)]) + H + 2
    ax.plot(np.arange(lo, hi), ser[lo:hi], color="0.7", lw=1.4)
    for j in range(min(6, len(st))):
        ax.plot(st[j] + np.arange(h), runs[:h, j], color="tab:red", lw=0.9)
    ax.set(yticks=[])
    ax.set_title(f"Mackey-Glass: free runs from test starts, step {h} of {H} "
                 f"(NRMSE84 {res['metrics']['mackey_glass']['nrmse84']:.1e})", fontsize=7)
    ax.tick_params(labelsize=6)
    fig.tight_layout()
    return figure_to_frame(fig, dpi=60)


def main(args):
    res, a = load_run(args.results)
    save_gif([frame(res, a, f) for f in range(FRAMES)], args.out, fps=6, colors=32)
    print(f"wrote {args.out} ({FRAMES} frames)")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "gif"))
