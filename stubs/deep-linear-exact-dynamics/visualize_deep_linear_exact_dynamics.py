"""Figures of the deep-linear-network run, from the saved results (never retrains).

    python3 visualize_deep_linear_exact_dynamics.py          # reads results.json + results.npz, writes viz/

viz/mode_trajectories.png   Fig. 3 (left) analogue: plotted modes, simulation vs Eq. 12
viz/half_time_delay.png     Fig. 3 (right) analogue: relative delay per mode; t_half vs s against Eq. 11
viz/depth_learning_time.png learning time vs depth at the best rate, orthogonal vs Gaussian; best rates
viz/depth_spectra.png       depth Lyapunov spectra vs Newman's formula, end-to-end singular values,
                            tanh chains' top exponent vs gain against the mean field
"""
import os
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np

from shared import cli
from shared.figures import save_figure
from shared.results import load_run


def logistic(t, s, u0, tau):
    e = np.exp(np.minimum(2 * s * t / tau, 700.0))
    return s * e / (e - 1 + s / u0)


def mode_trajectories(res, a, out):
    c3 = res["config"]["three_layer"]
    tau, u0, s = 1 / c3["lr"], c3["u0"], a["s"]
    t = np.arange(a["u_mean"].shape[0]) * int(a["save_every"])
    fig, ax = plt.subplots(figsize=(7.5, 4.4))
    colors = plt.cm.viridis(np.linspace(0, 0.9, len(c3["plotted"])))
    for m, col in zip(c3["plotted"], colors, strict=True):
        i = m - 1
        for k in range(a["u_saved"].shape[1]):
            ax.plot(t, a["u_saved"][:, k, i], color="tab:blue", lw=0.6, alpha=0.5)
        ax.plot(t, logistic(t, s[i], u0, tau), color="tab:red", lw=1.4)
        ax.text(t[-1] * 1.01, s[i], f"mode {m}", fontsize=7, va="center", color=col)
    ax.plot([], [], color="tab:blue", lw=0.8, label=f"simulation ({a['u_saved'].shape[1]} random inits)")
    ax.plot([], [], color="tab:red", label="Eq. 12 (closed form)")
    ax.set(xlabel="GD iteration t", ylabel="mode strength u_a = u_a^T W32 W21 v_a",
           title=f"3-layer linear net, hierarchical data (lambda {c3['lr']:g}, u0 {u0:g})",
           xlim=(0, t[-1] * 1.12))
    ax.legend(fontsize=8, loc="center right")
    fig.tight_layout()
    save_figure(fig, os.path.join(out, "mode_trajectories.png"))


def half_time_delay(res, a, out):
    m3 = res["metrics"]["three_layer"]
    s, th = np.array(m3["s"]), np.array(m3["t_half_theory"])
    d, sd = 100 * np.array(m3["rel_delay_mean"]), 100 * np.array(m3["rel_delay_sd"])
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    idx = np.arange(1, len(s) + 1)
    ax1.errorbar(idx, d, yerr=sd, fmt="o", ms=3, capsize=2, label="random init (mean +- s.d.)")
    ax1.plot(idx, 100 * np.array(m3["decoupled_rel"]), "s", ms=3, color="tab:green",
             label="decoupled init (Sec. 1.3)")
    ax1.axhline(0, color="k", lw=0.7)
    for lim in (10, -10):
        ax1.axhline(lim, color="tab:red", lw=0.7, ls="--")
    ax1.set(xlabel="mode index (strongest first)", ylabel="(t_half sim - Eq. 11) / Eq. 11  [%]",
            title="delay of half learning vs the closed form")
    ax1.legend(fontsize=8)
    t_sim = np.nanmean(a["t_half"], 0)
    ax2.loglog(s, t_sim, "o", ms=4, label="simulation (mean over inits)")
    ax2.loglog(s, th, "-", color="tab:red", label="Eq. 11: tau/(2s) ln((s-u0)/u0)")
    ax2.loglog(s, th[0] * s[0] / s, ":", color="0.4", label="~ 1/s")
    ax2.set(xlabel="singular value s", ylabel="half-learning time (iterations)",
            title=f"fitted exponent {m3['exponent_sim']:.3f} (Eq. 11: {m3['exponent_theory']:.3f})")
    ax2.legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, os.path.join(out, "half_time_delay.png"))


