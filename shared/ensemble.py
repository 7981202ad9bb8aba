"""Helpers for training several nets at once: a leading seed axis, and a few worker processes.

    dW = sum_outer(U, dnet)                   # weight gradient of every seed in one matmul
    trained = dict(map_jobs(train_job, jobs, workers=2))

Stubs put a seed axis S after time on every array ``(T, S, B, D)`` and on every weight ``(S, ...)``
(SPEC.md), so one forward/backward trains all seeds; model kinds that cannot share a forward pass
(an LSTM and an RNN baseline) go to separate processes, one BLAS thread each.
"""
import numpy as np


def sum_outer(U, dnet):
    """Per-seed weight gradient sum_{t, n} U[t, s, n]^T dnet[t, s, n].

    U (L, S, N, D) inputs of a layer at every step, dnet (L, S, N, H) errors at its net inputs
    -> (S, D, H). One batched matmul over seeds instead of L * N outer products.
    """
    L, S, N, D = U.shape
    return np.matmul(U.transpose(1, 3, 0, 2).reshape(S, D, L * N),
                     dnet.transpose(1, 0, 2, 3).reshape(S, L * N, dnet.shape[-1]))


def map_jobs(fn, jobs, workers=1):
    """``[fn(job) for job in jobs]``, spread over up to ``workers`` forked processes.

    ``fn`` must be a module-level function. Results come back in the order of ``jobs``; with
    ``workers == 1`` (or one job) everything runs in this process, which is what tests and
    profilers want. Each child inherits ``import shared``'s one-BLAS-thread setting.
    """
    jobs = list(jobs)
    if workers <= 1 or len(jobs) <= 1:
        return [fn(j) for j in jobs]
    import multiprocessing as mp
    with mp.get_context("fork").Pool(min(workers, len(jobs))) as pool:
        return pool.map(fn, jobs, chunksize=1)
