"""Forecasting chaos in Lyapunov times, and the Lyapunov spectrum of the trained forecaster.

W. Gilpin, "Chaos as an interpretable benchmark for forecasting and data-driven modelling",
NeurIPS Datasets & Benchmarks 2021, and "Model scale versus domain knowledge in statistical
forecasting of chaotic systems" (2023) measure forecasts of chaotic flows in Lyapunov times. The two
models here are the classic ones of that benchmark, each at its own paper's Lorenz setting:

Echo-state network (J. Pathak, Z. Lu, B. R. Hunt, M. Girvan, E. Ott, Chaos 27, 121102, 2017):
    r_{t+1} = tanh(A r_t + W_in u_t)                      driven (listening / training)
    u_hat_t = W_out q(r_t),   q_i(r) = r_i (i even), r_i^2 (i odd)
    r_{t+1} = tanh(A r_t + W_in W_out q(r_t))             closed loop (forecasting)
    A: N x N sparse, mean degree 6, uniform entries rescaled to spectral radius rho;
    W_in: one input per unit, uniform in [-sigma, sigma]; W_out by ridge regression (closed form).
NVAR / next-generation RC (D. J. Gauthier, E. Bollt, A. Griffith, W. A. S. Barbosa,
Nat. Commun. 12, 5564, 2021):
    O_t = [1, x_t, x_{t-1}, unique quadratic monomials of (x_t, x_{t-1})]   (28 features)
    x_{t+1} = x_t + W_out O_t,   W_out by ridge regression.

Both forecast Lorenz-63 and two other flows of the dynamics family core (shared/dynamics/flows.py:
Rossler, diffusionless Lorenz). Scores: the valid prediction time (VPT), the first time the
normalised error |u_hat - u| / sigma_attractor (RMS over coordinates) exceeds eps = 0.5, in Lyapunov
times t * lambda_1; and the Lyapunov spectrum of the closed-loop model (shared.lyapunov.qr_spectrum
on its exact Jacobians; the ESN's is diag(1 - r_{t+1}^2) (A + W_in W_out diag q'(r_t))), per unit
time, against the flow's reference (Lorenz: 0.9056, 0, -14.5723, Sprott). The readouts are closed
form: no gradient is trained; --gradcheck checks the ridge objective's gradient (zero at the
solution) and the closed-loop Jacobians against central differences.

    python3 chaos_forecast_lyapunov_times.py --seed 0     # headline (about 2 minutes)
    python3 chaos_forecast_lyapunov_times.py --quick      # seconds; what the tests run

Arrays: seeds S (independent reservoirs and training trajectories), test initial conditions M per
seed; trajectories time-major (T, S, M, 3); ESN states (S, M, N); weights carry the seed axis first
(A (S, N, N), W_in (S, N, 3), W_out (S, 3, N)); NVAR states (S, M, 6), W_out (S, 3, 28).
Family core: shared/dynamics/flows.py (vector fields, Jacobians, RK4 sampler, reference spectra).
Siblings: _report.py (summaries, headline rows, saved arrays), _checks.py (--gradcheck and the checks
each run repeats).
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401  (pins BLAS to one thread before numpy loads)

import numpy as np

from shared import cli
from shared.dynamics.flows import FLOWS, trajectory
from shared.lyapunov import qr_positive, qr_spectrum
from shared.results import finish_run, record
from shared.rng import streams
from shared.stats import t_interval

PAPER = ("W. Gilpin, Chaos as an interpretable benchmark for forecasting and data-driven modelling, "
         "NeurIPS Datasets & Benchmarks 2021; W. Gilpin, Model scale versus domain knowledge in "
         "statistical forecasting of chaotic systems, 2023; ESN setting of J. Pathak et al., Chaos 27, "
         "121102 (2017); NVAR setting of D. J. Gauthier et al., Nat. Commun. 12, 5564 (2021)")
STREAMS = ["init", "data", "eval", "lyap", "noise"]
FLOW_NAMES = ("lorenz", "rossler", "diffusionless_lorenz")
# per flow: ESN sample step (Pathak's 0.02 for Lorenz), NVAR sample step (Gauthier's 0.025 for Lorenz),
# and an input scale bringing each attractor to Lorenz's size (RMS std ~8.5) so one sigma serves all
# and the ESN's spectral radius (Pathak's 1.2 for Lorenz; 0.6 for the others, from a pilot, see README)
FLOW_SETUP = {"lorenz": dict(dt=0.02, dt_nvar=0.025, scale=1.0, rho=1.2),
              "rossler": dict(dt=0.1, dt_nvar=0.025, scale=2.0, rho=0.6),
              "diffusionless_lorenz": dict(dt=0.1, dt_nvar=0.025, scale=7.0, rho=0.6)}
CFG = dict(
    N=300, degree=6, sigma=0.1, ridge=1e-6,                   # Pathak 2017, Lorenz (see README)
    train_steps=5000, washout=100,                            # T = 100 at dt = 0.02
    input_noise=1e-3,     # a second readout trained on inputs + noise (x attractor std): a deviation
    nvar_ridges=(2.5e-6, 1e-3), nvar_train=400, nvar_warmup=200,     # Gauthier 2021, Lorenz; a stiffer ridge
    n_seeds=5, n_ic=16, listen=500, horizon_lyap=20.0, eps=0.5,
    lyap_time=150.0, lyap_transient=20.0, k_exp=5, qr_every=5, sum_steps=120, check_steps=60,
    substeps=2, transient_time=30.0)
QUICK = dict(N=40, train_steps=600, n_seeds=2, n_ic=3, listen=100, horizon_lyap=4.0,
             lyap_time=10.0, lyap_transient=2.0, sum_steps=10, nvar_train=200, nvar_warmup=20,
             transient_time=5.0, check_steps=10)


# ==============================================================================================
# Data: trajectories of the family core's flows
# ==============================================================================================
def sample_flow(name, dt, x0, n_samples, transient_time, substeps):
    """RK4 samples every dt of the flow ``name`` from x0 (B, 3), after a transient of transient_time
    time units; multiplied by the flow's input scale. Returns (n_samples, B, 3)."""
    fl = FLOWS[name]
    return FLOW_SETUP[name]["scale"] * trajectory(fl.f, x0, dt, n_samples, int(transient_time / dt), substeps)


