"""The stub contract, checked for every folder under stubs/ (discovered, not listed by hand).

Each stub runs as its own process, so a crash names the stub. See SPEC.md for the contract.
"""
import json
import os
import signal
import subprocess
import sys
import time
import tomllib

import pytest
from conftest import ROOT, run_stub, stub_dirs, stub_flags, stub_script, stub_settings

from shared.gradcheck import TOLERANCE
from shared.results import HEADLINE_END, HEADLINE_START, headline_markdown, read_results

STUBS = stub_dirs()


def per_stub(dirs):
    """One parameter per stub, grouped by stub: under pytest-xdist (--dist loadgroup) all of a
    stub's tests run in one worker, so they share its cached quick runs."""
    return [pytest.param(d, id=d.name, marks=pytest.mark.xdist_group(d.name)) for d in dirs]


SECTIONS = ["Problem", "What it demonstrates", "Files", "Running", "Results", "Visualizations",
            "Deviations from the original", "Open questions"]
CATALOG = {s["slug"]: s for s in tomllib.loads((ROOT / "stubs" / "catalog.toml").read_text())["stub"]}
_quick_runs = {}


def snake(d):
    return d.name.replace("-", "_")


def quick_run(d, tmp_factory, tag):
    """Run --quick once per (stub, tag) and cache the result for the tests below."""
    key = (d.name, tag)
    if key not in _quick_runs:
        out = tmp_factory.mktemp(f"{d.name}-{tag}") / "results.json"
        # the run also notes which flags it read (tests/test_settings.py's check, headline setting)
        proc = run_stub(d, "--quick", "--seed", "0", "--out", out, timeout=120,
                        env={"CATALOG_RECORD_ARGS": str(out.parent / "reads.json")})
        _quick_runs[key] = (proc, out)
    return _quick_runs[key]


@pytest.mark.parametrize("d", per_stub(STUBS))
def test_folder_anatomy(d):
    m = snake(d)
    for name in (f"{m}.py", f"visualize_{m}.py", f"make_{m}_gif.py", "README.md", f"{m}.gif", "results.json"):
        assert (d / name).is_file(), f"{d.name}: missing {name}"
    assert list((d / "viz").glob("*.png")), f"{d.name}: no viz/*.png"
    assert d.name in CATALOG, f"{d.name} missing from stubs/catalog.toml"
    assert (d / f"{m}.gif").stat().st_size < 2_500_000, "GIF too large"


@pytest.mark.parametrize("d", per_stub(STUBS))
def test_quick_run_writes_valid_results(d, tmp_path_factory):
    proc, out = quick_run(d, tmp_path_factory, "a")
    assert proc.returncode == 0, f"{d.name} --quick failed:\n{proc.stderr[-3000:]}"
    res = read_results(out)
    assert res["stub"] == d.name and res["quick"] is True and res["seed"] == 0
    assert res["family"] == CATALOG[d.name]["family"]


@pytest.mark.parametrize("d", per_stub(STUBS))
def test_headline_setting_reads_the_flags_it_declares(d, tmp_path_factory):
    setting = next((f for f in stub_flags(d) if f["dest"] == "setting"), None)
    if setting is None:
        return                                    # one setting: every flag is its own
    proc, out = quick_run(d, tmp_path_factory, "a")
    assert proc.returncode == 0, proc.stderr[-2000:]
    own = {f["dest"] for f in stub_flags(d)} - {"seed", "quick", "out", "gradcheck", "setting", "help"}
    reads = set(json.loads((out.parent / "reads.json").read_text())) & own
    assert reads == set(setting["uses"][setting["default"]]), (d.name, sorted(reads))


@pytest.mark.parametrize("d", per_stub(STUBS))
def test_same_seed_gives_identical_numbers(d, tmp_path_factory):
    (p1, o1), (p2, o2) = quick_run(d, tmp_path_factory, "a"), quick_run(d, tmp_path_factory, "b")
    assert p1.returncode == 0 and p2.returncode == 0
    r1, r2 = json.loads(o1.read_text()), json.loads(o2.read_text())
    for r in (r1, r2):                      # wall-clock figures are the only numbers allowed to differ
        r["metrics"].pop("timing", None)
    for key in ("config", "metrics", "headline", "lyapunov"):
        assert r1[key] == r2[key], f"{d.name}: {key} differs between two runs with seed 0"


