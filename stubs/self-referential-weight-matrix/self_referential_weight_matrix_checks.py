"""Gradient checks of stubs/self-referential-weight-matrix (loaded on demand by --gradcheck).

The analytic gradient of the query loss with respect to W(1), taken by backpropagation through
the activations and the whole weight trajectory, against central differences in float64. Each
group is checked on its own episodes: the four variants (write on/off, reset on/off) on the
cross-entropy and the full net on the paper's squared error. Weights are drawn large, and the
address match is taken both broad and at the headline's sharpness, so that the read, the write
and the eval paths all carry gradient of a size the differences can resolve. The differences are
Richardson-extrapolated (eps 1e-3 and 5e-4, error O(eps^4)): plain central differences at eps
1e-6 are round-off bound on gradients of about 1e-5 and wander to relative errors of 1e-5.
Entries whose gradient is below 1e-7 (units saturated by the large weights; the squared error
has no cross-entropy to undo the logistic's flat tails) are left out of the sample: there the
differences measure round-off, not the gradient. A draw with no entry above that is redrawn
smaller.
"""
import numpy as np

from shared.gradcheck import check_gradients

PER = 2          # episodes per net
SMALL = 1e-7     # gradients below this are round-off for the differences at eps 1e-3


def run_checks(rng, L, cfg, n_samples=120):
    """dict check name -> largest relative error over up to n_samples sampled W(1) entries (of
    N * M per net, one net per group, each on its own episodes), at two match sharpnesses."""
    import self_referential_weight_matrix as srwm
    A = srwm.addresses(L)
    out = {}
    for beta in (1.0, cfg["beta"]):
        worst = 0.0
        for group in srwm.GROUPS:
            write, reset, sse = srwm.variant_masks(1, PER, [group])
            fn, demo, query = srwm.episodes(rng, PER, cfg)
            sch = srwm.schedule(fn, demo, query, cfg)
            scale = 1.0
            for _ in range(20):     # a draw that saturates o at every query leaves nothing to check
                W0 = rng.normal(0.0, scale, (1, L["N"], L["M"]))
                _, g = srwm.loss_and_grad(W0, sch, write, reset, A, L, beta, PER, sse=sse)
                big = np.flatnonzero(np.abs(g.reshape(-1)) > SMALL)
                if big.size:
                    break
                scale *= 0.8
            else:
                raise RuntimeError(f"gradient check: no entry of W(1) above {SMALL} ({group})")

            def loss(W0=W0, sch=sch, beta=beta, write=write, reset=reset, sse=sse):
                return srwm.forward(srwm.expand(W0, PER), sch, write, reset, A, L, beta, sse=sse)["loss"]

            pick = rng.choice(big, size=min(n_samples, big.size), replace=False)
            worst = max(worst, _check_entries(loss, W0, g, pick))
        out[f"W(1), beta = {beta:g}, every group"] = worst
    return out


def _check_entries(loss, W0, g, idx):
    """Largest relative error of g against Richardson central differences of loss() at the
    flat entries idx of W0 (each a one-entry view, perturbed in place and restored)."""
    errs = []
    flat, gf = W0.reshape(-1), g.reshape(-1)
    for i in idx:
        sub = {"w": flat[i:i + 1]}
        errs.append(check_gradients(loss, sub, {"w": gf[i:i + 1]}, eps=1e-3, richardson=True)["w"])
    return max(errs)
