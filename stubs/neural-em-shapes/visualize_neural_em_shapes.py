"""Figures of the saved neural-em-shapes run: the grouping of test images across EM steps, AMI
against EM step (trained and untrained), the training curves, each slot's predicted image, the
distribution of per-image AMI, and the Lyapunov spectrum of the trained EM map.

    python3 visualize_neural_em_shapes.py      # results.json + results.npz -> viz/*.png
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

SIDE = 28
SLOT_COLOURS = np.array([[0.12, 0.47, 0.71], [1.0, 0.5, 0.05], [0.17, 0.63, 0.17], [0.84, 0.15, 0.16],
                         [0.58, 0.4, 0.74], [0.55, 0.34, 0.29], [0.89, 0.47, 0.76], [0.5, 0.5, 0.5]])
GROUP_COLOURS = np.array([[1.0, 1.0, 1.0], [0.3, 0.3, 0.3], [0.9, 0.6, 0.0], [0.0, 0.6, 0.9]])


def gamma_image(gamma, x):
    """RGB (28, 28, 3): each foreground pixel coloured by its responsibilities (mix of slot colours),
    background white. gamma (K, 784) in [0, 1], x (784,) in {0, 1}."""
    K = gamma.shape[0]
    rgb = gamma.T @ SLOT_COLOURS[:K]
    rgb = np.where(x[:, None] > 0, rgb, 1.0)
    return rgb.reshape(SIDE, SIDE, 3)


def groups_image(groups, x):
    g = GROUP_COLOURS[np.asarray(groups, int)]
    g[(groups == 0) & (x > 0)] = [0.75, 0.0, 0.75]        # overlap pixels: not scored
    return g.reshape(SIDE, SIDE, 3)


def _clean(ax):
    ax.set_xticks([])
    ax.set_yticks([])


def groupings_figure(res, a, path, n=6):
    """Input, true shapes and the responsibilities at a few EM steps, trained and untrained."""
    T = res["config"]["steps"]
    steps = sorted({1, max(1, T // 3), max(1, 2 * T // 3), T})
    g, gu = a["ex_gamma"] / 255.0, a["ex_gamma_untrained"] / 255.0
    x, groups = a["ex_x"], a["ex_groups"]
    n = min(n, len(x))
    cols = ["noisy input (step 1)", "shapes (magenta: overlap)"] + [f"gamma, step {t}" for t in steps] + \
        [f"untrained, step {T}"]
    fig, axes = plt.subplots(n, len(cols), figsize=(1.35 * len(cols), 1.4 * n))
    for i in range(n):
        row = [a["ex_x_in"][0, i].reshape(SIDE, SIDE) / 255.0, groups_image(groups[i], x[i])]
        row += [gamma_image(g[t, i], x[i]) for t in steps] + [gamma_image(gu[T, i], x[i])]
        for j, im in enumerate(row):
            ax = axes[i, j]
            ax.imshow(im, cmap="gray_r" if im.ndim == 2 else None, vmin=0, vmax=1, interpolation="nearest")
            _clean(ax)
            if i == 0:
                ax.set_title(cols[j], fontsize=6)
    fig.suptitle(f"RNN-EM groupings of test images (AMI at step {T}: {res['metrics']['ami_last']:.3f})",
                 fontsize=8)
    fig.tight_layout()
    save_figure(fig, path)


def ami_steps_figure(res, a, path):
    M = res["metrics"]
    T = res["config"]["steps"]
    fig, ax = plt.subplots(figsize=(5.2, 3.2))
    t = np.arange(1, T + 1)
    ax.plot(t, a["ami_per_step"], "o-", color="tab:blue", label="trained")
    ax.plot(t, a["untrained_ami_per_step"], "s--", color="tab:gray", label="untrained (chance)")
    ax.axhline(0.96, color="k", ls=":", lw=1, label="~0.96: earlier catalog's paper figure (unverified)")
    ax.set_xlabel("EM step")
    ax.set_ylabel(f"AMI, {M['n_test']} test images")
    ax.set_ylim(min(-0.05, float(np.min(a["untrained_ami_per_step"])) - 0.02), 1.02)
    ax.legend(fontsize=7, loc="center right")
    ax.set_title("AMI of argmax gamma against the true shapes, per EM step", fontsize=8)
    fig.tight_layout()
    save_figure(fig, path)


def training_figure(res, a, path):
    loss, curve = a["train_loss"], a["ami_curve"]
    B = res["config"]["batch"]
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(8.4, 3.0))
    seen = np.arange(1, len(loss) + 1) * B
    ax.plot(seen, loss, color="tab:gray", lw=0.5, alpha=0.6)
    k = max(1, len(loss) // 50)
    if len(loss) >= k:
        sm = np.convolve(loss, np.ones(k) / k, mode="valid")
        ax.plot(seen[k - 1:], sm, color="k", lw=1)
    ax.set_xlabel("training images")
    ax.set_ylabel("loss of the last EM step (per image)")
    ax2.plot(curve[:, 0], curve[:, 1], "o-", color="tab:blue")
    ax2.set_xlabel("training images")
    ax2.set_ylabel(f"AMI at step {res['config']['steps']}, {res['config']['eval_images']} test images")
    ax2.set_ylim(min(-0.05, float(curve[:, 1].min()) - 0.02), 1.0)
    fig.tight_layout()
    save_figure(fig, path)


def slots_figure(res, a, path, n=4):
    """Each slot's predicted image psi_k at the last EM step, framed in the slot's colour."""
    T, K = res["config"]["steps"], res["config"]["K"]
    psi = a["ex_psi"][T] / 255.0
    n = min(n, psi.shape[0])
    fig, axes = plt.subplots(n, K + 2, figsize=(1.3 * (K + 2), 1.35 * n))
    for i in range(n):
        axes[i, 0].imshow(a["ex_x"][i].reshape(SIDE, SIDE), cmap="gray_r", vmin=0, vmax=1)
        axes[i, 1].imshow(gamma_image(a["ex_gamma"][T, i] / 255.0, a["ex_x"][i]))
        for k in range(K):
            ax = axes[i, k + 2]
            ax.imshow(psi[i, k].reshape(SIDE, SIDE), cmap="gray_r", vmin=0, vmax=1)
            for s in ax.spines.values():
                s.set_color(SLOT_COLOURS[k])
                s.set_linewidth(2.5)
        for ax in axes[i]:
            _clean(ax)
    for j, t in enumerate(["image", f"gamma, step {T}"] + [f"slot {k + 1}: psi" for k in range(K)]):
        axes[0, j].set_title(t, fontsize=7)
    fig.tight_layout()
    save_figure(fig, path)


def ami_hist_figure(res, a, path):
    fig, ax = plt.subplots(figsize=(4.6, 3.0))
    ax.hist(a["ami_last_per_image"], bins=np.linspace(-0.2, 1.0, 31), color="tab:blue")
    ax.set_xlabel(f"AMI of one test image at step {res['config']['steps']}")
    ax.set_ylabel("test images")
    fig.tight_layout()
    save_figure(fig, path)


def lyapunov_figure(res, a, path):
    T, L = res["config"]["steps"], res["config"]["lyap_steps"]
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(8.4, 3.0))
    for key, lab, c in (("lyap_within", f"steps 2-{T} (trained horizon)", "tab:blue"),
                        ("lyap_beyond", f"steps {T + 1}-{L} (beyond)", "tab:orange"),
                        ("lyap_untrained", f"untrained, steps 2-{T}", "tab:gray")):
        ex = a[key]
        i = np.arange(1, ex.shape[1] + 1)
        ax.plot(i, ex.mean(0), "o-", color=c, label=lab)
        ax.fill_between(i, ex.min(0), ex.max(0), color=c, alpha=0.2)
    ax.axhline(0, color="k", lw=0.8)
    tr = res["metrics"].get("slot_collapse_transverse_exponent_trained_untrained")
    if tr:
        ax.set_title(f"slots started equal drift apart at {tr[0]:.2f} / {tr[1]:.2f} nats per step "
                     f"(trained / untrained)", fontsize=7)
    ax.set_xlabel("exponent index")
    ax.set_ylabel("Lyapunov exponent (nats per EM step)")
    ax.legend(fontsize=7)
    ax2.semilogy(np.arange(2, len(a["lyap_moves"]) + 2), a["lyap_moves"], "o-", ms=3)
    ax2.axvline(T, color="k", ls=":", lw=1)
    ax2.set_xlabel("EM step t")
    ax2.set_ylabel("|h(t) - h(t-1)| (mean over images)")
    fig.tight_layout()
    save_figure(fig, path)


def main(args):
    res, a = load_run(args.results)
    os.makedirs(args.out_dir, exist_ok=True)
    out = lambda name: os.path.join(args.out_dir, name)  # noqa: E731
    groupings_figure(res, a, out("groupings.png"))
    ami_steps_figure(res, a, out("ami_vs_step.png"))
    training_figure(res, a, out("training.png"))
    slots_figure(res, a, out("slots.png"))
    ami_hist_figure(res, a, out("ami_per_image.png"))
    lyapunov_figure(res, a, out("lyapunov.png"))
    print(f"wrote 6 figures to {args.out_dir}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
