"""Figures of the counting-perceptron Levin search, from the saved run (never searches again).

    python3 visualize_levin_count_inputs.py        # reads results.json + results.npz, writes viz/
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


def cost_vs_bound(res, a, out):
    """Each fitting program: the search cost when it was met against its t/P (Levin's bound is 2t/P)."""
    fig, ax = plt.subplots(figsize=(6, 4.5))
    x, y, g = a["fit_t_over_p"], a["fit_cost"], a["fit_generalises"]
    lo, hi = min(x.min(), y.min()) / 2, max(x.max(), y.max()) * 4
    xs = np.array([lo, hi])
    ax.plot(xs, 2 * xs, "k--", lw=1, label="Levin bound 2 t/P")
    ax.plot(xs, xs, "k:", lw=0.8, label="t/P")
    ax.scatter(x[g], y[g], s=18, color="tab:green", label="fit, generalises to all 161,697")
    if (~g).any():
        ax.scatter(x[~g], y[~g], s=18, color="tab:red", label="fit, does not generalise")
    ax.set(xscale="log", yscale="log", xlabel="t(p) / P(p) of the fitting program",
           ylabel="interpreter steps executed when the search met it",
           title="Search cost against the Levin bound (counting task)")
    ax.legend(fontsize=8)
    save_figure(fig, out / "search_cost_vs_levin_bound.png")


def phases(res, a, out):
    """Runs and steps per phase; the phase of the first fit marked."""
    fig, ax = plt.subplots(figsize=(7, 4))
    ph = a["phase"]
    ax.semilogy(ph, a["phase_runs"], "o-", label="programs run in the phase")
    ax.semilogy(ph, np.maximum(a["phase_steps"], 1), "s-", label="steps executed in the phase")
    ax.semilogy(ph, 2.0 ** ph, "k--", lw=0.8, label="phase budget 2^i")
    first = res["metrics"]["first_fit"]
    if first:
        ax.axvline(first["found_phase"], color="tab:green", lw=1,
                   label=f"first fit: {first['program']}")
    ax.set(xlabel="phase i", ylabel="count", title="Levin search phases (time budget doubles)")
    ax.legend(fontsize=8)
    save_figure(fig, out / "phases.png")


def weights(res, a, out):
    """The found weights against the minimum-norm least-squares fit gradient descent reaches."""
    fig, ax = plt.subplots(figsize=(8, 3.2))
    i = np.arange(len(a["baseline_weights"]))
    ax.bar(i, a["baseline_weights"], color="tab:orange", width=1.0, alpha=0.7,
           label=f"least squares / gradient descent from 0: {res['metrics']['baseline']['correct']:,} "
                 f"of {res['metrics']['n_test']:,} test inputs right")
    if a["first_weights"].size:
        ax.step(i, a["first_weights"], where="mid", color="tab:green",
                label=f"Levin search's first fit: {res['metrics']['first_fit']['test_correct']:,} right")
    ax.set(xlabel="weight index i", ylabel="w_i", ylim=(-0.2, 1.6),
           title="Weights of the 100-input counting perceptron")
    ax.legend(fontsize=8, loc="upper right")
    save_figure(fig, out / "weights.png")


def main(args):
    res, a = load_run(args.results)
    out = pathlib.Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    cost_vs_bound(res, a, out)
    phases(res, a, out)
    weights(res, a, out)
    print(f"wrote 3 figures to {out}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
