"""shared.flossing: the batched flossing estimator against its plain reference and against
shared.lyapunov, the delayed-XOR targets (the QR backward rule it differentiates through is
tested with shared.lyapunov, in tests/test_lyapunov.py).

The flossing and BPTT gradients are checked against finite differences once, by maze-flossing's
--gradcheck (tests/test_stubs.py)."""
import numpy as np

from shared.flossing.floss import floss_forward, floss_forward_reference
from shared.flossing.rnn import rnn_init, xor_data
from shared.lyapunov import qr_positive, qr_spectrum


def test_batched_estimator_equals_the_plain_reference():
    """floss_forward over R = 3 runs equals the one-run, step-by-step reference with numpy's QR."""
    rng = np.random.default_rng(1)
    R, N, k, H, tr = 3, 9, 5, 40, 6
    p = rnn_init(rng, R, N, 2, 1.4, 0.1)
    u = rng.integers(0, 2, size=(H, R)).astype(float)
    Q0 = np.broadcast_to(qr_positive(rng.standard_normal((N, k)))[0], (R, N, k)).copy()
    lam = floss_forward(p, u, k, tr, Q0)[0]
    for r in range(R):
        ref = floss_forward_reference(p["J"][r], p["b"][r], p["ws"][r], p["x0"][r, 0], u[:, r], k, tr, Q0[r])
        assert np.allclose(lam[r], ref, rtol=1e-10, atol=1e-12), (r, lam[r], ref)
    assert np.all(np.diff(lam, axis=1) <= 1e-9)                   # the QR order gives descending exponents


def test_flossing_exponents_equal_qr_spectrum():
    """The differentiable estimator gives the same exponents as shared.lyapunov on
    the Jacobians D_n = diag(sech^2 h_n) J of the same driven trajectory."""
    rng = np.random.default_rng(0)
    p = rnn_init(rng, 1, 7, 2, 1.3, 0.1)
    u = rng.integers(0, 2, size=(30, 1)).astype(float)
    Q0 = qr_positive(rng.standard_normal((7, 7)))[0][None]
    lam, (h, _, _) = floss_forward(p, u, 7, 5, Q0)
    jacs = [(1 / np.cosh(h[n + 1, 0]) ** 2)[:, None] * p["J"][0] for n in range(30)]
    # same frame, same transient: accumulate ln R_ii from step 5 on
    Q, acc = Q0[0], np.zeros(7)
    for n, Jn in enumerate(jacs):
        Q, R = qr_positive(Jn @ Q)
        if n >= 5:
            acc += np.log(np.diag(R))
    assert np.allclose(lam[0], acc / 25, atol=1e-10)
    assert np.isclose(np.sum(lam[0]), np.mean([np.log(abs(np.linalg.det(J))) for J in jacs[5:]]), atol=1e-8)
    assert qr_spectrum(jacs, k=3, n_transient=5).shape == (3,)


def test_xor_targets():
    u, y, mask = xor_data(np.random.default_rng(0), 2, 3, 20, (2, 5))
    assert mask[:4, 0].sum() == 0 and mask[4:, 0].all() and mask[:10, 1].sum() == 0 and mask[10:, 1].all()
    t = 13
    assert np.array_equal(y[t, 1], (u[t - 5, 1] != u[t - 10, 1]).astype(float))
    assert np.array_equal(y[t, 0], (u[t - 2, 0] != u[t - 4, 0]).astype(float))
