#!/usr/bin/env python3
"""Speed of the tiny-worlds family against the original code's single-thread torch timings.

The original trains one seed at a time (ms per Adam step, H = 16,
batch 64, one thread). Here every configuration trains all its seeds (and world variants) as one
ensemble. This script prints, per world and model kind, the ms per ensemble step, the ms per
seed-step and the speedup over the original's per-seed step, and what the original's full setting
(20 seeds x 20,000 steps per configuration) would cost at that rate.

    python3 benchmarks/tiny_worlds.py              # the figures recorded in the stubs' results.json
    python3 benchmarks/tiny_worlds.py --run        # time one ensemble step per world and kind now
    python3 benchmarks/tiny_worlds.py --compare    # today's plain step and the fast core, side by side

--run times forward + BPTT + Adam of S-seed ensembles (default 20) at each world's sequence length,
float32, one BLAS thread, on the fast path (what the stubs train with); run it on a quiet machine.

--compare times the same training step on both paths in one run, at equal work: GRU-16 and RNN-16
(--kinds), E3's T = 256, batch 64, ensembles of 20 and 80 nets (--nets); each step gathers its
batch from a 640-sequence E3 training set, runs forward, loss, BPTT and Adam (train.EnsembleStep,
the step train_ensemble runs). The paths alternate in --rounds rounds of --reps steps each (after
one untimed step), so a change of load hits both; the table gives the median and the best round
in ms per seed-step (one net, one batch of 64 sequences), the speed-up of the medians and the
change per net from the smallest to the largest ensemble. It prints the 1-minute load and the
time of a fixed reference kernel (float32 matmuls and tanh of the fast core's shapes) at the start
and the end: figures from a loaded machine are not results.
"""
import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import shared  # noqa: E402,F401  (one BLAS thread)
import numpy as np  # noqa: E402

# the original (torch 2.13) code's single-thread ms per training step of one seed, timed on a
# 2-core machine of this kind (see the world stubs' READMEs):
# world -> (sequence length T, kind -> (lo, hi) over repeated timings)
ORIGINAL = {"E1": (64, {"rnn": (3.5, 3.7), "gru": (8.2, 9.3), "lstm": (3.0, 3.0)}),
            "E2": (128, {"rnn": (5.6, 6.0), "gru": (16.0, 18.7), "lstm": (4.2, 4.2)}),
            "E3": (256, {"rnn": (10.6, 11.7), "gru": (34.0, 38.0), "lstm": (7.2, 7.2)})}
STUBS = {"E1": "drift-world", "E2": "regime-world", "E3": "oscillator-world"}


def full_suite_hours(ms_per_seed_step, n_seeds=20, steps=20_000):
    return ms_per_seed_step * n_seeds * steps / 3.6e6


def recorded():
    print("recorded in the stubs' results.json (wall-clock, often on a shared machine):")
    print(f"  {'world':5s} {'config':14s} {'ms/ensemble step':>17s} {'members':>8s} {'ms/seed-step':>13s} "
          f"{'original ms':>12s} {'speedup':>12s} {'20x20k h':>9s}")
    for world, slug in STUBS.items():
        path = ROOT / "stubs" / slug / "results.json"
        if not path.is_file():
            continue
        timing = json.loads(path.read_text())["metrics"].get("timing", {})
        rows = {k: v for k, v in timing.items() if isinstance(v, dict) and "ms_per_seed_step" in v}
        if not rows and "bench_ms_per_step" in timing:          # oscillator-world's benchmark block
            S = timing["bench_seeds"]
            rows = {k: {"ms_per_ensemble_step": v, "members": S, "ms_per_seed_step": v / S,
                        "original_ms_per_seed_step": ORIGINAL[world][1][k]}
                    for k, v in timing["bench_ms_per_step"].items()}
        for name, v in rows.items():
            lo, hi = v["original_ms_per_seed_step"]
            per = v["ms_per_seed_step"]
            sp = f"{lo / per:.2f}-{hi / per:.2f}x"
            print(f"  {world:5s} {name:14s} {v['ms_per_ensemble_step']:17.1f} {v['members']:8d} {per:13.2f} "
                  f"{f'{lo}-{hi}':>12s} {sp:>12s} {full_suite_hours(per):9.1f}")


def run(S, reps):
    from shared.tiny_worlds.train import benchmark
    print(f"timed now: {S}-seed ensembles, H 16, batch 64, {reps} steps each, float32, one BLAS thread")
    print(f"  {'world':5s} {'kind':5s} {'ms/ensemble step':>17s} {'ms/seed-step':>13s} {'original ms':>12s} "
          f"{'speedup':>12s} {'20x20k h':>9s}")
    total = 0.0
    for world, (T, orig) in ORIGINAL.items():
        ms = benchmark(S, T, reps=reps, rng=np.random.default_rng(0))
        for kind, v in ms.items():
            per = v / S
            lo, hi = orig[kind]
            total += full_suite_hours(per)
            print(f"  {world:5s} {kind:5s} {v:17.1f} {per:13.2f} {f'{lo}-{hi}':>12s} "
                  f"{f'{lo / per:.2f}-{hi / per:.2f}x':>12s} {full_suite_hours(per):9.1f}")
    print(f"  one 20-seed x 20,000-step configuration of each world and kind: {total:.1f} h in total")


