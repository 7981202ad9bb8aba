"""Checks of shared/cli.py's bounded argparse types (int_range, float_range)."""
import argparse

import pytest

import shared  # noqa: F401
from shared import cli


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
