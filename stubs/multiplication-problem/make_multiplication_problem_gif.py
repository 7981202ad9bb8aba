"""Animation of the 1997 net training on the multiplication problem, from saved snapshots (never retrains).

Each frame: one fixed test sequence with its two marked values (top), net 0's four cell states
along it after N training sequences (middle), and the misses among the last 2000 training
sequences with a cursor at N (bottom).

    python3 make_multiplication_problem_gif.py     # reads results.json + results.npz
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np

from shared import cli
from shared.figures import figure_to_frame, save_gif
from shared.results import load_run


def frame(a, k, lim):
    x, pos, L = a["x_test"][:, 0], a["pos_test"][0], int(a["len_test"][0])
    n, states, ys = a["snap_n"], a["snap_state"], a["snap_y"]
    fig, axes = plt.subplots(3, 1, figsize=(6.4, 5.6), gridspec_kw={"height_ratios": [1, 2, 1.3]})
    t = np.arange(L)
    axes[0].plot(t, x[:L, 0], color="0.65", lw=0.8)
    axes[0].scatter(pos, x[pos, 0], color="red", zorder=3)
    axes[0].set(xlim=(0, L), ylabel="value", xticks=[])
    axes[0].set_title(f"after {n[k]:,} sequences: output {ys[k, 0]:.3f}, target X1 X2 = "
                      f"{float(a['target_test'][0]):.3f}", fontsize=10)
    for c in range(states.shape[-1]):
        axes[1].plot(t, states[k, :L, c], lw=1.4)
    for p_ in pos:
        axes[0].axvline(p_, color="red", lw=0.6, ls=":")
        axes[1].axvline(p_, color="red", lw=0.6, ls=":")
    axes[1].set(xlim=(0, L), ylim=lim, ylabel="cell states s(t)", xlabel="time step")
    m = np.median(a["lstm1997_curve_misses"], axis=1)
    axes[2].plot(a["lstm1997_curve_n"], m, color="tab:blue")
    axes[2].axvline(n[k], color="k", lw=1)
    axes[2].axhline(140, color="tab:green", ls="--", lw=0.7)
    axes[2].set(yscale="log", ylim=(8, 2500), xlabel="training sequences", ylabel="median misses / 2000")
    fig.tight_layout()
    return figure_to_frame(fig, dpi=72)


def main(args):
    res, a = load_run(args.results)
    if "snap_n" not in a:
        raise cli.StubError(f"{args.results} holds no training snapshots (paper setting only)")
    s = a["snap_state"]
    lim = (float(s.min()) - 0.1, float(s.max()) + 0.1)
    frames = [frame(a, k, lim) for k in range(len(a["snap_n"]))]
    save_gif(frames, args.out, fps=4)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "gif"))
