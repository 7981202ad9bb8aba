"""Gradient checks of modern_hopfield_retrieval.py (float64, central differences): the energy
gradient dE/dxi = xi - f(xi) and the update's Jacobian J = beta X (diag p - p p^T) X^T, at states
in all three regimes (small, medium and large beta)."""

import numpy as np

from modern_hopfield_retrieval import energy, energy_grad, jacobian, update
from shared.gradcheck import check_gradients


def gradcheck():
    rng = np.random.default_rng(0)
    d, N = 6, 5
    X = rng.standard_normal((d, N))
    errs = {}
    for beta in (0.05, 0.7, 4.0):
        params = {"xi": rng.standard_normal((1, d))}

        def energy_sum(params=params, beta=beta):
            return float(energy(params["xi"], X, beta).sum())

        grad = {"xi": energy_grad(params["xi"], X, beta)}
        err = check_gradients(energy_sum, params, grad, eps=1e-5, richardson=True)["xi"]
        errs[f"energy gradient beta={beta:g}"] = err
        # the Jacobian row by row: d (e_j . f(xi)) / d xi = row j of J
        J = jacobian(update(params["xi"], X, beta)[1], X, beta)[0]
        for j in range(d):

            def component(j=j, params=params, beta=beta):
                return float(update(params["xi"], X, beta)[0][0, j])

            errs[f"jacobian row {j} beta={beta:g}"] = check_gradients(
                component, params, {"xi": J[j][None]}, eps=1e-4, richardson=True
            )["xi"]
    return errs
