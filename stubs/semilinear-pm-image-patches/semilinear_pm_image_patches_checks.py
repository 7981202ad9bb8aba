"""Gradient checks behind ``--gradcheck``: the hand-written updates of ``pm_gradients`` against
float64 central differences (Richardson-extrapolated), on random local fields and patterns:

    predictors   dQ/d(V2, c2) with the code fixed                      (they descend it)
    code units   dQ/d(W, b) with P held as a fixed target              (the paper's rule; they ascend)
    code units   dQ/d(W, b) through the predictors' inputs as well      (the full gradient, kept
                                                                         as a reference)
"""
import numpy as np

from semilinear_pm_image_patches import code, core, init_coder, pm_gradients
from shared.gradcheck import check_gradients


def gradient_checks(runs=2, n=5, m=9, B=4, seed=0):
    """name -> largest relative error over every coordinate of every tensor."""
    rng = np.random.default_rng(seed)
    cp = init_coder(rng, runs, n, m, 0.5)
    pp = core.init_predictors(rng, runs, n, 0, 0.8)
    x = rng.uniform(-1.0, 1.0, (runs, B, n, m))
    w = np.ones((runs, B))

    def q_full():
        y = code(cp, x)
        return core.objective(core.predictor_forward(pp, y)[0], y, w).sum()

    _, gc_own, gp, _, P = pm_gradients(cp, pp, x, through_predictors=False)
    _, gc_full, _, _, _ = pm_gradients(cp, pp, x, through_predictors=True)

    def q_frozen():                       # P a constant target: the paper's code-unit rule
        return core.objective(P, code(cp, x), w).sum()
    errs = {}
    for tag, loss, params, grads in (("predictors", q_full, pp, gp),
                                     ("code_own_error", q_frozen, cp, gc_own),
                                     ("code_full", q_full, cp, gc_full)):
        e = check_gradients(loss, params, grads, eps=1e-3, richardson=True)
        errs.update({f"{tag}_{k}": v for k, v in e.items()})
    return errs
