"""Checks of the tiny-worlds family core (shared/tiny_worlds): models (BPTT, reference step,
Jacobians, init), worlds, statistics and the training/evaluation/dynamics helpers of train.py."""
import numpy as np
import pytest

import shared  # noqa: F401
from shared.gradcheck import TOLERANCE, check_gradients
from shared.lyapunov import qr_spectrum
from shared.tiny_worlds import models, stats, train, worlds

KINDS = ("rnn", "gru", "lstm")


def _setup(kind, seed=3, S=2, B=3, T=7, H=4, D=2):
    rng = np.random.default_rng(seed)
    p = models.init_params(kind, S, H, D, rng)
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
        hs, _ = models.forward(kind, p, every["x"], every["h0"], every.get("c0"))
        return models.nll_loss(p, hs, y)[0].sum()

    hs, cache = models.forward(kind, p, x, h0, c0)
    _, dpred = models.nll_loss(p, hs, y)
    grads = models.backward(p, cache, dpred)
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
        hs, _ = models.forward(kind, p, every["x"], h0, c0)
        return float(np.sum(probe * hs))

    hs, cache = models.forward(kind, p, x, h0, c0)
    g = models.backward(p, cache, dhs=probe)
    g = {k: (g[k] if k in g else np.zeros_like(v)) for k, v in every.items()}
    errs = check_gradients(loss, every, g, eps=1e-3, richardson=True)
    assert max(errs.values()) < TOLERANCE, errs
    _, dpred = models.nll_loss(p, hs, y)
    head = models.backward(p, cache, dpred, core=False)
    full = models.backward(p, cache, dpred)
    assert set(head) == {"w_out", "b_out"}
    np.testing.assert_allclose(head["w_out"], full["w_out"])


@pytest.mark.parametrize("kind", KINDS)
def test_step_and_jacobian(kind):
    """step() equals one forward step; jacobian() equals central differences of step()."""
    p, x, _, h0, c0 = _setup(kind, seed=7)
    H = h0.shape[-1]
    state = h0 if c0 is None else np.concatenate([h0, c0], axis=-1)
    hs, cache = models.forward(kind, p, x[:2], h0, c0)
    s1 = models.step(kind, p, state, x[0])
    np.testing.assert_allclose(s1[..., :H], hs[0], atol=1e-14)
    if kind == "lstm":
        np.testing.assert_allclose(s1[..., H:], cache["c"][0], atol=1e-14)
    J = models.jacobian(kind, p, s1, x[1])
    n = state.shape[-1]
    num = np.empty_like(J)
    for j in range(n):
        e = np.zeros(n)
        e[j] = 1e-6
        num[..., j] = (models.step(kind, p, s1 + e, x[1]) - models.step(kind, p, s1 - e, x[1])) / 2e-6
    assert np.abs(J - num).max() < 1e-8
    # the QR spectrum's sum equals the mean log|det J| along the same trajectory
    Js = [J[0], models.jacobian(kind, p, models.step(kind, p, s1, x[1]), x[2])[0]]
    lam = qr_spectrum(Js)
    logdet = np.mean([np.linalg.slogdet(j)[1] for j in Js], axis=0)
    np.testing.assert_allclose(lam.sum(-1), logdet, atol=1e-9)


