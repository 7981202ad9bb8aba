"""Statistics over a handful of seeds: Student-t intervals, sign-flip permutation tests, effect sizes,
Welch's unequal-variance t-test and a binned main-effect split of a response over its inputs.

Every function takes per-seed values (S,) (or paired differences) and returns plain floats, so a
stub can put the result straight into results.json. Used by the tiny-worlds family (through
shared/tiny_worlds/stats.py), by maze-flossing and (Welch's test, main effects) by
lstm-search-space-odyssey.
"""
import math

import numpy as np

# two-sided 95 % quantiles of Student's t, by degrees of freedom
T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262,
        10: 2.228, 11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 19: 2.093, 29: 2.045}


def t975(df):
    """The 95 % two-sided t quantile for df >= 1 degrees of freedom; a df missing from the table
    takes the next smaller tabulated one (a slightly wider, conservative interval)."""
    return T975.get(df, T975[max(k for k in T975 if k <= max(df, 1))])


def t_interval(x):
    """Mean and two-sided 95 % Student-t interval (mean, lo, hi) of the values x (n >= 2)."""
    x = np.asarray(x, float)
    n = len(x)
    half = t975(n - 1) * x.std(ddof=1) / np.sqrt(n)
    return float(x.mean()), float(x.mean() - half), float(x.mean() + half)


def ci95(v):
    """Mean and the half-width of its 95 % t-interval over seeds (0 for a single value)."""
    v = np.asarray(v, np.float64)
    sem = v.std(ddof=1) / np.sqrt(v.size) if v.size > 1 else 0.0
    return float(v.mean()), float(t975(v.size - 1) * sem)


def sign_flip_test(values, n_perm=9999, rng=None, alternative="greater", exact=False):
    """One-sample sign-flip permutation test of mean(values) against 0.

    values (S,). Draws n_perm random sign patterns: p = (#{flipped means >= observed} + 1) /
    (n_perm + 1) for "greater"; "two-sided" compares absolute means. exact=True enumerates all
    2^S patterns instead when there are no more than n_perm + 1 of them (p = hits / 2^S, no
    random numbers drawn). Returns (observed mean, p).
    """
    v = np.asarray(values, dtype=np.float64)
    obs = v.mean()
    if exact and 2 ** v.size <= n_perm + 1:
        signs = 1.0 - 2.0 * ((np.arange(2 ** v.size)[:, None] >> np.arange(v.size)) & 1)   # (2^S, S)
        extra = 0                                                      # the observed pattern is among them
    else:
        rng = np.random.default_rng(0) if rng is None else rng
        signs = rng.choice(np.array([-1.0, 1.0]), size=(n_perm, v.size))
        extra = 1                                                      # count the observed pattern once
    null = signs @ v / v.size
    # the all-(+1) pattern must count as ">= observed" although matmul and mean round differently
    tol = 1e-9 * np.abs(v).max() if v.size else 0.0
    if alternative == "greater":
        hits = np.count_nonzero(null >= obs - tol)
    elif alternative == "two-sided":
        hits = np.count_nonzero(np.abs(null) >= abs(obs) - tol)
    else:
        raise ValueError(f"alternative must be 'greater' or 'two-sided', got {alternative!r}")
    return float(obs), float((hits + extra) / (len(signs) + extra))


def cohen_d(values):
    """One-sample (or paired, on differences) effect size mean / sd (ddof 1)."""
    v = np.asarray(values, dtype=np.float64)
    sd = v.std(ddof=1)
    return float(v.mean() / sd) if sd > 0 else float("inf") * np.sign(v.mean())


def cohen_d_two(a, b):
    """Two-sample effect size (mean a - mean b) / pooled sd (ddof 1)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    pooled = np.sqrt(((a.size - 1) * a.var(ddof=1) + (b.size - 1) * b.var(ddof=1)) / (a.size + b.size - 2))
    return float((a.mean() - b.mean()) / pooled)


def summary(values):
    """mean, sd (ddof 1), min, max of per-seed values."""
    v = np.asarray(values, dtype=np.float64)
    return {"mean": float(v.mean()), "sd": float(v.std(ddof=1)) if v.size > 1 else 0.0,
            "min": float(v.min()), "max": float(v.max())}


def nanmean_or_none(v):
    """Mean over the non-NaN values, or None when every value is NaN (a probe that had nothing to fit)."""
    v = np.asarray(v, np.float64)
    return None if np.all(np.isnan(v)) else float(np.nanmean(v))


# Welch's t-test with its own Student-t tail (no scipy), and a fANOVA-style main-effect split
def _betacf(a, b, x, n_iter=300):
    """Continued fraction of the regularised incomplete beta (modified Lentz)."""
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, n_iter + 1):
        for num in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                    -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    return h


def betainc(a, b, x):
    """Regularised incomplete beta I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    lbeta = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    front = math.exp(lbeta + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def welch_test(a, b):
    """Welch's unequal-variance t-test: (t, two-sided p) for mean(a) - mean(b), with the
    Welch-Satterthwaite degrees of freedom df and p = I_{df / (df + t^2)}(df / 2, 1 / 2) (the
    Student-t tail as a regularised incomplete beta). Two samples without any variance give (0, 1)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    if va + vb == 0:
        return 0.0, 1.0
    t = (a.mean() - b.mean()) / math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    return float(t), float(betainc(df / 2.0, 0.5, df / (df + t * t)))


def main_effects(X, y, rng, n_bins=None, n_perm=200):
    """fANOVA-style first-order split: for each column j of X, the variance of the bin means of y
    over n_bins quantile bins of X[:, j] (default: about 25 trials per bin, 4 to 10 bins) as a
    fraction of Var(y), minus the same statistic's mean under random permutations of y (its
    small-sample bias). What the main effects leave is the share of interactions and noise.
    Binning flattens a smooth effect inside each bin, so a main effect is slightly underestimated."""
    y = np.asarray(y, float)
    n, d = X.shape
    n_bins = max(4, min(10, n // 25)) if n_bins is None else n_bins
    bins = np.empty((d, n), int)
    for j in range(d):
        r = np.argsort(np.argsort(X[:, j], kind="stable"), kind="stable")
        bins[j] = r * n_bins // n

    def frac(yy):
        out = np.empty(d)
        for j in range(d):
            cnt = np.bincount(bins[j], minlength=n_bins)
            means = np.bincount(bins[j], weights=yy, minlength=n_bins) / np.maximum(cnt, 1)
            out[j] = (cnt * (means - yy.mean()) ** 2).sum() / n / yy.var()
        return out

    raw = frac(y)
    null = np.mean([frac(rng.permutation(y)) for _ in range(n_perm)], axis=0)
    return np.clip(raw - null, 0.0, None), raw


def solved_summary(values):
    """Counts per run where <= 0 marks an unsolved run: the success count, and the median, mean and
    95 % t-interval of the solved runs' counts (no interval from one run, no numbers from none)."""
    v = np.asarray(values, float)
    ok = v[v > 0]
    s = dict(solved=int(ok.size), runs=int(v.size))
    if ok.size >= 2:
        m, lo, hi = t_interval(ok)
        s.update(median=float(np.median(ok)), mean=m, lo=lo, hi=hi)
    elif ok.size == 1:
        s.update(median=float(ok[0]), mean=float(ok[0]), lo=None, hi=None)
    return s
