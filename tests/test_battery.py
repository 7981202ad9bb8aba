"""Bad input for every flag of every stub (discovered, not listed): zero tracebacks, and either
exit 0 or one clear line on stderr with a non-zero exit.

Each stub's flags come from the stub itself (CATALOG_DUMP_FLAGS, see shared/cli.py). Every numeric
flag gets 0, 1 and 2 (integers), -1, a non-numeric string, an absurdly large value (10**12, 1e300),
nan (floats) and, when the flag has no bound of its own, the largest value shared.cli's default
types accept (cli.MAX_INT, cli.MAX_FLOAT); every choice flag gets a bad choice, every free-text flag
a nonsense string. All cases are first parsed
inside one process per stub (CATALOG_PARSE_CASES: the same parse ``cli.run`` does before ``main``),
which settles the cases refused at parse time; the values the parser accepts then run for real with
--quick, two at a time, each under a time limit (a huge size still running at the limit is an
unbounded flag). The small values a stub accepts run together in one process first and one by one
only when that combined run fails, so a clean stub costs few runs.

Beyond tracebacks: -1, 10**12, 1e300 or nan that runs to exit 0 is a missing bound; a flag that
results.json records under its own name (config key ``n_seeds`` for ``--n-seeds``) must hold the
value given in the headline setting (not be silently replaced by --quick); an unwritable --out
must be refused before any training (checked on the headline command, which would otherwise train).

Select with ``-m battery``; it runs by default.
"""
import json
import os
import pathlib
import resource
import signal
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import stub_dirs, stub_env, stub_flags, stub_script

from shared import cli

pytestmark = pytest.mark.battery

STUBS = stub_dirs()
IDS = [d.name for d in STUBS]
HUGE_INT, HUGE_FLOAT = str(10**12), "1e300"
# the largest values shared.cli's default types (positive_int, nonneg_int, positive_float) accept:
# a flag with no bound of its own takes them, and must then finish or refuse them, not run for hours
CAP_INT, CAP_FLOAT = str(cli.MAX_INT), f"{cli.MAX_FLOAT:g}"
VALUES = {"int": ["0", "1", "2", "-1", "abc", HUGE_INT, CAP_INT],
          "float": ["0", "-1", "abc", HUGE_FLOAT, "nan", CAP_FLOAT],
          "text": ["abc"]}
NONSENSE = "abc"
OUT_OF_RANGE = {"-1": "a lower bound", HUGE_INT: "an upper bound", HUGE_FLOAT: "an upper bound",
                "nan": "a finiteness check"}
SMALL = ("0", "1", "2")             # accepted small values run together first
RUN_TIMEOUT = 60                    # seconds per --quick case
HUGE_TIMEOUT = 30                   # ... with a huge value (a --quick run takes seconds)
HUGE = (HUGE_INT, HUGE_FLOAT, CAP_INT, CAP_FLOAT)
OUT_TIMEOUT = 30                    # an unwritable --out must be refused long before this
WORKERS = 2
MEMORY_LIMIT = 8 * 2**30            # address space per case: a huge size fails fast, not the machine
SKIP_DESTS = {"out", "quick", "gradcheck", "help"}


def _start(d, argv, extra_env=None):
    """Start the stub's script in its own session (so a timeout can stop its workers too) with a
    cap on its address space (a huge size fails fast instead of exhausting the machine)."""
    def limits():
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    cmd = [sys.executable, str(stub_script(d)), *argv]
    return subprocess.Popen(cmd, cwd=d, env=dict(stub_env(), **(extra_env or {})), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True, preexec_fn=limits)