def depth_learning_time(res, a, out):
    md, cd = res["metrics"]["deep"], res["config"]["deep"]
    depths = np.array(md["depths"])
    tb = np.array(md["t_best"], dtype=float)                      # (depths, 2, seeds), cap where not learned
    capped = np.array(md["capped"])
    fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(13, 3.9))
    for k, (name, col) in enumerate((("random orthogonal", "tab:red"), ("scaled Gaussian", "tab:blue"))):
        ax1.plot(depths, tb[:, k].mean(1), "o-", color=col, label=name)
        for mark, sel in (("o", ~capped[:, k]), ("^", capped[:, k])):
            dd = np.broadcast_to(depths[:, None], sel.shape)
            ax1.scatter(dd[sel], tb[:, k][sel], color=col, s=10, alpha=0.5, marker=mark)
        ok = ~capped[:, k]                                        # learned runs only
        c = (np.array(md["best_rate_c"], dtype=float)[:, k] * ok).sum(1) / np.maximum(ok.sum(1), 1)
        has = ok.any(1)
        ax2.loglog(depths[has], c[has] / depths[has], "o-", color=col, label=name)
    ax1.axhline(cd["cap"], color="0.5", ls="--", lw=0.8)
    ax1.text(depths[0], cd["cap"] * 1.05, "cap", fontsize=7, color="0.4")
    ax1.set(xscale="log", yscale="log", xlabel="depth D (weight layers)", ylabel="iterations to 1 % loss",
            title="learning time at the best rate (triangles: cap)")
    ax1.legend(fontsize=8)
    ax2.loglog(depths, 0.2 / depths, ":", color="0.4", label="~ 1/D")
    ax2.set(xlabel="depth D", ylabel="best learning rate", title="best rate of the grid c/D (learned runs)")
    ax2.legend(fontsize=8)
    for ax in (ax1, ax2):
        ax.set_xticks(depths, [str(d) for d in depths])
        ax.minorticks_off()
    curves = a["deep_curves"]                                     # (depths, 2, rates, seeds, cap+1)
    tl = a["deep_t_learn"]
    for k, col in ((0, "tab:red"), (1, "tab:blue")):
        for di in (0, len(depths) - 1):
            # the best rate of seed 0, or, where no rate learned the task, the one that got lowest
            y_all = curves[di, k, :, 0]
            last = np.array([y[np.isfinite(y)][-1] / y[0] for y in y_all])
            r = np.argmin(tl[di, k, :, 0]) if np.isfinite(tl[di, k, :, 0]).any() else np.argmin(last)
            y = y_all[r]
            ax3.semilogy(y / y[0], color=col, ls="-" if di else ":", lw=1.2,
                         label=f"{'orthogonal' if k == 0 else 'Gaussian'} D={depths[di]}")
    ax3.axhline(cd["criterion"], color="0.5", ls="--", lw=0.8)
    ax3.set(xscale="symlog", xlim=(0, cd["cap"] * 1.1), xlabel="iteration", ylabel="loss / initial loss",
            title="loss at the best rate (seed 0)")
    ax3.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, os.path.join(out, "depth_learning_time.png"))


def depth_spectra(res, a, out):
    fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(13, 3.9))
    i = np.arange(1, a["newman"].shape[0] + 1)
    ax1.plot(i, np.sort(a["spec_gaussian"], 1)[:, ::-1].T, color="tab:blue", lw=0.4, alpha=0.4)
    ax1.plot(i, a["newman"], "k--", lw=1.2, label="Newman: 1/2[psi((N-i+1)/2)+ln(2/N)]")
    ax1.plot(i, a["spec_orthogonal"].mean(0), "o-", color="tab:red", ms=3, label="orthogonal (all 0)")
    ax1.plot([], [], color="tab:blue", label="Gaussian, 16 draws")
    ax1.set(xlabel="exponent index i", ylabel="depth exponent per layer", title="depth Lyapunov spectrum")
    ax1.legend(fontsize=7)
    lg = np.log10(a["sv_gaussian"].ravel())
    ax2.hist(lg, bins=40, color="tab:blue", alpha=0.7, label="Gaussian layers")
    ax2.axvline(0, color="tab:red", lw=2, label="orthogonal layers (all 1)")
    ax2.set(xlabel="log10 singular value of W_D ... W_1", ylabel="count",
            title=f"end-to-end map, {res['config']['deep']['depths'][-1]} layers")
    ax2.legend(fontsize=7)
    ax3.plot(a["chaos_curve_g"], a["chaos_curve_mf"], "k-", lw=1, label="mean field")
    ax3.plot(a["chaos_gains"], a["chaos_top"][:, 0], "o", color="tab:purple", label="measured lambda_1")
    ax3.axhline(0, color="0.5", lw=0.7)
    ax3.axvline(1, color="0.5", lw=0.7, ls=":")
    ax3.set(xlabel="gain g", ylabel="top depth exponent", title="tanh chains, orthogonal W: edge of chaos")
    ax3.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, os.path.join(out, "depth_spectra.png"))


def main(args):
    res, a = load_run(args.results)
    os.makedirs(args.out_dir, exist_ok=True)
    for fig in (mode_trajectories, half_time_delay, depth_learning_time, depth_spectra):
        fig(res, a, args.out_dir)
    print(f"wrote 4 figures to {args.out_dir}")


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "figures"))
