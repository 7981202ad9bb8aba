"""Animation: the Hanoi program OOPS froze, replayed on the 4-disk instance (no search).

(A run that froze no general solver, such as --quick, replays the hand-written reference.)

Each frame is one executed token that moves a disk or enters a call: the pegs, the program with the
token just executed, the call depth and the current frame's (S, A, D, n).

    python3 make_oops_towers_of_hanoi_gif.py       # reads results.json + results.npz
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt

import oops_towers_of_hanoi as oops
from shared import cli
from shared.figures import figure_to_frame, save_gif
from shared.results import load_run

N_DISKS = 4
SHOWN = (oops.MVDSK, oops.CALLTP, oops.DEFNP)


def trace_program(code, k):
    """Step-by-step states of a complete program on Hanoi instance k: [(ip executed, state after)]."""
    state, target = oops.hanoi_instance(k)
    code, out, status = tuple(code), [], oops.RUNNING
    while status == oops.RUNNING and len(out) < 10 ** 6:
        ip = state[0]
        status, state, _ = oops.run(state, target, code, 1)
        out.append((ip, state))
    return out


def frame(code, ip, state, step, n_steps, moves):
    """One frame: pegs (top), the program with token `ip` highlighted (bottom)."""
    _, _, below, args, _, _, pegs, _ = state
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(6, 3.6), gridspec_kw=dict(height_ratios=[3, 1]))
    for p, disks in enumerate(pegs):
        ax.plot([p, p], [0, N_DISKS + 0.6], color="0.3", lw=3)
        for h, size in enumerate(disks):
            w = 0.12 + 0.09 * size
            ax.add_patch(plt.Rectangle((p - w, h), 2 * w, 0.85, color=plt.cm.viridis(size / (N_DISKS + 1))))
    ax.set(xlim=(-0.6, 2.6), ylim=(0, N_DISKS + 1), xticks=[0, 1, 2], yticks=[])
    ax.set_xticklabels(["peg 1 (S)", "peg 2 (A)", "peg 3 (D)"])
    ax.set_title(f"step {step}/{n_steps}   moves {moves}/{2 ** N_DISKS - 1}   call depth {len(below)}   "
                 f"frame (S,A,D,n) = {tuple(args)}", fontsize=8)
    ax2.axis("off")
    for i, t in enumerate(code):
        ax2.text(i / len(code) + 0.01, 0.4, oops.TOKENS[t], fontsize=9, family="monospace",
                 color="tab:red" if i == ip else "k", fontweight="bold" if i == ip else "normal")
    fig.tight_layout()
    return figure_to_frame(fig, dpi=70)


def main(args):
    res, a = load_run(args.results)
    code = [int(t) for t in a["hanoi_solver"]]
    if not code:                                 # e.g. a --quick run: replay the textbook program
        print("this run froze no general Hanoi solver: replaying the hand-written reference program")
        code = list(oops.HANOI_SOLVER)
    tr = trace_program(code, N_DISKS)
    frames, moves = [frame(code, -1, oops.hanoi_instance(N_DISKS)[0], 0, len(tr), 0)], 0
    for step, (ip, state) in enumerate(tr, 1):
        moves = state[7]
        if code[ip] in SHOWN or step == len(tr):
            frames.append(frame(code, ip, state, step, len(tr), moves))
    save_gif(frames, args.out, fps=3)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "gif"))
