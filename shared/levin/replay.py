"""Replaying a saved program tape on the paper's machine, for the Levin stubs' animations.

No search happens here: the tape the search recorded (or a hand-written reference program) is fed
to ``machine.step`` again, answering its oracle calls from the tape, and every step's storage,
instruction pointer and written weights are kept for a frame.
"""
import matplotlib.pyplot as plt
import numpy as np

from shared.figures import figure_to_frame
from shared.levin import machine as M


def trace(tape, max_steps=2000):
    """States after every step of the program on ``tape``: a list of dicts with ip, prog (storage
    snapshot), w (the weights), t (step), why (halt reason or "") and wp (weights written)."""
    s, rest, out = M.State(), list(tape), []
    while s.t < max_steps:
        r = M.step(s)
        if r == M.ORACLE:
            if not rest:
                break
            s.answer(rest.pop(0))
            continue
        out.append(dict(ip=s.ip, prog=list(s.prog), w=s.weights(), t=s.t, why=s.why, wp=s.wp))
        if r == M.HALTED:
            break
    return out


def frames(tr, program, w_ylim, written=lambda st: st["wp"], n_first=12, n_rest=40):
    """One frame for each of the first ``n_first`` steps, then about ``n_rest`` spread over the rest
    and the last: the storage on top (the cell under the instruction pointer in orange), the weight
    vector below."""
    keep = sorted(set(list(range(min(n_first, len(tr))))
                      + list(range(n_first, len(tr), max(1, len(tr) // n_rest))) + [len(tr) - 1]))
    out = []
    for k in keep:
        st = tr[k]
        ip, prog = st["ip"], st["prog"]
        fig, (a0, a1) = plt.subplots(2, 1, figsize=(6.4, 4.2), gridspec_kw=dict(height_ratios=[1, 2]))
        for j, v in enumerate(prog):
            a0.add_patch(plt.Rectangle((j, 0), 0.95, 1, color="tab:orange" if j == ip else "0.85"))
            a0.text(j + 0.47, 0.5, str(v), ha="center", va="center", fontsize=12)
        a0.set(xlim=(-0.2, max(len(prog), 6)), ylim=(0, 1), yticks=[], xticks=np.arange(len(prog)) + 0.47,
               xticklabels=[str(j) for j in range(len(prog))],
               title=f"{program}   step {st['t']}, IP = {ip}"
                     + (f"  [halt: {st['why']}]" if st["why"] else ""))
        a1.bar(np.arange(M.N_WEIGHTS), st["w"], width=1.0, color="tab:green")
        a1.set(xlim=(-1, M.N_WEIGHTS), ylim=w_ylim, xlabel="weight index i", ylabel="w_i",
               title=f"weights written: {written(st)} of {M.N_WEIGHTS}")
        fig.tight_layout()
        out.append(figure_to_frame(fig, dpi=64))
        plt.close(fig)
    return out
