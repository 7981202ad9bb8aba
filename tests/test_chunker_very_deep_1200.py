"""Checks of stubs/chunker-very-deep-1200: the task's sequences (the cycling filler, L = 20 is the
1992 task), the solution counter, the per-lag budget, the verdict rules, the surprise count is
measured (not fixed by the task), A's Jacobians along the filler against finite differences, the
gradient checks behind --gradcheck, a short-lag chunker that solves, and determinism of --quick.
The family core's own checks are in tests/test_chunker.py."""
import json

import numpy as np

from conftest import ROOT, load_stub, run_stub
from shared import cli
from shared.chunker import net
from shared.gradcheck import numeric_jacobian, rel_error
from shared.rng import streams

STUB = ROOT / "stubs" / "chunker-very-deep-1200"
cv = load_stub("chunker-very-deep-1200")


def test_sequences_and_inputs():
    sym, tgt = cv.sequence(np.random.default_rng(0), 400, 45)
    assert sym.shape == (46, 400) and set(np.unique(sym[0])) == {0, 1}
    # b1..b20, b1..b20, b1..b5 (symbol 1 + k is b_k)
    want = np.r_[np.arange(2, 22), np.arange(2, 22), np.arange(2, 7)]
    assert np.all(sym[1:] == want[:, None])
    assert np.array_equal(tgt, (sym[0] == 0).astype(float)) and 0.4 < tgt.mean() < 0.6
    u = cv.inputs(sym, tgt)
    assert u.shape == (46, 400, 23) and np.all(u[..., :22].sum(-1) == 1)
    assert np.all(u[:-1, :, 22] == 0) and np.array_equal(u[-1, :, 22], tgt)


def test_lag_20_is_the_1992_task():
    sym, _ = cv.sequence(np.random.default_rng(1), 3, 20)
    assert np.all(sym[1:] == np.arange(2, 22)[:, None])          # a/x then b1..b20, once each


def test_budget_is_equal_in_time_steps():
    assert cv.budget_sequences(20, 300_000, 500) == 14_285
    assert cv.budget_sequences(1200, 300_000, 500) == 500        # the floor of sequences
    assert cv.budget_sequences(5000, 100, 1) == 1


def test_solved_counts_the_first_full_window():
    s = cv.Solved(2, 3)
    for k, ok in enumerate([[1, 1], [1, 0], [1, 1], [0, 1], [1, 1]], 1):
        s.update(k, np.array(ok, bool))
    assert s.at.tolist() == [3, 5]


def _st(lag, C=8, A=8, runs=8, conv_improved=0, last=1.0):
    return dict(lag=lag, C_solved=C, A_solved=A, runs=runs, conv_improved=conv_improved,
                surprises_last10=last)


def test_verdict_rules():
    assert cv.verdict_solved(8, 8) == "partial"                    # the thesis unread: at most partial
    assert cv.verdict_solved(4, 8) == "partial"
    assert cv.verdict_solved(3, 8) == "open"                       # a cap, never a no
    sweep = [_st(20), _st(1200, C=5, A=0)]
    assert cv.verdict_sweep(sweep, "C_solved") == "partial"
    assert cv.verdict_sweep(sweep, "A_solved") == "open"
    assert cv.verdict_conventional([_st(20, conv_improved=2), _st(100)]) == "partial"
    assert cv.verdict_conventional([_st(20), _st(100, conv_improved=1)]) == "no"
    assert cv.verdict_compression([_st(20, last=1.0), _st(1200, last=2.9)]) == "partial"
    assert cv.verdict_compression([_st(20, last=1.0), _st(1200, last=3.5)]) == "no"


def test_median_counts_unsolved_runs_as_never():
    assert cv._median(np.array([10, 20, -1])) == 20
    assert cv._median(np.array([10, -1, -1])) is None


def test_improved_nets():
    conv = dict(solved=np.array([-1, 40, -1]), right_last_half=np.array([0.5, 0.5, 0.7]))
    assert cv.improved(conv).tolist() == [False, True, True]


def test_filler_jacobians_match_finite_differences():
    dyn = cli.load_sibling(cv.__file__, "chunker_very_deep_1200_dynamics", vars(cv))
    rng = np.random.default_rng(1)
    lag, H = 25, 4
    W = net.init(rng, 2, 23, H, 5, 1.5)
    Hs, _, J = dyn.filler_pass(W, lag, H)
    sym, _ = cv.sequence(rng, 2, lag)
    sym[0] = 0
    u = cv.inputs(sym, np.ones(2))
    t = 22                                                  # the step reading b2 (second round)
    Jn = numeric_jacobian(lambda h: net.step(W, u[t], h)[0], Hs[1, t - 1])
    assert rel_error(J[0, t - 1], Jn) < 1e-6
    lam = dyn.spectrum(W, lag, H)
    assert lam.shape == (2, 2, H) and np.all(np.diff(lam, axis=-1) <= 1e-12)


def test_gradient_checks():
    checks = cli.load_sibling(cv.__file__, "chunker_very_deep_1200_checks", vars(cv))
    errs = checks.gradient_checks(dict(hidden_a=8, hidden_c=4, init=0.2, eps=0.3, depth=3))
    assert errs and all(e < 1e-6 for e in errs.values()), errs


def test_chunker_solves_a_short_lag_and_counts_its_surprises():
    cfg = dict(cv.DEFAULTS, runs=3, window=10, max_steps=15_000, min_sequences=1)
    rs = streams(0, ["i", "d"])
    res = cv.train_chunker(cfg, 4, rs["i"], rs["d"])
    assert (res["solved_A"] > 0).all() and (res["solved_C"] > 0).all()
    assert (res["solved_C"] <= res["solved_A"]).all()      # C predicts the targets before A does
    s = res["surprises"]
    # every input surprises an untrained A; later only about one per sequence (the first symbol)
    assert s[0].mean() >= 4 and s[-10:].mean() < 2
    assert len(np.unique(s)) > 2                           # counted, not fixed by the task


def test_quick_run_is_deterministic(tmp_path):
    outs = []
    for i in range(2):
        proc = run_stub(STUB, "--quick", "--out", tmp_path / f"r{i}.json", timeout=600)
        assert proc.returncode == 0, proc.stderr
        r = json.loads((tmp_path / f"r{i}.json").read_text())
        r["metrics"].pop("timing")
        outs.append((r["headline"], r["metrics"], r["lyapunov"]))
    assert outs[0] == outs[1]
