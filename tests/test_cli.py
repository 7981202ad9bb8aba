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
