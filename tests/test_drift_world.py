"""Science checks of stubs/drift-world: E1 world facts, probes, shared helpers (gradients:
test_tiny_worlds.py)."""
import numpy as np
import pytest
from conftest import load_stub

from shared.tiny_worlds import models as M
from shared.tiny_worlds import stats as St
from shared.tiny_worlds import train as TR
from shared.tiny_worlds import worlds as W

dw = load_stub("drift-world")


@pytest.fixture(scope="module")
def worlds():
    rng = np.random.default_rng(0)
    return {v: W.make_world("drift", v, rng, n_train=400, n_eval=640) for v in dw.VARIANTS}


def test_drift_world_facts_from_the_note(worlds):
    """Baseline NLL about -1.732 (persistence), oracle about -1.992 (max ΔNLL about 0.26), the
    shuffle null's baseline about 59.4 (global mean), input = offset from y_0 and the clock."""
    s = worlds["struct"]
    assert St.baseline_nll(s.eval.obs, s.train_mean) == pytest.approx(-1.732, abs=0.01)
    assert dw.oracle_dnll(s) == pytest.approx(0.26, abs=0.01)
    sh = worlds["shuffle"]
    assert St.baseline_nll(sh.eval.obs, sh.train_mean) == pytest.approx(59.4, rel=0.02)
    np.testing.assert_allclose(s.eval.inputs[..., 0], s.eval.obs - s.eval.obs[:1])
    np.testing.assert_allclose(s.eval.inputs[:, 0, 1], np.arange(64) / 63)
    # the struct world climbs 0.03 per step; the shuffle null keeps the values but not the order
    assert np.mean(np.diff(s.eval.obs, axis=0)) == pytest.approx(0.03, abs=0.001)
    assert abs(np.mean(np.diff(sh.eval.obs, axis=0))) < 0.003
    assert sh.eval.obs.mean() == pytest.approx(s.eval.obs.mean(), abs=0.02)
    assert np.all(sh.eval.latent == 0) and np.all(worlds["iid"].eval.latent == 0)
    assert worlds["decoy"].eval.latent.min() >= -1.0 and worlds["decoy"].eval.latent.max() <= 1.0


def test_probe_snapshot_reads_out_a_known_linear_code(worlds):
    """If the hidden state is a linear function of the input (an RNN in its linear range with
    W_hh = 0), the snapshot probe recovers what the input-only probe recovers."""
    s = worlds["struct"]
    p = M.init_params("rnn", 2, 4, 2, np.random.default_rng(1))
    p["W_hh"][:] = 0.0
    p["b_ih"][:] = 0.0
    p["b_hh"][:] = 0.0
    p["W_ih"] *= 0.01                                                  # tanh ~ linear
    out = TR.probe_snapshot("rnn", s, 100)({k: v.astype(np.float32) for k, v in p.items()})
    assert out.shape == (65,)
    np.testing.assert_allclose(out[:-1], TR.input_probe_readout(s, 100), atol=5e-3)
    assert out[-1] > 0.99


def test_paired_difference_and_learning_status():
    rng = np.random.default_rng(0)
    d = TR.paired_difference([1.0, 1.1, 0.9, 1.2, 1.0], [0.0, 0.1, -0.1, 0.0, 0.1], 999, rng)
    assert d["mean"] == pytest.approx(1.02) and d["p_two_sided"] == pytest.approx(2 / 32, abs=0.03)
    curve = np.c_[np.linspace(5, 1, 8), np.linspace(5, 1, 8), np.ones(8), np.ones(8)]   # (K, S*G)
    st = TR.learning_status(curve, 2, ("a", "b"), tol=0.01)
    assert not st["a"]["converged"] and st["b"]["converged"]


def test_lyapunov_many_on_a_diagonal_contraction():
    p = M.init_params("rnn", 1, 3, 2, np.random.default_rng(7))
    p["W_hh"] = np.diag([0.5, 0.2, 0.1])[None]
    for k in ("W_ih", "b_ih", "b_hh"):
        p[k][:] = 0.0
    inputs = np.zeros((40, 5, 2))
    driven, free, summ = TR.lyapunov_many("rnn", p, inputs, 3, [(20, 30), (30, 40)], 20, 3, (20, 30, 40))
    assert driven.shape == (2, 1, 3, 3) and free.shape == (1, 3, 3)
    np.testing.assert_allclose(summ["driven_mean"], np.log([0.5, 0.2, 0.1]), atol=1e-6)
    np.testing.assert_allclose(summ["input_free_mean"], np.log([0.5, 0.2, 0.1]), atol=1e-5)


@pytest.mark.parametrize("kind", ("rnn", "gru", "lstm"))
def test_step_jacobian_matches_finite_differences_on_drift_inputs(kind, worlds):
    """The Jacobian the spectra use, on a real E1 input (offset and clock), vs central differences."""
    from shared.gradcheck import numeric_jacobian
    p = M.init_params(kind, 1, 5, 2, np.random.default_rng(3))
    n = 10 if kind == "lstm" else 5
    st = 0.3 * np.random.default_rng(4).standard_normal((1, 1, n))
    x = worlds["struct"].eval.inputs[20, None, :1]                    # (1, 1, 2)
    J = M.jacobian(kind, p, st, x)[0, 0]
    Jn = numeric_jacobian(lambda v: M.step(kind, p, v, x), st)[0, 0]
    assert np.abs(J - Jn).max() < 1e-8
