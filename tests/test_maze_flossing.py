"""Checks of stubs/maze-flossing: determinism, bad and absurd flags, the verdict rules.

Every gradient of the stub (XOR BPTT, the exact RNN flossing gradient, the QR backward rule, the
TRM secant-flossing gradient) is checked once, by tests/test_stubs.py (--gradcheck); the shared
flossing machinery has its own tests in tests/test_flossing.py."""
import json

from conftest import ROOT, load_stub, run_stub

STUB = ROOT / "stubs" / "maze-flossing"
maze_flossing = load_stub("maze-flossing")


def test_quick_run_is_deterministic(tmp_path):
    outs = []
    for i in range(2):
        proc = run_stub(STUB, "--quick", "--workers", "1", "--out", tmp_path / f"r{i}.json", timeout=300)
        assert proc.returncode == 0, proc.stderr
        r = json.loads((tmp_path / f"r{i}.json").read_text())
        outs.append((r["headline"], r["metrics"]["xor"]["by_arm_delay"], r["metrics"]["maze"]["delta"]))
    assert outs[0] == outs[1]


def test_bad_delays_fail_with_one_line():
    proc = run_stub(STUB, "--quick", "--delays", "30", "--out", "/tmp/never-written.json", timeout=120)
    err = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert proc.returncode == 2 and len(err) == 1 and "delay" in err[0] and "Traceback" not in proc.stderr


def test_verdict_rules():
    assert maze_flossing.verdict_control({"plain": 0, "pre": 3, "pre+inter": 4}) == "yes"
    assert maze_flossing.verdict_control({"plain": 1, "pre": 1, "pre+inter": 2}) == "partial"
    assert maze_flossing.verdict_control({"plain": 2, "pre": 2, "pre+inter": 1}) == "no"
    assert [maze_flossing.verdict_towards_zero(1.0, a) for a in (0.4, 0.9, 1.1)] == ["yes", "partial", "no"]
    assert maze_flossing.verdict_weak(-0.01, 0.02) == "partial"
    assert maze_flossing.verdict_weak(-0.063, 0.172) == "no"
    assert maze_flossing.verdict_weak(None, None) == "no"                     # one seed: no interval


def test_absurd_flags_are_refused_in_one_line():
    for argv in (["--n-seeds", "1000000000"], ["--xor-seeds", "0"], ["--maze-steps", "abc"],
                 ["--workers", "4"], ["--delays"] + ["2"] * 17, ["--delays", "1000000000"]):
        proc = run_stub(STUB, "--quick", *argv, "--out", "/tmp/never-written.json", timeout=60)
        err = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        assert proc.returncode == 2 and len(err) == 1 and "Traceback" not in proc.stderr, argv
