"""Static figures of the maze-ftle run, read from its saved results (never retrains).

    python3 visualize_maze_ftle.py     # reads results.json + results.npz, writes viz/*.png
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np

from shared.cli import make_artifact_parser, run
from shared.figures import save_figure
from shared.mazes.draw import histogram_bins
from shared.mazes.grid import auc
from shared.results import load_run

OK, BAD = "#1f77b4", "#d62728"


def lambda1(res, a, out):
    """Distribution of lambda1 for solved and unsolved mazes, one panel per seed."""
    lam, ok = a["lam"], a["ok"]                                   # (S, M, k), (S, M)
    S = lam.shape[0]
    fig, axes = plt.subplots(1, S, figsize=(4 * S, 3.4), squeeze=False)
    bins = histogram_bins(lam[..., 0], n=40)                   # widened if every lambda1 is equal
    ref = np.median(a["lam_untrained"][..., 0])
    for s, ax in enumerate(axes[0]):
        l1 = lam[s, :, 0]
        ax.hist(l1[ok[s]], bins=bins, color=OK, alpha=0.6, label=f"solved ({ok[s].sum()})")
        ax.hist(l1[~ok[s]], bins=bins, color=BAD, alpha=0.6, label=f"not solved ({(~ok[s]).sum()})")
        ax.axvline(ref, color="gray", ls=":", lw=1)
        a1 = res["metrics"]["auc_l1"][s]
        ax.set(xlabel="lambda1 (per sub-update)", ylabel="test mazes" if s == 0 else None,
               title=f"seed {s}, step {res['metrics']['picked_steps'][s]}: AUC {a1:.3f}" if a1 is not None
               else f"seed {s}")
        ax.legend(fontsize=7)
    fig.suptitle(f"top finite-time exponent of the (y, z) recursion, {a['lam'].shape[1]} held-out mazes per "
                 f"seed (dotted: untrained net, median)", fontsize=9)
    fig.tight_layout()
    save_figure(fig, out / "lambda1.png")


def spectrum(res, a, out):
    """Median top-8 spectrum of successes and failures per seed, and the per-exponent AUC."""
    lam, ok = a["lam"], a["ok"]
    S, _, k = lam.shape
    i = np.arange(1, k + 1)
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(10, 3.8))
    for s in range(S):
        if ok[s].any():
            ax.plot(i, np.median(lam[s][ok[s]], 0), "o-", color=OK, alpha=0.4 + 0.2 * s,
                    label="solved" if s == 0 else None)
        if (~ok[s]).any():
            ax.plot(i, np.median(lam[s][~ok[s]], 0), "s--", color=BAD, alpha=0.4 + 0.2 * s,
                    label="not solved" if s == 0 else None)
        ai = [np.nan if v is None else v for v in res["metrics"]["auc_per_exponent"][s]]
        bx.plot(i, ai, "o-", label=f"seed {s}")
    ax.set(xlabel="exponent index i", ylabel="median lambda_i", title="whole top-8 spectrum, per seed")
    ax.legend(fontsize=8)
    bx.axhline(0.7, color="gray", ls="--", lw=1)
    bx.text(1, 0.7, "bar 0.7", fontsize=8, va="bottom")
    bx.set(xlabel="exponent index i", ylabel="AUC(-lambda_i -> solved)", ylim=(0.4, 1.0),
           title="per-exponent separation")
    bx.legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, out / "spectrum.png")


def concurrent(res, a, out):
    """AUC of the exponent over each supervision step's sub-updates alone, against the fraction of
    mazes already solved: the separation grows as answers converge (concurrent, not predictive)."""
    log_r, ok_steps = a["log_r"].astype(np.float64), a["ok_steps"]   # (S, M, n_maps, k), (S, M, n_sup)
    S, _, n_maps, _ = log_r.shape
    n_sup = ok_steps.shape[2]
    per = n_maps // n_sup
    steps = np.arange(1, n_sup + 1)
    fig, ax = plt.subplots(figsize=(6.8, 4))
    for s in range(S):
        ok = ok_steps[s, :, -1]
        win = log_r[s, :, :, 0].reshape(-1, n_sup, per).mean(2)      # (M, n_sup) per-step exponent
        cum = np.cumsum(log_r[s, :, :, 0].reshape(-1, n_sup, per).sum(2), 1) / (per * steps)
        aw = [auc(-win[ok, t], -win[~ok, t]) for t in range(n_sup)]
        ac = [auc(-cum[ok, t], -cum[~ok, t]) for t in range(n_sup)]
        ax.plot(steps, [np.nan if v is None else v for v in aw], "o-", color=f"C{s}",
                label=f"seed {s}: exponent of that step alone")
        ax.plot(steps, [np.nan if v is None else v for v in ac], "x:", color=f"C{s}",
                label=f"seed {s}: exponent from step 1 to it")
        ax.plot(steps, ok_steps[s].mean(0), "-", color=f"C{s}", lw=3, alpha=0.25,
                label=f"seed {s}: fraction solved" if s == 0 else None)
    ax.axhline(0.5, color="gray", ls=":", lw=1)
    ax.set(xlabel="supervision step", ylabel="AUC(-lambda1 -> solved at step 8) / fraction solved",
           ylim=(0, 1.02), title="the exponent separates the classes once answers settle")
    ax.legend(fontsize=6, ncol=2)
    save_figure(fig, out / "concurrent.png")


def checkpoints(res, a, out):
    """Test exact accuracy at N_sup per EMA checkpoint, the band and the picked checkpoint."""
    st, ex, pick = a["curve_steps"], a["curve_exact"], a["picked"]
    fig, ax = plt.subplots(figsize=(6, 3.6))
    ax.axhspan(0.3, 0.9, color="tab:green", alpha=0.1, label="30-90 % band (pre-registered)")
    for s in range(ex.shape[1]):
        ax.plot(st, ex[:, s], "o-", color=f"C{s}", label=f"seed {s}")
        ax.plot(st[pick[s]], ex[pick[s], s], "*", color=f"C{s}", ms=16, mec="k")
    ax.set(xlabel="optimizer step", ylabel=f"exact@{res['config']['n_sup']} (EMA, first "
           f"{res['config']['n_curve']} test mazes)", ylim=(0, 1), title="checkpoints (star: analysed)")
    ax.legend(fontsize=8)
    save_figure(fig, out / "checkpoints.png")


def main(args):
    res, a = load_run(args.results)
    out = pathlib.Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    lambda1(res, a, out)
    spectrum(res, a, out)
    concurrent(res, a, out)
    checkpoints(res, a, out)


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
