"""Tests for shared/lyapunov.py against published reference exponents and exact identities
(natural logs; maps per iteration, flows per unit time). References: the logistic map at r = 4
has lambda = ln 2 exactly; Henon (a = 1.4, b = 0.3) and Lorenz (10, 28, 8/3) exponents from
J. C. Sprott, Chaos and Time-Series Analysis (2003), table of Lyapunov exponents; the sum of a
map's exponents equals the mean log |det J| (ln b for Henon)."""
import warnings

import numpy as np
import pytest

from shared import lyapunov
from shared.dynamics.flows import lorenz, lorenz_jac

LN2 = np.log(2.0)
HENON_A, HENON_B = 1.4, 0.3
LORENZ_S, LORENZ_R, LORENZ_B = 10.0, 28.0, 8.0 / 3.0  # the flows module's defaults
SPROTT_LORENZ = np.array([0.9056, 0.0, -14.5723])
SPROTT_HENON_L1 = 0.41922


# ---- systems: every f/jac works on (n,) and on a batch (B, n) ----

def logistic(r):
    """Logistic map x <- r x (1 - x); r a scalar or (B, 1) for one r per trajectory."""
    return (lambda x: r * x * (1.0 - x)), (lambda x: (r * (1.0 - 2.0 * x))[..., None])


def henon(x):
    return np.stack([1.0 - HENON_A * x[..., 0] ** 2 + x[..., 1], HENON_B * x[..., 0]], axis=-1)


def henon_jac(x):
    J = np.empty(x.shape + (2,))
    J[..., 0, 0], J[..., 0, 1] = -2.0 * HENON_A * x[..., 0], 1.0
    J[..., 1, 0], J[..., 1, 1] = HENON_B, 0.0
    return J


def sech2(a):
    """sech^2 from the pre-activation: 1 - tanh^2 would underflow to 0 for |a| >~ 19."""
    e = np.exp(-2.0 * np.abs(a))
    return 4.0 * e / (1.0 + e) ** 2


def tanh_net(g, W):
    """h <- tanh(g W h); Jacobian diag(sech^2(g W h)) g W."""
    return (lambda h: np.tanh(g * W @ h)), (lambda h: sech2(g * W @ h)[:, None] * (g * W))


def linear_map(eigenblocks, seed):
    """A = S blockdiag(eigenblocks) S^-1 with a random well-conditioned S."""
    n = sum(np.atleast_2d(b).shape[0] for b in eigenblocks)
    D, i = np.zeros((n, n)), 0
    for b in eigenblocks:
        b = np.atleast_2d(b)
        D[i:i + len(b), i:i + len(b)] = b
        i += len(b)
    S = np.eye(n) + 0.3 * np.random.default_rng(seed).standard_normal((n, n))
    return S @ D @ np.linalg.inv(S)


# ---- reference rows ----

def test_logistic_r4_is_ln2():
    f, jac = logistic(4.0)
    x0 = np.array([1.0 / np.sqrt(5.0)])
    # float orbits at r = 4 can collapse onto 0 (or hit 1/2, where f' = 0): check this one does not
    x, orbit = x0.copy(), []
    for _ in range(100 + 10_000):
        orbit.append(x[0])
        x = f(x)
    orbit = np.array(orbit)
    assert np.all((orbit > 0.0) & (orbit < 1.0) & (orbit != 0.5))
    lam = lyapunov.map_spectrum(f, jac, x0, 10_000, n_transient=100)
    assert lam.shape == (1,)
    assert abs(lam[0] - LN2) < 1e-3


def test_logistic_sign_batched_over_r():
    r = np.array([2.5, 3.4, 3.7, 4.0])[:, None]  # (B, 1): one r per trajectory
    f, jac = logistic(r)
    lam = lyapunov.map_spectrum(f, jac, np.full((4, 1), 0.3), 4000, n_transient=500)[:, 0]
    assert lam.shape == (4,)
    assert lam[0] < 0 and lam[1] < 0 and lam[2] > 0 and lam[3] > 0
    # stable fixed point, f' = 2 - r; stable 2-cycle, f'(x1) f'(x2) = 4 + 2r - r^2
    assert abs(lam[0] - np.log(0.5)) < 1e-9
    assert abs(lam[1] - 0.5 * np.log(abs(4 + 2 * 3.4 - 3.4 ** 2))) < 1e-9


