"""Gradient checks of linear_transformers_fwp (``--gradcheck``): the hand-written backward pass of
the whole model (slow net, feature map, fast-weight write and read) against central differences,
for both feature maps and both update rules, the delta rule by its recurrence over W_t and by the
closed form used in training; and the two delta-rule gradients against each other.

The analytic gradients are float64. The central differences (Richardson, eps = 1e-4) evaluate the
loss in extended precision (np.longdouble, as a difference from the loss at the checked point):
DPFP's products of rectified pairs make some coordinates' gradients 1e-9 or smaller, below what
float64 differences of an O(1) loss can resolve to a relative 1e-6. The check point sets b_k and
b_q to pairs of equal sign (+2, +2, -2, -2, ...), so that every key and query has at least two
active DPFP features: a key with a single one is normalised to a fixed basis vector whatever its scale, the
true gradient of that scale is exactly zero, and float64 round-off (1e-18) would then count as an
error under the relative measure.
"""
import numpy as np

from linear_transformers_fwp import backward, batch, forward, init_params, queries, slow_net
from shared.fast_weights import linear_attention as la
from shared.gradcheck import check_gradients, rel_error


def check_point(rng, fmap, rule, setting, N=5, d=6, S=2, B=3):
    """Parameters at their initial scale with the b_k pattern above, and one batch."""
    p = init_params(rng, S, N, d, rule)
    pairs = np.tile(2.0 * np.array([1.0, 1.0, -1.0, -1.0]), d)[:d] * np.ones((S, 1))
    p["bk"], p["bq"] = pairs, pairs.copy()
    k, v, q, tgt = batch(rng, S, B, N, setting == "s2")
    if fmap == "dpfp":
        for F in (la.phi_forward(slow_net(p, k, v, rule)[0], fmap)[0], la.phi_forward(queries(p), fmap)[0]):
            assert ((F > 0).sum(-1) >= 2).all(), "a key or query with fewer than two active DPFP features"
    return p, (k, v, q, tgt)


def model_errors(rng, fmap, rule, setting, impl):
    p, data = check_point(rng, fmap, rule, setting)

    def loss_ld(params):
        wide = {a: b.astype(np.longdouble) for a, b in params.items()}
        return forward(wide, *data, fmap, rule, impl)[0].sum()
    base = loss_ld(p)
    _, c, _ = forward(p, *data, fmap, rule, impl)
    grads = backward(p, c, rule)
    errs = check_gradients(lambda: float(loss_ld(p) - base), p, grads, eps=1e-4, richardson=True)
    return errs, p, data, grads


def gradcheck(args):
    rng = np.random.default_rng(args.seed)
    errs = {}
    for fmap in la.FEATURE_MAPS:
        for setting in ("s1", "s2"):
            for rule, impl in (("sum", "parallel"), ("delta", "recurrent"), ("delta", "parallel")):
                e, p, data, g = model_errors(rng, fmap, rule, setting, impl)
                how = f" ({impl})" if rule == "delta" else ""
                name = f"{fmap} {rule} rule{how}, setting {setting[1]}"
                errs.update({f"{name}: {k}": v for k, v in e.items()})
                if rule == "delta" and impl == "parallel":
                    _, c, _ = forward(p, *data, fmap, rule, "recurrent")
                    g2 = backward(p, c, rule)
                    errs[f"{name}: closed form vs recurrence, every gradient"] = max(
                        rel_error(g[k], g2[k]) for k in g)
    return errs
