"""Generalized teacher forcing trains a 3-D shallow PLRNN to rebuild the Lorenz-63 attractor.

F. Hess, Z. Monfared, M. Brenner, D. Durstewitz, "Generalized Teacher Forcing for Learning
Chaotic Dynamics", ICML 2023 (PMLR 202:13017-13049), arXiv 2306.04406; code
DurstewitzLab/GTF-shPLRNN (Julia). Data: the family core shared/dynamics/flows.py (Lorenz-63,
sigma 10, rho 28, beta 8/3, RK4 sampled every dt = 0.01, standardised; observation noise 0.05 on
the training trajectory).

Model (clipped shallow PLRNN, latent M = 3 = observed dimension, hidden H = 100, identity readout):

    F(z) = A * z + W1 [relu(W2 z + h2) - relu(W2 z)] + h1
    J(z) = diag(A) + W1 diag(1[W2 z + h2 > 0] - 1[W2 z > 0]) W2          (exact, piecewise constant)

Generalized teacher forcing on a data window x_0 .. x_T (loss on the un-forced predictions):

    z~_0 = x_0;   zhat_t = F(z~_{t-1});   z~_t = (1 - alpha) zhat_t + alpha x_t
    L = mean_t |zhat_t - x_t|^2 + 1e-5 (|1 - A|^2 + |W1|^2 + |W2|^2 + |h1|^2 + |h2|^2)

so the backward recursion is delta_t = dL/dzhat_t + (1 - alpha) J(z~_t)^T delta_{t+1}: every
Jacobian is damped by (1 - alpha). Adaptive alpha (the repository's "product_upper_bound"): every
5 batches G = max over the batch of the geometric mean over the window of ||J(x_t)||_2, alpha_est =
max(0, 1 - 1/G); alpha jumps up to alpha_est, else relaxes towards it by a factor per update (start
1; the repository's 0.999, 0.99 here for the capped budget, see README).
alpha = 0 is plain BPTT on a free run.

    python3 gtf_shplrnn_lorenz.py --seed 0      # headline: 4 seeds trained at once (see README)
    python3 gtf_shplrnn_lorenz.py --quick       # seconds; what the tests run

Arrays: seeds S lead every weight: A (S, M), W1 (S, M, H), W2 (S, H, M), h1 (S, M), h2 (S, H);
states (S, B, M); data windows (T + 1, S, B, M), time-major; trajectories (T, S, M).
"""
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401  (pins BLAS to one thread before numpy loads)

import numpy as np

from shared import cli
from shared.dynamics.flows import FLOWS, trajectory
from shared.lyapunov import kaplan_yorke_dimension, qr_spectrum
from shared.results import finish_run, headline_row, record
from shared.rng import streams

PAPER = ("F. Hess, Z. Monfared, M. Brenner, D. Durstewitz, Generalized Teacher Forcing for Learning "
         "Chaotic Dynamics, ICML 2023 (PMLR 202), arXiv 2306.04406")
STREAMS = ["init", "data", "batches", "eval"]
LORENZ = FLOWS["lorenz"]

CFG = dict(
    dt=0.01,               # sampling step of the Lorenz data (time units per model step)
    n_train=100_000,       # training samples (the repository's file holds 1e5)
    n_test=100_000,        # each evaluation trajectory; the model's free run is as long
    n_splits=4,            # independent noise-free test trajectories (data-vs-data thresholds)
    noise=0.05,            # observation noise on the standardised training data ("on0.05")
    transient=5000,        # RK4 steps discarded before sampling (50 time units)
    M=3, H=100,            # latent = observed dimension; hidden units (repository default)
    B=16, T=200,           # batch and window length (repository default)
    epochs=50, batches=50,   # the first 50 epochs of the repository's 5000 x 50 (README: budget)
    paper_epochs=5000,     # the learning-rate schedule is the paper's, cut off after `epochs`
    lr0=1e-3, lr1=1e-6,    # RAdam, exponential decay per epoch from lr0 to lr1 over 5000 epochs
    l2=1e-5,               # L2 on 1 - A, W1, W2, h1, h2 (repository lat_model_regularization)
    alpha0=1.0, alpha_every=5,
    alpha_decay=0.99,      # repository 0.999: alpha would still be ~0.8 at the end of this budget
    n_seeds=4,
    n_snap=18, snap_len=1500, snap_eval=5000,   # free runs saved during training (GIF, curves)
    bins=30, psd_sigma=20.0, pe_n=20, pe_points=10_000,   # metrics (repository defaults)
    grad_windows=(25, 50, 100, 200, 400, 800, 1600), grad_batches=3,
    n_lyap=20_000, lyap_transient=2000,
)
QUICK = dict(n_train=4000, n_test=4000, n_splits=2, transient=500, H=12, B=4, T=30, epochs=3,
             batches=5, n_seeds=2, n_snap=3, snap_len=100, snap_eval=500, pe_points=200,
             grad_windows=(10, 20, 40), grad_batches=1, n_lyap=400, lyap_transient=100)
