"""Checks of stubs/levin-add-positions: determinism, the task data, the verdict rules, bad input.
No gradient is trained (--gradcheck reports an empty check); the machine and the search have their
own tests in tests/test_levin.py."""
import json

from conftest import ROOT, load_stub, run_stub

STUB = ROOT / "stubs" / "levin-add-positions"
lap = load_stub("levin-add-positions")


def test_quick_run_is_deterministic(tmp_path):
    outs = []
    for i in range(2):
        proc = run_stub(STUB, "--quick", "--out", tmp_path / f"r{i}.json", timeout=300)
        assert proc.returncode == 0, proc.stderr
        r = json.loads((tmp_path / f"r{i}.json").read_text())
        r["metrics"].pop("timing")
        outs.append((r["headline"], r["metrics"]))
    assert outs[0] == outs[1]


def test_task_data_and_reference_program():
    test = lap.test_set(lap.all_triples())
    assert len(test) == 161_697
    assert [lap.target(t) for t in lap.TRAIN_ON] == [108, 126, 221]        # the paper's targets
    ref = lap.reference_program(test)
    assert ref["fits"] and ref["test_correct"] == 161_697 and ref["runtime"] == 302
    assert 2 ** (ref["needed_phase"] - 1) < ref["runtime"] / ref["prob"] <= 2 ** ref["needed_phase"]
    w = list(range(100))
    w[5], w[17] = 6, 16                          # still fits x1 (108), wrong on many test inputs
    assert lap.fits_training(w) and lap.test_correct(w, test) < 161_697


def test_verdict_rules():
    none = dict(n_fits=0, n_generalising=0, runs_total=10)
    assert lap.fits_verdict(none) == "open" and lap.generalise_verdict(none) == "open"
    assert lap.fits_verdict(dict(n_fits=0, runs_total=lap.PAPER_RUNS)) == "no"
    assert lap.fits_verdict(dict(n_fits=2, runs_total=10)) == "partial"
    assert lap.generalise_verdict(dict(n_fits=10, n_generalising=8, runs_total=10)) == "partial"
    assert lap.generalise_verdict(dict(n_fits=10, n_generalising=2, runs_total=10)) == "open"
    assert lap.generalise_verdict(dict(n_fits=10, n_generalising=2, runs_total=lap.PAPER_RUNS)) == "no"


def test_bad_flags_fail_with_one_line():
    for argv in (["--max-phase", "0"], ["--max-phase", "31"], ["--max-phase", "nan"]):
        proc = run_stub(STUB, "--quick", *argv, "--out", "/tmp/never-written.json", timeout=60)
        err = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        assert proc.returncode == 2 and len(err) == 1 and "Traceback" not in proc.stderr, argv