def random_starts(rng, name, B):
    """B initial states near the flow's reference point (a transient then takes them onto it)."""
    return np.array(FLOWS[name].x0) + rng.standard_normal((B, 3))


# ==============================================================================================
# Echo-state network (Pathak et al. 2017)
# ==============================================================================================
def esn_init(rng, S, N, degree, rho, sigma):
    """S reservoirs: A (S, N, N) Erdos-Renyi with mean degree ``degree``, U(-1, 1) weights scaled to
    spectral radius rho; W_in (S, N, 3), each unit reading one random coordinate with U(-sigma, sigma)."""
    mask = rng.random((S, N, N)) < degree / N
    A = np.where(mask, rng.uniform(-1, 1, (S, N, N)), 0.0)
    radius = np.abs(np.linalg.eigvals(A)).max(axis=-1)            # (S,)
    A *= (rho / radius)[:, None, None]
    W_in = np.zeros((S, N, 3))
    cols = rng.integers(0, 3, size=(S, N))
    np.put_along_axis(W_in, cols[..., None], rng.uniform(-sigma, sigma, (S, N, 1)), axis=-1)
    return dict(A=A, W_in=W_in)


def odd_mask(N):
    """Units whose readout feature is squared (Pathak's trick against the Lorenz symmetry)."""
    return np.arange(N) % 2 == 1


def features(r):
    """q(r): r with every second unit squared. r (..., N) -> (..., N)."""
    return np.where(odd_mask(r.shape[-1]), r * r, r)


def esn_drive(p, U, r0=None):
    """Driven reservoir: r_{t+1} = tanh(A r_t + W_in u_t). U (T, S, M, 3) -> states (T, S, M, N),
    the state after each input (r_1 .. r_T)."""
    T, S, M = U.shape[:3]
    N = p["A"].shape[-1]
    r = np.zeros((S, M, N)) if r0 is None else r0
    out = np.empty((T, S, M, N))
    for t in range(T):
        # (S, M, N) @ (S, N, N)^T: every seed's own reservoir
        r = np.tanh(r @ np.swapaxes(p["A"], 1, 2) + U[t] @ np.swapaxes(p["W_in"], 1, 2))
        out[t] = r
    return out