def test_henon_top_exponent_and_sum():
    lam = lyapunov.map_spectrum(henon, henon_jac, np.array([0.1, 0.1]), 10_000, n_transient=200)
    assert abs(lam[0] - SPROTT_HENON_L1) < 0.015
    # det J = -b at every step, so the sum is ln b at any T
    assert abs(lam.sum() - np.log(HENON_B)) < 1e-9


def test_cat_map_exact():
    A = np.array([[2.0, 1.0], [1.0, 1.0]])
    lam = lyapunov.map_spectrum(lambda x: (A @ x) % 1.0, lambda x: A, np.array([0.1, 0.2]),
                                1000, n_transient=50)
    expected = np.log((3.0 + np.sqrt(5.0)) / 2.0)
    assert abs(expected - 0.9624236501) < 1e-10
    assert np.allclose(lam, [expected, -expected], rtol=0, atol=1e-10)
    assert abs(lam.sum()) < 1e-10


def test_linear_map_real_eigenvalues():
    A = linear_map([1.3, -0.7, 0.2], seed=1)
    # iterate only the tangent frame: the state of a growing linear map would overflow
    lam = lyapunov.map_spectrum(lambda x: x, lambda x: A, np.zeros(3), 500, n_transient=200)
    assert np.allclose(lam, np.log([1.3, 0.7, 0.2]), rtol=0, atol=1e-10)
    assert abs(lam.sum() - np.log(abs(np.linalg.det(A)))) < 1e-10


def test_linear_map_complex_pair():
    theta = 0.7
    rot = 0.8 * np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    A = linear_map([1.5, rot], seed=2)
    lam = lyapunov.map_spectrum(lambda x: x, lambda x: A, np.zeros(3), 500, n_transient=200)
    # the pair's individual finite-time exponents oscillate; their mean is exact
    assert abs(lam[0] - np.log(1.5)) < 1e-10
    assert abs(lam[1:].mean() - np.log(0.8)) < 1e-10
    assert abs(lam.sum() - np.log(abs(np.linalg.det(A)))) < 1e-10


@pytest.fixture(scope="module")
def lorenz_spectrum():
    # 50 time units of transient (state and frame), then T = 500, QR every 0.1 time units
    return lyapunov.flow_spectrum(lorenz, lorenz_jac, np.array([1.0, 1.0, 20.0]), 0.01, 50_000,
                                  n_transient=5000, qr_every=10)


def test_lorenz_reference(lorenz_spectrum):
    lam = lorenz_spectrum
    assert abs(lam[0] - SPROTT_LORENZ[0]) < 0.03
    assert abs(lam[1]) < 0.01
    assert abs(lam[2] - SPROTT_LORENZ[2]) < 0.04
    # tr J = -(sigma + 1 + beta); RK4's own O(dt^4) bias is ~1e-4 here
    assert abs(lam.sum() + (LORENZ_S + 1.0 + LORENZ_B)) < 1e-3
    assert abs(lyapunov.kaplan_yorke_dimension(lam) - 2.062) < 0.01


def test_lorenz_sum_equals_rk4_map_determinant():
    # exact identity for the discrete RK4 map: sum = mean ln|det M_t| / dt along the same orbit
    dt, x, Ms = 0.01, np.array([-5.0, -8.0, 22.0]), []
    for _ in range(2000):
        x, M = lyapunov.rk4_step(lorenz, lorenz_jac, x, dt)
        Ms.append(M)
    lam = lyapunov.qr_spectrum(Ms, dt=dt)
    mean_logdet = np.mean([np.linalg.slogdet(M)[1] for M in Ms]) / dt
    assert abs(lam.sum() - mean_logdet) < 1e-9
    # flow_spectrum wires the same RK4 tangent through the same QR
    lam_flow = lyapunov.flow_spectrum(lorenz, lorenz_jac, np.array([-5.0, -8.0, 22.0]), dt, 2000)
    assert np.allclose(lam_flow, lam, rtol=0, atol=1e-12)
    # diag(R2 R1) = diag(R2) diag(R1): fewer QRs give the same exponents up to rounding
    lam_blocks = lyapunov.flow_spectrum(lorenz, lorenz_jac, np.array([-5.0, -8.0, 22.0]), dt, 2000,
                                        qr_every=10)
    assert np.allclose(lam_blocks, lam, rtol=0, atol=1e-10)


def test_rk4_tangent_matches_finite_differences():
    x, dt, eps = np.array([1.0, 2.0, 20.0]), 0.01, 1e-6
    _, M = lyapunov.rk4_step(lorenz, lorenz_jac, x, dt)
    num = np.stack([(lyapunov.rk4_step(lorenz, lorenz_jac, x + eps * e, dt)[0]
                     - lyapunov.rk4_step(lorenz, lorenz_jac, x - eps * e, dt)[0]) / (2 * eps)
                    for e in np.eye(3)], axis=1)
    assert np.allclose(M, num, rtol=0, atol=1e-8)


