"""Science checks of stubs/regime-world: E2 world facts, reference predictors, the probes on a
perfect regime code (the family core's own checks: test_tiny_worlds.py)."""
import numpy as np
import pytest
from conftest import load_stub

from shared.tiny_worlds import models, stats, train
from shared.tiny_worlds.worlds import make_world

rw = load_stub("regime-world")


@pytest.fixture(scope="module")
def worlds():
    rng = np.random.default_rng(0)
    return {v: make_world("regime", v, rng, n_train=2000, n_eval=1000) for v in rw.VARIANTS}


def test_reference_nlls(worlds):
    """Trivial baseline about 47.52, regime-blind Markov about 35.42 (ΔNLL about 12.1), the oracle
    that knows r_{t+1} about 30.95 (ΔNLL about 16.6); the i.i.d. null's baseline about 47.92."""
    s = worlds["struct"]
    base = stats.baseline_nll(s.eval.obs, s.train_mean)
    assert base == pytest.approx(47.52, abs=0.3)
    mk, p10, p11 = stats.markov_nll(s.train.obs, s.eval.obs)
    assert mk == pytest.approx(35.42, abs=0.3) and p10 == pytest.approx(0.25, abs=0.01)
    assert p11 == pytest.approx(0.75, abs=0.01)
    assert rw.oracle_nll(s) == pytest.approx(30.95, abs=0.3)
    iid = worlds["iid"]
    assert stats.baseline_nll(iid.eval.obs, iid.train_mean) == pytest.approx(47.92, abs=0.3)
    # the shuffle null keeps each sequence's symbols, so its per-sequence counts match a Markov
    # chain's spread, wider than the i.i.d. null's binomial spread
    assert worlds["shuffle"].eval.obs.mean(axis=0).std() > 1.5 * iid.eval.obs.mean(axis=0).std()
    np.testing.assert_array_equal(s.eval.inputs[..., 0], s.eval.obs)
    np.testing.assert_allclose(s.eval.inputs[:, 0, 1], np.arange(128) / 127)


def test_regime_latent_flips_every_32_steps(worlds):
    r = worlds["struct"].eval.latent
    flips = np.nonzero(np.any(r[1:] != r[:-1], axis=1))[0] + 1
    np.testing.assert_array_equal(flips, [32, 64, 96])
    assert np.all(np.abs(np.diff(r, axis=0)).sum(axis=0) == 3)


def test_a_perfect_regime_code_is_found_by_the_probes(worlds):
    """Hidden states that carry r_t linearly give held-out R^2 = 1; the input-only floor is
    near 0 (r_0 is a coin flip the current symbol and clock do not reveal)."""
    s = worlds["struct"]
    p = models.init_params("rnn", 1, 3, 2, np.random.default_rng(1))
    ev = train.evaluate("rnn", p, s, np.random.default_rng(0), chunk=100)
    assert ev["r2_input"] < 0.05
    G = stats.augmented_gram(np.c_[s.eval.latent[1:].reshape(-1), np.zeros(127 * 1000)][None],
                             s.eval.latent[1:].reshape(-1))
    assert stats.probe_lstsq(G, G)[0] == pytest.approx(1.0, abs=1e-6)


def test_verdict_rules():
    assert rw.verdict_cell("matches (no training)") == "yes"
    assert rw.verdict_cell("matches (still learning)") == "partial"
    assert rw.verdict_readout_below_markov(-0.5, converged=False) == "partial"
    assert rw.verdict_readout_below_markov(0.5, converged=True) == "no"
    assert rw.verdict_regime_probe(0.8, 0.3, 0.4, 0.0) == "yes"
    assert rw.verdict_regime_probe(0.6, 0.3, 0.4, 0.0) == "partial"
    assert rw.verdict_regime_probe(0.6, 0.59, 0.4, 0.0) == "no"
