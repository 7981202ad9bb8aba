"""Lyapunov spectra by repeated QR (Benettin et al. 1980; Shimada & Nagashima 1979).

A frame Q of k tangent vectors is pushed through the Jacobians J_t = dh_{t+1}/dh_t and
re-orthonormalised at every step,

    J_t Q_t = Q_{t+1} R_t   (R_t upper triangular, positive diagonal),
    lambda_i = (1 / (T dt)) * sum_t ln R_t[i, i],

so lambda_1 >= ... >= lambda_k are the k leading exponents (natural logs; per iteration for maps,
per unit time for flows). Every function also takes a batch axis B of independent trajectories.

    lam = map_spectrum(henon, henon_jac, np.array([0.1, 0.1]), 10_000, n_transient=200)
    lam = flow_spectrum(lorenz, lorenz_jac, x0, 0.01, 50_000, n_transient=5_000, qr_every=10)
    lam = qr_spectrum(jacobians)                  # any iterable of (n, n) or (B, n, n)
    d = kaplan_yorke_dimension(lam)

The reference exponents the tests check against (logistic map at r = 4: ln 2; Henon map a = 1.4,
b = 0.3: lambda_1 = 0.41922; Lorenz sigma = 10, rho = 28, beta = 8/3: 0.9056, 0, -14.5723, from
Sprott's tables, Chaos and Time-Series Analysis, 2003) live in tests/test_lyapunov.py.
"""
import numpy as np


def qr_positive(A):
    """Reduced QR with a non-negative diagonal of R (unique for full-rank A).

    A: (..., n, k) with k <= n.  Returns Q (..., n, k), R (..., k, k).
    """
    Q, R = np.linalg.qr(A)
    # LAPACK leaves the signs free; flipping column i of Q and row i of R together keeps Q R = A
    s = np.where(np.diagonal(R, axis1=-2, axis2=-1) < 0, -1.0, 1.0)  # (..., k)
    return Q * s[..., None, :], R * s[..., :, None]


def qr_backward(Q, R, dQ, dR):
    """Gradient of a loss through the reduced QR A = Q R, given dL/dQ and dL/dR.

    A (..., n, k) with k <= n and full column rank; any sign convention for the diagonal of R
    (the signs are locally constant). With M = R dR^T - dQ^T Q and S the symmetric matrix that
    keeps M's lower triangle (diagonal included) and mirrors its strictly lower part upwards,
    dL/dA = (dQ + Q S) R^{-T}. ``dQ`` may be None (no loss on Q). Used by gradient flossing,
    whose loss depends on ln R_ii only (dR diagonal).
    """
    M = R @ np.swapaxes(dR, -1, -2)
    if dQ is not None:
        M = M - np.swapaxes(dQ, -1, -2) @ Q
    low = np.tril(M)
    S = low + np.swapaxes(np.tril(M, -1), -1, -2)
    B = Q @ S if dQ is None else dQ + Q @ S
    # (B R^{-T})^T = R^{-1} B^T: one batched solve with the upper-triangular R
    return np.swapaxes(np.linalg.solve(R, np.swapaxes(B, -1, -2)), -1, -2)


def _check_jacobian(J, t, shape):
    """Validate the t-th Jacobian against the first one's shape; return it as float64."""
    J = np.asarray(J, dtype=np.float64)
    if J.ndim not in (2, 3) or J.shape[-1] != J.shape[-2]:
        raise ValueError(f"Jacobian at step {t} must be square, (n, n) or (B, n, n); got {J.shape}")
    if shape is not None and J.shape != shape:
        raise ValueError(f"Jacobian shape changed at step {t}: {J.shape} != {shape} of step 0")
    if not np.all(np.isfinite(J)):
        raise ValueError(f"Jacobian at step {t} has non-finite entries (inf or nan)")
    return J


