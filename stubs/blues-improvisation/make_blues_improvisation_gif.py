"""Animation of learning the 12-bar form, from the saved snapshots (never retrains).

Each frame: the chorus that net 0 of Exp. 1 (chords alone) and of Exp. 2 (chords + melody) plays
when left to run free after N training choruses, as a chord roll over the 12 chord units, with the
bar's chord name against the form's (red where they differ).

    python3 make_blues_improvisation_gif.py       # reads results.json + results.npz
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt

from shared import cli
from shared.figures import figure_to_frame, save_gif
from shared.results import load_run
from visualize_blues_improvisation import FORM_NAMES, bar_names  # the same chord reading


def frame(a, k):
    fig, axes = plt.subplots(2, 1, figsize=(8, 4.6), sharex=True)
    for exp, ax in zip((1, 2), axes, strict=True):
        ch = a[f"exp{exp}_snap_chords"][k][:, 0].astype(bool)                 # (96, 12), net 0
        ax.imshow(ch.T, aspect="auto", origin="lower", cmap="Blues", interpolation="nearest", vmin=0, vmax=1)
        ax.set_yticks([0, 4, 7, 10])
        ax.set_yticklabels(["C", "E", "G", "Bb"], fontsize=7)
        for b, (got, want) in enumerate(zip(bar_names(ch), FORM_NAMES, strict=True)):
            ax.text(b * 8 + 3.5, 12.1, got, ha="center", fontsize=8, color="k" if got == want else "tab:red")
            ax.axvline(b * 8 - 0.5, color="k", lw=0.3)
        ax.set_ylim(-0.5, 13.2)
        ax.set_ylabel(f"Exp. {exp}", fontsize=9)
        n = int(a[f"exp{exp}_snap_window"][k])
        ax.set_title(f"Exp. {exp} ({'chords alone' if exp == 1 else 'chords + melody'}), net 0 free running "
                     f"after {n} training choruses", fontsize=9)
    axes[1].set_xlabel("time step of the chorus (form: " + " ".join(FORM_NAMES) + ")", fontsize=8)
    fig.tight_layout()
    return figure_to_frame(fig)


def main(args):
    _, a = load_run(args.results)
    n = min(len(a["exp1_snap_window"]), len(a["exp2_snap_window"]))
    frames = [frame(a, k) for k in range(n)]
    save_gif(frames, args.out, fps=3)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "gif"))
