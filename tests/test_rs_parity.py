"""Checks of stubs/rs-parity: determinism of --quick, the parity data sets, the verdict rules, the
solver nets' Jacobians against finite differences, that a hand-built A2-without-self-loops net
solves parity (so the architecture can), and a bad flag in one line. The family core's own checks
are in tests/test_random_guess.py."""
import json

import numpy as np

from conftest import ROOT, load_stub, run_stub
from shared.gradcheck import numeric_jacobian, rel_error
from shared.random_guess import net
from shared.random_guess.verdicts import trial_rate_verdict

STUB = ROOT / "stubs" / "rs-parity"
rp = load_stub("rs-parity")


def test_quick_run_is_deterministic(tmp_path):
    outs = []
    for i in range(2):
        proc = run_stub(STUB, "--quick", "--out", tmp_path / f"r{i}.json", timeout=300)
        assert proc.returncode == 0, proc.stderr
        r = json.loads((tmp_path / f"r{i}.json").read_text())
        r["metrics"].pop("timing")
        outs.append((r["headline"], r["metrics"], r["lyapunov"]))
    assert outs[0] == outs[1]


def test_parity_sets():
    d = rp.make_sets(np.random.default_rng(0), 3, 20, 500, 600, 0.0)
    bits = d["x"][..., 0] > 0
    for r in range(3):
        for i in range(20):
            L = d["lengths"][r, i]
            assert bits[:L, r, i].sum() % 2 == (1 if d["target"][r, i] == 1 else 0)
            assert np.all(np.abs(d["x"][:L, r, i, 0]) == 1) and np.all(d["x"][L:, r, i, 0] == 0)
    assert d["target"].mean() == 0.5 and abs(bits[:500].mean() - 0.5) < 0.01
    dn = rp.make_sets(np.random.default_rng(0), 3, 20, 500, 600, 0.2)
    L = dn["lengths"]
    inside = np.arange(dn["x"].shape[0])[:, None, None] < L[None]
    dev = np.abs(np.abs(dn["x"][..., 0]) - 1)[inside]
    assert dev.max() <= 0.2 and dev.mean() > 0.05


def test_hand_built_a2_without_self_loops_solves_parity():
    # two hidden units compute OR and AND of (input is +1, previous output), the output their
    # difference: o_t = XOR(o_{t-1}, x_t = +1); the other 8 hidden units are switched off
    arch = net.a2(10, self_loops=False)
    W, V, b = np.zeros((11, 11)), np.zeros((11, 1)), np.zeros(11)
    k = 20.0
    W[0, 10], V[0, 0], b[0] = 2 * k, k, -0.5 * k          # OR:  2o + x > 0.5 (x = +-1 -> {0, 2})
    W[1, 10], V[1, 0], b[1] = 2 * k, k, -2.5 * k          # AND: 2o + x > 2.5
    b[2:10] = -k
    W[10, 0], W[10, 1], b[10] = 2 * k, -2 * k, -k          # OR and not AND
    d = rp.make_sets(np.random.default_rng(1), 1, 50, 500, 600, 0.0)
    y = net.final_outputs(arch, {"W": W[None], "V": V[None], "b": b[None]}, d["x"], d["lengths"])
    assert np.all(np.abs(y[0] - d["target"][0]) < 0.1)


def test_verdict_rules():
    assert trial_rate_verdict(3100, 30, 2906, 30_000) == "yes"
    assert trial_rate_verdict(600, 30, 2906, 30_000) == "partial"
    assert trial_rate_verdict(3300, 29, 2906, 30_000) == "yes"         # one run left at the cap: not a no
    assert trial_rate_verdict(45_000, 8, 41_400, 20_000) == "yes"
    assert trial_rate_verdict(45_000, 3, 41_400, 20_000) == "partial"
    assert trial_rate_verdict(200_000, 8, 41_400, 20_000) == "partial"
    assert trial_rate_verdict(None, 0, 41_400, 20_000) == "open"       # a cap below the paper's mean
    assert trial_rate_verdict(None, 0, 41_400, 50_000) == "no"


def test_solver_jacobians_match_finite_differences():
    rng = np.random.default_rng(4)
    for task in rp.TASKS:
        arch = rp.arch_of(task)
        p = net.guess(arch, rng, 1, bound=3.0)
        W, V, b = p["W"][0], p["V"][0], p["b"][0]
        x = rng.choice([-1.0, 1.0], size=(30, 1))
        S, P = net.states(arch, W, V, b, x)
        for t in (5, 17):
            J = net.jacobian(arch, W, P[t])
            Jn = numeric_jacobian(net.step_map(arch, W, V, b, x[t]), S[t - 1])
            assert rel_error(J, Jn) < 1e-6, task


def test_bad_input_is_one_line(tmp_path):
    proc = run_stub(STUB, "--quick", "--t-min", "60", "--t-max", "50", "--out", tmp_path / "r.json")
    assert proc.returncode != 0 and len(proc.stderr.strip().splitlines()) == 1
    assert "exceeds" in proc.stderr