def test_parameter_counts_and_init():
    """PyTorch's counts (RNN 337, GRU 977, LSTM 1297 at H = 16) and its initialisation."""
    assert [models.n_params(k, 16) for k in KINDS] == [337, 977, 1297]
    rng = np.random.default_rng(0)
    for kind, G in (("rnn", 1), ("gru", 3), ("lstm", 4)):
        p = models.init_params(kind, 3, 16, 2, rng)
        assert sum(v[0].size for v in p.values()) == models.n_params(kind, 16)
        # weight_hh = W_hh^T (G*H, H) has orthonormal columns: W_hh W_hh^T = I_H
        gram = p["W_hh"] @ np.swapaxes(p["W_hh"], 1, 2)
        np.testing.assert_allclose(gram, np.broadcast_to(np.eye(16), (3, 16, 16)), atol=1e-12)
        assert p["W_hh"].shape == (3, 16, G * 16)
        for k in ("W_ih", "b_ih", "b_hh", "w_out", "b_out"):
            assert np.abs(p[k]).max() <= 0.25
        assert np.abs(p["W_ih"]).max() > 0.2                        # U(-1/4, 1/4), not narrower
    # seeds of the ensemble differ
    p = models.init_params("gru", 2, 4, 2, rng)
    assert not np.allclose(p["W_hh"][0], p["W_hh"][1])


def test_nll_constant():
    """Fixed sigma = 0.05: NLL = 200 MSE - 2.0768."""
    assert models.nll_from_mse(0.0) == pytest.approx(-2.07679, abs=1e-5)
    assert models.nll_from_mse(0.005) - models.nll_from_mse(0.0) == pytest.approx(1.0)


def test_oscillator_world_facts():
    """Radius ~0.63 at t = 40, ~0.88 at 60, ~1.012 at 255; obs std ~0.652; baseline ~-0.86;
    shuffle null keeps each sequence's values; the i.i.d. null keeps the marginal."""
    rng = np.random.default_rng(1)
    z = worlds.oscillator_latent(rng, 2000, 256)
    rad = np.sqrt((z ** 2).sum(-1)).mean(axis=1)
    assert rad[40] == pytest.approx(0.63, abs=0.02) and rad[60] == pytest.approx(0.88, abs=0.02)
    assert rad[255] == pytest.approx(1.012, abs=0.002)
    w = worlds.make_world("oscillator", "struct", np.random.default_rng(2), n_train=2000, n_eval=640)
    assert w.train.obs.std(ddof=1) == pytest.approx(0.652, abs=0.01)
    assert stats.baseline_nll(w.eval.obs, w.train_mean) == pytest.approx(-0.86, abs=0.02)
    ramp = np.broadcast_to(np.arange(256)[:, None] / 255, (256, 2000))
    np.testing.assert_allclose(w.train.inputs[:, :, 1], ramp)
    sh = worlds.make_world("oscillator", "shuffle", np.random.default_rng(2), n_train=2000, n_eval=640)
    np.testing.assert_allclose(np.sort(sh.train.obs, axis=0), np.sort(w.train.obs, axis=0))
    assert not np.allclose(sh.train.obs, w.train.obs)
    assert stats.baseline_nll(sh.eval.obs, sh.train_mean) == pytest.approx(83.0, abs=1.5)
    iid = worlds.make_world("oscillator", "iid", np.random.default_rng(2), n_train=2000, n_eval=640)
    # i.i.d.: per-sequence means vary only as much as independent draws do (sd ~ 0.652 / 16)
    assert iid.train.obs.mean(axis=0).std() == pytest.approx(0.652 / 16, rel=0.1)
    assert sh.train.obs.mean(axis=0).std() > 1.3 * iid.train.obs.mean(axis=0).std()
    ns = worlds.make_world("oscillator", "nonstat", np.random.default_rng(2), n_train=500, n_eval=640)
    assert stats.baseline_nll(ns.eval.obs, ns.train_mean) == pytest.approx(-0.845, abs=0.02)


