"""Animation: the FTLE distributions of solved and unsolved mazes as the inference unrolls.

Frame s shows, for every held-out maze of every seed, the top exponent lambda1 averaged over the
sub-updates of supervision steps 1..s (the whole-trajectory lambda1 at s = N_sup), split by
whether the maze is solved at the last step, with the AUC and the fraction of mazes whose answer
is already exactly right at step s. Early on the two classes overlap; they separate as the
answers of the solved mazes settle.

    python3 make_maze_ftle_gif.py      # reads results.json + results.npz, writes maze_ftle.gif
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np

from shared import cli
from shared.figures import figure_to_frame, save_gif
from shared.mazes.draw import histogram_bins
from shared.mazes.grid import auc
from shared.results import load_run


def cumulative_lambda1(a):
    """(S, M, n_sup): lambda1 over the sub-updates of steps 1..s, per maze."""
    l1 = a["log_r"][..., 0].astype(np.float64)                   # (S, M, n_maps)
    S, M, n_maps = l1.shape
    n_sup = a["ok_steps"].shape[2]
    per = n_maps // n_sup
    return np.cumsum(l1.reshape(S, M, n_sup, per).sum(3), 2) / (per * np.arange(1, n_sup + 1))


def frame(lam_s, ok, solved_now, s, n_sup, bins):
    fig, ax = plt.subplots(figsize=(6.2, 3.8))
    ax.hist(lam_s[ok], bins=bins, color="#1f77b4", alpha=0.6, density=True,
            label=f"solved at step {n_sup} ({ok.sum()})")
    ax.hist(lam_s[~ok], bins=bins, color="#d62728", alpha=0.6, density=True,
            label=f"not solved ({(~ok).sum()})")
    v = auc(-lam_s[ok], -lam_s[~ok])
    ax.set(xlabel=f"lambda1 over the sub-updates of steps 1..{s + 1} (per sub-update)",
           ylabel="density (3 seeds pooled)", xlim=(bins[0], bins[-1]))
    ax.set_title(f"supervision step {s + 1} of {n_sup}: AUC {'n/a' if v is None else f'{v:.2f}'}, "
                 f"{100 * solved_now.mean():.0f} % of mazes already exactly right", fontsize=9)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return figure_to_frame(fig, dpi=80)


def main(args):
    _, a = load_run(args.results)
    cum = cumulative_lambda1(a)                                   # (S, M, n_sup)
    ok = a["ok_steps"][:, :, -1]
    n_sup = cum.shape[2]
    lo, hi = np.percentile(cum, [0.5, 99.5])
    bins = histogram_bins(np.array([lo, hi]), n=40)               # widened if every value is equal
    frames = [frame(cum[:, :, s].ravel(), ok.ravel(), a["ok_steps"][:, :, s].ravel(), s, n_sup, bins)
              for s in range(n_sup)]
    save_gif(frames, args.out, fps=1.5)


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "gif"))
