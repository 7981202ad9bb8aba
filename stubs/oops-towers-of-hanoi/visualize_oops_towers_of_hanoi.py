"""Figures of the OOPS run, from the saved results (never searches again).

    python3 visualize_oops_towers_of_hanoi.py      # reads results.json + results.npz, writes viz/
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


def hanoi_cost(res, a, out):
    """Search cost per Hanoi task n: OOPS after the 1^n2^n tasks, OOPS on Hanoi alone, and each task
    searched from scratch; the Levin bound of each program OOPS froze."""
    fig, ax = plt.subplots(figsize=(7.5, 4.6))
    ax.semilogy(a["hanoi_n"], a["hanoi_cost"], "o-", label="OOPS after the 1^n2^n tasks (frozen code)")
    ax.semilogy(a["alone_n"], a["alone_cost"], "s--", label="OOPS on Hanoi alone")
    found = a["scratch_found"].astype(bool)
    ax.semilogy(a["scratch_n"][found], a["scratch_cost"][found], "D-", color="tab:red",
                label="each task from scratch (no frozen code)")
    if (~found).any():
        ax.semilogy(a["scratch_n"][~found], a["scratch_cost"][~found], "v", color="tab:red", ms=10,
                    label="from scratch: not found within the cap (a lower bound)")
    ax.semilogy(a["hanoi_n"], a["hanoi_bound"], "k_", ms=14, label="Levin bound of the frozen program")
    g = res["metrics"]["hanoi_general"]
    if g:
        ax.annotate(f"task {g['n']}: {g['program']}\nfrozen; later tasks only test it", (g["n"], g["cost"]),
                    xytext=(g["n"] + 1.5, g["cost"] * 3), fontsize=7, arrowprops=dict(arrowstyle="->"))
    ax.set(xlabel="Hanoi task n (all instances 1..n)", ylabel="interpreter steps spent on the task",
           title="Towers of Hanoi: search cost per task")
    ax.set_xticks(a["hanoi_n"])
    ax.legend(fontsize=7)
    save_figure(fig, out / "hanoi_search_cost.png")


def anbn_cost(res, a, out):
    """Search cost per 1^n2^n task and the Levin bound of the program found for it."""
    fig, ax = plt.subplots(figsize=(7.5, 4))
    ax.semilogy(a["anbn_n"], a["anbn_cost"], "o-", label="steps spent on the task")
    ax.semilogy(a["anbn_n"], a["anbn_bound"], "k_", ms=10, label="Levin bound of the frozen program")
    g = res["metrics"]["anbn_general"]
    if g:
        ax.axvline(g["n"], color="tab:green", ls=":", label=f"general solver frozen: {g['program']}")
    ax.set(xlabel="1^n2^n task n (all instances 1..n)", ylabel="interpreter steps",
           title="1^n2^n: cheap once a general program is frozen")
    ax.legend(fontsize=7)
    save_figure(fig, out / "anbn_search_cost.png")


def cost_vs_bound(res, a, out):
    """Every frozen program's search cost against its Levin bound (all runs)."""
    fig, ax = plt.subplots(figsize=(5.5, 5))
    m = res["metrics"]
    for key, label, mk in (("anbn", "1^n2^n (OOPS)", "o"), ("hanoi", "Hanoi (OOPS after 1^n2^n)", "s"),
                           ("hanoi_without_anbn", "Hanoi (OOPS alone)", "^"),
                           ("hanoi_scratch", "Hanoi (from scratch)", "D")):
        rows = [r for r in m[key] if r.get("kind")]
        ax.loglog([r["levin_bound"] for r in rows], [r["cost"] for r in rows], mk, alpha=0.7, label=label)
    lim = np.array([10, 1e11])
    ax.loglog(lim, lim, "k--", lw=0.8, label="cost = bound")
    ax.set(xlabel="Levin bound of the found program (steps)", ylabel="steps actually spent",
           title="Search cost against the Levin bound")
    ax.legend(fontsize=7)
    save_figure(fig, out / "cost_vs_levin_bound.png")


def main(args):
    res, a = load_run(args.results)
    out = pathlib.Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    hanoi_cost(res, a, out)
    anbn_cost(res, a, out)
    cost_vs_bound(res, a, out)
    print(f"wrote 3 figures to {out}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
