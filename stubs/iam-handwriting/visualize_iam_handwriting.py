"""Figures of the saved iam-handwriting run: training words by different writers, the test scores
per net, decoder and test set, where the CTC emissions fall along the pen trajectory, the training
curves and the Lyapunov spectra of every LSTM direction.

    python3 visualize_iam_handwriting.py     # results.json + results.npz -> viz/*.png
"""
import os
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np

from shared.blstm_ctc import decode
from shared.cli import make_artifact_parser, run
from shared.figures import save_figure
from shared.results import load_run

ALPHABET = "abcdefghijklmnopqrstuvwxyz"
NAMES = {"blstm": "BLSTM-CTC", "lstm": "uni-LSTM-CTC"}
COLORS = {"blstm": "tab:blue", "lstm": "tab:orange"}


def word_of(labels):
    return "".join(ALPHABET[int(k)] for k in labels)


def draw_pen(ax, pts, up, color="k", lw=1.0, letter=None):
    """Pen-down strokes as lines (coloured by letter if given); pen-up jumps left out."""
    starts = np.r_[0, np.flatnonzero(up > 0.5), len(pts)]
    cmap = plt.get_cmap("tab10")
    for a, b in zip(starts[:-1], starts[1:], strict=True):
        c = cmap(int(letter[a]) % 10) if letter is not None else color
        ax.plot(pts[a:b, 0], pts[a:b, 1], color=c, lw=lw)
    ax.set_aspect("equal")
    ax.axis("off")


def writers_figure(a, path):
    n = sum(1 for k in a if k.startswith("train") and k.endswith("_pts"))
    fig, axes = plt.subplots(3, 4, figsize=(9, 3.6))
    for i, ax in enumerate(axes.ravel()):
        if i < n:
            draw_pen(ax, a[f"train{i}_pts"], a[f"train{i}_up"], lw=0.8)
            ax.set_title(word_of(a[f"train{i}_labels"]), fontsize=8)
        else:
            ax.axis("off")
    fig.suptitle("training samples: font contours as pen strokes, each by a random training writer",
                 fontsize=9)
    fig.tight_layout()
    save_figure(fig, path)


def scores_figure(res, path):
    S = res["metrics"]["scores"]
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    labels, x = [], np.arange(4)
    panels = (("cer", "character error rate (%)"), ("word_acc", "word accuracy (%)"))
    cases = [(n, s) for n in ("blstm", "lstm") for s in ("test_seen", "test_unseen")]
    for j, (metric, title) in enumerate(panels):
        ax = axes[j]
        for i, (net, sname) in enumerate(cases):
            g, lx = 100 * S[net][sname][f"{metric}_greedy"], 100 * S[net][sname][f"{metric}_lexicon"]
            ax.bar(i - 0.18, g, 0.36, color=COLORS[net], alpha=0.45, label="best path" if i == 0 else None)
            ax.bar(i + 0.18, lx, 0.36, color=COLORS[net], label="dictionary" if i == 0 else None)
            ax.text(i - 0.18, g, f"{g:.0f}", ha="center", va="bottom", fontsize=7)
            ax.text(i + 0.18, lx, f"{lx:.0f}", ha="center", va="bottom", fontsize=7)
            if j == 0:
                labels.append(f"{NAMES[net]}\n{'seen' if sname == 'test_seen' else 'unseen'} words")
        ax.set_xticks(x, labels, fontsize=7)
        ax.set_title(title, fontsize=9)
        ax.set_ylim(0, 1.3 * ax.get_ylim()[1])                # room for the legend above the bars
        ax.legend(fontsize=7, loc="upper left", ncol=2)
    fig.suptitle("new writers; pale: best path, dark: token passing over the dictionary", fontsize=9)
    fig.tight_layout()
    save_figure(fig, path)


