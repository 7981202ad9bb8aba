"""Science checks of stubs/oscillator-world: ensemble training, controls, evaluation, dynamics."""
import numpy as np
import pytest
from conftest import load_stub

from shared.tiny_worlds import models as M
from shared.tiny_worlds import stats as St
from shared.tiny_worlds import worlds as W

ow = load_stub("oscillator-world")


@pytest.fixture(scope="module")
def small_worlds():
    rng = np.random.default_rng(0)
    return {v: W.make_world("oscillator", v, rng, n_train=70, n_eval=20, T=24)
            for v in ("struct", "shuffle")}


def test_ensemble_member_equals_a_single_network(small_worlds):
    """Seed i of world g in the shared ensemble trains exactly like a lone network would: the
    worlds share nothing but the init, and every seed's loss is separate."""
    ws = [small_worlds["struct"], small_worlds["shuffle"]]
    r = np.random.default_rng(5)
    init = M.init_params("gru", 2, 4, 2, r)
    both = ow.train_ensemble("gru", 4, ws, 2, 3, None, np.random.default_rng(1), batch=16, init=init,
                             log_every=3)
    # same init for member i of both worlds; then they diverge
    for k in init:
        np.testing.assert_allclose(both["init"][k], init[k])
    assert not np.allclose(both["params"]["W_hh"][0], both["params"]["W_hh"][2])
    # re-run member 0 alone with the batches it saw: identical parameters (float32 training)
    order = np.random.default_rng(1)
    perm = np.argsort(order.random((4, 70)), axis=1)
    p = {k: np.ascontiguousarray(v[:1], dtype=np.float32) for k, v in init.items()}
    from shared.optim import Adam
    opt = Adam(p, lr=1e-3)
    X, Y = ws[0].train.inputs.astype(np.float32), ws[0].train.obs.astype(np.float32)
    for k in range(3):
        idx = perm[0, k * 16:(k + 1) * 16]
        hs, cache = M.forward("gru", p, X[:, None, idx])
        _, dpred = M.nll_loss(p, hs, Y[:, None, idx])
        g = M.backward(p, cache, dpred, need_dx=False)
        opt.step({k2: g[k2] for k2 in p})
    for k in p:
        np.testing.assert_allclose(both["params"][k][0], p[k][0], rtol=1e-5, atol=1e-6)


def test_readout_only_keeps_the_core(small_worlds):
    init = M.init_params("rnn", 2, 4, 2, np.random.default_rng(2))
    ro = ow.train_ensemble("rnn", 4, [small_worlds["struct"]], 2, 4, None, np.random.default_rng(3), batch=16,
                           mode="readout", init=init, log_every=4)
    for k in M.CORE:
        np.testing.assert_allclose(ro["params"][k], init[k], rtol=1e-6)
    assert not np.allclose(ro["params"]["w_out"], init["w_out"])


def test_scramble_permutes_core_matrices_only():
    p = M.init_params("gru", 3, 4, 2, np.random.default_rng(4))
    q = ow.scramble(p, np.random.default_rng(0))
    for k in ("W_ih", "W_hh"):
        assert not np.allclose(p[k], q[k])
        np.testing.assert_allclose(np.sort(p[k].reshape(3, -1), axis=1), np.sort(q[k].reshape(3, -1), axis=1))
    for k in ("b_ih", "b_hh", "w_out", "b_out"):
        np.testing.assert_array_equal(p[k], q[k])


def test_evaluate_matches_a_direct_computation(small_worlds):
    """ΔNLL from the chunked evaluation equals a one-shot computation; the input-only probe is
    high on the struct world (the latent is in the input) and undefined on the null."""
    w = small_worlds["struct"]
    p = M.init_params("gru", 2, 4, 2, np.random.default_rng(6))
    ev = ow.evaluate("gru", p, w, np.random.default_rng(0), chunk=7)
    x = np.ascontiguousarray(np.broadcast_to(w.eval.inputs[:, None], (24, 2, 20, 2)), dtype=np.float32)
    pf = {k: v.astype(np.float32) for k, v in p.items()}
    hs, _ = M.forward("gru", pf, x)
    err = M.readout(pf, hs)[:-1] - w.eval.obs[1:, None]
    nll = M.nll_from_mse((err ** 2).mean(axis=(0, 2)))
    np.testing.assert_allclose(ev["nll"], nll, rtol=1e-5)
    assert ev["baseline"] == pytest.approx(St.baseline_nll(w.eval.obs, w.train_mean))
    assert ev["r2_input"] > 0.9
    null = ow.evaluate("gru", p, small_worlds["shuffle"], np.random.default_rng(0), chunk=7)
    assert np.all(np.isnan(null["r2_heldout"]))


def test_spectrum_and_coasting_on_a_known_map():
    """A tanh RNN with tiny weights is a contraction: exponents ~ ln of the singular values of
    W_hh scaled by tanh' ~ 1; the sum of exponents equals the mean log|det J| along the path."""
    p = M.init_params("rnn", 1, 3, 2, np.random.default_rng(7))
    p["W_hh"] = np.diag([0.5, 0.2, 0.1])[None]
    p["W_ih"][:] = 0.0
    p["b_ih"][:] = 0.0
    p["b_hh"][:] = 0.0
    x = np.zeros((80, 1, 2, 2))
    lam = ow.spectrum("rnn", p, x, 40, 80, 3, 40)                      # frame aligns like 0.4^t
    np.testing.assert_allclose(lam[0, 0], np.log([0.5, 0.2, 0.1]), atol=1e-9)
    ret, pred = ow.coast_retention("rnn", p, np.random.default_rng(0).standard_normal((40, 1, 2, 2)), 20, 40)
    assert ret.shape == (1, 2) and pred.shape == (40, 1, 2)
