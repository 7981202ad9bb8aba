"""Checks of stubs/chunker-22-symbol: the task's sequences and inputs, the solution counter, the
verdict rules, the A Jacobians along the filler against finite differences, that the conventional
net of this stub does learn a short lag (so its failure at 20 steps is not a broken baseline), that
the chunker solves a short-lag version within a small budget, and determinism of --quick. The
family core's own checks are in tests/test_chunker.py."""
import json

import numpy as np

from conftest import ROOT, load_stub, run_stub
from shared import cli
from shared.chunker import net
from shared.gradcheck import numeric_jacobian, rel_error
from shared.rng import streams

STUB = ROOT / "stubs" / "chunker-22-symbol"
cs = load_stub("chunker-22-symbol")


def test_sequences_and_inputs():
    sym, tgt = cs.sequence(np.random.default_rng(0), 400, 20)
    assert sym.shape == (21, 400) and set(np.unique(sym[0])) == {0, 1}
    assert np.all(sym[1:] == np.arange(2, 22)[:, None])                 # b1 .. b20 in order
    assert np.array_equal(tgt, (sym[0] == 0).astype(float))              # target 1 after a
    assert 0.4 < tgt.mean() < 0.6
    u = cs.inputs(sym, tgt, 22)
    assert u.shape == (21, 400, 23) and np.all(u[..., :22].sum(-1) == 1)
    assert np.all(u[:-1, :, 22] == 0) and np.array_equal(u[-1, :, 22], tgt)


def test_solved_counts_the_first_full_window():
    s = cs.Solved(2, 3)
    oks = [[1, 1], [1, 0], [1, 1], [0, 1], [1, 1]]
    for k, ok in enumerate(oks, 1):
        s.update(k, np.array(ok, bool))
    assert s.at.tolist() == [3, 5]


def test_verdict_rules():
    st = dict(runs=17, budget=35_000, under_5000=13, under_35000=17)
    assert cs.verdict_chunker(st) == "partial"                     # recalled setting: at most partial
    assert cs.verdict_chunker(dict(st, under_5000=9)) == "no"
    assert cs.verdict_chunker(dict(st, under_35000=16)) == "no"
    assert cs.verdict_chunker(dict(st, budget=10_000, under_35000=16)) == "open"
    assert cs.verdict_no_improvement(0, 1_000_000) == "yes"
    assert cs.verdict_no_improvement(0, 35_000) == "open"
    assert cs.verdict_no_improvement(1, 35_000) == "no"
    assert cs.verdict_short_lag(250_000, 1_000_000) == "yes"
    assert cs.verdict_short_lag(20_000, 1_000_000) == "no"
    assert cs.verdict_short_lag(None, 1_000_000) == "no"
    assert cs.verdict_short_lag(None, 50_000) == "open"


def test_filler_jacobians_match_finite_differences():
    dyn = cli.load_sibling(cs.__file__, "chunker_22_symbol_dynamics", vars(cs))
    rng = np.random.default_rng(1)
    lag, H = 6, 4
    W = net.init(rng, 2, lag + 3, H, 5, 1.5)
    Hs, _, J = dyn.filler_pass(W, lag, H)
    u = cs.inputs(*[np.r_[0, np.arange(2, lag + 2)][:, None].repeat(2, 1), np.ones(2)], lag + 2)
    t = 3                                                   # the step reading b3 of the a-sequence
    Jn = numeric_jacobian(lambda h: net.step(W, u[t], h)[0], Hs[1, t - 1])
    assert rel_error(J[0, t - 1], Jn) < 1e-6
    lam = dyn.spectrum(W, lag, H)
    assert lam.shape == (2, 2, H) and np.all(np.diff(lam, axis=-1) <= 1e-12)


def test_conventional_net_learns_a_two_step_lag():
    cfg = dict(cs.DEFAULTS, conv_runs=3, conv_lrs=(1.0,), window=50)
    rs = streams(0, ["i", "d"])
    conv = cs.train_conventional(cfg, rs["i"], rs["d"], 2, 3000, "test")
    assert (conv["solved"] > 0).all()


def test_chunker_solves_a_four_step_lag():
    cfg = dict(cs.DEFAULTS, runs=3, lag=4, window=20, film_every=200)
    rs = streams(0, ["i", "d"])
    res = cs.train_chunker(cfg, rs["i"], rs["d"], True, 1500, "test")
    assert (res["solved_A"] > 0).all() and (res["solved_C"] > 0).all()
    assert (res["solved_C"] <= res["solved_A"]).all()      # C predicts the targets before A does


def test_quick_run_is_deterministic(tmp_path):
    outs = []
    for i in range(2):
        proc = run_stub(STUB, "--quick", "--out", tmp_path / f"r{i}.json", timeout=300)
        assert proc.returncode == 0, proc.stderr
        r = json.loads((tmp_path / f"r{i}.json").read_text())
        r["metrics"].pop("timing")
        outs.append((r["headline"], r["metrics"], r["lyapunov"]))
    assert outs[0] == outs[1]
