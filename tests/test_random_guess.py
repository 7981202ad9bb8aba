"""The random-guessing family core (shared/random_guess): the batched forward pass equals the plain
per-net reference, the batched search finds the same solver at the same trial as the plain loop
(and does not depend on the block size), the architectures have the papers' free-weight counts,
the Jacobian equals finite differences, and the trial statistics."""
import numpy as np

import conftest  # noqa: F401  (repository root on sys.path)
from shared.gradcheck import numeric_jacobian, rel_error
from shared.random_guess import net
from shared.random_guess.search import search, search_reference, trial_stats


def _data(rng, R=3, B=6, t_min=15, t_max=22, D=1):
    lengths = rng.integers(t_min, t_max + 1, size=(R, B))
    T = int(lengths.max())
    x = rng.normal(0, 1, size=(T, R, B, D))
    x[np.arange(T)[:, None, None] >= lengths[None]] = 0.0
    cls = np.broadcast_to(np.arange(B) % 2, (R, B)).copy()
    x[0, ..., 0] = np.where(cls == 0, 1.0, -1.0)
    return {"x": x, "lengths": lengths, "cls": cls, "target": np.where(cls == 0, 1.0, 0.0)}


def _seqs(data, r):
    return [data["x"][:data["lengths"][r, i], r, i] for i in range(data["x"].shape[2])]


def test_output_reads_the_new_hidden_activations():
    # layered order: h_t from s_{t-1}, then o_t from h_t (not h_{t-1}); checked by hand for A1 n=1
    arch = net.a1(1)
    W, V, b = np.array([[0.3, -0.7], [1.1, 0.4]]), np.array([[0.5], [-0.9]]), np.array([0.2, 0.0])
    s, x = np.array([0.6, 0.1]), np.array([1.0])
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    h = sig(0.3 * 0.6 - 0.7 * 0.1 + 0.5 + 0.2)
    o = sig(1.1 * h + 0.4 * 0.1 - 0.9)
    assert np.allclose(net.step_reference(arch, W, V, b, s, x)[0], [h, o], rtol=1e-14)


def test_free_weight_counts():
    assert net.a1(1).n_free == 4 + 2 + 1            # W 2x2, V 2x1, hidden bias
    assert net.a2(10).n_free == 10 + 10 + 10 + 11 + 11   # self, <-out, out<-hidden, V, b
    assert net.a2(10, self_loops=False).n_free == 52 - 10
    assert net.latch_unit(False, False).n_free == 1 and net.latch_unit(True, True).n_free == 3


def test_batched_forward_equals_reference():
    rng = np.random.default_rng(0)
    for arch, D in ((net.a1(1), 1), (net.a2(10), 1), (net.a2(4, self_loops=False), 1),
                    (net.latch_unit(True, True), 1), (net.a1(3, n_inputs=2), 2)):
        data = _data(rng, D=D)
        p = net.guess(arch, rng, 5, bound=3.0)       # small weights: outputs far from saturation
        run_of = np.array([0, 1, 2, 0, 2])
        y = net.final_outputs(arch, p, data["x"], data["lengths"], run_of)
        for n in range(5):
            ref = net.final_output_reference(arch, p["W"][n], p["V"][n], p["b"][n], _seqs(data, run_of[n]))
            assert np.allclose(y[n], ref, rtol=1e-12, atol=1e-14), arch.name


def test_first_input_override_equals_reference():
    rng = np.random.default_rng(1)
    arch = net.latch_unit(False, False)
    data = _data(rng)
    p = net.guess(arch, rng, 4, bound=2.0)
    fi = rng.normal(size=(4, data["x"].shape[2], 1))
    y = net.final_outputs(arch, p, data["x"], data["lengths"], np.zeros(4, int), first_input=fi)
    for n in range(4):
        ref = net.final_output_reference(arch, p["W"][n], p["V"][n], p["b"][n], _seqs(data, 0), list(fi[n]))
        assert np.allclose(y[n], ref, rtol=1e-12, atol=1e-14)