def ridge(X, Y, beta):
    """Closed-form ridge readout per seed, W = Y^T X (X^T X + beta I)^-1, computed as the least-squares
    solution of the stacked system [X; sqrt(beta) I] W^T = [Y; 0] (the same minimiser; an SVD instead
    of the normal equations, whose condition number squares: 1e18 for NVAR's raw Lorenz monomials).
    X (S, T, F) features, Y (S, T, D) targets -> W (S, D, F)."""
    S, T, F = X.shape
    pad = np.sqrt(beta) * np.eye(F)
    return np.stack([np.linalg.lstsq(np.vstack([X[s], pad]), np.vstack([Y[s], np.zeros((F, Y.shape[-1]))]),
                                     rcond=None)[0].T for s in range(S)])


def ridge_loss(W, X, Y, beta):
    """The ridge objective sum |Y - X W^T|^2 + beta |W|^2 (summed over seeds) and its gradient."""
    E = X @ np.swapaxes(W, 1, 2) - Y                              # (S, T, D)
    loss = float((E * E).sum() + beta * (W * W).sum())
    grad = 2 * np.swapaxes(E, 1, 2) @ X + 2 * beta * W            # (S, D, F)
    return loss, grad


def esn_train(p, U, cfg, noise=None):
    """Drive with the training inputs, drop the washout, fit W_out so W_out q(r_{t+1}) = u_{t+1}.
    U (T, S, 3) training series; ``noise`` (T-1, S, 3), if given, is added to the inputs only (the
    targets stay clean). Returns W_out (S, 3, N) and the driven states (T-1, S, N)."""
    inputs = U[:-1] if noise is None else U[:-1] + noise
    R = esn_drive(p, inputs[:, :, None])[:, :, 0]                 # (T-1, S, N): r_1 .. r_{T-1}
    X = features(R[cfg["washout"]:]).transpose(1, 0, 2)          # (S, T', N)
    Y = U[cfg["washout"] + 1:].transpose(1, 0, 2)                # (S, T', 3): the next inputs
    return ridge(X, Y, cfg["ridge"]), R


def esn_step(p, W_out, r):
    """Closed loop: r' = tanh(A r + W_in W_out q(r)); r (S, M, N)."""
    u_hat = features(r) @ np.swapaxes(W_out, 1, 2)               # (S, M, 3)
    return np.tanh(r @ np.swapaxes(p["A"], 1, 2) + u_hat @ np.swapaxes(p["W_in"], 1, 2))


def esn_jacobian(p, W_out, r):
    """d r'/d r of the closed loop at r (S, M, N): diag(1 - r'^2) (A + W_in W_out diag q'(r)).
    Returns (S, M, N, N) and r'."""
    r_new = esn_step(p, W_out, r)
    dq = np.where(odd_mask(r.shape[-1]), 2 * r, 1.0)             # (S, M, N)
    feedback = p["W_in"] @ W_out                                  # (S, N, N)
    M = p["A"][:, None] + feedback[:, None] * dq[:, :, None, :]  # (S, M, N, N)
    return (1 - r_new ** 2)[..., None] * M, r_new


def esn_forecast(p, W_out, listen, H):
    """Synchronise on true data ``listen`` (L, S, M, 3), then run H closed-loop steps.
    Returns forecasts (H, S, M, 3) of the H samples after the last one listened to."""
    r = esn_drive(p, listen)[-1]
    out = np.empty((H,) + r.shape[:2] + (3,))
    for h in range(H):
        out[h] = features(r) @ np.swapaxes(W_out, 1, 2)
        r = esn_step(p, W_out, r)
    return out


# ==============================================================================================
# NVAR (Gauthier et al. 2021): constant, linear and quadratic features of two delay taps
# ==============================================================================================
IU = np.triu_indices(6)


