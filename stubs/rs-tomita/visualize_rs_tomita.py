"""Figures of the saved rs-tomita run: trials to fit each grammar's training strings against the
paper's figures, the per-draw success probability of five nets, the share of solvers right on
every unseen string of each length, run 0's solver's end states against the minimal automaton,
and the solvers' Lyapunov exponents.

    python3 visualize_rs_tomita.py       # results.json + results.npz -> viz/*.png
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

GRAMMARS = (1, 2, 4)
PAPER = {1: (182, 288), 2: (1511, 17953), 4: (13833, 35610)}     # recalled, see the README
NAMES = {1: "#1  1*", 2: "#2  (10)*", 4: "#4  no 000"}


def trials_figure(res, a, path):
    fig, ax = plt.subplots(figsize=(7.5, 3.2))
    for i, g in enumerate(GRAMMARS):
        t = a[f"g{g}_trials"][a[f"g{g}_solved"]]
        ax.plot(t, i + np.random.default_rng(g).uniform(-0.15, 0.15, len(t)), "o", ms=4, alpha=0.6,
                color=f"C{i}")
        m = res["metrics"][f"tomita{g}"]
        if m.get("mean") is not None:
            ax.plot([m["mean"]] * 2, [i - 0.3, i + 0.3], "-", color=f"C{i}", lw=2.5)
        if m.get("one_over_p"):
            ax.plot([m["one_over_p"]] * 2, [i - 0.3, i + 0.3], ":", color="k", lw=1.4)
        ax.plot(PAPER[g], [i, i], "*", ms=13, color="gold", mec="k", zorder=5)
    ax.set_xscale("log")
    ax.set_yticks(range(3), [NAMES[g] for g in GRAMMARS])
    ax.set_ylim(-0.5, 2.5)
    ax.set_xlabel("guesses until a net fits all of Tomita's training strings")
    ax.set_title(f"A1 n={res['config']['hidden']}: runs (dots), mean (bar), 1/p (dotted), "
                 "paper's two figures (stars, recalled)", fontsize=8)
    fig.tight_layout()
    save_figure(fig, path)


def sweep_figure(res, a, path):
    fig, ax = plt.subplots(figsize=(7.5, 3.4))
    nets = [s["net"] for s in res["metrics"]["tomita1"]["sweep"]]
    for i, g in enumerate(GRAMMARS):
        p, ci = a[f"g{g}_sweep_p"], a[f"g{g}_sweep_ci"]
        xs = np.arange(len(nets)) + (i - 1) * 0.22
        hit = p > 0
        lo = np.where(hit, 1 / np.maximum(ci[:, 1], 1e-30), 0)
        hi = np.where(hit, 1 / np.maximum(ci[:, 0], 1e-30), 0)
        one = np.where(hit, 1 / np.maximum(p, 1e-30), np.nan)
        ax.errorbar(xs[hit], one[hit], yerr=[one[hit] - lo[hit], hi[hit] - one[hit]], fmt="o", color=f"C{i}",
                    label=NAMES[g], capsize=2)
        bound = 1 / np.maximum(ci[~hit, 1], 1e-30)            # no fit: 1/p above this (95 %)
        ax.plot(xs[~hit], bound, "^", color=f"C{i}", mfc="none")
        for f in PAPER[g]:
            ax.axhline(f, color=f"C{i}", lw=0.7, ls="--", alpha=0.6)
    ax.set_yscale("log")
    ax.set_xticks(range(len(nets)), nets)
    ax.set_ylabel("1/p: guesses per fitting net")
    ax.set_title("per-draw success with a 95% interval (open triangle: no fit, 1/p above it); "
                 "dashed: paper's figures", fontsize=8)
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    save_figure(fig, path)


def accuracy_figure(res, a, path):
    fig, ax = plt.subplots(figsize=(6.8, 3.2))
    for i, g in enumerate(GRAMMARS):
        if f"g{g}_all_right_by_len" not in a:
            continue
        right, present = a[f"g{g}_all_right_by_len"], a[f"g{g}_len_present"]   # (solvers, L), (L,)
        L = np.arange(1, right.shape[1] + 1)
        ax.plot(L[present], right[:, present].mean(0) + (i - 1) * 0.006, "-o", ms=2.5, color=f"C{i}",
                label=NAMES[g])
    test_len = res["config"]["test_len"]
    ax.axvline(test_len + 0.5, color="0.6", lw=0.8)
    ax.text(test_len + 1, 0.04, "sampled strings from here", fontsize=7, color="0.4")
    ax.set(xlabel=f"string length (1-{test_len}: every string but the training ones)",
           ylabel="share of solvers right on every string", ylim=(0, 1.04))
    ax.set_title("do the guessed nets recognise the language beyond the training strings?", fontsize=9)
    ax.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    save_figure(fig, path)


def automaton_figure(res, a, path):
    fig, axes = plt.subplots(1, 3, figsize=(9, 3.4))
    for ax, g in zip(axes, GRAMMARS, strict=True):
        if f"g{g}_table0" not in a:
            ax.set_axis_off()
            continue
        t = a[f"g{g}_table0"]                                         # (groups, automaton states)
        ax.imshow(np.log10(1 + t), cmap="Blues", aspect="auto")
        for (r, c), v in np.ndenumerate(t):
            if v:
                ax.text(c, r, f"{v:,}", ha="center", va="center", fontsize=6)
        m = res["metrics"][f"tomita{g}"]
        ax.set(xticks=range(t.shape[1]), yticks=range(t.shape[0]), xlabel="automaton state",
               ylabel="end-state group of the net")
        ax.set_title(f"{NAMES[g]} (groups: median {m['end_state_groups']['median']:.1f} over "
                     f"solvers,\n automaton states {m['automaton_states']})", fontsize=7)
    fig.suptitle("run 0's solver on the unseen strings: strings per end-state group and automaton state\n"
                 "(a net whose states refine the automaton's fills one cell per row)", fontsize=8)
    fig.tight_layout()
    save_figure(fig, path)


def lyapunov_figure(a, path):
    fig, ax = plt.subplots(figsize=(6, 2.8))
    for i, g in enumerate(GRAMMARS):
        if f"g{g}_lyap" not in a:
            continue
        lam = a[f"g{g}_lyap"][..., 0]                                   # (solvers, 2 strings)
        for k, (mark, label) in enumerate((("o", "random string"), ("s", "accepted string"))):
            y = i + (k - 0.5) * 0.3 + np.random.default_rng(g + k).uniform(-0.08, 0.08, len(lam))
            ax.plot(lam[:, k], y, mark, ms=3.5, alpha=0.6, color=f"C{i}", mfc="none" if k else None,
                    label=label if i == 0 else None)
    ax.set_yticks(range(3), [NAMES[g] for g in GRAMMARS])
    ax.axvline(0, color="0.6", lw=0.8)
    ax.set_xlabel("top Lyapunov exponent per symbol (solver nets)")
    ax.set_title("the solvers are saturated switches: every direction contracts", fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, path)


def main(args):
    res, a = load_run(args.results)
    os.makedirs(args.out_dir, exist_ok=True)
    trials_figure(res, a, os.path.join(args.out_dir, "trials.png"))
    sweep_figure(res, a, os.path.join(args.out_dir, "sweep.png"))
    accuracy_figure(res, a, os.path.join(args.out_dir, "accuracy.png"))
    automaton_figure(res, a, os.path.join(args.out_dir, "automaton.png"))
    lyapunov_figure(a, os.path.join(args.out_dir, "lyapunov.png"))
    print(f"wrote 5 figures to {args.out_dir}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
