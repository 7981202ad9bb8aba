"""Figures of the saved relational-nem-bouncing-balls run: groupings of test sequences by R-NEM and
RNN-EM (4 balls and 6-8 balls), BCE and AMI per step, the training curves, the rollouts, and the
Lyapunov spectra of the learned rollouts against the simulator's.

    python3 visualize_relational_nem_bouncing_balls.py      # results.json + results.npz -> viz/*.png
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

SIDE = 24
SLOT_COLOURS = np.array([[0.12, 0.47, 0.71], [1.0, 0.5, 0.05], [0.17, 0.63, 0.17], [0.84, 0.15, 0.16],
                         [0.58, 0.4, 0.74], [0.55, 0.34, 0.29], [0.89, 0.47, 0.76], [0.74, 0.74, 0.13]])
BALL_COLOURS = np.vstack([[1.0, 1.0, 1.0], SLOT_COLOURS[::-1]])
NAMES = {"rnem": "R-NEM", "rnn": "RNN-EM"}
MODEL_COLOURS = {"rnem": "tab:green", "rnn": "tab:red", "simulator": "black"}


def slot_image(slot, x):
    """RGB (24, 24, 3): each pixel of the frame x (D,) coloured by the slot that owns it (D,)."""
    rgb = SLOT_COLOURS[np.asarray(slot, int) % len(SLOT_COLOURS)]
    return np.where(x[:, None] > 0, rgb, 1.0).reshape(SIDE, SIDE, 3)


def ball_image(labels, x):
    rgb = BALL_COLOURS[np.asarray(labels, int)]
    rgb[(labels == 0) & (x > 0)] = [0.3, 0.3, 0.3]
    return rgb.reshape(SIDE, SIDE, 3)


def gray(v):
    return np.asarray(v, float).reshape(SIDE, SIDE) / 255.0


def _show(ax, im, title=None, cmap=None):
    ax.imshow(im, cmap=cmap, vmin=0, vmax=1, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=6)


def groupings(a, T, out):
    steps = sorted({1, max(1, T // 4), max(1, T // 2), T})
    fig, axes = plt.subplots(4, 3 * len(steps), figsize=(1.0 * 3 * len(steps), 4.6))
    for row, (test, i) in enumerate((("4", 0), ("4", 1), ("678", 0), ("678", 1))):
        for j, t in enumerate(steps):
            x = a[f"x_{test}"][t, i] / 255.0
            cells = [(ball_image(a[f"labels_{test}"][t, i], x), f"frame {t}: balls"),
                     (slot_image(a[f"rnem_{test}_slot"][t - 1, i], x), "R-NEM slots"),
                     (slot_image(a[f"rnn_{test}_slot"][t - 1, i], x), "RNN-EM slots")]
            for c, (im, title) in enumerate(cells):
                _show(axes[row, 3 * j + c], im, title if row == 0 else None)
        axes[row, 0].set_ylabel("4 balls" if test == "4" else "6-8 balls", fontsize=7)
    fig.suptitle("Grouping of the predicted frame (argmax gamma; one colour per slot), test sequences",
                 fontsize=8)
    fig.tight_layout()
    save_figure(fig, os.path.join(out, "groupings.png"))


def per_step(res, out):
    M = res["metrics"]
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    for cell in ("rnem", "rnn"):
        for test, ls in (("4", "-"), ("678", "--")):
            lab = f"{NAMES[cell]}, {'4 balls K=5' if test == '4' else '6-8 balls K=8'}"
            b, s = M[f"{cell}_{test}_bce_per_step"], M[f"{cell}_{test}_ami_per_step"]
            steps = np.arange(1, len(b) + 1)
            axes[0].plot(steps, b, ls, color=MODEL_COLOURS[cell], label=lab)
            axes[1].plot(steps, s, ls, color=MODEL_COLOURS[cell], label=lab)
    axes[0].axhline(M["density_4_bce_last10"], color="gray", lw=0.8, label="constant density, 4 balls")
    axes[0].set(xlabel="step (frame)", ylabel="next-frame BCE (nats per frame)", title="prediction")
    axes[1].set(xlabel="step (frame)", ylabel="AMI", title="grouping", ylim=(-0.05, 1.0))
    axes[0].legend(fontsize=6)
    fig.tight_layout()
    save_figure(fig, os.path.join(out, "per_step.png"))


def training(a, out):
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.0))
    for cell in ("rnem", "rnn"):
        loss, curve = a[f"{cell}_loss"], a[f"{cell}_curve"]
        axes[0].plot(loss, color=MODEL_COLOURS[cell], lw=0.6, label=NAMES[cell])
        axes[1].plot(curve[:, 0], curve[:, 1], "o-", color=MODEL_COLOURS[cell], label=NAMES[cell])
        axes[2].plot(curve[:, 0], curve[:, 2], "o-", color=MODEL_COLOURS[cell], label=NAMES[cell])
    axes[0].set(xlabel="batch", ylabel="training loss", title="loss per batch")
    axes[1].set(xlabel="training sequences", ylabel="BCE, last 10 steps", title="probe (24 test sequences)")
    axes[2].set(xlabel="training sequences", ylabel="AMI, last 10 steps", title="probe (24 test sequences)")
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, os.path.join(out, "training.png"))


def rollouts(res, a, out):
    T = res["config"]["steps"]
    R = a["rnem_4_rollout"].shape[0]
    show = list(range(0, R, max(1, R // 5)))[:5]
    fig = plt.figure(figsize=(9, 4.2))
    gs = fig.add_gridspec(3, len(show) + 2)
    for j, r in enumerate(show):
        _show(fig.add_subplot(gs[0, j]), gray(a["x_4"][T + 1 + r, 0]), f"true frame {T + 1 + r}", "gray_r")
        _show(fig.add_subplot(gs[1, j]), gray(a["rnem_4_rollout"][r, 0]), "R-NEM", "gray_r")
        _show(fig.add_subplot(gs[2, j]), gray(a["rnn_4_rollout"][r, 0]), "RNN-EM", "gray_r")
    ax = fig.add_subplot(gs[:, len(show):])
    M = res["metrics"]
    for cell in ("rnem", "rnn"):
        ax.plot(np.arange(1, R + 1), M[f"{cell}_4_rollout_bce"], "o-", color=MODEL_COLOURS[cell],
                label=NAMES[cell])
    ax.set(xlabel="rollout step", ylabel="BCE against the true frame", title="rollout, 4 balls")
    ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, os.path.join(out, "rollout.png"))


def lyapunov(res, a, out):
    fig, ax = plt.subplots(figsize=(5.5, 3.2))
    for j, name in enumerate(("simulator", "rnem", "rnn")):
        ex = a[f"lyap_{name}"]
        k = np.arange(1, ex.shape[1] + 1)
        ax.errorbar(k + 0.15 * (j - 1), ex.mean(0), yerr=ex.std(0), fmt="o", color=MODEL_COLOURS[name],
                    label={"simulator": "simulator (hard disks)", **NAMES}.get(name, name), capsize=2)
    ax.axhline(0, color="gray", lw=0.8)
    ax.set(xlabel="exponent index", ylabel="Lyapunov exponent (per frame)",
           title="rollout dynamics vs the simulator (mean, sd over sequences)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, os.path.join(out, "lyapunov.png"))


def main(args):
    res, a = load_run(args.results)
    os.makedirs(args.out_dir, exist_ok=True)
    T = res["config"]["steps"]
    groupings(a, T, args.out_dir)
    per_step(res, args.out_dir)
    training(a, args.out_dir)
    rollouts(res, a, args.out_dir)
    lyapunov(res, a, args.out_dir)
    print(f"wrote 5 figures to {args.out_dir}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
