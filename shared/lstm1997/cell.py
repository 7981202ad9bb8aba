"""The 1997 memory-block LSTM: layout, reference step, fast forward passes, gradients, Jacobians.

See the package docstring for the equations. Shapes, once: x (L, S, N, n_in) time-major with the
seed axis after time; W (S, D, H) with rows u = [x(t) (n_in), r(t-1) (H), 1] (no 1 with
``Blocks(bias=False)``) and columns [input gates (B) | forget gates (B, only with forget=True) |
cell inputs (C) | output gates (B)] (SPEC.md's i, f, g, o order); the carried activations
r (S, N, H) use the same column order, with the cell columns holding y_c. Inputs may also be
symbols, x (L, S, N) integers: a one-hot input given by its index, whose product with W is a row
lookup (noise-free-long-lag's 2c net reads its symbols so). Every forward pass but
``forward_last`` (evaluation only, it keeps none) returns the same cache:

    U   (L, S, N, D)    unit inputs [x(t), r(t-1), 1] of every step (no 1 without bias)
    act (L, S, N, H)    gate activations sigma(net); the cell columns hold g(net_c)
    s   (L+1, S, N, C)  cell states, s[0] = 0, s[t+1] = s(t)
    yc  (L, S, N, C)    cell outputs y_c(t)
"""
import numpy as np

from shared.ensemble import sum_outer
from shared.lyapunov import cell_state_jacobian


class Blocks:
    """Layout of a net of ``n_blocks`` memory blocks of ``block_size`` cells each.

    Every block has one input gate and one output gate (and, with ``forget``, one forget gate,
    Gers et al. 2000) shared by its cells. Every gate and cell sees all inputs, all H units of
    step t-1 (gates pass their activation, cells y_c) and a bias (none with ``bias=False``: W
    has no bias row, D = n_in + H; noise-free-long-lag's 2c net).

    ``arith`` is how the net computes its squashings; the values agree to round-off, not in every
    bit, and committed numbers depend on the bits:
    "tanh" (the default): one tanh of half each net input, sigma = (1 + tanh(z/2))/2 and
    g = 2 tanh(z/2) (``forward``, ``forward_folded``, ``forward_last``), h' from exp(-|s|) (``dh``).
    "sigma": g = 4 sigma - 2 from the gates' sigma = (1 + tanh(z/2))/2, h' = (1 - h^2)/2
    (``dh_sigma``), a step at a time (``step``; ``forward`` and ``forward_last`` loop it; no
    ``forward_folded``): noise-free-long-lag's 2c net.
    """

    def __init__(self, n_in, n_blocks, block_size, forget=False, bias=True, arith="tanh"):
        if arith not in ("tanh", "sigma"):
            raise ValueError(f"arith must be 'tanh' or 'sigma', not {arith!r}")
        self.n_in, self.B, self.bs, self.forget, self.bias = n_in, n_blocks, block_size, forget, bias
        self.arith = arith
        B, C = n_blocks, n_blocks * block_size
        nf = B if forget else 0
        self.C = C
        self.H = 2 * B + nf + C                                # units with a net input
        self.i_sl = slice(0, B)
        self.f_sl = slice(B, B + nf)                           # empty in the 1997 cell
        self.g_sl = slice(B + nf, B + nf + C)
        self.o_sl = slice(B + nf + C, self.H)
        self.blk = np.repeat(np.arange(B), block_size)         # cell -> its block
        self.R = self.H                                        # recurrent sources r(t-1)
        self.D = n_in + self.R + int(bias)                     # rows of W: [x, r(t-1), 1]
        self.eye = np.eye(n_in)                                # symbol k's one-hot input: row k

    def n_weights(self):
        """Weights of the gates and cells (W); the stub adds its output layer's."""
        return self.D * self.H

    def block_sum(self, v):
        """Sum over each block's cells: (..., C) -> (..., B)."""
        return v.reshape(v.shape[:-1] + (self.B, self.bs)).sum(-1)

    def h_prime(self, s):
        """h'(s) in this net's arithmetic: ``dh`` (tanh) or ``dh_sigma`` (sigma)."""
        return dh(s) if self.arith == "tanh" else dh_sigma(s)


def init_weights(net, rng, S, scale=0.1, in_bias=None, forget_bias=None):
    """W (S, D, H) uniform in [-scale, scale] (the paper: 0.1 in Exps. 3-6, 0.2 in Exps. 1-2);
    input-gate (and forget-gate) biases set per block when given, else random like the rest."""
    W = rng.uniform(-scale, scale, size=(S, net.D, net.H))
    if (in_bias is not None or forget_bias is not None) and not net.bias:
        raise ValueError("a net without bias row has no gate biases to set")
    if in_bias is not None:
        W[:, -1, net.i_sl] = in_bias
    if forget_bias is not None and net.forget:
        W[:, -1, net.f_sl] = forget_bias
    return W


