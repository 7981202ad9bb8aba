"""Animation of learning the adding problem, from the saved snapshots (never retrains).

Each frame: one fixed test sequence (top), the 1997 net's four cell states along it after N
training sequences (middle; seed 0), and the learning curve with a cursor (bottom). Watch the
cells learn to jump at the two marked values and then hold them flat across the lag.

    python3 make_adding_problem_gif.py            # reads results.json + results.npz
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
    target = float(a["target_test"][0])
    n, states, ys = a["lstm1997_snap_n"], a["lstm1997_snap_state"], a["lstm1997_snap_y"]
    fig, axes = plt.subplots(3, 1, figsize=(6.4, 5.6), gridspec_kw={"height_ratios": [1, 2, 1.3]})
    t = np.arange(L)
    axes[0].plot(t, x[:L, 0], color="0.65", lw=0.8)
    axes[0].scatter(pos, x[pos, 0], color="red", zorder=3)
    axes[0].set(xlim=(0, L), ylabel="input", xticks=[])
    axes[0].set_title(f"after {n[k]:,} sequences: output {ys[k, 0]:.3f}, target {target:.3f}", fontsize=10)
    for c in range(states.shape[-1]):
        axes[1].plot(t, states[k, :L, c], lw=1.4)
    for p_ in pos:
        axes[0].axvline(p_, color="red", lw=0.6, ls=":")
        axes[1].axvline(p_, color="red", lw=0.6, ls=":")
    axes[1].set(xlim=(0, L), ylim=lim, ylabel="cell states s(t)", xlabel="time step")
    rms = np.median(a["lstm1997_curve_rms"], axis=1)
    axes[2].plot(a["lstm1997_curve_n"], rms, color="tab:blue")
    axes[2].axvline(n[k], color="k", lw=1)
    axes[2].axhline(0.04, color="k", ls="--", lw=0.7)
    axes[2].set(yscale="log", xlabel="training sequences", ylabel="median RMS err")
    fig.tight_layout()
    return figure_to_frame(fig, dpi=72)


def main(args):
    res, a = load_run(args.results)
    if "lstm1997_snap_n" not in a:
        raise cli.StubError(f"{args.results} holds no training snapshots (paper setting only)")
    s = a["lstm1997_snap_state"]
    lim = (float(s.min()) - 0.1, float(s.max()) + 0.1)
    frames = [frame(a, k, lim) for k in range(len(a["lstm1997_snap_n"]))]
    save_gif(frames, args.out, fps=4)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "gif"))
