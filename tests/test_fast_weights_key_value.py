"""Checks of stubs/fast-weights-key-value: the car's phases on hand-worked draws, the stream's
statistics, hand-built slow nets for both interfaces that bind the slot (so the paper's nets can)
and what the frozen test and the fingerprint say about them, a distractor that breaks the hold,
the bistable window against a brute-force count, that batching the variants together changes no
run, and the verdict rules. The family core's own checks are in tests/test_fast_weights_core.py."""
import numpy as np
import pytest

from conftest import load_stub
from shared.fast_weights import core
from shared.lyapunov import qr_spectrum

fw = load_stub("fast-weights-key-value")
DRIVE, PARK, BUSY = fw.DRIVE, fw.PARK, fw.BUSY
CFG = dict(tol=0.05, lyap_steps=2000, lyap_transient=100)
OFF = np.zeros((1, 3, 1))                        # every fast weight off


def test_phases_on_hand_worked_draws():
    # step:     0    1    2    3    4    5    6    7    8    9
    u_done = np.array([.9, .9, .9, .9, .1, .9, .9, .1, .9, .9])[:, None]
    u_stop = np.array([.1, .9, .1, .1, .9, .1, .9, .1, .1, .9])[:, None]
    ph = fw.phases(u_done, u_stop)[:, 0]
    # 0 always drives; 1 drives (no stop); 2 parks; 3 and 4 ... business continues while
    # u_done >= 0.25; at 4 it ends and the car drives (u_stop high); 5 parks; 6 busy; 7 business
    # ends and the car parks again at once (zero driving steps); 8 busy; 9 busy
    assert ph.tolist() == [DRIVE, DRIVE, PARK, BUSY, DRIVE, PARK, BUSY, PARK, BUSY, BUSY]


def test_stream_statistics_slots_and_targets():
    st = fw.parking_stream(np.random.default_rng(0), 60_000, 2)
    ph, slot = st["phase"], st["slot"]
    # a cycle is 1 parking step + on average 3 business and 3 driving steps
    assert abs(np.mean(ph == PARK) - 1 / 7) < 0.01 and abs(np.mean(ph == BUSY) - 3 / 7) < 0.01
    assert abs(st["bits"].mean() - 0.5) < 0.01 and abs(np.mean(slot[ph == PARK] == 2) - 1 / 3) < 0.015
    # the slot changes only at a parking step
    changed = slot[1:] != slot[:-1]
    assert np.all(ph[1:][changed] == PARK)
    x = fw.slow_input(ph, slot, st["bits"])
    assert np.all(x[..., :3].sum(-1) == (ph == PARK))            # one detector, on for one step
    assert np.all(x[ph == PARK, slot[ph == PARK]] == 1)
    d, parked = fw.targets(ph, slot)
    assert np.array_equal(parked, ph == BUSY) and np.all(d.sum(-1) == 1)
    # a target is only asked after a parking: never at step 0 or before the first PARK
    first = np.argmax(ph == PARK, axis=0)
    for r in range(2):
        assert not parked[:first[r] + 1, r].any()


def hand_S(rule, bit=0.0):
    """Binding by hand: a parking in slot k raises w_k and lowers the others; distractor bit 0
    changes every fast weight by ``bit`` (0: ignored)."""
    if rule == "direct":
        W = np.concatenate([4.0 * np.eye(3) - 2.0 * (1 - np.eye(3)), np.zeros((3, 3))], 1)
        W[:, 3] = bit
        return W[None]
    W = np.zeros((4, 6))
    W[0, :3] = 2.0                               # FROM (the question line): on at any parking
    W[1:, :3] = 2.0 * np.eye(3) - 1.0            # TO: +1 for the parked slot, -1 for the others
    W[0, 3], W[1:, 3] = 1.0, bit                 # bit 0: FROM 1, TO bit, so dw = bit on a hold
    return W[None]


@pytest.mark.parametrize("rule", fw.RULES)
def test_hand_built_slow_nets_bind_the_slot(rule):
    st = fw.parking_stream(np.random.default_rng(1), 6000, 1)
    ft = fw.frozen_test(rule, hand_S(rule), np.array([10.0]), st, OFF, CFG)
    assert ft["real"][0] and ft["bound"][0] and ft["E_max"][0] < 1e-3
    assert ft["in_window"][0] and ft["c_max"][0] < 1e-12
    # holding contracts like the stable fixed points of sigma(10 (w - 0.5)), ln sigma' = -2.64 (a
    # little faster on the first held step after a write, which lands deeper in saturation)
    settled = fw.stable_state_log_slope(10.0)
    assert abs(settled + 2.64) < 0.005
    assert np.allclose(ft["lyap_hold"][0], settled, atol=0.03)
    assert np.all(ft["lyap_write"][0] < -10) and np.all(ft["lyap"] < 0)


