"""Static figures of the Odyssey random search, read from its saved results (never retrains).

    python3 visualize_lstm_search_space_odyssey.py   # reads results.json + results.npz, writes viz/*.png
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

COLORS = dict(zip(("V", "NIG", "NFG", "NOG", "NIAF", "NOAF", "NP", "CIFG", "FGR"),
                  plt.get_cmap("tab10").colors[:9], strict=True))


def distributions(res, a, out):
    """Test loss of every trial per variant (the paper's Fig. 3 layout): dots = all trials, box =
    the top trials used in the Welch test, star = significantly different from V."""
    names = [str(v) for v in a["variants"]]
    ce = a["test_ce"]
    pv, k = res["metrics"]["per_variant"], res["metrics"]["k_top"]
    fig, ax = plt.subplots(figsize=(9, 4.2))
    rng = np.random.default_rng(0)                          # jitter only
    for j, v in enumerate(names):
        ax.plot(j + 0.12 * rng.standard_normal(ce.shape[1]), ce[j], "o", ms=3, alpha=0.45, color=COLORS[v])
        top = np.sort(ce[j])[:k]
        ax.boxplot([top], positions=[j], widths=0.5, showfliers=False)
        if v != "V" and pv[v]["p_top"] < 0.05:
            ax.text(j, top.max() * 1.15, "*", ha="center", fontsize=14, color="tab:red")
    ax.axhline(np.sort(ce[names.index("V")])[:k].mean(), color=COLORS["V"], lw=0.8, ls="--")
    ax.axhline(res["metrics"]["ce_constant_half"], color="k", lw=0.6, ls=":")
    ax.set_xticks(range(len(names)), names)
    ax.set(yscale="log", ylabel="test cross-entropy (nats / symbol)",
           title=f"{ce.shape[1]} random-search trials per variant; boxes: best {k}; "
                 "*: Welch p < 0.05 vs V; dotted: constant 0.5 output")
    save_figure(fig, out / "variant_distributions.png")


def marginals(res, a, out):
    """Test loss against each hyperparameter, every trial of every variant (paper Fig. 4 style)."""
    names = [str(v) for v in a["variants"]]
    cols = [("hp_lr", "learning rate", True), ("hp_hidden", "hidden size (cells)", True),
            ("hp_momentum", "1 - momentum", True), ("hp_noise", "input noise sd", False)]
    fan = res["metrics"]["fanova_pooled"]
    fig, axs = plt.subplots(1, 4, figsize=(13, 3.6), sharey=True)
    for ax, (key, label, logx), share in zip(axs, cols, fan.values(), strict=True):
        for j, v in enumerate(names):
            xv = 1.0 - a[key][j] if key == "hp_momentum" else a[key][j]
            ax.plot(xv, a["test_ce"][j], "o", ms=2.5, alpha=0.6, color=COLORS[v], label=v)
        ax.set(xscale="log" if logx else "linear", yscale="log", xlabel=label,
               title=f"main effect {share:.2f} of variance")
        if key == "hp_hidden":
            ax.set_xticks([2, 5, 10, 20], ["2", "5", "10", "20"])
            ax.xaxis.set_minor_formatter(plt.NullFormatter())
    axs[0].set_ylabel("test cross-entropy (nats / symbol)")
    axs[-1].legend(fontsize=6, ncol=2, loc="upper right")
    fig.tight_layout()
    save_figure(fig, out / "hyperparameter_marginals.png")


def fanova(res, a, out):
    """Main-effect shares (pooled over the nine variants, and V alone) and what they leave."""
    m = res["metrics"]
    cols = list(m["fanova_pooled"])
    fig, ax = plt.subplots(figsize=(7, 3.6))
    x = np.arange(len(cols) + 1)
    for i, (key, label) in enumerate((("fanova_pooled", "all variants pooled"), ("fanova_V", "V alone"))):
        vals = [m[key][c] for c in cols]
        vals.append(max(0.0, 1.0 - sum(vals)))
        ax.bar(x + 0.38 * (i - 0.5), vals, width=0.38, label=label)
    ax.set_xticks(x, [c.replace(" (", "\n(") for c in cols] + ["interactions\n+ noise"], fontsize=7)
    ax.set(ylabel="share of variance of test loss",
           title="fANOVA-style main effects (binned, bias-corrected)")
    ax.legend(fontsize=8)
    save_figure(fig, out / "fanova.png")


def dynamics(res, a, out):
    """Top Lyapunov exponents of the best trial per variant, and its mean |c| on the same stream."""
    names = [str(v) for v in a["variants"]]
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(12, 4))
    ex = a["lyap_exponents"]
    for j, v in enumerate(names):
        ax.plot(np.full(ex.shape[1], j), ex[j], "_", ms=14, mew=2, color=COLORS[v])
        ax.plot([j], [ex[j, 0]], "o", color=COLORS[v])
        bx.plot(a["lyap_cnorm"][j], lw=1.1, color=COLORS[v], label=v)
    ax.axhline(0, color="k", lw=0.7)
    ax.set_xticks(range(len(names)), names)
    ax.set(ylabel="lambda_i per step", title="top exponents of each variant's best trial (dot: lambda_1)")
    bx.set(yscale="log", xlabel="step of the test stream", ylabel="mean |c| over the cells",
           title="cell-state size along the same stream (no resets)")
    bx.legend(fontsize=7, ncol=3)
    fig.tight_layout()
    save_figure(fig, out / "dynamics.png")


def learning_curves(res, a, out):
    """Validation loss of the best few trials per variant at the checkpoints."""
    names = [str(v) for v in a["variants"]]
    cfg = res["config"]
    vc = a["val_curve"]                                     # (V, n_ckpt, n)
    steps = np.linspace(0, cfg["updates"], vc.shape[1]).astype(int)
    fig, ax = plt.subplots(figsize=(7.5, 4))
    for j, v in enumerate(names):
        best = np.argsort(a["test_ce"][j])[:3]
        ax.plot(steps, vc[j][:, best], color=COLORS[v], lw=1, alpha=0.8)
        ax.plot([], [], color=COLORS[v], label=v)
    ax.set(yscale="log", ylabel="validation cross-entropy", title="best three trials of each variant",
           xlabel=f"momentum-SGD updates ({cfg['segment']} steps x {cfg['batch']} streams each)")
    ax.legend(fontsize=7, ncol=3)
    save_figure(fig, out / "learning_curves.png")


def main(args):
    res, a = load_run(args.results)
    out = pathlib.Path(args.out_dir)
    for fn in (distributions, marginals, fanova, dynamics, learning_curves):
        fn(res, a, out)
    print(f"wrote 5 figures to {out}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
