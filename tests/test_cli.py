"""shared.cli: the command-line skeleton every stub shares."""
import argparse
import json
import os

import numpy as np
import pytest

from shared import cli


def _parse(argv):
    parser = cli.make_parser("Demo stub.", __file__)
    parser.add_argument("--steps", type=cli.positive_int, default=3)
    return parser.parse_args(argv)


@pytest.mark.parametrize("argv", [["--seed", "x"], ["--seed", "-1"], ["--steps", "0"], ["--bogus"],
                                  ["--out", "/nonexistent-dir/r.json"]])
def test_bad_flags_exit_2_with_one_line(argv, capsys):
    with pytest.raises(SystemExit) as e:
        _parse(argv)
    assert e.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "error" in err[0] and "Traceback" not in err[0]


def test_defaults_and_check_finite():
    args = _parse([])
    assert args.seed == 0 and args.quick is False and args.out.endswith("results.json")
    cli.check_finite(3, w=np.ones((2, 2)))
    with pytest.raises(cli.TrainingDiverged, match=r"step 7: w .*members \[1\]"):
        cli.check_finite(7, w=np.array([[1.0, 2.0], [np.nan, 1.0]]))


def test_run_turns_errors_into_one_line(capsys):
    parser = cli.make_parser("Demo.", __file__)

    def fails(args):
        raise cli.TrainingDiverged("training diverged at step 5: loss became non-finite")
    with pytest.raises(SystemExit) as e:
        cli.run(fails, parser, [])
    assert e.value.code == 3
    assert capsys.readouterr().err.strip() == "error: training diverged at step 5: loss became non-finite"


def test_setting_flag_picks_its_own_results_file(tmp_path):
    script = str(tmp_path / "demo.py")
    seen = []
    parser = cli.make_parser("Demo.", script, settings={"paper": "as published", "catalog": "older"})
    cli.run(seen.append, parser, [])
    cli.run(seen.append, parser, ["--setting", "catalog"])
    cli.run(seen.append, parser, ["--setting", "catalog", "--out", str(tmp_path / "x.json")])
    assert [os.path.basename(a.out) for a in seen] == ["results.json", "results_catalog.json", "x.json"]
    assert [a.setting for a in seen] == ["paper", "catalog", "catalog"]


def test_name_list_keeps_the_canonical_order_and_refuses_bad_lists():
    import argparse
    parse = cli.name_list(("lstm1997", "lstm_forget", "rnn"), required="lstm1997")
    assert parse("rnn, lstm1997") == ["lstm1997", "rnn"]
    for bad in ("", "rnn", "lstm1997,gru", "lstm1997,lstm1997"):
        with pytest.raises(argparse.ArgumentTypeError, match="including lstm1997"):
            parse(bad)
    assert cli.name_list(("3a", "3b", "3c"))("3c,3a") == ["3a", "3c"]
    with pytest.raises(argparse.ArgumentTypeError, match="3a, 3b, 3c, got '3d'"):
        cli.name_list(("3a", "3b", "3c"))("3d")


def test_numeric_types_have_both_bounds():
    big = str(cli.MAX_INT + 1)
    for parse, good, bad in [
            (cli.positive_int, ["1", str(cli.MAX_INT)], ["0", "-1", "x", "1.5", big, "10**12"]),
            (cli.nonneg_int, ["0", "7"], ["-1", big]),
            (cli.seed_int, ["0", str(2**32 - 1)], ["-1", str(2**32), str(10**12)]),
            (cli.positive_float, ["1e-9", str(cli.MAX_FLOAT)], ["0", "-1", "nan", "inf", "1e300", "x"]),
            (cli.int_range(2, 5), ["2", "5"], ["1", "6"]),
            (cli.float_range(0, 1), ["1e-12", "1", "0.25"], ["0", "-0.1", "1.5", "nan"])]:
        for text in good:
            parse(text)
        for text in bad:
            with pytest.raises(argparse.ArgumentTypeError):
                parse(text)
    with pytest.raises(argparse.ArgumentTypeError, match="must be <= 100000000, got 1000000000000"):
        cli.positive_int(str(10**12))


def _demo_parser(script):
    parser = cli.make_parser("Demo.", script, settings={"paper": "as published", "catalog": "older"})
    parser.add_argument("--steps", type=cli.positive_int, default=3)
    parser.add_argument("--lr", type=cli.positive_float, default=0.1)
    parser.add_argument("--kind", choices=("a", "b"), default="a")
    parser.add_argument("--rows", default="3x2")
    parser.add_argument("--delays", type=cli.positive_int, nargs="+", default=[1, 2])
    return parser