# ----------------------------------------------------------------------------------------------
# Squashing functions, and their derivatives in the form the backward passes use
# ----------------------------------------------------------------------------------------------
def logistic(z):
    """sigma(z) = 1 / (1 + exp(-z)), the paper's f for gates."""
    with np.errstate(over="ignore"):                 # exp(-z) -> inf gives the right limit, 0
        return 1.0 / (1.0 + np.exp(-z))


def g(z):
    """Cell input squashing, range [-2, 2]: 4 sigma(z) - 2 = 2 tanh(z/2)."""
    return 2.0 * np.tanh(0.5 * z)


def h(s):
    """Cell output squashing, range [-1, 1]: 2 sigma(s) - 1 = tanh(s/2)."""
    return np.tanh(0.5 * s)


def dg(g_value):
    """g'(net) written through g = g(net): (4 - g^2) / 4."""
    return (4.0 - g_value * g_value) / 4.0


def dh(s):
    """h'(s) = 2 sigma'(s), from exp(-|s|) so that large |s| does not overflow."""
    e = np.exp(-np.abs(s))
    return 2.0 * e / (1.0 + e) ** 2


def dh_sigma(s):
    """h'(s) written through h: (1 - h(s)^2) / 2 (the "sigma" arithmetic's form)."""
    return 0.5 * (1.0 - np.tanh(0.5 * s) ** 2)


# ----------------------------------------------------------------------------------------------
# Inputs: real vectors x (..., n_in), or symbols (...) as integer indices of a one-hot input
# ----------------------------------------------------------------------------------------------
def is_symbols(x):
    """True when x holds symbol indices (integers) rather than input vectors."""
    return x.dtype.kind in "iu"                        # np.issubdtype(x.dtype, np.integer), cheaper


def one_hot(net, x):
    """x itself, or for symbols the one-hot vectors (..., n_in) they index (float64)."""
    if not is_symbols(x):
        return x
    return net.eye[x]                                  # row x of the identity: 1 at x, 0 elsewhere


def input_part(net, W, x_t):
    """The input part of every net input, x(t) W_x: (S, N, H) for x_t (S, N, n_in) or for
    symbols x_t (S, N), where it is the symbol's row of W (no product)."""
    if is_symbols(x_t):
        return W[np.arange(W.shape[0])[:, None], x_t]
    return np.matmul(x_t.astype(W.dtype), W[:, :net.n_in])


# ----------------------------------------------------------------------------------------------
# The reference: the paper's step, as written (what the fast paths are tested against)
# ----------------------------------------------------------------------------------------------
def unit_inputs(net, x_t, r_prev):
    """u(t) = [x(t), r(t-1), 1] (without the 1 when the net has no bias), in W's row order;
    symbols x_t become their one-hot vectors."""
    x_t = one_hot(net, x_t)
    ones = [np.ones(x_t.shape[:-1] + (1,), r_prev.dtype)] if net.bias else []
    return np.concatenate([x_t.astype(r_prev.dtype), r_prev] + ones, axis=-1)


def reference_step(net, W, x_t, s_prev, r_prev):
    """One step of the net, the paper's equations with nothing folded or halved.

    x_t (S, N, n_in) or symbols (S, N), s_prev (S, N, C) = s(t-1), r_prev (S, N, H) = r(t-1).
    Returns act (S, N, H) (gate activations; cell columns g(net_c)), s (S, N, C), r (S, N, H).
    """
    sigma = logistic
    u = unit_inputs(net, x_t, r_prev)                                           # [x(t), r(t-1), 1]
    net_input = np.einsum("snd,sdh->snh", u, W)                                  # net_j = sum_m w_jm u_m
    y_in = sigma(net_input[..., net.i_sl])                                       # one per block
    y_out = sigma(net_input[..., net.o_sl])
    g_c = 4.0 * sigma(net_input[..., net.g_sl]) - 2.0                            # g(net_c), in [-2, 2]
    y_f = sigma(net_input[..., net.f_sl]) if net.forget else np.ones_like(y_in)  # 1997: no forget gate
    # s_c(t) = s_c(t-1) + y_in(t) g(net_c(t))       (Gers 2000: y_f(t) s_c(t-1) + ...)
    s = y_f[..., net.blk] * s_prev + y_in[..., net.blk] * g_c
    # y_c(t) = y_out(t) h(s_c(t)),  h = 2 sigma - 1, in [-1, 1]
    y_c = y_out[..., net.blk] * (2.0 * sigma(s) - 1.0)
    act = np.empty(net_input.shape)                                              # columns i, (f,) g, o
    act[..., net.i_sl], act[..., net.g_sl], act[..., net.o_sl] = y_in, g_c, y_out
    if net.forget:
        act[..., net.f_sl] = y_f
    r = act.copy()
    r[..., net.g_sl] = y_c                                                       # cells pass y_c on
    return act, s, r