# Pre-registered bars (README, "Results"): fixed before the headline run
LAMBDA1_REL_TOL = 0.20     # model lambda_1 within 20 % of Lorenz's 0.9056 per unit time
DKY_TOL = 0.10             # model D_KY within 0.1 of Lorenz's 2.062
GTF_BOUNDED = 10.0         # GTF gradient norm: max / min over window lengths at most 10
BPTT_EXPLODES = 100.0      # plain BPTT: norm at the longest window >= 100 x the shortest


# ==============================================================================================
# Data: Lorenz-63 from the family core, standardised, noisy training copy
# ==============================================================================================
def make_data(rng, cfg):
    """Train (noisy) and n_splits noise-free test trajectories, all standardised with the
    training mean and sd. Returns train (n_train, M), tests (n_test, n_splits, M), mean, sd."""
    K = cfg["n_splits"] + 1
    x0 = np.array(LORENZ.x0) + rng.standard_normal((K, 3))
    n = max(cfg["n_train"], cfg["n_test"])
    X = trajectory(LORENZ.f, x0, cfg["dt"], n, n_transient=cfg["transient"])     # (n, K, 3)
    mean, sd = X[:cfg["n_train"], 0].mean(0), X[:cfg["n_train"], 0].std(0)
    X = (X - mean) / sd
    train = X[:cfg["n_train"], 0] + cfg["noise"] * rng.standard_normal((cfg["n_train"], 3))
    return train, X[:cfg["n_test"], 1:], mean, sd


def sample_windows(rng, data, S, B, T):
    """S x B windows of T + 1 consecutive samples, start uniform: (T + 1, S, B, M)."""
    start = rng.integers(0, len(data) - T - 1, size=(S, B))
    return data[start[None] + np.arange(T + 1)[:, None, None]]


# ==============================================================================================
# Model: clipped shallow PLRNN (forward, Jacobian, GTF forward then its backward pass)
# ==============================================================================================
def init_params(rng, S, M, H):
    """The repository's initialisation: A = diagonal of (R^T R / M + I) / lambda_max, h1 = 0,
    W1 ~ U(+-1/sqrt H), W2 ~ U(+-1/sqrt M), h2 ~ U(+-1/sqrt H)."""
    R = rng.standard_normal((S, M, M))
    K = R.transpose(0, 2, 1) @ R / M + np.eye(M)
    A = np.diagonal(K, axis1=1, axis2=2) / np.linalg.eigvalsh(K)[:, -1:]
    u = lambda shape, r: rng.uniform(-r, r, size=shape)          # noqa: E731
    return dict(A=A.copy(), W1=u((S, M, H), H ** -0.5), W2=u((S, H, M), M ** -0.5),
                h1=np.zeros((S, M)), h2=u((S, H), H ** -0.5))


def step(p, z):
    """F(z) for z (S, N, M): the model's one-step map (plain form, as in the paper)."""
    u = z @ p["W2"].transpose(0, 2, 1)                                   # (S, N, H)
    phi = np.maximum(u + p["h2"][:, None], 0) - np.maximum(u, 0)
    return p["A"][:, None] * z + phi @ p["W1"].transpose(0, 2, 1) + p["h1"][:, None]


def jacobian(p, z):
    """dF/dz at z (S, N, M): diag(A) + W1 diag(D) W2, D = 1[u + h2 > 0] - 1[u > 0]; (S, N, M, M).
    Built as D @ K with K[h, (i, j)] = W1[i, h] W2[h, j], so no (S, N, M, H) array is formed."""
    S, N, M = z.shape
    u = z @ p["W2"].transpose(0, 2, 1)
    D = (u + p["h2"][:, None] > 0).astype(float) - (u > 0)              # (S, N, H)
    K = (p["W1"].transpose(0, 2, 1)[:, :, :, None] * p["W2"][:, :, None, :]).reshape(S, -1, M * M)
    J = (D @ K).reshape(S, N, M, M)
    idx = np.arange(M)
    J[..., idx, idx] += p["A"][:, None]
    return J


