"""Figures of the saved self-referential-weight-matrix run: the training curves of the four
variants and of the full net under the paper's own rule, their query accuracies against the
no-demo ceiling (per init and per function), how much each trained net rewrites its own weights
step by step through an episode, and the Lyapunov exponents of the joint (activations, eval,
weights) map against the activations-only map.

    python3 visualize_self_referential_weight_matrix.py   # results.json + results.npz -> viz/*.png
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

COLORS = {"full": "tab:blue", "weights only": "tab:orange", "activations only": "tab:green",
          "neither": "0.5", "full, paper's rule": "tab:purple"}


def phases(ax, a):
    """Shade the feedback blocks (eval on) and mark the scored query steps."""
    fb, ls = a["fb"].astype(bool), a["ls"].astype(bool)
    for t in np.flatnonzero(fb):
        ax.axvspan(t - 0.5, t + 0.5, color="gold", alpha=0.25, lw=0)
    for t in np.flatnonzero(ls):
        ax.axvline(t, color="k", lw=0.6, ls=":")


def curves_figure(res, a, path):
    curve = a["curve"]
    w = max(1, len(curve) // 40)
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    for i, name in enumerate(res["config"]["groups"]):
        sm = np.convolve(curve[:, i], np.ones(w) / w, mode="valid")
        ax.plot(np.arange(len(sm)) + w, sm, color=COLORS[name], label=name)
    ax.axhline(np.log(2), color="k", lw=0.6, ls="--", label="ln 2 (coin toss)")
    ax.set_xlabel("training iteration")
    ax.set_ylabel(f"query cross-entropy (mean of {w})")
    ax.legend(fontsize=7)
    ax.set_title("training the initial weights W(1) by exact gradient (mean of the inits)", fontsize=9)
    fig.tight_layout()
    save_figure(fig, path)


def accuracy_figure(res, path):
    m = res["metrics"]
    names = res["config"]["groups"]
    funcs = res["config"]["functions"]
    fig, axes = plt.subplots(1, 2, figsize=(9.0, 3.4))
    for i, name in enumerate(names):
        acc = m["query_accuracy"][name]
        axes[0].bar(i, np.mean(acc), color=COLORS[name], alpha=0.6)
        axes[0].plot(np.full(len(acc), i), acc, "ko", ms=4)
        per = m["accuracy_per_function"][name]
        axes[1].plot(range(len(funcs)), [np.mean(per[f]) for f in funcs], "o-", color=COLORS[name],
                     label=name)
    for ax in axes:
        ax.axhline(m["prior_ceiling"], color="k", ls="--", lw=0.8)
        ax.set_ylim(0, 1.02)
    axes[0].set_xticks(range(len(names)), [n.replace(" ", "\n") for n in names], fontsize=6)
    axes[0].set_ylabel("query accuracy (dots: inits)")
    axes[0].set_title("dashed: best without the demos", fontsize=9)
    axes[1].set_xticks(range(len(funcs)), funcs)
    axes[1].legend(fontsize=7)
    axes[1].set_title("per function (mean over inits)", fontsize=9)
    fig.tight_layout()
    save_figure(fig, path)


def writes_figure(res, a, path):
    """Mean |W(t) - W(1)| over the weights, per step, for net 0 of each group (4 episodes)."""
    groups = res["config"]["groups"]
    Wt = a["W_traj"]                                     # (T + 1, groups * 4, N, M)
    k = Wt.shape[1] // len(groups)                        # episodes saved per group
    fig, ax = plt.subplots(figsize=(7.0, 3.4))
    for i, name in enumerate(groups):
        d = np.abs(Wt[:, i * k:(i + 1) * k] - Wt[:1, i * k:(i + 1) * k]).mean((2, 3))   # (T + 1, k)
        ax.plot(np.arange(len(d)), d.mean(1), color=COLORS[name], label=name)
    phases(ax, a)
    ax.set_xlabel("step of the episode (yellow: eval carries d - o; dotted: scored queries)")
    ax.set_ylabel("mean |W(t) - W(1)|")
    ax.legend(fontsize=7)
    ax.set_title("how far each trained net has rewritten its own weights (net 0, 4 test episodes)",
                 fontsize=9)
    fig.tight_layout()
    save_figure(fig, path)


def lyapunov_figure(res, path):
    ex = res["lyapunov"]["exponents"]
    fig, ax = plt.subplots(figsize=(6.0, 3.4))
    for (name, v), c in zip(ex.items(), ("tab:blue", "tab:green"), strict=True):   # full, act. only
        ax.plot(np.arange(1, len(v) + 1), v, "o-", ms=3, color=c, label=name)
    ax.axhline(0, color="k", lw=0.6)
    ax.set_xlabel("index i")
    ax.set_ylabel("lambda_i (per step)")
    ax.legend(fontsize=7)
    ax.set_title("leading Lyapunov exponents along task episodes (median over episodes)", fontsize=9)
    fig.tight_layout()
    save_figure(fig, path)


def main(args):
    res, a = load_run(args.results)
    os.makedirs(args.out_dir, exist_ok=True)
    curves_figure(res, a, os.path.join(args.out_dir, "training_curves.png"))
    accuracy_figure(res, os.path.join(args.out_dir, "query_accuracy.png"))
    writes_figure(res, a, os.path.join(args.out_dir, "self_writes.png"))
    lyapunov_figure(res, os.path.join(args.out_dir, "lyapunov.png"))
    print(f"wrote 4 figures to {args.out_dir}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