def test_kaplan_yorke():
    assert abs(lyapunov.kaplan_yorke_dimension(SPROTT_LORENZ) - 2.062) < 1e-3
    assert lyapunov.kaplan_yorke_dimension([-2.0, 1.0]) == 1.5  # sorted first
    assert lyapunov.kaplan_yorke_dimension([-0.1, -1.0]) == 0.0
    assert lyapunov.kaplan_yorke_dimension([0.5, 0.0, -0.2]) == 3.0
    assert lyapunov.kaplan_yorke_dimension([1.0, 0.5, -2.0, -3.0]) == 2.75


# ---- random tanh network ----

def test_tanh_network_transition():
    N = 100
    W = np.random.default_rng(3).standard_normal((N, N)) / np.sqrt(N)
    h0 = np.random.default_rng(4).standard_normal(N)
    f, jac = tanh_net(0.5, W)
    lam_low = lyapunov.map_spectrum(f, jac, h0, 1000, k=1, n_transient=300)[0]
    # h -> 0, where J = g W: lambda_1 = ln(g rho(W)) and rho(W) ~ 1 for W ~ N(0, 1/N)
    rho = np.max(np.abs(np.linalg.eigvals(W)))
    assert abs(lam_low - np.log(0.5 * rho)) < 1e-3
    # looser against ln g itself: rho(W) of one N = 100 draw is 1 + O(N^-1/2) (here ln rho = 0.086)
    assert abs(lam_low - np.log(0.5)) < 0.15
    for g in (2.0, 3.0):
        f, jac = tanh_net(g, W)
        assert lyapunov.map_spectrum(f, jac, h0, 1000, k=2, n_transient=300)[0] > 0.05


def test_tanh_network_sum_identity_from_jacobian_list():
    N, g = 60, 2.0
    W = np.random.default_rng(5).standard_normal((N, N)) / np.sqrt(N)
    f, jac = tanh_net(g, W)
    h, Js = np.random.default_rng(6).standard_normal(N), []
    for _ in range(600):
        Js.append(jac(h))
        h = f(h)
    lam = lyapunov.qr_spectrum(Js, n_transient=100)
    mean_logdet = np.mean([np.linalg.slogdet(J)[1] for J in Js[100:]])
    assert lam.shape == (N,) and np.all(np.diff(lam) <= 0)
    assert abs(lam.sum() - mean_logdet) < 1e-9


# ---- qr_spectrum mechanics ----

def test_transient_jacobians_are_not_counted():
    A = linear_map([2.0, 0.5], seed=7)
    # the transient steps share A's eigenvectors (so they align the frame) but would add ln 1e3
    Js = [1e3 * A] * 50 + [A] * 300
    lam = lyapunov.qr_spectrum(Js, n_transient=50)
    assert np.allclose(lam, np.log([2.0, 0.5]), rtol=0, atol=1e-10)
    biased = lyapunov.qr_spectrum(Js)
    assert np.all(biased - np.log([2.0, 0.5]) > 0.5)
    # dt rescales to per unit time; a generator works like a list
    lam_dt = lyapunov.qr_spectrum((J for J in Js), n_transient=50, dt=0.1)
    assert np.allclose(lam_dt, 10.0 * lam, rtol=1e-12, atol=0)


def test_finite_time_exponent_is_growth_of_the_ordered_product():
    # a rank-1 transient step u v^T sets the k = 1 frame to u whatever the random start, so the
    # counted exponent is exactly ln(|J_T ... J_1 u| / |u|) / T; a transposed or reversed
    # product has the same exponents on an ergodic orbit, so only a finite sequence catches it
    rng = np.random.default_rng(11)
    u, v = rng.standard_normal(4), rng.standard_normal(4)
    Js = list(rng.standard_normal((30, 4, 4)))
    lam = lyapunov.qr_spectrum([np.outer(u, v)] + Js, k=1, n_transient=1)
    growth = np.linalg.norm(np.linalg.multi_dot(Js[::-1]) @ u) / np.linalg.norm(u)
    assert abs(lam[0] - np.log(growth) / 30) < 1e-12


