"""Animation of the counters forming, from the saved training snapshots (never retrains).

Each frame: the cell states of the best net of each language along a^30 b^30 and a^30 b^30 c^30
(three times the longest training string) after the training symbols in the title, from the start
until both nets accept the ten training strings and stop changing.

    python3 make_anbn_anbncn_gif.py       # reads results.json + results.npz
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

LANGS = {"anbn": "a^n b^n", "anbncn": "a^n b^n c^n"}


def frame(res, a, k, lims):
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    for ax, (key, title) in zip(axes, LANGS.items(), strict=True):
        b = int(res["metrics"][key]["best_net"])
        snaps, n = a[f"{key}_snaps_best"], a[f"{key}_curve_n"]
        j = min(k, len(n) - 1)
        s = snaps[j]
        L = s.shape[0]
        n_probe = (L - 1) // (2 if key == "anbn" else 3)
        for c in range(s.shape[1]):
            ax.plot(np.arange(L), s[:, c], lw=1.5, label=f"cell {c + 1}")
        for e in range(1, 3 if key == "anbn" else 4):
            ax.axvline(1 + (e - 1) * n_probe, color="gray", lw=0.6, ls=":")
        rg = a[f"{key}_curve_range"][j, b]
        st = a[f"{key}_solved_at"][b]
        done = st >= 0 and n[j] >= n[np.argmax(a[f"{key}_curve_train"][:, b] == 1)]
        ax.set(ylim=lims[key], xlabel="step", title=f"{title}, n = {n_probe}: after {n[j]:,} symbols\n"
               f"range {rg}" + (" (training set learned: frozen)" if done else ""))
        ax.set_ylabel("cell state s(t)")
        ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    return figure_to_frame(fig, dpi=64)


def main(args):
    res, a = load_run(args.results)
    lims = {}
    for key in LANGS:
        s = a[f"{key}_snaps_best"]
        lims[key] = (float(s.min()) - 0.2, float(s.max()) + 0.2)
    # frames up to two tests after both best nets stopped (later frames would all be the same)
    stop = []
    for key in LANGS:
        b = int(res["metrics"][key]["best_net"])
        done = np.flatnonzero(a[f"{key}_curve_train"][:, b] == 1)
        stop.append(int(done[0]) if len(done) else len(a[f"{key}_curve_n"]) - 1)
    n_frames = min(max(stop) + 3, max(len(a[f"{key}_curve_n"]) for key in LANGS))
    pick = np.unique(np.linspace(0, n_frames - 1, min(n_frames, 40)).astype(int))
    frames = [frame(res, a, int(k), lims) for k in pick]
    save_gif(frames, args.out, fps=4)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "gif"))
