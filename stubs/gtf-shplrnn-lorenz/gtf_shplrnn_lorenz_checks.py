"""Gradient checks of gtf-shplrnn-lorenz (float64, central differences; run by --gradcheck).

The GTF backward pass is checked for a forced run (alpha = 0.3, per seed 0.3 and 0.7), for plain
BPTT (alpha = 0) and for pure teacher forcing (alpha = 1), every parameter tensor, with a short
window so that the chaotic growth stays far below the round-off limit. alpha is a constant of the
loss here, as in the repository (it is set by the Jacobian estimate, not trained).
"""
import numpy as np

from gtf_shplrnn_lorenz import gtf_backward, gtf_forward, init_params, step
from shared.gradcheck import check_gradients


def gradient_checks():
    rng = np.random.default_rng(0)
    S, B, M, H, T = 2, 3, 3, 7, 12
    errs = {}
    for name, alpha in (("gtf", np.array([0.3, 0.7])), ("bptt", np.zeros(S)), ("tf", np.ones(S))):
        p = init_params(rng, S, M, H)
        p["A"] += 0.05 * rng.standard_normal(p["A"].shape)
        p["h1"] += 0.1 * rng.standard_normal(p["h1"].shape)
        # targets near the model's own orbit keep the loss small next to its gradient, so the
        # central differences are not swamped by round-off
        X = np.empty((T + 1, S, B, M))
        X[0] = rng.standard_normal((S, B, M))
        for t in range(T):
            X[t + 1] = step(p, X[t]) + 0.1 * rng.standard_normal((S, B, M))
        l2 = 1e-3                                                      # large, so its share is checked

        def loss(p=p, X=X, alpha=alpha, l2=l2):
            return float(gtf_forward(p, X, alpha, l2)[0].sum())
        grads = gtf_backward(p, gtf_forward(p, X, alpha, l2)[1])
        errs.update({f"{name} {k}": v for k, v in check_gradients(
            loss, p, grads, eps=1e-6, n_samples=12, rng=rng).items()})
    return errs