def test_dump_flags_lists_every_flag_with_its_kind(tmp_path, monkeypatch, capsys):
    parser = _demo_parser(str(tmp_path / "demo.py"))
    flags = {f["options"][0]: f for f in cli.dump_flags(parser)}
    assert "--help" not in flags and "-h" not in flags
    assert {k: f["kind"] for k, f in flags.items()} == {
        "--seed": "int", "--quick": None, "--setting": None, "--out": "text", "--gradcheck": None,
        "--steps": "int", "--lr": "float", "--kind": None, "--rows": "text", "--delays": "int"}
    assert flags["--setting"]["choices"] == ["paper", "catalog"] and flags["--delays"]["nargs"] == "+"
    assert flags["--steps"]["default"] == 3 and flags["--steps"]["type"] == "integer"
    assert flags["--steps"]["default_bound"] and not flags["--rows"]["default_bound"]
    monkeypatch.setenv("CATALOG_DUMP_FLAGS", "1")
    with pytest.raises(SystemExit) as e:
        cli.run(lambda args: pytest.fail("main ran"), parser, [])
    assert e.value.code == 0
    assert [f["dest"] for f in json.loads(capsys.readouterr().out)] == [f["dest"] for f in flags.values()]


def test_parse_cases_reports_each_case_as_run_would(tmp_path, monkeypatch, capsys):
    parser = _demo_parser(str(tmp_path / "demo.py"))
    cases = [["--steps", "2"], ["--steps", "0"], ["--lr", "abc"], ["--out", str(tmp_path / "no" / "r.json")]]
    spec = tmp_path / "cases.json"
    spec.write_text(json.dumps(cases))
    monkeypatch.setenv("CATALOG_PARSE_CASES", str(spec))
    with pytest.raises(SystemExit) as e:
        cli.run(lambda args: pytest.fail("main ran"), parser, [])
    assert e.value.code == 0
    got = json.loads(capsys.readouterr().out)
    assert [g["code"] for g in got] == [0, 2, 2, 2] and all(g["traceback"] is None for g in got)
    assert got[0]["stderr"] == "" and "must be >= 1, got 0" in got[1]["stderr"]
    assert "argument --out: folder" in got[3]["stderr"] and "does not exist" in got[3]["stderr"]


def test_mark_ready_appends_stages_only_when_asked(tmp_path, monkeypatch):
    cli.mark_ready("main")                                         # no variable: does nothing
    ready = tmp_path / "ready"
    monkeypatch.setenv("CATALOG_READY_FILE", str(ready))
    seen = []
    cli.run(lambda args: seen.append(ready.read_text()), _demo_parser(str(tmp_path / "demo.py")), [])
    cli.mark_ready("workers")
    assert seen == ["main\n"] and ready.read_text() == "main\nworkers\n"


def test_int_range_accepts_its_bounds_and_refuses_the_rest():
    parse = cli.int_range(1, 100)
    assert parse("1") == 1 and parse("100") == 100
    for bad, msg in (("0", ">= 1"), ("101", "<= 100"), ("1000000000", "<= 100"), ("abc", "integer"),
                     ("2.5", "integer")):
        with pytest.raises(argparse.ArgumentTypeError, match=msg):
            parse(bad)


def test_float_range_is_open_below_and_closed_above():
    parse = cli.float_range(0.0, 1.0)
    assert parse("1") == 1.0 and parse("1e-6") == 1e-6
    for bad in ("0", "-1", "1.5", "nan", "inf", "abc"):
        with pytest.raises(argparse.ArgumentTypeError):
            parse(bad)


def _write_pair(folder, name):
    """A main file that counts its executions and a sibling that imports it by name."""
    (folder / f"{name}.py").write_text("import builtins\n"
                                       "builtins.RUNS = getattr(builtins, 'RUNS', 0) + 1\nVALUE = 41\n")
    (folder / f"{name}_sib.py").write_text(f"from {name} import VALUE\nANSWER = VALUE + 1\n")
    return folder / f"{name}.py"


def test_load_sibling_imports_beside_the_main_file_without_running_it_again(tmp_path):
    import builtins
    import importlib.util
    import sys
    main_file = _write_pair(tmp_path, "h11_main_a")
    spec = importlib.util.spec_from_file_location("h11_main_a", main_file)
    main = importlib.util.module_from_spec(spec)          # loaded from its path, not registered
    spec.loader.exec_module(main)
    runs = builtins.RUNS
    try:
        sib = cli.load_sibling(str(main_file), "h11_main_a_sib", vars(main))
        assert sib.ANSWER == 42 and builtins.RUNS == runs       # the main file ran once
        assert sys.modules["h11_main_a"].VALUE == 41
        assert cli.load_sibling(str(main_file), "h11_main_a_sib", vars(main)) is sib   # imported once
    finally:
        for name in ("h11_main_a", "h11_main_a_sib"):
            sys.modules.pop(name, None)
        sys.path.remove(str(tmp_path))


