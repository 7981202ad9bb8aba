"""The fully recurrent sigmoid net of the 1991 chunker papers, batched over independent runs.

Every non-input unit sees every input unit, every hidden unit and a bias, and all non-input units
update together, so a step maps (input u_s, hidden h_{s-1}) to (hidden h_s, outputs y_s):

    z_s = [u_s ; h_{s-1} ; 1]                     (R, K),  K = n_in + n_hid + 1
    [h_s ; y_s] = sigma(z_s W)                    W (R, K, n_hid + n_out), columns hidden first
    sigma(a) = 1 / (1 + exp(-a))

The outputs y_s sit beside h_s (they read h_{s-1}, not h_s) and do not feed back: they are the
net's predictions of what comes next. Errors are squared, E = 1/2 sum (y - target)^2 over the
components that have a target (mask 1), so the output delta is (y - target) mask y (1 - y).

Two gradients:
- ``truncated_grad``: the on-line gradient of one step's output error with the error propagated
  ``depth`` steps back into the past (Williams & Peng's truncated BPTT, the chunker papers' "3
  iterations of error propagation back into the past"): the output step's weights, then the
  steps that made h_{s-1}, ..., h_{s-depth}; h_{s-depth-1} counts as a constant. It equals the
  exact gradient of the loss re-computed from h_{s-depth-1} over the last depth + 1 steps
  (``window_loss``), which is what the finite-difference check differentiates.
- ``bptt``: the full gradient over a window of steps with an error at every step (the
  conventional epochwise BPTT, weights changed once per window).

``step_reference`` is the plain one-net, unit-by-unit step the batched ``step`` is tested against.
"""
import numpy as np


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def init(rng, R, n_in, n_hid, n_out, scale):
    """Weights U(-scale, scale) for R independent nets: (R, n_in + n_hid + 1, n_hid + n_out)."""
    return rng.uniform(-scale, scale, (R, n_in + n_hid + 1, n_hid + n_out))


def step(W, u, h):
    """One step of R nets. u (R, n_in), h (R, n_hid) -> h_new (R, n_hid), y (R, n_out), z (R, K)."""
    n_hid = h.shape[1]
    z = np.concatenate([u, h, np.ones((u.shape[0], 1))], axis=1)          # (R, K)
    a = sigmoid(np.matmul(z[:, None, :], W)[:, 0])                        # (R, n_hid + n_out)
    return a[:, :n_hid], a[:, n_hid:], z


def step_reference(W, u, h):
    """The same step for one net, unit by unit: W (K, n_hid + n_out), u (n_in,), h (n_hid,)."""
    n_hid = len(h)
    z = list(u) + list(h) + [1.0]
    act = []
    for j in range(W.shape[1]):
        net = 0.0
        for i, zi in enumerate(z):
            net += zi * W[i, j]
        act.append(1.0 / (1.0 + np.exp(-net)))
    return np.array(act[:n_hid]), np.array(act[n_hid:])


def output_delta(y, target, mask):
    """dE/d(net input) of the outputs for E = 1/2 sum mask (y - target)^2: (R, n_out)."""
    return (y - target) * mask * y * (1.0 - y)


def truncated_grad(W, zs, delta_out, n_in, depth):
    """Gradient of one output error, propagated ``depth`` steps into the past.

    W (R, K, n_hid + n_out); zs (R, depth + 1, K): the z of the last depth + 1 steps, oldest first
    (zs[:, -1] made the outputs whose delta is ``delta_out`` (R, n_out)); h_{s-j} is read from the
    hidden rows of zs[:, -j]. Returns dW (R, K, n_hid + n_out)."""
    R, n_out = delta_out.shape
    n_hid = W.shape[2] - n_out
    hid = slice(n_in, n_in + n_hid)
    # D[:, i] is the error at the net inputs of the step that read zs[:, i]: the outputs' for the
    # last step, the hidden units' for the depth steps before it
    D = np.zeros((R, depth + 1, n_hid + n_out))
    D[:, -1, n_hid:] = delta_out
    dh = np.matmul(W[:, hid, n_hid:], delta_out[:, :, None])[:, :, 0]     # dE/dh_{s-1} (R, n_hid)
    for j in range(1, depth + 1):
        h = zs[:, -j, hid]                                                # h_{s-j}
        # h_{s-j} = sigma(z_{s-j} W[:, :, :n_hid]): the error at its net input
        D[:, -j - 1, :n_hid] = dnet = dh * h * (1.0 - h)
        if j < depth:
            dh = np.matmul(W[:, hid, :n_hid], dnet[:, :, None])[:, :, 0]  # dE/dh_{s-j-1}
    # dW = sum_i z_i^T D_i, one batched product over the window
    return np.matmul(np.swapaxes(zs, 1, 2), D)


