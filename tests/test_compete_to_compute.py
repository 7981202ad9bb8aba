"""Checks of stubs/compete-to-compute: the hand-written backward pass of LWTA, ReLU and sigmoid nets
against complex steps and float64 central differences, the LWTA winner mask, the independence of
the nets trained side by side, the idle output head, the per-seed batch orders, the diagnostics and
the verdict rules. The MNIST loader is checked in tests/test_data_core.py."""
import argparse

import numpy as np

from conftest import load_stub
from shared import cli
from shared.gradcheck import TOLERANCE, check_gradients

c2c = load_stub("compete-to-compute")
dg = cli.load_sibling(c2c.__file__, "compete_to_compute_diagnostics", vars(c2c))


def test_gradcheck_flag_passes():
    errs = c2c.gradcheck(argparse.Namespace(seed=0))
    assert {k.split(".")[1] for k in errs} == {"W1", "b1", "W2", "b2", "Wo", "bo", "x"}
    assert max(errs.values()) < TOLERANCE, errs


def kink_margin(p, x):
    """Smallest distance of a pre-activation to a kink: |a| for ReLU, the gap inside an LWTA block."""
    xb = x[None]
    a1 = xb @ p["W1"] + p["b1"][..., None, :]
    h1, _ = c2c.activate(a1, c2c.KINDS)
    a2 = h1 @ p["W2"] + p["b2"][..., None, :]
    out = []
    for a in (a1, a2):
        out.append(np.abs(a[c2c.KINDS.index("relu")]).min())
        blk = a[c2c.KINDS.index("lwta")].reshape(a.shape[1:-1] + (-1, 2))
        out.append(np.abs(blk[..., 0] - blk[..., 1]).min())
    return min(out)


def test_central_differences_of_all_three_kinds():
    # float64 central differences with Richardson extrapolation (eps 1e-4), every coordinate; the
    # net is drawn so that no pre-activation lies within 1e-2 of a kink, so no step crosses one
    rng = np.random.default_rng(3)
    for _ in range(50):
        p, x, y = c2c.gradcheck_net(rng)
        if kink_margin(p, x) > 1e-2:
            break
    assert kink_margin(p, x) > 1e-2
    for task in (0, 1):
        _, g, dx = c2c.loss_and_grads(p, x, y, task)
        xs = {"x": x}

        def total(task=task, xs=xs):
            z, _ = c2c.forward(p, xs["x"], task)
            return float(c2c.cross_entropy(z, y)[0].sum())
        errs = check_gradients(total, p, g, eps=1e-4, richardson=True)
        errs.update(check_gradients(total, xs, {"x": dx.sum(0)}, eps=1e-4, richardson=True))
        assert max(errs.values()) < TOLERANCE, (task, errs)


def test_lwta_passes_the_block_winner_only():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(3, 2, 5, 8))
    h, gate = c2c.activate(a, c2c.KINDS)
    blk_a, blk_h = a[0].reshape(2, 5, 4, 2), h[0].reshape(2, 5, 4, 2)
    assert np.all((blk_h != 0).sum(-1) == 1)                           # one winner per block
    assert np.array_equal(blk_h.sum(-1), blk_a.max(-1))                # it passes its value, linearly
    assert np.array_equal(gate[0], h[0] != 0)                          # the gradient gate is the mask
    assert np.array_equal(h[1], np.maximum(a[1], 0)) and np.allclose(h[2], 1 / (1 + np.exp(-a[2])))


def test_a_unit_that_never_wins_gets_no_gradient():
    rng = np.random.default_rng(1)
    p, x, y = c2c.gradcheck_net(rng)
    p["b1"][0, :, 1] = -50.0                                           # unit 1 loses block 0 always
    _, g, _ = c2c.loss_and_grads(p, x, y, 0)
    assert np.all(g["W1"][0, :, :, 1] == 0) and np.all(g["b1"][0, :, 1] == 0)
    assert np.any(g["W1"][0, :, :, 0] != 0)