def test_guess_stream_does_not_depend_on_block_size():
    arch = net.a2(10)
    a = net.guess(arch, np.random.default_rng(5), 7)
    g = np.random.default_rng(5)
    b = [net.guess(arch, g, k) for k in (3, 1, 3)]
    for key in a:
        assert np.array_equal(a[key], np.concatenate([x[key] for x in b]))
    assert np.all(np.abs(a["W"][:, arch.w_mask]) <= net.BOUND) and np.all(a["W"][:, ~arch.w_mask] == 0)


def test_batched_search_equals_plain_search():
    rng = np.random.default_rng(2)
    arch = net.a1(1)
    data = _data(rng, R=3, B=6)
    cap = 400
    res = search(arch, data, [np.random.default_rng(s) for s in range(3)], cap, block=37, stages=(1, 3))
    res2 = search(arch, data, [np.random.default_rng(s) for s in range(3)], cap, block=200, stages=(2,))
    assert np.array_equal(res["trials"], res2["trials"])
    for r in range(3):
        t, solver = search_reference(arch, data, r, np.random.default_rng(r), cap)
        assert t == res["trials"][r]
        if t:
            assert all(np.array_equal(solver[k], res["solvers"][r][k]) for k in solver)
    assert res["solved"].any()          # the test would not test much otherwise


def test_jacobian_matches_finite_differences():
    rng = np.random.default_rng(3)
    for arch in (net.a1(2), net.a2(5), net.latch_unit(True, True)):
        p = net.guess(arch, rng, 1, bound=2.0)
        W, V, b = p["W"][0], p["V"][0], p["b"][0]
        s = rng.uniform(0, 1, arch.n_units)
        x = rng.normal(size=arch.n_inputs)
        pre = net.step_reference(arch, W, V, b, s, x)[1]
        J = net.jacobian(arch, W, pre)
        Jn = numeric_jacobian(net.step_map(arch, W, V, b, x), s)
        assert rel_error(J, Jn) < 1e-6, arch.name


def test_trial_stats():
    st = trial_stats(np.array([3, 5, 0, 8]), np.array([True, True, False, True]), 10,
                     np.random.default_rng(0))
    assert st["solved"] == 3 and st["draws"] == 26 and np.isclose(st["p_success"], 3 / 26)
    assert st["median"] == 5 and np.isclose(st["mean"], 16 / 3)
    assert 3 <= st["ci95"][0] <= st["mean"] <= st["ci95"][1] <= 8


def test_full_state_at_the_end_equals_reference():
    rng = np.random.default_rng(6)
    arch = net.a1(3)
    data = _data(rng)
    p = net.guess(arch, rng, 4, bound=3.0)
    run_of = np.array([0, 1, 2, 1])
    S = net.final_outputs(arch, p, data["x"], data["lengths"], run_of, full_state=True)
    y = net.final_outputs(arch, p, data["x"], data["lengths"], run_of)
    assert S.shape == y.shape + (arch.n_units,) and np.array_equal(S[..., -1], y)
    for n in range(4):
        for i, seq in enumerate(_seqs(data, run_of[n])):
            ref = net.states(arch, p["W"][n], p["V"][n], p["b"][n], seq)[0][-1]
            assert np.allclose(S[n, i], ref, rtol=1e-12, atol=1e-14)


def test_trial_rate_verdict_rule():
    from shared.random_guess.verdicts import in_band, paper_range, trial_rate_verdict
    assert paper_range(22) == (22.0, 22.0) and paper_range((288, 182)) == (182.0, 288.0)
    assert trial_rate_verdict(40.0, 10, 22, 1000) == "yes"
    assert trial_rate_verdict(45.0, 10, 22, 1000) == "partial"                 # outside the factor-2 band
    assert trial_rate_verdict(40.0, 4, 22, 1000) == "partial"                  # too few solved runs
    assert trial_rate_verdict(40.0, 10, 22, 1000, setting_read=False) == "partial"
    assert trial_rate_verdict(None, 0, 22, 10) == "open"                       # a cap below the paper's mean
    assert trial_rate_verdict(None, 0, 22, 22) == "no"
    assert trial_rate_verdict(None, 0, (100, 300), 200) == "open"              # below the higher figure
    assert trial_rate_verdict(40.0, 10, None, 1000) == "open"
    assert in_band(91.0, (182, 288)) and in_band(576.0, (182, 288)) and not in_band(577.0, (182, 288))
    assert not in_band(None, 22)
