"""Static figures of neural_data_router from the saved headline run (never retrains).

    python3 visualize_neural_data_router.py [--results results.json] [--out-dir viz]

viz/accuracy_by_depth.png  final accuracy per depth 1-10, NDR vs baseline, every seed
viz/learning_curves.png    training loss and accuracy per depth bin over training
viz/gates_attention.png    the filmed depth-10 example: gate per step and column, attention maps
viz/lyapunov.png           per-column top Lyapunov exponent against the column's mean gate
"""
import os
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import numpy as np

from shared.cli import make_artifact_parser, run
from shared.figures import plt, save_figure
from shared.results import load_run

COLORS = {"ndr": "tab:blue", "baseline": "tab:red", "baseline_low": "tab:orange"}
NAMES = {"ndr": "NDR", "baseline": "shared-layer Transformer", "baseline_low": "the same, lower lr"}
BINS = ((slice(0, 5), "-", "depths 1-5"), (slice(5, 8), "--", "depths 6-8"),
        (slice(8, 10), ":", "depths 9-10"))


def token_labels(tok):
    return [f"v{t}" if t < 8 else f"g{t - 8}" for t in tok]


def accuracy_by_depth(res, arr, out):
    fig, ax = plt.subplots(figsize=(7, 3.8))
    depths = np.arange(1, 11)
    for arch in ("ndr", "baseline"):
        acc = arr[f"{arch}/curve"][-1]                            # (10, S)
        for s in range(acc.shape[1]):
            ax.plot(depths, acc[:, s], "o-", color=COLORS[arch], alpha=0.35, lw=1, ms=3)
        ax.plot(depths, acc.mean(1), "o-", color=COLORS[arch], lw=2.5, label=f"{NAMES[arch]} (mean)")
    ax.axvspan(0.5, 5.5, color="0.9", zorder=0)
    ax.text(3, 0.02, "training depths", ha="center", fontsize=8)
    ax.axhline(1 / 8, color="0.5", ls=":", lw=1)
    ax.text(10.4, 1 / 8 + 0.01, "chance", ha="right", fontsize=8, color="0.4")
    ax.set(xlabel="depth (tables composed)", ylabel="accuracy", ylim=(0, 1.03), xticks=depths,
           title=f"CTL accuracy per depth after {res['config']['steps']} steps (thin: each seed)")
    ax.legend(fontsize=8, loc="center left")
    save_figure(fig, out)


def learning_curves(res, arr, out):
    steps = arr["eval_steps"]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    NAMES["baseline_low"] = f"the same, lr {res['config']['baseline_low_lr']:g}"
    for arch in ("ndr", "baseline", "baseline_low"):
        L = arr[f"{arch}/losses"].mean(1)
        k = max(1, len(L) // 60)
        axes[0].plot(np.arange(len(L))[k - 1::k] + 1, L[: len(L) // k * k].reshape(-1, k).mean(1),
                     color=COLORS[arch], label=NAMES[arch])
        c = arr[f"{arch}/curve"].mean(2)                           # (n_evals, 10)
        for sl, ls, lab in BINS:
            axes[1].plot(steps, c[:, sl].mean(1), ls, color=COLORS[arch], label=f"{NAMES[arch]}, {lab}")
    axes[0].axhline(np.log(8), color="0.5", ls=":", lw=1)
    axes[0].set(xlabel="training step", ylabel="cross-entropy (mean over seeds)", title="training loss")
    axes[1].axhline(1 / 8, color="0.5", ls=":", lw=1)
    axes[1].set(xlabel="training step", ylabel="accuracy (mean over seeds)", ylim=(0, 1.03),
                title="accuracy per depth bin")
    axes[0].legend(fontsize=8)
    axes[1].legend(fontsize=6, loc="center right")
    fig.tight_layout()
    save_figure(fig, out)


def gates_attention(res, arr, out):
    tok = arr["film/tok"]
    labels = token_labels(tok)
    T = arr["film/ndr/gate"].shape[0]
    show = np.unique(np.linspace(0, T - 1, 5).astype(int))
    fig, axes = plt.subplots(2, len(show) + 1, figsize=(2.6 * (len(show) + 1), 5.4))
    for r, arch in enumerate(("ndr", "baseline")):
        g = arr[f"film/{arch}/gate"].mean(-1)                      # (T, L)
        ax = axes[r, 0]
        ax.imshow(g.T, aspect="auto", cmap="viridis", vmin=0, vmax=1)
        ax.set(xlabel="step", yticks=range(len(labels)), yticklabels=labels,
               title=f"{NAMES[arch]}\n" + ("gate per column" if arch == "ndr" else "(no gate: always 1)"))
        for j, t in enumerate(show):
            ax = axes[r, j + 1]
            ax.imshow(arr[f"film/{arch}/attention"][t], cmap="Greys", vmin=0, vmax=1)
            ax.set(title=f"attention, step {t + 1}", xticks=range(len(labels)), xticklabels=labels,
                   yticks=range(len(labels)), yticklabels=labels)
            ax.tick_params(labelsize=6)
            ax.tick_params(axis="x", rotation=90)
    fig.suptitle(f"one depth-10 test expression (answer v{int(arr['film/y'])}); attention rows: query column",
                 fontsize=9)
    fig.tight_layout()
    save_figure(fig, out)


def lyapunov(res, arr, out):
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for arch in ("ndr", "baseline"):
        gates, st = arr[f"{arch}/gates"], arr[f"{arch}/stretch"]            # (T, S, B, L) each
        axes[0].scatter(gates.ravel(), st.ravel(), s=6, alpha=0.3, color=COLORS[arch], label=NAMES[arch])
        lam = arr[f"{arch}/lam"]                                             # (S, B, L, k)
        axes[1].plot(np.arange(1, lam.shape[-1] + 1), lam.reshape(-1, lam.shape[-1]).mean(0), "o-",
                     color=COLORS[arch], label=NAMES[arch])
    axes[0].axhline(0, color="0.5", lw=1)
    axes[0].set(xlabel="copy gate of the column at this step (mean over units; baseline: 1)",
                ylabel="stretch of J_t[c] (mean log of top singular values)",
                title="per-column layer map: one point per column and step")
    axes[1].axhline(0, color="0.5", lw=1)
    axes[1].set(xlabel="index", ylabel="exponent (per step)",
                title="finite-time spectrum over the steps\n(mean over columns)")
    axes[0].legend(fontsize=8)
    axes[0].title.set_fontsize(9)
    axes[1].title.set_fontsize(9)
    fig.tight_layout()
    save_figure(fig, out)


def main(args):
    res, arr = load_run(args.results)
    for name, fn in (("accuracy_by_depth", accuracy_by_depth), ("learning_curves", learning_curves),
                     ("gates_attention", gates_attention), ("lyapunov", lyapunov)):
        fn(res, arr, os.path.join(args.out_dir, f"{name}.png"))
    print(f"wrote 4 figures to {args.out_dir}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
