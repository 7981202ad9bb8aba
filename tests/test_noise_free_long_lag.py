"""Science checks of stubs/noise-free-long-lag: the paper's three tasks, nets, gradients and dynamics."""

import json

import numpy as np
import pytest
from conftest import ROOT, load_stub, run_stub

from shared.gradcheck import numeric_jacobian
from shared.lstm1997 import cell

STUB = ROOT / "stubs" / "noise-free-long-lag"
nf = load_stub("noise-free-long-lag")
catalog = nf.sibling_module("catalog")  # the earlier catalog's setting, its own file


def test_weight_counts_are_the_papers():
    assert nf.n_weights_ab(100) == 10_504  # Table 2: 2 * 101 + 101 * 102
    for p, w in ((50, 364), (100, 664), (200, 1264), (500, 3064), (1000, 6064)):  # Table 3
        assert nf.n_weights_c(p) == w
    pa, pc = nf.init_ab(np.random.default_rng(0), 3, 100), nf.init_c(np.random.default_rng(0), 3, 50)
    assert sum(v[0].size for v in pa.values()) == 10_504 and sum(v[0].size for v in pc.values()) == 364
    for v in list(pa.values()) + list(pc.values()):
        assert np.abs(v).max() <= 0.2  # [-0.2, 0.2], no biases anywhere


def test_task_2a_is_two_sequences():
    sym = nf.ab_batch(np.random.default_rng(1), (2, 400), 100, False)
    assert sym.shape == (101, 2, 400)
    np.testing.assert_array_equal(sym[0], sym[-1])  # the key comes back at the end
    assert set(np.unique(sym[0])) == {99, 100}  # x or y
    assert np.all(sym[1:-1] == np.arange(99)[:, None, None])
    np.testing.assert_array_equal(nf.ab_test_set("2a", 100, None, 0)[[0, -1]], [[99, 100], [99, 100]])


def test_task_2b_has_a_random_middle():
    sym = nf.ab_batch(np.random.default_rng(2), (1, 500), 100, True)
    np.testing.assert_array_equal(sym[0], sym[-1])
    mid = sym[1:-1]
    assert mid.min() == 0 and mid.max() == 98 and len(np.unique(mid)) == 99


def test_task_2c_sequences():
    q = p = 50
    sy = nf.c_symbols(p)
    sym, last, label = nf.c_batch(np.random.default_rng(3), 20_000, q, p)
    n = np.arange(sym.shape[1])
    assert np.all(sym[0] == sy["b"]) and np.all(sym[1] == sy["x"] + label)
    assert np.all(sym[last, n] == sy["e"]) and last.min() == q + 2  # at least q distractors
    t = np.arange(sym.shape[0])[:, None]
    mid = sym[(t >= 2) & (t < last)]
    assert mid.min() == 0 and mid.max() == p - 1  # distractors a_1..a_p only
    assert np.all(sym[t > last] == -1)
    # sequence length with the final target: q + k + 4, expected q + 13 (the paper prints q + 14)
    assert abs((last + 2).mean() - (q + 13)) < 0.3


def test_task_2c_streams_are_back_to_back_sequences():
    q, p = 10, 10
    sy = nf.c_symbols(p)
    sym, last, label = nf.c_stream(np.random.default_rng(4), 2, 3000, q, p)
    for s in range(2):
        ends = np.flatnonzero(last[:, s])
        starts = np.r_[0, ends[:-1] + 1]
        assert np.all(sym[starts, s] == sy["b"]) and np.all(sym[ends, s] == sy["e"])
        assert np.all(sym[starts + 1, s] == sy["x"] + label[ends, s])
        assert np.all(ends - starts >= q + 2)


def test_truncation_matters_for_2c_but_not_for_2a():
    rng = np.random.default_rng(5)
    p, q, S, N = 5, 4, 2, 3
    prm = {n: rng.uniform(-1, 1, size=v.shape) for n, v in nf.init_c(rng, S, p).items()}
    sym, last, label = nf.c_batch(rng, N, q, p)
    sym = np.repeat(sym[:, None], S, axis=1)
    last, tgt = np.repeat(last[None], S, 0), np.eye(2)[np.repeat(label[None], S, 0)]
    c = nf.c_forward(prm, sym)
    si, ni = np.indices((S, N))
    dy = nf.c_readout(prm, c["yc"][last, si, ni]) - tgt
    full, trunc = (
        nf.c_grads_bptt(prm, c, last, dy)["W"],
        nf.c_grads_bptt(prm, c, last, dy, truncate=True)["W"],
    )
    assert np.abs(full - trunc).max() > 1e-3 * np.abs(full).max()


