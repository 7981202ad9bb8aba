"""Science checks of stubs/multiplication-problem: the paper's task, net, truncated gradient, stopping
rule and dynamics. The 1997 cell itself (forward against the paper's step, gradients, Jacobians) is
tested once, in test_lstm1997.py; the gradient checks run once, through --gradcheck (test_stubs.py)."""
import json

import numpy as np
import pytest
from conftest import ROOT, load_stub, run_stub

from shared import cli
from shared.gradcheck import numeric_jacobian
from shared.lstm1997 import nets

mp = load_stub("multiplication-problem")
catalog = cli.load_sibling(mp.__file__, mp.CATALOG, vars(mp))


def test_weight_counts():
    assert mp.LSTM.n_weights() == 93                     # the paper's count for Exp. 4 and 5
    p = mp.LSTM.init(np.random.default_rng(0), 1)
    assert p["W"].size + p["V"].size == 93
    assert mp.RNN.n_weights() == 97


def test_every_weight_and_gate_bias_starts_in_the_papers_range():
    """Table 10, Exp. 5: gate biases random ("r"), unlike Exp. 4's -3 / -6 input-gate biases."""
    p = mp.LSTM.init(np.random.default_rng(1), 50)
    assert np.abs(p["W"]).max() <= 0.1 and np.abs(p["V"]).max() <= 0.1
    bias_in = p["W"][:, -1, mp.LSTM.blocks.i_sl]
    assert bias_in.min() < -0.05 and bias_in.max() > 0.05          # spread over the range, not fixed


@pytest.mark.parametrize("T", [20, 100])
def test_paper_sequences(T):
    x, target, length, pos = mp.paper_batch(np.random.default_rng(2), (4, 600), T)
    assert length.min() >= T and length.max() <= T + T // 10
    m = x[..., 1]
    assert np.all((m == 1).sum(axis=0) == 2)
    p1, p2 = pos[..., 0], pos[..., 1]
    assert p1.max() <= 9 and p2.max() <= T // 2 - 2 and np.all(p1 != p2)
    assert (p2 < p1).any()                                          # X2 may come first
    si, ni = np.indices(length.shape)
    first = (p1 == 0) | (p2 == 0)
    assert first.any() and not first.all()
    assert np.all(m[0][~first] == -1) and np.all(m[0][first] == 1)
    assert np.all(x[0, ..., 0][first] == 1.0)                       # a marked first pair holds 1.0
    assert np.all(m[length - 1, si, ni] == -1)
    X1, X2 = x[p1, si, ni, 0], x[p2, si, ni, 0]
    np.testing.assert_allclose(target, X1 * X2)
    assert x[..., 0].min() >= 0 and x[..., 0].max() <= 1
    assert np.all(x[np.arange(x.shape[0])[:, None, None] >= length] == 0)


def test_catalog_sequences_are_the_easier_variant():
    x, target, length, pos = catalog.catalog_batch(np.random.default_rng(3), (1, 500), 26)
    assert x.shape[0] == 26 and np.all(length == 26)
    assert np.all(x[0, ..., 1] == -1) and np.all(x[-1, ..., 1] == -1)
    assert pos[..., 0].min() >= 1 and pos[..., 0].max() <= 9
    assert pos[..., 1].min() == 10 and pos[..., 1].max() <= 12                 # X2 always after X1
    si, ni = np.indices(length.shape)
    np.testing.assert_allclose(target, x[pos[..., 0], si, ni, 0] * x[pos[..., 1], si, ni, 0])


def test_truncated_gradient_differs_from_the_exact_one():
    """Otherwise the closed-form vs step-by-step check would be vacuous."""
    rng = np.random.default_rng(4)
    net = mp.LSTM
    p = {"W": rng.uniform(-1, 1, (2, net.blocks.D, net.blocks.H)), "V": rng.uniform(-1, 1, (2, mp.NC + 1))}
    x, t, length, _ = mp.paper_batch(rng, (2, 2), 24)
    c = net.forward(p, x)
    y, _ = net.readout(p, c, length - 1)
    full = net.grads_bptt(p, c, length - 1, y - t)["W"]
    trunc = net.grads(p, c, length - 1, y - t)["W"]
    assert np.abs(full - trunc).max() > 1e-3 * np.abs(full).max()


