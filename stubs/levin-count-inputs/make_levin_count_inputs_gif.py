"""Animation: the first program Levin search found writes the counting perceptron's weights.

Replays the saved program tape on the machine (shared.levin.machine; no search): each frame shows
the storage (program tape, instruction pointer) and the weights written so far.

    python3 make_levin_count_inputs_gif.py        # reads results.json + results.npz
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np

from shared import cli
from shared.figures import figure_to_frame, save_gif
from shared.levin import machine as M
from shared.results import load_run


def trace(tape, max_steps=2000):
    """States after every step of the saved program: (ip, storage snapshot, weights, why)."""
    s, rest, out = M.State(), list(tape), []
    while s.t < max_steps:
        r = M.step(s)
        if r == M.ORACLE:
            if not rest:
                break
            s.answer(rest.pop(0))
            continue
        out.append((s.ip, list(s.prog), s.weights(), s.t, s.why))
        if r == M.HALTED:
            break
    return out


def main(args):
    res, a = load_run(args.results)
    tape = [int(v) for v in a["first_tape"]]
    if not tape:
        raise cli.StubError(f"{args.results} holds no fitting program")
    tr = trace(tape)
    f = res["metrics"]["first_fit"]
    keep = list(range(0, 12)) + list(range(12, len(tr), max(1, len(tr) // 40))) + [len(tr) - 1]
    frames = []
    for k in sorted(set(keep)):
        ip, prog, w, t, why = tr[k]
        fig, (a0, a1) = plt.subplots(2, 1, figsize=(6.4, 4.2), gridspec_kw=dict(height_ratios=[1, 2]))
        for j, v in enumerate(prog):
            a0.add_patch(plt.Rectangle((j, 0), 0.95, 1, color="tab:orange" if j == ip else "0.85"))
            a0.text(j + 0.47, 0.5, str(v), ha="center", va="center", fontsize=12)
        a0.set(xlim=(-0.2, max(len(prog), 6)), ylim=(0, 1), yticks=[], xticks=np.arange(len(prog)) + 0.47,
               xticklabels=[str(j) for j in range(len(prog))],
               title=f"{f['program']}   step {t}, IP = {ip}" + (f"  [halt: {why}]" if why else ""))
        a1.bar(np.arange(M.N_WEIGHTS), w, width=1.0, color="tab:green")
        a1.set(xlim=(-1, M.N_WEIGHTS), ylim=(-0.1, 1.5), xlabel="weight index i", ylabel="w_i",
               title=f"weights written: {sum(1 for x in w if x)} of 100")
        fig.tight_layout()
        frames.append(figure_to_frame(fig, dpi=64))
        plt.close(fig)
    save_gif(frames, args.out, fps=6)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "gif"))
