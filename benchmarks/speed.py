#!/usr/bin/env python3
"""Speed of the catalog's stubs against the earlier catalog, at equal work.

Every stub listed in stubs/catalog.toml with ``earlier = { setting, reference_s }`` can run the
earlier catalog's own (easier) version of its problem with ``--setting <setting>``;
``reference_s`` is the earlier catalog's wall time for that run on this kind of machine
(its README's headline command, one stub at a time on a quiet 2-core machine of this kind).
This script prints, per stub, the recorded headline cost (nets trained, wall seconds, seconds
per net) and the recorded wall time of the earlier setting beside the reference, from the
committed results files.

    python3 benchmarks/speed.py                       # the recorded figures (no training)
    python3 benchmarks/speed.py --run                 # time every earlier setting again, now
    python3 benchmarks/speed.py --run --stubs adding-problem --headline   # also the headline run

Timed runs use one BLAS thread per process and write to a temporary folder, never into the stubs.
Run them on a quiet machine: other processes on the two cores inflate every figure.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from shared.results import nets_trained  # noqa: E402


def load_stubs():
    cat = tomllib.loads((ROOT / "stubs" / "catalog.toml").read_text(encoding="utf-8"))
    return [s for s in cat.get("stub", []) if s.get("earlier")]


def recorded(stub, name):
    path = ROOT / "stubs" / stub["slug"] / name
    if not path.is_file():
        return None
    res = json.loads(path.read_text())
    return nets_trained(res), float(res["wall_s"])


def time_run(stub, args, quick):
    """Wall seconds of one run of the stub's script as its own process (its --out in a temp dir)."""
    script = ROOT / "stubs" / stub["slug"] / (stub["slug"].replace("-", "_") + ".py")
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               MPLBACKEND="Agg")
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, str(script), *args, "--out", os.path.join(tmp, "r.json")]
        cmd += ["--quick"] if quick else []
        t0 = time.perf_counter()
        p = subprocess.run(cmd, cwd=script.parent, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise SystemExit(f"error: {' '.join(cmd[1:])} failed: {p.stderr.strip().splitlines()[-1:]}")
    return wall


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument("--run", action="store_true",
                    help="time the earlier settings again (seconds to minutes)")
    ap.add_argument("--headline", action="store_true",
                    help="with --run: also time each headline run (minutes)")
    ap.add_argument("--stubs", default="", help="comma-separated slugs (default: every stub with `earlier`)")
    ap.add_argument("--quick", action="store_true", help="pass --quick to the timed runs (a plumbing check)")
    args = ap.parse_args(argv)
    stubs = load_stubs()
    if args.stubs:
        want = [s.strip() for s in args.stubs.split(",") if s.strip()]
        unknown = sorted(set(want) - {s["slug"] for s in stubs})
        if unknown:
            ap.exit(2, f"speed.py: error: no `earlier` entry in stubs/catalog.toml for "
                       f"{', '.join(unknown)}\n")
        stubs = [s for s in stubs if s["slug"] in want]
    if (args.headline or args.quick) and not args.run:
        ap.exit(2, "speed.py: error: --headline and --quick go with --run\n")
    print(f"{'stub':28s} {'headline: nets  wall s  s/net':>30s} {'earlier setting here: wall s':>29s} "
          f"{'earlier catalog s':>18s}  faster")
    for s in stubs:
        setting, ref = s["earlier"]["setting"], float(s["earlier"]["reference_s"])
        head, old = recorded(s, "results.json"), recorded(s, f"results_{setting}.json")
        if args.run:
            old = (old[0] if old else 1, time_run(s, ["--setting", setting], args.quick))
            if args.headline:
                head = (head[0] if head else 1, time_run(s, [], args.quick))
        h = f"{head[0]:5d} {head[1]:8.1f} {head[1] / head[0]:7.1f}" if head else "not run"
        o = f"{old[1]:8.1f}" if old else "not run"
        verdict = "" if not old else (f"{ref / old[1]:.2g}x" if old[1] < ref
                                      else f"no ({old[1] / ref:.2g}x slower)")
        print(f"{s['slug']:28s} {h:>30s} {o:>29s} {ref:18.2f}  {verdict}")
    if args.run and not args.quick:
        print("\n(timed now, " + ("on a machine with other load: " if os.getloadavg()[0] > 1.5 else "")
              + f"1-minute load average {os.getloadavg()[0]:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
