"""The fast training step of the tiny-worlds family (shared/tiny_worlds/fast.py) against the plain
reference (models.forward / models.backward / models.reference_step): forward outputs, loss,
gradients and Adam trajectories agree to float64 rounding; gradients equal finite differences;
train_ensemble's two paths agree to float32 rounding."""
import numpy as np
import pytest

import shared  # noqa: F401
from shared.gradcheck import TOLERANCE, check_gradients
from shared.optim import Adam
from shared.tiny_worlds import fast, models, train
from shared.tiny_worlds.worlds import make_world

KINDS = ("rnn", "gru", "lstm")


def _setup(kind, seed=3, S=3, B=4, T=9, H=5, D=2):
    rng = np.random.default_rng(seed)
    p = models.init_params(kind, S, H, D, rng)
    x = rng.standard_normal((T, S, B, D))
    y = rng.standard_normal((T, S, B))
    h0 = 0.5 * rng.standard_normal((S, B, H))
    c0 = 0.5 * rng.standard_normal((S, B, H)) if kind == "lstm" else None
    return p, x, y, h0, c0


def _fast(kind, p, x, y, h0=None, c0=None):
    T, S, B, D = x.shape
    core = fast.Core(kind, S, p["W_hh"].shape[1], T, B, D, np.float64)
    core.set_params(p)
    core.set_batch(x, y)
    core.forward(h0, c0)
    return core


def _rel(a, b):
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-300))


@pytest.mark.parametrize("kind", KINDS)
def test_forward_matches_reference(kind):
    """Hidden states, cell states, predictions and the loss equal the reference's to 1e-12;
    the first step equals models.reference_step (the gate-by-gate equations)."""
    p, x, y, h0, c0 = _setup(kind)
    hs, cache = models.forward(kind, p, x, h0, c0)
    core = _fast(kind, p, x, y, h0, c0)
    assert _rel(core.hidden(), hs) < 1e-12
    assert _rel(core.pred, models.readout(p, hs)) < 1e-12
    if kind == "lstm":
        assert _rel(core.cells(), cache["c"]) < 1e-12
    ref = models.reference_step(kind, p, x[0], h0, c0)
    assert _rel(core.hidden()[0], ref[0] if kind == "lstm" else ref) < 1e-12
    nll, dpred = models.nll_loss(p, hs, y)
    nll_f, dpred_f = core.loss()
    assert _rel(nll_f, nll) < 1e-12 and _rel(dpred_f, dpred) < 1e-12


@pytest.mark.parametrize("kind", KINDS)
def test_gradients_match_reference(kind):
    """Every parameter, h0 (and c0) and input gradient equals models.backward's to 1e-12, for a
    dL/dyhat on every step (the last prediction included, which the training loss leaves out)."""
    p, x, y, h0, c0 = _setup(kind, seed=4)
    hs, cache = models.forward(kind, p, x, h0, c0)
    dpred = np.random.default_rng(8).standard_normal(hs.shape[:3])
    ref = models.backward(p, cache, dpred)
    got = _fast(kind, p, x, y, h0, c0).backward(dpred, need_dx=True)
    assert set(got) == set(ref)
    errs = {k: _rel(got[k], ref[k]) for k in ref}
    assert max(errs.values()) < 1e-12, errs
    head = _fast(kind, p, x, y, h0, c0).backward(dpred, core=False)
    assert set(head) == {"w_out", "b_out"}
    assert _rel(head["w_out"], ref["w_out"]) < 1e-12 and _rel(head["b_out"], ref["b_out"]) < 1e-12


