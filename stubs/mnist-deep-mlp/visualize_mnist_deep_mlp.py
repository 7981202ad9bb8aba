"""Figures of the saved mnist-deep-mlp run: test error per epoch with and without deformed training
images (the paper's 0.49 % beside it), what the deformations do to a digit, the misclassified test
digits, and per-layer gradient norms and Jacobian singular values at initialisation and at the end.

    python3 visualize_mnist_deep_mlp.py      # results.json + results.npz -> viz/*.png
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

PAPER_ERR = 0.49
COLORS = {"deformed": "tab:blue", "plain": "tab:orange"}


def error_figure(res, a, path):
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    for c, col in COLORS.items():
        e = np.arange(1, len(a[f"{c}_test_err"]) + 1)
        ax.plot(e, a[f"{c}_test_err"], "o-", color=col, label=f"{c}: test error")
        ax.plot(e, a[f"{c}_train_err"], "s--", color=col, alpha=0.5, ms=4,
                label=f"{c}: error on {min(2000, res['config']['n_train']):,} original training images")
    ax.axhline(PAPER_ERR, color="k", ls=":", lw=1)
    ax.text(1, PAPER_ERR * 1.08, f"paper, after ~800 epochs: {PAPER_ERR} %", fontsize=7)
    ax.set_yscale("log")
    ticks = [t for t in (0.5, 1, 2, 3, 5, 10, 20, 50) if PAPER_ERR * 0.9 <= t <= ax.get_ylim()[1]]
    ax.set_yticks(ticks, [f"{t:g}" for t in ticks])
    ax.minorticks_off()
    ax.set_xlabel("epoch")
    ax.set_ylabel("error (%)")
    ax.set_title(f"784-1000-500-10, batch {res['config']['batch']}, seed {res['seed']}", fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, path)


def deformation_figure(a, path):
    orig, ex = a["deform_originals"], a["deform_examples"]            # (10, 28, 28), (F, 10, 28, 28)
    n_show = min(6, len(ex))
    fig, axes = plt.subplots(len(orig), n_show + 1, figsize=(0.9 * (n_show + 1), 0.9 * len(orig)))
    axes = np.atleast_2d(axes)
    for i in range(len(orig)):
        for j in range(n_show + 1):
            ax = axes[i, j]
            ax.imshow(orig[i] if j == 0 else ex[j - 1, i], cmap="gray_r", vmin=0, vmax=255)
            ax.set_xticks([])
            ax.set_yticks([])
        axes[i, 0].set_ylabel(str(i), rotation=0, labelpad=8)
    axes[0, 0].set_title("original", fontsize=7)
    for j in range(1, n_show + 1):
        axes[0, j].set_title(f"draw {j}", fontsize=7)
    fig.suptitle("deformations drawn anew each epoch: rotation, shear, scaling, elastic field", fontsize=8)
    save_figure(fig, path)


def misclassified_figure(res, a, path, c="deformed", n=40):
    imgs, lab, pred = a[f"{c}_wrong_img"], a[f"{c}_wrong_label"], a[f"{c}_wrong_pred"]
    k = min(n, len(imgs))
    cols = 10
    rows = max(1, int(np.ceil(k / cols)))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 0.85, rows * 1.0))
    axes = np.atleast_2d(axes)
    for i, ax in enumerate(axes.ravel()):
        ax.set_xticks([])
        ax.set_yticks([])
        ax.axis("off")
        if i < k:
            ax.imshow(imgs[i].reshape(28, 28), cmap="gray_r", vmin=0, vmax=255)
            ax.set_title(f"{lab[i]}\u2192{pred[i]}", fontsize=7)
    total = res["metrics"][c]["n_wrong"]
    fig.suptitle(f"{c} net: the first {k} of its {total} misclassified test digits (label\u2192answer)",
                 fontsize=8)
    save_figure(fig, path)


def diagnostics_figure(res, a, path):
    d = res["metrics"]["diagnostics"]
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    whens = [w for w in ("init", "deformed", "plain") if w in d]
    width = 0.8 / len(whens)
    for i, w in enumerate(whens):
        g = d[w]["grad_norms"]
        axes[0].bar(np.arange(len(g)) + i * width, g, width, label=w,
                    color={"init": "0.6", **COLORS}[w])
    axes[0].set_xticks(np.arange(3) + width)
    axes[0].set_xticklabels(["W1 (784-1000)", "W2 (1000-500)", "W3 (500-10)"], fontsize=7)
    axes[0].set_yscale("log")
    axes[0].set_ylabel("||dL/dW|| (mean loss, 1000 images)")
    axes[0].legend(fontsize=7)
    for w in whens:
        for layer, ls in (("layer1", "-"), ("layer2", "--"), ("end_to_end", ":")):
            sv = a[f"sv_{w}_{layer}"]
            axes[1].plot(np.arange(1, len(sv) + 1), sv, ls, color={"init": "0.5", **COLORS}[w],
                         label=f"{w}, {layer}")
    axes[1].set_xscale("log")
    axes[1].set_yscale("log")
    axes[1].set_xlabel("index (largest first)")
    axes[1].set_ylabel("singular value of the Jacobian")
    axes[1].legend(fontsize=6, ncol=3)
    fig.suptitle("gradient norms per layer and singular values of dh1/dx, dh2/dh1 and dz/dx", fontsize=9)
    fig.tight_layout()
    save_figure(fig, path)


def main(args):
    res, a = load_run(args.results)
    os.makedirs(args.out_dir, exist_ok=True)
    error_figure(res, a, os.path.join(args.out_dir, "error_vs_epoch.png"))
    deformation_figure(a, os.path.join(args.out_dir, "deformations.png"))
    misclassified_figure(res, a, os.path.join(args.out_dir, "misclassified.png"))
    diagnostics_figure(res, a, os.path.join(args.out_dir, "gradients_and_jacobians.png"))
    print(f"wrote 4 figures to {args.out_dir}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
