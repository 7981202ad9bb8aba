"""Static figures of the temporal-order (Exp. 6a) run, read from its saved results (never retrains).

    python3 visualize_temporal_order_3bit.py      # reads results.json + results.npz, writes viz/*.png
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

KINDS = {"lstm1997": ("1997 LSTM (paper)", "tab:blue"), "rnn": ("tanh RNN (project's baseline)", "tab:gray")}
CLASSES = ("Q = XX", "R = XY", "S = YX", "U = YY")


def learning_curves(res, a, out):
    """Mean training error over the last 2000 sequences per seed, and the test errors per seed."""
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4), gridspec_kw={"width_ratios": [1.6, 1]})
    for kind, (label, col) in KINDS.items():
        n, err = a[f"{kind}_curve_n"], a[f"{kind}_curve_err"]                # (K,), (K, S)
        ax.plot(n, err, color=col, alpha=0.35, lw=1)
        ax.plot(n, np.median(err, axis=1), color=col, lw=2.2, label=f"{label} (median)")
        for st in a[f"{kind}_stopped_at"][a[f"{kind}_stopped_at"] >= 0]:
            ax.plot(st, res["config"]["max_mean_err"], "v", color=col, ms=6)
    ax.axhline(res["config"]["max_mean_err"], color="k", lw=0.8, ls="--")
    ax.axvline(31_390, color="tab:green", lw=1.5)
    ax.text(31_390, ax.get_ylim()[1] * 0.9, " paper mean: 31,390", color="tab:green", fontsize=8, va="top")
    ax.set(xlabel="training sequences per seed", ylabel="mean error, last 2000 sequences", yscale="log",
           title=f"Exp. 6a, T={res['config']['T']}: learning (triangles: a seed met ST3(0.1))")
    ax.legend(fontsize=8, loc="lower left")
    n_test = res["config"]["n_test"]
    S = res["config"]["n_seeds"]
    w = 0.4
    for i, (kind, (label, col)) in enumerate(KINDS.items()):
        wrong = res["metrics"][kind]["wrong_of_test"]
        bx.bar(np.arange(S) + (i - 0.5) * w, np.maximum(wrong, 0.3), w, color=col, label=label)
    bx.axhline(0.75 * n_test, color="k", ls=":", lw=0.8)
    bx.text(-0.5, 0.75 * n_test, "guessing a class (75%)", fontsize=7, va="bottom")
    bx.set(yscale="log", xlabel="seed", ylabel=f"wrong test sequences of {n_test}", xticks=range(S),
           title="test after training (0 drawn at 0.3)")
    bx.legend(fontsize=7, loc="center right")
    save_figure(fig, out / "learning_curves.png")


def cell_states(res, a, out):
    """The trained 1997 net (seed 0) on one test sequence per class: cell states and input gates."""
    s, act = a["lstm1997_probe_s"][:, 0], a["lstm1997_probe_act"][:, 0]     # (L, P, C), (L, P, H)
    pos, length, lab = a["probe_pos"], a["probe_len"], a["probe_label"]
    P = s.shape[1]
    fig, axes = plt.subplots(2, P, figsize=(3.2 * P, 5.2), sharey="row", sharex=True,
                             gridspec_kw={"height_ratios": [2, 1]})
    for j in range(P):
        L = int(length[j])
        t = np.arange(L)
        for c in range(s.shape[-1]):
            axes[0, j].plot(t, s[:L, j, c], lw=1.3, label=f"cell {c} (block {c // 2})")
        for b in range(2):
            axes[1, j].plot(t, act[:L, j, b], lw=1.2, label=f"input gate, block {b}")
        for ax in axes[:, j]:
            for p_ in pos[j]:
                ax.axvline(p_, color="red", lw=0.7, ls=":")
        axes[0, j].set_title(f"class {CLASSES[int(lab[j])]} (t1={pos[j, 0]}, t2={pos[j, 1]})", fontsize=9)
        axes[1, j].set_xlabel("time step")
    axes[0, 0].set_ylabel("cell state s(t)")
    axes[1, 0].set_ylabel("input gate")
    axes[0, 0].legend(fontsize=7)
    axes[1, 0].legend(fontsize=7)
    fig.suptitle("Trained 1997 net, seed 0: the cells store X/Y at t1 and t2 (red) and hold them",
                 fontsize=10)
    save_figure(fig, out / "cell_states.png")


def lyapunov(res, a, out):
    """Top exponents along test sequences after t2, every seed."""
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    for i, (kind, (label, col)) in enumerate(KINDS.items()):
        ex = a[f"{kind}_lyap"].mean(axis=1)                                  # (S, k) per seed
        k = np.arange(ex.shape[1]) + 1
        for row in ex:
            ax.plot(k + 0.1 * (i - 0.5), row, "o", color=col, alpha=0.4, ms=4)
        ax.plot(k + 0.1 * (i - 0.5), res["lyapunov"]["exponents"][kind], "_", color=col, ms=18, mew=2,
                label=f"{label}: mean")
    ax.axhline(0, color="k", lw=0.7)
    ax.set(xlabel="exponent index i", ylabel="lambda_i per step", yscale="symlog",
           title="Lyapunov spectra of the trained nets (steps after t2)")
    ax.legend(fontsize=8)
    save_figure(fig, out / "lyapunov.png")


def main(args):
    res, a = load_run(args.results)
    out = pathlib.Path(args.out_dir)
    learning_curves(res, a, out)
    cell_states(res, a, out)
    lyapunov(res, a, out)
    print(f"wrote 3 figures to {out}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
