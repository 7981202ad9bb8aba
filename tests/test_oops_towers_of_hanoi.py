"""Checks of stubs/oops-towers-of-hanoi: the machine (hand-written solvers, illegal instructions),
the prefix search against its plain re-run-from-scratch reference, Levin's bound on the search cost,
OOPS's incremental 1^n2^n run, the verdict rules and bad input. No gradient is trained
(--gradcheck reports an empty check); no recurrent model (lyapunov is null)."""
import json

import pytest

from conftest import ROOT, load_stub, run_stub

STUB = ROOT / "stubs" / "oops-towers-of-hanoi"
oops = load_stub("oops-towers-of-hanoi")


def test_hand_written_solvers():
    for k in range(1, 11):                       # HANOI(S,A,D,n) in 2^k - 1 moves
        status, t, state = oops.run_program("hanoi", oops.HANOI_SOLVER, k)
        assert status == oops.SOLVED and state[7] == 2 ** k - 1
        assert state[6] == ((), (), tuple(range(k, 0, -1)))
    for k in (1, 2, 5, 30):
        status, t, state = oops.run_program("anbn", oops.ANBN_SOLVER, k)
        assert status == oops.SOLVED and state[1] == (1,) * k + (2,) * k
    assert oops.generalises("hanoi", oops.HANOI_SOLVER, 12) == 12
    assert oops.generalises("anbn", oops.ANBN_SOLVER, 30) == 30


@pytest.mark.parametrize("task,code,k", [
    ("hanoi", ("mvdsk", "mvdsk"), 2),            # disk 2 onto disk 1: illegal
    ("hanoi", ("xSA", "mvdsk"), 2),              # from the empty peg A
    ("hanoi", ("calltp",), 1),                   # no procedure defined yet
    ("hanoi", ("endnp",), 1),                    # return at the top level halts
    ("anbn", ("xSA",), 1),                       # peg instructions need pegs
    ("anbn", ("delD",), 1),                      # empty data stack
])
def test_illegal_instructions_halt(task, code, k):
    status, _, _ = oops.run_program(task, [oops.TOKENS.index(t) for t in code], k)
    assert status == oops.FAIL


def test_program_runs_off_the_end_and_asks_for_a_token():
    status, t, _ = oops.run_program("hanoi", [oops.DEFNP, oops.XAD], 3)
    assert status == oops.NEED and t == 2


@pytest.mark.parametrize("task,n,phase", [("anbn", 3, 12), ("anbn", 3, 18), ("anbn", 2, 20),
                                          ("hanoi", 1, 6), ("hanoi", 2, 14), ("hanoi", 3, 15)])
def test_shared_state_search_matches_plain_reference(task, n, phase):
    fast, stats = oops.try_phase(task, n, (), 2.0 ** phase)
    plain, runs = oops.try_phase_plain(task, n, (), 2.0 ** phase)
    assert (fast and fast["code"]) == (plain and plain["code"])
    assert stats["runs"] == runs


def test_extension_search_matches_plain_reference():
    base = (oops.C1, oops.C2)                    # the 1^1 2^1 program, frozen
    fast, stats = oops.try_phase("anbn", 2, base, 2.0 ** 16)
    plain, runs = oops.try_phase_plain("anbn", 2, base, 2.0 ** 16)
    assert fast["code"] == plain["code"] and fast["code"][:2] == [oops.C1, oops.C2]
    assert stats["runs"] == runs


def test_capped_search_stops_and_is_not_remembered():
    found, stats = oops.try_phase("hanoi", 3, (), 2.0 ** 24, cap=50_000)
    assert found is None and stats["capped"] and 50_000 < stats["steps"] < 50_100
    r = oops.oops_task("hanoi", 3, [], 300_000)
    assert r["kind"] is None and 300_000 < r["cost"] < 300_100
    assert not any(k[0] == "hanoi" and k[1] == 3 and s["capped"] for k, (f, s) in oops._MEMO.items())


def test_oops_on_anbn_freezes_and_reuses_a_recursive_solver():
    frozen = []
    res = oops.oops_sequence("anbn", 6, frozen, 10 ** 7)
    assert [r["n"] for r in res] == list(range(1, 7)) and all(r["kind"] for r in res)
    assert res[0]["code"] == [oops.C1, oops.C2]
    g = oops.first_general(res, "anbn", 30)
    assert g is not None and oops.is_recursive(g["code"])
    for r in res:                                # Levin: spent <= the phase budgets up to admission
        assert r["cost"] <= r["levin_bound"]
        assert r["t"] <= r["prob"] * 2.0 ** r["phase"] + 1e-9
    later = [r for r in res if r["n"] > g["n"]]
    assert later and all(r["kind"] == "extend" and r["suffix"] == [] for r in later)
    assert all(r["cost"] < g["cost"] for r in later)


def test_committed_headline_is_consistent():
    """The committed run: every cost within its Levin bound, the frozen Hanoi solver recursive and
    general, and every later task met by testing it (extension with no new token)."""
    m = json.loads((STUB / "results.json").read_text())["metrics"]
    for key in ("anbn", "hanoi", "hanoi_without_anbn", "hanoi_scratch"):
        assert all(r["cost"] <= r["levin_bound"] for r in m[key] if r["kind"])
    g = m["hanoi_general"]
    code = [oops.TOKENS.index(t) for t in g["program"].split()]
    assert oops.is_recursive(code) and oops.generalises("hanoi", code, 10) == 10
    later = [r for r in m["hanoi"] if r["n"] > g["n"]]
    assert later and all(r["kind"] == "extend" and r["suffix"] == [] for r in later)


def test_verdict_rules():
    rows = [dict(n=1, ratio=0.5, found=True), dict(n=2, ratio=0.6, found=True),
            dict(n=3, ratio=1e4, found=False)]
    assert oops.speedup_verdict(rows) == "partial"                 # a capped scratch run counts
    assert oops.speedup_verdict(rows[:2]) == "no"
    assert oops.speedup_verdict([dict(n=2, ratio=3.0, found=False)]) == "open"
    assert oops.speedup_verdict(rows[:1]) == "open"
    assert oops.curriculum_verdict(dict(cum_cost=10), dict(cum_cost=20)) == "partial"
    assert oops.curriculum_verdict(dict(cum_cost=20), dict(cum_cost=10)) == "open"
    assert oops.curriculum_verdict(None, dict(cum_cost=10)) == "open"


def test_quick_run_is_deterministic(tmp_path):
    outs = []
    for i in range(2):
        proc = run_stub(STUB, "--quick", "--out", tmp_path / f"r{i}.json", timeout=300)
        assert proc.returncode == 0, proc.stderr
        r = json.loads((tmp_path / f"r{i}.json").read_text())
        r["metrics"].pop("timing")
        outs.append((r["headline"], r["metrics"]))
    assert outs[0] == outs[1]


def test_bad_flags_fail_with_one_line():
    for argv in (["--hanoi-max-n", "0"], ["--hanoi-max-n", "21"], ["--scratch-max-n", "nan"],
                 ["--anbn-max-n", "31"], ["--scratch-budget", "5"]):
        proc = run_stub(STUB, "--quick", *argv, "--out", "/tmp/never-written.json", timeout=60)
        err = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        assert proc.returncode == 2 and len(err) == 1 and "Traceback" not in proc.stderr, argv