@pytest.mark.parametrize("d", per_stub(STUBS))
def test_gradient_checks_pass(d):
    proc = run_stub(d, "--gradcheck", timeout=300)
    assert proc.returncode == 0, f"{d.name} --gradcheck failed:\n{proc.stdout[-3000:]}{proc.stderr[-2000:]}"
    errs = json.loads(proc.stdout)
    if CATALOG[d.name].get("gradients", True):
        assert errs, f"{d.name} has hand-written gradients but reports no gradient check"
    assert all(v < TOLERANCE for v in errs.values()), errs


@pytest.mark.parametrize("d", per_stub(STUBS))
def test_readme_layout(d):
    text = (d / "README.md").read_text()
    lines = text.splitlines()
    assert lines[0].startswith("# "), "README must start with the title"
    intro = text.split("\n## ")[0]
    assert f"({snake(d)}.gif)" in intro, "the GIF must come before the first section"
    assert len([ln for ln in intro.splitlines()[1:] if ln.strip()]) >= 2, "citation line missing"
    headings = [ln[3:].strip() for ln in lines if ln.startswith("## ")]
    assert headings == SECTIONS, f"{d.name}: sections {headings}"


@pytest.fixture(scope="module")
def head_tree(tmp_path_factory):
    from conftest import committed_tree
    return committed_tree(tmp_path_factory.mktemp("head"))


@pytest.mark.parametrize("d", per_stub(STUBS))
def test_readme_headline_equals_committed_results(d, head_tree):
    d = head_tree / "stubs" / d.name      # as committed: a user's re-run cannot fail this test
    res = read_results(d / "results.json")
    assert res["quick"] is False, "the committed results.json must come from a headline run"
    text = (d / "README.md").read_text()
    i, j = text.find(HEADLINE_START), text.find(HEADLINE_END)
    assert 0 <= i < j, "README lacks the headline markers"
    agreement = d / "agreement.json"
    agreement = json.loads(agreement.read_text()) if agreement.is_file() else None
    assert text[i + len(HEADLINE_START):j].strip() == headline_markdown(res, agreement).strip(), \
        "README headline differs from results.json: run python3 docs/generate.py"


@pytest.mark.parametrize("d", per_stub(STUBS))
@pytest.mark.parametrize("argv", [["--seed", "abc"], ["--seed", "-3"], ["--no-such-flag"],
                                  ["--out", "/no/such/folder/results.json"]], ids=str)
def test_bad_flags_give_one_clear_line(d, argv):
    proc = run_stub(d, *argv, timeout=60)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    err = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(err) == 1 and "error" in err[0], proc.stderr