def qr_spectrum(jacobians, k=None, dt=1.0, n_transient=0, rng=None):
    """Leading k Lyapunov exponents from a sequence of Jacobians.

    jacobians:   iterable (list, generator, array (T, n, n) or (T, B, n, n)) of J_t, each
                 (n, n), or (B, n, n) for B trajectories at once; consumed lazily.
    k:           number of exponents, 1 <= k <= n (default n).
    dt:          time per Jacobian (1 for maps), so the result is per unit time.
    n_transient: the first n_transient Jacobians only align the frame and are not counted.
    rng:         seed or np.random.Generator for the initial frame (default seed 0).
    Returns exponents sorted descending, (k,) or (B, k). An exactly singular step gives -inf
    for the exponents it annihilates (no warning is raised).
    """
    if dt <= 0 or n_transient < 0:
        raise ValueError(f"need dt > 0 and n_transient >= 0, got dt={dt}, n_transient={n_transient}")
    rng = np.random.default_rng(0 if rng is None else rng)
    shape, Q, log_r, n_counted = None, None, None, 0
    for t, J in enumerate(jacobians):
        J = _check_jacobian(J, t, shape)
        if shape is None:
            shape, n = J.shape, J.shape[-1]
            k = n if k is None else k
            if not 1 <= k <= n:
                raise ValueError(f"k must satisfy 1 <= k <= n = {n}, got k={k}")
            # one frame shared by the whole batch, so a batched call equals B separate calls
            Q = qr_positive(rng.standard_normal((n, k)))[0]  # (n, k)
            Q = np.broadcast_to(Q, J.shape[:-2] + (n, k))  # (n, k) or (B, n, k)
            log_r = np.zeros(J.shape[:-2] + (k,))  # (k,) or (B, k)
        Q, R = qr_positive(J @ Q)
        if t >= n_transient:
            # ln 0 = -inf is the right limit for a collapsed direction; silence the warning
            with np.errstate(divide="ignore"):
                log_r += np.log(np.diagonal(R, axis1=-2, axis2=-1))
            n_counted += 1
    if n_counted == 0:
        n_seen = 0 if shape is None else t + 1
        raise ValueError(f"no Jacobians left to count: got {n_seen}, n_transient={n_transient}")
    # the QR order is already nearly descending; sorting makes it exact for finite T
    return -np.sort(-log_r / (n_counted * dt), axis=-1)


def cell_state_jacobian(dS_ds, dS_dr, dA, dY_ds, dY_dr, cell_cols):
    """Place the blocks of J(t) = dz(t)/dz(t-1) for a memory-cell net's state z = [s (C), r (R)].

    s are the cell states; r are the R unit activations fed back (gates and cell outputs), whose
    cell-output columns ``cell_cols`` (a slice of r) hold y_c = y_out h(s):

        J = [ ds/ds    ds/dr ]     rows of r: dA = d act(t)/d r(t-1), except the cell-output
            [ dr/ds    dr/dr ]     rows, which are dY_ds and dY_dr (dr/ds is zero elsewhere)

    Each stub derives the blocks from its own equations: dS_ds, dY_ds (..., C, C) or anything
    broadcastable (np.eye(C) when s(t) = s(t-1) + ...), dS_dr, dY_dr (..., C, R), dA (..., R, R).
    Returns (..., C + R, C + R).
    """
    C, R = dS_dr.shape[-2], dA.shape[-1]
    J = np.zeros(dA.shape[:-2] + (C + R, C + R))
    J[..., :C, :C] = dS_ds
    J[..., :C, C:] = dS_dr
    J[..., C:, C:] = dA
    gc = slice(C + cell_cols.start, C + cell_cols.stop)
    J[..., gc, :C] = dY_ds
    J[..., gc, C:] = dY_dr
    return J


def ensemble_spectrum(J, k, floor, n_transient=0):
    """Top exponents per step of S nets along N sequences each, from one batched QR iteration.

    J: (T, S, N, n, n) Jacobians of the state map (a seed axis, then a sequence axis).
    k: exponents wanted (at most n are returned). A direction squashed to exactly zero (a
    saturated unit) has exponent -inf; it is recorded at ``floor`` so that means stay finite.
    Returns (S, N, min(k, n)), descending.
    """
    T, S, N, n = J.shape[:4]
    ex = qr_spectrum(J.reshape(T, S * N, n, n), k=min(k, n), n_transient=n_transient)
    return np.maximum(ex, floor).reshape(S, N, -1)


def _check_state(x0, n_steps, n_transient):
    """Validate a (n,) or (B, n) initial state and step counts; return x0 as float64."""
    x0 = np.array(x0, dtype=np.float64)
    if x0.ndim not in (1, 2) or x0.shape[-1] < 1:
        raise ValueError(f"x0 must have shape (n,) or (B, n), got {x0.shape}")
    if n_steps < 1 or n_transient < 0:
        raise ValueError(f"need n_steps >= 1 and n_transient >= 0, got {n_steps}, {n_transient}")
    return x0


def _jac(jac, x):
    """jac(x) checked to be (n, n) for x (n,), or (B, n, n) for x (B, n)."""
    J = np.asarray(jac(x), dtype=np.float64)
    if J.shape != x.shape + x.shape[-1:]:
        raise ValueError(f"jac(x) must have shape {x.shape + x.shape[-1:]} for x {x.shape}, got {J.shape}")
    return J


def _map_jacobians(f, jac, x, n_total):
    """Yield jac(x_t) for t = 0 .. n_total - 1 along x_{t+1} = f(x_t)."""
    for _ in range(n_total):
        yield _jac(jac, x)
        x = np.asarray(f(x), dtype=np.float64)


