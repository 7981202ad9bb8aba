#!/usr/bin/env python3
"""Speed of the tiny-worlds family against the original code's single-thread torch timings.

The original trains one seed at a time (ms per Adam step, H = 16,
batch 64, one thread). Here every configuration trains all its seeds (and world variants) as one
ensemble. This script prints, per world and model kind, the ms per ensemble step, the ms per
seed-step and the speedup over the original's per-seed step, and what the original's full setting
(20 seeds x 20,000 steps per configuration) would cost at that rate.

    python3 benchmarks/tiny_worlds.py              # the figures recorded in the stubs' results.json
    python3 benchmarks/tiny_worlds.py --run        # time one ensemble step per world and kind now

--run times forward + BPTT + Adam of S-seed ensembles (default 20) at each world's sequence length,
float32, one BLAS thread; run it on a quiet machine.
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


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", action="store_true", help="time the ensembles now instead of reading the files")
    ap.add_argument("--seeds", type=int, default=20, help="ensemble size for --run (default 20)")
    ap.add_argument("--reps", type=int, default=3, help="timed steps per configuration for --run")
    a = ap.parse_args()
    if a.seeds < 1 or a.reps < 1:
        ap.error("--seeds and --reps must be positive")
    run(a.seeds, a.reps) if a.run else recorded()


if __name__ == "__main__":
    main()
