"""Science checks of stubs/anbn-anbncn: the languages, the paper's nets, the online learning rule,
the evaluation. The cell itself (forward, BPTT, Jacobians) is tested in test_lstm_gers.py; the
gradient checks run once, through --gradcheck in test_stubs.py."""
import numpy as np
import pytest
from conftest import load_stub

from shared.gradcheck import rel_error
from shared.lstm_gers import lstm

anbn = load_stub("anbn-anbncn")
catalog = anbn.setting_module("catalog")


def test_weight_counts():
    # CFL: 1 block of 1 cell, 3 inputs, 3 outputs: W 5 x 4 minus the cell bias, 3 peepholes, V 3 x 5
    assert anbn.paper_cell(anbn.CFL).n_weights() == 19 + 3 + 15 == 37
    # CSL: 2 blocks of 1 cell, 4 inputs, 4 outputs: W 7 x 8 minus 2 cell biases, 6 peepholes, V 4 x 7
    assert anbn.paper_cell(anbn.CSL).n_weights() == 54 + 6 + 28 == 88
    p = anbn.init_paper(anbn.paper_cell(anbn.CSL), np.random.default_rng(0), 3)
    assert p["W"].shape == (3, 7, 8) and p["P"].shape == (3, 3, 2) and p["V"].shape == (3, 4, 7)


def test_init():
    a = anbn.paper_cell(anbn.CSL)
    p = anbn.init_paper(a, np.random.default_rng(1), 5)
    assert np.all(p["W"][:, -1, a.I] == [-0.5, -1.0]) and np.all(p["W"][:, -1, a.O] == [-0.5, -1.0])
    assert np.all(p["W"][:, -1, a.F] == [0.5, 1.0]) and np.all(p["W"][:, -1, a.G] == 0.0)
    rest = p["W"][:, :-1]
    assert np.abs(rest).max() <= 0.1 and np.abs(p["P"]).max() <= 0.1 and np.abs(p["V"]).max() <= 0.1


def test_strings_and_targets():
    sym, tgt = anbn.CFL.string(3)                      # S a a a b b b ; outputs a, b, T
    assert sym.tolist() == [0, 1, 1, 1, 2, 2, 2]
    assert tgt.tolist() == [[1, 0, 0], [1, 1, 0], [1, 1, 0], [1, 1, 0], [0, 1, 0], [0, 1, 0], [0, 0, 1]]
    sym, tgt = anbn.CSL.string(2)                      # S a a b b c c ; outputs a, b, c, T
    assert sym.tolist() == [0, 1, 1, 2, 2, 3, 3]
    assert tgt.argmax(1).tolist()[3:] == [1, 2, 2, 3] and tgt[1:3, :2].all()
    for lang in (anbn.CFL, anbn.CSL):
        for n in (1, 5, 17):
            sym, tgt = lang.string(n)
            assert len(sym) == lang.B * n + 1 and tgt[-1, -1] == 1 and tgt[:-1, -1].sum() == 0
            assert np.bincount(sym, minlength=lang.K).tolist() == [1] + [n] * lang.B


def test_training_stream_is_the_ten_shortest_strings():
    st = anbn.TrainStream(anbn.CFL, np.random.default_rng(0), 2)
    sym, tgt, start = st.take(2 * sum(2 * n + 1 for n in range(1, 11)))
    for i in range(2):
        lens = np.diff(np.r_[np.flatnonzero(start[:, i]), len(start)])
        assert sorted(lens[:10].tolist()) == [2 * n + 1 for n in range(1, 11)]   # one pass = every n once


def test_fast_catalog_gradient_equals_generic():
    a = catalog.catalog_cell(3, 2)
    rng = np.random.default_rng(4)
    p = {k: rng.uniform(-1, 1, size=v.shape) for k, v in anbn.init_paper(a, rng, 3).items()}
    p["W"] *= a.wmask
    p["V"] *= a.vmask
    sym, d = anbn.CFL.string(4)
    x = np.eye(a.K)[sym][:, None].repeat(3, 1)
    dd = d[:, None].repeat(3, 1).astype(float)
    g1 = catalog.catalog_grads(a, p, x, dd)
    c = lstm.forward(a, p, x[:, :, None])
    g2 = lstm.grads_bptt(a, p, c, c["y"] - dd[:, :, None])
    g2 = {"W": g2["W"] * a.wmask, "P": g2["P"], "V": g2["V"] * a.vmask}
    for k in g1:
        assert rel_error(g1[k], g2[k]) < 1e-10, k


