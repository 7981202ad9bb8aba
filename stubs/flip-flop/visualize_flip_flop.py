"""Static figures of the flip-flop learned through a world model (from the saved run; never trains).

    viz/solved.png     share of runs solved (real solutions) against on-line steps, per group
    viz/learning.png   median learning curves of the four main groups: right-side share, pain,
                       M's miss of the pain, noise scale
    viz/ablations.png  real solutions of every deviation beside its reference group
    viz/lyapunov.png   C's closed-loop exponents (top) per run, its contraction on A, B and C steps,
                       the hold map's stable states and how many C events in a row C bridges
    viz/behaviour.png  the last 60 steps of the first run of each main group

    python3 visualize_flip_flop.py        # results.json + results.npz -> viz/*.png
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

MAIN = ("wz-sequential", "wz-parallel", "latch-sequential", "latch-parallel")
COL = {"wz-sequential": "tab:blue", "wz-parallel": "tab:orange", "latch-sequential": "tab:green",
       "latch-parallel": "tab:purple"}


def names(a):
    return [str(n) for n in a["group_names"]]


def solved(res, a, out):
    cfg, G = res["config"], names(a)
    steps = np.arange(0, cfg["max_steps"] + 1, cfg["max_steps"] // 200)
    fig, ax = plt.subplots(figsize=(7.0, 4.2))
    for g, name in enumerate(G):
        idx = a["gid"] == g
        ok = (a["crit"][idx] > 0) & a["end_real"][idx]
        frac = [(ok & (a["crit"][idx] <= s)).mean() for s in steps]
        main = name in MAIN
        ax.plot(steps, frac, color=COL.get(name, "0.6"), lw=2 if main else 1, ls="-" if main else ":",
                label=f"{name} ({int(ok.sum())}/{int(idx.sum())})")
    if cfg["model_steps"] < cfg["max_steps"]:
        ax.axvline(cfg["model_steps"], color="0.7", lw=0.8)
        ax.text(cfg["model_steps"], 1.02, " sequential: C starts", fontsize=7, color="0.4")
    for y, txt in ((0.6, "6/10"), (20 / 30, "20/30")):
        ax.axhline(y, color="0.5", lw=0.6, ls="--")
        ax.text(cfg["max_steps"], y, f" {txt} by 10^6\n (earlier catalog)", fontsize=6, va="center")
    ax.set_xlabel("on-line step")
    ax.set_ylabel("share of runs solved (real solutions)")
    ax.set_ylim(0, 1.08)
    ax.set_title("Runs whose C, frozen at the end, is right on 10,000 fresh steps, by the step they met "
                 "the criterion", fontsize=8)
    ax.legend(fontsize=6, loc="upper left")
    fig.tight_layout()
    save_figure(fig, out / "solved.png")


def learning(res, a, out):
    G = names(a)
    block = res["config"]["block"]
    keys = (("correct", "share of steps with mu on the right side"), ("pain", "pain (actual)"),
            ("model_err", "M's squared miss of the pain"), ("sigma", "noise scale sigma"))
    fig, axes = plt.subplots(2, 2, figsize=(8.4, 5.6), sharex=True)
    for ax, (k, label) in zip(axes.flat, keys, strict=True):
        c = a[f"curve_{k}"]
        x = (np.arange(c.shape[0]) + 1) * block
        for g, name in enumerate(G):
            if name not in MAIN:
                continue
            v = c[:, a["gid"] == g]
            ax.plot(x, np.median(v, 1), color=COL[name], lw=1.3, label=name)
            ax.fill_between(x, *np.percentile(v, [25, 75], axis=1), color=COL[name], alpha=0.15, lw=0)
        ax.set_title(label, fontsize=8)
        if k == "model_err":
            ax.set_yscale("log")
    axes[0, 0].legend(fontsize=6)
    for ax in axes[1]:
        ax.set_xlabel("on-line step")
    fig.suptitle("Median over runs (band: quartiles), blocks of 1,000 steps", fontsize=9)
    fig.tight_layout()
    save_figure(fig, out / "learning.png")


def ablations(res, a, out):
    M = res["metrics"]["groups"]
    abl = res["metrics"]["ablations"]
    rows = [("wz-sequential", None), ("wz-sequential, M predicts every input", "wz-sequential"),
            ("wz-sequential, truncated through M", "wz-sequential"), ("wz-parallel", None),
            ("wz-parallel, no noise", "wz-parallel"), ("wz-parallel, noise from C's units", "wz-parallel"),
            ("wz-parallel, truncated through M", "wz-parallel")]
    fig, ax = plt.subplots(figsize=(7.4, 3.6))
    for i, (name, ref) in enumerate(rows):
        m = M[name]
        share = m["real"] / m["runs"]
        ax.barh(i, share, color="0.35" if ref is None else "tab:red" if name in abl else "0.6")
        ax.text(share + 0.01, i, f"{m['real']}/{m['runs']}", va="center", fontsize=7)
    ax.set_yticks(range(len(rows)), [r[0] for r in rows], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.15)
    ax.set_xlabel(f"share of runs solved within {res['config']['max_steps']:,} steps (real solutions)")
    ax.set_title("Each deviation (red) beside its reference (grey), same budget and batch", fontsize=8)
    fig.tight_layout()
    save_figure(fig, out / "ablations.png")


def lyapunov(res, a, out):
    G = names(a)
    span_max = res["config"]["span_ks"][-1]
    fig, axes = plt.subplots(1, 4, figsize=(13.0, 3.7))
    for g, name in enumerate(G):
        if name not in MAIN:
            continue
        idx = (a["gid"] == g) & a["end_real"]
        j = MAIN.index(name)
        lam = a["end_lyap"][idx, 0]
        jit = np.linspace(-0.2, 0.2, max(lam.size, 2))[:lam.size]
        axes[0].scatter(j + jit, lam, s=10, color=COL[name])
        lam0 = a["initial_lyap"][a["gid"] == g, 0]
        axes[0].scatter(np.full(lam0.size, j + 0.35), lam0, s=6, color="0.6", marker="x")
        sp = a["end_split"][idx]
        if sp.size:
            axes[1].plot([0, 1, 2], np.median(sp, 0), "o-", color=COL[name], label=name)
        axes[2].scatter(a["end_hold_count"][idx] + 0.08 * (j - 1.5), a["end_hold_radius"][idx], s=10,
                        color=COL[name], label=name)
        two = a["end_hold_count"][idx] >= 2
        span = np.maximum(a["end_span"][idx], 0.5)
        axes[3].scatter((j + jit)[two], span[two], s=12, color=COL[name], marker="o")
        axes[3].scatter((j + jit)[~two], span[~two], s=14, color=COL[name], marker="^")
    axes[0].set_xticks(range(4), [n.replace("-", "\n") for n in MAIN], fontsize=7)
    axes[0].axhline(0, color="0.5", lw=0.6)
    axes[0].set_ylabel("top exponent per step")
    axes[0].set_title("C's closed loop, frozen at the end\n(dots: real solutions; x: initial C)", fontsize=8)
    axes[1].set_xticks([0, 1, 2], ["on A", "on B", "on C"])
    axes[1].set_title("mean ln-stretch of the top direction\nper event (median over runs)", fontsize=8)
    if axes[1].lines:
        axes[1].legend(fontsize=6)
    axes[2].set_xlabel("stable states of the hidden map under C events")
    axes[2].set_ylabel("largest |eigenvalue| there")
    axes[2].axhline(1, color="0.5", lw=0.6, ls="--")
    axes[2].set_title("hold map: 2 states = latch; 1 state = the bit\nfades (|eigenvalue| near 1: slowly)",
                      fontsize=8)
    axes[3].set_yscale("log")
    axes[3].axhline(span_max, color="0.5", lw=0.6, ls="--")
    lc = res["metrics"]["groups"][MAIN[0]]["longest_C_run_in_test"]
    axes[3].axhline(lc, color="tab:red", lw=0.6, ls=":")
    axes[3].text(1.5, lc * 0.8, "longest C run in the test stream", fontsize=6, color="tab:red", va="top",
                 ha="center")
    axes[3].set_xticks(range(4), [n.replace("-", "\n") for n in MAIN], fontsize=7)
    axes[3].set_title(f"memory span: C events in a row bridged (probes up\nto {span_max}); o: 2 hold "
                      "states, ^: 1", fontsize=8)
    fig.tight_layout()
    save_figure(fig, out / "lyapunov.png")


def behaviour(res, a, out):
    G = names(a)
    fig, axes = plt.subplots(4, 1, figsize=(7.4, 7.0), sharex=True)
    i = len(a["film_end"]) - 1
    t_end = int(a["film_end"][i])
    t = np.arange(t_end - a["film_mu"].shape[1], t_end)
    for k, ax in enumerate(axes):
        name = G[k]
        ax.bar(t, a["film_d"][i, :, k], width=1.0, color="0.85", label="desired output")
        ax.plot(t, a["film_J"][i, :, k], color="tab:red", lw=1, label="M's predicted pain")
        ax.plot(t, a["film_mu"][i, :, k], "k.", ms=4, label="C's mean output")
        for s, e in zip(t, a["film_ev"][i, :, k], strict=True):
            ax.text(s, 1.12, "ABC"[int(e)], fontsize=5, ha="center",
                    color=("tab:red", "tab:blue", "0.5")[int(e)])
        ax.set_ylim(-0.1, 1.25)
        ax.ticklabel_format(axis="x", useOffset=False, style="plain")
        ax.set_title(f"{name}, run {int(a['film_runs'][k])}", fontsize=8)
    axes[0].legend(fontsize=6, ncol=3, loc="center right")
    axes[-1].set_xlabel("on-line step")
    fig.tight_layout()
    save_figure(fig, out / "behaviour.png")


def main(args):
    res, a = load_run(args.results)
    out = pathlib.Path(args.out_dir)
    for f in (solved, learning, ablations, lyapunov, behaviour):
        f(res, a, out)
    print(f"wrote 5 figures to {out}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
