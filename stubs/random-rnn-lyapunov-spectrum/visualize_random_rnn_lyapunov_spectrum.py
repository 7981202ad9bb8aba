"""Static figures of the random-network Lyapunov run, read from its saved results (never reruns).

    python3 visualize_random_rnn_lyapunov_spectrum.py     # results.json + results.npz -> viz/*.png
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np

from shared.cli import make_artifact_parser, run
from shared.figures import save_figure
from shared.lyapunov import kaplan_yorke_dimension
from shared.results import load_run

COLORS = {"large": "tab:red", "full": "tab:blue", "sweep": "tab:green"}


def lambda1_vs_g(res, a, out):
    """lambda_1(g) at three sizes against mean-field theory, and the finite-N deviation."""
    cfg = res["config"]
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4.2))
    ax.plot(a["g_fine"], a["mf_fine"], "k-", lw=1.5, label="mean field (N = inf)")
    rho = float(np.mean(a["large_rho"]))
    gb = a["g_fine"][a["g_fine"] < 1]
    ax.plot(gb, np.log(gb * rho), "k:", lw=1,
            label=f"ln(g rho(W)), rho = {rho:.3f} (N = {cfg['large']['N']})")
    ml = res["metrics"]["large"]
    ax.errorbar(ml["g"], ml["lam1_mean"], yerr=ml["lam1_ci95"], fmt="o", color=COLORS["large"], ms=4,
                label=f"N = {cfg['large']['N']} (95% CI)")
    ax.plot(a["full_g"], a["full_lam"][..., 0].mean(0), "s", color=COLORS["full"], ms=5, mfc="none",
            label=f"N = {cfg['full']['N']}")
    ax.plot(a["sweep_g"], a["sweep_lam"][..., 0].mean(0), "^", color=COLORS["sweep"], ms=5, mfc="none",
            label=f"N = {cfg['sweep']['N']}")
    ax.axhline(0, color="0.6", lw=0.8)
    ax.axvline(1, color="0.6", lw=0.8, ls="--")
    ax.set(xlabel="gain g", ylabel="lambda_1 (per step)", title="Top Lyapunov exponent of x <- tanh(gWx)")
    ax.legend(fontsize=7, loc="lower right")
    mf = np.interp
    for key, g, lam in (("large", ml["g"], ml["lam1_mean"]),
                        ("full", a["full_g"], a["full_lam"][..., 0].mean(0)),
                        ("sweep", a["sweep_g"], a["sweep_lam"][..., 0].mean(0))):
        g = np.asarray(g)
        sel = g >= 1.2
        bx.plot(g[sel], np.asarray(lam)[sel] - mf(g[sel], a["g_fine"], a["mf_fine"]), "o-",
                color=COLORS[key], ms=4, label=f"N = {cfg[key]['N']}")
    bar = res["config"]["bars"]["mf_tol"]
    bx.axhspan(-bar, bar, color="0.85", label=f"bar +-{bar} (N = {cfg['large']['N']}, g >= 1.5)")
    bx.axhline(0, color="k", lw=0.8)
    bx.set(xlabel="gain g", ylabel="lambda_1 - mean field", title="Finite-size deviation from mean field")
    bx.legend(fontsize=7)
    save_figure(fig, out / "lambda1_vs_g.png")


def spectra(res, a, out):
    """Full spectra against i/N: N = 200 and N = 100 (size invariance) and the RMT approximation."""
    fig, axes = plt.subplots(1, len(a["full_g"]), figsize=(13, 3.8), sharey=False)
    for j, (g, ax) in enumerate(zip(a["full_g"], axes, strict=True)):
        lf = a["full_lam"][:, j].mean(0)
        i_s = int(np.argmin(np.abs(a["sweep_g"] - g)))
        ls = a["sweep_lam"][:, i_s].mean(0)
        nf, ns = lf.size, ls.size
        ax.plot((np.arange(nf) + 0.5) / nf, lf, "-", color=COLORS["full"], lw=2, label=f"N = {nf}")
        ax.plot((np.arange(ns) + 0.5) / ns, ls, "--", color=COLORS["sweep"], lw=1.2, label=f"N = {ns}")
        ax.plot((np.arange(nf) + 0.5) / nf, a["full_rmt"][j], ":", color="k", lw=1.2, label="RMT approx.")
        ax.axhline(0, color="0.6", lw=0.8)
        d = kaplan_yorke_dimension(lf) / nf
        ax.axvline(d, color="tab:orange", lw=1, label=f"D_KY/N = {d:.3f}")
        ax.set(title=f"g = {g:g}", xlabel="i / N")
        if j == 0:
            ax.set_ylabel("lambda_i (per step)")
        ax.legend(fontsize=7, loc="lower left")
    fig.suptitle("Full Lyapunov spectra (mean over nets): extensive, size-invariant in i/N", fontsize=10)
    fig.tight_layout()
    save_figure(fig, out / "spectra.png")


def dimension(res, a, out):
    """Kaplan-Yorke dimension and entropy rate per neuron against g."""
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(10, 3.8))
    ms, mf = res["metrics"]["sweep"], res["metrics"]["full"]
    cfg = res["config"]
    ax.plot(ms["g"], ms["dky_mean"], "^-", color=COLORS["sweep"], label=f"N = {cfg['sweep']['N']}")
    ax.errorbar(mf["g"], mf["dky_mean"], yerr=mf["dky_ci95"], fmt="s", color=COLORS["full"],
                label=f"N = {cfg['full']['N']} (95% CI over nets)")
    ax.set(xlabel="gain g", ylabel="D_KY / N", title="Attractor dimension per neuron")
    bx.plot(ms["g"], ms["entropy_mean"], "^-", color=COLORS["sweep"], label=f"N = {cfg['sweep']['N']}")
    bx.plot(mf["g"], mf["entropy_mean"], "s", color=COLORS["full"], label=f"N = {cfg['full']['N']}")
    bx.set(xlabel="gain g", ylabel="sum of positive lambda_i / N",
           title="Entropy rate per neuron (Pesin bound)")
    for x in (ax, bx):
        x.axvline(1, color="0.6", lw=0.8, ls="--")
        x.legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, out / "dimension.png")


def main(args):
    res, a = load_run(args.results)
    out = pathlib.Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    lambda1_vs_g(res, a, out)
    spectra(res, a, out)
    dimension(res, a, out)
    print(f"wrote {out}/lambda1_vs_g.png, spectra.png, dimension.png")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
