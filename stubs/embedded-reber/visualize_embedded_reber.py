"""Static figures of the embedded Reber (Exp. 1) run, read from its saved results (never retrains).

    python3 visualize_embedded_reber.py      # reads results.json + results.npz, writes viz/*.png
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

SYMBOLS = "BTPSXVE"
PAPER_MEAN = {"3x2_lr0.5": 8_440, "4x1_lr0.5": 9_500, "3x2_lr0.1": 21_730, "4x1_lr0.1": 39_740,
              "3x2_lr0.2": 14_060}


def row_keys(res):
    return [k for k in res["metrics"] if k not in ("timing", "sets")]


def learning_curves(res, a, out):
    """Fraction of strings predicted correctly, and the fraction of nets solved, per row."""
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4))
    for i, key in enumerate(row_keys(res)):
        col = f"C{i}"
        n, frac = a[f"{key}_curve_n"], a[f"{key}_curve_frac"]
        if len(n):
            ax.plot(n, frac, color=col, alpha=0.15, lw=0.8)
            ax.plot(n, frac.mean(1), color=col, lw=2, label=key)
        st = np.sort(a[f"{key}_solved_at"][a[f"{key}_solved_at"] >= 0])
        S = len(a[f"{key}_solved_at"])
        bx.step(np.r_[0, st, res["metrics"][key]["sequences_trained"]], np.r_[0, np.arange(1, len(st) + 1),
                len(st)] / S, where="post", color=col, lw=2, label=f"{key}: {len(st)}/{S}")
        if key in PAPER_MEAN:
            bx.axvline(PAPER_MEAN[key], color=col, ls="--", lw=1)
    ax.set(xlabel="training strings per net", ylabel="strings predicted correctly (train + test)",
           title="Exp. 1: every net (thin) and the mean (thick)", ylim=(0, 1.02))
    ax.legend(fontsize=8)
    bx.set(xlabel="training strings per net", ylabel="fraction of nets solved",
           title="solved (all 512 strings right); dashed: paper's mean", ylim=(0, 1.02))
    bx.legend(fontsize=8, loc="upper left")
    save_figure(fig, out / "learning_curves.png")


def twin_strings(res, a, out):
    """Net 0 of each lr-0.5 row on the probe string and its twin with the other outer T/P."""
    keys = [k for k in row_keys(res) if f"{k}_twin_s" in a]
    if not keys:
        return
    probe, twin = res["metrics"]["sets"]["probe"], res["metrics"]["sets"]["twin"]
    fig, axes = plt.subplots(2, len(keys), figsize=(6 * len(keys), 6), squeeze=False, sharex=True)
    for j, key in enumerate(keys):
        s, act = a[f"{key}_twin_s"][:, 0], a[f"{key}_twin_act"][:, 0]     # (L, 2, C), (L, 2, H)
        C = s.shape[-1]
        nb = (act.shape[-1] - C) // 2
        t = np.arange(s.shape[0])
        for c in range(C):
            axes[0, j].plot(t, s[:, 0, c], color=f"C{c}", lw=1.5, label=f"cell {c}")
            axes[0, j].plot(t, s[:, 1, c], color=f"C{c}", lw=1.5, ls="--")
        for b in range(nb):
            axes[1, j].plot(t, act[:, 0, nb + C + b], color=f"C{b}", lw=1.3, label=f"output gate {b}")
        axes[0, j].set_title(f"{key}, net 0: solid {probe[1]}..., dashed {twin[1]}...", fontsize=9)
        axes[0, j].legend(fontsize=7, ncol=2)
        axes[1, j].legend(fontsize=7)
        axes[1, j].set_xticks(t)
        axes[1, j].set_xticklabels(list(probe), fontsize=7)
        axes[0, j].set_ylabel("cell state s(t)")
        axes[1, j].set_ylabel("output gate (solid string)")
    fig.suptitle("Same inner string, other outer symbol: the cell(s) that split latch T/P", fontsize=10)
    save_figure(fig, out / "twin_strings.png")


def lyapunov(res, a, out):
    """Top exponents over the inner string, every trained net."""
    keys = [k for k in res["lyapunov"]["exponents"]]
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    for i, key in enumerate(keys):
        ex = a[f"{key}_lyap"].mean(axis=1)                                 # (S, k)
        k = np.arange(ex.shape[1]) + 1
        for row in ex:
            ax.plot(k + 0.15 * (i - 0.5), np.sort(row)[::-1], "o", color=f"C{i}", alpha=0.3, ms=3.5)
        ax.plot(k + 0.15 * (i - 0.5), res["lyapunov"]["exponents"][key], "_", color=f"C{i}", ms=18, mew=2,
                label=f"{key}: mean; near-zero per net {res['metrics'][key]['mean_near_zero_exponents']:.2f}")
    ax.axhline(0, color="k", lw=0.7)
    ax.set(xlabel="exponent index i", ylabel="lambda_i per step", yscale="symlog",
           title="Lyapunov spectra of the trained nets over the inner string")
    ax.legend(fontsize=8)
    save_figure(fig, out / "lyapunov.png")


def predictions(res, a, out):
    """The last snapshot of net 0's outputs along the probe string, legal symbols marked."""
    if not len(a["snap_y"]):
        return
    y, legal = a["snap_y"][-1], a["probe_legal"]
    probe = res["metrics"]["sets"]["probe"]
    L = len(probe) - 1
    fig, ax = plt.subplots(figsize=(8, 3.2))
    ax.imshow(y[:L].T, aspect="auto", cmap="viridis", vmin=0, vmax=1)
    tt, kk = np.nonzero(legal[:L])
    ax.plot(tt, kk, "s", mfc="none", mec="red", ms=9)
    ax.set_yticks(range(7))
    ax.set_yticklabels(list(SYMBOLS))
    ax.set_xticks(range(L))
    ax.set_xticklabels(list(probe[:L]))
    ax.set(xlabel="input symbol", ylabel="output unit",
           title=f"{str(a['snap_key'])}, net 0 after {int(a['snap_n'][-1]):,} strings "
                 "(red: legal next symbols)")
    save_figure(fig, out / "predictions.png")


def main(args):
    res, a = load_run(args.results)
    out = pathlib.Path(args.out_dir)
    learning_curves(res, a, out)
    twin_strings(res, a, out)
    lyapunov(res, a, out)
    predictions(res, a, out)
    print(f"wrote figures to {out}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
