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


def per_seed(x, S):
    """A sequence batch shared by S nets, copied along the seed axis: (L, 1, ...) -> (L, S, ...),
    C-contiguous (what the forward passes' in-place matmuls want)."""
    return np.ascontiguousarray(np.broadcast_to(x, (x.shape[0], S) + x.shape[2:]))


def seed_chunks(x, length, S, chunk):
    """A test set shared by S nets, in chunks of ``chunk`` sequences, for last-step evaluation.

    x (L, 1, N, D), length (1, N). Yields (xb, last): xb (Lc, S, n, D) cut to the chunk's
    longest sequence and copied along the seed axis, last (S, n) the index of each last step.
    """
    for a in range(0, x.shape[2], chunk):
        L = int(length[:, a:a + chunk].max())
        xb = per_seed(x[:L, :, a:a + chunk], S)
        yield xb, np.broadcast_to(length[:, a:a + chunk] - 1, (S, xb.shape[2]))


def _ignore_sigint():
    """Pool initializer: ignore Ctrl-C (dropping one that arrived while the fork was under way)."""
    import signal
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _start_pool(n):
    """A fork pool of ``n`` workers that never act on SIGINT: the parent blocks SIGINT while it
    forks them, so a Ctrl-C in that moment waits (pending) for the parent instead of reaching a
    child before its initializer ran; the children drop it and ignore SIGINT from then on."""
    import multiprocessing as mp
    import signal
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        return mp.get_context("fork").Pool(n, initializer=_ignore_sigint)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def map_jobs(fn, jobs, workers=1):
    """``[fn(job) for job in jobs]``, spread over up to ``workers`` forked processes.

    ``fn`` must be a module-level function. Results come back in the order of ``jobs``; with
    ``workers == 1`` (or one job) everything runs in this process, which is what tests and
    profilers want. Each child inherits ``import shared``'s one-BLAS-thread setting.
    """
    jobs = list(jobs)
    if workers <= 1 or len(jobs) <= 1:
        return [fn(j) for j in jobs]
    from shared.cli import interrupted, mark_ready
    # Workers ignore SIGINT: Ctrl-C reaches the parent alone, which stops the pool (the context
    # manager terminates it) and prints one line, instead of a traceback from every worker.
    with _start_pool(min(workers, len(jobs))) as pool:
        mark_ready("workers")
        pending = pool.map_async(fn, jobs, chunksize=1)
        # Wait in short slices, not in one blocking call: Python acts on a signal only when the
        # main thread runs, and a Ctrl-C that one of the pool's threads took would otherwise wait
        # for the whole map (seen: a headline run that went on training after Ctrl-C).
        while not pending.ready():
            pending.wait(0.2)
            if interrupted():
                raise KeyboardInterrupt
        return pending.get()
