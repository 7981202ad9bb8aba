"""Figures of the saved fast-weights-key-value run: steps to the criterion per run, how many runs'
frozen S binds the slot as training goes on, the learning-rate and steepness sweeps, what S
learned, the hold shifts against the bistable window, the learning curves and the Lyapunov
exponents of the fast weights.

    python3 visualize_fast_weights_key_value.py     # results.json + results.npz -> viz/*.png
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

RULES = {"direct": "direct rule (eq. 4)", "fromto": "FROM/TO rule (eq. 5)"}
STYLE = {"direct": ("o-", "tab:blue"), "fromto": ("s-", "tab:orange")}
INPUTS = ["I1 (slot 1)", "I2 (slot 2)", "I3 (slot 3)", "bit 1", "bit 2", "bit 3"]


def steps_figure(res, a, path):
    budget = res["config"]["max_steps"]
    fig, ax = plt.subplots(figsize=(7.5, 3.4))
    for i, rule in enumerate(RULES):
        crit, real = a[f"{rule}_crit"][0], a[f"{rule}_test_real"].astype(bool)
        jitter = i + np.random.default_rng(i).uniform(-0.18, 0.18, crit.size)
        ok = crit > 0
        ax.plot(crit[ok & real], jitter[ok & real], "o", ms=5, color="tab:green", alpha=0.7,
                label="S at the budget's end binds the slot on a fresh stream" if i == 0 else None)
        ax.plot(crit[ok & ~real], jitter[ok & ~real], "o", ms=5, mfc="none", color="tab:red",
                label="met the criterion, S at the end fails the fresh stream" if i == 0 else None)
        ax.plot(np.full((~ok).sum(), budget), jitter[~ok], "x", color="0.3",
                label="criterion not met within the budget" if i == 0 else None)
        med = res["metrics"][rule]["headline"]["steps"].get("median")
        if med:
            ax.plot([med, med], [i - 0.3, i + 0.3], "-", color="k", lw=2)
    ax.set_xscale("log")
    ax.set_yticks(range(len(RULES)), list(RULES.values()))
    ax.set_ylim(-0.5, len(RULES) + 0.3)
    ax.set_xlabel("on-line steps until E <= 0.05 on 100 queried parked steps in a row (bar: median)")
    ax.legend(fontsize=7, loc="upper left")
    h = res["metrics"]["direct"]["headline"]
    ax.set_title(f"T = {h['T']:g}, eta = {h['eta']:g}; one dot per run (the paper's own numbers are "
                 "not readable)", fontsize=9)
    fig.tight_layout()
    save_figure(fig, path)


def probes_figure(res, a, path):
    """Share of runs whose S, frozen at that step, solves a 2,000-step probe stream."""
    labels = {rule: list(res["metrics"][rule]) for rule in RULES}
    shown = ("headline", "T=6", "T=8", "eta=0.02", "eta=0.25", "truncated")
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), sharey=True)
    for ax, rule in zip(axes, RULES, strict=True):
        at, pr = a[f"{rule}_probe_at"], a[f"{rule}_probes"]
        for name in shown:
            i = labels[rule].index(name)
            m = res["metrics"][rule][name]
            ax.plot(at, pr[:, i].mean(axis=1), "o-" if name == "headline" else ".-",
                    lw=2.2 if name == "headline" else 1, ms=4,
                    label=f"{name} (eta {m['eta']:g}, T {m['T']:g})")
        ax.set(title=RULES[rule], xlabel="on-line step", ylim=(-0.03, 1.03))
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("share of runs whose frozen S\nsolves the probe stream")
    axes[1].legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    save_figure(fig, path)


def sweeps_figure(res, path):
    fig, axes = plt.subplots(2, 2, figsize=(8.5, 5.2), sharex="col")
    for rule in RULES:
        style, color = STYLE[rule]
        ms = {k: v for k, v in res["metrics"][rule].items()
              if isinstance(v, dict) and "steps" in v and v["carry"] == 1.0 and v["p_query"] == 0.5}
        head = ms["headline"]
        for col, (key, fixed) in enumerate((("eta", "T"), ("T", "eta"))):
            pts = sorted((m[key], m) for m in ms.values() if m[fixed] == head[fixed])
            xs = [x for x, _ in pts]
            med = [m["steps"].get("median", np.nan) for _, m in pts]
            real = [m["real_at_end"] / m["steps"]["runs"] for _, m in pts]
            axes[0, col].plot(xs, med, style, color=color, label=RULES[rule])
            axes[1, col].plot(xs, real, style, color=color, label=RULES[rule])
    budget = res["config"]["max_steps"]
    for col, name in enumerate(("learning rate eta (T = 10)", "steepness T (eta = 0.05)")):
        axes[0, col].set(xscale="log", yscale="log")
        axes[0, col].axhline(budget, color="0.6", ls="--", lw=0.8)
        axes[1, col].set(xlabel=name, ylim=(-0.05, 1.05))
        axes[0, col].grid(alpha=0.3)
        axes[1, col].grid(alpha=0.3)
    axes[1, 0].set_xscale("log")
    axes[0, 0].set_ylabel("median steps to the criterion\n(runs that met it)")
    axes[1, 0].set_ylabel("share of runs whose S at the\nbudget's end binds on a fresh stream")
    axes[0, 1].axvline(4, color="0.6", ls=":", lw=1)
    axes[0, 0].legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, path)


def slow_net_figure(res, path):
    """Median change S makes to each fast weight on each single input, real and failing runs."""
    fig, axes = plt.subplots(1, 4, figsize=(12, 3.4))
    k = 0
    for rule in RULES:
        for name in ("real", "failing"):
            ax = axes[k]
            k += 1
            dw = res["metrics"][rule]["headline"].get(f"dw_median_{name}")
            ax.set_title(f"{'direct' if rule == 'direct' else 'FROM/TO'}, {name} runs", fontsize=9)
            if dw is None:
                ax.axis("off")
                continue
            dw = np.array(dw)
            im = ax.imshow(dw, cmap="RdBu_r", vmin=-4, vmax=4)
            for (i, j), v in np.ndenumerate(dw):
                ax.text(j, i, f"{v:+.2f}", ha="center", va="center", fontsize=7)
            ax.set_xticks(range(3), ["w1 (P1)", "w2 (P2)", "w3 (P3)"], fontsize=7)
            ax.set_yticks(range(6), INPUTS, fontsize=7)
    fig.colorbar(im, ax=axes, shrink=0.8, label="dw before the squash (median)")
    fig.suptitle("S's change to each fast weight when one input is on (at the budget's end)", fontsize=9)
    save_figure(fig, path)


def window_figure(res, a, path):
    """Each run's largest hold shift over the 8 distractor patterns against the bistable window."""
    c_star = res["metrics"]["window_c_star"]["T=10"]
    fig, ax = plt.subplots(figsize=(7, 3.2))
    for i, rule in enumerate(RULES):
        c, real = a[f"{rule}_test_c_max"], a[f"{rule}_test_real"].astype(bool)
        jitter = i + np.random.default_rng(i).uniform(-0.18, 0.18, c.size)
        ax.plot(c[real], jitter[real], "o", color="tab:green", ms=5, alpha=0.7,
                label="binds on the fresh stream" if i == 0 else None)
        ax.plot(c[~real], jitter[~real], "o", mfc="none", color="tab:red", ms=5,
                label="fails the fresh stream" if i == 0 else None)
    ax.axvspan(1e-4, c_star, color="tab:green", alpha=0.1, label=f"two stable states (|c| < {c_star:.3f})")
    ax.set_xscale("log")
    ax.set_xlim(1e-3, None)
    ax.set_ylim(-0.5, len(RULES) + 0.2)
    ax.set_yticks(range(len(RULES)), list(RULES.values()))
    ax.set_xlabel("largest |dw| S makes on a step without parking (over the 8 distractor patterns)")
    ax.legend(fontsize=7, loc="upper left", ncol=3)
    ax.set_title("what the distractors do to a held weight, S at the budget's end (T = 10)", fontsize=9)
    fig.tight_layout()
    save_figure(fig, path)


