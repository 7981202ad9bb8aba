"""Maze figures shared by the family's figure and GIF scripts (they read saved runs, never train).

draw_answer shows a token grid in the family's colours with the wrong tokens crossed;
pick_pair picks a solved and an unsolved saved test maze for an animation; training_figure and
ftle_figure are the training and finite-time-exponent figures of a deep-supervision run
(trm-maze, hrm-maze), from the arrays those stubs save: loss (steps, S); curve_step (C,);
curve_exact_1, curve_exact_last (C, S); lam (S, M, k); lam_ok (S, M).
"""
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

from shared.figures import save_figure

# token colours in shared.mazes.grid's id order: wall, open, S, G, path
CMAP = ListedColormap(["#2b2b2b", "#ffffff", "#2ca02c", "#d62728", "#1f77b4"])


def draw_answer(ax, grid, target=None, ms=8, mew=2):
    """Show a token grid (P, P); with a target (P, P), an orange x on every token that differs.

    Returns the number of wrong tokens (0 without a target).
    """
    ax.imshow(grid, cmap=CMAP, vmin=0, vmax=4)
    if target is None:
        return 0
    wrong = np.argwhere(grid != target)
    for (yy, xx) in wrong:
        ax.plot(xx, yy, "x", color="orange", ms=ms, mew=mew)
    return len(wrong)


def pick_pair(a, ns, seed=0):
    """Indices (among the saved test mazes) of one maze the seed solves at step ns and one it does
    not; the closest / farthest from exact where all or none are solved. Uses ok_test
    (S, steps, m), pred_steps (steps, S, m, P, P) and Y_test (m, P, P)."""
    ok = a["ok_test"][seed, ns - 1]                                # (m,)
    wrong = (a["pred_steps"][ns - 1, seed] != a["Y_test"]).sum((1, 2))
    good = int(np.flatnonzero(ok)[0]) if ok.any() else int(np.argmin(wrong))
    bad = int(np.flatnonzero(~ok)[0]) if (~ok).any() else int(np.argmax(wrong))
    return good, bad


def training_figure(a, path, n_sup, loss_label, curve_label, unit="step"):
    """Left: the training loss per seed (running mean over ~1/60 of the run). Right: the test
    curve while training, exact after the n_sup-th and after the first ``unit`` (supervision
    step, segment) per seed."""
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4))
    loss = a["loss"]
    k = max(1, len(loss) // 60)
    for s in range(loss.shape[1]):
        sm = np.convolve(loss[:, s], np.ones(k) / k, mode="valid")
        ax.plot(np.arange(len(sm)) + k, sm, lw=1, label=f"seed {s}")
    ax.set(xlabel="optimizer step", ylabel=loss_label, yscale="log", title="training loss")
    ax.legend(fontsize=8)
    st = a["curve_step"]
    for s in range(a["curve_exact_last"].shape[1]):
        bx.plot(st, a["curve_exact_last"][:, s], "o-", color=f"C{s}", label=f"seed {s}: {unit} {n_sup}")
        bx.plot(st, a["curve_exact_1"][:, s], "x--", color=f"C{s}", alpha=0.6, label=f"seed {s}: {unit} 1")
    bx.set(xlabel="optimizer step", ylabel=curve_label, ylim=(0, 1), title="test accuracy while training")
    bx.legend(fontsize=7)
    save_figure(fig, path)


def histogram_bins(values, pad=0.0, n=25):
    """n increasing bin edges from min(values) to max(values) + pad, in the values' dtype; when
    that span is empty (every value equal, pad 0) a small float64 span centred on the value."""
    lo, hi = np.min(values), np.max(values) + pad         # numpy scalars: the values' own dtype
    if not hi > lo:                                       # a float64 span of 1e-6 max(1, |v|) around v
        half = 0.5e-6 * max(1.0, abs(float(lo)))
        return np.linspace(float(lo) - half, float(lo) + half, n)
    return np.linspace(lo, hi, n)


def ftle_figure(lam, ok, path, xlabel, pad=0.0):
    """Left: histogram of lambda_1 per test maze, solved vs not (all seeds). Right: the median
    top-k spectrum of each group. lam (S, M, k) descending; ok (S, M) bool. The histogram spans
    [min, max + pad] of lambda_1, widened when every value is equal (bins must increase)."""
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4))
    l1 = lam[..., 0]
    bins = histogram_bins(l1, pad)
    ax.hist(l1[ok], bins, alpha=0.6, color="tab:blue", label=f"solved ({ok.sum()})")
    ax.hist(l1[~ok], bins, alpha=0.6, color="tab:red", label=f"not solved ({(~ok).sum()})")
    ax.set(xlabel=xlabel, ylabel="test mazes (all seeds)", title="top exponent")
    ax.legend(fontsize=8)
    i = np.arange(1, lam.shape[-1] + 1)
    if ok.any():
        bx.plot(i, np.median(lam[ok], axis=0), "o-", color="tab:blue", label="solved: median")
    if (~ok).any():
        bx.plot(i, np.median(lam[~ok], axis=0), "o-", color="tab:red", label="not solved: median")
    bx.axhline(0, color="k", lw=0.6)
    bx.set(xlabel="exponent index i", ylabel="lambda_i", title="top-k spectrum")
    bx.legend(fontsize=8)
    save_figure(fig, path)
