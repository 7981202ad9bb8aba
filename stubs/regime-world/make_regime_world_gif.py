"""Animation: the regime probe's read-out along one sequence as training proceeds.

Each frame: a least-squares probe of the hidden regime r_t, fitted on the hidden states of seed
0's struct-world GRU (left) and RNN (right) over 99 evaluation sequences at that training step
(R² on 100 others) and read out along evaluation sequence 0, against the true regime, the symbols
and the input-only probe. From the headline run's snapshots; never retrains.

    python3 make_regime_world_gif.py          # reads results.json + results.npz
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


def frame(a, k):
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), sharey=True)
    T = a["snap_latent"].shape[0]
    for ax, (kind, col) in zip(axes, KINDS, strict=True):
        snap = a[f"{kind}_probe_snaps"][k]                            # (T + 1,) read-out, R^2
        ax.plot(np.arange(T), 0.1 * a["snap_obs"] - 0.25, "|", color="0.6", ms=4, label="symbol s_t (scaled)")
        ax.step(np.arange(T), a["snap_latent"], where="mid", color="k", lw=1.2, label="regime r_t")
        ax.plot(a["input_probe_readout"], color="0.4", ls="--", lw=1, label="input-only probe")
        ax.plot(snap[:-1], color=col, lw=1.6, label=f"{kind.upper()} probe")
        ax.set(ylim=(-0.4, 1.4), xlabel="t", title=f"{kind.upper()}-16: held-out R² {snap[-1]:.3f}")
    axes[0].set_ylabel("regime read-out")
    axes[0].legend(fontsize=6, loc="upper left")
    fig.suptitle(f"regime probe read-out after {int(a['gru_snap_steps'][k]) + 1} Adam steps", fontsize=10)
    fig.tight_layout()
    return figure_to_frame(fig, dpi=70)


def main(args):
    _, a = load_run(args.results)
    if "gru_probe_snaps" not in a or "rnn_probe_snaps" not in a:
        raise cli.StubError(f"{args.results} holds no probe snapshots (run with --n-snaps > 0)")
    frames = [frame(a, k) for k in range(a["gru_probe_snaps"].shape[0])]
    save_gif(frames, args.out, fps=5)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "gif"))
