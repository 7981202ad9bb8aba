"""Checks of stubs/highway-networks: the hand-written backward pass of highway and plain stacks
against finite differences (float64, tanh and ReLU members side by side), the layer Jacobians
against finite differences of the forward pass, the parameter counts of section 3.1, that the
members of a grid are independent, the carry behaviour of a closed gate, the lesion, the
one-rung search and the verdict rules. The MNIST loader is checked in tests/test_data_core.py."""
import argparse

import numpy as np
import pytest

from conftest import load_stub
from shared.gradcheck import TOLERANCE, check_gradients, complex_step_gradients, numeric_jacobian

hn = load_stub("highway-networks")
MEMBERS = [{"act": "tanh", "lr": 0.1, "gate_bias": -1.0}, {"act": "relu", "lr": 0.1, "gate_bias": -2.0}]


def small(family, depth=4, seed=0):
    rng = np.random.default_rng(seed)
    acts = hn.act_slices(MEMBERS)
    p = hn.init_params(rng, family, depth, MEMBERS, np.float64)
    for k in ("b0", "b", "bo"):
        p[k] = p[k] + rng.normal(0, 0.3, p[k].shape)
    return p, acts, rng


def test_gradcheck_flag_passes():
    errs = hn.gradcheck(argparse.Namespace(seed=0))
    assert {k.split(".")[0] for k in errs} == {"highway", "plain"} and "highway.x" in errs
    assert max(errs.values()) < TOLERANCE, errs


TANH = [{"act": "tanh", "lr": 0.1, "gate_bias": -1.0}, {"act": "tanh", "lr": 0.1, "gate_bias": -3.0}]


@pytest.mark.parametrize("family", hn.FAMILIES)
@pytest.mark.parametrize("depth", [2, 3, 5])
def test_central_differences_of_tanh_stacks(family, depth):
    # tanh is smooth: float64 central differences with Richardson extrapolation (eps 1e-3) reach
    # every sampled coordinate, small gradients included
    rng = np.random.default_rng(depth)
    p = hn.init_params(rng, family, depth, TANH, np.float64)
    p["W0"] = p["W0"][:, :16] * 7.0
    for k in ("b0", "b", "bo"):
        p[k] = p[k] + rng.normal(0, 0.3, p[k].shape)
    acts = hn.act_slices(TANH)
    x, y = rng.random((4, 16)), rng.integers(0, 10, 4)
    _, g, dx = hn.loss_and_grads(p, x, y, family, acts)

    def total():
        return float(hn.loss_and_grads(p, xs["x"], y, family, acts)[0].sum())
    xs = {"x": x}
    errs = check_gradients(total, p, g, eps=1e-3, n_samples=40, rng=rng, richardson=True)
    errs.update(check_gradients(total, xs, {"x": dx.sum(0)}, eps=1e-3, n_samples=40, rng=rng,
                                richardson=True))
    assert max(errs.values()) < TOLERANCE, errs


@pytest.mark.parametrize("family", hn.FAMILIES)
def test_complex_steps_of_a_deeper_relu_and_tanh_stack(family, monkeypatch):
    # narrow layers so every coordinate can be stepped; the code does not depend on the width
    monkeypatch.setitem(hn.WIDTH, family, 5)
    p, acts, x, y = hn.gradcheck_nets(np.random.default_rng(4), family, depth=6, n_in=8)
    _, g, dx = hn.loss_and_grads(p, x, y, family, acts)

    def total(q):
        z, _ = hn.forward({k: v for k, v in q.items() if k != "x"}, q["x"], family, acts)
        return hn.cross_entropy(z, y)[0].sum()
    errs = complex_step_gradients(total, dict(p, x=x), dict(g, x=dx.sum(0)))
    assert max(errs.values()) < TOLERANCE, errs


