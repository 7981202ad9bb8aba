"""Checks of the predictability-minimization family core (shared/pm/core.py): the batched forward
and backward passes agree with the plain per-unit, per-pattern reference for every layout (hidden
layers on or off on either side); both gradients match central differences; the paper's training
steps do what they say (PASS 1 lowers E_P, PASS 2 raises V_C, the on-line step is one descent and
one ascent step from the same point); the flattened game field is the two gradients."""
import numpy as np
import pytest

from shared.gradcheck import check_gradients, rel_error
from shared.pm import core

LAYOUTS = [(4, 3), (0, 0), (3, 0), (0, 2)]          # (coder hidden H, predictor hidden K)


def nets(H, K, R=3, D=4, n=3, B=5, seed=0):
    rng = np.random.default_rng(seed)
    cp, pp = core.init_coder(rng, R, D, H, n, 1.0), core.init_predictors(rng, R, n, K, 1.0)
    x = rng.integers(0, 2, (B, D)).astype(float)
    w = rng.uniform(0.5, 2.0, B)
    return cp, pp, x, w


def test_others_and_scatter():
    idx = core.others(4)
    assert idx.tolist() == [[1, 2, 3], [0, 2, 3], [0, 1, 3], [0, 1, 2]]
    S = core.scatter_matrix(4)
    assert S.sum() == 12 and np.all(S.sum(2) == 1) and np.all(S[np.arange(4), :, np.arange(4)] == 0)


@pytest.mark.parametrize("H,K", LAYOUTS)
@pytest.mark.parametrize("through", [True, False])
def test_batched_equals_reference(H, K, through):
    cp, pp, x, w = nets(H, K)
    Q, gc, gp, _, _ = core.forward_backward(cp, pp, x, w, through)
    for r in range(3):
        Qr, gcr, gpr = core.reference(cp, pp, x, w, r, through)
        assert abs(Qr - Q[r]) < 1e-12
        for k in gc:
            assert rel_error(gc[k][r], gcr[k]) < 1e-10, k
        for k in gp:
            assert rel_error(gp[k][r], gpr[k]) < 1e-10, k


@pytest.mark.parametrize("H,K", LAYOUTS)
def test_gradients_match_central_differences(H, K):
    cp, pp, x, w = nets(H, K)
    _, gc, gp, _, P = core.forward_backward(cp, pp, x, w, True)
    gc_own = core.coder_backward(cp, core.coder_forward(cp, x)[1], P, None, w, False)

    def q():
        y, _ = core.coder_forward(cp, x)
        return core.objective(core.predictor_forward(pp, y)[0], y, w).sum()

    def q_frozen():                                  # the own-error gradient: P a constant target
        y, _ = core.coder_forward(cp, x)
        return core.objective(P, y, w).sum()
    for loss, params, grads in ((q, cp, gc), (q, pp, gp), (q_frozen, cp, gc_own)):
        errs = check_gradients(loss, params, grads, eps=1e-3, richardson=True)
        assert max(errs.values()) < 1e-6, errs


def test_training_steps():
    cp, pp, x, w = nets(4, 3, seed=1)
    y0, _ = core.coder_forward(cp, x)
    e0 = core.objective(core.predictor_forward(pp, y0)[0], y0, w)
    core.pass1(cp, pp, x, w, 0.05, 20)
    y1, _ = core.coder_forward(cp, x)
    assert np.allclose(y1, y0)                        # PASS 1 leaves the code alone
    e1 = core.objective(core.predictor_forward(pp, y1)[0], y1, w)
    assert np.all(e1 < e0)
    p_before = {k: v.copy() for k, v in pp.items()}
    v0 = core.pass2(cp, pp, x, w, 0.01)
    y2, _ = core.coder_forward(cp, x)
    v1 = core.objective(core.predictor_forward(pp, y2)[0], y2, w)
    assert np.all(v1 > v0) and all(np.array_equal(pp[k], p_before[k]) for k in pp)
    # on-line: the same point's gradients, predictors down and coder up
    xs = x[[0, 1, 2]][:, None, :]
    c_ref, p_ref = {k: v.copy() for k, v in cp.items()}, {k: v.copy() for k, v in pp.items()}
    _, gc, gp, _, _ = core.forward_backward(c_ref, p_ref, xs, np.ones((3, 1)))
    core.online_step(cp, pp, xs, 0.1, 1.0)
    assert all(np.allclose(cp[k], c_ref[k] + 0.1 * gc[k]) for k in cp)
    assert all(np.allclose(pp[k], p_ref[k] - 1.0 * gp[k]) for k in pp)


def test_flatten_and_field():
    cp, pp, x, w = nets(4, 3)
    th = core.flatten(cp, pp)
    c2, p2 = core.unflatten(th, cp, pp)
    assert all(np.array_equal(cp[k], c2[k]) for k in cp) and all(np.array_equal(pp[k], p2[k]) for k in pp)
    F = core.joint_field(th, cp, pp, x, w, 0.3, 0.7)
    _, gc, gp, _, _ = core.forward_backward(cp, pp, x, w)
    want = core.flatten({k: 0.3 * v for k, v in gc.items()}, {k: -0.7 * v for k, v in gp.items()})
    assert np.allclose(F, want)


def test_per_run_choices_equal_separate_calls():
    cp, pp, x, w = nets(4, 3, R=4)
    through = np.array([1.0, 0.0, 1.0, 0.0])
    eta = np.array([0.1, 0.2, 0.3, 0.4])
    _, gc_mix, _, _, _ = core.forward_backward(cp, pp, x, w, through)
    _, gc_full, _, _, _ = core.forward_backward(cp, pp, x, w, True)
    _, gc_own, _, _, _ = core.forward_backward(cp, pp, x, w, False)
    for k in gc_mix:
        assert np.allclose(gc_mix[k][[0, 2]], gc_full[k][[0, 2]])
        assert np.allclose(gc_mix[k][[1, 3]], gc_own[k][[1, 3]])
    c1 = {k: v.copy() for k, v in cp.items()}
    p1 = {k: v.copy() for k, v in pp.items()}
    core.pass2(c1, p1, x, w, eta, through)
    for r in range(4):
        assert np.allclose(c1["W2"][r], cp["W2"][r] + eta[r] * gc_mix["W2"][r])
