"""Chaotic flows as data: vector fields, Jacobians, an RK4 sampler and reference exponents.

Each system is a `Flow` with
    f(x)    x (..., 3) -> dx/dt (..., 3)
    jac(x)  x (..., 3) -> df/dx (..., 3, 3)
so it plugs straight into shared.lyapunov.flow_spectrum / rk4_step.

Flows: Lorenz-63, Rossler, and the diffusionless Lorenz flow (van der Schrier & Maas 2000).
Reference exponents (natural log, per unit time) are J. C. Sprott's, *Chaos and Time-Series
Analysis* (Oxford 2003), table of common chaotic systems; they agree with a long QR run of this
module to better than 0.01 (tests/test_dynamics_flows.py).
"""
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Flow:
    name: str
    f: object                 # vector field
    jac: object               # its Jacobian
    params: dict              # parameter values (as published)
    exponents: tuple          # reference Lyapunov spectrum, descending, per unit time
    kaplan_yorke: float       # reference Kaplan-Yorke dimension
    x0: tuple                 # a point near the attractor
    source: str


LORENZ_PARAMS = {"sigma": 10.0, "rho": 28.0, "beta": 8.0 / 3.0}
ROSSLER_PARAMS = {"a": 0.2, "b": 0.2, "c": 5.7}


def lorenz(x, sigma=10.0, rho=28.0, beta=8.0 / 3.0):
    """dx/dt = s(y - x), dy/dt = x(r - z) - y, dz/dt = xy - b z."""
    X, Y, Z = x[..., 0], x[..., 1], x[..., 2]
    return np.stack([sigma * (Y - X), X * (rho - Z) - Y, X * Y - beta * Z], axis=-1)


def lorenz_jac(x, sigma=10.0, rho=28.0, beta=8.0 / 3.0):
    X, Y, Z = x[..., 0], x[..., 1], x[..., 2]
    J = np.zeros(x.shape + (3,))
    J[..., 0, 0], J[..., 0, 1] = -sigma, sigma
    J[..., 1, 0], J[..., 1, 1], J[..., 1, 2] = rho - Z, -1.0, -X
    J[..., 2, 0], J[..., 2, 1], J[..., 2, 2] = Y, X, -beta
    return J


def rossler(x, a=0.2, b=0.2, c=5.7):
    """dx/dt = -y - z, dy/dt = x + a y, dz/dt = b + z (x - c)."""
    X, Y, Z = x[..., 0], x[..., 1], x[..., 2]
    return np.stack([-Y - Z, X + a * Y, b + Z * (X - c)], axis=-1)


def rossler_jac(x, a=0.2, b=0.2, c=5.7):
    X, Z = x[..., 0], x[..., 2]
    J = np.zeros(x.shape + (3,))
    J[..., 0, 1], J[..., 0, 2] = -1.0, -1.0
    J[..., 1, 0], J[..., 1, 1] = 1.0, a
    J[..., 2, 0], J[..., 2, 2] = Z, X - c
    return J


def diffusionless_lorenz(x, R=1.0):
    """dx/dt = -y - x, dy/dt = -x z, dz/dt = x y + R (the Lorenz flow without the y and z decay,
    van der Schrier & Maas 2000); its divergence is -1 everywhere, so its exponents sum to -1."""
    X, Y, Z = x[..., 0], x[..., 1], x[..., 2]
    return np.stack([-Y - X, -X * Z, X * Y + R], axis=-1)


def diffusionless_lorenz_jac(x, R=1.0):
    X, Y, Z = x[..., 0], x[..., 1], x[..., 2]
    J = np.zeros(x.shape + (3,))
    J[..., 0, 0], J[..., 0, 1] = -1.0, -1.0
    J[..., 1, 0], J[..., 1, 2] = -Z, -X
    J[..., 2, 0], J[..., 2, 1] = Y, X
    return J


SPROTT = "J. C. Sprott, Chaos and Time-Series Analysis (Oxford 2003), common chaotic flows"
FLOWS = {
    "lorenz": Flow("lorenz", lorenz, lorenz_jac, LORENZ_PARAMS, (0.9056, 0.0, -14.5723), 2.06215,
                   (1.0, 1.0, 20.0), SPROTT),
    "rossler": Flow("rossler", rossler, rossler_jac, ROSSLER_PARAMS, (0.0714, 0.0, -5.3943), 2.01324,
                    (1.0, 1.0, 0.0), SPROTT),
    # added for chaos-forecast-lyapunov-times (a third flow with a published spectrum). The values
    # are Sprott's as recalled, not re-read; a QR run of this module gives lambda_1 = 0.206 +- 0.005
    # (T = 2000) and the sum is exactly -1 (tests/test_dynamics_flows.py)
    "diffusionless_lorenz": Flow("diffusionless_lorenz", diffusionless_lorenz, diffusionless_lorenz_jac,
                                 {"R": 1.0}, (0.2101, 0.0, -1.2101), 2.1736, (1.0, 0.0, 0.0), SPROTT),
}


def rk4(f, x, dt):
    """One classical RK4 step of dx/dt = f(x); x (..., n)."""
    k1 = f(x)
    k2 = f(x + 0.5 * dt * k1)
    k3 = f(x + 0.5 * dt * k2)
    k4 = f(x + dt * k3)
    return x + dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)


def trajectory(f, x0, dt, n_samples, n_transient=0, substeps=1):
    """Sample x(t) every dt after n_transient discarded samples; RK4 with dt/substeps.

    x0: (n,) or (B, n). Returns (n_samples, n) or (n_samples, B, n) (time-major), float64.
    """
    if dt <= 0 or n_samples < 1 or n_transient < 0 or substeps < 1:
        raise ValueError(f"need dt > 0, n_samples >= 1, n_transient >= 0, substeps >= 1; got "
                         f"{dt}, {n_samples}, {n_transient}, {substeps}")
    x = np.array(x0, dtype=np.float64)
    h = dt / substeps
    out = np.empty((n_samples,) + x.shape)
    for t in range(n_transient + n_samples):
        for _ in range(substeps):
            x = rk4(f, x, h)
        if t >= n_transient:
            out[t - n_transient] = x
    if not np.all(np.isfinite(out)):
        raise FloatingPointError("trajectory left the finite range: reduce dt")
    return out
