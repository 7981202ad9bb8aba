"""Figures of the saved run: shift-decoding accuracy of every stereo run along training (both D_l
variants), the two classifiers' final outputs on fresh stereo pairs, the two-feature task's codes
and accuracy curves, and T2's local class codes on the symbol source.

    python3 visualize_predictable_stereo.py       # results.json + .npz -> viz/*.png
"""
import os
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np

from shared.cli import make_artifact_parser, run
from shared.figures import save_figure
from shared.results import load_run

VARIANTS = (("pm", "predictability minimization (eq. 9)"), ("ae", "auto-encoder (eq. 7)"))


def stereo_accuracy(res, a, path):
    cfg = res["config"]
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), sharey=True)
    marks = a["stereo_marks"]
    for ax, (v, name) in zip(axes, VARIANTS, strict=True):
        acc = a[f"stereo_{v}_acc"].min(1)                       # (checks + 1, R): the worse net
        ax.plot(marks, acc, color="C0", lw=0.8, alpha=0.6)
        ax.axhline(1.0 / cfg["n_shifts"], color="0.5", ls=":", lw=1, label="chance")
        ax.axhline(0.9, color="C3", ls="--", lw=1, label="success bar (0.9)")
        k = res["metrics"]["stereo"][v]["successes"]
        ax.set(title=f"D_l = {name}: {k}/{cfg['runs']} runs",
               xlabel=f"step ({cfg['stereo_batch']} pairs each)")
        ax.title.set_fontsize(9)
    axes[0].set_ylabel("shift-decoding accuracy\n(worse of T1, T2; fresh pairs)")
    axes[0].set_ylim(0.3, 1.02)
    axes[0].legend(fontsize=7, loc="lower right")
    fig.suptitle("shift stereo: do T1 and T2 come to code the shift they share?", fontsize=10)
    fig.tight_layout()
    save_figure(fig, path)


def stereo_outputs(res, a, path):
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.8))
    s = a["stereo_shift"][0]
    for ax, (v, name) in zip(axes, VARIANTS, strict=True):
        y1, y2 = a[f"stereo_{v}_y1"][0], a[f"stereo_{v}_y2"][0]
        for k in np.unique(s):
            ax.scatter(y1[s == k], y2[s == k], s=10, alpha=0.6, label=f"shift {k}")
        ax.set(xlim=(-0.05, 1.05), ylim=(-0.05, 1.05), xlabel="T1 output", ylabel="T2 output",
               aspect="equal", title=f"run 0, {name}")
        ax.title.set_fontsize(9)
    axes[0].legend(fontsize=7)
    fig.suptitle("final outputs on 200 fresh stereo pairs (each point one pair)", fontsize=10)
    fig.tight_layout()
    save_figure(fig, path)


def feature_codes(res, a, path):
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.5))
    cls = a["features_cls"]
    names = ["right<left, ones<zeros", "right<left, ones>zeros", "right>left, ones<zeros",
             "right>left, ones>zeros"]
    for ax, (v, name) in zip(axes[:2], VARIANTS, strict=True):
        y = a[f"features_{v}_y"][0]
        for k in range(4):
            ax.scatter(y[cls == k, 0], y[cls == k, 1], s=14, alpha=0.6, label=names[k])
        ax.set(xlim=(-0.05, 1.05), ylim=(-0.05, 1.05), xlabel="output unit 1", ylabel="output unit 2",
               aspect="equal", title=f"run 0, {name}")
        ax.title.set_fontsize(9)
    axes[0].legend(fontsize=6, loc="center")
    ax = axes[2]
    for i, (v, name) in enumerate(VARIANTS):
        c = a[f"features_{v}_curve"][:, 0]                      # (checks + 1, R)
        steps = res["config"][f"feat_{v}_steps"]
        x = np.linspace(0, steps, len(c))
        ax.plot(x, c, color=f"C{i}", lw=0.8, alpha=0.6)
        ax.plot([], [], color=f"C{i}", label=name)
    ax.axhline(0.5, color="0.5", ls=":", lw=1)
    ax.set(xlabel="presentations", ylabel="feature-combination accuracy", ylim=(0.2, 1.02))
    ax.legend(fontsize=7)
    fig.suptitle("two features, tied weights: the codes of all legal vectors (left) and every run's accuracy",
                 fontsize=10)
    fig.tight_layout()
    save_figure(fig, path)


def symbol_codes(res, a, path):
    y2 = a["symbols_y2"]
    n = min(4, y2.shape[0])
    fig, axes = plt.subplots(1, n, figsize=(2.6 * n, 3.0))
    for r, ax in enumerate(np.atleast_1d(axes)):
        ax.imshow(y2[r], vmin=0, vmax=1, cmap="Greys", aspect="auto")
        ax.set(xlabel="T2 output unit", ylabel="next symbol (classes of 2)" if r == 0 else "",
               title=f"run {r}")
        ax.title.set_fontsize(9)
    fig.suptitle("symbol source: T2's normalised outputs per next symbol (black = 1)", fontsize=10)
    fig.tight_layout()
    save_figure(fig, path)


def main(args):
    res, a = load_run(args.results)
    os.makedirs(args.out_dir, exist_ok=True)
    stereo_accuracy(res, a, os.path.join(args.out_dir, "stereo_accuracy.png"))
    stereo_outputs(res, a, os.path.join(args.out_dir, "stereo_outputs.png"))
    feature_codes(res, a, os.path.join(args.out_dir, "feature_codes.png"))
    symbol_codes(res, a, os.path.join(args.out_dir, "symbol_codes.png"))
    print(f"wrote 4 figures to {args.out_dir}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