def _run(d, argv, timeout, extra_env=None):
    """Run the stub's script; (returncode, or None when stopped at the time limit, stdout, stderr)."""
    p = _start(d, argv, extra_env)
    try:
        out, err = p.communicate(timeout=timeout)
        return p.returncode, out, err
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        return None, out, err
    finally:
        try:                                   # workers the stub left behind, if any
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def cases_of(flags):
    """(flag, value) pairs to try, for every flag that takes a value."""
    cases = []
    for f in flags:
        if f["dest"] in SKIP_DESTS or f["nargs"] == 0:
            continue
        opt = f["options"][0]
        if f["choices"] is not None:
            cases.append((opt, "no-such-choice"))
        elif f["kind"] in VALUES:
            # the default types' caps only where the flag has no bound of its own
            cases += [(opt, v) for v in VALUES[f["kind"]]
                      if v not in (CAP_INT, CAP_FLOAT) or f["default_bound"]]
    return cases


def verdict(code, out, err, value):
    """None when the outcome meets the bar, else what went wrong (one line)."""
    lines = [ln for ln in err.splitlines() if ln.strip()]
    if "Traceback" in err or "Traceback" in out:
        last = next((ln for ln in reversed(lines) if ln.strip() and not ln.startswith(" ")), "?")
        return f"traceback: {last.strip()[:200]}"
    if code is None:
        what = "unbounded flag: " if value in HUGE else ""
        return f"{what}still running after the time limit"
    if code < 0:
        return f"killed by signal {-code}"
    if code == 0:
        warn = [ln for ln in lines if "Warning" in ln]
        return f"exit 0 with a warning on stderr: {warn[0].strip()[:200]}" if warn else None
    if len(lines) != 1 or "error" not in lines[0]:
        shown = " | ".join(ln.strip() for ln in lines[:3])[:300]
        return f"exit {code} with {len(lines)} stderr lines, want one clear error line: {shown}"
    return None


def parse_all(d, cases, tmp_path):
    """Parse every case inside one process of the stub; {case: (code, stderr, traceback)}."""
    argvs = [["--quick", "--out", str(tmp_path / "parse" / "results.json"), opt, v] for opt, v in cases]
    (tmp_path / "parse").mkdir()
    spec = tmp_path / "cases.json"
    spec.write_text(json.dumps(argvs))
    code, out, err = _run(d, [], 120, {"CATALOG_PARSE_CASES": str(spec)})
    assert code == 0, f"{d.name}: CATALOG_PARSE_CASES failed:\n{err[-2000:]}"
    got = json.loads(out)
    return {c: (g["code"], g["stderr"], g["traceback"]) for c, g in zip(cases, got, strict=True)}


def run_groups(d, groups, tmp_path, pool):
    """Run each group (a tuple of (flag, value) pairs) as one --quick process, two at a time;
    [(exit code, verdict)] in the order of ``groups``."""
    def one(group):
        out = pathlib.Path(tempfile.mkdtemp(dir=tmp_path)) / "results.json"
        argv = [x for case in group for x in case]
        huge = any(v in HUGE for _, v in group)
        code, so, se = _run(d, ["--quick", "--out", str(out), *argv], HUGE_TIMEOUT if huge else RUN_TIMEOUT)
        last = [ln for ln in se.splitlines() if ln.strip()][-1:] or [""]
        print(f"{d.name} {' '.join(argv)}: exit {code} {last[0][:160]}")    # shown on failure / -s
        value = group[-1][1] if sum(c[0] != "--setting" for c in group) == 1 else None
        bad = verdict(code, so, se, value)
        if bad is None and code == 0 and value in OUT_OF_RANGE:
            bad = f"{value} accepted and run (exit 0): the flag needs {OUT_OF_RANGE[value]}"
        if bad is None and code == 0 and group[0][0] != "--setting":
            bad = replaced(group, out)     # headline setting only: other settings may ignore its flags
        return code, bad
    return list(pool.map(one, groups))


def _same(got, given):
    """Does a config value (number, text or list) record the command-line value ``given``?"""
    items = got if isinstance(got, list) else [got]
    try:
        return [float(x) for x in items] == [float(given)]
    except (TypeError, ValueError):
        return [str(x) for x in items] == [given]


