"""Figures of the adding-positions Levin search, from the saved run (never searches again).

    python3 visualize_levin_add_positions.py       # reads results.json + results.npz, writes viz/
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
    """Cumulative search cost per phase, against the Levin bound of the w_i = i program and the
    paper's total search time; the measured cost extrapolated at its last doubling rate."""
    m = res["metrics"]
    ref = m["reference"]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ph, cum = a["phase"], a["phase_cum"].astype(float)
    ax.semilogy(ph, np.maximum(cum, 1), "o-", label="cumulative steps executed (this run)")
    grow = cum[-1] / cum[-2] if len(cum) > 1 and cum[-2] > 0 else 2.0
    more = np.arange(ph[-1], ref["needed_phase"] + 1)
    ax.semilogy(more, cum[-1] * grow ** (more - ph[-1]), "o:", color="tab:blue", alpha=0.5,
                label=f"extrapolated (x{grow:.2f} per phase)")
    ax.axhline(ref["levin_bound"], color="k", ls="--", lw=1,
               label=f"Levin bound of {ref['program']} (2 t/P, phase {ref['needed_phase']})")
    ax.axhline(ref["runtime"] / ref["prob"], color="k", ls=":", lw=0.8, label="its t/P")
    ax.axhline(m["paper"]["steps"], color="tab:red", lw=1, label="paper: total search time, 8.14e8 steps")
    ax.set(xlabel="phase i (budget 2^i)", ylabel="interpreter steps",
           title="Search cost against the Levin bound (adding positions)")
    ax.legend(fontsize=7, loc="lower right")
    save_figure(fig, out / "search_cost_vs_levin_bound.png")


def phases(res, a, out):
    """Programs and steps per phase, and how many halted programs fit."""
    fig, ax = plt.subplots(figsize=(7, 4))
    ph = a["phase"]
    ax.semilogy(ph, a["phase_runs"], "o-", label="programs run in the phase")
    ax.semilogy(ph, np.maximum(a["phase_steps"], 1), "s-", label="steps executed in the phase")
    ax.semilogy(ph, 2.0 ** ph, "k--", lw=0.8, label="phase budget 2^i")
    ax.set(xlabel="phase i", ylabel="count",
           title=f"Levin search phases: fitting programs met: {int(a['phase_fits'].max(initial=0))}")
    ax.legend(fontsize=8)
    save_figure(fig, out / "phases.png")


def main(args):
    res, a = load_run(args.results)
    out = pathlib.Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    cost_vs_bound(res, a, out)
    phases(res, a, out)
    print(f"wrote 2 figures to {out}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