def map_spectrum(f, jac, x0, n_steps, k=None, n_transient=0, rng=None):
    """Lyapunov exponents per iteration of the map x_{t+1} = f(x_t).

    f, jac:      x (n,) -> (n,) and (n, n); or vectorised, x (B, n) -> (B, n) and (B, n, n).
    x0:          (n,) or (B, n) initial state.
    n_steps:     counted iterations.
    n_transient: iterations discarded first; the frame is propagated and re-orthonormalised
                 during them, so it is aligned (not just the state) when counting starts.
    Returns (k,) or (B, k), sorted descending. See qr_spectrum for k and rng.
    """
    x0 = _check_state(x0, n_steps, n_transient)
    return qr_spectrum(_map_jacobians(f, jac, x0, n_transient + n_steps), k=k,
                       n_transient=n_transient, rng=rng)


def rk4_step(f, jac, x, dt):
    """One RK4 step of dx/dt = f(x) and its exact Jacobian (the tangent of the RK4 map).

    x: (n,) or (B, n).  Returns x_new (same shape) and M = d x_new / d x, (n, n) or (B, n, n).
    Each stage's tangent is jac(stage state) applied to that stage's tangent input, i.e. the
    variational equation integrated with the same stages as the state.
    """
    eye = np.eye(x.shape[-1])
    k1, K1 = f(x), _jac(jac, x)
    x2 = x + 0.5 * dt * k1
    k2, K2 = f(x2), _jac(jac, x2) @ (eye + 0.5 * dt * K1)
    x3 = x + 0.5 * dt * k2
    k3, K3 = f(x3), _jac(jac, x3) @ (eye + 0.5 * dt * K2)
    x4 = x + dt * k3
    k4, K4 = f(x4), _jac(jac, x4) @ (eye + dt * K3)
    x_new = x + dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    return x_new, eye + dt / 6.0 * (K1 + 2.0 * K2 + 2.0 * K3 + K4)


def _flow_jacobians(f, jac, x, dt, n_blocks, qr_every):
    """Yield the Jacobian of qr_every consecutive RK4 steps, n_blocks times."""
    for _ in range(n_blocks):
        M = np.eye(x.shape[-1])
        for _ in range(qr_every):
            x, M_step = rk4_step(f, jac, x, dt)
            M = M_step @ M  # chain rule, latest step on the left
        yield M


def flow_spectrum(f, jac, x0, dt, n_steps, k=None, n_transient=0, rng=None, qr_every=1):
    """Lyapunov exponents per unit time of the flow dx/dt = f(x), integrated with RK4.

    f, jac:      x (n,) -> dx/dt (n,) and df/dx (n, n); or vectorised over x (B, n).
    x0:          (n,) or (B, n) initial state.
    dt:          RK4 step; n_steps counted steps follow n_transient discarded ones (during which
                 the frame is propagated and re-orthonormalised but not counted).
    qr_every:    steps between re-orthonormalisations; keep exp((lambda_1 - lambda_k) dt
                 qr_every) far below 1/eps. Must divide n_steps and n_transient.
    Returns (k,) or (B, k), sorted descending. Cost is O(n^3) per step (full tangent matrix).
    """
    x0 = _check_state(x0, n_steps, n_transient)
    if dt <= 0 or qr_every < 1 or n_steps % qr_every or n_transient % qr_every:
        raise ValueError(f"need dt > 0 and qr_every >= 1 dividing n_steps and n_transient; got "
                         f"dt={dt}, qr_every={qr_every}, n_steps={n_steps}, n_transient={n_transient}")
    n_blocks = (n_transient + n_steps) // qr_every
    return qr_spectrum(_flow_jacobians(f, jac, x0, dt, n_blocks, qr_every), k=k, dt=dt * qr_every,
                       n_transient=n_transient // qr_every, rng=rng)


def kaplan_yorke_dimension(exponents):
    """Kaplan-Yorke (Lyapunov) dimension D = j + (lambda_1 + ... + lambda_j) / |lambda_{j+1}|.

    exponents: (n,) in any order; j is the largest count whose partial sum is non-negative.
    Returns 0.0 if lambda_1 < 0 and n if the total sum is non-negative.
    """
    lam = np.sort(np.asarray(exponents, dtype=np.float64).ravel())[::-1]
    if lam.size == 0 or np.any(np.isnan(lam)):
        raise ValueError(f"need a non-empty spectrum without nan, got {exponents!r}")
    partial = np.cumsum(lam)  # partial[j - 1] = lambda_1 + ... + lambda_j
    if lam[0] < 0:
        return 0.0
    if partial[-1] >= 0:
        return float(lam.size)
    # sorted descending, the partial sums are concave: non-negative up to j, negative after
    j = int(np.count_nonzero(partial >= 0))
    return float(j + partial[j - 1] / abs(lam[j]))
