"""Checks of stubs/nbb-xor: determinism, the verdict rules, the solution measures, bad input.

The NBB is a local rule with no gradient: --gradcheck reports an empty check (tested here). The
rule itself (batched vs reference, substance budget, Jacobian) is tested in tests/test_nbb_core.py."""
import json

import numpy as np
from conftest import ROOT, load_stub, run_stub

STUB = ROOT / "stubs" / "nbb-xor"
nbb_xor = load_stub("nbb-xor")


def test_quick_run_is_deterministic(tmp_path):
    outs = []
    for i in range(2):
        proc = run_stub(STUB, "--quick", "--out", tmp_path / f"r{i}.json", timeout=300)
        assert proc.returncode == 0, proc.stderr
        r = json.loads((tmp_path / f"r{i}.json").read_text())
        outs.append((r["headline"], {k: v for k, v in r["metrics"].items() if k != "timing"}))
    assert outs[0] == outs[1]


def test_verdict_rules():
    assert nbb_xor.verdict_count(20, 20, 700, 619, read=True) == "yes"
    assert nbb_xor.verdict_count(20, 20, 300, 619, read=True) == "yes"        # faster is fine
    assert nbb_xor.verdict_count(20, 20, 700, 619) == "partial"               # quoted, not read
    assert nbb_xor.verdict_count(20, 20, 2000, 619, read=True) == "partial"   # too slow
    assert nbb_xor.verdict_count(9, 20, 500, 619, read=True) == "no"
    assert nbb_xor.verdict_count(0, 20, None, 619) == "no"
    assert nbb_xor.verdict_unstable(0.3, 1.0) == "partial"
    assert nbb_xor.verdict_unstable(0.8, 1.0) == "no"


def test_solution_measures():
    correct = np.array([[1, 0], [1, 1], [0, 1], [1, 1], [1, 1], [1, 1]], bool)
    assert nbb_xor.stable_at(correct, 3).tolist() == [4, 2]
    assert nbb_xor.stable_at(correct, 6).tolist() == [-1, -1]
    pattern = np.array([[0, 0], [1, 1], [2, 2], [3, 3], [0, 0], [1, 1]])
    assert nbb_xor.found_at(correct, pattern).tolist() == [-1, 5]


def test_topologies():
    m, g = nbb_xor.topology("3h")
    assert m[:3, 7:].all() and m[3:6, 7:].all() and not m[6].any() and g[0, 3:6].all()
    m, g = nbb_xor.topology("3h-no-direct")
    assert not m[:3, 7:].any()
    m, g = nbb_xor.topology("2x2h")
    assert g[0].sum() == 2 and g[1].sum() == 2 and g[2, 7:].all()


def test_gradcheck_is_empty_and_bad_input_is_one_line():
    proc = run_stub(STUB, "--gradcheck", timeout=60)
    assert proc.returncode == 0 and json.loads(proc.stdout) == {}
    proc = run_stub(STUB, "--quick", "--presentations", "100", "--out", "/tmp/never-written.json", timeout=60)
    err = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert proc.returncode == 2 and len(err) == 1 and "window" in err[0] and "Traceback" not in proc.stderr
