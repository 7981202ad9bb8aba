"""Science checks of stubs/continual-embedded-reber: stream, net size, protocol, the catalog's fast
path. The cell itself (forward, BPTT, Jacobians) is tested in test_lstm_gers.py; the gradient checks
run once, through --gradcheck in test_stubs.py."""
import json

import numpy as np
import pytest
from conftest import ROOT, load_stub, run_stub

from shared import cli
from shared.lstm_gers import lstm

STUB = ROOT / "stubs" / "continual-embedded-reber"
reber = load_stub("continual-embedded-reber")
catalog = reber.setting_module("catalog")

# the Reber grammar written out again: (node, symbol) -> next node; node 5 is left by E
EDGES = {(0, "T"): 1, (0, "P"): 2, (1, "S"): 1, (1, "X"): 3, (2, "T"): 2, (2, "V"): 4,
         (3, "X"): 2, (3, "S"): 5, (4, "P"): 3, (4, "V"): 5}


def parse_embedded(s):
    """True when s is one embedded Reber string B (T|P) B ... E (same T|P) E."""
    if len(s) < 9 or s[0] != "B" or s[1] not in "TP" or s[-2] != s[1] or s[-1] != "E" or s[2] != "B":
        return False
    node = 0
    for c in s[3:-3]:
        if (node, c) not in EDGES:
            return False
        node = EDGES[(node, c)]
    return node == 5 and s[-3] == "E"


def test_weight_counts_are_the_papers():
    assert reber.PAPER_NET.n_weights() == 424               # 4*2*15 + 12*16 + 7*16
    assert reber.PAPER_NET_1997.n_weights() == 360          # 4*2*15 + 8*16 + 7*16
    for a in (reber.PAPER_NET, reber.PAPER_NET_1997):
        p = reber.init_paper(a, np.random.default_rng(0), 2)
        assert np.count_nonzero(p["W"][0]) + np.count_nonzero(p["V"][0]) == a.n_weights()
        assert np.all(p["W"][:, -1, a.G] == 0)           # no cell bias
        assert np.allclose(p["W"][:, -1, a.I], [-0.5, -1.0, -1.5, -2.0])
        assert np.allclose(p["W"][:, -1, a.O], [-0.5, -1.0, -1.5, -2.0])
    a = reber.PAPER_NET
    W = reber.init_paper(a, np.random.default_rng(0), 1)["W"]
    assert np.allclose(W[0, -1, a.F], [0.5, 1.0, 1.5, 2.0])


def test_stream_is_concatenated_embedded_strings_with_right_legal_sets():
    sym, legal, start = reber.Streams(np.random.default_rng(1), 3).take(3000)
    for i in range(3):
        text = "".join(reber.SYMBOLS[k] for k in sym[:, i])
        starts = np.flatnonzero(start[:, i])
        assert starts[0] == 0 and all(text[b] == "B" for b in starts)
        pieces = [text[b:e] for b, e in zip(starts[:-1], starts[1:], strict=True)]
        assert len(pieces) > 100 and all(parse_embedded(p) for p in pieces)
        # legal next symbols: the next symbol is always legal; after a final E only B
        nxt = sym[1:, i]
        assert legal[np.arange(len(nxt)), i, nxt].all()
        ends = starts[1:] - 1
        assert (legal[ends, i] == np.eye(7, dtype=bool)[0]).all()
        # the recall step (input inner E) allows exactly the outer T/P of that string
        for b, e in zip(starts[:-1], starts[1:], strict=True):
            assert legal[e - 3, i].sum() == 1 and legal[e - 3, i, sym[b + 1, i]]
    # outer T/P and branches are balanced
    outer = sym[np.flatnonzero(start[:, 0]) + 1, 0]
    assert 0.4 < np.mean(outer == 1) < 0.6


def test_correct_is_the_049_threshold():
    legal = np.array([[0, 1, 0, 0, 1, 0, 0]], dtype=bool)
    y = np.array([[0.1, 0.6, 0.2, 0.0, 0.52, 0.1, 0.3]])
    assert reber.correct(y, legal)[0]
    y[0, 4] = 0.50                                        # error 0.50 on a legal unit
    assert not reber.correct(y, legal)[0]
    y[0, 4], y[0, 6] = 0.6, 0.495                         # an illegal unit too active
    assert not reber.correct(y, legal)[0]


def test_catalog_fast_path_is_forward_plus_bptt():
    rng = np.random.default_rng(6)
    for forget in (True, False):
        a = catalog.catalog_cell(forget)
        p = {"W": rng.uniform(-1, 1, (2, a.D, a.H)), "V": rng.uniform(-1, 1, (2, 7, a.D)) * a.vmask}
        x = rng.normal(size=(6, 2, 3, 7))
        tgt = np.eye(7)[rng.integers(0, 7, (6, 2, 3))]
        s0, y0 = rng.normal(size=(2, 3, 12)), rng.uniform(-0.5, 0.5, (2, 3, 12))
        c = lstm.forward(a, p, x, s0, y0)
        g1 = lstm.grads_bptt(a, p, c, c["y"] - tgt)
        g2, s_end, y_end = catalog.catalog_loss_grads(a, p, x, tgt, s0, y0)
        for k in g1:
            assert np.abs(g1[k] - g2[k]).max() < 1e-12
        assert np.abs(s_end - c["s"][-1]).max() < 1e-12 and np.abs(y_end - c["yc_last"]).max() < 1e-12


def test_training_resets_at_errors_and_freezes_solved_nets():
    rng = np.random.default_rng(7)
    a = reber.PAPER_NET
    p = reber.init_paper(a, rng, 2)
    test = reber.Streams(rng, 2).take(50)[:2]
    out = reber.train(a, p, rng, test, 0.5, 50, 400, 200)
    assert out["n_trained"] == 400 and (out["n_streams"] > 10).all()     # untrained nets err often
    assert out["curve_test"].shape == (2, 2)
    W0, st = p["W"].copy(), reber.new_state(a, 2)
    reber.rtrl_step(a, p, st, np.eye(7)[[0, 1]], np.ones((2, 7)), np.array([0.0, 0.5])[:, None, None])
    assert np.array_equal(p["W"][0], W0[0]) and not np.array_equal(p["W"][1], W0[1])   # net 0 frozen


def test_divergence_stops_with_the_step_and_the_quantity():
    rng = np.random.default_rng(8)
    a = reber.PAPER_NET
    p = reber.init_paper(a, rng, 2)
    p["V"][0, 0, 0] = np.nan
    test = reber.Streams(rng, 2).take(20)[:2]
    with pytest.raises(cli.TrainingDiverged, match=r"step 100: forget W became non-finite"):
        reber.train(a, p, rng, test, 0.5, 20, 100, 100, label="forget")


def test_catalog_setting_runs_to_its_own_file(tmp_path):
    proc = run_stub(STUB, "--setting", "catalog", "--quick", "--out", tmp_path / "c.json", timeout=120)
    assert proc.returncode == 0, proc.stderr
    res = json.loads((tmp_path / "c.json").read_text())
    assert res["config"]["setting"] == "catalog" and res["metrics"]["forget"]["weights"] == 20 * 48 + 7 * 13
