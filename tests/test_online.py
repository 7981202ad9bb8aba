"""Tests of shared.online: the ST3 stopping test and the Adam step that leaves stopped nets alone."""
import numpy as np

from shared.online import ST3, adam_step_active
from shared.optim import Adam


def _st3_by_hand(correct, sq_err, window, max_mean):
    """ST3 written out sequence by sequence: stop at k + 1 once the last `window` were all correct
    and their mean error is below max_mean."""
    n, S = correct.shape
    stopped = np.full(S, -1)
    for s in range(S):
        for k in range(window - 1, n):
            recent = slice(k + 1 - window, k + 1)
            if correct[recent, s].all() and sq_err[recent, s].mean() < max_mean:
                stopped[s] = k + 1
                break
    return stopped


def test_st3_stops_each_net_at_the_first_sequence_meeting_the_rule():
    rng = np.random.default_rng(0)
    n, S, window = 400, 6, 7
    correct = rng.random((n, S)) < np.linspace(0.6, 1.0, S)     # net 5 always correct
    sq_err = rng.random((n, S)) * np.linspace(0.2, 0.05, S)
    st3 = ST3(S, window, max_mean=0.05)
    for k in range(n):
        st3.update(k, correct[k], sq_err[k])
    want = _st3_by_hand(correct, sq_err, window, 0.05)
    assert (want > 0).any() and (want < 0).any()                 # both outcomes are exercised
    np.testing.assert_array_equal(st3.stopped_at, want)
    np.testing.assert_array_equal(st3.active, want < 0)


def test_st3_filled_grows_to_the_window():
    st3 = ST3(2, window=4, max_mean=1.0)
    for k in range(3):
        st3.update(k, np.array([False, False]), np.array([k, 10 * k]))
    np.testing.assert_array_equal(st3.filled(), [[0, 1, 2], [0, 10, 20]])
    for k in range(3, 6):
        st3.update(k, np.array([False, False]), np.array([k, 10 * k]))
    assert st3.filled().shape == (2, 4)
    np.testing.assert_array_equal(np.sort(st3.filled()[0]), [2, 3, 4, 5])


def test_adam_step_active_moves_only_active_members():
    rng = np.random.default_rng(1)
    p = {"W": rng.normal(size=(3, 4, 2)), "b": rng.normal(size=(3, 2))}
    ref = {k: v.copy() for k, v in p.items()}
    g = {k: rng.normal(size=v.shape) for k, v in p.items()}
    opt, opt_ref = Adam(p, lr=0.1, per_member=True), Adam(ref, lr=0.1, per_member=True)
    active = np.array([True, False, True])
    before = {k: v.copy() for k, v in p.items()}
    adam_step_active(opt, {k: v.copy() for k, v in g.items()}, active)
    opt_ref.step({k: v.copy() for k, v in g.items()})
    for k in p:
        np.testing.assert_array_equal(p[k][active], ref[k][active])   # the same update, bit for bit
        np.testing.assert_array_equal(p[k][~active], before[k][~active])
