"""Figures of the saved fast-weights-unknown-delay run: steps to the criterion per run against the
paper's counts, the learning-rate and steepness sweeps, the hold map that makes a latch, the
learned weight changes, the learning curves and the Lyapunov exponents of the fast weights.

    python3 visualize_fast_weights_unknown_delay.py     # results.json + results.npz -> viz/*.png
"""
import os
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np

from shared.cli import make_artifact_parser, run
from shared.fast_weights import core
from shared.figures import save_figure
from shared.results import load_run

RULES = {"direct": "direct rule (eq. 4)", "fromto": "FROM/TO rule (eq. 5)"}
PAPER_STEPS = {"direct": 300, "fromto": 800}
EVENTS = "ABC"


def real_flags(a, rule):
    """Per run of the paper variant: met the criterion, and its frozen S solved the fresh stream."""
    crit = a[f"{rule}_crit"][0]
    real = np.zeros(crit.size, bool)
    real[crit > 0] = a[f"{rule}_test_E_max"] <= 0.05
    return crit, real


def steps_figure(res, a, path):
    budget = res["config"]["max_steps"]
    fig, ax = plt.subplots(figsize=(7.5, 3.4))
    for i, rule in enumerate(RULES):
        crit, real = real_flags(a, rule)
        jitter = i + np.random.default_rng(i).uniform(-0.18, 0.18, crit.size)
        ok = crit > 0
        ax.plot(crit[ok & real], jitter[ok & real], "o", ms=5, color="tab:green", alpha=0.7,
                label="frozen S solves a fresh stream" if i == 0 else None)
        ax.plot(crit[ok & ~real], jitter[ok & ~real], "o", ms=5, mfc="none", color="tab:red",
                label="met the criterion, frozen S fails" if i == 0 else None)
        ax.plot(np.full((~ok).sum(), budget), jitter[~ok], "x", color="0.3",
                label="not met within the budget" if i == 0 else None)
        med = res["metrics"][rule]["paper"]["steps"].get("median")
        if med:
            ax.plot([med, med], [i - 0.3, i + 0.3], "-", color="k", lw=2)
        ax.plot(PAPER_STEPS[rule], i, "*", ms=15, color="gold", mec="k", zorder=5,
                label="paper" if i == 0 else None)
    ax.axvline(budget, color="0.6", ls="--", lw=0.8)
    ax.set_xscale("log")
    ax.set_yticks(range(len(RULES)), list(RULES.values()))
    ax.set_xlabel("on-line steps until E(t) <= 0.05 for 100 steps in a row (bar: median)")
    ax.legend(fontsize=7, loc="upper right")
    ax.set_title("T = 10, paper's learning rates; one dot per run", fontsize=9)
    fig.tight_layout()
    save_figure(fig, path)


def sweeps_figure(res, path):
    fig, axes = plt.subplots(2, 2, figsize=(8.5, 5.2), sharex="col")
    for rule, style in zip(RULES, ("o-", "s-"), strict=True):
        ms = {k: v for k, v in res["metrics"][rule].items() if isinstance(v, dict) and "steps" in v
              and k != "truncated"}
        for col, (key, fixed) in enumerate((("eta", "T"), ("T", "eta"))):
            paper_fixed = ms["paper"][fixed]
            pts = sorted((m[key], m) for m in ms.values() if m[fixed] == paper_fixed)
            xs = [x for x, _ in pts]
            med = [m["steps"].get("median", np.nan) for _, m in pts]
            frac = [m.get("real", 0) / max(m["steps"]["solved"], 1) for _, m in pts]
            axes[0, col].plot(xs, med, style, label=RULES[rule])
            axes[1, col].plot(xs, frac, style, label=RULES[rule])
            axes[0, col].plot(ms["paper"][key], PAPER_STEPS[rule], "*", ms=13, color="gold", mec="k")
    for col, name in enumerate(("learning rate eta (T = 10)", "steepness T (paper's eta)")):
        axes[0, col].set(xscale="log", yscale="log")
        axes[1, col].set(xlabel=name, ylim=(-0.05, 1.05))
    axes[0, 1].axvline(4, color="0.6", ls=":", lw=1)
    axes[1, 1].axvline(4, color="0.6", ls=":", lw=1)
    axes[0, 0].set_ylabel("median steps to the criterion")
    axes[1, 0].set_ylabel("share of those runs whose\nfrozen S solves a fresh stream")
    axes[0, 0].legend(fontsize=7)
    fig.suptitle("sweeps (star: the paper's setting and count; dotted: T = 4, no latch at or below)",
                 fontsize=9)
    fig.tight_layout()
    save_figure(fig, path)


