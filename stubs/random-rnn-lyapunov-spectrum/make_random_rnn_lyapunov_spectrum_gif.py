"""The Lyapunov spectrum forming as the gain sweeps through the onset of chaos (from the saved run).

One frame per gain of the N = 100 sweep: left, lambda_1(g) measured so far against the mean-field
curve; right, the spectrum at that gain against i/N (below g = 1 with ln|eig(gW)|, the exact
spectrum at the stable fixed point), the Kaplan-Yorke dimension marked. The right panel's scale is
fixed at [-3, 0.8] so the top of the spectrum, where chaos forms, stays readable; the most negative
exponents (down to about -22 at g = 5) run off it and the lowest one is printed.

    python3 make_random_rnn_lyapunov_spectrum_gif.py      # results.json + results.npz -> the GIF
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np

from shared.cli import make_artifact_parser, run
from shared.figures import figure_to_frame, save_gif
from shared.lyapunov import kaplan_yorke_dimension
from shared.results import load_run


def frame(a, i, lo=-3.0):
    g, lam = a["sweep_g"], a["sweep_lam"].mean(0)                        # (G,), (G, N)
    N = lam.shape[-1]
    q = (np.arange(N) + 0.5) / N
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(9, 3.6))
    ax.plot(a["g_fine"], a["mf_fine"], "k-", lw=1.3, label="mean field")
    ax.plot(g[:i + 1], lam[:i + 1, 0], "o", color="tab:green", ms=5, label=f"N = {N}, this run")
    ax.plot(g[i], lam[i, 0], "o", color="tab:red", ms=8)
    ax.axhline(0, color="0.6", lw=0.8)
    ax.axvline(1, color="0.6", lw=0.8, ls="--")
    ax.set(xlim=(0.3, 5.4), ylim=(-0.8, 0.7), xlabel="gain g", ylabel="lambda_1",
           title="top exponent vs mean field")
    ax.legend(fontsize=7, loc="lower right")
    bx.plot(q, lam[i], "-", color="tab:red", lw=2, label="Lyapunov spectrum")
    if g[i] < 1:
        eig = np.log(g[i]) + a["sweep_log_eig"].mean(0)
        bx.plot(q, eig, "k:", lw=1.2, label="ln|eig(gW)| (fixed point)")
    d = kaplan_yorke_dimension(lam[i]) / N
    if d > 0:
        bx.axvspan(0, d, color="tab:orange", alpha=0.25, label=f"D_KY/N = {d:.2f}")
    bx.axhline(0, color="0.6", lw=0.8)
    if lam[i, -1] < lo:
        bx.text(0.98, lo + 0.15, f"lambda_N = {lam[i, -1]:.1f} (off scale)", ha="right", fontsize=7)
    bx.set(xlim=(0, 1), ylim=(lo, 0.8), xlabel="i / N", ylabel="lambda_i",
           title=f"g = {g[i]:.2f}: {'chaos' if lam[i, 0] > 0 else 'stable fixed point'}")
    bx.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    return figure_to_frame(fig, dpi=80)


def main(args):
    res, a = load_run(args.results)
    frames = [frame(a, i) for i in range(len(a["sweep_g"]))]
    save_gif(frames, args.out, fps=1.5)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "gif"))
