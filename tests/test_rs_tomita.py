"""Checks of stubs/rs-tomita: determinism of --quick, the grammars and their automata on hand-worked
strings, Tomita's training strings against their languages, the test sets, hand-built A1 n=3 nets
that recognise each language exactly (so the headline net can), the solver Jacobians against
finite differences, the fixed-budget success count against a plain loop, the replay of run 0's
weight stream for the GIF, the end-state grouping, the Poisson interval, the verdict rules, and a
bad flag in one line. The family core's own checks are in tests/test_random_guess.py."""
import itertools
import json

import numpy as np

from conftest import ROOT, load_stub, run_stub
from shared import cli
from shared.gradcheck import numeric_jacobian, rel_error
from shared.random_guess import net
from shared.random_guess.search import search
from shared.random_guess.verdicts import in_band, trial_rate_verdict

STUB = ROOT / "stubs" / "rs-tomita"
rt = load_stub("rs-tomita")
diag = cli.load_sibling(rt.__file__, "rs_tomita_diagnostics", vars(rt))


def test_quick_run_is_deterministic(tmp_path):
    outs = []
    for i in range(2):
        proc = run_stub(STUB, "--quick", "--out", tmp_path / f"r{i}.json", timeout=300)
        assert proc.returncode == 0, proc.stderr
        r = json.loads((tmp_path / f"r{i}.json").read_text())
        r["metrics"].pop("timing")
        outs.append((r["headline"], r["metrics"], r["lyapunov"]))
    assert outs[0] == outs[1]


def test_languages_and_automata_by_hand():
    assert rt.in_language(1, "1111") and not rt.in_language(1, "1101")
    assert rt.in_language(2, "101010") and not rt.in_language(2, "1010101") and not rt.in_language(2, "0101")
    assert rt.in_language(4, "1001001") and not rt.in_language(4, "10001")
    assert [rt.dfa_state(2, s) for s in ("1", "10", "101", "11", "0", "1010")] == [1, 0, 1, 2, 2, 0]
    assert [rt.dfa_state(4, s) for s in ("1", "10", "100", "1000", "10001", "001")] == [0, 1, 2, 3, 3, 0]
    for g in rt.GRAMMARS:
        accepting = {s for s in range(rt.DFA_STATES[g] - 1) if g != 2 or s == 0}
        strings = ["".join(p) for n in range(1, 9) for p in itertools.product("01", repeat=n)]
        for s in strings:
            assert rt.in_language(g, s) == (rt.dfa_state(g, s) in accepting), (g, s)
        nxt = {}                 # an automaton: the next state depends only on the state and the symbol
        for s in strings[:-256]:
            for c in "01":
                key = (rt.dfa_state(g, s), c)
                assert nxt.setdefault(key, rt.dfa_state(g, s + c)) == rt.dfa_state(g, s + c), (g, s, c)
        assert len({rt.dfa_state(g, s) for s in strings}) == rt.DFA_STATES[g]


def test_training_strings_belong_to_their_classes():
    for g in rt.GRAMMARS:
        pos, neg = rt.TRAIN[g]
        assert all(rt.in_language(g, s) for s in pos) and not any(rt.in_language(g, s) for s in neg)
        d = rt.train_set(g, 2)
        assert d["target"].shape == (2, len(pos) + len(neg))
        assert d["target"][0, 0] == 0 and d["target"][0, 1] == 1          # one of each class first
        for i, s in enumerate(d["strings"]):
            L = d["lengths"][0, i]
            assert L == len(s) and np.all(d["x"][L:, :, i] == 0)
            assert "".join("1" if v > 0 else "0" for v in d["x"][:L, 0, i, 0]) == s


def test_test_sets():
    for g in rt.GRAMMARS:
        t = rt.test_set(g, 10)
        train = set(rt.TRAIN[g][0]) | set(rt.TRAIN[g][1])
        assert len(t["strings"]) == 2 ** 11 - 2 - len([s for s in train if len(s) <= 10])
        assert not train & set(t["strings"])
        lng = rt.long_set(g, np.random.default_rng(0), 15, 30, 3)
        ok = [rt.in_language(g, s) for s in lng["strings"]]
        assert list(lng["target"][0] == 1) == ok and 0 < sum(ok) < len(ok)
        assert min(map(len, lng["strings"])) >= 15 and max(map(len, lng["strings"])) <= 30


def hand_built(g, k=30.0):
    """A1 n=3 nets that recognise Tomita #g exactly, every weight inside the guessing box
    [-100, 100]. Units 0-2 hidden (biased), 3 the unbiased output; x = +1 for '1', -1 for '0'.
    The output has no bias, so it uses 2*[last symbol was 0] + x = 1 (or 2*[last was 1] - x = 1)
    as its constant."""
    W, V, b = np.zeros((4, 4)), np.zeros((4, 1)), np.zeros(4)
    if g in (1, 4):
        V[0], b[0] = -k, 0.0                              # z: the last symbol was 0
    if g == 1:
        W[1, 1], V[1], b[1] = 2 * k, -k, -0.5 * k         # dead: a 0 was seen
        b[2] = -k                                         # unused
        W[3, 0], V[3], W[3, 1] = k, 0.5 * k, -k           # accept = not dead
    if g == 4:
        W[1, 0], V[1], b[1] = k, -k, -1.5 * k             # the last two symbols were 0
        W[2, 2], W[2, 1], V[2], b[2] = 3 * k, k, -k, -1.5 * k   # dead: a third 0 in a row
        W[3, 0], V[3], W[3, 2] = k, 0.5 * k, -k
    if g == 2:
        V[0] = k                                          # a: the last symbol was 1
        W[1, 1], W[1, 0], V[1], b[1] = 2 * k, k, 0.5 * k, -1.25 * k     # dead by "11"
        W[2, 2], W[2, 0], V[2], b[2] = 2 * k, -k, -0.5 * k, -0.25 * k   # dead by "00" or a first 0
        V[3], W[3, 1], W[3, 2] = -0.5 * k, -k, -k         # accept: last symbol 0, alive
    return {"W": W[None], "V": V[None], "b": b[None]}


