"""Every --setting says which of the stub's own flags it reads, and says it truly.

A flag the chosen setting does not read is refused in one line (issue: "a flag the user set is
honoured or refused, never silently ignored"); the declared lists (shared.cli.setting_flags) are
checked here against the flags a --quick run of each setting actually reads (CATALOG_RECORD_ARGS).
"""
import json
import subprocess
import sys

import pytest
from conftest import stub_dirs, stub_env, stub_flags, stub_script

COMMON = {"seed", "quick", "out", "gradcheck", "setting", "help"}
WITH_SETTINGS = [d for d in stub_dirs() if any(f["dest"] == "setting" for f in stub_flags(d))]
# the headline setting's reads are checked on test_stubs.py's own --quick run (no second run here)
CASES = [(d, s) for d in WITH_SETTINGS for f in stub_flags(d) if f["dest"] == "setting"
         for s in f["choices"] if s != f["default"]]


def _setting(d):
    return next(f for f in stub_flags(d) if f["dest"] == "setting")


@pytest.mark.parametrize("d", WITH_SETTINGS, ids=[d.name for d in WITH_SETTINGS])
def test_every_setting_declares_its_flags(d):
    flag = _setting(d)
    assert set(flag.get("uses", {})) == set(flag["choices"]), f"{d.name}: call cli.setting_flags"


@pytest.mark.parametrize("d,setting", CASES, ids=[f"{d.name}-{s}" for d, s in CASES])
def test_declared_flags_are_the_ones_a_run_reads(d, setting, tmp_path):
    flags = stub_flags(d)
    own = {f["dest"] for f in flags} - COMMON
    rec = tmp_path / "reads.json"
    env = dict(stub_env(), CATALOG_RECORD_ARGS=str(rec))
    p = subprocess.run([sys.executable, str(stub_script(d)), "--quick", "--setting", setting,
                        "--out", str(tmp_path / "r.json")], cwd=d, env=env, capture_output=True,
                       text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-2000:]
    reads = set(json.loads(rec.read_text())) & own
    declared = set(_setting(d)["uses"][setting])
    assert reads == declared, (f"{d.name} --setting {setting}: declares {sorted(declared)}, "
                               f"reads {sorted(reads)}")


@pytest.mark.parametrize("d", WITH_SETTINGS, ids=[d.name for d in WITH_SETTINGS])
def test_a_flag_the_setting_ignores_is_refused_in_one_line(d, tmp_path):
    flags = {f["dest"]: f for f in stub_flags(d)}
    uses = flags["setting"]["uses"]
    cases, expect = [], []
    for setting, used in uses.items():
        for dest, f in flags.items():
            if dest in COMMON or f["default"] is None:
                continue
            value = f["default"]
            opt = f["options"][0]
            if f["nargs"] == 0:
                argv = [opt]
            elif isinstance(value, list):        # name lists take one comma-separated value
                many = f["nargs"] in ("+", "*")
                argv = [opt, *map(str, value)] if many else [opt, ",".join(map(str, value))]
            else:
                argv = [opt, str(value)]
            cases.append(["--setting", setting, *argv, "--out", str(tmp_path / "r.json")])
            expect.append(dest in used)
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(cases))
    p = subprocess.run([sys.executable, str(stub_script(d))], cwd=d, capture_output=True, text=True,
                       env=dict(stub_env(), CATALOG_PARSE_CASES=str(path)), timeout=120)
    outcomes = json.loads(p.stdout)
    for argv, ok, o in zip(cases, expect, outcomes, strict=True):
        assert o["traceback"] is None, (argv, o["traceback"])
        if ok:
            assert o["code"] == 0, (argv, o["stderr"])
        else:
            lines = [ln for ln in o["stderr"].splitlines() if ln.strip()]
            assert o["code"] == 2 and len(lines) == 1 and "not used by --setting" in lines[0], (argv, o)
