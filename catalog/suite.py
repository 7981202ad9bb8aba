"""A family's full protocol as resumable jobs, run by the catalog runner's engine.

    python3 -m catalog suite tiny-worlds --list                       # the jobs, done or not
    python3 -m catalog suite tiny-worlds --groups headline --jobs 2   # run them (skips finished ones)
    python3 -m catalog suite tiny-worlds --quick --jobs 2             # every job at quick sizes
    python3 -m catalog suite tiny-worlds --shard 0/2                  # half the jobs (1/2 elsewhere)

The stubs' headline runs are one command per stub; a protocol like the tiny-worlds original's (31
configurations of 20 seeds x 20,000 steps, hours in all) is too long for one command, so each
configuration is its own job: ``python3 -m shared.tiny_worlds.suite --job NAME --out
<folder>/NAME/result.json`` (the job list and the science live in shared/tiny_worlds/suite.py).
A job writes its result atomically when it finishes; a job whose result is there, for the same
settings and seed, is skipped, so a stopped suite resumes where it stopped, across sittings.
The jobs run through the runner's engine (catalog/runner.py): separate processes with one BLAS
thread, --jobs at a time, or Dask workers (--engine dask). Results go to
runs/tiny-worlds-suite/<tag->[quick-]seed-N/ (or --out-dir), a log.txt beside each result.

Progress lines (at every start and end, and every --every seconds between) give the jobs done,
the elapsed time and an estimate of the time left: each job's cost from a rough model (ms per
seed-step x seeds x steps), rescaled by the wall time of the jobs finished so far.
"""
import argparse
import json
import shlex
import sys
import time
from pathlib import Path

from catalog import runner
from shared.cli import clock

SUITES = ("tiny-worlds",)


def _suite_module():
    from shared.tiny_worlds import suite
    return suite


class Calibration:
    """Actual / estimated wall time over the jobs finished in this sitting (1 before any)."""

    def __init__(self):
        self.jobs = []

    def ratio(self):
        done = [j for j in self.jobs if j.status == "done" and j.wall is not None]
        est = sum(j.estimate for j in done)
        return sum(j.wall for j in done) / est if est > 0 else 1.0


class SuiteJob:
    """One configuration, shaped like catalog.runner.Job for run_jobs (local or Dask)."""

    def __init__(self, job, out_root, seed, quick, seeds, steps, calib):
        sm = _suite_module()
        self.job, self.slug, self.seed = job, job.name, seed
        self.dir = runner.ROOT
        self.out_dir = Path(out_root) / job.name
        self.out = self.out_dir / "result.json"
        extra = (["--quick"] if quick else []) + (["--seeds", str(seeds)] if seeds else []) \
            + (["--steps", str(steps)] if steps else [])
        self.cmd = [sys.executable, "-m", "shared.tiny_worlds.suite", "--job", job.name,
                    "--out", str(self.out), "--seed", str(seed), *extra]
        self.key = shlex.join(self.cmd[2:])
        self.settings = sm.settings(quick, seeds, steps)
        self.estimate = sm.cost_s(job, self.settings)
        self.calib = calib
        calib.jobs.append(self)
        self.status, self.wall, self.tail, self.proc = "pending", None, "", None

    @property
    def expected_s(self):
        return self.estimate * self.calib.ratio()

    def result(self):
        return _suite_module().finished(self.out, self.job, self.settings, self.seed)

    def done_before(self):
        return self.result() is not None


def make_jobs(args, calib):
    sm = _suite_module()
    try:
        chosen = sm.select(args.groups, args.only)
    except ValueError as e:
        raise runner.RunnerError(str(e)) from None
    if args.shard:
        i, n = args.shard
        chosen = [j for k, j in enumerate(chosen) if k % n == i]
    return [SuiteJob(j, out_root(args), args.seed, args.quick, args.seeds, args.steps, calib) for j in chosen]


def out_root(args):
    if args.out_dir:
        return Path(args.out_dir)
    tag = f"{args.tag}-" if args.tag else ""
    quick = "quick-" if args.quick else ""
    return args.root / "runs" / f"{args.suite}-suite" / f"{tag}{quick}seed-{args.seed}"


def progress_line(jobs, n_parallel):
    """[done/total ...] elapsed, ~time left (wall, at n_parallel at a time) | running jobs."""
    def report(jobs_, t0, stream):
        now = time.perf_counter()
        done = sum(j.status in ("done", "skipped") for j in jobs)
        running = [j for j in jobs if j.status == "running"]
        failed = sum(j.status.startswith("failed") for j in jobs)
        left = sum(j.expected_s for j in jobs if j.status == "pending")
        left += sum(max(0.0, j.expected_s - (now - j.t0)) for j in running)
        wall_left = left / max(1, min(n_parallel, len(running) + sum(j.status == "pending" for j in jobs)))
        names = ", ".join(f"{j.slug} {clock(now - j.t0)}/~{clock(j.expected_s)}" for j in running)
        print(f"[{done}/{len(jobs)} done, {len(running)} running, {failed} failed] "
              f"elapsed {clock(now - t0)}, ~{clock(wall_left)} left (~{clock(left)} of jobs)"
              + (f" | {names}" if names else ""), file=stream, flush=True)
    return report


