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
        xi = rng.standard_normal((1, d))
        params = {"xi": xi}
        errs.update({f"energy gradient beta={beta:g}": v for v in check_gradients(
            lambda: float(energy(params["xi"], X, beta).sum()), params,
            {"xi": energy_grad(xi, X, beta)}, eps=1e-5, richardson=True).values()})
        # the Jacobian column by column: d (c . f(xi)) / d xi = J^T c = J c (J symmetric)
        J = jacobian(update(xi, X, beta)[1], X, beta)[0]
        for j in range(d):
            c = np.eye(d)[j]
            errs[f"jacobian row {j} beta={beta:g}"] = check_gradients(
                lambda c=c: float(update(params["xi"], X, beta)[0][0] @ c), params,
                {"xi": (J[j])[None]}, eps=1e-4, richardson=True)["xi"]
    return errs
