"""One on-line run of each rule on the parking lot, a sliding window per frame (from the saved run).

Run 0 of the headline setting for each rule (the two share the parking stream and differ in S's
interface): the last 60 steps before the frame's step. The strip on top has the colour of the
slot the car is parked in (empty while driving), a triangle marks the parking step, the lines
are F's three fast weights after each step (one colour per slot) and the dots F's answer for
the car's slot at the steps where WHERE-IS-MY-CAR? was asked while parked. Early on the
weights ignore the parkings or are pushed around by the distractor bits; once S has learned, a
parking lifts its slot's weight to 1, drops the others to 0, and the weights hold until the
next parking.

    python3 make_fast_weights_key_value_gif.py       # results.json + results.npz -> GIF
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt

from shared.cli import make_artifact_parser, run
from shared.figures import figure_to_frame, save_gif
from shared.results import load_run

RULES = {"direct": "direct rule (eq. 4)", "fromto": "FROM/TO rule (eq. 5)"}
COLORS = ("tab:blue", "tab:orange", "tab:green")
DRIVE, PARK, BUSY = 0, 1, 2
WIN = 60


def frame(a, t_end):
    fig, axes = plt.subplots(2, 1, figsize=(7.2, 4.6), sharex=True)
    for ax, rule in zip(axes, RULES, strict=True):
        t_all = a[f"{rule}_film_t"]
        sel = (t_all > t_end - WIN) & (t_all <= t_end)
        t, w, y = t_all[sel], a[f"{rule}_film_w"][sel], a[f"{rule}_film_y"][sel]
        ph, slot = a[f"{rule}_film_phase"][sel], a[f"{rule}_film_slot"][sel]
        asked = a[f"{rule}_film_asked"][sel]
        for s, p, k in zip(t, ph, slot, strict=True):
            if p != DRIVE:                                   # parked in slot k: a strip in its colour
                ax.fill_between([s - 0.5, s + 0.5], 1.1, 1.2, color=COLORS[k], alpha=0.5, lw=0)
            if p == PARK:
                ax.plot(s, 1.28, "v", color=COLORS[k], ms=6)
        for b in range(3):
            ax.plot(t, w[:, b], color=COLORS[b], lw=1.4, label=f"w{b + 1} (P{b + 1})")
        right = asked.astype(bool)
        ax.plot(t[right], y[right, slot[right]], "k.", ms=6, label="F's answer for the car's slot")
        crit = int(a[f"{rule}_crit"][0][0])
        done = 0 < crit <= t_end
        ax.set_ylim(-0.1, 1.36)
        ax.ticklabel_format(axis="x", useOffset=False, style="plain")
        ax.set_yticks([0, 1])
        ax.set_title(f"{RULES[rule]}, run 0: " + (f"criterion met at step {crit:,}" if done else "learning"),
                     fontsize=8, color="tab:green" if done else "black")
    fig.legend(*axes[0].get_legend_handles_labels(), fontsize=7, loc="lower center", ncol=4)
    axes[-1].set_xlabel(f"on-line step (the last {WIN} up to step {t_end:,}; v: parking, strip: parked slot)")
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return figure_to_frame(fig, dpi=75)


def main(args):
    res, a = load_run(args.results)
    frames = [frame(a, int(t)) for t in a["direct_film_ends"]]
    save_gif(frames, args.out, fps=2, colors=48)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "gif"))
