"""shared.gradcheck: finite differences catch a planted bug, restore the parameters, Richardson."""
import numpy as np
import pytest

from shared.gradcheck import check_gradients


def _rnn_setup(seed=0, T=6, B=3, n_in=2, H=4):
    rng = np.random.default_rng(seed)
    params = {"Wx": rng.normal(0, 0.6, (n_in, H)), "Wh": rng.normal(0, 0.6, (H, H)),
              "b": rng.normal(0, 0.3, H), "h0": rng.normal(0, 0.5, (B, H))}
    x = rng.normal(size=(T, B, n_in))
    y = rng.normal(size=(B, H))
    return params, x, y


def _rnn_loss_and_grads(params, x, y, bug=None):
    """h_t = tanh(x_t Wx + h_{t-1} Wh + b); loss = 0.5 |h_T - y|^2; exact BPTT."""
    hs = [params["h0"]]
    for t in range(x.shape[0]):
        hs.append(np.tanh(x[t] @ params["Wx"] + hs[-1] @ params["Wh"] + params["b"]))
    loss = 0.5 * np.sum((hs[-1] - y) ** 2)
    g = {k: np.zeros_like(v) for k, v in params.items()}
    dh = hs[-1] - y
    for t in range(x.shape[0] - 1, -1, -1):
        dz = dh * (1 - hs[t + 1] ** 2)
        g["Wx"] += x[t].T @ dz
        g["Wh"] += hs[t].T @ dz
        g["b"] += dz.sum(0)
        dh = dz @ params["Wh"].T
    g["h0"] = dh
    if bug == "Wh":
        g["Wh"] = g["Wh"] * 1.01            # a planted 1 % error in one tensor
    return loss, g


def test_gradcheck_passes_correct_bptt():
    params, x, y = _rnn_setup()
    _, g = _rnn_loss_and_grads(params, x, y)
    errs = check_gradients(lambda: _rnn_loss_and_grads(params, x, y)[0], params, g)
    assert set(errs) == set(params)
    assert max(errs.values()) < 1e-7, errs


def test_gradcheck_flags_exactly_the_planted_bug():
    params, x, y = _rnn_setup(0)
    _, g = _rnn_loss_and_grads(params, x, y, bug="Wh")
    errs = check_gradients(lambda: _rnn_loss_and_grads(params, x, y)[0], params, g)
    assert errs["Wh"] > 1e-3
    assert all(v < 1e-7 for k, v in errs.items() if k != "Wh"), errs


def test_gradcheck_restores_parameters_bit_identically():
    params, x, y = _rnn_setup(2)
    before = {k: v.copy() for k, v in params.items()}
    _, g = _rnn_loss_and_grads(params, x, y)
    check_gradients(lambda: _rnn_loss_and_grads(params, x, y)[0], params, g, n_samples=5,
                    rng=np.random.default_rng(0))
    for k in params:
        assert params[k].tobytes() == before[k].tobytes()


def test_richardson_extrapolation_is_more_accurate_and_still_catches_bugs():
    params, x, y = _rnn_setup(4, T=12)
    _, g = _rnn_loss_and_grads(params, x, y)
    loss = lambda: _rnn_loss_and_grads(params, x, y)[0]  # noqa: E731
    plain = check_gradients(loss, params, g, eps=1e-3)
    rich = check_gradients(loss, params, g, eps=1e-3, richardson=True)
    assert max(rich.values()) < 1e-7 < max(plain.values())
    _, bad = _rnn_loss_and_grads(params, x, y, bug="Wh")
    assert check_gradients(loss, params, bad, eps=1e-3, richardson=True)["Wh"] > 1e-3


def test_gradcheck_sampling_and_errors():
    params, x, y = _rnn_setup(3)
    _, g = _rnn_loss_and_grads(params, x, y)
    calls = []

    def loss():
        calls.append(1)
        return _rnn_loss_and_grads(params, x, y)[0]
    check_gradients(loss, params, g, n_samples=2)
    assert len(calls) == 2 * 2 * len(params)              # 2 coordinates x 2 evaluations per tensor
    with pytest.raises(ValueError, match="keys"):
        check_gradients(loss, params, {"Wx": g["Wx"]})
    with pytest.raises(ValueError, match="float64"):
        check_gradients(loss, {"a": np.zeros(3, np.float32)}, {"a": np.zeros(3)})
    with pytest.raises(ValueError, match="shape"):
        check_gradients(loss, {"a": np.zeros(3)}, {"a": np.zeros(4)})


def test_complex_step_is_exact_on_a_tiny_coordinate_and_catches_a_wrong_one():
    from shared.gradcheck import complex_step_gradients
    rng = np.random.default_rng(3)
    p = {"W": rng.normal(size=(3, 4)), "b": rng.normal(size=4)}
    p["W"][0, 0] = -40.0                                  # behind a saturated tanh: gradient ~1e-34
    x = rng.normal(size=(5, 3))

    def loss(q):
        return 0.5 * np.sum(np.tanh(x @ q["W"] + q["b"]) ** 2)
    y = np.tanh(x @ p["W"] + p["b"])
    d = y * (1 - y ** 2)
    grads = {"W": x.T @ d, "b": d.sum(axis=0)}
    errs = complex_step_gradients(loss, p, grads)
    assert max(errs.values()) < 1e-9              # (the analytic side rounds 1 - y^2 there)
    grads["b"] = grads["b"] * (1 + 1e-5)
    assert complex_step_gradients(loss, p, grads)["b"] > 1e-6
