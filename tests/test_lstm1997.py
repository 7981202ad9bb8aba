"""The 1997 LSTM family core (shared/lstm1997): fast paths against the paper's plain step, the
truncated gradient against a second implementation, exact BPTT and Jacobians against finite
differences; for the 1997 cell and the forget-gate variant, one and several cells per block, with
and without a bias row, in the "tanh" and the "sigma" arithmetic, on input vectors or on symbols;
an error at the last step or at every step; BPTT's second (deriv_first) order of operations;
float32 weights; and the tanh RNN baseline
(tanh_rnn.py) the same way."""
import numpy as np
import pytest

from shared.gradcheck import check_gradients, numeric_jacobian
from shared.lstm1997 import cell, tanh_rnn

# name: (n_in, blocks, cells per block, forget gate, bias row, arithmetic, symbol inputs)
LAYOUTS = {"2x2": (2, 2, 2, False, True, "tanh", False), "3x1": (1, 3, 1, False, True, "tanh", False),
           "2x3": (3, 2, 3, False, True, "tanh", False), "2x2 forget": (2, 2, 2, True, True, "tanh", False),
           "2x1 no bias": (4, 2, 1, False, False, "tanh", False),
           "2x2 forget, sigma": (2, 2, 2, True, True, "sigma", False),
           "2x1 no bias, sigma, symbols": (6, 2, 1, False, False, "sigma", True)}  # Exp. 2c's net


def _setup(name, L=9, S=2, N=3, scale=1.0, seed=0):
    n_in, nb, bs, forget, bias, arith, symbols = LAYOUTS[name]
    net = cell.Blocks(n_in, nb, bs, forget=forget, bias=bias, arith=arith)
    rng = np.random.default_rng(seed)
    W = cell.init_weights(net, rng, S, scale=scale)
    x = rng.integers(0, n_in, size=(L, S, N)) if symbols else rng.normal(size=(L, S, N, n_in))
    last = np.full((S, N), L - 1)
    last[0, 0] = L - 3                                       # one sequence ends early
    return net, rng, W, x, last


def test_layout_and_weight_count_of_the_papers_nets():
    assert cell.Blocks(2, 2, 2).n_weights() + 5 == 93          # Exp. 4 and 5: 8 * 11 + (4 + 1)
    assert cell.Blocks(8, 2, 2).n_weights() + 4 * 5 == 156     # Exp. 6a
    assert cell.Blocks(8, 3, 2).n_weights() + 8 * 7 == 308     # Exp. 6b
    net = cell.Blocks(2, 2, 2, forget=True)
    assert (net.i_sl, net.f_sl, net.g_sl, net.o_sl) == (slice(0, 2), slice(2, 4), slice(4, 8), slice(8, 10))
    assert net.blk.tolist() == [0, 0, 1, 1]
    W = cell.init_weights(net, np.random.default_rng(0), 3, in_bias=[-3.0, -6.0], forget_bias=3.0)
    assert np.all(W[:, -1, net.i_sl] == [-3.0, -6.0]) and np.all(W[:, -1, net.f_sl] == 3.0)
    net = cell.Blocks(54, 2, 1, bias=False)                     # Exp. 2c (p = 50): no bias row
    assert net.D == 54 + 6 and net.n_weights() + 2 * 2 == 364
    with pytest.raises(ValueError):
        cell.init_weights(net, np.random.default_rng(0), 1, in_bias=[-1.0, -2.0])


def test_squashings_are_the_papers():
    z = np.linspace(-8, 8, 33)
    sig = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(cell.g(z), 4 * sig - 2, atol=1e-14)
    np.testing.assert_allclose(cell.h(z), 2 * sig - 1, atol=1e-14)
    np.testing.assert_allclose(cell.dg(cell.g(z)), 4 * sig * (1 - sig), atol=1e-14)
    np.testing.assert_allclose(cell.dh(z), 2 * sig * (1 - sig), atol=1e-14)
    np.testing.assert_allclose(cell.dh_sigma(z), 2 * sig * (1 - sig), atol=1e-14)
    with pytest.raises(ValueError):
        cell.Blocks(2, 2, 2, arith="exp")


