"""Figures of the saved predictability-minimization run: success per setting against the paper,
every run's predictor error over training, the eigenvalues of the game's Jacobian at the end,
and the 16-pattern code sizes of u3.

    python3 visualize_predictability_min_binary_factors.py     # results.json + .npz -> viz/*.png
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

# the paper's success fractions (n4: 'rarely factorial', no number)
PAPER = {"u1": 0.8, "u2": 1.0, "u3": 0.1, "u4": 0.9, "r1": 0.7, "r2": 0.5, "r3": 1.0, "n1": 0.7,
         "n2": 0.9, "n3": 0.5}


def wilson(k, n, z=1.96):
    p = k / n
    c = (p + z * z / (2 * n)) / (1 + z * z / n)
    h = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return c - h, c + h


def successes(res, k, r):
    s = res["metrics"][k][r]
    return s.get("within_paper_bound", s["factorial_end"]), s["runs"]


def success_figure(res, path):
    keys = res["config"]["settings"]
    fig, ax = plt.subplots(figsize=(8, 3.6))
    for i, k in enumerate(keys):
        for j, (r, c, mk) in enumerate((("full", "C0", "o"), ("own", "C2", "s"))):
            got, runs = successes(res, k, r)
            lo, hi = wilson(got, runs)
            x = i + (j - 0.5) * 0.25
            ax.plot([x, x], [lo, hi], "-", color=c, lw=1.5)
            ax.plot(x, got / runs, mk, color=c, ms=5,
                    label=(f"{r} coder gradient (95 % Wilson)" if i == 0 else None))
        if k in PAPER:
            ax.plot(i + 0.35, PAPER[k], "*", ms=12, color="gold", mec="k",
                    label="paper (of 10 runs)" if i == 0 else None)
    ax.set_xticks(range(len(keys)), keys)
    ax.set_ylim(-0.05, 1.05)
    ax.set_ylabel("runs with a binary factorial code")
    ax.set_title(f"PM on the paper's ensembles, {res['config']['runs']} runs per setting and reading "
                 "(on-line: within the paper's bound)", fontsize=9)
    ax.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    save_figure(fig, path)


OFFLINE = ("u1", "u3", "r1", "r2", "n1", "n2", "n3", "n4")


def error_figure(res, a, path):
    keys = [k for k in ("u1", "n1", "u3", "r3") if f"{k}_full_err" in a]
    fig, axes = plt.subplots(2, len(keys), figsize=(3.1 * len(keys), 5.2), squeeze=False, sharex="col")
    for row, r in enumerate(("full", "own")):
        for ax, k in zip(axes[row], keys, strict=False):
            ts, err, ok = a[f"{k}_ts"], a[f"{k}_{r}_err"], a[f"{k}_{r}_factorial"]
            for i in range(err.shape[1]):
                ax.plot(ts, err[:, i], color="tab:green" if ok[i] else "tab:red", lw=0.7, alpha=0.6)
            ax.set_yscale("symlog", linthresh=1e-3)
            ax.set_ylim(-1e-4, 0.5)
            ax.set_title(f"{k}, {r} gradient: factorial at the end (green)", fontsize=7)
            if row == 1:
                ax.set_xlabel("coder epoch" if k in OFFLINE else "presentation")
        axes[row][0].set_ylabel("E_P per presentation")
    fig.tight_layout()
    save_figure(fig, path)


def spectrum_figure(res, a, path):
    """Per run: the largest real part of the game Jacobian's eigenvalues against the largest
    imaginary part, at the end point (log scales; non-positive real parts drawn at the floor)."""
    keys = res["config"]["settings"]
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), squeeze=False)
    floor = 1e-9
    for ax, r in zip(axes[0], ("full", "own"), strict=False):
        for i, k in enumerate(keys):
            lam, ok = a[f"{k}_{r}_eig"], a[f"{k}_{r}_factorial"]
            re, im = lam.real.max(1), np.abs(lam.imag).max(1)
            ax.scatter(np.maximum(re, floor), np.maximum(im, floor), s=12, marker="o" if i < 10 else "s",
                       facecolors=np.where(ok[:, None], [[0.2, 0.6, 0.2, 0.7]], [[0.8, 0.2, 0.2, 0.5]]),
                       edgecolors="none")
        ax.set(xscale="log", yscale="log", xlabel="largest Re(eigenvalue) per update (floored at 1e-9)",
               ylabel="largest |Im(eigenvalue)|")
        ax.set_title(f"{r} gradient, all settings: factorial (green) or not (red)", fontsize=8)
    fig.tight_layout()
    save_figure(fig, path)


def u3_figure(res, path):
    if "u3" not in res["metrics"]:
        return
    d = res["metrics"]["u3"]["full"]["distinct_end"]
    sizes = list(range(10, 17))
    paper = {16: 1, 15: 4, 13: 3, 12: 2}
    runs = res["metrics"]["u3"]["full"]["runs"]
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.bar(np.array(sizes) - 0.2, [d[s] / runs if s < len(d) else 0 for s in sizes], 0.4,
           label="here (full gradient)")
    ax.bar(np.array(sizes) + 0.2, [paper.get(s, 0) / 10 for s in sizes], 0.4, color="gold", label="paper")
    ax.set_xlabel("distinct code words for the 16 patterns (u3)")
    ax.set_ylabel("fraction of runs")
    ax.legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, path)


def main(args):
    res, a = load_run(args.results)
    os.makedirs(args.out_dir, exist_ok=True)
    success_figure(res, os.path.join(args.out_dir, "success.png"))
    error_figure(res, a, os.path.join(args.out_dir, "predictor_error.png"))
    spectrum_figure(res, a, os.path.join(args.out_dir, "game_spectrum.png"))
    u3_figure(res, os.path.join(args.out_dir, "u3_code_sizes.png"))
    print(f"wrote figures to {args.out_dir}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
