"""Gradient checks behind ``--gradcheck`` (loaded by the main file), all in float64:

    model      M's prediction error 1/2 |M([x; a]) - x_next|^2 against M's weights (central
               differences, Richardson-extrapolated; so is the next one)
    controller C's own backward pass (weights and input) on a loss of its outputs
    chain      the final input error of a pure model chain x(t+1) = M([x(t); C(x(t))]), T = 4,
               against C's weights: ``chain_gradient`` is the same code C trains with, where the
               real inputs x(t) stand in the chain's places (finite differences cannot see the
               real world, which is not differentiable, so the chain is checked on M's own states)
    rotation   the chain again with the rotation variant's sizes (6 actions, M input 46)
"""
import numpy as np

from saccadic_target_detection import (chain_gradient, init_net, net_backward, net_forward)
from shared.gradcheck import check_gradients, complex_step_gradients


def model_chain(WC, WM, x0, T):
    """x(t+1) = M([x(t); C(x(t))]) for T steps from x0 (S, B, 40): states and both caches."""
    xs, cc, cm = [x0], [], []
    for _ in range(T):
        a, c1 = net_forward(WC, xs[-1])
        y, c2 = net_forward(WM, np.concatenate([xs[-1], a], -1))
        xs.append(y)
        cc.append(c1)
        cm.append(c2)
    return xs, cc, cm


def check_chain(n_act, T=4, seed=0):
    rng = np.random.default_rng(seed)
    S, B = 2, 3
    # larger weights than the paper's initial ones, so every path carries a visible gradient
    WC = init_net(rng, S, 40, 20, n_act, 1.0)
    WM = init_net(rng, S, 40 + n_act, 40, 40, 1.0)
    x0 = rng.uniform(0, 1, (S, B, 40))
    d = rng.uniform(0, 1, 40)

    def loss(W):
        xs, _, _ = model_chain(W, WM, x0, T)
        return 0.5 * ((xs[-1] - d) ** 2).sum()
    xs, cc, cm = model_chain(WC, WM, x0, T)
    g = chain_gradient(WC, WM, cc, cm, xs[-1] - d)
    # complex step: every coordinate, no round-off (the chain's loss is analytic in C's weights)
    return complex_step_gradients(loss, WC, g)


def check_model(seed=1):
    rng = np.random.default_rng(seed)
    WM = init_net(rng, 2, 44, 40, 40, 0.5)
    x = rng.uniform(0, 1, (2, 3, 44))
    t = rng.uniform(0, 1, (2, 3, 40))

    def loss():
        return 0.5 * float(((net_forward(WM, x)[0] - t) ** 2).sum())
    y, cache = net_forward(WM, x)
    g, _ = net_backward(WM, cache, y - t)
    return check_gradients(loss, WM, g, eps=1e-4, n_samples=80, rng=rng, richardson=True)


def check_controller_input(seed=2):
    """C's weights and its input gradient dE/dx (the path x(t) -> C -> a(t) in the chain)."""
    rng = np.random.default_rng(seed)
    WC = init_net(rng, 2, 40, 20, 4, 0.5)
    x = rng.uniform(0, 1, (2, 3, 40))
    w = rng.normal(size=(2, 3, 4))
    params = {**WC, "x": x}

    def loss():
        return float((w * net_forward(WC, params["x"])[0]).sum())
    y, cache = net_forward(WC, x)
    g, dx = net_backward(WC, cache, w)
    return check_gradients(loss, params, {**g, "x": dx}, eps=1e-4, n_samples=60, rng=rng, richardson=True)


def run_checks():
    out = {}
    for name, errs in (("model", check_model()), ("controller", check_controller_input()),
                       ("chain", check_chain(4)), ("rotation_chain", check_chain(6))):
        out.update({f"{name}.{k}": v for k, v in errs.items()})
    return out