def _fast_forwards(net):
    return ["forward", "forward_folded"] if net.arith == "tanh" else ["forward"]


@pytest.mark.parametrize("name", LAYOUTS)
@pytest.mark.parametrize("fast", ["forward", "forward_folded"])
def test_fast_forward_equals_the_reference_step(name, fast):
    net, _, W, x, _ = _setup(name)
    if fast not in _fast_forwards(net):
        with pytest.raises(ValueError):
            getattr(cell, fast)(net, W, x)
        return
    ref = cell.reference_forward(net, W, x)
    got = getattr(cell, fast)(net, W, x)
    for k in ("U", "act", "s", "yc"):
        assert got[k].shape == ref[k].shape, k
        np.testing.assert_allclose(got[k], ref[k], atol=1e-12, err_msg=k)


@pytest.mark.parametrize("name", LAYOUTS)
def test_step_equals_the_reference_step(name):
    """``step`` in the net's arithmetic: the reference's values, step after step; for a "sigma"
    net ``forward`` is that loop bit for bit, and the squashings are the sigma forms."""
    net, _, W, x, _ = _setup(name)
    s, r = np.zeros(x.shape[1:3] + (net.C,)), np.zeros(x.shape[1:3] + (net.H,))
    cache = cell.forward(net, W, x)
    for t in range(x.shape[0]):
        s_prev, r_prev = s, r
        a_ref, s_ref, r_ref = cell.reference_step(net, W, x[t], s, r)
        a, s, r = cell.step(net, W, x[t], s, r)
        for got, ref in ((a, a_ref), (s, s_ref), (r, r_ref)):
            np.testing.assert_allclose(got, ref, atol=1e-12)
        if net.arith == "sigma":
            # the same net in the tanh arithmetic: gates equal, g = 2 tanh(net/2) there, 4 sigma - 2 here
            tanh_net = cell.Blocks(net.n_in, net.B, net.bs, forget=net.forget, bias=net.bias)
            a_tanh = cell.step(tanh_net, W, x[t], s_prev, r_prev)[0]
            half = a_tanh[..., net.g_sl] / 2.0                            # tanh(net_c/2), exactly
            np.testing.assert_array_equal(a[..., net.g_sl], 4.0 * (0.5 + 0.5 * half) - 2.0)
            gates = np.r_[net.i_sl, net.f_sl, net.o_sl]
            np.testing.assert_array_equal(a[..., gates], a_tanh[..., gates])
            np.testing.assert_array_equal(cache["act"][t], a)
            np.testing.assert_array_equal(cache["s"][t + 1], s)
            np.testing.assert_array_equal(cache["yc"][t], r[..., net.g_sl])


@pytest.mark.parametrize("arith", ["tanh", "sigma"])
def test_symbols_are_one_hot_inputs(arith):
    """Integer symbols read as their one-hot vectors in every pass (rows of W in ``step``)."""
    net = cell.Blocks(5, 2, 1, bias=False, arith=arith)
    rng = np.random.default_rng(3)
    W = cell.init_weights(net, rng, 2, scale=1.0)
    sym = rng.integers(0, 5, size=(7, 2, 3))
    x = np.eye(5)[sym]
    last = np.full((2, 3), 6)
    last[1, 0] = 3
    for fast in ["reference_forward"] + _fast_forwards(net):
        a, b = getattr(cell, fast)(net, W, sym), getattr(cell, fast)(net, W, x)
        for k in ("U", "act", "s", "yc"):
            np.testing.assert_allclose(a[k], b[k], rtol=0, atol=1e-15, err_msg=f"{fast} {k}")
    np.testing.assert_allclose(cell.forward_last(net, W, sym, last), cell.forward_last(net, W, x, last),
                               rtol=0, atol=1e-15)
    rows = np.stack([W[k][sym[0, k]] for k in range(2)])                 # W's rows, no product
    np.testing.assert_array_equal(cell.input_part(net, W, sym[0]), rows)


