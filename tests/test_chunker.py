"""The chunker family core (shared/chunker): the batched step equals the unit-by-unit step, the
truncated and full BPTT gradients equal central differences of the losses they differentiate, the
batched two-net system equals its plain one-run reference step by step (surprise gating included),
C stays idle without surprises, the ablation leaves A's collapse outputs untouched, and the state
Jacobian matches finite differences."""
import numpy as np
import pytest

from shared.chunker import net, system
from shared.chunker.conventional import Conventional
from shared.gradcheck import check_gradients, numeric_jacobian, rel_error


def test_batched_step_equals_reference():
    rng = np.random.default_rng(0)
    W = net.init(rng, 4, 5, 3, 6, 1.0)
    u, h = rng.random((4, 5)), rng.random((4, 3))
    h1, y1, z = net.step(W, u, h)
    for r in range(4):
        h2, y2 = net.step_reference(W[r], u[r], h[r])
        assert np.allclose(h1[r], h2, atol=1e-14) and np.allclose(y1[r], y2, atol=1e-14)
    assert np.array_equal(z[:, -1], np.ones(4))


@pytest.mark.parametrize("depth", [1, 3, 6])
def test_truncated_gradient_is_the_window_loss_gradient(depth):
    rng = np.random.default_rng(depth)
    n_in, H, n_out = 4, 3, 5
    W = net.init(rng, 1, n_in, H, n_out, 0.9)
    us, h0 = rng.random((depth + 1, n_in)), rng.random(H)
    tgt, mask = rng.random(n_out), (rng.random(n_out) < 0.7).astype(float)
    h, zs = h0[None], []
    for u in us:
        h, y, z = net.step(W, u[None], h)
        zs.append(z)
    g = net.truncated_grad(W, np.stack(zs, 1), net.output_delta(y, tgt[None], mask[None]), n_in, depth)
    W1 = W[0].copy()
    err = check_gradients(lambda: net.window_loss(W1, us, h0, tgt, mask), {"W": W1}, {"W": g[0]})
    assert err["W"] < 1e-6


def test_full_bptt_gradient():
    rng = np.random.default_rng(2)
    W = net.init(rng, 2, 4, 3, 4, 0.9)
    us, h0 = rng.random((7, 2, 4)), rng.random((2, 3))
    tg, mk = rng.random((7, 2, 4)), (rng.random((7, 2, 4)) < 0.6).astype(float)
    _, dW, _, _ = net.bptt(W, us, h0, tg, mk)
    W1 = W[1:].copy()
    err = check_gradients(lambda: net.sequence_loss(W1, us[:, 1:], h0[1:], tg[:, 1:], mk[:, 1:])[0],
                          {"W": W1}, {"W": dW[1:]})
    assert err["W"] < 1e-6


def _task_stream(rng, R, lag, n_seq):
    n_I = lag + 2
    xs, ds, has = [], [], []
    for _ in range(n_seq):
        first = rng.integers(0, 2, R)
        for t in range(lag + 1):
            sym = first if t == 0 else np.full(R, t + 1)
            xs.append(np.eye(n_I)[sym])
            ds.append(((first == 0) & (t == lag)).astype(float)[:, None])
            has.append(np.full(R, t == lag))
    return np.array(xs), np.array(ds), np.array(has)


@pytest.mark.parametrize("collapse", [True, False])
def test_batched_system_equals_plain_reference(collapse):
    R, lag, n_I = 2, 3, 5
    ch = system.Chunker(np.random.default_rng(3), R, n_I, 1, 3, 2, 0.3, 2.0, 2.0, 0.3, 3, collapse)
    WA0, WC0 = ch.WA.copy(), ch.WC.copy()
    xs, ds, has = _task_stream(np.random.default_rng(4), R, lag, 60)
    sur = np.array([ch.step(x, d, h)["surprise"] for x, d, h in zip(xs, ds, has, strict=True)])
    assert 0.1 < sur.mean() < 0.9, "the stream must have both surprises and predicted steps"
    for r in range(R):
        s_ref, WA, WC = system.run_reference(WA0[r], WC0[r], xs[:, r], ds[:, r], has[:, r], n_I, 1, 3, 2,
                                             2.0, 2.0, 0.3, 3, collapse)
        assert np.array_equal(s_ref, sur[:, r])
        assert rel_error(WA, ch.WA[r]) < 1e-9 and rel_error(WC, ch.WC[r]) < 1e-9


def test_chunker_idle_without_surprise_and_ablation_leaves_collapse_outputs():
    R, lag, n_I = 3, 3, 5
    xs, ds, has = _task_stream(np.random.default_rng(5), R, lag, 5)
    ch = system.Chunker(np.random.default_rng(6), R, n_I, 1, 3, 2, 0.3, 1.0, 1.0, 1.0, 3)
    WC0, WA0 = ch.WC.copy(), ch.WA.copy()
    for x, d, h in zip(xs, ds, has, strict=True):
        assert not ch.step(x, d, h)["surprise"].any()          # eps = 1: nothing is unexpected
    assert np.array_equal(ch.WC, WC0) and not np.array_equal(ch.WA, WA0)
    ab = system.Chunker(np.random.default_rng(6), R, n_I, 1, 3, 2, 0.3, 1.0, 1.0, 0.3, 3, collapse=False)
    W0 = ab.WA.copy()
    for x, d, h in zip(xs, ds, has, strict=True):
        ab.step(x, d, h)
    cols = slice(3 + n_I + 1, None)                              # A's prediction of C's state
    assert np.array_equal(ab.WA[:, :, cols], W0[:, :, cols])
    assert not np.array_equal(ab.WA[:, :, :cols.start], W0[:, :, :cols.start])


def test_state_jacobian():
    rng = np.random.default_rng(7)
    W = net.init(rng, 3, 4, 5, 2, 1.5)
    u, h = rng.random((3, 4)), rng.random((3, 5))
    h1, _, z = net.step(W, u, h)
    J = net.state_jacobian(W, z, h1, 4)
    Jn = numeric_jacobian(lambda hh: net.step(W, u, hh)[0], h)
    assert rel_error(J, Jn) < 1e-6


def test_conventional_window_credits_the_first_symbol():
    """One training sequence: the target at the end moves the weights of the first input."""
    rng = np.random.default_rng(8)
    cv = Conventional(rng, 1, 4, 4, 3, 0.5, 1.0)
    us = np.zeros((4, 1, 4))
    us[0, 0, 0] = 1.0
    us[1:, 0, 1] = 1.0
    us[-1, 0, 3] = 1.0
    masks = np.zeros_like(us)
    masks[-1, :, 3] = 1.0                             # only the target is scored
    W0 = cv.W.copy()
    cv.train_sequence(us, us, masks)
    assert np.any(cv.W[0, 0, :3] != W0[0, 0, :3])     # input 0 -> hidden weights changed
    assert np.array_equal(cv.u_last, us[-1])
