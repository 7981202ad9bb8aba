"""Training, evaluation and dynamics shared by the tiny-worlds stubs (drift, regime, oscillator).

Every configuration trains all its seeds as one ensemble (a leading member axis on every weight);
several world variants share one ensemble, member g*S + i being seed i on world g, all worlds'
seed i starting from the same initialisation so that struct - null can be paired by seed.

    train_ensemble   Adam, batch 64 with an epoch-wise reshuffle (drop_last=False), full BPTT,
                     "full" or "readout" (head only) mode; snapshots for the GIFs; the step runs
                     on fast.Ensemble (path="fast", the default) or on models.forward/backward
                     (path="plain", the reference), equal up to float32 rounding
    EnsembleStep     one batch's loss and gradients on either path (what train_ensemble and
                     benchmarks/tiny_worlds.py --compare run)
    evaluate         ΔNLL against the trivial baseline per member, the original's probe, a
                     held-out-sequence probe and the input-only probe floor
    spectrum         finite-time Lyapunov exponents along driven or input-free trajectories
    coast_retention  the original's coasting test
    benchmark        ms per training step of S-seed ensembles, per model kind and path
    gradient_checks  every tensor of the three models on a short window of a world, float64
    lyapunov_*, probe_snapshot, paired_difference, learning_status, timing_line: the protocol (b)
                     plumbing of the drift and regime stubs

Arrays are time-major: inputs (T, S, B, 2), hidden states (T, S, B, H), S = ensemble members.
"""

import numpy as np

from shared import cli
from shared.gradcheck import check_gradients
from shared.lyapunov import qr_spectrum
from shared.optim import Adam
from shared.tiny_worlds import fast, models, stats
from shared.tiny_worlds.worlds import make_world

