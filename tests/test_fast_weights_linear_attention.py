"""Checks of the family core shared/fast_weights/linear_attention.py: the associativity identity
behind "linear attention is a fast weight programmer", the feature maps on hand-worked inputs, the
delta rule against its element-by-element reference and against its closed form, every backward
pass against central differences, hand-built memories (exact retrieval with orthogonal keys, the
delta rule's overwrite), and the Jacobian behind the Lyapunov fingerprint."""
import numpy as np
import pytest

from shared.fast_weights import linear_attention as la
from shared.gradcheck import check_gradients, numeric_jacobian, rel_error
from shared.lyapunov import qr_spectrum


def inputs(rng, kind, T=7, B=3, n=4, d=5):
    X, Xq = rng.normal(size=(T, B, d)), rng.normal(size=(B, d))
    V, beta = rng.normal(size=(T, B, n)), rng.uniform(0.1, 0.9, (T, B))
    return X, Xq, V, beta


def test_associativity_identity():
    """V^T (K q) = (V^T K) q: attention over the stored pairs and a fast-weight matrix read
    give the same numbers, unnormalised and normalised, for both feature maps."""
    rng = np.random.default_rng(0)
    K, V, q = rng.normal(size=(50, 16)), rng.normal(size=(50, 8)), rng.normal(size=16)
    assert np.max(np.abs(V.T @ (K @ q) - (V.T @ K) @ q)) < 1e-12
    for kind in la.FEATURE_MAPS:
        X, Xq, V, _ = inputs(rng, kind, T=30)
        F, fq = la.phi_forward(X, kind)[0], la.phi_forward(Xq, kind)[0]
        W, z = la.sum_memory(V, F)
        y_att = la.attention_read(V, F, fq)[0]
        assert np.max(np.abs(la.sum_read(W, z, fq) - y_att)) < 1e-13
        # several queries of one memory at once read the same as one at a time
        Q = np.stack([fq, 2 * fq + 1], axis=1)                   # (B, 2, p)
        assert np.allclose(la.sum_read(W, z, Q)[:, 0], y_att, atol=1e-13)


