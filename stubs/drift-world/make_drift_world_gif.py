"""Animation: the drift probe's read-out along one sequence as training proceeds.

Each frame: a least-squares probe of the latent x_t, fitted on the hidden states of seed 0's
struct-world GRU (left) and RNN (right) over 100 evaluation sequences at that training step and
read out along evaluation sequence 0, shown with the ramp 0.03 t removed, against the latent,
the observation and the input-only probe (offset and clock). From the headline run's
snapshots; never retrains.

    python3 make_drift_world_gif.py          # reads results.json + results.npz
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

KINDS = (("gru", "tab:blue"), ("rnn", "tab:orange"))


def frame(a, k, ramp, lim):
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), sharey=True)
    for ax, (kind, col) in zip(axes, KINDS, strict=True):
        snap = a[f"{kind}_probe_snaps"][k]                            # (T + 1,) read-out, R^2
        ax.plot(a["snap_obs"] - ramp, ".", color="0.65", ms=3, label="observation y_t")
        ax.plot(a["snap_latent"] - ramp, color="k", lw=1.2, label="latent x_t")
        ax.plot(a["input_probe_readout"] - ramp, color="0.4", ls="--", lw=1, label="input-only probe")
        ax.plot(snap[:-1] - ramp, color=col, lw=1.6, label=f"{kind.upper()} probe")
        ax.set(ylim=lim, xlabel="t", title=f"{kind.upper()}-16: held-out R² {snap[-1]:.4f}")
    axes[0].set_ylabel("value - 0.03 t")
    axes[0].legend(fontsize=6, loc="lower left")
    fig.suptitle(f"drift probe read-out after {int(a['gru_snap_steps'][k]) + 1} Adam steps", fontsize=10)
    fig.tight_layout()
    return figure_to_frame(fig, dpi=70)


def main(args):
    _, a = load_run(args.results)
    if "gru_probe_snaps" not in a or "rnn_probe_snaps" not in a:
        raise cli.StubError(f"{args.results} holds no probe snapshots (run with --n-snaps > 0)")
    T = a["snap_latent"].shape[0]
    ramp = 0.03 * np.arange(T)
    ref = np.r_[a["snap_obs"] - ramp, a["snap_latent"] - ramp]
    pad = 0.5 * (ref.max() - ref.min())
    lim = (ref.min() - pad, ref.max() + pad)
    frames = [frame(a, k, ramp, lim) for k in range(a["gru_probe_snaps"].shape[0])]
    save_gif(frames, args.out, fps=5)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "gif"))
