"""Gradient checks behind ``--gradcheck``: every hand-written gradient of ``pair_objective`` (the
classifiers' L_T = M + alpha_1 D_1 + alpha_2 D_2; the reconstructors' D_l; the predictors' Q_l)
against float64 central differences (Richardson-extrapolated), for each D_l variant, with
separate and with tied classifier weights, on random pattern pairs with unequal weights."""
import numpy as np

from predictable_stereo import init_nets, pair_objective
from shared.gradcheck import check_gradients

ALPHA, LAM = (0.7, 1.3), 0.4     # unequal weights of D_1 and D_2, lambda of eq. 5
CASES = (("ae", False, 2), ("ae", True, 2), ("pm", False, 2), ("pm", True, 3), ("pm", False, 1),
         ("local", False, 4), ("local", True, 3))


def gradient_checks(runs=2, seed=0):
    """name -> largest relative error over every coordinate of every tensor."""
    rng = np.random.default_rng(seed)
    errs = {}
    for kind, tied, n in CASES:
        K = 0 if (kind == "pm" and n == 1) else 3
        nets = init_nets(rng, runs, 6, 5, n, kind, 1.0, tied=tied, K=K)
        x1, x2 = rng.integers(0, 2, (2, runs, 7, 6)).astype(float)
        w = rng.uniform(0.5, 1.0, 7)
        w /= w.sum()
        _, grads, _ = pair_objective(nets, x1, x2, w, kind, ALPHA, LAM)
        for name in grads:
            # classifiers descend L_T; reconstructors descend D_l; predictors descend Q_l = -D_l
            key = "L_T" if name.startswith("T") else "D" + name[1]
            sign = -1.0 if name.startswith("P") else 1.0

            def loss(key=key, sign=sign, nets=nets, x1=x1, x2=x2, w=w, kind=kind):
                return sign * pair_objective(nets, x1, x2, w, kind, ALPHA, LAM)[0][key].sum()
            live = [k for k in nets[name] if nets[name][k].size]   # n = 1: predictors see no unit
            e = check_gradients(loss, {k: nets[name][k] for k in live},
                                {k: grads[name][k] for k in live}, eps=1e-3, richardson=True)
            tag = f"{kind}_{'tied' if tied else 'separate'}_n{n}_{name}"
            errs.update({f"{tag}_{k}": v for k, v in e.items()})
    return errs
