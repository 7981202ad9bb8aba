"""Science checks of stubs/two-sequence-noise: the paper's tasks, net, truncated gradient, dynamics."""
import json

import numpy as np
import pytest
from conftest import ROOT, load_stub, run_stub

from shared import cli

STUB = ROOT / "stubs" / "two-sequence-noise"
ts = load_stub("two-sequence-noise")
catalog = ts.setting_module("catalog")                 # the earlier catalog's setting, its own file


def test_weight_count_is_the_papers_102():
    net = ts.PAPER_NET
    assert ts.n_weights(net) == 102                            # 9 * (1 + 9 + 1) + 1 * 3, no output bias
    p = ts.init_paper(np.random.default_rng(0), 3)
    assert p["W"].shape == (3, 11, 9) and p["V"].shape == (3, 1, 3)
    assert sum(v[0].size for v in p.values()) == 102
    assert ts.n_weights(catalog.CATALOG_NET) == 103                 # the earlier catalog's 3 x 2 net


def test_init_follows_the_paper():
    net = ts.PAPER_NET
    p = ts.init_paper(np.random.default_rng(1), 4)
    assert np.all(p["W"][:, -1, net.i_sl] == [-1.0, -3.0, -5.0])
    assert np.all(p["W"][:, -1, net.o_sl] == [-2.0, -4.0, -6.0])
    rest = p["W"].copy()
    rest[:, -1, net.i_sl] = rest[:, -1, net.o_sl] = 0
    assert np.abs(rest).max() <= 0.1 and np.abs(p["V"]).max() <= 0.1
    assert ts.RULES["3a"]["lr"] == ts.RULES["3b"]["lr"] == 1.0 and ts.RULES["3c"]["lr"] == 0.1


@pytest.mark.parametrize("variant", ["3a", "3b", "3c"])
@pytest.mark.parametrize("N", [1, 3])
def test_sequences(variant, N):
    T = 100
    x, clean, noisy, cls, length = ts.two_sequence_batch(np.random.default_rng(2), (3, 4000), T, N, variant)
    assert x.shape == (110, 3, 4000, 1)
    assert length.min() == T and length.max() == T + T // 10
    x = x[..., 0]
    t = np.arange(110)[:, None, None]
    assert np.all(x[t >= length] == 0)                                  # zero padding after the end
    sign = 1.0 - 2.0 * cls
    if variant == "3b":                                                 # signal plus noise of variance 0.2
        d = x[:N] - sign
        assert abs(d.var() - 0.2) < 0.01 and abs(d.mean()) < 0.01
    else:
        assert np.all(x[:N] == sign)                                   # +1 class 1, -1 class 2
    noise = x[N:T]
    assert abs(noise.var() - 0.2) < 0.005 and abs(noise.mean()) < 0.005
    assert 0.48 < cls.mean() < 0.52
    if variant == "3c":
        np.testing.assert_array_equal(clean, 0.2 + 0.6 * cls)         # 0.2 class 1, 0.8 class 2
        assert abs((noisy - clean).var() - 0.1) < 0.01                  # target noise variance 0.1
    else:
        np.testing.assert_array_equal(clean, 1.0 - cls)                # 1.0 class 1, 0.0 class 2
        np.testing.assert_array_equal(noisy, clean)


def test_misclassification_rules():
    err = np.array([[0.05, 0.15, 0.2, 0.25]] * 3)
    w = ts.misclassified(err, ["3a", "3b", "3c"], 1)
    np.testing.assert_array_equal(w[0], [0, 0, 1, 1])                  # 3a: correct below 0.2
    np.testing.assert_array_equal(w[2], [0, 1, 1, 1])                  # 3c: wrong above 0.1


def test_truncated_gradient_differs_from_the_exact_one():
    """Otherwise the closed-form-vs-step-by-step check would be vacuous."""
    rng = np.random.default_rng(3)
    net = ts.PAPER_NET
    p = {n: rng.uniform(-1, 1, size=v.shape) for n, v in ts.init_paper(rng, 2).items()}
    x, clean, _, _, length = ts.two_sequence_batch(rng, (2, 3), 20, 3, "3a")
    c = ts.lstm_forward(net, p, x)
    dy = ts.readout(net, p, c, length - 1)[0] - clean
    full = ts.lstm_grads_bptt(net, p, c, length - 1, dy)["W"]
    trunc = ts.lstm_grads_truncated(net, p, c, length - 1, dy)["W"]
    assert np.abs(full - trunc).max() > 1e-3 * np.abs(full).max()


@pytest.mark.parametrize("which", ["paper", "catalog"])
def test_fast_evaluation_equals_the_training_forward(which):
    net, init = ((ts.PAPER_NET, ts.init_paper) if which == "paper"
                 else (catalog.CATALOG_NET, catalog.init_catalog))
    rng = np.random.default_rng(4)
    p = init(rng, 3)
    p["W"] += rng.uniform(-0.7, 0.7, size=p["W"].shape) * net.mask
    x, _, _, _, length = ts.two_sequence_batch(rng, (3, 9), 30, 3, "3b")
    y1 = ts.readout(net, p, ts.lstm_forward(net, p, x), length - 1)[0]
    np.testing.assert_allclose(ts.lstm_outputs(net, p, x, length - 1), y1, atol=1e-12)


