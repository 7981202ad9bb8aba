"""Static figures of the NBB XOR run, read from its saved results (never retrains).

    python3 visualize_nbb_xor.py      # reads results.json + results.npz, writes viz/*.png
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

COLORS = {"3h": "tab:blue", "2h": "tab:orange", "2x2h": "tab:green", "3h-no-direct": "0.5"}
STYLE = {"narrow": "--", "wide": "-"}


def look(v):
    """Colour and line style of a variant name such as '2h@wide'."""
    base, _, init = v.partition("@")
    return COLORS[base], STYLE[init or "narrow"]
UNITS = ["x1", "x2", "bias", "h1", "h2", "h3", "h4", "out1", "out2"]


def learning_curves(res, a, out):
    """Fraction of presentations correct (blocks of 100), mean over the runs of each variant."""
    fig, ax = plt.subplots(figsize=(7, 4))
    rate = a["correct_rate"]                                         # (blocks, R)
    x = (np.arange(rate.shape[0]) + 1) * 100
    for i, v in enumerate(res["config"]["variants"]):
        sel = a["variant_of"] == i
        col, ls = look(v)
        ax.plot(x, rate[:, sel].mean(1), color=col, ls=ls, label=v)
    for p, ls in ((619, "--"), (674, ":")):
        ax.axvline(p, color="k", ls=ls, lw=0.8)
    ax.set(xscale="log", xlabel="presentations (log)", ylabel="fraction of presentations correct",
           title="NBB on XOR, learning on throughout\n(dashed 619, dotted 674: the quoted paper means)")
    ax.legend(fontsize=8)
    save_figure(fig, out / "learning_curves.png")


def solve_times(res, a, out):
    """Presentations to a solution and to a stable solution, every run, per variant."""
    fig, ax = plt.subplots(figsize=(7, 4))
    variants = res["config"]["variants"]
    R = res["config"]["runs"]
    for i, v in enumerate(variants):
        f, s = a["found"][i * R:(i + 1) * R], a["stable"][i * R:(i + 1) * R]
        jit = np.linspace(-0.12, 0.12, R)
        col = look(v)[0]
        ax.plot(i - 0.18 + jit[f > 0], f[f > 0], "o", color=col, ms=4, alpha=0.6)
        ax.plot(i + 0.18 + jit[s > 0], s[s > 0], "s", color=col, ms=4, alpha=0.9)
    ax.axhline(619, color="k", ls="--", lw=0.8, label="619 (quoted: 3h, solution)")
    ax.axhline(674, color="k", ls=":", lw=0.8, label="674 (quoted: 3h, stable)")
    ax.set(yscale="log", xticks=range(len(variants)), ylabel="presentations",
           xticklabels=[x.replace("@", "\n") for x in variants],
           title="circles: first solution; squares: start of 400 correct in a row")
    ax.legend(fontsize=8)
    save_figure(fig, out / "solve_times.png")


def substance(res, a, out):
    """Total weight substance of every run, every 10 presentations."""
    fig, ax = plt.subplots(figsize=(7, 4))
    S = a["substance"]
    x = np.arange(S.shape[0]) * 10 + 1
    for i, v in enumerate(res["config"]["variants"]):
        sel = np.flatnonzero(a["variant_of"] == i)
        for k, r in enumerate(sel[:5]):
            col, ls = look(v)
            ax.plot(x, S[:, r], color=col, ls=ls, lw=0.8, alpha=0.7, label=v if k == 0 else None)
    ax.set(xscale="log", yscale="log", xlabel="presentations", ylabel="sum of all weights",
           title="The dissipative system: substance lost at the inputs, refilled only by payoff")
    ax.legend(fontsize=8)
    save_figure(fig, out / "substance.png")


def weights(res, a, out):
    """Final weights of the run the GIF shows (the first 3-hidden run with wide initial weights)."""
    r = int(a["shown"])
    W = np.where(a["mask"][r], a["W_final"][r], np.nan)
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    im = ax.imshow(W[:6, 3:], cmap="viridis")
    ax.set(xticks=range(6), xticklabels=UNITS[3:], yticks=range(6), yticklabels=UNITS[:6],
           xlabel="to", ylabel="from", title="3h, init U(0, 1), run 0: final weights\n(blank: no connection)")
    fig.colorbar(im, ax=ax)
    save_figure(fig, out / "weights.png")


def main(args):
    res, a = load_run(args.results)
    out = pathlib.Path(args.out_dir)
    learning_curves(res, a, out)
    solve_times(res, a, out)
    substance(res, a, out)
    weights(res, a, out)
    print(f"wrote 4 figures to {out}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
