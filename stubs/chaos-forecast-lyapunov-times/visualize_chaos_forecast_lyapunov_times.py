"""Figures from the saved run (never retrains), written to viz/:

  forecast.png        Lorenz-63 x(t) and the ESN / NVAR forecasts from one start, in Lyapunov times
  error_growth.png    median normalised error against Lyapunov time, per flow and model, with the
                      slope e^{t lambda_1} of the flow's own top exponent overlaid
  vpt.png             valid prediction times (every seed x start) per flow and model
  spectrum.png        top closed-loop exponents of every model and seed against the reference

    python3 visualize_chaos_forecast_lyapunov_times.py      # reads results.json + results.npz
"""
import os
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np

from shared import cli
from shared.dynamics.flows import FLOWS
from shared.figures import save_figure
from shared.results import load_run

COLORS = {"esn": "tab:orange", "esnn": "tab:red", "nvar0": "tab:green", "nvar1": "tab:purple"}
MODELS = tuple(COLORS)


def labels(cfg):
    return {"esn": "ESN", "esnn": "ESN, input noise", "nvar0": f"NVAR ridge {cfg['nvar_ridges'][0]:g}",
            "nvar1": f"NVAR ridge {cfg['nvar_ridges'][1]:g}"}


def forecast(a, cfg, path):
    lam1, (dt, dtn) = FLOWS["lorenz"].exponents[0], a["lorenz_dt"]
    fig, axes = plt.subplots(2, 1, figsize=(8, 4.6), sharex=True)
    for ax, key, true, step in ((axes[0], "esn", a["lorenz_esn_true"], dt),
                                (axes[1], "nvar1", a["lorenz_nvar_true"], dtn)):
        pred = a[f"lorenz_{key}_pred"]
        t = (np.arange(len(true)) + 1) * step * lam1
        ax.plot(t, true[:, 0], color="tab:blue", lw=1, label="Lorenz-63")
        ax.plot(t, np.clip(pred[:, 0], -30, 30), color=COLORS[key], lw=1, label=labels(cfg)[key])
        err = np.sqrt((((pred - true) / a["lorenz_scale"]) ** 2).mean(-1))
        bad = np.flatnonzero(err > cfg["eps"])
        if bad.size:
            ax.axvline(t[bad[0]], color="k", ls="--", lw=0.8)
        ax.set(ylabel="x", ylim=(-25, 25))
        ax.legend(fontsize=7, loc="upper right")
    axes[1].set(xlabel="t x lambda_1 (Lyapunov times)", xlim=(0, min(15, t[-1])))
    axes[0].set_title("one test start, seed 0; dashed: valid prediction time (normalised error > "
                      f"{cfg['eps']})", fontsize=9)
    fig.tight_layout()
    save_figure(fig, path)


def error_growth(a, cfg, flows, path):
    fig, axes = plt.subplots(1, len(flows), figsize=(4 * len(flows), 3.4), squeeze=False)
    for ax, name in zip(axes[0], flows, strict=False):
        lam1, (dt, dtn) = FLOWS[name].exponents[0], a[f"{name}_dt"]
        for key, step in (("esn", dt), ("esnn", dt), ("nvar0", dtn), ("nvar1", dtn)):
            e = a[f"{name}_{key}_err_median"]
            t = (np.arange(len(e)) + 1) * step * lam1
            ax.semilogy(t, np.clip(e, 1e-7, 1e3), color=COLORS[key], lw=1, label=labels(cfg)[key])
        e = a[f"{name}_esn_err_median"]
        t0 = 0.5
        i0 = int(t0 / (dt * lam1))
        if i0 < len(e):
            tt = np.linspace(t0, t0 + 8, 50)
            ax.semilogy(tt, e[i0] * np.exp(tt - t0), "k:", lw=1, label="e^(t lambda_1) from the ESN")
        ax.axhline(cfg["eps"], color="0.5", lw=0.8)
        ax.set(title=name.replace("_", " "), xlabel="Lyapunov times", ylim=(1e-6, 1e2),
               xlim=(0, cfg["horizon_lyap"]))
    axes[0, 0].set_ylabel("median normalised error")
    axes[0, 0].legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    save_figure(fig, path)


def vpt(a, cfg, flows, path):
    fig, ax = plt.subplots(figsize=(7, 3.4))
    for j, name in enumerate(flows):
        for i, key in enumerate(MODELS):
            v = a[f"{name}_{key}_vpt"].ravel()
            x = j * 5 + i + np.linspace(-0.25, 0.25, v.size)
            ax.plot(x, v, ".", color=COLORS[key], ms=3, label=labels(cfg)[key] if j == 0 else None)
            ax.plot([j * 5 + i - 0.3, j * 5 + i + 0.3], [v.mean()] * 2, color="k", lw=1.5)
    ax.set_xticks([j * 5 + 1.5 for j in range(len(flows))], [f.replace("_", " ") for f in flows])
    ax.set(ylabel="valid prediction time (Lyapunov times)", title="every seed x test start; bar = mean")
    ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, path)


def spectrum(a, res, flows, path):
    fig, axes = plt.subplots(1, len(flows), figsize=(4 * len(flows), 3.4), squeeze=False)
    for ax, name in zip(axes[0], flows, strict=False):
        ref = FLOWS[name].exponents
        for key in MODELS:
            lam = a[f"{name}_{key}_lam"]
            for s, row in enumerate(lam):
                if np.all(np.isfinite(row)):
                    ax.plot(np.arange(1, len(row) + 1), row, ".-", color=COLORS[key], lw=0.6, ms=3,
                            label=labels(res["config"])[key] if s == 0 else None)
        ax.plot([1, 2, 3], ref, "s", mfc="none", color="k", ms=8, label="reference (Sprott)")
        ax.axhline(np.mean(a[f"{name}_esn_driven_max"]), color="tab:orange", ls=":", lw=1,
                   label="ESN driven max exponent")
        ax.set(title=name.replace("_", " "), xlabel="index i", xlim=(0.5, 6.5),
               ylim=(min(ref[2], -1) * 1.6, max(1.0, ref[0] * 2)))
    axes[0, 0].set_ylabel("lambda_i per unit time")
    axes[0, 0].legend(fontsize=6, loc="lower left")
    fig.tight_layout()
    save_figure(fig, path)


def main(args):
    res, a = load_run(args.results)
    cfg, flows = res["config"], res["config"]["flows"]
    os.makedirs(args.out_dir, exist_ok=True)
    forecast(a, cfg, os.path.join(args.out_dir, "forecast.png"))
    error_growth(a, cfg, flows, os.path.join(args.out_dir, "error_growth.png"))
    vpt(a, cfg, flows, os.path.join(args.out_dir, "vpt.png"))
    spectrum(a, res, flows, os.path.join(args.out_dir, "spectrum.png"))
    print(f"wrote 4 figures to {args.out_dir}")


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "figures"))
