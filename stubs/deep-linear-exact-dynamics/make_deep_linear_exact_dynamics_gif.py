"""Animation of the 3-layer linear net learning its modes, from the saved run (never retrains).

Each frame is one moment of gradient descent. Left: the plotted modes' strengths so far (blue,
a few random inits) over the closed-form logistic curves of Eq. 12 (red, whole course). Right:
every mode's strength as a fraction of its singular value (bars, one random init) with Eq. 12's
value at the same moment (red ticks). Modes fill up one after another, strongest first, each
after a plateau.

    python3 make_deep_linear_exact_dynamics_gif.py      # reads results.json + results.npz
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


def logistic(t, s, u0, tau):
    e = np.exp(np.minimum(2 * s * t / tau, 700.0))
    return s * e / (e - 1 + s / u0)


def main(args):
    res, a = load_run(args.results)
    c3 = res["config"]["three_layer"]
    tau, u0, s = 1 / c3["lr"], c3["u0"], a["s"]
    t = np.arange(a["u_mean"].shape[0]) * int(a["save_every"])
    plotted = np.array(c3["plotted"]) - 1
    t_end = min(t[-1], 1.6 * float(np.max(res["metrics"]["three_layer"]["t_half_theory"])))
    frames = []
    for f in np.unique(np.linspace(0, np.searchsorted(t, t_end), 36).astype(int)):
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.6), gridspec_kw=dict(width_ratios=[1.2, 1]))
        tt = np.linspace(0, t_end, 300)
        for i in plotted:
            ax1.plot(tt, logistic(tt, s[i], u0, tau), color="tab:red", lw=1, alpha=0.6)
            for k in range(a["u_saved"].shape[1]):
                ax1.plot(t[:f + 1], a["u_saved"][:f + 1, k, i], color="tab:blue", lw=0.8, alpha=0.6)
        ax1.axvline(t[f], color="0.5", lw=0.7)
        ax1.set(xlim=(0, t_end), ylim=(-2, s.max() * 1.08), xlabel="GD iteration",
                ylabel="mode strength u", title=f"modes {', '.join(str(m + 1) for m in plotted)}: "
                                                "sim (blue), Eq. 12 (red)")
        idx = np.arange(1, len(s) + 1)
        ax2.bar(idx, a["u_saved"][f, 0] / s, color="tab:blue", width=0.8)
        ax2.scatter(idx, logistic(t[f], s, u0, tau) / s, marker="_", s=60, color="tab:red", zorder=3)
        n_learned = int(np.sum(a["u_saved"][f, 0] > s / 2))
        ax2.set(ylim=(-0.05, 1.1), xlabel="mode (strongest first)", ylabel="u / s",
                title=f"iteration {t[f]}: {n_learned} of {len(s)} modes past s/2")
        fig.tight_layout()
        frames.append(figure_to_frame(fig, dpi=72))
    save_gif(frames, args.out, fps=6)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "gif"))