def test_load_sibling_registers_a_running_script_itself(tmp_path):
    """Run as a script (``__main__``), the main module object itself is registered by its name."""
    import sys
    import types
    main_file = _write_pair(tmp_path, "h11_main_b")
    running = types.ModuleType("__main__h11")
    running.VALUE = 7
    sys.modules["__main__h11"] = running
    try:
        sib = cli.load_sibling(str(main_file), "h11_main_b_sib", vars(running) | {"__name__": "__main__h11"})
        assert sib.ANSWER == 8                                  # the copy of the globals
        sys.modules.pop("h11_main_b"), sys.modules.pop("h11_main_b_sib")
        running.__name__ = "__main__h11"
        sib = cli.load_sibling(str(main_file), "h11_main_b_sib", vars(running))
        assert sys.modules["h11_main_b"] is running and sib.ANSWER == 8
    finally:
        for name in ("h11_main_b", "h11_main_b_sib", "__main__h11"):
            sys.modules.pop(name, None)
        sys.path.remove(str(tmp_path))


def test_ctrl_c_exits_130_even_when_swallowed(tmp_path, capsys):
    import signal

    def swallows(args):
        try:                       # e.g. an import that fails quietly eats the KeyboardInterrupt
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(100):
                sum(range(1000))
        except KeyboardInterrupt:
            pass
        assert cli.interrupted()
        cli.check_finite(1, w=np.zeros(2))         # the next check stops the run
        pytest.fail("the run went on after Ctrl-C")
    # as in a terminal (a runner started in the background inherits SIGINT ignored)
    outer = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(SystemExit) as e:
            cli.run(swallows, _demo_parser(str(tmp_path / "demo.py")), [])
        assert e.value.code == 130
        assert capsys.readouterr().err.strip() == "interrupted; nothing half-written was left behind"
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler     # handler restored
    finally:
        signal.signal(signal.SIGINT, outer)
        cli._INTERRUPTED.clear()


def test_progress_states_share_elapsed_and_time_left():
    assert cli.progress(25, 100, 30.0) == " 25.0% 0m30s, ~1m30s left"
    assert cli.progress(0, 100, 2.0) == "  0.0% 0m02s, time left unknown"
    assert cli.progress(100, 100, 3725.0) == "100.0% 1h02m, ~0m00s left"
    assert cli.progress(150, 100, 10.0).startswith("100.0%")        # capped, never past the end


def test_budget_flag_sets_the_cap_and_keeps_short_runs_off_the_headline(tmp_path):
    def parser():
        p = cli.make_parser("demo", str(tmp_path / "demo.py"))
        p.add_argument("--max-sequences", type=cli.int_range(1, 10**7), default=None)
        cli.budget_flag(p, "max_sequences", paper=964_000, short=50_000, why="twice the paper's mean")
        return p
    paper = cli.parse(parser(), [])
    assert paper.budget == "paper" and paper.max_sequences == 964_000
    assert paper.out == str(tmp_path / "results.json")
    short = cli.parse(parser(), ["--budget", "short"])
    assert short.max_sequences == 50_000 and short.out == str(tmp_path / "results_short.json")
    own = cli.parse(parser(), ["--budget", "short", "--max-sequences", "7"])     # the flag wins
    assert own.max_sequences == 7
    given = cli.parse(parser(), ["--budget", "short", "--out", str(tmp_path / "x.json")])
    assert given.out == str(tmp_path / "x.json")
    assert "(default: None)" not in parser().format_help()
    with pytest.raises(SystemExit):
        cli.parse(parser(), ["--budget", "long"])
    later = cli.make_parser("demo", str(tmp_path / "demo.py"))         # headline still the short run
    later.add_argument("--max-sequences", type=int, default=None)
    cli.budget_flag(later, "max_sequences", paper=10, short=5, default="short")
    assert cli.parse(later, []).out == str(tmp_path / "results.json")
    assert cli.parse(later, ["--budget", "paper"]).out == str(tmp_path / "results_paper.json")
    bad = cli.make_parser("demo", str(tmp_path / "demo.py"))
    bad.add_argument("--max-sequences", type=int, default=10)
    with pytest.raises(ValueError, match="default None"):
        cli.budget_flag(bad, "max_sequences", paper=10, short=5)