@pytest.mark.parametrize("name", LAYOUTS)
def test_evaluation_pass_gives_the_reference_outputs_at_the_last_step(name):
    net, _, W, x, last = _setup(name)
    si, ni = np.indices(last.shape)
    ref = cell.reference_forward(net, W, x)["yc"][last, si, ni]
    np.testing.assert_allclose(cell.forward_last(net, W, x, last), ref, atol=1e-12)


def test_forward_follows_float32_weights():
    """float32 W: the state and the cache stay float32 (two-sequence-noise trains so) and agree
    with the plain float64 step to float32 round-off."""
    net, _, W, x, _ = _setup("3x1", scale=0.5)
    ref = cell.reference_forward(net, W, x)
    got = cell.forward(net, W.astype(np.float32), x.astype(np.float32))
    for k in ("U", "act", "s", "yc"):
        assert got[k].dtype == np.float32, k
        np.testing.assert_allclose(got[k], ref[k], atol=2e-5, err_msg=k)


def test_the_1997_cell_is_a_constant_error_carousel():
    """Input gates shut: s_c(t) = s_c(t-1) exactly (no forget gate, no decay)."""
    net, _, W, x, _ = _setup("2x2", L=30)
    W[:, -1, net.i_sl] = -60.0
    s = cell.forward(net, W, x)["s"]
    assert np.abs(s[1:] - s[1]).max() < 1e-12


def _loss(net, W, x, last, V):
    """A last-step squared error through a linear map of y_c, for the gradient checks."""
    yc = cell.reference_forward(net, W, x)["yc"]
    S, N = last.shape
    si, ni = np.indices((S, N))
    return 0.5 * np.sum(np.einsum("snc,sc->sn", yc[last, si, ni], V) ** 2), yc[last, si, ni]


@pytest.mark.parametrize("name", LAYOUTS)
def test_exact_bptt_matches_finite_differences(name):
    net, rng, W, x, last = _setup(name, L=6)
    V = rng.normal(size=(W.shape[0], net.C))
    _, yc_last = _loss(net, W, x, last, V)
    y = np.einsum("snc,sc->sn", yc_last, V)
    dyc = y[..., None] * V[:, None, :]
    p = {"W": W}
    g = {"W": cell.grads_bptt(net, W, cell.forward(net, W, x), dyc, last)}
    errs = check_gradients(lambda: _loss(net, p["W"], x, last, V)[0], p, g, eps=1e-3, richardson=True)
    assert max(errs.values()) < 1e-6, errs


@pytest.mark.parametrize("name", LAYOUTS)
def test_truncated_gradient_closed_form_equals_step_by_step(name):
    """Two independent implementations of Appendix A.1's truncation, on lengths that differ."""
    net, rng, W, x, last = _setup(name, L=14, scale=0.6)
    cache = getattr(cell, _fast_forwards(net)[-1])(net, W, x)
    dyc = rng.normal(size=last.shape + (net.C,))
    a = cell.grads_truncated(net, cache, dyc, last)
    b = cell.grads_bptt(net, W, cache, dyc, last, truncate=True)
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14 * np.abs(a).max())
    full = cell.grads_bptt(net, W, cache, dyc, last)
    assert np.abs(full - a).max() > 1e-3 * np.abs(full).max()      # the truncation does something


@pytest.mark.parametrize("name", LAYOUTS)
def test_deriv_first_bptt_equals_the_plain_order(name):
    """grads_bptt's deriv_first order of operations (two-sequence-noise's catalog trainer) gives
    the plain order's gradient to round-off: exact and truncated, last-step and every-step errors."""
    net, rng, W, x, last = _setup(name, L=8, scale=0.6)
    cache = cell.forward(net, W, x)
    dyc_last = rng.normal(size=last.shape + (net.C,))
    alive = (np.arange(8)[:, None, None] <= last)[..., None]
    dyc_every = rng.normal(size=(8,) + last.shape + (net.C,)) * alive
    for dyc in (dyc_last, dyc_every):
        for truncate in (False, True):
            a = cell.grads_bptt(net, W, cache, dyc, last, truncate=truncate)
            b = cell.grads_bptt(net, W, cache, dyc, last, truncate=truncate, deriv_first=True)
            np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-13 * np.abs(a).max())


