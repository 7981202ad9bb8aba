"""Modern Hopfield networks: one-step retrieval, exponential capacity, three kinds of fixed point.

H. Ramsauer et al., "Hopfield Networks is All You Need", ICLR 2021, arXiv 2008.02217.
N stored patterns X = (x_1 .. x_N) in R^d, largest norm M, a state (query) xi in R^d:

    E(xi) = -lse(beta, X^T xi) + xi^T xi / 2 + ln(N) / beta + M^2 / 2,   lse(b, z) = ln sum exp(b z) / b
    f(xi) = X p,  p = softmax(beta X^T xi)      (the update; a CCCP step, so E never increases)
    grad E(xi) = xi - f(xi),   J(xi) = df/dxi = beta X (diag p - p p^T) X^T   (symmetric, PSD)

Fixed points of f are the stationary points of E. Depending on beta and on how well a pattern is
separated, Delta_i = x_i^T x_i - max_{j != i} x_i^T x_j, they average all patterns (global), a
subset of similar patterns (metastable) or sit next to one pattern (single). The theorems this
stub measures against (Lemma A4, Theorems 3-5, Lemmas A2/A3/A7/A8) are quoted in the README.

Experiments (d = 64, random +-1 patterns unless said; S seeds vectorised where it pays):
  error     one update from a query with k flipped bits: error vs the query's separation and beta,
            against Lemma A4 / Theorem 5 bounds; one-update distance to the fixed point (Thm 4)
  capacity  largest N whose patterns come back (relative error <= 0.25 after retrieval) vs beta
            at d = 64, vs d at beta = 1, and the classical binary Hopfield net (Hebb rule,
            asynchronous sign updates) at the same d, plus its finite-size approach to 0.138 d
  theorem3  Theorem 3's own setting (beta 1, K 3, d 20, p 0.001): storage of N = sqrt(p) c^((d-1)/4)
  fixed     clustered 8 x 8 images: fixed-point type vs beta, Jacobian spectra (Lyapunov exponents
            of the update map at its fixed points, shared.lyapunov), Lemma A2/A3/A8 bounds
  energy    E along iterations from random starts (monotone), Lemma A1's 0 <= E <= 2 M^2

    python3 modern_hopfield_retrieval.py --seed 0     # headline, ~2 minutes
    python3 modern_hopfield_retrieval.py --quick      # seconds; what the tests run

Arrays: patterns X (S, d, N) (columns are patterns, as in the paper); states are row vectors,
Xi (S, Q, d); scores Xi @ X and softmax p (S, Q, N). No family core: the model is this stub's own.
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401  (pins BLAS to one thread before numpy loads)

import numpy as np

from shared import cli
from shared.results import finish_run, headline_row, record
from shared.rng import streams

PAPER = ("H. Ramsauer, B. Schaefl, J. Lehner, P. Seidl, M. Widrich, T. Adler, L. Gruber, "
         "M. Holzleitner, M. Pavlovic, G. K. Sandve, V. Greiff, D. Kreil, M. Kopp, G. Klambauer, "
         "J. Brandstetter, S. Hochreiter, Hopfield Networks is All You Need, ICLR 2021, arXiv 2008.02217")
STREAMS = ["patterns", "queries", "capacity", "classical", "theorem3", "fixed", "energy"]

CFG = dict(
    d=64, n_seeds=5,
    # error: pattern counts, flipped bits of the query, inverse temperatures, targets per N
    err_N=(16, 256, 4096), err_flips=(0, 1, 3, 6, 13), err_betas=tuple(np.geomspace(0.01, 1.0, 13)),
    err_targets=64, fp_steps=30, one_step_betas=(0.5, 1.0), one_step_flips=6, one_step_eps=1e-3,
    slope_window=(5.0, 200.0),
    # capacity: a cue is a stored pattern with d/8 bits flipped; success = ||retrieved - x_i|| / ||x_i||
    # <= rel_err (for a +-1 state: at most d/64 bits wrong, the quality of AGS's retrieval state,
    # overlap 0.967); capacity = largest N of the grid at which >= cap_success of the cues succeed
    cap_betas=(0.05, 0.1, 0.2, 0.3, 0.5, 1.0), cap_logN_max=16, cap_queries=64, rel_err=0.25,
    cap_success=0.9, cap_ds=(8, 16, 24, 32), cap_d_logN_max=17, cap_d_beta=1.0,
    classical_Nmax=40, classical_ds=(64, 256, 512),
    classical_alphas=tuple(np.round(np.arange(0.08, 0.2001, 0.01), 2)),
    classical_queries=32, max_sweeps=30,
    # Theorem 3 at its own setting, and the empirical storage capacity there
    t3_beta=1.0, t3_K=3.0, t3_d=20, t3_p=1e-3, t3_draws=3000, t3_logN=(3, 5, 7, 9, 11), t3_grid_draws=8,
    # fixed points: 3 clusters of 4 images + 4 isolated images (8 x 8, +-1), flips inside a cluster
    fp_clusters=3, fp_members=4, fp_isolated=4, fp_flip=5, fp_betas=tuple(np.geomspace(0.004, 2.0, 48)),
    fp_max_steps=3000, fp_tol=1e-12, fp_query_flip=13, lyap_k=4, lyap_steps=200,
    # energy: random starts per seed and steps
    en_starts=256, en_steps=30,
)
QUICK = dict(n_seeds=2, err_N=(16, 128), err_betas=(0.02, 0.1, 0.5), err_targets=8, fp_steps=10,
             cap_betas=(0.1, 1.0), cap_logN_max=7, cap_queries=16, cap_ds=(8, 16), cap_d_logN_max=7,
             classical_Nmax=12, classical_ds=(64,), classical_alphas=(0.1, 0.16), classical_queries=8,
             max_sweeps=10, t3_draws=50, t3_logN=(3, 5), t3_grid_draws=2,
             fp_betas=tuple(np.geomspace(0.004, 2.0, 6)), fp_max_steps=400, lyap_steps=10,
             en_starts=16, en_steps=8)


# ==============================================================================================
# Model: energy, update, Jacobian
# ==============================================================================================
def softmax(z):
    """softmax over the last axis, shifted by the max (no overflow)."""
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def lse(beta, z):
    """lse(beta, z) = ln sum_i exp(beta z_i) / beta over the last axis (paper Eq. 1); beta a
    scalar or an array broadcastable to z (one value along the last axis)."""
    b = np.broadcast_to(beta, z.shape)
    m = z.max(-1)
    return m + np.log(np.exp(b * (z - m[..., None])).sum(-1)) / b[..., 0]


def energy(Xi, X, beta):
    """E(xi) (paper Eq. 2) for states Xi (..., Q, d), patterns X (..., d, N); returns (..., Q)."""
    N = X.shape[-1]
    M = np.sqrt((X * X).sum(-2).max(-1))[..., None]                     # (..., 1)
    z = Xi @ X
    return -lse(beta, z) + 0.5 * (Xi * Xi).sum(-1) + np.log(N) / np.broadcast_to(beta, z.shape)[..., 0] \
        + 0.5 * M ** 2


def update(Xi, X, beta):
    """One update xi <- X softmax(beta X^T xi) (paper Eq. 3); returns (new states, p (..., Q, N))."""
    p = softmax(beta * (Xi @ X))
    return p @ np.swapaxes(X, -1, -2), p


def energy_grad(Xi, X, beta):
    """dE/dxi = xi - X p: the quadratic term's gradient minus lse's (whose gradient is X p)."""
    return Xi - update(Xi, X, beta)[0]


def jacobian(p, X, beta):
    """J = beta X (diag p - p p^T) X^T for p (..., N), X (d, N) or broadcastable; (..., d, d)."""
    m = p @ np.swapaxes(X, -1, -2)                                      # X p, (..., d)
    return beta * ((X * p[..., None, :]) @ np.swapaxes(X, -1, -2) - m[..., :, None] * m[..., None, :])


def retrieval_error(p, X, target):
    """||X p - x_i|| computed as ||sum_{j != i} p_j (x_j - x_i)||: exact (no cancellation of
    p_i x_i against x_i), so errors down to 1e-300 are resolved. p (..., Q, N), X (d, N),
    target (Q,); returns the errors (..., Q) and the offsets X p - x_i (..., Q, d)."""
    q = np.arange(len(target))
    pt = p.copy()
    pt[..., q, target] = 0.0
    diff = pt @ X.T - pt.sum(-1)[..., None] * X[:, target].T            # (..., Q, d)
    return np.sqrt((diff * diff).sum(-1)), diff


def iterate(Xi, X, beta, n_max, tol=0.0):
    """Iterate the update until no state moves by more than tol (or n_max steps); returns the
    states, the last p, and the per-state size of the last move."""
    p, move = None, np.full(Xi.shape[:-1], np.inf)
    for _ in range(n_max):
        new, p = update(Xi, X, beta)
        move = np.sqrt(((new - Xi) ** 2).sum(-1))
        Xi = new
        if move.max() <= tol:
            break
    return Xi, p, move


# ==============================================================================================
# Data and the classical baseline
# ==============================================================================================
def binary_patterns(rng, shape):
    """Random +-1 patterns, float64."""
    return np.where(rng.random(shape) < 0.5, -1.0, 1.0)


def flip_bits(rng, x, k):
    """Copies of the rows of x (Q, d) with k distinct bits flipped in each."""
    Q, d = x.shape
    idx = np.argsort(rng.random((Q, d)), axis=1)[:, :k]
    out = x.copy()
    np.put_along_axis(out, idx, -np.take_along_axis(out, idx, 1), 1)
    return out


def hebbian(X):
    """Classical Hopfield weights W = X X^T / d with zero diagonal (Hopfield 1982), X (d, N)."""
    W = X @ X.T / X.shape[0]
    np.fill_diagonal(W, 0.0)
    return W


def classical_retrieve(W, S0, rng, max_sweeps):
    """Asynchronous sign updates s_u <- sgn(sum_v W_uv s_v) in a fresh random order every sweep,
    all queries S0 (Q, d) at once, until a sweep changes nothing; a zero field keeps s_u."""
    S = S0.copy()
    for _ in range(max_sweeps):
        changed = False
        for u in rng.permutation(S.shape[1]):
            h = S @ W[:, u]
            new = np.where(h > 0, 1.0, np.where(h < 0, -1.0, S[:, u]))
            changed |= bool((new != S[:, u]).any())
            S[:, u] = new
        if not changed:
            break
    return S


def capacity_from_curve(Ns, success, level):
    """Largest N of the grid whose success share is >= level with every smaller N also passing
    (0 if the first fails); the grid end if all pass (a lower bound, flagged by the caller)."""
    ok = np.cumprod(np.asarray(success) >= level, axis=-1).astype(bool)
    return np.where(ok.any(-1), np.asarray(Ns)[np.maximum(ok.sum(-1) - 1, 0)], 0)


def lambert_w0(x, n_iter=60):
    """Upper branch of Lambert's W for x > 0 (Halley's iteration)."""
    w = np.log1p(x)
    for _ in range(n_iter):
        ew = np.exp(w)
        f = w * ew - x
        w = w - f / (ew * (w + 1) - (w + 2) * f / (2 * w + 2))
    return w


def theorem3_bound(beta, K, d, p):
    """Theorem 3: N >= sqrt(p) c^((d-1)/4), c = b / W0(exp(a + ln b)); returns (c, N, c_min)."""
    a = 2 / (d - 1) * (1 + np.log(2 * beta * K ** 2 * p * (d - 1)))
    b = 2 * K ** 2 * beta / 5
    c = b / lambert_w0(np.exp(a + np.log(b)))
    return float(c), float(np.sqrt(p) * c ** ((d - 1) / 4)), float((2 / np.sqrt(p)) ** (4 / (d - 1)))


# ==============================================================================================
# Verdicts (bars pre-registered in the README, section Results, with the theorem each comes from)
# ==============================================================================================
def verdict_bounds(violations):
    """yes: no measured error exceeds Lemma A4's, Theorem 4's or Theorem 5's bound; no otherwise."""
    return "yes" if sum(violations.values()) == 0 else "no"


