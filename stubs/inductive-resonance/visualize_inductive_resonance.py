"""Static figures of the inductive-resonance synthesis, read from its saved results (never retrains).

    python3 visualize_inductive_resonance.py      # reads results.json + results.npz, writes viz/*.png
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

GROUPS = ("untrained", "struct", "shuffle", "iid")
COLORS = {"untrained": "0.6", "struct": "tab:blue", "shuffle": "tab:orange", "iid": "tab:green"}


def headline_table(res, out):
    """The README's 'struct - null' cells beside the original's files and our two protocols."""
    cells = res["metrics"]["table"]
    fig, ax = plt.subplots(figsize=(8, 4))
    x = np.arange(len(cells))
    cols = [("readme", "original README", "tab:red"), ("original_files", "original's files", "0.3"),
            ("ours_a", "ours (a): struct - shuffle", "tab:blue"), ("ours_b", "ours (b): paired struct - iid",
                                                                    "tab:green")]
    for j, (key, label, col) in enumerate(cols):
        v = [np.nan if c[key] is None else c[key] for c in cells]
        ax.bar(x + (j - 1.5) * 0.2, v, 0.2, color=col, label=label)
    ax.set_yscale("symlog", linthresh=0.5)
    ax.axhline(0, color="k", lw=0.6)
    ax.set_xticks(x, [f"{c['world']} {c['kind'].upper()}" for c in cells])
    ax.set(ylabel="ΔNLL struct - null (nats/step, symlog)", title="The README's headline table, three ways")
    ax.legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, out / "headline_table.png")


def spectra(res, out):
    """Driven λ1 of the trained GRU, RNN and LSTM in each world."""
    sp = res["metrics"]["spectra"]
    fig, ax = plt.subplots(figsize=(6.5, 4))
    worlds = list(sp)
    for j, (k, col) in enumerate((("gru", "tab:blue"), ("rnn", "tab:orange"), ("lstm", "tab:green"))):
        v = [sp[w][k]["lambda1"] if k in sp[w] else np.nan for w in worlds]
        ax.bar(np.arange(len(worlds)) + (j - 1) * 0.25, v, 0.25, color=col, label=k.upper())
    ax.axhspan(-0.1, 0.1, color="0.9", zorder=0, label="|λ1| < 0.1 (near-neutral)")
    ax.axhline(0, color="k", lw=0.6)
    ax.set_xticks(np.arange(len(worlds)), worlds)
    ax.set(ylabel="trained driven λ1 per step", title="Top Lyapunov exponent, trained nets, by world")
    ax.legend(fontsize=8)
    save_figure(fig, out / "spectra.png")


def hallucination(res, a, out):
    """The coasting rule's two statistics per (seed, sequence), by training world, with thresholds."""
    cfg = res["config"]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, kind in zip(axes, ("gru", "rnn"), strict=True):
        for g in GROUPS:
            ax.scatter(a[f"{kind}_{g}_mean_abs"].ravel(), a[f"{kind}_{g}_var"].ravel(), s=10, alpha=0.6,
                       color=COLORS[g], label=g)
        ax.axvline(cfg["mean_thr"], color="k", ls="--", lw=0.8)
        ax.axhline(cfg["var_thr"], color="k", ls="--", lw=0.8)
        ax.set(xscale="log", yscale="log", xlabel="mean |prediction| over the zero-input window",
               ylabel="variance of the predictions",
               title=f"{kind.upper()}: outside the dashed box = 'HALLUCINATION'")
        ax.legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, out / "hallucination.png")


def main(args):
    res, a = load_run(args.results)
    out = pathlib.Path(args.out_dir)
    headline_table(res, out)
    spectra(res, out)
    hallucination(res, a, out)
    print(f"wrote 3 figures to {out}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
