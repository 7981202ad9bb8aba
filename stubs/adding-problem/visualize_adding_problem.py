"""Static figures of the adding-problem run, read from its saved results (never retrains).

    python3 visualize_adding_problem.py            # reads results.json + results.npz, writes viz/*.png
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np

from shared import cli
from shared.figures import save_figure
from shared.results import load_run

KINDS = {"lstm1997": ("1997 LSTM (paper)", "tab:blue"), "lstm_forget": ("+ forget gate", "tab:orange"),
         "rnn": ("tanh RNN", "tab:gray")}


def learning_curves(res, a, out):
    """RMS error over the last 2000 training sequences, every seed, every model."""
    fig, ax = plt.subplots(figsize=(7.5, 4))
    for kind, (label, col) in KINDS.items():
        n, rms = a[f"{kind}_curve_n"], a[f"{kind}_curve_rms"]                 # (K,), (K, S)
        ax.plot(n, rms, color=col, alpha=0.35, lw=1)
        ax.plot(n, np.median(rms, axis=1), color=col, lw=2.2, label=f"{label} (median)")
        stops = a[f"{kind}_stopped_at"]
        for st in stops[stops >= 0]:
            ax.axvline(st, color=col, ls=":", lw=0.8)
    ax.axhline(0.04, color="k", lw=0.8, ls="--")
    ax.text(ax.get_xlim()[0], 0.041, " |error| 0.04: a sequence counts as correct", fontsize=8, va="bottom")
    ax.axvline(74_000, color="tab:green", lw=1.5)
    ax.text(74_000, ax.get_ylim()[1] * 0.95, " paper: 74,000", color="tab:green", fontsize=8, va="top")
    ax.set(xlabel="training sequences per seed", ylabel="RMS error, last 2000 sequences", yscale="log",
           title=f"Adding problem T={res['config']['T']}: learning (dotted: a seed met ST3)")
    ax.legend(fontsize=8, loc="lower left")
    save_figure(fig, out / "learning_curves.png")


def cell_states(res, a, out):
    """The trained 1997 net (seed 0) on test sequences: cell states and input gates."""
    x, s, act = a["x_test"], a["lstm1997_test_s"], a["lstm1997_test_act"]  # (L,8,2) (L,8,C) (L,8,H), seed 0
    pos, length = a["pos_test"], a["len_test"]
    fig, axes = plt.subplots(3, 1, figsize=(8, 7), sharex=True,
                             gridspec_kw={"height_ratios": [1, 2, 1.2]})
    j = 0
    L = int(length[j])
    t = np.arange(L)
    axes[0].plot(t, x[:L, j, 0], color="0.6", lw=0.8, label="value")
    axes[0].scatter(pos[j], x[pos[j], j, 0], color="red", zorder=3, label="marked values X1, X2")
    axes[0].set(ylabel="input", title=f"trained 1997 net (seed 0), target {a['target_test'][j]:.3f}")
    axes[0].legend(fontsize=8, loc="upper right")
    for c in range(s.shape[-1]):
        axes[1].plot(t, s[:L, j, c], label=f"cell {c + 1} (block {c // 2 + 1})")
    for p_ in pos[j]:
        for ax in axes:
            ax.axvline(p_, color="red", lw=0.6, ls=":")
    axes[1].set(ylabel="cell state s(t)")
    axes[1].legend(fontsize=8, ncol=2)
    axes[2].plot(t, act[:L, j, 0], label="input gate, block 1")
    axes[2].plot(t, act[:L, j, 1], label="input gate, block 2")
    axes[2].set(ylabel="gate", xlabel="time step", yscale="log")
    axes[2].legend(fontsize=8)
    save_figure(fig, out / "cell_states.png")


def lyapunov(res, a, out):
    """Top finite-time exponents after the markers: mean over sequences, one dot per seed."""
    fig, ax = plt.subplots(figsize=(7, 3.8))
    for i, (kind, (label, col)) in enumerate(KINDS.items()):
        ex = a[f"{kind}_lyap"].mean(axis=1)                                     # (S, k) per seed
        k = ex.shape[1]
        xs = np.arange(k) + (i - 1) * 0.25
        ax.scatter(np.repeat(xs[None], ex.shape[0], 0), ex, color=col, s=8, alpha=0.5)
        ax.plot(xs, ex.mean(axis=0), "o", color=col, ms=6, label=label)
    ax.axhline(0, color="k", lw=0.7)
    ax.set(xlabel="exponent index", ylabel="exponent per step",
           title="Lyapunov exponents along test sequences after both markers", yscale="symlog")
    ax.set_yscale("symlog", linthresh=1e-3)
    ax.legend(fontsize=8)
    save_figure(fig, out / "lyapunov.png")


def test_errors(res, a, out):
    """Left: the distribution of test errors per kind. Right: the 1997 nets' error against the
    target, which shows where the wrong sequences are (targets near 0 or 1)."""
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 3.6))
    bins = np.logspace(-5, 0, 50)
    for kind, (label, col) in KINDS.items():
        ax.hist(np.clip(a[f"{kind}_test_err"].ravel(), 1e-5, 1), bins=bins, histtype="step", lw=1.5,
                color=col, label=label, density=True)
    ax.axvline(0.04, color="k", ls="--", lw=0.8)
    ax.set(xscale="log", xlabel="|error| at the last step (test sequences, all seeds)", ylabel="density",
           title="Test errors: left of the dashed line counts as correct")
    ax.legend(fontsize=8)
    if "target_test_all" in a:
        t, e = a["target_test_all"], a["lstm1997_test_err"]                    # (n,), (S, n)
        for s in range(e.shape[0]):
            bx.plot(t, np.clip(e[s], 1e-6, 1), ".", ms=1.5, color=KINDS["lstm1997"][1], alpha=0.3)
        bx.axhline(0.04, color="k", ls="--", lw=0.8)
        edge = res["metrics"]["lstm1997"]["edge_targets"]["band"]
        for x in (edge, 1 - edge):
            bx.axvline(x, color="tab:red", ls=":", lw=0.8)
        bx.set(yscale="log", xlabel="target 0.5 + (X1 + X2)/4", ylabel="|error| (1997 LSTM, every net)",
               title=f"Wrong sequences sit at targets within {edge} of 0 or 1 (red)")
    fig.tight_layout()
    save_figure(fig, out / "test_errors.png")


def main(args):
    res, arrays = load_run(args.results)
    for kind in [k for k in KINDS if f"{k}_curve_n" not in arrays]:
        del KINDS[kind]                                   # a run with --models trains fewer nets
    if res["config"].get("setting") != "paper":
        raise cli.StubError("these figures are for the paper setting's results.json")
    out = pathlib.Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for fig in (learning_curves, cell_states, lyapunov, test_errors):
        fig(res, arrays, out)
    print(f"wrote 4 figures to {out}")


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "figures"))