@pytest.mark.parametrize("family", hn.FAMILIES)
def test_members_are_independent(family):
    # member 0 trained in a grid of two has the same gradient as alone
    p, acts, rng = small(family, 3, 7)
    x, y = rng.random((6, 784)), rng.integers(0, 10, 6)
    loss, g, _ = hn.loss_and_grads(p, x, y, family, acts)
    q = hn.pick(p, 0)
    loss0, g0, _ = hn.loss_and_grads(q, x, y, family, hn.act_slices(MEMBERS[:1]))
    assert np.isclose(loss[0], loss0[0]) and all(np.allclose(g[k][:1], g0[k]) for k in g)


def test_parameter_counts_match_section_3_1():
    for family, per_layer in (("highway", 2 * (50 * 50 + 50)), ("plain", 71 * 71 + 71)):
        p = hn.init_params(np.random.default_rng(0), family, 10, MEMBERS[:1])
        assert (p["W"][0, 0].size + p["b"][0, 0].size) == per_layer
        assert p["W"].shape[1] == 9 and p["W0"].shape == (1, 784, hn.WIDTH[family])
    assert abs(2 * (50 * 50 + 50) - (71 * 71 + 71)) < 20          # "roughly identical (~5000)"


def test_initialisation_and_gate_bias():
    members = [{"act": "tanh", "lr": 0.1, "gate_bias": -3.0}, {"act": "relu", "lr": 0.1, "gate_bias": -1.0}]
    p = hn.init_params(np.random.default_rng(1), "highway", 30, members, np.float64)
    assert np.all(p["b"][0, :, 50:] == -3.0) and np.all(p["b"][1, :, 50:] == -1.0)
    assert np.all(p["b"][:, :, :50] == 0.0) and np.all(p["bo"] == 0)
    # Glorot (2 / (n + n)) for the tanh member's W_H, He (2 / n) for the ReLU member's
    assert np.isclose(p["W"][0, :, :, :50].var(), 1 / 50, rtol=0.05)
    assert np.isclose(p["W"][1, :, :, :50].var(), 2 / 50, rtol=0.05)
    assert np.isclose(p["W"][:, :, :, 50:].var(), 1 / 50, rtol=0.05)


def test_closed_gates_carry_the_input_and_lesion_copies_it():
    p, acts, rng = small("highway", 5, 3)
    x = rng.random((3, 784))
    p["b"][:, :, 50:] = -60.0                                          # T = sigmoid(-60) ~ 0
    _, (hs, _, Ts) = hn.forward(p, x, "highway", acts)
    assert max(T.max() for T in Ts) < 1e-20 and np.allclose(hs[-1], hs[0])
    p, acts, _ = small("highway", 5, 3)
    _, (hs, _, Ts) = hn.forward(p, x, "highway", acts, lesion=2)
    assert np.all(Ts[2] == 0) and np.array_equal(hs[3], hs[2]) and not np.allclose(hs[2], hs[1])
    q, acts, _ = small("plain", 5, 3)
    _, (hs, _, _) = hn.forward(q, x, "plain", acts, lesion=1)
    assert np.array_equal(hs[2], hs[1])


@pytest.mark.parametrize("family", hn.FAMILIES)
def test_layer_jacobians_match_finite_differences(family):
    dg = _diag()
    p, acts, rng = small(family, 4, 11)
    q, a1 = hn.pick(p, 1), hn.act_slices(MEMBERS[1:])            # the ReLU member
    x = rng.random((2, 784))
    Js = dg.layer_jacobians(q, x, family, a1)
    n = hn.WIDTH[family]
    assert Js.shape == (3, 2, n, n)
    _, (hs, _, _) = hn.forward(q, x, family, a1)
    for j in range(3):
        for b in range(2):
            def step(h, j=j):
                W, bb = q["W"][0, j], q["b"][0, j]
                a = h @ W + bb
                if family == "highway":
                    H = np.maximum(a[:n], 0.0)
                    T = hn.sigmoid(a[n:])
                    return h + T * (H - h)
                return np.maximum(a, 0.0)
            num = numeric_jacobian(step, hs[j][0, b].copy())
            assert np.allclose(Js[j, b], num, atol=1e-6)


def _diag():
    from shared import cli
    return cli.load_sibling(hn.__file__, "highway_networks_diagnostics", vars(hn))


