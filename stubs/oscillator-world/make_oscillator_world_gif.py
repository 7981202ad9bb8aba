"""Animation: the GRU's hidden state settling onto the oscillator's limit cycle over training.

Each frame: seed 0's 16-unit hidden state along eval sequence 0, projected on the two leading
principal components of the final snapshot (left, colour = time), and its prediction against the
observation (right), after k Adam steps. From the headline run's snapshots; never retrains.

    python3 make_oscillator_world_gif.py          # reads results.json + results.npz
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


def frame(a, k, basis, mean, lim):
    h, steps = a["gru16_snaps"], a["gru16_snap_steps"]
    pc = (h[k] - mean) @ basis                                         # (T, 2)
    T = pc.shape[0]
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.6), gridspec_kw={"width_ratios": [1, 1.5]})
    axes[0].scatter(pc[:, 0], pc[:, 1], c=np.arange(T), cmap="viridis", s=6)
    axes[0].plot(pc[:, 0], pc[:, 1], color="0.7", lw=0.5)
    axes[0].set(xlim=lim[0], ylim=lim[1], xlabel="PC 1", ylabel="PC 2", title="GRU hidden state (colour = t)")
    axes[1].plot(a["snap_obs"], color="0.6", lw=0.8, label="observation o_t")
    axes[1].plot(np.arange(1, T + 1), a["gru16_snap_pred"][k], color="tab:blue", lw=1.2,
                 label="prediction of o_{t+1}")
    axes[1].set(ylim=(-1.6, 1.6), xlabel="t", title=f"after {int(steps[k]) + 1} Adam steps")
    axes[1].legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    return figure_to_frame(fig, dpi=70)


def main(args):
    _, a = load_run(args.results)
    if "gru16_snaps" not in a:
        raise cli.StubError(f"{args.results} holds no GRU snapshots (run with --n-snaps > 0)")
    h = a["gru16_snaps"]                                               # (K, T, H)
    mean = h[-1].mean(axis=0)
    _, _, vt = np.linalg.svd(h[-1] - mean, full_matrices=False)
    basis = vt[:2].T                                                   # (H, 2)
    allpc = (h - mean) @ basis
    pad = 0.1 * (allpc.max() - allpc.min()) + 1e-6
    lim = [(allpc[..., i].min() - pad, allpc[..., i].max() + pad) for i in range(2)]
    frames = [frame(a, k, basis, mean, lim) for k in range(h.shape[0])]
    save_gif(frames, args.out, fps=5)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "gif"))
