"""Figures of the saved timit-blstm-ctc run: training curves of the four nets, one test utterance
through the framewise nets and the CTC net, accuracy by position inside a phone, where the CTC
spikes fall, and the Lyapunov spectra of both directions.

    python3 visualize_timit_blstm_ctc.py     # results.json + results.npz -> viz/*.png
"""
import os
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np

from shared.cli import make_artifact_parser, run
from shared.figures import save_figure
from shared.results import load_run

NAMES = {"blstm": "BLSTM (framewise)", "lstm": "uni-LSTM (framewise)", "mlp": "MLP, +-5 frames",
         "ctc": "BLSTM + CTC"}
COLORS = {"blstm": "tab:blue", "lstm": "tab:orange", "mlp": "tab:green", "ctc": "tab:red"}


def boundaries(frames):
    """Frame indices where a new phone starts, and the phone of each segment."""
    starts = np.r_[0, np.flatnonzero(np.diff(frames)) + 1]
    return starts, frames[starts]


def curves_figure(res, a, path):
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    for k in NAMES:
        e = np.arange(1, len(a[f"{k}_train_loss"]) + 1)
        axes[0].plot(e, a[f"{k}_train_loss"], color=COLORS[k], label=NAMES[k])
        axes[1].plot(e, 100 * a[f"{k}_val_error"], color=COLORS[k], marker="o", ms=3,
                     label=NAMES[k] + (" (best-path LER)" if k == "ctc" else " (frame error)"))
    axes[0].set(xlabel="epoch", ylabel="training loss per frame (nats)", title="training loss")
    axes[1].set(xlabel="epoch", ylabel="validation error (%)", title="validation: frame error / label error")
    for ax in axes:
        ax.legend(fontsize=7)
        ax.title.set_fontsize(9)
    fig.tight_layout()
    save_figure(fig, path)


def outputs_panel(ax, ly, frames, title, ctc=False):
    """Framewise nets: the probability of the true phone at each frame (and the argmax's hits);
    CTC: every label's probability (spikes) and the blank's (grey)."""
    T = len(frames)
    y = np.exp(ly)
    starts, _ = boundaries(frames)
    for s in starts[1:]:
        ax.axvline(s - 0.5, color="0.85", lw=0.6, zorder=0)
    if ctc:
        ax.plot(np.arange(T), y[:, -1], color="0.6", lw=1, label="blank")
        top = y[:, :-1].max(axis=0) > 0.3
        for k in np.flatnonzero(top):
            ax.plot(np.arange(T), y[:, k], lw=1)
    else:
        ax.plot(np.arange(T), y[np.arange(T), frames], color="tab:blue", lw=1, label="p(true phone)")
        hit = y.argmax(-1) == frames
        ax.scatter(np.flatnonzero(~hit), np.full((~hit).sum(), 1.04), s=4, color="tab:red",
                   label="frame wrong")
    ax.set(xlim=(0, T), ylim=(0, 1.1))
    ax.set_title(title, fontsize=8)
    ax.legend(fontsize=6, loc="lower right")


def example_figure(res, a, path):
    frames, phones = a["example_frames"].astype(int), a["example_phones"].astype(int)
    fig, axes = plt.subplots(4, 1, figsize=(9, 7), sharex=True)
    ax = axes[0]
    ax.imshow(a["example_x"].T, aspect="auto", cmap="viridis", interpolation="nearest")
    starts, labs = boundaries(frames)
    for s, k in zip(starts, labs, strict=True):
        ax.axvline(s - 0.5, color="w", lw=0.6)
        ax.text(s + 0.5, -1, str(k), fontsize=5, va="bottom")
    ax.set_title(f"test utterance 0: 26 inputs (13 statics + deltas); true phones {len(phones)}, "
                 f"boundaries in white", fontsize=8)
    M = res["metrics"]
    outputs_panel(axes[1], a["example_blstm"], frames,
                  f"framewise BLSTM (test frame accuracy {100 * M['frame_accuracy']['blstm']:.1f}% overall)")
    outputs_panel(axes[2], a["example_lstm"], frames,
                  f"framewise uni-LSTM ({100 * M['frame_accuracy']['lstm']:.1f}%)")
    outputs_panel(axes[3], a["example_ctc"], frames,
                  f"BLSTM + CTC: label spikes and blank (test best-path LER "
                  f"{100 * M['ler']['ctc_best_path']:.1f}%)", ctc=True)
    axes[3].set_xlabel("frame (10 ms)")
    fig.tight_layout()
    save_figure(fig, path)


