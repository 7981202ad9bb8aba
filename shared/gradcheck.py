"""Finite-difference gradient checks.

    errs = check_gradients(lambda: loss_fn(params, data), params, grads)
    assert max(errs.values()) < 1e-6

Central differences in float64; relative error |a - n| / max(1e-12, |a| + |n|) per coordinate,
the largest per tensor reported. Parameters are perturbed in place and restored bit-exactly.

Recurrent nets have coordinates whose gradient is tiny (weights behind nearly closed gates);
there plain central differences are limited by round-off (~1e-16 |loss| / eps) and truncation
(~eps^2 times the third derivative), and the relative error of a correct gradient can exceed
1e-6. ``richardson=True`` combines the central differences at eps and eps/2 as
(4 D(eps/2) - D(eps)) / 3, cancelling the eps^2 term; with eps ~ 1e-3 both errors stay small.
Use TOLERANCE (1e-6) as the pass mark.

``complex_step_gradients`` is the round-off-free alternative for a loss written in operations
that extend to complex numbers (matmul, tanh, exp, polynomials; no abs, max or comparisons):
d loss / d w_i = Im loss(w + i h e_i) / h, exact to machine precision for any tiny h.
"""
import numpy as np

TOLERANCE = 1e-6


def check_gradients(loss, params, grads, eps=1e-6, n_samples=None, rng=None, richardson=False):
    """Compare analytic ``grads`` with central differences of ``loss()``.

    loss:      callable with no arguments returning a float; it must read the arrays in
               ``params`` (they are modified in place during the check).
    params:    dict name -> float64 array.
    grads:     dict with the same keys and shapes (the analytic gradient).
    n_samples: if given, check at most this many coordinates per tensor, chosen with ``rng``.
    richardson: extrapolate central differences at eps and eps/2 (error O(eps^4), not O(eps^2)).
    Returns dict name -> largest relative error over the checked coordinates.
    """
    if set(params) != set(grads):
        raise ValueError(f"params keys {sorted(params)} != grads keys {sorted(grads)}")
    rng = np.random.default_rng(0) if rng is None else rng
    errors = {}
    for name, p in params.items():
        g = np.asarray(grads[name])
        if not isinstance(p, np.ndarray) or p.dtype != np.float64:
            raise ValueError(f"{name}: gradient checks need float64 arrays, got "
                             f"{getattr(p, 'dtype', type(p).__name__)}")
        if g.shape != p.shape:
            raise ValueError(f"{name}: gradient shape {g.shape} != parameter shape {p.shape}")
        idx = np.arange(p.size)
        if n_samples is not None and n_samples < p.size:
            idx = rng.choice(p.size, size=n_samples, replace=False)
        flat = p.reshape(-1)  # a view: writes go to the caller's array
        if not np.shares_memory(flat, p):
            raise ValueError(f"{name}: parameter array must be contiguous to be perturbed in place")
        worst = 0.0
        for i in idx:
            if richardson:
                num = (4 * _central(loss, flat, i, eps / 2) - _central(loss, flat, i, eps)) / 3
            else:
                num = _central(loss, flat, i, eps)
            ana = float(g.reshape(-1)[i])
            worst = max(worst, abs(ana - num) / max(1e-12, abs(ana) + abs(num)))
        errors[name] = worst
    return errors


def _central(loss, flat, i, h):
    """(loss(w_i + h) - loss(w_i - h)) / 2h, restoring w_i to its exact original bits."""
    orig = flat[i]
    flat[i] = orig + h
    lp = float(loss())
    flat[i] = orig - h
    lm = float(loss())
    flat[i] = orig
    return (lp - lm) / (2 * h)


def complex_step_gradients(loss, params, grads):
    """Compare analytic ``grads`` with complex-step derivatives of ``loss(params)``.

    loss:   callable taking a dict name -> array (one of them complex during the check) and
            returning a scalar; it must be analytic in the parameters (see the module docstring).
    params: dict name -> float64 array (not modified).
    Returns dict name -> largest relative error, as ``check_gradients``.
    """
    h = 1e-30
    errors = {}
    for name, p in params.items():
        g = np.asarray(grads[name])
        if g.shape != p.shape:
            raise ValueError(f"{name}: gradient shape {g.shape} != parameter shape {p.shape}")
        num = np.empty(p.size)
        for i in range(p.size):
            pc = p.astype(np.complex128)
            pc.reshape(-1)[i] += 1j * h
            num[i] = np.imag(loss({**params, name: pc})) / h
        errors[name] = rel_error(g.reshape(-1), num)
    return errors


def numeric_jacobian(step, z0, eps=1e-6):
    """Central-difference Jacobian of ``step`` (a map of the last axis) at ``z0``.

    ``z0`` is ``(..., n)``; ``step(z)`` returns ``(..., m)`` with the same leading axes (a batch of
    independent states). Returns ``(..., m, n)`` with ``J[..., i, j] = d step_i / d z_j``, the layout
    ``shared.lyapunov.qr_spectrum`` takes. Used to check each stub's hand-written Jacobians.
    """
    z0 = np.asarray(z0, dtype=np.float64)
    n = z0.shape[-1]
    cols = []
    for j in range(n):
        e = np.zeros(n)
        e[j] = eps
        cols.append((np.asarray(step(z0 + e)) - np.asarray(step(z0 - e))) / (2 * eps))
    return np.stack(cols, axis=-1)


def rel_error(a, b):
    """Largest elementwise |a - b| / max(1e-12, |a| + |b|): the check's measure, for comparing two
    implementations of the same quantity (e.g. a truncated gradient in closed form and step by step)."""
    a, b = np.asarray(a), np.asarray(b)
    return float(np.max(np.abs(a - b) / np.maximum(1e-12, np.abs(a) + np.abs(b))))