def _modern_step(p, cache, t, z):
    """Map the catalog's modern cell's state [c, h] of step t-1 to step t, written out again."""
    H = catalog.MH
    u = np.concatenate([cache["x"][t], z[..., H:], np.ones(z.shape[:-1] + (1,))], -1)
    zz = np.einsum("snd,sdh->snh", u, p["W"])
    sg = 1 / (1 + np.exp(-zz))
    c = sg[..., H:2 * H] * z[..., :H] + sg[..., :H] * np.tanh(zz[..., 2 * H:3 * H])
    return np.concatenate([c, sg[..., 3 * H:] * np.tanh(c)], -1)


def test_catalog_jacobians_match_finite_differences():
    """The modern cell's Jacobians (the 1997 cell's and the RNN's are checked in test_lstm1997.py)."""
    rng = np.random.default_rng(6)
    x = rng.normal(size=(12, 2, 3, 2))
    p = catalog.init_modern(rng, 2)
    cache = catalog.modern_forward(p, x)
    J = catalog.modern_jacobians(p, cache)

    def state(t):
        return np.concatenate([np.swapaxes(cache["c"][t + 1], -1, -2), cache["yc"][t]], -1)
    t = 6
    z0 = state(t - 1)
    np.testing.assert_allclose(_modern_step(p, cache, t, z0), state(t), atol=1e-12)
    np.testing.assert_allclose(J[t - 1], numeric_jacobian(lambda z: _modern_step(p, cache, t, z), z0),
                               atol=1e-8)


def test_closed_input_gates_make_each_cell_an_integrator():
    """Input gates shut: ds(t)/ds(t-1) = 1, so the four cell exponents are 0 (up to O(1/T))."""
    rng = np.random.default_rng(7)
    x, _, _, _ = mp.paper_batch(rng, (1, 4), 40)
    p = mp.LSTM.init(rng, 1)
    p["W"][:, -1, mp.LSTM.blocks.i_sl] = -60.0
    ex = nets.spectrum(mp.LSTM, p, x, 5, 40, k=mp.NC + mp.LSTM.blocks.H, n_transient=5)
    top4 = np.sort(ex[0], axis=-1)[:, ::-1][:, :4]
    np.testing.assert_allclose(top4, 0.0, atol=1e-3)


def test_stopping_rule_counts_misses_in_the_last_window(monkeypatch):
    """With a window of 20 and a tolerance nobody can miss, both rules are met at sequence 20."""
    monkeypatch.setattr(mp, "WINDOW", 20)
    monkeypatch.setattr(mp, "TOL", 1.0)
    r = np.random.default_rng(8)
    out = mp.train_online("lstm1997", 2, 20, 100, r, r, log_every=10)
    assert out["stop"][140].tolist() == [20, 20] and out["stop"][13].tolist() == [20, 20]
    assert out["n_trained"] == 20
    for k in out["params"]:                              # weights at the 140 stop were kept
        np.testing.assert_array_equal(out["params_at_140"][k], out["params"][k])


def test_nothing_is_met_before_a_full_window(monkeypatch):
    monkeypatch.setattr(mp, "TOL", 1.0)
    r = np.random.default_rng(9)
    out = mp.train_online("lstm1997", 2, 20, 30, r, r, log_every=10)   # WINDOW = 2000 > 30
    assert (out["stop"][140] < 0).all() and out["n_trained"] == 30


def test_divergence_stops_with_the_step_and_the_quantity(monkeypatch):
    real = mp.paper_batch

    def poisoned(rng, shape, T):
        x, t, length, pos = real(rng, shape, T)
        x[3, :, 0, 0] = np.nan
        return x, t, length, pos
    monkeypatch.setattr(mp, "paper_batch", poisoned)
    r = np.random.default_rng(0)
    with pytest.raises(cli.TrainingDiverged, match=r"step 0: lstm1997 output became non-finite"):
        mp.train_online("lstm1997", 2, 24, 10, r, r)


def test_impossible_T_is_refused():
    proc = run_stub(ROOT / "stubs" / "multiplication-problem", "--T", "8", timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "--T must be" in proc.stderr


def test_quick_run_failures_below_the_papers_budget_are_open(tmp_path):
    # --quick caps training far below the paper's mean budget: a failure there is untested, not a no
    proc = run_stub(ROOT / "stubs" / "multiplication-problem", "--quick", "--out", tmp_path / "r.json",
                    timeout=300)
    assert proc.returncode == 0, proc.stderr
    rows = json.loads((tmp_path / "r.json").read_text())["headline"]
    assert "no" not in [r["verdict"] for r in rows]
    assert all("open: stopped at" in r["note"] for r in rows if r["verdict"] == "open")
