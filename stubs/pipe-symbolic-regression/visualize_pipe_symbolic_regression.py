"""Figures of the saved pipe-symbolic-regression run: success against evaluations for PIPE and GP,
best-so-far fitness against evaluations, the PPT's entropy and size (PIPE's "loss curve"), and the
best programs' fits.

    python3 visualize_pipe_symbolic_regression.py     # results.json + results.npz -> viz/*.png
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


def success_figure(res, a, path):
    grid = a["grid"]
    fig, ax = plt.subplots(figsize=(7, 3.8))
    keys = ["solved"] + [f"below_{t:g}" for t in res["config"]["thresholds"]]
    for j, k in enumerate(keys):
        lab = "all 101 cases within 0.01" if k == "solved" else f"sum |err| < {k.split('_')[1]}"
        ax.plot(grid, a[f"pipe_curve_{k}"], "-", color=f"C{j}", lw=2, label=f"PIPE, {lab}")
        ax.plot(grid, a[f"gp_curve_{k}"], "--", color=f"C{j}", lw=1.5, label=f"GP, {lab}")
    ax.set(xlabel="program evaluations", ylabel="fraction of runs", ylim=(-0.03, 1.03))
    n = res["metrics"]["pipe"]["runs"]
    ax.set_title(f"success against evaluations ({n} runs per method)", fontsize=9)
    ax.legend(fontsize=6, ncol=2)
    fig.tight_layout()
    save_figure(fig, path)


def fitness_figure(a, path):
    grid = a["grid"]
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(9, 3.6), gridspec_kw={"width_ratios": [3, 1]})
    for name, col in (("pipe", "tab:red"), ("gp", "tab:blue")):
        b = a[f"{name}_best"]
        ax.plot(grid, b.T, color=col, alpha=0.15, lw=0.7)
        ax.plot(grid, np.median(b, axis=0), color=col, lw=2.2, label=f"{name.upper()} median")
        final = b[:, -1]
        bx.plot(np.full(len(final), 0 if name == "pipe" else 1)
                + np.random.default_rng(0).uniform(-0.15, 0.15, len(final)), final, "o", color=col, ms=4)
    ax.set(xlabel="program evaluations", ylabel="best-so-far sum of |errors| (101 cases)", yscale="log")
    ax.legend(fontsize=8)
    bx.set(xticks=[0, 1], xticklabels=["PIPE", "GP"], yscale="log", title="at the budget")
    bx.title.set_fontsize(9)
    fig.tight_layout()
    save_figure(fig, path)


def entropy_figure(a, path):
    grid = a["grid"]
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(9, 3.4))
    for key, col, lab in (("pipe_h_root", "tab:purple", "root node"),
                          ("pipe_h_elite", "tab:orange", "mean over the elitist's nodes")):
        h = a[key]
        ax.plot(grid, h.T, color=col, alpha=0.12, lw=0.7)
        ax.plot(grid, np.nanmedian(h, axis=0), color=col, lw=2.2, label=lab)
    ax.axhline(np.log2(a["film_root_probs"].shape[1]), color="0.6", ls=":", lw=1, label="uniform")
    ax.set(xlabel="program evaluations", ylabel="entropy of P_{d,w} (bits)")
    ax.legend(fontsize=7)
    s = a["pipe_ppt_size"]
    bx.plot(grid, s.T, color="tab:green", alpha=0.15, lw=0.7)
    bx.plot(grid, np.median(s, axis=0), color="tab:green", lw=2.2)
    bx.set(xlabel="program evaluations", ylabel="PPT nodes attached to the root")
    fig.suptitle("PIPE's probabilistic prototype tree concentrating (every run; median bold)", fontsize=9)
    fig.tight_layout()
    save_figure(fig, path)


def fits_figure(res, a, path):
    fig, ax = plt.subplots(figsize=(7, 3.6))
    ax.plot(a["x"], a["y"], "k-", lw=2.5, label="target f(x)")
    for name, col in (("pipe", "tab:red"), ("gp", "tab:blue")):
        f = res["metrics"][name]["best_fitness"]["min"]
        ax.plot(a["x"], a[f"{name}_best_out"], "-", color=col, lw=1.3,
                label=f"best {name.upper()} program of all runs (sum |err| {f:.3g})")
    lo, hi = a["y"].min(), a["y"].max()
    ax.set(xlabel="x", ylabel="f(x)", ylim=(lo - 0.5 * (hi - lo), hi + 0.5 * (hi - lo)))
    ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, path)


def main(args):
    res, a = load_run(args.results)
    os.makedirs(args.out_dir, exist_ok=True)
    success_figure(res, a, os.path.join(args.out_dir, "success_vs_evaluations.png"))
    fitness_figure(a, os.path.join(args.out_dir, "best_fitness.png"))
    entropy_figure(a, os.path.join(args.out_dir, "ppt_entropy.png"))
    fits_figure(res, a, os.path.join(args.out_dir, "best_fits.png"))
    print(f"wrote 4 figures to {args.out_dir}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