def replaced(group, out):
    """A flag the run's results.json records (config key = the flag's name) with another value
    than the one given: replaced (by --quick, say) instead of honoured or refused."""
    try:
        config = json.loads(out.read_text()).get("config") or {}
    except (OSError, ValueError):
        return None
    for opt, value in group:
        key = opt.lstrip("-").replace("-", "_")
        if key in config and key != "setting" and not _same(config[key], value):
            return f"given {opt} {value}, results.json config has {key} = {config[key]!r} (replaced)"
    return None


def out_cases(tmp_path):
    """Unwritable --out paths: a missing folder, an existing folder, and a read-only folder (when
    this user cannot write there; root can write anywhere)."""
    paths = [tmp_path / "no" / "such" / "folder" / "results.json", tmp_path]
    ro = tmp_path / "read-only"
    ro.mkdir()
    ro.chmod(0o555)
    if not os.access(ro, os.W_OK):
        paths.append(ro / "results.json")
    return paths


@pytest.mark.parametrize("d", STUBS, ids=IDS)
def test_bad_input_battery(d, tmp_path):
    flags = stub_flags(d)
    cases = cases_of(flags)
    defaults = {f["options"][0]: f["default"] for f in flags}
    failures = []
    parsed = parse_all(d, cases, tmp_path)
    accepted = []
    for case, (code, err, tb) in parsed.items():
        if tb is not None:
            failures.append(((case,), f"traceback at parse time: {tb.strip().splitlines()[-1][:200]}"))
        elif code != 0:
            bad = verdict(code, "", err, case[1])
            if bad:
                failures.append(((case,), bad))
        elif str(defaults.get(case[0])) != case[1]:        # the default is what the plain quick run tests
            accepted.append(case)
    # the small values run together, under every setting (flags of another setting do nothing in
    # the default one); a combined run that does not end cleanly with exit 0 is retried value by
    # value, to tell the flag that was refused (fine) from the one that broke or was replaced
    settings = next((f["choices"] for f in flags if f["dest"] == "setting"), [None])
    prefixes = [(("--setting", st),) if st != defaults.get("--setting") else () for st in settings]
    combined = [(p, g) for p in prefixes
                for g in (tuple(c for c in accepted if c[1] == v) for v in SMALL) if g]
    rest = [c for c in accepted if c[1] not in SMALL]
    with ThreadPoolExecutor(WORKERS) as pool:
        outcome = run_groups(d, [p + g for p, g in combined], tmp_path, pool)
        singles = [p + (c,) for (p, g), (code, bad) in zip(combined, outcome, strict=True)
                   if code != 0 or bad for c in g]
        singles += [(c,) for c in rest]
        for g, (code, bad) in zip(singles, run_groups(d, singles, tmp_path, pool), strict=True):
            if bad is None and code == 0 and g[-1][1] == NONSENSE:
                # accepted nonsense: fine only if some setting uses the flag and refuses it
                others = [p + g for p in prefixes if p and p[0] not in g]
                if all(c == 0 for c, _ in run_groups(d, others, tmp_path, pool)):
                    bad = "nonsense text accepted with exit 0 in every setting (flag ignored or replaced)"
            if bad:
                failures.append((g, bad))
        # an unwritable --out, on the headline command: refused before any training
        paths = out_cases(tmp_path)
        for path, (code, so, se) in zip(paths, pool.map(
                lambda path: _run(d, ["--out", str(path)], OUT_TIMEOUT), paths), strict=True):
            bad = verdict(code, so, se, None)
            if code is None:
                bad = f"not refused within {OUT_TIMEOUT} s (trains before checking --out)"
            elif code == 0:
                bad = "accepted (and trained)"
            if bad:
                failures.append(((("--out", str(path)),), bad))
    report = "\n".join(f"  {d.name} {' '.join(x for c in g for x in c)}: {what}" for g, what in failures)
    assert not failures, f"{d.name}: {len(failures)} bad-input case(s) fail:\n{report}"
