"""Checks of chaos_forecast_lyapunov_times: what --gradcheck runs, and the two checks every headline
run repeats on its own trained models (the fast QR path against shared.lyapunov.qr_spectrum on
explicit Jacobians; the sum identity along the closed loop's own trajectory).

No gradient is trained in this stub (both readouts are closed form). --gradcheck checks the ridge
objective's analytic gradient by central differences and its vanishing at the closed-form solution,
and the closed-loop Jacobians of the ESN and NVAR maps against numeric Jacobians.
"""
import numpy as np
from chaos_forecast_lyapunov_times import (esn_init, esn_jacobian, esn_spectrum, esn_step, nvar_jacobian,
                                           nvar_step, ridge, ridge_loss)

from shared.gradcheck import check_gradients, numeric_jacobian, rel_error
from shared.lyapunov import qr_spectrum


def _esn_states(p, W_out, r0, n):
    """The closed-loop states r_0 .. r_{n-1} of all seeds, each (S, 1, N)."""
    r = r0[:, None]
    for _ in range(n):
        yield r
        r = esn_step(p, W_out, r)


def fast_path_error(p, W_out, r0, n_steps, dt):
    """Seed 0: largest |difference| between esn_spectrum's top 3 exponents over n_steps and
    qr_spectrum's on the explicit Jacobians along the same closed-loop states (same initial frame)."""
    p0, W0 = {key: v[:1] for key, v in p.items()}, W_out[:1]
    k = min(3, r0.shape[-1])
    fast = esn_spectrum(p0, W0, r0[:1], 0, n_steps, k, dt, 7)[0][0]
    slow = qr_spectrum((esn_jacobian(p0, W0, r)[0][:, 0] for r in _esn_states(p0, W0, r0[:1], n_steps)),
                       k=k, dt=dt, rng=7)[0]
    return float(np.max(np.abs(fast - slow)))


def esn_sum_identity(p, W_out, r0, n_steps, dt):
    """Seed 0's full closed-loop spectrum over n_steps (qr_spectrum on explicit Jacobians, k = N)
    against the time mean of ln|det J_t| on the same trajectory; returns (sum of exponents, mean
    log-det, top 3 exponents from the explicit Jacobians) per unit time."""
    p0 = {key: v[:1] for key, v in p.items()}
    state = {"r": r0[:1, None], "logdet": 0.0}

    def jacobians():
        for _ in range(n_steps):
            J, state["r"] = esn_jacobian(p0, W_out[:1], state["r"])
            state["logdet"] += np.linalg.slogdet(J[0, 0])[1]
            yield J[0, 0]
    lam = qr_spectrum(jacobians(), dt=dt)
    return float(lam.sum()), state["logdet"] / (n_steps * dt), lam[:3]


def gradcheck(args=None):
    """No gradient is trained (both readouts are closed form). Checked: the ridge objective's
    analytic gradient by central differences, its vanishing at the closed-form W_out, and the
    closed-loop Jacobians of the ESN and NVAR maps against numeric Jacobians."""
    rng = np.random.default_rng(0)
    errs = {}
    X, Y, beta = rng.standard_normal((2, 30, 7)), rng.standard_normal((2, 30, 3)), 0.3
    W = rng.standard_normal((2, 3, 7))
    errs.update({f"ridge objective d/d{k}": v for k, v in check_gradients(
        lambda: ridge_loss(W, X, Y, beta)[0], {"W": W}, {"W": ridge_loss(W, X, Y, beta)[1]},
        eps=1e-5).items()})
    W_star = ridge(X, Y, beta)
    errs["ridge gradient at the closed form / scale"] = float(
        np.abs(ridge_loss(W_star, X, Y, beta)[1]).max() / np.abs(ridge_loss(W, X, Y, beta)[1]).max())
    p = esn_init(rng, 2, 12, 4, 1.2, 0.5)
    W_out = 0.3 * rng.standard_normal((2, 3, 12))
    r = np.tanh(rng.standard_normal((2, 1, 12)))
    J = esn_jacobian(p, W_out, r)[0]
    errs["ESN closed-loop Jacobian"] = rel_error(J, numeric_jacobian(lambda z: esn_step(p, W_out, z), r))
    Wn = 0.05 * rng.standard_normal((2, 3, 28))
    z = rng.standard_normal((2, 1, 6))
    errs["NVAR closed-loop Jacobian"] = rel_error(nvar_jacobian(Wn, z)[0],
                                                  numeric_jacobian(lambda q: nvar_step(Wn, q), z))
    return errs
