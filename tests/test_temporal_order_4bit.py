"""Science checks of stubs/temporal-order-4bit: the paper's task, net (308 weights), truncated gradient,
the earlier catalog's setting and the Jacobians behind the Lyapunov fingerprint. The 1997 cell itself
(forward against the paper's step, gradients, Jacobians) is tested once, in test_lstm1997.py; the
gradient checks run once, through --gradcheck (test_stubs.py)."""
import json

import numpy as np
import pytest
from conftest import ROOT, load_stub, run_stub

from shared import cli
from shared.gradcheck import numeric_jacobian
from shared.lstm1997 import nets

STUB = ROOT / "stubs" / "temporal-order-4bit"
to = load_stub("temporal-order-4bit")
catalog = cli.load_sibling(to.__file__, to.CATALOG, vars(to))


def test_weight_count_is_the_papers_308():
    assert to.LSTM.n_weights() == 308                       # 12 * (8 + 12 + 1) + 8 * (6 + 1)
    p = to.init_lstm(np.random.default_rng(0), 3)
    assert p["W"].shape == (3, 21, 12) and p["V"].shape == (3, 8, 7)
    assert sum(v[0].size for v in p.values()) == 308
    # the earlier catalog's nets: 326 and 146 weights, as its README states
    pc = catalog.init_catalog_lstm(np.random.default_rng(0), 1)
    assert sum(v[0].size for v in pc.values()) == 326
    assert nets.TanhNet(8, 6, n_out=8).n_weights() == 146 and to.RNN.n_weights() == 316
    assert catalog.CATALOG_MODELS["rnn"].n_weights() == 146


def test_init_follows_the_paper():
    p = to.init_lstm(np.random.default_rng(1), 4)
    assert np.all(p["W"][:, -1, to.I_] == [-2.0, -4.0, -6.0])   # input-gate biases (Table 10)
    rest = p["W"].copy()
    rest[:, -1, to.I_] = 0
    assert np.abs(rest).max() <= 0.1 and np.abs(p["V"]).max() <= 0.1
    assert len(np.unique(p["W"][:, -1, to.O_])) == 12           # output-gate biases random


def test_positions_at_the_papers_length():
    assert to.positions(100) == ((10, 20), (33, 43), (66, 76))


