"""Figures of the saved rs-parity run: trials to solve per architecture against the paper's means,
and the solver nets' top Lyapunov exponents.

    python3 visualize_rs_parity.py       # results.json + results.npz -> viz/*.png
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

TASKS = {"a1": ("A1 n=1", 2906), "a2": ("A2 n=10", 2797), "a2noself": ("A2 no self-loops", 250),
         "a1noise": ("A1 n=1, noisy", 41400)}


def trials_figure(res, a, path):
    fig, ax = plt.subplots(figsize=(7.5, 3.8))
    for i, (task, (_label, paper)) in enumerate(TASKS.items()):
        t = a[f"{task}_trials"][a[f"{task}_solved"]]
        ax.plot(t, i + np.random.default_rng(i).uniform(-0.15, 0.15, len(t)), "o", ms=4, alpha=0.6,
                color=f"C{i}")
        m = res["metrics"][task]
        if m.get("mean") is not None and task != "a1noise":
            ax.plot([m["mean"]] * 2, [i - 0.3, i + 0.3], "-", color=f"C{i}", lw=2.5)
        if m["one_over_p"]:
            ax.plot([m["one_over_p"]] * 2, [i - 0.3, i + 0.3], ":", color="k", lw=1.4)
        ax.plot(paper, i, "*", ms=14, color="gold", mec="k", zorder=5)
        if task == "a1noise":
            ax.plot([m["max_trials"]] * 2, [i - 0.35, i + 0.35], "--", color="0.5")
    ax.set_xscale("log")
    ax.set_yticks(range(len(TASKS)), [v[0] for v in TASKS.values()])
    ax.set_ylim(-0.5, len(TASKS) - 0.5)
    ax.set_xlabel("guesses until the first net fits all 100 training sequences")
    ax.set_title("parity, 500-600 steps: runs (dots), mean (bar), 1/p (dotted), paper (star), "
                 "noisy cap (dashed)", fontsize=8)
    fig.tight_layout()
    save_figure(fig, path)


def lyapunov_figure(a, path):
    fig, ax = plt.subplots(figsize=(6, 3.2))
    for i, task in enumerate(TASKS):
        if f"{task}_lyap" in a:
            lam = a[f"{task}_lyap"].ravel()
            ax.plot(lam, i + np.random.default_rng(i).uniform(-0.15, 0.15, len(lam)), "o", ms=3, alpha=0.6)
    ax.set_yticks(range(len(TASKS)), [v[0] for v in TASKS.values()])
    ax.axvline(0, color="0.6", lw=0.8)
    ax.set_xlabel("top Lyapunov exponent per step (solver net, test sequence)")
    ax.set_title("parity solvers are saturated, contracting switches", fontsize=9)
    fig.tight_layout()
    save_figure(fig, path)


def main(args):
    res, a = load_run(args.results)
    os.makedirs(args.out_dir, exist_ok=True)
    trials_figure(res, a, os.path.join(args.out_dir, "trials.png"))
    lyapunov_figure(a, os.path.join(args.out_dir, "lyapunov.png"))
    print(f"wrote 2 figures to {args.out_dir}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
