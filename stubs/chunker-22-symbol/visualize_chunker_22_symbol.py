"""Figures of the saved chunker-22-symbol run: sequences to solution per run, the training curves
(surprises per sequence, right target predictions of A and C, with and without the collapse term),
the conventional net's target predictions, and the Lyapunov spectra and self-weights of A.

    python3 visualize_chunker_22_symbol.py       # results.json + results.npz -> viz/*.png
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


def solution_figure(res, a, path):
    m = res["metrics"]
    fig, ax = plt.subplots(figsize=(7.5, 3.4))
    jit = np.random.default_rng(0)
    rows = [("chunker: C predicts the targets", a["chunker_C_solved"], "C1"),
            ("chunker: A predicts the targets", a["chunker_solved"], "C0"),
            ("no collapse term: A", a["ablation_solved"], "C3")]
    for i, (_, s, c) in enumerate(rows):
        y = i + jit.uniform(-0.15, 0.15, len(s))
        ok = s > 0
        ax.plot(s[ok], y[ok], "o", color=c, ms=5, alpha=0.7)
        cap = m["ablation"]["budget"] if i == 2 else m["chunker"]["sequences_run"]
        ax.plot(np.full((~ok).sum(), cap), y[~ok], ">", color=c, ms=6, mfc="none")
    for x, ls in ((5000, "--"), (35000, ":")):
        ax.axvline(x, color="0.4", ls=ls, lw=1)
        ax.text(x, 2.45, f" {x:,}", fontsize=7, color="0.3", va="top")
    ax.set_xscale("log")
    ax.set_yticks(range(3), [r[0] for r in rows], fontsize=8)
    ax.set_ylim(-0.5, 2.5)
    ax.set_xlabel("training sequences to solution (open triangle: not solved within the budget)")
    st = m["chunker"]
    ax.set_title(f"{st['runs']} runs, lag {res['config']['lag']}: {st['under_5000']}/{st['runs']} under "
                 f"5,000 (paper 13/17), {st['under_35000']}/{st['runs']} under 35,000 (paper 17/17)",
                 fontsize=9)
    fig.tight_layout()
    save_figure(fig, path)


def curves_figure(res, a, path):
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.4))
    for name, style in (("chunker", "-"), ("ablation", "--")):
        s = a[f"{name}_surprises"]
        if not len(s):
            continue
        x = 100 * np.arange(1, len(s) + 1)
        label = "chunker" if name == "chunker" else "no collapse term"
        axes[0].plot(x, np.median(s, axis=1), style, color="k", label=label)
        axes[1].plot(x, a[f"{name}_A_ok"].mean(axis=1), style, color="C0", label=f"A ({label})")
        axes[1].plot(x, a[f"{name}_C_ok"].mean(axis=1), style, color="C1", label=f"C ({label})")
    lag = res["config"]["lag"]
    axes[0].set(xlabel="training sequences", ylabel="surprises per sequence (median run)",
                title=f"inputs passed to C per {lag + 1}-step sequence", yscale="log")
    axes[0].axhline(1, color="0.6", lw=0.8)
    axes[1].set(xlabel="training sequences", ylabel="share of sequences, all runs",
                title="target predicted within eps at the sequence's end", ylim=(-0.02, 1.02))
    for ax in axes:
        ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, path)


def conventional_figure(res, a, path, conv_dir):
    panels = [("headline run", a["conv_side"], a["conv_lrs"], res["config"]["lag"])]
    for name, key in (("conventional", "lag20"), ("short-lag", "lag5")):
        conv_path = os.path.join(conv_dir, f"results_{name}.json")
        if os.path.exists(conv_path):
            r, c = load_run(conv_path)
            panels.append((f"--setting {name}", c[f"{key}_side"], c[f"{key}_lrs"], r["metrics"][key]["lag"]))
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.3), squeeze=False)
    for ax, (title, side, lrs, lag) in zip(axes[0], panels, strict=True):
        x = 1000 * np.arange(1, len(side) + 1)
        for i, lr in enumerate(np.unique(lrs)):
            ax.plot(x, side[:, lrs == lr], color=f"C{i}", lw=0.8, alpha=0.6)
            ax.plot([], [], color=f"C{i}", label=f"lr {lr:g}")
        ax.axhline(0.5, color="0.5", lw=0.8)
        ax.set(xlabel="training sequences", ylabel="right side of 0.5 (per 1,000)", ylim=(0, 1.02),
               title=f"conventional net, {lag}-step lag ({title})")
        ax.set_title(ax.get_title(), fontsize=8)
        ax.legend(fontsize=7)
        if len(side) > 50:
            ax.set_xscale("log")
    fig.tight_layout()
    save_figure(fig, path)


def dynamics_figure(res, a, path):
    models = res["lyapunov"]["models"]
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.4))
    for i in range(len(models)):
        lam = a[f"lyap_{i}"]
        if not len(lam):
            continue
        top = lam[:, :, 0].ravel()
        axes[0].plot(top, i + np.random.default_rng(i).uniform(-0.15, 0.15, len(top)), "o", ms=3,
                     alpha=0.6, color=f"C{i}")
        axes[0].plot(np.median(top), i, "|", ms=18, mew=2.5, color="k")
    axes[0].axvline(0, color="0.6", lw=0.8)
    axes[0].set_yticks(range(len(models)), models, fontsize=7)
    axes[0].set_xlabel("top Lyapunov exponent per step along b1..b20 (dots: runs x {a, x})")
    sw = res["metrics"]["self_weights"]
    if sw["self_weight"]:
        axes[1].hist(sw["self_weight"], bins=12, color="C0")
    axes[1].axvline(4, color="k", ls="--", lw=1)
    axes[1].set(xlabel="self-weight of the hidden unit that separates a from x",
                ylabel="solved runs", title="A at its solution: > 4 latches alone (dashed)")
    axes[1].set_title(axes[1].get_title(), fontsize=9)
    fig.tight_layout()
    save_figure(fig, path)


def main(args):
    res, a = load_run(args.results)
    os.makedirs(args.out_dir, exist_ok=True)
    solution_figure(res, a, os.path.join(args.out_dir, "solution_times.png"))
    curves_figure(res, a, os.path.join(args.out_dir, "training_curves.png"))
    conventional_figure(res, a, os.path.join(args.out_dir, "conventional.png"),
                        os.path.dirname(os.path.abspath(args.results)))
    dynamics_figure(res, a, os.path.join(args.out_dir, "dynamics.png"))
    print(f"wrote 4 figures to {args.out_dir}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