@pytest.mark.parametrize("T", [30, 100])
def test_sequences(T):
    x, target, label, length, pos = to.temporal_order_batch(np.random.default_rng(2), (3, 1000), T)
    assert x.shape == (T + T // 10, 3, 1000, 8)
    assert length.min() == T and length.max() == T + T // 10
    for i, (lo, hi) in enumerate(to.positions(T)):
        assert pos[..., i].min() == lo and pos[..., i].max() == hi
    sym = x.argmax(-1)
    on = x.sum(-1)
    t = np.arange(x.shape[0])[:, None, None]
    assert np.all(on[t < length] == 1) and np.all(on[t >= length] == 0)
    si, ni = np.indices(length.shape)
    assert np.all(sym[0] == to.E) and np.all(sym[length - 1, si, ni] == to.B_)
    xy = (sym == to.X) | (sym == to.Y)
    assert np.all(xy.sum(0) == 3)
    for i in range(3):
        assert np.all(xy[pos[..., i], si, ni])
    inner = (t > 0) & (t < length - 1) & ~xy
    assert np.all((sym[inner] >= 2) & (sym[inner] <= 5))
    bits = [sym[pos[..., i], si, ni] - to.X for i in range(3)]
    np.testing.assert_array_equal(label, 4 * bits[0] + 2 * bits[1] + bits[2])   # XXX = Q ... YYY = C
    np.testing.assert_array_equal(target, np.eye(8)[label])
    assert np.all(np.bincount(label.ravel(), minlength=8) > 250)


def test_catalog_sequences():
    x, label, pos = catalog.catalog_batch(np.random.default_rng(3), (2, 500))
    sym = x.argmax(-1)
    assert x.shape == (50, 2, 500, 8) and np.all(sym[0] == to.B_) and np.all(sym[-1] == to.E)
    for i, (lo, hi) in enumerate(((3, 9), (18, 26), (33, 40))):
        assert pos[..., i].min() == lo and pos[..., i].max() == hi
    assert np.all(((sym == to.X) | (sym == to.Y)).sum(0) == 3) and label.max() == 7


def test_truncated_gradient_differs_from_the_exact_one():
    """Otherwise the closed-form-vs-step-by-step check would be vacuous."""
    rng = np.random.default_rng(3)
    p = {n: rng.uniform(-1, 1, size=v.shape) for n, v in to.init_lstm(rng, 2).items()}
    x, t, _, length, _ = to.temporal_order_batch(rng, (2, 3), 30)
    net = to.LSTM
    c = net.forward(p, x)
    d = net.readout(p, c, length - 1)[0] - t
    full = net.grads_bptt(p, c, length - 1, d)["W"]
    trunc = net.grads(p, c, length - 1, d)["W"]
    assert np.abs(trunc).max() > 0
    assert np.abs(full - trunc).max() > 1e-3 * np.abs(full).max()
    np.testing.assert_allclose(net.grads_bptt(p, c, length - 1, d)["V"], net.grads(p, c, length - 1, d)["V"])


def _sig(z):
    return 1 / (1 + np.exp(-z))


def _catalog_step(p, x_t, z):
    """The catalog LSTM's state [c (6), h (6)] of step t from that of t-1, written out again."""
    C = catalog.CH
    u = np.concatenate([x_t, z[..., C:], np.ones(z.shape[:-1] + (1,))], -1)
    net = np.einsum("snd,sdh->snh", u, p["W"])
    c = z[..., :C] + _sig(net[..., catalog.CI]) * np.tanh(net[..., catalog.CG])
    return np.concatenate([c, _sig(net[..., catalog.CO]) * np.tanh(c)], -1)


def test_catalog_jacobians_match_finite_differences():
    """The catalog LSTM's Jacobians (the 1997 cell's and the RNN's are checked in test_lstm1997.py)."""
    rng = np.random.default_rng(4)
    net = catalog.CATALOG_MODELS["lstm_catalog"]
    p = {n: rng.uniform(-0.8, 0.8, size=v.shape) for n, v in net.init(rng, 2).items()}
    x = rng.normal(size=(12, 2, 3, 8))
    cache = net.forward(p, x)
    J = net.jacobians(p, cache)

    def state(t):
        return np.concatenate([cache["c"][t + 1], cache["yc"][t]], -1)
    t = 6
    z0 = state(t - 1)
    np.testing.assert_allclose(_catalog_step(p, x[t], z0), state(t), atol=1e-12)
    Jn = numeric_jacobian(lambda z: _catalog_step(p, x[t], z), z0)
    np.testing.assert_allclose(J[t - 1], Jn, atol=1e-8)


def test_closed_input_gates_make_each_cell_an_integrator():
    """Input gates shut: ds(t)/ds(t-1) = 1 and the six cell exponents are 0."""
    rng = np.random.default_rng(5)
    x, _, _, _, _ = to.temporal_order_batch(rng, (1, 4), 40)
    p = to.init_lstm(rng, 1)
    p["W"][:, -1, to.I_] = -60.0
    ex = to.spectrum(to.MODELS["lstm1997"], p, x, 5, 40, k=12)
    np.testing.assert_allclose(np.sort(ex[0], axis=-1)[:, ::-1][:, :6], 0.0, atol=1e-3)


def test_divergence_stops_with_the_step_and_the_quantity(monkeypatch):
    real = to.temporal_order_batch

    def poisoned(rng, shape, T):
        x, *rest = real(rng, shape, T)
        x[3, :, 0, 0] = np.nan
        return (x, *rest)
    monkeypatch.setattr(to, "temporal_order_batch", poisoned)
    r = np.random.default_rng(0)
    with pytest.raises(cli.TrainingDiverged, match=r"step 0: lstm1997 output became non-finite"):
        to.train_online("lstm1997", 2, 30, 10, r, r)


def test_st3_stops_a_net_after_the_window(monkeypatch):
    """With a criterion every sequence meets, each net stops exactly when the window is full."""
    monkeypatch.setattr(to, "TOL", 10.0)
    monkeypatch.setattr(to, "MAX_MEAN_ERR", 100.0)
    r = to.train_online("lstm1997", 2, 30, 40, np.random.default_rng(6), np.random.default_rng(7), window=5)
    assert r["stopped_at"].tolist() == [5, 5] and r["n_trained"] == 5


def test_impossible_T_is_refused():
    proc = run_stub(STUB, "--T", "8", timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "--T must be" in proc.stderr


def test_quick_run_failures_below_the_papers_budget_are_open(tmp_path):
    # --quick caps training far below the paper's mean budget: a failure there is untested, not a no
    proc = run_stub(ROOT / "stubs" / "temporal-order-4bit", "--quick", "--out", tmp_path / "r.json",
                    timeout=300)
    assert proc.returncode == 0, proc.stderr
    rows = json.loads((tmp_path / "r.json").read_text())["headline"]
    assert "no" not in [r["verdict"] for r in rows]
    assert all("open: stopped at" in r["note"] for r in rows if r["verdict"] == "open")
