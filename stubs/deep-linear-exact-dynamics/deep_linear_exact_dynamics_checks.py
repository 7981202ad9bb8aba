"""Gradient checks behind --gradcheck: the hand-written backward passes of the 3-layer net
(three_grads, on non-white inputs so that the X terms are exercised) and of the deep chain
(chain_grads, five layers of mixed shapes), against central differences in float64."""
import numpy as np

from deep_linear_exact_dynamics import chain_grads, chain_loss, init_chain, three_grads, three_loss
from shared.gradcheck import check_gradients


def gradcheck(args):
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((5, 7)), rng.standard_normal((6, 7))    # non-white inputs on purpose
    W21, W32 = rng.standard_normal((2, 4, 5)), rng.standard_normal((2, 6, 4))
    g21, g32 = three_grads(W21, W32, X, Y)
    errs = {f"three-layer {k}": v for k, v in check_gradients(
        lambda: float(three_loss(W21, W32, X, Y).sum()), {"W21": W21, "W32": W32},
        {"W21": g21, "W32": g32}, eps=1e-3, richardson=True).items()}
    Ws = init_chain(rng, 2, 5, 4, 3, "gaussian")
    T = rng.standard_normal((3, 4))
    grads = chain_grads(Ws, T)[0]
    errs.update({f"deep chain {k}": v for k, v in check_gradients(
        lambda: float(chain_loss(Ws, T).sum()), {f"W{i + 1}": W for i, W in enumerate(Ws)},
        {f"W{i + 1}": g for i, g in enumerate(grads)}, eps=1e-3, richardson=True).items()})
    return errs
