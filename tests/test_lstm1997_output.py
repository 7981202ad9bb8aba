"""The 1997 experiments' last-step output layer (shared/lstm1997/output.py): the vectorised layer
against its plain loops, for one output unit and for K, both forms of sigma; and its gradient
against finite differences (the layer alone; the whole nets are checked by the stubs' --gradcheck)."""
import numpy as np
import pytest

from shared.gradcheck import check_gradients
from shared.lstm1997 import output


def _setup(n_out, L=7, S=2, N=4, C=3, seed=0):
    rng = np.random.default_rng(seed)
    yc = rng.uniform(-1, 1, size=(L, S, N, C))
    V = rng.normal(size=(S, C + 1) if n_out is None else (S, n_out, C + 1))
    last = rng.integers(0, L, size=(S, N))
    return rng, yc, V, last


@pytest.mark.parametrize("n_out", [None, 4])
@pytest.mark.parametrize("squash", ["exp", "tanh"])
def test_readout_equals_the_plain_loop(n_out, squash):
    _, yc, V, last = _setup(n_out)
    y, feat = output.readout(V, yc, last, output.SQUASH[squash])
    assert y.shape == last.shape + (() if n_out is None else (n_out,))
    np.testing.assert_allclose(y, output.reference_readout(V, yc, last), rtol=1e-13, atol=1e-15)
    assert np.all(feat[..., -1] == 1.0)


def test_both_forms_of_sigma_agree_and_saturate():
    z = np.array([-800.0, -30.0, -1.5, 0.0, 2.0, 30.0, 800.0])
    a, b = output.logistic_tanh(z), output.SQUASH["exp"](z)
    np.testing.assert_allclose(a, b, rtol=1e-14, atol=1e-15)     # the tanh form: absolute round-off
    assert a[0] == 0.0 and a[-1] == 1.0


@pytest.mark.parametrize("n_out", [None, 4])
def test_backward_equals_the_plain_loop(n_out):
    rng, yc, V, last = _setup(n_out)
    d_net = rng.normal(size=last.shape + (() if n_out is None else (n_out,)))
    dV, dyc = output.backward(V, output.features(yc, last), d_net)
    rV, ryc = output.reference_backward(V, yc, last, d_net)
    np.testing.assert_allclose(dV, rV, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(dyc, ryc, rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("n_out", [None, 3])
def test_gradient_through_the_logistic_units_matches_finite_differences(n_out):
    """E = 1/2 sum (y - t)^2: dV, and dE/dy_c at the last steps (nothing at other steps)."""
    rng, yc, V, last = _setup(n_out, seed=1)
    y0, _ = output.readout(V, yc, last)
    target = rng.uniform(size=y0.shape)
    params = {"V": V, "yc": yc}

    def loss():
        return 0.5 * np.sum((output.readout(params["V"], params["yc"], last)[0] - target) ** 2)
    y, feat = output.readout(V, yc, last)
    dV, dyc = output.backward(V, feat, output.logistic_delta(y, y - target))
    d_yc = np.zeros_like(yc)
    si, ni = np.indices(last.shape)
    np.add.at(d_yc, (last, si, ni), dyc)
    errs = check_gradients(loss, params, {"V": dV, "yc": d_yc}, eps=1e-4, richardson=True)
    assert max(errs.values()) < 1e-8, errs
