"""pipe-symbolic-regression: the target and fitness cases, the protected operators, fitness on
hand-built programs (the exact target scores 0 and solves), the statistics and the verdict rules."""
import json
import math
import subprocess
import sys

import numpy as np
from conftest import ROOT, load_stub

from shared.pipe.ppt import evaluate_program, to_text

stub = load_stub("pipe-symbolic-regression")

ISET = stub.instruction_set()
INDEX = {name: i for i, name in enumerate(ISET.names)}


def prog(*tokens):
    """Preorder program from names and float constants (a float is an R leaf)."""
    ins = [INDEX["R"] if isinstance(t, float) else INDEX[t] for t in tokens]
    const = [t if isinstance(t, float) else 0.0 for t in tokens]
    return np.array(ins), np.array(const)


def test_fitness_cases_and_target():
    X, y = stub.fitness_cases()
    assert X.shape == (1, 101) and np.isclose(X[0, 1], 0.1) and X[0, -1] == 10.0
    assert y[0] == 0.0
    x = 1.0
    by_hand = x ** 3 * math.exp(-x) * math.cos(x) * math.sin(x) * (math.sin(x) ** 2 * math.cos(x) - 1)
    assert math.isclose(y[10], by_hand, rel_tol=1e-12)
    assert abs(stub.target(np.array([math.pi / 2]))[0]) < 1e-15       # cos(pi/2) = 0


def test_protected_operators():
    assert np.array_equal(stub.protected_div(np.array([6.0, 1.0, 0.0]), np.array([3.0, 0.0, 0.0])),
                          [2.0, 1.0, 1.0])
    assert np.allclose(stub.rlog(np.array([0.0, -math.e, 1.0])), [0.0, 1.0, 0.0])


def test_fitness_of_hand_built_programs():
    X, y = stub.fitness_cases()
    score = stub.make_score(y)
    # the program "x": fitness sum |x - f(x)|
    out = evaluate_program(ISET, *prog("x"), X)[None]
    fit, ok = score(out)
    assert math.isclose(fit[0], np.abs(X[0] - y).sum()) and not ok[0]
    # the target itself: ((x*x*x) % exp(x)) * cos x * sin x * ((sin x * sin x * cos x) - (x % x)),
    # with 1 written as x % x (protected: 1 at x = 0 too)
    exact = prog("*", "*", "*", "%", "*", "*", "x", "x", "x", "exp", "x", "cos", "x", "sin", "x",
                 "-", "*", "*", "sin", "x", "sin", "x", "cos", "x", "%", "x", "x")
    out = evaluate_program(ISET, *exact, X)[None]
    fit, ok = score(out)
    assert fit[0] < 1e-9 and ok[0]
    assert "exp(x)" in to_text(ISET, *exact)
    # a program off by 0.02 everywhere hits no case
    out = (y + 0.02)[None]
    fit, ok = score(out)
    assert math.isclose(fit[0], 101 * 0.02) and not ok[0]
    # an overflowing program gets the finite bad fitness, never inf or nan
    out = evaluate_program(ISET, *prog("exp", "exp", "exp", "exp", "x"), X)[None]
    fit, ok = score(out)
    assert fit[0] == stub.BAD_FITNESS and not ok[0]


def test_mann_whitney():
    a = np.arange(20.0)
    assert stub.mann_whitney(a, a)[1] == 1.0
    u, p = stub.mann_whitney(a, a + 100)
    assert u == 0 and p < 1e-6
    assert math.isclose(stub.mann_whitney(a, a + 100)[1], stub.mann_whitney(a + 100, a)[1])


def test_verdict_rules():
    assert stub.verdict_solved(3) == "partial"
    assert stub.verdict_solved(0) == "open"
    worse, better = np.full(20, 5.0), np.full(20, 1.0)
    assert stub.verdict_vs_gp(better, worse, 1e-4) == "partial"
    assert stub.verdict_vs_gp(worse, better, 0.2) == "partial"           # not significant
    assert stub.verdict_vs_gp(worse, better, 1e-4) == "open"            # GP better: open, not no


def test_solved_curve():
    runs = [{"solved": True, "evals": 1000}, {"solved": False, "evals": 5000},
            {"solved": True, "evals": 3000}, {"solved": True, "evals": 500}]
    grid = np.array([500, 1000, 2000, 5000])
    assert np.allclose(stub.solved_curve(runs, grid), [0.25, 0.5, 0.5, 0.75])


def test_quick_run_is_deterministic_and_writes_rows(tmp_path):
    outs = []
    for k in (1, 2):
        out = tmp_path / f"r{k}.json"
        subprocess.run([sys.executable, str(ROOT / "stubs" / "pipe-symbolic-regression" /
                        "pipe_symbolic_regression.py"), "--quick", "--out", str(out),
                        "--workers", str(k)], check=True, capture_output=True)
        outs.append(json.loads(out.read_text()))
    a, b = outs
    assert [h["value"] for h in a["headline"]] == [h["value"] for h in b["headline"]]
    assert a["metrics"]["pipe"]["best_fitness"] == b["metrics"]["pipe"]["best_fitness"]
    assert len(a["headline"]) == 3 and a["quick"]


def test_finished_runs_resume_from_the_checkpoint(tmp_path):
    """A run saved in the checkpoint folder comes back as it was; another configuration's file is
    not used, and a run computed afresh equals the saved one (each run has its own stream)."""
    settings = dict(runs=2, budget=60, pop_size=5, gp_pop_size=20)
    cfg = {**stub.PIPE_CFG, "pop_size": 5}
    fresh = stub.run_one(("pipe", 1, cfg, settings, 3, None))
    first = stub.run_one(("pipe", 1, cfg, settings, 3, str(tmp_path)))
    assert (tmp_path / "pipe-001.pkl").is_file()
    again = stub.run_one(("pipe", 1, cfg, settings, 3, str(tmp_path)))
    for res in (first, again):
        assert res["best"] == fresh["best"] and np.array_equal(res["ins"], fresh["ins"])
        assert np.array_equal(res["trace"]["best"], fresh["trace"]["best"], equal_nan=True)
    # the saved run is really what the second call returned: tamper with it and see it come back
    import pickle
    blob = pickle.loads((tmp_path / "pipe-001.pkl").read_bytes())
    blob["objects"]["res"]["best"] = -1.0
    (tmp_path / "pipe-001.pkl").write_bytes(pickle.dumps(blob))
    assert stub.run_one(("pipe", 1, cfg, settings, 3, str(tmp_path)))["best"] == -1.0
    # another seed does not take that file
    assert stub.run_one(("pipe", 1, cfg, settings, 4, str(tmp_path)))["best"] != -1.0
