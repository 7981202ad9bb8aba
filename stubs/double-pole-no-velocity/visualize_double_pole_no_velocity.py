"""Figures of the saved double-pole-no-velocity run: ESP's progress per generation, evaluations to
solve beside the literature's figures, the showcase network's rollout (observed positions and the
velocities it never sees), its 625-start generalisation map, and the Lyapunov spectra.

    python3 visualize_double_pole_no_velocity.py     # results.json + results.npz -> viz/*.png
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

DT = 0.02   # s per network step


def progress_figure(res, a, path):
    best, bal = a["best_log"], a["bal_log"]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.4))
    g = np.arange(1, best.shape[1] + 1)
    for r in range(best.shape[0]):
        ax1.plot(g, best[r], lw=1, alpha=0.7)
        ax2.plot(g, 100 * bal[r], lw=1, alpha=0.7)
    ax1.set(yscale="log", xlabel="generation", ylabel="best damping fitness of the generation",
            title="0.1 t/1000 + 0.9 * 0.75 / jiggle; 0.1 = 1,000 steps")
    ax1.axhline(0.1, color="k", ls=":", lw=0.8)
    ax2.set(xlabel="generation", ylabel="% of trial networks balancing 1,000 steps",
            title=f"{res['config']['runs']} runs, {res['config']['trials'] * res['config']['subpop']} "
                  "evaluations per generation")
    for ax in (ax1, ax2):
        ax.title.set_fontsize(8)
    fig.tight_layout()
    save_figure(fig, path)


def evals_figure(res, a, path):
    m = res["metrics"]
    fig, ax = plt.subplots(figsize=(7, 2.6))
    e = np.array(m["evaluations"])
    if e.size:
        ax.plot(e, np.random.default_rng(0).uniform(-0.2, 0.2, e.size), "o", ms=5, label="solved runs")
        ax.plot([e.mean()] * 2, [-0.35, 0.35], "-", lw=2.5, label="mean")
    unsolved = m["runs"] - m["solved"]
    if unsolved:
        ax.plot([m["budget_evaluations"]] * unsolved, np.linspace(-0.2, 0.2, unsolved), "x", color="tab:red",
                label=f"{unsolved} runs unsolved at the cap")
    for v, lab, c in ((7374, "ESP 7,374 (recalled)", "gold"), (169466, "ESP 1999 169,466 (recalled)", "0.5")):
        ax.axvline(v, color=c, lw=2, ls="--", label=lab)
    ax.set(xscale="log", yticks=[], xlabel="evaluations (trial networks) to a solution",
           xlim=(1e3, 3e5))
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    save_figure(fig, path)


def candidates_figure(res, a, path):
    """Every candidate sent to the long test: the steps it balanced from the standard start (of
    100,000) and, for those that survived the first chunk, how many of the 625 starts it held."""
    m, cfg = res["metrics"], res["config"]
    t = np.array(m["long_tests"], dtype=float).reshape(-1, 4)      # run, generation, steps, score
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.2))
    for r in range(cfg["runs"]):
        k = t[:, 0] == r
        if k.any():
            ax1.plot(t[k, 1], t[k, 2], ".", ms=4, label=f"run {r}")
            g = k & (t[:, 3] >= 0)
            ax2.plot(t[g, 1], t[g, 3], ".", ms=5)
    ax1.axhline(cfg["long_steps"], color="k", ls=":", lw=0.8)
    ax1.set(yscale="log", xlabel="generation", ylabel="steps balanced from the standard start",
            title=f"long test (the 625-start test runs after {cfg['chunk']:,} steps)")
    ax2.axhline(cfg["gen_needed"], color="k", ls=":", lw=0.8)
    ax2.set(xlabel="generation", ylabel="starts of 625 balanced 1,000 steps", ylim=(0, 625),
            title=f"625-start test (a solution needs >= {cfg['gen_needed']})")
    for ax in (ax1, ax2):
        ax.title.set_fontsize(8)
        ax.set_xlim(0, cfg["max_gens"] + 1)
    if len(t):
        ax1.legend(fontsize=6, ncol=2, loc="lower right")
    fig.tight_layout()
    save_figure(fig, path)


def rollout_figure(res, a, path):
    S, F = a["show_states"], a["show_force"]
    t = np.arange(len(F)) * DT
    fig, axes = plt.subplots(3, 1, figsize=(8, 5.5), sharex=True)
    axes[0].plot(t, S[:, 0], label="x (m)")
    axes[0].plot(t, np.degrees(S[:, 2]), label="long pole (deg)")
    axes[0].plot(t, np.degrees(S[:, 4]), label="short pole (deg)")
    axes[0].set_title("observed: positions only", fontsize=8)
    axes[1].plot(t, S[:, 1], label="x' (m/s)")
    axes[1].plot(t, np.degrees(S[:, 3]), label="long pole' (deg/s)")
    axes[1].plot(t, np.degrees(S[:, 5]), label="short pole' (deg/s)")
    axes[1].set_title("hidden from the network: velocities", fontsize=8)
    axes[2].plot(t, F, lw=0.7, color="k")
    axes[2].set(ylabel="force (N)", xlabel="time (s)")
    for ax in axes[:2]:
        ax.legend(fontsize=7, loc="upper right", ncol=3)
    sc = res["metrics"]["showcase"]
    fig.suptitle(f"run {sc['run']}'s {'solution' if sc['solved'] else 'best network (no solution)'}: "
                 f"{sc['steps_balanced']:,} steps balanced from the standard start (shown: first "
                 f"{len(F):,})", fontsize=9)
    fig.tight_layout()
    save_figure(fig, path)


def generalisation_figure(res, a, path):
    g = a["show_gen"].reshape(5, 5, 5, 5)                        # x, x', th1, th1'
    img = g.reshape(5, 5, 5, 5).transpose(0, 1, 2, 3).reshape(25, 25)
    fig, ax = plt.subplots(figsize=(5, 4.4))
    im = ax.imshow(img, cmap="viridis", vmin=0, vmax=res["config"]["gen_steps"])
    for k in range(1, 5):
        ax.axhline(5 * k - 0.5, color="w", lw=0.5)
        ax.axvline(5 * k - 0.5, color="w", lw=0.5)
    ax.set(xlabel="long-pole angle block (-3.2 .. 3.2 deg), angular velocity inside",
           ylabel="cart position block (-1.9 .. 1.9 m), velocity inside")
    ax.set_xticks([]), ax.set_yticks([])
    fig.colorbar(im, ax=ax, label="steps balanced")
    sc = res["metrics"]["showcase"]
    ax.set_title(f"625 starts: {sc['generalisation']} balanced {res['config']['gen_steps']:,} steps",
                 fontsize=9)
    fig.tight_layout()
    save_figure(fig, path)


def lyapunov_figure(res, a, path):
    lc, ln = a["lyap_closed"], a["lyap_net"]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.2))
    for i in range(lc.shape[0]):
        ax1.plot(np.arange(1, lc.shape[1] + 1), lc[i], "o-", ms=3, lw=0.8, alpha=0.7)
        ax2.plot(np.arange(1, ln.shape[1] + 1), ln[i], "o-", ms=3, lw=0.8, alpha=0.7)
    ax1.set(xlabel="exponent index", ylabel="per second", ylim=(max(lc.min(), -200) - 5, lc.max() + 5),
            title="closed loop (cart, poles and 5 neurons)")
    ax2.set(xlabel="exponent index", ylabel="per network step",
            title="the network alone, driven by what it saw")
    for ax in (ax1, ax2):
        ax.axhline(0, color="0.5", lw=0.8)
        ax.title.set_fontsize(9)
    fig.tight_layout()
    save_figure(fig, path)


def main(args):
    res, a = load_run(args.results)
    os.makedirs(args.out_dir, exist_ok=True)
    progress_figure(res, a, os.path.join(args.out_dir, "progress.png"))
    evals_figure(res, a, os.path.join(args.out_dir, "evaluations.png"))
    candidates_figure(res, a, os.path.join(args.out_dir, "candidates.png"))
    rollout_figure(res, a, os.path.join(args.out_dir, "rollout.png"))
    generalisation_figure(res, a, os.path.join(args.out_dir, "generalisation.png"))
    lyapunov_figure(res, a, os.path.join(args.out_dir, "lyapunov.png"))
    print(f"wrote 6 figures to {args.out_dir}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
