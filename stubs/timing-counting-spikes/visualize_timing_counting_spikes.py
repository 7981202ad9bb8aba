"""Static figures of the timing run (Gers et al. 2002 tasks), read from its saved results (never retrains).

    python3 visualize_timing_counting_spikes.py    # reads results.json + results.npz, writes viz/*.png
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


def groups(a):
    """(label, mask, colour, linestyle) for every (learning rate, variant) group of nets."""
    out = []
    lrs = sorted(set(a["lr"].tolist()))
    for k, lr in enumerate(lrs):
        for peep, col in ((True, "tab:blue"), (False, "tab:orange")):
            ls = "-" if k == 0 else "--"
            label = f"{'peephole' if peep else 'no peephole'}, lr {lr:g}" + (" (paper)" if k == 0 else "")
            out.append((label, (a["lr"] == lr) & (a["peep"] == peep), col, ls))
    return out


def learning(res, a, out):
    """Median events per training stream and events before the first test error, per task."""
    names = [t["name"] for t in res["config"]["tasks"]]
    fig, axes = plt.subplots(2, len(names), figsize=(3.6 * len(names), 6), sharex=True)
    t = a["curve_t"]
    for ti, name in enumerate(names):
        for label, m, col, ls in groups(a):
            sel = m & (a["task"] == ti)
            if not sel.any():
                continue
            ce = a["curve_events"][:, sel]                             # NaN: no stream ended in the window
            ev = np.array([np.median(r[np.isfinite(r)]) if np.isfinite(r).any() else np.nan for r in ce])
            axes[0, ti].plot(t, ev, color=col, ls=ls, lw=1.5, label=label)
            axes[1, ti].plot(t, a["curve_test_events"][:, sel].max(axis=1), color=col, ls=ls, lw=1.5)
        axes[0, ti].set_title(name, fontsize=10)
        axes[1, ti].set_xlabel("training steps per net")
        axes[1, ti].axhline(res["config"]["train_events_per_stream"], color="k", lw=0.6, ls=":")
    axes[0, 0].set_ylabel("events per training stream\n(median over nets)")
    axes[1, 0].set_ylabel("events before first test error\n(best net, of 100)")
    axes[0, 0].legend(fontsize=7)
    fig.suptitle("Learning under the paper's protocol (a stream ends at the first error or after 100 events)",
                 fontsize=10)
    save_figure(fig, out / "learning.png")


def behaviour(res, a, out):
    """What the trained nets do: free-running outputs (GTS, PFG) and the cell state on a spike
    train (MSD), for the net of each task and lr group that went furthest on the test stream."""
    names = [t["name"] for t in res["config"]["tasks"]]
    lrs = sorted(set(a["lr"].tolist()))
    fig, axes = plt.subplots(len(lrs), len(names), figsize=(3.8 * len(names), 3.4 * len(lrs)), squeeze=False)
    for li, lr in enumerate(lrs):
        for ti, name in enumerate(names):
            ax = axes[li, ti]
            sel = np.flatnonzero((a["lr"] == lr) & (a["task"] == ti))
            j = sel[np.argmax(a["curve_test_events"][-1, sel])]
            kind = res["config"]["tasks"][ti]["kind"]
            F = res["config"]["tasks"][ti]["F"]
            if kind == "msd":
                x, s = a["dyn_x"][:, j], a["dyn_s"][:, j]
                ax.plot(s, color="tab:green", lw=1.2, label="cell state s")
                for k in np.flatnonzero(x):
                    ax.axvline(k, color="red", lw=0.6, ls=":")
                ax.set_xlabel("step (red: input spikes)")
            else:
                y = a["final_y"][:, j]
                tt = np.arange(len(y))
                target = np.cos(2 * np.pi * tt / F) if kind == "pfg" else ((tt + 1) % F == 0).astype(float)
                ax.plot(tt, target, color="k", lw=1, ls=":", label="target")
                ax.plot(tt, y, color="tab:blue", lw=1.4, label="output (free run)")
                ax.set_xlabel("step of a fresh stream")
            ax.set_title(f"{name}, lr {lr:g}\n{'peephole' if a['peep'][j] else 'no peephole'} net {j}",
                         fontsize=8)
            ax.legend(fontsize=6)
    fig.suptitle("The best trained net of each task and learning rate", fontsize=10)
    fig.tight_layout()
    save_figure(fig, out / "behaviour.png")


def dynamics(res, a, out):
    """Top Lyapunov exponent of every net, and the moduli of its 10-step multipliers (GTS, PFG)."""
    names = [t["name"] for t in res["config"]["tasks"]]
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4))
    for gi, (label, m, col, ls) in enumerate(groups(a)):
        for ti in range(len(names)):
            sel = m & (a["task"] == ti)
            xs = ti + 0.15 * (gi - 1.5) + np.zeros(sel.sum())
            ax.plot(xs, a["lyap"][sel, 0], "o", color=col, alpha=0.5, ms=4, mfc="none" if ls == "--" else col,
                    label=label if ti == 0 else None)
            if res["config"]["tasks"][ti]["kind"] != "msd":
                bx.plot(xs, a["floquet"][sel, 0], "o", color=col, alpha=0.5, ms=4,
                        mfc="none" if ls == "--" else col, label=label if ti == 2 else None)
    ax.axhline(0, color="k", lw=0.7)
    ax.set(xticks=range(len(names)), ylabel="lambda_1 per step", title="top Lyapunov exponent of each net")
    ax.set_xticklabels(names, fontsize=7)
    bx.axhline(1, color="k", lw=0.7)
    bx.set(xticks=range(len(names)), ylabel="largest |multiplier| over 10 steps", yscale="log",
           title="free-running orbit: 10-step multiplier (GTS, PFG)")
    bx.set_xticklabels(names, fontsize=7)
    ax.legend(fontsize=7)
    save_figure(fig, out / "dynamics.png")


def main(args):
    res, a = load_run(args.results)
    out = pathlib.Path(args.out_dir)
    learning(res, a, out)
    behaviour(res, a, out)
    dynamics(res, a, out)
    print(f"wrote 3 figures to {out}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
