"""The dynamics family's flows: Jacobians by finite differences, reference spectra by QR."""
import numpy as np
import pytest

import shared  # noqa: F401
from shared import lyapunov
from shared.dynamics import flows
from shared.gradcheck import numeric_jacobian, rel_error


@pytest.mark.parametrize("name", sorted(flows.FLOWS))
def test_jacobian_matches_finite_differences(name):
    fl = flows.FLOWS[name]
    x = np.array([1.3, -2.1, 7.5])
    num = numeric_jacobian(fl.f, x)
    assert rel_error(fl.jac(x), num) < 1e-7
    # batched calls give the same per-row answers
    xb = np.stack([x, 2 * x])
    assert np.allclose(fl.jac(xb)[1], fl.jac(2 * x)) and np.allclose(fl.f(xb)[0], fl.f(x))


@pytest.mark.parametrize("name", sorted(flows.FLOWS))
def test_reference_spectrum(name):
    fl = flows.FLOWS[name]
    x0 = flows.trajectory(fl.f, np.array(fl.x0), 0.01, 1, n_transient=5000)[0]
    dt, qr_every = 0.01, 10
    lam = lyapunov.flow_spectrum(fl.f, fl.jac, x0, dt, 50_000, n_transient=2000, qr_every=qr_every)
    ref = np.array(fl.exponents)
    assert abs(lam[0] - ref[0]) < 0.03 and abs(lam[1]) < 0.01 and abs(lam[2] - ref[2]) < 0.05


def test_trajectory_bad_input():
    with pytest.raises(ValueError):
        flows.trajectory(flows.lorenz, np.ones(3), 0.0, 10)


def test_diffusionless_lorenz_sum_identity():
    """Its divergence is -1 everywhere, so the exponents sum to -1 at any length (RK4 error aside)."""
    fl = flows.FLOWS["diffusionless_lorenz"]
    x0 = flows.trajectory(fl.f, np.array(fl.x0), 0.01, 1, n_transient=2000)[0]
    lam = lyapunov.flow_spectrum(fl.f, fl.jac, x0, 0.01, 5000, qr_every=10)
    assert abs(lam.sum() + 1.0) < 1e-6
