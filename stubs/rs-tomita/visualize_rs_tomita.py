"""Figures of the saved rs-tomita run: trials to fit each grammar's training strings against the
paper's figures, the per-draw success probability of five nets, the solvers' accuracy on unseen
strings by length, their end states against the minimal automaton, and their Lyapunov exponents.

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
    fig, ax = plt.subplots(figsize=(6.5, 3.2))
    for i, g in enumerate(GRAMMARS):
        if f"g{g}_acc_by_len" not in a:
            continue
        acc = a[f"g{g}_acc_by_len"]                                    # (solvers, lengths)
        L = np.arange(1, acc.shape[1] + 1)
        ax.plot(L, np.median(acc, 0), "-o", ms=3, color=f"C{i}", label=f"{NAMES[g]}: median solver")
        ax.fill_between(L, acc.min(0), acc.max(0), color=f"C{i}", alpha=0.12)
    ax.set(xlabel="string length (all strings of that length but the training ones)",
           ylabel="share classified within 0.1", ylim=(0, 1.02))
    ax.set_title("the solvers on unseen strings (band: worst to best solver)", fontsize=9)
    ax.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    save_figure(fig, path)


def states_figure(res, a, path):
    fig, axes = plt.subplots(1, 3, figsize=(9, 3.1))
    for ax, g in zip(axes, GRAMMARS, strict=True):
        if f"g{g}_states" not in a:
            ax.set_axis_off()
            continue
        S, q = a[f"g{g}_states"], a[f"g{g}_states_dfa"]
        # the two hidden units whose end values spread most, plus jitter so stacked points show
        j = np.argsort(-S[:, :-1].std(0))[:2]
        jit = np.random.default_rng(g).normal(0, 0.02, size=(len(S), 2))
        for k in np.unique(q):
            m = q == k
            ax.scatter(S[m, j[0]] + jit[m, 0], S[m, j[1]] + jit[m, 1], s=6, alpha=0.5, label=f"state {k}")
        m = res["metrics"][f"tomita{g}"]
        ax.set_title(f"{NAMES[g]}: {m['automaton_states']} automaton states; solvers use "
                     f"{m['end_state_groups']['median']:.0f} (median)", fontsize=7)
        ax.set(xlabel=f"hidden unit {j[0] + 1}", ylabel=f"hidden unit {j[1] + 1}", xlim=(-0.1, 1.1),
               ylim=(-0.1, 1.1))
        ax.legend(fontsize=6, loc="center")
    fig.suptitle("run 0's solver: end states on unseen strings, coloured by the automaton's state",
                 fontsize=9)
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
    states_figure(res, a, os.path.join(args.out_dir, "states.png"))
    lyapunov_figure(a, os.path.join(args.out_dir, "lyapunov.png"))
    print(f"wrote 5 figures to {args.out_dir}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
