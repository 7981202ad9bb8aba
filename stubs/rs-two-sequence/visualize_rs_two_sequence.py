"""Figures of the saved rs-two-sequence run: trials to solve per task against the paper's means,
the solver nets' outputs over a test sequence of each class, and their top Lyapunov exponents.

    python3 visualize_rs_two_sequence.py       # results.json + results.npz -> viz/*.png
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

TASKS = {"latch1_sign": ("latch I (right sign)", 6), "latch2": ("latch II", 22),
         "twoseq": ("2-sequence", None)}


def trials_figure(res, a, path):
    fig, ax = plt.subplots(figsize=(7, 3.6))
    for i, (task, (_label, paper)) in enumerate(TASKS.items()):
        t = a[f"{task}_trials"][a[f"{task}_solved"]]
        jitter = np.random.default_rng(i).uniform(-0.15, 0.15, len(t))
        ax.plot(t, i + jitter, "o", ms=4, alpha=0.6, color=f"C{i}")
        m = res["metrics"][task]
        ax.plot([m["mean"]] * 2, [i - 0.3, i + 0.3], "-", color=f"C{i}", lw=2.5)
        ax.plot([1 / m["p_success"]] * 2, [i - 0.3, i + 0.3], ":", color="k", lw=1.2)
        if paper:
            ax.plot(paper, i, "*", ms=14, color="gold", mec="k", zorder=5)
    ax.set_xscale("log")
    ax.set_yticks(range(len(TASKS)), [v[0] for v in TASKS.values()])
    ax.set_xlabel("guesses until the first net fits all 100 training sequences")
    ax.set_title("RG trials per run (dots), mean (bar), 1/p (dotted), paper's mean (star)", fontsize=9)
    fig.tight_layout()
    save_figure(fig, path)


def outputs_figure(a, path):
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.2), sharex=True)
    for ax, (task, (label, _)) in zip(axes, TASKS.items(), strict=True):
        S = a[f"{task}_states"]                                   # (R, 2, T): output unit
        for r in range(min(10, len(S))):
            ax.plot(S[r, 0], color="tab:blue", lw=0.8, alpha=0.6)
            ax.plot(S[r, 1], color="tab:red", lw=0.8, alpha=0.6)
        ax.set(title=label, xlabel="step")
    axes[0].set_ylabel("output unit (blue: first class, red: second)")
    fig.suptitle("solver nets on their test sequences: the class is latched for 500 steps", fontsize=9)
    fig.tight_layout()
    save_figure(fig, path)


def lyapunov_figure(a, path):
    fig, ax = plt.subplots(figsize=(6, 3.2))
    for i, task in enumerate(TASKS):
        lam = a[f"{task}_lyap"][..., 0].ravel()
        ax.plot(lam, i + np.random.default_rng(i).uniform(-0.15, 0.15, len(lam)), "o", ms=3, alpha=0.6)
    ax.set_yticks(range(len(TASKS)), [v[0] for v in TASKS.values()])
    ax.axvline(0, color="0.6", lw=0.8)
    ax.set_xlabel("top Lyapunov exponent per step (solver net, test sequence)")
    ax.set_title("every solver is a strongly contracting latch", fontsize=9)
    fig.tight_layout()
    save_figure(fig, path)


def main(args):
    res, a = load_run(args.results)
    os.makedirs(args.out_dir, exist_ok=True)
    trials_figure(res, a, os.path.join(args.out_dir, "trials.png"))
    outputs_figure(a, os.path.join(args.out_dir, "solver_outputs.png"))
    lyapunov_figure(a, os.path.join(args.out_dir, "lyapunov.png"))
    print(f"wrote 3 figures to {args.out_dir}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
