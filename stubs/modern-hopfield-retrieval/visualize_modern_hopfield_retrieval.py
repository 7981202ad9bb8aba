"""Figures of the modern Hopfield study, from the saved run (never recomputes the experiments).

viz/error_vs_separation.png   one-update error against beta x (query separation), with the
                              Lemma A4 bound 2 (N-1) M exp(-beta c) for each N
viz/capacity.png              retrieval share vs N (d = 64) per beta and for the classical net;
                              capacity vs d (log scale) modern vs classical, with 0.138 d
viz/fixed_points.png          fixed-point type and ||J|| at the fixed points vs beta, with the
                              Lemma A3 and Lemma A7 thresholds
viz/energy.png                energy along the iteration from random starts

python3 visualize_modern_hopfield_retrieval.py      # reads results.json + results.npz
"""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np

from shared import cli
from shared.figures import save_figure
from shared.results import load_run

KIND_COLORS = ("tab:gray", "tab:orange", "tab:blue")
KIND_NAMES = ("global", "metastable", "single pattern")


def fig_error(a, out):
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    x, err = a["err_beta"] * a["err_c_query"], a["err_err"]
    xs = np.linspace(0, float(x.max()), 200)
    for n, col in zip(np.unique(a["err_N"]), ("tab:green", "tab:purple", "tab:red"), strict=False):
        sel = (a["err_N"] == n) & (err > 0)
        ax.scatter(x[sel], np.log10(err[sel]), s=3, alpha=0.25, color=col, label=f"measured, N = {int(n)}")
        ax.plot(
            xs,
            np.log10(2 * (n - 1) * 8.0) - xs / np.log(10),
            color=col,
            lw=1.2,
            label=f"Lemma A4 bound, N = {int(n)}",
        )
    ax.set_xlim(-2, float(x.max()) + 3)
    ax.set_ylim(np.log10(err[err > 0].min()) - 2, 3)
    ax.set_xlabel("beta x c   (c = query separation x_i.xi - max_j x_j.xi)")
    ax.set_ylabel("log10 || f(xi) - x_i ||")
    ax.set_title(
        "One update: the error falls like exp(-beta c), under the bound (seed 0, d = 64)", fontsize=9
    )
    ax.legend(fontsize=7, ncol=2, markerscale=3)
    save_figure(fig, out / "error_vs_separation.png")


def fig_capacity(res, a, out):
    fig, axs = plt.subplots(1, 3, figsize=(13, 4))
    ax = axs[0]
    for i, b in enumerate(a["cap_betas"]):
        ax.plot(a["cap_Ns"], a["cap_modern"][:, i].mean(0), marker="o", ms=3, label=f"modern, beta = {b:g}")
    ax.plot(a["cap_classical_Ns"], a["cap_classical"].mean(0), color="k", lw=2, label="classical (Hebb)")
    ax.axvline(0.138 * 64, color="k", ls=":", lw=1, label="0.138 d")
    ax.axhline(0.9, color="gray", lw=0.5)
    ax.set_xscale("log", base=2)
    ax.set_xlabel("stored patterns N")
    ax.set_ylabel("share of cues retrieved")
    ax.set_title("d = 64, cues with 8 of 64 bits flipped", fontsize=9)
    ax.legend(fontsize=7)
    ax = axs[1]
    cap = res["metrics"]["capacity"]
    ds = a["cap_ds"]
    m = np.array([cap["d_modern_Nc"][f"d={d}"] for d in ds])
    c = np.array([cap["d_classical_Nc"][f"d={d}"] for d in ds])
    ax.errorbar(
        ds,
        m[:, 0],
        yerr=[m[:, 0] - m[:, 1], m[:, 2] - m[:, 0]],
        marker="o",
        capsize=3,
        label="modern (beta = 1, one update)",
    )
    ax.errorbar(
        ds,
        c[:, 0],
        yerr=[c[:, 0] - c[:, 1], c[:, 2] - c[:, 0]],
        marker="s",
        color="k",
        capsize=3,
        label="classical",
    )
    dd = np.linspace(ds.min(), ds.max(), 50)
    ax.plot(dd, 0.138 * dd, "k:", label="0.138 d")
    ax.set_yscale("log")
    ax.set_xlabel("dimension d")
    ax.set_ylabel("capacity N_c (>= 90 % of cues retrieved)")
    ax.set_title("capacity vs d: exponential vs linear (mean, 95 % CI)", fontsize=9)
    ax.legend(fontsize=7)
    ax = axs[2]
    for i, d in enumerate(a["cap_fs_ds"]):
        ax.plot(a["cap_alphas"], a["cap_fs"][:, i].mean(0), marker="o", ms=3, label=f"d = {int(d)}")
    ax.axvline(0.138, color="k", ls=":", label="AGS 0.138")
    ax.axhline(0.9, color="gray", lw=0.5)
    ax.set_xlabel("load alpha = N / d")
    ax.set_ylabel("share of patterns kept (<= 1.56 % bits wrong)")
    ax.set_title("classical net started at the pattern", fontsize=9)
    ax.legend(fontsize=7)
    save_figure(fig, out / "capacity.png")


