"""Bookkeeping of the 1997 LSTM papers' online regime: S nets in lock-step, one sequence each.

The nets, their gradients and the learning rule stay in each stub; this module only keeps the
stopping test and the freezing of nets that have stopped.

    st3 = ST3(S, window=2000, max_mean=0.01)
    for k in range(max_sequences):
        ...                                       # forward, gradient, update where st3.active
        st3.update(k, correct, sq_err)            # correct (S,) bool, sq_err (S,) this sequence
    st3.stopped_at                                # (S,) sequences seen when stopped, -1 = never
"""
import numpy as np


class ST3:
    """Stopping criterion ST3 (Hochreiter & Schmidhuber 1997, Exps. 4-6) for S nets at once.

    A net stops after training sequence k (1-based count k + 1) once its ``window`` most recent
    training sequences were all correct and their mean error is below ``max_mean``. What counts
    as correct and as a sequence's error (e.g. err^2, or sum_k err_k^2) is the stub's.
    """

    def __init__(self, S, window, max_mean):
        self.window, self.max_mean = window, max_mean
        self.sq = np.zeros((S, window))                # ring buffer of the recent errors
        self.streak = np.zeros(S, dtype=int)           # correct sequences in a row
        self.stopped_at = np.full(S, -1)
        self.n = 0                                     # sequences seen so far

    @property
    def active(self):
        """(S,) bool: nets still training."""
        return self.stopped_at < 0

    def update(self, k, correct, sq_err):
        """Record training sequence k (0-based) of every net; stop the nets that now meet ST3."""
        active = self.active
        self.sq[:, k % self.window] = sq_err
        self.streak = np.where(correct, self.streak + 1, 0)
        self.n = k + 1
        done = active & (self.streak >= self.window) & (self.sq.mean(axis=1) < self.max_mean)
        self.stopped_at[done] = k + 1

    def filled(self):
        """(S, min(n, window)): the recorded errors of the most recent sequences (for curves)."""
        return self.sq[:, :min(self.n, self.window)]


def adam_step_active(opt, grads, active):
    """One Adam step in which only the nets with ``active`` (S,) True change their weights.

    The frozen nets' weights are put back after the step; their Adam moments still move (they
    are never used again once a net stopped for good).
    """
    frozen = {n: v[~active].copy() for n, v in opt.params.items()}
    opt.step(grads)
    for n, v in opt.params.items():
        v[~active] = frozen[n]
