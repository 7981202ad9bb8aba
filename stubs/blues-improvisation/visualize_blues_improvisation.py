"""Static figures of the blues run, read from its saved results (never retrains).

    python3 visualize_blues_improvisation.py      # reads results.json + results.npz, writes viz/*.png

Also writes viz/what_it_plays.txt: a text piano roll of the first two generated choruses of net 0
in each experiment (no audio, no MIDI).
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np

from shared.cli import make_artifact_parser, run
from shared.figures import save_figure
from shared.results import atomic_write_bytes, load_run

NOTE_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
FORM_NAMES = ("C7", "C7", "C7", "C7", "F7", "F7", "C7", "C7", "G7", "F7", "C7", "C7")
CHORDS = {"C7": (0, 4, 7, 10), "F7": (5, 9, 0, 3), "G7": (7, 11, 2, 5)}


def bar_names(chords):
    """(T, 12) bool chord roll -> the chord name of every bar, '?' where it is none or changes."""
    out = []
    for bar in chords.reshape(-1, 8, 12).astype(bool):
        name = "?"
        if (bar == bar[0]).all():
            name = next((n for n, pcs in CHORDS.items() if set(np.flatnonzero(bar[0])) == set(pcs)), "?")
        out.append(name)
    return out


def learning_curves(res, a, out):
    fig, axes = plt.subplots(1, 3, figsize=(14, 3.8))
    for exp, ax in zip((1, 2), axes[:2], strict=True):
        w, err = a[f"exp{exp}_curve_window"], a[f"exp{exp}_curve_chord_err"]
        ax.plot(w, err, color="tab:blue", alpha=0.4, lw=1)
        ax.plot(w, np.median(err, 1), color="tab:blue", lw=2, label="median of nets")
        ax.axhline(5 / 96, color="k", ls="--", lw=0.8)
        ax.text(w[0], 5 / 96, " copying the current chord: 5/96", fontsize=7, va="bottom")
        ax.set(yscale="log", xlabel="training choruses (one update each)",
               ylabel="chord steps wrong (teacher forced)",
               title=f"Exp. {exp}: next-step chord errors")
        ax.legend(fontsize=7)
    w, ce = a["exp2_curve_window"], a["exp2_curve_ce_melody"]
    axes[2].plot(w, ce, color="tab:orange", alpha=0.4, lw=1)
    axes[2].plot(w, np.median(ce, 1), color="tab:orange", lw=2)
    axes[2].set(xlabel="training choruses", ylabel="melody cross-entropy per step",
                title="Exp. 2: melody next-step cross-entropy")
    save_figure(fig, out / "learning_curves.png")


def piano_roll(res, a, out):
    """Net 0 of Exp. 2, two generated choruses: chords (12 units) over melody (13 units)."""
    ch, mel = a["exp2_gen_chords"][:, 0].astype(bool), a["exp2_gen_melody"][:, 0].astype(bool)
    T = ch.shape[0]
    fig, (ax, bx) = plt.subplots(2, 1, figsize=(14, 6), sharex=True, gridspec_kw={"height_ratios": [1, 1.1]})
    ax.imshow(ch.T, aspect="auto", origin="lower", cmap="Blues", interpolation="nearest")
    ax.set(yticks=range(12), yticklabels=[f"{n}3" for n in NOTE_NAMES], ylabel="chord units")
    ax.set_title("Exp. 2, net 0, free running: what it plays (bar labels: played / the form)", pad=18)
    for b, (got, want) in enumerate(zip(bar_names(ch), FORM_NAMES * (T // 96), strict=True)):
        ax.text(b * 8 + 4, 12.2, f"{got}/{want}", ha="center", fontsize=7, color="k" if got == want else "r")
    bx.imshow(mel.T, aspect="auto", origin="lower", cmap="Oranges", interpolation="nearest")
    bx.set(yticks=range(13), yticklabels=[f"{n}4" for n in NOTE_NAMES] + ["C5"], ylabel="melody units",
           xlabel="time step (8 per bar, 96 per chorus)")
    for x in (ax, bx):
        for b in range(0, T + 1, 8):
            x.axvline(b - 0.5, color="k", lw=0.3 if b % 96 else 1.5)
    save_figure(fig, out / "piano_roll.png")


def form_over_choruses(res, a, out):
    fig, axes = plt.subplots(1, 2, figsize=(12, 3.8), sharey=True)
    for exp, ax in zip((1, 2), axes, strict=True):
        pc = a[f"exp{exp}_on_per_chorus"]                                  # (choruses, S, streams)
        k = np.arange(1, pc.shape[0] + 1)
        ax.plot(k, pc.mean(2), color="tab:green", alpha=0.5, lw=1)
        ax.plot(k, pc.mean((1, 2)), color="k", lw=2, label="mean of nets")
        ax.axhline(8 / 12, color="tab:red", ls=":", lw=1)
        ax.text(1, 8 / 12, " C7 throughout: 8/12", color="tab:red", fontsize=7, va="bottom")
        ax.set(xlabel="generated chorus", ylabel="bars on the form", ylim=(-0.02, 1.02),
               title=f"Exp. {exp}: does it keep the form? (one line per net)")
        ax.legend(fontsize=7, loc="lower right")
    save_figure(fig, out / "form_over_choruses.png")


def lyapunov(res, a, out):
    fig, ax = plt.subplots(figsize=(7, 3.8))
    for i, (exp, col) in enumerate(((1, "tab:blue"), (2, "tab:orange"))):
        ex = 96 * np.sort(a[f"exp{exp}_lyap"], -1)[:, ::-1]                # (S, k) per chorus
        k = np.arange(1, ex.shape[1] + 1)
        for row in ex:
            ax.plot(k + 0.12 * (i - 0.5), row, "o", color=col, alpha=0.4, ms=4)
        ax.plot(k + 0.12 * (i - 0.5), res["lyapunov"]["exponents"][f"exp{exp}_per_chorus"], "_", color=col,
                ms=18, mew=2, label=f"Exp. {exp}: mean of nets")
    ax.axhline(0, color="k", lw=0.7)
    ax.set(xlabel="exponent index i", ylabel="lambda_i per chorus (96 steps)",
           title="Lyapunov spectra of the free-running generators")
    ax.legend(fontsize=8)
    save_figure(fig, out / "lyapunov.png")


def cells(res, a, out):
    s = a["exp2_cells"][:, 0]                                              # (T, C) net 0, stream 0
    fig, ax = plt.subplots(figsize=(14, 3.5))
    for c in range(8):
        ax.plot(s[:, c], lw=1.2, label=f"chord cell {c}")
    for c in range(8, s.shape[1]):
        ax.plot(s[:, c], lw=0.6, color="0.6")
    for b in range(0, s.shape[0] + 1, 8):
        ax.axvline(b, color="k", lw=0.3 if b % 96 else 1.5)
    ax.set(xlabel="time step", ylabel="cell state s",
           title="Exp. 2, net 0, free running: chord cells (colours) and melody cells (grey)")
    ax.legend(fontsize=6, ncol=4)
    save_figure(fig, out / "cells.png")


def text_roll(a):
    """Text piano roll: one line per melody note (high to low), the chord names above."""
    lines = []
    for exp in (1, 2):
        ch = a[f"exp{exp}_gen_chords"][:, 0].astype(bool)
        mel = a.get(f"exp{exp}_gen_melody")
        T = ch.shape[0]
        lines.append(f"Exp. {exp}, net 0: the first {T // 96} generated choruses ('|' = bar line; "
                     "'=' sounding note; '.' silence)")
        lines.append("played  " + "|".join(f"{n:<8s}" for n in bar_names(ch)))
        lines.append("form    " + "|".join(f"{n:<8s}" for n in FORM_NAMES * (T // 96)))
        for u in range(11, -1, -1):
            row = "".join("=" if v else "." for v in ch[:, u])
            lines.append(f"{NOTE_NAMES[u] + '3':<8s}" + "|".join(row[i:i + 8] for i in range(0, T, 8)))
        if mel is not None:
            lines.append("melody")
            names = [f"{n}4" for n in NOTE_NAMES] + ["C5"]
            for u in range(12, -1, -1):
                row = "".join("=" if v else "." for v in mel[:, u])
                lines.append(f"{names[u]:<8s}" + "|".join(row[i:i + 8] for i in range(0, T, 8)))
        lines.append("")
    return "\n".join(lines) + "\n"


def main(args):
    res, a = load_run(args.results)
    out = pathlib.Path(args.out_dir)
    learning_curves(res, a, out)
    piano_roll(res, a, out)
    form_over_choruses(res, a, out)
    lyapunov(res, a, out)
    cells(res, a, out)
    a["exp2_gen_melody"] = a["exp2_gen_melody"][:, 0]
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out / "what_it_plays.txt", text_roll(a).encode())
    print(f"wrote 5 figures and what_it_plays.txt to {out}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