def test_idle_head_is_left_alone():
    p, x, y = c2c.gradcheck_net(np.random.default_rng(2))
    _, g, _ = c2c.loss_and_grads(p, x, y, 1)
    assert np.all(g["Wo"][:, :, 0] == 0) and np.all(g["bo"][:, :, 0] == 0)
    assert np.any(g["Wo"][:, :, 1] != 0)


def test_nets_are_independent():
    # the gradient of (sigmoid, seed 1) is the same trained among all six nets as alone
    p, x, y = c2c.gradcheck_net(np.random.default_rng(4))
    loss, g, _ = c2c.loss_and_grads(p, x, y, 0)
    q = {k: w[2:3, 1:2].copy() for k, w in p.items()}
    loss1, g1, _ = c2c.loss_and_grads(q, x[1:2], y[1:2], 0, kinds=("sigmoid",))
    assert np.isclose(loss[2, 1], loss1[0, 0]) and all(np.allclose(g[k][2:3, 1:2], g1[k]) for k in g)


def test_batch_orders_cover_each_epoch_once_per_seed():
    o = c2c.batch_orders(np.random.default_rng(0), 3, 50, 10, 2)
    assert o.shape == (10, 3, 10)
    for s in range(3):
        assert sorted(o[:5, s].ravel()) == list(range(50))
    assert not np.array_equal(o[:, 0], o[:, 1])


def test_training_learns_a_toy_task():
    rng = np.random.default_rng(5)
    n = 600
    y = rng.integers(0, 5, n)
    x = rng.random((n, c2c.N_IN)).astype(np.float32) * 0.2
    for k in range(5):
        x[y == k, k * 150:(k + 1) * 150] += 0.6
    data = [(x, y, x[:200], y[:200])] * 2
    cfg = dict(c2c.DEFAULTS, n_seeds=2, hidden=20, epochs1=3, evals_per_epoch=1)
    p = c2c.init_params(rng, 2, 20)
    orders = c2c.batch_orders(rng, 2, n, 20, 3)
    probe = [(x[:200], y[:200])] * 2
    cur = c2c.train_phase(p, 0, data, orders, cfg, probe, lambda s: None)
    assert cur["err1"].shape == (3, 3, 2) and cur["dW"].shape == (3, 3, 20)
    assert cur["err1"][-1].max() < 0.05 and np.all(cur["err2"][-1] == cur["err2"][0])


def test_unit_change_and_paired_statistics():
    W = np.ones((4, 3))
    W2 = W.copy()
    W2[:, 1] *= 1.5
    assert np.allclose(c2c.unit_change(W, W2), [0, 0.5, 0])
    d = dg.paired(np.array([-1.0, -2.0, -1.5, -0.5, -1.2]))
    assert d["hi"] < 0 and d["wins"] == 5 and np.isclose(d["p"], 1 / 32)


def fake_metrics(lo_relu, hi_relu, lo_sig, hi_sig):
    F = {k: {"mean": 1.0, "half": 0.1} for k in c2c.KINDS}
    F["paired"] = {f"lwta_minus_{k}": {"mean": (lo + hi) / 2, "lo": lo, "hi": hi, "p": 0.01, "wins": 7}
                   for k, lo, hi in (("relu", lo_relu, hi_relu), ("sigmoid", lo_sig, hi_sig))}
    return {"forgetting": F}


def test_verdict_rules():
    cfg = dict(c2c.DEFAULTS)
    rows = c2c.headline_rows(fake_metrics(-3.0, -1.0, -2.0, 0.5), cfg)
    assert [r["verdict"] for r in rows] == ["partial", "open", "open"]
    rows = c2c.headline_rows(fake_metrics(1.0, 3.0, -2.0, -0.1), cfg)   # LWTA worse: open, never no
    assert [r["verdict"] for r in rows] == ["open", "partial", "open"]
