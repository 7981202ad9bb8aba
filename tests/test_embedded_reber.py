"""Science checks of stubs/embedded-reber: grammar, sets, net size, gradients, success test, dynamics."""
import json

import numpy as np
import pytest
from conftest import ROOT, load_stub, run_stub

from shared import cli

STUB = ROOT / "stubs" / "embedded-reber"
er = load_stub("embedded-reber")
catalog = er.sibling_module("catalog")                 # the earlier catalog's setting, its own file

# the Reber grammar written out again as a transition table: (node, symbol) -> next node
EDGES = {(0, "T"): 1, (0, "P"): 2, (1, "S"): 1, (1, "X"): 3, (2, "T"): 2, (2, "V"): 4,
         (3, "X"): 2, (3, "S"): 5, (4, "P"): 3, (4, "V"): 5}


def inner_valid(s):
    if not (s.startswith("B") and s.endswith("E")):
        return False
    node = 0
    for c in s[1:-1]:
        if (node, c) not in EDGES:
            return False
        node = EDGES[(node, c)]
    return node == 5


def test_weight_counts_are_the_papers():
    assert er.n_weights(er.ARCHS["3x2"]) == 276            # 6 * 19 + 6 * 20 + 7 * 6
    assert er.n_weights(er.ARCHS["4x1"]) == 264            # 4 * 19 + 8 * 20 + 7 * 4
    for name, a in er.ARCHS.items():
        p = er.init_lstm(a, np.random.default_rng(0), 2)
        assert np.count_nonzero(p["W"][0]) + p["V"][0].size == er.n_weights(a), name
        assert np.all(p["W"][:, -1, a.g_sl] == 0)           # no cell bias


def test_init_follows_the_paper():
    a = er.ARCHS["4x1"]
    p = er.init_lstm(a, np.random.default_rng(1), 3)
    assert np.all(p["W"][:, -1, a.o_sl] == [-1.0, -2.0, -3.0, -4.0])
    assert np.all(er.init_lstm(er.ARCHS["3x2"], np.random.default_rng(1), 1)["W"][:, -1, er.ARCHS["3x2"].o_sl]
                  == [-1.0, -2.0, -3.0])
    rest = p["W"].copy()
    rest[:, -1, a.o_sl] = 0
    assert np.abs(rest).max() <= 0.2 and np.abs(p["V"]).max() <= 0.2
    assert len(np.unique(p["W"][:, -1, a.i_sl])) == 12     # input-gate biases random


def test_strings_are_valid_and_legal_sets_correct():
    rng = np.random.default_rng(2)
    outer_seen = set()
    for _ in range(500):
        s, legal = er.embedded_string(rng)
        assert s[0] == "B" and s[-1] == "E" and s[1] in "TP" and s[-2] == s[1]
        assert inner_valid(s[2:-2])
        outer_seen.add(s[1])
        assert len(legal) == len(s) - 1
        for t, ls in enumerate(legal):
            assert s[t + 1] in ls                       # the actual next symbol is legal
        # legal sets from the transition table
        assert legal[0] == {"T", "P"} and legal[1] == {"B"} and legal[-2] == {s[1]} and legal[-1] == {"E"}
        inner = s[2:-2]
        node = 0
        assert legal[2] == {"T", "P"}
        for i, c in enumerate(inner[1:-1]):
            node = EDGES[(node, c)]
            want = {"E"} if node == 5 else {sym for (n, sym) in EDGES if n == node}
            assert legal[3 + i] == want
    assert outer_seen == {"T", "P"}


def test_sets_are_disjoint_and_encoded():
    sets = er.make_sets(np.random.default_rng(3), 2, n_train=64, n_test=64)
    for pair in range(2):
        tr, te = set(sets["train"]["strings"][pair]), set(sets["test"]["strings"][pair])
        assert not tr & te
        assert len(sets["test"]["strings"][pair]) == 64
    t = sets["train"]
    assert t["x"].shape[1:] == (2, 64, 7)
    on = t["x"].sum(-1)
    steps = np.arange(t["x"].shape[0])[:, None, None]
    assert np.all(on[steps < t["length"]] == 1) and np.all(on[steps >= t["length"]] == 0)
    # the target is the next input; the target is always legal
    np.testing.assert_array_equal(t["target"][:-1], t["x"][1:] * (steps[:-1] < t["length"] - 1)[..., None])
    assert np.all(t["legal"][t["target"] == 1])


def test_success_test_on_a_hand_made_case():
    legal = np.zeros((3, 7), dtype=bool)
    legal[0, [1, 2]] = True                              # T and P both legal
    legal[1, 0] = True
    y = np.full((3, 7), 0.1)
    y[0, 1], y[0, 2] = 0.6, 0.3                          # both legal above every illegal one
    y[1, 0] = 0.9
    assert er.step_correct(y, legal).tolist() == [True, True, True]   # step 2: padding
    y[0, 2] = 0.05                                       # argmax right, but P below an illegal unit
    assert er.step_correct(y, legal).tolist() == [False, True, True]
    y[0, 2], y[0, 4] = 0.3, 0.3                          # a tie with an illegal unit is not correct
    assert not er.step_correct(y, legal)[0]
    ok = er.strings_correct(y[:, None, None], legal[:, None, None])
    assert ok.shape == (1, 1) and not ok[0, 0]