def learning_figure(a, path):
    fig, ax = plt.subplots(figsize=(7, 3.2))
    for rule in RULES:
        E = a[f"{rule}_E_blocks"]                       # (blocks, runs): mean E per queried step
        x = (np.arange(E.shape[0]) + 1) * 1000
        q1, med, q3 = np.percentile(E, [25, 50, 75], axis=1)
        color = STYLE[rule][1]
        ax.plot(x, med, color=color, label=f"{RULES[rule]} (median over runs)")
        ax.fill_between(x, q1, q3, color=color, alpha=0.2)
    ax.axhline(0.05, color="0.5", ls="--", lw=0.8, label="E = 0.05")
    ax.set(xscale="log", yscale="log", xlabel="on-line step",
           ylabel="mean E per queried parked step\n(1,000-step blocks)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, path)


def lyapunov_figure(res, a, path):
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), sharey=True)
    for ax, rule in zip(axes, RULES, strict=True):
        real = a[f"{rule}_test_real"].astype(bool)
        hold, write = a[f"{rule}_test_lyap_hold"], a[f"{rule}_test_lyap_write"]
        for j in range(3):
            rng = np.random.default_rng(j)
            for vals, x0 in ((hold, 0), (write, 1)):
                xs = x0 + 0.25 * (j - 1) + rng.uniform(-0.06, 0.06, real.size)
                ax.plot(xs[real], vals[real, j], "o", ms=4, color="tab:green", alpha=0.6,
                        label="binding runs" if (j, x0) == (0, 0) else None)
                ax.plot(xs[~real], vals[~real, j], "o", ms=4, mfc="none", color="tab:red",
                        label="failing runs" if (j, x0) == (0, 0) else None)
        ax.axhline(0, color="0.3", lw=0.8)
        ax.set_xticks([0, 1], ["steps that hold\n(w1, w2, w3)", "parking steps that write\n(w1, w2, w3)"])
        ax.set_title(RULES[rule], fontsize=9)
        ax.set_yscale("symlog", linthresh=1)
    axes[0].set_ylabel("mean ln dw(t)/dw(t-1) per step")
    axes[0].legend(fontsize=7, loc="lower left")
    fig.suptitle("each fast weight's own exponent, S frozen at the budget's end (T = 10)", fontsize=9)
    fig.tight_layout()
    save_figure(fig, path)


def main(args):
    res, a = load_run(args.results)
    os.makedirs(args.out_dir, exist_ok=True)
    out = pathlib.Path(args.out_dir)
    steps_figure(res, a, out / "steps.png")
    probes_figure(res, a, out / "probes.png")
    sweeps_figure(res, out / "sweeps.png")
    slow_net_figure(res, out / "slow_net.png")
    window_figure(res, a, out / "hold_window.png")
    learning_figure(a, out / "learning.png")
    lyapunov_figure(res, a, out / "lyapunov.png")
    print(f"wrote 7 figures to {args.out_dir}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