# ----------------------------------------------------------------------------------------------
# Training
# ----------------------------------------------------------------------------------------------
def train_ensemble(kind, H, worlds, S, steps, rng_init, rng_order, batch=64, lr=1e-3, mode="full",
                   n_snaps=0, log_every=1000, label="", init=None, snap_fn=None, path="fast"):
    """Train S seeds on each world of ``worlds`` as one ensemble of M = S * len(worlds) members.

    Member g*S + i is seed i on world g; all worlds' seed i share one initialisation.
    mode "full" trains everything (full BPTT); "readout" trains only the head (core frozen at init).
    init: S-member parameters to start from (default: drawn from rng_init).
    snap_fn(params): called at every snapshot with the current float32 parameters (all members);
    its return values are collected in "snap_extra" (it must not draw random numbers).
    path: "fast" (fast.Ensemble: fused gate-major step, whole-sequence gathers) or "plain" (the
    reference models.forward / models.backward on time-major gathers); the two differ only by
    float32 rounding (tests/test_tiny_worlds_fast.py).
    Returns dict: params (trained, float64), init (S members), curve (K, M) train NLL, ms_per_step,
    snapshots of member 0's hidden states on its world's eval sequence 0 (n_snaps of them).
    """
    G = len(worlds)
    init = models.init_params(kind, S, H, 2, rng_init) if init is None else init
    p = {k: np.ascontiguousarray(np.concatenate([v] * G), dtype=np.float32) for k, v in init.items()}
    opt = Adam({k: p[k] for k in (models.HEAD if mode == "readout" else p)}, lr=lr)
    step = EnsembleStep(kind, H, worlds, S, mode, path)
    T, N = worlds[0].train.obs.shape
    n_batches = -(-N // batch)                                         # drop_last=False
    Msz = S * G
    mon_x = np.concatenate([np.broadcast_to(w.eval.inputs[:, None, :1], (T, S, 1, 2)) for w in worlds], 1)
    mon_x = np.ascontiguousarray(mon_x, dtype=np.float32)             # (T, M, 1, 2) eval sequence 0
    snap_every = max(1, steps // n_snaps) if n_snaps else 0
    curve, snaps, snap_pred, snap_steps, snap_extra, acc = [], [], [], [], [], np.zeros(Msz)
    t0 = cli.Timer()
    snap_s = 0.0                                                       # time spent on snapshots
    perm = None
    for k in range(steps):
        b = k % n_batches
        if b == 0:                                                     # a fresh shuffle per epoch
            perm = np.argsort(rng_order.random((Msz, N)), axis=1)
        nll, grads = step(p, perm[:, b * batch:(b + 1) * batch])      # (M, Bk) sequences
        opt.step({k: grads[k] for k in opt.params})
        acc += nll
        if snap_every and (k % snap_every == 0 or k == steps - 1):
            t_snap = t0()
            hm, _ = models.forward(kind, p, mon_x, keep=False)
            snaps.append(hm[:, 0, 0].astype(np.float64))              # (T, H) member 0, eval seq 0
            snap_pred.append(models.readout(p, hm)[:, 0, 0].astype(np.float64))   # (T,)
            snap_steps.append(k)
            if snap_fn is not None:
                snap_extra.append(snap_fn(p))
            snap_s += t0() - t_snap
        if (k + 1) % log_every == 0 or k + 1 == steps:
            cli.check_finite(k + 1, train_nll=acc)
            n_acc = (k % log_every) + 1
            curve.append(acc / n_acc)
            acc = np.zeros(Msz)
            means = [float(np.mean(curve[-1][g * S:(g + 1) * S])) for g in range(G)]
            print(f"  {label:24s} step {k + 1:6d}  train NLL per world {np.round(means, 4).tolist()}  "
                  f"{cli.progress(k + 1, steps, t0())}  ({1e3 * t0() / (k + 1):.0f} ms/step)", flush=True)
    wall = t0()
    return {"params": {k: v.astype(np.float64) for k, v in p.items()}, "init": init,
            "curve": np.array(curve) if curve else np.zeros((0, Msz)), "wall_s": wall,
            "ms_per_step": 1e3 * wall / max(steps, 1),
            "ms_per_step_train_only": 1e3 * (wall - snap_s) / max(steps, 1),
            "snaps": np.array(snaps) if snaps else None, "snap_pred": np.array(snap_pred),
            "snap_steps": np.array(snap_steps), "snap_extra": snap_extra}


class EnsembleStep:
    """The loss and gradients of one training batch of a train_ensemble ensemble (M = S * len(worlds)
    members, member g*S + i on world g), on the fast or the plain path.

    step(p, idx) with float32 parameters p (M members) and idx (M, B) training-sequence indices,
    each into its member's own world, returns the per-member NLL (M,) and the gradients
    (the fast path's arrays are reused by the next call). mode "readout": head gradients only.
    """

    def __init__(self, kind, H, worlds, S, mode="full", path="fast"):
        if path not in ("fast", "plain"):
            raise ValueError(f"path must be 'fast' or 'plain', got {path!r}")
        if mode not in ("full", "readout"):
            raise ValueError(f"mode must be 'full' or 'readout', got {mode!r}")
        self.kind, self.H, self.S, self.G, self.mode, self.path = kind, H, S, len(worlds), mode, path
        self.T, N = worlds[0].train.obs.shape
        if path == "plain":                                            # time-major, per world
            self.Xs = [w.train.inputs.astype(np.float32) for w in worlds]     # (T, N, 2)
            self.Ys = [w.train.obs.astype(np.float32) for w in worlds]        # (T, N)
        else:                                                          # sequence-major, all worlds
            self.X = np.ascontiguousarray(np.concatenate([w.train.inputs.transpose(1, 0, 2) for w in worlds]),
                                          dtype=np.float32)            # (G*N, T, 2)
            self.Y = np.ascontiguousarray(np.concatenate([w.train.obs.T for w in worlds]), dtype=np.float32)
            self.offset = (np.arange(S * self.G) // S * N)[:, None]    # member g*S + i reads world g
            self.cores = {}                                            # one per batch size

    def __call__(self, p, idx):
        full = self.mode == "full"
        if self.path == "plain":
            T, M, Bk, S = self.T, self.S * self.G, idx.shape[1], self.S
            x = np.empty((T, M, Bk, 2), np.float32)
            y = np.empty((T, M, Bk), np.float32)
            for g in range(self.G):
                sl = slice(g * S, (g + 1) * S)
                x[:, sl], y[:, sl] = self.Xs[g][:, idx[sl]], self.Ys[g][:, idx[sl]]
            hs, cache = models.forward(self.kind, p, x, keep=full)
            nll, dpred = models.nll_loss(p, hs, y)
            return nll, models.backward(p, cache, dpred, core=full, need_dx=False)
        Bk = idx.shape[1]
        if Bk not in self.cores:
            self.cores[Bk] = fast.Ensemble(self.kind, self.S * self.G, self.H, self.T, Bk, 2, np.float32)
        ens = self.cores[Bk]
        ens.gather(self.X, self.Y, idx + self.offset)
        ens.set_params(p)
        return ens.step(core=full)


def members(p, g, S):
    """The S members of world group g, as their own parameter dict."""
    return {k: np.ascontiguousarray(v[g * S:(g + 1) * S]) for k, v in p.items()}


def scramble(p, rng):
    """The original's scramble_core: every core weight matrix (W_ih, W_hh) of every member
    flattened and randomly permuted (mixing gates); biases and head untouched."""
    q = {k: v.copy() for k, v in p.items()}
    for k in ("W_ih", "W_hh"):
        for s in range(q[k].shape[0]):
            flat = q[k][s].reshape(-1)
            q[k][s] = flat[rng.permutation(flat.size)].reshape(q[k][s].shape)
    return q


# ----------------------------------------------------------------------------------------------
# Evaluation: ΔNLL and probes
# ----------------------------------------------------------------------------------------------
def evaluate(kind, p, world, rng, chunk=50, targets=None):
    """Per-member ΔNLL and probes of trained members p (S members) on world's eval set.

    Returns dict of (S,) arrays: nll, dnll (= baseline - model), r2_orig (the original probe),
    r2_heldout (fit on the first half of the eval sequences, scored on the second half); and
    floats baseline and r2_input (the held-out probe on the input alone, the floor).
    targets: optional {name: (T, N) array} of further probe targets, each scored like r2_heldout
    and r2_input (keys r2_heldout_<name>, r2_input_<name>); they draw no random numbers.
    """
    ev = world.eval
    T, N = ev.obs.shape
    chunk = max(1, min(chunk, N // 2))
    S, H = p["W_hh"].shape[0], p["W_hh"].shape[1]
    base = stats.baseline_nll(ev.obs, world.train_mean)
    sse = np.zeros(S)
    grams = {k: 0.0 for k in ("orig_tr", "orig_va", "fit", "score", "in_fit", "in_score")}
    targets = targets or {}
    extra = {(name, k): 0.0 for name in targets for k in ("fit", "score", "in_fit", "in_score")}
    pf = {k: v.astype(np.float32) for k, v in p.items()}
    for c0 in range(0, N, chunk):
        sl = slice(c0, min(N, c0 + chunk))
        C = sl.stop - sl.start
        x = np.ascontiguousarray(np.broadcast_to(ev.inputs[:, None, sl], (T, S, C, 2)), dtype=np.float32)
        hs, _ = models.forward(kind, pf, x, keep=False)
        pred = models.readout(pf, hs).astype(np.float64)                    # (T, S, C)
        err = pred[:-1] - ev.obs[1:, None, sl]
        sse += np.einsum("tsc,tsc->s", err, err)
        # probe rows: h_t, t = 1..T-1, target the latent x_t
        X = hs[1:].transpose(1, 2, 0, 3).reshape(S, C * (T - 1), H).astype(np.float64)
        z = ev.latent[1:, sl].T.reshape(-1)
        mask = rng.random((S, z.size)) < 0.8                           # the original's row split
        grams["orig_tr"] = grams["orig_tr"] + stats.augmented_gram(X, z, mask)
        grams["orig_va"] = grams["orig_va"] + stats.augmented_gram(X, z, ~mask)
        half = "fit" if c0 < N // 2 else "score"
        grams[half] = grams[half] + stats.augmented_gram(X, z)
        Xin = ev.inputs[1:, sl].transpose(1, 0, 2).reshape(1, C * (T - 1), 2)
        grams["in_" + half] = grams["in_" + half] + stats.augmented_gram(Xin, z)
        for name, tz in targets.items():
            ze = tz[1:, sl].T.reshape(-1)
            extra[(name, half)] = extra[(name, half)] + stats.augmented_gram(X, ze)
            extra[(name, "in_" + half)] = extra[(name, "in_" + half)] + stats.augmented_gram(Xin, ze)
    nll = models.nll_from_mse(sse / (N * (T - 1)))
    out = {"nll": nll, "baseline": base, "dnll": base - nll}
    out["r2_orig"] = stats.probe_original(grams["orig_tr"], grams["orig_va"], rng)
    out["r2_heldout"] = stats.probe_lstsq(grams["fit"], grams["score"])
    out["r2_input"] = float(stats.probe_lstsq(grams["in_fit"], grams["in_score"])[0])
    for name in targets:
        out[f"r2_heldout_{name}"] = stats.probe_lstsq(extra[(name, "fit")], extra[(name, "score")])
        r2_in = stats.probe_lstsq(extra[(name, "in_fit")], extra[(name, "in_score")])
        out[f"r2_input_{name}"] = float(r2_in[0])
    return out


# ----------------------------------------------------------------------------------------------
# Dynamics: Lyapunov spectra and coasting
# ----------------------------------------------------------------------------------------------
def run_states(kind, p, x, t_stop, zero_from=None):
    """States (t_stop + 1, S, B, n) along inputs x (T, S, B, 2) from a zero state (state[t] is the
    state after t inputs); inputs from step zero_from on are replaced by the zero vector."""
    S, B = x.shape[1:3]
    H = p["W_hh"].shape[1]
    n = 2 * H if kind == "lstm" else H
    st = np.zeros((S, B, n))
    out = [st]
    for t in range(t_stop):
        xt = np.zeros_like(x[0]) if zero_from is not None and t >= zero_from else x[t]
        st = models.step(kind, p, st, xt)
        out.append(st)
    return np.array(out)


def spectrum(kind, p, x, t_from, t_to, k, n_align, zero_from=None):
    """Finite-time exponents (S, B, k) of the driven map over steps [t_from, t_to), after
    n_align steps that only align the frame (Jacobian at state t with input t)."""
    if not (0 <= t_from - n_align and t_from < t_to <= x.shape[0]):
        raise ValueError(f"spectrum window [{t_from}, {t_to}) after {n_align} aligning steps does not fit "
                         f"in {x.shape[0]} steps")
    states = run_states(kind, p, x, t_to, zero_from)
    S, B = x.shape[1:3]

    def jacs():
        for t in range(t_from - n_align, t_to):
            xt = np.zeros_like(x[0]) if zero_from is not None and t >= zero_from else x[t]
            J = models.jacobian(kind, p, states[t], xt)
            yield J.reshape((S * B,) + J.shape[2:])

    lam = qr_spectrum(jacs(), k=k, n_transient=n_align)
    return lam.reshape(S, B, k)


def coast_retention(kind, p, x, cut=100, stop=150):
    """The original's coasting test: real input up to `cut`, zero input (both channels) on
    [cut, stop); retention = std of predictions over [stop - 20, stop) / std over [cut - 20, cut)
    ([130, 150) and [80, 100) at the original's cut = 100, stop = 150).
    Returns retention (S, B) and the predictions (stop, S, B)."""
    H = p["W_hh"].shape[1]
    states = run_states(kind, p, x, stop, zero_from=cut)[1:]           # states after inputs 0..stop-1
    pred = models.readout(p, states[..., :H])                               # (stop, S, B)
    num, den = pred[stop - 20:stop].std(axis=0), pred[cut - 20:cut].std(axis=0)
    # a net whose prediction never moved before the cut has no retention to speak of: NaN, not 0/0
    return np.divide(num, den, out=np.full_like(num, np.nan), where=den > 0), pred


# ----------------------------------------------------------------------------------------------
# Gradient checks and speed
# ----------------------------------------------------------------------------------------------
def gradient_checks(world="oscillator"):
    """Every parameter tensor, input and initial state of all three models on a short window
    (T = 12) of one world; returns {"kind.tensor": relative error}."""
    rng = np.random.default_rng(11)
    w = make_world(world, "struct", rng, n_train=8, n_eval=4, T=12)
    errs = {}
    for kind in ("rnn", "gru", "lstm"):
        p = models.init_params(kind, 2, 5, 2, rng)
        x = np.ascontiguousarray(np.broadcast_to(w.train.inputs[:, None, :3], (12, 2, 3, 2)))
        y = np.ascontiguousarray(np.broadcast_to(w.train.obs[:, None, :3], (12, 2, 3)))
        every = dict(p, x=x.copy(), h0=0.3 * rng.standard_normal((2, 3, 5)))
        if kind == "lstm":
            every["c0"] = 0.3 * rng.standard_normal((2, 3, 5))

        def loss(kind=kind, p=p, every=every, y=y):
            hs, _ = models.forward(kind, p, every["x"], every["h0"], every.get("c0"))
            return models.nll_loss(p, hs, y)[0].sum()

        hs, cache = models.forward(kind, p, every["x"], every["h0"], every.get("c0"))
        g = models.backward(p, cache, models.nll_loss(p, hs, y)[1])
        for name, e in check_gradients(loss, every, g, eps=1e-3, richardson=True).items():
            errs[f"{kind}.{name}"] = e
    return errs


def benchmark(S, T, H=16, batch=64, reps=3, rng=None, path="fast", kinds=("rnn", "gru", "lstm")):
    """ms per training step (forward, loss, BPTT, Adam) of S-seed ensembles, float32, per kind,
    on the fast path (what train_ensemble runs) or the plain reference path."""
    rng = np.random.default_rng(0) if rng is None else rng
    out = {}
    for kind in kinds:
        p = {k: v.astype(np.float32) for k, v in models.init_params(kind, S, H, 2, rng).items()}
        opt = Adam(p, lr=1e-3)
        x = rng.standard_normal((T, S, batch, 2)).astype(np.float32)
        y = rng.standard_normal((T, S, batch)).astype(np.float32)
        step = training_step(kind, p, S, H, T, batch, path)
        t0 = cli.Timer()
        for _ in range(reps):
            g = step(x, y)
            opt.step({k: g[k] for k in p})
        out[kind] = 1e3 * t0() / reps
    return out


def training_step(kind, p, S, H, T, batch, path="fast"):
    """A function (x (T, S, B, 2), y (T, S, B)) -> gradients of the summed training NLL at the
    current p, on the fast or the plain path (float32; what benchmark times)."""
    if path == "plain":
        def step(x, y):
            hs, cache = models.forward(kind, p, x)
            return models.backward(p, cache, models.nll_loss(p, hs, y)[1], need_dx=False)
        return step
    ens = fast.Ensemble(kind, S, H, T, batch, 2, np.float32)

    def step(x, y):
        ens.set_batch(x, y)
        ens.set_params(p)
        return ens.step()[1]
    return step


# ----------------------------------------------------------------------------------------------
# Helpers of the drift and regime stubs (protocol b, convergence, timing)
# ----------------------------------------------------------------------------------------------
def probe_snapshot(kind, world, n_mon):
    """A snap_fn for train_ensemble: member 0 (seed 0 on the struct world) run over the first
    n_mon eval sequences; a least-squares probe of the latent (world.eval.latent) fitted on
    sequences 1 .. n_mon/2 - 1, R^2 on the rest, and its read-out along sequence 0.
    Returns (T + 1,) = [read-out (T), R^2]."""
    x = np.ascontiguousarray(world.eval.inputs[:, None, :n_mon], dtype=np.float32)    # (T, 1, n, 2)
    z = world.eval.latent[:, :n_mon]
    half = max(2, n_mon // 2)

    def fn(p):
        p0 = {k: v[:1] for k, v in p.items()}
        hs, _ = models.forward(kind, p0, x, keep=False)
        h = hs[:, 0].astype(np.float64)                                # (T, n, H)
        A = np.concatenate([h, np.ones(h.shape[:2] + (1,))], axis=-1)  # (T, n, H + 1)
        fit = A[1:, 1:half].reshape(-1, A.shape[-1])
        w = np.linalg.lstsq(fit, z[1:, 1:half].reshape(-1), rcond=None)[0]
        zs = z[1:, half:].reshape(-1)
        r2 = 1.0 - np.mean((A[1:, half:].reshape(-1, A.shape[-1]) @ w - zs) ** 2) / zs.var()
        return np.r_[A[:, 0] @ w, r2]

    return fn


def input_probe_readout(world, n_mon):
    """The input-only probe (both input channels) fitted like probe_snapshot, read out along
    sequence 0: the floor a hidden-state probe has to beat. Returns (T,)."""
    x, z = world.eval.inputs[:, :n_mon], world.eval.latent[:, :n_mon]
    half = max(2, n_mon // 2)
    A = np.concatenate([x, np.ones(x.shape[:2] + (1,))], axis=-1)
    w = np.linalg.lstsq(A[1:, 1:half].reshape(-1, 3), z[1:, 1:half].reshape(-1), rcond=None)[0]
    return A[:, 0] @ w


def paired_difference(struct, null, n_flips, rng):
    """Protocol (b): d = ΔNLL(struct) - ΔNLL(null) per seed (seed i of both worlds shares its
    init), two-sided sign-flip test and d_z = mean / sd of d. struct, null: (S,)."""
    d = np.asarray(struct, np.float64) - np.asarray(null, np.float64)
    _, p = stats.sign_flip_test(d, n_flips, rng, alternative="two-sided")
    return {**stats.summary(d), "p_two_sided": p, "d_z": stats.cohen_d(d) if d.size > 1 else None}


def learning_status(curve, S, names, tol, frac=0.25):
    """Per world: the last logged training NLL (mean over seeds) and its change over the last
    `frac` of the logged points (None when fewer than two points were logged); "converged" when
    that change is below tol (nats per step).
    curve (K, S * len(names)) from train_ensemble."""
    out = {}
    K = curve.shape[0]
    back = max(1, int(round(frac * K)))
    for g, name in enumerate(names):
        c = curve[:, g * S:(g + 1) * S].mean(axis=1)
        delta = float(c[-1] - c[-1 - back]) if K > back else None      # too few points to tell
        out[name] = {"final_train_nll": float(c[-1]), "change_over_last_quarter": delta,
                     "converged": bool(K > back and abs(delta) < tol)}
    return out


def lyapunov_windows(T, n_windows=3):
    """Protocol (b) windows of a T-step world: after a first quarter, three equal driven windows
    [(t0, t1), ...], up to 8 aligning steps before each, and the input-free run (cut, t0, t1) that
    zeroes the input from T // 2 on. Returns (windows, n_align, free)."""
    w0 = T // 4
    wl = (T - w0) // n_windows
    windows = [(w0 + i * wl, w0 + (i + 1) * wl) for i in range(n_windows)]
    n_align = min(8, w0)
    cut = T // 2
    return windows, n_align, (cut, cut + n_align, T)


def lyapunov_many(kind, p, inputs, n_seq, windows, n_align, k, free):
    """Protocol (b) spectra of S members along the first n_seq sequences of inputs (T, N, 2).

    windows: [(t0, t1), ...] driven windows (each after n_align aligning steps); free =
    (cut, t0, t1): input (both channels) zeroed from step cut on, exponents over [t0, t1).
    Returns driven (W, S, n_seq, k), input-free (S, n_seq, k) and a summary dict with the mean
    over windows and sequences per seed, the sd over seeds and over windows x sequences."""
    S = p["W_hh"].shape[0]
    T = inputs.shape[0]
    x = np.ascontiguousarray(np.broadcast_to(inputs[:, None, :n_seq], (T, S, n_seq, 2)))
    driven = np.stack([spectrum(kind, p, x, a0, a1, k, n_align) for a0, a1 in windows])
    cut, f0, f1 = free
    fr = spectrum(kind, p, x, f0, f1, k, f0 - cut, zero_from=cut)
    per_seed = driven.mean(axis=(0, 2))                                # (S, k)
    sd = lambda v: v.std(axis=0, ddof=1).tolist() if v.shape[0] > 1 else None  # noqa: E731
    summ = {"driven_mean": per_seed.mean(axis=0).tolist(), "driven_sd_over_seeds": sd(per_seed),
            "driven_lambda1_sd_over_windows_and_sequences": float(driven[..., 0].std()),
            "input_free_mean": fr.mean(axis=(0, 1)).tolist(), "input_free_sd_over_seeds": sd(fr.mean(axis=1))}
    return driven, fr, summ


def lyapunov_trained_untrained(kind, tr, S, inputs, n_seq, windows, n_align, free, k=8):
    """lyapunov_many of the trained struct members (world group 0 of train_ensemble's result tr)
    and of their untrained init. Returns the trained driven (W, S, n_seq, k) and input-free
    (S, n_seq, k) exponents and {"trained": summary, "untrained": summary}."""
    p_tr = members(tr["params"], 0, S)
    driven, fr, summ = lyapunov_many(kind, p_tr, inputs, n_seq, windows, n_align, k, free)
    _, _, summ0 = lyapunov_many(kind, tr["init"], inputs, n_seq, windows, n_align, k, free)
    return driven, fr, {"trained": summ, "untrained": summ0}


def lyapunov_record(lyap, n_seq, windows, n_align):
    """The results.json "lyapunov" entry of the drift and regime stubs from their per-kind
    {"trained": summary, "untrained": summary}: method text and descending trained exponents."""
    method = (f"QR on the driven Jacobians of the trained struct members (H=16; LSTM state [h, c]): "
              f"{n_seq} eval sequences x windows {windows} after {n_align} aligning steps each, "
              f"from h0 = 0; exponents per step, mean over seeds, windows and sequences")
    return {"method": method,
            "exponents": {k: sorted(v["trained"]["driven_mean"], reverse=True) for k, v in lyap.items()}}


def snapshot_arrays(kind, tr):
    """results.npz entries of train_ensemble's probe snapshots (empty when none were taken):
    the probe read-outs with R² (K, T + 1), the snapshot steps (K,) and the net's predictions."""
    if not tr["snap_extra"]:
        return {}
    return {f"{kind}_probe_snaps": np.array(tr["snap_extra"]), f"{kind}_snap_steps": tr["snap_steps"],
            f"{kind}_snap_pred": tr["snap_pred"]}


def probe_arrays(world, n_mon):
    """results.npz entries the probe GIFs draw against: eval sequence 0's latent and observation
    (T,) and the input-only probe's read-out along it."""
    return {"snap_latent": world.eval.latent[:, 0], "snap_obs": world.eval.obs[:, 0],
            "input_probe_readout": input_probe_readout(world, n_mon)}


def timing_line(tr, n_members, n_seeds, original_ms, original_seed_s=None):
    """metrics.timing entry of one ensemble: ms per ensemble step, per member (seed-world) step,
    and the original's single-thread torch ms per step of one seed (original_ms = (lo, hi), as
    timed on this kind of machine) with the speedup."""
    per = tr["ms_per_step_train_only"] / n_members
    lo, hi = original_ms
    return {"ms_per_ensemble_step": tr["ms_per_step_train_only"], "members": n_members, "seeds": n_seeds,
            "ms_per_seed_step": per, "original_ms_per_seed_step": [lo, hi],
            "speedup_per_seed_step": [lo / per, hi / per],
            "original_wall_s_one_seed_20000_steps": original_seed_s, "train_wall_s": tr["wall_s"]}


# the catalog's bounded integer type (one line on a bad value), under the family's older name
int_between = cli.int_range


# Upper bounds of the world flags: a few times the original's sizes, so that a typo (10**9) is
# refused at once instead of filling the memory or running for days.
MAX_STEPS = 100_000                 # the original: 20,000
MAX_SEEDS = 100                     # the original: 20
MAX_TRAIN, MAX_EVAL = 50_000, 20_000
MAX_VALUES = 13_000_000             # (n_train + n_eval) x T (E3's default 5.6M); each world holds 4 copies
MIN_EVAL = 4                        # the held-out probe fits on half the eval sequences, scores the rest


def add_world_args(parser, T, T_min, snaps_help="probe snapshots for the GIF"):
    """The data and test flags every world stub shares: --n-train, --n-eval, --T (default: the
    original's sequence length T; at least T_min, the shortest the stub's windows fit in),
    --n-flips, --n-snaps, each bounded below and above."""
    parser.add_argument("--n-train", type=int_between(1, MAX_TRAIN), default=20000, help="training sequences")
    parser.add_argument("--n-eval", type=int_between(MIN_EVAL, MAX_EVAL), default=2000,
                        help="evaluation sequences (the held-out probe fits on half, scores on the rest)")
    parser.add_argument("--T", type=int_between(T_min, 4 * T), default=T,
                        help=f"sequence length (original {T}; at least {T_min} for the Lyapunov windows)")
    parser.add_argument("--n-flips", type=int_between(1, 1_000_000), default=9999, help="sign flips per test")
    parser.add_argument("--n-snaps", type=int_between(0, 1000), default=40, help=snaps_help)


def check_world_sizes(args):
    """Refuse (one line) a data set too large to hold: (n_train + n_eval) x T above MAX_VALUES."""
    n = (args.n_train + args.n_eval) * args.T
    if n > MAX_VALUES:
        raise cli.StubError(f"(--n-train {args.n_train} + --n-eval {args.n_eval}) x --T {args.T} = {n:,} "
                            f"values per world; at most {MAX_VALUES:,} fit in memory here")
