"""Lyapunov spectra of random tanh networks (Engelken, Wolf & Abbott, arXiv 2006.02427, 2020).

R. Engelken, F. Wolf, L. F. Abbott, "Lyapunov spectra of chaotic recurrent neural networks",
arXiv 2006.02427 (2020); Phys. Rev. Research (2023). The discrete-time network of the paper,

    x_{t+1} = tanh(h_{t+1}),   h_{t+1} = g W x_t,   W_ij ~ N(0, 1/N)   (no input, no bias),

has the Jacobian J_t = d x_{t+1} / d x_t = diag(sech^2 h_{t+1}) g W. Its Lyapunov exponents come
from the QR iteration of shared.lyapunov (J_t Q_t = Q_{t+1} R_t, lambda_i = mean ln R_t[i, i]).
Mean-field theory (N -> infinity, the network's own W treated as independent of its trajectory)
gives the top exponent in closed form: the fields are Gaussian, h ~ N(0, Delta), with

    Delta = g^2 <tanh^2(h)>,       lambda_1 = (1/2) ln( g^2 <sech^4(h)> ),

Delta = 0 and lambda_1 = ln g below g = 1 (the origin is stable), Delta > 0 and lambda_1 > 0 above
(chaos). The Gaussian averages are done here by a fine trapezoid rule (121-node Gauss-Hermite is
too coarse for sech^4 at large Delta; the run records how far off it is).

The experiment, everything vectorised over nets, initial conditions and g:
  * N = 1000: top k = 4 exponents and a perturbed-twin estimate of lambda_1 for g in 0.5 .. 5
    (one W per net shared by all g; 3 nets x 2 initial conditions), against mean-field theory;
    below g = 1 against ln(g rho(W)), the exact value at the stable fixed point.
  * N = 200: full spectra for g in {1.5, 2, 3, 5} (3 nets): lambda_1, the Kaplan-Yorke dimension
    D_KY / N and entropy rate (sum of positive exponents), the sum identity
    sum_i lambda_i = ln|det gW| + < sum_i ln sech^2 h_i >_t on every trajectory, and the
    random-matrix approximation (sorted ln|eigenvalues| of diag(sech^2 h) gW, h ~ N(0, Delta)).
  * N = 100: full spectra on a fine g sweep through the onset (2 nets), for the GIF and for the
    size-invariance of the spectrum against N = 200.
  * The paper's continuous-time network tau dh/dt = -h + J tanh(h) (J_ij ~ N(0, g^2/N), no
    autapses), Euler steps dt = 0.05 tau, N = 200, g in {2, 4}: full spectra and their point
    symmetry, lambda_i + lambda_{N+1-i} = 2 ln(1 - dt)/dt for every i (-2/tau as dt -> 0);
    in random_rnn_lyapunov_spectrum_dynamics.py, loaded on demand.

    python3 random_rnn_lyapunov_spectrum.py --seed 0     # headline (~90 CPU-s; 2 workers)
    python3 random_rnn_lyapunov_spectrum.py --quick      # seconds; what the tests run

Arrays: weights W (S, N, N) with S nets; states x (S, N, ...) with the net axis first; spectra
(S, G, I, k) for S nets, G gains, I initial conditions, k exponents. No family core is used; the
QR iteration is shared.lyapunov (qr_positive, qr_spectrum, kaplan_yorke_dimension).
"""
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401  (pins BLAS to one thread before numpy loads)

import numpy as np

from shared import cli
from shared.ensemble import map_jobs
from shared.lyapunov import kaplan_yorke_dimension, qr_positive, qr_spectrum
from shared.results import finish_run, headline_row, record
from shared.rng import streams
from shared.stats import ci95

PAPER = ("R. Engelken, F. Wolf, L. F. Abbott, Lyapunov spectra of chaotic recurrent neural "
         "networks, arXiv 2006.02427 (2020); Phys. Rev. Research (2023)")
TITLE = "Lyapunov spectra of random tanh networks (Engelken, Wolf & Abbott 2020)"

# Sizes. Steps: `warm` state transient (no tangent vectors), `align` steps that only align the
# frame (Engelken discards ~10 % of the run for this), then `steps` counted steps.
LARGE = dict(N=1000, nets=3, ics=2, k=4, eps=1e-8,
             g=(0.5, 0.9, 1.1, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0))
