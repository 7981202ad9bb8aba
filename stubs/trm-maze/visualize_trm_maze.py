"""Static figures of the TRM maze run, read from its saved results (never retrains).

    python3 visualize_trm_maze.py      # reads results.json + results.npz, writes viz/*.png
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np

from shared.cli import make_artifact_parser, run
from shared.figures import save_figure
from shared.mazes.draw import draw_answer, ftle_figure, training_figure
from shared.results import load_run


def exact_per_step(res, a, out):
    """Test exact accuracy after each supervision step (EMA weights), per seed and mean."""
    ex = a["exact_per_step"]                                    # (S, eval_sup)
    steps = np.arange(1, ex.shape[1] + 1)
    fig, ax = plt.subplots(figsize=(6.5, 4))
    for s, row in enumerate(ex):
        ax.plot(steps, row, "o-", alpha=0.5, lw=1, label=f"seed {s}")
    ax.plot(steps, ex.mean(0), "k-", lw=2.5, label="mean")
    ns = res["config"]["n_sup"]
    ax.axvline(ns, color="gray", ls=":", lw=1)
    ax.text(ns, ax.get_ylim()[1], f" N_sup = {ns} (trained)", fontsize=8, va="top")
    ax.axhline(0.9, color="tab:green", ls="--", lw=1)
    ax.text(1, 0.9, "pre-registered bar 0.90", color="tab:green", fontsize=8, va="bottom")
    ax.set(xlabel="supervision step", ylabel=f"exact accuracy on {res['metrics']['test_mazes']} test mazes",
           title=f"TRM-Local, {res['config']['grid']}x{res['config']['grid']} {res['config']['kind']} mazes, "
                 f"{res['config']['steps']} steps", ylim=(0, 1))
    ax.legend(fontsize=8)
    save_figure(fig, out / "exact_per_step.png")


def training(res, a, out):
    """Training loss per optimizer step and the EMA test curve (first 256 test mazes)."""
    training_figure(a, out / "training.png", res["config"]["n_sup"], "loss (CE + 0.5 BCE), running mean",
                    "exact (EMA, test subset)")


def ftle(res, a, out):
    """Top finite-time exponents of the (y, z) recursion per test maze, solved vs not solved."""
    ftle_figure(a["lam"], a["lam_ok"], out / "ftle.png", "lambda_1 per sub-update")


def examples(res, a, out):
    """Four test mazes: input, target and the seed-0 answer at N_sup."""
    X, Y, pred = a["X_test"], a["Y_test"], a["pred_steps"][res["config"]["n_sup"] - 1, 0]
    n = min(4, len(X))
    fig, axes = plt.subplots(3, n, figsize=(2.4 * n, 7.4), squeeze=False)
    for j in range(n):
        for r, (g, name) in enumerate(((X[j], "input"), (Y[j], "target"), (pred[j], "TRM answer"))):
            n_wrong = draw_answer(axes[r, j], g, Y[j] if r == 2 else None)
            axes[r, j].set_title(f"{name}" + (" (exact)" if r == 2 and not n_wrong else ""), fontsize=8)
            axes[r, j].axis("off")
    fig.suptitle("test mazes (seed 0, EMA weights; orange x = wrong token)", fontsize=9)
    save_figure(fig, out / "examples.png")


def main(args):
    res, a = load_run(args.results)
    out = pathlib.Path(args.out_dir)
    exact_per_step(res, a, out)
    training(res, a, out)
    ftle(res, a, out)
    examples(res, a, out)


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
