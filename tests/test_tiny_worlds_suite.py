"""The tiny-worlds full protocol as resumable jobs (shared/tiny_worlds/suite.py, run by
``python3 -m catalog suite tiny-worlds``): the job list, finished-job detection, and a stopped
--quick suite that resumes without redoing finished work."""
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from conftest import ROOT

import shared  # noqa: F401
from shared.tiny_worlds import models, suite


def test_job_list_is_the_protocol():
    """Headline: E1-E3 x GRU-16, RNN-16 x struct and the original's null (shuffle, i.i.d. for E2);
    then the E3 sweep, the controls and the LSTM; every name once."""
    head = suite.GROUPS["headline"]
    assert [j.name for j in head[:4]] == ["E1-gru16-struct", "E1-gru16-shuffle", "E1-rnn16-struct",
                                          "E1-rnn16-shuffle"]
    assert {j.variant for j in head if j.world == "E2"} == {"struct", "iid"}
    assert len(head) == 12 and all(j.H == 16 and j.mode == "full" for j in head)
    assert sorted({j.H for j in suite.GROUPS["sweep"]}) == [2, 4, 8, 32]
    assert len(suite.JOBS) == sum(len(g) for g in suite.GROUPS.values())
    assert [j.name for j in suite.select(["lstm"], ["E3-rnn16-struct"])] == \
        ["E3-rnn16-struct", "E1-lstm16-struct", "E2-lstm16-struct", "E3-lstm16-struct"]
    full = suite.settings()
    assert (full["seeds"], full["steps"], full["batch"], full["lr"]) == (20, 20_000, 64, 1e-3)
    assert all(suite.cost_s(j, full) > 60 for j in suite.JOBS.values())


def test_struct_null_and_readout_share_their_initialisation():
    """Seed i of the struct, null and readout-only jobs of one (world, model, H) starts from the
    same weights (so struct - null pairs by seed); data and batch order are the job's own."""
    jobs = [suite.JOBS[n] for n in ("E3-gru16-struct", "E3-gru16-shuffle", "E3-gru16-struct-readout")]
    inits = [models.init_params("gru", 3, 16, 2, suite.streams(j, 0)["init"]) for j in jobs]
    for p in inits[1:]:
        assert all(np.array_equal(p[k], inits[0][k]) for k in p)
    orders = [suite.streams(j, 0)["order"].random() for j in jobs]
    assert len(set(orders)) == 3
    assert suite.streams(jobs[0], 1)["init"].random() != suite.streams(jobs[0], 0)["init"].random()


def test_a_job_is_finished_only_when_its_whole_result_is_there(tmp_path):
    job, s = suite.JOBS["E3-rnn16-struct"], suite.settings(quick=True)
    out = tmp_path / "E3-rnn16-struct" / "result.json"
    assert suite.finished(out, job, s, 0) is None
    rec, arrays = suite.run_job(job, s, 0)
    assert set(rec["summary"]) == {"trained", "untrained", "scrambled"}       # the original's controls
    assert len(rec["per_seed"]["trained"]["dnll"]) == s["seeds"]
    (out.parent).mkdir()
    (out.parent / ".tmp-abc").write_text("{")                                # a killed writer's leftover
    assert suite.finished(out, job, s, 0) is None
    suite.write_result(out, rec, arrays)
    assert suite.finished(out, job, s, 0)["name"] == job.name
    assert suite.finished(out, job, suite.settings(quick=True, steps=5), 0) is None    # other settings
    assert suite.finished(out, job, s, 1) is None                                       # other seed
    assert suite.finished(out, suite.JOBS["E3-gru16-struct"], s, 0) is None
    out.with_suffix(".npz").unlink()
    assert suite.finished(out, job, s, 0) is None
    out.write_text(out.read_text()[:100])                                    # truncated
    assert suite.finished(out, job, s, 0) is None


def _suite(out_dir, *args):
    return [sys.executable, "-m", "catalog", "suite", "tiny-worlds", "--quick", "--out-dir", str(out_dir),
            *args]