FULL = dict(N=200, nets=3, g=(1.5, 2.0, 3.0, 5.0), rmt_samples=8)
SWEEP = dict(N=100, nets=2, g=(0.5, 0.8, 0.9, 1.0, 1.1, 1.2, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0))
STEPS = dict(warm=300, align=200, steps=1000)
# the paper's continuous-time network (Engelken's code: Euler steps, no autapses, QR every tau)
FLOW = dict(N=200, nets=2, g=(2.0, 4.0), dt=0.05, warm_tau=50.0, align_tau=20.0, tau=100.0,
            qr_tau=1.0)
QUICK = dict(n_large=60, n_full=30, n_sweep=20, steps=150, n_flow=20, flow_tau=10.0)
# Pre-registered bars (README, "Results"), from the family note's measured tolerances.
BARS = dict(mf_tol=0.008, mf_band=0.02, mf_g_min=1.5, full_tol=0.025, twin_tol=1e-3,
            onset_tol=0.005, onset_g_chaos=1.2, sum_rel=1e-9, size_rms=0.05, pair_mean_tol=0.01,
            pair_sd=0.05)
STREAMS = ["nets", "ics", "frames", "rmt", "flow"]
MF_GRID = dict(n=40_001, width=10.0)


# ==============================================================================================
# Mean-field theory
# ==============================================================================================
def gauss_average(f, delta, n=MF_GRID["n"], width=MF_GRID["width"]):
    """<f(h)> for h ~ N(0, delta), per entry of delta (G,): trapezoid rule on z in [-width, width]
    (h = sqrt(delta) z). Returns (G,)."""
    z = np.linspace(-width, width, n)
    w = np.exp(-0.5 * z ** 2) * (z[1] - z[0]) / np.sqrt(2 * np.pi)
    w[[0, -1]] *= 0.5
    return f(np.sqrt(np.asarray(delta, float))[:, None] * z) @ w


def sech2(h):
    """sech^2 from h itself (1 - tanh^2 underflows to 0 for |h| > 19); cosh^2 overflowing to inf
    for |h| > 355 gives the correct limit 0."""
    with np.errstate(over="ignore"):
        return 1.0 / np.cosh(h) ** 2


def log_sech2(h):
    """ln sech^2 h = 2 (ln 2 - |h| - ln(1 + e^{-2|h|})), finite for every h."""
    a = np.abs(h)
    return 2.0 * (np.log(2.0) - a - np.log1p(np.exp(-2.0 * a)))


def mean_field(g, average=gauss_average, n_iter=60):
    """Delta (self-consistent field variance) and lambda_1 for each gain in g (G,).

    Newton's method on F(Delta) = g^2 m(Delta) - Delta with m(Delta) = <tanh^2 h>, started at
    Delta = g^2. F is concave with F(0) = 0 and F'(0) = g^2 - 1 > 0 for g > 1, so the iterates
    decrease monotonically onto the positive root. m'(Delta) = <z tanh(h) sech^2(h)> / sqrt(Delta)
    (h = sqrt(Delta) z). Below g = 1 the root is Delta = 0.
    """
    g = np.asarray(g, float)
    chaotic = g > 1 + 1e-9              # at g = 1 the root 0 is double and Newton would crawl
    delta = g ** 2
    for _ in range(n_iter):
        F = g ** 2 * average(lambda h: np.tanh(h) ** 2, delta) - delta
        dm = average(lambda h: h * np.tanh(h) * sech2(h), delta) / delta   # <z tanh sech^2>/sqrt(D)
        step = np.where(chaotic, F / (g ** 2 * dm - 1.0), 0.0)
        delta = np.maximum(delta - step, 0.0)
        if np.all(np.abs(step) <= 1e-13 * (1 + delta)):
            break
    delta = np.where(chaotic, delta, 0.0)
    lam = 0.5 * np.log(g ** 2 * average(lambda h: sech2(h) ** 2, delta))
    return delta, lam


def gauss_hermite_average(nodes):
    """The same average by `nodes`-point Gauss-Hermite quadrature (to show its error)."""
    z, w = np.polynomial.hermite_e.hermegauss(nodes)
    return lambda f, delta: f(np.sqrt(np.asarray(delta, float))[:, None] * z) @ (w / w.sum())


# ==============================================================================================
# The network: map and Jacobian
# ==============================================================================================
def rnn_step(W, x, g):
    """x_{t+1} = tanh(g W x_t). W (N, N), x (N,) -> (N,)."""
    return np.tanh(g * (W @ x))


def rnn_jacobian(W, x, g):
    """J = d x_{t+1} / d x_t = diag(sech^2(g W x)) g W, (N, N)."""
    return sech2(g * (W @ x))[:, None] * (g * W)


def make_nets(rng, S, N):
    """S weight matrices W (S, N, N), entries N(0, 1/N)."""
    return rng.standard_normal((S, N, N)) / np.sqrt(N)