def test_drift_and_regime_world_facts():
    """E1: x_0 = 0, slope 0.03, baseline ~-1.732; E2: regime flips at 32, 64, 96, Markov ~35.4."""
    w = worlds.make_world("drift", "struct", np.random.default_rng(3), n_train=2000, n_eval=640)
    assert np.allclose(w.train.latent[0], 0.0)
    assert np.diff(w.train.latent, axis=0).mean() == pytest.approx(0.03, abs=1e-3)
    np.testing.assert_allclose(w.train.inputs[0, :, 0], 0.0)
    assert stats.baseline_nll(w.eval.obs, w.train_mean) == pytest.approx(-1.732, abs=0.02)
    r = worlds.make_world("regime", "struct", np.random.default_rng(4), n_train=4000, n_eval=640)
    flips = np.flatnonzero(np.any(r.train.latent[1:] != r.train.latent[:-1], axis=1)) + 1
    assert flips.tolist() == [32, 64, 96]
    nll, p10, p11 = stats.markov_nll(r.train.obs, r.eval.obs)
    assert nll == pytest.approx(35.42, abs=0.3) and p11 == pytest.approx(0.75, abs=0.01)
    null = worlds.make_world("regime", "iid", np.random.default_rng(4), n_train=500, n_eval=2000)
    assert stats.baseline_nll(null.eval.obs, null.train_mean) == pytest.approx(47.9232, abs=0.05)


def test_sign_flip_and_effect_sizes():
    """All-positive 20 seeds reach the 1e-4 floor; a symmetric set does not."""
    rng = np.random.default_rng(0)
    assert stats.sign_flip_test(np.linspace(1, 2, 20), 9999, rng)[1] == pytest.approx(1e-4)
    v = np.array([1.0, -1.0, 2.0, -2.0, 0.5, -0.5])
    assert stats.sign_flip_test(v, 9999, rng)[1] > 0.3
    # 6 seeds of one sign: exactly 2 of the 64 sign patterns reach |mean| (floor ~ 1/32 two-sided)
    six = np.array([-0.1, -0.37, -0.55, -1.2, -0.04, -0.9])
    p2 = stats.sign_flip_test(six, 9999, rng, alternative="two-sided")[1]
    assert p2 == pytest.approx(2 / 64, abs=0.006)
    assert stats.sign_flip_test(-six, 9999, rng)[1] == pytest.approx(1 / 64, abs=0.004)
    assert stats.cohen_d([1.0, 2.0, 3.0]) == pytest.approx(2.0)
    assert stats.cohen_d_two([1.0, 2.0, 3.0], [0.0, 1.0, 2.0]) == pytest.approx(1.0)


def test_probes_from_gram():
    """Least-squares probe from Gram matrices equals numpy's lstsq; the Adam probe approaches it."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, 3000, 5))
    z = X @ np.array([0.5, -1.0, 0.2, 0.0, 0.3]) + 0.1 * rng.standard_normal((2, 3000))
    fit, score = slice(0, 2000), slice(2000, None)
    r2 = stats.probe_lstsq(stats.augmented_gram(X[:, fit], z[:, fit]),
                           stats.augmented_gram(X[:, score], z[:, score]), ridge=0.0)
    A = np.concatenate([X[0, fit], np.ones((2000, 1))], axis=1)
    w = np.linalg.lstsq(A, z[0, fit], rcond=None)[0]
    pred = np.concatenate([X[0, score], np.ones((1000, 1))], axis=1) @ w
    ref = 1 - np.mean((z[0, score] - pred) ** 2) / z[0, score].var(ddof=1)
    assert r2[0] == pytest.approx(ref, abs=1e-10)
    mask = rng.random(3000) < 0.8
    r2o = stats.probe_original(stats.augmented_gram(X, z, mask), stats.augmented_gram(X, z, ~mask), rng)
    assert np.all(r2o > ref - 0.02) and np.all(r2o <= 1.0)


def test_protocol_b_windows_and_records():
    """The drift/regime Lyapunov windows: a first quarter skipped, three equal windows, the input
    cut at T/2; the lyapunov entry lists each kind's trained exponents in descending order."""
    windows, n_align, free = train.lyapunov_windows(64)
    assert windows == [(16, 32), (32, 48), (48, 64)] and n_align == 8 and free == (32, 40, 64)
    windows, n_align, free = train.lyapunov_windows(24)
    assert windows == [(6, 12), (12, 18), (18, 24)] and n_align == 6 and free == (12, 18, 24)
    rec = train.lyapunov_record({"gru": {"trained": {"driven_mean": [-0.5, 0.1]}}}, 4, windows, n_align)
    assert rec["exponents"] == {"gru": [0.1, -0.5]} and "4 eval sequences" in rec["method"]
    assert train.snapshot_arrays("gru", {"snap_extra": []}) == {}


