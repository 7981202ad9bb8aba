"""The showcase network balancing the double pole, from the saved run.

Each frame draws the cart on its 4.8 m track with the 1 m and the 0.1 m pole (angles exaggerated
nowhere: drawn to scale) at one moment of the rollout from the standard start, and below it the
last seconds of what the network sees (cart position, both angles) beside one thing it does not
see, the long pole's angular velocity. The showcase is the first solved run's solution, or, if no
run solved, the best network found.

    python3 make_double_pole_no_velocity_gif.py      # results.json + results.npz -> the GIF
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

DT = 0.02
EVERY = 10       # network steps per frame (0.2 s)
FRAMES = 60      # 12 s of the rollout
WINDOW = 150     # steps of trace shown (3 s)


def frame(a, res, k):
    S, F = a["show_states"], a["show_force"]
    x, t1, t2 = S[k, 0], S[k, 2], S[k, 4]
    fig, (ax, tr) = plt.subplots(2, 1, figsize=(6, 4.6), gridspec_kw={"height_ratios": [1.4, 1]})
    ax.plot([-2.4, 2.4], [0, 0], color="0.3", lw=2)
    ax.add_patch(plt.Rectangle((x - 0.2, -0.08), 0.4, 0.16, color="tab:blue"))
    ax.plot([x, x + np.sin(t1)], [0.08, 0.08 + np.cos(t1)], color="tab:red", lw=3)
    ax.plot([x + 0.05, x + 0.05 + 0.1 * np.sin(t2)], [0.08, 0.08 + 0.1 * np.cos(t2)], color="purple", lw=4)
    ax.arrow(x, -0.18, 0.02 * F[k], 0, width=0.02, color="tab:green", length_includes_head=True)
    ax.set(xlim=(-2.5, 2.5), ylim=(-0.3, 1.2), aspect="equal", yticks=[])
    ax.set_title(f"t = {k * DT:5.1f} s   force {F[k]:+5.1f} N", fontsize=9)
    lo = max(0, k - WINDOW)
    tt = np.arange(lo, k + 1) * DT
    tr.plot(tt, S[lo:k + 1, 0], label="x (m)")
    tr.plot(tt, np.degrees(S[lo:k + 1, 2]), label="long (deg)")
    tr.plot(tt, np.degrees(S[lo:k + 1, 4]), label="short (deg)")
    tr.plot(tt, np.degrees(S[lo:k + 1, 3]) / 10, ":", color="k", label="long' /10 (deg/s, hidden)")
    lim = min(40.0, max(6.0, 1.1 * np.degrees(np.abs(S[:FRAMES * EVERY, 2:5:2])).max()))
    tr.set(xlim=(lo * DT, lo * DT + WINDOW * DT), ylim=(-lim, lim), xlabel="time (s)")
    tr.legend(fontsize=6, loc="upper right", ncol=2)
    sc = res["metrics"]["showcase"]
    fig.suptitle(f"ESP, run {sc['run']}: {'solution' if sc['solved'] else 'best network, no solution'}",
                 fontsize=9)
    fig.tight_layout()
    return figure_to_frame(fig, dpi=55)


def main(args):
    res, a = load_run(args.results)
    n = len(a["show_force"])
    ks = list(range(0, min(n, FRAMES * EVERY), EVERY))
    if ks[-1] != n - 1 and n < FRAMES * EVERY:
        ks.append(n - 1)
    save_gif([frame(a, res, k) for k in ks], args.out, fps=10, colors=32)
    print(f"wrote {args.out} ({len(ks)} frames)")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "gif"))