def test_hand_built_a1_nets_recognise_each_language():
    arch = net.a1(3)
    for g in rt.GRAMMARS:
        p = hand_built(g)
        assert max(np.abs(v).max() for v in p.values()) <= net.BOUND
        for data in (rt.test_set(g, 14), rt.long_set(g, np.random.default_rng(1), 15, 60, 5),
                     rt.train_set(g, 1)):
            y = net.final_outputs(arch, p, data["x"], data["lengths"], np.zeros(1, int))[0]
            assert np.all(np.abs(y - data["target"][0]) < 0.01), g
        S = diag.end_states(arch, p, rt.test_set(g, 12))[0]
        groups, big, purity = diag.state_clusters(S, rt.test_set(g, 12)["dfa"])
        assert purity == 1.0 and big <= groups


def test_solver_jacobians_match_finite_differences():
    rng = np.random.default_rng(4)
    for arch in (net.a1(3), net.a1(1)):                   # the nets whose exponents are reported
        p = net.guess(arch, rng, 1, bound=3.0)
        W, V, b = p["W"][0], p["V"][0], p["b"][0]
        x = rng.choice([-1.0, 1.0], size=(20, 1))
        S, P = net.states(arch, W, V, b, x)
        for t in (4, 13):
            J = net.jacobian(arch, W, P[t])
            Jn = numeric_jacobian(net.step_map(arch, W, V, b, x[t]), S[t - 1])
            assert rel_error(J, Jn) < 1e-6, arch.name


def test_success_count_equals_plain_count():
    arch = net.a1(2)
    data = rt.train_set(1, 1)
    n = 3000
    hits = rt.success_count(arch, data, np.random.default_rng(3), n, chunk=700)
    p = net.guess(arch, np.random.default_rng(3), n)
    ok = net.correct(arch, p, data, np.arange(data["target"].shape[1]), np.zeros(n, int)).all(axis=1)
    assert hits == ok.sum() > 0


def test_film_replays_run_zeros_stream():
    arch = net.a1(3)
    data = rt.train_set(1, 3)
    rngs = np.random.default_rng(7).spawn(3)
    first = rngs[0].bit_generator.seed_seq
    res = search(arch, data, rngs, 5000, block=64, stages=(2, 8))
    t = int(res["trials"][0])
    assert t > 0
    replay = net.guess(arch, np.random.default_rng(first), t)
    assert all(np.array_equal(replay[k][t - 1], res["solvers"][0][k]) for k in replay)
    res["first_stream"] = first
    f = rt.film(1, arch, data, res, n_guesses=4)
    assert f["g1_film_trial"][-1] == t and len(f["g1_film_trial"]) == min(4, t - 1) + 1
    assert np.all(np.abs(f["g1_film_outputs"][-1] - data["target"][0]) < 0.1)


def test_state_clusters():
    S = np.array([[0, 0], [0.01, 0], [1, 1], [1, 0.98], [0, 1]], float)
    assert diag.state_clusters(S, np.array([0, 0, 1, 1, 2])) == (3, 3, 1.0)
    groups, big, purity = diag.state_clusters(S, np.array([0, 1, 1, 1, 2]))
    assert groups == 3 and np.isclose(purity, 4 / 5)


def test_poisson_interval():
    assert np.allclose(rt.poisson_interval(0), (0.0, 3.6889), atol=1e-3)
    assert np.allclose(rt.poisson_interval(3), (0.6187, 8.7673), atol=1e-3)


def test_verdict_rules():
    assert trial_rate_verdict(300.0, 30, (182, 288), 10**6, setting_read=False) == "partial"
    assert trial_rate_verdict(2e6, 27, (13833, 35610), 10**7, setting_read=False) == "partial"  # far outside
    assert trial_rate_verdict(None, 0, (13833, 35610), 20_000, setting_read=False) == "open"  # a cap
    assert trial_rate_verdict(None, 0, (13833, 35610), 10**6, setting_read=False) == "no"
    assert in_band(300.0, (182, 288)) and not in_band(2e6, (13833, 35610))
    assert rt.verdict_generalization(0.995) == "partial" and rt.verdict_generalization(0.98) == "no"
    assert rt.verdict_generalization(None) == "open"


def test_bad_input_is_one_line(tmp_path):
    proc = run_stub(STUB, "--quick", "--test-len", "12", "--long-max", "12", "--out", tmp_path / "r.json")
    assert proc.returncode != 0 and len(proc.stderr.strip().splitlines()) == 1
    assert "must exceed" in proc.stderr