def gtf_forward(p, X, alpha, l2):
    """GTF recursion on windows X (T + 1, S, B, M) with alpha (S,); alpha = 0 is a free run.
    Returns the loss per seed (S,) and the cache of the backward pass (seed-first arrays)."""
    T, S, B, M = X.shape[0] - 1, *X.shape[1:]
    H = p["h2"].shape[1]
    W2t, W1t = p["W2"].transpose(0, 2, 1), p["W1"].transpose(0, 2, 1)
    A, h1, h2 = p["A"][:, None], p["h1"][:, None], p["h2"][:, None]
    c, aX = (1 - alpha)[:, None, None], alpha[None, :, None, None] * X        # forcing terms
    Zin, Zhat = np.empty((S, T, B, M)), np.empty((S, T, B, M))
    Phi, D, M1 = np.empty((S, T, B, H)), np.empty((S, T, B, H)), np.empty((S, T, B, H), bool)
    z = X[0]
    for t in range(T):
        Zin[:, t] = z
        u = z @ W2t                                                    # u = W2 z~_{t-1}
        v = u + h2
        m1 = np.greater(v, 0, out=M1[:, t])
        m0 = u > 0
        np.subtract(m1, m0, out=D[:, t], dtype=float)                  # d phi / d u
        phi = np.subtract(v * m1, u * m0, out=Phi[:, t])               # relu(u + h2) - relu(u)
        zhat = A * z + phi @ W1t + h1                                  # zhat_t = F(z~_{t-1})
        Zhat[:, t] = zhat
        z = c * zhat + aX[t + 1]                                       # z~_t
    err = Zhat - X[1:].transpose(1, 0, 2, 3)                           # (S, T, B, M)
    loss = (err ** 2).mean(axis=(1, 2, 3)) + l2 * reg(p)
    return loss, (alpha, l2, Zin, err, Phi, D, M1)


def reg(p):
    """The L2 penalty per seed (S,) (A is pulled towards 1, everything else towards 0)."""
    return (((1 - p["A"]) ** 2).sum(1) + (p["W1"] ** 2).sum((1, 2)) + (p["W2"] ** 2).sum((1, 2))
            + (p["h1"] ** 2).sum(1) + (p["h2"] ** 2).sum(1))


def gtf_backward(p, cache):
    """Gradients of sum_s loss_s, keyed like p, by BPTT through the forced recursion."""
    alpha, l2, Zin, err, Phi, D, M1 = cache
    S, T, B, M = err.shape
    H = Phi.shape[-1]
    c, A = (1 - alpha)[:, None, None], p["A"][:, None]
    E = 2 * err / (T * B * M)                                            # dL/dzhat_t, direct part
    Delta, dPhi, dU = np.empty_like(err), np.empty_like(Phi), np.empty_like(Phi)
    g = np.zeros((S, B, M))                                              # dL/dz~_t
    for t in range(T - 1, -1, -1):
        # z~_t = (1 - alpha) zhat_t + alpha x_t
        delta = np.add(E[:, t], c * g, out=Delta[:, t])
        # zhat_t = A z~_{t-1} + W1 phi + h1,  phi = relu(u + h2) - relu(u),  u = W2 z~_{t-1}
        dphi = np.matmul(delta, p["W1"], out=dPhi[:, t])                 # (S, B, H)
        du = np.multiply(dphi, D[:, t], out=dU[:, t])
        g = A * delta + du @ p["W2"]                                     # dL/dz~_{t-1}
    # parameter gradients from every step at once: (S, T*B, .) matrices
    Dl, Zl = Delta.reshape(S, T * B, M), Zin.reshape(S, T * B, M)
    return dict(A=(Dl * Zl).sum(1) + 2 * l2 * (p["A"] - 1),
                W1=Dl.transpose(0, 2, 1) @ Phi.reshape(S, T * B, H) + 2 * l2 * p["W1"],
                W2=dU.reshape(S, T * B, H).transpose(0, 2, 1) @ Zl + 2 * l2 * p["W2"],
                h1=Dl.sum(1) + 2 * l2 * p["h1"],
                h2=np.where(M1, dPhi, 0).sum((1, 2)) + 2 * l2 * p["h2"])


