"""One setting-2 sequence written into the fast-weight memory, pair by pair, by a trained sum-rule
net and a trained delta-rule net (from the saved run; never retrains).

Each frame is one step t: the pair just written (key > value), each rule's memory W_t (values x
DPFP features) and what every key reads out of it (rows: keys, columns: values; a red x marks
each key's latest value so far). When a key comes back with a new value, the delta rule moves its
row to the new value; the sum rule adds the new pair on top of the old one, and the key's read-out
blends both.

    python3 make_linear_transformers_fwp_gif.py      # results.json + results.npz -> GIF
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np

from shared.cli import make_artifact_parser, run
from shared.figures import figure_to_frame, save_gif
from shared.results import load_run


def frame(a, t):
    k, v = a["film/k"], a["film/v"]
    latest = {}
    for key, val in zip(k[:t], v[:t], strict=True):
        latest[int(key)] = int(val)
    fig, axes = plt.subplots(2, 2, figsize=(7.2, 5.2), gridspec_kw={"width_ratios": [1.6, 1]})
    for r, rule in enumerate(("sum", "delta")):
        W, y = a[f"film/{rule}/W"][t], a[f"film/{rule}/y"][t]
        lim = max(np.abs(a[f"film/{rule}/W"]).max(), 1e-9)
        axes[r, 0].imshow(W, cmap="RdBu_r", vmin=-lim, vmax=lim, aspect="auto")
        axes[r, 0].set_ylabel("value row", fontsize=7)
        axes[r, 0].set_title(f"{rule} rule: fast weights W_t", fontsize=8)
        axes[r, 1].imshow(y, cmap="viridis", vmin=0, vmax=1, aspect="auto")
        for key, val in latest.items():
            axes[r, 1].plot(val, key, "rx", ms=5)
        right = sum(int(np.argmax(y[key]) == val) for key, val in latest.items())
        axes[r, 1].set_title(f"read-out per key: {right}/{len(latest)} right", fontsize=8)
        axes[r, 1].set_ylabel("key", fontsize=7)
        for ax in axes[r]:
            ax.tick_params(labelsize=6)
    axes[1, 0].set_xlabel("DPFP feature", fontsize=7)
    axes[1, 1].set_xlabel("value", fontsize=7)
    step = f"step {t}/{len(k)}: wrote key {k[t - 1]} > value {v[t - 1]}" if t else "empty memory"
    again = t and int(k[t - 1]) in [int(x) for x in k[:t - 1]]
    fig.suptitle(step + ("  (key seen before: an update)" if again else ""), fontsize=9,
                 color="tab:red" if again else "black")
    fig.tight_layout()
    return figure_to_frame(fig, dpi=70)


def main(args):
    _, a = load_run(args.results)
    frames = [frame(a, t) for t in range(len(a["film/k"]) + 1)]
    save_gif(frames, args.out, fps=2, colors=64)
    print(f"wrote {args.out} ({len(frames)} frames, N = {a['film/sum/y'].shape[1]})")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "gif"))
