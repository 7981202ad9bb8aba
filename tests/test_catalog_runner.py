"""The catalog runner (python3 -m catalog): selection, seeds, resume, failures, summaries.

Runs against a fake repository of two tiny stubs, so it takes seconds."""
import argparse
import json
import subprocess
import sys

import pytest
from conftest import ROOT

from catalog import runner

FAKE_STUB = '''
import argparse, json, os, sys, time
ap = argparse.ArgumentParser()
ap.add_argument("--seed", type=int, default=0)
ap.add_argument("--out")
ap.add_argument("--quick", action="store_true")
ap.add_argument("--fail", action="store_true")
a = ap.parse_args()
if a.fail or os.environ.get("FAIL_" + os.path.basename(os.getcwd()).replace("-", "_")):
    print("boom: this stub fails", file=sys.stderr); sys.exit(3)
time.sleep(float(os.environ.get("FAKE_SLEEP_S", "0")))
t_cpu = time.process_time()
while time.process_time() - t_cpu < float(os.environ.get("FAKE_BURN_S", "0")):
    pass
verdict = "yes" if a.seed % 2 == 0 else "no"
res = {"stub": os.path.basename(os.getcwd()), "family": "f", "title": "t", "paper": "p", "seed": a.seed,
       "quick": a.quick, "config": {}, "metrics": {}, "lyapunov": None, "wall_s": 0.1,
       "env": {"python": "3", "numpy": "2", "platform": "x", "blas_threads": "1"},
       "headline": [{"name": "acc", "value": 0.5 + a.seed, "paper_value": 1, "verdict": verdict,
                     "note": "", "numbers": [{"value": 0.5 + a.seed}]}]}
open(a.out, "w").write(json.dumps(res))
with open(os.path.join(os.path.dirname(a.out), "calls.txt"), "a") as f:
    f.write("x")
'''


@pytest.fixture
def fake(tmp_path):
    root = tmp_path / "repo"
    cat = ['[families]\norder = ["f", "g"]\n']
    for slug, fam in (("a-stub", "f"), ("b-stub", "g")):
        d = root / "stubs" / slug
        d.mkdir(parents=True)
        (d / f"{slug.replace('-', '_')}.py").write_text(FAKE_STUB)
        res = json.loads(json.dumps({"wall_s": 2.0, "headline": [
            {"name": "acc", "value": 0.5, "paper_value": 1, "verdict": "yes", "note": "", "numbers": []}]}))
        (d / "results.json").write_text(json.dumps(res))
        cat.append(f'[[stub]]\nslug = "{slug}"\nfamily = "{fam}"\norder = 1\n')
    (root / "stubs" / "catalog.toml").write_text("\n".join(cat))
    return root


def run(root, *args, env=None):
    import os
    return subprocess.run([sys.executable, "-m", "catalog", *args, "--root", str(root)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})})


def test_parse_seeds():
    assert runner.parse_seeds("0-2") == [0, 1, 2]
    assert runner.parse_seeds("4,1,1") == [1, 4]
    for bad in ("", "a", "3-1", "-1", "0-5000"):
        with pytest.raises(argparse.ArgumentTypeError):
            runner.parse_seeds(bad)


