"""benchmarks/speed.py reads the recorded figures, times runs, and refuses unknown stubs."""
import subprocess
import sys
import tomllib

from conftest import ROOT

SCRIPT = ROOT / "benchmarks" / "speed.py"


def _run(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=300)


def test_every_earlier_entry_names_a_real_setting_and_is_listed():
    cat = tomllib.loads((ROOT / "stubs" / "catalog.toml").read_text())
    with_earlier = [s for s in cat["stub"] if s.get("earlier")]
    assert with_earlier
    p = _run()
    assert p.returncode == 0, p.stderr
    for s in with_earlier:
        assert s["slug"] in p.stdout
        script = ROOT / "stubs" / s["slug"] / (s["slug"].replace("-", "_") + ".py")
        assert f'"{s["earlier"]["setting"]}"' in script.read_text(), f"{s['slug']}: no such --setting"


def test_timed_quick_run_and_bad_stub():
    cat = tomllib.loads((ROOT / "stubs" / "catalog.toml").read_text())
    slug = next(s["slug"] for s in cat["stub"] if s.get("earlier"))
    p = _run("--run", "--quick", "--stubs", slug)
    assert p.returncode == 0, p.stderr
    assert slug in p.stdout
    p = _run("--stubs", "no-such-stub")
    assert p.returncode == 2 and "no `earlier` entry" in p.stderr and "Traceback" not in p.stderr


def test_tiny_worlds_benchmark_prints_recorded_and_timed_figures():
    script = ROOT / "benchmarks" / "tiny_worlds.py"
    rec = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert rec.returncode == 0 and "E1" in rec.stdout and "E3" in rec.stdout, rec.stderr
    timed = subprocess.run([sys.executable, str(script), "--run", "--seeds", "2", "--reps", "1"],
                           capture_output=True, text=True, timeout=300)
    assert timed.returncode == 0 and "E2" in timed.stdout and "in total" in timed.stdout, timed.stderr
    bad = subprocess.run([sys.executable, str(script), "--seeds", "0"], capture_output=True, text=True,
                         timeout=60)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_tiny_worlds_benchmark_compares_plain_and_fast_side_by_side():
    script = ROOT / "benchmarks" / "tiny_worlds.py"
    p = subprocess.run([sys.executable, str(script), "--compare", "--nets", "2", "3", "--T", "12",
                        "--reps", "1", "--rounds", "1"], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    for text in ("1-min load", "reference kernel", "speed-up", "gru", "rnn", "at 3 nets / at 2 nets"):
        assert text in p.stdout, (text, p.stdout)
