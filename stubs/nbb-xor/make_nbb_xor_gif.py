"""Animation of one NBB run learning XOR, from the saved run (never retrains).

Each frame: the weights of the first 3-hidden run with initial weights U(0, 1) (rows: sending
unit, columns: receiving unit) after another 50 presentations, and the running fraction of
correct presentations. Watch the substance drain from connections that feed wrong outputs
and pile up on the winning chains.

    python3 make_nbb_xor_gif.py            # reads results.json + results.npz
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

UNITS = ["x1", "x2", "bias", "h1", "h2", "h3", "h4", "out1", "out2"]


def main(args):
    res, a = load_run(args.results)
    snaps, mask = a["snaps"], a["mask"][int(a["shown"])]
    ok = a["correct_head"].astype(float)
    n = min(len(snaps), len(ok) // 50, 40)
    if n < 2:
        raise cli.StubError(f"{args.results} holds too few snapshots for an animation")
    run_rate = np.convolve(ok, np.ones(50) / 50, mode="valid")
    frames = []
    for k in range(n):
        fig, (ax, bx) = plt.subplots(1, 2, figsize=(8.4, 3.6), gridspec_kw=dict(width_ratios=[1, 1.3]))
        W = np.where(mask, snaps[k], np.nan)[:6, 3:]
        W = W[:, [0, 1, 2, 4, 5]]                                 # h4 is unused in the 3h net
        ax.imshow(W / np.nanmax(W), cmap="viridis", vmin=0, vmax=1)
        ax.set(xticks=range(5), xticklabels=["h1", "h2", "h3", "out1", "out2"], yticks=range(6),
               yticklabels=UNITS[:6], title=f"weights / max, presentation {50 * k}")
        bx.plot(np.arange(len(run_rate)) + 50, run_rate, color="0.7")
        upto = max(1, 50 * k - 49)
        bx.plot(np.arange(upto) + 50, run_rate[:upto], color="tab:blue")
        bx.set(ylim=(0, 1.05), xlabel="presentation", ylabel="correct (last 50)",
               title="3 hidden, init U(0, 1), run 0")
        fig.tight_layout()
        frames.append(figure_to_frame(fig, dpi=64))
    save_gif(frames, args.out, fps=5)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "gif"))