def reference_forward(net, W, x):
    """``reference_step`` over x (L, S, N, n_in) from s = 0, r = 0; returns the module's cache."""
    L, S, N = x.shape[:3]
    s, r = np.zeros((S, N, net.C)), np.zeros((S, N, net.H))
    U, act, ss, yc = [], [], [s], []
    for t in range(L):
        U.append(unit_inputs(net, x[t], r))
        a, s, r = reference_step(net, W, x[t], s, r)
        act.append(a)
        ss.append(s)
        yc.append(r[..., net.g_sl])
    return {"U": np.stack(U), "act": np.stack(act), "s": np.stack(ss), "yc": np.stack(yc)}


# ----------------------------------------------------------------------------------------------
# One step at a time, in the net's arithmetic (online loops, and the "sigma" nets' passes)
# ----------------------------------------------------------------------------------------------
def step(net, W, x_t, s_prev, r_prev):
    """One step, as ``reference_step`` (same arguments and returns) in the net's arithmetic:
    sigma = (1 + tanh(net/2))/2 for every unit, then g = 4 sigma - 2 ("sigma") or 2 tanh(net/2)
    ("tanh"), and h(s) = tanh(s/2). Symbol inputs x_t (S, N) are rows of W."""
    nx, H, blk = net.n_in, net.H, net.blk
    z = input_part(net, W, x_t) + np.matmul(r_prev, W[:, nx:nx + H])   # x(t) W_x + r(t-1) W_r
    if net.bias:
        z = z + W[:, -1][:, None]
    th = np.tanh(0.5 * z)
    act = 0.5 + 0.5 * th                                                 # sigma of every unit
    if net.arith == "sigma":
        act[..., net.g_sl] = 4.0 * act[..., net.g_sl] - 2.0              # g = 4 sigma - 2
    else:
        act[..., net.g_sl] = 2.0 * th[..., net.g_sl]                     # g = 2 tanh(net/2)
    yi, g_c, yo = act[..., net.i_sl], act[..., net.g_sl], act[..., net.o_sl]
    # s_c(t) = s_c(t-1) + y_in g(net_c)     (Gers 2000: y_f s_c(t-1) + ...);  y_c = y_out h(s)
    if net.forget:
        s = act[..., net.f_sl][..., blk] * s_prev + yi[..., blk] * g_c
    else:
        s = s_prev + yi[..., blk] * g_c
    r = act.copy()
    r[..., net.g_sl] = yo[..., blk] * h(s)
    return act, s, r


def _forward_by_steps(net, W, x):
    """``forward`` for the "sigma" arithmetic: ``step`` over x, from s = 0, r = 0."""
    L, S, N = x.shape[:3]
    act = np.zeros((L, S, N, net.H), W.dtype)
    s = np.zeros((L + 1, S, N, net.C), W.dtype)
    r = np.zeros((L + 1, S, N, net.H), W.dtype)
    for t in range(L):
        act[t], s[t + 1], r[t + 1] = step(net, W, x[t], s[t], r[t])
    return {"U": unit_inputs(net, x, r[:L]), "act": act, "s": s, "yc": r[1:, ..., net.g_sl]}


def frozen_forward(net, W, x, r_frozen):
    """The forward pass that the paper's truncated gradient differentiates exactly (Appendix A.1).

    Each step's unit inputs use the recurrent activations of another run, r_frozen (L, S, N, H)
    with r_frozen[t] = r(t-1), held constant, while the cell states carry on from s = 0: error
    then reaches the past only through s, which is the truncation. The finite-difference gradient
    of a loss on this pass's y_c, taken where r_frozen comes from the same W, equals
    ``grads_truncated`` (tests and the stubs' --gradcheck check it). Returns the cache's s and yc.
    """
    L, S, N = x.shape[:3]
    s = np.zeros((L + 1, S, N, net.C), W.dtype)
    yc = np.zeros((L, S, N, net.C), W.dtype)
    for t in range(L):
        _, s[t + 1], r = step(net, W, x[t], s[t], r_frozen[t])
        yc[t] = r[..., net.g_sl]
    return {"s": s, "yc": yc}


def carried_activations(net, cache):
    """r(t-1) (L, S, N, H) of every step, read back from a cache's unit inputs U."""
    return cache["U"][..., net.n_in:net.n_in + net.H]


