"""Figures of the saved upside-down-rl run: learning curves of UDRL and A2C at equal environment
steps (dense and sparse reward), the commanded-vs-achieved return of the trained behaviour
functions, the final returns and pad landings per seed, and the flight paths of seed 0.

    python3 visualize_upside_down_rl.py      # results.json + results.npz -> viz/*.png
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

COLORS = {"udrl": "tab:blue", "a2c": "tab:red"}
LABELS = {"udrl": "UDRL", "a2c": "A2C"}
VARIANTS = ("dense", "sparse")


def learning_curves(res, a, path):
    S = res["config"]["seeds"]
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.5), sharey=True)
    for j, (ax, var) in enumerate(zip(axes, VARIANTS, strict=True)):
        cols = slice(j * S, (j + 1) * S)
        for m, col in COLORS.items():
            steps, ret = a[f"curve_{m}_steps"], a[f"curve_{m}_ret"][:, cols]
            x = steps[:, cols].mean(1) if steps.ndim == 2 else steps
            mu, sd = ret.mean(1), ret.std(1)
            ax.plot(x / 1e3, mu, "o-", ms=3, color=col, label=f"{LABELS[m]} (mean of {S} seeds)")
            ax.fill_between(x / 1e3, mu - sd, mu + sd, color=col, alpha=0.2)
        ax.axhline(a["random_ret"][cols].mean(), color="gray", ls=":", lw=1, label="random actions")
        ax.set_xlabel("environment steps per run (thousands)")
        ax.set_title(f"{var} reward" + (" (whole return paid at the end)" if var == "sparse" else ""),
                     fontsize=9)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("evaluation return (same starts)")
    axes[0].legend(fontsize=7, loc="lower right")
    fig.suptitle("Mini lunar lander: UDRL vs A2C at equal environment steps (band: +/- 1 sd over seeds)",
                 fontsize=9)
    fig.tight_layout()
    save_figure(fig, path)


def command_vs_achieved(res, a, path):
    S = res["config"]["seeds"]
    cmd, ach, r = a["sweep_commands"], a["sweep_achieved"], a["sweep_r"]
    fig, axes = plt.subplots(1, 2, figsize=(8.4, 3.8), sharey=True)
    for j, (ax, var) in enumerate(zip(axes, VARIANTS, strict=True)):
        for i in range(j * S, (j + 1) * S):
            ax.plot(cmd, ach[i], "o-", ms=3, alpha=0.8, label=f"seed {i - j * S}: r = {r[i]:.2f}")
        lo, hi = float(cmd.min()), float(cmd.max())
        ax.plot([lo, hi], [lo, hi], "k--", lw=1, label="achieved = commanded")
        ax.set_xlabel("commanded return d_r (evaluation horizon)", fontsize=8)
        ax.set_title(f"UDRL, {var} reward", fontsize=9)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=6)
    axes[0].set_ylabel("achieved mean return")
    fig.suptitle("Does the trained behaviour function obey the command?", fontsize=9)
    fig.tight_layout()
    save_figure(fig, path)


def final_scores(res, path):
    M = res["metrics"]
    fig, axes = plt.subplots(1, 2, figsize=(8.4, 3.2))
    groups = [(m, v) for v in VARIANTS for m in COLORS]
    for k, (m, v) in enumerate(groups):
        for ax, key in zip(axes, ("return", "pad_landing"), strict=True):
            vals = np.array(M[m][key][v]["per_seed"]) * (100 if key == "pad_landing" else 1)
            ax.bar(k, vals.mean(), color=COLORS[m], alpha=0.35 if v == "dense" else 0.7)
            ax.plot(np.full(len(vals), k), vals, "k.", ms=5)
    for ax, lab in zip(axes, ("final evaluation return", "episodes at rest on the pad (%)"), strict=True):
        ax.set_xticks(range(len(groups)), [f"{LABELS[m]}\n{v}" for m, v in groups], fontsize=8)
        ax.set_ylabel(lab)
        ax.grid(alpha=0.3, axis="y")
    steps = res["config"]["env_steps"]
    fig.suptitle(f"After {steps:,} environment steps per run (dots: seeds)", fontsize=9)
    fig.tight_layout()
    save_figure(fig, path)


def flight_paths(res, a, path):
    S = res["config"]["seeds"]
    pilots = [("udrl", 0, "UDRL dense"), ("udrl", S, "UDRL sparse"),
              ("udrl_low", S, "UDRL sparse, low command"), ("a2c", 0, "A2C dense"), ("a2c", S, "A2C sparse")]
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    ax.axhline(0, color="k", lw=1)
    ax.plot([-0.2, 0.2], [0, 0], color="gold", lw=5, solid_capstyle="butt", label="pad")
    for name, i, lab in pilots:
        n = int(a[f"len_{name}"][i])
        z = a[f"path_{name}"][i, :n + 1]
        ax.plot(z[:, 0], z[:, 1], lw=1.5, label=f"{lab}: return {float(a[f'ret_{name}'][i]):.0f}")
        ax.plot(z[-1, 0], z[-1, 1], "o", ms=4)
    ax.set_xlim(-1, 1)
    ax.set_ylim(-0.05, 1.3)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title("Seed 0, one evaluation start: the centre of the lander", fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, path)


def main(args):
    res, a = load_run(args.results)
    os.makedirs(args.out_dir, exist_ok=True)
    learning_curves(res, a, os.path.join(args.out_dir, "learning_curves.png"))
    command_vs_achieved(res, a, os.path.join(args.out_dir, "command_vs_achieved.png"))
    final_scores(res, os.path.join(args.out_dir, "final_scores.png"))
    flight_paths(res, a, os.path.join(args.out_dir, "flight_paths.png"))
    print(f"wrote 4 figures to {args.out_dir}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
