"""The 1997 experiments' output layer: logistic units on [y_c, 1], read at each sequence's last step.

Experiments 4, 5 and 6 (adding-problem, multiplication-problem, temporal-order-3bit and -4bit)
put one or K logistic units on the cells' outputs (or on a baseline RNN's units) and score only
the last step of each sequence:

    y_k = sigma(sum_c v_kc y_c(last) + v_k0)          V (S, C+1): one output; V (S, K, C+1): K outputs

Shapes: yc (L, S, N, C) time-major, last (S, N) the index of each sequence's last step, the
features feat = [y_c(last), 1] (S, N, C+1); the output is (S, N) for one unit, (S, N, K) for K.
``backward`` takes dLoss/d net (the units' net inputs) and returns dV keyed like V and dLoss/dy_c
at the last step (S, N, C), what ``cell.grads_truncated`` and ``tanh_rnn.grads`` take.

Two forms of sigma agree to round-off: ``logistic`` (1 / (1 + exp(-z)), adding-problem's) and
``logistic_tanh`` ((1 + tanh(z/2)) / 2, the other stubs'); each stub keeps its form, since its
committed numbers depend on it. ``reference_readout`` and ``reference_backward`` are the plain
loops the tests hold the vectorised layer against.
"""
import numpy as np

from shared.lstm1997.cell import logistic


def logistic_tanh(z):
    """sigma(z) written through tanh: (1 + tanh(z/2)) / 2 (never overflows)."""
    return 0.5 + 0.5 * np.tanh(0.5 * z)


SQUASH = {"exp": logistic, "tanh": logistic_tanh}


def features(yc, last):
    """[y_c(last), 1] per sequence: yc (L, S, N, C), last (S, N) -> (S, N, C+1)."""
    S, N = last.shape
    si, ni = np.indices((S, N))
    return np.concatenate([yc[last, si, ni], np.ones((S, N, 1))], axis=-1)


def net_input(V, feat):
    """Net inputs of the output units: (S, N) for V (S, C+1), (S, N, K) for V (S, K, C+1)."""
    if V.ndim == 2:
        return np.einsum("snc,sc->sn", feat, V)
    return np.einsum("snc,skc->snk", feat, V)


def readout(V, yc, last, sigma=logistic_tanh):
    """The outputs at each sequence's last step and the features: y (S, N[, K]), feat (S, N, C+1)."""
    feat = features(yc, last)
    return sigma(net_input(V, feat)), feat


def backward(V, feat, d_net):
    """d_net = dLoss/d net, shaped like the output. Returns dV (like V) and dLoss/dy_c(last) (S, N, C)."""
    if V.ndim == 2:
        return np.einsum("sn,snc->sc", d_net, feat), d_net[..., None] * V[:, None, :-1]
    return np.einsum("snk,snc->skc", d_net, feat), np.einsum("snk,skc->snc", d_net, V[..., :-1])


def logistic_delta(y, dy):
    """dLoss/d net from dLoss/dy through y = sigma(net): dy sigma'(net) = dy y (1 - y)."""
    return dy * y * (1.0 - y)


# ----------------------------------------------------------------------------------------------
# The reference: one sequence and one unit at a time (what the tests compare the layer with)
# ----------------------------------------------------------------------------------------------
def _per_unit(V):
    """V as (S, K, C+1) whatever its form."""
    return V[:, None] if V.ndim == 2 else V


def reference_readout(V, yc, last):
    """y_k = sigma(sum_c v_kc y_c(last) + v_k0), written out with the exp form of sigma."""
    Vk = _per_unit(V)
    S, N = last.shape
    y = np.zeros((S, N, Vk.shape[1]))
    for s in range(S):
        for n in range(N):
            y_c = yc[last[s, n], s, n]
            for k in range(Vk.shape[1]):
                y[s, n, k] = 1.0 / (1.0 + np.exp(-(Vk[s, k, :-1] @ y_c + Vk[s, k, -1])))
    return y[..., 0] if V.ndim == 2 else y


def reference_backward(V, yc, last, d_net):
    """dV_kc = sum_n d_net_k y_c(last) (and the bias's: sum_n d_net_k); dy_c = sum_k d_net_k v_kc."""
    Vk = _per_unit(V)
    d = d_net[..., None] if V.ndim == 2 else d_net
    S, N = last.shape
    dV = np.zeros(Vk.shape)
    dyc = np.zeros((S, N, Vk.shape[2] - 1))
    for s in range(S):
        for n in range(N):
            u = np.append(yc[last[s, n], s, n], 1.0)
            for k in range(Vk.shape[1]):
                dV[s, k] += d[s, n, k] * u
                dyc[s, n] += d[s, n, k] * Vk[s, k, :-1]
    return (dV[:, 0] if V.ndim == 2 else dV), dyc