def test_gradient_checks_cover_every_tensor(monkeypatch):
    """train.gradient_checks (each world stub's --gradcheck) hands every parameter tensor, the
    input and both initial states of all three models to the checker. The finite differences
    themselves run once, in tests/test_stubs.py; here the checker only records what it gets."""
    def record_names(loss, every, grads, **kw):
        assert set(grads) >= set(every)
        return {name: 0.0 for name in every}
    monkeypatch.setattr(train, "check_gradients", record_names)
    errs = train.gradient_checks("drift")
    for kind in ("rnn", "gru", "lstm"):
        for name in ("W_ih", "W_hh", "b_ih", "b_hh", "w_out", "b_out", "x", "h0"):
            assert f"{kind}.{name}" in errs
    assert "lstm.c0" in errs and "gru.c0" not in errs


@pytest.mark.parametrize("kind", KINDS)
def test_reference_step_agrees_with_forward(kind):
    """The gate-by-gate reference step, iterated, gives the hidden (and cell) states of the
    speed-tuned forward pass (fused gate blocks, input projections of all steps at once)."""
    p, x, _, h0, c0 = _setup(kind, seed=11, T=6)
    hs, cache = models.forward(kind, p, x, h0, c0)
    h, c = h0, c0
    for t in range(x.shape[0]):
        if kind == "lstm":
            h, c = models.reference_step(kind, p, x[t], h, c)
            np.testing.assert_allclose(c, cache["c"][t], rtol=0, atol=1e-12)
        else:
            h = models.reference_step(kind, p, x[t], h)
        np.testing.assert_allclose(h, hs[t], rtol=0, atol=1e-12)


# ----------------------------------------------------------------------------------------------
# train.py: ensemble training, controls, evaluation, dynamics, protocol (b) helpers
# ----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def small_worlds():
    rng = np.random.default_rng(0)
    return {v: worlds.make_world("oscillator", v, rng, n_train=70, n_eval=20, T=24)
            for v in ("struct", "shuffle")}


def test_ensemble_member_equals_a_single_network(small_worlds):
    """Seed i of world g in the shared ensemble trains exactly like a lone network would: the
    worlds share nothing but the init, and every seed's loss is separate."""
    ws = [small_worlds["struct"], small_worlds["shuffle"]]
    init = models.init_params("gru", 2, 4, 2, np.random.default_rng(5))
    both = train.train_ensemble("gru", 4, ws, 2, 3, None, np.random.default_rng(1), batch=16, init=init,
                                log_every=3)
    # same init for member i of both worlds; then they diverge
    for k in init:
        np.testing.assert_allclose(both["init"][k], init[k])
    assert not np.allclose(both["params"]["W_hh"][0], both["params"]["W_hh"][2])
    # re-run member 0 alone with the batches it saw: identical parameters (float32 training)
    perm = np.argsort(np.random.default_rng(1).random((4, 70)), axis=1)
    p = {k: np.ascontiguousarray(v[:1], dtype=np.float32) for k, v in init.items()}
    from shared.optim import Adam
    opt = Adam(p, lr=1e-3)
    X, Y = ws[0].train.inputs.astype(np.float32), ws[0].train.obs.astype(np.float32)
    for k in range(3):
        idx = perm[0, k * 16:(k + 1) * 16]
        hs, cache = models.forward("gru", p, X[:, None, idx])
        _, dpred = models.nll_loss(p, hs, Y[:, None, idx])
        g = models.backward(p, cache, dpred, need_dx=False)
        opt.step({k2: g[k2] for k2 in p})
    for k in p:
        np.testing.assert_allclose(both["params"][k][0], p[k][0], rtol=1e-5, atol=1e-6)