def verdict_rate(slope_mean):
    """The bounds decay like exp(-beta c): yes if the fitted rate is within 10 % of it (slope in
    [-1.1, -0.9]); partial if the error decays faster still (slope < -1.1); no if slower."""
    return "yes" if -1.1 <= slope_mean <= -0.9 else "partial" if slope_mean < -1.1 else "no"


def verdict_one_step(share):
    """yes: >= 99 % of cues land within eps of their fixed point after one update; partial >= 90 %."""
    return "yes" if share >= 0.99 else "partial" if share >= 0.9 else "no"


def verdict_capacity(modern_nc, classical_nc):
    """yes: at d = 64 the modern net (beta = 1) retrieves >= 100 x as many patterns as the
    classical net; partial: more, but < 100 x; no: not more."""
    return "yes" if modern_nc >= 100 * classical_nc else "partial" if modern_nc > classical_nc else "no"


def verdict_exponential(slope_lo, r2):
    """yes: ln N_c rises linearly with d (95 % CI of the slope above 0, R^2 >= 0.95 of the seed
    mean); partial: rises but not linearly; no: does not rise."""
    return "yes" if slope_lo > 0 and r2 >= 0.95 else "partial" if slope_lo > 0 else "no"


def verdict_classical(alpha_c):
    """The classical baseline: yes if alpha_c at the largest d is within [0.10, 0.17] (AGS 0.138),
    partial within [0.07, 0.20], no otherwise."""
    return "yes" if 0.10 <= alpha_c <= 0.17 else "partial" if 0.07 <= alpha_c <= 0.20 else "no"


