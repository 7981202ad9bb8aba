#!/usr/bin/env python3
"""The 1997 LSTM's online training loop: the plain path against the fused one, at equal work.

Experiments 4-6 (adding-problem, multiplication-problem, temporal-order-3bit and -4bit) update
every net's weights after each training sequence, S = 10 nets in lock-step, T = 100, so their
cost is numpy's per-call overhead on tiny arrays. shared/lstm1997/online.py trains a 1997 net
either on the plain path (``fast=False``: net.forward, net.readout, net.grads and the SGD step,
each allocating its arrays) or through shared/lstm1997/fast.py (the same arithmetic in
preallocated buffers; bit-identical, checked by tests/test_lstm1997_fast.py and again here).

For each task this script trains the stub's own net on the stub's own stream (drawn before the
clock starts: the generator is the stub's and the same on both paths), from the same initial
weights, the same number of sequences on each path, alternating the two paths in rounds so that
both see the same machine load, and prints seconds per net-sequence (wall clock and process CPU
time), the ratio plain / fused, and whether the final weights agree bit for bit.

    python3 benchmarks/lstm1997.py                         # every task, 2 rounds x 200 sequences
    python3 benchmarks/lstm1997.py --tasks adding-problem --sequences 500 --rounds 3

One BLAS thread (the shared package pins it). The 1-minute load average is printed at the start
and the end: other processes on the machine inflate the wall-clock figures (CPU time much less).
"""
import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import shared  # noqa: E402,F401  (one BLAS thread, before numpy)

import numpy as np  # noqa: E402

from shared import cli  # noqa: E402
from shared.lstm1997 import online, tanh_rnn  # noqa: E402

BASE = "7f2d3fa"        # the commit before the speed-up: the baseline RNN's old loops come from it


def _stub(slug):
    """The stub's module (its nets, initialisation and sequence generator)."""
    sys.path.insert(0, str(ROOT / "stubs" / slug))
    return __import__(slug.replace("-", "_"))


def _tasks():
    """slug -> (net, init(rng, S), draw_factory(rng, S), lr): each stub's LSTM as it trains it."""
    def adding():
        m = _stub("adding-problem")
        return (m.MODELS["lstm1997"], lambda rng, S: m.init_params("lstm1997", rng, S),
                lambda rng, S: (lambda n: m.paper_batch(rng, (S, n), 100)[:3]), 0.5)

    def adding_forget():
        m = _stub("adding-problem")
        return (m.MODELS["lstm_forget"], lambda rng, S: m.init_params("lstm_forget", rng, S),
                lambda rng, S: (lambda n: m.paper_batch(rng, (S, n), 100)[:3]), 0.5)

    def multiplication():
        m = _stub("multiplication-problem")
        return (m.LSTM, lambda rng, S: m.LSTM.init(rng, S, scale=0.1),
                lambda rng, S: (lambda n: m.paper_batch(rng, (S, n), 100)[:3]), 0.1)

    def temporal(slug):
        def make():
            m = _stub(slug)

            def draw_factory(rng, S):
                def draw(n):
                    out = m.temporal_order_batch(rng, (S, n), 100)
                    return out[0], out[1], out[3]
                return draw
            return m.LSTM, m.INITS["lstm1997"], draw_factory, 0.5 if slug.endswith("3bit") else 0.1
        return make
    return {"adding-problem": adding, "adding-problem-forget": adding_forget,
            "multiplication-problem": multiplication, "temporal-order-3bit": temporal("temporal-order-3bit"),
            "temporal-order-4bit": temporal("temporal-order-4bit")}


class _Never:
    """A stopping rule that never stops (equal work on both paths)."""

    def __init__(self, S):
        self.active = np.ones(S, bool)

    def update(self, k, err, p=None):
        pass


def run_path(net, p0, chunks, lr, S, n, fast):
    """Train copies of p0 for n sequences on one path, on pre-drawn chunks of the stream (so that
    the stub's sequence generator, the same on both paths, is not timed). Returns (wall s, cpu s,
    final params)."""
    p = {k: v.copy() for k, v in p0.items()}
    it = iter(chunks)
    t0, c0 = time.perf_counter(), time.process_time()
    online.train(net, p, lambda m: next(it), _Never(S), n, lr=lr, fast=fast)
    return time.perf_counter() - t0, time.process_time() - c0, p


