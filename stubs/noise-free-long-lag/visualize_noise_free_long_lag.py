"""Static figures of the Experiment 2 run (2a, 2b, 2c), read from its saved results (never retrains).

python3 visualize_noise_free_long_lag.py      # reads results.json + results.npz, writes viz/*.png
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

PAPER_SEQS = {"2a": 5_040, "2b": 5_680, "2c": 30_000}
COLORS = {"2a": "tab:blue", "2b": "tab:orange", "2c": "tab:purple"}


def learning_curves(res, a, out):
    """Training error per net against sequences, one panel per task; the paper's mean marked."""
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.4))
    for ax, v in zip(axes, ("2a", "2b", "2c"), strict=True):
        n, err = a[f"{v}_curve_n"], a[f"{v}_curve_err"]  # (K,), (K, S)
        ax.plot(n, err, color=COLORS[v], alpha=0.3, lw=1)
        ax.plot(n, np.median(err, axis=1), color=COLORS[v], lw=2.2, label="median over nets")
        if v != "2c":
            for k in a[f"{v}_added_at"][a[f"{v}_added_at"] > 0]:
                ax.axvline(k, color="gray", lw=0.6, ls=":")
            ax.plot([], [], color="gray", lw=0.6, ls=":", label="cell added (per net)")
        for k in a[f"{v}_solved_at"][a[f"{v}_solved_at"] > 0]:
            ax.axvline(k, color="tab:green", lw=1)
        ax.axvline(PAPER_SEQS[v], color="k", lw=1.2, ls="--", label=f"paper mean {PAPER_SEQS[v]:,}")
        m = res["metrics"][v]
        ax.set(
            xlabel="training sequences per net",
            ylabel="training error per sequence (1/2 sum sq.)",
            yscale="log" if v != "2c" else "linear",
            title=f"Task {v}: {m['n_solved']}/{len(m['solved_at'])} nets successful",
        )
        ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, out / "learning_curves.png")


def cell_states(res, a, out):
    """The trained cells along test sequences: 2a/2b s(t) for keys x and y (every net); 2c the two
    cells of net 0 on four test sequences."""
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.4))
    for ax, v in zip(axes[:2], ("2a", "2b"), strict=True):
        s = a[f"{v}_probe_s"]  # (p, S, 2)
        for k, (col, key) in enumerate((("tab:red", "x"), ("tab:blue", "y"))):
            ax.plot(s[:, :, k], color=col, alpha=0.5, lw=1)
            ax.plot([], [], color=col, label=f"sequence starting with {key}")
        ax.set(
            xlabel="step",
            ylabel="cell state s(t) (= cell output, h = id)",
            title=f"Task {v}: the cell after training, every net",
        )
        ax.legend(fontsize=7)
    ax = axes[2]
    s, last, lab = a["2c_probe_s"], a["2c_probe_last"], a["2c_probe_label"]  # (L, S, 4, 2)
    for j in range(s.shape[2]):
        col = "tab:red" if lab[j] == 0 else "tab:blue"
        for c, ls in ((0, "-"), (1, "--")):
            ax.plot(np.arange(last[j] + 1), s[: last[j] + 1, 0, j, c], color=col, ls=ls, lw=1)
    ax.plot([], [], color="tab:red", label="key x"), ax.plot([], [], color="tab:blue", label="key y")
    ax.plot([], [], color="k", ls="--", label="cell 2 (dashed)")
    ax.set(
        xlabel="step (b, key, distractors, e)",
        ylabel="cell state s(t)",
        title="Task 2c: both cells of net 0 after training",
    )
    ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, out / "cell_states.png")


def lyapunov(res, a, out):
    """2c: top exponents per net over the distractor window."""
    ex = a["2c_lyap"].mean(axis=1)  # (S, k)
    fig, ax = plt.subplots(figsize=(6, 3.8))
    for i in range(ex.shape[1]):
        ax.plot(np.arange(ex.shape[0]), ex[:, i], "o-", ms=4, label=f"lambda_{i + 1}")
    ax.axhline(0, color="k", lw=0.8)
    ax.set(
        xlabel="net (seed)", ylabel="exponent per step", title="Task 2c: Lyapunov exponents, distractor steps"
    )
    ax.legend(fontsize=7)
    save_figure(fig, out / "lyapunov_2c.png")


def main(args):
    res, a = load_run(args.results)
    out = pathlib.Path(args.out_dir)
    learning_curves(res, a, out)
    cell_states(res, a, out)
    lyapunov(res, a, out)
    print(f"wrote {out}/learning_curves.png, cell_states.png, lyapunov_2c.png")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
