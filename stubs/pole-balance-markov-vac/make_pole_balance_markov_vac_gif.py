"""The filmed run's noise-free controller balancing from a 3-degree tilt (from the saved run; never
trains).

Left: the cart on its 4.8 m track and the pole (drawn 1 m long), with the force as an arrow.
Right: the critic's two predicted pains along the way, Q_pole and Q_track at (s, mu(s)), up to
the current step.

    python3 make_pole_balance_markov_vac_gif.py    # results.json + results.npz -> the GIF
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

N_FRAMES = 40


def frame(a, k):
    S, f, q = a["film_states"], a["film_force"], a["film_q"]
    x, th = S[k, 0], S[k, 2]
    fig, (ax, aq) = plt.subplots(1, 2, figsize=(8.0, 3.0), gridspec_kw={"width_ratios": [1.4, 1]})
    ax.plot([-2.4, 2.4], [0, 0], color="0.3", lw=2)
    for e in (-2.4, 2.4):
        ax.plot([e, e], [-0.1, 0.15], color="tab:red", lw=2)
    ax.add_patch(plt.Rectangle((x - 0.25, 0.0), 0.5, 0.15, color="0.4"))
    ax.plot([x, x + np.sin(th)], [0.15, 0.15 + np.cos(th)], color="tab:brown", lw=4)
    ax.arrow(x, 0.075, 0.04 * f[k], 0.0, width=0.02, color="tab:blue", length_includes_head=True)
    ax.set_xlim(-2.6, 2.6)
    ax.set_ylim(-0.2, 1.3)
    ax.set_aspect("equal")
    ax.set_yticks([])
    ax.set_title(f"t = {0.02 * k:5.2f} s   theta = {np.degrees(th):+5.1f} deg   "
                 f"F = {f[k]:+5.1f} N", fontsize=8)
    t = np.arange(len(S)) * 0.02
    aq.plot(t[:k + 1], q[:k + 1, 0], color="tab:red", label="Q_pole")
    aq.plot(t[:k + 1], q[:k + 1, 1], color="tab:purple", label="Q_track")
    lo, hi = min(q.min(), 0.0), max(q.max(), 0.1)
    aq.set_xlim(0, t[-1] + 0.02)
    aq.set_ylim(lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo))
    aq.set_xlabel("time (s)", fontsize=8)
    aq.set_title("critic's predicted pains", fontsize=8)
    aq.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    return figure_to_frame(fig, dpi=60)


def main(args):
    _, a = load_run(args.results)
    n = len(a["film_states"])
    ks = np.unique(np.linspace(0, n - 1, min(N_FRAMES, n)).astype(int))
    save_gif([frame(a, int(k)) for k in ks], args.out, fps=8, colors=32)
    print(f"wrote {args.out} ({len(ks)} frames)")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "gif"))
