"""Static figures of the temporal-order (Exp. 6b) headline run, read from its saved results (never retrains).

    python3 visualize_temporal_order_4bit.py      # reads results.json + results.npz, writes viz/*.png
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np

from shared.cli import StubError, make_artifact_parser, run
from shared.figures import save_figure
from shared.results import load_run

KINDS = {"lstm1997": ("1997 LSTM (paper's net)", "tab:blue"),
         "rnn": ("tanh RNN (project's baseline)", "tab:gray")}
CLASSES = ("Q = XXX", "R = XXY", "S = XYX", "U = XYY", "V = YXX", "A = YXY", "B = YYX", "C = YYY")
PLATEAU = 0.875          # squared error of answering 1/8 on all eight outputs


def learning_curves(res, a, out):
    """Mean training error and the fraction of argmax-right answers over the last 2000 sequences."""
    cfg = res["config"]
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(12, 4.2))
    for kind, (label, col) in KINDS.items():
        n = a[f"{kind}_curve_n"]
        for axis, key in ((ax, "err"), (bx, "acc")):
            v = a[f"{kind}_curve_{key}"]                                    # (K, S)
            axis.plot(n, v, color=col, alpha=0.3, lw=0.9)
            axis.plot(n, np.median(v, axis=1), color=col, lw=2.2, label=f"{label}, median of {v.shape[1]}")
    ax.axhline(PLATEAU, color="k", ls=":", lw=0.8)
    ax.text(n[0], PLATEAU, " chance plateau 0.875", fontsize=7, va="bottom")
    ax.axhline(cfg["max_mean_err"], color="k", ls="--", lw=0.8)
    ax.text(n[0], cfg["max_mean_err"], " ST3 needs < 0.1 (and 2000 correct in a row)", fontsize=7,
            va="bottom")
    ax.set(xlabel="training sequences per net", ylabel="mean error, last 2000 sequences", ylim=(0, 1.0),
           title=f"Exp. 6b, T={cfg['T']}: cap {cfg['max_sequences']:,}\n"
                 f"({100 * cfg['fraction_of_paper_budget']:.0f}% of the paper's mean 571,100)")
    ax.legend(fontsize=8, loc="center right")
    bx.axhline(1 / 8, color="k", ls=":", lw=0.8)
    bx.text(n[0], 1 / 8, " chance 1/8", fontsize=7, va="bottom")
    bx.set(xlabel="training sequences per net", ylabel="largest output = right class (last 2000)",
           ylim=(0, 1.02), title="argmax accuracy on the training stream (thin: each net)")
    save_figure(fig, out / "learning_curves.png")


def cell_states(res, a, out):
    """Net 0 after training on one test sequence per class: cell states and input gates."""
    s, act = a["lstm1997_probe_s"][:, 0], a["lstm1997_probe_act"][:, 0]    # (L, P, 6), (L, P, 12)
    pos, length, lab = a["probe_pos"], a["probe_len"], a["probe_label"]
    P = s.shape[1]
    fig, axes = plt.subplots(2, P, figsize=(2.3 * P + 1.4, 4.6), sharey="row", sharex=True,
                             gridspec_kw={"height_ratios": [2, 1]})
    axes = np.asarray(axes).reshape(2, P)
    cols = plt.cm.tab10(np.arange(6))
    for j in range(P):
        L = int(length[j])
        t = np.arange(L)
        for c in range(s.shape[-1]):
            axes[0, j].plot(t, s[:L, j, c], lw=1.1, color=cols[c], label=f"cell {c} (block {c // 2})")
        for b in range(3):
            axes[1, j].plot(t, act[:L, j, b], lw=1.0, color=cols[2 * b], label=f"input gate {b}")
        for ax in axes[:, j]:
            for p_ in pos[j]:
                ax.axvline(p_, color="red", lw=0.6, ls=":")
        axes[0, j].set_title(CLASSES[int(lab[j])], fontsize=9)
        axes[1, j].set_xlabel("t", fontsize=8)
    axes[0, 0].set_ylabel("cell state s(t)")
    axes[1, 0].set_ylabel("input gate")
    axes[0, -1].legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    axes[1, -1].legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    fig.suptitle("Net 0 at the end of training, one test sequence per class (red: t1, t2, t3)", fontsize=10)
    save_figure(fig, out / "cell_states.png")


def lyapunov(res, a, out):
    """Top exponents per window between the relevant symbols, every net; bar = mean."""
    per = res["lyapunov"]["per_window"]
    names = list(per["lstm1997"])
    fig, axes = plt.subplots(1, len(names), figsize=(4.2 * len(names), 3.8), sharey=True)
    for ax, name in zip(axes, names, strict=True):
        for i, (kind, (label, col)) in enumerate(KINDS.items()):
            ex = per[kind][name]["mean"]
            k = np.arange(len(ex)) + 1
            ax.plot(k + 0.15 * (i - 0.5), ex, "_", color=col, ms=14, mew=2, label=label)
            if name == "after t3":
                for row in a[f"{kind}_lyap"].mean(axis=1):
                    ax.plot(k + 0.15 * (i - 0.5), row, "o", color=col, alpha=0.35, ms=3)
        t0, t1 = per["lstm1997"][name]["steps"]
        ax.axhline(0, color="k", lw=0.7)
        ax.set(xlabel="exponent index", yscale="symlog", title=f"{name}: steps {t0}-{t1 - 1}")
    axes[0].set_ylabel("lambda_i per step (mean over nets)")
    axes[0].legend(fontsize=7, loc="lower left")
    fig.suptitle("Lyapunov spectra of the trained nets between the relevant symbols", fontsize=10)
    save_figure(fig, out / "lyapunov.png")


def main(args):
    res, a = load_run(args.results)
    if res["config"].get("setting") != "paper":
        raise StubError(f"{args.results} is not a run of the paper's setting; the figures show the "
                        "headline run")
    out = pathlib.Path(args.out_dir)
    learning_curves(res, a, out)
    cell_states(res, a, out)
    lyapunov(res, a, out)
    print(f"wrote 3 figures to {out}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
