"""shared.results: writing, validating and reading results.json and its .npz."""
import json
import os

import numpy as np
import pytest

from shared import results


def _valid_results():
    return {"stub": "demo", "family": "schmidhuber", "title": "Demo", "paper": "A. B., 1997",
            "seed": 0, "quick": True, "config": {"n_seeds": 2}, "metrics": {"x": np.float64(1.5)},
            "headline": [{"name": "x", "value": np.int64(3), "paper_value": 2, "verdict": "partial",
                          "note": ""}],
            "lyapunov": {"method": "qr", "exponents": {"m": [0.1, -0.2]}}, "wall_s": 1.0}


def test_write_results_round_trip_and_env(tmp_path):
    out = tmp_path / "results.json"
    results.write_results(out, _valid_results())
    res = results.read_results(out)
    assert res["metrics"]["x"] == 1.5 and res["headline"][0]["value"] == 3
    assert set(results.ENV_KEYS) <= set(res["env"])
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]      # no temporary file left


def test_finish_run_writes_float32_artefacts_then_results(tmp_path, capsys):
    rec = _valid_results()
    rec.pop("wall_s")
    arrays = {"w": np.linspace(0, 1, 5), "n": np.arange(3), "f32": np.ones(2, np.float32)}
    res = results.finish_run(tmp_path / "results.json", rec, arrays, lambda: 2.5)
    assert res["wall_s"] == 2.5 and set(results.ENV_KEYS) <= set(res["env"])
    back, a = results.load_run(tmp_path / "results.json")
    assert back == res
    assert a["w"].dtype == np.float32 and a["n"].dtype == np.arange(3).dtype
    np.testing.assert_allclose(a["w"], np.linspace(0, 1, 5), rtol=1e-7)
    text = capsys.readouterr().out
    assert "x: paper 2; here 3  [partial]" in text
    # a schema violation is caught before anything is written
    bad = dict(rec, headline=[])
    with pytest.raises(ValueError):
        results.finish_run(tmp_path / "other.json", bad, arrays, lambda: 1.0)
    assert not (tmp_path / "other.json").exists() and not (tmp_path / "other.npz").exists()


@pytest.mark.parametrize("breakage", [
    lambda r: r.pop("wall_s"),
    lambda r: r["headline"][0].update(verdict="maybe"),
    lambda r: r["headline"].clear(),
    lambda r: r.update(seed="0"),
    lambda r: r.update(lyapunov={"method": "qr", "exponents": {"m": [-0.2, 0.1]}}),
    lambda r: r["metrics"].update(bad=float("nan")),
])
def test_schema_violations_are_refused_and_nothing_is_written(tmp_path, breakage):
    res = _valid_results()
    breakage(res)
    with pytest.raises((ValueError, TypeError)):
        results.write_results(tmp_path / "results.json", res)
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_keeps_old_file_when_interrupted(tmp_path, monkeypatch):
    out = tmp_path / "results.json"
    out.write_text('{"old": true}')

    def boom(*a, **k):
        raise KeyboardInterrupt
    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(KeyboardInterrupt):
        results.atomic_write_bytes(out, b"new")
    assert json.loads(out.read_text()) == {"old": True}
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


def test_npz_round_trip_and_missing_file_message(tmp_path):
    results.save_npz(tmp_path / "a.npz", x=np.arange(3))
    assert results.load_npz(tmp_path / "a.npz")["x"].tolist() == [0, 1, 2]
    with pytest.raises(FileNotFoundError, match="headline command"):
        results.load_npz(tmp_path / "missing.npz")


def test_nets_trained_prefers_n_nets_then_n_seeds():
    from shared.results import nets_trained
    assert nets_trained({"config": {"n_seeds": 10, "n_nets": 160}}) == 160
    assert nets_trained({"config": {"n_seeds": 5}}) == 5
    assert nets_trained({"config": {}}) == 1
    assert nets_trained({"config": None}) == 1


def test_a_cap_is_never_a_no():
    from shared.results import at_budget, budget_note
    assert at_budget("no", 50_000, 482_000) == "open"          # stopped at 10 % of the paper's mean
    assert at_budget("no", 90_000, 74_000) == "no"             # judged beyond the paper's budget
    assert at_budget("no", 74_000, 74_000) == "no"
    assert [at_budget(v, 10, 100) for v in ("yes", "partial", "open")] == ["yes", "partial", "open"]
    with pytest.raises(ValueError):
        at_budget("no", None, 100)
    with pytest.raises(ValueError):
        at_budget("no", 10, 0)
    note = budget_note(50_000, 482_000, "sequences", cost_s=7200 * 9.64)
    assert "10.4%" in note and "482,000" in note and "19.3 h" in note


def test_a_verdict_that_changes_with_the_seed_is_partial_everywhere():
    from shared.results import across_seeds, headline_markdown, with_agreement
    assert across_seeds(["yes", "yes", "yes"]) == "yes"
    assert across_seeds(["yes", "no", "yes"]) == "partial"
    assert across_seeds(["no", "partial", "no"]) == "partial"
    assert across_seeds(["no", "open"]) == "open" and across_seeds(["no", "no"]) == "no"
    res = {"headline": [{"name": n, "verdict": v, "note": note, "paper_value": 1, "value": 2}
                        for n, v, note in (("a", "yes", "n"), ("b", "no", ""), ("c", "partial", ""))]}
    ag = {"rows": [{"name": "a", "committed": "yes", "verdicts": {"0": "yes", "1": "no", "2": "yes"}},
                   {"name": "b", "committed": "no", "verdicts": {"0": "no", "1": "no", "2": "no"}},
                   {"name": "c", "committed": "yes", "verdicts": {"0": "yes", "1": "no"}}]}   # an older rule
    got = with_agreement(res, ag)["headline"]
    assert [h["verdict"] for h in got] == ["partial", "no", "partial"]
    assert "1: no" in got[0]["note"] and got[0]["note"].startswith("n; ")
    assert res["headline"][0]["verdict"] == "yes"                           # the input is not changed
    assert with_agreement(res, None) is res
    assert "agreement.json" not in headline_markdown({**res, "quick": False, "seed": 0, "wall_s": 1.0,
                                                      "env": {}})


def test_an_agreement_of_another_configuration_is_not_applied():
    from shared.results import agreement_applies, config_key, with_agreement
    cfg = {"T": 100, "max_sequences": 50_000, "workers": 2}
    assert config_key(cfg) == config_key({**cfg, "workers": 8})             # how many processes: free
    assert config_key(cfg) != config_key({**cfg, "max_sequences": 964_000})
    res = {"config": {**cfg, "max_sequences": 964_000},
           "headline": [{"name": "a", "verdict": "yes", "note": "", "paper_value": 1, "value": 2}]}
    ag = {"config_key": config_key(cfg),
          "rows": [{"name": "a", "committed": "yes", "verdicts": {"0": "yes", "1": "no"}}]}
    assert not agreement_applies(res, ag) and with_agreement(res, ag) is res
    assert with_agreement({**res, "config": cfg}, ag)["headline"][0]["verdict"] == "partial"
    assert agreement_applies(res, {"rows": []})                             # older files: no key


def test_at_unknown_budget_turns_only_a_no_into_open():
    from shared.results import at_unknown_budget
    assert at_unknown_budget("no") == "open"
    assert [at_unknown_budget(v) for v in ("yes", "partial", "open")] == ["yes", "partial", "open"]
