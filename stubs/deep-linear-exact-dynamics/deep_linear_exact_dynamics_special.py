"""Newman's closed form for the depth Lyapunov spectrum of i.i.d. Gaussian layers, and the
digamma/trigamma functions it needs (numpy has neither; no scipy in the catalog).

For W with i.i.d. N(0, 1/N) entries and any orthonormal frame Q, W Q is again i.i.d. Gaussian, so
the QR of W Q has independent R_ii^2 ~ chi^2_{N-i+1} / N (Bartlett's decomposition). Each layer
therefore adds ln R_ii with mean 1/2 [psi((N-i+1)/2) + ln(2/N)] and s.d. 1/2 sqrt(psi'((N-i+1)/2)),
whatever the depth: the expectation of the QR estimate is exact at any depth (Newman 1986).
"""
import numpy as np


def newman_spectrum(width):
    """E[lambda_i] of a product of i.i.d. N(0, 1/N) matrices, and the s.d. of one layer's ln R_ii
    (each R_ii^2 is chi^2 with N - i + 1 d.o.f. over N, by Bartlett's decomposition)."""
    k = width - np.arange(width)                                  # N - i + 1
    return 0.5 * (digamma(k / 2) + np.log(2 / width)), 0.5 * np.sqrt(trigamma(k / 2))


def digamma(x):
    """psi(x) for x > 0: recurrence up to x >= 8, then the asymptotic series."""
    x = np.asarray(x, dtype=float).copy()
    acc = np.zeros_like(x)
    while np.any(x < 8):
        small = x < 8
        acc[small] -= 1 / x[small]
        x[small] += 1
    inv2 = 1 / (x * x)
    return acc + np.log(x) - 0.5 / x - inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 / 252))


def trigamma(x):
    x = np.asarray(x, dtype=float).copy()
    acc = np.zeros_like(x)
    while np.any(x < 8):
        small = x < 8
        acc[small] += 1 / x[small] ** 2
        x[small] += 1
    inv = 1 / x
    return acc + inv + inv**2 / 2 + inv**3 / 6 - inv**5 / 30 + inv**7 / 42
