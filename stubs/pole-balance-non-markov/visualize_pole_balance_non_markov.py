"""Static figures of pole balancing through a world model (from the saved run; never trains).

    viz/learning.png   mean trial length per block of 1,000 on-line steps, median and quartiles per
                       group, beside the random-force baseline and the 1,000-step success line
    viz/trials.png     the length of every trial against its index, each run of the two main groups
    viz/ablations.png  per group: mean trial length in the last tenth of training and of C frozen
                       at the end (fresh starts), and runs with a 1,000-step trial
    viz/lyapunov.png   C's internal top exponent per run (trained and initial), and the closed
                       loop's top exponents where a frozen C balanced the whole window
    viz/rollout.png    C frozen at the end on one fresh start: cart position, pole angle and force,
                       first run of each group

    python3 visualize_pole_balance_non_markov.py     # results.json + results.npz -> viz/*.png
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

COLORS = ("tab:blue", "tab:orange", "tab:green", "tab:purple", "tab:brown", "tab:gray")


def names(a):
    return [str(n) for n in a["group_names"]]


def learning(res, a, out):
    cfg = res["config"]
    block = cfg["block"]
    fails = a["curve_failures"]
    x = (np.arange(fails.shape[0]) + 1) * block
    fig, ax = plt.subplots(figsize=(7.6, 4.4))
    for g, name in enumerate(names(a)):
        v = block / np.maximum(fails[:, a["gid"] == g], 1)
        main = g < 2
        ax.plot(x, np.median(v, 1), color=COLORS[g], lw=2 if main else 1, ls="-" if main else ":",
                label=name)
        if main:
            ax.fill_between(x, *np.percentile(v, [25, 75], axis=1), color=COLORS[g], alpha=0.15, lw=0)
    rnd = res["metrics"]["random_mean_length"]
    ax.axhline(rnd, color="0.4", lw=0.8, ls="--")
    ax.text(x[-1], rnd, f" random\n forces {rnd:.0f}", fontsize=6, va="center")
    ax.axhline(1000, color="tab:red", lw=0.8, ls="--")
    ax.text(x[-1], 1000, " success", fontsize=6, va="center", color="tab:red")
    ax.axvline(cfg["model_steps"], color="0.7", lw=0.8)
    ax.text(cfg["model_steps"], 1500, " sequential: C starts", fontsize=7, color="0.4")
    ax.set_yscale("log")
    ax.set_ylim(3, 3000)
    ax.set_xlabel("on-line step (0.02 s each)")
    ax.set_ylabel("mean trial length in the block (steps)")
    ax.set_title("Trial length while learning (blocks of 1,000 steps; median over runs, quartiles shaded "
                 "for the main groups)", fontsize=8)
    ax.legend(fontsize=6, loc="upper left")
    fig.tight_layout()
    save_figure(fig, out / "learning.png")


def trials(res, a, out):
    G = names(a)
    fig, axes = plt.subplots(1, 2, figsize=(9.0, 3.8), sharey=True)
    for g, ax in enumerate(axes):
        for r in np.flatnonzero(a["gid"] == g):
            n = int(min(a["trials"][r], a["lengths"].shape[1]))
            ax.plot(np.arange(1, n + 1), a["lengths"][r, :n], lw=0.4, alpha=0.6)
            c0 = int(a["trials_c0"][r])
            if c0:
                ax.axvline(c0, color="0.8", lw=0.5)
        ax.axhline(1000, color="tab:red", lw=0.8, ls="--")
        ax.set_yscale("log")
        ax.set_xlabel("trial")
        ax.set_title(f"{G[g]}: every trial of every run", fontsize=8)
    axes[0].set_ylabel("trial length (steps)")
    fig.tight_layout()
    save_figure(fig, out / "trials.png")


def ablations(res, a, out):
    M = res["metrics"]["groups"]
    G = names(a)
    y = np.arange(len(G))
    fig, ax = plt.subplots(figsize=(7.6, 3.6))
    last = [M[n]["mean_length_last"] for n in G]
    frozen = [M[n]["frozen_mean_length"] for n in G]
    ax.barh(y + 0.2, last, height=0.4, color="tab:blue", label="last tenth of training (median run)")
    ax.barh(y - 0.2, frozen, height=0.4, color="tab:orange", label="C frozen at the end, fresh starts")
    for i, n in enumerate(G):
        ax.text(max(last[i], frozen[i]) * 1.1, y[i], f"{M[n]['succeeded']}/{M[n]['runs']} runs with a "
                "1,000-step trial", fontsize=6, va="center")
    ax.axvline(res["metrics"]["random_mean_length"], color="0.4", ls="--", lw=0.8)
    ax.set_xscale("log")
    ax.set_xlim(3, 20000)
    ax.set_yticks(y, G, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("mean trial length (steps); dashed: random forces")
    ax.legend(fontsize=6, loc="lower right")
    fig.tight_layout()
    save_figure(fig, out / "ablations.png")


def lyapunov(res, a, out):
    G = names(a)
    fig, axes = plt.subplots(1, 2, figsize=(9.0, 3.8))
    ax = axes[0]
    for g in range(len(G)):
        v = a["lyap_C"][a["gid"] == g, 0]
        ax.plot(np.full(len(v), g) + np.linspace(-0.2, 0.2, len(v)), v, "o", color=COLORS[g], ms=3)
    ax.set_xticks(range(len(G)), [n.replace(", ", ",\n") for n in G], fontsize=5)
    ax.axhline(0, color="0.6", lw=0.6)
    ax.set_ylabel("top exponent per step")
    ax.set_title("C's internal map along its own stream (trained C)", fontsize=8)
    ax = axes[1]
    ok = np.isfinite(a["lyap_loop"][:, 0])
    if ok.any():
        for g in range(len(G)):
            sel = ok & (a["gid"] == g)
            ax.plot(a["lyap_loop"][sel, 0], a["twin"][sel], "o", color=COLORS[g], ms=4, label=G[g])
        ax.legend(fontsize=6)
    else:
        ax.text(0.5, 0.5, "no frozen C balanced the\nwhole Lyapunov window", ha="center", va="center",
                transform=ax.transAxes, fontsize=8)
    ax.set_xlabel("closed loop, linearised where the force holds")
    ax.set_ylabel("twin trajectory (switching included)")
    ax.set_title("Closed loop plant + C: top exponent per step", fontsize=8)
    fig.tight_layout()
    save_figure(fig, out / "lyapunov.png")


def rollout(res, a, out):
    G = names(a)
    n = a["roll_x"].shape[0]
    t = np.arange(n) * 0.02
    fig, axes = plt.subplots(len(G), 1, figsize=(7.6, 1.3 * len(G) + 0.6), sharex=True)
    for g, ax in enumerate(axes):
        r = int(np.flatnonzero(a["gid"] == g)[0])
        th, x = a["roll_th"][:, r] * 180 / np.pi, a["roll_x"][:, r]
        ax.plot(t, th, color="tab:red", lw=0.8, label="angle (deg)")
        ax.plot(t, x * 5, color="tab:blue", lw=0.8, label="position (m) x 5")
        ax.set_ylim(-13, 13)
        ax.axhline(0, color="0.8", lw=0.5)
        ax.set_title(f"{G[g]}, run {r}", fontsize=7)
    axes[0].legend(fontsize=6, loc="upper right")
    axes[-1].set_xlabel("time (s); a failed trial stays at its last state")
    fig.tight_layout()
    save_figure(fig, out / "rollout.png")


def main(args):
    res, a = load_run(args.results)
    out = pathlib.Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for f in (learning, trials, ablations, lyapunov, rollout):
        f(res, a, out)
    print(f"wrote {out}/*.png")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
