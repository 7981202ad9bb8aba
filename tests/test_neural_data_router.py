"""Checks of stubs/neural-data-router: the CTL generator on hand-worked cases, the geometric
attention against a plain loop over keys in distance order, the copy gate closed at init, the
gradients of every part and of both whole nets, the per-column Jacobians against finite
differences, the Lyapunov exponents of a copying column, the verdict rules and a quick run."""
import json

import numpy as np
import pytest

from conftest import ROOT, load_stub, run_stub

STUB = ROOT / "stubs" / "neural-data-router"
ndr = load_stub("neural-data-router")
checks = ndr.cli.load_sibling(ndr.__file__, "neural_data_router_checks", vars(ndr))
dyn = ndr.dynamics()


def test_batch_composes_tables_from_the_argument_outwards():
    tables = ndr.make_tables(np.random.default_rng(0))
    assert tables.shape == (9, 8) and (np.sort(tables, 1) == np.arange(8)).all()
    tok, y = ndr.batch(np.random.default_rng(1), tables, 3, 2, 50)
    assert tok.shape == (2, 50, 4) and (tok[..., 0] < 8).all() and (tok[..., 1:] >= 8).all()
    for s in range(2):
        for b in range(50):
            v = tok[s, b, 0]
            for g in tok[s, b, 1:]:
                v = tables[g - 8, v]
            assert v == y[s, b]


def test_distance_order_prefers_the_left_at_equal_distance():
    perm, inv = ndr.distance_order(5)
    assert perm[2].tolist() == [2, 1, 3, 0, 4] and perm[0].tolist() == [0, 1, 2, 3, 4]
    assert perm[4].tolist() == [4, 3, 2, 1, 0]
    assert (np.take_along_axis(perm, inv, 1) == np.arange(5)).all()


def test_geometric_attention_equals_a_loop_over_keys():
    rng = np.random.default_rng(2)
    z = rng.normal(size=(2, 3, 6, 6)) * 3
    A, _ = ndr.geometric_attention(z)
    P = 1 / (1 + np.exp(-z))
    for i in range(6):
        keep = np.ones(z.shape[:2])                             # prod of (1 - P) over closer keys
        for j in sorted(range(6), key=lambda j: (abs(j - i), j)):
            if j == i:
                assert np.all(A[..., i, i] == 0)
                continue
            assert np.allclose(A[..., i, j], P[..., i, j] * keep, rtol=1e-12, atol=1e-15)
            keep = keep * (1 - P[..., i, j])
    assert (A.sum(-1) <= 1 + 1e-12).all()


def test_gate_is_nearly_closed_at_init_and_copies():
    p = ndr.init_params(np.random.default_rng(3), 1, "ndr", 16, np.float64)
    x = np.random.default_rng(4).normal(size=(1, 2, 5, 16))
    out, c = ndr.layer(p, x, "ndr")
    assert 0.02 < c["g"].mean() < 0.1                           # sigmoid(-3) = 0.047 on average
    p["c2"][:] = -40.0
    out, _ = ndr.layer(p, x, "ndr")
    assert np.allclose(out, x, atol=1e-12)


def test_parts_gradients():
    errs = checks.part_errors(np.random.default_rng(5))
    assert max(errs.values()) < 1e-6, errs


@pytest.mark.parametrize("arch", ["ndr", "baseline"])
def test_whole_net_gradient(arch):
    errs = checks.model_errors(np.random.default_rng(6), arch)
    assert max(errs.values()) < 1e-6, errs


def test_column_jacobians_against_finite_differences():
    errs = checks.jacobian_errors(dyn, np.random.default_rng(7))
    assert max(errs.values()) < 1e-6, errs


def test_a_closed_gate_gives_zero_exponents_and_the_baseline_contracts():
    rng = np.random.default_rng(8)
    p = ndr.init_params(rng, 1, "ndr", 8, np.float64)
    p["c2"][:] = -30.0                                          # every gate shut: x' = x
    tok, _ = ndr.batch(rng, ndr.make_tables(rng), 3, 1, 2)
    lam, gates, stretch = dyn.spectra(p, tok, "ndr", 5)
    assert np.abs(lam).max() < 1e-8 and gates.max() < 1e-10 and np.abs(stretch).max() < 1e-8
    pb = ndr.init_params(rng, 1, "baseline", 8, np.float64)
    lam_b, _, _ = dyn.spectra(pb, tok, "baseline", 5)
    assert np.isfinite(lam_b).all() and lam_b[..., -1].max() < -0.1


def test_verdict_rules():
    assert dyn.ndr_verdict(np.array([0.99, 0.97, 0.98])) == "partial"     # a yes, capped
    assert dyn.ndr_verdict(np.array([0.99, 0.90, 0.98])) == "no"
    assert dyn.at_budget("no", 32_000, dyn.PAPER_BUDGET) == "open"
    fit, nofit = np.array([0.99, 0.98, 1.0]), np.array([0.99, 0.5, 1.0])
    assert dyn.baseline_verdict(fit, np.array([0.2, 0.3, 0.1])) == "partial"
    assert dyn.baseline_verdict(fit, np.array([0.9, 0.8, 0.7])) == "no"
    assert dyn.baseline_verdict(nofit, np.array([0.2, 0.3, 0.1])) == "open"


def test_quick_run_is_deterministic(tmp_path):
    outs = []
    for i in range(2):
        proc = run_stub(STUB, "--quick", "--out", tmp_path / f"r{i}.json", timeout=600)
        assert proc.returncode == 0, proc.stderr
        outs.append(json.loads((tmp_path / f"r{i}.json").read_text()))
    assert outs[0]["metrics"]["archs"] == outs[1]["metrics"]["archs"]
    assert outs[0]["quick"] and len(outs[0]["headline"]) == 3
    assert set(outs[0]["lyapunov"]["exponents"]) == {"ndr", "baseline"}


def test_too_few_steps_for_depth_ten_is_one_line(tmp_path):
    proc = run_stub(STUB, "--quick", "--n-steps", "5", "--out", tmp_path / "r.json")
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
