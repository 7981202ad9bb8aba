"""Science checks of stubs/continual-embedded-reber: stream, net size, gradients, Jacobians, protocol."""
import importlib.util
import json

import numpy as np
import pytest
from conftest import ROOT, run_stub

from shared import cli
from shared.gradcheck import numeric_jacobian

STUB = ROOT / "stubs" / "continual-embedded-reber"
_spec = importlib.util.spec_from_file_location("continual_embedded_reber",
                                               STUB / "continual_embedded_reber.py")
ce = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ce)

# the Reber grammar written out again: (node, symbol) -> next node; node 5 is left by E
EDGES = {(0, "T"): 1, (0, "P"): 2, (1, "S"): 1, (1, "X"): 3, (2, "T"): 2, (2, "V"): 4,
         (3, "X"): 2, (3, "S"): 5, (4, "P"): 3, (4, "V"): 5}


def parse_embedded(s):
    """True when s is one embedded Reber string B (T|P) B ... E (same T|P) E."""
    if len(s) < 9 or s[0] != "B" or s[1] not in "TP" or s[-2] != s[1] or s[-1] != "E" or s[2] != "B":
        return False
    node = 0
    for c in s[3:-3]:
        if (node, c) not in EDGES:
            return False
        node = EDGES[(node, c)]
    return node == 5 and s[-3] == "E"


def test_weight_counts_are_the_papers():
    assert ce.PAPER_NET.n_weights() == 424               # 4*2*15 + 12*16 + 7*16
    assert ce.PAPER_NET_1997.n_weights() == 360          # 4*2*15 + 8*16 + 7*16
    for a in (ce.PAPER_NET, ce.PAPER_NET_1997):
        p = ce.init_paper(a, np.random.default_rng(0), 2)
        assert np.count_nonzero(p["W"][0]) + np.count_nonzero(p["V"][0]) == a.n_weights()
        assert np.all(p["W"][:, -1, a.G] == 0)           # no cell bias
        assert np.allclose(p["W"][:, -1, a.I], [-0.5, -1.0, -1.5, -2.0])
        assert np.allclose(p["W"][:, -1, a.O], [-0.5, -1.0, -1.5, -2.0])
    assert np.allclose(ce.init_paper(ce.PAPER_NET, np.random.default_rng(0), 1)["W"][0, -1, ce.PAPER_NET.F],
                       [0.5, 1.0, 1.5, 2.0])


def test_stream_is_concatenated_embedded_strings_with_right_legal_sets():
    sym, legal, start = ce.Streams(np.random.default_rng(1), 3).take(3000)
    for i in range(3):
        text = "".join(ce.SYMBOLS[k] for k in sym[:, i])
        starts = np.flatnonzero(start[:, i])
        assert starts[0] == 0 and all(text[b] == "B" for b in starts)
        pieces = [text[b:e] for b, e in zip(starts[:-1], starts[1:], strict=True)]
        assert len(pieces) > 100 and all(parse_embedded(p) for p in pieces)
        # legal next symbols: the next symbol is always legal; after a final E only B
        nxt = sym[1:, i]
        assert legal[np.arange(len(nxt)), i, nxt].all()
        ends = starts[1:] - 1
        assert (legal[ends, i] == np.eye(7, dtype=bool)[0]).all()
        # the recall step (input inner E) allows exactly the outer T/P of that string
        for b, e in zip(starts[:-1], starts[1:], strict=True):
            assert legal[e - 3, i].sum() == 1 and legal[e - 3, i, sym[b + 1, i]]
    # outer T/P and branches are balanced
    outer = sym[np.flatnonzero(start[:, 0]) + 1, 0]
    assert 0.4 < np.mean(outer == 1) < 0.6


def test_correct_is_the_049_threshold():
    legal = np.array([[0, 1, 0, 0, 1, 0, 0]], dtype=bool)
    y = np.array([[0.1, 0.6, 0.2, 0.0, 0.52, 0.1, 0.3]])
    assert ce.correct(y, legal)[0]
    y[0, 4] = 0.50                                        # error 0.50 on a legal unit
    assert not ce.correct(y, legal)[0]
    y[0, 4], y[0, 6] = 0.6, 0.495                         # an illegal unit too active
    assert not ce.correct(y, legal)[0]


def test_gradient_checks_in_process():
    errs = ce.gradient_checks()
    assert errs and max(errs.values()) < 1e-6, errs


def test_truncated_gradient_differs_from_the_exact_one():
    rng = np.random.default_rng(5)
    a = ce.PAPER_NET
    p = {k: rng.uniform(-1, 1, size=v.shape) * (a.wmask if k == "W" else a.vmask)
         for k, v in ce.init_paper(a, rng, 2).items()}
    sym, legal, _ = ce.Streams(rng, 2).take(20)
    c = ce.forward(a, p, ce.one_hot(sym)[:, :, None])
    y = c["y"]
    dz = (y - legal[:, :, None]) * y * (1 - y)
    full = ce.grads_bptt(a, p, c, dz)["W"] * a.wmask
    trunc = ce.grads_bptt(a, p, c, dz, truncate=True)["W"] * a.wmask
    assert np.abs(full - trunc).max() > 1e-3 * np.abs(full).max()


