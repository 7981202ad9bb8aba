"""The guessed recurrent nets of the random-guessing papers: architectures, forward passes, Jacobian.

A net has U non-input units; the last one is the output. Every unit updates synchronously from
the previous state of all units it sees, the current input and a bias (the "true" unit):

    s_t = f( W s_{t-1} + V x_t + b ),   s_0 = 0,   output = s_T[U-1] at the sequence's end,

with f = logistic sigmoid (A1, A2: the NIPS 1996 text, "all activation functions are logistic
sigmoid in [0, 1]") or tanh (the latch units of the 2001 text). Masks say which entries are free
(guessed); the others keep a fixed value (0, or 1 for latch I's input weight).

Shapes: N nets, B sequences, D inputs, T steps.
    W (N, U, U)   V (N, U, D)   b (N, U)   s (N, B, U)   x (T, N, B, D) or per-run (T, R, B, D)
"""
from dataclasses import dataclass

import numpy as np

BOUND = 100.0          # the papers' interval [-100, 100] for every guessed weight
# a derivative below this (pre-activation beyond ~345) is floored, so a fully saturated unit
# gives a large negative but finite Lyapunov exponent (about -345 per step; products of two
# floored factors stay above the smallest double)
DERIV_FLOOR = 1e-150


@dataclass(frozen=True)
class Arch:
    """Which weights a net guesses. Masks are boolean; fixed entries take the *_fixed values."""
    name: str
    w_mask: np.ndarray         # (U, U) W[i, j]: unit j -> unit i
    v_mask: np.ndarray         # (U, D)
    b_mask: np.ndarray         # (U,)
    sigmoid: np.ndarray        # (U,) True: logistic sigmoid, False: tanh
    v_fixed: np.ndarray = None  # (U, D) value of the fixed input weights (default 0)

    @property
    def n_units(self):
        return self.w_mask.shape[0]

    @property
    def n_inputs(self):
        return self.v_mask.shape[1]

    @property
    def n_free(self):
        return int(self.w_mask.sum() + self.v_mask.sum() + self.b_mask.sum())


def a1(n, n_inputs=1):
    """A1: fully recurrent, n hidden units + 1 output, every unit sees every unit and the input;
    each hidden unit has a bias (2001 text: "each hidden unit has a bias weight")."""
    U = n + 1
    b = np.ones(U, bool)
    b[-1] = False
    return Arch(f"A1 n={n}", np.ones((U, U), bool), np.ones((U, n_inputs), bool), b, np.ones(U, bool))


def a2(n=10, self_loops=True, n_inputs=1):
    """A2: hidden unit i sees the input, the output unit and itself; the output sees all other
    units (the hidden units and the input); all units biased. ``self_loops=False`` removes the
    hidden units' self-connections (the 2001 text's 250-trial parity architecture)."""
    U = n + 1
    w = np.zeros((U, U), bool)
    w[:n, -1] = True                      # hidden <- output
    if self_loops:
        w[np.arange(n), np.arange(n)] = True
    w[-1, :n] = True                      # output <- every hidden unit
    name = f"A2 n={n}" + ("" if self_loops else " no self-loops")
    return Arch(name, w, np.ones((U, n_inputs), bool), np.ones(U, bool), np.ones(U, bool))


def latch_unit(free_input_weight, bias):
    """One tanh unit with a guessed self-weight; latch I keeps the input weight at 1 and no bias,
    latch II guesses the input weight and a bias too (2001 text, latch variants I and II)."""
    v_fixed = np.ones((1, 1))
    return Arch("latch " + ("II" if free_input_weight else "I"), np.ones((1, 1), bool),
                np.full((1, 1), free_input_weight), np.full(1, bias), np.zeros(1, bool), v_fixed)


def guess(arch, rng, n, bound=BOUND):
    """n nets with every free weight uniform in [-bound, bound]: dict W, V, b.

    Each net consumes ``arch.n_free`` consecutive uniforms (W row-major, then V, then b), so the
    k-th net drawn from a generator does not depend on how many nets are drawn per call."""
    U, D = arch.n_units, arch.n_inputs
    z = rng.uniform(-bound, bound, size=(n, arch.n_free))
    nw, nv = int(arch.w_mask.sum()), int(arch.v_mask.sum())
    W = np.zeros((n, U, U))
    W[:, arch.w_mask] = z[:, :nw]
    V = np.zeros((n, U, D)) if arch.v_fixed is None else np.broadcast_to(arch.v_fixed, (n, U, D)).copy()
    V[:, arch.v_mask] = z[:, nw:nw + nv]
    b = np.zeros((n, U))
    b[:, arch.b_mask] = z[:, nw + nv:]
    return {"W": W, "V": V, "b": b}


def activate(pre, sigmoid):
    """f(pre) per unit: sigmoid where ``sigmoid`` (written through tanh, which cannot overflow)."""
    t = np.tanh(np.where(sigmoid, 0.5, 1.0) * pre)
    return np.where(sigmoid, 0.5 + 0.5 * t, t)


