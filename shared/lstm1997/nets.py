"""The nets of the 1997 experiments 4-6, whole: a recurrent core with the last-step output layer.

adding-problem, multiplication-problem, temporal-order-3bit and temporal-order-4bit train the
1997 memory-block net (cell.py) and a tanh RNN baseline (tanh_rnn.py), each with logistic units
on [y_c(last), 1] (output.py). A net is one object with the functions the stubs call:

    net = nets.BlocksNet(cell.Blocks(2, 2, 2), forward=cell.forward_folded, squash="exp")
    p = net.init(rng, S, in_bias=[-3.0, -6.0])     # {"W": (S, D, H), "V": (S, C+1) or (S, K, C+1)}
    cache = net.forward(p, x)                      # x (L, S, N, n_in)
    y, feat = net.readout(p, cache, last)          # last (S, N): each sequence's last step
    g = net.grads(p, cache, last, dy)              # what it trains with: the paper's truncated
                                                   # gradient (BlocksNet), exact BPTT (TanhNet)
    g = net.exact_grads(p, cache, last, dy)        # exact BPTT (for the gradient checks)
    J = net.jacobians(p, cache)                    # dz(t)/dz(t-1), for the Lyapunov spectra

dy = dLoss/dy is shaped like y. Which fast forward pass a stub uses and which form of sigma its
output has stay the stub's choice (arguments here), since its committed numbers depend on them.
Also here: the outputs of S nets on a test set shared by all of them (``last_outputs``) and the
finite-time Lyapunov spectrum over a window of steps (``spectrum``), and the two gradient checks
the four stubs run (``check_exact``: exact BPTT against finite differences; ``check_truncation``:
the truncated gradient's closed form against the step-by-step truncated BPTT, and against
complex-step derivatives of the frozen-activation pass, ``check_frozen``).
"""
import numpy as np

from shared.ensemble import per_seed, seed_chunks
from shared.gradcheck import check_gradients, complex_step_gradients, rel_error
from shared.lstm1997 import cell, output, tanh_rnn
from shared.lyapunov import ensemble_spectrum


class _LastStepNet:
    """What both nets share: the output layer on the core's ``yc`` at each sequence's last step."""

    def __init__(self, n_units, n_out, squash):
        self.n_out, self.sigma = n_out, output.SQUASH[squash]
        self.v_shape = (n_units + 1,) if n_out is None else (n_out, n_units + 1)

    def n_output_weights(self):
        return int(np.prod(self.v_shape))

    def draw_V(self, rng, S, scale):
        return rng.uniform(-scale, scale, size=(S,) + self.v_shape)

    def readout(self, p, cache, last):
        """y (S, N) for one output unit, (S, N, K) for K; features (S, N, C+1)."""
        return output.readout(p["V"], cache["yc"], last, self.sigma)

    def output_grads(self, p, cache, last, dy):
        """dV and dLoss/dy_c(last) from dy = dLoss/dy, through the logistic units."""
        y, feat = self.readout(p, cache, last)
        return output.backward(p["V"], feat, output.logistic_delta(y, dy))


class BlocksNet(_LastStepNet):
    """The 1997 memory-block net (cell.Blocks) with logistic outputs on its cells.

    n_out None: one output unit, V (S, C+1); else n_out units, V (S, n_out, C+1).
    forward: cell.forward (per-seed matmuls) or cell.forward_folded (block-diagonal, unit-major).
    """

    def __init__(self, blocks, n_out=None, forward=cell.forward, squash="tanh"):
        super().__init__(blocks.C, n_out, squash)
        self.blocks, self._forward = blocks, forward

    def n_weights(self):
        return self.blocks.n_weights() + self.n_output_weights()

    def init(self, rng, S, scale=0.1, in_bias=None, forget_bias=None):
        """W from the core (U[-scale, scale], gate biases as given), then V, U[-scale, scale]."""
        W = cell.init_weights(self.blocks, rng, S, scale=scale, in_bias=in_bias, forget_bias=forget_bias)
        return {"W": W, "V": self.draw_V(rng, S, scale)}

    def forward(self, p, x):
        """The core's cache U, act, s, yc (see shared/lstm1997/cell.py)."""
        return self._forward(self.blocks, p["W"], x)

    def grads(self, p, cache, last, dy):
        """The paper's truncated gradient (Appendix A.1; the core's closed form)."""
        dV, dyc = self.output_grads(p, cache, last, dy)
        return {"W": cell.grads_truncated(self.blocks, cache, dyc, last), "V": dV}

    def grads_bptt(self, p, cache, last, dy, truncate=False):
        """Step-by-step BPTT (the core's): exact, or truncate=True to check the closed form."""
        dV, dyc = self.output_grads(p, cache, last, dy)
        return {"W": cell.grads_bptt(self.blocks, p["W"], cache, dyc, last, truncate=truncate), "V": dV}

    def exact_grads(self, p, cache, last, dy):
        return self.grads_bptt(p, cache, last, dy)

    def jacobians(self, p, cache):
        """dz(t)/dz(t-1) for z = [s (C), r (H)]: (L-1, S, N, C+H, C+H)."""
        return cell.jacobians(self.blocks, p["W"], cache)