def test_readout_only_keeps_the_core(small_worlds):
    init = models.init_params("rnn", 2, 4, 2, np.random.default_rng(2))
    ro = train.train_ensemble("rnn", 4, [small_worlds["struct"]], 2, 4, None, np.random.default_rng(3),
                              batch=16, mode="readout", init=init, log_every=4)
    for k in models.CORE:
        np.testing.assert_allclose(ro["params"][k], init[k], rtol=1e-6)
    assert not np.allclose(ro["params"]["w_out"], init["w_out"])


def test_scramble_permutes_core_matrices_only():
    p = models.init_params("gru", 3, 4, 2, np.random.default_rng(4))
    q = train.scramble(p, np.random.default_rng(0))
    for k in ("W_ih", "W_hh"):
        assert not np.allclose(p[k], q[k])
        np.testing.assert_allclose(np.sort(p[k].reshape(3, -1), axis=1), np.sort(q[k].reshape(3, -1), axis=1))
    for k in ("b_ih", "b_hh", "w_out", "b_out"):
        np.testing.assert_array_equal(p[k], q[k])


def test_evaluate_matches_a_direct_computation(small_worlds):
    """ΔNLL from the chunked evaluation equals a one-shot computation; the input-only probe is
    high on the struct world (the latent is in the input) and undefined on the null."""
    w = small_worlds["struct"]
    p = models.init_params("gru", 2, 4, 2, np.random.default_rng(6))
    ev = train.evaluate("gru", p, w, np.random.default_rng(0), chunk=7)
    x = np.ascontiguousarray(np.broadcast_to(w.eval.inputs[:, None], (24, 2, 20, 2)), dtype=np.float32)
    pf = {k: v.astype(np.float32) for k, v in p.items()}
    hs, _ = models.forward("gru", pf, x)
    err = models.readout(pf, hs)[:-1] - w.eval.obs[1:, None]
    nll = models.nll_from_mse((err ** 2).mean(axis=(0, 2)))
    np.testing.assert_allclose(ev["nll"], nll, rtol=1e-5)
    assert ev["baseline"] == pytest.approx(stats.baseline_nll(w.eval.obs, w.train_mean))
    assert ev["r2_input"] > 0.9
    null = train.evaluate("gru", p, small_worlds["shuffle"], np.random.default_rng(0), chunk=7)
    assert np.all(np.isnan(null["r2_heldout"]))


def test_spectrum_and_coasting_on_a_known_map():
    """A diagonal linear-range RNN: exponents = ln of W_hh's diagonal after the frame aligns."""
    p = models.init_params("rnn", 1, 3, 2, np.random.default_rng(7))
    p["W_hh"] = np.diag([0.5, 0.2, 0.1])[None]
    p["W_ih"][:] = 0.0
    p["b_ih"][:] = 0.0
    p["b_hh"][:] = 0.0
    x = np.zeros((80, 1, 2, 2))
    lam = train.spectrum("rnn", p, x, 40, 80, 3, 40)                   # frame aligns like 0.4^t
    np.testing.assert_allclose(lam[0, 0], np.log([0.5, 0.2, 0.1]), atol=1e-9)
    x = np.random.default_rng(0).standard_normal((40, 1, 2, 2))
    ret, pred = train.coast_retention("rnn", p, x, 20, 40)
    assert ret.shape == (1, 2) and pred.shape == (40, 1, 2)


