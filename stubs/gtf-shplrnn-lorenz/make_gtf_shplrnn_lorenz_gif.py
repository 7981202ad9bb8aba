"""Animation of the attractor being rebuilt, from the saved run (never retrains).

Each frame: the free run of seed 0's shPLRNN from the same initial state, with the weights it had
before that epoch, over the Lorenz-63 test attractor (x-z plane), and D_stsp of every seed's free
run so far against the data-vs-data level.

    python3 make_gtf_shplrnn_lorenz_gif.py        # reads results.json + results.npz
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


def main(args):
    res, a = load_run(args.results)
    snaps, epochs, dst = a["snaps"], a["snap_epochs"], a["snap_d_stsp"]    # (n, T, S, 3), (n,), (n, S)
    test = a["test"][:len(snaps[0])]
    thr = max(res["metrics"]["data_vs_data"]["d_stsp"])
    alpha = np.concatenate([[res["config"]["alpha0"]], a["curve_alpha"][:, 0]])
    S = dst.shape[1]
    lo, hi = a["test"].min(0) - 0.3, a["test"].max(0) + 0.3
    frames = []
    for k in range(len(snaps)):
        fig, (ax, bx) = plt.subplots(1, 2, figsize=(8.0, 3.6), gridspec_kw=dict(width_ratios=[1.1, 1]))
        ax.plot(test[:, 0], test[:, 2], lw=0.4, color="0.8")
        run = np.clip(snaps[k][:, 0], lo - 1, hi + 1)
        ax.plot(run[:, 0], run[:, 2], lw=0.6, color="C0")
        ax.set(xlim=(lo[0], hi[0]), ylim=(lo[2], hi[2]), xlabel="x", ylabel="z",
               title=f"epoch {epochs[k]}: seed 0 free run, alpha {alpha[epochs[k]]:.2f}", )
        ax.title.set_fontsize(9)
        for s in range(S):
            bx.plot(epochs[:k + 1], dst[:k + 1, s], "o-", ms=3, color=f"C{s}", label=f"seed {s}")
        bx.axhline(thr, color="k", ls="--", lw=0.8, label="data vs data")
        bx.set(xlim=(-1, epochs[-1] + 1), ylim=(max(1e-2, 0.5 * min(thr, dst.min())), 2 * dst.max()),
               yscale="log", xlabel="epoch", title="D_stsp of the free run (lower is better)")
        bx.title.set_fontsize(9)
        bx.legend(fontsize=7, loc="lower left")
        fig.tight_layout()
        frames.append(figure_to_frame(fig, dpi=80))
    save_gif(frames, args.out, fps=3)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "gif"))
