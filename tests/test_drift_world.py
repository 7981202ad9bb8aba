"""Science checks of stubs/drift-world: E1 world facts, the oracle, Jacobians on E1 inputs, and
small or meaningless sizes (the family core's own checks: test_tiny_worlds.py)."""
import json

import numpy as np
import pytest
from conftest import ROOT, load_stub, run_stub

from shared.tiny_worlds import models, stats
from shared.tiny_worlds.worlds import make_world

dw = load_stub("drift-world")
STUB = ROOT / "stubs" / "drift-world"


@pytest.fixture(scope="module")
def worlds():
    rng = np.random.default_rng(0)
    return {v: make_world("drift", v, rng, n_train=400, n_eval=640) for v in dw.VARIANTS}


def test_drift_world_facts(worlds):
    """Baseline NLL about -1.732 (persistence), oracle about -1.992 (max ΔNLL about 0.26), the
    shuffle null's baseline about 59.4 (global mean), input = offset from y_0 and the clock."""
    s = worlds["struct"]
    assert stats.baseline_nll(s.eval.obs, s.train_mean) == pytest.approx(-1.732, abs=0.01)
    assert dw.oracle_dnll(s) == pytest.approx(0.26, abs=0.01)
    sh = worlds["shuffle"]
    assert stats.baseline_nll(sh.eval.obs, sh.train_mean) == pytest.approx(59.4, rel=0.02)
    np.testing.assert_allclose(s.eval.inputs[..., 0], s.eval.obs - s.eval.obs[:1])
    np.testing.assert_allclose(s.eval.inputs[:, 0, 1], np.arange(64) / 63)
    # the struct world climbs 0.03 per step; the shuffle null keeps the values but not the order
    assert np.mean(np.diff(s.eval.obs, axis=0)) == pytest.approx(0.03, abs=0.001)
    assert abs(np.mean(np.diff(sh.eval.obs, axis=0))) < 0.003
    assert sh.eval.obs.mean() == pytest.approx(s.eval.obs.mean(), abs=0.02)
    assert np.all(sh.eval.latent == 0) and np.all(worlds["iid"].eval.latent == 0)
    assert worlds["decoy"].eval.latent.min() >= -1.0 and worlds["decoy"].eval.latent.max() <= 1.0


@pytest.mark.parametrize("kind", ("rnn", "gru", "lstm"))
def test_step_jacobian_matches_finite_differences_on_drift_inputs(kind, worlds):
    """The Jacobian the spectra use, on a real E1 input (offset and clock), vs central differences."""
    from shared.gradcheck import numeric_jacobian
    p = models.init_params(kind, 1, 5, 2, np.random.default_rng(3))
    n = 10 if kind == "lstm" else 5
    st = 0.3 * np.random.default_rng(4).standard_normal((1, 1, n))
    x = worlds["struct"].eval.inputs[20, None, :1]                    # (1, 1, 2)
    J = models.jacobian(kind, p, st, x)[0, 0]
    Jn = numeric_jacobian(lambda v: models.step(kind, p, v, x), st)[0, 0]
    assert np.abs(J - Jn).max() < 1e-8


def test_verdict_rules():
    assert dw.verdict_single_seed("matches (converged)") == "yes"
    assert dw.verdict_single_seed("matches (still learning)") == "partial"
    assert dw.verdict_single_seed("differs (converged)") == "no"
    assert dw.verdict_paired({"mean": 0.3, "p_two_sided": 0.06}) == "yes"
    assert dw.verdict_paired({"mean": -0.3, "p_two_sided": 0.06}) == "no"
    assert dw.verdict_detrended(0.65, 0.62, 0.5) == "yes" and dw.verdict_detrended(0.63, 0.62, 0.5) == "no"


@pytest.mark.parametrize("flags", [("--n-seeds", "1"), ("--n-eval", "2"), ("--T", "12"), ("--steps", "0"),
                                   ("--n-train", "1000000000"), ("--n-flips", "abc")])
def test_meaningless_sizes_are_refused_with_one_line(flags, tmp_path):
    """Statistics need 2 seeds, the held-out probe 4 eval sequences, the windows 24 steps; huge or
    non-numeric values are refused before any training."""
    proc = run_stub(STUB, "--quick", *flags, "--out", tmp_path / "r.json", timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and flags[0] in proc.stderr


def test_smallest_sizes_run_to_the_end(tmp_path):
    """1 training sequence, 4 eval sequences, 1 step (one logged point): the run finishes and
    writes valid results (these sizes used to crash after training: broadcast, NaN, None)."""
    out = tmp_path / "r.json"
    proc = run_stub(STUB, "--quick", "--n-train", "1", "--n-eval", "4", "--steps", "1", "--out", out,
                    timeout=300)
    assert proc.returncode == 0, proc.stderr
    r = json.loads(out.read_text())
    assert r["config"]["n_eval"] == 4 and r["config"]["lyap_sequences"] == 4 and r["config"]["steps"] == 1
    assert r["metrics"]["learning_status"]["gru"]["struct"]["change_over_last_quarter"] is None


def test_protocol_a_reads_the_full_protocol_suite_and_never_says_no_below_the_budget():
    import json
    res = json.loads((ROOT / "stubs" / "drift-world" / "results.json").read_text())
    m, cfg = res["metrics"], res["config"]
    rows = {h["name"]: h for h in res["headline"]}
    for job in dw.A_JOBS:                                  # committed rows = the suite's finished cells
        kind, world = job.split("-")[1][:3], job.split("-")[2]
        suite = json.loads((ROOT / "suites" / "tiny-worlds" / "seed-0" / job / "result.json").read_text())
        label = "struct" if world == "struct" else "shuffle-null"
        row = rows[f"(a) E1 {label} {kind.upper()}-16 ΔNLL vs trivial baseline"]
        assert row["value"] == suite["summary"]["trained"]["dnll"]["mean"]
        assert row["verdict"] in ("partial", "no") and "full protocol" in row["note"]
    capped = dw.build_headline({**m, "a_full": {}}, cfg)   # without the suite: the 7.5 % run, open not no
    assert all(h["verdict"] != "no" for h in capped[:5])
    assert [h["verdict"] for h in capped[:5]] == ["open", "open", "partial", "partial", "open"]