def relax(W, x, g, n):
    """n steps of the state alone: W (S, N, N), x (S, N, C), g broadcastable to (S, 1, C)."""
    for _ in range(n):
        x = np.tanh(g * (W @ x))
    return x


# ==============================================================================================
# N = 1000: top-k exponents and the perturbed twin, all gains and initial conditions at once
# ==============================================================================================
def top_exponents(W, gs, ics, k, warm, align, steps, eps, rng_ic, rng_frame):
    """Top k exponents and a twin-trajectory lambda_1 for every net, gain and initial condition.

    W (S, N, N) shared by all gains; per net the matrix product W @ V acts on one (N, C) block of
    columns V = [x | x_twin | Q] for every (gain, initial condition), C = G * I * (k + 2), so the
    N x N matrix is read once per step. The twin x' = x + eps d is renormalised to distance eps
    after every step (Benettin's two-trajectory estimate); it starts along the first frame
    vector, so twin and QR differ only by the nonlinearity over a distance eps and by rounding.
    Returns lam (S, G, I, k) sorted, the exponent of the first frame column (S, G, I) (the one
    the twin follows; below g = 1 a complex eigenvalue pair makes it differ from the sorted top
    one by O(1/steps)) and twin (S, G, I).
    """
    S, N, _ = W.shape
    G, M = len(gs), k + 2
    g = np.asarray(gs, float)[None, None, :, None]                      # (1, 1, G, 1)
    x = rng_ic.standard_normal((S, N, G, ics))                          # (S, N, G, I)
    x = relax(W, x.reshape(S, N, -1), np.repeat(g.ravel(), ics)[None, None, :], warm)
    V = np.empty((S, N, G, ics, M))
    V[..., 0] = x.reshape(S, N, G, ics)
    V[..., 2:] = qr_positive(rng_frame.standard_normal((N, k)))[0][None, :, None, None, :]
    V[..., 1] = V[..., 0] + eps * V[..., 2]          # the twin starts along q_1, as in Engelken's code
    log_r = np.zeros((S, G, ics, k))
    log_d = np.zeros((S, G, ics))
    for t in range(align + steps):
        U = (W @ V.reshape(S, N, -1)).reshape(S, N, G, ics, M)
        h = g * U[..., 0]                                               # (S, N, G, I)
        V[..., 0] = np.tanh(h)
        V[..., 1] = np.tanh(g * U[..., 1])
        # tangent: J Q = sech^2(h) * (g W Q); QR wants (..., N, k)
        T = (sech2(h) * g)[..., None] * U[..., 2:]                       # (S, N, G, I, k)
        Q, R = qr_positive(np.moveaxis(T, 1, -2))                       # (S, G, I, N, k)
        V[..., 2:] = np.moveaxis(Q, -2, 1)
        d = V[..., 1] - V[..., 0]
        dist = np.linalg.norm(d, axis=1)                                # (S, G, I)
        V[..., 1] = V[..., 0] + eps * d / dist[:, None]
        if t >= align:
            log_r += np.log(np.diagonal(R, axis1=-2, axis2=-1))
            log_d += np.log(dist / eps)
        cli.check_finite(t, state=V[..., 0])
    return -np.sort(-log_r / steps, axis=-1), log_r[..., 0] / steps, log_d / steps


# ==============================================================================================
# Full spectra (N = 200, N = 100): shared.lyapunov.qr_spectrum on a stream of Jacobians
# ==============================================================================================
def jacobian_stream(gW, x, n, count_from, acc, sort_rows=True):
    """Yield the Jacobians of x_{t+1} = tanh(gW x_t) for t = 0 .. n - 1, gW (B, N, N), x (B, N),
    and add sum_i ln sech^2 h_{t+1, i} of the counted steps (t >= count_from) to acc (B,).

    J_t = diag(sech^2 h_{t+1}) gW scales row i by sech^2 h_i, down to ~1e-20 at large g, and
    Householder QR loses the small R_ii of such a row-scaled matrix (the sum identity then fails
    by ~1e-6 at g = 5). Ordering the rows by decreasing scale makes QR row-wise backward stable
    (Powell & Reid 1969; Cox & Higham 1998), so with sort_rows the stream yields
    P_t J_t P_{t-1}^T (P_t sorts the rows by |h|): the product of the yielded matrices is
    P_T (J_T ... J_1) P_0^T, with the same Lyapunov exponents and the same |det| per step.
    """
    B, N, _ = gW.shape
    prev = np.broadcast_to(np.arange(N), (B, N))
    for t in range(n):
        h = (gW @ x[..., None])[..., 0]
        if t >= count_from:
            acc += log_sech2(h).sum(-1)
        J = sech2(h)[..., None] * gW
        if sort_rows:
            perm = np.argsort(np.abs(h), axis=-1)                       # largest sech^2 first
            J = np.take_along_axis(np.take_along_axis(J, perm[..., :, None], axis=1),
                                   prev[..., None, :], axis=2)
            prev = perm
        yield J
        x = np.tanh(h)


