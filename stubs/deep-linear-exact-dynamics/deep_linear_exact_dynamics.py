"""Exact learning dynamics of deep linear networks (Saxe, McClelland & Ganguli, ICLR 2014, arXiv 1312.6120).

A linear net y = W32 W21 x trained by full-batch gradient descent on whitened inputs
(Sigma11 = sum_mu x x^T = I) only feels the input-output correlation Sigma31 = sum_mu y x^T
= U S V^T. Each singular mode alpha has a strength u_alpha = u_alpha^T W32 W21 v_alpha, and on the
decoupled manifold it obeys tau du/dt = 2 u (s - u) (tau = 1 / learning rate, t in iterations):

    u(t) = s e^{2st/tau} / (e^{2st/tau} - 1 + s/u0)                         (paper Eq. 12)
    t(u0 -> uf) = tau/(2s) ln[uf (s - u0) / (u0 (s - uf))],  t_half = tau/(2s) ln[(s - u0)/u0]

so strong modes are learned first, each after a plateau, in a time ~ 1/s. Part 1 runs the paper's
Fig. 3 setting (32 one-hot inputs, 1000 hierarchical features, 32 hidden units, lambda = 5e-4,
u0 = 1e-6) from small random weights over many seeds and compares every mode with Eq. 12.

Part 2: deep chains W_D ... W_1 (whitened inputs, loss 1/2 ||Sigma31 - W_D...W_1||^2, paper Eq. 13)
from random orthogonal vs scaled Gaussian (N(0, 1/fan_in)) weights: iterations to learn the task at
the best learning rate of a grid, per depth. The depth Lyapunov spectrum (QR along the layer
product, shared.lyapunov.qr_spectrum on the per-layer matrices) is exactly 0 for orthogonal layers
and spread for Gaussian ones, where it has a closed form in expectation (Newman 1986):
lambda_i = 1/2 [psi((N - i + 1)/2) + ln(2/N)]. Part 3: tanh chains x <- g W tanh(x) with orthogonal
W (paper Eq. 20): the top depth exponent crosses 0 at the edge of chaos g = 1, against the mean field.

    python3 deep_linear_exact_dynamics.py --seed 0     # headline (all parts)
    python3 deep_linear_exact_dynamics.py --quick      # seconds; what the tests run

Shapes: three-layer weights carry a leading seed axis, W21 (S, N2, N1), W32 (S, N3, N2); deep
chains hold a list of D layers, each (R, n_out, n_in) with R runs (init x rate x seed) stacked.
No family core: the model, the data and the analysis live in this file.
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401  (pins BLAS to one thread before numpy loads)

import numpy as np

from shared import cli
from shared.lyapunov import qr_positive, qr_spectrum
from shared.results import finish_run, headline_row, record
from shared.rng import streams

PAPER = ("A. M. Saxe, J. L. McClelland, S. Ganguli, Exact solutions to the nonlinear dynamics of "
         "learning in deep linear neural networks, ICLR 2014, arXiv 1312.6120")
STREAMS = ["data", "init", "deep_task", "deep_init", "chaos"]

# Part 1: Fig. 3 of the paper (read): 32 orthogonal inputs, 1000-dim hierarchical features (5-level
# binary tree, flip probability 0.1), N2 = 32, lambda = 0.5e-3, u0 = 1e-6, 100 random initialisations
THREE = dict(levels=5, n_features=1000, flip=0.1, n_hidden=32, lr=5e-4, u0=1e-6, steps=2400,
             n_seeds=100, plotted=(1, 2, 3, 5, 12, 18, 31), save_every=8, n_saved_seeds=4)
THREE_QUICK = dict(levels=3, n_features=60, n_hidden=8, steps=300, n_seeds=4, lr=2e-2,
                   plotted=(1, 2, 5), save_every=4, n_saved_seeds=2)
# Part 2: a synthetic whitened task instead of MNIST (see README, Deviations); rates c / D
DEEP = dict(width=32, n_out=8, s_max=3.0, s_min=1.0, depths=(2, 4, 8, 16, 32, 64),
            rate_c=(0.025, 0.05, 0.1, 0.2, 0.4, 0.8), n_seeds=3, criterion=0.01, cap=1000)
DEEP_QUICK = dict(width=8, n_out=3, depths=(2, 4, 8), rate_c=(0.1, 0.4), n_seeds=2, cap=150)
# Part 3: random orthogonal tanh chain, Eq. 20; k top exponents after a transient of layers
CHAOS = dict(width=200, layers=400, transient=100, k=4, q1=1.0,
             gains=(0.5, 0.8, 0.9, 1.0, 1.1, 1.2, 1.5, 2.0))
CHAOS_QUICK = dict(width=20, layers=60, transient=20, gains=(0.8, 1.0, 1.5))


# ==============================================================================================
# Data and the closed form
# ==============================================================================================
def hierarchical_features(rng, levels, n_features, flip):
    """Features of 2**levels items on a binary tree (Saxe et al. 2013's diffusion process): each
    feature takes a random sign at the root and is copied down each branch, flipped with
    probability ``flip`` at every branching; the leaves are the items. Returns Y (n_features, P)."""
    vals = rng.choice([-1.0, 1.0], size=(n_features, 1))
    for _ in range(levels):
        child = np.repeat(vals, 2, axis=1)                       # each node has two children
        vals = np.where(rng.random(child.shape) < flip, -child, child)
    return vals


def logistic_strength(t, s, u0, tau):
    """Eq. 12: mode strength after t iterations from u0 (broadcasts over t and s)."""
    e = np.exp(np.minimum(2 * s * t / tau, 700.0))
    return s * e / (e - 1 + s / u0)


def half_time(s, u0, tau):
    """Eq. 11 with uf = s/2: iterations for u to climb from u0 to s/2."""
    return tau / (2 * s) * np.log((s - u0) / u0)


# ==============================================================================================
# Three-layer network: forward, hand-written backward, and the same GD step in a rotated basis
# ==============================================================================================
def three_loss(W21, W32, X, Y):
    """E = 1/2 sum_mu ||y_mu - W32 W21 x_mu||^2 per seed; X (N1, P), Y (N3, P) -> (S,)."""
    err = Y - W32 @ W21 @ X                                      # (S, N3, P)
    return 0.5 * np.sum(err * err, axis=(1, 2))


def three_grads(W21, W32, X, Y):
    """dE/dW21, dE/dW32 of three_loss (summed over patterns, as the paper's Eq. 1)."""
    h = W21 @ X                                                  # (S, N2, P) hidden activity
    err = Y - W32 @ h                                            # (S, N3, P)
    # y_hat = W32 h  ->  dE/dW32 = -err h^T ;  h = W21 x  ->  dE/dW21 = -W32^T err x^T
    return -(W32.swapaxes(1, 2) @ err) @ X.T, -err @ h.swapaxes(1, 2)


def three_step_full(W21, W32, X, Y, lr):
    """One batch update of Eq. 1 on the full weights (the reference the fast step is tested on)."""
    g21, g32 = three_grads(W21, W32, X, Y)
    return W21 - lr * g21, W32 - lr * g32


def three_step_rotated(W21, B, G, SVt, lr):
    """The same update with X = I, in the output basis [U, U_perp] of Sigma31 = U S V^T.

    W32 = U B + U_perp P: B (S, N2', N2) is the part in the span of U; the rest only enters
    through its Gram matrix G = P^T P (S, N2, N2), because U_perp^T Sigma31 = 0 makes
    P <- P (I - lr W21 W21^T). Exact, and N3 (1000) drops out of the cost.
    """
    err = SVt - B @ W21                                          # (S, N1', N1) top block of the error
    W21t = W21.swapaxes(1, 2)
    g21 = -(B.swapaxes(1, 2) @ err) + G @ W21                    # -W32^T err with the P rows included
    gB = -err @ W21t
    M = np.eye(W21.shape[1]) - lr * (W21 @ W21t)                 # P <- P M, so G <- M G M
    return W21 - lr * g21, B - lr * gB, M @ G @ M


def mode_strengths(W21, B, V):
    """u_alpha = u_alpha^T W32 W21 v_alpha = diag(B W21 V) in the rotated basis; (S, n_modes)."""
    return np.einsum("sai,sia->sa", B, W21 @ V)


def init_three(rng, S, n_in, n_hidden, n_out, n_modes, sigma):
    """Small i.i.d. Gaussian weights: W21 (S, N2, N1); W32 = U B + U_perp P drawn as its two blocks
    (rotation invariance makes this an i.i.d. N(0, sigma^2) W32). Returns W21, B, G = P^T P."""
    W21 = sigma * rng.standard_normal((S, n_hidden, n_in))
    B = sigma * rng.standard_normal((S, n_modes, n_hidden))
    P = sigma * rng.standard_normal((S, n_out - n_modes, n_hidden))
    return W21, B, P.swapaxes(1, 2) @ P


def train_three(Y, cfg, rng, decoupled=False):
    """Full-batch GD from small random (or decoupled) weights; mode strengths and half times."""
    U, s, Vt = np.linalg.svd(Y, full_matrices=False)             # Y = Sigma31 since X = I
    n_in, n_modes, N2, S = Y.shape[1], len(s), cfg["n_hidden"], 1 if decoupled else cfg["n_seeds"]
    # the linearised dynamics grow u like |a0 + b0|^2 / 4 e^{2st/tau}; with i.i.d. N(0, sigma^2)
    # entries E|a0 + b0|^2 / 4 = N2 sigma^2 / 2, so this sigma makes the mean effective u0 the paper's
    sigma = np.sqrt(2 * cfg["u0"] / N2)
    if decoupled:                      # Sec. 1.3: W21 = R D V^T, W32 = U D R^T with a = b = sqrt(u0)
        R = qr_positive(rng.standard_normal((N2, N2)))[0][:, :n_modes]
        W21 = np.sqrt(cfg["u0"]) * (R @ Vt)[None]
        B = np.sqrt(cfg["u0"]) * R.T[None]
        G = np.zeros((1, N2, N2))
    else:
        W21, B, G = init_three(rng, S, n_in, N2, Y.shape[0], n_modes, sigma)
    SVt, V, lr = (s[:, None] * Vt)[None], Vt.T, cfg["lr"]
    u_prev = mode_strengths(W21, B, V)
    t_half = np.full((S, n_modes), np.nan)
    keep = min(cfg["n_saved_seeds"], S)
    saved, mean_u = [u_prev[:keep]], [u_prev.mean(0)]
    for step in range(1, cfg["steps"] + 1):
        W21, B, G = three_step_rotated(W21, B, G, SVt, lr)
        u = mode_strengths(W21, B, V)
        # first crossing of s/2, linearly interpolated between iterations
        cross = np.isnan(t_half) & (u >= s / 2) & (u_prev < s / 2)
        frac = (s / 2 - u_prev) / np.where(u == u_prev, 1.0, u - u_prev)
        t_half = np.where(cross, step - 1 + frac, t_half)
        u_prev = u
        if step % cfg["save_every"] == 0:
            cli.check_finite(step, W21=W21)
            saved.append(u[:keep])
            mean_u.append(u.mean(0))
    return dict(s=s, t_half=t_half, u_saved=np.array(saved), u_mean=np.array(mean_u), sigma=sigma,
                u_final=u_prev)


# ==============================================================================================
# Deep linear chains: forward, backward, GD over a grid of rates with pruning
# ==============================================================================================
def chain_forward(Ws, T):
    """Prefix products P_l = W_{l-1}...W_1 (P_0 = I) and the error E = T - W_D...W_1 (R, n_out, n_in)."""
    n_in = Ws[0].shape[-1]
    pre = [np.broadcast_to(np.eye(n_in), (Ws[0].shape[0], n_in, n_in))]
    for W in Ws:
        pre.append(W @ pre[-1])
    return pre, T - pre[-1]


def chain_loss(Ws, T):
    E = chain_forward(Ws, T)[1]
    return 0.5 * np.sum(E * E, axis=(1, 2))


def chain_grads(Ws, T):
    """Eq. 13 with Sigma11 = I: dL/dW_l = -(W_D...W_{l+1})^T E (W_{l-1}...W_1)^T, all layers."""
    pre, E = chain_forward(Ws, T)
    n_out = Ws[-1].shape[1]
    suf = np.broadcast_to(np.eye(n_out), (Ws[0].shape[0], n_out, n_out))
    grads = [None] * len(Ws)
    for i in range(len(Ws) - 1, -1, -1):                          # suffix products, output side first
        grads[i] = -(suf.swapaxes(1, 2) @ E) @ pre[i].swapaxes(1, 2)
        suf = suf @ Ws[i]
    return grads, 0.5 * np.sum(E * E, axis=(1, 2))


def deep_task(rng, width, n_out, s_max, s_min):
    """Whitened-input target Sigma31 = U S V^T (n_out x width), singular values s_max .. s_min."""
    U = qr_positive(rng.standard_normal((n_out, n_out)))[0]
    V = qr_positive(rng.standard_normal((width, n_out)))[0]
    return U @ np.diag(np.geomspace(s_max, s_min, n_out)) @ V.T


def init_chain(rng, R, depth, width, n_out, kind):
    """D layers (R, n_out_l, n_in_l): random orthogonal (rows orthonormal for the last one) or
    scaled Gaussian N(0, 1/fan_in) (the norm-preserving scaling the paper compares against)."""
    shapes = [(width, width)] * (depth - 1) + [(n_out, width)]
    if kind == "orthogonal":
        return [qr_positive(rng.standard_normal((R, width, width)))[0][:, :a, :b] for a, b in shapes]
    return [rng.standard_normal((R, a, b)) / np.sqrt(b) for a, b in shapes]


def train_chains(T, depth, cfg, rng):
    """GD for every (init, rate c/D, seed) at one depth, stopping each run once it reaches the
    criterion, diverges, or can no longer beat an already finished run of its (init, seed) group."""
    kinds, cs, n_seeds = ("orthogonal", "gaussian"), cfg["rate_c"], cfg["n_seeds"]
    runs = [(k, c, sd) for k in range(2) for c in range(len(cs)) for sd in range(n_seeds)]
    per_kind = [init_chain(rng, len(cs) * n_seeds, depth, T.shape[1], T.shape[0], kind) for kind in kinds]
    Ws = [np.concatenate(parts) for parts in zip(*per_kind, strict=True)]     # runs ordered like ``runs``
    lr = np.array([cs[c] / depth for _, c, _ in runs])
    group = np.array([k * n_seeds + sd for k, _, sd in runs])
    target = cfg["criterion"] * 0.5 * np.sum(T * T)              # 1 % of the zero network's loss
    t_learn = np.full(len(runs), np.inf)
    curves = np.full((len(runs), cfg["cap"] + 1), np.nan)
    active = np.arange(len(runs))
    for it in range(cfg["cap"] + 1):
        grads, loss = chain_grads([W[active] for W in Ws], T)
        curves[active, it] = loss
        done = loss <= target
        t_learn[active[done]] = it
        best = np.full(2 * n_seeds, np.inf)
        np.minimum.at(best, group, t_learn)
        stop = done | ~np.isfinite(loss) | (loss > 1e3 * curves[active, 0]) | (best[group[active]] <= it)
        for W, g in zip(Ws, grads, strict=True):
            W[active] -= lr[active, None, None] * g
        active = active[~stop]
        if not len(active):
            break
    return dict(t_learn=t_learn.reshape(2, len(cs), n_seeds), curves=curves.reshape(2, len(cs), n_seeds, -1))


def depth_spectra(rng, width, depth, n_seeds):
    """Depth Lyapunov spectra of fresh orthogonal and Gaussian chains: QR along the layer product."""
    out = {}
    for kind in ("orthogonal", "gaussian"):
        Ws = init_chain(rng, n_seeds, depth + 1, width, width, kind)[:-1]   # depth square layers
        out[kind] = qr_spectrum(Ws, rng=rng)                                 # (n_seeds, width)
        prod = Ws[0]
        for W in Ws[1:]:
            prod = W @ prod
        out[kind + "_sv"] = np.linalg.svd(prod, compute_uv=False)            # end-to-end map
    return out


def _special():
    """Newman's spectrum and the digamma/trigamma it needs (deep_linear_exact_dynamics_special.py)."""
    return cli.load_sibling(__file__, "deep_linear_exact_dynamics_special", globals())


# ==============================================================================================
# Tanh chains at the edge of chaos (Sec. 4)
# ==============================================================================================
def tanh_chain(rng, g, cfg):
    """x^{l+1} = g W^l tanh(x^l), fresh orthogonal W^l per layer; yields each layer's Jacobian
    g W^l diag(sech^2 x^l) and records the population variance q^l."""
    N = cfg["width"]
    x = np.sqrt(cfg["q1"]) * rng.standard_normal(N)
    q = []
    for _ in range(cfg["layers"]):
        W = qr_positive(rng.standard_normal((N, N)))[0]
        J = g * W * (1 / np.cosh(x) ** 2)[None, :]               # d x^{l+1} / d x^l
        x = g * W @ np.tanh(x)
        q.append(np.mean(x * x))
        yield J
    tanh_chain.q = np.array(q)


def tanh_step(x, W, g):
    return g * (W @ np.tanh(x.T)).T


def mean_field_lambda(gains, n_grid=2001, n_iter=3000):
    """Top depth exponent from the mean field, for an array of gains: q* = g^2 <tanh(sqrt(q*) z)^2>
    (z ~ N(0, 1), trapezoid rule on [-10, 10]), then lambda_1 = 1/2 ln(g^2 <sech^4(sqrt(q*) z)>).
    For g <= 1, q* = 0 (tanh(x)^2 < x^2) and lambda_1 = ln g. Returns (lambda_1, q*)."""
    g = np.atleast_1d(np.asarray(gains, dtype=float))
    z = np.linspace(-10, 10, n_grid)
    w = np.exp(-z * z / 2)
    w /= w.sum()
    lam, q = np.log(g), np.zeros_like(g)
    for i in np.flatnonzero(g > 1):
        qi = 1.0
        for _ in range(n_iter):                                  # fixed-point iteration q <- F(q)
            q_new = g[i] ** 2 * np.dot(w, np.tanh(np.sqrt(qi) * z) ** 2)
            if abs(q_new - qi) < 1e-13:
                break
            qi = q_new
        q[i] = qi
        lam[i] = 0.5 * np.log(g[i] ** 2 * np.dot(w, 1 / np.cosh(np.sqrt(qi) * z) ** 4))
    return lam, q


def chaos_part(rng, cfg):
    """Top k depth exponents of one tanh chain per gain, and the mean field on a fine gain grid."""
    top = [qr_spectrum(tanh_chain(rng, g, cfg), k=cfg["k"], n_transient=cfg["transient"], rng=rng)
           for g in cfg["gains"]]
    mf, q = mean_field_lambda(cfg["gains"])
    curve_g = np.linspace(0.3, 2.2, 39)
    return dict(gains=np.array(cfg["gains"]), top=np.array(top), mf=mf, q_mf=q, curve_g=curve_g,
                curve_mf=mean_field_lambda(curve_g)[0])


# ==============================================================================================
# Gradient checks (--gradcheck, in the _checks file) and verdict rules
# ==============================================================================================
def gradcheck(args):
    """--gradcheck: the 3-layer and deep-chain gradients vs central differences (the _checks file)."""
    return cli.load_sibling(__file__, "deep_linear_exact_dynamics_checks", globals()).gradcheck(args)


def verdict_half_times(rel_delay, yes=0.10, partial=0.25):
    """Mean relative delay (t_sim - t_Eq11) / t_Eq11 of each plotted mode: yes if all within
    +-10 %, partial if all within +-25 %, else no."""
    worst = float(np.max(np.abs(rel_delay)))
    return "yes" if worst <= yes else "partial" if worst <= partial else "no"


def verdict_exponent(k_sim, k_theory, tol=0.1):
    """Fitted exponent k of t_half ~ s^k from the simulation vs from Eq. 11: yes within +-0.1."""
    return "yes" if abs(k_sim - k_theory) <= tol else "no"


def verdict_depth(ratio_orth, ratio_gauss, substitute=True):
    """Orthogonal learning time flat (deepest / shallowest <= 1.5) and Gaussian growing (>= 3).
    On the substitute task (not MNIST, width 32) a pass is at most partial."""
    holds = ratio_orth <= 1.5 and ratio_gauss >= 3.0
    if not holds:
        return "no" if ratio_orth > 1.5 and ratio_gauss < 3.0 else "partial"
    return "partial" if substitute else "yes"


def verdict_isometry(max_abs_orth, z_gauss, spread_gauss):
    """Orthogonal exponents all 0 (|lambda| < 1e-10), Gaussian spectrum spread (lambda_1 - lambda_N
    > 1) and within 4 standard errors of Newman's expectation at every index."""
    return "yes" if max_abs_orth < 1e-10 and spread_gauss > 1 and z_gauss < 4 else "no"


def verdict_edge_of_chaos(gains, top, mf, tol=0.05):
    """Away from g = 1 (|g - 1| >= 0.1): top exponent < 0 below and > 0 above, each within tol of
    the mean field: yes; the sign change only: partial; else no."""
    gains, top, mf = map(np.asarray, (gains, top, mf))
    far = np.abs(gains - 1) >= 0.1 - 1e-9                       # 0.9 and 1.1 count as far
    signs = np.all(top[far & (gains < 1)] < 0) and np.all(top[far & (gains > 1)] > 0)
    close = np.all(np.abs(top[far] - mf[far]) <= tol)
    return "yes" if signs and close else "partial" if signs else "no"


# ==============================================================================================
# Summaries, headline, main
# ==============================================================================================
def three_summary(r, dec, cfg):
    """Relative delays of the half-learning times against Eq. 11, and the fitted 1/s exponent."""
    tau, s = 1 / cfg["lr"], r["s"]
    th = half_time(s, cfg["u0"], tau)
    rel = (r["t_half"] - th) / th                                # (S, modes); NaN if never half-learned
    idx = np.array(cfg["plotted"]) - 1
    reached = np.isfinite(r["t_half"]).all(0)
    ls = np.log(s[reached])
    k_sim = np.polyfit(ls, np.log(np.nanmean(r["t_half"][:, reached], 0)), 1)[0]
    k_th = np.polyfit(ls, np.log(th[reached]), 1)[0]
    dec_rel = (dec["t_half"][0] - th) / th
    return dict(s=s, t_half_theory=th, rel_delay_mean=np.nanmean(rel, 0), rel_delay_sd=np.nanstd(rel, 0),
                plotted=list(cfg["plotted"]), plotted_rel_delay=np.nanmean(rel, 0)[idx],
                n_reached=int(np.isfinite(r["t_half"]).all(1).sum()), modes_reached=int(reached.sum()),
                exponent_sim=float(k_sim), exponent_theory=float(k_th),
                decoupled_max_abs_rel=float(np.nanmax(np.abs(dec_rel))), decoupled_rel=dec_rel,
                final_over_s=(r["u_final"] / s).mean(0), init_sigma=r["sigma"])


def deep_summary(dr, cfg):
    """Best-rate learning time per (depth, init, seed); ratios deepest / shallowest."""
    t = np.array([d["t_learn"] for d in dr])                     # (depths, 2, rates, seeds)
    best = t.min(2)                                              # (depths, 2, seeds)
    best_c = np.array(cfg["rate_c"])[t.argmin(2)]
    capped = ~np.isfinite(best)
    shown = np.where(capped, cfg["cap"], best)                   # a cap is a lower bound
    mean = shown.mean(2)                                         # (depths, 2)
    ratio = mean[-1] / mean[0]
    return dict(depths=list(cfg["depths"]), t_best_mean=mean, t_best=shown, capped=capped,
                best_rate_c=best_c, ratio_orthogonal=float(ratio[0]), ratio_gaussian=float(ratio[1]),
                gaussian_ratio_is_lower_bound=bool(capped[-1, 1].any()))


def spectra_summary(sp, width, depth):
    nm, sd = _special().newman_spectrum(width)
    g = sp["gaussian"]
    se = sd / np.sqrt(depth * g.shape[0])
    z = np.abs(g.mean(0) - nm) / se
    return dict(max_abs_orthogonal=float(np.abs(sp["orthogonal"]).max()), gaussian_mean=g.mean(0),
                newman=nm, z_max=float(z.max()), spread_gaussian=float(g.mean(0)[0] - g.mean(0)[-1]),
                sv_orthogonal_range=[float(sp["orthogonal_sv"].min()), float(sp["orthogonal_sv"].max())],
                sv_gaussian_log10_range=[float(np.log10(sp["gaussian_sv"].min())),
                                         float(np.log10(sp["gaussian_sv"].max()))])


def headline_rows(ts, ds, ss, cs, cfg3, cfgd, cfgc):
    pd = ts["plotted_rel_delay"]
    gb = ">= " if ds["gaussian_ratio_is_lower_bound"] else ""
    mf_far = [f"g={g:g}: {t:+.3f} (MF {m:+.3f})" for g, t, m in zip(cs["gains"], cs["top"][:, 0], cs["mf"],
                                                                      strict=True)]
    return [
        headline_row("3-layer net, Fig. 3 setting: mean relative delay of each plotted mode's half-learning "
                     "time vs Eq. 11 (modes " + ", ".join(map(str, cfg3["plotted"])) + ")",
                     ", ".join(f"{100 * d:+.1f}%" for d in pd),
                     "Eq. 12 'a reasonable approximation' from small random init (Fig. 3; delays not read)",
                     verdict_half_times(pd),
                     note=f"{cfg3['n_seeds']} random inits, {cfg3['steps']} GD steps, lambda {cfg3['lr']:g}, "
                          f"u0 {cfg3['u0']:g}; bar (pre-registered): yes if every |delay| <= 10 %, "
                          f"partial <= 25 %; decoupled init: max |error| "
                          f"{100 * ts['decoupled_max_abs_rel']:.1f} % (GD discretisation)",
                     numbers=[{"value": float(100 * d)} for d in pd]),
        headline_row("learning time ~ 1/s: fitted exponent k of t_half ~ s^k over all modes, simulation "
                     "vs Eq. 11", f"{ts['exponent_sim']:.3f} vs {ts['exponent_theory']:.3f}",
                     "t = O(tau/s) (Sec. 1.3)", verdict_exponent(ts["exponent_sim"], ts["exponent_theory"]),
                     note=f"{ts['modes_reached']} modes; Eq. 11's log factor makes the theory's own slope "
                          "steeper than -1; bar: within +-0.1"),
        headline_row(f"deep chains: learning time at the best rate, depth {cfgd['depths'][-1]} / depth "
                     f"{cfgd['depths'][0]}, orthogonal vs scaled Gaussian init",
                     f"orthogonal {ds['ratio_orthogonal']:.2f}, Gaussian {gb}{ds['ratio_gaussian']:.1f}",
                     "orthogonal flat, Gaussian grows with depth (Fig. 6A, MNIST, width 1000, depth <= 100)",
                     verdict_depth(ds["ratio_orthogonal"], ds["ratio_gaussian"]),
                     note=f"synthetic whitened task, width {cfgd['width']}, {cfgd['n_out']} modes, "
                          f"{cfgd['n_seeds']} seeds, rates c/D with c in {list(cfgd['rate_c'])}, cap "
                          f"{cfgd['cap']} steps; bar: orthogonal <= 1.5 and Gaussian >= 3; "
                          "substitute task -> at most partial"),
        headline_row(f"depth Lyapunov spectrum ({cfgd['width']} units, {cfgd['depths'][-1]} layers): max "
                     "|lambda| orthogonal; Gaussian lambda_1 - lambda_N and max z vs Newman's formula",
                     f"{ss['max_abs_orthogonal']:.1e}; {ss['spread_gaussian']:.2f}, z {ss['z_max']:.1f}",
                     "orthogonal: all singular values 1 (dynamical isometry); Gaussian: spread (Fig. 6B)",
                     verdict_isometry(ss["max_abs_orthogonal"], ss["z_max"], ss["spread_gaussian"]),
                     note="bar: |lambda| < 1e-10; spread > 1 and every index within 4 s.e. of "
                          "1/2[psi((N-i+1)/2) + ln(2/N)]"),
        headline_row("tanh chains x <- g W tanh(x), orthogonal W: top depth exponent vs gain",
                     "; ".join(mf_far), "edge of chaos at g_c = 1 (Sec. 4)",
                     verdict_edge_of_chaos(cs["gains"], cs["top"][:, 0], cs["mf"]),
                     note=f"width {cfgc['width']}, {cfgc['layers']} layers ({cfgc['transient']} transient), "
                          "q1 = 1; bar: sign flips at g = 1 and |measured - MF| <= 0.05 for |g - 1| >= 0.1",
                     numbers=[{"value": float(t)} for t in cs["top"][:, 0]]),
    ]


def resolve(args):
    cfg3, cfgd, cfgc = dict(THREE), dict(DEEP), dict(CHAOS)
    if args.quick:
        cfg3.update(THREE_QUICK)
        cfgd.update(DEEP_QUICK)
        cfgc.update(CHAOS_QUICK)
    if args.n_seeds is not None:
        cfg3["n_seeds"] = args.n_seeds
    if args.max_depth is not None:
        cfgd["depths"] = tuple(d for d in cfgd["depths"] if d < args.max_depth) + (args.max_depth,)
    if max(cfg3["plotted"]) > 2 ** cfg3["levels"]:
        raise cli.StubError("a plotted mode exceeds the number of items")
    return cfg3, cfgd, cfgc


def main(args):
    timer = cli.Timer()
    cfg3, cfgd, cfgc = resolve(args)
    rs = streams(args.seed, STREAMS)
    print(f"Part 1: 3-layer net, {2 ** cfg3['levels']} items x {cfg3['n_features']} features, "
          f"N2 {cfg3['n_hidden']}, lr {cfg3['lr']:g}, u0 {cfg3['u0']:g}, {cfg3['n_seeds']} seeds")
    Y = hierarchical_features(rs["data"], cfg3["levels"], cfg3["n_features"], cfg3["flip"])
    r3 = train_three(Y, cfg3, rs["init"])
    dec = train_three(Y, cfg3, rs["init"], decoupled=True)
    ts = three_summary(r3, dec, cfg3)
    for m, d in zip(cfg3["plotted"], ts["plotted_rel_delay"], strict=True):
        print(f"  mode {m:3d}  s {ts['s'][m - 1]:7.2f}  t_half theory {ts['t_half_theory'][m - 1]:7.1f}  "
              f"delay {100 * d:+6.1f}%   [{timer():5.1f}s]")
    print(f"Part 2: deep chains, width {cfgd['width']}, depths {list(cfgd['depths'])}")
    T = deep_task(rs["deep_task"], cfgd["width"], cfgd["n_out"], cfgd["s_max"], cfgd["s_min"])
    dr = []
    for D in cfgd["depths"]:
        dr.append(train_chains(T, D, cfgd, rs["deep_init"]))
        b = dr[-1]["t_learn"].min(1).mean(1)
        print(f"  depth {D:3d}  best-rate learning time: orthogonal {b[0]:7.1f}  Gaussian {b[1]:7.1f}  "
              f"[{timer():5.1f}s]")
    ds = deep_summary(dr, cfgd)
    sp = depth_spectra(rs["deep_init"], cfgd["width"], cfgd["depths"][-1], 16)
    ss = spectra_summary(sp, cfgd["width"], cfgd["depths"][-1])
    cs = chaos_part(rs["chaos"], cfgc)
    print(f"Part 3: tanh chains, top exponent {np.round(cs['top'][:, 0], 3).tolist()} "
          f"at g {list(cfgc['gains'])}")
    rows = headline_rows(ts, ds, ss, cs, cfg3, cfgd, cfgc)
    for row in rows:
        print(f"  {row['verdict']:7s} {row['name'][:70]}: {row['value']}")
    lyap = dict(method=f"QR along the layer product (shared.lyapunov.qr_spectrum) of fresh chains: "
                       f"{cfgd['depths'][-1]} square {cfgd['width']}x{cfgd['width']} layers x 16 draws "
                       "(linear); "
                       f"tanh: {cfgc['layers']} layers of width {cfgc['width']}, first {cfgc['transient']} "
                       "not counted; per layer",
                exponents={"orthogonal linear chain": np.sort(sp["orthogonal"].mean(0))[::-1][:8],
                           "gaussian linear chain": np.sort(sp["gaussian"].mean(0))[::-1][:8],
                           **{f"tanh chain g={g:g}": cs["top"][i] for i, g in enumerate(cfgc["gains"])}})
    metrics = dict(three_layer=ts, deep=ds, spectra=ss, chaos=dict(gains=cs["gains"], top=cs["top"],
                   mean_field=cs["mf"], q_mean_field=cs["q_mf"]), timing=dict(wall_s=timer()))
    arrays = dict(s=ts["s"], t_half=r3["t_half"], u_saved=r3["u_saved"], u_mean=r3["u_mean"],
                  u_decoupled=dec["u_mean"], save_every=np.array(cfg3["save_every"]),
                  deep_t_learn=np.array([d["t_learn"] for d in dr]),
                  deep_curves=np.array([d["curves"] for d in dr]), deep_depths=np.array(cfgd["depths"]),
                  spec_orthogonal=sp["orthogonal"], spec_gaussian=sp["gaussian"],
                  sv_orthogonal=sp["orthogonal_sv"], sv_gaussian=sp["gaussian_sv"], newman=ss["newman"],
                  chaos_gains=cs["gains"], chaos_top=cs["top"], chaos_mf=cs["mf"],
                  chaos_curve_g=cs["curve_g"], chaos_curve_mf=cs["curve_mf"])
    rec = record(args, __file__, title="Exact learning dynamics of deep linear networks", paper=PAPER,
                 config=dict(three_layer=cfg3, deep=cfgd, chaos=cfgc), metrics=metrics, headline=rows,
                 lyapunov=lyap)
    finish_run(args.out, rec, arrays, timer)


def build_parser():
    parser = cli.make_parser(__doc__, __file__)
    parser.add_argument("--n-seeds", type=cli.int_range(1, 400), default=None,
                        help=f"random initialisations of the 3-layer net (default {THREE['n_seeds']})")
    parser.add_argument("--max-depth", type=cli.int_range(3, 128), default=None,
                        help=f"deepest chain, in weight layers (default {DEEP['depths'][-1]})")
    return parser


if __name__ == "__main__":
    cli.run(main, build_parser(), gradcheck=gradcheck)
