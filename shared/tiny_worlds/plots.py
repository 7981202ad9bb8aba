"""Figure pieces shared by the tiny-worlds visualize scripts (drift, regime, oscillator).

Plotting only: every function draws saved numbers from results.json / results.npz onto a
matplotlib axis or figure; none computes a statistic.
"""
import matplotlib.pyplot as plt
import numpy as np

from shared.figures import save_figure

KIND_COLORS = {"gru": "tab:blue", "rnn": "tab:orange", "lstm": "tab:green"}


def seed_dots(ax, columns, color):
    """One column of per-seed values per condition (dots spread a little sideways, a black bar at
    the mean) and a grey zero line. columns: list of (S,) arrays, drawn at x = 0, 1, ..."""
    for i, v in enumerate(columns):
        ax.scatter(np.full(v.size, i) + np.linspace(-0.15, 0.15, v.size), v, s=14, color=color)
        ax.hlines(v.mean(), i - 0.3, i + 0.3, color="k")
    ax.axhline(0, color="0.5", lw=0.8)


def lyapunov_trained_untrained(ly, title, path):
    """Leading driven exponents (mean ± sd over seeds) of trained (solid) and untrained (dotted)
    nets and the trained input-free ones (dashed), per model kind, from the per-kind
    {"trained": summary, "untrained": summary} of tiny_worlds.train.lyapunov_trained_untrained."""
    fig, ax = plt.subplots(figsize=(7, 4))
    for kind, v in ly.items():
        for cond, ls in (("trained", "-"), ("untrained", ":")):
            m = np.array(v[cond]["driven_mean"])
            sd = np.array(v[cond]["driven_sd_over_seeds"] or np.zeros_like(m))
            ax.errorbar(np.arange(1, m.size + 1), m, yerr=sd, ls=ls, marker="o", ms=3, capsize=2,
                        color=KIND_COLORS[kind], label=f"{kind.upper()} {cond}, driven")
        free = v["trained"]["input_free_mean"]
        ax.plot(np.arange(1, len(free) + 1), free, ls="--", marker="x", color=KIND_COLORS[kind],
                label=f"{kind.upper()} trained, input-free")
    ax.axhline(0, color="0.5", lw=0.8)
    ax.set(xlabel="index i", ylabel="λ_i (nats per step)", title=title)
    ax.legend(fontsize=6, ncol=2)
    save_figure(fig, path)
