"""Checks of the tiny-worlds family module (shared/tiny_worlds): models, worlds, statistics."""
import numpy as np
import pytest

import shared  # noqa: F401
from conftest import load_stub
from shared.gradcheck import TOLERANCE, check_gradients
from shared.lyapunov import qr_spectrum
from shared.tiny_worlds import models as M
from shared.tiny_worlds import stats as St
from shared.tiny_worlds import worlds as W

KINDS = ("rnn", "gru", "lstm")


def _setup(kind, seed=3, S=2, B=3, T=7, H=4, D=2):
    rng = np.random.default_rng(seed)
    p = M.init_params(kind, S, H, D, rng)
    x = rng.standard_normal((T, S, B, D))
    y = rng.standard_normal((T, S, B))
    h0 = 0.5 * rng.standard_normal((S, B, H))
    c0 = 0.5 * rng.standard_normal((S, B, H)) if kind == "lstm" else None
    return p, x, y, h0, c0


@pytest.mark.parametrize("kind", KINDS)
def test_bptt_matches_finite_differences(kind):
    """Every parameter tensor, the inputs and the initial state(s), float64, richardson."""
    p, x, y, h0, c0 = _setup(kind)
    every = dict(p, x=x, h0=h0)
    if c0 is not None:
        every["c0"] = c0

    def loss():
        hs, _ = M.forward(kind, p, every["x"], every["h0"], every.get("c0"))
        return M.nll_loss(p, hs, y)[0].sum()

    hs, cache = M.forward(kind, p, x, h0, c0)
    _, dpred = M.nll_loss(p, hs, y)
    grads = M.backward(p, cache, dpred)
    assert set(grads) == set(every)
    errs = check_gradients(loss, every, grads, eps=1e-3, richardson=True)
    assert max(errs.values()) < TOLERANCE, errs


@pytest.mark.parametrize("kind", KINDS)
def test_extra_hidden_gradient_and_readout_only(kind):
    """dhs (a loss on the hidden states) is back-propagated too; head=False/core=False split."""
    p, x, y, h0, c0 = _setup(kind, seed=5)
    probe = np.random.default_rng(9).standard_normal((x.shape[0], x.shape[1], x.shape[2], 4))
    every = dict(p, x=x)

    def loss():
        hs, _ = M.forward(kind, p, every["x"], h0, c0)
        return float(np.sum(probe * hs))

    hs, cache = M.forward(kind, p, x, h0, c0)
    g = M.backward(p, cache, dhs=probe)
    g = {k: (g[k] if k in g else np.zeros_like(v)) for k, v in every.items()}
    errs = check_gradients(loss, every, g, eps=1e-3, richardson=True)
    assert max(errs.values()) < TOLERANCE, errs
    _, dpred = M.nll_loss(p, hs, y)
    head = M.backward(p, cache, dpred, core=False)
    full = M.backward(p, cache, dpred)
    assert set(head) == {"w_out", "b_out"}
    np.testing.assert_allclose(head["w_out"], full["w_out"])


@pytest.mark.parametrize("kind", KINDS)
def test_step_and_jacobian(kind):
    """step() equals one forward step; jacobian() equals central differences of step()."""
    p, x, _, h0, c0 = _setup(kind, seed=7)
    H = h0.shape[-1]
    state = h0 if c0 is None else np.concatenate([h0, c0], axis=-1)
    hs, cache = M.forward(kind, p, x[:2], h0, c0)
    s1 = M.step(kind, p, state, x[0])
    np.testing.assert_allclose(s1[..., :H], hs[0], atol=1e-14)
    if kind == "lstm":
        np.testing.assert_allclose(s1[..., H:], cache["c"][0], atol=1e-14)
    J = M.jacobian(kind, p, s1, x[1])
    n = state.shape[-1]
    num = np.empty_like(J)
    for j in range(n):
        e = np.zeros(n)
        e[j] = 1e-6
        num[..., j] = (M.step(kind, p, s1 + e, x[1]) - M.step(kind, p, s1 - e, x[1])) / 2e-6
    assert np.abs(J - num).max() < 1e-8
    # the QR spectrum's sum equals the mean log|det J| along the same trajectory
    Js = [J[0], M.jacobian(kind, p, M.step(kind, p, s1, x[1]), x[2])[0]]
    lam = qr_spectrum(Js)
    logdet = np.mean([np.linalg.slogdet(j)[1] for j in Js], axis=0)
    np.testing.assert_allclose(lam.sum(-1), logdet, atol=1e-9)


