"""Figures of the saved pipe-6-bit-parity run: success against evaluations per parity size,
evaluations to solve against the number of bits (with the extrapolation to 6 bits), best-so-far
wrong cases, and the PPT's entropy and size over evaluations (PIPE's "loss curve").

    python3 visualize_pipe_6_bit_parity.py     # results.json + results.npz -> viz/*.png
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
    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    for j, n in enumerate(a["bits"]):
        ax.step(grid, a[f"b{n}_solved_curve"], where="post", color=f"C{j}", lw=2, label=f"{n}-bit")
    ax.set(xlabel="program evaluations per run", ylabel="fraction of runs solved", ylim=(-0.03, 1.03))
    runs = res["config"]["settings"]["runs"]
    ax.set_title(f"even parity, PIPE, {runs} runs per size: solved (no case wrong) by evaluations",
                 fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, path)


def scaling_figure(res, a, path):
    budget = res["config"]["settings"]["budget"]
    paper = res["config"]["paper_budget_recalled"]
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    rng = np.random.default_rng(0)
    for n in a["bits"]:
        ev, ok = a[f"b{n}_evals"], a[f"b{n}_solved"].astype(bool)
        x = n + rng.uniform(-0.12, 0.12, len(ev))
        ax.plot(x[ok], ev[ok], "o", color="tab:green", ms=4, label="solved" if n == 3 else None)
        ax.plot(x[~ok], ev[~ok], "^", color="tab:red", ms=4, mfc="none",
                label="unsolved at the cap" if n == 3 else None)
    ex = res["metrics"]["extrapolation"]
    if ex is not None:
        n0, n1 = ex["bits_used"][0], ex["bits_used"][-1]
        r0 = res["metrics"][f"bits{n0}"]["solve_rate_per_eval"]
        ax.plot([n0], [1 / r0], "ks", ms=6, label="1 / solve rate (censored MLE)")
        ns = np.linspace(n0, 6, 50)
        what = "log-linear fit" if ex["kind"] == "fit" else f"lower bound ({n1}-bit never solved)"
        ax.plot(ns, (1 / r0) * ex["factor_per_bit"] ** (ns - n0), "k--", lw=1, label=f"{what}, extrapolated")
    ax.axhline(budget, color="grey", lw=1, ls=":", label=f"budget run here ({budget:,})")
    ax.axhline(paper, color="tab:purple", lw=1, ls="-.", label=f"recalled paper budget ({paper:,})")
    ax.set(yscale="log", xlabel="bits", ylabel="evaluations (to solve, or spent)", xticks=list(a["bits"]))
    ax.legend(fontsize=7)
    ax.set_title("evaluations to solve against the number of bits", fontsize=9)
    fig.tight_layout()
    save_figure(fig, path)


def best_figure(a, path):
    grid = a["grid"]
    fig, axes = plt.subplots(1, len(a["bits"]), figsize=(11, 3), sharex=True)
    for ax, n in zip(axes, a["bits"], strict=True):
        b = a[f"b{n}_best"] / 2 ** n
        ax.plot(grid, b.T, color="tab:red", alpha=0.2, lw=0.7)
        ax.plot(grid, np.median(b, axis=0), color="k", lw=2, label="median")
        ax.set(title=f"{n}-bit ({2 ** n} cases)", ylim=(-0.02, 0.55), xlabel="evaluations")
    axes[0].set_ylabel("best-so-far fraction of cases wrong")
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, path)


def entropy_figure(a, path):
    grid = a["grid"]
    fig, (ax, bx, cx) = plt.subplots(1, 3, figsize=(11, 3.2))
    for j, n in enumerate(a["bits"]):
        ax.plot(grid, np.median(a[f"b{n}_h_root"], axis=0), color=f"C{j}", lw=2, label=f"{n}-bit")
        bx.plot(grid, np.nanmedian(a[f"b{n}_h_elite"], axis=0), color=f"C{j}", lw=2)
        cx.plot(grid, np.median(a[f"b{n}_ppt_size"], axis=0), color=f"C{j}", lw=2)
    ax.set(xlabel="evaluations", ylabel="bits", title="root node entropy (median over runs)")
    bx.set(xlabel="evaluations", ylabel="bits", title="mean entropy along the elitist")
    cx.set(xlabel="evaluations", ylabel="nodes", title="PPT nodes attached to the root", yscale="log")
    for x in (ax, bx, cx):
        x.title.set_fontsize(9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, path)


def main(args):
    res, a = load_run(args.results)
    os.makedirs(args.out_dir, exist_ok=True)
    success_figure(res, a, os.path.join(args.out_dir, "success_vs_evaluations.png"))
    scaling_figure(res, a, os.path.join(args.out_dir, "evals_to_solve_vs_bits.png"))
    best_figure(a, os.path.join(args.out_dir, "best_fitness.png"))
    entropy_figure(a, os.path.join(args.out_dir, "ppt_entropy.png"))
    print(f"wrote 4 figures to {args.out_dir}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
