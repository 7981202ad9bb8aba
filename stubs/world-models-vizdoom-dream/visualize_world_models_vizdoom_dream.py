"""Figures of the World Models Take Cover run, from the saved results (never retrains).

    temperature.png  dream score and real score per tau (mean +- sd over the test episodes), the
                     paper's table beside, the random policy and the solved bar
    scores.png       survival histograms in the game, per tau and for the random policy
    evolution.png    CMA-ES inside the dream: population mean and best per generation, per tau
    vae_m.png        data frames and V's reconstructions; V's loss; M's mixture NLL and death loss
    drift.png        dream against reality: squared distance of dreamt to real latents, per step
                     after the dream starts, per tau
    lyapunov.png     M's Lyapunov spectrum along real games of the tau = 1.15 controller

    python3 visualize_world_models_vizdoom_dream.py      # results.json + results.npz -> viz/*.png
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

COLORS = plt.cm.coolwarm(np.linspace(0, 1, 5))


def temperature(res, a, out):
    m, taus = res["metrics"], res["config"]["taus"]
    cap = m["cap"]
    fig, axes = plt.subplots(1, 2, figsize=(9.0, 3.4))
    x = np.arange(len(taus))
    for ax, key, title in ((axes[0], "here", f"here (cap {cap})"), (axes[1], "paper", "paper (cap 2100)")):
        if key == "here":
            d = [m["per_tau"][f"{t:g}"]["dream"] for t in taus]
            r = [m["per_tau"][f"{t:g}"]["real"] for t in taus]
            dm, ds = [v["mean"] for v in d], [v["sd"] for v in d]
            rm, rs = [v["mean"] for v in r], [v["sd"] for v in r]
            rand, bar = m["random_real"]["mean"], m["solved_bar"]
        else:
            tab = m["paper"]["table"]
            dm, ds = [tab[f"{t:g}"][0][0] for t in taus], [tab[f"{t:g}"][0][1] for t in taus]
            rm, rs = [tab[f"{t:g}"][1][0] for t in taus], [tab[f"{t:g}"][1][1] for t in taus]
            rand, bar = m["paper"]["random"][0], m["paper"]["solved"]
        ax.bar(x - 0.2, dm, 0.38, yerr=ds, color="tab:purple", alpha=0.7, label="score in the dream",
               error_kw={"lw": 0.8})
        ax.bar(x + 0.2, rm, 0.38, yerr=rs, color="tab:green", alpha=0.8, label="score in the game",
               error_kw={"lw": 0.8})
        ax.axhline(rand, color="0.4", ls=":", lw=1, label="random policy (game)")
        ax.axhline(bar, color="k", ls="--", lw=0.8, label="solved bar")
        ax.set_xticks(x, [f"{t:g}" for t in taus])
        ax.set(xlabel="temperature tau of the dream", ylabel="steps survived", title=title)
        ax.set_ylim(bottom=0)
    axes[0].legend(fontsize=7, loc="best")
    fig.suptitle("Trained only in the dream: score in the dream vs in the real game, mean ± sd over the test "
                 "episodes", fontsize=9)
    fig.tight_layout()
    save_figure(fig, os.path.join(out, "temperature.png"))


def scores(res, a, out):
    taus, cap = res["config"]["taus"], res["metrics"]["cap"]
    fig, ax = plt.subplots(figsize=(6.6, 3.4))
    bins = np.linspace(0, cap, 26)
    for j, t in enumerate(taus):
        ax.hist(a["scores_real"][j], bins=bins, histtype="step", color=COLORS[j], lw=1.4,
                label=f"tau = {t:g}")
    ax.hist(a["scores_random_real"], bins=bins, histtype="stepfilled", color="0.8", label="random policy")
    ax.axvline(res["metrics"]["solved_bar"], color="k", ls="--", lw=0.8)
    ax.set(xlabel="steps survived in the game", ylabel="test episodes",
           title="Survival in the real game (dashed: the solved bar, on the mean)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, os.path.join(out, "scores.png"))


def evolution(res, a, out):
    taus = res["config"]["taus"]
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    g = np.arange(1, a["cma_pop_mean"].shape[0] + 1)
    for j, t in enumerate(taus):
        ax.plot(g, a["cma_pop_mean"][:, j], color=COLORS[j], lw=1.3, label=f"tau = {t:g}")
        ax.plot(g, a["cma_best"][:, j], color=COLORS[j], lw=0.7, ls=":")
    ax.set(xlabel="CMA-ES generation", ylabel="dream steps survived",
           title="Inside the dream: population mean (solid) and best (dotted)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, os.path.join(out, "evolution.png"))


def vae_m(res, a, out):
    F = res["config"]["frame"]
    k = a["sample"].shape[0]
    fig = plt.figure(figsize=(9.0, 4.2))
    for i in range(k):
        for r, key in enumerate(("sample", "sample_recon")):
            ax = fig.add_axes([0.01 + i * 0.06, 0.55 - r * 0.27, 0.055, 0.25])
            ax.imshow(a[key][i].reshape(F, F), cmap="gray", vmin=0, vmax=255)
            ax.set(xticks=[], yticks=[])
    fig.text(0.01, 0.83, "data frames (top) and V's reconstructions", fontsize=8)
    ax = fig.add_axes([0.56, 0.58, 0.4, 0.33])
    ax.plot(a["vae_curve"], lw=0.6, color="tab:blue")
    ax.set(title="V: loss per frame", xlabel="Adam step")
    ax = fig.add_axes([0.56, 0.1, 0.4, 0.33])
    ax.plot(a["m_curve_z"], lw=0.6, color="tab:orange", label="mixture NLL per latent")
    ax.plot(a["m_curve_done"], lw=0.6, color="tab:red", label="death loss")
    ax.set(title="M: training losses", xlabel="Adam step")
    ax.legend(fontsize=7)
    save_figure(fig, os.path.join(out, "vae_m.png"))


def drift(res, a, out):
    taus = res["config"]["taus"]
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    k = np.arange(1, a["drift"].shape[1] + 1)
    for j, t in enumerate(taus):
        ax.plot(k, a["drift"][j], color=COLORS[j], lw=1.4, label=f"tau = {t:g}")
    ax.axhline(float(a["drift_level"]), color="0.4", ls=":", lw=1, label="two unrelated real latents")
    ax.set(xlabel="steps after the dream leaves the real history",
           ylabel="mean squared distance per latent", title="Dream against reality (real actions replayed)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, os.path.join(out, "drift.png"))


def lyapunov(res, a, out):
    lam = a["lyapunov"]
    fig, ax = plt.subplots(figsize=(5.4, 3.2))
    idx = np.arange(1, lam.shape[1] + 1)
    for row in lam:
        ax.plot(idx, row, color="0.7", lw=0.8)
    ax.plot(idx, lam.mean(0), "o-", color="tab:blue", label="mean over games")
    ax.axhline(0, color="k", lw=0.6)
    ax.set(xlabel="exponent index", ylabel="per step",
           title="M's Lyapunov spectrum along real games (tau = 1.15 controller)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, os.path.join(out, "lyapunov.png"))


def main(args):
    res, a = load_run(args.results)
    os.makedirs(args.out_dir, exist_ok=True)
    for f in (temperature, scores, evolution, vae_m, drift, lyapunov):
        f(res, a, args.out_dir)
    print(f"wrote {args.out_dir}/*.png")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
