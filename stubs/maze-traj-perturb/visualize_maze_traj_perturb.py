"""Static figures of the trajectory-perturbation run, read from its saved results (never retrains).

    python3 visualize_maze_traj_perturb.py     # reads results.json + results.npz, writes viz/*.png
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

BASE, PERT, BASEC = "tab:blue", "tab:red", "tab:cyan"


def paired(res, a, out):
    """Best-checkpoint and final exact per seed, both arms, lines joining the paired seeds."""
    cfg = res["config"]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for ax, kind in zip(axes, ("best", "final"), strict=True):
        b, p, bc = a[f"{kind}_base"], a[f"{kind}_pert"], a[f"{kind}_basec"]
        x = np.array([0, 1, 2])
        for s in range(len(b)):
            ax.plot(x, [b[s], p[s], bc[s]], "-", color="gray", alpha=0.5, lw=1)
            ax.plot(x, [b[s], p[s], bc[s]], "o", color="k", ms=3)
        for xi, v, c in zip(x, (b, p, bc), (BASE, PERT, BASEC), strict=True):
            ax.plot([xi - 0.2, xi + 0.2], [v.mean()] * 2, color=c, lw=3)
        ax.set_xticks(x, [f"baseline\n{cfg['steps']} steps",
                          f"perturbed (K={cfg['K']})\n{cfg['steps']} steps",
                          f"baseline\n{cfg['K'] * cfg['steps']} steps (equal compute)"], fontsize=8)
        c = res["metrics"]["comparisons"][f"eq_steps_{kind}_exact"]
        ax.set_title(f"{kind} checkpoint: Delta (equal steps) {100 * c['mean']:+.1f} pp, "
                     f"p1 = {c['p_one_sided']:.3f}", fontsize=9)
    axes[0].set_ylabel(f"EMA test exact@{cfg['n_sup']} (first {cfg['n_curve']} test mazes)")
    fig.suptitle(f"paired seeds (gray lines), sigma {cfg['sigma']}; bars = means", fontsize=10)
    fig.tight_layout()
    save_figure(fig, out / "paired_delta.png")


def curves(res, a, out):
    """EMA test exact@N_sup on the curve mazes while training, against steps and against compute."""
    cfg = res["config"]
    K = cfg["K"]
    sb, eb = a["curve_step_base"], a["curve_exact_base"][:, :, -1]            # (C, S)
    sp, ep = a["curve_step_pert"], a["curve_exact_pert"][:, :, -1]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    for ax, scale, xlabel in ((axes[0], 1, "optimizer step"),
                              (axes[1], K, "rollout-steps per slot (compute; perturbed = K x steps)")):
        for s in range(eb.shape[1]):
            ax.plot(sb, eb[:, s], "-", color=BASE, alpha=0.3, lw=1)
            ax.plot(sp * scale, ep[:, s], "-", color=PERT, alpha=0.3, lw=1)
        ax.plot(sb, eb.mean(1), "o-", color=BASE, lw=2, ms=3, label="baseline (mean)")
        ax.plot(sp * scale, ep.mean(1), "o-", color=PERT, lw=2, ms=3, label=f"perturbed K={K} (mean)")
        ax.axvline(cfg["steps"] * scale, color="gray", ls=":", lw=1)
        ax.set(xlabel=xlabel)
        ax.legend(fontsize=8)
    axes[0].set(ylabel=f"EMA test exact@{cfg['n_sup']} (first {cfg['n_curve']} test mazes)",
                title="equal optimizer steps", ylim=(0, 1))
    axes[1].set(title="equal compute")
    fig.tight_layout()
    save_figure(fig, out / "curves.png")


def ftle(res, a, out):
    """Number of positive exponents (of the top k) per maze, solved vs unsolved, per arm; lambda1."""
    names = (("base", "baseline", BASE), ("pert", "perturbed", PERT), ("basec", "baseline x K steps", BASEC))
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4))
    k = a["lam_pert"].shape[-1]
    for i, (key, label, c) in enumerate(names):
        lam, ok = a[f"lam_{key}"], a[f"lamok_{key}"].astype(bool)
        npos = (lam > 0).sum(-1)
        for j, (sel, tag) in enumerate(((ok, "solved"), (~ok, "unsolved"))):
            v = npos[sel]
            if v.size:
                ax.bar(3 * i + j, v.mean(), color=c, alpha=1.0 if j == 0 else 0.45,
                       label=f"{label}, {tag} (n={v.size})")
        l1 = lam[..., 0]
        rng = np.random.default_rng(0)
        for j, (sel, mk) in enumerate(((ok, "o"), (~ok, "x"))):
            if sel.any():
                jitter = 0.15 * rng.standard_normal(sel.sum())
                bx.plot(3 * i + j + jitter, l1[sel], mk, color=c, ms=3, alpha=0.6)
    ax.set(ylabel=f"positive exponents of the top {k}, mean per maze", xticks=[],
           title="positive-exponent count (best checkpoints)")
    ax.legend(fontsize=7)
    bx.axhline(0, color="gray", lw=0.8)
    bx.set_xticks([0.5, 3.5, 6.5], [n[1] for n in names], fontsize=8)
    bx.set(ylabel="lambda1 per sub-update", title="lambda1 per maze (o solved, x unsolved)")
    fig.tight_layout()
    save_figure(fig, out / "ftle.png")


def carries(res, a, out):
    """Training-batch exact rate of each carry and the rms spread of the perturbed answers."""
    te, sp = a["train_exact_pert"], a["spread_pert"]
    w = max(1, len(sp) // 30)

    def sm(v):
        return np.convolve(v, np.ones(w) / w, mode="valid")
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 3.8))
    x = np.arange(len(sm(sp))) + w
    for k in range(te.shape[1]):
        ax.plot(x, sm(te[:, k]), lw=1.5 if k == 0 else 1,
                label="clean carry" if k == 0 else f"perturbed carry {k}")
    ax.plot(x, sm(a["train_exact_base"][:len(sp), 0]), "k--", lw=1, label="baseline (same steps)")
    ax.set(xlabel="optimizer step", ylabel="exact on the training batch (running mean)",
           title="training exact per carry")
    ax.legend(fontsize=7)
    bx.plot(x, sm(sp), color=PERT)
    bx.set(xlabel="optimizer step", ylabel="rms |y_k - y_clean| after the step", yscale="log",
           title=f"perturbed answers' distance from the clean one (sigma {res['config']['sigma']})")
    fig.tight_layout()
    save_figure(fig, out / "carries.png")


def main(args):
    res, a = load_run(args.results)
    out = pathlib.Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paired(res, a, out)
    curves(res, a, out)
    ftle(res, a, out)
    carries(res, a, out)


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