def test_closed_input_gates_make_each_cell_an_integrator():
    """Input gates shut: ds(t)/ds(t-1) = 1, the top exponents are 0 (up to finite-time bias)."""
    rng = np.random.default_rng(6)
    x, _, _, _, _ = ts.two_sequence_batch(rng, (1, 4), 40, 3, "3a")
    p = ts.init_paper(rng, 1)
    p["W"][:, -1, ts.PAPER_NET.i_sl] = -60.0
    ex = ts.spectrum(ts.PAPER_NET, p, x, 5, 40, k=12)
    np.testing.assert_allclose(np.sort(ex[0], axis=-1)[:, ::-1][:, :3], 0.0, atol=1e-3)


def test_a_net_that_met_its_criterion_is_frozen():
    """Stopped nets must not change: run two caps and compare a net that stopped in both."""
    cfg = {"variants": ["3a"], "n_seeds": 2, "T": 12, "N": 3, "max_sequences": 60, "test_every": 20,
           "n_snaps": 2, "log_every": 1000}
    r = np.random.default_rng(7)
    test = ts.shared_sets(r, ["3a"], 2, 16, 12, 3)
    ts.RULES["3a"], saved = dict(ts.RULES["3a"], max_wrong=16, max_mae=1.0), ts.RULES["3a"]
    try:                                                                   # a criterion every net meets
        out = ts.train_paper(cfg, np.random.default_rng(8), np.random.default_rng(9), test)
    finally:
        ts.RULES["3a"] = saved
    assert np.all(out["st2"] == 20) and out["n_trained"] == 20


def test_divergence_stops_with_the_step_and_the_quantity(monkeypatch):
    real = ts.two_sequence_batch

    def poisoned(rng, shape, T, n_info, variant):
        x, *rest = real(rng, shape, T, n_info, variant)
        x[3, :, 0, 0] = np.nan                                        # a NaN input in the first sequence
        return (x, *rest)
    monkeypatch.setattr(ts, "two_sequence_batch", poisoned)
    cfg = {"variants": ["3a"], "n_seeds": 2, "T": 12, "N": 3, "max_sequences": 10, "test_every": 5,
           "n_snaps": 2, "log_every": 1000}
    r = np.random.default_rng(0)
    test = ts.shared_sets(np.random.default_rng(1), ["3a"], 2, 8, 12, 3)
    with pytest.raises(cli.TrainingDiverged, match=r"step 0: output became non-finite"):
        ts.train_paper(cfg, r, r, test)


def test_impossible_arguments_are_refused():
    proc = run_stub(STUB, "--N", "2", timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "N = 1 or 3" in proc.stderr
    proc = run_stub(STUB, "--variants", "3d", timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


@pytest.mark.parametrize("setting", ["catalog", "guessing"])
def test_other_settings_run_quick(setting, tmp_path):
    from shared.results import read_results
    out = tmp_path / "r.json"
    proc = run_stub(STUB, "--setting", setting, "--quick", "--out", out, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    res = read_results(out)
    assert res["config"]["setting"] == setting and res["quick"] is True


def test_random_guessing_draws_the_papers_net():
    """Guessing searches the same 102 weights; with R = 100 a fixed fraction of draws latch 3a."""
    rng = np.random.default_rng(10)
    net = ts.PAPER_NET
    p = {"W": rng.uniform(-100, 100, size=(400, net.D, net.H)), "V": rng.uniform(-100, 100, size=(400, 1, 3))}
    x, clean, _, _, length = ts.two_sequence_batch(rng, (1, 16), 30, 3, "3a")
    xb = np.broadcast_to(x, (x.shape[0], 400, 16, 1))
    e = np.abs(ts.lstm_outputs(net, p, xb, np.broadcast_to(length - 1, (400, 16))) - clean)
    ok = (e < 0.2).all(axis=1)
    assert 0 < ok.sum() < 400                      # some random nets solve it, most do not


@pytest.mark.parametrize("flag", ["--T", "--n-seeds", "--max-sequences", "--test-every",
                                  "--catalog-sequences", "--guess-range", "--guess-trials"])
@pytest.mark.parametrize("value", ["0", "1000000000000", "abc", "nan"])
def test_numeric_flags_are_bounded(flag, value):
    """Zero, absurdly large and non-numeric values are refused at parse time, in one line."""
    proc = run_stub(STUB, "--quick", flag, value, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and flag in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_quick_keeps_the_flags_the_user_gave(tmp_path):
    out = tmp_path / "r.json"
    proc = run_stub(STUB, "--quick", "--T", "24", "--n-seeds", "1", "--variants", "3a", "--out", out,
                    timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    cfg = json.loads(out.read_text())["config"]
    assert cfg["T"] == 24 and cfg["n_seeds"] == 1 and cfg["max_sequences"] == 400      # the rest shrunk