def test_a_stopped_quick_suite_resumes_without_redoing_finished_jobs(tmp_path):
    names = ["E1-rnn16-struct", "E1-rnn16-shuffle", "E2-rnn16-struct", "E2-rnn16-iid", "E3-rnn16-struct"]
    only = ["--only", ",".join(names), "--every", "0.5"]
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    proc = subprocess.Popen(_suite(tmp_path, *only), cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    done = lambda: sorted(p.parent.name for p in tmp_path.glob("*/result.json"))     # noqa: E731
    deadline = time.time() + 120
    while len(done()) < 2 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130 and "Traceback" not in err, err
    first = done()
    assert 2 <= len(first) < len(names), "the interrupt came too late to test a resume"
    assert "left" in out and "done" in out                         # progress lines with an estimate
    assert not list(tmp_path.glob("*/.tmp-*"))                     # the stopped job left nothing
    kept = {n: (tmp_path / n / "result.json").read_bytes() for n in first}
    p = subprocess.run(_suite(tmp_path, *only), cwd=ROOT, capture_output=True, text=True, env=env,
                       timeout=300)
    assert p.returncode == 0, p.stderr
    assert f"{len(first)} job(s) already done" in p.stdout
    assert done() == sorted(names)
    for n in first:                                                           # not run again
        assert (tmp_path / n / "result.json").read_bytes() == kept[n]
    # a job's result does not depend on which process ran it, or when
    res = json.loads((tmp_path / "E3-rnn16-struct" / "result.json").read_text())
    rec, _ = suite.run_job(suite.JOBS["E3-rnn16-struct"], suite.settings(quick=True), 0)
    assert res["per_seed"] == json.loads(json.dumps(rec["per_seed"]))
    listing = subprocess.run(_suite(tmp_path, "--list", *only), cwd=ROOT, capture_output=True, text=True,
                             env=env, timeout=60)
    assert listing.returncode == 0 and listing.stdout.count("| done |") == len(names)


def test_bad_requests_fail_in_one_line(tmp_path):
    for args in (["--groups", "nope"], ["--shard", "2/2"], ["--jobs", "0"], ["--steps", "0"]):
        p = subprocess.run(_suite(tmp_path, *args), cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert p.returncode == 2 and "Traceback" not in p.stderr, (args, p.stderr)
    p = subprocess.run([sys.executable, "-m", "shared.tiny_worlds.suite", "--job", "nope", "--out",
                        str(tmp_path / "r.json")], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "Traceback" not in p.stderr


def test_comparison_rule_on_hand_cases():
    from shared.tiny_worlds.original import judge
    ref = dict(runs=[0.647, 0.651], sd=0.006, p=1e-4)
    ours = dict(mean=0.652, sd=0.004, min=0.64, max=0.66, p=2e-4)
    mark, tol = judge(ours, ref)            # SE = sqrt((0.006^2 + 0.004^2) / 20) = 0.00161
    assert mark == "reproduced" and abs(tol - 3 * np.sqrt(0.000052 / 20)) < 1e-12
    assert judge({**ours, "mean": 0.651 + tol + 1e-4}, ref)[0] == "differs"   # outside the range + 3 SE
    assert judge({**ours, "mean": 0.647 - tol + 1e-4}, ref)[0] == "reproduced"
    assert judge({**ours, "p": 0.2}, ref)[0] == "differs"                      # the test disagrees
    assert judge(dict(mean=0.0, sd=0.01, min=-0.02, max=0.03, p=0.5), 0.025) == ("inside", None)
    assert judge(dict(mean=0.0, sd=0.01, min=-0.02, max=0.03, p=0.5), 0.031) == ("outside", None)


def test_the_suite_readme_table_matches_the_committed_results():
    from shared.tiny_worlds import original
    folder = ROOT / "suites" / "tiny-worlds"
    rows, pairs = original.compare(folder / "seed-0"), original.paired(folder / "seed-0")
    text = (folder / "README.md").read_text()
    assert original.render_readme(text, rows, pairs) == text, (
        "suites/tiny-worlds/README.md is stale: run python3 -m shared.tiny_worlds.original --write")
    done = [r for r in rows if r["ours"] is not None]
    assert all(r["ours"]["seeds"] == 20 and r["ours"]["steps"] == 20_000 for r in done)


def test_load_job_rebuilds_the_very_world_and_nets_a_job_was_judged_on(tmp_path):
    from shared.tiny_worlds import train
    job, s = suite.JOBS["E3-rnn16-shuffle"], suite.settings(quick=True)
    record, arrays = suite.run_job(job, s)
    suite.write_result(tmp_path / job.name / "result.json", record, arrays)
    res, params, init, world = suite.load_job(tmp_path, job.name)
    assert res["name"] == job.name and params["W_hh"].shape == (s["seeds"], 16, 16)
    again = train.evaluate("rnn", params, world, suite.streams(job, 0)["eval"])
    assert np.allclose(again["dnll"], record["per_seed"]["trained"]["dnll"], rtol=1e-5, atol=1e-6)
    with pytest.raises(FileNotFoundError, match="has not finished"):
        suite.load_job(tmp_path, "E3-gru16-shuffle")


def test_paired_struct_minus_iid_on_hand_made_jobs(tmp_path):
    """The protocol-(b) table pairs seed i of the struct job with seed i of the i.i.d. job, and only
    pairs whose two jobs have finished appear."""
    from shared.tiny_worlds import original
    def job(name, dnll):
        (tmp_path / name).mkdir()
        (tmp_path / name / "result.json").write_text(json.dumps({"per_seed": {"trained": {"dnll": dnll}}}))
    job("E1-gru16-struct", [0.30, 0.25, 0.20, 0.35])
    job("E1-gru16-iid", [0.00, 0.05, -0.02, 0.01])
    job("E2-rnn16-struct", [1.0, 1.0])                      # its i.i.d. job has not finished
    rows = original.paired(tmp_path)
    assert [(r["struct"], r["null"]) for r in rows] == [("E1-gru16-struct", "E1-gru16-iid")]
    d = np.array([0.30, 0.20, 0.22, 0.34])
    r = rows[0]
    assert abs(r["mean"] - d.mean()) < 1e-12 and abs(r["sd"] - d.std(ddof=1)) < 1e-12
    assert r["positive"] == 4 and r["seeds"] == 4
    assert abs(r["p"] - 2 / 16) < 0.03                      # all positive: two-sided floor 2/2^4
    table = original.paired_table(rows)
    assert "| E1-gru16-struct − iid | +0.2650 ± " in table and "| 4/4 |" in table
    assert original.paired_table([]) == ""