# ----------------------------------------------------------------------------------------------
# Speed-tuned forward passes (the same equations; checked against the reference in the tests)
# ----------------------------------------------------------------------------------------------
def forward(net, W, x):
    """Run the S nets over x (L, S, N, n_in) or symbols (L, S, N); returns the cache (see the
    module docstring). A "sigma" net runs ``step`` in a loop; a "tanh" net as follows.

    Every squashing is one tanh of half the net input: sigma(z) = (1 + tanh(z/2))/2 and
    g(z) = 2 tanh(z/2), so W is halved once and the input part x(t) W_x + bias is one matmul
    for all steps. The loop carries q = s/2, so that h(s) = tanh(q) and q(t) = q(t-1) + y_in
    tanh(net_c/2): per step one matmul and about ten array operations. The state and the cache
    follow W's dtype (two-sequence-noise trains in float32).
    """
    if net.arith == "sigma":
        return _forward_by_steps(net, W, x)
    x = one_hot(net, x)
    L, S, N, nx = x.shape
    B, bs, C, H, dt = net.B, net.bs, net.C, net.H, W.dtype
    i_, f_, g_, o_ = net.i_sl, net.f_sl, net.g_sl, net.o_sl
    Wh = 0.5 * W
    XB = np.matmul(x, Wh[:, :nx])                                    # (L, S, N, H): input part
    if net.bias:
        XB = XB + Wh[:, -1][:, None]                                 # ... + bias
    Wr = np.ascontiguousarray(Wh[:, nx:nx + H])                      # (S, H, H): r(t-1) -> net(t)/2
    th = np.empty((L, S, N, H), dt)                                  # tanh(net/2) of every unit
    r = np.zeros((L + 1, S, N, H), dt)                               # r[t+1] = r(t), r[0] = 0
    q = np.zeros((L + 1, S, N, B, bs), dt)                           # s/2
    tmp = np.empty((S, N, B, bs), dt)
    for t in range(L):
        z = th[t]
        np.matmul(r[t], Wr, out=z)
        z += XB[t]
        np.tanh(z, out=z)
        rt = r[t + 1]
        np.multiply(z, 0.5, out=rt)
        rt += 0.5                                                    # sigma of every unit
        # s(t) = s(t-1) + y_in g(net_c), in halves: q(t) = q(t-1) + y_in tanh(net_c/2)
        np.multiply(rt[..., i_, None], z[..., g_].reshape(S, N, B, bs), out=tmp)
        if net.forget:                                               # q(t) = y_f q(t-1) + ...
            np.multiply(rt[..., f_, None], q[t], out=q[t + 1])
            q[t + 1] += tmp
        else:
            np.add(q[t], tmp, out=q[t + 1])
        # y_c(t) = y_out h(s(t)) = y_out tanh(q(t)), into the cell columns of r(t)
        np.tanh(q[t + 1], out=tmp)
        rt[..., g_] = (rt[..., o_, None] * tmp).reshape(S, N, C)
    act = 0.5 + 0.5 * th
    act[..., g_] = 2.0 * th[..., g_]
    U = unit_inputs(net, x, r[:L])
    return {"U": U, "act": act, "s": 2.0 * q.reshape(L + 1, S, N, C), "yc": r[1:, ..., g_]}


def forward_folded(net, W, x):
    """The same as ``forward``, with the S nets folded into one block-diagonal net.

    Stored unit-major (every unit's S copies side by side, one column per sequence), each step is
    one matrix product and a dozen operations on contiguous rows; this is the faster layout for
    one sequence per net (the online regime), where numpy's strided paths cost several times
    more. Squashing through one tanh of half the net input and s/2 storage, as in ``forward``
    ("tanh" nets only).
    """
    if net.arith != "tanh":
        raise ValueError("forward_folded computes in the tanh arithmetic only; use forward")
    x = one_hot(net, x)
    L, S, N, nx = x.shape
    D, H, C, B = net.D, net.H, net.C, net.B
    bs = C // B
    # W_T[(h, s), (d, s)] = W[s, d, h] / 2: the seeds' nets as one block-diagonal map
    W_T = np.zeros((H, S, D, S))
    for k in range(S):
        W_T[:, k, :, k] = 0.5 * W[k].T
    W_T = W_T.reshape(H * S, D * S)
    U = np.zeros((L + 1, D, S, N))                               # U[t+1] receives r(t)
    U[:L, :nx] = x.transpose(0, 3, 1, 2)
    if net.bias:
        U[:, -1] = 1.0
    U = U.reshape(L + 1, D * S, N)
    r0 = nx * S                                                  # rows of r(t-1) in U
    i0, f0, g0, o0 = (r0 + sl.start * S for sl in (net.i_sl, net.f_sl, net.g_sl, net.o_sl))
    th = np.empty((L, H * S, N))                                # tanh(z/2) of every unit, every step
    s_half = np.zeros((L + 1, B, bs, S, N))                     # s/2: then g/2 = tanh(z/2), h = tanh(s/2)
    inc = np.empty((B, bs, S, N))
    hs = np.empty((B, bs, S, N))
    # fixed views, made once: r(t) rows, each gate's rows by block, the cells' rows by block
    U_r = U[:, r0:r0 + H * S]
    U_i, U_f, U_o = (U[:, k:k + B * S].reshape(L + 1, B, 1, S, N) for k in (i0, f0, o0))
    U_c = U[:, g0:g0 + C * S].reshape(L + 1, B, bs, S, N)
    th_g = th[:, g0 - r0:g0 - r0 + C * S].reshape(L, B, bs, S, N)
    for t in range(L):
        z = th[t]
        np.matmul(W_T, U[t], out=z)                              # (H*S, N): half of every net input
        np.tanh(z, out=z)
        r = U_r[t + 1]
        np.multiply(z, 0.5, out=r)
        r += 0.5                                                 # sigma(z) of every unit: r(t) ...
        # s_c(t) = f(t) s_c(t-1) + y_in(t) g(net_c(t)), halved: g/2 = tanh(z_c/2)   (f = 1 in 1997)
        np.multiply(U_i[t + 1], th_g[t], out=inc)
        if net.forget:
            np.multiply(U_f[t + 1], s_half[t], out=s_half[t + 1])
            s_half[t + 1] += inc
        else:
            np.add(s_half[t], inc, out=s_half[t + 1])
        # y_c(t) = y_out(t) h(s_c(t)) = y_out tanh(s/2): ... with y_c in the cell rows
        np.tanh(s_half[t + 1], out=hs)
        np.multiply(U_o[t + 1], hs, out=U_c[t + 1])
    g_hist = 2.0 * th[:, g0 - r0:g0 - r0 + C * S]
    s = 2.0 * s_half.reshape(L + 1, C * S, N)
    # back to the catalog's layout (L, S, N, units) for the gradients and Jacobians
    Ul = U.reshape(L + 1, D, S, N).transpose(0, 2, 3, 1)
    act = np.ascontiguousarray(Ul[1:, ..., nx:nx + net.R])
    act[..., net.g_sl] = g_hist.reshape(L, C, S, N).transpose(0, 2, 3, 1)
    return {"U": np.ascontiguousarray(Ul[:L]), "act": act,
            "s": np.ascontiguousarray(s.reshape(L + 1, C, S, N).transpose(0, 2, 3, 1)),
            "yc": Ul[1:, ..., nx + net.g_sl.start:nx + net.g_sl.stop]}