def test_solves_agrees_with_full_evaluation():
    rng = np.random.default_rng(4)
    sets = er.make_sets(rng, 1, n_train=40, n_test=40)
    a = er.ARCHS["3x2"]
    p = er.init_lstm(a, rng, 3)
    ok, _ = er.evaluate(a, p, sets["train"], np.zeros(3, dtype=int), chunk=16)
    np.testing.assert_array_equal(er.solves(a, p, sets["train"], np.zeros(3, dtype=int), chunk=16), ok.all(1))
    # a net that outputs the legal sets exactly passes the test
    legal = sets["train"]["legal"][:, :, :]
    assert er.strings_correct(legal.astype(float) + 0.0, legal).all()


def test_truncated_gradient_differs_from_the_exact_one():
    rng = np.random.default_rng(5)
    a = er.ARCHS["3x2"]
    p = {n: rng.uniform(-1, 1, size=v.shape) for n, v in er.init_lstm(a, rng, 2).items()}
    strings = [er.embedded_string(rng) for _ in range(2)]
    x, t, lg, _ = er.encode([s for s, _ in strings], [g for _, g in strings])
    x, t, lg = (v[:, :, None] for v in (x, t, lg))
    c = er.forward(a, p, x)
    dy = (c["y"] - t) * lg.any(-1, keepdims=True)
    full = er.grads_bptt(a, p, c, dy)["W"]
    trunc = er.grads_truncated(a, p, c, dy)["W"]
    assert np.abs(full - trunc).max() > 1e-3 * np.abs(full).max()


def test_closed_gates_make_each_cell_neutral():
    """Input gates shut: ds(t)/ds(t-1) = 1, so C exponents are 0 over the inner string."""
    rng = np.random.default_rng(7)
    sets = er.make_sets(rng, 1, n_train=8, n_test=8)
    a = er.ARCHS["4x1"]
    p = er.init_lstm(a, rng, 1)
    p["W"][:, -1, a.i_sl] = -60.0
    p["W"][:, -1, a.o_sl] = -60.0
    ex = er.spectrum(a, p, sets["test"], np.zeros(1, dtype=int), 4, k=6)
    np.testing.assert_allclose(ex[0, :, :4], 0.0, atol=1e-6)
    assert np.all(ex[0, :, 4:] < -1)


def test_divergence_stops_with_the_step_and_the_quantity():
    rng = np.random.default_rng(8)
    sets = er.make_sets(rng, 1, n_train=16, n_test=16)
    sets["train"]["x"][2, 0, :, 0] = np.nan              # a NaN input in every training string
    a = er.ARCHS["3x2"]
    p = er.init_lstm(a, rng, 2)
    with pytest.raises(cli.TrainingDiverged, match=r"step 0: 3x2 output became non-finite"):
        er.train(a, p, sets, np.zeros(2, dtype=int), 0.5, 10, rng)


