"""Checks of stubs/rs-two-sequence: determinism of --quick, the data sets, the latch I guesses, the
verdict rule, the solver nets' Jacobians against finite differences, and a bad flag in one line.
The family core's own checks (batched = plain forward and search) are in tests/test_random_guess.py."""
import json

import numpy as np

from conftest import ROOT, load_stub, run_stub
from shared.gradcheck import numeric_jacobian, rel_error
from shared.random_guess import net
from shared.random_guess.verdicts import trial_rate_verdict

STUB = ROOT / "stubs" / "rs-two-sequence"
rs = load_stub("rs-two-sequence")


def test_quick_run_is_deterministic(tmp_path):
    outs = []
    for i in range(2):
        proc = run_stub(STUB, "--quick", "--out", tmp_path / f"r{i}.json", timeout=300)
        assert proc.returncode == 0, proc.stderr
        r = json.loads((tmp_path / f"r{i}.json").read_text())
        r["metrics"].pop("timing")
        outs.append((r["headline"], r["metrics"], r["lyapunov"]))
    assert outs[0] == outs[1]


def test_sequences_follow_the_paper():
    rng = np.random.default_rng(0)
    for task in ("latch1", "latch2", "twoseq"):
        d = rs.make_sets(task, rng, 3, 10, 500, 600, 0.2, 3)
        assert d["lengths"].min() >= 500 and d["lengths"].max() <= 600
        assert (d["cls"] == 0).sum() == (d["cls"] == 1).sum()          # half per class
        T = d["x"].shape[0]
        pad = np.arange(T)[:, None, None] >= d["lengths"][None]
        assert np.all(d["x"][pad] == 0)
        noise = d["x"][5:500, ..., 0]
        assert abs(noise.var() - 0.2) < 0.01
    d = rs.make_sets("twoseq", rng, 2, 4, 500, 600, 0.2, 3)
    assert np.all(d["x"][:3, :, 0, 0] == 1) and np.all(d["x"][:3, :, 1, 0] == -1)
    assert list(d["target"][0]) == [1, 0, 1, 0]
    d = rs.make_sets("latch1", rng, 2, 4, 500, 600, 0.2, 3)
    assert np.all(d["x"][0] == 0) and list(d["target"][0]) == [0.8, -0.8, 0.8, -0.8]


def test_latch1_first_input_is_the_guessed_value_of_the_class():
    d = rs.make_sets("latch1", np.random.default_rng(1), 2, 4, 20, 25, 0.2, 3)
    p = rs.latch1_draw(np.random.default_rng(2), 3)
    fi = rs.latch1_first(d)(p, np.array([0, 1, 1]), np.arange(4))
    assert fi.shape == (3, 4, 1)
    assert np.all(fi[:, 0::2, 0] == p["u"][:, :1]) and np.all(fi[:, 1::2, 0] == p["u"][:, 1:])


def test_latch1_sign_criterion_is_the_sign():
    # |y - 0.8| < 0.8 with y = tanh(.) in (-1, 1) is exactly y > 0 (and mirrored for -0.8)
    y = np.linspace(-0.999, 0.999, 2001)
    assert np.array_equal(np.abs(y - 0.8) < rs.TOL["latch1_sign"], y > 0)


def test_verdict_rule():
    assert trial_rate_verdict(7.5, 40, 6, 20_000) == "yes"
    assert trial_rate_verdict(13.0, 40, 6, 20_000) == "partial"      # more than twice the paper's mean
    assert trial_rate_verdict(2.0, 40, 6, 20_000) == "partial"       # less than half
    assert trial_rate_verdict(7.5, 40, 6, 20_000, setting_read=False) == "partial"
    assert trial_rate_verdict(None, 0, 6, 1_000) == "no"            # latch I: none in 1,000 against 6
    assert trial_rate_verdict(5406.4, 39, None, 20_000) == "open"   # 2-sequence: no paper figure


def test_committed_verdicts_follow_the_shared_rule():
    r = json.loads((ROOT / "stubs" / "rs-two-sequence" / "results.json").read_text())
    rows = {row["name"]: row["verdict"] for row in r["headline"]}
    for task in ("latch1", "latch1_sign", "latch2", "twoseq"):
        m = r["metrics"][task]
        v = trial_rate_verdict(m["one_over_p"], m["solved"], rs.PAPER_TRIALS[task], m["max_trials"],
                               setting_read=task != "latch1_sign")
        assert rows[f"RG trials to solve, {rs.LABEL[task]}"] == v


def test_solver_jacobians_match_finite_differences():
    rng = np.random.default_rng(4)
    for task in ("latch1", "latch2", "twoseq"):
        arch = rs.arch_of(task)
        p = net.guess(arch, rng, 1, bound=3.0)
        W, V, b = p["W"][0], p["V"][0], p["b"][0]
        x = rng.normal(0, 0.45, size=(30, 1))
        S, P = net.states(arch, W, V, b, x)
        for t in (5, 17):
            J = net.jacobian(arch, W, P[t])
            Jn = numeric_jacobian(net.step_map(arch, W, V, b, x[t]), S[t - 1])
            assert rel_error(J, Jn) < 1e-6, task


def test_bad_input_is_one_line(tmp_path):
    proc = run_stub(STUB, "--quick", "--t-min", "60", "--t-max", "50", "--out", tmp_path / "r.json")
    assert proc.returncode != 0 and len(proc.stderr.strip().splitlines()) == 1
    assert "exceeds" in proc.stderr