def status_table(jobs):
    """Markdown table of the jobs: status, estimate, ΔNLL of the trained seeds, time."""
    lines = ["| job | status | estimate | ΔNLL mean ± sd (seeds) | ms / seed-step | wall |",
             "|---|---|---|---|---|---|"]
    for j in jobs:
        res = j.result()
        if res is not None:
            d, t = res["summary"]["trained"]["dnll"], res["timing"]
            cell = f"{d['mean']:+.4f} ± {d['sd']:.4f} ({res['settings']['seeds']})"
            status = "done" if j.status in ("pending", "skipped") else j.status
            lines.append(f"| {j.slug} | {status} | {clock(j.estimate)} | {cell} | "
                         f"{t['ms_per_seed_step']:.2f} | {clock(t['wall_s'])} |")
        else:
            lines.append(f"| {j.slug} | {j.status} | {clock(j.estimate)} | — | — | — |")
    return "\n".join(lines)


def add_arguments(p):
    p.add_argument("suite", choices=SUITES, help="which family's protocol")
    p.add_argument("--groups", type=lambda s: [g for g in s.split(",") if g],
                   help="comma list of job groups (tiny-worlds: headline, sweep, controls, lstm; "
                        "default all)")
    p.add_argument("--only", type=lambda s: [g for g in s.split(",") if g], help="comma list of job names")
    p.add_argument("--list", action="store_true", help="list the jobs and their results; run nothing")
    p.add_argument("--quick", action="store_true", help="quick sizes (seconds per job)")
    p.add_argument("--seed", type=int, default=0, help="master seed of the suite (default 0)")
    p.add_argument("--seeds", type=int, default=None,
                   help="override the seeds per job (default: the protocol's)")
    p.add_argument("--steps", type=int, default=None, help="override the Adam steps per job")
    p.add_argument("--jobs", type=int, default=1, help="processes (or local Dask workers) at a time, 1-64")
    p.add_argument("--engine", choices=("local", "dask"), default="local", help="as for `run`")
    p.add_argument("--scheduler", help="with --engine dask: a running scheduler's address")
    p.add_argument("--shard", type=_shard,
                   help="i/n: only every n-th job from the i-th (for several machines)")
    p.add_argument("--every", type=float, default=300.0, help="seconds between progress lines while jobs run")
    p.add_argument("--tag", default="", help="prefix of the results folder")
    p.add_argument("--out-dir", help="results folder (default runs/<suite>-suite/<tag->[quick-]seed-N)")


def _shard(text):
    try:
        i, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected i/n (e.g. 0/2), got {text!r}") from None
    if not 0 <= i < n:
        raise argparse.ArgumentTypeError(f"expected i/n with 0 <= i < n, got {text!r}")
    return i, n


def main(args):
    if not 1 <= args.jobs <= 64:
        raise runner.RunnerError(f"--jobs must be 1-64, got {args.jobs}")
    if args.tag and not all(c.isalnum() or c in "-_" for c in args.tag):
        raise runner.RunnerError(f"--tag may hold letters, digits, - and _ only, got {args.tag!r}")
    for name, lo, hi in (("seed", 0, 2**32 - 1), ("seeds", 2, 100), ("steps", 1, 100_000)):
        v = getattr(args, name)
        if v is not None and not lo <= v <= hi:
            raise runner.RunnerError(f"--{name} must be {lo}-{hi}, got {v}")
    calib = Calibration()
    jobs = make_jobs(args, calib)
    if not jobs:
        raise runner.RunnerError("no jobs selected")
    root = out_root(args)
    if args.list:
        print(f"{len(jobs)} job(s); results under {root}")
        print(status_table(jobs))
        return 0
    if args.scheduler and args.engine != "dask":
        raise runner.RunnerError("--scheduler needs --engine dask")
    est = sum(j.estimate for j in jobs if not j.done_before())
    print(f"{len(jobs)} job(s), {args.jobs} at a time; results under {root}; "
          f"~{clock(est)} of jobs to run by the first estimate", flush=True)
    runner.run_jobs(jobs, args.jobs, engine=args.engine, scheduler=args.scheduler,
                    report=progress_line(jobs, args.jobs), heartbeat=args.every)
    print("\n" + status_table(jobs))
    fails = [j for j in jobs if j.status.startswith("failed")]
    for j in fails:
        print(f"\n{j.slug} failed; last lines of {j.out_dir / 'log.txt'}:\n{j.tail}")
    return 1 if fails else 0


def load_results(folder):
    """{job name: result dict} of the finished jobs under a suite's results folder."""
    out = {}
    for p in sorted(Path(folder).glob("*/result.json")):
        try:
            res = json.loads(p.read_text())
            out[res["name"]] = res
        except (OSError, ValueError, KeyError):
            continue
    return out
