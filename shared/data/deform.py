"""Affine and elastic deformations of 28 x 28 digit images, vectorised over a batch (numpy only).

Each image is resampled at source coordinates s(p) for every output pixel p = (x, y) (x the
column, y the row, both from 0; c = 13.5 the image centre):

    s(p) = M (p - c) + c + alpha * (G u_x G^T, G u_y G^T)(p)

- M = R(theta) H(phi) diag(1/s_x, 1/s_y): a rotation by theta and a horizontal shear by angle
  phi, both drawn from [-beta, beta], and horizontal and vertical scaling by s_x, s_y drawn from
  [1 - gamma/100, 1 + gamma/100] (Cireşan et al. 2010). Writing the map from output to
  source makes every output pixel exactly one bilinear read.
- The elastic field (Simard, Steinkraus & Platt 2003, section 2): u_x, u_y uniform in [-1, 1] per
  pixel, smoothed by a Gaussian of width sigma (G, a 28 x 28 matrix: the smoothing is separable,
  so one matmul over rows and one over columns; the field is zero outside the image) and scaled
  by alpha.
- Bilinear interpolation of the four neighbours of s(p), reading 0 outside the image.

The settings used by Cireşan et al. (beta 15 degrees, 7.5 for the digits 1 and 7; gamma 15-20;
sigma 5-6; alpha 36-38) are the defaults of ``Deformation``; a stub states where it read them.
"""
from dataclasses import dataclass

import numpy as np

SIZE = 28
CENTRE = (SIZE - 1) / 2.0


@dataclass(frozen=True)
class Deformation:
    """One deformation recipe. beta, beta_narrow: largest rotation / shear angle in degrees
    (beta_narrow for the digits in ``narrow``); gamma: largest scaling in percent; sigma, alpha:
    the elastic field's smoothing width (pixels) and strength."""
    beta: float = 15.0
    beta_narrow: float = 7.5
    narrow: tuple = (1, 7)
    gamma: float = 15.0
    sigma: float = 6.0
    alpha: float = 36.0


def gaussian_matrix(sigma, n=SIZE):
    """G (n, n) with G[i, j] = N(i - j; 0, sigma^2): G @ f smooths f along its first axis with a
    unit-mass Gaussian and zero padding (the field is taken as zero outside the image)."""
    d = np.arange(n)[:, None] - np.arange(n)[None, :]
    return np.exp(-0.5 * (d / sigma) ** 2) / (np.sqrt(2 * np.pi) * sigma)


def elastic_fields(rng, n_images, sigma, alpha, n=SIZE):
    """Displacements (dx, dy), each (N, n, n): alpha * G u G^T with u uniform in [-1, 1]."""
    G = gaussian_matrix(sigma, n).astype(np.float32)
    u = rng.uniform(-1.0, 1.0, (2, n_images, n, n)).astype(np.float32)
    # G u G^T as two plain GEMMs (one over columns, one over rows), much faster than a batched
    # matmul of 28 x 28 blocks
    a = (u.reshape(-1, n) @ G.T).reshape(2, n_images, n, n)                 # u G^T
    smooth = (a.transpose(0, 1, 3, 2).reshape(-1, n) @ G.T).reshape(2, n_images, n, n)
    smooth = smooth.transpose(0, 1, 3, 2)                                   # G u G^T
    return alpha * smooth[0], alpha * smooth[1]


def affine_matrices(rng, labels, d):
    """M (N, 2, 2) mapping output offsets from the centre to source offsets, one per image."""
    n = len(labels)
    beta = np.where(np.isin(labels, d.narrow), d.beta_narrow, d.beta)
    theta = np.radians(rng.uniform(-1.0, 1.0, n) * beta)
    phi = np.radians(rng.uniform(-1.0, 1.0, n) * beta)
    g = d.gamma / 100.0
    sx, sy = rng.uniform(1 - g, 1 + g, n), rng.uniform(1 - g, 1 + g, n)
    c, s = np.cos(theta), np.sin(theta)
    R = np.stack([np.stack([c, -s], -1), np.stack([s, c], -1)], -2)          # (N, 2, 2)
    H = np.zeros((n, 2, 2))
    H[:, 0, 0], H[:, 0, 1], H[:, 1, 1] = 1.0, np.tan(phi), 1.0              # x' = x + tan(phi) y
    S = np.zeros((n, 2, 2))
    S[:, 0, 0], S[:, 1, 1] = 1.0 / sx, 1.0 / sy
    return R @ H @ S


def source_coords(M, dx=None, dy=None, n=SIZE):
    """Source x, y (N, n, n) of every output pixel under M (N, 2, 2) plus the displacements."""
    yy, xx = np.mgrid[0:n, 0:n].astype(np.float32) - CENTRE
    M = M.astype(np.float32)
    x = M[:, 0, 0, None, None] * xx + M[:, 0, 1, None, None] * yy + CENTRE
    y = M[:, 1, 0, None, None] * xx + M[:, 1, 1, None, None] * yy + CENTRE
    if dx is not None:
        x, y = x + dx, y + dy
    return x, y


def bilinear(images, x, y):
    """images (N, n, n) read at (x, y) (N, n, n) by bilinear interpolation, 0 outside the image.

    The images are padded by two zero pixels on each side and the coordinates clipped to
    [-1, n]: a point beyond the border then reads only zeros, with no per-pixel masks."""
    N, n = images.shape[0], images.shape[1]
    P = n + 4
    pad = np.zeros((N, P, P), np.float32)
    pad[:, 2:-2, 2:-2] = images
    x = np.clip(x, -1.0, float(n))
    y = np.clip(y, -1.0, float(n))
    x0, y0 = np.floor(x), np.floor(y)
    fx, fy = (x - x0).astype(np.float32), (y - y0).astype(np.float32)
    base = (np.arange(N)[:, None, None] * P * P + (y0.astype(np.int64) + 2) * P
            + (x0.astype(np.int64) + 2))                                   # top-left corner
    flat = pad.reshape(-1)
    top = (1 - fx) * flat[base] + fx * flat[base + 1]
    bottom = (1 - fx) * flat[base + P] + fx * flat[base + P + 1]
    return (1 - fy) * top + fy * bottom


def deform(images, labels, rng, d=Deformation(), chunk=5000):
    """Deformed copies (N, 28, 28) float32 of ``images`` (N, 28, 28) (any scale), each with its
    own affine map and elastic field drawn from ``rng``; processed ``chunk`` images at a time."""
    out = np.empty(images.shape, np.float32)
    for i in range(0, len(images), chunk):
        sl = slice(i, i + chunk)
        M = affine_matrices(rng, labels[sl], d)
        dx, dy = elastic_fields(rng, len(M), d.sigma, d.alpha, images.shape[1])
        x, y = source_coords(M, dx, dy, images.shape[1])
        out[sl] = bilinear(images[sl].astype(np.float32), x, y)
    return out
