"""Animation from the saved run (never retrains): Lorenz-63 and the echo-state network's closed-loop
forecast from the same start, drawn step by step in the (x, z) plane and as x(t), with the clock in
Lyapunov times (t * 0.9056) and the valid prediction time (normalised error > 0.5) marked.

    python3 make_chaos_forecast_lyapunov_times_gif.py      # reads results.json + results.npz
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
    if "lorenz_esn_true" not in a:
        raise cli.StubError(f"{args.results} holds no Lorenz forecast")
    true, pred = a["lorenz_esn_true"], a["lorenz_esn_pred"]           # (H, 3) seed 0, first test start
    lam1, dt, eps = 0.9056, float(a["lorenz_dt"][0]), res["config"]["eps"]
    err = np.sqrt((((pred - true) / a["lorenz_scale"]) ** 2).mean(-1))
    vpt_steps = int(np.argmax(err > eps)) if (err > eps).any() else len(err)
    tl = (np.arange(len(true)) + 1) * dt * lam1                       # Lyapunov times
    n_show = min(len(true), max(vpt_steps * 2, int(8 / (lam1 * dt))))
    frames = []
    for n in list(np.linspace(2, n_show, 36).astype(int)):
        fig, (ax, bx) = plt.subplots(1, 2, figsize=(8.4, 3.6), gridspec_kw=dict(width_ratios=[1, 1.5]))
        ax.plot(true[:n, 0], true[:n, 2], color="tab:blue", lw=1, label="Lorenz-63")
        ax.plot(pred[:n, 0], pred[:n, 2], color="tab:orange", lw=1, label="ESN forecast")
        ax.plot(true[n - 1, 0], true[n - 1, 2], "o", color="tab:blue", ms=4)
        ax.plot(pred[n - 1, 0], pred[n - 1, 2], "o", color="tab:orange", ms=4)
        ax.set(xlim=(-22, 22), ylim=(0, 52), xlabel="x", ylabel="z")
        ax.legend(fontsize=7, loc="upper left")
        bx.plot(tl[:n], true[:n, 0], color="tab:blue", lw=1)
        bx.plot(tl[:n], pred[:n, 0], color="tab:orange", lw=1)
        bx.axvline(tl[min(vpt_steps, len(tl) - 1)], color="k", ls="--", lw=0.8)
        t_vpt = tl[min(vpt_steps, len(tl) - 1)]
        bx.text(t_vpt, 19, f" VPT {t_vpt:.1f}", fontsize=8)
        bx.set(xlim=(0, tl[n_show - 1]), ylim=(-22, 22), xlabel="t x lambda_1 (Lyapunov times)", ylabel="x",
               title=f"{tl[n - 1]:.1f} Lyapunov times: error {err[n - 1]:.2g} (valid while <= {eps})")
        fig.tight_layout()
        frames.append(figure_to_frame(fig, dpi=80))
    save_gif(frames, args.out, fps=6)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "gif"))
