"""The guessed recurrent nets of the random-guessing papers: architectures, forward passes, Jacobian.

A net has U non-input units; the last one is the output. Within a time step the hidden units
update first, from the previous state of the units they see, the current input and a bias (the
"true" unit); then the output unit, from the hidden units' *new* activations, its own previous
activation, the input and its bias:

    h_t = f( W_hs s_{t-1} + V_h x_t + b_h ),                 s = (h, o),  s_0 = 0
    o_t = f( W_oh h_t + W_oo o_{t-1} + V_o x_t + b_o ),      output = o_T at the sequence's end.

The papers do not state the update order. With a fully synchronous update the output would see
h_{t-1}, and a net without hidden self-loops (A2's 250-trial parity net) could not compute parity
at all: o_t would be a threshold of threshold functions of (x_{t-1}, o_{t-2}) and x_t, and no
such threshold equals the parity of those three bits. Reading the current hidden activations
(layered order, as in the authors' LSTM papers) makes parity one XOR per step.

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
            s = step_reference(arch, W, V, b, s, xt)[0]
        out.append(s[-1])
    return np.array(out)


def step_reference(arch, W, V, b, s, xt):
    """One time step of one net: hidden units from the previous state, then the output unit from
    the new hidden activations. Returns (new state (U,), pre-activations (U,))."""
    h_pre = W[:-1] @ s + V[:-1] @ xt + b[:-1]
    h = activate(h_pre, arch.sigmoid[:-1])
    o_pre = W[-1, :-1] @ h + W[-1, -1] * s[-1] + V[-1] @ xt + b[-1]
    o = activate(o_pre, arch.sigmoid[-1:])
    return np.concatenate([h, o]), np.concatenate([h_pre, [o_pre]])


# ---------------------------------------------------------------- batched (many nets at once)

def final_outputs(arch, params, x, lengths, run_of=None, first_input=None, full_state=False):
    """Output unit at each sequence's end for N nets on their runs' sequences, all at once.

    params: W (N, U, U), V (N, U, D), b (N, U). x: (T, R, B, D) zero-padded sequences of R runs;
    lengths (R, B); run_of (N,) the run whose sequences net n reads (default: R == N, net n reads
    run n). first_input (N, B, D) replaces x[0] (latch I). Returns (N, B), or with
    ``full_state`` every unit's activation at the sequence's end, (N, B, U)."""
    W, V, b = params["W"], params["V"], params["b"]
    N, U = b.shape
    run_of = np.arange(N) if run_of is None else run_of
    T, R, B, D = x.shape
    ends = lengths[run_of] - 1                      # (N, B) the step whose output counts
    t_first = int(ends.min())
    scale = np.where(arch.sigmoid, 0.5, 1.0)        # sigmoid(p) = 0.5 + 0.5 tanh(p / 2)
    # column j of W (what unit j sends), scaled, shaped to broadcast over the B sequences:
    # W s = sum_j W[:, j] s_j, written as U multiply-adds on (N, B, U) arrays, which for these
    # tiny nets is far faster than a stack of N (B, U) @ (U, U) matrix products
    cols = [np.ascontiguousarray((W[:, :, j] * scale)[:, None, :]) for j in range(U)]   # (N, 1, U)
    used = [j for j in range(U) if arch.w_mask[:, j].any() or np.any(cols[j])]
    Vs = np.ascontiguousarray((V * scale[:, None]).transpose(0, 2, 1)[:, None])          # (N, 1, D, U)
    bs = (b * scale)[:, None, :]                                                          # (N, 1, U)
    all_sig, any_sig = bool(arch.sigmoid.all()), bool(arch.sigmoid.any())
    s = np.zeros((N, B, U))
    prev = np.zeros((N, B, U))
    out = np.zeros((N, B, U) if full_state else (N, B))
    pre = np.empty((N, B, U))
    tmp = np.empty((N, B, U))
    # output <- hidden weights, scaled: the output unit reads the hidden units' new activations
    w_oh = [(j, np.ascontiguousarray(cols[j][..., -1])) for j in used if j < U - 1]   # (N, 1)
    sig_o = bool(arch.sigmoid[-1])
    for t in range(int(ends.max()) + 1):
        s, prev = prev, s                          # prev: the state of step t-1
        xt = first_input if (t == 0 and first_input is not None) else x[t][run_of]   # (N, B, D)
        np.multiply(xt[..., 0:1], Vs[:, :, 0], out=pre)
        for d in range(1, D):
            pre += xt[..., d:d + 1] * Vs[:, :, d]
        pre += bs
        for j in used:
            np.multiply(prev[..., j:j + 1], cols[j], out=tmp)
            pre += tmp
        np.tanh(pre, out=s)
        if all_sig:
            s *= 0.5
            s += 0.5
        elif any_sig:
            s[..., arch.sigmoid] = 0.5 + 0.5 * s[..., arch.sigmoid]
        if w_oh:                                   # redo the output with the new hidden values
            po = pre[..., -1]
            for j, w in w_oh:
                po += w * (s[..., j] - prev[..., j])
            s[..., -1] = np.tanh(po)
            if sig_o:
                s[..., -1] = 0.5 + 0.5 * s[..., -1]
        if t >= t_first:
            hit = ends == t
            out[hit] = s[hit] if full_state else s[..., -1][hit]
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
        s, pre = step_reference(arch, W, V, b, s, xt)
        S.append(s)
        P.append(pre)
    return np.array(S), np.array(P)


def step_map(arch, W, V, b, xt):
    """s_{t-1} -> s_t of one net, for the finite-difference check of ``jacobian``."""
    return lambda s: step_reference(arch, W, V, b, s, xt)[0]


def jacobian(arch, W, pre):
    """d s_t / d s_{t-1} from the pre-activations pre_t (..., U): (..., U, U). Hidden rows:
    diag(f'(pre_h)) W_h; output row: f'(pre_o) (W_oh J_h + W_oo e_o), since the output reads the
    new hidden activations (layered order).

    f' = sech^2(p) for tanh and sech^2(p / 2) / 4 for the sigmoid, computed from the pre-activation
    (not from the rounded output, which is exactly 1.0 beyond |p| ~ 37); floored at DERIV_FLOOR
    so a saturated unit gives a finite, very negative exponent."""
    a = np.abs(np.where(arch.sigmoid, 0.5, 1.0) * pre)
    e = np.exp(-2.0 * a)                               # sech^2(a) = 4 e^{-2a} / (1 + e^{-2a})^2
    d = np.maximum(np.where(arch.sigmoid, 0.25, 1.0) * 4.0 * e / (1.0 + e) ** 2, DERIV_FLOOR)
    W = np.broadcast_to(W, pre.shape + (pre.shape[-1],))
    J = d[..., :, None] * W
    if pre.shape[-1] > 1:
        o_row = np.einsum("...j,...jk->...k", W[..., -1, :-1], J[..., :-1, :])    # W_oh J_h
        o_row[..., -1] += W[..., -1, -1]                                          # + W_oo e_o
        J[..., -1, :] = d[..., -1:] * o_row
    return J


def guess_film(arch, rng, result, xs, n_guesses=19):
    """Run 0's first guessed nets (drawn from its own stream ``rng``, as the search drew them) and
    then its solver, replayed on the sequences ``xs`` (T, n, n_in), for a stub's GIF.

    result: what search.search returned ("trials" per run, 0 = unsolved; "solvers").
    Returns outputs (frames, n, T), whether each frame's net fits (only the solver does), and the
    trial number of each frame."""
    trial = int(result["trials"][0])
    solver = result["solvers"][0] if trial else None
    p = guess(arch, rng, n_guesses)
    if trial and trial <= n_guesses:
        n_guesses = trial - 1                               # the solver itself is the last frame
    nets = [{k: v[g] for k, v in p.items()} for g in range(n_guesses)]
    if trial:
        nets.append(solver)
    ys = np.array([[states(arch, q["W"], q["V"], q["b"], xs[:, i])[0][:, -1] for i in range(xs.shape[1])]
                   for q in nets])
    fits = np.array([g == len(nets) - 1 and trial > 0 for g in range(len(nets))])
    frames = np.array(list(range(1, n_guesses + 1)) + ([trial] if trial else []))
    return ys, fits, frames
