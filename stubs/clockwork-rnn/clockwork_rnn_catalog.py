"""Clockwork RNN, the earlier catalog's setting (``--setting catalog`` of clockwork_rnn.py).

The earlier catalog's version of this stub, kept for comparison: its target is the sum of four
unit sines of periods 8, 32, 80 and 160 with random phases, halved, over 320 steps (five draws at
once); its nets get a constant input 1: a CW-RNN of 64 units in 8 modules (periods 1 ... 128,
2,497 weights) against an SRN of 48 units (2,449 weights), weights N(0, 1/N) (input weights
N(0, 1)) and zero biases, the clock counted from t = 1; training is plain SGD at lr 0.02 with the
global gradient norm clipped at 1 per net, on half the mean squared error, for 1500 epochs. The
nets, their BPTT and the training loop are clockwork_rnn.py's, run with the options below.

Its README reported half-MSE 0.1125 ± 0.0153 (CW-RNN) vs 0.2454 ± 0.0036 (SRN) over five seeds
(ratio 2.22); the headline puts the same statistic beside those.

    python3 clockwork_rnn.py --setting catalog
"""
import numpy as np

SETTING = dict(budgets=(2497,), hidden={"cw": (64,), "srn": (48,)}, n_modules=8, n_inputs=1,
               epochs=1500, lr={"cw": 0.02, "srn": 0.02}, momentum=0.0, init_std=None,
               forget_bias=None, optimizer="sgd", clip=1.0, loss="halfmean", n_targets=5,
               n_inits=1, kinds=("cw", "srn"), snap_every=100, schedule_offset=1)


def sines_targets(rng, n, T, periods=(8, 32, 80, 160)):
    """The earlier catalog's target: sum of four unit sines with random phases, halved: (n, T)."""
    phase = rng.uniform(0, 2 * np.pi, size=(n, len(periods)))
    t = np.arange(T)
    return 0.5 * sum(np.sin(2 * np.pi * t[None] / p + phase[:, k:k + 1]) for k, p in enumerate(periods))


def verdict_cw_below(cw, srn):
    """partial (a synthetic task, not the paper's) when every CW-RNN ends below the best SRN."""
    return "partial" if np.all(cw < srn.min()) else "no"


def headline_rows(out, metrics):
    """The earlier catalog's comparison: CW-RNN vs SRN half-MSE, beside its reported numbers."""
    mse = {k: metrics[k]["mse_mean"][0] for k in out}
    c, s_ = (0.5 * out[k]["curve"][-1] for k in ("cw", "srn"))      # the catalog's "MSE" = MSE / 2
    return [{
        "name": "earlier catalog's task: CW-RNN half-MSE < SRN half-MSE",
        "value": f"{c.mean():.4f} ± {c.std(ddof=1):.4f} vs {s_.mean():.4f} ± {s_.std(ddof=1):.4f}",
        "paper_value": "earlier catalog, 5 seeds: 0.1125 ± 0.0153 vs 0.2454 ± 0.0036",
        "verdict": verdict_cw_below(c, s_),
        "note": f"{len(c)} nets each (sum of four sines, random phases); ratio "
                f"{mse['srn'] / mse['cw']:.2f}x (catalog 2.22x); partial: a synthetic task, "
                f"not the paper's"}]