def estimate_alpha(p, Xf):
    """alpha_est = max(0, 1 - 1/G), G = max over the batch of the geometric mean over the window
    of the spectral norms ||J(x_t)||_2 at the forcing signals Xf (T, S, B, M). Returns (alpha, G)."""
    T, S, B, M = Xf.shape
    J = jacobian(p, Xf.transpose(1, 2, 0, 3).reshape(S, B * T, M))
    norms = np.sqrt(np.linalg.eigvalsh(J.transpose(0, 1, 3, 2) @ J)[..., -1]).reshape(S, B, T)
    G = np.exp(np.log(norms).mean(-1)).max(-1)
    return np.maximum(0.0, 1 - 1 / G), G


def grad_norm(g):
    """Global gradient norm per seed (S,)."""
    return np.sqrt(sum((v ** 2).reshape(len(v), -1).sum(1) for v in g.values()))


# ==============================================================================================
# Training: RAdam with the repository's exponential learning-rate decay
# ==============================================================================================
class RAdam:
    """Rectified Adam (Liu et al. 2020; Flux's RADAM, the repository's optimiser), in place.
    While the variance estimate is unreliable (rho_t <= 4) the step is bias-corrected momentum."""

    def __init__(self, params, b1=0.9, b2=0.999, eps=1e-8):
        self.p, self.b1, self.b2, self.eps, self.t = params, b1, b2, eps, 0
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}
        self.rho_inf = 2 / (1 - b2) - 1

    def step(self, grads, lr):
        self.t += 1
        b1t, b2t = self.b1 ** self.t, self.b2 ** self.t
        rho = self.rho_inf - 2 * self.t * b2t / (1 - b2t)
        r = np.sqrt((rho - 4) * (rho - 2) * self.rho_inf / ((self.rho_inf - 4) * (self.rho_inf - 2) * rho)) \
            if rho > 4 else None
        for k, w in self.p.items():
            self.m[k] = self.b1 * self.m[k] + (1 - self.b1) * grads[k]
            self.v[k] = self.b2 * self.v[k] + (1 - self.b2) * grads[k] ** 2
            mhat = self.m[k] / (1 - b1t)
            w -= lr * (mhat if r is None else r * mhat / (np.sqrt(self.v[k] / (1 - b2t)) + self.eps))