def test_parameter_counts_and_init():
    """PyTorch's counts (RNN 337, GRU 977, LSTM 1297 at H = 16) and its initialisation."""
    assert [M.n_params(k, 16) for k in KINDS] == [337, 977, 1297]
    rng = np.random.default_rng(0)
    for kind, G in (("rnn", 1), ("gru", 3), ("lstm", 4)):
        p = M.init_params(kind, 3, 16, 2, rng)
        assert sum(v[0].size for v in p.values()) == M.n_params(kind, 16)
        # weight_hh = W_hh^T (G*H, H) has orthonormal columns: W_hh W_hh^T = I_H
        gram = p["W_hh"] @ np.swapaxes(p["W_hh"], 1, 2)
        np.testing.assert_allclose(gram, np.broadcast_to(np.eye(16), (3, 16, 16)), atol=1e-12)
        assert p["W_hh"].shape == (3, 16, G * 16)
        for k in ("W_ih", "b_ih", "b_hh", "w_out", "b_out"):
            assert np.abs(p[k]).max() <= 0.25
        assert np.abs(p["W_ih"]).max() > 0.2                        # U(-1/4, 1/4), not narrower
    # seeds of the ensemble differ
    p = M.init_params("gru", 2, 4, 2, rng)
    assert not np.allclose(p["W_hh"][0], p["W_hh"][1])


def test_nll_constant():
    """Fixed sigma = 0.05: NLL = 200 MSE - 2.0768."""
    assert M.nll_from_mse(0.0) == pytest.approx(-2.07679, abs=1e-5)
    assert M.nll_from_mse(0.005) - M.nll_from_mse(0.0) == pytest.approx(1.0)


def test_oscillator_world_facts():
    """Radius ~0.63 at t = 40, ~0.88 at 60, ~1.012 at 255; obs std ~0.652; baseline ~-0.86;
    shuffle null keeps each sequence's values; the i.i.d. null keeps the marginal."""
    rng = np.random.default_rng(1)
    z = W.oscillator_latent(rng, 2000, 256)
    rad = np.sqrt((z ** 2).sum(-1)).mean(axis=1)
    assert rad[40] == pytest.approx(0.63, abs=0.02) and rad[60] == pytest.approx(0.88, abs=0.02)
    assert rad[255] == pytest.approx(1.012, abs=0.002)
    w = W.make_world("oscillator", "struct", np.random.default_rng(2), n_train=2000, n_eval=640)
    assert w.train.obs.std(ddof=1) == pytest.approx(0.652, abs=0.01)
    assert St.baseline_nll(w.eval.obs, w.train_mean) == pytest.approx(-0.86, abs=0.02)
    ramp = np.broadcast_to(np.arange(256)[:, None] / 255, (256, 2000))
    np.testing.assert_allclose(w.train.inputs[:, :, 1], ramp)
    sh = W.make_world("oscillator", "shuffle", np.random.default_rng(2), n_train=2000, n_eval=640)
    np.testing.assert_allclose(np.sort(sh.train.obs, axis=0), np.sort(w.train.obs, axis=0))
    assert not np.allclose(sh.train.obs, w.train.obs)
    assert St.baseline_nll(sh.eval.obs, sh.train_mean) == pytest.approx(83.0, abs=1.5)
    iid = W.make_world("oscillator", "iid", np.random.default_rng(2), n_train=2000, n_eval=640)
    # i.i.d.: per-sequence means vary only as much as independent draws do (sd ~ 0.652 / 16)
    assert iid.train.obs.mean(axis=0).std() == pytest.approx(0.652 / 16, rel=0.1)
    assert sh.train.obs.mean(axis=0).std() > 1.3 * iid.train.obs.mean(axis=0).std()
    ns = W.make_world("oscillator", "nonstat", np.random.default_rng(2), n_train=500, n_eval=640)
    assert St.baseline_nll(ns.eval.obs, ns.train_mean) == pytest.approx(-0.845, abs=0.02)


def test_drift_and_regime_world_facts():
    """E1: x_0 = 0, slope 0.03, baseline ~-1.732; E2: regime flips at 32, 64, 96, Markov ~35.4."""
    w = W.make_world("drift", "struct", np.random.default_rng(3), n_train=2000, n_eval=640)
    assert np.allclose(w.train.latent[0], 0.0)
    assert np.diff(w.train.latent, axis=0).mean() == pytest.approx(0.03, abs=1e-3)
    np.testing.assert_allclose(w.train.inputs[0, :, 0], 0.0)
    assert St.baseline_nll(w.eval.obs, w.train_mean) == pytest.approx(-1.732, abs=0.02)
    r = W.make_world("regime", "struct", np.random.default_rng(4), n_train=4000, n_eval=640)
    flips = np.flatnonzero(np.any(r.train.latent[1:] != r.train.latent[:-1], axis=1)) + 1
    assert flips.tolist() == [32, 64, 96]
    nll, p10, p11 = St.markov_nll(r.train.obs, r.eval.obs)
    assert nll == pytest.approx(35.42, abs=0.3) and p11 == pytest.approx(0.75, abs=0.01)
    null = W.make_world("regime", "iid", np.random.default_rng(4), n_train=500, n_eval=2000)
    assert St.baseline_nll(null.eval.obs, null.train_mean) == pytest.approx(47.9232, abs=0.05)


