"""Figures of gtf-shplrnn-lorenz from the saved headline run (never retrains).

    python3 visualize_gtf_shplrnn_lorenz.py      # reads results.json + results.npz, writes viz/*.png

attractors.png   the test attractor and every seed's free run (x-z and x-y projections)
training.png     loss, alpha, the Jacobian-norm estimate G, gradient norm, D_stsp at the snapshots
gradients.png    gradient norm vs window length: GTF with the trained alpha vs plain BPTT
spectra.png      smoothed power spectra (data vs seed 0) and the Lyapunov spectra vs Lorenz's
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


def smoothed(x, sigma):
    """The stub's smoothed, normalised power spectrum (same recipe, for the plot)."""
    x = (x - x.mean(0)) / x.std(0)
    ps = np.abs(np.fft.rfft(x, axis=0)) ** 2
    r = int(4 * sigma + 0.5)
    k = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2)
    pad = np.pad(ps, ((r, r), (0, 0)), mode="symmetric")
    ps = np.stack([np.convolve(pad[:, i], k / k.sum(), mode="valid") for i in range(3)], 1)
    return ps / ps.sum(0)


def main(args):
    res, a = load_run(args.results)
    out = pathlib.Path(args.out_dir)
    m, cfg = res["metrics"], res["config"]
    S = a["gen"].shape[1]
    test, gen = a["test"], a["gen"]

    fig, axes = plt.subplots(2, S + 1, figsize=(3.0 * (S + 1), 5.6))
    for row, (i, j, lab) in enumerate(((0, 2, "z"), (0, 1, "y"))):
        axes[row, 0].plot(test[:, i], test[:, j], lw=0.2, color="0.3")
        axes[row, 0].set_title("Lorenz-63 test data" if row == 0 else "")
        for s in range(S):
            axes[row, s + 1].plot(test[:, i], test[:, j], lw=0.2, color="0.85")
            axes[row, s + 1].plot(gen[:, s, i], gen[:, s, j], lw=0.2, color=f"C{s}")
            if row == 0:
                axes[row, s + 1].set_title(f"seed {s}: D_stsp {m['d_stsp'][s]:.2f}, D_H {m['d_h'][s]:.3f}",
                                           fontsize=8)
        for ax in axes[row]:
            ax.set(xlabel="x (standardised)", ylabel=lab)
    fig.suptitle(f"free runs of the trained shPLRNNs ({len(gen)} steps after a transient) over the test "
                 "attractor (grey)", fontsize=9)
    fig.tight_layout()
    save_figure(fig, out / "attractors.png", dpi=80)

    fig, axes = plt.subplots(1, 5, figsize=(17, 3.2))
    ep = np.arange(1, len(a["curve_loss"]) + 1)
    for k, (key, lab) in enumerate((("curve_loss", "training loss (GTF MSE)"), ("curve_alpha", "alpha"),
                                    ("curve_G", "G (batch max of geo. mean ||J||)"),
                                    ("curve_grad_norm", "gradient norm"))):
        for s in range(S):
            axes[k].plot(ep, a[key][:, s], color=f"C{s}", lw=1)
        axes[k].set(xlabel="epoch", title=lab)
    axes[0].set_yscale("log")
    axes[3].set_yscale("log")
    thr = max(m["data_vs_data"]["d_stsp"])
    for s in range(S):
        axes[4].plot(a["snap_epochs"], a["snap_d_stsp"][:, s], "o-", ms=3, color=f"C{s}")
    axes[4].axhline(thr, color="k", ls="--", lw=0.8, label="data-vs-data max (100k samples)")
    axes[4].set(xlabel="epoch", yscale="log",
                title=f"D_stsp of a {cfg['snap_eval']}-step free run")
    axes[4].legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, out / "training.png")

    fig, ax = plt.subplots(figsize=(5.6, 3.8))
    w = a["grad_windows"]
    for s in range(S):
        ax.plot(w, 10 ** a["lg_gtf"][:, s], "o-", color=f"C{s}", label=None if s else "GTF, trained alpha")
        ax.plot(w, 10 ** a["lg_bptt"][:, s], "s--", color=f"C{s}", label=None if s else "plain BPTT")
    lam1 = 0.9056 * cfg["dt"]
    ax.plot(w, 10 ** a["lg_bptt"][0].mean() * np.exp(lam1 * (w - w[0])) * w[0] / w, color="0.5", lw=0.8,
            label="exp(lambda_1 T) / T, Lorenz lambda_1")
    ax.set(xscale="log", yscale="log", xlabel="window length T (steps)", ylabel="gradient norm",
           title="gradients on the trained models")
    ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, out / "gradients.png")

    fig, axes = plt.subplots(1, 4, figsize=(15, 3.2))
    ps_t, ps_g = smoothed(test, cfg["psd_sigma"]), smoothed(gen[:, 0], cfg["psd_sigma"])
    f = np.fft.rfftfreq(len(test), d=cfg["dt"])
    for i, lab in enumerate("xyz"):
        axes[i].semilogy(f, ps_t[:, i], color="0.3", label="test data")
        axes[i].semilogy(f, ps_g[:, i], color="C0", label="seed 0 free run")
        axes[i].set(xlim=(0, 5), xlabel="frequency (1 / time unit)", title=f"smoothed power spectrum, {lab}")
    axes[0].legend(fontsize=7)
    lam = np.array(m["lyapunov_per_time"])
    ref = res["lyapunov"]["exponents"]["Lorenz-63 (Sprott)"]
    for s in range(S):
        axes[3].plot([1, 2, 3], lam[s], "o-", color=f"C{s}", lw=0.8)
    axes[3].plot([1, 2, 3], ref, "k*", ms=10, label="Lorenz-63 (Sprott)")
    axes[3].set(xticks=[1, 2, 3], xlabel="i", ylabel="lambda_i per unit time", yscale="symlog",
                title="Lyapunov spectra")
    axes[3].legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, out / "spectra.png")
    print(f"wrote 4 figures to {out}")


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "figures"))
