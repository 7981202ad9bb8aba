"""Static figures of the maze-ptrm run, read from its saved results (never retrains).

    python3 visualize_maze_ptrm.py     # reads results.json + results.npz, writes viz/*.png
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np

from shared.cli import make_artifact_parser, run
from shared.figures import save_figure
from shared.results import load_run


def sweep(res, a, out):
    """Exact accuracy vs sigma on the sweep mazes: Q-selected, any rollout, mean rollout, deterministic."""
    sig = a["sweep_sigma"]
    fig, ax = plt.subplots(figsize=(6.4, 4))
    for s in range(a["sweep_q_selected"].shape[1]):
        ax.plot(sig, a["sweep_q_selected"][:, s], "o-", color=f"C{s}", label=f"seed {s}: Q-selected")
        ax.plot(sig, a["sweep_oracle"][:, s], "^:", color=f"C{s}", alpha=0.6, label=f"seed {s}: any rollout")
        ax.plot(sig, a["sweep_mean"][:, s], "x--", color=f"C{s}", alpha=0.6, label=f"seed {s}: mean rollout")
        ax.axhline(a["sweep_det"][s], color=f"C{s}", lw=1, alpha=0.5)
    ax.set(xscale="log", xlabel="sigma (noise on z at every supervision step)",
           ylabel=f"exact (K = {res['config']['K']}, sweep mazes)", ylim=(0, 1.02),
           title="sigma sweep (flat lines: deterministic)")
    ax.legend(fontsize=6, ncol=3)
    save_figure(fig, out / "sigma_sweep.png")


def q_vs_proxy(res, a, out):
    """Q against the stability proxy for the rollouts of mixed-success mazes, per seed."""
    q, proxy, ok, mixed = a["q"], a["proxy"], a["ok"], a["mixed"]
    S = q.shape[0]
    fig, axes = plt.subplots(1, S, figsize=(4 * S, 3.6), squeeze=False)
    for s, ax in enumerate(axes[0]):
        qm, pm, om = q[s][mixed[s]], proxy[s][mixed[s]], ok[s][mixed[s]]
        ax.scatter(pm[om], qm[om], s=6, color="#1f77b4", alpha=0.6, label="rollout right")
        ax.scatter(pm[~om], qm[~om], s=6, color="#d62728", alpha=0.6, label="rollout wrong")
        rho = res["metrics"]["rho"][s]
        ax.set(xlabel="stability proxy ln(|ds_final| / |ds_0|)", ylabel="final q" if s == 0 else None,
               title=f"seed {s}: {mixed[s].sum()} mixed mazes, rho(Q, -proxy) "
                     f"{'n/a' if rho is None else f'{rho:.2f}'}", )
        ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, out / "q_vs_proxy.png")


def accuracy(res, a, out):
    """Per seed on the headline mazes: deterministic, Q-selected, proxy-selected, mean and any rollout."""
    m = res["metrics"]
    names = ["deterministic", "mean rollout", "Q-selected", "most stable", "any rollout"]
    vals = np.array([m["deterministic_exact"], m["mean_rollout_exact"], m["q_selected_exact"],
                     m["proxy_selected_exact"], m["any_rollout_exact"]])                 # (5, S)
    fig, ax = plt.subplots(figsize=(6.8, 3.8))
    w = 0.8 / vals.shape[1]
    for s in range(vals.shape[1]):
        ax.bar(np.arange(5) + (s - (vals.shape[1] - 1) / 2) * w, vals[:, s], w, label=f"seed {s}")
    ax.set_xticks(np.arange(5), names, fontsize=8)
    ax.set(ylabel="exact on held-out mazes", ylim=(0, 1.02),
           title=f"K = {m['K']} rollouts at sigma = {m['sigma']}")
    ax.legend(fontsize=8)
    save_figure(fig, out / "selection.png")


def main(args):
    res, a = load_run(args.results)
    out = pathlib.Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sweep(res, a, out)
    q_vs_proxy(res, a, out)
    accuracy(res, a, out)


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