def train(cfg, rngs, train_data, z_start, log=print):
    """aGTF training of S seeds at once. Returns params, alpha (S,), curves, snapshots."""
    S, E, nb = cfg["n_seeds"], cfg["epochs"], cfg["batches"]
    p = init_params(rngs["init"], S, cfg["M"], cfg["H"])
    opt = RAdam(p)
    alpha = np.full(S, cfg["alpha0"])
    gamma = (cfg["lr1"] / cfg["lr0"]) ** (1 / cfg["paper_epochs"])
    snap_at = set(np.unique(np.linspace(0, E, cfg["n_snap"]).round().astype(int)).tolist())
    curves = {k: [] for k in ("loss", "alpha", "G", "grad_norm")}
    snaps, snap_epochs = [], []
    timer = cli.Timer()
    for ep in range(E + 1):
        if ep in snap_at:                                            # free run before epoch ep
            snaps.append(free_run(p, z_start, cfg["snap_eval"]))
            snap_epochs.append(ep)
        if ep == E:
            break
        lr = cfg["lr0"] * gamma ** ep
        acc = np.zeros((4, S))
        for b in range(1, nb + 1):
            X = sample_windows(rngs["batches"], train_data, S, cfg["B"], cfg["T"])
            G = np.full(S, np.nan)
            if b % cfg["alpha_every"] == 0:
                a_est, G = estimate_alpha(p, X[1:])
                alpha = np.where(a_est > alpha, a_est, cfg["alpha_decay"] * alpha
                                 + (1 - cfg["alpha_decay"]) * a_est)
            loss, cache = gtf_forward(p, X, alpha, cfg["l2"])
            g = gtf_backward(p, cache)
            cli.check_finite(f"epoch {ep} batch {b}", loss=loss, **g)
            acc += [loss, alpha, np.nan_to_num(G), grad_norm(g)]
            opt.step(g, lr)
        n_g = nb // cfg["alpha_every"]
        for k, v in zip(curves, acc / np.array([nb, nb, max(n_g, 1), nb])[:, None], strict=True):
            curves[k].append(v)
        if ep % max(1, E // 13) == 0 or ep == E - 1:
            log(f"epoch {ep + 1:4d}/{E}  loss {np.round(curves['loss'][-1], 4)}  alpha "
                f"{np.round(alpha, 3)}  lr {lr:.1e}  {cli.progress(ep + 1, E, timer())}")
    return p, alpha, {k: np.array(v) for k, v in curves.items()}, np.array(snaps), np.array(snap_epochs)


# ==============================================================================================
# Evaluation: free runs, D_stsp, D_H, prediction error, Lyapunov spectrum, gradient norms
# ==============================================================================================
def free_run(p, z0, n):
    """n steps of z <- F(z) from z0 ((M,) shared, or (S, M)) for every seed: (n, S, M), z0 first."""
    S, M = p["A"].shape
    z = np.broadcast_to(z0, (S, M)).reshape(S, 1, M).copy()
    out = np.empty((n, S, M))
    for t in range(n):
        out[t] = z[:, 0]
        z = step(p, z)
    if not np.all(np.isfinite(out)):
        out = np.nan_to_num(out, nan=1e6, posinf=1e6, neginf=-1e6)     # a diverged model: far away
    return out


def d_stsp(x_true, x_gen, bins):
    """KL(p_true || p_gen) between bins^M state-space histograms over the box of the true data
    widened by 0.1 sd, Laplace-smoothed by 1e-5 (the repository's binned D_stsp)."""
    sd = x_true.std(0)
    lo, hi = x_true.min(0) - 0.1 * sd, x_true.max(0) + 0.1 * sd
    edges = [np.linspace(lo[i], hi[i], bins + 1) for i in range(x_true.shape[1])]
    p = np.histogramdd(x_true, bins=edges)[0].ravel()
    q = np.histogramdd(x_gen, bins=edges)[0].ravel()
    # a free run that never enters the box (diverged, or parked outside) leaves q all smoothing:
    # a finite, large divergence (the repository returns NaN there)
    p, q = (p + 1e-5) / (p.sum() + 1e-5 * p.size), (q + 1e-5) / (q.sum() + 1e-5 * q.size)
    return float(np.sum(p * np.log(p / q)))


def smoothed_spectrum(x, sigma):
    """Per dimension: z-score, |rfft|^2, Gaussian smoothing (sd sigma bins, reflect padding,
    radius 4 sigma as scipy's gaussian_filter1d), negatives clipped, normalised to sum 1."""
    x = (x - x.mean(0)) / x.std(0)
    ps = np.abs(np.fft.rfft(x, axis=0)) ** 2                              # (F, M)
    r = int(4 * sigma + 0.5)
    k = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2)
    k /= k.sum()
    pad = np.pad(ps, ((r, r), (0, 0)), mode="symmetric")
    ps = np.stack([np.convolve(pad[:, i], k, mode="valid") for i in range(ps.shape[1])], 1)
    ps = np.maximum(ps, 0)
    return ps / ps.sum(0)


def d_hellinger(x_true, x_gen, sigma):
    """Mean over dimensions of the Hellinger distance between smoothed power spectra."""
    if not np.all(np.isfinite(x_gen)) or np.any(x_gen.std(0) == 0):
        return 1.0
    a, b = smoothed_spectrum(x_true, sigma), smoothed_spectrum(x_gen, sigma)
    return float(np.mean(np.sqrt(0.5 * ((np.sqrt(a) - np.sqrt(b)) ** 2).sum(0))))


def prediction_error(p, x, n, n_points):
    """MSE of n-step free predictions from the first n_points states of x (N, M): (S,)."""
    S = p["A"].shape[0]
    z = np.broadcast_to(x[:n_points], (S,) + x[:n_points].shape).copy()
    for _ in range(n):
        z = step(p, z)
    return ((z - x[n:n + n_points]) ** 2).mean(axis=(1, 2))


def model_spectrum(p, z0, cfg):
    """All 3 exponents per unit time (S, 3) from the exact Jacobians along a free run from z0
    (S, M) (QR every step, shared.lyapunov.qr_spectrum), and the sum check: mean ln|det J| / dt (S,)."""
    n = cfg["n_lyap"] + cfg["lyap_transient"]
    traj = free_run(p, z0, n)                                            # (n, S, M)
    J = jacobian(p, traj.transpose(1, 0, 2)).transpose(1, 0, 2, 3)       # (n, S, M, M)
    lam = qr_spectrum(J, dt=cfg["dt"], n_transient=cfg["lyap_transient"], rng=0)
    logdet = np.log(np.abs(np.linalg.det(J[cfg["lyap_transient"]:]))).mean(0) / cfg["dt"]
    return lam, logdet


