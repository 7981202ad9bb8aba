"""Checks of stubs/nbb-moving-light: determinism, the verdict rules, the sequences and timing,
the criteria, bad input, and the weight-map Jacobian chained over a cycle.

The NBB has no gradient: --gradcheck reports an empty check (tested). The per-tick rule and its
Jacobian are tested in tests/test_nbb_core.py."""
import json

import numpy as np
from conftest import ROOT, load_stub, run_stub

STUB = ROOT / "stubs" / "nbb-moving-light"
ml = load_stub("nbb-moving-light")


def test_quick_run_is_deterministic(tmp_path):
    outs = []
    for i in range(2):
        proc = run_stub(STUB, "--quick", "--out", tmp_path / f"r{i}.json", timeout=300)
        assert proc.returncode == 0, proc.stderr
        r = json.loads((tmp_path / f"r{i}.json").read_text())
        outs.append((r["headline"], {k: v for k, v in r["metrics"].items() if k != "timing"}, r["lyapunov"]))
    assert outs[0] == outs[1]


def test_verdict_rules():
    assert ml.verdict_success(27, 30) == "partial" and ml.verdict_success(27, 30, read=True) == "yes"
    assert ml.verdict_success(15, 30) == "partial" and ml.verdict_success(10, 30) == "no"
    assert ml.verdict_speed(400) == "partial" and ml.verdict_speed(400, read=True) == "yes"
    assert ml.verdict_speed(600, read=True) == "partial" and ml.verdict_speed(None) == "no"
    assert ml.verdict_catalog_explained(10 / 30, 1.0) == "yes"
    assert ml.verdict_catalog_explained(10 / 30, 0.4) == "partial"
    assert ml.verdict_catalog_explained(0.9, 0.95) == "no"


def test_sequences_and_timing():
    lr, rl = ml.sequence(0, "paper"), ml.sequence(1, "paper")
    assert lr[:5, :5].argmax(1).tolist() == [0, 1, 2, 3, 4]
    assert rl[:5, :5].argmax(1).tolist() == [4, 3, 2, 1, 0]
    assert (lr[:, ml.BIAS] == 1).all() and lr[5, :5].sum() == 0
    cat = ml.sequence(0, "catalog")
    assert cat[0].sum() == 0 and cat[1:5, :5].argmax(1).tolist() == [0, 1, 2, 3] and cat[:, 4].sum() == 0
    mask, groups = ml.topology()
    assert mask[:6, 6:].all() and mask[6:, 6:].all() and mask.sum() == 16 and groups[0, 6:].all()


def test_criteria():
    flags = np.array([[1, 0], [1, 1], [1, 1], [0, 1]], bool)
    assert ml.first_run_of(flags, 3).tolist() == [1, 2]
    assert ml.first_run_of(flags, 4).tolist() == [-1, -1]


def test_cycle_jacobian_matches_finite_differences():
    """The chained weight Jacobian of one learning cycle (winners fixed) against central
    differences of the cycle itself, at weights where no winner is near a tie."""
    cfg = dict(ml.DEFAULTS)
    mask, g = ml.topology()
    rng = np.random.default_rng(3)
    R = 2
    W = np.where(mask, rng.uniform(0.2, 1.0, (R, 8, 8)), 0.0)
    groups = np.broadcast_to(g, (R,) + g.shape)
    timing = np.array(["paper"] * R)
    d = np.array([0, 1])
    _, W1, outs, J = ml.cycle(W, d, timing, groups, cfg, None, 0.05, 0.03, jac=True)
    on = np.flatnonzero(mask.ravel())
    for r in range(R):
        num = np.zeros((64, len(on)))
        for k, idx in enumerate(on):
            Wp, Wm = W.copy(), W.copy()
            Wp[r].flat[idx] += 1e-6
            Wm[r].flat[idx] -= 1e-6
            _, Wp1, op, _ = ml.cycle(Wp, d, timing, groups, cfg, None, 0.05, 0.03)
            _, Wm1, om, _ = ml.cycle(Wm, d, timing, groups, cfg, None, 0.05, 0.03)
            assert np.array_equal(op, outs) and np.array_equal(om, outs)      # same winners
            num[:, k] = (Wp1[r] - Wm1[r]).ravel() / 2e-6
        assert np.abs(num - J[r][:, on]).max() < 1e-7


def test_gradcheck_is_empty_and_bad_input_is_one_line():
    proc = run_stub(STUB, "--gradcheck", timeout=60)
    assert proc.returncode == 0 and json.loads(proc.stdout) == {}
    proc = run_stub(STUB, "--quick", "--cycles", "50", "--out", "/tmp/never-written.json", timeout=60)
    err = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert proc.returncode == 2 and len(err) == 1 and "cycles" in err[0] and "Traceback" not in proc.stderr