def test_fast_test_paths_equal_the_general_forward():
    rng = np.random.default_rng(6)
    p, S = 8, 2
    prm = nf.init_ab(rng, S, p)
    prm["Wg"] *= 10
    cell = np.ones(S)
    sym = nf.ab_batch(rng, (1, 7), p, True)[:, 0]
    for reading in nf.READINGS:
        for cell in (np.ones(S), np.array([1.0, 0.0])):
            full = nf.ab_forward(prm, np.ascontiguousarray(np.broadcast_to(sym[:-1, None], (p, S, 7))), cell,
                                 reading)["y"][-1]
            np.testing.assert_allclose(nf.ab_final_outputs(prm, sym, cell, reading), full, atol=1e-12)
    prm = nf.init_c(rng, S, p)
    test = nf.c_test_set(rng, 9, 6, p)
    c = nf.c_forward(
        prm, np.ascontiguousarray(np.broadcast_to(test["sym"][:, None], test["sym"].shape[:1] + (S, 9)))
    )
    yc = c["yc"][test["last"], :, np.arange(9)]  # (9, S, 2)
    np.testing.assert_allclose(
        nf.c_final_outputs(prm, test["sym"], test["last"], chunk=4),
        nf.c_readout(prm, yc.transpose(1, 0, 2)),
        atol=1e-12,
    )


def test_2c_net_is_the_cores_sigma_net_on_symbols():
    """The 2c net's step, forward pass and Jacobians are the core's (tested there for this layout):
    here only that the stub builds that net, and that -1 padding reads as symbol 0."""
    net = nf.c_net(6)
    assert (net.n_in, net.B, net.bs, net.bias, net.forget, net.arith) == (10, 2, 1, False, False, "sigma")
    rng = np.random.default_rng(7)
    prm = nf.init_c(rng, 2, 6)
    sym = rng.integers(-1, 10, size=(5, 2, 3))
    c = nf.c_forward(prm, sym)
    ref = cell.reference_forward(net, prm["W"], np.maximum(sym, 0))
    for k in ("U", "act", "s", "yc"):
        np.testing.assert_allclose(c[k], ref[k], atol=1e-12, err_msg=k)


def test_catalog_jacobians_match_finite_differences():
    rng = np.random.default_rng(8)
    S, D, H = 2, 7, catalog.CAT_H
    prm = {n: rng.uniform(-0.5, 0.5, size=v.shape) for n, v in catalog.init_catalog(rng, S, D).items()}
    sym = rng.integers(0, D, size=(9, S))
    c = catalog.catalog_forward(prm, sym)
    J = catalog.catalog_jacobians(prm, c)
    t = 4

    def step(z):
        zz = prm["Wx"][np.arange(S), sym[t]] + prm["b"] + np.einsum("sh,shk->sk", z[:, H:], prm["Wh"])
        a = 1 / (1 + np.exp(-zz))
        g = np.tanh(zz[:, 2 * H : 3 * H])
        cc = a[:, H : 2 * H] * z[:, :H] + a[:, :H] * g
        return np.concatenate([cc, a[:, 3 * H :] * np.tanh(cc)], -1)

    z0 = np.concatenate([c["c"][t], c["h"][t]], -1)
    np.testing.assert_allclose(step(z0), np.concatenate([c["c"][t + 1], c["h"][t + 1]], -1), atol=1e-12)
    np.testing.assert_allclose(J[t - 1], numeric_jacobian(step, z0), atol=1e-8)


