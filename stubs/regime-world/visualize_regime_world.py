"""Static figures of the regime-world run, read from its saved results (never retrains).

    python3 visualize_regime_world.py          # reads results.json + results.npz, writes viz/*.png
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
WORLDS = ("struct", "iid", "shuffle")


def learning_curves(res, a, out):
    """Training NLL per world (mean over seeds), against the struct world's reference NLLs."""
    every, S = res["config"]["log_every"], res["config"]["n_seeds"]
    m = res["metrics"]
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.6), sharey=True)
    for ax, kind in zip(axes, COL, strict=True):
        c = a[f"{kind}_curve"]                                         # (K, 3S)
        steps = every * (np.arange(c.shape[0]) + 1)
        for g, w in enumerate(WORLDS):
            ax.plot(steps, c[:, g * S:(g + 1) * S].mean(axis=1), label=w)
        if kind == "rnn" and "rnn_readout_curve" in a:
            ax.plot(steps, a["rnn_readout_curve"].mean(axis=1), color="k", lw=0.8,
                    label="struct, readout-only")
        for y, txt in ((m["baselines"]["struct"], "trivial"), (m["markov"]["struct"]["nll"], "Markov"),
                       (m["oracle_nll_struct"], "oracle")):
            ax.axhline(y, color="0.5", ls=":", lw=0.8)
            ax.text(steps[-1], y, txt, fontsize=7, ha="right", va="bottom")
        top = min(90.0, float(c.max())) + 2.0                          # the first steps sit far above
        ax.set(ylim=(25, max(top, 55.0)), xlabel="Adam step",
               title=f"{kind.upper()}-16 training NLL (nats/step)")
        ax.legend(fontsize=7)
    frac = 100 * res["config"]["step_fraction_of_original"]
    fig.suptitle(f"{res['config']['steps']} of the original's 20,000 steps ({frac:.1f} %); "
                 "dotted: struct eval reference predictors", fontsize=9)
    save_figure(fig, out / "learning_curves.png")


def dnll_by_world(res, a, out):
    """Per-seed ΔNLL against the trivial baseline on every world, with the Markov chain's level."""
    conds = WORLDS + ("random",)
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.8), sharey=True)
    for ax, kind in zip(axes, COL, strict=True):
        cs = conds + (("readout",) if kind == "rnn" else ())
        plots.seed_dots(ax, [a[f"{kind}_{c}_dnll"] for c in cs], COL[kind])
        ax.axhline(res["metrics"]["markov"]["struct"]["dnll_vs_trivial"], color="k", ls="--", lw=0.8)
        ax.axhline(res["metrics"]["oracle_dnll_struct"], color="k", ls=":", lw=0.8)
        ax.set_yscale("symlog", linthresh=1.0)
        ax.set(xticks=range(len(cs)), xticklabels=[c.replace("iid", "i.i.d.") for c in cs],
               title=f"{kind.upper()}-16")
    axes[0].set_ylabel("ΔNLL vs trivial baseline (nats/step, symlog)")
    fig.suptitle("Per-seed ΔNLL (paired by seed); dashed: fitted Markov chain, dotted: oracle (struct)",
                 fontsize=10)
    save_figure(fig, out / "dnll_by_world.png")


def probes(res, a, out):
    """Held-out regime-probe R²: trained, untrained core, readout-only RNN, input only."""
    rows = {r["kind"]: r for r in res["metrics"]["b"]["table"]}
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for i, kind in enumerate(COL):
        r = rows[kind]
        ax.bar(i - 0.2, r["r2_heldout"]["mean"], 0.35, color=COL[kind], yerr=r["r2_heldout"]["sd"], capsize=3)
        ax.bar(i + 0.2, r["r2_heldout_untrained"]["mean"], 0.35, color=COL[kind], alpha=0.35)
    ax.axhline(rows["gru"]["r2_input_only"], color="k", ls="--", lw=1, label="input-only probe")
    for kind, ref in (("gru", 0.8040), ("rnn", 0.3913)):
        ax.plot(list(COL).index(kind) - 0.2, ref, "k*", ms=9)
    ax.plot([], [], "k*", label="original (all rows, 20 seeds)")
    ax.set(xticks=range(3), xticklabels=["GRU", "RNN", "LSTM"], ylabel="held-out R² of r_t",
           title="regime probe (solid trained, pale untrained)")
    ax.legend(fontsize=7)
    save_figure(fig, out / "probes.png")


def lyapunov(res, a, out):
    """Leading driven and input-free exponents of trained and untrained struct nets."""
    plots.lyapunov_trained_untrained(res["metrics"]["b"]["lyapunov"],
                                 "Lyapunov spectra on E2 (mean ± sd over seeds)", out / "lyapunov.png")


def main(args):
    res, a = load_run(args.results)
    out = pathlib.Path(args.out_dir)
    for fig in (learning_curves, dnll_by_world, probes, lyapunov):
        fig(res, a, out)
    print(f"wrote figures to {out}")


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "figures"))
