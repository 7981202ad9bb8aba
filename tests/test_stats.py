"""Checks of shared/stats.py: t intervals, the sign-flip test (exact and sampled), summaries."""
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
