"""Gradient checks of neural_data_router (``--gradcheck``), float64 against central differences
(Richardson): each part on its own (geometric attention, softmax attention, LayerNorm, the
copy-gated NDR layer, the baseline layer, each with its input gradient), then the whole net
(embedding, every step of the shared layer, readout) for both kinds, every parameter tensor; and
the per-column Jacobian of the layer map (the Lyapunov spectra's input) against finite differences.

The attention and LayerNorm checks use eps = 1e-3: the O(eps^4) truncation stays far below
round-off, which at smaller eps swamps the tiny gradients of nearly saturated attention scores.
The layers and whole nets have ReLUs, whose kinks a step of 1e-3 can cross: they use eps = 1e-5,
with the loss evaluated in extended precision (np.longdouble) as a difference from its value at
the checked point, so round-off stays small at that step.
"""
import numpy as np

from neural_data_router import (backward, batch, forward, geometric_attention, geometric_attention_back,
                                init_params, layer, layer_back, layer_norm, layer_norm_back, make_tables,
                                softmax_attention)
from shared.gradcheck import check_gradients, numeric_jacobian, rel_error


def _check(loss, params, grads, eps=1e-3):
    return check_gradients(loss, params, grads, eps=eps, richardson=True)


def _wide(f, params):
    """A loss for check_gradients that evaluates f(params) in extended precision (np.longdouble), as
    a difference from its value at the checked point (params are read afresh at every call)."""
    def at():
        return f({k: v.astype(np.longdouble) for k, v in params.items()})
    base = at()
    return lambda: float(at() - base)


def part_errors(rng):
    """Each part: a random linear functional of its output, checked on its inputs and parameters."""
    errs = {}
    S, B, L, d = 2, 2, 5, 6
    z = rng.normal(size=(S, B, L, L)) * 2
    R = rng.normal(size=z.shape)
    A, c = geometric_attention(z)
    e = _check(lambda: float((R * geometric_attention(z)[0]).sum()), {"z": z},
               {"z": geometric_attention_back(R, A, c)})
    errs["geometric attention: scores"] = e["z"]
    A = softmax_attention(z)
    dz = A * (R - (R * A).sum(-1, keepdims=True))
    errs["softmax attention: scores"] = _check(lambda: float((R * softmax_attention(z)).sum()), {"z": z},
                                               {"z": dz})["z"]
    h = rng.normal(size=(S, B, L, d)) * 2 + 1
    gam, bet = rng.normal(size=(S, d)), rng.normal(size=(S, d))
    Rh = rng.normal(size=h.shape)
    _, cl = layer_norm(h, gam, bet)
    g = {}
    dh = layer_norm_back(Rh, cl, g, "gam", "bet")
    e = _check(lambda: float((Rh * layer_norm(h, gam, bet)[0]).sum()), {"h": h, "gam": gam, "bet": bet},
               {"h": dh, "gam": g["gam"], "bet": g["bet"]})
    errs.update({f"LayerNorm: {k}": v for k, v in e.items()})
    for arch in ("ndr", "baseline"):
        p = init_params(rng, S, arch, d, np.float64)
        if arch == "ndr":
            p["c2"][:] = rng.normal(size=p["c2"].shape)    # gate half open: both paths carry gradient
        x = rng.normal(size=(S, B, L, d))
        Rx = rng.normal(size=x.shape)
        out, c = layer(p, x, arch)
        g = {}
        dx = layer_back(p, Rx, c, arch, g)
        g = {k: g.get(k, np.zeros_like(v)) for k, v in p.items()}
        for k in ("E", "Wout", "bout"):                    # not used by the layer
            g.pop(k)
        params = {k: v for k, v in p.items() if k in g}
        e = _check(_wide(lambda q, Rx=Rx, arch=arch: (Rx * layer(q, q["x"], arch)[0]).sum(),
                         {**params, "x": x}), {**params, "x": x}, {**g, "x": dx}, eps=1e-5)
        errs.update({f"{arch} layer: {k}": v for k, v in e.items()})
    return errs


def model_errors(rng, arch, S=2, B=3, depth=3, d=8, n_steps=4):
    """The whole net, float64, every parameter tensor."""
    p = init_params(rng, S, arch, d, np.float64)
    if arch == "ndr":
        p["c2"][:] = rng.normal(size=p["c2"].shape) - 1.0
    tok, y = batch(rng, make_tables(rng), depth, S, B)
    _, c, _ = forward(p, tok, y, arch, n_steps)
    grads = backward(p, c, arch)
    return _check(_wide(lambda q: forward(q, tok, y, arch, n_steps)[0].sum(), p), p, grads, eps=1e-5)


def jacobian_errors(dyn, rng):
    """Each column's layer-map Jacobian (by the hand-written backward pass) against central
    differences of the layer on that column alone."""
    errs = {}
    for arch in ("ndr", "baseline"):
        p = init_params(rng, 1, arch, 6, np.float64)
        x = rng.normal(size=(1, 2, 4, 6))
        J = dyn.column_jacobians(p, x, arch)                     # (1, 2, L, d, d)
        worst = 0.0
        for b in range(2):
            for col in range(4):
                def step(v, b=b, col=col, x=x, p=p, arch=arch):
                    xx = x.copy()
                    xx[0, b, col] = v
                    return layer(p, xx, arch)[0][0, b, col]
                worst = max(worst, rel_error(J[0, b, col], numeric_jacobian(step, x[0, b, col], eps=1e-5)))
        errs[f"{arch} per-column layer Jacobian"] = worst
    return errs


def gradcheck(args):
    import neural_data_router as ndr
    rng = np.random.default_rng(args.seed)
    errs = part_errors(rng)
    for arch in ("ndr", "baseline"):
        errs.update({f"{arch} whole net: {k}": v for k, v in model_errors(rng, arch).items()})
    errs.update(jacobian_errors(ndr.dynamics(), rng))
    return errs