def nvar_features(z):
    """O(z) = [1, z, z_i z_j (i <= j)] for the delay state z = (x_t, x_{t-1}) (..., 6) -> (..., 28)."""
    quad = (z[..., :, None] * z[..., None, :])[..., IU[0], IU[1]]
    return np.concatenate([np.ones(z.shape[:-1] + (1,)), z, quad], axis=-1)


def nvar_features_jac(z):
    """dO/dz (..., 28, 6): zero row, identity, then d(z_i z_j)/dz_k = z_j d_ik + z_i d_jk."""
    eye = np.eye(6)
    dquad = (eye[IU[0]] * z[..., IU[1], None] + eye[IU[1]] * z[..., IU[0], None])   # (..., 21, 6)
    lead = np.broadcast_to(np.vstack([np.zeros((1, 6)), eye]), z.shape[:-1] + (7, 6))
    return np.concatenate([lead, dquad], axis=-2)


def nvar_train(X, cfg, beta):
    """X (T, S, 3): fit x_{t+1} - x_t = W_out O(x_t, x_{t-1}) on nvar_train steps after the warm-up."""
    w, n = cfg["nvar_warmup"], cfg["nvar_train"]
    Z = np.concatenate([X[w:w + n], X[w - 1:w + n - 1]], axis=-1)  # (n, S, 6)
    feats = nvar_features(Z).transpose(1, 0, 2)                    # (S, n, 28)
    D = (X[w + 1:w + n + 1] - X[w:w + n]).transpose(1, 0, 2)       # (S, n, 3)
    return ridge(feats, D, beta)


def nvar_step(W_out, z):
    """z = (x_t, x_{t-1}) (S, M, 6) -> (x_{t+1}, x_t)."""
    x_new = z[..., :3] + nvar_features(z) @ np.swapaxes(W_out, 1, 2)
    return np.concatenate([x_new, z[..., :3]], axis=-1)


def nvar_jacobian(W_out, z):
    """d z'/d z (S, M, 6, 6): [[I + W_out dO/dz[:, :3] | W_out dO/dz[:, 3:]], [I | 0]]."""
    J = np.zeros(z.shape + (6,))
    J[..., :3, :] = W_out[:, None] @ nvar_features_jac(z)
    J[..., :3, :3] += np.eye(3)
    J[..., 3:, :3] = np.eye(3)
    return J, nvar_step(W_out, z)


def nvar_forecast(W_out, listen, H):
    """Start from the last two listened samples (L, S, M, 3); H forecasts (H, S, M, 3)."""
    z = np.concatenate([listen[-1], listen[-2]], axis=-1)
    out = np.empty((H,) + z.shape[:2] + (3,))
    with np.errstate(over="ignore", invalid="ignore"):       # a diverging forecast just fails the VPT
        for h in range(H):
            z = nvar_step(W_out, z)
            out[h] = z[..., :3]
    return out


# ==============================================================================================
# Evaluation: valid prediction time and the closed-loop Lyapunov spectrum
# ==============================================================================================
def normalised_error(pred, true, scale):
    """sqrt(mean_d ((pred - true) / scale_d)^2) per sample; non-finite forecasts count as infinite.
    pred, true (H, ...,  3), scale (3,) -> (H, ...)."""
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.sqrt((((pred - true) / scale) ** 2).mean(-1))
    return np.where(np.isfinite(e), e, np.inf)


def valid_time(err, dt, eps):
    """Time (dt units) until the error first exceeds eps: the number of leading forecast steps with
    err <= eps, times dt. err (H, ...) -> (...); a forecast that never fails gets H dt."""
    bad = err > eps
    first = np.where(bad.any(0), bad.argmax(0), err.shape[0])
    return first * dt


