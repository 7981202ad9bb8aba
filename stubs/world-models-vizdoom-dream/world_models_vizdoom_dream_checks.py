"""The gradient checks behind ``world_models_vizdoom_dream.py --gradcheck``: V's (with its KL floor)
and M's hand-written backward passes (family core ``shared/world_models``; M with its death head
and a mask of episodes ending inside the window) against central differences in float64, on small
nets. M's loss is an average over steps, sequences and latents, and some of its weights move it by
~1e-4, so its differences are Richardson-extrapolated (eps 1e-3 and 5e-4)."""
import numpy as np

from shared.gradcheck import check_gradients
from shared.world_models import mdn_rnn, vae


def small_m(rng, Z=3, H=4, K=2, T=6, B=3):
    """A small M with its death head, inputs [z, a], targets, deaths and a mask: episode 0 ends
    (dies) at step 3, episode 2 at step 1, episode 1 runs past the window."""
    cell, m = mdn_rnn.make_cell(Z + 1, H), mdn_rnn.init(rng, Z, 1, H, K, done=True)
    m["b"] = m["b"] + rng.normal(0, 0.3, m["b"].shape)
    m["bd"] = m["bd"] + 0.3
    xs, tgt = rng.standard_normal((T, B, Z + 1)), rng.standard_normal((T, B, Z))
    mask, done = np.ones((T, B)), np.zeros((T, B))
    mask[4:, 0], mask[2:, 2] = 0.0, 0.0
    done[3, 0], done[1, 2] = 1.0, 1.0
    return cell, m, xs, tgt, done, mask, Z, K


def gradcheck(args):
    """{name: largest relative error} over every weight tensor of V and M."""
    rng = np.random.default_rng(args.seed)
    p = vae.init(rng, 12, 3, 6)
    for k in ("b1", "b3", "b4"):
        p[k] = p[k] + rng.normal(0, 0.3, p[k].shape)
    x, eps = rng.random((6, 12)), rng.standard_normal((6, 3))
    # the KL floor halfway between the frames' 3rd and 4th KL: three frames under it, three above
    mu, lv = vae.encode(p, x)
    kl = np.sort(-0.5 * (1 + lv - mu ** 2 - np.exp(lv)).sum(1))
    tol = 0.5 * (kl[2] + kl[3]) / mu.shape[1]
    errs = {f"V.{k}": e for k, e in check_gradients(lambda: vae.loss_and_grads(p, x, eps, tol)[0], p,
                                                     vae.loss_and_grads(p, x, eps, tol)[2]).items()}
    cell, m, xs, tgt, done, mask, Z, K = small_m(rng)

    def loss():
        return mdn_rnn.loss_and_grads_done(cell, m, xs, tgt, done, mask, Z, K)[0]["total"]
    g = mdn_rnn.loss_and_grads_done(cell, m, xs, tgt, done, mask, Z, K)[1]
    errs.update({f"M.{k}": e for k, e in check_gradients(loss, m, g, eps=1e-3, richardson=True).items()})
    return errs