def fig_fixed_points(res, a, out):
    betas = a["fp_betas"]
    fig, axs = plt.subplots(1, 2, figsize=(11, 4))
    share = np.stack([(a["fp_kind"] == k).mean((0, 2)) for k in range(3)])
    ax = axs[0]
    ax.stackplot(betas, share, colors=KIND_COLORS, labels=KIND_NAMES, alpha=0.8)
    ax.axvline(np.mean(a["fp_beta_global"]), color="k", ls="--", lw=1, label="Lemma A3: beta m_max^2 = 1")
    ax.axvline(
        np.mean(a["fp_beta_single"]), color="k", ls=":", lw=1, label="Lemma A7: all patterns separated"
    )
    ax.set_xscale("log")
    ax.set_xlabel("beta")
    ax.set_ylabel("share of fixed points")
    ax.set_title("fixed-point type (3 clusters of 4 images + 4 single ones, all seeds)", fontsize=9)
    ax.legend(fontsize=7, loc="center left")
    ax = axs[1]
    jn = np.log(np.maximum(a["fp_jnorm"].astype(np.float64), 1e-30))  # float32 floor
    for k in range(3):
        sel = a["fp_kind"] == k
        bb = np.broadcast_to(betas[None, :, None], sel.shape)[sel]
        ax.scatter(bb, jn[sel], s=4, color=KIND_COLORS[k], label=KIND_NAMES[k], alpha=0.5)
    ax.axhline(0, color="k", lw=0.8)
    ax.set_xscale("log")
    ax.set_ylim(-70, 2)
    ax.set_xlabel("beta")
    ax.set_ylabel("top Lyapunov exponent ln ||J|| (floor -69: J underflowed)")
    ax.set_title("contraction at single patterns, near-neutral at metastable states", fontsize=9)
    ax.legend(fontsize=7)
    save_figure(fig, out / "fixed_points.png")


def fig_energy(a, out):
    E = a["energy"]  # (4 betas, T + 1, starts)
    fig, axs = plt.subplots(1, E.shape[0], figsize=(12, 3), sharey=False)
    for i, (ax, b) in enumerate(zip(axs, (0.01, 0.05, 0.2, 1.0), strict=True)):
        ax.plot(E[i], color="tab:blue", alpha=0.3, lw=0.8)
        ax.set_title(f"beta = {b:g}", fontsize=9)
        ax.set_xlabel("update")
    axs[0].set_ylabel("energy E")
    fig.suptitle(
        "E never increases under xi <- X softmax(beta X^T xi) (32 random starts, seed 0)", fontsize=9
    )
    save_figure(fig, out / "energy.png")


def main(args):
    res, a = load_run(args.results)
    out = pathlib.Path(args.out_dir)
    fig_error(a, out)
    fig_capacity(res, a, out)
    fig_fixed_points(res, a, out)
    fig_energy(a, out)
    print(f"wrote 4 figures to {out}")


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "figures"))