def window_loss(W, us, h_start, target, mask):
    """The loss ``truncated_grad`` differentiates, for one net (float64 checks): run the last
    depth + 1 steps from the constant state h_start (n_hid,) with inputs us (depth + 1, n_in) and
    score the last step's outputs. W (K, n_hid + n_out); target, mask (n_out,)."""
    h = h_start[None]
    for u in us:
        h, y, _ = step(W[None], u[None], h)
    return 0.5 * float(np.sum(mask * (y[0] - target) ** 2))


def bptt(W, us, h0, targets, masks):
    """Full BPTT over a window: us (T, R, n_in), h0 (R, n_hid) (a constant), targets, masks
    (T, R, n_out) for the outputs of each step. Returns (loss (R,), dW, h_T, ys (T, R, n_out))."""
    T, R, n_in = us.shape
    n_hid = h0.shape[1]
    hid = slice(n_in, n_in + n_hid)
    # the inputs' and the bias's share of every step's net input, in one product: (T, R, N)
    a_in = (np.matmul(us.transpose(1, 0, 2), W[:, :n_in]) + W[:, -1][:, None]).transpose(1, 0, 2)
    Wh = W[:, hid]                                                        # (R, n_hid, N)
    hs = np.empty((T, R, n_hid))
    ys = np.empty((T, R, W.shape[2] - n_hid))
    h = h0
    for t in range(T):
        a = sigmoid(a_in[t] + np.matmul(h[:, None, :], Wh)[:, 0])
        h = hs[t] = a[:, :n_hid]
        ys[t] = a[:, n_hid:]
    loss = 0.5 * np.sum(masks * (ys - targets) ** 2, axis=(0, 2))
    # the outputs do not feed back, so their deltas are known at once: (T, R, n_out)
    dnet_y = output_delta(ys, targets, masks)
    # their share of dE/dh_{t-1}, every t in one product: (T, R, n_hid)
    dh_y = np.matmul(dnet_y.transpose(1, 0, 2), np.swapaxes(W[:, hid, n_hid:], 1, 2)).transpose(1, 0, 2)
    dnet_h = np.zeros((T, h0.shape[0], n_hid))
    dh = np.zeros_like(h0)                       # dE/dh_t from the steps after t
    for t in range(T - 1, -1, -1):
        # h_t = sigma(z_t W[:, :, :n_hid]) with z_t = [u_t ; h_{t-1} ; 1]
        dnet_h[t] = dh * hs[t] * (1.0 - hs[t])
        dh = np.matmul(W[:, hid, :n_hid], dnet_h[t][:, :, None])[:, :, 0] + dh_y[t]   # dE/dh_{t-1}
    # dW = sum_t z_t^T [dnet_h_t ; dnet_y_t], one batched product over the window
    h_prev = np.concatenate([h0[None], hs[:-1]])
    Z = np.concatenate([us, h_prev, np.ones((T, R, 1))], axis=2).transpose(1, 0, 2)   # (R, T, K)
    D = np.concatenate([dnet_h, dnet_y], axis=2).transpose(1, 0, 2)       # (R, T, n_hid + n_out)
    return loss, np.matmul(np.swapaxes(Z, 1, 2), D), h, ys


def sequence_loss(W, us, h0, targets, masks):
    """The loss ``bptt`` differentiates, for the finite-difference check: (R,)."""
    h, ys = h0, []
    for u in us:
        h, y, _ = step(W, u, h)
        ys.append(y)
    return 0.5 * np.sum(masks * (np.stack(ys) - targets) ** 2, axis=(0, 2))


def state_jacobian(W, z, h_new, n_in):
    """dh_s/dh_{s-1} of the step that read z (R, K) and made h_new (R, n_hid): (R, n_hid, n_hid),
    J[r, i, j] = sigma'(net_i) W[r, n_in + j, i]."""
    n_hid = h_new.shape[1]
    Wh = W[:, n_in:n_in + n_hid, :n_hid]                                  # (R, from j, to i)
    return (h_new * (1.0 - h_new))[:, :, None] * np.swapaxes(Wh, 1, 2)
