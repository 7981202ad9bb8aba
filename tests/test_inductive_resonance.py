"""Checks of stubs/inductive-resonance: the coasting rule, the synthesis tables, determinism."""
import json

import numpy as np
from conftest import ROOT, load_stub, run_stub

from shared.tiny_worlds import models

STUB = ROOT / "stubs" / "inductive-resonance"
ir = load_stub("inductive-resonance")


class _Eval:
    def __init__(self, inputs):
        self.inputs = inputs


class _World:
    def __init__(self, inputs):
        self.eval = _Eval(inputs)


def test_coasting_rule_on_hand_made_nets():
    """A net whose readout is a constant 0 is 'NIHILISM'; a constant offset of 0.1 is
    'HALLUCINATION' (mean |value| > 0.05) even though nothing moves: the rule flags offsets."""
    rng = np.random.default_rng(0)
    p = models.init_params("rnn", 2, 4, 2, rng)
    p["w_out"][:] = 0.0
    p["b_out"][:] = [0.0, 0.1]
    world = _World(rng.standard_normal((120, 3, 2)))
    cfg = dict(ir.DEFAULTS, n_eval_seq=3)
    var, mabs, hall, pred0 = ir.coast_verdicts("rnn", p, world, cfg)
    assert var.shape == (2, 3) and pred0.shape == (100, 2)
    assert not hall[0].any() and hall[1].all()
    assert np.allclose(mabs[1], 0.1) and np.allclose(var, 0.0)


def test_readme_table_constants_and_matching():
    cells = {(w, k): v for (w, k), v in ir.README_TABLE.items()}
    assert len(cells) == 6 and all(v < 0 for v in cells.values())          # the README's sign
    assert ir.ORIGINAL_FILES[("E2", "gru")] > 10                           # E2 is ~ +15 nats in the files


def test_quick_run_reads_the_family_and_is_deterministic(tmp_path):
    outs = []
    for i in range(2):
        proc = run_stub(STUB, "--quick", "--out", tmp_path / f"r{i}.json", timeout=300)
        assert proc.returncode == 0, proc.stderr
        r = json.loads((tmp_path / f"r{i}.json").read_text())
        outs.append((r["headline"], r["metrics"]["table"], r["metrics"]["hallucination"]["gru"]["iid"]))
    assert outs[0] == outs[1]
    assert {c["world"] for c in outs[0][1]} == {"E1", "E2", "E3"}


def test_verdict_rules():
    quiet = {"untrained": 0.0, "struct": 0.9, "shuffle": 0.1, "iid": 0.2}
    loud = {"untrained": 0.9, "struct": 0.9, "shuffle": 0.9, "iid": 0.9}
    assert ir.verdict_hallucination(loud, quiet) == "partial"          # the untrained GRU also meets it
    assert ir.verdict_hallucination(quiet, quiet) == "no"
    assert ir.verdict_hallucination({**loud, "untrained": 0.0}, quiet) == "yes"
    assert ir.verdict_readme_cells(0) == "no" and ir.verdict_readme_cells(6) == "yes"


def test_headline_reads_the_full_protocol_where_it_exists_and_a_cap_is_never_a_no():
    r = json.loads((STUB / "results.json").read_text())
    m, cfg = r["metrics"], r["config"]
    capped = ir.build_headline(m["table"], m["spectra"], m["hallucination"], cfg, None)
    assert all(h["verdict"] != "no" for h in capped)                  # capped runs: failures are open
    t = [dict(world=w, kind=k, readme=ir.README_TABLE[(w, k)], original_files=0.0,
              ours=ir.README_TABLE[(w, k)] * (1.1 if w != "E2" else 3), matches_readme=w != "E2")
         for w in ir.SOURCES for k in ir.KINDS]
    spec = {w: {"gru": {"lambda1": -0.05}, "rnn": {"lambda1": -0.2 if w == "E3" else -0.05}}
            for w in ir.SOURCES}
    hal = {k: {"untrained": {"frac_hallucination": 0.0}, "struct": {"frac_hallucination": 1.0},
               "shuffle": {"frac_hallucination": 0.0}} for k in ir.KINDS}
    full = ir.build_headline(m["table"], m["spectra"], m["hallucination"], cfg,
                             {"table": t, "spectra": spec, "hallucination": hal})
    assert [h["value"] for h in full][0] == "4/6"
    assert [h["verdict"] for h in full] == ["partial", "partial", "no"]
    assert "full protocol" in full[0]["note"] and "E3" in full[1]["note"]