def timing_figure(res, a, path):
    """Top: one unseen word, strokes coloured by letter, where each net emits each letter (forced
    alignment). Bottom: the emission's lag after its letter's last pen point, all unseen words."""
    fig = plt.figure(figsize=(9, 5.6))
    pts, up, letter, labels = a["ex0_pts"], a["ex0_up"], a["ex0_letter"], a["ex0_labels"]
    for j, k in enumerate(("blstm", "lstm")):
        ax = fig.add_subplot(2, 2, j + 1)
        draw_pen(ax, pts, up, letter=letter, lw=1.0)
        _, first = decode.forced_alignment(a[f"ex0_{k}"].astype(np.float64), list(labels))
        for i, t in enumerate(first):
            ax.plot(*pts[t], marker="o", ms=9, mfc="none", mec="k")
            ax.annotate(ALPHABET[labels[i]], pts[t], textcoords="offset points", xytext=(4, 6), fontsize=9)
        ax.set_title(f"{NAMES[k]}: where '{word_of(labels)}' emits each letter (circles)", fontsize=8)
    ax = fig.add_subplot(2, 1, 2)
    lag = res["metrics"]["spike_lag"]
    lo = min(np.min(a[f"spike_after_{k}"]) for k in NAMES)
    hi = max(np.max(a[f"spike_after_{k}"]) for k in NAMES)
    bins = np.arange(lo - 0.5, hi + 1.5, 2)
    for k in NAMES:
        sp = res["metrics"]["spikes"][k]
        ax.hist(a[f"spike_after_{k}"], bins=bins, alpha=0.55, color=COLORS[k],
                label=f"{NAMES[k]}: during {100 * sp['during']:.0f}%, after {100 * sp['after']:.0f}%, "
                      f"before {100 * sp['before']:.0f}%")
    ax.axvline(0, color="k", lw=0.8)
    ax.axvline(lag, color="k", lw=0.6, ls=":")
    ax.set(xlabel="emission point minus the letter's last pen point (<= 0: while or before writing it)",
           ylabel="letters")
    ax.legend(fontsize=7)
    ax.set_title(f"unseen test words: when each letter is emitted (dotted: {lag} points after its end)",
                 fontsize=8)
    fig.tight_layout()
    save_figure(fig, path)


def curves_figure(a, path):
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    for k in NAMES:
        e = np.arange(1, len(a[f"{k}_train_loss"]) + 1)
        axes[0].plot(e, a[f"{k}_train_loss"], color=COLORS[k], label=NAMES[k])
        axes[1].plot(e, 100 * a[f"{k}_val_cer"], color=COLORS[k], marker="o", ms=3, label=NAMES[k])
    axes[0].set(xlabel="epoch", ylabel="CTC loss per word (nats)", title="training loss")
    axes[1].set(xlabel="epoch", ylabel="CER (%)", title="validation words (unseen, new writers), best path")
    for ax in axes:
        ax.legend(fontsize=7)
        ax.title.set_fontsize(9)
    fig.tight_layout()
    save_figure(fig, path)


def lyapunov_figure(res, path):
    L = res["metrics"]["lyapunov"]
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    styles = {("blstm", "forward"): "-", ("blstm", "backward"): "--", ("lstm", "forward"): "-"}
    for (k, d), ls in styles.items():
        lam, lam0 = L[k][d], L[k]["at_init"][d]
        i = np.arange(1, len(lam) + 1)
        ax.plot(i, lam, ls, color=COLORS[k], marker="o", ms=3, label=f"{NAMES[k]} {d}, trained")
        ax.plot(i, lam0, ls, color=COLORS[k], alpha=0.35, label=f"{NAMES[k]} {d}, at initialisation")
    letter = res["metrics"]["letter_points_mean"]
    ax.axhline(-1.0 / letter, color="k", lw=0.6, ls=":", label=f"-1 / (mean letter, {letter:.0f} points)")
    ax.axhline(0, color="k", lw=0.6)
    ax.set(xlabel="exponent index", ylabel="nats per pen point",
           title="Lyapunov spectra of each LSTM direction along unseen test words")
    ax.title.set_fontsize(9)
    ax.legend(fontsize=6)
    fig.tight_layout()
    save_figure(fig, path)


def main(args):
    res, a = load_run(args.results)
    os.makedirs(args.out_dir, exist_ok=True)
    writers_figure(a, os.path.join(args.out_dir, "writers.png"))
    scores_figure(res, os.path.join(args.out_dir, "scores.png"))
    timing_figure(res, a, os.path.join(args.out_dir, "emission_timing.png"))
    curves_figure(a, os.path.join(args.out_dir, "training_curves.png"))
    lyapunov_figure(res, os.path.join(args.out_dir, "lyapunov.png"))
    print(f"wrote 5 figures to {args.out_dir}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
