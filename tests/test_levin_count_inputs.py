"""Checks of stubs/levin-count-inputs: determinism, the task data, the verdict rules, bad input.
No gradient is trained (--gradcheck reports an empty check); the machine and the search have their
own tests in tests/test_levin.py."""
import json

import numpy as np

from conftest import ROOT, load_stub, run_stub

STUB = ROOT / "stubs" / "levin-count-inputs"
lci = load_stub("levin-count-inputs")


def test_quick_run_is_deterministic(tmp_path):
    outs = []
    for i in range(2):
        proc = run_stub(STUB, "--quick", "--out", tmp_path / f"r{i}.json", timeout=300)
        assert proc.returncode == 0, proc.stderr
        r = json.loads((tmp_path / f"r{i}.json").read_text())
        r["metrics"].pop("timing")
        outs.append((r["headline"], r["metrics"]))
    assert outs[0] == outs[1]
    assert outs[0][1]["first_fit"]["program"] == "0: Output(0)  2: Jump(0)"


def test_task_data():
    triples = lci.all_triples()
    test = lci.test_set(triples)
    assert len(triples) == 161_700 and len(test) == 161_697
    ones = [1] * 100
    assert lci.fits_training(ones) and lci.test_correct(ones, test) == 161_697
    w = [0] * 100
    for on in lci.TRAIN_ON:                      # fits the 3 examples, wrong almost everywhere else
        w[on[0]] = 3
    assert lci.fits_training(w) and lci.test_correct(w, test) < 161_697 // 10
    base = lci.least_squares_baseline(test)
    assert base["touched"] == 9 and base["correct"] < 1000   # only the 9 active weights move
    assert np.array_equal(lci.net_output(ones, test[:5]), [3] * 5)


def test_verdict_rules():
    good = dict(first_fit=dict(generalises=True), n_fits=3, n_generalising=3)
    assert lci.first_fit_ok(good) and lci.all_fits_generalise(good)
    bad = dict(first_fit=dict(generalises=False), n_fits=3, n_generalising=2)
    assert not lci.first_fit_ok(bad) and not lci.all_fits_generalise(bad)
    assert not lci.first_fit_ok(dict(first_fit=None))
    assert not lci.all_fits_generalise(dict(n_fits=0, n_generalising=0))
    assert lci.within_levin_bound(dict(cost=10, bound=10))
    assert not lci.within_levin_bound(dict(cost=11, bound=10))


def test_no_fit_within_a_small_budget_is_open(tmp_path):
    proc = run_stub(STUB, "--quick", "--max-phase", "12", "--out", tmp_path / "r.json", timeout=120)
    assert proc.returncode == 0, proc.stderr
    r = json.loads((tmp_path / "r.json").read_text())
    assert [h["verdict"] for h in r["headline"]] == ["open"]


def test_bad_flags_fail_with_one_line():
    for argv in (["--max-phase", "0"], ["--max-phase", "31"], ["--max-phase", "x"]):
        proc = run_stub(STUB, "--quick", *argv, "--out", "/tmp/never-written.json", timeout=60)
        err = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        assert proc.returncode == 2 and len(err) == 1 and "Traceback" not in proc.stderr, argv
