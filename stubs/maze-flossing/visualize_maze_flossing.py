"""Static figures of the gradient-flossing run, read from its saved results (never retrains).

    python3 visualize_maze_flossing.py      # reads results.json + results.npz, writes viz/*.png
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


def xor_accuracy(res, a, out):
    """Final test accuracy of every XOR run against the delay, per arm."""
    fig, ax = plt.subplots(figsize=(6.5, 4))
    delays = np.unique(a["xor_delays"])
    for i, arm in enumerate(ARMS):
        sel = a["xor_arm_of"] == i
        x = a["xor_delays"][sel] + (i - 1) * 0.6
        ax.plot(x, a["xor_acc"][sel], "o", color=COLORS[arm], alpha=0.45, ms=4)
        means = [a["xor_acc"][sel & (a["xor_delays"] == d)].mean() for d in delays]
        ax.plot(delays + (i - 1) * 0.6, means, "-", color=COLORS[arm], lw=2, label=f"{arm} (mean)")
    ax.axhline(res["config"]["xor"]["solved"], color="k", ls="--", lw=0.8)
    ax.axhline(0.5, color="k", ls=":", lw=0.8)
    ax.set(xlabel="delay d (target: XOR of the bits d and 2d steps back)", ylabel="test accuracy",
           title="Delayed XOR, vanilla RNN (N = 80): with and without gradient flossing")
    ax.legend(fontsize=8)
    save_figure(fig, out / "xor_accuracy.png")


def xor_spectra(res, a, out):
    """Mean spectrum before and after pre-flossing, and after training, per arm."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    fl = a["xor_arm_of"] > 0
    k = a["xor_lam_init"].shape[1]
    idx = np.arange(1, k + 1)
    axes[0].plot(idx, np.sort(a["xor_lam_init"][fl], 1)[:, ::-1].mean(0), color="0.5",
                 label="at initialisation")
    axes[0].plot(idx, np.sort(a["xor_lam_after_pre"][fl], 1)[:, ::-1].mean(0), color="tab:blue",
                 label="after pre-flossing")
    for i, arm in enumerate(ARMS):
        sel = a["xor_arm_of"] == i
        axes[0].plot(idx, np.sort(a["xor_lam_final"][sel], 1)[:, ::-1].mean(0), ls="--", color=COLORS[arm],
                     label=f"{arm}, trained")
    axes[0].axhline(0, color="k", lw=0.6)
    axes[0].set(xlabel="exponent index i", ylabel="lambda_i per step", title="Spectra (mean over runs)")
    axes[0].legend(fontsize=8)
    for arm in ("pre", "pre+inter"):
        key = f"xor_lam_log_{arm.replace('+', '_')}"
        if key in a and a[key].size:
            axes[1].plot(a[key][:, 0], color=COLORS[arm], label=f"{arm}: lambda_1")
            axes[1].plot(a[key].mean(1), color=COLORS[arm], ls=":", label=f"{arm}: mean lambda_i")
    axes[1].axhline(0, color="k", lw=0.6)
    axes[1].set(xlabel="flossing epoch (pre, then inter)", ylabel="exponent",
                title="During flossing (mean over the arm's runs)")
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, out / "xor_spectra.png")


def maze_delta(res, a, out):
    """Paired test exact accuracy per seed, plain vs pre-flossed TRM, and per supervision step."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    ns = res["config"]["maze"]["n_sup"]
    ep, ef = a["maze_plain_exact"][:, ns - 1], a["maze_flossed_exact"][:, ns - 1]
    for s in range(len(ep)):
        axes[0].plot([0, 1], [ep[s], ef[s]], "o-", color="0.4", alpha=0.7)
    lo, hi = res["metrics"]["maze"]["delta_ci95"]
    axes[0].set(xticks=[0, 1], xticklabels=["plain", "pre-flossed"], xlim=(-0.4, 1.4),
                ylabel=f"test exact at N_sup = {ns}",
                title=f"Paired seeds: Delta {res['metrics']['maze']['delta_mean']:+.3f} "
                      f"(95 % CI {lo:+.3f}, {hi:+.3f})")
    steps = np.arange(1, a["maze_plain_exact"].shape[1] + 1)
    axes[1].plot(steps, a["maze_plain_exact"].mean(0), "o-", color="0.4", label="plain")
    axes[1].plot(steps, a["maze_flossed_exact"].mean(0), "o-", color="tab:blue", label="pre-flossed")
    axes[1].set(xlabel="supervision step", ylabel="test exact (mean over seeds)", title="TRM on 9x9 mazes")
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, out / "maze_delta.png")


def lyapunov(res, a, out):
    """lambda_1 of the TRM recursion per test maze: at init, after flossing, trained (both arms)."""
    fig, ax = plt.subplots(figsize=(6.5, 4))
    rows = [("init", a["maze_flossed_lam_before"]), ("after flossing", a["maze_flossed_lam_start"]),
            ("trained, plain", a["maze_plain_lam_end"]), ("trained, flossed", a["maze_flossed_lam_end"])]
    ax.boxplot([r[..., 0].ravel() for _, r in rows])
    ax.set_xticks(np.arange(1, len(rows) + 1), [n for n, _ in rows])
    ax.axhline(0, color="k", lw=0.6)
    ax.set(ylabel="lambda_1 per sub-update", title="Top finite-time exponent of the TRM recursion")
    save_figure(fig, out / "lyapunov.png")


def main(args):
    res, a = load_run(args.results)
    out = pathlib.Path(args.out_dir)
    xor_accuracy(res, a, out)
    xor_spectra(res, a, out)
    maze_delta(res, a, out)
    lyapunov(res, a, out)
    print(f"wrote 4 figures to {out}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