def forward_last(net, W, x, last):
    """The cell outputs at each sequence's last step, without keeping a cache (evaluation).

    The equations of ``forward`` (one tanh of half the net input, s/2 carried) in a unit-major
    layout (S, unit, N), so that every gate slice is a contiguous block over the N sequences:
    the faster layout for evaluating many sequences per net (two-sequence-noise's tests and
    random guessing). x (L, S, N, n_in) or symbols (L, S, N), last (S, N) -> y_c(last) (S, N, C),
    in W's dtype. A "sigma" net runs ``step`` in a loop instead.
    """
    if net.arith == "sigma":
        return _last_by_steps(net, W, x, last)
    x = one_hot(net, x)
    L, S, N, nx = x.shape
    H, C, B, bs, dt = net.H, net.C, net.B, net.bs, W.dtype
    i_, f_, g_, o_ = net.i_sl, net.f_sl, net.g_sl, net.o_sl
    Wh = 0.5 * W
    WxT = np.swapaxes(Wh[:, :nx], 1, 2)                              # (S, H, n_in): x(t) -> net/2
    WrT = np.ascontiguousarray(np.swapaxes(Wh[:, nx:nx + H], 1, 2))  # (S, H, H): net/2 = WrT r
    xt = np.ascontiguousarray(np.swapaxes(x, 2, 3))                  # (L, S, n_in, N)
    z = np.empty((S, H, N), dt)
    r = np.zeros((S, H, N), dt)
    s2 = np.zeros((S, B, bs, N), dt)                                 # s/2
    hs = np.empty((S, B, bs, N), dt)
    y_last = np.zeros((S, C, N), dt)
    first = int(last.min())
    for t in range(L):
        np.matmul(WrT, r, out=z)
        z += np.matmul(WxT, xt[t])
        if net.bias:
            z += Wh[:, -1][..., None]
        np.tanh(z, out=z)
        np.multiply(z, 0.5, out=r)
        r += 0.5                                                     # sigma of every unit
        # s(t) = f s(t-1) + y_in g(net_c), halved: s/2 grows by y_in tanh(net_c/2)   (f = 1 in 1997)
        np.multiply(r[:, i_, None], z[:, g_].reshape(S, B, bs, N), out=hs)
        if net.forget:
            s2 *= r[:, f_, None]
        s2 += hs
        # y_c(t) = y_out h(s(t)) = y_out tanh(s/2), into the cell rows of r(t)
        np.tanh(s2, out=hs)
        np.multiply(r[:, o_, None], hs, out=r[:, g_].reshape(S, B, bs, N))
        if t >= first:
            y_last = np.where((last == t)[:, None], r[:, g_], y_last)
    return y_last.transpose(0, 2, 1)