def test_lyapunov_many_on_a_diagonal_contraction():
    p = models.init_params("rnn", 1, 3, 2, np.random.default_rng(7))
    p["W_hh"] = np.diag([0.5, 0.2, 0.1])[None]
    for k in ("W_ih", "b_ih", "b_hh"):
        p[k][:] = 0.0
    inputs = np.zeros((40, 5, 2))
    driven, free, summ = train.lyapunov_many("rnn", p, inputs, 3, [(20, 30), (30, 40)], 20, 3, (20, 30, 40))
    assert driven.shape == (2, 1, 3, 3) and free.shape == (1, 3, 3)
    np.testing.assert_allclose(summ["driven_mean"], np.log([0.5, 0.2, 0.1]), atol=1e-6)
    np.testing.assert_allclose(summ["input_free_mean"], np.log([0.5, 0.2, 0.1]), atol=1e-5)


def test_probe_snapshot_reads_out_a_known_linear_code():
    """If the hidden state is a linear function of the input (an RNN in its linear range with
    W_hh = 0), the snapshot probe recovers what the input-only probe recovers."""
    s = worlds.make_world("drift", "struct", np.random.default_rng(0), n_train=50, n_eval=200)
    p = models.init_params("rnn", 2, 4, 2, np.random.default_rng(1))
    p["W_hh"][:] = 0.0
    p["b_ih"][:] = 0.0
    p["b_hh"][:] = 0.0
    p["W_ih"] *= 0.01                                                  # tanh ~ linear
    out = train.probe_snapshot("rnn", s, 100)({k: v.astype(np.float32) for k, v in p.items()})
    assert out.shape == (65,)
    np.testing.assert_allclose(out[:-1], train.input_probe_readout(s, 100), atol=5e-3)
    assert out[-1] > 0.99


def test_paired_difference_and_learning_status():
    rng = np.random.default_rng(0)
    d = train.paired_difference([1.0, 1.1, 0.9, 1.2, 1.0], [0.0, 0.1, -0.1, 0.0, 0.1], 999, rng)
    assert d["mean"] == pytest.approx(1.02) and d["p_two_sided"] == pytest.approx(2 / 32, abs=0.03)
    curve = np.c_[np.linspace(5, 1, 8), np.linspace(5, 1, 8), np.ones(8), np.ones(8)]   # (K, S*G)
    st = train.learning_status(curve, 2, ("a", "b"), tol=0.01)
    assert not st["a"]["converged"] and st["b"]["converged"]
    # one logged point (a run of fewer steps than --log-every): no change to report, not NaN
    one = train.learning_status(curve[:1], 2, ("a", "b"), tol=0.01)
    assert one["a"]["change_over_last_quarter"] is None and not one["a"]["converged"]


def test_markov_baseline_with_a_symbol_never_seen():
    """A training set of only 0s (possible with --n-train 1) predicts 0.5 after a 1."""
    nll, p10, p11 = stats.markov_nll(np.zeros((8, 1)), np.ones((8, 2)))
    assert p10 == 0.0 and p11 == 0.5 and np.isfinite(nll)


def test_world_flag_bounds():
    """The shared world flags refuse sizes the runs cannot use, or that would not fit."""
    import argparse
    parse = train.int_between(2, 5)
    assert parse("2") == 2 and parse("5") == 5
    for bad in ("1", "6", "abc", "1e9"):
        with pytest.raises(argparse.ArgumentTypeError):
            parse(bad)
    ok = argparse.Namespace(n_train=20000, n_eval=2000, T=256)
    train.check_world_sizes(ok)
    from shared import cli
    with pytest.raises(cli.StubError):
        train.check_world_sizes(argparse.Namespace(n_train=50000, n_eval=20000, T=1024))


def test_spectrum_refuses_a_window_that_reaches_before_the_start():
    """Aligning steps before t = 0 would index the state history from its end (a silent wrap)."""
    p = models.init_params("rnn", 1, 3, 2, np.random.default_rng(7))
    x = np.zeros((40, 1, 2, 2))
    with pytest.raises(ValueError, match="does not fit"):
        train.spectrum("rnn", p, x, 10, 20, 3, 16)
    with pytest.raises(ValueError, match="does not fit"):
        train.spectrum("rnn", p, x, 30, 50, 3, 0)