def test_sign_flip_and_effect_sizes():
    """All-positive 20 seeds reach the 1e-4 floor; a symmetric set does not."""
    rng = np.random.default_rng(0)
    assert St.sign_flip_test(np.linspace(1, 2, 20), 9999, rng)[1] == pytest.approx(1e-4)
    v = np.array([1.0, -1.0, 2.0, -2.0, 0.5, -0.5])
    assert St.sign_flip_test(v, 9999, rng)[1] > 0.3
    # 6 seeds of one sign: exactly 2 of the 64 sign patterns reach |mean| (floor ~ 1/32 two-sided)
    six = np.array([-0.1, -0.37, -0.55, -1.2, -0.04, -0.9])
    p2 = St.sign_flip_test(six, 9999, rng, alternative="two-sided")[1]
    assert p2 == pytest.approx(2 / 64, abs=0.006)
    assert St.sign_flip_test(-six, 9999, rng)[1] == pytest.approx(1 / 64, abs=0.004)
    assert St.cohen_d([1.0, 2.0, 3.0]) == pytest.approx(2.0)
    assert St.cohen_d_two([1.0, 2.0, 3.0], [0.0, 1.0, 2.0]) == pytest.approx(1.0)


def test_probes_from_gram():
    """Least-squares probe from Gram matrices equals numpy's lstsq; the Adam probe approaches it."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, 3000, 5))
    z = X @ np.array([0.5, -1.0, 0.2, 0.0, 0.3]) + 0.1 * rng.standard_normal((2, 3000))
    fit, score = slice(0, 2000), slice(2000, None)
    r2 = St.probe_lstsq(St.augmented_gram(X[:, fit], z[:, fit]), St.augmented_gram(X[:, score], z[:, score]),
                        ridge=0.0)
    A = np.concatenate([X[0, fit], np.ones((2000, 1))], axis=1)
    w = np.linalg.lstsq(A, z[0, fit], rcond=None)[0]
    pred = np.concatenate([X[0, score], np.ones((1000, 1))], axis=1) @ w
    ref = 1 - np.mean((z[0, score] - pred) ** 2) / z[0, score].var(ddof=1)
    assert r2[0] == pytest.approx(ref, abs=1e-10)
    mask = rng.random(3000) < 0.8
    r2o = St.probe_original(St.augmented_gram(X, z, mask), St.augmented_gram(X, z, ~mask), rng)
    assert np.all(r2o > ref - 0.02) and np.all(r2o <= 1.0)


def test_protocol_b_windows_and_records():
    """The drift/regime Lyapunov windows: a first quarter skipped, three equal windows, the input
    cut at T/2; the lyapunov entry lists each kind's trained exponents in descending order."""
    from shared.tiny_worlds import train as TR
    windows, n_align, free = TR.lyapunov_windows(64)
    assert windows == [(16, 32), (32, 48), (48, 64)] and n_align == 8 and free == (32, 40, 64)
    windows, n_align, free = TR.lyapunov_windows(24)
    assert windows == [(6, 12), (12, 18), (18, 24)] and n_align == 6 and free == (12, 18, 24)
    rec = TR.lyapunov_record({"gru": {"trained": {"driven_mean": [-0.5, 0.1]}}}, 4, windows, n_align)
    assert rec["exponents"] == {"gru": [0.1, -0.5]} and "4 eval sequences" in rec["method"]
    assert TR.snapshot_arrays("gru", {"snap_extra": []}) == {}


@pytest.mark.parametrize("slug", ["drift-world", "regime-world", "oscillator-world"])
def test_each_stub_gradient_checks_cover_every_tensor(slug):
    """Each stub's --gradcheck (tiny_worlds.train.gradient_checks on its own world) covers every
    parameter tensor, the input and both initial states of all three models."""
    errs = load_stub(slug).gradient_checks()
    for kind in ("rnn", "gru", "lstm"):
        for name in ("W_ih", "W_hh", "b_ih", "b_hh", "w_out", "b_out", "x", "h0"):
            assert f"{kind}.{name}" in errs
    assert "lstm.c0" in errs
    assert max(errs.values()) < TOLERANCE, errs
