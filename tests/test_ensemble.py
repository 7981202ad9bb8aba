"""shared.ensemble: the seed axis and the worker pool."""
import numpy as np


def _square(x):
    return x * x


def test_sum_outer_equals_the_loop_and_map_jobs_keeps_order():
    from shared.ensemble import map_jobs, sum_outer
    rng = np.random.default_rng(3)
    U, d = rng.normal(size=(4, 2, 3, 5)), rng.normal(size=(4, 2, 3, 6))
    loop = np.zeros((2, 5, 6))
    for t in range(4):
        for s in range(2):
            loop[s] += U[t, s].T @ d[t, s]
    np.testing.assert_allclose(sum_outer(U, d), loop, atol=1e-12)
    assert map_jobs(_square, range(5), workers=2) == [0, 1, 4, 9, 16]
    assert map_jobs(_square, [3], workers=1) == [9]


def test_per_seed_and_seed_chunks_cover_the_test_set():
    from shared.ensemble import per_seed, seed_chunks
    rng = np.random.default_rng(2)
    x, length = rng.normal(size=(9, 1, 7, 2)), rng.integers(3, 10, size=(1, 7))
    xs = per_seed(x, 3)
    assert xs.shape == (9, 3, 7, 2) and xs.flags.c_contiguous and (xs == x).all()
    got, seen = [], 0
    for xb, last in seed_chunks(x, length, 3, chunk=3):
        n = xb.shape[2]
        assert xb.flags.c_contiguous and xb.shape == (int(length[0, seen:seen + n].max()), 3, n, 2)
        np.testing.assert_array_equal(xb, np.broadcast_to(x[:xb.shape[0], :, seen:seen + n], xb.shape))
        np.testing.assert_array_equal(last, np.broadcast_to(length[:, seen:seen + n] - 1, (3, n)))
        got.append(n)
        seen += n
    assert got == [3, 3, 1]


def _sigint_handler(_):
    import signal
    return signal.getsignal(signal.SIGINT) == signal.SIG_IGN


def test_pool_workers_ignore_sigint_and_the_parent_keeps_its_handler(tmp_path, monkeypatch):
    import signal

    from shared.ensemble import map_jobs
    before = signal.getsignal(signal.SIGINT)
    ready = tmp_path / "ready"
    monkeypatch.setenv("CATALOG_READY_FILE", str(ready))
    assert map_jobs(_sigint_handler, range(3), workers=2) == [True, True, True]
    assert signal.getsignal(signal.SIGINT) is before
    assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, [])     # not left blocked
    assert ready.read_text() == "workers\n"


def _nap(seconds):
    import time
    time.sleep(seconds)
    return seconds


def test_map_jobs_stops_soon_after_a_ctrl_c_even_one_that_was_swallowed():
    import time

    import pytest

    from shared import cli
    from shared.ensemble import map_jobs
    cli._INTERRUPTED.append(2)            # a Ctrl-C arrived (and something ate the KeyboardInterrupt)
    try:
        t0 = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            map_jobs(_nap, [30, 30], workers=2)
        assert time.monotonic() - t0 < 10
    finally:
        cli._INTERRUPTED.clear()