def full_spectra(W, gs, warm, align, steps, rng_ic, rng_frame):
    """All N exponents for every net and gain. W (S, N, N), gs (G,).

    Returns lam (S, G, N), the sum-identity prediction ln|det gW| + mean_t sum_i ln sech^2 h
    (S, G), and the final states (S, G, N).
    """
    S, N, _ = W.shape
    G = len(gs)
    gW = (np.asarray(gs, float)[None, :, None, None] * W[:, None]).reshape(S * G, N, N)
    x = rng_ic.standard_normal((S * G, N))
    for _ in range(warm):
        x = np.tanh((gW @ x[..., None])[..., 0])
    acc = np.zeros(S * G)
    lam = qr_spectrum(jacobian_stream(gW, x, align + steps, align, acc), n_transient=align,
                      rng=rng_frame)
    logdet = np.linalg.slogdet(gW)[1]
    return lam.reshape(S, G, N), (logdet + acc / steps).reshape(S, G)


def rmt_spectrum(g, delta, N, samples, rng):
    """Random-matrix approximation of the spectrum (the paper's discrete-time argument): sorted
    ln|eigenvalues| of one Jacobian diag(sech^2 h) g W' with a fresh W' ~ N(0, 1/N) and
    h ~ N(0, Delta) i.i.d., averaged over `samples` draws. Returns (N,) descending."""
    out = np.zeros(N)
    for _ in range(samples):
        Wp = rng.standard_normal((N, N)) / np.sqrt(N)
        h = np.sqrt(delta) * rng.standard_normal(N)
        mu = np.linalg.eigvals(sech2(h)[:, None] * (g * Wp))
        out += np.sort(np.log(np.abs(mu)))[::-1]
    return out / samples


# ==============================================================================================
# Summaries and verdict rules (bars in BARS, stated in the README before the run)
# ==============================================================================================
def verdict_mf(errors, tol, band):
    """|lambda_1 - MF| per gain: yes if all < tol, partial if all < band, else no."""
    e = np.abs(np.asarray(errors))
    return "yes" if np.all(e < tol) else "partial" if np.all(e < band) else "no"


def verdict_full(lam1_err, size_rms, tol, rms_bar):
    """N = 200 spectra: lambda_1 within tol of MF at every gain and the N = 100 spectrum within
    rms_bar of the N = 200 one (size invariance): yes; one of the two: partial; neither: no."""
    a = bool(np.all(np.abs(lam1_err) < tol))
    b = bool(np.all(np.asarray(size_rms) < rms_bar))
    return "yes" if a and b else "partial" if a or b else "no"


def verdict_rise_fall(mean, half):
    """D_KY/N over increasing gains, mean (G,) and 95 % half-widths (G,): yes if the peak is
    inside and both the first and the last gain lie below it with separated intervals; partial
    if only the means rise then fall; no otherwise."""
    mean, half = np.asarray(mean), np.asarray(half)
    p = int(np.argmax(mean))
    if p == 0 or p == len(mean) - 1:
        return "no"
    sep = (mean[0] + half[0] < mean[p] - half[p]) and (mean[-1] + half[-1] < mean[p] - half[p])
    return "yes" if sep else "partial"


def verdict_rise_fall_here(mean, half):
    """The abstract's claim joins attractor dimension and entropy rate, for a network whose figure
    we did not read (recalled: the continuous-time one), so a `yes` on discrete-time D_KY/N alone
    is capped at `partial` (the row's note gives the entropy rates)."""
    v = verdict_rise_fall(mean, half)
    return "partial" if v == "yes" else v


def verdict_sum(rel_err, bar):
    return "yes" if np.max(rel_err) < bar else "no"


def verdict_onset(below_err, chaos_lo, tol):
    """Below g = 1: |lambda_1 - ln(g rho(W))| < tol on every net and IC; above: the lower 95 %
    bound of lambda_1 > 0 at every gain >= the chaos gain. yes if both, partial if one."""
    a = bool(np.all(np.abs(below_err) < tol))
    b = bool(np.all(np.asarray(chaos_lo) > 0))
    return "yes" if a and b else "partial" if a or b else "no"


