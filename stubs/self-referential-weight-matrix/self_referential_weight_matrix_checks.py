"""Gradient checks of stubs/self-referential-weight-matrix (loaded on demand by --gradcheck).

The analytic gradient of the query loss with respect to W(1), taken by backpropagation through
the activations and the whole weight trajectory, against central differences in float64. Every
group is in the batch: the four variants (write on/off, reset on/off) on the cross-entropy and
the full net on the paper's squared error. Weights are drawn large, and the address
match is taken both broad and at the headline's sharpness, so that the read, the write and the
eval paths all carry gradient of a size the differences can resolve. The differences are
Richardson-extrapolated (eps 1e-3 and 5e-4, error O(eps^4)): plain central differences at eps
1e-6 are round-off bound on gradients of about 1e-5 and wander to relative errors of 1e-5.
"""
from shared.gradcheck import check_gradients


def run_checks(rng, L, cfg, n_samples=120):
    """dict check name -> largest relative error over n_samples sampled W(1) entries (of N * M
    per net, one net per group), at two match sharpnesses."""
    import self_referential_weight_matrix as srwm
    A = srwm.addresses(L)
    per = 2
    write, reset, sse = srwm.variant_masks(1, per)
    P = len(srwm.GROUPS)
    out = {}
    for beta in (1.0, cfg["beta"]):
        fn, demo, query = srwm.episodes(rng, P * per, cfg)
        sch = srwm.schedule(fn, demo, query, cfg)
        W0 = rng.normal(0.0, 1.0, (P, L["N"], L["M"]))

        def loss(W0=W0, sch=sch, beta=beta):
            return srwm.forward(srwm.expand(W0, per), sch, write, reset, A, L, beta, sse=sse)["loss"] * P

        _, g = srwm.loss_and_grad(W0, sch, write, reset, A, L, beta, per, sse=sse)
        err = check_gradients(loss, {"W0": W0}, {"W0": g}, eps=1e-3, n_samples=n_samples, rng=rng,
                              richardson=True)
        out[f"W(1), beta = {beta:g}, every group"] = err["W0"]
    return out
