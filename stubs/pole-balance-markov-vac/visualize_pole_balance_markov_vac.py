"""Static figures of pole balancing through a vector-valued adaptive critic (from the saved run;
never trains).

    viz/learning.png     mean trial length per block of steps (median and quartiles over runs), per group
    viz/balanced.png     share of runs that have had a 1000-step trial, against on-line steps, per group
    viz/causes.png       what ends the trials (pole or track) as learning goes on, vector vs scalar
    viz/eigenvalues.png  eigenvalues of every final controller's closed loop linearised at upright
    viz/film.png         the noise-free controller of the filmed run from a 3-degree tilt

    python3 visualize_pole_balance_markov_vac.py     # results.json + results.npz -> viz/*.png
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np

from shared.cli import make_artifact_parser, run
from shared.figures import save_figure
from shared.results import load_run

COL = ("tab:red", "tab:blue", "tab:orange", "tab:green", "tab:purple", "tab:cyan")


def block_of(cfg):
    """Steps per point of the curves: 40 points over the run."""
    return max(1, cfg["steps"] // 40)


def group_names(res):
    return [k for k in res["metrics"] if " vs " not in k and k != "timing"]


def failures_per_block(a, steps, B, BLOCK):
    """(blocks, B) failures of each run in each block of BLOCK steps."""
    nb = max(1, steps // BLOCK)
    F = np.zeros((nb, B))
    blk = np.minimum((a["trial_end"] - 1) // BLOCK, nb - 1)
    np.add.at(F, (blk, a["trial_run"]), 1)
    return F


def reach_step(a, cfg, B):
    """The step at which each run first completed cfg['long'] steps in one trial (-1: never)."""
    out = np.full(B, -1)
    for b in range(B):
        k = int(a["first_long"][b])
        if k < 0:
            continue
        ends = a["trial_end"][a["trial_run"] == b]
        start = int(ends[k - 1]) if k > 0 else 0
        out[b] = start + cfg["long"]
    return out


def learning(res, a, out):
    cfg, names = res["config"], group_names(res)
    B, BLOCK = len(a["gid"]), block_of(cfg)
    F = failures_per_block(a, cfg["steps"], B, BLOCK)
    L = np.minimum(BLOCK / np.maximum(F, 1), BLOCK)       # mean trial length in the block (capped)
    x = (np.arange(len(F)) + 0.5) * BLOCK
    fig, ax = plt.subplots(figsize=(7.2, 4.2))
    for g, name in enumerate(names):
        Lg = L[:, a["gid"] == g]
        q1, med, q3 = np.percentile(Lg, [25, 50, 75], axis=1)
        ax.plot(x, med, color=COL[g], lw=2, label=name)
        ax.fill_between(x, q1, q3, color=COL[g], alpha=0.12)
    ax.axvline(cfg["warmup"], color="0.6", lw=0.8, ls="--")
    ax.text(cfg["warmup"], ax.get_ylim()[1] * 0.95, " controller starts learning", fontsize=7, color="0.4")
    ax.set_yscale("log")
    ax.set_xlabel("on-line step (0.02 s each)")
    ax.set_ylabel(f"mean trial length per {BLOCK}-step block (steps)")
    ax.set_title(f"Trial length while learning ({cfg['runs']} runs per group: median, quartiles)",
                 fontsize=10)
    ax.legend(fontsize=8)
    save_figure(fig, out / "learning.png")


def balanced(res, a, out):
    cfg, names = res["config"], group_names(res)
    B = len(a["gid"])
    rs = reach_step(a, cfg, B)
    steps = np.linspace(0, cfg["steps"], 201)
    fig, ax = plt.subplots(figsize=(7.0, 4.0))
    for g, name in enumerate(names):
        r = rs[a["gid"] == g]
        frac = [((r >= 0) & (r <= s)).mean() for s in steps]
        ax.plot(steps, frac, color=COL[g], lw=2, label=f"{name} ({int((r >= 0).sum())}/{len(r)})")
    ax.axvline(cfg["warmup"], color="0.6", lw=0.8, ls="--")
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("on-line step")
    ax.set_ylabel(f"share of runs with a {cfg['long']}-step trial")
    ax.set_title("Runs that have balanced for 20 s, against learning time", fontsize=10)
    ax.legend(fontsize=8, loc="upper left")
    save_figure(fig, out / "balanced.png")


def causes(res, a, out):
    cfg, names = res["config"], group_names(res)
    BLOCK = block_of(cfg)
    nb = max(1, cfg["steps"] // BLOCK)
    x = (np.arange(nb) + 0.5) * BLOCK
    fig, axes = plt.subplots(2, 2, figsize=(9.0, 6.4), sharey=True, sharex=True)
    for ax, g in zip(axes.ravel(), (0, 1, 4, 5), strict=True):
        m = a["gid"][a["trial_run"]] == g
        blk = np.minimum((a["trial_end"][m] - 1) // BLOCK, nb - 1)
        tot = np.bincount(blk, minlength=nb)
        track = np.bincount(blk, weights=(a["trial_cause"][m] >= 2).astype(float), minlength=nb)
        ax.plot(x, track / np.maximum(tot, 1), color=COL[g], lw=2)
        ax.axvline(cfg["warmup"], color="0.6", lw=0.8, ls="--")
        ax.set_title(f"{names[g]}: share of trials ended by the track", fontsize=9)
    for ax in axes[1]:
        ax.set_xlabel("on-line step")
    for ax in axes[:, 0]:
        ax.set_ylabel("track failures / all failures")
    axes[0, 0].set_ylim(-0.02, 1.02)
    save_figure(fig, out / "causes.png")


def eigenvalues(res, a, out):
    names = group_names(res)
    lam = a["lam_re"] + 1j * a["lam_im"]
    bal = a["first_long"] >= 0
    fig, axes = plt.subplots(2, 2, figsize=(9.0, 8.0))
    th = np.linspace(0, 2 * np.pi, 200)
    for ax, g in zip(axes.ravel(), (0, 1, 4, 5), strict=True):
        ax.plot(np.cos(th), np.sin(th), color="0.6", lw=0.8)
        for ok, mk in ((True, "o"), (False, "x")):
            sel = (a["gid"] == g) & (bal == ok)
            z = lam[sel].ravel()
            ax.plot(z.real, z.imag, mk, color=COL[g], ms=4, alpha=0.7,
                    label="runs that balanced" if ok else "runs that did not")
        ax.set_title(f"{names[g]}: final controllers linearised at upright", fontsize=9)
        ax.set_xlabel("Re lambda")
        ax.set_ylabel("Im lambda")
        ax.set_aspect("equal")
        ax.legend(fontsize=7, loc="lower left")
    save_figure(fig, out / "eigenvalues.png")


def film(res, a, out):
    S, f, q = a["film_states"], a["film_force"], a["film_q"]
    t = np.arange(len(S)) * 0.02
    fig, axes = plt.subplots(4, 1, figsize=(7.0, 7.0), sharex=True)
    axes[0].plot(t, np.degrees(S[:, 2]), color="k")
    axes[0].axhline(12, color="0.6", ls=":")
    axes[0].axhline(-12, color="0.6", ls=":")
    axes[0].set_ylabel("theta (deg)")
    axes[1].plot(t, S[:, 0], color="k")
    axes[1].axhline(2.4, color="0.6", ls=":")
    axes[1].axhline(-2.4, color="0.6", ls=":")
    axes[1].set_ylabel("x (m)")
    axes[2].plot(t, f, color="0.3")
    axes[2].set_ylabel("force (N)")
    axes[3].plot(t, q[:, 0], color="tab:red", label="predicted pole pain")
    axes[3].plot(t, q[:, 1], color="tab:purple", label="predicted track pain")
    axes[3].set_ylabel("critic Q_k(s, mu(s))")
    axes[3].legend(fontsize=7)
    axes[3].set_xlabel("time (s)")
    r = int(a["film_run"])
    axes[0].set_title(f"Noise-free final controller of vector run {r} from a 3-degree tilt "
                      f"({len(S)} steps)", fontsize=10)
    save_figure(fig, out / "film.png")


def main(args):
    res, a = load_run(args.results)
    out = pathlib.Path(args.out_dir)
    for fn in (learning, balanced, causes, eigenvalues, film):
        fn(res, a, out)
    print(f"wrote 5 figures to {out}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