def verdict_twin(diff, tol):
    return "yes" if np.max(np.abs(diff)) < tol else "no"


def spectrum_rms(lam_a, lam_b):
    """rms difference of two spectra as functions of i/N (the larger N interpolated onto the
    smaller one's quantiles (i - 1/2)/N)."""
    na, nb = len(lam_a), len(lam_b)
    if na > nb:
        lam_a, lam_b, na, nb = lam_b, lam_a, nb, na
    qa, qb = (np.arange(na) + 0.5) / na, (np.arange(nb) + 0.5) / nb
    return float(np.sqrt(np.mean((lam_a - np.interp(qa, qb, lam_b)) ** 2)))


# ==============================================================================================
# The three parts (two worker processes)
# ==============================================================================================
def large_part(cfg, cfg_flow, seed):
    rs = streams(seed, STREAMS)
    flow = _dynamics().flow_spectra(cfg_flow, rs["flow"], rs["flow"], rs["flow"])
    W = make_nets(rs["nets"], cfg["nets"], cfg["N"])
    lam, first, twin = top_exponents(W, cfg["g"], cfg["ics"], cfg["k"], cfg["warm"], cfg["align"],
                              cfg["steps"], cfg["eps"], rs["ics"], rs["frames"])
    rho = np.array([np.abs(np.linalg.eigvals(w)).max() for w in W])      # (S,)
    return dict(lam=lam, first=first, twin=twin, rho=rho, flow=flow)


def full_part(cfg_full, cfg_sweep, seed):
    rs = streams(seed, STREAMS)
    out = {}
    for name, cfg in (("full", cfg_full), ("sweep", cfg_sweep)):
        W = make_nets(rs["nets"], cfg["nets"], cfg["N"])
        lam, pred = full_spectra(W, cfg["g"], cfg["warm"], cfg["align"], cfg["steps"], rs["ics"],
                                 rs["frames"])
        eig = np.sort(np.log(np.abs(np.linalg.eigvals(W))), axis=-1)[:, ::-1]    # (S, N)
        out[name] = dict(lam=lam, pred=pred, log_eig=eig)
    delta, _ = mean_field(cfg_full["g"])
    out["rmt"] = np.stack([rmt_spectrum(g, d, cfg_full["N"], cfg_full["rmt_samples"], rs["rmt"])
                           for g, d in zip(cfg_full["g"], delta, strict=True)])
    return out


def _job(job):
    timer, cpu = cli.Timer(), time.process_time()
    r = large_part(*job[1:]) if job[0] == "large" else full_part(*job[1:])
    return job[0], r, (timer(), time.process_time() - cpu)


def dky_stats(lam):
    """D_KY / N and entropy rate per neuron for spectra (S, G, N): each (S, G)."""
    N = lam.shape[-1]
    d = np.array([[kaplan_yorke_dimension(s) for s in row] for row in lam]) / N
    return d, np.where(lam > 0, lam, 0).sum(-1) / N


