"""Static figures of the two-sequence (Exp. 3) run, read from its saved results (never retrains).

    python3 visualize_two_sequence_noise.py       # reads results.json + results.npz, writes viz/*.png
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

COLORS = {"3a": "tab:blue", "3b": "tab:orange", "3c": "tab:green"}


def learning_curves(res, a, out):
    """Mean absolute error on the 256 stopping-test sequences, every net, per variant."""
    cfg = res["config"]
    variants, n = cfg["variants"], cfg["n_seeds"]
    fig, axes = plt.subplots(1, len(variants), figsize=(4.2 * len(variants), 3.8), squeeze=False)
    for i, v in enumerate(variants):
        ax = axes[0, i]
        sl = slice(i * n, (i + 1) * n)
        mae = a["curve_mae"][:, sl]
        ax.plot(a["curve_n"], mae, color=COLORS[v], alpha=0.4, lw=1)
        ax.plot(a["curve_n"], np.median(mae, axis=1), color="k", lw=1.8, label="median over nets")
        ax.axhline(cfg["rules"][v]["max_mae"], color="k", ls="--", lw=0.8, label="criterion")
        for st in a["st2"][sl][a["st2"][sl] >= 0]:
            ax.plot(st, cfg["rules"][v]["max_mae"], "v", color="red", ms=6)
        paper = res["metrics"][v]["paper"].get("st2")
        if paper and paper <= 1.3 * cfg["max_sequences"]:
            ax.axvline(paper, color="tab:red", lw=1.2)
            ax.text(paper, 0.9, f" paper mean {paper:,}", color="tab:red", fontsize=7,
                    transform=ax.get_xaxis_transform(), va="top")
        ax.set(yscale="log", xlabel="training sequences per net",
               title=f"Task {v}: mean |err| on 256 test seqs")
        if i == 0:
            ax.set_ylabel("mean |output - noise-free target|")
        ax.legend(fontsize=7, loc="upper right")
    fig.suptitle(f"Exp. 3, T={cfg['T']}, N={cfg['N']}: {n} nets per task (red triangles: net met its "
                 "final criterion)", fontsize=10)
    fig.tight_layout()
    save_figure(fig, out / "learning_curves.png")


def cell_states(res, a, out):
    """Cell states of the first net of each task on one test sequence per class, after training."""
    cfg = res["config"]
    variants = cfg["variants"]
    s, y = a["snap_s"][-1], a["snap_y"][-1]                               # (V, L, 2, C), (V, 2)
    fig, axes = plt.subplots(2, len(variants), figsize=(4.2 * len(variants), 5.2), squeeze=False,
                             gridspec_kw={"height_ratios": [1, 2]}, sharex=True)
    for i, v in enumerate(variants):
        for j, ls in ((0, "-"), (1, "--")):
            L = int(a["probe_last"][i, j]) + 1
            axes[0, i].plot(a["probe_x"][:L, i, j], ls, lw=0.7, color="k" if j == 0 else "gray",
                            label=f"class {j + 1}")
            for c in range(s.shape[-1]):
                axes[1, i].plot(s[i, :L, j, c], ls, color=f"C{c}", lw=1.2,
                                label=f"cell {c + 1}" if j == 0 else None)
        axes[0, i].axvspan(-0.5, cfg["N"] - 0.5, color="gold", alpha=0.3)
        axes[0, i].set_title(f"Task {v}: outputs {y[i, 0]:.2f} (class 1), {y[i, 1]:.2f} (class 2)",
                             fontsize=9)
        axes[1, i].set_xlabel("t")
        if i == 0:
            axes[0, i].set_ylabel("input x(t)")
            axes[1, i].set_ylabel("cell states s(t)\n(solid class 1, dashed class 2)")
            axes[0, i].legend(fontsize=7)
            axes[1, i].legend(fontsize=7)
    fig.suptitle("First net of each task at the end of training; gold: the informative elements", fontsize=10)
    fig.tight_layout()
    save_figure(fig, out / "cell_states.png")


def outputs(res, a, out):
    """Outputs on the fresh test set, by class, all nets of each task."""
    cfg = res["config"]
    variants, n = cfg["variants"], cfg["n_seeds"]
    fig, axes = plt.subplots(1, len(variants), figsize=(4.2 * len(variants), 3.4), squeeze=False)
    for i, v in enumerate(variants):
        ax = axes[0, i]
        sl = slice(i * n, (i + 1) * n)
        yy, cc = a["final_y"][sl].ravel(), a["final_cls"][sl].ravel()
        bins = np.linspace(0, 1, 101)
        ax.hist(yy[cc == 0], bins=bins, color="tab:blue", alpha=0.6, label="class 1")
        ax.hist(yy[cc == 1], bins=bins, color="tab:red", alpha=0.6, label="class 2")
        for tgt in ((1.0, 0.0) if v != "3c" else (0.2, 0.8)):
            ax.axvline(tgt, color="k", lw=0.8, ls="--")
        ax.set(yscale="log", xlabel="output at the sequence end", title=f"Task {v}: {n} nets x "
               f"{a['final_y'].shape[1]} test sequences")
        ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, out / "outputs.png")


def dynamics(res, a, out):
    """Lyapunov exponents per task and where the input gates open."""
    cfg = res["config"]
    variants, n = cfg["variants"], cfg["n_seeds"]
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(10, 3.8))
    ex = a["lyap"].mean(axis=1)                                              # (S, k)
    k = ex.shape[1]
    for i, v in enumerate(variants):
        e = np.sort(ex[i * n:(i + 1) * n], axis=1)[:, ::-1]
        ax.plot(np.arange(1, k + 1) + 0.1 * (i - 1), e.T, "o", color=COLORS[v], alpha=0.5, ms=4)
        ax.plot([], [], "o", color=COLORS[v], label=f"task {v}")
    ax.axhline(0, color="k", lw=0.7)
    ax.set_yscale("symlog", linthresh=1e-3)                              # the three ~0 and the rest
    ax.set(xlabel="exponent index", ylabel="exponent per step (symlog)",
           title="Lyapunov exponents after the signal")
    ax.legend(fontsize=8)
    gi, gn = a["gate_info"], a["gate_noise"]                                 # (S, 3)
    x = np.arange(len(variants))
    for b in range(gi.shape[1]):
        vi = [gi[i * n:(i + 1) * n, b].mean() for i in range(len(variants))]
        vn = [gn[i * n:(i + 1) * n, b].mean() for i in range(len(variants))]
        bx.bar(x + 0.13 * b - 0.2, vi, 0.12, color=f"C{b}", label=f"block {b + 1}: on signal")
        bx.bar(x + 0.13 * b + 0.2, vn, 0.12, color=f"C{b}", alpha=0.4, hatch="//",
               label=f"block {b + 1}: on noise")
    bx.set_xticks(x, [f"task {v}" for v in variants])
    bx.set(yscale="log", ylabel="mean input-gate activation", title="Input gates: signal vs noise elements")
    bx.legend(fontsize=6, ncol=2)
    fig.tight_layout()
    save_figure(fig, out / "dynamics.png")


def main(args):
    res, a = load_run(args.results)
    out = pathlib.Path(args.out_dir)
    learning_curves(res, a, out)
    cell_states(res, a, out)
    outputs(res, a, out)
    dynamics(res, a, out)
    print(f"wrote 4 figures to {out}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
