"""Static figures of the HRM maze run, read from its saved results (never retrains).

    python3 visualize_hrm_maze.py      # reads results.json + results.npz, writes viz/*.png
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

CMAP = ListedColormap(["#2b2b2b", "#ffffff", "#2ca02c", "#d62728", "#1f77b4"])   # wall open S G path


def exact_per_segment(res, a, out):
    """Test exact after each segment per seed, with TRM's committed exact at N_sup for reference."""
    ex = a["exact_per_step"]                                     # (S, eval_sup)
    steps = np.arange(1, ex.shape[1] + 1)
    fig, ax = plt.subplots(figsize=(6.5, 4))
    for s, row in enumerate(ex):
        ax.plot(steps, row, "o-", alpha=0.5, lw=1, label=f"HRM seed {s}")
    ax.plot(steps, ex.mean(0), "k-", lw=2.5, label="HRM mean")
    ns = res["config"]["n_sup"]
    trm = res["metrics"].get("trm_exact_last")
    if trm:
        ax.axhline(np.mean(trm), color="tab:purple", ls="--", lw=1.5,
                   label=f"TRM at N_sup = {ns} (trm-maze), mean {np.mean(trm):.3f}")
    ax.axvline(ns, color="gray", ls=":", lw=1)
    ax.text(ns, 0.02, f" M_max = {ns} (trained)", fontsize=8)
    ax.set(xlabel="segment (supervision step)", ylabel=f"exact on {res['metrics']['test_mazes']} test mazes",
           title=f"HRM-Local, {res['config']['grid']}x{res['config']['grid']} {res['config']['kind']} mazes, "
                 f"{res['config']['steps']} steps", ylim=(0, 1))
    ax.legend(fontsize=7)
    save_figure(fig, out / "exact_per_step.png")


def training(res, a, out):
    """Training loss per optimizer step and the test curve (first test mazes, raw weights)."""
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4))
    loss = a["loss"]
    k = max(1, len(loss) // 60)
    for s in range(loss.shape[1]):
        sm = np.convolve(loss[:, s], np.ones(k) / k, mode="valid")
        ax.plot(np.arange(len(sm)) + k, sm, lw=1, label=f"seed {s}")
    ax.set(xlabel="optimizer step", ylabel="CE + 0.5 (BCE halt + BCE continue), running mean", yscale="log",
           title="training loss")
    ax.legend(fontsize=8)
    st = a["curve_step"]
    for s in range(a["curve_exact_last"].shape[1]):
        bx.plot(st, a["curve_exact_last"][:, s], "o-", color=f"C{s}",
                label=f"seed {s}: segment {res['config']['n_sup']}")
        bx.plot(st, a["curve_exact_1"][:, s], "x--", color=f"C{s}", alpha=0.6, label=f"seed {s}: segment 1")
    bx.set(xlabel="optimizer step", ylabel="exact (test subset)", ylim=(0, 1),
           title="test accuracy while training")
    bx.legend(fontsize=7)
    save_figure(fig, out / "training.png")


def ftle(res, a, out):
    """Top finite-time exponents of the (z_L, z_H) recursion per test maze, solved vs not."""
    lam, ok = a["lam"], a["lam_ok"]
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4))
    l1 = lam[..., 0]
    bins = np.linspace(l1.min(), l1.max() + 1e-9, 25)
    ax.hist(l1[ok], bins, alpha=0.6, color="tab:blue", label=f"solved ({ok.sum()})")
    ax.hist(l1[~ok], bins, alpha=0.6, color="tab:red", label=f"not solved ({(~ok).sum()})")
    ax.set(xlabel="lambda_1 per module update", ylabel="test mazes (all seeds)", title="top exponent")
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


def main(args):
    res, a = load_run(args.results)
    out = pathlib.Path(args.out_dir)
    exact_per_segment(res, a, out)
    training(res, a, out)
    ftle(res, a, out)


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
