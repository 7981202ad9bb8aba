"""Figures of the saved LOCOCODE run: the learned feature detectors (each hidden unit's input
weights as a 5x5 image, pruned units greyed) beside the PCA and FastICA filters; hidden-unit usage
(every unit's largest effect on the outputs, sorted, per seed, against the pruning line); the
training error and lambda of every seed; and seed 0's code for the first training patterns.

    python3 visualize_lococode_ica.py      # results.json + .npz -> viz/*.png
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

NAMES = {"bars": "bars", "noisy": "noisy bars"}


def tile(ax, w, grey=False):
    """One 5x5 weight image, colour scale symmetric about 0."""
    v = np.abs(w).max() or 1.0
    ax.imshow(w.reshape(5, 5), cmap="Greys" if grey else "RdBu_r", vmin=-v, vmax=v)
    ax.set_xticks([])
    ax.set_yticks([])


def weights_figure(res, a, tasks, path):
    fig, axes = plt.subplots(len(tasks) * 3, 25, figsize=(13, 1.75 * len(tasks) * 3 + 0.3))
    axes = np.atleast_2d(axes)
    for i, task in enumerate(tasks):
        W1, active = a[f"{task}_W1"][0], a[f"{task}_active"][0]
        order = np.argsort(~active, kind="stable")
        m = res["metrics"][task]
        for j, h in enumerate(order):
            tile(axes[3 * i, j], W1[h], grey=not active[h])
        axes[3 * i, 0].set_ylabel("LOCO", fontsize=8)
        axes[3 * i, 12].set_title(f"{NAMES[task]}, seed 0: LOCOCODE hidden units (input weights; grey = "
                                  f"pruned, {m['pruned'][0]} of 25)", fontsize=9)
        for r, (key, label) in enumerate((("fastica", "FastICA"), ("pca", "PCA")), start=1):
            F = a[f"{task}_{key}"]
            for j in range(25):
                if j < len(F):
                    tile(axes[3 * i + r, j], F[j])
                else:
                    axes[3 * i + r, j].axis("off")
            axes[3 * i + r, 0].set_ylabel(label, fontsize=8)
            axes[3 * i + r, 12].set_title(f"{label} filters, told 10 sources: "
                                          f"{m[key + '_bars_separated']} of 10 bars separated", fontsize=9)
    fig.tight_layout()
    save_figure(fig, path)


def usage_figure(res, a, tasks, path):
    fig, axes = plt.subplots(1, len(tasks), figsize=(5.2 * len(tasks), 3.6), squeeze=False)
    tol = res["config"].get("prune_tol", 0.05)
    for ax, task in zip(axes[0], tasks, strict=True):
        sw = a[f"{task}_swing"]
        for s in range(len(sw)):
            ax.semilogy(np.arange(1, sw.shape[1] + 1), np.maximum(np.sort(sw[s])[::-1], 1e-6), "o-", ms=3,
                        lw=1, label=f"seed {s}: {int((sw[s] >= tol).sum())} active")
        ax.axhline(tol, color="k", ls="--", lw=1)
        ax.axvline(10.5, color="grey", ls=":", lw=1)
        ax.set(xlabel="hidden unit (sorted)", ylabel="largest change of an output's net input",
               title=f"{NAMES[task]}: hidden-unit usage (dashed: pruning line; dotted: 10 sources)")
        ax.title.set_fontsize(9)
        ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, path)


def training_figure(res, a, tasks, path):
    fig, axes = plt.subplots(2, len(tasks), figsize=(5.2 * len(tasks), 5.4), squeeze=False)
    for j, task in enumerate(tasks):
        E, lam = a[f"{task}_E"], a[f"{task}_lam"]
        ep = np.arange(1, len(E) + 1)
        axes[0, j].semilogy(ep, E, lw=1)
        axes[0, j].axhline(res["config"]["task_settings"][task]["e_tol"], color="k", ls="--", lw=1)
        axes[0, j].set(ylabel="training MSE E (per pattern)", title=f"{NAMES[task]} (dashed: E_tol)")
        axes[1, j].plot(ep, lam, lw=1)
        axes[1, j].set(xlabel="epoch", ylabel="lambda")
    fig.tight_layout()
    save_figure(fig, path)


def code_figure(res, a, tasks, path):
    fig, axes = plt.subplots(len(tasks), 1, figsize=(10, 2.6 * len(tasks)), squeeze=False)
    for ax, task in zip(axes[:, 0], tasks, strict=True):
        A, active = a[f"{task}_A"], a[f"{task}_active"][0]
        order = np.argsort(~active, kind="stable")
        ax.imshow(A[:, order].T, cmap="Greys", vmin=0, vmax=1, aspect="auto", interpolation="nearest")
        ax.axhline(active.sum() - 0.5, color="tab:red", lw=1)
        ax.set(xlabel="training pattern", ylabel="hidden unit (active first)",
               title=f"{NAMES[task]}, seed 0: hidden activations on the first {len(A)} training patterns "
                     "(black = 1; below the red line: pruned units)")
        ax.title.set_fontsize(9)
    fig.tight_layout()
    save_figure(fig, path)


def main(args):
    res, a = load_run(args.results)
    tasks = [t for t in ("bars", "noisy") if f"{t}_W1" in a]
    os.makedirs(args.out_dir, exist_ok=True)
    weights_figure(res, a, tasks, os.path.join(args.out_dir, "weights.png"))
    usage_figure(res, a, tasks, os.path.join(args.out_dir, "usage.png"))
    training_figure(res, a, tasks, os.path.join(args.out_dir, "training.png"))
    code_figure(res, a, tasks, os.path.join(args.out_dir, "codes.png"))
    print(f"wrote figures to {args.out_dir}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