def verdict_theorem3(fail_share, p):
    """yes: at Theorem 3's N the share of draws with an unstored pattern is <= p; no otherwise."""
    return "yes" if fail_share <= p else "no"


def verdict_types(n_ok, n_seeds):
    """yes: global, metastable and single fixed points in their regimes in every seed; partial: some."""
    return "yes" if n_ok == n_seeds else "partial" if n_ok > 0 else "no"


def verdict_jacobian(j_single, j_meta):
    """yes: median ||J|| <= 0.01 at single-pattern fixed points (beyond Lemma A7's threshold) and
    in [0.1, 1) at metastable ones (near-neutral but stable); partial: single < metastable only."""
    if j_single is None or j_meta is None:
        return "no"
    if j_single <= 0.01 and 0.1 <= j_meta < 1:
        return "yes"
    return "partial" if j_single < j_meta else "no"


def verdict_energy(max_increase):
    """yes: E never rises by more than 1e-12 M^2 (round-off) along any iteration; no otherwise."""
    return "yes" if max_increase <= 1e-12 else "no"


# ==============================================================================================
# Headline, Lyapunov record, saved arrays
# ==============================================================================================
def fmt_ci(c, digits=3):
    """'mean ± half-width' of a [mean, lo, hi] interval (the half-width to two figures)."""
    return f"{c[0]:.{digits}g} ± {(c[2] - c[1]) / 2:.2g}"


