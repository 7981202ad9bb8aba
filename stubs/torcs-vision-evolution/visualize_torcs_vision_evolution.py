"""Figures of the saved torcs-vision-evolution run: evaluations to solve against the raw weight
count for DCT and direct coding, the best fitness along each run, the decoded input weights of the
two showcase nets, their laps seen from above, and the Lyapunov spectra of the nets along the lap.

    python3 visualize_torcs_vision_evolution.py     # results.json + results.npz -> viz/*.png
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

COLORS = {"dct": "tab:blue", "direct": "tab:red"}
LABELS = {"dct": "DCT coefficients (CoSyNE)", "direct": "direct weights (CoSyNE)"}


def centre_line(a, p, n=400):
    """The track's centre line and edges from its coefficients (the same formula as the stub's)."""
    phi = np.linspace(0, 2 * np.pi, n)
    k = np.arange(2.0, 5.0)
    ang = k * phi[:, None] + p
    R = 1 + (a * np.cos(ang)).sum(1)
    dR = -(a * k * np.sin(ang)).sum(1)
    x, y = R * np.cos(phi), R * np.sin(phi)
    tx, ty = dR * np.cos(phi) - R * np.sin(phi), dR * np.sin(phi) + R * np.cos(phi)
    nrm = np.hypot(tx, ty)
    return x, y, -ty / nrm, tx / nrm


def draw_track(ax, a, p, half):
    x, y, nx, ny = centre_line(a, p)
    ax.fill(np.r_[x + half * nx, (x - half * nx)[::-1]], np.r_[y + half * ny, (y - half * ny)[::-1]],
            color="0.8", lw=0)
    for s in (1, -1):
        ax.plot(x + s * half * nx, y + s * half * ny, color="0.4", lw=0.8)
    ax.set_aspect("equal")
    ax.axis("off")


def scaling_figure(res, path):
    cells, cap = res["metrics"]["cells"], res["config"]["max_evals"]
    fig, ax = plt.subplots(figsize=(6.2, 4))
    for c in ("dct", "direct"):
        rows = sorted((v for v in cells.values() if v["coding"] == c), key=lambda v: v["raw_weights"])
        xs = [v["raw_weights"] for v in rows]
        med = []
        for v in rows:
            e = np.array(v["evals_to_solve"], float)
            jit = v["raw_weights"] * (1 + 0.06 * (np.linspace(-1, 1, e.size) if e.size > 1 else 0))
            ok = e >= 0
            ax.scatter(jit[ok], e[ok], s=14, color=COLORS[c], alpha=0.6)
            ax.scatter(jit[~ok], np.full((~ok).sum(), cap * 1.15), s=18, marker="x", color=COLORS[c])
            med.append(np.median(np.where(ok, e, np.inf)))
        med = np.array(med)
        ax.plot(xs, np.where(np.isfinite(med), med, cap * 1.15), "-o", color=COLORS[c],
                label=LABELS[c] + ", median")
        for v in rows:
            ax.annotate(f"{v['resolution']}x{v['resolution']}", (v["raw_weights"], 6), fontsize=7,
                        ha="center")
    ax.axhline(cap, color="k", ls=":", lw=0.8)
    ax.text(rows[0]["raw_weights"] * 0.8, cap * 1.25, "x: unsolved at the cap", fontsize=7)
    ax.set(xscale="log", yscale="log", ylim=(4, cap * 1.6), xlabel="raw weights of the recurrent net",
           ylabel="evaluations to solve")
    ax.set_title(f"CoSyNE on the driver's view: {res['config']['runs']} runs per point, cap {cap:,}",
                 fontsize=9)
    ax.legend(fontsize=7, loc="center left")
    fig.tight_layout()
    save_figure(fig, path)


def fitness_figure(res, a, path):
    rs = [int(r) for r in res["config"]["resolutions"]]
    fig, axes = plt.subplots(1, len(rs), figsize=(2.6 * len(rs), 2.8), sharey=True)
    for ax, r in zip(np.atleast_1d(axes), rs, strict=True):
        for c in ("dct", "direct"):
            for i in range(res["config"]["runs"]):
                t = a[f"trace_{c}_{r}_{i}"]
                ax.plot(t[:, 0], t[:, 1], color=COLORS[c], lw=0.8, alpha=0.6)
        ax.set(xlabel="evaluations", title=f"{r}x{r}")
        ax.title.set_fontsize(8)
    np.atleast_1d(axes)[0].set_ylabel("best fitness (share of a lap, mean over tracks)")
    fig.suptitle("blue: DCT-coded, red: direct", fontsize=8)
    fig.tight_layout()
    save_figure(fig, path)


def weights_figure(res, a, path):
    H = res["config"]["hidden"]
    fig, axes = plt.subplots(2, H, figsize=(1.3 * H, 3.1))
    for row, c in enumerate(("dct", "direct")):
        W = a[f"W_in_{c}"]
        r = int(round(np.sqrt(W.shape[1])))
        for h in range(H):
            w = W[h].reshape(r, r)
            lim = np.percentile(np.abs(W), 99.5)          # a few huge direct weights would hide the rest
            if c == "direct":
                iy, ix = np.unravel_index(np.argsort(-np.abs(W[h]))[:10], (r, r))
                axes[row, h].plot(ix, iy, "k.", ms=2)
            axes[row, h].imshow(w, cmap="RdBu_r", vmin=-lim, vmax=lim)
            axes[row, h].set_xticks([])
            axes[row, h].set_yticks([])
        axes[row, 0].set_ylabel(c, fontsize=8)
    fig.suptitle(f"input weights W_in of each neuron ({r}x{r}), run 0's best net: DCT-coded (top) and "
                 "direct (bottom; colours clipped at the 99.5th percentile, dots: its 10 largest weights)",
                 fontsize=7)
    fig.tight_layout()
    save_figure(fig, path)


def lap_figure(res, a, path):
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(9, 3.8), gridspec_kw=dict(width_ratios=[1, 1.4]))
    draw_track(ax, a["track_a"], a["track_p"], 0.08)
    for c in ("dct", "direct"):
        p = a[f"pose_{c}"]
        sh = res["metrics"]["showcase"][c]
        ax.plot(p[:, 0], p[:, 1], color=COLORS[c], lw=1.2,
                label=f"{c}: {sh['laps']:.2f} lap, {sh['steps']} steps")
        ax2.plot(a[f"u_{c}"], color=COLORS[c], lw=1)
    ax.legend(fontsize=7, loc="lower center", bbox_to_anchor=(0.5, -0.12))
    ax.set_title("run 0's first training track (anticlockwise)", fontsize=8)
    ax2.set(xlabel="step", ylabel="steering u", ylim=(-1.05, 1.05))
    ax2.set_title("steering along the lap", fontsize=8)
    fig.tight_layout()
    save_figure(fig, path)


def lyapunov_figure(res, a, path):
    fig, ax = plt.subplots(figsize=(5, 3))
    for k, c in enumerate(("dct", "direct")):
        lam = a[f"lyap_{c}"]
        ax.bar(np.arange(lam.size) + 0.38 * k, lam, width=0.38, color=COLORS[c], label=c)
    ax.axhline(0, color="k", lw=0.6)
    ax.set(xlabel="exponent index", ylabel="per step")
    ax.set_title("Lyapunov spectrum of the net alone along its lap (floored at -50)", fontsize=8)
    ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, path)


def main(args):
    res, a = load_run(args.results)
    os.makedirs(args.out_dir, exist_ok=True)
    scaling_figure(res, os.path.join(args.out_dir, "scaling.png"))
    fitness_figure(res, a, os.path.join(args.out_dir, "fitness.png"))
    weights_figure(res, a, os.path.join(args.out_dir, "weights.png"))
    lap_figure(res, a, os.path.join(args.out_dir, "lap.png"))
    lyapunov_figure(res, a, os.path.join(args.out_dir, "lyapunov.png"))
    print(f"wrote 5 figures to {args.out_dir}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
