"""Science checks of stubs/temporal-order-3bit: the paper's task, net, truncated gradient and dynamics.
The 1997 cell itself (forward against the paper's step, gradients, Jacobians) is tested once, in
test_lstm1997.py; the gradient checks run once, through --gradcheck (test_stubs.py)."""
import json

import numpy as np
import pytest
from conftest import ROOT, load_stub, run_stub

from shared import cli

STUB = ROOT / "stubs" / "temporal-order-3bit"
to = load_stub("temporal-order-3bit")
catalog = to.catalog_setting()


def test_weight_count_is_the_papers_156():
    assert to.n_weights_lstm() == 156                       # 8 * (8 + 8 + 1) + 4 * (4 + 1)
    p = to.init_lstm(np.random.default_rng(0), 3)
    assert p["W"].shape == (3, 17, 8) and p["V"].shape == (3, 4, 5)
    assert sum(v[0].size for v in p.values()) == 156
    assert to.n_weights_rnn() == 172


def test_init_follows_the_paper():
    p = to.init_lstm(np.random.default_rng(1), 4)
    assert np.all(p["W"][:, -1, to.I_] == [-2.0, -4.0])     # input-gate biases -2, -4
    rest = p["W"].copy()
    rest[:, -1, to.I_] = 0
    assert np.abs(rest).max() <= 0.1 and np.abs(p["V"]).max() <= 0.1
    assert len(np.unique(p["W"][:, -1, to.O_])) == 8        # output-gate biases random


@pytest.mark.parametrize("T", [24, 100])
def test_sequences(T):
    x, target, label, length, pos = to.temporal_order_batch(np.random.default_rng(2), (3, 800), T)
    assert x.shape == (T + T // 10, 3, 800, 8)
    assert length.min() == T and length.max() == T + T // 10
    (a1, b1), (a2, b2) = to.positions(T)
    if T == 100:
        assert (a1, b1, a2, b2) == (10, 20, 50, 60)
    t1, t2 = pos[..., 0], pos[..., 1]
    assert t1.min() == a1 and t1.max() == b1 and t2.min() == a2 and t2.max() == b2
    sym = x.argmax(-1)
    on = x.sum(-1)                                          # one-hot inside, zero padding after B
    t = np.arange(x.shape[0])[:, None, None]
    assert np.all(on[t < length] == 1) and np.all(on[t >= length] == 0)
    si, ni = np.indices(length.shape)
    assert np.all(sym[0] == to.E) and np.all(sym[length - 1, si, ni] == to.B_)
    xy = (sym == to.X) | (sym == to.Y)
    assert np.all(xy.sum(0) == 2) and np.all(xy[t1, si, ni]) and np.all(xy[t2, si, ni])
    inner = (t > 0) & (t < length - 1) & ~xy
    assert np.all((sym[inner] >= 2) & (sym[inner] <= 5))     # a, b, c, d elsewhere
    first, second = sym[t1, si, ni] - to.X, sym[t2, si, ni] - to.X
    np.testing.assert_array_equal(label, 2 * first + second)  # Q, R, S, U = XX, XY, YX, YY
    np.testing.assert_array_equal(target, np.eye(4)[label])
    assert np.all(np.bincount(label.ravel(), minlength=4) > 500)


def test_truncated_gradient_differs_from_the_exact_one():
    """Otherwise the closed-form-vs-step-by-step check would be vacuous."""
    rng = np.random.default_rng(3)
    p = {n: rng.uniform(-1, 1, size=v.shape) for n, v in to.init_lstm(rng, 2).items()}
    x, t, _, length, _ = to.temporal_order_batch(rng, (2, 3), 24)
    c = to.lstm_forward(p, x)
    dy = to.readout(p, c, length - 1)[0] - t
    full = to.lstm_grads_bptt(p, c, length - 1, dy)["W"]
    trunc = to.lstm_grads_truncated(p, c, length - 1, dy)["W"]
    assert np.abs(full - trunc).max() > 1e-3 * np.abs(full).max()
    np.testing.assert_allclose(to.lstm_grads_bptt(p, c, length - 1, dy)["V"],
                               to.lstm_grads_truncated(p, c, length - 1, dy)["V"])


def test_closed_input_gates_make_each_cell_an_integrator():
    """Input gates shut: ds(t)/ds(t-1) = 1, the top exponents are 0 (up to finite-time bias)."""
    rng = np.random.default_rng(5)
    x, _, _, _, _ = to.temporal_order_batch(rng, (1, 4), 40)
    p = to.init_lstm(rng, 1)
    p["W"][:, -1, to.I_] = -60.0
    ex = to.spectrum("lstm1997", p, x, 5, 40, k=12)
    np.testing.assert_allclose(np.sort(ex[0], axis=-1)[:, ::-1][:, :4], 0.0, atol=1e-3)


def test_divergence_stops_with_the_step_and_the_quantity(monkeypatch):
    real = to.temporal_order_batch

    def poisoned(rng, shape, T):
        x, *rest = real(rng, shape, T)
        x[3, :, 0, 0] = np.nan                              # a NaN input in the first sequence
        return (x, *rest)
    monkeypatch.setattr(to, "temporal_order_batch", poisoned)
    r = np.random.default_rng(0)
    with pytest.raises(cli.TrainingDiverged, match=r"step 0: lstm1997 output became non-finite"):
        to.train_online("lstm1997", 2, 24, 10, r, r)


def test_impossible_T_is_refused():
    proc = run_stub(STUB, "--T", "8", timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "--T must be" in proc.stderr


def test_catalog_setting_task_and_run(tmp_path):
    """--setting catalog: the earlier catalog's T = 50 task, its own results file, a separate code path."""
    x, label = catalog.catalog_batch(np.random.default_rng(4), (2, 500))
    sym = x.argmax(-1)
    assert x.shape == (50, 2, 500, 8) and np.all(sym[0] == to.B_) and np.all(sym[-1] == to.E)
    t1 = (sym[:25] >= to.X).argmax(0)
    t2 = 25 + (sym[25:] >= to.X).argmax(0)
    assert t1.min() == 3 and t1.max() == 12 and t2.min() == 25 and t2.max() == 40
    assert ((sym >= to.X).sum(0) == 2).all()
    si, ni = np.indices((2, 500))
    np.testing.assert_array_equal(label, 2 * (sym[t1, si, ni] - to.X) + (sym[t2, si, ni] - to.X))
    p = run_stub(STUB, "--setting", "catalog", "--quick", "--out", tmp_path / "c.json", timeout=120)
    assert p.returncode == 0, p.stderr
    res = json.loads((tmp_path / "c.json").read_text())
    assert res["config"]["setting"] == "catalog" and res["config"]["T"] == 50