def _num(x, spec):
    """A number formatted with ``spec``, or 'n/a' when there is none."""
    return "n/a" if x is None else format(x, spec)


def headline_rows(m, cfg):
    er, os_, cap, t3 = m["error"], m["one_step"], m["capacity"], m["theorem3"]
    fp, en = m["fixed_points"], m["energy"]
    S, d, b_top = cfg["n_seeds"], cfg["d"], f"beta={cfg['cap_betas'][-1]:g}"
    nc_top, end = cap["modern_Nc"][b_top][0], cap["modern_at_grid_end"][b_top]
    slope = cap["ln_Nc_slope_per_dim"]
    big = f"d={cfg['classical_ds'][-1]}"
    js, jm = fp["jnorm_median"]["single_above_A7"], fp["jnorm_median"]["metastable"]
    n_viol = sum(er["violations"].values())
    return [
        headline_row(
            "one-update retrieval error vs the paper's bounds (violations / cases)",
            f"{n_viol} / {er['n_cases']}", "error <= 2(N-1) M exp(-beta c) (Lemma A4), Theorems 4 and 5",
            verdict_bounds(er["violations"]),
            note=f"d {d}, N {list(cfg['err_N'])}, {list(cfg['err_flips'])} flipped bits, 13 betas in "
                 f"[0.01, 1], {S} seeds; largest error / Lemma A4 bound {er['max_ratio_to_A4']:.3f}"),
        headline_row(
            "exponential decay: slope of ln(error) on beta x (query separation c)",
            fmt_ci(er["slope_ci"]), "-1 (the bounds' rate, Lemma A4 / Theorem 5)",
            verdict_rate(er["slope_ci"][0]),
            note=f"fit where {cfg['slope_window'][0]:g} <= beta c <= {cfg['slope_window'][1]:g}, one "
                 f"intercept per N; mean ± 95 % CI over {S} seeds; bar: slope in [-1.1, -0.9]"),
        headline_row(
            f"one update reaches the fixed point: share of cues within {cfg['one_step_eps']:g} M",
            fmt_ci(os_["share_ci"], 4), "retrieval with one update (Theorem 4)",
            verdict_one_step(os_["share_ci"][0]),
            note=f"d {d}, {cfg['one_step_flips']} of {d} bits flipped, beta {list(cfg['one_step_betas'])}, "
                 f"N {list(cfg['err_N'])}; {os_['right_fixed_point']:.3f} of cues converge to their "
                 "own pattern; bar >= 0.99"),
        headline_row(
            f"capacity at d = {d}: modern (beta = {cfg['cap_betas'][-1]:g}, one update) vs classical net",
            f"{'>= ' if end else ''}{nc_top:.0f} vs {fmt_ci(cap['classical_Nc'], 2)}",
            f"exponential vs 0.138 d = {0.138 * d:.1f}", verdict_capacity(nc_top, cap["classical_Nc"][0]),
            note="cues with d/8 bits flipped; success = relative error <= 0.25 in >= 90 % of cues; "
                 + ", ".join(f"{k} {v[0]:.0f}" for k, v in cap["modern_Nc"].items())
                 + (" (grid end 2^16: a lower bound)" if end else "") + "; bar: >= 100 x classical"),
        headline_row(
            "capacity grows exponentially with d: slope of ln N_c per dimension (beta = 1)",
            fmt_ci(slope), "N >= sqrt(p) c^((d-1)/4) (Theorem 3): exponential",
            verdict_exponential(slope[1], cap["ln_Nc_linear_r2"]),
            note=f"d {list(cfg['cap_ds'])}: N_c "
                 + ", ".join(f"{v[0]:.0f}" for v in cap["d_modern_Nc"].values())
                 + "; classical " + ", ".join(f"{v[0]:.1f}" for v in cap["d_classical_Nc"].values())
                 + f"; R^2 of ln N_c on d {cap['ln_Nc_linear_r2']:.3f} (on ln d "
                 f"{cap['ln_Nc_power_law_r2']:.3f}); bar: CI > 0 and R^2 >= 0.95"),
        headline_row(
            f"classical baseline: alpha_c = N_c / d at {big} (start at the pattern)",
            fmt_ci(cap["classical_alpha_c"][big], 2), "0.138 (Amit-Gutfreund-Sompolinsky)",
            verdict_classical(cap["classical_alpha_c"][big][0]),
            note="asynchronous sign updates, Hebb rule; success = <= 1.56 % bits wrong in >= 90 % of "
                 "patterns; " + ", ".join(f"{k} {fmt_ci(v, 2)}" for k, v in cap["classical_alpha_c"].items())
                 + "; bar [0.10, 0.17]"),
        headline_row(
            f"Theorem 3 at its own setting: draws with an unstored pattern at N = {t3['n_test']}",
            f"{t3['fail_stored'] * t3['draws']:.0f} / {t3['draws']}",
            f"<= p = {cfg['t3_p']:g} (c = {t3['c']:.4f}, N >= {t3['n_bound']:.1f})",
            verdict_theorem3(t3["fail_stored"], cfg["t3_p"]),
            note=f"beta {cfg['t3_beta']:g}, K {cfg['t3_K']:g}, d {cfg['t3_d']}; all patterns stored in "
                 + ", ".join(f"{s:.2f}" for s in t3["grid_stored"]) + " of draws at N = "
                 + ", ".join(str(n) for n in t3["grid_N"]) + ": the bound is loose"),
        headline_row(
            "three fixed-point types in their regimes (seeds with all three)",
            f"{fp['seeds_all_three']} / {S}", "global, metastable, single (Lemmas A3, A7, A12)",
            verdict_types(fp["seeds_all_three"], S),
            note=f"global below beta = 1/m_max^2 ({fp['beta_global'][0]:.4f}), single above Lemma A7's "
                 f"beta ({_num(fp['beta_single'] and fp['beta_single'][0], '.3f')}), metastable cluster "
                 "means in between"),
        headline_row(
            "Jacobian at fixed points: median ||J|| single-pattern vs metastable",
            f"{_num(js, '.2e')} vs {_num(jm, '.3f')}",
            "contraction ~exp(-beta Delta) vs near-neutral (Lemmas A2, A8)", verdict_jacobian(js, jm),
            note=f"top exponents ln||J|| {_num(js and np.log(max(js, 1e-300)), '.1f')} vs "
                 f"{_num(jm and np.log(max(jm, 1e-300)), '.2f')}; Lemma A2/A3/A8 bound violations "
                 f"{sum(fp['bound_violations'].values())}; bar: <= 0.01 vs [0.1, 1)"),
        headline_row(
            "energy never increases under the update: largest step change / M^2",
            f"{en['max_increase_over_M2']:.1e}", "<= 0 (Theorem 1, CCCP)",
            verdict_energy(en["max_increase_over_M2"]),
            note=f"{en['n_steps']} steps from Gaussian starts, 4 betas, {S} seeds; min E "
                 f"{en['min_energy']:.2f} >= 0, max E after one update "
                 f"{en['max_energy_after_first_update']:.1f} <= 2M^2 = {en['two_M2']:.0f} (Lemma A1); "
                 "bar: <= 1e-12 (round-off)"),
    ]


