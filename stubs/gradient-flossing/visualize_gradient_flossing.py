"""Static figures of the gradient-flossing headline run, read from its saved results (never retrains).

    python3 visualize_gradient_flossing.py      # reads results.json + results.npz, writes viz/*.png
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

ARMS = ("plain", "pre", "pre+inter")
COLORS = {"plain": "0.4", "pre": "tab:blue", "pre+inter": "tab:orange"}


def spectra(res, a, out):
    """Left: the full spectrum (shared.lyapunov check) before and after flossing, per net.
    Right: lambda_1, the mean and the lowest flossed exponent during flossing."""
    k = res["config"]["xor"]["k"]
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4))
    idx = np.arange(1, a["lam_before"].shape[1] + 1)
    for s in range(a["lam_before"].shape[0]):
        ax.plot(idx, a["lam_before"][s], color="0.5", lw=1, label="before flossing" if s == 0 else None)
        ax.plot(idx, a["lam_after"][s], color="tab:orange", lw=1.5,
                label="after flossing" if s == 0 else None)
    ax.axvspan(k + 0.5, idx[-1] + 0.5, color="0.9", label="not flossed")
    ax.axhline(0, color="k", lw=0.7)
    ax.set(xlabel="exponent index i", ylabel="lambda_i per step",
           title=f"Spectrum on {res['config']['flossing']['check_steps']} fresh steps (shared.lyapunov)")
    ax.legend(fontsize=8, loc="lower left")
    log, step = a["floss_lam_log"], a["floss_lam_log_step"]                    # (frames, S, k)
    for s in range(log.shape[1]):
        bx.plot(step, log[:, s, 0], color="tab:red", lw=1, label="lambda_1" if s == 0 else None)
        bx.plot(step, log[:, s].mean(1), color="tab:orange", lw=1, label="mean of the k" if s == 0 else None)
        bx.plot(step, log[:, s, -1], color="tab:blue", lw=1, label=f"lambda_{k}" if s == 0 else None)
    bx.axhline(0, color="k", lw=0.7)
    bx.set(xlabel="flossing step", ylabel="finite-time exponent (55-step horizon)",
           title="During flossing (one line per net)")
    bx.legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, out / "spectra.png")


def jacobian(res, a, out):
    """Left: singular values of the tau-step Jacobian before and after. Right: ln ||gradient||
    back-propagated through the steps, before and after, against e^(lambda_1 tau)."""
    fc = res["config"]["flossing"]
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4))
    idx = np.arange(1, a["sv_log10_before"].shape[1] + 1)
    for s in range(a["sv_log10_before"].shape[0]):
        ax.plot(idx, a["sv_log10_before"][s], color="0.5", lw=1, label="before" if s == 0 else None)
        ax.plot(idx, a["sv_log10_after"][s], color="tab:orange", lw=1.5,
                label="after flossing" if s == 0 else None)
    ax.axvline(res["config"]["xor"]["k"], color="k", ls=":", lw=0.8)
    ax.set(xlabel="singular value index", ylabel="log10 sigma_i",
           title=f"{fc['tau']}-step Jacobian (mean over {fc['n_windows']} windows)")
    ax.legend(fontsize=8)
    tau = np.arange(a["grad_log_norm_before"].shape[1])
    for s in range(a["grad_log_norm_before"].shape[0]):
        bx.plot(tau, a["grad_log_norm_before"][s] / np.log(10), color="0.5",
                label="before" if s == 0 else None)
        bx.plot(tau, a["grad_log_norm_after"][s] / np.log(10), color="tab:orange",
                label="after flossing" if s == 0 else None)
        bx.plot(tau, a["lam_before"][s, 0] * tau / np.log(10), color="0.5", ls=":", lw=0.8,
                label="lambda_1 tau (before)" if s == 0 else None)
    bx.set(xlabel="steps back-propagated tau", ylabel="log10 ||gradient||",
           title="A unit gradient sent back through the dynamics")
    bx.legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, out / "jacobian.png")


def success(res, a, out):
    """Runs solved against delay per arm, and the final test accuracy of every run."""
    cfg = res["config"]["xor"]
    delays, S = np.array(cfg["delays"]), cfg["n_seeds"]
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4))
    for i, arm in enumerate(ARMS):
        ax.plot(delays + (i - 1) * 0.25, a["xor_solved"][:, i] / S, "o-", color=COLORS[arm], label=arm)
        for j, d in enumerate(delays):
            bx.plot(np.full(S, d + (i - 1) * 0.5), a["xor_acc"][j, i], "o", color=COLORS[arm], alpha=0.6,
                    label=arm if j == 0 else None)
    ax.set(xlabel="delay d", ylabel=f"fraction of {S} seeds solved", ylim=(-0.05, 1.05),
           title=f"Delayed XOR, {cfg['epochs']} epochs: success against delay")
    ax.legend(fontsize=8)
    bx.axhline(cfg["solved"], color="k", ls="--", lw=0.8)
    bx.set(xlabel="delay d", ylabel="test accuracy", title="every run")
    bx.legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, out / "success_vs_delay.png")


def training(res, a, out):
    """Training loss of every run against epoch, one panel per delay."""
    cfg = res["config"]["xor"]
    delays = cfg["delays"]
    fig, axes = plt.subplots(1, len(delays), figsize=(3.2 * len(delays), 3.4), sharey=True)
    for j, (ax, d) in enumerate(zip(np.atleast_1d(axes), delays, strict=True)):
        for i, arm in enumerate(ARMS):
            for s in range(a["xor_loss"].shape[2]):
                ax.plot(np.arange(1, a["xor_loss"].shape[3] + 1), a["xor_loss"][j, i, s], color=COLORS[arm],
                        lw=0.8, alpha=0.8, label=arm if s == 0 else None)
        ax.axhline(np.log(2), color="k", ls=":", lw=0.8)
        ax.set(title=f"d = {d}", xlabel="epoch")
    np.atleast_1d(axes)[0].set_ylabel("training loss (BCE)")
    np.atleast_1d(axes)[0].legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, out / "training_loss.png")


def main(args):
    res, a = load_run(args.results)
    out = pathlib.Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for fn in (spectra, jacobian, success, training):
        fn(res, a, out)
    print(f"wrote 4 figures to {out}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
