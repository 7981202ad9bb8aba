"""Static figures of the clockwork-RNN run, read from its saved results (never retrains).

    python3 visualize_clockwork_rnn.py            # reads results.json + results.npz, writes viz/*.png
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

STYLE = {"cw": ("CW-RNN", "tab:red"), "srn": ("SRN", "tab:gray"), "lstm": ("LSTM", "tab:blue")}


def kinds_of(res):
    return [k for k in STYLE if k in res["metrics"]]


def nmse_vs_params(res, a, out):
    """Normalised MSE of every net against its parameter count, one colour per kind (cf. Fig. 4)."""
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for j, kind in enumerate(kinds_of(res)):
        label, col = STYLE[kind]
        m = res["metrics"][kind]
        x = np.array(m["n_params"], float)
        nm = np.array(m["nmse"])                                   # (sizes, nets)
        jitter = 1 + 0.03 * (j - 1)
        for k in range(len(x)):
            ax.plot(np.full(nm.shape[1], x[k] * jitter), nm[k], "o", color=col, alpha=0.35, ms=4)
        ax.plot(x * jitter, np.median(nm, 1), "-", color=col, lw=2, label=f"{label} (median)")
    ax.set(xscale="log", yscale="log", xlabel="parameters", ylabel="normalised MSE (MSE / target variance)",
           title="320-step generation: every net (dots) and the median per size")
    ax.legend(fontsize=8)
    save_figure(fig, out / "nmse_vs_params.png")


def generated(res, a, out):
    """Target fragments and what the largest net of each kind generates (first initialisation)."""
    D, tof = a["targets"], a["target_of"]
    n_t = D.shape[0]
    reps = len(tof)
    fig, axes = plt.subplots(n_t, 1, figsize=(10, 1.7 * n_t + 0.6), sharex=True, squeeze=False)
    for f in range(n_t):
        ax = axes[f, 0]
        ax.plot(D[f], color="k", lw=2.2, alpha=0.35, label="target")
        r = int(np.flatnonzero(tof == f)[0])
        for kind in kinds_of(res):
            label, col = STYLE[kind]
            Y = a[f"{kind}_Y"]
            s = Y.shape[1] - reps + r                               # largest size, this repeat
            ax.plot(Y[:, s], color=col, lw=1, label=label)
        ax.set_ylabel(f"fragment {f}", fontsize=8)
    axes[0, 0].legend(fontsize=7, ncol=4, loc="upper right")
    axes[-1, 0].set_xlabel("step t")
    sizes = ", ".join(f"{STYLE[k][0]} {res['metrics'][k]['n_params'][-1]}" for k in kinds_of(res))
    fig.suptitle(f"generated sequences, largest nets ({sizes} parameters)", fontsize=10)
    save_figure(fig, out / "generated.png")


def learning_curves(res, a, out):
    """Median normalised MSE over the nets of each size, per training epoch."""
    tof, D = a["target_of"], a["targets"]
    var = D.var(1)[tof]
    reps = len(tof)
    kinds = kinds_of(res)
    fig, axes = plt.subplots(1, len(kinds), figsize=(4 * len(kinds), 3.6), sharey=True, squeeze=False)
    for ax, kind in zip(axes[0], kinds, strict=True):
        label, col = STYLE[kind]
        c = a[f"{kind}_curve"]                                      # (epochs + 1, S)
        params = res["metrics"][kind]["n_params"]
        for k, npar in enumerate(params):
            nm = c[:, k * reps:(k + 1) * reps] / var[None]
            ax.plot(np.median(nm, 1), color=col, alpha=0.3 + 0.7 * (k + 1) / len(params),
                    label=f"{npar} params")
        ax.set(yscale="log", xlabel="epoch", title=label)
        ax.legend(fontsize=7)
    axes[0, 0].set_ylabel("median normalised MSE")
    save_figure(fig, out / "learning_curves.png")


def lyapunov(res, a, out):
    """Full Lyapunov spectra of the largest trained nets, and the CW-RNN's ladder of module rates."""
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4))
    for kind in kinds_of(res):
        label, col = STYLE[kind]
        lam = np.where(np.isfinite(a[f"{kind}_lyap"]), a[f"{kind}_lyap"], np.nan)   # (nets, n)
        idx = np.arange(1, lam.shape[1] + 1)
        ax.plot(idx, lam.T, color=col, alpha=0.15, lw=0.8)
        ax.plot(idx, np.nanmean(lam, 0), color=col, lw=2, label=f"{label} (n = {lam.shape[1]})")
    ax.axhline(0, color="k", lw=0.6)
    ax.set(xlabel="index i", ylabel="exponent per step", title="Lyapunov spectra along the trained orbit")
    ax.set_yscale("symlog", linthresh=0.01)
    ax.legend(fontsize=8)
    if "cw_ladder" in res["metrics"]:
        # each module's own top exponent (its diagonal block of the Jacobian): magnitude ~ 1/T_i
        L = res["metrics"]["cw_ladder"]
        T_k = np.array(L["periods"])
        top = -a["cw_module_top"]                                   # (nets, modules), magnitudes
        bx.loglog(np.tile(T_k, (top.shape[0], 1)).T, top.T, "o", color="tab:red", alpha=0.3, ms=4)
        bx.loglog(T_k, -np.array(L["top_exponent_per_step"]), "-", color="tab:red", lw=2,
                  label="mean over nets")
        ref = -L["top_exponent_per_step"][0] / T_k
        bx.loglog(T_k, ref, "--", color="k", lw=1, label="fastest module's rate / T_i")
        bx.set(xlabel="module period T_i", ylabel="|top exponent| of the module, per step",
               title="CW-RNN: each module forgets at a rate ~ 1/T_i")
        bx.legend(fontsize=8)
    save_figure(fig, out / "lyapunov.png")


def main(args):
    res, a = load_run(args.results)
    out = pathlib.Path(args.out_dir)
    out.mkdir(exist_ok=True)
    nmse_vs_params(res, a, out)
    generated(res, a, out)
    learning_curves(res, a, out)
    lyapunov(res, a, out)
    print(f"wrote 4 figures to {out}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