def test_rtrl_writes_gradients_into_the_flat_buffer():
    a = anbn.paper_cell(anbn.CSL)
    buf, g = anbn.flat_params(a, 3)
    for v in g.values():
        assert np.shares_memory(v, buf)
    assert np.shares_memory(g["W"][:, :, :3 * a.nc].reshape(3, a.D, 3, a.nc), buf)
    p = anbn.init_paper(a, np.random.default_rng(5), 3)
    st = anbn.new_state(a, 3)
    anbn.rtrl_step(a, p, st, np.eye(a.K)[[0, 0, 0]], np.eye(a.K)[[0, 0, 0]], g)
    assert np.abs(buf).sum() > 0


def counter_net(S=1, jitter=0.0, rng=None):
    """A hand-set 1-cell a^n b^n net with the paper's cell: a adds g(1), b adds g(-1) to s."""
    a = anbn.paper_cell(anbn.CFL)
    p = {k: np.zeros((S,) + v.shape[1:]) for k, v in anbn.init_paper(a, np.random.default_rng(0), 1).items()}
    W, V = p["W"], p["V"]
    S_, A_, B_, R_, one = 0, 1, 2, 3, 4                      # rows: x = S, a, b; y_c; bias
    W[:, one, a.I] = W[:, one, a.F] = 20.0                  # gates open, forget gate at 1
    W[:, A_, a.G], W[:, B_, a.G] = 1.0, -1.0                # +-0.924 per symbol
    W[:, one, a.O] = 20.0
    # outputs: a after S or a; b after a, or after b while s > 0.46; T once s is back near 0
    V[:, 0, S_], V[:, 0, A_], V[:, 0, one] = 20.0, 20.0, -10.0
    V[:, 1, A_], V[:, 1, B_], V[:, 1, R_], V[:, 1, one] = 20.0, 10.0, 40.0, -20.0
    V[:, 2, B_], V[:, 2, R_], V[:, 2, one] = 10.0, -40.0, 0.0
    if jitter:
        for k in p:
            mask = a.wmask if k == "W" else a.vmask if k == "V" else 1.0
            p[k] += jitter * rng.normal(size=p[k].shape) * mask
    return a, p


@pytest.mark.parametrize("lang", [anbn.CFL, anbn.CSL], ids=["anbn", "anbncn"])
def test_accept_equals_string_by_string(lang):
    rng = np.random.default_rng(6)
    if lang is anbn.CFL:
        a, p = counter_net(40, jitter=1.0, rng=rng)
    else:
        a = anbn.paper_cell(lang)
        p = {k: v + rng.uniform(-2, 2, size=v.shape) for k, v in anbn.init_paper(a, rng, 40).items()}
    ok, rs, _ = anbn.accept(a, p, lang, 6, record=6)
    for n in range(1, 7):
        sym, d = lang.string(n)
        c = lstm.forward(a, p, np.eye(a.K)[sym][:, None, None].repeat(40, 1))
        ref = ((c["y"][:, :, 0] > 0.5) == (d[:, None] > 0.5)).all(-1).all(0)
        assert np.array_equal(ok[:, n - 1], ref)
    assert rel_error(rs, c["s"][1:, :, 0]) < 1e-12                # the batched states are the string's
    if lang is anbn.CFL:
        assert ok.any() and not ok.all()                          # the check is not vacuous
    ok = np.array([[1, 1, 0, 1], [1, 1, 1, 1], [0, 1, 1, 1]], bool)
    assert np.array_equal(anbn.gen_range(ok), [2, 4, 0])


def test_a_counter_net_generalises():
    """The hand-set counter accepts far beyond n = 10: the task and the acceptance test allow the
    solution the paper reports, with the paper's cell."""
    a, p = counter_net()
    ok = anbn.accept(a, p, anbn.CFL, 60)
    assert anbn.gen_range(ok)[0] >= 30


def test_no_net_learning_within_an_unknown_budget_is_open():
    assert [anbn.verdict_learned(k) for k in (0, 3)] == ["open", "partial"]