def test_the_2a_squashing_readings():
    """Section 5.2 / Table 10 (row 2a: h "id", g "g1"): g logistic in [0, 1], h the identity, and
    that is the default; the cell-less net's output is the same under every reading."""
    assert nf.READINGS["paper"] == ("sigma", "id")
    assert nf.build_parser().parse_args([]).squash == "paper"
    z = np.linspace(-30, 30, 6001)
    ranges = {"sigma": (0, 1), "sym1": (-1, 1), "sym2": (-2, 2)}
    for name, (lo, hi) in ranges.items():
        v, d = nf.squash(name, z)
        np.testing.assert_allclose([v.min(), v.max()], [lo, hi], atol=1e-9)
        np.testing.assert_allclose(d, np.gradient(v, z, edge_order=2), atol=1e-4)
    rng = np.random.default_rng(11)
    prm = nf.init_ab(rng, 2, 9)
    sym = nf.ab_batch(rng, (2, 3), 9, False)
    ys = [nf.ab_forward(prm, sym[:-1], np.zeros(2), r)["y"] for r in nf.READINGS]
    for y in ys[1:]:
        np.testing.assert_array_equal(y, ys[0])


def test_the_2a_cell_is_an_exact_integrator():
    """The cell sees only inputs: s(t) - s(t-1) is the current symbol's contribution, and the
    1-D state map has exponent 0."""
    rng = np.random.default_rng(9)
    prm = nf.init_ab(rng, 2, 20)
    sym = nf.ab_batch(rng, (2, 3), 20, True)
    c = nf.ab_forward(prm, sym[:-1], np.ones(2))
    contrib = c["yi"] * c["gc"]
    np.testing.assert_allclose(np.diff(c["s"], axis=0), contrib[1:], atol=1e-12)
    np.testing.assert_allclose(nf.ab_spectrum(prm, np.ones(2)), 0.0, atol=1e-12)


def test_closed_input_gates_give_2c_two_neutral_directions():
    rng = np.random.default_rng(10)
    prm = nf.init_c(rng, 1, 10)
    prm["W"][:, :, nf.I_] = -40.0  # every input and recurrent weight to the gates
    test = nf.c_test_set(rng, 4, 30, 10)
    ex = nf.c_spectrum(prm, test, 30, n_seq=4, k=3)
    np.testing.assert_allclose(ex[0, :, :2], 0.0, atol=1e-3)  # finite-time bias only
    assert np.all(ex[0, :, 2] < -0.1)


def test_impossible_sizes_are_refused():
    proc = run_stub(STUB, "--p", "2", timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "--p >= 3" in proc.stderr
    proc = run_stub(STUB, "--setting", "catalog", "--p", "5", timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "--p >= 6" in proc.stderr


@pytest.mark.parametrize("flag", ["--p", "--q-lag", "--p-c", "--n-seeds", "--max-sequences-ab",
                                  "--max-sequences-c", "--workers"])
@pytest.mark.parametrize("value", ["0", "1000000000000", "abc"])
def test_numeric_flags_are_bounded(flag, value):
    """Zero, absurdly large and non-numeric values are refused at parse time, in one line."""
    proc = run_stub(STUB, "--quick", flag, value, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and flag in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_catalog_setting_honours_the_flags_it_uses(tmp_path):
    """--setting catalog --quick shrinks what the user did not give and keeps what they did."""
    out = tmp_path / "c.json"
    proc = run_stub(STUB, "--setting", "catalog", "--quick", "--n-seeds", "1", "--p", "8", "--out", out,
                    timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    res = json.loads(out.read_text())
    assert res["config"]["n_seeds"] == 1 and res["config"]["p"] == 8 and res["config"]["max_sequences"] == 300
    assert "p = 8" in res["headline"][0]["name"] and "within 300" in res["headline"][0]["name"]


def test_a_cap_below_the_papers_mean_is_open_above_it_no():
    cfg = {"n_seeds": 10, "max_sequences_c": 5000, "max_sequences_ab": 10_000, "p": 100, "p_c": 50, "q": 50,
           "weights": {"2a": 10504, "2c": 364}}
    none = {"n_solved": 0, "mean_sequences_to_success": None}
    assert [r["verdict"] for r in nf.variant_headline("2c", none, cfg)] == ["open", "open"]   # 5,000 < 30,000
    assert [r["verdict"] for r in nf.variant_headline("2a", none, cfg)] == ["no", "no"]       # 10,000 > 5,040
