"""Predictability minimization at work, from the saved run: run 0 of two two-unit settings
(off-line, the full coder gradient).

Left and middle: each pattern's code (y1, y2) as a point in the unit square (u1: four one-hot
patterns of equal probability; n1: patterns 00, 01, 10, 11 with probabilities 1/9, 2/9, 2/9,
4/9, dots sized by probability), with each predictor's guess as a cross of the same colour. A
binary factorial code puts the four patterns in four different corners; a redundant code puts
them on the diagonal, where each unit is predictable from the other. Right: the predictor error
E_P per presentation of every run of both settings, and the time of the frame.

    python3 make_predictability_min_binary_factors_gif.py   # results.json + .npz -> the GIF
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt

from shared.cli import make_artifact_parser, run
from shared.figures import figure_to_frame, save_gif
from shared.results import load_run

KEYS = ("u1", "n1")
COLORS = ("tab:blue", "tab:orange", "tab:green", "tab:red")


def frame(a, keys, f, n_frames):
    fig, axes = plt.subplots(1, 3, figsize=(9.6, 3.3), gridspec_kw={"width_ratios": [1, 1, 1.3]})
    for ax, k in zip(axes[:2], keys, strict=False):
        ts = a[f"{k}_ts"]
        c = min(len(ts) - 1, int(round(f * (len(ts) - 1) / max(1, n_frames - 1))))
        y, P, w = a[f"{k}_full_film_y"][c], a[f"{k}_full_film_p"][c], a[f"{k}_w"]
        size = 40 + 260 * w / w.max()
        for b in range(y.shape[0]):
            ax.scatter(y[b, 0], y[b, 1], s=size[b], color=COLORS[b % 4], zorder=3)
            ax.plot(P[b, 0], P[b, 1], "x", color=COLORS[b % 4], ms=7, mew=1.5)
        ax.set(xlim=(-0.05, 1.05), ylim=(-0.05, 1.05), xlabel="code unit 1", ylabel="code unit 2",
               aspect="equal")
        ok = bool(a[f"{k}_full_factorial"][0]) and c == len(ts) - 1
        ax.set_title(f"{k}, run 0, epoch {int(ts[c]):,}" + (" (factorial)" if ok else ""), fontsize=9)
    ax = axes[2]
    for i, k in enumerate(keys):
        ts, err = a[f"{k}_ts"], a[f"{k}_full_err"]
        c = min(len(ts) - 1, int(round(f * (len(ts) - 1) / max(1, n_frames - 1))))
        frac = ts / ts[-1]
        ax.plot(frac, err, color=f"C{i}", lw=0.5, alpha=0.35)
        ax.plot(frac[: c + 1], err[: c + 1, 0], color=f"C{i}", lw=2, label=f"{k} (run 0 bold)")
    ax.axvline(f / max(1, n_frames - 1), color="0.5", lw=0.8)
    ax.set_yscale("symlog", linthresh=1e-3)
    ax.set_ylim(-1e-4, 0.6)
    ax.set(xlabel="fraction of the budget", ylabel="E_P per presentation")
    ax.legend(fontsize=7, loc="upper right")
    fig.suptitle("predictability minimization: code units (dots) escape their predictors (crosses)",
                 fontsize=10)
    fig.tight_layout()
    return figure_to_frame(fig, dpi=70)


def main(args):
    res, a = load_run(args.results)
    keys = [k for k in KEYS if f"{k}_full_film_y" in a]
    if not keys:
        raise FileNotFoundError(f"{args.results} holds neither of the settings {KEYS}")
    n_frames = 30
    frames = [frame(a, keys, f, n_frames) for f in range(n_frames)]
    save_gif(frames, args.out, fps=5, colors=64)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "gif"))
