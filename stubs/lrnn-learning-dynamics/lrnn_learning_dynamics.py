"""Learning dynamics of linear RNNs (Proca, Domine, Shanahan, Mediano, ICML 2025, PMLR 267).

A linear RNN reads T inputs and answers once, at the end (the paper's notation, Sec. 2.1):

    h_{t+1} = W_h h_t + W_x x_t,   h_1 = 0,   y_hat = W_y h_{T+1} = sum_t W_y W_h^{T-t} W_x x_t,
    L = 1/(2P) sum_p ||y_p - y_hat_p||^2        (full batch, plain gradient descent, BPTT by hand).

With whitened inputs, input-output correlations U S_t V^T that share their singular vectors across
t, and weights aligned with them (W_x = R A V^T, W_h = R B R^T, W_y = U C R^T, diagonal A, B, C),
each singular dimension alpha is one scalar triple (a, b, c) = (input, recurrent, output mode)
following gradient flow on E = 1/2 sum_t (s_t - c b^{T-t} a)^2 (paper eqs. 5-8; tau = 1/lr here).
This stub trains the full matrices on data and checks them against that reduced system:

  1. staircase: four singular dimensions of different size and timing learned one after another,
     simulated vs the integrated reduced ODE; the order of learning (larger and later first);
  2. task dynamics: constant, inverse-exponential (s_t = d lam^{T-t}) and exponential (s_t = d lam^t)
     tasks; the learned recurrent mode b -> 1, lam or 1/lam; extrapolation to other lengths T';
     early-importance tasks give b > 1, a positive Lyapunov exponent ln|b|;
  3. the recurrent vs feed-forward trade-off: s_t = 1 for t < T, s_T = kappa; as kappa grows the
     net switches from the recurrent solution (b ~ 1) to a feed-forward one (b ~ 1/kappa).

The exponents of a linear RNN are ln|eig(W_h)| exactly; they are compared with the QR estimate
(shared.lyapunov.qr_spectrum) and with the predicted ln|b*| per mode.

    python3 lrnn_learning_dynamics.py --seed 0      # headline (~25 CPU-seconds)
    python3 lrnn_learning_dynamics.py --quick       # seconds; what the tests run
    python3 lrnn_learning_dynamics.py --gradcheck   # BPTT and the reduced system vs differences

Arrays: runs on a leading axis R; inputs X (T, R, P, N), targets Y (R, P, N), weights (R, N, N);
hidden states (T+1, R, P, N); mode quantities (R, N) per singular dimension; lag maps
m (R, N, T) with m[r, alpha, k] = U_alpha^T W_y W_h^k W_x V_alpha. No family core is used: the
model and its reduced system live here.
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401  (pins BLAS to one thread before numpy loads)

import numpy as np

from shared import cli
from shared.lyapunov import qr_spectrum
from shared.results import finish_run, headline_row, record
from shared.rng import streams

PAPER = ("A. M. Proca, C. C. J. Domine, M. Shanahan, P. A. M. Mediano, Learning dynamics in linear "
         "recurrent neural networks, ICML 2025, PMLR 267:49860-49902")
STREAMS = ["data", "init", "eval"]

CFG = dict(N=4, T=6, P=1000, n_seeds=4,
           P_small=256,                     # sequences for the one-mode tasks and the trade-off
           a0=0.05, b0=0.05, c0=0.05,       # aligned init of every mode (small: the rich regime)
           sigma=0.1)                       # random init: entries N(0, sigma^2 / N) (paper App. P.1.2)
# 1. staircase: (delta, lambda) of s_t = delta lambda^{T-t} per singular dimension. Dimensions 1 and
#    2 are the paper's App. E pair (ascending vs descending, the same magnitudes swapped).
STAIR = dict(delta=(2.0, 1.1, 0.5, 0.3), lam=(0.3, 0.5, 1.1, 1.0), lr=0.004, steps=5000, every=20)
# 2. one-mode tasks (delta = 1): family, lambda; b* = 1, lambda, 1/lambda (App. F.3)
VARIANTS = (("constant", 1.0), ("inverse-exp", 0.6), ("inverse-exp", 0.9), ("inverse-exp", 1.1),
            ("inverse-exp", 1.2), ("exponential", 0.8), ("exponential", 0.9), ("exponential", 1.1),
            ("exponential", 1.25))
TASKS = dict(lr=0.005, steps=4000, n_seeds=2, test_lengths=tuple(range(1, 19)), P_eval=500)
# 3. trade-off: s_t = delta (t < T), s_T = kappa on a grid, at two lengths (lr below 2 / curvature)
TRADE = dict(delta=1.0, kappa=tuple(np.round(np.arange(0.25, 8.01, 0.25), 3)), T=(6, 10), lr=(0.01, 0.004),
             steps=(1500, 2500), n_seeds=2, dirac_T=(3, 4, 6, 8, 10))
SPARE_KAPPA = TRADE["kappa"][1::2]          # the spare-unit arm: every other kappa, one seed
QUICK = dict(P=200, P_small=64, n_seeds=1, stair_steps=1500, stair_lr=0.01, task_steps=600, task_seeds=1,
             kappa=(1.0, 4.0, 5.0, 6.0), spare_kappa=(2.0, 6.0), trade_steps=(300, 600), trade_seeds=1)
# Pre-registered bars (README, "Sources"); fixed before the headline run.
BARS = dict(ode_u=0.05, ode_b=0.05, b_aligned=0.01, b_random=0.03, extrap_rel=0.10, extrap_zero=1e-3,
            lyap_qr=1e-6, switch_steps=1)


# ==============================================================================================
# Data: whitened inputs, targets with prescribed singular values per lag (paper App. P.4.1)
# ==============================================================================================
def task_values(kind, delta, lam, T):
    """s_t for t = 1..T: constant delta, inverse-exponential delta lam^{T-t}, exponential delta lam^t."""
    t = np.arange(1, T + 1)
    if kind == "constant":
        return np.full(T, float(delta))
    if kind == "inverse-exp":
        return delta * lam ** (T - t)
    if kind == "exponential":
        return delta * lam ** t
    raise ValueError(f"unknown task dynamics {kind!r}")


def random_orthogonal(rng, n):
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def make_data(rng, S, P):
    """Whitened inputs and targets with Sigma^{YX_t} / P = U diag(S[:, t]) V^T exactly.

    S: (N, T) singular values per dimension and input time. Returns X (T, P, N), Y (P, N), U, V.
    The T*N input coordinates are whitened jointly, so Sigma^{X_t X_t'} / P = delta_tt' I.
    """
    N, T = S.shape
    Z = rng.standard_normal((P, T * N))
    Z -= Z.mean(0)
    L = np.linalg.cholesky(Z.T @ Z / P)
    X = np.linalg.solve(L, Z.T).T.reshape(P, T, N).transpose(1, 0, 2)      # (T, P, N)
    U, V = random_orthogonal(rng, N), random_orthogonal(rng, N)
    Y = sum(X[t] @ (U @ np.diag(S[:, t]) @ V.T).T for t in range(T))        # y = sum_t U S_t V^T x_t
    return X, Y, U, V


def stack_data(rng, S_list, P):
    """make_data for every run; returns X (T, R, P, N), Y (R, P, N), U (R, N, N), V (R, N, N)."""
    parts = [make_data(rng, S, P) for S in S_list]
    return (np.stack([p[0] for p in parts], 1), np.stack([p[1] for p in parts]),
            np.stack([p[2] for p in parts]), np.stack([p[3] for p in parts]))


# ==============================================================================================
# Model: forward, then the hand-written backward (BPTT)
# ==============================================================================================
def init_aligned(rng, U, V, a0, b0, c0):
    """Weights aligned with the data's singular vectors (paper App. P.1.1, one shared R):
    W_x = R diag(a) V^T, W_h = R diag(b) R^T, W_y = U diag(c) R^T. a0, b0, c0: (R, N)."""
    Rm = np.stack([random_orthogonal(rng, U.shape[-1]) for _ in range(U.shape[0])])
    RT = Rm.swapaxes(-1, -2)
    return dict(W_x=Rm * a0[:, None, :] @ V.swapaxes(-1, -2), W_h=Rm * b0[:, None, :] @ RT,
                W_y=U * c0[:, None, :] @ RT)


def init_random(rng, R, N, sigma):
    """Small unaligned Gaussian weights, std sigma / sqrt(N) (paper App. P.1.2)."""
    return {k: rng.standard_normal((R, N, N)) * sigma / np.sqrt(N) for k in ("W_x", "W_h", "W_y")}


def forward(p, X):
    """hs (T+1, R, P, N) with hs[0] = h_1 = 0, and y_hat = W_y h_{T+1} (R, P, N)."""
    T = X.shape[0]
    hs = np.zeros((T + 1,) + X.shape[1:])
    Wh_T, Wx_T = p["W_h"].swapaxes(-1, -2), p["W_x"].swapaxes(-1, -2)
    for t in range(T):
        hs[t + 1] = hs[t] @ Wh_T + X[t] @ Wx_T                # h_{t+1} = W_h h_t + W_x x_t
    return hs, hs[T] @ p["W_y"].swapaxes(-1, -2)


def loss_and_grads(p, X, Y):
    """Per-run loss (R,) and its gradients, keyed like the parameters (BPTT through all T steps)."""
    hs, yhat = forward(p, X)
    T, P = X.shape[0], X.shape[2]
    err = yhat - Y                                            # (R, P, N)
    loss = 0.5 * (err ** 2).sum((1, 2)) / P
    e = err / P
    # y_hat = W_y h_{T+1}
    g = {"W_y": e.swapaxes(-1, -2) @ hs[T]}
    dh = np.empty((T,) + X.shape[1:])                         # dh[t] = dL/dh_{t+1}
    dh[T - 1] = e @ p["W_y"]
    for t in range(T - 1, 0, -1):
        dh[t - 1] = dh[t] @ p["W_h"]                          # h_{t+1} = W_h h_t + ...: dL/dh_t
    # h_{t+1} = W_h h_t + W_x x_t: both weights collect dL/dh_{t+1} against h_t and x_t
    g["W_h"], g["W_x"] = np.zeros_like(p["W_h"]), np.zeros_like(p["W_x"])
    for t in range(T):
        dT = dh[t].swapaxes(-1, -2)                           # (R, N, P)
        g["W_h"] += dT @ hs[t]
        g["W_x"] += dT @ X[t]
    return loss, g


def lag_maps(p, U, V, T):
    """m (R, N, T): m[r, alpha, k] = U_alpha^T W_y W_h^k W_x V_alpha, the net's singular value at lag k
    (input time t = T - k). For aligned weights m = c b^k a exactly."""
    M = p["W_x"] @ V                                          # (R, N, N)
    out = []
    for _ in range(T):
        out.append(np.einsum("rna,rnm,rma->ra", U, p["W_y"], M))
        M = p["W_h"] @ M
    return np.stack(out, -1)


def modes_of(m):
    """(u, b) from lag maps: u = m_0 (the input-output mode ac), b = m_1 / m_0 (the recurrent mode)."""
    u = m[..., 0]
    return u, m[..., 1] / np.where(np.abs(u) > 1e-12, u, 1e-12)


def train(p, X, Y, U, V, lr, steps, every, label=""):
    """Full-batch gradient descent; lag maps and losses every ``every`` steps (and at 0 and the end)."""
    T = X.shape[0]
    snaps, losses, at, whs = [], [], [], []
    timer = cli.Timer()
    for step in range(steps + 1):
        loss, g = loss_and_grads(p, X, Y)
        if step % every == 0 or step == steps:
            cli.check_finite(f"{label} step {step}", loss=loss)
            snaps.append(lag_maps(p, U, V, T))
            losses.append(loss)
            whs.append(p["W_h"].copy())
            at.append(step)
        if step % max(1, steps // 4) == 0:
            print(f"  {label:<11} step {step:6d}  loss mean {loss.mean():.3e}  max {loss.max():.3e}  "
                  f"{timer():6.1f}s")
        if step < steps:
            for k in p:
                p[k] -= lr * g[k]
    # m: (R, n_snap, N, T), losses (R, n_snap), W_h snapshots (R, n_snap, N, N)
    return p, np.array(at), np.stack(snaps, 1), np.stack(losses, 1), np.stack(whs, 1)


# ==============================================================================================
# The reduced system: one scalar triple (a, b, c) per singular dimension (paper eqs. 5-8)
# ==============================================================================================
def mode_energy(a, b, c, s):
    """E = 1/2 sum_t (s_t - c b^{T-t} a)^2 (tau = 1); a, b, c (...), s (..., T)."""
    T = s.shape[-1]
    k = T - np.arange(1, T + 1)
    return 0.5 * ((s - (c * a)[..., None] * b[..., None] ** k) ** 2).sum(-1)


def mode_rhs(a, b, c, s):
    """Gradient flow -dE/d(a, b, c): eqs. (5)-(7) of the paper."""
    T = s.shape[-1]
    k = T - np.arange(1, T + 1)                               # T - i for i = 1..T
    bk = b[..., None] ** k
    r = s - (c * a)[..., None] * bk                           # residual per input time
    bkm1 = np.where(k > 0, b[..., None] ** np.maximum(k - 1, 0), 0.0)
    da = (c[..., None] * bk * r).sum(-1)
    db = ((c * a)[..., None] * k * bkm1 * r).sum(-1)
    dc = (a[..., None] * bk * r).sum(-1)
    return da, db, dc


def integrate_modes(a, b, c, s, dt, n_steps, every):
    """RK4 of the gradient flow in units of GD steps (dt = lr); states every ``every`` steps."""
    out = [(a, b, c)]
    for step in range(1, n_steps + 1):
        k1 = mode_rhs(a, b, c, s)
        k2 = mode_rhs(*(x + 0.5 * dt * d for x, d in zip((a, b, c), k1, strict=True)), s)
        k3 = mode_rhs(*(x + 0.5 * dt * d for x, d in zip((a, b, c), k2, strict=True)), s)
        k4 = mode_rhs(*(x + dt * d for x, d in zip((a, b, c), k3, strict=True)), s)
        a, b, c = (x + dt / 6 * (d1 + 2 * d2 + 2 * d3 + d4)
                   for x, d1, d2, d3, d4 in zip((a, b, c), k1, k2, k3, k4, strict=True))
        if step % every == 0 or step == n_steps:
            out.append((a, b, c))
    return tuple(np.stack(z, 0) for z in zip(*out, strict=True))           # each (n_snap, ...)


def energy_terms(u, b, s):
    """Lemma 3.2: E = data term + effective regulariser 1/2 u^2 (1 - b^{2T}) / (1 - b^2)."""
    T = s.shape[-1]
    k = T - np.arange(1, T + 1)
    data = 0.5 * (s ** 2 - 2 * s * u[..., None] * b[..., None] ** k).sum(-1)
    reg = 0.5 * u ** 2 * (b[..., None] ** (2 * k)).sum(-1)   # = (1 - b^2T)/(1 - b^2) off b = 1
    return data, reg


def global_minimum(s, b_grid):
    """Global minimiser (u*, b*) of E over u and b (b on a grid, u in closed form per b)."""
    T = s.shape[-1]
    k = T - np.arange(1, T + 1)
    bk = b_grid[:, None] ** k                                  # (G, T)
    num, den = bk @ s, (bk ** 2).sum(-1)
    u = num / den
    E = 0.5 * ((s[None] - u[:, None] * bk) ** 2).sum(-1)
    i = int(np.argmin(E))
    return u[i], b_grid[i], E[i]


def dirac_critical(T, betas, b_grid):
    """Smallest beta at which the global minimum of the Dirac-delta task s_1 = beta, s_T = 1/beta
    (App. H) leaves b = 0 (|b*| > 0.05)."""
    for beta in betas:
        s = np.zeros(T)
        s[0], s[-1] = beta, 1 / beta
        if abs(global_minimum(s, b_grid)[1]) > 0.05:
            return float(beta)
    return None


# ==============================================================================================
# Experiments
# ==============================================================================================
def half_times(m, S, at):
    """Step at which each dimension's error first falls to half its initial value (R, N); -1 if never."""
    target = S[None, None, :, ::-1]                           # lag k <-> input time T - k
    E = ((m - target) ** 2).sum(-1)                           # (R, n_snap, N)
    done = E <= 0.5 * E[:, :1]
    first = np.where(done.any(1), done.argmax(1), -1)
    return np.where(first >= 0, at[np.maximum(first, 0)], -1)


def staircase(cfg, rngs):
    """Aligned and random-init nets (n_seeds each) on the four-dimension task, and the reduced ODE."""
    N, T, n = cfg["N"], cfg["T"], cfg["n_seeds"]
    S = np.stack([task_values("inverse-exp", d, lam, T)
                  for d, lam in zip(STAIR["delta"], STAIR["lam"], strict=True)])
    X, Y, U, V = stack_data(rngs["data"], [S] * (2 * n), cfg["P"])
    full = lambda v: np.full((n, N), v)                        # noqa: E731
    pa = init_aligned(rngs["init"], U[:n], V[:n], full(cfg["a0"]), full(cfg["b0"]), full(cfg["c0"]))
    pr = init_random(rngs["init"], n, N, cfg["sigma"])
    p = {k: np.concatenate([pa[k], pr[k]]) for k in pa}
    lr, steps, every = cfg["stair_lr"], cfg["stair_steps"], STAIR["every"]
    p, at, m, loss, whs = train(p, X, Y, U, V, lr, steps, every, "staircase")
    a, b, c = integrate_modes(full(cfg["a0"])[0], full(cfg["b0"])[0], full(cfg["c0"])[0], S, lr, steps, every)
    u_sim, b_sim = modes_of(m)                                 # (R, n_snap, N)
    u_ode, b_ode = a * c, b                                    # (n_snap, N)
    dev_u = np.abs(u_sim[:n] - u_ode).max((1, 2)) / np.abs(S).max()
    dev_b = np.abs(b_sim[:n] - b_ode).max((1, 2))
    m_ode = (a * c)[..., None] * b[..., None] ** np.arange(T)
    th = half_times(m, S, at)
    th_ode = half_times(m_ode[None], S, at)[0]
    return dict(S=S, at=at, m=m, loss=loss, u_sim=u_sim, b_sim=b_sim, u_ode=u_ode, b_ode=b_ode,
                dev_u=dev_u, dev_b=dev_b, t_half=th, t_half_ode=th_ode, W_h=p["W_h"], n=n, W_h_hist=whs,
                E_ode=mode_energy(a, b, c, S).sum(-1))


def task_dynamics(cfg, rngs):
    """One-mode tasks of every family, aligned and random init, n_seeds each; extrapolation."""
    N, T, n = cfg["N"], cfg["T"], cfg["task_seeds"]
    runs = [(v, init, s) for init in ("aligned", "random") for v in range(len(VARIANTS)) for s in range(n)]
    S_list = []
    for v, _, _ in runs:
        S = np.zeros((N, T))
        S[0] = task_values(VARIANTS[v][0], 1.0, VARIANTS[v][1], T)
        S_list.append(S)
    X, Y, U, V = stack_data(rngs["data"], S_list, cfg["P_small"])
    na = len(runs) // 2
    pa = init_aligned(rngs["init"], U[:na], V[:na], np.full((na, N), cfg["a0"]),
                      np.full((na, N), cfg["b0"]), np.full((na, N), cfg["c0"]))
    pr = init_random(rngs["init"], na, N, cfg["sigma"])
    p = {k: np.concatenate([pa[k], pr[k]]) for k in pa}
    p, at, m, loss, _ = train(p, X, Y, U, V, TASKS["lr"], cfg["task_steps"],
                              max(1, cfg["task_steps"] // 50), "tasks")
    b_star = np.array([1.0 if f == "constant" else lam if f == "inverse-exp" else 1 / lam
                       for f, lam in VARIANTS])
    u_star = np.array([lam ** T if f == "exponential" else 1.0 for f, lam in VARIANTS])
    vi = np.array([r[0] for r in runs])
    u_fin, b_fin = modes_of(m[:, -1, 0])                        # the task's dimension
    eig = np.linalg.eigvals(p["W_h"])
    top = eig[np.arange(len(eig)), np.argmax(np.abs(eig), 1)]
    ext = extrapolation(p, U, V, vi, T, rngs["eval"], N)
    return dict(runs=runs, vi=vi, b_star=b_star, u_star=u_star, u_fin=u_fin, b_fin=b_fin,
                top_eig=top, W_h=p["W_h"], at=at, loss=loss, b_hist=modes_of(m[:, :, 0])[1], **ext)


def extrapolation(p, U, V, vi, T, rng, N):
    """Relative test error at lengths T' (fresh white inputs) against each task's own rule at T',
    the prediction of the zero-loss solution, and ||h_{T'+1}|| / ||h_{T+1}||."""
    lengths = TASKS["test_lengths"]
    R = len(vi)
    err, pred, growth = np.zeros((R, len(lengths))), np.zeros((R, len(lengths))), np.zeros((R, len(lengths)))
    x_all = rng.standard_normal((max(lengths), R, TASKS["P_eval"], N))
    h_ref = None
    for j, L in enumerate(lengths):
        X = x_all[:L]
        hs, yhat = forward(p, X)
        y = np.zeros_like(yhat)
        for r in range(R):
            fam, lam = VARIANTS[vi[r]]
            s = task_values(fam, 1.0, lam, L)
            y[r] = sum(X[t, r] @ (s[t] * np.outer(U[r][:, 0], V[r][:, 0])).T for t in range(L))
            net = task_values("inverse-exp", lam ** T if fam == "exponential" else 1.0,
                              1 / lam if fam == "exponential" else (1.0 if fam == "constant" else lam), L)
            pred[r, j] = ((net - s) ** 2).sum() / (s ** 2).sum()
        err[:, j] = ((yhat - y) ** 2).sum((1, 2)) / (y ** 2).sum((1, 2))
        norm = np.sqrt((hs[L] ** 2).sum((1, 2)))
        if L == T:
            h_ref = norm
        growth[:, j] = norm
    return dict(lengths=np.array(lengths), ext_err=err, ext_pred=pred, h_growth=growth / h_ref[:, None])


def tradeoff(cfg, rngs):
    """s_t = delta (t < T), s_T = kappa on a kappa grid, for each T: GD on aligned nets, the reduced
    ODE from the same init, and the global minimum of E (u in closed form, b on a grid).

    Every singular dimension of a net carries its own kappa, so each hidden unit serves one dimension
    (the paper's aligned setting; K kappas fill K / N nets per seed). A second arm at the longest T
    gives each net one active dimension and N - 1 spare hidden units."""
    N, n = cfg["N"], cfg["trade_seeds"]
    kap = np.array(cfg["kappa"])
    K, nets = len(kap), len(kap) // N
    order = np.arange(K).reshape(N, nets).T                   # net j: kappa indices j, j + K/N, ...
    grid = np.linspace(-1.5, 1.5, 30001)
    out = {}
    for T, lr, steps in zip(TRADE["T"], TRADE["lr"], cfg["trade_steps"], strict=True):
        s = np.full((K, T), TRADE["delta"])
        s[:, -1] = kap                                                       # (K, T)
        X, Y, U, V = stack_data(rngs["data"], [s[order[j]] for _ in range(n) for j in range(nets)],
                                cfg["P_small"])
        R = n * nets
        p = init_aligned(rngs["init"], U, V, np.full((R, N), cfg["a0"]), np.full((R, N), cfg["b0"]),
                         np.full((R, N), cfg["c0"]))
        p, at, m, loss, _ = train(p, X, Y, U, V, lr, steps, max(1, steps // 10), f"T={T}")
        u, b = modes_of(m[:, -1])                                            # (R, N)
        u_fin, b_fin = np.zeros((K, n)), np.zeros((K, n))
        for r in range(R):
            u_fin[order[r % nets], r // nets], b_fin[order[r % nets], r // nets] = u[r], b[r]
        ones = np.ones(K)
        a, bo, c = integrate_modes(cfg["a0"] * ones, cfg["b0"] * ones, cfg["c0"] * ones, s, lr, steps, steps)
        glob = np.array([global_minimum(si, grid)[:2] for si in s])
        data, reg = energy_terms(u_fin[:, 0], b_fin[:, 0], s)
        out[T] = dict(u_fin=u_fin, b_fin=b_fin, u_ode=(a * c)[-1], b_ode=bo[-1], u_glob=glob[:, 0],
                      b_glob=glob[:, 1], reg=reg, data=data, off_diagonal=off_diagonal(p, U, V))
    betas = np.round(np.arange(0.30, 2.0, 0.005), 3)
    dirac = {T: dirac_critical(T, betas, np.linspace(0, 4, 8001)) for T in TRADE["dirac_T"]}
    return dict(kappa=kap, by_T=out, dirac=dirac, spare=spare_units(cfg, rngs, grid))


def spare_units(cfg, rngs, grid):
    """One active singular dimension per net (N - 1 hidden units to spare), at the longest T."""
    N, T, lr, steps = cfg["N"], TRADE["T"][-1], TRADE["lr"][-1], cfg["trade_steps"][-1]
    kap = np.array(cfg["spare_kappa"])
    s = np.full((len(kap), T), TRADE["delta"])
    s[:, -1] = kap
    X, Y, U, V = stack_data(rngs["data"], [np.vstack([si, np.zeros((N - 1, T))]) for si in s], cfg["P_small"])
    R = len(kap)
    p = init_aligned(rngs["init"], U, V, np.full((R, N), cfg["a0"]), np.full((R, N), cfg["b0"]),
                     np.full((R, N), cfg["c0"]))
    p, at, m, loss, _ = train(p, X, Y, U, V, lr, steps, max(1, steps // 10), "spare")
    E_glob = np.array([global_minimum(si, grid)[2] for si in s])
    u, b = modes_of(m[:, -1, 0])
    return dict(kappa=kap, loss=loss[:, -1], E_aligned_min=E_glob, b_eff=b, u=u, m=m[:, -1, 0])


def off_diagonal(p, U, V):
    """Largest off-diagonal entry of U^T W_y W_h^k W_x V over lags k = 0, 1, relative to the largest
    diagonal one, per run: 0 while the net stays aligned (one hidden mode per singular dimension)."""
    out = []
    M = p["W_x"] @ V
    for _ in range(2):
        A = U.swapaxes(-1, -2) @ p["W_y"] @ M
        d = np.abs(np.diagonal(A, axis1=-2, axis2=-1))
        off = A - np.eye(A.shape[-1]) * np.diagonal(A, axis1=-2, axis2=-1)[..., None, :]
        out.append(np.abs(off).max((1, 2)) / d.max(-1))
        M = p["W_h"] @ M
    return np.max(out, 0)


# ==============================================================================================
# Lyapunov fingerprint: exponents of h <- W_h h are ln|eig(W_h)|; QR estimate beside them
# ==============================================================================================
def lyapunov_exponents(W_h, n_steps=400, n_transient=100):
    """(eig, qr): sorted ln|eig(W_h)| and the QR estimate from the constant Jacobian W_h, (R, N) each."""
    eig = -np.sort(-np.log(np.abs(np.linalg.eigvals(W_h))), -1)
    qr = qr_spectrum((W_h for _ in range(n_steps + n_transient)), n_transient=n_transient)
    return eig, qr


# ==============================================================================================
# Verdicts (bars pre-registered in the README, "Sources")
# ==============================================================================================
def verdict_ode(dev_u, dev_b):
    """yes: every aligned seed's simulated u and b stay within the bars of the integrated ODE."""
    return "yes" if max(dev_u) <= BARS["ode_u"] and max(dev_b) <= BARS["ode_b"] else "no"


def verdict_order(orders_aligned, orders_random, predicted):
    """yes: the predicted order in every aligned and every random-init seed; partial: aligned only."""
    ok_a = all(list(o) == list(predicted) for o in orders_aligned)
    ok_r = all(list(o) == list(predicted) for o in orders_random)
    return "yes" if ok_a and ok_r else "partial" if ok_a else "no"


def verdict_eigen(err_aligned, err_random):
    """yes: max |b - b*| within the aligned bar and the random-init bar; partial: aligned only."""
    if err_aligned <= BARS["b_aligned"]:
        return "yes" if err_random <= BARS["b_random"] else "partial"
    return "no"


def verdict_extrapolation(rel_dev_exp, err_other, signs_ok):
    """yes: exponential tasks' error follows (lam^{T-T'} - 1)^2 within 10 %, the others extrapolate
    (error <= 1e-3) and the sign of the top exponent flags every b* > 1; partial: two of three."""
    ok = [rel_dev_exp <= BARS["extrap_rel"], err_other <= BARS["extrap_zero"], signs_ok]
    return "yes" if all(ok) else "partial" if sum(ok) == 2 else "no"


def verdict_switch(long, short, kappa):
    """yes: at the longer T the switch from the recurrent to the feed-forward solution (the largest
    jump of b between neighbouring kappa) lies within one grid step of the global minimum's, and
    that jump is at least twice the shorter T's (sharper with T); partial: one of the two."""
    step = kappa[1] - kappa[0] if len(kappa) > 1 else np.inf
    same = (long["switch_gd"] is not None and long["switch_glob"] is not None
            and abs(long["switch_gd"] - long["switch_glob"]) <= BARS["switch_steps"] * step + 1e-9)
    sharper = long["jump_gd"] >= 2 * short["jump_gd"]
    return "yes" if same and sharper else "partial" if same or sharper else "no"


def switch_point(b, kappa):
    """kappa midway across the largest drop of b between neighbouring grid points (None if b never drops)."""
    d = np.diff(np.asarray(b, dtype=float))
    if not len(d) or d.min() >= 0:
        return None
    i = int(np.argmin(d))
    return float(0.5 * (kappa[i] + kappa[i + 1]))


def largest_jump(b):
    """The largest drop of b between neighbouring kappa (0 if none)."""
    d = np.diff(np.asarray(b, dtype=float))
    return float(max(0.0, -d.min())) if len(d) else 0.0


# ==============================================================================================
# Summaries, headline, saved arrays
# ==============================================================================================
def stair_summary(st):
    n = st["n"]
    th = st["t_half"]
    orders = [np.argsort(np.where(r >= 0, r, np.iinfo(np.int64).max), kind="stable").tolist() for r in th]
    eig_hist = np.log(np.abs(np.linalg.eigvals(st["W_h_hist"])))                # (R, n_snap, N)
    return dict(dev_u=st["dev_u"], dev_b=st["dev_b"], t_half=th, t_half_ode=st["t_half_ode"],
                order_aligned=orders[:n], order_random=orders[n:],
                order_ode=np.argsort(st["t_half_ode"], kind="stable").tolist(),
                app_e_ratio=(th[:, 2] / np.maximum(th[:, 1], 1)).tolist(),
                final_b_aligned=st["b_sim"][:n, -1], final_u_aligned=st["u_sim"][:n, -1],
                final_b_ode=st["b_ode"][-1], final_u_ode=st["u_ode"][-1],
                final_loss=st["loss"][:, -1], predicted_log_b=np.log(np.abs(STAIR["lam"])).tolist(),
                eig_log_final=-np.sort(-eig_hist[:, -1], -1))


def task_summary(tk):
    na = len(tk["runs"]) // 2
    b_star = tk["b_star"][tk["vi"]]
    eig_err = np.abs(tk["top_eig"].real - b_star) + np.abs(tk["top_eig"].imag)
    lam1 = np.log(np.abs(tk["top_eig"]))
    sign_ok = np.where(b_star > 1, lam1 > 0.01, np.where(b_star < 1, lam1 < -0.01, np.abs(lam1) <= 0.01))
    fam = np.array([VARIANTS[v][0] for v in tk["vi"]])
    T = CFG["T"]
    far = np.abs(tk["lengths"] - T) >= 2
    is_exp = fam == "exponential"
    rel = np.abs(tk["ext_err"] - tk["ext_pred"]) / np.maximum(tk["ext_pred"], 1e-12)
    by_variant = {}
    for v, (f, lam) in enumerate(VARIANTS):
        sel = tk["vi"] == v
        by_variant[f"{f} lambda={lam}"] = dict(
            b_star=float(tk["b_star"][v]), u_star=float(tk["u_star"][v]),
            b_aligned=tk["b_fin"][:na][sel[:na]], b_random_eig=tk["top_eig"].real[na:][sel[na:]],
            u_aligned=tk["u_fin"][:na][sel[:na]], top_exponent=lam1[sel],
            ext_err_at_3T=tk["ext_err"][sel, -1], ext_pred_at_3T=float(tk["ext_pred"][sel, -1][0]),
            h_growth_at_3T=tk["h_growth"][sel, -1])
    return dict(eig_err_aligned=float(eig_err[:na].max()), eig_err_random=float(eig_err[na:].max()),
                b_mode_err_aligned=float(np.abs(tk["b_fin"][:na] - b_star[:na]).max()),
                extrap_rel_dev_exponential=float(rel[is_exp][:, far].max()) if is_exp.any() else 0.0,
                extrap_err_other=float(tk["ext_err"][~is_exp].max()),
                signs_ok=int(sign_ok.sum()), n_runs=len(sign_ok), by_variant=by_variant)


def trade_summary(tr):
    k = tr["kappa"]
    by_T = {}
    for T, o in tr["by_T"].items():
        b_gd = o["b_fin"].mean(1)
        by_T[str(T)] = dict(b_gd=o["b_fin"], u_gd=o["u_fin"], b_ode=o["b_ode"], b_glob=o["b_glob"],
                            u_glob=o["u_glob"], switch_gd=switch_point(b_gd, k),
                            switch_glob=switch_point(o["b_glob"], k),
                            jump_gd=largest_jump(b_gd), jump_glob=largest_jump(o["b_glob"]),
                            max_dev_gd_ode=float(np.abs(o["b_fin"] - o["b_ode"][:, None]).max()),
                            max_dev_gd_glob=float(np.abs(o["b_fin"] - o["b_glob"][:, None]).max()),
                            reg_term=o["reg"], data_term=o["data"],
                            off_diagonal_max=float(o["off_diagonal"].max()))
    sp = tr["spare"]
    needs = sp["E_aligned_min"] > 1e-3                        # kappas where one mode cannot fit s
    beat = needs & (sp["loss"] < 0.5 * sp["E_aligned_min"])
    spare = dict(kappa=sp["kappa"], final_loss=sp["loss"], aligned_min_energy=sp["E_aligned_min"],
                 b_eff=sp["b_eff"], u=sp["u"],
                 n_below_half_aligned_min=int(beat.sum()), n_with_tradeoff=int(needs.sum()))
    return dict(kappa=k, by_T=by_T, spare_units=spare,
                dirac_beta_c={str(T_): v for T_, v in tr["dirac"].items()})


def headline_rows(ss, ts, tr, cfg):
    n = cfg["n_seeds"]
    du, db = max(ss["dev_u"]), max(ss["dev_b"])
    pred = list(range(CFG["N"]))
    n_ok_a = sum(o == pred for o in ss["order_aligned"])
    n_ok_r = sum(o == pred for o in ss["order_random"])
    dirac = tr["dirac_beta_c"]
    Ts, Tl = (str(T) for T in TRADE["T"])
    sh, lg, sp = tr["by_T"][Ts], tr["by_T"][Tl], tr["spare_units"]
    fmt = lambda v: "none" if v is None else f"{v:.3f}"       # noqa: E731
    return [
        headline_row("staircase: aligned LRNN (BPTT on data) vs the integrated reduced ODE, max deviation "
                     "over time, modes and seeds: u = ac (/ max s), b",
                     f"u {du:.4f}, b {db:.4f}", "simulations follow the reduced dynamics (Fig. 2, eqs. 5-7)",
                     verdict_ode(ss["dev_u"], ss["dev_b"]),
                     note=f"N = {CFG['N']}, T = {CFG['T']}, P = {cfg['P']}, {n} seeds, lr {cfg['stair_lr']} "
                          f"(tau = 1/lr), {cfg['stair_steps']} steps; bars u <= {BARS['ode_u']}, "
                          f"b <= {BARS['ode_b']} (pre-registered)"),
        headline_row("order of learning (half-error times) of the four dimensions, (delta, lambda) = "
                     "(2, 0.3), (1.1, 0.5), (0.5, 1.1), (0.3, 1): seeds in the predicted order 0,1,2,3",
                     f"aligned {n_ok_a}/{n}, random init {n_ok_r}/{n}",
                     "larger and later singular values learned first (Sec. 3.2, App. E)",
                     verdict_order(ss["order_aligned"], ss["order_random"], pred),
                     note="dimension 2 has the larger total and norm but is learned after dimension 1 "
                          f"(App. E pair): t_half ratio {np.mean(ss['app_e_ratio']):.2f} (mean over runs); "
                          f"ODE order {ss['order_ode']}"),
        headline_row("learned recurrent eigenvalue vs the task's solution b* (1, lambda, 1/lambda), "
                     "max |eig - b*| over 9 tasks: aligned, random init",
                     f"{ts['eig_err_aligned']:.2e}, {ts['eig_err_random']:.2e}",
                     "b = 1 (constant), lambda (inverse-exp), 1/lambda (exponential) (Sec. 3.3, App. F.3)",
                     verdict_eigen(ts["eig_err_aligned"], ts["eig_err_random"]),
                     note=f"{cfg['task_seeds']} seeds x 9 tasks x 2 inits, {cfg['task_steps']} steps, "
                          f"lr {TASKS['lr']}; bars {BARS['b_aligned']} (aligned), "
                          f"{BARS['b_random']} (random)"),
        headline_row("extrapolation and stability: exponential tasks' test error at T' != T vs "
                     "(lambda^{T-T'} - 1)^2 (max rel. deviation); other tasks' max error; sign of the top "
                     "exponent ln|eig| flags b* > 1",
                     f"{ts['extrap_rel_dev_exponential']:.3f}; {ts['extrap_err_other']:.1e}; "
                     f"{ts['signs_ok']}/{ts['n_runs']}",
                     "exponential solutions do not extrapolate; early-importance solutions are unstable, "
                     "b > 1 (Sec. 3.3)",
                     verdict_extrapolation(ts["extrap_rel_dev_exponential"], ts["extrap_err_other"],
                                           ts["signs_ok"] == ts["n_runs"]),
                     note=f"T' = 1..{max(TASKS['test_lengths'])} (|T' - T| >= 2 for the deviation); bars "
                          f"{BARS['extrap_rel']} and {BARS['extrap_zero']}"),
        headline_row("recurrent -> feed-forward switch as the last step's weight kappa grows (s_t = 1 for "
                     "t < T, s_T = kappa): kappa at the largest drop of the learned b, GD vs global minimum "
                     f"of E at T = {Tl}; the drop at T = {Tl} vs T = {Ts}",
                     f"GD {fmt(lg['switch_gd'])}, global {fmt(lg['switch_glob'])}; drop {lg['jump_gd']:.3f} "
                     f"vs {sh['jump_gd']:.3f}",
                     "a phase transition between recurrent and feed-forward solutions, sharper as T grows "
                     "(Sec. 3.4, Fig. 4)",
                     verdict_switch(lg, sh, tr["kappa"]),
                     note=f"kappa step {tr['kappa'][1] - tr['kappa'][0] if len(tr['kappa']) > 1 else 0:.2f}, "
                          f"{cfg['trade_seeds']} seeds, one hidden unit per singular dimension; GD vs ODE "
                          f"max |db| {lg['max_dev_gd_ode']:.1e}; with N - 1 spare hidden units GD leaves the "
                          f"aligned subspace and ends below half the aligned optimum in "
                          f"{sp['n_below_half_aligned_min']}/{sp['n_with_tradeoff']} runs; "
                          f"Dirac-delta task (App. H): the global minimum leaves b = 0 at beta = "
                          f"{fmt(dirac.get('3'))} for T = 3 (paper 1/sqrt 2 = 0.707), {fmt(dirac.get('10'))} "
                          f"for T = 10 (paper: ~1 in theory, ~1.08 in simulation)"),
    ]


def lyapunov_record(st, tk):
    method = ("exponents of the trained map h <- W_h h (a linear RNN's Jacobian is W_h): sorted "
              "ln|eig(W_h)|; "
              "checked against shared.lyapunov.qr_spectrum (400 steps after 100 alignment steps); "
              "listed: staircase nets (first aligned and first random-init seed) and the one-mode tasks "
              "(aligned seed 0)")
    eig_s, qr_s = lyapunov_exponents(st["W_h"])
    eig_t, qr_t = lyapunov_exponents(tk["W_h"])
    exps = {"staircase aligned seed 0": eig_s[0], "staircase random init seed 0": eig_s[st["n"]]}
    na = len(tk["runs"]) // 2
    for r in range(na):
        v, _, s = tk["runs"][r]
        if s == 0:
            exps[f"{VARIANTS[v][0]} lambda={VARIANTS[v][1]} (b* = {tk['b_star'][v]:.3f})"] = eig_t[r][:2]
    top_err = max(np.abs(qr_s[:, 0] - eig_s[:, 0]).max(), np.abs(qr_t[:, 0] - eig_t[:, 0]).max())
    sum_err = max(np.abs(qr_s.sum(-1) - eig_s.sum(-1)).max(), np.abs(qr_t.sum(-1) - eig_t.sum(-1)).max())
    return dict(method=method, exponents=exps, window=400, n_sequences=1, alignment_steps=100,
                qr_vs_eig_top_max_abs=float(top_err), qr_vs_eig_sum_max_abs=float(sum_err),
                predicted_staircase=np.log(np.abs(STAIR["lam"])).tolist())


def saved_arrays(st, tk, tr):
    eig_hist = np.log(np.abs(np.linalg.eigvals(st["W_h_hist"])))
    snaps = np.arange(0, st["W_h_hist"].shape[1], max(1, st["W_h_hist"].shape[1] // 12))
    qr_hist = np.stack([lyapunov_exponents(st["W_h_hist"][:, i], 200, 50)[1] for i in snaps], 1)
    return dict(st_S=st["S"], st_at=st["at"], st_u_sim=st["u_sim"], st_b_sim=st["b_sim"],
                st_u_ode=st["u_ode"], st_b_ode=st["b_ode"], st_loss=st["loss"], st_E_ode=st["E_ode"],
                st_m=st["m"],
                st_t_half=st["t_half"], st_eig_hist=-np.sort(-eig_hist, -1), st_qr_snaps=snaps,
                st_qr_hist=qr_hist, tk_vi=tk["vi"], tk_b_star=tk["b_star"], tk_u_star=tk["u_star"],
                tk_b_fin=tk["b_fin"], tk_u_fin=tk["u_fin"], tk_top_eig=tk["top_eig"].real,
                tk_lengths=tk["lengths"], tk_ext_err=tk["ext_err"], tk_ext_pred=tk["ext_pred"],
                tk_h_growth=tk["h_growth"], tk_b_hist=tk["b_hist"], tk_at=tk["at"],
                tk_init=np.array([r[1] == "random" for r in tk["runs"]]),
                tr_kappa=tr["kappa"], tr_T=np.array(TRADE["T"]),
                **{f"tr{T}_{k}": o[k] for T, o in tr["by_T"].items()
                   for k in ("b_fin", "u_fin", "b_ode", "u_ode", "b_glob", "u_glob", "reg", "data")},
                sp_kappa=tr["spare"]["kappa"], sp_loss=tr["spare"]["loss"], sp_E=tr["spare"]["E_aligned_min"],
                sp_b_eff=tr["spare"]["b_eff"], sp_m=tr["spare"]["m"])


# ==============================================================================================
# Gradient checks (float64), in lrnn_learning_dynamics_checks.py
# ==============================================================================================
def gradcheck(args=None):
    """BPTT and the reduced gradient flow vs central differences (lrnn_learning_dynamics_checks.py)."""
    return cli.load_sibling(__file__, "lrnn_learning_dynamics_checks", globals()).gradcheck(args)


# ==============================================================================================
# Headline
# ==============================================================================================
def resolve_config(args):
    cfg = dict(CFG, stair_lr=STAIR["lr"], stair_steps=STAIR["steps"], task_steps=TASKS["steps"],
               task_seeds=TASKS["n_seeds"], kappa=TRADE["kappa"], spare_kappa=SPARE_KAPPA,
               trade_steps=TRADE["steps"],
               trade_seeds=TRADE["n_seeds"])
    if args.quick:
        cfg.update(P=QUICK["P"], n_seeds=QUICK["n_seeds"], stair_steps=QUICK["stair_steps"],
                   stair_lr=QUICK["stair_lr"], task_steps=QUICK["task_steps"], task_seeds=QUICK["task_seeds"],
                   kappa=QUICK["kappa"], spare_kappa=QUICK["spare_kappa"], trade_steps=QUICK["trade_steps"],
                   trade_seeds=QUICK["trade_seeds"],
                   P_small=QUICK["P_small"])
    if args.n_seeds is not None:
        cfg["n_seeds"] = cfg["task_seeds"] = cfg["trade_seeds"] = args.n_seeds
    if args.samples is not None:
        cfg["P"] = cfg["P_small"] = args.samples
    return cfg


def main(args):
    timer = cli.Timer()
    cfg = resolve_config(args)
    rngs = streams(args.seed, STREAMS)
    print(f"LRNN learning dynamics: N = {cfg['N']}, T = {cfg['T']}, P = {cfg['P']}, seeds {cfg['n_seeds']}")
    print("1. staircase: four singular dimensions, aligned and random init, vs the reduced ODE")
    st = staircase(cfg, rngs)
    print("2. task dynamics: constant / inverse-exponential / exponential, eigenvalues and extrapolation")
    tk = task_dynamics(cfg, rngs)
    print("3. trade-off: the last step's weight kappa, GD vs ODE vs global minimum")
    tr = tradeoff(cfg, rngs)
    ss, ts, trs = stair_summary(st), task_summary(tk), trade_summary(tr)
    metrics = dict(staircase=ss, tasks=ts, tradeoff=trs, bars=BARS, timing=dict(wall_s=timer()))
    rec = record(args, __file__, title="Learning dynamics of linear RNNs: staircases, task dynamics, "
                                       "recurrent vs feed-forward", paper=PAPER,
                 config=dict(cfg, stair=STAIR, variants=VARIANTS, tasks=TASKS, trade=TRADE),
                 metrics=metrics, headline=headline_rows(ss, ts, trs, cfg), lyapunov=lyapunov_record(st, tk))
    finish_run(args.out, rec, saved_arrays(st, tk, tr), timer)


def build_parser():
    parser = cli.make_parser(__doc__, __file__)
    parser.add_argument("--n-seeds", type=cli.int_range(1, 8), default=None,
                        help=f"seeds per setting, 1..8 (default {CFG['n_seeds']} for the staircase, "
                             f"{TASKS['n_seeds']} for the tasks, {TRADE['n_seeds']} for the trade-off)")
    parser.add_argument("--samples", type=cli.int_range(64, 4000), default=None,
                        help=f"training sequences P, 64..4000 (default {CFG['P']}); they are whitened "
                             "exactly, so the learning dynamics do not depend on P")
    return parser


if __name__ == "__main__":
    cli.run(main, build_parser(), gradcheck=gradcheck)