@pytest.mark.parametrize("a", [ce.PAPER_NET, ce.PAPER_NET_1997], ids=["forget", "no_forget"])
def test_jacobians_match_finite_differences(a):
    rng = np.random.default_rng(3)
    p = ce.init_paper(a, rng, 2)
    p["W"] += rng.uniform(-1, 1, p["W"].shape) * a.wmask
    sym, _, _ = ce.Streams(rng, 1).take(8)
    x = np.ascontiguousarray(np.broadcast_to(ce.one_hot(sym)[:, None], (8, 2, 1, 7)))
    c = ce.forward(a, p, x)
    J = ce.jacobians(a, p, c)
    C = a.nc
    for t in (1, 4, 7):
        for s_ in range(2):
            def step(z, t=t, s_=s_):
                u = np.concatenate([x[t, s_, 0], z[C:], [1.0]])[None]
                _, s, yc = ce.cell_step(a, p["W"][s_], u, z[None, :C])
                return np.concatenate([s[0], yc[0]])
            z0 = np.concatenate([c["s"][t, s_, 0], c["O"][t - 1, s_, 0, a.R]])
            assert np.abs(numeric_jacobian(step, z0) - J[t - 1, s_, 0]).max() < 1e-7


def test_forget_gate_scales_the_state_and_closed_gates_make_the_1997_cell_neutral():
    rng = np.random.default_rng(4)
    a = ce.PAPER_NET
    p = ce.init_paper(a, rng, 1)
    p["W"][:, -1, a.F] = -40.0                            # forget gates shut: the state is wiped
    sym, _, _ = ce.Streams(rng, 1).take(10)
    J = ce.jacobians(a, p, ce.forward(a, p, ce.one_hot(sym)[:, :, None]))
    assert np.abs(J[..., :8, :8]).max() < 1e-12
    b = ce.PAPER_NET_1997
    p = ce.init_paper(b, rng, 1)
    p["W"][:, -1, b.I] = -40.0                            # input gates shut: an exact integrator
    p["W"][:, -1, b.O] = -40.0
    J = ce.jacobians(b, p, ce.forward(b, p, ce.one_hot(sym)[:, :, None]))
    ex = ce.qr_spectrum(J[:, 0, 0], k=8, n_transient=2)
    assert np.allclose(ex, 0.0, atol=1e-9)


def test_catalog_fast_path_is_forward_plus_bptt():
    rng = np.random.default_rng(6)
    for forget in (True, False):
        a = ce.Arch(12, 1, forget, cell_bias=True, out_x=False, out="softmax")
        p = {"W": rng.uniform(-1, 1, (2, a.D, a.H)), "V": rng.uniform(-1, 1, (2, 7, a.D)) * a.vmask}
        x = rng.normal(size=(6, 2, 3, 7))
        tgt = np.eye(7)[rng.integers(0, 7, (6, 2, 3))]
        s0, y0 = rng.normal(size=(2, 3, 12)), rng.uniform(-0.5, 0.5, (2, 3, 12))
        c = ce.forward(a, p, x, s0, y0)
        g1 = ce.grads_bptt(a, p, c, c["y"] - tgt)
        g2, s_end, y_end = ce.catalog_loss_grads(a, p, x, tgt, s0, y0)
        for k in g1:
            assert np.abs(g1[k] - g2[k]).max() < 1e-12
        assert np.abs(s_end - c["s"][-1]).max() < 1e-12 and np.abs(y_end - c["yc_last"]).max() < 1e-12


def test_training_resets_at_errors_and_freezes_solved_nets():
    rng = np.random.default_rng(7)
    a = ce.PAPER_NET
    p = ce.init_paper(a, rng, 2)
    test = ce.Streams(rng, 2).take(50)[:2]
    out = ce.train(a, p, rng, test, 0.5, 50, 400, 200)
    assert out["n_trained"] == 400 and (out["n_streams"] > 10).all()     # untrained nets err often
    assert out["curve_test"].shape == (2, 2)
    W0, st = p["W"].copy(), ce.new_state(a, 2)
    ce.rtrl_step(a, p, st, np.eye(7)[[0, 1]], np.ones((2, 7)), np.array([0.0, 0.5])[:, None, None])
    assert np.array_equal(p["W"][0], W0[0]) and not np.array_equal(p["W"][1], W0[1])   # net 0 frozen


def test_divergence_stops_with_the_step_and_the_quantity():
    rng = np.random.default_rng(8)
    a = ce.PAPER_NET
    p = ce.init_paper(a, rng, 2)
    p["V"][0, 0, 0] = np.nan
    test = ce.Streams(rng, 2).take(20)[:2]
    with pytest.raises(cli.TrainingDiverged, match=r"step 100: forget W became non-finite"):
        ce.train(a, p, rng, test, 0.5, 20, 100, 100, label="forget")


def test_catalog_setting_runs_to_its_own_file(tmp_path):
    proc = run_stub(STUB, "--setting", "catalog", "--quick", "--out", tmp_path / "c.json", timeout=120)
    assert proc.returncode == 0, proc.stderr
    res = json.loads((tmp_path / "c.json").read_text())
    assert res["config"]["setting"] == "catalog" and res["metrics"]["forget"]["weights"] == 20 * 48 + 7 * 13
