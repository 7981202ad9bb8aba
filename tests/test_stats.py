"""Checks of shared/stats.py: t intervals, the sign-flip test (exact and sampled), summaries, Welch's
test and the main-effect split."""
import numpy as np
import pytest

import shared  # noqa: F401
from shared import stats


def test_t_quantiles_and_intervals():
    assert stats.t975(4) == 2.776
    assert stats.t975(17) == stats.T975[15]                           # missing df: next smaller one
    assert stats.t975(100) == stats.T975[29]
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    m, lo, hi = stats.t_interval(x)
    half = 2.776 * x.std(ddof=1) / np.sqrt(5)
    assert (m, lo, hi) == pytest.approx((3.0, 3.0 - half, 3.0 + half))
    assert stats.ci95(x) == pytest.approx((3.0, half))
    assert stats.ci95([2.5]) == (2.5, 0.0)


def test_exact_sign_flip_enumerates_every_pattern():
    rng = np.random.default_rng(0)
    state = rng.bit_generator.state
    # all positive: only the observed pattern and its mirror reach |mean| -> 2 / 32, one-sided 1 / 32
    v = [0.01, 0.02, 0.03, 0.04, 0.05]
    assert stats.sign_flip_test(v, 9999, rng, "two-sided", exact=True) == pytest.approx((0.03, 2 / 32))
    assert stats.sign_flip_test(v, 9999, rng, "greater", exact=True)[1] == pytest.approx(1 / 32)
    assert rng.bit_generator.state == state                            # the exact test draws nothing
    # all zero: every pattern ties the observed mean
    assert stats.sign_flip_test([0.0] * 4, 9999, rng, "two-sided", exact=True)[1] == 1.0
    # too many patterns for n_perm: falls back to sampling, with the +1 correction
    p = stats.sign_flip_test(np.linspace(1, 2, 20), 99, rng, "two-sided", exact=True)[1]
    assert p == pytest.approx(1 / 100)


def test_exact_and_sampled_sign_flip_agree_roughly():
    v = np.array([0.3, -0.1, 0.2, 0.25, -0.05, 0.15, 0.1, 0.05])
    exact = stats.sign_flip_test(v, 9999, None, "two-sided", exact=True)[1]
    sampled = stats.sign_flip_test(v, 9999, np.random.default_rng(1), "two-sided")[1]
    assert abs(exact - sampled) < 0.02


def test_summary_and_nanmean():
    s = stats.summary([1.0, 3.0])
    assert s == {"mean": 2.0, "sd": pytest.approx(np.sqrt(2.0)), "min": 1.0, "max": 3.0}
    assert stats.summary([4.0])["sd"] == 0.0
    assert stats.nanmean_or_none([np.nan, np.nan]) is None
    assert stats.nanmean_or_none([np.nan, 1.0, 3.0]) == 2.0


def test_welch_test_against_known_values():
    # two-sided Student-t tail: t = 2, df = 10 -> p = 0.07339 (tables)
    assert abs(stats.betainc(5.0, 0.5, 10 / (10 + 4)) - 0.073388) < 1e-5
    a = np.array([19.8, 20.4, 19.6, 17.8, 18.5, 18.9, 18.3, 18.9, 19.5, 22.0])
    b = np.array([28.2, 26.6, 20.1, 23.3, 25.2, 22.1, 17.7, 27.6, 20.6, 13.7, 23.2, 17.5, 20.6, 18.0, 23.9,
                  21.6, 24.3, 20.4, 23.9, 13.3])
    t, p = stats.welch_test(a, b)
    # reference values: scipy.stats.ttest_ind(a, b, equal_var=False)
    assert abs(t + 2.2255120) < 1e-6 and abs(p - 0.0354845) < 1e-6
    assert stats.welch_test(a, a) == (0.0, 1.0)


def test_main_effects_find_the_relevant_column():
    rng = np.random.default_rng(1)
    X = rng.random((300, 4))
    y = np.sin(3 * X[:, 1]) + 0.1 * rng.standard_normal(300)
    share, _ = stats.main_effects(X, y, rng)
    assert share[1] > 0.8 and np.all(np.delete(share, 1) < 0.05)


def test_solved_summary_counts_runs_and_summarises_only_the_solved():
    from shared.stats import solved_summary, t_interval
    s = solved_summary([10, -1, 30, 20, 0])
    m, lo, hi = t_interval(np.array([10.0, 30.0, 20.0]))
    assert s == dict(solved=3, runs=5, median=20.0, mean=m, lo=lo, hi=hi)
    assert solved_summary([7, -1]) == dict(solved=1, runs=2, median=7.0, mean=7.0, lo=None, hi=None)
    assert solved_summary([-1, -1]) == dict(solved=0, runs=2)
