"""Checks of stubs/double-pole-no-velocity: determinism of --quick, the episode runner against a
step-by-step loop (steps balanced and the damping window), the chunked 100,000-step test against an
unbroken one, the complex-step closed-loop Jacobian against central differences, the verdict rules,
and bad flags in one line. The family core's checks are in tests/test_esp_core.py."""
import json

import numpy as np

from conftest import ROOT, load_stub, run_stub
from shared.esp import net, plant
from shared.gradcheck import numeric_jacobian

STUB = ROOT / "stubs" / "double-pole-no-velocity"
dp = load_stub("double-pole-no-velocity")


def test_quick_run_is_deterministic(tmp_path):
    outs = []
    for i in range(2):
        proc = run_stub(STUB, "--quick", "--out", tmp_path / f"r{i}.json", timeout=300)
        assert proc.returncode == 0, proc.stderr
        r = json.loads((tmp_path / f"r{i}.json").read_text())
        r["metrics"].pop("timing")
        outs.append((r["headline"], r["metrics"], r["lyapunov"]))
    assert outs[0] == outs[1]


def loop_balance(W, s, T):
    """One network, step by step: steps balanced and the jiggle of the last 100 balanced steps."""
    h = np.zeros((1, W.shape[0]))
    s = s[:, None].copy()
    js = []
    for k in range(1, T + 1):
        h, _ = net.forward(W[None], plant.observe(s), h)
        s = plant.step(s, plant.force(h[:, 0]))
        if plant.failed(s)[0]:
            return k - 1, sum(js[-100:])
        js.append(plant.jiggle(s)[0])
    return T, sum(js[-100:])


def test_balance_matches_step_by_step_loop():
    rng = np.random.default_rng(0)
    W = rng.uniform(-6, 6, size=(12, 5, 9))
    s = plant.start_state(12)
    t, js = dp.balance(W, s, 300, compact_every=7)
    assert len(set(t.tolist())) > 3                       # varied failure times
    for b in range(12):
        tb, jb = loop_balance(W[b], s[:, b], 300)
        assert t[b] == tb and np.isclose(js[b], jb, rtol=1e-12)


def test_chunked_long_test_equals_unbroken():
    rng = np.random.default_rng(4)
    W = rng.uniform(-6, 6, size=(6, 5, 9))
    a, b = dp.LongTest(), dp.LongTest()
    for i in range(6):
        a.add(i, W[i], 1, 10)
        b.add(i, W[i], 1, 10)
    done_a = a.advance(400, 400)
    done_b = []
    for _ in range(10):
        done_b += b.advance(37, 400)
    ka = {d["run"]: (d["k"], d["passed"]) for d in done_a}
    kb = {d["run"]: (d["k"], d["passed"]) for d in done_b}
    assert ka == kb and len(ka) == 6
    # the scalar long test and the batched trial runner agree on the steps balanced
    t, _ = dp.balance(W, plant.start_state(6), 400)
    for i in range(6):
        assert ka[i][0] == min(t[i] + 1, 400) and ka[i][1] == (t[i] == 400)


def test_long_test_check_stops_only_candidates_that_fail_it():
    # a check run after the first chunk: a candidate failing it stops there (not passed), one
    # passing it goes on exactly as without the check
    rng = np.random.default_rng(4)
    W = rng.uniform(-6, 6, size=(6, 5, 9))
    plain = dp.LongTest()
    never, always = dp.LongTest(lambda w: (False, "no")), dp.LongTest(lambda w: (True, "ok"))
    for lt in (plain, never, always):
        for i in range(6):
            lt.add(i, W[i], 1, 10)
    res = {}
    for name, lt in (("plain", plain), ("never", never), ("always", always)):
        done = []
        for _ in range(100):
            done += lt.advance(5, 400)
        res[name] = {d["run"]: d for d in done}
    assert len(res["plain"]) == len(res["never"]) == len(res["always"]) == 6
    steps = [res["plain"][i]["steps"] for i in range(6)]
    assert min(steps) < 5 <= max(steps)            # both branches below are exercised
    for i in range(6):
        p, n, a = res["plain"][i], res["never"][i], res["always"][i]
        assert (a["steps"], a["passed"], a["fell"]) == (p["steps"], p["passed"], p["fell"])
        assert not n["passed"]
        if p["steps"] >= 5:                        # survived the first chunk: stopped by the check
            assert n["steps"] == 5 and n["info"] == "no" and not n["fell"]
        else:                                      # fell in the first chunk: the check never ran
            assert n["steps"] == p["steps"] and n["info"] is None and n["fell"]


def test_closed_loop_jacobian_complex_step_vs_central_differences():
    rng = np.random.default_rng(2)
    W = rng.uniform(-3, 3, size=(2, 5, 9))
    z = np.concatenate([rng.normal(0, 0.1, size=(6, 2)), rng.uniform(size=(5, 2))])
    J = dp.closed_loop_jacobian(W, z)
    for b in range(2):
        num = numeric_jacobian(lambda v, b=b: dp.closed_loop(W[b:b + 1], v[:, None])[:, 0], z[:, b].copy())
        assert np.abs(J[b] - num).max() / np.abs(num).max() < 1e-7


def test_verdict_rules():
    cfg = dict(runs=20, max_gens=150)
    v = lambda o, budget: [r["verdict"] for r in dp.headline_rows(o, cfg, budget)]  # noqa: E731
    base = dict(solved=np.ones(20, bool), evals=np.full(20, 8000), score=np.full(20, 280))
    assert v(base, 60000) == ["partial"] * 3
    # all solve, but beyond twice the recalled 7,374, and generalising worse than the recalled 289
    slow = {**base, "evals": np.full(20, 40000), "score": np.full(20, 210)}
    assert v(slow, 60000) == ["no", "partial", "no"]
    # half the runs within 2 x 7,374 is enough for the first row; 9/20 is not
    half = {**base, "evals": np.where(np.arange(20) < 10, 14000, 50000)}
    assert v(half, 60000)[0] == "partial"
    assert v({**half, "evals": np.where(np.arange(20) < 9, 14000, 50000)}, 60000)[0] == "no"
    # few solve: against the 1999 figure a cap below twice it is open, never no
    few = {**base, "solved": np.arange(20) < 5}
    assert v(few, 60000) == ["no", "open", "partial"]
    assert v(few, 400000)[1] == "no"
    none = {**base, "solved": np.zeros(20, bool)}
    assert v(none, 60000) == ["no", "open", "open"]
    assert v(none, 8000) == ["open", "open", "open"]


def test_bad_flags_one_line():
    for args in (["--subpop", "6"], ["--runs", "0"], ["--trial-steps", "1"]):
        proc = run_stub(STUB, *args, timeout=60)
        assert proc.returncode != 0 and "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1