def summarise(L, F, cfg, mf):
    """Every number the README quotes (see the README's Results for what each one means)."""
    gl, gf, gs = (np.array(cfg[p]["g"]) for p in ("large", "full", "sweep"))
    lam1 = L["lam"][..., 0]                                              # (S, G, I)
    per_g = lam1.transpose(1, 0, 2).reshape(len(gl), -1)                 # (G, S*I)
    ci = [ci95(v) for v in per_g]
    mf_l = mf["large"]
    sel = gl >= BARS["mf_g_min"]
    err = np.array([m for m, _ in ci]) - mf_l
    below = gl < 1
    pred_below = np.log(gl[below][None, :, None] * L["rho"][:, None, None])   # (S, Gb, 1)
    below_err = lam1[:, below] - pred_below
    chaos = gl >= BARS["onset_g_chaos"]
    lam_f, lam_s = F["full"]["lam"], F["sweep"]["lam"]
    dky_f, ent_f = dky_stats(lam_f)
    dky_s, ent_s = dky_stats(lam_s)
    sum_rel = [np.abs(p["lam"].sum(-1) - p["pred"]) / np.abs(p["pred"]) for p in (F["full"], F["sweep"])]
    idx = [int(np.argmin(np.abs(gs - g))) for g in gf]                   # sweep gains = full gains
    size_rms = [spectrum_rms(lam_f[:, j].mean(0), lam_s[:, i].mean(0)) for j, i in enumerate(idx)]
    rmt_rms = [spectrum_rms(lam_f[:, j].mean(0), F["rmt"][j]) for j in range(len(gf))]
    # below g = 1 the spectrum is ln|eig(gW)| exactly (fixed point at 0)
    eig_pred = np.log(gs[gs < 1])[None, :, None] + F["sweep"]["log_eig"][:, None]
    eig_err_sweep = np.abs(lam_s[:, gs < 1] - eig_pred)
    return dict(
        large=dict(g=gl, lam1_mean=[m for m, _ in ci], lam1_ci95=[h for _, h in ci], mf=mf_l,
                   err=err, max_err_mf_range=float(np.abs(err[sel]).max()), rho=L["rho"],
                   lam_top_mean=L["lam"].mean(axis=(0, 2)),
                   twin_minus_qr_max=float(np.abs(L["twin"] - L["first"]).max()),
                   below_g=gl[below], below_err_max=float(np.abs(below_err).max()),
                   chaos_g=gl[chaos], chaos_lo=[m - h for (m, h), c in zip(ci, chaos, strict=True) if c]),
        full=dict(g=gf, lam1_mean=lam_f[..., 0].mean(0), lam1_sd=lam_f[..., 0].std(0, ddof=1),
                  mf=mf["full"], lam1_err=lam_f[..., 0].mean(0) - mf["full"],
                  dky_mean=dky_f.mean(0), dky_ci95=[ci95(v)[1] for v in dky_f.T],
                  entropy_mean=ent_f.mean(0), n_positive_mean=(lam_f > 0).sum(-1).mean(0),
                  lam_sum_mean=lam_f.sum(-1).mean(0), sum_rel_err_max=float(sum_rel[0].max()),
                  size_rms=size_rms, rmt_rms=rmt_rms, rmt_lam1=F["rmt"][:, 0]),
        sweep=dict(g=gs, lam1_mean=lam_s[..., 0].mean(0), mf=mf["sweep"], dky_mean=dky_s.mean(0),
                   entropy_mean=ent_s.mean(0), sum_rel_err_max=float(sum_rel[1].max()),
                   below_eig_err_max=float(eig_err_sweep.max())),
        sum_rel_err_max=float(max(s.max() for s in sum_rel)),
        size_rms_top90_posthoc=[spectrum_rms(lam_f[:, j].mean(0)[:int(0.9 * lam_f.shape[-1])],
                                             lam_s[:, i].mean(0)[:int(0.9 * lam_s.shape[-1])])
                                for j, i in enumerate(idx)],
        flow=_dynamics().flow_summary(L["flow"], cfg["flow"]))


def headline_rows(m, cfg, mf_gh):
    L, F = m["large"], m["full"]
    gl = np.asarray(L["g"])
    sel = gl >= BARS["mf_g_min"]
    pairs = ", ".join(f"g={g:g}: {v:.4f}±{h:.4f} (MF {t:.4f})" for g, v, h, t, s in
                      zip(gl, L["lam1_mean"], L["lam1_ci95"], L["mf"], sel, strict=True) if s)
    lc, fc = cfg["large"], cfg["full"]
    rows = [
        headline_row(f"lambda_1 at N = {lc['N']}, max |measured - mean field| over g in [1.5, 5]",
                     round(L["max_err_mf_range"], 4), f"< {BARS['mf_tol']} (bar; MF exact as N -> inf)",
                     verdict_mf(np.asarray(L["err"])[sel], BARS["mf_tol"], BARS["mf_band"]),
                     f"{pairs}; mean ± 95% CI over {lc['nets']} nets x {lc['ics']} ICs, "
                     f"{lc['steps']} counted steps; partial band {BARS['mf_band']}; 121-node "
                     f"Gauss-Hermite would give MF {mf_gh[-1]:.4f} at g=5"),
        headline_row(f"full spectra at N = {fc['N']}: lambda_1 - MF; size invariance "
                     f"rms(N={cfg['sweep']['N']} vs {fc['N']})",
                     "; ".join(f"g={g:g}: {e:+.4f}, rms {r:.3f}" for g, e, r in
                               zip(F["g"], F["lam1_err"], F["size_rms"], strict=True)),
                     f"|lambda_1 - MF| < {BARS['full_tol']}; rms < {BARS['size_rms']} (bars)",
                     verdict_full(F["lam1_err"], F["size_rms"], BARS["full_tol"], BARS["size_rms"]),
                     f"{fc['nets']} nets; extensive chaos with a size-invariant spectrum (paper abstract)"),
        headline_row(f"D_KY / N rises then falls with g (N = {fc['N']})",
                     ", ".join(f"g={g:g}: {d:.3f}±{h:.3f}" for g, d, h in
                               zip(F["g"], F["dky_mean"], F["dky_ci95"], strict=True)),
                     "rises near onset, falls far from it (paper abstract)",
                     verdict_rise_fall_here(F["dky_mean"], F["dky_ci95"]),
                     "interior peak with 95% intervals of both ends below it; partial at best: the "
                     "abstract pairs it with the entropy rate, which here keeps rising ("
                     + ", ".join(f"{e:.2f}" for e in F["entropy_mean"])
                     + " per neuron), and the paper's figure and model for it were not read"),
        headline_row("sum identity: max |sum lambda - (ln|det gW| + <sum ln sech^2 h>)| / |.|",
                     f"{m['sum_rel_err_max']:.1e}", f"< {BARS['sum_rel']:.0e} (exact identity)",
                     verdict_sum(m["sum_rel_err_max"], BARS["sum_rel"]),
                     f"every full-spectrum trajectory (N = {fc['N']} and N = {cfg['sweep']['N']})"),
        headline_row(f"onset at g = 1: |lambda_1 - ln(g rho(W))| below; lambda_1 > 0 from g = "
                     f"{BARS['onset_g_chaos']} (N = {lc['N']})",
                     f"max {L['below_err_max']:.1e} at g in {list(map(float, L['below_g']))}; lower 95% "
                     f"bounds {', '.join(f'{v:.4f}' for v in L['chaos_lo'])}",
                     f"< {BARS['onset_tol']}; > 0 (bars)",
                     verdict_onset(L["below_err_max"], L["chaos_lo"], BARS["onset_tol"]),
                     f"g >= {BARS['onset_g_chaos']}: {list(map(float, L['chaos_g']))}; MF onset g = 1"),
        headline_row(f"perturbed twin vs QR lambda_1 (N = {lc['N']}), max |difference|",
                     f"{L['twin_minus_qr_max']:.1e}", f"< {BARS['twin_tol']} (bar)",
                     verdict_twin(L["twin_minus_qr_max"], BARS["twin_tol"]),
                     f"twin distance {lc['eps']:g} renormalised every step"),
        _dynamics().flow_row(m, cfg),
    ]
    return rows