@pytest.mark.parametrize("name", ["3x1", "2x2 forget"])
def test_deriv_first_bptt_matches_finite_differences(name):
    net, rng, W, x, last = _setup(name, L=6)
    V = rng.normal(size=(W.shape[0], net.C))
    _, yc_last = _loss(net, W, x, last, V)
    dyc = np.einsum("snc,sc->sn", yc_last, V)[..., None] * V[:, None, :]
    p = {"W": W}
    g = {"W": cell.grads_bptt(net, W, cell.forward(net, W, x), dyc, last, deriv_first=True)}
    errs = check_gradients(lambda: _loss(net, p["W"], x, last, V)[0], p, g, eps=1e-3, richardson=True)
    assert max(errs.values()) < 1e-6, errs


def test_deriv_first_bptt_keeps_float32_weights_in_float32():
    """With float32 weights the deriv_first errors stay float32 (the plain order's are float64)."""
    net, rng, W, x, last = _setup("3x1", L=8, scale=0.6)
    W32 = W.astype(np.float32)
    cache = cell.forward(net, W32, x.astype(np.float32))
    dyc = rng.normal(size=last.shape + (net.C,)).astype(np.float32)
    b = cell.grads_bptt(net, W32, cache, dyc, last, deriv_first=True)
    assert b.dtype == np.float32
    a = cell.grads_bptt(net, W32, cache, dyc, last)
    assert a.dtype == np.float64
    np.testing.assert_allclose(b, a, rtol=1e-3, atol=1e-5 * np.abs(a).max())


def test_truncated_gradient_ignores_steps_after_the_end():
    net, rng, W, x, last = _setup("2x2", L=10)
    dyc = rng.normal(size=last.shape + (net.C,))
    a = cell.grads_truncated(net, cell.forward(net, W, x), dyc, last)
    x2 = x.copy()
    x2[last[0, 0] + 1:, 0, 0] = 99.0                                # garbage after sequence 0's end
    b = cell.grads_truncated(net, cell.forward(net, W, x2), dyc, last)
    np.testing.assert_allclose(a, b, atol=1e-13)


def _loss_every_step(net, W, x, V, mask):
    """A squared error at every step through a linear map of y_c (masked), for the gradient checks."""
    yc = cell.reference_forward(net, W, x)["yc"]
    y = np.einsum("tsnc,sc->tsn", yc, V) * mask
    return 0.5 * np.sum(y ** 2), y[..., None] * V[None, :, None, :] * mask[..., None]


@pytest.mark.parametrize("name", LAYOUTS)
def test_exact_bptt_with_an_error_at_every_step_matches_finite_differences(name):
    net, rng, W, x, last = _setup(name, L=6)
    V = rng.normal(size=(W.shape[0], net.C))
    mask = (np.arange(6)[:, None, None] <= last).astype(float)     # no error after a sequence ends
    _, dyc = _loss_every_step(net, W, x, V, mask)
    p = {"W": W}
    g = {"W": cell.grads_bptt(net, W, cell.forward(net, W, x), dyc)}
    errs = check_gradients(lambda: _loss_every_step(net, p["W"], x, V, mask)[0], p, g, eps=1e-3,
                           richardson=True)
    assert max(errs.values()) < 1e-6, errs


@pytest.mark.parametrize("name", LAYOUTS)
def test_truncated_gradient_with_an_error_at_every_step(name):
    """The closed form (a reverse cumulative sum of the cell-state errors) equals the step-by-step
    truncation; an error at the last step only gives the last-step form's gradient."""
    net, rng, W, x, last = _setup(name, L=14, scale=0.6)
    cache = cell.forward(net, W, x)
    dyc = rng.normal(size=(14,) + last.shape + (net.C,)) * (np.arange(14)[:, None, None] <= last)[..., None]
    a = cell.grads_truncated(net, cache, dyc)
    b = cell.grads_bptt(net, W, cache, dyc, truncate=True)
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14 * np.abs(a).max())
    si, ni = np.indices(last.shape)
    at_last = np.zeros_like(dyc)
    at_last[last, si, ni] = dyc[last, si, ni]
    np.testing.assert_allclose(cell.grads_truncated(net, cache, at_last),
                               cell.grads_truncated(net, cache, dyc[last, si, ni], last), atol=1e-14)