def test_partial_spectrum_matches_full():
    Js = np.stack([henon_jac(x) for x in np.random.default_rng(8).uniform(-1, 1, (400, 2))])
    full = lyapunov.qr_spectrum(Js, n_transient=50)
    top = lyapunov.qr_spectrum(Js, k=1, n_transient=50)
    assert top.shape == (1,)
    assert abs(top[0] - full[0]) < 1e-12  # the first QR column does not see the others


def test_batched_equals_separate_calls():
    x0 = np.array([[0.1, 0.1], [0.3, -0.2], [-0.5, 0.4]])  # (B, n)
    batched = lyapunov.map_spectrum(henon, henon_jac, x0, 2000, n_transient=100)
    assert batched.shape == (3, 2)
    for b in range(3):
        single = lyapunov.map_spectrum(henon, henon_jac, x0[b], 2000, n_transient=100)
        assert np.allclose(batched[b], single, rtol=0, atol=1e-12)
    # an array (T, B, n, n) goes through qr_spectrum the same way
    Js = np.random.default_rng(9).standard_normal((300, 3, 4, 4))
    lam = lyapunov.qr_spectrum(Js, k=2)
    assert lam.shape == (3, 2)
    for b in range(3):
        assert np.allclose(lam[b], lyapunov.qr_spectrum(Js[:, b], k=2), rtol=0, atol=1e-12)


def test_batched_flow_equals_separate_calls():
    x0 = np.array([[1.0, 1.0, 20.0], [-3.0, 2.0, 25.0]])
    batched = lyapunov.flow_spectrum(lorenz, lorenz_jac, x0, 0.01, 300, n_transient=100, qr_every=10)
    for b in range(2):
        single = lyapunov.flow_spectrum(lorenz, lorenz_jac, x0[b], 0.01, 300, n_transient=100,
                                        qr_every=10)
        assert np.allclose(batched[b], single, rtol=0, atol=1e-12)


def test_qr_positive():
    A = np.random.default_rng(10).standard_normal((5, 6, 4))
    Q, R = lyapunov.qr_positive(A)
    assert Q.shape == (5, 6, 4) and R.shape == (5, 4, 4)
    assert np.allclose(Q @ R, A, atol=1e-12)
    assert np.allclose(np.swapaxes(Q, -1, -2) @ Q, np.eye(4), atol=1e-12)
    assert np.all(np.diagonal(R, axis1=-2, axis2=-1) > 0)


