"""Static figures of the continual embedded Reber run, read from its saved results (never retrains).

    python3 visualize_continual_embedded_reber.py    # reads results.json + results.npz, writes viz/*.png
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

KINDS = {"forget": ("forget gates (424 weights)", "tab:blue"),
         "no_forget": ("1997 cell (360 weights)", "tab:red")}


def learning_curves(res, a, out):
    """Symbols until the first error on the test streams, and nets meeting the criterion."""
    cap = res["config"]["stream_cap"]
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4))
    for key, (label, col) in KINDS.items():
        n, c = a[f"{key}_curve_n"], a[f"{key}_curve_test"]
        ax.plot(n, c, color=col, alpha=0.15, lw=0.8)
        ax.plot(n, c.mean(1), color=col, lw=2, label=f"{label}: mean of nets")
        st = a[f"{key}_solved_at"]
        S = len(st)
        ok = np.sort(st[st >= 0])
        last = res["metrics"][key]["symbols_trained"]
        bx.step(np.r_[0, ok, last], np.r_[0, np.arange(1, len(ok) + 1), len(ok)] / S, where="post",
                color=col, lw=2, label=f"{label}: {len(ok)}/{S}")
    ax.axhline(cap, color="k", ls=":", lw=1, label=f"cap {cap:,} symbols")
    ax.set(yscale="log", xlabel="training symbols per net", ylabel="test symbols until first error",
           title="10 test streams per net (thin: single nets)")
    ax.legend(fontsize=8)
    bx.axhline(0.18, color="gray", ls="--", lw=1, label="paper: 18 % (10^6 symbols)")
    bx.set(xlabel="training symbols per net", ylabel="fraction of nets",
           title=f"training stream of {cap:,} symbols without error", ylim=(0, 1))
    bx.legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, out / "learning_curves.png")


def forget_gates(res, a, out):
    """Mean ln y_f per block around each string's final E (forget-gate nets)."""
    lnf = a["forget_lnf"]                                 # (S, B, 16) offsets -12..+3
    off = np.arange(-12, 4)
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    solved = a["forget_solved_at"] >= 0
    for ax, sel, name in ((axes[0], solved, "nets meeting the criterion"),
                          (axes[1], ~solved, "nets that did not")):
        for b in range(lnf.shape[1]):
            if sel.any():
                ax.plot(off, lnf[sel, b].mean(0), marker="o", ms=3,
                        label=f"block {b} (bias +{0.5 * (b + 1):g})")
        ax.axvline(0, color="k", lw=0.8)
        ax.set(xlabel="steps from the string's final E (input)", ylabel="mean ln y_f",
               title=f"{name} ({int(sel.sum())})")
        if sel.any():
            ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, out / "forget_gates.png")


def drift(res, a, out):
    """Mean |s| over cells along one long test stream with no resets."""
    fig, ax = plt.subplots(figsize=(8, 3.8))
    for key, (label, col) in KINDS.items():
        d = a[f"{key}_drift"]                             # (S, n / 10)
        t = np.arange(d.shape[1]) * 10
        ax.plot(t, d.T, color=col, alpha=0.12, lw=0.7)
        ax.plot(t, d.mean(0), color=col, lw=2, label=label)
    ax.set(yscale="log", xlabel="symbol of the test stream", ylabel="mean |s| over cells",
           title="cell states along one continual stream (no resets)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, out / "state_drift.png")


def lyapunov(res, a, out):
    fig, ax = plt.subplots(figsize=(7, 3.6))
    for i, (key, (label, col)) in enumerate(KINDS.items()):
        ex = np.sort(a[f"{key}_lyap"], axis=1)[:, ::-1]
        k = np.arange(ex.shape[1])
        ax.plot(k + 0.1 * i, ex.T, ".", color=col, alpha=0.3)
        ax.plot(k + 0.1 * i, ex.mean(0), "o-", color=col, label=label)
    ax.axhline(0, color="k", lw=0.8)
    ax.set(xlabel="exponent index", ylabel="lambda per symbol", title="Lyapunov spectrum along a test stream")
    ax.legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, out / "lyapunov.png")


def main(args):
    res, a = load_run(args.results)
    out = pathlib.Path(args.out_dir)
    learning_curves(res, a, out)
    forget_gates(res, a, out)
    drift(res, a, out)
    lyapunov(res, a, out)
    print(f"wrote figures to {out}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