@pytest.mark.parametrize("rows", ["5x5:0.5", "3x2:0", "3x2:inf", "3x2:nan", "3x2:1e9", "3x2"])
def test_bad_rows_are_refused(rows):
    proc = run_stub(STUB, "--quick", "--rows", rows, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "--rows" in proc.stderr


@pytest.mark.parametrize("flag", ["--n-pairs", "--n-inits", "--max-sequences", "--n-seeds", "--check-every"])
@pytest.mark.parametrize("value", ["0", "1000000000000", "abc"])
def test_numeric_flags_are_bounded(flag, value):
    """Zero, absurdly large and non-numeric values are refused at parse time, in one line."""
    proc = run_stub(STUB, "--quick", flag, value, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and flag in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_quick_keeps_the_flags_the_user_gave(tmp_path):
    """--quick shrinks the sizes the user did not give; one net of one pair runs to the end."""
    out = tmp_path / "r.json"
    proc = run_stub(STUB, "--quick", "--n-inits", "1", "--rows", "4x1:0.5", "--max-sequences", "100",
                    "--out", out, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    cfg = json.loads(out.read_text())["config"]
    assert cfg["n_seeds"] == 1 and cfg["rows"] == ["4x1:0.5"] and cfg["max_sequences"] == 100
    assert cfg["check_every"] == 50                                     # not given: shrunk


def test_catalog_net_strings_and_size():
    """--setting catalog: the earlier catalog's 8-cell net (447 weights), its init and its strings."""
    assert catalog.catalog_n_weights() == 447            # 16 * 24 + 9 * 7
    W, V = catalog.catalog_init(np.random.default_rng(9))
    assert W.shape == (16, 24) and V.shape == (9, 7)
    assert np.all(W[-1, catalog.I8] == -1) and np.all(W[-1, catalog.O8] == -1)
    assert np.all(W[-1, catalog.G8] == 0)
    assert np.all(V[-1] == 0) and 0.03 < W[:-1].std() < 0.08   # N(0, (0.2 / sqrt(15))^2)
    rng = np.random.default_rng(10)
    for _ in range(300):
        s = "".join(er.SYMBOLS[i] for i in catalog.catalog_symbols(rng))
        assert s[0] == "B" and s[-1] == "E" and s[1] in "TP" and s[-2] == s[1] and inner_valid(s[2:-2])


def test_catalog_forward_is_the_1997_cell():
    """The fused tanh form of the catalog's forward pass against the equations written out."""
    rng = np.random.default_rng(11)
    S, N, L = 2, 3, 5
    W = rng.uniform(-1, 1, size=(S, 16, 24))
    V = rng.uniform(-1, 1, size=(S, 9, 7))
    x = rng.normal(size=(L, S, N, 7))
    logits = catalog.catalog_forward(W, V, x)[0].copy()
    sig = lambda z: 1 / (1 + np.exp(-z))                  # noqa: E731
    h, s = np.zeros((S, N, 8)), np.zeros((S, N, 8))
    for t in range(L):
        net = np.einsum("snd,sdh->snh", np.concatenate([x[t], h, np.ones((S, N, 1))], -1), W)
        s = s + sig(net[..., :8]) * (4 * sig(net[..., 8:16]) - 2)
        h = sig(net[..., 16:]) * (2 * sig(s) - 1)
        want = np.einsum("snh,shk->snk", h, V[:, :8]) + V[:, None, 8]
        np.testing.assert_allclose(logits[t], want, atol=1e-12)


def test_catalog_setting_runs_to_its_own_file(tmp_path):
    p = run_stub(STUB, "--setting", "catalog", "--quick", "--out", tmp_path / "c.json", timeout=120)
    assert p.returncode == 0, p.stderr
    res = json.loads((tmp_path / "c.json").read_text())
    assert res["config"]["setting"] == "catalog" and res["config"]["weights"] == 447
    assert "train_wall_s" in res["metrics"]["timing"]


def test_diagnostics_setting(tmp_path):
    p = run_stub(STUB, "--setting", "diagnostics", "--quick", "--out", tmp_path / "d.json", timeout=120)
    assert p.returncode == 0, p.stderr
    res = json.loads((tmp_path / "d.json").read_text())
    assert res["config"]["variants_run"] == ["as_headline", "igb_0.1"]
    bad = run_stub(STUB, "--setting", "diagnostics", "--variants", "nope", "--quick",
                   "--out", tmp_path / "e.json")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "--variants" in bad.stderr


def test_diagnostic_options():
    """igb rescales the same draws; distinct sets hold different strings; legal targets are the sets."""
    a = er.ARCHS["3x2"]
    p0 = er.init_lstm(a, np.random.default_rng(12), 2)
    p1 = er.init_lstm(a, np.random.default_rng(12), 2, igb=0.1)
    np.testing.assert_allclose(p1["W"][:, -1, a.i_sl], 0.5 * p0["W"][:, -1, a.i_sl])
    np.testing.assert_array_equal(p1["V"], p0["V"])
    sets = er.make_sets(np.random.default_rng(13), 1, n_train=64, n_test=16, distinct=True)
    assert len(set(sets["train"]["strings"][0])) == 64


@pytest.mark.parametrize("update", ["step", "string"])
def test_a_stopped_row_resumes_bit_identically(tmp_path, update):
    """The paper setting's rows checkpoint their loop: stopped after a save and re-run, a row ends
    exactly where an uninterrupted one does; a finished row's checkpoint skips the loop."""
    from shared.checkpoint import Checkpoint
    sets = er.make_sets(np.random.default_rng(21), 1, n_train=32, n_test=16)
    a, pair_of = er.ARCHS["4x1"], np.zeros(3, dtype=int)
    probe = sets["test"]["x"][:12, 0, :1][:, None]

    def run(ck, stop_after=None):
        rng = np.random.default_rng(5)
        p = er.init_lstm(a, rng, 3)
        if stop_after is not None:                     # a run killed right after a save
            save = ck.save

            def save_then_stop(k, state, final=False):
                save(k, state, final)
                if k == stop_after:
                    raise KeyboardInterrupt
            ck.save = save_then_stop
        out = er.train(a, p, sets, pair_of, 0.5, 50, rng, check_every=10, probe=probe, n_snaps=5,
                       curve_every=1, update=update, checkpoint=ck)
        return p, out, rng.random()

    p0, out0, next0 = run(None)
    path = str(tmp_path / "row.pkl")
    with pytest.raises(KeyboardInterrupt):
        run(Checkpoint(path, 15, {"row": 0}), stop_after=30)
    for _ in range(2):                                 # resumed at 30, then restored as finished
        p1, out1, next1 = run(Checkpoint(path, 15, {"row": 0}))
        assert next1 == next0                          # the data stream ends in the same state
        for n in p0:
            np.testing.assert_array_equal(p1[n], p0[n])
        for n in out0:
            np.testing.assert_array_equal(out1[n], out0[n])
    with pytest.raises(KeyboardInterrupt):             # another configuration starts afresh
        run(Checkpoint(path, 15, {"row": 1}), stop_after=15)
