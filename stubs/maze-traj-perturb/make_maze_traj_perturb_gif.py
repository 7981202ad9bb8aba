"""Animation: one test maze answered by both arms across supervision steps (best checkpoints).

Each frame is one supervision step (EMA weights of seed 0, no halting) on the same test maze:
the baseline after N steps, the perturbed arm after N steps, and the baseline after K x N steps
(equal compute). The maze is the first of the saved ones on which the two equal-steps arms end
differently (else the first one). Orange crosses mark tokens that differ from the shortest path.
A strip under the grids gives every seed's paired Delta (best checkpoint, equal steps).

    python3 make_maze_traj_perturb_gif.py   # reads results.json + results.npz, writes the GIF
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np

from shared import cli
from shared.figures import figure_to_frame, save_gif
from shared.mazes.draw import draw_answer
from shared.results import load_run
ARMS = (("base", "baseline, {N} steps"), ("pert", "perturbed K={K}, {N} steps"),
        ("basec", "baseline, {KN} steps"))


def pick(a, ns):
    ok_b, ok_p = a["ok_base"][0, ns - 1], a["ok_pert"][0, ns - 1]           # (24,)
    diff = np.flatnonzero(ok_b != ok_p)
    return int(diff[0]) if diff.size else 0


def frame(res, a, s, j):
    cfg = res["config"]
    ns, N, K = cfg["n_sup"], cfg["steps"], cfg["K"]
    fig = plt.figure(figsize=(8.4, 4.2))
    target = a["Y_test"][j]
    for i, (key, label) in enumerate(ARMS):
        ax = fig.add_axes([0.02 + 0.33 * i, 0.3, 0.3, 0.58])
        pred = a[f"kept_{key}"][s, 0, j]
        n_wrong = draw_answer(ax, pred, target)
        solved = "solved" if a[f"ok_{key}"][0, ns - 1, j] else "not solved"
        ax.set_title(f"{label.format(N=N, K=K, KN=K * N)}\n{n_wrong} wrong tokens; "
                     f"{solved} at step {ns}", fontsize=8)
        ax.axis("off")
    bx = fig.add_axes([0.1, 0.06, 0.85, 0.14])
    d = res["metrics"]["comparisons"]["eq_steps_best_exact"]["delta"]
    bx.bar(np.arange(len(d)), 100 * np.asarray(d), color=["tab:red" if v > 0 else "tab:blue" for v in d])
    bx.axhline(0, color="k", lw=0.8)
    bx.set_xticks(np.arange(len(d)), [f"seed {i}" for i in range(len(d))], fontsize=7)
    bx.set_ylabel("Delta best\n(pp)", fontsize=7)
    bx.tick_params(labelsize=7)
    fig.suptitle(f"test maze {j}, seed 0: supervision step {s + 1} of {ns}", fontsize=10)
    return figure_to_frame(fig, dpi=80)


def main(args):
    res, a = load_run(args.results)
    ns = res["config"]["n_sup"]
    j = pick(a, ns)
    frames = [frame(res, a, s, j) for s in range(ns)]
    frames += [frames[-1]] * 2                       # hold the last step
    save_gif(frames, args.out, fps=2)


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "gif"))