def test_depth_spectra_of_known_products():
    dg = _diag()
    # J = 0.5 I at every layer: every exponent is ln 0.5, the product's log-sv grow linearly
    Js = np.broadcast_to(0.5 * np.eye(3), (400, 2, 3, 3)).copy()
    lam, logsv = dg.depth_spectra(Js)
    assert np.allclose(lam, np.log(0.5)) and np.allclose(logsv[:, 0], np.log(0.5) * np.arange(1, 401))
    # one stretching direction: the frame aligns with it within a few steps (error ~ 1 / depth)
    Js[:, :, 0, 0] = 2.0
    lam, logsv = dg.depth_spectra(Js)
    assert np.allclose(lam, [np.log(2), np.log(0.5), np.log(0.5)], atol=0.02)
    assert np.isclose(logsv[-1, 0], 400 * np.log(2)) and np.isclose(logsv[-1, 2], 400 * np.log(0.5))


def toy(n=400, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    x = rng.random((n, 784)).astype(np.float32) * 0.3
    x[y == 0, :392] += 0.5
    x[y == 1, 392:] += 0.5
    return x, y, x[:100], y[:100]


def test_search_keeps_the_best_member_and_learns():
    x, y, xt, yt = toy()
    cfg = dict(hn.DEFAULTS, epochs=2, n_train=400, batch=20, search_images=200, window=100,
               lrs=(1e-5, 0.05), gate_biases=(-1.0,))
    orders = hn.epoch_orders(np.random.default_rng(0), cfg)
    r = hn.train_grid("highway", 5, cfg, (x, y, xt, yt), orders, np.random.default_rng(1))
    assert r["members"][r["winner"]]["lr"] == 0.05 and r["p"]["W"].shape[0] == 1
    ce, err = hn.evaluate(r["p"], x, y, "highway", r["acts"])
    assert err[0] == 0.0 and ce[0] < 0.1
    assert r["search_curves"].shape == (2, 4) and len(r["curve"]) == 8


def test_a_diverging_member_is_frozen_not_fatal():
    x, y, xt, yt = toy(200, 2)
    cfg = dict(hn.DEFAULTS, epochs=1, n_train=200, batch=20, search_images=200, window=100,
               lrs=(0.05, 1e4))
    orders = hn.epoch_orders(np.random.default_rng(0), cfg)
    r = hn.train_grid("plain", 6, cfg, (x, y, xt, yt), orders, np.random.default_rng(1))
    assert np.isfinite(r["search_ce"]).sum() >= 2 and r["members"][r["winner"]]["lr"] == 0.05
    assert (~np.isfinite(r["search_ce"])).sum() >= 1


def metrics(hw, pl, idle=0.6, early=5.0, late=0.1):
    ds = (10, 20, 50, 100)
    best = {f: {str(d): {"train_ce": v} for d, v in zip(ds, vals, strict=True)}
            for f, vals in (("highway", hw), ("plain", pl))}
    les = {"highway": {"idle_share": idle, "rise_first_third": early, "rise_last_third": late},
           "plain": {"idle_share": 0.0}}
    return {"best": best, "lesion": les}, dict(hn.DEFAULTS, depths=ds)


def test_verdict_rules():
    M, cfg = metrics([0.01, 0.012, 0.015, 0.02], [0.005, 0.01, 0.2, 2.3])
    rows = hn.headline_rows(M, cfg)
    assert [r["verdict"] for r in rows] == ["partial"] * 4
    assert np.isclose(rows[2]["numbers"][0]["value"], 115.0)
    # highway 10x worse at depth 100: not similar; plain no worse than highway: open, never no
    M, cfg = metrics([0.01, 0.02, 0.05, 0.1], [0.01, 0.02, 0.05, 0.1], idle=0.95)
    assert [r["verdict"] for r in hn.headline_rows(M, cfg)] == ["open"] * 4
    M, cfg = metrics([0.01] * 4, [0.01] * 4, idle=0.6, early=0.1, late=2.0)
    assert hn.headline_rows(M, cfg)[3]["verdict"] == "open"
