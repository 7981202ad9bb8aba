"""Gradient checks behind ``--gradcheck``: the hand-written gradients of the training MSE E, of the
FMS regulariser B (through the output and hidden second derivatives), and of the full objective
E + lambda B, against float64 central differences (Richardson-extrapolated) of the objective
itself, on small nets (2 nets, 6 hidden units, 7 patterns) of both tasks. Output weights are kept
at least 0.05 away from 0, where |W2| in B's second term has its kink."""
import numpy as np

from lococode_ica import bars, error, fms_terms, forward, grad_error, grad_fms, init_net
from shared.gradcheck import check_gradients


def gradient_checks(seed=0, lam=0.37):
    """name -> largest relative error over every coordinate of every parameter tensor."""
    rng = np.random.default_rng(seed)
    errs = {}
    for task in ("bars", "noisy"):
        X, _ = bars(rng, 7, task)
        p = init_net(rng, 2, 6, 0.5, -1.0)
        p["b1"] += rng.uniform(-0.5, 0.5, p["b1"].shape)
        p["W2"] = np.sign(p["W2"]) * (0.05 + np.abs(p["W2"]))
        c = forward(p, X)
        B, t = fms_terms(p, c)
        gE, gB = grad_error(p, c), grad_fms(p, c, t)
        gT = {k: gE[k] + lam * gB[k] for k in p}

        def objective(which, p=p, X=X):
            def f():
                cc = forward(p, X)
                E, B = error(cc, X), fms_terms(p, cc)[0]
                return {"E": E, "B": B, "E+lamB": E + lam * B}[which].sum()
            return f
        for name, grads in (("E", gE), ("B", gB), ("E+lamB", gT)):
            e = check_gradients(objective(name), p, grads, eps=1e-3, richardson=True)
            errs.update({f"{task}_{name}_{k}": v for k, v in e.items()})
    return errs