def old_tanh_rnn():
    """tanh_rnn.py as it was at BASE (git show), as a module namespace; None without git."""
    try:
        src = subprocess.run(["git", "-C", str(ROOT), "show", f"{BASE}:shared/lstm1997/tanh_rnn.py"],
                             capture_output=True, text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    ns = {}
    exec(compile(src, f"{BASE}:shared/lstm1997/tanh_rnn.py", "exec"), ns)
    return ns


def rnn_rows(S, n, rounds):
    """The tanh RNN baseline the four stubs train beside the LSTM (forward + exact BPTT of one
    sequence per net, temporal-order-4bit's shapes: 8 inputs, 11 units, T ~ 110): the loops at
    BASE against today's, on the same sequences."""
    old = old_tanh_rnn()
    if old is None:
        print("rnn baseline: git not available, skipped")
        return None
    rng = np.random.default_rng(3)
    W = rng.uniform(-0.1, 0.1, size=(S, 8 + 11 + 1, 11))
    xs = [rng.normal(size=(110, S, 1, 8)) for _ in range(8)]
    lasts = [rng.integers(99, 110, size=(S, 1)) for _ in range(8)]
    dh = rng.normal(size=(S, 1, 11))
    tot, res = {}, {}
    for _ in range(rounds):
        for name, mod in (("plain", old), ("now", vars(tanh_rnn))):
            c0 = time.process_time()
            for k in range(n):
                cache = mod["forward"](W, xs[k % 8])
                g = mod["grads"](W, cache, dh, lasts[k % 8])
            tot[name] = tot.get(name, 0.0) + time.process_time() - c0
            res[name] = g
    work = S * n * rounds
    same = np.array_equal(res["plain"], res["now"])
    print(f"{'rnn baseline (fwd+BPTT)':24s} cpu ms/net-seq: at {BASE} {1e3 * tot['plain'] / work:.4f}, "
          f"now {1e3 * tot['now'] / work:.4f}, ratio {tot['plain'] / tot['now']:.2f}x; "
          f"bit-identical: {'yes' if same else 'NO'}")
    return tot["plain"] / tot["now"]


def main(argv=None):
    tasks = _tasks()
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", nargs="+", choices=sorted(tasks), default=list(tasks), metavar="TASK",
                    help=f"which stubs' nets (default all: {', '.join(tasks)})")
    ap.add_argument("--sequences", type=cli.int_range(10, 100_000), default=200,
                    help="training sequences per net per path per round (default 200)")
    ap.add_argument("--rounds", type=cli.int_range(1, 20), default=2,
                    help="rounds of (plain, fused), alternating (default 2)")
    ap.add_argument("--nets", type=cli.int_range(1, 100), default=10, help="nets in lock-step (default 10)")
    ap.add_argument("--no-rnn", action="store_true", help="skip the RNN baseline's row")
    args = ap.parse_args(argv)
    S, n = args.nets, args.sequences
    load0 = os.getloadavg()
    print(f"load average at start: {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}   "
          f"(S = {S} nets, {n} sequences per path per round, {args.rounds} rounds)")
    print(f"{'task':24s} {'path':6s} {'wall ms/net-seq':>16s} {'cpu ms/net-seq':>15s}")
    ratios = {}
    for name in args.tasks:
        net, init, draw_factory, lr = tasks[name]()
        p0 = init(np.random.default_rng(1), S)
        draw = draw_factory(np.random.default_rng(7), S)
        chunks = [draw(online.CHUNK) for _ in range(-(-n // online.CHUNK))]
        tot = {False: [0.0, 0.0], True: [0.0, 0.0]}
        finals = {}
        for _ in range(args.rounds):
            for fast in (False, True):
                wall, cpu, finals[fast] = run_path(net, p0, chunks, lr, S, n, fast)
                tot[fast][0] += wall
                tot[fast][1] += cpu
        work = S * n * args.rounds
        for fast in (False, True):
            print(f"{name:24s} {'fused' if fast else 'plain':6s} {1e3 * tot[fast][0] / work:16.4f} "
                  f"{1e3 * tot[fast][1] / work:15.4f}")
        same = all(np.array_equal(finals[False][k], finals[True][k]) for k in p0)
        r_wall, r_cpu = tot[False][0] / tot[True][0], tot[False][1] / tot[True][1]
        ratios[name] = r_cpu
        print(f"{name:24s} ratio plain/fused: wall {r_wall:.2f}x, cpu {r_cpu:.2f}x;  "
              f"final weights bit-identical: {'yes' if same else 'NO'}")
    if not args.no_rnn:
        ratios["rnn"] = rnn_rows(S, n, args.rounds)
    load1 = os.getloadavg()
    print(f"load average at end:   {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f}")
    return ratios


if __name__ == "__main__":
    main()