def _last_by_steps(net, W, x, last):
    """``forward_last`` for the "sigma" arithmetic: ``step`` over x, keeping y_c at ``last``."""
    L, S, N = x.shape[:3]
    s, r = np.zeros((S, N, net.C), W.dtype), np.zeros((S, N, net.H), W.dtype)
    y_last = np.zeros((S, N, net.C), W.dtype)
    for t in range(L):
        _, s, r = step(net, W, x[t], s, r)
        hit = last == t
        y_last[hit] = r[hit][..., net.g_sl]
    return y_last


# ----------------------------------------------------------------------------------------------
# Gradients: the paper's truncated one, and step-by-step BPTT (exact or truncated)
# ----------------------------------------------------------------------------------------------
def _block_sum_starts(net):
    return np.r_[0, np.flatnonzero(np.diff(net.blk)) + 1]


def grads_truncated(net, cache, dyc, last=None):
    """The paper's truncated gradient (Appendix A.1) in closed form, vectorised over time.

    dyc (S, N, C) = dE/dy_c at each sequence's last step ``last`` (S, N); no error elsewhere.
    Or dyc (L, S, N, C) = dE/dy_c at every step (``last`` not used; zero after a sequence's end):
    embedded-reber's error at every symbol.
    With the truncation, ds(t)/ds(t-1) = f(t) (= 1 in the 1997 cell) is the only path back in
    time, so dE/ds(t) is one vector e_s for every t <= last (times the later forget gates), and the
    RTRL traces the paper carries forward (eqs. 19-28) become sums over t of local derivatives.
    Output gates learn from the last step only. Returns dE/dW (S, D, H).
    """
    if dyc.ndim == 4:
        return _grads_truncated_every_step(net, cache, dyc)
    U, act, s = cache["U"], cache["act"], cache["s"]
    L, S, N, _ = U.shape
    si, ni = np.indices((S, N))
    starts = _block_sum_starts(net)
    a_last = act[last, si, ni]                                            # (S, N, H)
    s_last = s[last + 1, si, ni]
    dnet_last = np.zeros((S, N, net.H))
    # y_c = y_out h(s): output-gate error, at the last step only (truncated elsewhere)
    yo = a_last[..., net.o_sl]
    dnet_last[..., net.o_sl] = np.add.reduceat(dyc * h(s_last), starts, axis=-1) * yo * (1 - yo)
    e_s = dyc * yo[..., net.blk] * net.h_prime(s_last)                             # dE/ds(last)
    # ds(t) = e_s * prod_{tau = t+1..last} f(tau) for t <= last, 0 after
    t_idx = np.arange(L)[:, None, None]
    alive = (t_idx <= last)[..., None]                                     # (L, S, N, 1)
    if net.forget:
        f = np.where(alive, act[..., net.f_sl][..., net.blk], 1.0)         # (L, S, N, C)
        # suffix products of f over t+1..L-1, masked to 1 after the last step
        rev = np.cumprod(f[::-1], axis=0)[::-1]                            # prod_{tau >= t}
        later = np.concatenate([rev[1:], np.ones_like(rev[:1])], axis=0)   # prod_{tau > t}
        ds = e_s[None] * later * alive
    else:
        ds = np.broadcast_to(e_s[None], (L, S, N, net.C)) * alive
    dnet = np.zeros((L, S, N, net.H))
    gcell = act[..., net.g_sl]
    yi = act[..., net.i_sl]
    # s(t) = f s(t-1) + y_in g(net_c):  d net_c = ds y_in g'(net_c)
    dnet[..., net.g_sl] = ds * yi[..., net.blk] * dg(gcell)
    # d net_in = sum over the block's cells of ds g, times sigma'
    dnet[..., net.i_sl] = np.add.reduceat(ds * gcell, starts, axis=-1) * yi * (1 - yi)
    if net.forget:
        yf = act[..., net.f_sl]
        dnet[..., net.f_sl] = np.add.reduceat(ds * s[:-1], starts, axis=-1) * yf * (1 - yf)
    dnet[last, si, ni, net.o_sl] += dnet_last[..., net.o_sl]
    return sum_outer(U, dnet)