def position_figure(res, a, path):
    fig, ax = plt.subplots(figsize=(5.5, 3.4))
    for k in ("blstm", "lstm", "mlp"):
        v = a[f"pos_{k}"]
        ax.plot((np.arange(len(v)) + 0.5) / len(v), 100 * v, marker="o", color=COLORS[k], label=NAMES[k])
    ax.set(xlabel="relative position inside the true phone (0 = first frame)",
           ylabel="test frame accuracy (%)", title="Where future context helps: accuracy along each phone")
    ax.title.set_fontsize(9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, path)


def spikes_figure(res, a, path):
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.2))
    axes[0].hist(a["spike_rel"], bins=20, range=(0, 1), color="tab:red")
    axes[0].set(xlabel="relative position of the spike inside its phone", ylabel="spikes",
                title="CTC spikes inside a phone of their own label")
    off = a["spike_offset"]
    axes[1].hist(off, bins=np.arange(-0.5, max(10, off.max() + 1.5 if len(off) else 10)), color="tab:red")
    axes[1].set(xlabel="frames after the phone's first frame", title="spike offset from the phone start")
    o = res["metrics"]["ctc_outputs"]
    fig.suptitle(f"{o['n_spikes']} test spikes, {100 * o['spike_in_own_phone']:.0f}% inside a phone of their "
                 f"label; blank wins {100 * o['blank_frame_share']:.0f}% of frames", fontsize=8)
    for ax in axes:
        ax.title.set_fontsize(8)
    fig.tight_layout()
    save_figure(fig, path)


def lyapunov_figure(res, a, path):
    M = res["metrics"]
    fig, axes = plt.subplots(1, 2, figsize=(8.5, 3.4), sharey=True)
    span = M["phone_plus_coarticulation_frames"]
    for ax, k in zip(axes, ("blstm", "ctc"), strict=True):
        for d, ls, col in (("forward", "-", "tab:blue"), ("backward", "--", "tab:purple")):
            lam = np.array(M["lyapunov"][k][d])
            ax.plot(np.arange(1, len(lam) + 1), lam, ls, color=col, marker="o", ms=3,
                    label=f"{d} LSTM: 1/|lambda_1| = {M['lyapunov'][k]['memory_frames'][d]:.1f} frames")
            lam0 = np.array(M["lyapunov"][k]["at_init"][d])
            ax.plot(np.arange(1, len(lam0) + 1), lam0, ls, color=col, alpha=0.35, lw=0.8,
                    label=f"{d}, before training")
        ax.axhline(-1.0 / span, color="0.4", ls=":", lw=1,
                   label=f"-1 / (phone + coarticulation = {span:.1f} frames)")
        ax.set(xlabel="exponent index", title=NAMES[k])
        ax.legend(fontsize=6)
        ax.title.set_fontsize(9)
    axes[0].set_ylabel("Lyapunov exponent (nats per frame)")
    fig.tight_layout()
    save_figure(fig, path)


def main(args):
    res, a = load_run(args.results)
    os.makedirs(args.out_dir, exist_ok=True)
    for name, fn in (("training_curves", curves_figure), ("example_utterance", example_figure),
                     ("accuracy_by_position", position_figure), ("ctc_spikes", spikes_figure),
                     ("lyapunov", lyapunov_figure)):
        fn(res, a, os.path.join(args.out_dir, f"{name}.png"))
    print(f"wrote 5 figures to {args.out_dir}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
