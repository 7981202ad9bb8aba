"""The vanilla tanh RNN the 1997 LSTM stubs train beside the LSTM, as a baseline (exact BPTT).

The paper ran no such baseline on Experiments 4-6; the stubs add it on the same task, stream and
budget, to show what gradient-trained RNNs do at these lags. Written once here:

    h(t) = tanh(W^T [x(t), h(t-1), 1])        W (S, n_in + H + 1, H), h(0) = 0

Shapes: x (L, S, N, n_in) time-major with the seed axis after time. The cache of a forward pass is
U (L, S, N, D) = [x(t), h(t-1), 1] for every step and yc (L, S, N, H) = h(t) (named like the LSTM's
cell outputs, since the stubs' output layers read either). The output layer is each stub's; the
backward pass takes dE/dh at each sequence's last step and returns dE/dW.
"""
import numpy as np

from shared.ensemble import sum_outer


def init_weights(rng, S, n_in, n_hidden, scale=0.1):
    """W (S, n_in + H + 1, H) uniform in [-scale, scale]; the stub draws its output weights after."""
    return rng.uniform(-scale, scale, size=(S, n_in + n_hidden + 1, n_hidden))


def reference_step(W, x_t, h_prev):
    """One step as written: h(t) = tanh(sum_m w_mj u_m), u = [x(t), h(t-1), 1]."""
    u = np.concatenate([x_t, h_prev, np.ones(x_t.shape[:-1] + (1,))], axis=-1)
    return np.tanh(np.einsum("snd,sdh->snh", u, W))


def forward(W, x):
    """Run the S nets over x (L, S, N, n_in): one matmul of [x(t), h(t-1), 1] per step, written
    straight into next step's input rows. Works in W's dtype (float32 where a stub trains in it)."""
    L, S, N, nx = x.shape
    nh = W.shape[-1]
    U = np.zeros((L + 1, S, N, nx + nh + 1), dtype=W.dtype)   # U[t+1] receives h(t)
    U[:L, ..., :nx] = x
    U[..., -1] = 1.0
    z = np.empty((S, N, nh), dtype=W.dtype)
    for t in range(L):
        np.matmul(U[t], W, out=z)
        np.tanh(z, out=U[t + 1, ..., nx:nx + nh])
    return {"U": U[:L], "yc": U[1:, ..., nx:nx + nh]}


def forward_projected(W, x):
    """The same as ``forward``, with the input part x(t) W_x + bias computed for all steps first
    and only h(t-1) W_h in the loop (multiplication-problem's order of operations)."""
    L, S, N, nx = x.shape
    nh = W.shape[-1]
    XB = np.matmul(x, W[:, :nx]) + W[:, -1][:, None]            # (L, S, N, H)
    Wr = W[:, nx:nx + nh]
    hs = np.zeros((L + 1, S, N, nh))
    for t in range(L):
        z = hs[t + 1]
        np.matmul(hs[t], Wr, out=z)
        z += XB[t]
        np.tanh(z, out=z)
    U = np.concatenate([x, hs[:L], np.ones((L, S, N, 1))], axis=-1)
    return {"U": U, "yc": hs[1:]}


def grads(W, cache, dh_last, last):
    """Exact BPTT. dh_last (S, N, H) = dE/dh at each sequence's last step ``last`` (S, N), no error
    elsewhere. Returns dE/dW (S, D, H)."""
    U, hs = cache["U"], cache["yc"]
    L, nh = U.shape[0], hs.shape[-1]
    nx = U.shape[-1] - nh - 1
    W_rT = np.swapaxes(W[:, nx:nx + nh], 1, 2)                  # (S, H, H): dz(t) -> dh(t-1)
    dZ = np.zeros(hs.shape, dtype=hs.dtype)
    # every step's injected error and tanh' at once (the same products as one step at a time);
    # dh carries the dtype that dh + injected error would have
    inject = (last == np.arange(L)[:, None, None])[..., None] * dh_last   # (L, S, N, H)
    dh = np.zeros(hs.shape[1:], dtype=np.result_type(hs.dtype, inject.dtype))
    dtanh = 1.0 - hs ** 2
    for t in range(L - 1, -1, -1):
        np.add(dh, inject[t], out=dh)
        # h = tanh(z)
        np.multiply(dh, dtanh[t], out=dZ[t])
        np.matmul(dZ[t], W_rT, out=dh)                           # to h(t-1)
    return sum_outer(U, dZ)


def jacobians(W, cache):
    """J(t) = dh(t)/dh(t-1) = diag(1 - h(t)^2) W_h^T for t = 1..L-1: (L-1, S, N, H, H)."""
    hs = cache["yc"]
    nh = hs.shape[-1]
    nx = W.shape[1] - nh - 1
    return (1.0 - hs[1:] ** 2)[..., None] * np.swapaxes(W[:, nx:nx + nh], 1, 2)[None, :, None]