def lyapunov_record(m, L, F, cfg):
    lc, fc = cfg["large"], cfg["full"]
    ex = {f"N={lc['N']} g={g:g} (mean of {lc['nets'] * lc['ics']} runs)": v
          for g, v in zip(lc["g"], m["large"]["lam_top_mean"], strict=True) if g >= 1.5}
    ex.update({f"N={fc['N']} g={g:g} (mean of {fc['nets']} nets, top 8)": F["full"]["lam"][:, j].mean(0)[:8]
               for j, g in enumerate(fc["g"])})
    return dict(method=(f"QR iteration every step (shared.lyapunov), {lc['warm']} state warm-up, "
                        f"{lc['align']} alignment and {lc['steps']} counted steps; autonomous network, "
                        "no input"),
                exponents={k: sorted(map(float, v), reverse=True) for k, v in ex.items()},
                window=lc["steps"], n_sequences=lc["nets"] * lc["ics"], alignment_steps=lc["align"])


# ==============================================================================================
# Headline
# ==============================================================================================
def resolve(args):
    cli.quick(args, n_large=QUICK["n_large"], n_full=QUICK["n_full"], n_sweep=QUICK["n_sweep"],
              steps=QUICK["steps"], n_flow=QUICK["n_flow"], flow_tau=QUICK["flow_tau"])
    steps = dict(STEPS, steps=args.steps)
    if args.quick:
        steps.update(warm=50, align=30)
    large = dict(LARGE, N=args.n_large, nets=args.nets, **steps)
    full = dict(FULL, N=args.n_full, nets=args.nets, **steps)
    sweep = dict(SWEEP, N=args.n_sweep, nets=max(2, args.nets - 1), **steps)
    if args.quick:
        full["rmt_samples"] = 2
    flow = dict(FLOW, N=args.n_flow, tau=args.flow_tau)
    if args.quick:
        flow.update(warm_tau=5.0, align_tau=2.0)
    return dict(large=large, full=full, sweep=sweep, flow=flow, workers=args.workers)


