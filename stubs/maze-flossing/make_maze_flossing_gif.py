"""Animation of gradient flossing, from the saved run (never retrains).

Each frame: the mean Lyapunov spectrum of the flossed delayed-XOR RNNs after one more flossing
epoch (pre-flossing, then the inter-flossing rounds), against the spectrum at initialisation.
Watch the whole spectrum being pulled onto lambda = 0.

    python3 make_maze_flossing_gif.py            # reads results.json + results.npz
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
    key = "xor_lam_log_pre_inter"
    if key not in a or not a[key].size:
        raise cli.StubError(f"{args.results} holds no flossing log")
    log = a[key]                                                  # (epochs, k), sorted spectra
    fl = a["xor_arm_of"] > 0
    init = np.sort(a["xor_lam_init"][fl], 1)[:, ::-1].mean(0)
    n_pre = res["config"]["xor"]["pre_epochs"]
    lo, hi = min(log.min(), init.min()) - 0.05, max(log.max(), init.max(), 0) + 0.05
    frames = []
    for e in list(range(0, len(log), max(1, len(log) // 40))) + [len(log) - 1]:
        fig, ax = plt.subplots(figsize=(6.4, 3.8))
        idx = np.arange(1, log.shape[1] + 1)
        ax.plot(idx, init, color="0.6", label="at initialisation")
        ax.plot(idx, log[e], color="tab:orange", lw=2, label="after this flossing epoch")
        ax.axhline(0, color="k", lw=0.7)
        phase = "pre-flossing" if e < n_pre else "inter-flossing"
        ax.set(ylim=(lo, hi), xlabel="exponent index i", ylabel="lambda_i per step",
               title=f"{phase}, flossing epoch {e + 1}: lambda_1 {log[e, 0]:+.3f}, mean {log[e].mean():+.3f}")
        ax.legend(fontsize=8, loc="lower left")
        fig.tight_layout()
        frames.append(figure_to_frame(fig, dpi=72))
    save_gif(frames, args.out, fps=5)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "gif"))
