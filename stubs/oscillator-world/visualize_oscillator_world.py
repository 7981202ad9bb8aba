"""Static figures of the oscillator-world run, read from its saved results (never retrains).

    python3 visualize_oscillator_world.py          # reads results.json + results.npz, writes viz/*.png
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np

from shared import cli
from shared.figures import save_figure
from shared.results import load_run
from shared.tiny_worlds import plots

COL = plots.KIND_COLORS


def capacity_sweep(res, a, out):
    """ΔNLL against H: ours (mean and sd over seeds) beside the original's 20-seed means."""
    rows = [r for r in res["metrics"]["a"]["table"] if r["world"] == "struct" and r["mode"] == "full"]
    fig, ax = plt.subplots(figsize=(6.5, 4))
    for kind in ("gru", "rnn"):
        rr = sorted((r for r in rows if r["kind"] == kind), key=lambda r: r["H"])
        H = [r["H"] for r in rr]
        ax.errorbar(H, [r["dnll"]["mean"] for r in rr], yerr=[r["dnll"]["sd"] for r in rr], color=COL[kind],
                    marker="o", capsize=3, label=f"{kind.upper()} here")
        ax.plot(H, [r["orig_dnll"] for r in rr], color=COL[kind], ls="--", marker="x",
                label=f"{kind.upper()} original (20 seeds, 20k steps)")
    cfg = res["config"]
    ax.set(xscale="log", xticks=[2, 4, 8, 16, 32], xticklabels=["2", "4", "8", "16", "32"],
           xlabel="hidden size H", ylabel="ΔNLL vs trivial baseline (nats/step)",
           title=f"E3 capacity sweep (here: {cfg['n_seeds']} seeds x {cfg['steps_h16']} steps at H=16, "
                 f"{cfg['sweep_seeds']} x {cfg['sweep_steps']} elsewhere)")
    ax.legend(fontsize=7)
    save_figure(fig, out / "capacity_sweep.png")


def dnll_by_world(res, a, out):
    """Per-seed ΔNLL of the H=16 nets on every world and control (protocol a's quantity)."""
    conds = ("struct", "nonstat", "shuffle", "iid", "readout")
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.8), sharey=True)
    for ax, kind in zip(axes, ("gru", "rnn"), strict=True):
        plots.seed_dots(ax, [a[f"{kind}16_{c}_dnll"] for c in conds], COL[kind])
        ax.set_yscale("symlog", linthresh=1.0)                          # readout-only is far below
        ax.set(xticks=range(len(conds)), xticklabels=["struct", "nonstat", "shuffle\nnull", "i.i.d.\nnull",
                                                      "readout\nonly"], title=f"{kind.upper()}-16")
    axes[0].set_ylabel("ΔNLL vs trivial baseline (nats/step, symlog)")
    fig.suptitle("Per-seed ΔNLL on each world (original's definition; paired by seed across worlds)",
                 fontsize=10)
    save_figure(fig, out / "dnll_by_world.png")


def learning_curves(res, a, out):
    """Training NLL per world (mean over seeds) of the two H=16 ensembles."""
    every = res["config"]["log_every"]
    S = res["config"]["n_seeds"]
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), sharey=True)
    for ax, kind in zip(axes, ("gru", "rnn"), strict=True):
        c = a[f"{kind}16_curve"]                                       # (K, 4S)
        steps = every * (np.arange(c.shape[0]) + 1)
        for g, w in enumerate(("struct", "shuffle", "iid", "nonstat")):
            ax.plot(steps, c[:, g * S:(g + 1) * S].mean(axis=1), label=w)
        ax.set(yscale="symlog", xlabel="Adam step", title=f"{kind.upper()}-16 training NLL (nats/step)")
    axes[0].legend(fontsize=8)
    save_figure(fig, out / "learning_curves.png")


def lyapunov(res, a, out):
    """Leading driven exponents (mean and sd over seeds) and the input-free ones."""
    lb = res["metrics"]["lyapunov_b"]
    fig, ax = plt.subplots(figsize=(6.5, 4))
    for kind, v in lb.items():
        m = np.array(v["driven_mean"])
        sd = np.array(v["driven_sd_over_seeds"] or np.zeros_like(m))
        ax.errorbar(np.arange(1, m.size + 1), m, yerr=sd, marker="o", capsize=3, color=COL[kind],
                    label=f"{kind.upper()} driven")
        ax.plot(np.arange(1, m.size + 1), v["input_free_mean"], ls=":", marker=".", color=COL[kind],
                label=f"{kind.upper()} input-free")
    ax.axhline(0, color="0.5", lw=0.8)
    ax.axhline(np.log(1 - 2 * 0.05), color="k", ls="--", lw=0.8)
    ax.text(1, np.log(1 - 2 * 0.05), " world's transverse exponent ln(1-2dt)", fontsize=7, va="bottom")
    ax.set(xlabel="index i", ylabel="λ_i (nats per step)", title="Lyapunov spectra of the trained H=16 nets")
    ax.legend(fontsize=7)
    save_figure(fig, out / "lyapunov.png")


def coasting(res, a, out):
    """Predictions along eval sequence 0 with the input cut to zero at the coast start (seed 0)."""
    cut, stop = res["config"]["coast"]
    fig, ax = plt.subplots(figsize=(7, 3.4))
    for kind in ("gru", "rnn"):
        ax.plot(a[f"{kind}_coast_pred"][:, 0], color=COL[kind], label=f"{kind.upper()} (seed 0)")
    ax.axvspan(cut, stop, color="0.9")
    ax.text(cut, ax.get_ylim()[1], " zero input", fontsize=8, va="top")
    ax.set(xlabel="t", ylabel="prediction of o_{t+1}", title="Coasting (the original's test)")
    ax.legend(fontsize=8)
    save_figure(fig, out / "coasting.png")


def main(args):
    res, a = load_run(args.results)
    out = pathlib.Path(args.out_dir)
    for fig in (capacity_sweep, dnll_by_world, learning_curves, lyapunov, coasting):
        fig(res, a, out)
    print(f"wrote figures to {out}")


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "figures"))
