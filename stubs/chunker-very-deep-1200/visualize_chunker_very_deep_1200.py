"""Figures of the saved chunker-very-deep-1200 run: sequences to solution against lag (chunker
runs, with the conventional nets at the same budget), the inputs reaching C per sequence at each
lag, and the Lyapunov fingerprint (the conventional net's lambda_1 times the lag beside its
failure; A's top exponent at initialisation and at its solution).

    python3 visualize_chunker_very_deep_1200.py      # results.json + results.npz -> viz/*.png
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


def solution_figure(res, a, path):
    per = res["metrics"]["per_lag"]
    lags = [st["lag"] for st in per]
    fig, ax = plt.subplots(figsize=(7.5, 3.8))
    jit = np.random.default_rng(0)
    for i, st in enumerate(per):
        L = st["lag"]
        x = i + jit.uniform(-0.15, 0.15, st["runs"])       # lags side by side, in order
        for key, c, lab in ((f"solved_C_{L}", "C1", "C predicts the targets"),
                            (f"solved_A_{L}", "C0", "A predicts the targets (solved)")):
            s = a[key]
            ok = s > 0
            ax.plot(x[ok], s[ok], "o", color=c, ms=5, alpha=0.7, label=lab if i == 0 else None)
            first = i == 0 and key.startswith("solved_A")
            ax.plot(x[~ok], np.full((~ok).sum(), st["budget"]), "^", color=c, ms=6, mfc="none",
                    label="A: not within the budget" if first else None)
        ax.plot([i - 0.3, i + 0.3], [st["budget"]] * 2, color="0.5", lw=1)
        ax.text(i, st["budget"] * 1.15, f"conv.\n{st['conv_improved']}/{st['conv_nets']}", fontsize=6,
                ha="center", color="C3")
    ax.set(yscale="log", xlabel="lag L (filler steps between a/x and the target)",
           ylabel="training sequences to solution", xlim=(-0.5, len(lags) - 0.5))
    ax.set_xticks(range(len(lags)), [str(v) for v in lags])
    ax.set_title("chunker runs per lag; grey bar: the budget; red: conventional nets that improved "
                 "at that budget", fontsize=8)
    ax.legend(fontsize=7, loc="upper right")
    ax.set_ylim(top=ax.get_ylim()[1] * 2)
    fig.tight_layout()
    save_figure(fig, path)


def surprise_figure(res, a, path):
    per = res["metrics"]["per_lag"]
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    for i, st in enumerate(per):
        L = st["lag"]
        s = a[f"surprises_{L}"]                                   # (sequences, runs)
        k = np.arange(1, len(s) + 1)
        axes[0].plot(k, np.median(s, axis=1), color=f"C{i}", lw=1, label=f"L={L}")
        axes[1].plot(k * (L + 1), np.median(s, axis=1) / (L + 1), color=f"C{i}", lw=1, label=f"L={L}")
    axes[0].set(xscale="log", yscale="log", xlabel="training sequence",
                ylabel="inputs reaching C per sequence", title="median over runs")
    axes[1].set(xscale="log", yscale="log", xlabel="time step", ylabel="share of steps that reach C",
                title="the same per time step")
    for ax in axes:
        ax.title.set_fontsize(9)
        ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, path)


def dynamics_figure(res, a, path):
    ly = res["metrics"]["lyapunov"]
    lags = np.array([r["lag"] for r in ly])
    fig, axes = plt.subplots(1, 2, figsize=(9.5, 3.6))
    jit = np.random.default_rng(1)
    for j, (key, c, lab) in enumerate((("lyap_A0", "0.5", "A at initialisation"),
                                       ("lyap_A", "C0", "A at its solution (or the end)"),
                                       ("lyap_conv", "C3", "conventional net at its budget"))):
        for i, L in enumerate(lags):
            v = a[f"{key}_{L}"].ravel()
            axes[0].plot(i + 0.25 * (j - 1) + jit.uniform(-0.06, 0.06, len(v)), v, "o",
                         ms=2.5, color=c, alpha=0.6, label=lab if i == 0 else None)
    axes[0].axhline(0, color="0.6", lw=0.8)
    axes[0].set(xlabel="lag L", ylabel="top exponent per step along the filler")
    axes[0].set_xticks(range(len(lags)), [str(v) for v in lags])
    axes[0].legend(fontsize=7)
    att = np.array([r["conv_log10_attenuation"] for r in ly])
    axes[1].plot(range(len(lags)), att, "s-", color="C3")
    for i, (v, r) in enumerate(zip(att, ly, strict=True)):
        axes[1].text(i, v, f" {r['conv_improved']}/{res['metrics']['per_lag'][i]['conv_nets']} improved",
                     fontsize=7, va="bottom")
    axes[1].set(xlabel="lag L", ylabel="log10 of exp(lambda_1 (L - 1))",
                title="conventional net: predicted gradient attenuation over the lag")
    axes[1].set_xticks(range(len(lags)), [str(v) for v in lags])
    axes[1].title.set_fontsize(9)
    fig.tight_layout()
    save_figure(fig, path)


def main(args):
    res, a = load_run(args.results)
    os.makedirs(args.out_dir, exist_ok=True)
    solution_figure(res, a, os.path.join(args.out_dir, "sequences_to_solution.png"))
    surprise_figure(res, a, os.path.join(args.out_dir, "surprises.png"))
    dynamics_figure(res, a, os.path.join(args.out_dir, "dynamics.png"))
    print(f"wrote 3 figures to {args.out_dir}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
