"""Figures of linear_transformers_fwp, from the saved run (never retrains).

    viz/capacity.png         setting 1: final loss against N, linear attention and DPFP-1 (sum rule)
    viz/updates.png          setting 2: final loss against N, sum rule and delta rule (DPFP-1)
    viz/learning_curves.png  evaluation loss during training, a few configurations
    viz/paper_size.png       the six configurations run at the paper's d = 64 beside the reduced ones
    viz/lyapunov.png         spectra of the fast-weight map along task streams, both rules
    viz/memory.png           one setting-2 sequence written into each rule's memory: W and the read-outs

    python3 visualize_linear_transformers_fwp.py     # results.json + results.npz -> viz/*.png
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

PAPER_LOSS = {"s1/linear/sum": {20: 0.00089, 40: 0.00083, 60: 0.0246, 80: 0.110, 100: 0.171, 120: 0.232,
                                160: 0.301},
              "s1/dpfp/sum": {20: 0.00078, 40: 0.00027, 60: 0.00043, 80: 0.00017, 100: 0.00021,
                              120: 0.0086, 140: 0.053, 160: 0.102},
              "s2/dpfp/sum": {20: 0.105, 40: 0.114, 60: 0.115, 100: 0.116, 200: 0.238},
              "s2/dpfp/delta": {20: 0.00077, 40: 0.00097, 60: 0.0061, 80: 0.0106, 100: 0.000086,
                                120: 0.0183, 140: 0.049, 200: 0.185}}
COLORS = {"s1/linear/sum": "tab:orange", "s1/dpfp/sum": "tab:blue", "s2/dpfp/sum": "tab:orange",
          "s2/dpfp/delta": "tab:green"}


def family_points(a, fam):
    """N, per-net final losses (N, S), for a family at the reduced d."""
    Ns = sorted(int(k.split("/N")[1]) for k in a
                if k.startswith(f"loss/{fam}/N") and "/d" not in k.split("/N")[1])
    return np.array(Ns), [a[f"loss/{fam}/N{N}"] for N in Ns]


def loss_panel(ax, a, fams, labels, scale, stop, d_dots=()):
    for fam, lab in zip(fams, labels, strict=True):
        Ns, L = family_points(a, fam)
        c = COLORS[fam]
        for N, ls in zip(Ns, L, strict=True):
            ax.scatter(np.full(len(ls), N), np.maximum(ls, 1e-5), s=14, color=c, alpha=0.5, lw=0)
        ax.plot(Ns, [np.median(x) for x in L], "-o", color=c, ms=4,
                label=f"{lab} (median of {len(L[0])} nets)")
        pN = sorted(PAPER_LOSS[fam])
        ax.plot(np.array(pN) / scale, [PAPER_LOSS[fam][n] for n in pN], "s--", mfc="none", color=c, alpha=0.8,
                ms=6, lw=0.8, label=f"{lab}, paper (d = 64, N / {scale})")
    for dd in d_dots:
        ax.axvline(dd, color="0.6", lw=0.8, ls=":")
        ax.text(dd, 2e-5, f" d_dot = {dd}", fontsize=7, color="0.4", rotation=90, va="bottom")
    ax.axhline(stop, color="k", lw=0.6, ls="--")
    ax.text(1.0, stop * 1.15, "stop criterion ", fontsize=7, ha="right", transform=ax.get_yaxis_transform())
    ax.set_yscale("log")
    ax.set_ylim(1e-5, 1.0)
    ax.set_xlabel("number of keys N (this run; the paper's N is 4 times larger)")
    ax.set_ylabel("final evaluation loss")
    ax.legend(fontsize=7, loc="upper left")


def capacity(res, a, out):
    cfg = res["config"]
    fig, ax = plt.subplots(figsize=(7, 4.4))
    loss_panel(ax, a, ["s1/linear/sum", "s1/dpfp/sum"], ["linear attention (elu + 1)", "DPFP-1"],
               cfg["scale"],
               cfg["stop_loss"], d_dots=(cfg["d_key"], 2 * cfg["d_key"]))
    ax.set_title("Setting 1 (capacity, N distinct keys), sum rule", fontsize=9)
    save_figure(fig, os.path.join(out, "capacity.png"))


def updates(res, a, out):
    cfg = res["config"]
    fig, ax = plt.subplots(figsize=(7, 4.4))
    loss_panel(ax, a, ["s2/dpfp/sum", "s2/dpfp/delta"], ["sum rule", "delta rule"], cfg["scale"],
               cfg["stop_loss"],
               d_dots=(2 * cfg["d_key"],))
    m = res["metrics"]["configs"]
    Ns, _ = family_points(a, "s2/dpfp/delta")
    for fam, c in (("s2/dpfp/sum", "tab:orange"), ("s2/dpfp/delta", "tab:green")):
        ax.plot(Ns, [np.median(m[f"{fam}/N{N}"]["loss_2n"]) for N in Ns], "^:", color=c, ms=4, lw=0.8,
                label=f"{fam.split('/')[2]} rule on sequences of length 2N")
    ax.legend(fontsize=7, loc="upper left", ncol=2)
    ax.set_title("Setting 2 (updates: 2N pairs, keys drawn with replacement, the latest value asked), "
                 "DPFP-1",
                 fontsize=9)
    save_figure(fig, os.path.join(out, "updates.png"))


def learning_curves(res, a, out):
    ev = res["config"]["eval_every"]
    picks = [("s1/linear/sum/N10", "s1 linear N=10"), ("s1/linear/sum/N15", "s1 linear N=15"),
             ("s1/linear/sum/N20", "s1 linear N=20"), ("s1/dpfp/sum/N25", "s1 DPFP-1 N=25"),
             ("s2/dpfp/sum/N20", "s2 sum N=20"), ("s2/dpfp/delta/N20", "s2 delta N=20")]
    picks = [(k, lab) for k, lab in picks if f"curve/{k}" in a]
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
    for i, (k, lab) in enumerate(picks):
        ax = axes[0 if k.startswith("s1") else 1]
        c = a[f"curve/{k}"]
        x = ev * np.arange(1, len(c) + 1)
        for j in range(c.shape[1]):
            ax.plot(x, c[:, j], color=f"C{i}", lw=1, alpha=0.8, label=lab if j == 0 else None)
    for ax, t in zip(axes, ("Setting 1", "Setting 2"), strict=True):
        ax.axhline(res["config"]["stop_loss"], color="k", lw=0.6, ls="--")
        ax.set_yscale("log")
        ax.set_xscale("log")
        ax.set_xlabel("training step")
        ax.set_title(t, fontsize=9)
        ax.legend(fontsize=7)
    axes[0].set_ylabel("evaluation loss (each net until it stops)")
    save_figure(fig, os.path.join(out, "learning_curves.png"))


def paper_size(res, a, out):
    m = res["metrics"]["configs"]
    rows = [("s1 linear N=40", "s1/linear/sum/N40/d64", "s1/linear/sum/N10", 0.00083),
            ("s1 linear N=60", "s1/linear/sum/N60/d64", "s1/linear/sum/N15", 0.0246),
            ("s2 sum N=20", "s2/dpfp/sum/N20/d64", "s2/dpfp/sum/N5", 0.105),
            ("s2 delta N=20", "s2/dpfp/delta/N20/d64", "s2/dpfp/delta/N5", 0.00077),
            ("s1 DPFP-1 N=40", "s1/dpfp/sum/N40/d64", "s1/dpfp/sum/N10", 0.00027),
            ("s2 delta N=60", "s2/dpfp/delta/N60/d64", "s2/dpfp/delta/N15", 0.0061)]
    rows = [r for r in rows if r[1] in m and r[2] in m]
    fig, ax = plt.subplots(figsize=(9, 3.8))
    if not rows:
        ax.text(0.5, 0.5, "no paper-size configurations in this run", ha="center", transform=ax.transAxes)
    for i, (_, big, small, paper) in enumerate(rows):
        for off, key, c, name in ((-0.2, big, "tab:blue", "d = 64, paper's N"),
                                  (0.2, small, "tab:gray", "d = 16, N / 4")):
            ls = np.maximum(m[key]["loss"], 1e-6)
            ax.scatter(np.full(len(ls), i + off), ls, color=c, s=18, label=name if i == 0 else None)
        ax.plot([i - 0.35, i + 0.35], [paper, paper], color="tab:red", lw=2,
                label="paper (one run)" if i == 0 else None)
    ax.axhline(res["config"]["stop_loss"], color="k", lw=0.6, ls="--")
    ax.set_xticks(range(len(rows)), [r[0].replace(" N=", "\nN = ") + " (paper's N)" for r in rows],
                  fontsize=7)
    ax.set_yscale("log")
    ax.set_ylabel("final evaluation loss per net")
    ax.legend(fontsize=7)
    ax.set_title("What the reduced key dimension costs: the paper's size beside the reduced one", fontsize=9)
    save_figure(fig, os.path.join(out, "paper_size.png"))


def lyapunov(res, a, out):
    m = res["metrics"]["configs"]
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    def order(k):
        return ("/d64" in k, "/sum/" in k, int(k.split("/N")[1].split("/")[0]))
    keys = sorted((k for k in a if k.startswith("lyap/s2/dpfp/")), key=order)
    shown = set()
    for k in keys:
        lab = k[len("lyap/"):]
        spec = np.median(a[k], axis=(0, 1))
        delta = "/delta/" in lab
        ax = axes[0] if "/d64" not in lab else axes[1]
        if delta:
            name = (f"delta rule, N = {order(k)[2]}: {m[lab]['n_contracting']:.0f} contracting; "
                    f"beta {m[lab]['beta_mean']:.2f}, |kt|^2 {m[lab]['kt2_mean']:.2f}"
                    if "n_contracting" in m[lab] else lab)
        else:
            name = None if ax in shown else "sum rule, every N: all 0"
            shown.add(ax)
        ax.plot(np.arange(1, len(spec) + 1), spec, "-" if delta else "k:", lw=1.2, label=name)
    for ax, t in zip(axes, ("d = 16", "d = 64 (the paper's size)"), strict=True):
        ax.axhline(0, color="k", lw=0.5)
        ax.set_xlabel("exponent index (of p = 2d DPFP features)")
        ax.set_title(f"fast-weight map W_(t-1) -> W_t along setting-2 streams, {t}", fontsize=8)
        ax.legend(fontsize=6)
    axes[0].set_ylabel("Lyapunov exponent per step (median)")
    save_figure(fig, os.path.join(out, "lyapunov.png"))


def memory(res, a, out):
    k, v = a["film/k"], a["film/v"]
    N, T = int(a["film/sum/y"].shape[1]), len(k)
    last = {int(key): int(val) for key, val in zip(k, v, strict=True)}       # the latest value per key
    fig, axes = plt.subplots(2, 2, figsize=(9, 6.4))
    for r, rule in enumerate(("sum", "delta")):
        W, y = a[f"film/{rule}/W"][-1], a[f"film/{rule}/y"][-1]
        axes[r, 0].imshow(W, cmap="RdBu_r", vmin=-np.abs(W).max(), vmax=np.abs(W).max(), aspect="auto")
        axes[r, 0].set_title(f"{rule} rule: W after {T} writes (values x features)", fontsize=8)
        axes[r, 1].imshow(y, cmap="viridis", vmin=0, vmax=1, aspect="auto")
        for key, val in last.items():
            axes[r, 1].plot(val, key, "rx", ms=6)
        right = sum(int(np.argmax(y[key]) == val) for key, val in last.items())
        axes[r, 1].set_title(f"{rule} rule: read-out of every key (x: its latest value); {right}/{len(last)} "
                             f"right", fontsize=8)
        axes[r, 1].set_xlabel("value")
        axes[r, 1].set_ylabel("queried key")
    fig.suptitle(f"one setting-2 sequence, N = {N}: "
                 + " ".join(f"{a}>{b}" for a, b in zip(k, v, strict=True)),
                 fontsize=8)
    fig.tight_layout()
    save_figure(fig, os.path.join(out, "memory.png"))


def main(args):
    res, a = load_run(args.results)
    os.makedirs(args.out_dir, exist_ok=True)
    for f in (capacity, updates, learning_curves, paper_size, lyapunov, memory):
        f(res, a, args.out_dir)
    print(f"wrote 6 figures to {args.out_dir}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
