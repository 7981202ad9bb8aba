"""The gradient checks behind ``world_models_carracing.py --gradcheck``: V's and M's hand-written
backward passes (family core ``shared/world_models``) against central differences in float64, on
small nets. M's loss is an average over steps, sequences and latents, and some of its weights move
it by ~1e-4, so its differences are Richardson-extrapolated (eps 1e-3 and 5e-4)."""
import numpy as np

from shared.gradcheck import check_gradients
from shared.world_models import mdn_rnn, vae


def gradcheck(args):
    """{name: largest relative error} over every weight tensor of V and M."""
    rng = np.random.default_rng(args.seed)
    p = vae.init(rng, 12, 3, 6)
    for k in ("b1", "b3", "b4"):
        p[k] = p[k] + rng.normal(0, 0.3, p[k].shape)
    x, eps = rng.random((4, 12)), rng.standard_normal((4, 3))
    errs = {f"V.{k}": e for k, e in check_gradients(lambda: vae.loss_and_grads(p, x, eps)[0], p,
                                                     vae.loss_and_grads(p, x, eps)[2]).items()}
    Z, K, H = 3, 2, 4
    cell, m = mdn_rnn.make_cell(Z + 3, H), mdn_rnn.init(rng, Z, 3, H, K)
    m["b"] = m["b"] + rng.normal(0, 0.3, m["b"].shape)
    xs, tgt = rng.standard_normal((5, 2, Z + 3)), rng.standard_normal((5, 2, Z))
    g = mdn_rnn.loss_and_grads(cell, m, xs, tgt, Z, K)[1]
    errs.update({f"M.{k}": e for k, e in check_gradients(
        lambda: mdn_rnn.loss_and_grads(cell, m, xs, tgt, Z, K)[0], m, g, eps=1e-3, richardson=True).items()})
    return errs