# ---------------------------------------------------------------- plain reference (one net)

def final_output_reference(arch, W, V, b, seqs, first_inputs=None):
    """The paper's forward pass, one net, one sequence and one step at a time.

    W (U, U), V (U, D), b (U,); seqs: list of (T_i, D) arrays; first_inputs: optional list of
    (D,) replacing each sequence's first element (latch I guesses those). Returns (len(seqs),)."""
    out = []
    for i, x in enumerate(seqs):
        s = np.zeros(arch.n_units)
        for t in range(len(x)):
            xt = first_inputs[i] if (t == 0 and first_inputs is not None) else x[t]
            pre = W @ s + V @ xt + b
            s = activate(pre, arch.sigmoid)
        out.append(s[-1])
    return np.array(out)


# ---------------------------------------------------------------- batched (many nets at once)

def final_outputs(arch, params, x, lengths, run_of=None, first_input=None):
    """Output unit at each sequence's end for N nets on their runs' sequences, all at once.

    params: W (N, U, U), V (N, U, D), b (N, U). x: (T, R, B, D) zero-padded sequences of R runs;
    lengths (R, B); run_of (N,) the run whose sequences net n reads (default: R == N, net n reads
    run n). first_input (N, B, D) replaces x[0] (latch I). Returns (N, B)."""
    W, V, b = params["W"], params["V"], params["b"]
    N, U = b.shape
    run_of = np.arange(N) if run_of is None else run_of
    T, R, B, D = x.shape
    ends = lengths[run_of] - 1                      # (N, B) the step whose output counts
    t_first = int(ends.min())
    Wt = np.ascontiguousarray(W.transpose(0, 2, 1))  # (N, U, U) so that s @ Wt = (W s)^T
    scale = np.where(arch.sigmoid, 0.5, 1.0)        # sigmoid(p) = 0.5 + 0.5 tanh(p / 2)
    Vs, bs, Ws = V * scale[:, None], b * scale, Wt * scale
    s = np.zeros((N, B, U))
    out = np.zeros((N, B))
    pre = np.empty((N, B, U))
    sig = arch.sigmoid
    for t in range(int(ends.max()) + 1):
        xt = first_input if (t == 0 and first_input is not None) else x[t][run_of]   # (N, B, D)
        np.matmul(s, Ws, out=pre)
        if D == 1:
            pre += xt * Vs[:, None, :, 0]
        else:
            pre += np.matmul(xt, Vs.transpose(0, 2, 1))
        pre += bs[:, None, :]
        np.tanh(pre, out=s)
        if sig.any():
            s[..., sig] = 0.5 + 0.5 * s[..., sig]
        if t >= t_first:
            hit = ends == t
            out[hit] = s[..., -1][hit]
    return out


def correct(arch, params, data, idx, run_of=None, first_input=None, tol=0.1):
    """(N, len(idx)) bool: |output at the end - target| < tol on the sequences ``idx`` of each run.

    data: dict x (T, R, B, D), lengths (R, B), target (R, B)."""
    x = data["x"][:, :, idx]
    lengths = data["lengths"][:, idx]
    T = int(lengths.max())
    y = final_outputs(arch, params, x[:T], lengths, run_of, first_input)
    run_of = np.arange(len(y)) if run_of is None else run_of
    return np.abs(y - data["target"][:, idx][run_of]) < tol


# ---------------------------------------------------------------- Jacobian for Lyapunov spectra

def states(arch, W, V, b, x, first_input=None):
    """Trajectory of one net along one sequence x (T, D): (T, U) states and (T, U) pre-activations."""
    s = np.zeros(arch.n_units)
    S, P = [], []
    for t in range(len(x)):
        xt = first_input if (t == 0 and first_input is not None) else x[t]
        pre = W @ s + V @ xt + b
        s = activate(pre, arch.sigmoid)
        S.append(s)
        P.append(pre)
    return np.array(S), np.array(P)


def step_map(arch, W, V, b, xt):
    """s -> f(W s + V x_t + b), for the finite-difference check of ``jacobian``."""
    return lambda s: activate(s @ W.T + V @ xt + b, arch.sigmoid)


def jacobian(arch, W, pre):
    """d s_t / d s_{t-1} = diag(f'(pre_t)) W from the pre-activations pre_t (..., U): (..., U, U).

    f' = sech^2(p) for tanh and sech^2(p / 2) / 4 for the sigmoid, computed from the pre-activation
    (not from the rounded output, which is exactly 1.0 beyond |p| ~ 37); floored at DERIV_FLOOR
    so a saturated unit gives a finite, very negative exponent."""
    a = np.abs(np.where(arch.sigmoid, 0.5, 1.0) * pre)
    e = np.exp(-2.0 * a)                               # sech^2(a) = 4 e^{-2a} / (1 + e^{-2a})^2
    d = np.where(arch.sigmoid, 0.25, 1.0) * 4.0 * e / (1.0 + e) ** 2
    return np.maximum(d, DERIV_FLOOR)[..., :, None] * W