def _grads_truncated_every_step(net, cache, dyc):
    """``grads_truncated`` for an error at every step, dyc (L, S, N, C).

    dE/ds(t) gathers the errors e_s(tau) entering the cell states at every tau >= t: a reverse
    cumulative sum in the 1997 cell, ds(t) = e_s(t) + f(t+1) ds(t+1) with forget gates. Output
    gates learn at every step.
    """
    U, act, s = cache["U"], cache["act"], cache["s"][1:]
    starts = _block_sum_starts(net)
    yi, gcell, yo = act[..., net.i_sl], act[..., net.g_sl], act[..., net.o_sl]
    dnet = np.zeros(act.shape)
    # y_c = y_out h(s): output-gate error at every step
    dnet[..., net.o_sl] = np.add.reduceat(dyc * h(s), starts, axis=-1) * yo * (1 - yo)
    e_s = dyc * yo[..., net.blk] * net.h_prime(s)                                  # error entering s(t)
    if net.forget:
        f = act[..., net.f_sl][..., net.blk]
        ds = np.empty(e_s.shape)
        ds[-1] = e_s[-1]
        for t in range(len(ds) - 2, -1, -1):
            ds[t] = e_s[t] + f[t + 1] * ds[t + 1]
    else:
        ds = np.cumsum(e_s[::-1], axis=0)[::-1]                           # sum_{tau >= t} e_s(tau)
    # s(t) = f s(t-1) + y_in g(net_c)
    dnet[..., net.g_sl] = ds * yi[..., net.blk] * dg(gcell)
    dnet[..., net.i_sl] = np.add.reduceat(ds * gcell, starts, axis=-1) * yi * (1 - yi)
    if net.forget:
        yf = act[..., net.f_sl]
        dnet[..., net.f_sl] = np.add.reduceat(ds * cache["s"][:-1], starts, axis=-1) * yf * (1 - yf)
    return sum_outer(U, dnet)


def grads_bptt(net, W, cache, dyc, last=None, truncate=False, deriv_first=False):
    """Step-by-step backpropagation through time; dyc (S, N, C) = dE/dy_c at step ``last``, or
    dyc (L, S, N, C) = dE/dy_c at every step (``last`` not used).

    truncate=False: the exact gradient (checked against finite differences).
    truncate=True: a second, independent implementation of the paper's truncation: every error
    reaching a unit's net input stops there (nothing flows into r(t-1)); only ds(t) -> ds(t-1)
    continues. It must equal ``grads_truncated``. Returns dE/dW (S, D, H).
    deriv_first=True: the same equations in another order of operations (``_grads_bptt_deriv_first``),
    the errors in W's dtype (float32 when W is); the values agree to round-off, not in every bit:
    two-sequence-noise's catalog setting trains with it and its committed numbers depend on it.
    """
    if deriv_first:
        return _grads_bptt_deriv_first(net, W, cache, dyc, last, truncate)
    U, act, s = cache["U"], cache["act"], cache["s"]
    L, S, N, _ = U.shape
    nx, H, blk = net.n_in, net.H, net.blk
    every_step = dyc.ndim == 4
    W_rT = np.swapaxes(W[:, nx:nx + H, :], 1, 2)                    # (S, H, H): dnet(t) -> dr(t-1)
    dnet = np.zeros((L, S, N, H))
    ds = np.zeros((S, N, net.C))
    dr = np.zeros((S, N, H))                                        # error on r(t) from step t+1
    for t in range(L - 1, -1, -1):
        a, s_t = act[t], s[t + 1]
        yi, g_c, yo = a[..., net.i_sl], a[..., net.g_sl], a[..., net.o_sl]
        dy_c = dyc[t] if every_step else (last == t)[..., None] * dyc
        if not truncate:
            dy_c = dy_c + dr[..., net.g_sl]
        # y_c = y_out h(s)
        ds = ds + dy_c * yo[..., blk] * net.h_prime(s_t)
        dyo = net.block_sum(dy_c * h(s_t))
        # s(t) = f s(t-1) + y_in g
        dyi = net.block_sum(ds * g_c)
        if not truncate:
            dyo, dyi = dyo + dr[..., net.o_sl], dyi + dr[..., net.i_sl]
        dn = dnet[t]
        dn[..., net.o_sl] = dyo * yo * (1 - yo)
        dn[..., net.i_sl] = dyi * yi * (1 - yi)
        dn[..., net.g_sl] = ds * yi[..., blk] * dg(g_c)
        if net.forget:
            yf = a[..., net.f_sl]
            dyf = net.block_sum(ds * s[t])
            if not truncate:
                dyf = dyf + dr[..., net.f_sl]
            dn[..., net.f_sl] = dyf * yf * (1 - yf)
            ds = ds * yf[..., blk]                                  # ds(t-1) = f(t) ds(t)
        if not every_step:
            dn *= (t <= last)[..., None]
        if not truncate:
            dr = np.matmul(dn, W_rT)                                # through u(t) = [x, r(t-1), 1]
    return sum_outer(U, dnet)