def test_run_resume_and_summary(fake):
    p = run(fake, "run", "--seeds", "0-2", "--jobs", "2")
    assert p.returncode == 0, p.stderr
    assert "[6/6 done, 0 running, 0 failed]" in p.stdout and "| a-stub | 1 | done | no 1 |" in p.stdout
    for slug in ("a-stub", "b-stub"):
        for s in range(3):
            assert (fake / "runs" / slug / f"seed-{s}" / "results.json").exists()
    assert json.loads((fake / "stubs" / "a-stub" / "results.json").read_text())["wall_s"] == 2.0  # untouched
    p = run(fake, "run", "--seeds", "0-2", "--jobs", "2")       # resume: nothing runs again
    assert "6 job(s) already done" in p.stdout
    assert (fake / "runs" / "a-stub" / "seed-0" / "calls.txt").read_text() == "x"
    p = run(fake, "summary", "--seeds", "0-2", "--write")
    assert p.returncode == 0, p.stderr
    agreement = json.loads((fake / "stubs" / "a-stub" / "agreement.json").read_text())
    row = agreement["rows"][0]
    assert row["verdicts"] == {"0": "yes", "1": "no", "2": "yes"} and row["stable"] is False
    assert row["mean"] == pytest.approx(1.5) and row["sd"] == pytest.approx(1.0)
    # without a runner folder for seed 0, the committed headline (seed 0) stands for it
    import shutil
    shutil.rmtree(fake / "runs" / "a-stub" / "seed-0")
    committed = json.loads((fake / "stubs" / "a-stub" / "results.json").read_text())
    (fake / "stubs" / "a-stub" / "results.json").write_text(json.dumps({**committed, "seed": 0}))
    assert run(fake, "summary", "--seeds", "0-2", "--write").returncode == 0
    row = json.loads((fake / "stubs" / "a-stub" / "agreement.json").read_text())["rows"][0]
    assert row["verdicts"] == {"0": "yes", "1": "no", "2": "yes"}
    assert row["mean"] == pytest.approx(2.0)         # the committed row records no number
    # a seed run with another configuration (say a shorter budget) is not a seed of this headline
    p1 = fake / "runs" / "a-stub" / "seed-1" / "results.json"
    p1.write_text(json.dumps({**json.loads(p1.read_text()), "config": {"max_sequences": 1}}))
    p = run(fake, "summary", "--seeds", "0-2", "--write")
    assert p.returncode == 0 and "seed(s) [1] left out" in p.stderr
    ag = json.loads((fake / "stubs" / "a-stub" / "agreement.json").read_text())
    assert ag["rows"][0]["verdicts"] == {"0": "yes", "2": "yes"} and ag["config_key"]


def test_a_failing_stub_does_not_stop_the_others(fake):
    p = run(fake, "run", "--seeds", "0", env={"FAIL_b_stub": "1"})
    assert p.returncode == 1
    assert "| a-stub | 0 | done |" in p.stdout and "| b-stub | 0 | failed (exit 3) |" in p.stdout
    assert "boom: this stub fails" in p.stdout


def test_family_filter_and_bad_requests(fake):
    p = run(fake, "run", "--family", "g", "--quick")
    assert p.returncode == 0 and "b-stub" in p.stdout and "a-stub" not in p.stdout
    assert (fake / "runs" / "b-stub" / "quick-seed-0" / "results.json").exists()
    for args, msg in ((("run", "--stubs", "nope"), "unknown stub"),
                      (("run", "--family", "zz"), "unknown family"),
                      (("run", "--jobs", "0"), "--jobs"), (("run", "--", "--seed", "3"), "set by the runner"),
                      (("run", "--tag", "a/b"), "--tag")):
        p = run(fake, *args)
        assert p.returncode == 2 and "Traceback" not in p.stderr and msg in p.stderr, (args, p.stderr)


def test_dask_local_cluster_survives_a_killed_worker(fake):
    """--engine dask on a LocalCluster of 2 workers: one worker is killed while it runs a stub; its
    job is retried, and every job ends with exactly one result."""
    pytest.importorskip("distributed", reason="the optional extra requirements-cluster.txt is not installed")
    import os
    import signal
    import time

    import psutil
    proc = subprocess.Popen([sys.executable, "-m", "catalog", "run", "--engine", "dask", "--jobs", "2",
                             "--seeds", "0-2", "--root", str(fake)], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "FAKE_SLEEP_S": "3"})
    killed, deadline = None, time.time() + 90
    while killed is None and time.time() < deadline and proc.poll() is None:
        for child in psutil.Process(proc.pid).children(recursive=True):
            try:
                if any("a_stub.py" in part for part in child.cmdline()):
                    killed = child.parent()             # the Dask worker running this stub
                    killed.send_signal(signal.SIGKILL)
                    break
            except psutil.Error:
                continue
        time.sleep(0.2)
    out, err = proc.communicate(timeout=180)
    assert killed is not None, "no worker was seen running a stub"
    assert proc.returncode == 0, out + err
    for slug in ("a-stub", "b-stub"):
        for s in range(3):
            d = fake / "runs" / slug / f"seed-{s}"
            assert json.loads((d / "results.json").read_text())["seed"] == s
            assert (d / "calls.txt").read_text() == "x"          # one finished attempt, not two
    assert "[6/6 done, 0 running, 0 failed]" in out


