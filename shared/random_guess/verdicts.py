"""One rule for the random-guessing stubs' trial counts.

Each stub runs many independent guessing runs, each up to a cap of draws. The mean number of
trials to a solution is estimated as 1/p, where p is the fraction of successful draws over every
draw of every run (a run left at the cap counts all its draws as failures). For geometric runs
this is the maximum-likelihood estimate of the mean, and it equals the mean over runs when every
run solved, so a run stopped at the cap is never a `no` by itself.
"""

from numbers import Number

from shared.results import at_budget


def paper_range(paper):
    """The paper's figure as (low, high): one mean gives (m, m); two figures give their range."""
    if isinstance(paper, Number):
        return float(paper), float(paper)
    lo, hi = min(paper), max(paper)
    return float(lo), float(hi)


def in_band(one_over_p, paper, factor=2.0):
    """True when 1/p lies in [low / factor, high * factor] of the paper's figure(s)."""
    if one_over_p is None or paper is None:
        return False
    lo, hi = paper_range(paper)
    return lo / factor <= one_over_p <= hi * factor


def trial_rate_verdict(one_over_p, n_solved, paper, budget, *, setting_read=True, min_solved=5,
                       factor=2.0):
    """Verdict on "random guessing needs about `paper` trials".

    open:    the paper's figure is unknown (``paper`` is None), or no run solved within a budget
             (draws per run) below the paper's (highest) figure;
    no:      no run solved within a budget at or past it;
    partial: solved, but by fewer than ``min_solved`` runs, on a setting recalled rather than read,
             or with 1/p outside the band of ``factor`` around the paper's figure(s);
    yes:     otherwise (1/p within the band, setting read, enough solved runs behind it).
    """
    if paper is None:
        return "open"
    if n_solved == 0:
        return at_budget("no", budget, paper_range(paper)[1])
    if n_solved < min_solved or not setting_read:
        return "partial"
    return "yes" if in_band(one_over_p, paper, factor) else "partial"