def reference_kernel(reps=200):
    """ms for a fixed float32 workload of the fast core's shapes (20 nets: (65, 19) x (19, 64)
    matmul, tanh and a product over (20, 16, 64)), best of 5: the machine's speed right now."""
    import timeit
    rng = np.random.default_rng(0)
    W, Z = rng.random((20, 65, 19), np.float32), rng.random((20, 19, 64), np.float32)
    A, h = np.empty((20, 65, 64), np.float32), rng.random((20, 16, 64), np.float32)
    o = np.empty_like(h)

    def work():
        np.matmul(W, Z, out=A)
        np.tanh(A, out=A)
        np.multiply(h, h, out=o)
    return 1e3 * min(timeit.repeat(work, number=reps, repeat=5))


def machine_line(when):
    import os
    load = os.getloadavg()
    return (f"{when}: 1-min load {load[0]:.2f} (5-min {load[1]:.2f}) on {os.cpu_count()} cores; "
            f"reference kernel {reference_kernel():.1f} ms")


def compare(kinds, nets, T, reps, rounds, n_train=640):
    """Plain and fast training steps side by side (see the module docstring)."""
    import time
    from shared.optim import Adam
    from shared.tiny_worlds import models
    from shared.tiny_worlds.train import EnsembleStep
    from shared.tiny_worlds.worlds import make_world
    print(machine_line("start"), flush=True)
    print(f"plain (models.forward/backward) vs fast (fast.Ensemble) training step: T {T}, batch 64, H 16, "
          f"float32, {rounds} rounds x {reps} steps per path; ms per seed-step, wall (median / best round) "
          f"and cpu (median)")
    world = make_world("oscillator", "struct", np.random.default_rng(0), n_train=n_train, n_eval=4, T=T)
    per = {}
    print(f"  {'kind':5s} {'nets':>5s} {'plain wall':>16s} {'cpu':>7s} {'fast wall':>16s} {'cpu':>7s} "
          f"{'speed-up wall':>14s} {'cpu':>6s}", flush=True)
    for kind in kinds:
        for S in nets:
            rng = np.random.default_rng(1)
            init = models.init_params(kind, S, 16, 2, rng)
            idx = [rng.integers(0, n_train, (S, 64)) for _ in range(reps + 1)]
            runs = {}
            for path in ("plain", "fast"):
                p = {k: v.astype(np.float32) for k, v in init.items()}
                opt = Adam(p, lr=1e-3)
                step = EnsembleStep(kind, 16, [world], S, "full", path)
                g = step(p, idx[0])[1]                             # untimed: buffers, first touch
                opt.step({k: g[k] for k in p})
                runs[path] = (step, opt, p, [], [])
            for _ in range(rounds):
                for step, opt, p, wall, cpu in runs.values():
                    t0, c0 = time.perf_counter(), time.process_time()
                    for r in range(reps):
                        g = step(p, idx[1 + r])[1]
                        opt.step({k: g[k] for k in p})
                    wall.append(1e3 * (time.perf_counter() - t0) / reps / S)
                    cpu.append(1e3 * (time.process_time() - c0) / reps / S)
            med = {path: float(np.median(v[3])) for path, v in runs.items()}
            best = {path: min(v[3]) for path, v in runs.items()}
            cpu = {path: float(np.median(v[4])) for path, v in runs.items()}
            per[(kind, S)] = {"wall": med, "cpu": cpu}
            print(f"  {kind:5s} {S:5d} {med['plain']:8.2f} / {best['plain']:5.2f} {cpu['plain']:7.2f} "
                  f"{med['fast']:8.2f} / {best['fast']:5.2f} {cpu['fast']:7.2f} "
                  f"{med['plain'] / med['fast']:13.2f}x {cpu['plain'] / cpu['fast']:5.2f}x", flush=True)
    if len(nets) > 1:
        lo, hi = min(nets), max(nets)
        for kind in kinds:
            a, b = per[(kind, lo)], per[(kind, hi)]
            ratio = {f"{path} {c}": b[c][path] / a[c][path]
                     for path in ("plain", "fast") for c in ("wall", "cpu")}
            print(f"  {kind}: ms per seed-step at {hi} nets / at {lo} nets: "
                  + ", ".join(f"{k} {v:.2f}" for k, v in ratio.items()))
    print(machine_line("end"), flush=True)
    return per


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", action="store_true", help="time the ensembles now instead of reading the files")
    ap.add_argument("--compare", action="store_true",
                    help="time today's plain step and the fast core side by side")
    ap.add_argument("--seeds", type=int, default=20, help="ensemble size for --run (default 20)")
    ap.add_argument("--reps", type=int, default=None,
                    help="timed steps per configuration (--run, default 3) or per round "
                         "(--compare, default 2)")
    ap.add_argument("--rounds", type=int, default=3,
                    help="--compare: alternating rounds per path (default 3)")
    ap.add_argument("--nets", type=int, nargs="+", default=[20, 80],
                    help="--compare: ensemble sizes (default 20 80)")
    ap.add_argument("--kinds", nargs="+", choices=("gru", "rnn", "lstm"), default=["gru", "rnn"],
                    help="--compare: model kinds (default gru rnn)")
    ap.add_argument("--T", type=int, default=256, help="--compare: sequence length (default 256, E3)")
    a = ap.parse_args()
    reps = a.reps if a.reps is not None else (2 if a.compare else 3)
    if min(a.seeds, reps, a.rounds, *a.nets) < 1 or max(a.nets) > 200 or not 2 <= a.T <= 1024:
        ap.error("--seeds, --reps, --rounds must be positive; --nets 1-200; --T 2-1024")
    if a.compare:
        compare(a.kinds, a.nets, a.T, reps, a.rounds)
    elif a.run:
        run(a.seeds, reps)
    else:
        recorded()


if __name__ == "__main__":
    main()
