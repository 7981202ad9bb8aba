"""Animation of gradient flossing, from the saved run (never retrains).

Each frame: the finite-time spectrum of the three flossed nets (75 exponents over the 55-step
flossing horizon) at one flossing step, against their spectrum at the first step. The spread-out
spectrum is pulled flat onto lambda = 0.

    python3 make_gradient_flossing_gif.py        # reads results.json + results.npz
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

COLORS = ("tab:orange", "tab:red", "tab:purple", "tab:green")


def main(args):
    _, a = load_run(args.results)
    if "floss_lam_log" not in a or not a["floss_lam_log"].size:
        raise cli.StubError(f"{args.results} holds no flossing log")
    log, step = a["floss_lam_log"], a["floss_lam_log_step"]                    # (frames, S, k)
    lo, hi = min(log.min(), -0.1) - 0.05, max(log.max(), 0.1) + 0.05
    idx = np.arange(1, log.shape[2] + 1)
    picks = sorted(set(np.linspace(0, len(log) - 1, min(len(log), 40)).astype(int)))
    frames = []
    for f in picks:
        fig, ax = plt.subplots(figsize=(6.4, 3.8))
        for s in range(log.shape[1]):
            ax.plot(idx, log[0, s], color="0.75", lw=1, label="flossing step 1" if s == 0 else None)
            ax.plot(idx, log[f, s], color=COLORS[s % len(COLORS)], lw=1.8, label=f"net {s + 1}")
        ax.axhline(0, color="k", lw=0.7)
        ax.set(ylim=(lo, hi), xlabel="exponent index i", ylabel="lambda_i per step",
               title=f"flossing step {step[f]}: mean |lambda| {np.abs(log[f]).mean():.3f}")
        ax.legend(fontsize=8, loc="lower left")
        fig.tight_layout()
        frames.append(figure_to_frame(fig, dpi=72))
    save_gif(frames, args.out, fps=6)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "gif"))