def start_run(d, tmp_path, *argv):
    """Start a stub run writing into tmp_path/out, in its own process group, with SIGINT handled;
    it appends each stage it reaches ("main", "workers") to a file (CATALOG_READY_FILE) and its
    stdout, unbuffered, goes to tmp_path/stdout."""
    (tmp_path / "out").mkdir()
    ready = tmp_path / "ready"
    cmd = [sys.executable, str(stub_script(d)), "--out", str(tmp_path / "out" / "results.json"), *argv]
    # a user's Ctrl-C reaches a process that handles SIGINT; a test runner started in the
    # background inherits SIGINT ignored, so restore the default in the child first
    with open(tmp_path / "stdout", "w") as stdout:
        proc = subprocess.Popen(cmd, cwd=d, stdout=stdout, stderr=subprocess.PIPE, text=True,
                                env={"OPENBLAS_NUM_THREADS": "1", "PATH": "/usr/bin:/bin",
                                     "PYTHONUNBUFFERED": "1", "CATALOG_READY_FILE": str(ready)},
                                start_new_session=True,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    return proc, ready


def wait_for_stage(proc, ready, stage, timeout):
    """True once the run reached ``stage``; False if it ended or ``timeout`` s passed first."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if ready.exists() and stage in ready.read_text().split():
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.05)
    return False


def stop(proc):
    """Kill whatever is left of a run's process group; its stderr."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    return proc.communicate()[1]


def interrupt_and_check(d, proc, tmp_path):
    """Ctrl-C as a terminal sends it (to the whole process group): exit 130, one line on stderr,
    no traceback from the run or its workers, no file in the output folder, no process left."""
    os.killpg(proc.pid, signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{d.name} did not stop within 60 s of Ctrl-C:\n{stop(proc)[-2000:]}")
    assert proc.returncode == 130, err
    assert "Traceback" not in err, err
    assert len([ln for ln in err.splitlines() if ln.strip()]) == 1, err
    assert list((tmp_path / "out").iterdir()) == [], "an interrupted run left files behind"
    end = time.monotonic() + 10
    while True:                                  # the workers went with the parent
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        if time.monotonic() > end:
            stop(proc)
            pytest.fail(f"{d.name}: processes of the interrupted run are still alive")
        time.sleep(0.05)


@pytest.mark.parametrize("d", per_stub(STUBS))
def test_interrupted_headline_run_leaves_nothing(d, tmp_path):
    """Ctrl-C once the headline run is in main and has printed its first line (its header, after
    the setup: training is starting)."""
    proc, ready = start_run(d, tmp_path)
    if not wait_for_stage(proc, ready, "main", 60):
        pytest.fail(f"{d.name}'s headline run did not reach main within 60 s:\n{stop(proc)[-2000:]}")
    end = time.monotonic() + 30
    while not (tmp_path / "stdout").read_text().strip() and proc.poll() is None and time.monotonic() < end:
        time.sleep(0.05)
    if proc.poll() is not None:
        pytest.fail(f"{d.name}'s headline run ended early (exit {proc.returncode}):\n{stop(proc)[-2000:]}")
    interrupt_and_check(d, proc, tmp_path)


def _has_workers_flag(d):
    return any('"--workers"' in f.read_text() for f in d.glob("*.py"))


WORKER_STUBS = [d for d in STUBS if _has_workers_flag(d)]


@pytest.mark.parametrize("d", per_stub(WORKER_STUBS))
def test_interrupted_run_with_workers_leaves_nothing(d, tmp_path):
    """Ctrl-C while a pool of worker processes trains: the quick run of each setting first (the
    headline's code paths, sooner), the headline command when no quick run starts a pool."""
    settings = stub_settings(d)
    tries = [["--quick"] + (["--setting", s] if s else []) for s in settings] + [[]]
    for i, argv in enumerate(tries):
        sub = tmp_path / str(i)
        sub.mkdir()
        proc, ready = start_run(d, sub, "--workers", "2", *argv)
        if wait_for_stage(proc, ready, "workers", 60):
            interrupt_and_check(d, proc, sub)
            return
        stop(proc)
    pytest.skip(f"{d.name}: no run started a worker pool within 60 s")


@pytest.mark.parametrize("d", per_stub(STUBS))
def test_figures_and_gif_come_from_saved_results(d, tmp_path_factory):
    proc, out = quick_run(d, tmp_path_factory, "a")
    assert proc.returncode == 0
    m, viz = snake(d), out.parent / "viz"
    p = run_stub(d, "--results", out, "--out-dir", viz, script=d / f"visualize_{m}.py", timeout=180)
    assert p.returncode == 0, p.stderr[-3000:]
    assert list(viz.glob("*.png"))
    gif = out.parent / "anim.gif"
    p = run_stub(d, "--results", out, "--out", gif, script=d / f"make_{m}_gif.py", timeout=180)
    assert p.returncode == 0, p.stderr[-3000:]
    assert gif.stat().st_size > 1000
    # without saved results: one clear line, no traceback, no retraining
    missing = out.parent / "nothing-here.json"
    p = run_stub(d, "--results", missing, "--out-dir", viz, script=d / f"visualize_{m}.py", timeout=60)
    assert p.returncode != 0 and "Traceback" not in p.stderr and "headline command" in p.stderr
