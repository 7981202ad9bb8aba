"""Figures of the World Models car-racing run, from the saved results (never retrains).

    drives.png     the first test tracks with the paths of C(z, h) and C(z)
    scores.png     scores over the unseen test tracks: C(z, h), C(z), C(z) with a hidden layer, the random
                   policy (the paper's means marked)
    evolution.png  CMA-ES: population mean and best fitness per generation, the three controllers
    vae_m.png      V's frames and reconstructions, V's loss and M's NLL during training
    lyapunov.png   M's Lyapunov spectrum along the latent sequences of C(z, h)'s test drives
    dream.png      C(z, h) driving inside M's dream (temperature 1), decoded by V, beside the real drive

    python3 visualize_world_models_carracing.py      # results.json + results.npz -> viz/*.png
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

COLORS = {"zh": "tab:red", "z": "tab:blue", "z_hidden": "tab:green", "random": "0.5"}
LABELS = {"zh": "C(z, h)", "z": "C(z)", "z_hidden": "C(z) + hidden layer", "random": "random policy"}


def road_band(ax, centre, half_width):
    """The road as a grey band: the centre line offset by +-half_width along its normals."""
    d = np.gradient(centre, axis=0)
    n = np.stack([-d[:, 1], d[:, 0]], 1) / np.linalg.norm(d, axis=1, keepdims=True)
    outer, inner = centre + half_width * n, centre - half_width * n
    ax.fill(np.r_[outer[:, 0], inner[::-1, 0]], np.r_[outer[:, 1], inner[::-1, 1]], color="0.82", lw=0)
    ax.plot(centre[:, 0], centre[:, 1], color="w", lw=0.6, ls="--")


def drives(res, a, out):
    k = min(4, a["centre"].shape[0])
    fig, axes = plt.subplots(1, k, figsize=(3.1 * k, 3.3))
    axes = np.atleast_1d(axes)
    for i, ax in enumerate(axes):
        road_band(ax, a["centre"][i], res["config"]["road_half_width"])
        for key in ("zh", "z"):
            pos, alive = a[f"pos_{key}"][:, i], a[f"alive_{key}"][:, i]
            ax.plot(pos[alive, 0], pos[alive, 1], color=COLORS[key], lw=1.1, label=LABELS[key])
        ax.plot(*a["centre"][i, 0], "ko", ms=4)
        ax.set(aspect="equal", xticks=[], yticks=[], title=f"test track {i + 1}")
    axes[0].legend(fontsize=7, loc="lower left")
    fig.suptitle("Paths on unseen tracks until the lap ends or the step limit (start: black dot)", fontsize=9)
    fig.tight_layout()
    save_figure(fig, os.path.join(out, "drives.png"))


def scores(res, a, out):
    e, paper = res["metrics"]["eval"], res["metrics"]["paper"]
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    bins = np.linspace(min(a["scores_random"].min(), -100), 1000, 45)
    for key in ("random", "z", "z_hidden", "zh"):
        ax.hist(a[f"scores_{key}"], bins=bins, alpha=0.55, color=COLORS[key],
                label=f"{LABELS[key]}: {e[key]['mean']:.0f} ± {e[key]['sd']:.0f}")
    for key, ls in (("zh", "-"), ("z", "--"), ("z_hidden", "-.")):
        ax.axvline(paper[key][0], color=COLORS[key], ls=ls, lw=1,
                   label=f"paper {LABELS[key]}: {paper[key][0]}")
    ax.axvline(900, color="k", lw=0.6, ls=":")
    ax.set(xlabel="score on one unseen track", ylabel="tracks",
           title=f"{res['config']['eval_tracks']} unseen tracks (dotted: 900, Gym's bar)")
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    save_figure(fig, os.path.join(out, "scores.png"))


def evolution(res, a, out):
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    g = np.arange(1, len(a["cma_zh_best"]) + 1)
    for key in ("zh", "z", "z_hidden"):
        ax.plot(g, a[f"cma_{key}_pop_mean"], color=COLORS[key], lw=1, label=f"{LABELS[key]}: population mean")
        ax.plot(g, a[f"cma_{key}_best"], color=COLORS[key], lw=0.8, ls=":", label=f"{LABELS[key]}: best")
    c = res["config"]
    ax.set(xlabel="generation", ylabel=f"mean score on {c['rollouts']} tracks",
           title=f"CMA-ES, population {c['pop']}, new tracks every generation")
    ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, os.path.join(out, "evolution.png"))


def vae_m(res, a, out):
    F = res["config"]["frame"]
    n = a["sample"].shape[0]
    fig = plt.figure(figsize=(7.5, 4.6))
    gs = fig.add_gridspec(4, 2 * n, height_ratios=[1, 1, 2.2, 0.2])
    for i in range(n):
        for row, key in enumerate(("sample", "sample_recon")):
            ax = fig.add_subplot(gs[row, 2 * i:2 * i + 2])
            ax.imshow(a[key][i].reshape(F, F), cmap="gray", vmin=0, vmax=255)
            ax.set(xticks=[], yticks=[])
            if i == 0:
                ax.set_ylabel("frame" if row == 0 else "V(frame)", fontsize=7)
    ax = fig.add_subplot(gs[2, :n - 1])
    ax.plot(a["vae_curve"], lw=0.5, color="k")
    ax.set(xlabel="Adam step", ylabel="loss per frame", title="V: L2 + KL", yscale="log")
    ax = fig.add_subplot(gs[2, n + 1:])
    ax.plot(a["m_curve"], lw=0.5, color="k", label="training windows (sampled z)")
    ax.axhline(res["metrics"]["m_nll_held_out"], color="tab:green", lw=0.8,
               label="held out (posterior means)")
    ax.set(xlabel="Adam step", ylabel="NLL per latent", title="M: mixture NLL of the next z")
    ax.legend(fontsize=6)
    fig.subplots_adjust(left=0.08, right=0.98, top=0.95, bottom=0.08, hspace=0.5)
    save_figure(fig, os.path.join(out, "vae_m.png"))


def lyapunov(res, a, out):
    lam = a["lyapunov"]
    fig, ax = plt.subplots(figsize=(5.2, 3.0))
    for row in lam:
        ax.plot(np.arange(1, lam.shape[1] + 1), row, color="0.6", lw=0.7, marker=".")
    ax.plot(np.arange(1, lam.shape[1] + 1), lam.mean(0), color="k", lw=1.4, marker="o", label="mean")
    ax.axhline(0, color="k", lw=0.5, ls=":")
    ax.set(xlabel="exponent index", ylabel="per step",
           title=f"M's LSTM state along {lam.shape[0]} real latent sequences")
    ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, os.path.join(out, "lyapunov.png"))


def dream(res, a, out):
    F, n = res["config"]["frame"], 10
    rows = [("dream", "M's dream (V decodes)"), ("dream_real", "the real drive")]
    fig, axes = plt.subplots(2, n, figsize=(1.0 * n, 2.4))
    for r, (key, label) in enumerate(rows):
        frames = a[key]
        idx = np.linspace(0, len(a["dream"]) - 1, n).astype(int)
        for j, t in enumerate(idx):
            ax = axes[r, j]
            if t < len(frames):
                ax.imshow(frames[t].reshape(F, F), cmap="gray", vmin=0, vmax=255)
            ax.set(xticks=[], yticks=[])
            if r == 0:
                ax.set_title(f"+{t + 1}", fontsize=7)
        axes[r, 0].set_ylabel(label, fontsize=7)
    fig.suptitle("C(z, h) driving inside M (z sampled at temperature 1) from the same start as a real "
                 "test drive", fontsize=8)
    fig.tight_layout()
    save_figure(fig, os.path.join(out, "dream.png"))


def main(args):
    res, a = load_run(args.results)
    for fig in (drives, scores, evolution, vae_m, lyapunov, dream):
        fig(res, a, args.out_dir)
    print(f"wrote 6 figures to {args.out_dir}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