def _grads_bptt_deriv_first(net, W, cache, dyc, last, truncate):
    """``grads_bptt`` with the local derivatives multiplied together first, for all steps at once
    (y_out h'(s), y_in g', sigma'), each error then multiplied by one of them, and the errors kept
    in W's dtype rather than float64 (two-sequence-noise's catalog trainer, in float32)."""
    U, act, s = cache["U"], cache["act"], cache["s"]
    L, S, N, _ = U.shape
    nx, H, blk, dt = net.n_in, net.H, net.blk, W.dtype
    I_, F_, G_, O_ = net.i_sl, net.f_sl, net.g_sl, net.o_sl
    every_step = dyc.ndim == 4
    W_rT = np.swapaxes(W[:, nx:nx + H, :], 1, 2)                    # (S, H, H): dnet(t) -> dr(t-1)
    yi, g_c, yo = act[..., I_], act[..., G_], act[..., O_]
    hs = h(s[1:])
    k_s = yo[..., blk] * net.h_prime(s[1:])                          # dy_c / ds      (L, S, N, C)
    k_g = yi[..., blk] * dg(g_c)                                     # ds / dnet_c
    k_i, k_o = yi * (1 - yi), yo * (1 - yo)                          # sigma'
    if net.forget:
        yf = act[..., F_]
        k_f = yf * (1 - yf)
    dnet = np.zeros((L, S, N, H), dtype=dt)
    ds = np.zeros((S, N, net.C), dtype=dt)
    dr = np.zeros((S, N, H), dtype=dt)
    first = 0 if every_step else int(last.min())
    for t in range(L - 1, -1, -1):
        dy_c = np.zeros((S, N, net.C), dtype=dt) if truncate else dr[..., G_]
        if every_step:
            dy_c = dy_c + dyc[t]
        elif t >= first:
            dy_c = dy_c + (last == t)[..., None] * dyc
        # y_c = y_out h(s)
        ds = ds + dy_c * k_s[t]
        dn = dnet[t]
        dn[..., O_] = net.block_sum(dy_c * hs[t])
        # s(t) = f s(t-1) + y_in g
        dn[..., I_] = net.block_sum(ds * g_c[t])
        if net.forget:
            dn[..., F_] = net.block_sum(ds * s[t])
        if not truncate:
            dn[..., O_] += dr[..., O_]
            dn[..., I_] += dr[..., I_]
            if net.forget:
                dn[..., F_] += dr[..., F_]
        dn[..., O_] *= k_o[t]
        dn[..., I_] *= k_i[t]
        np.multiply(ds, k_g[t], out=dn[..., G_])
        if net.forget:
            dn[..., F_] *= k_f[t]
            ds = ds * yf[t][..., blk]                               # ds(t-1) = f(t) ds(t)
        if not every_step:
            dn *= (t <= last)[..., None]                            # nothing after a sequence's end
        if not truncate:
            dr = np.matmul(dn, W_rT)                                # through u(t) = [x, r(t-1), 1]
    return sum_outer(U, dnet)


# ----------------------------------------------------------------------------------------------
# Jacobians of the trained dynamics (for the Lyapunov fingerprint)
# ----------------------------------------------------------------------------------------------
def jacobians(net, W, cache):
    """J(t) = dz(t)/dz(t-1) for the full state z = [s (C), r (H)], every step and sequence.

    Returns (L-1, S, N, C+H, C+H): the map from step t-1 to step t for t = 1..L-1.
    r's cell columns hold y_c = y_out h(s), a function of the other coordinates, so C exponents
    are -inf by construction; the top C + (number of gates) exponents are the dynamics.
    """
    act, s = cache["act"], cache["s"]
    C, R, nx = net.C, net.R, net.n_in
    Wr = W[:, nx:nx + R, :]                                       # (S, R, H): r(t-1) -> net(t)
    a = act[1:]                                                   # steps t = 1..L-1
    sig = a.copy()
    dact = sig * (1 - sig)                                        # sigma' for gate columns
    dact[..., net.g_sl] = dg(a[..., net.g_sl])                    # g' for cell inputs
    # d act / d r(t-1) = act' * Wr^T  -> (L-1, S, N, H, R)
    dA = dact[..., :, None] * np.swapaxes(Wr, 1, 2)[None, :, None]
    s_prev, s_new = s[1:-1], s[2:]
    yi = a[..., net.i_sl][..., net.blk]
    g_c = a[..., net.g_sl]
    f = a[..., net.f_sl][..., net.blk] if net.forget else np.ones_like(g_c)
    # s(t) = f s(t-1) + y_in g
    dS_ds = f                                                     # diagonal
    dS_dr = yi[..., None] * dA[..., net.g_sl, :] + g_c[..., None] * dA[..., net.i_sl, :][..., net.blk, :]
    if net.forget:
        dS_dr = dS_dr + s_prev[..., None] * dA[..., net.f_sl, :][..., net.blk, :]
    # y_c(t) = y_out h(s(t))
    yo = a[..., net.o_sl][..., net.blk]
    hs, dhs = h(s_new), net.h_prime(s_new)
    dY_ds = (yo * dhs)[..., None] * (dS_ds[..., None] * np.eye(C))
    dY_dr = (yo * dhs)[..., None] * dS_dr + hs[..., None] * dA[..., net.o_sl, :][..., net.blk, :]
    # r(t) = act(t) with the cell columns replaced by y_c(t)
    return cell_state_jacobian(dS_ds[..., None] * np.eye(C), dS_dr, dA, dY_ds, dY_dr, net.g_sl)
