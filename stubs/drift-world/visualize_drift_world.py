"""Static figures of the drift-world run, read from its saved results (never retrains).

    python3 visualize_drift_world.py          # reads results.json + results.npz, writes viz/*.png
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
WORLDS = ("struct", "shuffle", "iid", "decoy")


def learning_curves(res, a, out):
    """Training NLL per world (mean over seeds) of the three ensembles: is anything converged?"""
    every, S = res["config"]["log_every"], res["config"]["n_seeds"]
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.6), sharey=True)
    for ax, kind in zip(axes, COL, strict=True):
        c = a[f"{kind}_curve"]                                         # (K, 4S)
        steps = every * (np.arange(c.shape[0]) + 1)
        for g, w in enumerate(WORLDS):
            ax.plot(steps, c[:, g * S:(g + 1) * S].mean(axis=1), label=w)
        ax.set(yscale="symlog", xlabel="Adam step", title=f"{kind.upper()}-16 training NLL (nats/step)")
    axes[0].axhline(res["metrics"]["baselines"]["struct"], color="k", ls=":", lw=0.8)
    axes[0].legend(fontsize=8)
    frac = 100 * res["config"]["step_fraction_of_original"]
    fig.suptitle(f"{res['config']['steps']} of the original's 20,000 steps ({frac:.1f} %); "
                 "dotted: struct baseline", fontsize=9)
    save_figure(fig, out / "learning_curves.png")


def dnll_by_world(res, a, out):
    """Per-seed ΔNLL against the trivial baseline on every world (the original's quantity)."""
    conds = WORLDS + ("untrained",)
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.8), sharey=True)
    for ax, kind in zip(axes, COL, strict=True):
        plots.seed_dots(ax, [a[f"{kind}_{c}_dnll"] for c in conds], COL[kind])
        ax.set_yscale("symlog", linthresh=0.1)
        labels = ["struct", "shuffle\nnull", "i.i.d.\nnull", "decoy\nsine", "untrained\n(struct)"]
        ax.set(xticks=range(len(conds)), xticklabels=labels, title=f"{kind.upper()}-16")
    axes[0].axhline(res["metrics"]["oracle_dnll_struct"], color="k", ls="--", lw=0.8)
    axes[0].set_ylabel("ΔNLL vs trivial baseline (nats/step, symlog)")
    fig.suptitle("Per-seed ΔNLL on each world (paired by seed); dashed: oracle on struct", fontsize=10)
    save_figure(fig, out / "dnll_by_world.png")


def probes(res, a, out):
    """Held-out probe R² of x_t and of x_t - 0.03 t: trained, untrained core, input only."""
    rows = {r["kind"]: r for r in res["metrics"]["b"]["table"]}
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    for ax, (key, title) in zip(axes, (("", "x_t"), ("detrended_", "x_t - 0.03 t")), strict=True):
        for i, kind in enumerate(COL):
            r = rows[kind]
            ax.bar(i - 0.2, r[f"{key}r2_heldout"]["mean"], 0.35, color=COL[kind],
                   yerr=r[f"{key}r2_heldout"]["sd"], capsize=3)
            ax.bar(i + 0.2, r[f"{key}r2_heldout_untrained"]["mean"], 0.35, color=COL[kind], alpha=0.35)
        ax.axhline(rows["gru"][f"{key}r2_input_only"], color="k", ls="--", lw=1, label="input-only probe")
        ax.set(xticks=range(3), xticklabels=["GRU", "RNN", "LSTM"], ylabel="held-out R²",
               title=f"probe of {title}: solid trained, pale untrained")
        vals = [rows[k][f"{key}r2_heldout{u}"]["mean"] for k in COL for u in ("", "_untrained")]
        lo = min(vals + [rows["gru"][f"{key}r2_input_only"]])
        ax.set_ylim(min(0.0, lo - 0.05) if key else max(0.9, lo - 0.002), 1.0)
        ax.legend(fontsize=7)
    save_figure(fig, out / "probes.png")


def lyapunov(res, a, out):
    """Leading driven and input-free exponents of trained and untrained struct nets."""
    plots.lyapunov_trained_untrained(res["metrics"]["b"]["lyapunov"],
                                 "Lyapunov spectra on E1 (mean ± sd over seeds)", out / "lyapunov.png")


def main(args):
    res, a = load_run(args.results)
    out = pathlib.Path(args.out_dir)
    for fig in (learning_curves, dnll_by_world, probes, lyapunov):
        fig(res, a, out)
    print(f"wrote figures to {out}")


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "figures"))