def lyapunov_record(lyap, cfg):
    """Top exponents of the update map at one fixed point of each type (seed 0)."""
    method = ("shared.lyapunov.map_spectrum along x <- f(x) started at a fixed point of each type "
              "(seed 0, the middle beta of the range where that type holds most fixed points), "
              f"{cfg['lyap_steps']} steps after 5 discarded, top {cfg['lyap_k']}, floored at ln 1e-300; "
              "equal to ln eig(J) there (J symmetric)")
    ex = {f"{k} fixed point (beta {v['beta']:.3g})": v["exponents"] for k, v in lyap.items()}
    return dict(method=method, exponents=ex, window=cfg["lyap_steps"], n_sequences=1)


def saved_arrays(err, cap, t3, fx, E, cfg):
    """What the figures and the GIF read: seed 0 of the error cloud, the capacity curves, seed 0
    of the fixed-point study (all seeds for the type map), energy traces of 32 starts."""
    s0 = err["seed"] == 0
    out = {f"err_{k}": err[k][s0] for k in ("N", "flips", "beta", "err", "c_query", "bound_A4")}
    out.update({f"cap_{k}": cap[k] for k in ("Ns", "modern", "classical_Ns", "classical", "d_Ns",
                                             "d_modern", "d_classical")})
    out.update(cap_betas=np.array(cfg["cap_betas"]), cap_ds=np.array(cfg["cap_ds"]),
               cap_fs=cap["fs_classical"], cap_alphas=np.array(cfg["classical_alphas"]),
               cap_fs_ds=np.array(cfg["classical_ds"]),
               t3_grid_N=t3["grid_N"], t3_grid_stored=t3["grid_stored"], t3_grid_sep=t3["grid_sep"],
               fp_betas=np.array(cfg["fp_betas"]), energy=E[0, :, :, :32])
    for k in ("X", "cluster", "weights", "state", "queries", "one_step", "one_step_p"):
        out[f"fp_{k}"] = fx[k][0]
    for k in ("neff", "kind", "jnorm", "top_eig", "beta_global", "beta_single"):
        out[f"fp_{k}"] = fx[k]
    return out


