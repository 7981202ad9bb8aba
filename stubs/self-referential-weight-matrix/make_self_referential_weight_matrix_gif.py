"""A trained self-referential net on one test episode, step by step (from the saved run).

Net 0 of the full variant and of the weights-only variant (activations reset before the
queries) on the same episode: left, the change W(t) - W(1) of every one of the 500 addressable
weights (rows: the 20 receiving units o, delta, ana, mod; columns: the 25 sending units); right,
the input pair, the feedback steps (yellow: eval carries d - o of the step before) and the
output o, up to step t.

    python3 make_self_referential_weight_matrix_gif.py     # results.json + results.npz -> GIF
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np

from shared.cli import make_artifact_parser, run
from shared.figures import figure_to_frame, save_gif
from shared.results import load_run

SHOW = {"full": 0, "weights only": 1}        # variant -> its block in the saved episodes


def frame(res, a, t):
    Wt, u, x = a["W_traj"], a["u_traj"], a["x"]
    k = Wt.shape[1] // len(res["config"]["groups"])         # episodes saved per group
    T = Wt.shape[0] - 1
    fn = res["config"]["functions"][int(a["fn"][0])]
    fig, axes = plt.subplots(2, 2, figsize=(8.4, 5.0), gridspec_kw=dict(width_ratios=(1, 1.4)))
    for row, (name, blk) in enumerate(SHOW.items()):
        e = blk * k                                          # episode 0 of this variant's net 0
        d = Wt[t, e] - Wt[0, e]
        lim = max(1e-3, np.abs(Wt[:, e] - Wt[0, e]).max())
        ax = axes[row, 0]
        ax.imshow(d, cmap="RdBu_r", vmin=-lim, vmax=lim, aspect="auto")
        ax.set_title(f"{name}: W(t) - W(1), |max| {lim:.2f}", fontsize=8)
        ax.set_yticks([0, 2, 11], ["o, delta", "ana", "mod"], fontsize=6)
        ax.set_xticks([0, 5], ["inputs", "units"], fontsize=6)
        ax = axes[row, 1]
        s = np.arange(t + 1)
        fb = a["fb"].astype(bool)
        for q in np.flatnonzero(fb):
            ax.axvspan(q - 0.5, q + 0.5, color="gold", alpha=0.25, lw=0)
        ax.plot(s, x[:t + 1, e, 0] * 0.3 + 1.15, "k-", lw=1, label="x1, x2 (raised)")
        ax.plot(s, x[:t + 1, e, 1] * 0.3 + 1.55, "k--", lw=1)
        ax.plot(np.arange(1, t + 2), u[1:t + 2, e, 0], "o-", ms=3, color="tab:blue", label="output o")
        for q in np.flatnonzero(a["ls"].astype(bool)):
            if q <= t:
                qi = int(a["ls"][:q + 1].sum()) - 1
                ax.plot(q + 1, a["dq"][qi, e], "*", ms=10, color="tab:red")
        ax.set_xlim(-0.5, T + 1.5)
        ax.set_ylim(-0.1, 1.95)
        ax.set_title(f"{name}: episode of {fn}; yellow: eval on; red stars: query targets", fontsize=8)
    axes[1, 1].set_xlabel(f"step {t + 1} of {T}")
    fig.tight_layout()
    return figure_to_frame(fig, dpi=70)


def main(args):
    res, a = load_run(args.results)
    T = a["W_traj"].shape[0] - 1
    # every other step (the output after step t is u(t + 1)), and the last
    frames = [frame(res, a, t) for t in sorted(set(range(0, T, 2)) | {T - 1})]
    save_gif(frames, args.out, fps=4, colors=48)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "gif"))
