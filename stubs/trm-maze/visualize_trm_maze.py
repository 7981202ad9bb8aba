"""Static figures of the TRM maze run, read from its saved results (never retrains).

    python3 visualize_trm_maze.py      # reads results.json + results.npz, writes viz/*.png
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

from shared.cli import make_artifact_parser, run
from shared.figures import save_figure
from shared.results import load_run

# token colours: wall, open, S, G, path
CMAP = ListedColormap(["#2b2b2b", "#ffffff", "#2ca02c", "#d62728", "#1f77b4"])


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
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4))
    loss = a["loss"]
    k = max(1, len(loss) // 60)
    for s in range(loss.shape[1]):
        sm = np.convolve(loss[:, s], np.ones(k) / k, mode="valid")
        ax.plot(np.arange(len(sm)) + k, sm, lw=1, label=f"seed {s}")
    ax.set(xlabel="optimizer step", ylabel="loss (CE + 0.5 BCE), running mean", yscale="log",
           title="training loss")
    ax.legend(fontsize=8)
    st = a["curve_step"]
    for s in range(a["curve_exact_last"].shape[1]):
        bx.plot(st, a["curve_exact_last"][:, s], "o-", color=f"C{s}",
                label=f"seed {s}: step {res['config']['n_sup']}")
        bx.plot(st, a["curve_exact_1"][:, s], "x--", color=f"C{s}", alpha=0.6, label=f"seed {s}: step 1")
    bx.set(xlabel="optimizer step", ylabel="exact (EMA, test subset)", ylim=(0, 1),
           title="test accuracy while training")
    bx.legend(fontsize=7)
    save_figure(fig, out / "training.png")


def ftle(res, a, out):
    """Top finite-time exponents of the (y, z) recursion per test maze, solved vs not solved."""
    lam, ok = a["lam"], a["lam_ok"]                              # (S, M, k), (S, M)
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4))
    l1 = lam[..., 0]
    bins = np.linspace(l1.min(), l1.max(), 25)
    ax.hist(l1[ok], bins, alpha=0.6, color="tab:blue", label=f"solved ({ok.sum()})")
    ax.hist(l1[~ok], bins, alpha=0.6, color="tab:red", label=f"not solved ({(~ok).sum()})")
    ax.set(xlabel="lambda_1 per sub-update", ylabel="test mazes (all seeds)", title="top exponent")
    ax.legend(fontsize=8)
    i = np.arange(1, lam.shape[-1] + 1)
    if ok.any():
        bx.plot(i, np.median(lam[ok], axis=0), "o-", color="tab:blue", label="solved: median")
    if (~ok).any():
        bx.plot(i, np.median(lam[~ok], axis=0), "o-", color="tab:red", label="not solved: median")
    bx.axhline(0, color="k", lw=0.6)
    bx.set(xlabel="exponent index i", ylabel="lambda_i", title="top-k spectrum")
    bx.legend(fontsize=8)
    save_figure(fig, out / "ftle.png")


def examples(res, a, out):
    """Four test mazes: input, target and the seed-0 answer at N_sup."""
    X, Y, pred = a["X_test"], a["Y_test"], a["pred_steps"][res["config"]["n_sup"] - 1, 0]
    n = min(4, len(X))
    fig, axes = plt.subplots(3, n, figsize=(2.4 * n, 7.4), squeeze=False)
    for j in range(n):
        for r, (g, name) in enumerate(((X[j], "input"), (Y[j], "target"), (pred[j], "TRM answer"))):
            axes[r, j].imshow(g, cmap=CMAP, vmin=0, vmax=4)
            wrong = np.argwhere(pred[j] != Y[j]) if r == 2 else []
            for (yy, xx) in wrong:
                axes[r, j].plot(xx, yy, "x", color="orange", ms=8, mew=2)
            axes[r, j].set_title(f"{name}" + (" (exact)" if r == 2 and not len(wrong) else ""), fontsize=8)
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