def main(args):
    timer = cli.Timer()
    cfg = resolve(args)
    lc, fc, sc = cfg["large"], cfg["full"], cfg["sweep"]
    print(f"N = {lc['N']}: top {lc['k']} exponents + twin, {lc['nets']} nets x {lc['ics']} ICs, "
          f"g = {list(lc['g'])}; N = {fc['N']}: full spectra, {fc['nets']} nets, g = {list(fc['g'])}; "
          f"N = {sc['N']}: full spectra on {len(sc['g'])} gains; steps {lc['warm']} + {lc['align']} "
          f"+ {lc['steps']}")
    mf = {p: mean_field(cfg[p]["g"])[1] for p in ("large", "full", "sweep")}
    g_fine = np.linspace(0.3, 5.5, 105)
    delta_fine, mf_fine = mean_field(g_fine)
    mf_gh = mean_field(lc["g"], gauss_hermite_average(121))[1]
    jobs = [("large", lc, cfg["flow"], args.seed), ("full", fc, sc, args.seed)]
    out = map_jobs(_job, jobs, workers=args.workers)
    res = {name: r for name, r, _ in out}
    L, F = res["large"], res["full"]
    m = summarise(L, F, cfg, mf)
    m["mf_gauss_hermite_121"] = dict(g=lc["g"], lam1=mf_gh, err=mf_gh - mf["large"])
    m["timing"] = {**{f"{name}_wall_s": t[0] for name, _, t in out},
                   **{f"{name}_cpu_s": t[1] for name, _, t in out}}
    ml = m["large"]
    for g, v, h, t in zip(lc["g"], ml["lam1_mean"], ml["lam1_ci95"], mf["large"], strict=True):
        print(f"  N={lc['N']} g={g:4.2f}  lambda_1 {v:+.4f} ± {h:.4f}   mean field {t:+.4f}")
    for j, g in enumerate(fc["g"]):
        print(f"  N={fc['N']} g={g:4.2f}  lambda_1 {m['full']['lam1_mean'][j]:+.4f}  D_KY/N "
              f"{m['full']['dky_mean'][j]:.3f}  positive {m['full']['n_positive_mean'][j]:.1f}")
    rec = record(args, __file__, title=TITLE, paper=PAPER, config=dict(cfg, bars=BARS, mf_grid=MF_GRID),
                 metrics=m, headline=headline_rows(m, cfg, mf_gh), lyapunov=lyapunov_record(m, L, F, cfg))
    arrays = dict(g_fine=g_fine, mf_fine=mf_fine, delta_fine=delta_fine, large_g=lc["g"], large_lam=L["lam"],
                  large_twin=L["twin"], large_rho=L["rho"], full_g=fc["g"], full_lam=F["full"]["lam"],
                  full_pred=F["full"]["pred"], full_log_eig=F["full"]["log_eig"], full_rmt=F["rmt"],
                  sweep_g=sc["g"], sweep_lam=F["sweep"]["lam"], sweep_pred=F["sweep"]["pred"],
                  sweep_log_eig=F["sweep"]["log_eig"], flow_g=cfg["flow"]["g"], flow_lam=L["flow"])
    finish_run(args.out, rec, arrays, timer)


def gradcheck(args):
    """--gradcheck: the Jacobians against central differences (random_rnn_lyapunov_spectrum_checks)."""
    return cli.load_sibling(__file__, "random_rnn_lyapunov_spectrum_checks", globals()).gradcheck(args)


def _dynamics():
    """The continuous-time network (random_rnn_lyapunov_spectrum_dynamics), loaded on demand."""
    return cli.load_sibling(__file__, "random_rnn_lyapunov_spectrum_dynamics", globals())


def build_parser():
    p = cli.make_parser(__doc__, __file__)
    p.add_argument("--n-large", type=cli.int_range(8, 2000), default=LARGE["N"],
                   help="network size of the lambda_1(g) part (top-k exponents)")
    p.add_argument("--n-full", type=cli.int_range(8, 400), default=FULL["N"],
                   help="network size of the full spectra at g in {1.5, 2, 3, 5}")
    p.add_argument("--n-sweep", type=cli.int_range(8, 200), default=SWEEP["N"],
                   help="network size of the full-spectrum sweep through the onset (GIF)")
    p.add_argument("--nets", type=cli.int_range(2, 8), default=LARGE["nets"],
                   help="random networks per part (the sweep uses one fewer, at least 2)")
    p.add_argument("--steps", type=cli.int_range(10, 20_000), default=STEPS["steps"],
                   help="counted steps per trajectory (after the warm-up and alignment steps)")
    p.add_argument("--n-flow", type=cli.int_range(8, 400), default=FLOW["N"],
                   help="network size of the continuous-time (Euler) full spectra")
    p.add_argument("--flow-tau", type=cli.float_range(1.0, 2000.0), default=FLOW["tau"],
                   help="counted time (units of tau) of the continuous-time spectra")
    p.add_argument("--workers", type=cli.int_range(1, 2), default=2,
                   help="processes: one for N = 1000, one for the full spectra")
    return p


if __name__ == "__main__":
    cli.run(main, build_parser(), gradcheck=gradcheck)