def hold_figure(a, path):
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(9, 3.6))
    w = np.linspace(0, 1, 400)
    for T, color in ((2.0, "tab:blue"), (4.0, "tab:purple"), (10.0, "tab:orange")):
        ax.plot(w, 1 / (1 + np.exp(-T * (w - 0.5))), color=color, label=f"T = {T:g}")
    ax.plot(w, w, color="0.5", lw=0.8)
    ax.set(xlabel="w_B before a C", ylabel="w_B after it", title="hold map (C, no change from S)")
    ax.legend(fontsize=7)
    for i, rule in enumerate(RULES):
        crit, real = real_flags(a, rule)
        c = a[f"{rule}_test_hold_c"]
        rr = real[crit > 0]
        y = i + np.random.default_rng(i).uniform(-0.2, 0.2, c.size)
        bx.plot(c[rr], y[rr], "o", color="tab:green", ms=4, alpha=0.7)
        bx.plot(c[~rr], y[~rr], "o", mfc="none", color="tab:red", ms=5)
    bx.axvspan(-0.181, 0.181, color="tab:orange", alpha=0.15, label="two stable states at T = 10")
    bx.set_xscale("symlog", linthresh=0.1)
    ticks = [-3, -1, -0.1, 0, 0.1, 1, 3, 10]
    bx.set_xticks(ticks, [f"{t:g}" for t in ticks])
    bx.set_yticks(range(len(RULES)), ["direct", "FROM/TO"], fontsize=8)
    bx.set(xlabel="S's change c to w_B on a C (runs meeting the criterion)",
           title="green: solves a fresh stream, red: fails")
    bx.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    save_figure(fig, path)


def slow_net_figure(a, path):
    fig, axes = plt.subplots(1, 2, figsize=(7.5, 3.0))
    for ax, rule in zip(axes, RULES, strict=True):
        crit, real = real_flags(a, rule)
        W = a[f"{rule}_W_crit"][real].astype(np.float64)           # (n, K, 3)
        table = np.stack([core.weight_change(rule, W[:, :, e], 3, 1)[0][:, 0] for e in range(3)], 1)
        med = np.median(table, axis=0) if len(W) else np.zeros((3, 3))   # (event, weight)
        im = ax.imshow(med, cmap="RdBu_r", vmin=-3, vmax=3)
        for e in range(3):
            for k in range(3):
                ax.text(k, e, f"{med[e, k]:+.2f}", ha="center", va="center", fontsize=8)
        ax.set_xticks(range(3), [f"w_{x}" for x in EVENTS])
        ax.set_yticks(range(3), [f"on {x}" for x in EVENTS])
        ax.set_title(f"{RULES[rule]}\nmedian over {len(W)} solving runs", fontsize=8)
    fig.colorbar(im, ax=axes, shrink=0.8, label="S's change dw (before the squash)")
    save_figure(fig, path)


def learning_figure(res, a, path):
    fig, ax = plt.subplots(figsize=(7, 3.2))
    for rule, color in zip(RULES, ("tab:blue", "tab:orange"), strict=True):
        E = a[f"{rule}_E_blocks"][:80]                              # first 4,000 steps
        t = 50 * (np.arange(E.shape[0]) + 1)
        q1, med, q3 = np.percentile(E, [25, 50, 75], axis=1)
        ax.plot(t, med, color=color, label=RULES[rule])
        ax.fill_between(t, q1, q3, color=color, alpha=0.2)
        ax.axvline(PAPER_STEPS[rule], color=color, ls=":", lw=1)
    ax.set(yscale="log", xlabel="on-line step", ylabel="mean E per 50 steps (median, IQR)",
           title="learning curves of the paper settings (dotted: the paper's step counts)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, path)


def lyapunov_figure(res, a, path):
    fig, ax = plt.subplots(figsize=(7.5, 3.4))
    cols = [("w_A", lambda r: a[f"{r}_test_lyap_weight"][:, 0]),
            ("w_B, holding (C)", lambda r: a[f"{r}_test_lyap_B_hold"]),
            ("w_B, writing (A, B)", lambda r: a[f"{r}_test_lyap_B_write"]),
            ("w_B, all steps", lambda r: a[f"{r}_test_lyap_weight"][:, 1]),
            ("w_C", lambda r: a[f"{r}_test_lyap_weight"][:, 2])]
    for j, rule in enumerate(RULES):
        crit, real = real_flags(a, rule)
        rr = real[crit > 0]
        for i, (_, get) in enumerate(cols):
            v = get(rule)[rr]
            x = i + (j - 0.5) * 0.35 + np.random.default_rng(i + 10 * j).uniform(-0.08, 0.08, v.size)
            ax.plot(x, v, "o", ms=3, alpha=0.6, color=f"C{j}", label=RULES[rule] if i == 0 else None)
    w = 0.0
    for _ in range(200):                          # the low stable state of sigma(10 (w - 0.5))
        w = 1 / (1 + np.exp(-10 * (w - 0.5)))
    ax.axhline(np.log(10 * w * (1 - w)), color="0.5", ls=":", lw=1)
    ax.axhline(0, color="0.3", lw=0.8)
    ax.set_xticks(range(len(cols)), [c[0] for c in cols], fontsize=8)
    ax.set_ylim(-40, 1)
    ax.set_ylabel("exponent per step (mean ln sigma')\n(a few writing values below -40 cut off)",
                  fontsize=8)
    ax.set_title("fast-weight map of solving runs, S frozen (dotted: ln of the slope at the hold "
                 "map's stable states)", fontsize=8)
    ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, path)


def main(args):
    res, a = load_run(args.results)
    os.makedirs(args.out_dir, exist_ok=True)
    steps_figure(res, a, os.path.join(args.out_dir, "steps.png"))
    sweeps_figure(res, os.path.join(args.out_dir, "sweeps.png"))
    hold_figure(a, os.path.join(args.out_dir, "hold_map.png"))
    slow_net_figure(a, os.path.join(args.out_dir, "slow_net.png"))
    learning_figure(res, a, os.path.join(args.out_dir, "learning.png"))
    lyapunov_figure(res, a, os.path.join(args.out_dir, "lyapunov.png"))
    print(f"wrote 6 figures to {args.out_dir}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
