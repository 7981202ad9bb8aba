"""Static figures of the multiplication-problem run, drawn from its saved results (never retrains).

    python3 visualize_multiplication_problem.py     # reads results.json + results.npz, writes viz/*.png
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

NETS = {"lstm1997": ("1997 LSTM (paper's net)", "tab:blue"), "rnn": ("tanh RNN", "tab:gray")}


def learning_curves(res, a, out):
    """Training sequences missing by more than 0.04 among the last 2000: every net, and the median."""
    fig, ax = plt.subplots(figsize=(7.5, 4))
    for kind, (label, col) in NETS.items():
        n, m = a[f"{kind}_curve_n"], a[f"{kind}_curve_misses"]                   # (K,), (K, S)
        ax.plot(n, m, color=col, alpha=0.3, lw=0.9)
        ax.plot(n, np.median(m, axis=1), color=col, lw=2.2, label=f"{label}, median of {m.shape[1]}")
    const = res["metrics"]["best_constant"]["fewest_wrong"] / res["config"]["n_test"] * 2000
    ax.axhline(const, color="k", lw=0.8, ls=":")
    ax.text(0, const, " best constant output", fontsize=8, va="bottom")
    for n_seq in (140, 13):
        ax.axhline(n_seq, color="tab:green", lw=1, ls="--")
        ax.text(0, n_seq, f" stop rule n_seq = {n_seq}", fontsize=8, va="bottom", color="tab:green")
    cap = res["config"]["max_sequences"]
    ax.set(xlabel="training sequences per net", ylabel="misses (|err| > 0.04) in the last 2000",
           yscale="log", ylim=(8, 2500), xlim=(0, cap),
           title=f"T = {res['config']['T']}: cap {cap:,} = {cap / 482000:.0%} of the paper's mean 482,000")
    ax.legend(fontsize=8, loc="lower left")
    save_figure(fig, out / "learning_curves.png")


def products(res, a, out):
    """What the trained 1997 nets answer on test sequences, against the true product X1 X2."""
    y, target = a["lstm1997_test_y"], a["target_test"]                           # (S, n), (n,)
    mae = np.abs(y - target).mean(axis=1)
    best = int(mae.argmin())
    fig, ax = plt.subplots(figsize=(5.2, 4.8))
    for s in range(y.shape[0]):
        if s != best:
            ax.scatter(target, y[s], s=2, color="0.75", alpha=0.4)
    ax.scatter(target, y[best], s=3, color="tab:blue", label=f"net {best} (lowest error, {mae[best]:.3f})")
    g = np.linspace(0, 1, 50)
    ax.plot(g, g, color="k", lw=0.8)
    ax.fill_between(g, g - 0.04, g + 0.04, color="tab:green", alpha=0.2, label="correct: |err| < 0.04")
    ax.set(xlabel="target X1 * X2", ylabel="output at the last step", xlim=(0, 1), ylim=(0, 1),
           title="Trained 1997 nets on the test sequences (grey: the others)")
    ax.legend(fontsize=8, loc="upper left")
    save_figure(fig, out / "products.png")


def cell_states(res, a, out):
    """Net 0 along one test sequence: the two marked values, the four cell states, the gates."""
    x, s, act = a["x_test"], a["test_s"], a["test_act"]             # (L, 8, 2), (L, 8, 4), (L, 8, 8)
    pos, L = a["pos_test"][0], int(a["len_test"][0])
    t = np.arange(L)
    fig, axes = plt.subplots(3, 1, figsize=(8, 7), sharex=True, gridspec_kw={"height_ratios": [1, 2, 1.3]})
    axes[0].plot(t, x[:L, 0, 0], color="0.6", lw=0.8, label="value")
    axes[0].scatter(pos, x[pos, 0, 0], color="red", zorder=3, label="marked values X1, X2")
    axes[0].set(ylabel="input", title=f"trained net 0 on a test sequence, target X1 X2 = "
                                      f"{a['target_test'][0]:.3f}")
    axes[0].legend(fontsize=8, loc="upper right")
    for c in range(s.shape[-1]):
        axes[1].plot(t, s[:L, 0, c], label=f"cell {c + 1} (block {c // 2 + 1})")
    axes[1].set(ylabel="cell state s(t)")
    axes[1].legend(fontsize=8, ncol=2)
    for j, name in ((0, "input gate 1"), (1, "input gate 2"), (6, "output gate 1"), (7, "output gate 2")):
        axes[2].plot(t, act[:L, 0, j], label=name, ls="-" if j < 2 else "--")
    axes[2].set(ylabel="gate", xlabel="time step", ylim=(0, 1))
    axes[2].legend(fontsize=8, ncol=2)
    for p_ in pos:
        for ax in axes:
            ax.axvline(p_, color="red", lw=0.6, ls=":")
    save_figure(fig, out / "cell_states.png")


def lyapunov(res, a, out):
    """Top finite-time exponents while both values are held: one dot per net, mean as a marker."""
    fig, ax = plt.subplots(figsize=(7, 3.8))
    for i, (kind, (label, col)) in enumerate(NETS.items()):
        ex = a[f"{kind}_lyap"].mean(axis=1)                                     # (S, k)
        xs = np.arange(ex.shape[1]) + (i - 0.5) * 0.25
        ax.scatter(np.repeat(xs[None], ex.shape[0], 0), ex, color=col, s=8, alpha=0.5)
        ax.plot(xs, ex.mean(axis=0), "o", color=col, ms=6, label=label)
    ax.axhline(0, color="k", lw=0.7)
    ax.set_yscale("symlog", linthresh=1e-3)
    ax.set(xlabel="exponent index", ylabel="exponent per step",
           title=f"Lyapunov exponents along test sequences, steps {res['config']['T'] // 2}-"
                 f"{res['config']['T']}")
    ax.legend(fontsize=8)
    save_figure(fig, out / "lyapunov.png")


def main(args):
    res, arrays = load_run(args.results)
    if res["config"].get("setting") != "paper":
        raise cli.StubError("these figures are drawn from the paper setting's results.json")
    for kind in [k for k in NETS if f"{k}_curve_n" not in arrays]:
        del NETS[kind]                                        # a run with --models trains fewer kinds
    out = pathlib.Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for fig in (learning_curves, products, cell_states, lyapunov):
        fig(res, arrays, out)
    print(f"wrote 4 figures to {out}")


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "figures"))