def esn_spectrum(p, W_out, r0, n_transient, n_steps, k, dt, rng, qr_every=1):
    """Top-k exponents per unit time of the closed-loop ESN from r0 (S, N): the QR iteration of
    shared.lyapunov.qr_spectrum with each J_t Q computed as diag(1 - r'^2) (A Q + W_in W_out
    (q'(r) * Q)) instead of forming J_t (N x N per seed per step; the same numbers, checked against
    qr_spectrum on explicit Jacobians in the tests and in every run), re-orthonormalised every
    ``qr_every`` steps (the log R_ii sums are the same; it must divide both step counts).
    Returns (S, k) (nan for a seed whose closed loop left the finite range) and the mean and std of
    its output u_hat over the counted steps ((S, 3) each: its "climate")."""
    S, N = r0.shape
    Q = np.broadcast_to(qr_positive(np.random.default_rng(rng).standard_normal((N, k)))[0], (S, N, k))
    log_r, r, u_sum, u_sq = np.zeros((S, k)), r0, np.zeros((S, 3)), np.zeros((S, 3))
    odd = odd_mask(N)
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(n_transient + n_steps):
            r_new = esn_step(p, W_out, r[:, None])[:, 0]
            dq = np.where(odd, 2 * r, 1.0)                            # (S, N)
            JQ = p["A"] @ Q + p["W_in"] @ (W_out @ (dq[..., None] * Q))
            Q = np.nan_to_num((1 - r_new ** 2)[..., None] * JQ)
            if (t + 1) % qr_every == 0:
                Q, R = qr_positive(Q)
                if t >= n_transient:
                    log_r += np.log(np.abs(np.diagonal(R, axis1=-2, axis2=-1)) + 1e-300)
            if t >= n_transient:
                u = (W_out @ features(r)[..., None])[..., 0]            # (S, 3)
                u_sum, u_sq = u_sum + u, u_sq + u * u
            r = r_new
    lam = -np.sort(-log_r / (n_steps * dt), axis=-1)
    mean = u_sum / n_steps
    return (np.where(np.all(np.isfinite(r), axis=-1)[:, None], lam, np.nan), mean,
            np.sqrt(np.maximum(u_sq / n_steps - mean ** 2, 0.0)))


def climate_ok(mean, std, true_mean, true_std, tol_mean=0.2, tol_std=0.15):
    """The closed loop keeps the attractor's climate: per coordinate, its long-run mean within
    tol_mean attractor std of the data's and its std within tol_std relative (S, 3) -> (S,) bool."""
    with np.errstate(invalid="ignore"):
        return np.all((np.abs(mean - true_mean) <= tol_mean * true_std)
                      & (np.abs(std / true_std - 1) <= tol_std), axis=-1)


def driven_max_exponent(p, R, dt):
    """Largest conditional exponent of the driven reservoir along its training states R (T, S, N):
    r_{t+1} = tanh(A r_t + W_in u_t) has Jacobian diag(1 - r_{t+1}^2) A (the input is given).
    A closed loop cannot resolve a flow exponent below this value (arXiv 2401.00885, see README)."""
    S, N = R.shape[1:]
    v = np.ones((S, N, 1)) / np.sqrt(N)
    log_g = np.zeros(S)
    for t in range(1, R.shape[0]):
        v = (1 - R[t] ** 2)[..., None] * (p["A"] @ v)
        g = np.linalg.norm(v, axis=(1, 2))
        log_g += np.log(g)
        v /= g[:, None, None]
    return log_g / ((R.shape[0] - 1) * dt)


