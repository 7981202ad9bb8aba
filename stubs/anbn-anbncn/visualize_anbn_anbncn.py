"""Static figures of the a^n b^n / a^n b^n c^n run, read from its saved results (never retrains).

    python3 visualize_anbn_anbncn.py    # reads results.json + results.npz, writes viz/*.png
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

LANGS = {"anbn": "a^n b^n (1 block, 37 weights)", "anbncn": "a^n b^n c^n (2 blocks, 88 weights)"}
COLS = ["tab:blue", "tab:orange", "tab:red", "tab:green", "tab:purple"]


def groups(res):
    lrs, k = res["config"]["learning_rates"], res["config"]["nets_per_learning_rate"]
    return [(lr, np.arange(i * k, (i + 1) * k)) for i, lr in enumerate(lrs)]


def best_net(res, key):
    """The net of the headline learning rate with the largest range among those that learned."""
    return int(res["metrics"][key]["best_net"])


def generalisation(res, a, out):
    """Generalisation range of every net, by learning rate (0: the training set was not learned)."""
    tmax = res["config"]["test_n"][1]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for ax, (key, title) in zip(axes, LANGS.items(), strict=True):
        rg, st = a[f"{key}_range"], a[f"{key}_solved_at"]
        for j, (lr, idx) in enumerate(groups(res)):
            x = j + np.linspace(-0.25, 0.25, len(idx))
            ok = st[idx] >= 0
            ax.scatter(x[ok], np.maximum(rg[idx][ok], 0.8), color=COLS[j], s=25, label=f"lr {lr:g}: learned")
            ax.scatter(x[~ok], np.full((~ok).sum(), 0.8), color=COLS[j], marker="x", s=25,
                       label=f"lr {lr:g}: not learned")
        ax.axhline(10, color="k", ls="--", lw=1, label="training range n <= 10")
        ax.axhline(tmax, color="gray", ls=":", lw=1, label=f"tested up to n = {tmax}")
        ax.set(yscale="log", xticks=range(len(groups(res))),
               xticklabels=[f"lr {lr:g}" for lr, _ in groups(res)],
               ylabel="largest N with n = 1..N all accepted", title=title)
        ax.legend(fontsize=6, loc="upper right")
    fig.tight_layout()
    save_figure(fig, out / "generalisation.png")


def curves(res, a, out):
    """Median generalisation range (n tested to curve_max) and nets that learned, over training."""
    fig, axes = plt.subplots(2, 2, figsize=(11, 6), sharex="col")
    for c, (key, title) in enumerate(LANGS.items()):
        n, rg, tr = a[f"{key}_curve_n"], a[f"{key}_curve_range"], a[f"{key}_curve_train"]
        for j, (lr, idx) in enumerate(groups(res)):
            axes[0, c].plot(n, np.median(rg[:, idx], 1), color=COLS[j], lw=2, label=f"lr {lr:g} (median)")
            axes[0, c].plot(n, rg[:, idx], color=COLS[j], lw=0.5, alpha=0.3)
            axes[1, c].plot(n, (tr[:, idx] == 1).mean(1), color=COLS[j], lw=2, label=f"lr {lr:g}")
        axes[0, c].axhline(10, color="k", ls="--", lw=1)
        axes[0, c].set(ylabel=f"range (n <= {res['config']['curve_n_max']})", title=title)
        axes[1, c].set(xlabel="training symbols per net", ylabel="fraction accepting n = 1..10")
        axes[0, c].legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, out / "learning_curves.png")


def counter(res, a, out):
    """The best net's cell states and gates along the long string: the counters."""
    n = res["config"]["lyapunov_string_n"]
    fig, axes = plt.subplots(2, 2, figsize=(11, 6), sharex="col")
    for c, (key, title) in enumerate(LANGS.items()):
        b = best_net(res, key)
        s, gates = a[f"{key}_long_s_best"], a[f"{key}_long_gates_best"]
        C = s.shape[-1]
        t = np.arange(len(s))
        for k in range(C):
            axes[0, c].plot(t, s[:, k], lw=1.5, label=f"cell {k + 1}")
        for e in range(1, 4 if key == "anbncn" else 3):
            axes[0, c].axvline(1 + (e - 1) * n, color="gray", lw=0.6, ls=":")
            axes[1, c].axvline(1 + (e - 1) * n, color="gray", lw=0.6, ls=":")
        names = ["input", "forget", "g/2", "output"]
        for g in range(4):
            for k in range(C):
                v = gates[:, g * C + k] / (2.0 if g == 2 else 1.0)
                axes[1, c].plot(t, v, lw=1, ls="-" if k == 0 else "--", label=f"{names[g]} {k + 1}")
        rg = res["metrics"][key]["generalisation_range"][b]
        axes[0, c].set(ylabel="cell state s(t)", title=f"{title}\nnet {b}, range {rg}; string n = {n}")
        axes[1, c].set(xlabel="step", ylabel="gate activation")
        axes[0, c].legend(fontsize=7)
        axes[1, c].legend(fontsize=6, ncol=2)
    fig.tight_layout()
    save_figure(fig, out / "counter_cells.png")


def acceptance(res, a, out):
    """Which n each net accepts (white), n = 1..test_max."""
    fig, axes = plt.subplots(2, 1, figsize=(11, 6))
    for ax, (key, title) in zip(axes, LANGS.items(), strict=True):
        ok = a[f"{key}_accept"].astype(float)
        ax.imshow(ok, aspect="auto", cmap="gray", interpolation="nearest",
                  extent=(0.5, ok.shape[1] + 0.5, ok.shape[0] - 0.5, -0.5))
        for _, idx in groups(res)[1:]:
            ax.axhline(idx[0] - 0.5, color="tab:red", lw=1)
        ax.set(xscale="log", xlabel="n", ylabel="net (grouped by learning rate)",
               title=f"{title}: accepted n")
    fig.tight_layout()
    save_figure(fig, out / "acceptance.png")


def main(args):
    res, a = load_run(args.results)
    out = pathlib.Path(args.out_dir)
    generalisation(res, a, out)
    curves(res, a, out)
    counter(res, a, out)
    acceptance(res, a, out)
    print(f"wrote 4 figures to {out}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
