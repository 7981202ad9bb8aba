"""Static figures of the NBB moving-light run, read from its saved results (never retrains).

    python3 visualize_nbb_moving_light.py    # reads results.json + results.npz, writes viz/*.png
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np

from shared.cli import make_artifact_parser, run
from shared.figures import save_figure
from shared.results import load_run

COLORS = {"paper": "tab:blue", "paper@wide": "tab:orange", "catalog": "0.3", "catalog@iid": "tab:green",
          "paper@wide-norec": "tab:red"}


def learning_curves(res, a, out):
    """Fraction of sequences correct (blocks of 50 cycles), mean over the runs of each group."""
    fig, ax = plt.subplots(figsize=(7, 4))
    rate = a["correct_rate"]
    x = (np.arange(rate.shape[0]) + 1) * 50
    for i, g in enumerate(res["config"]["groups"]):
        ax.plot(x, rate[:, a["group_of"] == i].mean(1), color=COLORS[g], label=g)
    ax.axvline(446, color="k", ls="--", lw=0.8)
    ax.set(xscale="log", xlabel="cycles = sequences (log)", ylabel="fraction correct at the last tick",
           title="NBB moving light, learning on throughout\n(dashed: 2 x 223 cycles, the quoted mean)")
    ax.legend(fontsize=8)
    save_figure(fig, out / "learning_curves.png")


def solve_times(res, a, out):
    """Cycles per sequence to a solution (20 correct in a row), every run, per group."""
    fig, ax = plt.subplots(figsize=(7, 4))
    groups = res["config"]["groups"]
    R = res["config"]["runs"]
    for i, g in enumerate(groups):
        s = a["solution"][i * R:(i + 1) * R] / 2
        c = a["catalog"][i * R:(i + 1) * R] / 2
        jit = np.linspace(-0.12, 0.12, R)
        ax.plot(i - 0.18 + jit[s > 0], s[s > 0], "o", color=COLORS[g], ms=4, alpha=0.7)
        ax.plot(i + 0.18 + jit[c > 0], c[c > 0], "s", color=COLORS[g], ms=4, alpha=0.7)
        ax.text(i, 1.2, f"{(s > 0).sum()}/{R} | {(c > 0).sum()}/{R}", ha="center", fontsize=8)
    ax.axhline(223, color="k", ls="--", lw=0.8, label="223 per sequence (quoted)")
    ax.set(yscale="log", xticks=range(len(groups)), xticklabels=groups, ylabel="cycles per sequence",
           title="circles: 20 correct in a row (learning on); squares: the catalog's frozen criterion")
    ax.legend(fontsize=8)
    save_figure(fig, out / "solve_times.png")


def transitions(res, a, out):
    """The output state tick by tick with learning off, for every run of the two paper groups:
    the whole state-transition graph of a 2-unit WTA net is this winner sequence."""
    o = a["outs_frozen"]                                       # (direction, ticks, R, 2)
    win = np.where(o.sum(-1) == 0, 0, 1 + o.argmax(-1))        # 0: none, 1: out1, 2: out2
    R = res["config"]["runs"]
    fig, axes = plt.subplots(2, 2, figsize=(8, 6), sharey=True)
    for gi, g in enumerate(("paper", "paper@wide")):
        for d, name in enumerate(("left to right (want out1)", "right to left (want out2)")):
            ax = axes[gi, d]
            ax.imshow(win[d, :, gi * R:(gi + 1) * R].T, cmap="viridis", vmin=0, vmax=2, aspect="auto",
                      interpolation="nearest")
            ax.set(xticks=range(5), xticklabels=range(1, 6), xlabel="tick", title=f"{g}: {name}")
            if d == 0:
                ax.set_ylabel("run")
    fig.suptitle("Winner at each tick, learning off (dark: none, teal: out1, yellow: out2)")
    fig.tight_layout()
    save_figure(fig, out / "transitions.png")


def substance(res, a, out):
    fig, ax = plt.subplots(figsize=(7, 4))
    S = a["substance"]
    x = np.arange(S.shape[0]) * 5 + 1
    for i, g in enumerate(res["config"]["groups"]):
        for k, r in enumerate(np.flatnonzero(a["group_of"] == i)[:4]):
            ax.plot(x, S[:, r], color=COLORS[g], lw=0.8, label=g if k == 0 else None)
    ax.set(xscale="log", xlabel="cycles", ylabel="sum of the 16 weights",
           title="Substance: drained at the inputs, refilled by payoff")
    ax.legend(fontsize=8)
    save_figure(fig, out / "substance.png")


def main(args):
    res, a = load_run(args.results)
    out = pathlib.Path(args.out_dir)
    learning_curves(res, a, out)
    solve_times(res, a, out)
    transitions(res, a, out)
    substance(res, a, out)
    print(f"wrote 4 figures to {out}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
