"""Gradient checks behind ``--gradcheck``: the hand-written gradients of the family core
(shared/pm/core.py) against float64 central differences (Richardson-extrapolated), at the sizes of
two of the paper's settings (u3: 16 local inputs, 16 shared hidden units, 4 code units, 3 hidden
units per predictor; n1: 2 distributed inputs, 2 shared hidden, 1 hidden per predictor, the
1/9..4/9 epoch weights)."""
import numpy as np

from predictability_min_binary_factors import SETTINGS, ensemble
from shared.gradcheck import check_gradients
from shared.pm import core


def losses(cp, pp, X, w, P):
    """V_C = E_P as a function of every weight, and the same with the predictions P frozen (the
    own-error reading's objective for the coder)."""
    def q():
        y, _ = core.coder_forward(cp, X)
        return core.objective(core.predictor_forward(pp, y)[0], y, w).sum()

    def q_own():
        y, _ = core.coder_forward(cp, X)
        return core.objective(P, y, w).sum()
    return q, q_own


def gradient_checks(runs=2, seed=0):
    """name -> largest relative error over every coordinate of every tensor."""
    errs = {}
    rng = np.random.default_rng(seed)
    for key in ("u3", "n1"):
        _, _, n, inputs, dim_x, probs, H, K, *_ = SETTINGS[key]
        X, w = ensemble(inputs, dim_x, probs)
        cp, pp = core.init_coder(rng, runs, dim_x, H, n, 1.0), core.init_predictors(rng, runs, n, K, 1.0)
        _, gc, gp, _, P = core.forward_backward(cp, pp, X, w, through_predictors=True)
        gc_own = core.coder_backward(cp, core.coder_forward(cp, X)[1], P, None, w, through_predictors=False)
        q, q_own = losses(cp, pp, X, w, P)
        for name, loss, params, grads in (("coder_full", q, cp, gc), ("coder_own", q_own, cp, gc_own),
                                          ("predictors", q, pp, gp)):
            e = check_gradients(loss, params, grads, eps=1e-3, richardson=True)
            errs.update({f"{key}_{name}_{k}": v for k, v in e.items()})
    return errs