def test_an_interrupted_sweep_resumes_without_redoing_finished_runs(fake):
    import os
    import signal
    import time
    env = {**os.environ, "FAKE_SLEEP_S": "1.0"}
    # a user's Ctrl-C reaches a runner that handles SIGINT (a background test runner may have
    # inherited it ignored: restore the default in the child)
    proc = subprocess.Popen([sys.executable, "-m", "catalog", "run", "--seeds", "0-2", "--root", str(fake)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    done = lambda: sorted((fake / "runs").glob("*/seed-*/run.json"))       # noqa: E731
    deadline = time.time() + 60
    while len(done()) < 2 and time.time() < deadline:
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "Traceback" not in err, err
    finished = done()
    assert 2 <= len(finished) < 6, "the interrupt came too late to test a resume"
    p = run(fake, "run", "--seeds", "0-2", env={"FAKE_SLEEP_S": "0"})
    assert p.returncode == 0, p.stderr
    assert f"{len(finished)} job(s) already done" in p.stdout
    for slug in ("a-stub", "b-stub"):
        for s in range(3):
            d = fake / "runs" / slug / f"seed-{s}"
            assert (d / "results.json").exists()
            assert (d / "calls.txt").read_text() == "x"          # every run finished exactly once


def test_run_json_records_the_cpu_time_of_the_stub_process(fake):
    """run.json holds wall and CPU seconds; a stub that sleeps 0.6 s and computes 0.5 s shows
    both (the CPU figure is what a run under load can still be compared by)."""
    p = run(fake, "run", "--stubs", "a-stub", "--seeds", "0", "--jobs", "1",
            env={"FAKE_SLEEP_S": "0.6", "FAKE_BURN_S": "0.5"})
    assert p.returncode == 0, p.stderr
    rec = json.loads((fake / "runs" / "a-stub" / "seed-0" / "run.json").read_text())
    assert 0.45 <= rec["cpu_s"] < rec["wall_s"] - 0.5
    assert " CPU)" in p.stdout


def test_summary_keeps_earlier_seeds_whose_run_folders_are_gone(fake):
    """Run folders are not committed: seeds 3-4 added later keep seeds 1-2 from agreement.json."""
    import shutil
    assert run(fake, "run", "--seeds", "0-4", "--jobs", "2").returncode == 0
    assert run(fake, "summary", "--seeds", "0-4").returncode == 0
    full = runner.summarise(fake, "a-stub", [0, 1, 2, 3, 4])["rows"][0]          # every run there
    assert run(fake, "summary", "--seeds", "0-2", "--write").returncode == 0
    ag_path = fake / "stubs" / "a-stub" / "agreement.json"
    ag = json.loads(ag_path.read_text())
    assert ag["rows"][0]["values"] == {"0": 0.5, "1": 1.5, "2": 2.5}
    # an agreement.json written before rows kept their values: mean and sd only
    for r in ag["rows"]:
        del r["values"]
    ag_path.write_text(json.dumps(ag))
    for s in (1, 2):
        shutil.rmtree(fake / "runs" / "a-stub" / f"seed-{s}")
    sm = runner.summarise(fake, "a-stub", [0, 1, 2, 3, 4])
    row = sm["rows"][0]
    assert sm["seeds"] == [0, 1, 2, 3, 4]
    assert row["verdicts"] == full["verdicts"] == {0: "yes", 1: "no", 2: "yes", 3: "no", 4: "yes"}
    assert row["mean"] == pytest.approx(full["mean"]) and row["sd"] == pytest.approx(full["sd"])
    assert row["pooled"]["seeds"] == [1, 2] and row["pooled"]["n"] == 2 and row["stable"] is False
    # with their values kept, carried seeds count exactly; another configuration carries nothing
    assert run(fake, "summary", "--seeds", "0-4", "--write").returncode == 0
    again = runner.summarise(fake, "a-stub", [0, 1, 2, 3, 4])["rows"][0]
    assert again["verdicts"] == full["verdicts"] and again["mean"] == pytest.approx(full["mean"])
    ag = json.loads(ag_path.read_text())
    ag_path.write_text(json.dumps({**ag, "config_key": "another"}))
    assert runner.summarise(fake, "a-stub", [0, 1, 2])["rows"][0]["verdicts"] == {0: "yes"}
