"""Figures of the saved subgoal-obstacle-avoidance run: cost landscapes with the learned plans,
true cost against iterations, iterations to a swamp-free plan per seed, and the units sweep.

    python3 visualize_subgoal_obstacle_avoidance.py      # results.json + results.npz -> viz/*.png
"""
import os
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Circle

from shared.cli import make_artifact_parser, run
from shared.figures import save_figure
from shared.results import load_run

RUN_LABELS = {"recurrent_one": "one swamp, recurrent S, eta 0.03 (paper: 20 it.)",
              "static_several": "four swamps, static S, eta 0.002 (paper: 22 it.)",
              "static_one": "one swamp, static S, eta 0.03",
              "recurrent_several": "four swamps, recurrent S, eta 0.002",
              "recurrent_one_learnedE": "one swamp, recurrent S, learned E",
              "static_several_learnedE": "four swamps, static S, learned E"}
PAPER_RUN = {"one_swamp": "recurrent_one", "several_swamps": "static_several"}


def draw_world(ax, pb, side):
    """Swamps as circles, start (green) and goal (red) on axes of the plane."""
    for cx, cy, r, _ in pb["swamps"]:
        ax.add_patch(Circle((cx, cy), r, fill=False, ec="saddlebrown", lw=1.2))
    ax.plot(*pb["start"], "o", color="limegreen", ms=7, mec="k")
    ax.plot(*pb["goal"], "*", color="red", ms=11, mec="k")
    ax.set_xlim(0, side)
    ax.set_ylim(0, side)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])


def draw_plans(ax, plans, color, lw=0.8, alpha=0.6):
    """Plans (S, K+2, 2): every seed's path through its sub-goals."""
    for P in plans:
        ax.plot(P[:, 0], P[:, 1], "-", color=color, lw=lw, alpha=alpha)
        ax.plot(P[1:-1, 0], P[1:-1, 1], "o", color=color, ms=3, alpha=alpha)


def landscapes(res, a, path):
    """Per problem: the true cost of start -> (x, y) -> goal (one sub-goal) over the plane, the
    learned E's version of it, and the final plans of every seed in the paper's run on each."""
    side = res["config"]["side"]
    fig, axes = plt.subplots(2, 2, figsize=(8.4, 8.4))
    for i, (problem, run_) in enumerate(PAPER_RUN.items()):
        pb = res["config"]["problems"][problem]
        for j, (key, plans, title) in enumerate((
                ("landscape", a[f"{run_}_plans"][-1],
                 f"{RUN_LABELS[run_]}\ntrue cost, final plans of all seeds"),
                ("Elandscape", a[f"{run_}_learnedE_plans"][-1], "learned E's cost of the same one-sub-goal "
                 "plans,\nfinal plans trained through it"))):
            ax = axes[i, j]
            L = a[f"{problem}_{key}"]
            ax.imshow(np.maximum(L, 0), origin="lower", extent=(0, side, 0, side), cmap="viridis",
                      vmin=0, vmax=float(a[f"{problem}_landscape"].max()))
            draw_world(ax, pb, side)
            draw_plans(ax, plans, "white")
            ax.set_title(title, fontsize=8)
    fig.suptitle("cost of a plan with one sub-goal at (x, y) (dark = cheap; one colour scale per row); "
                 "circles: swamps;\nwhite: the learned plans (3 sub-goals) of every seed", fontsize=9)
    fig.tight_layout()
    save_figure(fig, path)