def gradient_norms(p, alpha, data, cfg, rng):
    """Mean log10 gradient norm per seed for each window length, under GTF (trained alpha) and
    plain BPTT (alpha = 0) on the same windows: two arrays (n_windows, S)."""
    S = len(alpha)
    out = np.zeros((2, len(cfg["grad_windows"]), S))
    for i, T in enumerate(cfg["grad_windows"]):
        for _ in range(cfg["grad_batches"]):
            X = sample_windows(rng, data, S, cfg["B"], T)
            for j, a in enumerate((alpha, np.zeros(S))):
                with np.errstate(over="ignore", invalid="ignore"):
                    g = gtf_backward(p, gtf_forward(p, X, a, 0.0)[1])
                norm = np.nan_to_num(grad_norm(g), nan=1e300, posinf=1e300)     # overflow: "huge"
                out[j, i] += np.log10(np.clip(norm, 1e-300, 1e300)) / cfg["grad_batches"]
    return out[0], out[1]


def evaluate(p, alpha, train_data, tests, cfg, rng):
    """Every number of the headline for the trained seeds, and the data-vs-data references."""
    test0, n = tests[:, 0], cfg["n_test"]
    others = tests[:, 1:].transpose(1, 0, 2)                              # (n_splits - 1, n_test, M)
    gen = free_run(p, test0[0], n + n // 4)[n // 4:]                      # discard 1/4 transient
    ev = dict(
        d_stsp=np.array([d_stsp(test0, gen[:, s], cfg["bins"]) for s in range(gen.shape[1])]),
        d_h=np.array([d_hellinger(test0, gen[:, s], cfg["psd_sigma"]) for s in range(gen.shape[1])]),
        pe=prediction_error(p, test0, cfg["pe_n"], cfg["pe_points"]),
        data_d_stsp=np.array([d_stsp(test0, other, cfg["bins"]) for other in others]),
        data_d_h=np.array([d_hellinger(test0, other, cfg["psd_sigma"]) for other in others]),
        train_d_stsp=d_stsp(test0, train_data[:n], cfg["bins"]),
        train_d_h=d_hellinger(test0, train_data[:n], cfg["psd_sigma"]))
    lam, logdet = model_spectrum(p, gen[-1], cfg)     # from each seed's own attractor
    ev.update(lam=lam, logdet=logdet, dky=np.array([kaplan_yorke_dimension(x) for x in lam]))
    ev["lg_gtf"], ev["lg_bptt"] = gradient_norms(p, alpha, train_data, cfg, rng)
    ev["gen"] = gen
    return ev


# Verdict rules (bars pre-registered in the README)
def verdict_below(values, threshold):
    """yes: every seed at or below the data-vs-data threshold; partial: some; open: none
    (the budget is capped at a fraction of the paper's, so a miss is not a 'no')."""
    ok = np.asarray(values) <= threshold
    return "yes" if ok.all() else "partial" if ok.any() else "open"


def verdict_close(values, ref, tol):
    """yes: |value - ref| <= tol in every seed; partial: in some; open: in none (capped budget)."""
    ok = np.abs(np.asarray(values) - ref) <= tol
    return "yes" if ok.all() else "partial" if ok.any() else "open"


def capped_recalled(verdict):
    """A model exponent judged against Lorenz-63 sampled at a recalled dt with an inferred noise
    level, at about 1 % of the paper's training: `partial` at best (SPEC, Verdicts)."""
    return "partial" if verdict == "yes" else verdict


def verdict_gradients(ratio_gtf, ratio_bptt, lam1):
    """ratio = gradient norm at the longest window / shortest (GTF: max / min over windows).
    Only a chaotic model (lambda_1 > 0) can show BPTT's explosion: yes = GTF bounded (<= 10x)
    and BPTT exploding (>= 100x) in every seed; partial = in some; no = in no seed although some
    model is chaotic; open = no trained model is chaotic, so the contrast cannot be measured."""
    ok = (np.asarray(ratio_gtf) <= GTF_BOUNDED) & (np.asarray(ratio_bptt) >= BPTT_EXPLODES)
    if ok.all():
        return "yes"
    if ok.any():
        return "partial"
    return "no" if np.any(np.asarray(lam1) > 0) else "open"


def fmt(v, d=3):
    """'mean ± sd' over seeds, or the single value."""
    v = np.asarray(v, float)
    return f"{v.mean():.{d}f} ± {v.std(ddof=1):.{d}f}" if v.size > 1 else f"{v.mean():.{d}f}"


def headline_rows(ev, cfg):
    thr_s, thr_h = ev["data_d_stsp"].max(), ev["data_d_h"].max()
    lam1 = ev["lam"][:, 0]
    ref1, ref_dky = LORENZ.exponents[0], LORENZ.kaplan_yorke
    lr_gtf = ev["lg_gtf"].max(0) - ev["lg_gtf"].min(0)                   # log10 growth per seed
    lr_bptt = ev["lg_bptt"][-1] - ev["lg_bptt"][0]
    n, w = cfg["n_seeds"], cfg["grad_windows"]
    return [
        headline_row("D_stsp (30-bin state-space KL) of the free run vs test data, mean ± sd over seeds",
                     fmt(ev["d_stsp"]), f"below data-vs-data threshold {thr_s:.3f}",
                     verdict_below(ev["d_stsp"], thr_s),
                     note=f"{n} seeds {np.round(ev['d_stsp'], 3).tolist()}; threshold = max over "
                          f"{len(ev['data_d_stsp'])} independent test trajectories "
                          f"{np.round(ev['data_d_stsp'], 3).tolist()}; noisy training data "
                          f"{ev['train_d_stsp']:.3f}; paper Table 1 values not read"),
        headline_row("D_H (Hellinger distance of smoothed power spectra), mean ± sd over seeds",
                     fmt(ev["d_h"]), f"below data-vs-data threshold {thr_h:.3f}",
                     verdict_below(ev["d_h"], thr_h),
                     note=f"{n} seeds {np.round(ev['d_h'], 3).tolist()}; data-vs-data "
                          f"{np.round(ev['data_d_h'], 3).tolist()}; noisy training data "
                          f"{ev['train_d_h']:.3f}"),
        headline_row("model lambda_1 per unit time (exact Jacobians, QR), mean ± sd over seeds",
                     fmt(lam1), f"{ref1} (Sprott)",
                     capped_recalled(verdict_close(lam1, ref1, LAMBDA1_REL_TOL * ref1)),
                     note=f"seeds {np.round(lam1, 3).tolist()} = x dt {cfg['dt']} per step; bar "
                          f"+-{LAMBDA1_REL_TOL:.0%}; full spectra in lyapunov"),
        headline_row("model Kaplan-Yorke dimension, mean ± sd over seeds", fmt(ev["dky"]),
                     f"{ref_dky} (Sprott)", capped_recalled(verdict_close(ev["dky"], ref_dky, DKY_TOL)),
                     note=f"seeds {np.round(ev['dky'], 3).tolist()}; bar +-{DKY_TOL}; partial at best: dt "
                          "recalled, noise inferred, 1 % of the paper's training"),
        headline_row(f"log10 gradient-norm growth, windows T = {w[0]} .. {w[-1]}: GTF (max / min over T) vs "
                     f"plain BPTT (T = {w[-1]} / T = {w[0]})",
                     f"GTF {fmt(lr_gtf, 2)}, BPTT {fmt(lr_bptt, 1)}", "bounded with GTF, exploding without",
                     verdict_gradients(10 ** lr_gtf, 10 ** lr_bptt, lam1),
                     note=f"trained models (lambda_1 > 0 needed to see BPTT explode), trained alpha "
                          f"{np.round(ev['alpha'], 3).tolist()}; bars: GTF <= {np.log10(GTF_BOUNDED):g} "
                          f"(10x), BPTT >= {np.log10(BPTT_EXPLODES):g} (100x), every seed"),
    ]


# ==============================================================================================
# Headline
# ==============================================================================================
def resolve_config(args):
    cfg = dict(CFG)
    if args.quick:
        cfg.update(QUICK)
    for key in ("epochs", "n_seeds", "alpha_decay"):
        if getattr(args, key) is not None:
            cfg[key] = getattr(args, key)
    return cfg


def main(args):
    timer, cpu0 = cli.Timer(), time.process_time()
    cfg = resolve_config(args)
    rngs = streams(args.seed, STREAMS)
    print(f"Lorenz-63, dt {cfg['dt']}, {cfg['n_train']} training samples (noise {cfg['noise']}); clipped "
          f"shPLRNN M {cfg['M']} H {cfg['H']}; aGTF, RAdam {cfg['lr0']:g} -> {cfg['lr1']:g}; "
          f"{cfg['epochs']} epochs x {cfg['batches']} batches x {cfg['B']} x T {cfg['T']}; "
          f"{cfg['n_seeds']} seeds at once")
    train_data, tests, mean, sd = make_data(rngs["data"], cfg)
    t_data = timer()
    p, alpha, curves, snaps, snap_epochs = train(cfg, rngs, train_data, tests[0, 0])
    t_train = timer() - t_data
    ev = evaluate(p, alpha, train_data, tests, cfg, rngs["eval"])
    ev["alpha"] = alpha
    snap_d = np.array([[d_stsp(tests[:, 0], sn[:, s], cfg["bins"]) for s in range(sn.shape[1])]
                       for sn in snaps])                                  # (n_snap, S)
    batch_s = t_train / (cfg["epochs"] * cfg["batches"])
    metrics = dict(
        d_stsp=ev["d_stsp"], d_h=ev["d_h"], pe20=ev["pe"], alpha_final=alpha,
        data_vs_data=dict(d_stsp=ev["data_d_stsp"], d_h=ev["data_d_h"],
                          noisy_train_d_stsp=ev["train_d_stsp"], noisy_train_d_h=ev["train_d_h"]),
        lyapunov_per_time=ev["lam"], kaplan_yorke=ev["dky"],
        sum_identity=dict(sum_exponents=ev["lam"].sum(1), mean_log_det=ev["logdet"]),
        grad_windows=list(cfg["grad_windows"]), log10_grad_gtf=ev["lg_gtf"].T,
        log10_grad_bptt=ev["lg_bptt"].T,
        snapshot_epochs=snap_epochs, snapshot_d_stsp=snap_d.T, final_loss=curves["loss"][-1],
        timing=dict(wall_s=timer(), cpu_s=time.process_time() - cpu0, data_s=t_data, train_s=t_train,
                    s_per_batch_all_seeds=batch_s,
                    paper_budget_hours_here=batch_s * cfg["paper_epochs"] * cfg["batches"] / 3600))
    lyap = dict(method=f"exact piecewise-linear Jacobians along a {cfg['n_lyap']}-step free run after "
                       f"{cfg['lyap_transient']} alignment steps, QR every step, per unit time "
                       f"(per step / dt {cfg['dt']}); one sequence per seed",
                exponents={f"shPLRNN seed {s}": ev["lam"][s] for s in range(len(alpha))}
                | {"Lorenz-63 (Sprott)": list(LORENZ.exponents)},
                window=cfg["n_lyap"], n_sequences=1)
    rec = record(args, __file__, title="Generalized teacher forcing: a 3-D shPLRNN rebuilds Lorenz-63",
                 paper=PAPER, config=dict(cfg, optimizer="RAdam", grad_windows=list(cfg["grad_windows"]),
                                          data_mean=mean, data_sd=sd),
                 metrics=metrics, headline=headline_rows(ev, cfg), lyapunov=lyap)
    arrays = dict(test=tests[:10_000, 0], gen=ev["gen"][:10_000],
                  snaps=snaps[:, :cfg["snap_len"]], snap_epochs=snap_epochs, snap_d_stsp=snap_d,
                  **{f"curve_{k}": v for k, v in curves.items()},
                  lg_gtf=ev["lg_gtf"], lg_bptt=ev["lg_bptt"], grad_windows=np.array(cfg["grad_windows"]),
                  lam=ev["lam"], **{f"param_{k}": v for k, v in p.items()})
    finish_run(args.out, rec, arrays, timer)


def gradient_checks(args=None):
    return cli.load_sibling(__file__, "gtf_shplrnn_lorenz_checks", globals()).gradient_checks()


def build_parser():
    parser = cli.make_parser(__doc__, __file__)
    parser.add_argument("--epochs", type=cli.int_range(1, 5000), default=None,
                        help=f"training epochs of {CFG['batches']} batches, 1..5000 (default "
                             f"{CFG['epochs']}; the paper's 5000 take hours here)")
    parser.add_argument("--alpha-decay", type=cli.float_range(0.0, 1.0), default=None,
                        help=f"alpha relaxation factor per alpha update (default {CFG['alpha_decay']}; "
                             "the repository's 0.999 suits its 5000 epochs)")
    parser.add_argument("--n-seeds", type=cli.int_range(1, 16), default=None,
                        help=f"seeds trained at once, 1..16 (default {CFG['n_seeds']})")
    return parser


if __name__ == "__main__":
    cli.run(main, build_parser(), gradcheck=gradient_checks)