def test_per_weight_spectrum_equals_the_full_qr_where_it_is_well_conditioned():
    """On a shallow logistic (T = 3, no saturation) the 3 x 3 QR of the diagonal map and the
    three 1-D exponents agree; the stub uses the latter, which stays finite when one weight's
    derivative is 1e-16 times another's."""
    st = fw.parking_stream(np.random.default_rng(2), 3000, 1)
    W = 0.2 * hand_S("direct")
    ft = fw.frozen_test("direct", W, np.array([3.0]), st, OFF, CFG)
    x_S = fw.slow_input(st["phase"], st["slot"], st["bits"])
    _, _, sp = core.run_frozen(W, np.ones((3001, 1, 1)), x_S, np.array([3.0]), "direct", 3, OFF)
    full = qr_spectrum(core.weight_jacobian(sp[:2100]), n_transient=100)
    assert np.allclose(full, ft["lyap"], atol=2e-3)


@pytest.mark.parametrize("rule", fw.RULES)
def test_a_distractor_outside_the_window_breaks_the_hold(rule):
    """A distractor that shifts every hold map by 0.3 (the window is 0.181 at T = 10) arms every
    fast weight whenever it is on, so a parked car is reported in all three slots."""
    st = fw.parking_stream(np.random.default_rng(3), 6000, 1)
    ft = fw.frozen_test(rule, hand_S(rule, bit=0.3), np.array([10.0]), st, OFF, CFG)
    assert not ft["real"][0] and not ft["in_window"][0] and abs(ft["c_max"][0] - 0.3) < 1e-12
    ok = fw.frozen_test(rule, hand_S(rule, bit=0.1), np.array([10.0]), st, OFF, CFG)
    assert ok["real"][0] and ok["in_window"][0]


def stable_states(c, T, grid=200_001):
    """Brute force: stable fixed points of w -> sigma(T (w + c - 0.5)) on a fine grid."""
    w = np.linspace(-0.01, 1.01, grid)
    f = 0.5 * (1.0 + np.tanh(0.5 * T * (w + c - 0.5)))
    g, slope = f - w, T * f * (1 - f)
    cross = (g[:-1] > 0) != (g[1:] > 0)
    return int((cross & (slope[:-1] < 1.0)).sum())


@pytest.mark.parametrize("T", [4.5, 6.0, 10.0, 20.0])
def test_bistable_window_matches_a_brute_force_count(T):
    c_star = float(fw.bistable_window(T))
    assert 0 < c_star < 0.5
    for c in (0.0, 0.97 * c_star, -0.97 * c_star):
        assert stable_states(c, T) == 2
    for c in (1.03 * c_star, -1.03 * c_star, 0.5):
        assert stable_states(c, T) == 1
    assert fw.bistable_window(4.0) == 0.0 and fw.bistable_window(2.0) == 0.0
    assert abs(float(fw.bistable_window(10.0)) - 0.181) < 1e-3


@pytest.mark.parametrize("rule", fw.RULES)
def test_batching_variants_changes_no_run(rule):
    """Two variants inside the batch of all variants equal a loop over core.step alone."""
    cfg = dict(fw.DEFAULTS, runs=2, max_steps=1000)
    rng = np.random.default_rng(4)
    W0 = core.init_slow(rng, 2, core.n_slow_outputs(rule, 1, 3), 6)
    st = fw.parking_stream(rng, 1000, 2)
    tr = fw.train(rule, cfg, W0, st, lambda W, w, T: np.zeros(W.shape[0], bool))
    x_S = fw.slow_input(st["phase"], st["slot"], st["bits"])
    d, parked = fw.targets(st["phase"], st["slot"])
    for label in ("headline", "asked every step"):
        i = tr["labels"].index(label)
        eta, T, p_q = tr["eta"][i], tr["T"][i], tr["p_query"][i]
        W = W0.copy()
        w, p = core.start(W, x_S[0], rule, 1, 3)
        for t in range(1, 1001):
            q = (st["u_query"][t] < p_q).astype(float)[:, None]
            m = (q[:, 0] * parked[t])[:, None] * np.ones(3)
            W, w, p, *_ = core.step(W, w, p, q, x_S[t], d[t], T, eta, rule, m)
        assert np.allclose(tr["W_end"][i], W, atol=1e-12) and np.allclose(tr["w_end"][i], w, atol=1e-12)


def test_verdict_rules():
    assert fw.verdict_steps(dict(solved=25, runs=50)) == "partial"
    assert fw.verdict_steps(dict(solved=24, runs=50)) == "open"        # never a no: budget unknown
    assert fw.verdict_steps(dict(solved=50, runs=50)) == "partial"     # capped: numbers unreadable
    assert fw.verdict_binding(1) == "partial" and fw.verdict_binding(0) == "open"