def nvar_spectrum(W_out, z0, n_transient, n_steps, dt, rng, qr_every=1):
    """All 6 exponents per unit time of the closed-loop NVAR map from z0 (S, 6), by
    shared.lyapunov.qr_spectrum on its exact Jacobians; the time mean of ln|det J_t| along the same
    trajectory (their sum must equal it); and the mean and std of x over the counted steps. nan
    for a seed whose forecast diverged. qr_spectrum receives the product of ``qr_every`` steps'
    Jacobians at a time (as shared.lyapunov.flow_spectrum does); it must divide both step counts.
    The headline keeps qr_every = 1: a trained NVAR's one-step Jacobian is badly conditioned (large
    cancelling coefficients), and a 5-step product lost the sum identity to 0.2-3 per unit time."""
    S = z0.shape[0]
    st = {"z": z0[:, None], "logdet": np.zeros(S), "n": 0, "sum": np.zeros((S, 3)), "sq": np.zeros((S, 3))}

    def jacobians():
        block = np.eye(6)
        for t in range(n_transient + n_steps):
            J, st["z"] = nvar_jacobian(W_out, st["z"])
            J = np.nan_to_num(J[:, 0], nan=0.0, posinf=0.0, neginf=0.0)
            block = J @ block                                            # latest step on the left
            if t >= n_transient:
                st["logdet"] += np.linalg.slogdet(J)[1]
                x = st["z"][:, 0, :3]
                st["sum"], st["sq"], st["n"] = st["sum"] + x, st["sq"] + x * x, st["n"] + 1
            if (t + 1) % qr_every == 0:
                yield np.nan_to_num(block, nan=0.0, posinf=0.0, neginf=0.0)    # a diverged seed: masked below
                block = np.eye(6)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        lam = qr_spectrum(jacobians(), dt=dt * qr_every, n_transient=n_transient // qr_every, rng=rng)
        mean = st["sum"] / st["n"]
        std = np.sqrt(np.maximum(st["sq"] / st["n"] - mean ** 2, 0.0))
    ok = np.all(np.isfinite(st["z"][:, 0]), axis=-1) & np.all(np.isfinite(lam), axis=-1)
    return (np.where(ok[:, None], lam, np.nan), np.where(ok, st["logdet"] / (st["n"] * dt), np.nan),
            np.where(ok[:, None], mean, np.nan), np.where(ok[:, None], std, np.nan))


# ==============================================================================================
# One flow: data, both models, horizons and spectra
# ==============================================================================================
def run_flow(name, cfg, seed):
    """Train S ESNs and S NVARs (one training trajectory per seed) on flow ``name``, forecast M test
    initial conditions per seed, measure VPTs (S, M) in Lyapunov times and closed-loop spectra."""
    rngs = streams(seed, STREAMS)          # the same streams for every flow: each flow is its own run
    setup, lam_ref = FLOW_SETUP[name], FLOWS[name].exponents
    S, M, dt, dtn, sub = cfg["n_seeds"], cfg["n_ic"], setup["dt"], setup["dt_nvar"], cfg["substeps"]
    H, Hn = (int(round(cfg["horizon_lyap"] / lam_ref[0] / h)) for h in (dt, dtn))
    tt = cfg["transient_time"]
    X = sample_flow(name, dt, random_starts(rngs["data"], name, S), cfg["train_steps"] + 1, tt, sub)
    Xn = sample_flow(name, dtn, random_starts(rngs["data"], name, S),
                     cfg["nvar_warmup"] + cfg["nvar_train"] + 1, cfg["transient_time"], sub)
    Y = sample_flow(name, dt, random_starts(rngs["eval"], name, S * M), cfg["listen"] + H, tt, sub)
    Yn = sample_flow(name, dtn, random_starts(rngs["eval"], name, S * M), 2 + Hn, tt, sub)
    Y, Yn = Y.reshape(-1, S, M, 3), Yn.reshape(-1, S, M, 3)
    scale = X.reshape(-1, 3).std(0)                                # attractor std per coordinate

    q = cfg["qr_every"]
    steps = lambda time, h: q * max(1, int(round(time / h / q)))            # noqa: E731 (a multiple of q)
    true_mean, lyap_seed = X.reshape(-1, 3).mean(0), int(rngs["lyap"].integers(2**31))
    out = dict(data_mean=true_mean, dt=dt, dt_nvar=dtn, scale=scale, esn_true=Y[cfg["listen"]:, 0, 0],
               nvar_true=Yn[2:, 0, 0])

    def evaluate(key, W_out, r0, forecast, listen, true, h):
        """VPT (S, M) in Lyapunov times, errors, seed 0's first forecast, closed-loop spectrum, climate."""
        F = forecast(W_out, listen)
        err = normalised_error(F, true, scale)                      # (H, S, M)
        out[f"{key}_vpt"], out[f"{key}_err"] = valid_time(err, h, cfg["eps"]) * lam_ref[0], err
        out[f"{key}_pred"] = np.clip(np.nan_to_num(F[:, 0, 0], nan=1e6), -1e6, 1e6)
        if key.startswith("esn"):
            lam, cm, cs = esn_spectrum(p, W_out, r0, steps(cfg["lyap_transient"], h),
                                       steps(cfg["lyap_time"], h), cfg["k_exp"], h, lyap_seed, q)
        else:                          # NVAR: QR every step (its one-step Jacobians are ill-conditioned)
            lam, out[f"{key}_logdet"], cm, cs = nvar_spectrum(
                W_out, r0, steps(cfg["lyap_transient"], h), steps(cfg["lyap_time"], h), h, lyap_seed)
        out[f"{key}_lam"], out[f"{key}_climate"] = lam, climate_ok(cm, cs, true_mean, scale)
        out[f"{key}_climate_stats"] = np.stack([cm, cs], axis=1)          # (S, 2, 3)

    p = esn_init(rngs["init"], S, cfg["N"], cfg["degree"], setup["rho"], cfg["sigma"])
    esn_fc = lambda W_out, listen: esn_forecast(p, W_out, listen, H)       # noqa: E731
    W_esn, R_train = esn_train(p, X, cfg)
    cli.check_finite(f"{name} ESN readout", W_out=W_esn)
    r_last = R_train[-1]
    evaluate("esn", W_esn, r_last, esn_fc, Y[:cfg["listen"]], Y[cfg["listen"]:], dt)
    out["esn_driven_max"] = driven_max_exponent(p, R_train, dt)
    # the same reservoirs, a readout fitted on noisy inputs (clean targets): a deviation
    noise = cfg["input_noise"] * scale * rngs["noise"].standard_normal(X[:-1].shape)
    W_nz, R_nz = esn_train(p, X, cfg, noise)
    evaluate("esnn", W_nz, R_nz[-1], esn_fc, Y[:cfg["listen"]], Y[cfg["listen"]:], dt)
    checks = cli.load_sibling(__file__, "chaos_forecast_lyapunov_times_checks", globals())
    out["esn_fast_vs_qr_spectrum"] = checks.fast_path_error(p, W_esn, r_last, cfg["check_steps"], dt)
    out["esn_sum"], out["esn_logdet"] = checks.esn_sum_identity(p, W_esn, r_last, cfg["sum_steps"], dt)[:2]

    z0 = np.concatenate([Xn[-1], Xn[-2]], axis=-1)                  # (S, 6): the last training delay state
    nvar_fc = lambda W_out, listen: nvar_forecast(W_out, listen, Hn)      # noqa: E731
    for i, beta in enumerate(cfg["nvar_ridges"]):
        evaluate(f"nvar{i}", nvar_train(Xn, cfg, beta), z0, nvar_fc, Yn[:2], Yn[2:], dtn)
    return out


# ==============================================================================================
# Summaries and verdict rules (bars stated in the README)
# ==============================================================================================
def mean_ci(v):
    """Mean and 95 % t interval over seeds of the per-seed means of v (S, M) (or v (S,))."""
    per_seed = v.mean(-1) if v.ndim == 2 else v
    if len(per_seed) < 2:
        return float(per_seed.mean()), None, None
    return tuple(float(x) for x in t_interval(per_seed))


def verdict_horizon(mean, lo, bar=3.0):
    """yes: the lower 95 % bound of the seed-mean VPT is >= bar Lyapunov times; partial: the mean
    is >= 1 Lyapunov time; no: below one Lyapunov time."""
    if lo is not None and lo >= bar:
        return "yes"
    return "partial" if mean >= 1.0 else "no"


def spectrum_match(lam, ref, tol=0.1):
    """Which of the top three exponents (seed mean, lam (S, k)) sit within the bar of the reference:
    lambda_1 and lambda_3 within tol relative, |lambda_2| <= tol lambda_1_ref. nan (a diverged
    closed loop) never matches."""
    with np.errstate(invalid="ignore"):
        m = np.mean(lam[:, :3], axis=0)
    return [bool(abs(m[0] - ref[0]) <= tol * abs(ref[0])), bool(abs(m[1]) <= tol * abs(ref[0])),
            bool(abs(m[2] - ref[2]) <= tol * abs(ref[2]))]


def verdict_spectrum(match, n_climate, n_seeds):
    """no: fewer than half the seeds' closed loops keep the attractor's climate; else yes: all three
    exponents (mean over those seeds) match; partial: lambda_1 and lambda_2 match; no: otherwise."""
    if 2 * n_climate < n_seeds:
        return "no"
    return "yes" if all(match) else "partial" if match[0] and match[1] else "no"


def cap_recalled(verdict):
    """A setting seen only second-hand (not read in the paper) caps a verdict at partial."""
    return "partial" if verdict == "yes" else verdict


def worse(*verdicts):
    return max(verdicts, key=["yes", "partial", "no"].index)


def better(*verdicts):
    return min(verdicts, key=["yes", "partial", "no"].index)


def model_verdict(m, n_seeds):
    """A model's row: the worse of its horizon and spectrum verdicts."""
    return worse(verdict_horizon(m["vpt_mean"], m["vpt_ci95"][0]),
                 verdict_spectrum(m["match"], m["n_climate"], n_seeds))


# ==============================================================================================
# Headline
# ==============================================================================================
def resolve_config(args):
    cfg = dict(CFG)
    if args.quick:
        cfg.update(QUICK)
    for key in ("n_seeds", "n_ic", "N"):
        if getattr(args, key) is not None:
            cfg[key] = getattr(args, key)
    cfg["flows"] = list(args.flows)
    if cfg["train_steps"] <= cfg["washout"] + 10 or cfg["n_seeds"] < 1:
        raise cli.StubError("too few training steps for the washout")
    return cfg


def main(args):
    report = cli.load_sibling(__file__, "chaos_forecast_lyapunov_times_report", globals())
    timer = cli.Timer()
    cfg = resolve_config(args)
    print(f"ESN N={cfg['N']} (mean degree {cfg['degree']}, sigma {cfg['sigma']}, ridge {cfg['ridge']:g}), "
          f"NVAR k=2 ridges {list(cfg['nvar_ridges'])}; {cfg['n_seeds']} seeds x {cfg['n_ic']} test "
          f"initial conditions; flows {cfg['flows']}")
    res = {}
    for name in cfg["flows"]:
        res[name] = run_flow(name, cfg, args.seed)
        r = res[name]
        print(f"  {name:22s} VPT (Lyapunov times) ESN {r['esn_vpt'].mean():6.2f}  "
              f"ESN+noise {r['esnn_vpt'].mean():6.2f}  "
              + "  ".join(f"NVAR[{b:g}] {r[f'nvar{i}_vpt'].mean():6.2f}"
                          for i, b in enumerate(cfg["nvar_ridges"]))
              + f"  ESN lambda {np.round(np.nanmean(r['esn_lam'][:, :3], 0), 3).tolist()}  [{timer():.0f}s]")
    sm = report.summarise(res, cfg)
    metrics = dict(flows=sm, timing=dict(wall_s=timer()))
    rec = record(args, __file__, title="Forecasting chaotic flows in Lyapunov times, and the forecaster's "
                 "Lyapunov spectrum (ESN and NVAR)", paper=PAPER, config=cfg, metrics=metrics,
                 headline=report.headline_rows(sm, cfg), lyapunov=report.lyapunov_record(sm, cfg))
    finish_run(args.out, rec, report.saved_arrays(res, cfg), timer)


def build_parser():
    parser = cli.make_parser(__doc__, __file__)
    parser.add_argument("--n-seeds", type=cli.int_range(1, 20), default=None,
                        help="independent reservoirs / training trajectories per flow "
                             f"(default {CFG['n_seeds']})")
    parser.add_argument("--n-ic", type=cli.int_range(1, 64), default=None,
                        help=f"test initial conditions per seed (default {CFG['n_ic']})")
    parser.add_argument("--N", type=cli.int_range(4, 1000), default=None,
                        help=f"reservoir size (default {CFG['N']}, Pathak's Lorenz reservoir)")
    parser.add_argument("--flows", type=cli.name_list(FLOW_NAMES, required="lorenz"),
                        default=list(FLOW_NAMES),
                        help="comma list of flows, Lorenz included (default: all three)")
    return parser


def gradcheck(args=None):
    """The checks behind --gradcheck (chaos_forecast_lyapunov_times_checks.py)."""
    return cli.load_sibling(__file__, "chaos_forecast_lyapunov_times_checks", globals()).gradcheck(args)


if __name__ == "__main__":
    cli.run(main, build_parser(), gradcheck=gradcheck)
