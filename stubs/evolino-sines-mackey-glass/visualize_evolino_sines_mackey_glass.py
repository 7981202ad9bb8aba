"""Figures of the saved Evolino run: the best NMSE against evaluations for every task, the
free-running sines past the training sequence, Mackey-Glass 84-step free runs and their error by
horizon, and the closed- and open-loop Lyapunov spectra.

    python3 visualize_evolino_sines_mackey_glass.py     # results.json + results.npz -> viz/*.png
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


def progress_figure(res, a, path):
    cfg, m = res["config"], res["metrics"]
    K = cfg["subpop"] * cfg["trials"]
    fig, ax = plt.subplots(figsize=(7, 3.6))
    for r in m["sines"]:
        c = a[f"sines{r['k']}_curve"]
        ax.plot(K * np.arange(1, len(c) + 1), c, label=f"{r['k']} sines: training free-run NMSE")
    c = a["mg_curve"]
    ax.plot(K * np.arange(1, len(c) + 1), c, "k", label="Mackey-Glass: 84-step free-run NMSE (training)")
    for y, txt in ((1e-2, "1e-2"), (1e-3, "1e-3")):
        ax.axhline(y, color="0.6", ls=":", lw=0.8)
        ax.text(K, y, txt, fontsize=7, va="bottom", color="0.4")
    ax.set(yscale="log", xlabel="network evaluations", ylabel="best NMSE so far (fitness)",
           title="Evolino's fitness during evolution (best network so far)")
    ax.legend(fontsize=7)
    ax.title.set_fontsize(9)
    fig.tight_layout()
    save_figure(fig, path)


def sines_figure(res, a, path):
    cfg, rows = res["config"], res["metrics"]["sines"]
    fig, axes = plt.subplots(len(rows), 1, figsize=(8, 1.7 * len(rows) + 0.6), squeeze=False)
    tr = cfg["sine_train"]
    for ax, r in zip(axes[:, 0], rows, strict=True):
        s, g = a[f"sines{r['k']}_series"], a[f"sines{r['k']}_gen"]
        t = np.arange(len(s))
        ax.plot(t, s, color="0.6", lw=1.5, label="target")
        ax.plot(t[tr:], g, color="tab:red", lw=1, label="free-running net")
        ax.axvline(cfg["sine_washout"], color="0.3", ls=":", lw=0.8)
        ax.axvline(tr, color="k", ls="--", lw=0.8)
        ax.set_ylim(-1.3, 1.3)
        ax.set_title(f"{r['k']} sines, {r['cells']} cells: test NMSE {r['test_nmse']:.2e} "
                     "(training ends at the dashed line; washout to the dotted one)", fontsize=8)
    axes[0, 0].legend(fontsize=7, loc="upper left")
    axes[-1, 0].set_xlabel("time step")
    fig.tight_layout()
    save_figure(fig, path)


def mg_figure(res, a, path):
    m = res["metrics"]["mackey_glass"]
    runs, st = a["mg_runs"], a["mg_starts"]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.4), gridspec_kw={"width_ratios": [2, 1]})
    ser = a["mg_series"]
    lo = int(st[0]) - 50
    hi = int(st[min(7, len(st) - 1)]) + runs.shape[0] + 5
    ax1.plot(np.arange(lo, hi), ser[lo:hi], color="0.6", lw=1.5, label="Mackey-Glass (tanh(x - 1))")
    for j in range(min(8, len(st))):
        ax1.plot(st[j] + np.arange(runs.shape[0]), runs[:, j], color="tab:red", lw=0.9,
                 label="84-step free runs" if j == 0 else None)
    ax1.set(xlabel="time step", title=f"test region: NRMSE84 {m['nrmse84']:.2e} over {len(st)} starts")
    ax1.legend(fontsize=7)
    h = np.arange(1, len(a["mg_nrmse_t"]) + 1)
    ax2.plot(h, a["mg_nrmse_t"], "k")
    ax2.axhline(res["metrics"]["paper_mg_nrmse84"], color="tab:blue", ls="--", lw=0.8,
                label="paper at 84 (recalled)")
    ax2.set(yscale="log", xlabel="free-running steps", ylabel="NRMSE over the test starts",
            title="error against horizon")
    ax2.legend(fontsize=7)
    for ax in (ax1, ax2):
        ax.title.set_fontsize(9)
    fig.tight_layout()
    save_figure(fig, path)


def lyapunov_figure(res, a, path):
    keys = [(f"sines{r['k']}", f"{r['k']} sines") for r in res["metrics"]["sines"]] + [("mg", "Mackey-Glass")]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.4))
    for key, lab in keys:
        c, o = a[f"{key}_lyap_closed"], a[f"{key}_lyap_open"]
        ax1.plot(np.arange(1, len(c) + 1)[:10], c[:10], "o-", ms=3, label=lab)
        ax2.plot(np.arange(1, len(o) + 1)[:10], o[:10], "o-", ms=3, label=lab)
    ax1.set(xlabel="exponent index", ylabel="per step", title="closed loop: the net running free")
    ax2.set(xlabel="exponent index", ylabel="per step", title="open loop: driven by the true series")
    for ax in (ax1, ax2):
        ax.axhline(0, color="0.5", lw=0.8)
        ax.legend(fontsize=7)
        ax.title.set_fontsize(9)
    fig.tight_layout()
    save_figure(fig, path)


def main(args):
    res, a = load_run(args.results)
    os.makedirs(args.out_dir, exist_ok=True)
    progress_figure(res, a, os.path.join(args.out_dir, "progress.png"))
    sines_figure(res, a, os.path.join(args.out_dir, "sines.png"))
    mg_figure(res, a, os.path.join(args.out_dir, "mackey_glass.png"))
    lyapunov_figure(res, a, os.path.join(args.out_dir, "lyapunov.png"))
    print(f"wrote 4 figures to {args.out_dir}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
