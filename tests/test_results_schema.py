"""results.json as data: the JSON Schema file, numeric headline values, env, quick-run paths and
re-runs that reproduce the committed results without touching them."""
import json
import os
import time

import jsonschema
import numpy as np
import pytest
from conftest import ROOT

from shared import cli
from shared.results import (env_info, finish_run, headline_row, numbers_of, read_results,
                            same_numbers, validate_results)

SCHEMA = json.loads((ROOT / "shared" / "results.schema.json").read_text())
COMMITTED = sorted((ROOT / "stubs").glob("*/results*.json"))


@pytest.mark.parametrize("path", COMMITTED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_committed_results_match_the_schema_file(path):
    res = json.loads(path.read_text())
    jsonschema.validate(res, SCHEMA)
    validate_results(res)
    for h in res["headline"]:       # the numbers stand beside the text they were read from
        if h["numbers"] and isinstance(h["value"], (int, float)):
            assert h["numbers"] == [{"value": h["value"]}]


def test_schema_refuses_what_validate_results_refuses():
    good = json.loads(COMMITTED[0].read_text())
    bad = json.loads(json.dumps(good))
    bad["headline"][0]["verdict"] = "maybe"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, SCHEMA)
    with pytest.raises(ValueError):
        validate_results(bad)
    bad = json.loads(json.dumps(good))
    bad["headline"][0]["numbers"] = [{"value": "0.3"}]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, SCHEMA)
    with pytest.raises(ValueError):
        validate_results(bad)


@pytest.mark.parametrize("value, numbers", [
    (48.9, [{"value": 48.9}]),
    (7, [{"value": 7}]),
    (None, []),
    ("none", []),
    ("0/10", [{"value": 0}, {"value": 10}]),
    ("none within 90,000", [{"value": 90000}]),
    ("0.3123 ± 0.2318 vs 1.0602 ± 0.2110", [{"value": 0.3123, "spread": 0.2318},
                                           {"value": 1.0602, "spread": 0.211}]),
    ("GRU -0.009, RNN -0.073", [{"value": -0.009}, {"value": -0.073}]),
    ("E3: GRU 1e-3", [{"value": 0.001}]),
    ("1.025 -> 0.540", [{"value": 1.025}, {"value": 0.54}]),
    ([1, "2/3"], [{"value": 1}, {"value": 2}, {"value": 3}]),
])
def test_numbers_of_reads_display_values(value, numbers):
    assert numbers_of(value) == numbers


def test_headline_row_takes_explicit_numbers_and_refuses_bad_verdicts():
    assert headline_row("a", "3 of 4", 1, "yes", numbers=[{"value": 0.75}])["numbers"] == [{"value": 0.75}]
    assert headline_row("a", "3 of 4", 1, "no")["numbers"] == [{"value": 3}, {"value": 4}]
    with pytest.raises(ValueError):
        headline_row("a", 1, 1, "maybe")


def test_env_records_cpu_and_simd():
    env = env_info()
    assert env["cpu"] and env["simd"] and "baseline" in env["simd"]


def _record(value):
    return {"stub": "x", "family": "f", "title": "t", "paper": "p", "seed": 0, "quick": False,
            "config": {"a": 1}, "metrics": {"m": value, "timing": {"s": time.time()}},
            "headline": [{"name": "m", "value": value, "paper_value": None, "verdict": "no", "note": ""}],
            "lyapunov": None}


def test_a_rerun_that_reproduces_leaves_the_files_untouched(tmp_path):
    out = tmp_path / "results.json"
    arrays = {"curve": np.arange(5.0)}
    finish_run(out, _record(0.5), arrays, cli.Timer())
    first, npz_first = out.read_bytes(), (tmp_path / "results.npz").read_bytes()
    time.sleep(0.01)
    finish_run(out, _record(0.5), arrays, cli.Timer())             # same numbers, new wall time
    assert out.read_bytes() == first and (tmp_path / "results.npz").read_bytes() == npz_first
    finish_run(out, _record(0.5), {"curve": np.arange(6.0)}, cli.Timer())   # other arrays: written
    assert (tmp_path / "results.npz").read_bytes() != npz_first
    finish_run(out, _record(0.25), {"curve": np.arange(6.0)}, cli.Timer())  # other numbers: written
    assert read_results(out)["metrics"]["m"] == 0.25


def test_same_numbers_ignores_only_timing():
    a, b = _record(1.0), _record(1.0)
    assert same_numbers({**a, "wall_s": 1}, {**b, "wall_s": 2})
    b["config"] = {"a": 2}
    assert not same_numbers(a, b)


def _parser(tmp_path):
    script = tmp_path / "repo" / "stubs" / "some-stub" / "some_stub.py"
    script.parent.mkdir(parents=True)
    parser = cli.make_parser("doc", str(script))
    parser.add_argument("--T", type=cli.positive_int, default=100)
    parser.add_argument("--n-seeds", type=cli.positive_int, default=10)
    return parser, script


def test_quick_runs_write_under_runs_and_honour_given_flags(tmp_path, capsys):
    parser, script = _parser(tmp_path)
    seen = {}

    def main(args):
        cli.quick(args, T=24, n_seeds=2)
        seen.update(vars(args))

    cli.run(main, parser, ["--quick", "--T", "40"])
    assert seen["T"] == 40 and seen["n_seeds"] == 2            # given flag kept, default shrunk
    assert seen["out"] == os.path.join(tmp_path, "repo", "runs", "some-stub", "quick", "results.json")
    assert "quick run: not a result" in capsys.readouterr().out
    cli.run(main, parser, ["--T", "40"])
    assert seen["T"] == 40 and seen["n_seeds"] == 10 and seen["out"] == str(script.parent / "results.json")
    explicit = tmp_path / "mine.json"
    cli.run(main, parser, ["--quick", "--out", str(explicit)])
    assert seen["out"] == str(explicit)


def test_setting_runs_refuse_an_unwritable_folder_before_training(tmp_path, monkeypatch):
    script = tmp_path / "ro" / "stubs" / "s" / "s.py"
    script.parent.mkdir(parents=True)
    parser = cli.make_parser("doc", str(script), settings={"paper": "p", "catalog": "c"})
    ran = []
    monkeypatch.setattr(cli.os, "access", lambda path, mode: False)   # root may write anywhere
    with pytest.raises(SystemExit) as e:
        cli.run(lambda a: ran.append(1), parser, ["--setting", "catalog"])
    assert e.value.code == 2 and not ran
