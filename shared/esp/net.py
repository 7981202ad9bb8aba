"""The fully recurrent sigmoid network whose neurons ESP evolves.

H neurons, every one fed by the N_IN = 4 inputs (x/4.8, th1/0.52, th2/0.52 and a constant 1, the
bias) and by all H neurons' previous activations; neuron 0 is the output. One neuron's genome is
its row of weights, N_IN + H numbers: [input weights (4), recurrent weights (H)].

    a_t = W_in u_t + W_rec h_{t-1},   h_t = sigmoid(a_t),   output o_t = h_t[0]

Shapes: W (B, H, N_IN + H) (one network per row of the batch), u (B, 3), h (B, H).
"""
import numpy as np

N_IN = 4


def sigmoid(a):
    """Logistic function, written with tanh so that it never overflows (and stays analytic for
    complex-step derivatives)."""
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def forward(W, u, h):
    """One network step for B networks: returns (h_t (B, H), a_t (B, H)).

    The weighted sums are written as an elementwise product and a sum over the last axis, so a
    network's numbers do not depend on which other networks share its batch."""
    z = np.concatenate([u, np.ones(u.shape[:-1] + (1,), dtype=u.dtype), h], axis=-1)  # (B, 4 + H)
    a = (W * z[..., None, :]).sum(axis=-1)                                             # (B, H)
    return sigmoid(a), a


def forward_reference(W, u, h):
    """The same step for one network, neuron by neuron (W (H, 4 + H), u (3,), h (H,))."""
    H = W.shape[0]
    z = list(u) + [1.0] + list(h)
    a = [sum(W[i, j] * z[j] for j in range(N_IN + H)) for i in range(H)]
    return np.array([1.0 / (1.0 + np.exp(-v)) for v in a]), np.array(a)


def jacobian(W, a):
    """dh_t / dh_{t-1} = diag(sigmoid'(a_t)) W_rec: W (B, H, 4 + H), a (B, H) -> (B, H, H)."""
    s = sigmoid(a)
    return (s * (1.0 - s))[..., :, None] * W[..., :, N_IN:]
