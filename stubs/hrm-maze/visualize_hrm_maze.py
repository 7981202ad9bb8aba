"""Static figures of the HRM maze run, read from its saved results (never retrains).

    python3 visualize_hrm_maze.py      # reads results.json + results.npz, writes viz/*.png
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np

from shared.cli import make_artifact_parser, run
from shared.figures import save_figure
from shared.mazes.draw import ftle_figure, training_figure
from shared.results import load_run


def exact_per_segment(res, a, out):
    """Test exact after each segment per seed, with TRM's committed exact at N_sup for reference."""
    ex = a["exact_per_step"]                                     # (S, eval_sup)
    steps = np.arange(1, ex.shape[1] + 1)
    fig, ax = plt.subplots(figsize=(6.5, 4))
    for s, row in enumerate(ex):
        ax.plot(steps, row, "o-", alpha=0.5, lw=1, label=f"HRM seed {s}")
    ax.plot(steps, ex.mean(0), "k-", lw=2.5, label="HRM mean")
    ns = res["config"]["n_sup"]
    trm = res["metrics"].get("trm_exact_last")
    if trm:
        ax.axhline(np.mean(trm), color="tab:purple", ls="--", lw=1.5,
                   label=f"TRM at N_sup = {ns} (trm-maze), mean {np.mean(trm):.3f}")
    ax.axvline(ns, color="gray", ls=":", lw=1)
    ax.text(ns, 0.02, f" M_max = {ns} (trained)", fontsize=8)
    ax.set(xlabel="segment (supervision step)", ylabel=f"exact on {res['metrics']['test_mazes']} test mazes",
           title=f"HRM-Local, {res['config']['grid']}x{res['config']['grid']} {res['config']['kind']} mazes, "
                 f"{res['config']['steps']} steps", ylim=(0, 1))
    ax.legend(fontsize=7)
    save_figure(fig, out / "exact_per_step.png")


def training(res, a, out):
    """Training loss per optimizer step and the test curve (first test mazes, raw weights)."""
    training_figure(a, out / "training.png", res["config"]["n_sup"],
                    "CE + 0.5 (BCE halt + BCE continue), running mean", "exact (test subset)", unit="segment")


def ftle(res, a, out):
    """Top finite-time exponents of the (z_L, z_H) recursion per test maze, solved vs not."""
    ftle_figure(a["lam"], a["lam_ok"], out / "ftle.png", "lambda_1 per module update", pad=1e-9)


def main(args):
    res, a = load_run(args.results)
    out = pathlib.Path(args.out_dir)
    exact_per_segment(res, a, out)
    training(res, a, out)
    ftle(res, a, out)


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