def test_singular_jacobian_gives_minus_inf_quietly():
    J = np.array([[2.0, 0.0], [0.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lam = lyapunov.qr_spectrum([J] * 10, n_transient=1)  # one step aligns the frame with e1
    assert abs(lam[0] - LN2) < 1e-12 and lam[1] == -np.inf


# ---- preconditions ----

@pytest.mark.parametrize("kwargs, jacobians, match", [
    ({"k": 0}, [np.eye(2)], "k must"),
    ({"k": 3}, [np.eye(2)], "k must"),
    ({}, [np.ones((2, 3))], "square"),
    ({}, [np.ones(4)], "square"),
    ({}, [np.eye(2), np.eye(3)], "changed at step 1"),
    ({}, [np.eye(2), np.eye(2), np.array([[1.0, np.nan], [0.0, 1.0]])], "step 2"),
    ({}, [np.eye(2), np.array([[np.inf, 0.0], [0.0, 1.0]])], "step 1"),
    ({}, [], "no Jacobians"),
    ({"n_transient": 2}, [np.eye(2)] * 2, "no Jacobians"),
    ({"n_transient": -1}, [np.eye(2)], "n_transient"),
    ({"dt": 0.0}, [np.eye(2)], "dt"),
])
def test_qr_spectrum_errors(kwargs, jacobians, match):
    with pytest.raises(ValueError, match=match):
        lyapunov.qr_spectrum(jacobians, **kwargs)


def test_map_and_flow_errors():
    with pytest.raises(ValueError, match="x0"):
        lyapunov.map_spectrum(henon, henon_jac, np.zeros((1, 1, 2)), 10)
    with pytest.raises(ValueError, match="n_steps"):
        lyapunov.map_spectrum(henon, henon_jac, np.zeros(2), 0)
    with pytest.raises(ValueError, match="jac"):
        lyapunov.map_spectrum(henon, lambda x: np.eye(3), np.zeros(2), 10)
    with pytest.raises(ValueError, match="step 1"):  # the state blows up; the error says when
        lyapunov.map_spectrum(lambda x: x * np.inf, lambda x: np.diag(x), np.ones(2), 10)
    with pytest.raises(ValueError, match="qr_every"):
        lyapunov.flow_spectrum(lorenz, lorenz_jac, np.ones(3), 0.01, 25, qr_every=10)
    with pytest.raises(ValueError, match="dt"):
        lyapunov.flow_spectrum(lorenz, lorenz_jac, np.ones(3), -0.01, 10)
    with pytest.raises(ValueError, match="spectrum"):
        lyapunov.kaplan_yorke_dimension([])
    with pytest.raises(ValueError, match="spectrum"):
        lyapunov.kaplan_yorke_dimension([0.1, np.nan])


def test_ensemble_spectrum_equals_separate_calls_and_floors_collapsed_directions():
    rng = np.random.default_rng(3)
    T, S, N, n = 12, 2, 3, 4
    J = rng.normal(0, 0.7, (T, S, N, n, n))
    # one trajectory loses a direction: its last exponent is -inf in exact arithmetic, in floats a
    # round-off-sized R diagonal (exactly 0 on some CPUs, ~1e-17 on others: LAPACK's SIMD paths)
    J[:, 1, 2, :, 0] = 0.0
    J[5, 0, 1] = 0.0                             # another is squashed to zero at one step: all -inf
    ex = lyapunov.ensemble_spectrum(J, k=6, floor=-50.0, n_transient=2)
    assert ex.shape == (S, N, n)                 # k is capped at n
    for s in range(S):
        for i in range(N):
            with np.errstate(divide="ignore"):
                want = np.maximum(lyapunov.qr_spectrum(J[:, s, i], n_transient=2), -50.0)
            np.testing.assert_allclose(ex[s, i], want, rtol=1e-12, atol=0)
    assert np.isfinite(ex).all()
    assert (ex[0, 1] == -50.0).all()             # exactly collapsed: recorded at the floor
    assert ex[1, 2, -1] <= -25.0                 # the lost direction: round-off level, or the floor


def test_cell_state_jacobian_places_the_blocks():
    rng = np.random.default_rng(4)
    C, R, cells = 2, 5, slice(1, 3)                  # r = [gate, y_c1, y_c2, gate, gate]
    dS_ds, dY_ds = np.diag([0.9, 0.8]), np.diag([0.3, 0.4])
    dS_dr, dY_dr = rng.normal(size=(3, C, R)), rng.normal(size=(3, C, R))
    dA = rng.normal(size=(3, R, R))
    J = lyapunov.cell_state_jacobian(dS_ds, dS_dr, dA, dY_ds, dY_dr, cells)
    assert J.shape == (3, C + R, C + R)
    np.testing.assert_array_equal(J[:, :C, :C], np.broadcast_to(dS_ds, (3, C, C)))
    np.testing.assert_array_equal(J[:, :C, C:], dS_dr)
    np.testing.assert_array_equal(J[:, C + 1:C + 3, :C], np.broadcast_to(dY_ds, (3, C, C)))
    np.testing.assert_array_equal(J[:, C + 1:C + 3, C:], dY_dr)
    for row in (0, 3, 4):                            # gate rows: dA, and nothing from s
        np.testing.assert_array_equal(J[:, C + row, C:], dA[:, row])
        np.testing.assert_array_equal(J[:, C + row, :C], 0.0)


def test_qr_backward_on_a_worked_case():
    """n = 8 columns pushed through 20 random linear steps; loss = sum of ln R_ii (the flossing
    loss's building block), differentiated w.r.t. the first step's input matrix."""
    rng = np.random.default_rng(3)
    mats = rng.standard_normal((20, 8, 8)) / np.sqrt(8)
    A0 = rng.standard_normal((8, 5))

    def loss(A):
        Q, total = A, 0.0
        for M in mats:
            Q, R = lyapunov.qr_positive(M @ Q)
            total += np.log(np.diag(R)).sum()
        return total

    Qs, Rs, Q = [], [], A0
    for M in mats:
        Q, R = lyapunov.qr_positive(M @ Q)
        Qs.append(Q)
        Rs.append(R)
    dQ = np.zeros_like(Qs[-1])
    for t in range(19, -1, -1):
        dR = np.diag(1 / np.diag(Rs[t]))
        dA = lyapunov.qr_backward(Qs[t], Rs[t], dQ, dR)
        dQ = mats[t].T @ dA
    num = np.zeros_like(A0)
    for idx in np.ndindex(A0.shape):
        e = np.zeros_like(A0)
        e[idx] = 1e-6
        num[idx] = (loss(A0 + e) - loss(A0 - e)) / 2e-6
    assert np.abs(dQ - num).max() < 1e-6 * max(1.0, np.abs(num).max())
