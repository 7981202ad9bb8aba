"""One on-line run of each rule learning the flip-flop, a sliding window per frame (from the saved run).

Run 0 of the paper's setting for each rule (the two share the event stream and differ in S's
interface): the last 60 events before the frame's step, the target (grey: 1 at the first B after
an A), F's output and its three fast weights. Early on every fast weight sits near 0 and F misses
each target; once S has learned, an A lifts the weight on F's B line to 1 and the next B drops it.

    python3 make_fast_weights_unknown_delay_gif.py       # results.json + results.npz -> GIF
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

RULES = {"direct": "direct rule (eq. 4)", "fromto": "FROM/TO rule (eq. 5)"}
COLORS = {0: "tab:red", 1: "tab:blue", 2: "0.55"}
WIN = 60


def frame(a, t_end):
    fig, axes = plt.subplots(2, 1, figsize=(7.2, 4.4), sharex=True)
    for ax, rule in zip(axes, RULES, strict=True):
        ev, d = a[f"{rule}_film_ev"], a[f"{rule}_film_d"]
        y, w = a[f"{rule}_film_y"], a[f"{rule}_film_w"]
        t = np.arange(t_end - WIN + 1, t_end + 1)                 # steps 1.. ; y[t - 1] is step t
        ax.step(t, d[t], where="mid", color="0.8", lw=4, label="target")
        ax.plot(t, w[t, 1], color="tab:orange", lw=1.5, label="w_B (after the step)")
        ax.plot(t, w[t, 0], color="tab:red", lw=0.8, alpha=0.6, label="w_A")
        ax.plot(t, w[t, 2], color="0.5", lw=0.8, alpha=0.6, label="w_C")
        ax.plot(t, y[t - 1], "k.", ms=4, label="F's output")
        for s in t:
            ax.text(s, 1.18, "ABC"[ev[s]], color=COLORS[int(ev[s])], ha="center", fontsize=6)
        crit = int(a[f"{rule}_crit"][0][0])
        done = 0 < crit <= t_end
        ax.set_ylim(-0.15, 1.3)
        ax.set_yticks([0, 1])
        ax.set_title(f"{RULES[rule]}, run 0: " + (f"criterion met at step {crit}" if done
                                                   else "learning"),
                     fontsize=8, color="tab:green" if done else "black")
    fig.legend(*axes[0].get_legend_handles_labels(), fontsize=7, loc="lower center", ncol=5)
    axes[-1].set_xlabel(f"on-line step (the last {WIN} up to step {t_end})")
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return figure_to_frame(fig, dpi=75)


def main(args):
    res, a = load_run(args.results)
    n = len(a["direct_film_y"])
    ends = np.unique(np.geomspace(WIN, n, 26).astype(int))
    frames = [frame(a, int(t)) for t in ends]
    save_gif(frames, args.out, fps=2, colors=48)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "gif"))