class TanhNet(_LastStepNet):
    """The tanh RNN baseline h(t) = tanh(W^T [x(t), h(t-1), 1]) with logistic outputs on h.

    forward: tanh_rnn.forward (one matmul of [x, h, 1] per step, in W's dtype) or
    tanh_rnn.forward_projected (the input part for all steps first).
    """

    def __init__(self, n_in, n_hidden, n_out=None, forward=tanh_rnn.forward, squash="tanh"):
        super().__init__(n_hidden, n_out, squash)
        self.n_in, self.n_hidden, self._forward = n_in, n_hidden, forward

    def n_weights(self):
        return (self.n_in + self.n_hidden + 1) * self.n_hidden + self.n_output_weights()

    def init(self, rng, S, scale=0.1):
        return {"W": tanh_rnn.init_weights(rng, S, self.n_in, self.n_hidden, scale=scale),
                "V": self.draw_V(rng, S, scale)}

    def forward(self, p, x):
        """The core's cache U (L, S, N, D) and yc = h (L, S, N, H)."""
        return self._forward(p["W"], x)

    def backward(self, p, cache, last, d_net):
        """Exact BPTT from d_net = dLoss/d net of the output units at each sequence's last step
        (a softmax's too). dV comes back in the cache's dtype (float32 where a stub trains in it)."""
        dV, dh_last = output.backward(p["V"], output.features(cache["yc"], last), d_net)
        return {"W": tanh_rnn.grads(p["W"], cache, dh_last, last), "V": dV.astype(cache["U"].dtype)}

    def grads(self, p, cache, last, dy):
        """Exact BPTT (the core's) from dy = dLoss/dy."""
        y, _ = self.readout(p, cache, last)
        return self.backward(p, cache, last, output.logistic_delta(y, dy))

    exact_grads = grads

    def jacobians(self, p, cache):
        """dh(t)/dh(t-1): (L-1, S, N, H, H)."""
        return tanh_rnn.jacobians(p["W"], cache)


# ----------------------------------------------------------------------------------------------
# Evaluation and the Lyapunov fingerprint of trained nets
# ----------------------------------------------------------------------------------------------
def last_outputs(net, p, x, length, chunk):
    """Outputs of the S nets at each sequence's last step on a test set x (L, 1, N, n_in) shared by
    all of them, length (1, N); ``chunk`` sequences at a time. Returns (S, N) or (S, N, K)."""
    S = p["W"].shape[0]
    ys = [net.readout(p, net.forward(p, xb), last)[0] for xb, last in seed_chunks(x, length, S, chunk)]
    return np.concatenate(ys, axis=1)


LYAP_FLOOR = -50.0      # per step: a direction squashed to exactly zero is recorded at this floor


def spectrum(net, p, x, t0, t1, k=6, n_transient=10):
    """Finite-time Lyapunov exponents per step over steps [t0, t1) along x (L, 1, N, n_in), shared
    by the S nets. Returns (S, N, k); a saturated direction (exponent -inf) at LYAP_FLOOR."""
    xb = per_seed(x[:t1], p["W"].shape[0])
    J = net.jacobians(p, net.forward(p, xb))[t0 - 1:t1 - 1]        # maps into steps t0 .. t1-1
    return ensemble_spectrum(J, k, LYAP_FLOOR, n_transient)


# ----------------------------------------------------------------------------------------------
# Gradient checks (float64)
# ----------------------------------------------------------------------------------------------
def check_batch(rng, n_in, n_out=None, T=5, S=2, N=3):
    """Short dense random sequences for the exact-gradient checks: x (T, S, N, n_in) ~ N(0, 1),
    targets U[0, 1] shaped like the output ((S, N), or (S, N, n_out)), every sequence ending at
    step T-1 but one, which ends at T-2. Returns x, target, last."""
    x = rng.normal(size=(T, S, N, n_in))
    target = rng.uniform(size=(S, N) if n_out is None else (S, N, n_out))
    last = np.full((S, N), T - 1)
    last[0, 0] = T - 2                                         # one sequence ends early
    return x, target, last


def check_exact(name, net, p, x, target, last):
    """Exact BPTT against central differences with Richardson extrapolation, on the squared error
    E = 1/2 sum (y - target)^2 at the last steps. ``net`` needs forward, readout and exact_grads."""
    def loss():
        y, _ = net.readout(p, net.forward(p, x), last)
        return 0.5 * np.sum((y - target) ** 2)
    cache = net.forward(p, x)
    y, _ = net.readout(p, cache, last)
    g = net.exact_grads(p, cache, last, y - target)
    return {f"{name} exact BPTT vs finite differences: {k}": v
            for k, v in check_gradients(loss, p, g, eps=1e-3, richardson=True).items()}


def check_truncation(name, net, p, x, target, last, rng):
    """The truncated gradient's closed form against the step-by-step truncated BPTT and against
    ``check_frozen`` (plain finite differences would measure the full gradient), with W moved
    away from the tiny initial weights first (by U[-0.5, 0.5] drawn from ``rng``)."""
    p["W"] += rng.uniform(-0.5, 0.5, size=p["W"].shape)
    cache = net.forward(p, x)
    y, _ = net.readout(p, cache, last)
    a = net.grads(p, cache, last, y - target)
    b = net.grads_bptt(p, cache, last, y - target, truncate=True)
    errs = {f"{name} truncated: closed form vs step-by-step: {k}": rel_error(a[k], b[k]) for k in a}
    return errs | check_frozen(name, net, p, x, target, last, cache, a)


def check_frozen(name, net, p, x, target, last, cache, grads):
    """The truncated gradient ``grads`` against complex-step derivatives of the squared error on
    the frozen-activation forward pass (cell.frozen_forward: every step's r(t-1) held at this
    run's, the cell states carried): the truncation's definition, checked independently of its
    code, to round-off (central differences lose the tiny coordinates behind closed gates)."""
    blocks, r_frozen = net.blocks, cell.carried_activations(net.blocks, cache)

    def loss(q):
        y, _ = net.readout(q, cell.frozen_forward(blocks, q["W"], x, r_frozen), last)
        return 0.5 * np.sum((y - target) ** 2)
    return {f"{name} truncated vs derivatives of the frozen-activation pass: {k}": v
            for k, v in complex_step_gradients(loss, p, grads).items()}