def test_feature_maps_on_hand_worked_inputs():
    # elu + 1: x + 1 above zero, exp(x) below
    f = la.phi_forward(np.array([1.0, -1.0, 0.0]), "linear")[0]
    assert np.allclose(f, [2.0, np.exp(-1.0), 1.0])
    # DPFP: r = [relu(x), relu(-x)] = [1, 0, 0, 2]; nu = 1 multiplies r by r rolled by one
    # ([2, 1, 0, 0]); nu = 2 appends r times r rolled by two ([0, 2, 1, 0])
    x = np.array([1.0, -2.0])
    assert np.allclose(la.phi_forward(x, "dpfp", 1)[0], [2.0, 0.0, 0.0, 0.0])
    assert np.allclose(la.phi_forward(x, "dpfp", 2)[0], [2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    x = np.array([1.0, 3.0, -2.0])                               # r = [1, 3, 0, 0, 0, 2]
    assert np.allclose(la.phi_forward(x, "dpfp", 1)[0], [2.0, 3.0, 0.0, 0.0, 0.0, 0.0])
    assert la.feature_dim("dpfp", 16, 1) == 32 and la.feature_dim("linear", 16) == 16
    with pytest.raises(ValueError):
        la.feature_dim("softmax", 4)


@pytest.mark.parametrize("kind,nu", [("linear", 1), ("dpfp", 1), ("dpfp", 2)])
def test_feature_map_gradients(kind, nu):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(4, 6))
    C = rng.normal(size=la.phi_forward(x, kind, nu)[0].shape)
    f, cache = la.phi_forward(x, kind, nu)
    g = la.phi_backward(C, cache)
    errs = check_gradients(lambda: (la.phi_forward(x, kind, nu)[0] * C).sum(), {"x": x}, {"x": g},
                           eps=1e-5, richardson=True)
    assert errs["x"] < 1e-8


def test_delta_rule_equals_its_element_by_element_reference():
    rng = np.random.default_rng(2)
    X, _, V, beta = inputs(rng, "dpfp", T=9, B=1)
    F = la.phi_forward(X, "dpfp")[0]
    W = np.zeros((V.shape[-1], F.shape[-1]))
    for t in range(9):
        W = la.delta_step_reference(W, V[t, 0], F[t, 0], beta[t, 0])
    assert np.max(np.abs(W - la.delta_write(V, F, beta)[0][0])) < 1e-14


@pytest.mark.parametrize("kind", la.FEATURE_MAPS)
def test_delta_rule_closed_form_equals_recurrence(kind):
    """The speed-tuned form used in training gives the recurrence's read-out and gradients."""
    rng = np.random.default_rng(3)
    X, Xq, V, beta = inputs(rng, kind, T=12, B=4)
    F, fq = la.phi_forward(X, kind)[0], la.phi_forward(Xq, kind)[0]
    W, cw = la.delta_write(V, F, beta)
    y1, cr = la.delta_read(W, fq)
    y2, c2 = la.delta_attention_read(V, F, beta, fq)
    assert np.max(np.abs(y1 - y2)) < 1e-14
    dy = rng.normal(size=y1.shape)
    dW, dfq1 = la.delta_read_backward(dy, cr)
    dV1, dF1, db1, _ = la.delta_write_backward(dW, cw)
    dV2, dF2, db2, dfq2 = la.delta_attention_read_backward(dy, c2)
    for a, b in ((dV1, dV2), (dF1, dF2), (db1, db2), (dfq1, dfq2)):
        assert rel_error(a, b) < 1e-10


def _ld(x):
    return np.asarray(x, dtype=np.longdouble)


def test_sum_rule_gradients():
    rng = np.random.default_rng(4)
    X, Xq, V, _ = inputs(rng, "linear")
    C = rng.normal(size=(X.shape[1], V.shape[-1]))

    def loss():
        F, fq = la.phi_forward(X, "linear")[0], la.phi_forward(Xq, "linear")[0]
        return (la.attention_read(V, F, fq)[0] * C).sum()
    F, cF = la.phi_forward(X, "linear")
    fq, cq = la.phi_forward(Xq, "linear")
    dV, dF, dfq = la.attention_read_backward(C, la.attention_read(V, F, fq)[1])
    g = {"X": la.phi_backward(dF, cF), "Xq": la.phi_backward(dfq, cq), "V": dV}
    errs = check_gradients(loss, {"X": X, "Xq": Xq, "V": V}, g, eps=1e-4, richardson=True)
    assert max(errs.values()) < 1e-7, errs


@pytest.mark.parametrize("form", ["recurrent", "closed"])
def test_delta_rule_gradients(form):
    """Every input of the delta rule's write and read, W0 included for the recurrence, against
    central differences of a loss evaluated in extended precision."""
    rng = np.random.default_rng(5)
    X, Xq, V, beta = inputs(rng, "linear")
    W0 = rng.normal(size=(X.shape[1], V.shape[-1], X.shape[-1])) * 0.3
    C = rng.normal(size=(X.shape[1], V.shape[-1]))
    params = {"X": X, "Xq": Xq, "V": V, "beta": beta} | ({"W0": W0} if form == "recurrent" else {})

    def loss_at(P):
        F, fq = la.phi_forward(P["X"], "linear")[0], la.phi_forward(P["Xq"], "linear")[0]
        if form == "recurrent":
            y = la.delta_read(la.delta_write(P["V"], F, P["beta"], P["W0"])[0], fq)[0]
        else:
            y = la.delta_attention_read(P["V"], F, P["beta"], fq)[0]
        return (y * C).sum()
    base = loss_at({k: _ld(v) for k, v in params.items()})
    F, cF = la.phi_forward(X, "linear")
    fq, cq = la.phi_forward(Xq, "linear")
    if form == "recurrent":
        W, cw = la.delta_write(V, F, beta, W0)
        dW, dfq = la.delta_read_backward(C, la.delta_read(W, fq)[1])
        dV, dF, dbeta, dW0 = la.delta_write_backward(dW, cw)
    else:
        dV, dF, dbeta, dfq = la.delta_attention_read_backward(C, la.delta_attention_read(V, F, beta, fq)[1])
    g = {"X": la.phi_backward(dF, cF), "Xq": la.phi_backward(dfq, cq), "V": dV, "beta": dbeta}
    if form == "recurrent":
        g["W0"] = dW0
    errs = check_gradients(lambda: float(loss_at({k: _ld(v) for k, v in params.items()}) - base), params, g,
                           eps=1e-4, richardson=True)
    assert max(errs.values()) < 1e-8, errs


def test_orthogonal_keys_are_retrieved_exactly_up_to_the_feature_dimension():
    """With one-hot key features the sum rule returns every stored value (normalised read); with
    more keys than features two keys share a feature and their values blend."""
    p = 4
    F = np.eye(p)[:, None, :]                                   # T = 4 keys, B = 1
    V = np.eye(4)[:, None, :] * np.array([1.0, 2.0, 3.0, 4.0])[:, None, None]
    W, z = la.sum_memory(V, F)
    for i in range(p):
        assert np.allclose(la.sum_read(W, z, F[i]), V[i], atol=1e-5)
    F5 = np.concatenate([F, np.eye(p)[:1, None, :]])             # a fifth key on feature 0
    V5 = np.concatenate([V, np.zeros((1, 1, 4))])
    W, z = la.sum_memory(V5, F5)
    assert np.allclose(la.sum_read(W, z, F[0]), V[0] / 2, atol=1e-5)


def test_delta_rule_overwrites_where_the_sum_rule_blends():
    """Key a gets value 1, key b value 2, then key a value 3: with beta = 1 the delta rule reads
    3 for a and 2 for b; the sum rule reads the average (1 + 3) / 2 for a."""
    e = np.eye(3)
    F = np.stack([e[0], e[1], e[0]])[:, None, :]
    V = np.array([1.0, 2.0, 3.0])[:, None, None]                # scalar values (T, B = 1, n = 1)
    W, _ = la.delta_write(V, F, np.ones((3, 1)))
    assert np.allclose(la.delta_read(W, e[0][None])[0], 3.0, atol=1e-5)
    assert np.allclose(la.delta_read(W, e[1][None])[0], 2.0, atol=1e-5)
    Ws, z = la.sum_memory(V, F)
    assert np.allclose(la.sum_read(Ws, z, e[0][None]), 2.0, atol=1e-5)


def test_delta_transition_is_the_jacobian_of_one_write():
    """d vec(W_t) / d vec(W_{t-1}) is block-diagonal, one copy of M_t = I - beta kt kt^T per row
    of W (checked by central differences)."""
    rng = np.random.default_rng(6)
    n, p = 3, 5
    f, v, beta = rng.uniform(0.1, 1.0, p), rng.normal(size=n), 0.7

    def step(w):
        W = w.reshape(n, p)
        return la.delta_write(v[None, None], f[None, None], np.array([[beta]]), W[None])[0][0].ravel()
    J = numeric_jacobian(step, rng.normal(size=n * p))
    M = la.delta_transition(f[None, None], np.array([[beta]]))[0, 0]
    assert np.allclose(J, np.kron(np.eye(n), M), atol=1e-8)


def test_exponents_of_the_two_rules():
    """The sum rule's map is the identity: every exponent 0. Writing one key over and over
    contracts its direction by 1 - beta |kt|^2 per step and leaves the others at 0."""
    p, T = 4, 200
    f = np.array([1.0, 1.0, 0.0, 0.0])                           # kt = (1/2, 1/2, 0, 0), |kt|^2 = 1/2
    F = np.broadcast_to(f, (T, 1, p))
    for beta, expect in ((0.0, 0.0), (0.8, np.log(1 - 0.8 * 0.5))):
        # after 100 alignment steps the frame has found the contracting direction (0.6^100)
        lam = qr_spectrum(la.delta_transition(F, np.full((T, 1), beta)), n_transient=100)
        assert np.allclose(np.sort(lam[0]), np.sort([expect, 0.0, 0.0, 0.0]), atol=1e-12)