@pytest.mark.parametrize("kind", KINDS)
def test_gradients_equal_finite_differences(kind):
    """The fast path's own loss, differentiated by central differences (float64, Richardson)."""
    p, x, y, h0, c0 = _setup(kind, seed=5, S=2, B=3, T=6, H=4)
    every = dict(p, x=x, h0=h0)
    if c0 is not None:
        every["c0"] = c0
    core = _fast(kind, p, x, y, h0, c0)
    grads = core.backward(core.loss()[1], need_dx=True)
    grads = {k: grads[k].copy() for k in every}

    def loss():                                       # the arrays of `every`, perturbed in place
        core.set_params(p)
        core.set_batch(every["x"])
        core.forward(every["h0"], every.get("c0"))
        return float(core.loss()[0].sum())

    errs = check_gradients(loss, every, grads, eps=1e-3, richardson=True)
    assert max(errs.values()) < TOLERANCE, errs


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("mode", ("full", "readout"))
def test_adam_trajectory_matches_reference(kind, mode):
    """Five Adam steps on fresh batches from the same init: parameters equal to 1e-12 (float64)."""
    rng = np.random.default_rng(6)
    S, B, T, H = 3, 4, 8, 5
    p0 = models.init_params(kind, S, H, 2, rng)
    batches = [(rng.standard_normal((T, S, B, 2)), rng.standard_normal((T, S, B))) for _ in range(5)]
    ends = []
    for path in ("plain", "fast"):
        p = {k: v.copy() for k, v in p0.items()}
        opt = Adam({k: p[k] for k in (models.HEAD if mode == "readout" else p)}, lr=1e-3)
        core = fast.Core(kind, S, H, T, B, 2, np.float64)
        for x, y in batches:
            if path == "plain":
                hs, cache = models.forward(kind, p, x)
                g = models.backward(p, cache, models.nll_loss(p, hs, y)[1], core=mode == "full")
            else:
                core.set_params(p)
                core.set_batch(x, y)
                core.forward()
                g = core.backward(core.loss()[1], core=mode == "full")
            opt.step({k: g[k] for k in opt.params})
        ends.append(p)
    moved = max(np.abs(ends[0][k] - p0[k]).max() for k in p0)
    assert moved > 1e-3                                                # the steps did something
    for k in p0:
        np.testing.assert_allclose(ends[1][k], ends[0][k], rtol=0, atol=1e-12, err_msg=k)


@pytest.mark.parametrize("kind", KINDS)
def test_member_blocks_change_nothing(kind):
    """An Ensemble run as blocks of 2, 1 and 2 members gives the one-block Core's gradients bit for
    bit; the reported loss to the last bit (numpy's einsum sums a one-member block in another order)."""
    p, x, y, h0, c0 = _setup(kind, seed=9, S=5)
    one = _fast(kind, p, x, y, h0, c0)
    nll, dpred = one.loss()
    ref = {k: v.copy() for k, v in one.backward(dpred).items()}
    ens = fast.Ensemble(kind, 5, 5, x.shape[0], x.shape[2], 2, np.float64, block=2)
    assert [sl.stop - sl.start for sl in ens.slices] == [2, 1, 2]
    ens.set_params(p)
    ens.set_batch(x, y)
    nll_b, g = ens.step(h0=h0, c0=c0)
    assert _rel(nll_b, nll) < 1e-14
    for k in ref:
        assert np.array_equal(g[k], ref[k]), k
    assert set(ens.step(core=False)[1]) == {"w_out", "b_out"}
    assert fast.block_size("gru", 16, 64) == 24 and fast.block_size("rnn", 16, 64) == 91


def test_gather_takes_whole_sequences():
    """gather (sequence-major source, index per member) lays out the batch set_batch gets from
    the time-major gather the plain path does."""
    rng = np.random.default_rng(2)
    N, T, S, B = 11, 6, 3, 4
    X, Y = rng.standard_normal((N, T, 2)), rng.standard_normal((N, T))
    idx = rng.integers(0, N, (S, B))
    a = fast.Core("gru", S, 3, T, B, 2, np.float64)
    a.gather(X, Y, idx)
    b = fast.Core("gru", S, 3, T, B, 2, np.float64)
    b.set_batch(X.transpose(1, 0, 2)[:, idx], Y.T[:, idx])
    assert np.array_equal(a.Z, b.Z) and np.array_equal(a.y, b.y)


@pytest.mark.parametrize("kind", ("gru", "rnn"))
def test_train_ensemble_paths_agree_in_float32(kind):
    """train_ensemble on the fast and the plain path (float32, two worlds, a partial last batch,
    full and readout-only): the same batches and updates, equal up to float32 rounding."""
    worlds = [make_world("oscillator", v, np.random.default_rng(1), n_train=40, n_eval=8, T=20)
              for v in ("struct", "iid")]
    for mode in ("full", "readout"):
        out = [train.train_ensemble(kind, 6, worlds, 2, 7, np.random.default_rng(3),
                                    np.random.default_rng(4), batch=16, mode=mode, log_every=7, path=path)
               for path in ("plain", "fast")]
        for k in out[0]["params"]:
            np.testing.assert_allclose(out[1]["params"][k], out[0]["params"][k], rtol=0, atol=1e-6, err_msg=k)
        np.testing.assert_allclose(out[1]["curve"], out[0]["curve"], rtol=1e-5)
    with pytest.raises(ValueError, match="path"):
        train.train_ensemble(kind, 6, worlds, 2, 1, np.random.default_rng(3), np.random.default_rng(4),
                             path="x")