@pytest.mark.parametrize("name", LAYOUTS)
def test_jacobians_match_finite_differences_of_the_reference_step(name):
    net, _, W, x, _ = _setup(name, L=12, scale=0.8)
    cache = cell.forward(net, W, x)
    J = cell.jacobians(net, W, cache)
    t = 6
    r_prev = cache["U"][t][..., net.n_in:net.n_in + net.H]
    z0 = np.concatenate([cache["s"][t], r_prev], -1)

    def step(z):
        _, s, r = cell.reference_step(net, W, x[t], z[..., :net.C], z[..., net.C:])
        return np.concatenate([s, r], -1)
    np.testing.assert_allclose(step(z0), np.concatenate(
        [cache["s"][t + 1], cache["U"][t + 1][..., net.n_in:net.n_in + net.H]], -1), atol=1e-12)
    np.testing.assert_allclose(J[t - 1], numeric_jacobian(step, z0), atol=1e-8)


# ----------------------------------------------------------------------------------------------
# The tanh RNN baseline (shared/lstm1997/tanh_rnn.py)
# ----------------------------------------------------------------------------------------------
def _rnn_setup(L=9, S=2, N=3, n_in=3, nh=5, scale=0.8):
    rng = np.random.default_rng(7)
    W = tanh_rnn.init_weights(rng, S, n_in, nh, scale=scale)
    x = rng.normal(size=(L, S, N, n_in))
    last = np.full((S, N), L - 1)
    last[1, 2] = L - 4
    return rng, W, x, last


def test_rnn_forward_passes_equal_the_reference_step():
    _, W, x, _ = _rnn_setup()
    h = np.zeros(x.shape[1:3] + (W.shape[-1],))
    fast, projected = tanh_rnn.forward(W, x), tanh_rnn.forward_projected(W, x)
    for t in range(x.shape[0]):
        np.testing.assert_allclose(fast["U"][t], np.concatenate([x[t], h, np.ones(h.shape[:-1] + (1,))], -1))
        h = tanh_rnn.reference_step(W, x[t], h)
        np.testing.assert_allclose(fast["yc"][t], h, atol=1e-13)
        np.testing.assert_allclose(projected["yc"][t], h, atol=1e-13)
    np.testing.assert_allclose(projected["U"], fast["U"], atol=1e-13)


def test_rnn_bptt_matches_finite_differences():
    rng, W, x, last = _rnn_setup(L=6)
    V = rng.normal(size=(W.shape[0], W.shape[-1]))
    si, ni = np.indices(last.shape)
    p = {"W": W}

    def loss():
        h = tanh_rnn.forward(p["W"], x)["yc"][last, si, ni]
        return 0.5 * np.sum(np.einsum("snh,sh->sn", h, V) ** 2)
    cache = tanh_rnn.forward(W, x)
    y = np.einsum("snh,sh->sn", cache["yc"][last, si, ni], V)
    g = {"W": tanh_rnn.grads(W, cache, y[..., None] * V[:, None, :], last)}
    errs = check_gradients(loss, p, g, eps=1e-3, richardson=True)
    assert max(errs.values()) < 1e-6, errs


def test_rnn_jacobians_match_finite_differences():
    _, W, x, _ = _rnn_setup(L=12)
    cache = tanh_rnn.forward(W, x)
    J = tanh_rnn.jacobians(W, cache)
    t = 6
    h0 = cache["yc"][t - 1]
    Jn = numeric_jacobian(lambda h: tanh_rnn.reference_step(W, x[t], h), h0)
    np.testing.assert_allclose(J[t - 1], Jn, atol=1e-8)