# ==============================================================================================
# Main
# ==============================================================================================
def main(args):
    timer = cli.Timer()
    cfg = dict(CFG, **(QUICK if args.quick else {}))
    if args.n_seeds is not None:
        cfg["n_seeds"] = args.n_seeds
    ex = cli.load_sibling(__file__, "modern_hopfield_retrieval_experiments", globals())
    rngs = streams(args.seed, STREAMS)
    print(f"modern Hopfield retrieval: d {cfg['d']}, {cfg['n_seeds']} seeds (pattern sets) per experiment")
    err = ex.exp_error(cfg, rngs["patterns"], rngs["queries"])
    one = ex.exp_one_step(cfg, rngs["patterns"], rngs["queries"])
    print(f"  error and one-step retrieval: {len(err['err'])} cases   [{cli.clock(timer())}]")
    cap = ex.exp_capacity(cfg, rngs["capacity"], rngs["classical"])
    print(f"  capacity: modern up to N = {cap['Ns'][-1]}, classical up to {cfg['classical_Nmax']}"
          f"   [{cli.clock(timer())}]")
    t3 = ex.exp_theorem3(cfg, rngs["theorem3"])
    print(f"  Theorem 3: {t3['draws']} draws at N = {t3['n_test']}   [{cli.clock(timer())}]")
    fx = ex.fixed_point_types(cfg, rngs["fixed"])
    lyap = ex.fp_lyapunov(cfg, fx)
    E, d = ex.exp_energy(cfg, rngs["energy"])
    print(f"  fixed points over {len(cfg['fp_betas'])} betas; energy traces   [{cli.clock(timer())}]")
    cli.check_finite("evaluation", err=err["err"], energy=E)

    metrics = dict(error=ex.error_summary(err, cfg), one_step=ex.one_step_summary(*one, cfg),
                   capacity=ex.capacity_summary(cap, cfg), theorem3=dict(t3),
                   fixed_points=ex.fixed_point_summary(fx, cfg), energy=ex.energy_summary(E, d),
                   lyapunov_vs_eig={k: dict(map_spectrum=v["exponents"], ln_eig=v["ln_eig"])
                                    for k, v in lyap.items()},
                   timing=dict(wall_s=timer()))
    rec = record(args, __file__, title="Modern Hopfield networks: one-step retrieval, capacity, fixed points",
                 paper=PAPER, config=cfg, metrics=metrics, headline=headline_rows(metrics, cfg),
                 lyapunov=lyapunov_record(lyap, cfg))
    finish_run(args.out, rec, saved_arrays(err, cap, t3, fx, E, cfg), timer)


def build_parser():
    parser = cli.make_parser(__doc__, __file__)
    parser.add_argument("--n-seeds", type=cli.int_range(1, 20), default=None,
                        help=f"pattern sets (seeds) per experiment, 1..20 (default {CFG['n_seeds']}; "
                             "quick 2)")
    return parser


def gradcheck(args=None):
    return cli.load_sibling(__file__, "modern_hopfield_retrieval_checks", globals()).gradcheck()


if __name__ == "__main__":
    cli.run(main, build_parser(), gradcheck=gradcheck)
