"""Animation of the staircase forming, from the saved run (never retrains).

Each frame is one moment of training of the first aligned net: left, the loss, falling one step
per singular dimension; middle and right, the input-output modes u = ac and the recurrent modes b of
the four dimensions, the network (solid, drawn up to now) on top of the integrated reduced ODE
(dashed, the whole run). Watch the large, late dimension go first and the small, early one last.

    python3 make_lrnn_learning_dynamics_gif.py      # reads results.json + results.npz
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

COLORS = ("tab:blue", "tab:orange", "tab:green", "tab:red")


def main(args):
    res, a = load_run(args.results)
    at, st = a["st_at"], res["config"]["stair"]
    u, b, loss = a["st_u_sim"][0], a["st_b_sim"][0], a["st_loss"][0]
    idx = np.unique(np.r_[np.linspace(0, len(at) - 1, 36).astype(int), len(at) - 1])
    lo = max(loss.min(), 1e-6)
    frames = []
    for j in idx:
        fig, ax = plt.subplots(1, 3, figsize=(11.5, 3.5))
        ax[0].plot(at, a["st_E_ode"], "k--", lw=0.8)
        ax[0].plot(at[:j + 1], loss[:j + 1], "k-", lw=2)
        ax[0].set(yscale="log", ylim=(lo / 2, loss.max() * 2), xlim=(0, at[-1]), xlabel="GD step",
                  title=f"loss, step {at[j]}")
        for i, col in enumerate(COLORS):
            lab = f"delta {st['delta'][i]}, lambda {st['lam'][i]}"
            ax[1].plot(at, a["st_u_ode"][:, i], "--", color=col, lw=0.8)
            ax[1].plot(at[:j + 1], u[:j + 1, i], "-", color=col, lw=2, label=lab)
            ax[2].plot(at, a["st_b_ode"][:, i], "--", color=col, lw=0.8)
            ax[2].plot(at[:j + 1], b[:j + 1, i], "-", color=col, lw=2)
        ax[1].set(xlim=(0, at[-1]), ylim=(-0.1, 2.2), xlabel="GD step", title="input-output modes u = ac")
        ax[2].set(xlim=(0, at[-1]), ylim=(-0.2, 1.25), xlabel="GD step", title="recurrent modes b")
        ax[1].legend(fontsize=7, loc="center right")
        fig.suptitle("linear RNN (solid) vs reduced ODE (dashed)", fontsize=10)
        fig.tight_layout()
        frames.append(figure_to_frame(fig, dpi=80))
    save_gif(frames, args.out, fps=6)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "gif"))
