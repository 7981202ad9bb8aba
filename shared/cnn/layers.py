"""Layers of a convolutional column, forward and hand-written backward, channels-last.

Each fast layer has a plain loop twin (``*_loop``) that reads like the definition:

    conv:     y[b, i, j, f] = bias[f] + sum_{u, v, c} x[b, i + u, j + v, c] K[u, v, c, f]
    max-pool: y[b, i, j, c] = max_{u, v < p} x[b, p i + u, p j + v, c]
    dense:    y[b, o] = bias[o] + sum_n x[b, n] W[n, o]
    act:      y = A tanh(S a), A = 1.7159, S = 2/3 (LeCun's scaled tanh)

Shapes: x (B, H, W, C); K (k, k, C, F); conv output (B, H-k+1, W-k+1, F); pool output
(B, H/p, W/p, C) (H and W divisible by p); dense x (B, N), W (N, O).
"""
import numpy as np
from numpy.lib.stride_tricks import as_strided

A_TANH, S_TANH = 1.7159, 2.0 / 3.0


# ---------------------------------------------------------------- convolution (im2col + GEMM)

def patches(x, k):
    """Strided view (B, Ho, Wo, k, k, C) of every k x k window of x (B, H, W, C); no copy."""
    B, H, W, C = x.shape
    s = x.strides
    return as_strided(x, (B, H - k + 1, W - k + 1, k, k, C), (s[0], s[1], s[2], s[1], s[2], s[3]),
                      writeable=False)


def conv_forward(x, K, bias):
    """x (B, H, W, C), K (k, k, C, F), bias (F,) -> y (B, Ho, Wo, F) and the cache."""
    k, F = K.shape[0], K.shape[3]
    B, H, W, _ = x.shape
    Ho, Wo = H - k + 1, W - k + 1
    cols = patches(x, k).reshape(B * Ho * Wo, -1)          # (B Ho Wo, k k C), one copy
    y = (cols @ K.reshape(-1, F) + bias).reshape(B, Ho, Wo, F)
    return y, (x.shape, cols, K)


def conv_backward(dy, cache, need_dx=True):
    """dy (B, Ho, Wo, F) -> (dx (B, H, W, C) or None, dK, dbias)."""
    xshape, cols, K = cache
    k, F = K.shape[0], K.shape[3]
    B, Ho, Wo, _ = dy.shape
    d2 = dy.reshape(-1, F)
    # y = cols K + bias  ->  dK = cols^T dy, dbias = sum dy, dcols = dy K^T
    dK = (cols.T @ d2).reshape(K.shape)
    dbias = d2.sum(0)
    if not need_dx:
        return None, dK, dbias
    dcols = (d2 @ K.reshape(-1, F).T).reshape(B, Ho, Wo, k, k, -1)
    dx = np.zeros(xshape, dy.dtype)
    for u in range(k):                                       # col2im: each window offset adds
        for v in range(k):                                   # its slice back where it was read
            dx[:, u:u + Ho, v:v + Wo, :] += dcols[:, :, :, u, v, :]
    return dx, dK, dbias


def conv_forward_loop(x, K, bias):
    """The definition, one output position at a time (reference for tests)."""
    k, F = K.shape[0], K.shape[3]
    B, H, W, _ = x.shape
    y = np.empty((B, H - k + 1, W - k + 1, F), x.dtype)
    for i in range(H - k + 1):
        for j in range(W - k + 1):
            win = x[:, i:i + k, j:j + k, :]                  # (B, k, k, C)
            for f in range(F):
                y[:, i, j, f] = bias[f] + (win * K[:, :, :, f]).sum(axis=(1, 2, 3))
    return y


def conv_backward_loop(x, K, dy):
    """dx, dK, dbias of the definition by explicit sums over output positions (reference)."""
    k = K.shape[0]
    _, Ho, Wo, F = dy.shape
    dx, dK = np.zeros_like(x), np.zeros_like(K)
    for i in range(Ho):
        for j in range(Wo):
            win = x[:, i:i + k, j:j + k, :]
            for f in range(F):
                g = dy[:, i, j, f][:, None, None, None]      # (B, 1, 1, 1)
                dK[:, :, :, f] += (g * win).sum(0)
                dx[:, i:i + k, j:j + k, :] += g * K[:, :, :, f]
    return dx, dK, dy.sum(axis=(0, 1, 2))


# ---------------------------------------------------------------- max-pooling (non-overlapping)

def pool_forward(x, p):
    """x (B, H, W, C) -> y (B, H/p, W/p, C), the max of each p x p block, and the cache."""
    B, H, W, C = x.shape
    if H % p or W % p:
        raise ValueError(f"max-pooling {p}: map {H}x{W} is not divisible")
    blocks = x.reshape(B, H // p, p, W // p, p, C).transpose(0, 1, 3, 5, 2, 4).reshape(
        B, H // p, W // p, C, p * p)
    arg = blocks.argmax(-1)                                  # the winner of each block
    y = np.take_along_axis(blocks, arg[..., None], -1)[..., 0]
    return y, (x.shape, p, arg)


def pool_backward(dy, cache):
    """dy (B, Ho, Wo, C) -> dx (B, H, W, C): each block's gradient goes to its winner only."""
    xshape, p, arg = cache
    B, Ho, Wo, C = dy.shape
    dblocks = np.zeros((B, Ho, Wo, C, p * p), dy.dtype)
    np.put_along_axis(dblocks, arg[..., None], dy[..., None], -1)
    return dblocks.reshape(B, Ho, Wo, C, p, p).transpose(0, 1, 4, 2, 5, 3).reshape(xshape)


def pool_forward_loop(x, p):
    """Max of each block, one block at a time (reference)."""
    B, H, W, C = x.shape
    y = np.empty((B, H // p, W // p, C), x.dtype)
    for i in range(H // p):
        for j in range(W // p):
            y[:, i, j, :] = x[:, p * i:p * i + p, p * j:p * j + p, :].max(axis=(1, 2))
    return y


def pool_backward_loop(x, p, dy):
    """Gradient to the first maximal entry of each block in row-major order (reference)."""
    dx = np.zeros_like(x)
    B, H, W, C = x.shape
    for b in range(B):
        for c in range(C):
            for i in range(H // p):
                for j in range(W // p):
                    blk = x[b, p * i:p * i + p, p * j:p * j + p, c]
                    u, v = np.unravel_index(np.argmax(blk), blk.shape)
                    dx[b, p * i + u, p * j + v, c] += dy[b, i, j, c]
    return dx


# ---------------------------------------------------------------- dense layer and activation

def dense_forward(x, W, bias):
    """x (B, N), W (N, O), bias (O,) -> y (B, O) and the cache."""
    return x @ W + bias, (x, W)


def dense_backward(dy, cache):
    """dy (B, O) -> dx (B, N), dW (N, O), dbias (O,)."""
    x, W = cache
    return dy @ W.T, x.T @ dy, dy.sum(0)


def dense_forward_loop(x, W, bias):
    y = np.empty((x.shape[0], W.shape[1]), x.dtype)
    for o in range(W.shape[1]):
        y[:, o] = bias[o] + (x * W[:, o]).sum(1)
    return y


def act_forward(a):
    """h = A tanh(S a), any shape; the output is its own cache."""
    h = A_TANH * np.tanh(S_TANH * a)
    return h, h


def act_backward(dh, h):
    # h = A tanh(S a)  ->  dh/da = S (A^2 - h^2) / A
    return dh * (S_TANH / A_TANH) * (A_TANH * A_TANH - h * h)