def cost_curves(res, a, path):
    """True plan cost against iterations (log axes): every seed faint, the median bold."""
    it = np.maximum(a["snap_iters"], 0.7)
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=False)
    for ax, problem, runs in ((axes[0], "one_swamp",
                               ("recurrent_one", "static_one", "recurrent_one_learnedE")),
                              (axes[1], "several_swamps", ("static_several", "recurrent_several",
                                                           "static_several_learnedE"))):
        floor = 1e-7
        for run_, col in zip(runs, ("tab:blue", "tab:orange", "tab:green"), strict=True):
            c = np.maximum(a[f"{run_}_costs"], floor)
            ax.plot(it, c, color=col, lw=0.5, alpha=0.3)
            ax.plot(it, np.median(c, 1), color=col, lw=2, label=RUN_LABELS[run_])
        d = res["metrics"][PAPER_RUN[problem]]["direct_cost"]
        ax.axhline(d, color="0.4", ls="--", lw=0.8)
        ax.axhline(res["config"]["satisfy"] * d, color="0.4", ls=":", lw=0.8)
        ax.axvline(20 if problem == "one_swamp" else 22, color="k", lw=0.8, ls="-.")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_ylim(floor * 0.5, None)
        ax.set_xlabel("iteration")
        ax.set_ylabel("true cost of the plan (1e-7 = swamp-free)")
        ax.set_title(f"{problem.replace('_', ' ')}: dashed = straight line, dotted = 1 % of it, "
                     "dash-dot = paper's count", fontsize=8)
        ax.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    save_figure(fig, path)


def iterations(res, path):
    """Iterations to a swamp-free plan, each seed a dot (cap marked), and the units sweep."""
    m, cfg = res["metrics"], res["config"]
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    ax = axes[0]
    runs = list(RUN_LABELS)
    cap = cfg["iters"]
    rng = np.random.default_rng(0)                                  # jitter only
    for i, run_ in enumerate(runs):
        key = "iters_frac" if run_.endswith("learnedE") else "iters_zero"
        v = np.array(m[run_][key], float)
        v = np.where(v < 0, cap * 1.6, np.maximum(v, 0.7))
        ax.plot(v, i + rng.uniform(-0.15, 0.15, len(v)), "o", ms=3.5, alpha=0.7)
    for p, i in ((20, 0), (22, 1)):
        ax.plot([p], [i], "k*", ms=12)
    ax.axvline(cap, color="0.5", ls=":")
    ax.set_xscale("log")
    ax.set_yticks(range(len(runs)))
    ax.set_yticklabels([RUN_LABELS[r].replace(" (paper", "\n(paper") for r in runs], fontsize=6.5)
    ax.set_xlabel("iterations to true cost 0 (learned E: to <= 1 % of the straight line)")
    ax.set_title("each dot a seed; right of the dotted cap: never; star: the paper's count", fontsize=8)
    ax = axes[1]
    for run_, col in (("recurrent_one", "tab:blue"), ("static_several", "tab:orange")):
        sw = m["units_sweep"][run_]
        sides = [float(k) for k in sw]
        med = [np.nan if v["median"] is None else v["median"] for v in sw.values()]
        ax.plot(sides, med, "o-", color=col, label=RUN_LABELS[run_])
        for s, md, v in zip(sides, med, sw.values(), strict=True):
            ax.annotate(f"{v['reached']}/{cfg['seeds']}", (s, md if np.isfinite(md) else 1), fontsize=7,
                        xytext=(3, 4), textcoords="offset points")
    ax.axhline(20, color="tab:blue", ls=":", lw=0.8)
    ax.axhline(22, color="tab:orange", ls=":", lw=0.8)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("side of the plane (costs scale as side^2, eta fixed)")
    ax.set_ylabel("median iterations to cost 0")
    ax.set_title("the same runs in larger units (labels: seeds reaching cost 0)", fontsize=8)
    ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, path)


def main(args):
    res, a = load_run(args.results)
    os.makedirs(args.out_dir, exist_ok=True)
    landscapes(res, a, os.path.join(args.out_dir, "landscapes.png"))
    cost_curves(res, a, os.path.join(args.out_dir, "cost_curves.png"))
    iterations(res, os.path.join(args.out_dir, "iterations.png"))
    print(f"wrote 3 figures to {args.out_dir}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
