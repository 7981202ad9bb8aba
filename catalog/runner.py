"""The catalog runner: many stub runs as separate processes, resumable, with progress.

    python3 -m catalog run [--family F] [--stubs a,b] [--seeds 0-2] [--jobs N] [--quick]
                           [--tag NAME] [-- <stub flags>]
    python3 -m catalog summary [--family F] [--stubs a,b] [--seeds 0-2] [--tag NAME] [--write]
    python3 -m catalog suite tiny-worlds [--groups G] [--jobs N] [--quick] [--list]   (catalog/suite.py)

Each job is ``python3 stubs/<slug>/<snake>.py --seed N --out runs/<slug>/<tag>seed-N/results.json
[flags]`` with one BLAS thread, run from the stub's folder. Its output goes to ``log.txt`` beside
the results; a job whose results.json is there and valid, for the same command, is not run again
(so an interrupted sweep resumes where it stopped). A failing job never stops the others; the
exit status is 1 if any failed. Estimates of the time left come from the wall times recorded in
each stub's committed results.json. ``summary`` keeps the seeds of a stub's committed
agreement.json whose run folders are gone (runs/ is not committed).
"""
import argparse
import json
import math
import os
import shlex
import statistics
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from shared.cli import clock  # noqa: E402  (the catalog's one time format)
from shared.results import config_key  # noqa: E402


class RunnerError(Exception):
    """A bad request (unknown stub, bad seed list); one line, exit 2."""


# ----------------------------------------------------------------------------------------------
# What to run
# ----------------------------------------------------------------------------------------------
def catalog_stubs(root):
    """Catalog entries (dicts with slug, family, ...) whose folder exists, in catalog order."""
    cat = tomllib.loads((root / "stubs" / "catalog.toml").read_text())
    order = {f: i for i, f in enumerate(cat.get("families", {}).get("order", []))}
    stubs = [s for s in cat.get("stub", []) if (root / "stubs" / s["slug"]).is_dir()]
    return sorted(stubs, key=lambda s: (order.get(s["family"], 99), s.get("order", 0), s["slug"]))


def parse_seeds(text):
    """'0-2' -> [0, 1, 2]; '0,3,5' -> [0, 3, 5]; '4' -> [4]."""
    seeds = []
    try:
        for part in text.split(","):
            part = part.strip()
            if "-" in part:
                a, b = (int(x) for x in part.split("-", 1))
                if b < a:
                    raise ValueError
                seeds.extend(range(a, b + 1))
            else:
                seeds.append(int(part))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seeds like 0-2 or 0,3,5, got {text!r}") from None
    if not seeds or any(s < 0 for s in seeds) or len(seeds) > 1000:
        raise argparse.ArgumentTypeError(f"expected 1-1000 non-negative seeds, got {text!r}")
    return sorted(set(seeds))


def select(root, family=None, names=None):
    stubs = catalog_stubs(root)
    if family:
        known = sorted({s["family"] for s in stubs})
        if family not in known:
            raise RunnerError(f"unknown family {family!r}; known: {', '.join(known)}")
        stubs = [s for s in stubs if s["family"] == family]
    if names:
        slugs = {s["slug"] for s in stubs}
        bad = [n for n in names if n not in slugs]
        if bad:
            raise RunnerError(f"unknown stub(s) {', '.join(bad)} (see stubs/catalog.toml)")
        stubs = [s for s in stubs if s["slug"] in names]
    return stubs


class Job:
    def __init__(self, root, slug, seed, flags, tag, quick):
        self.slug, self.seed, self.flags, self.quick = slug, seed, list(flags), quick
        self.dir = root / "stubs" / slug
        self.out_dir = root / "runs" / slug / f"{tag}{'quick-' if quick else ''}seed-{seed}"
        self.out = self.out_dir / "results.json"
        self.script = self.dir / (slug.replace("-", "_") + ".py")
        self.cmd = [sys.executable, str(self.script), "--seed", str(seed), "--out", str(self.out),
                    *(["--quick"] if quick else []), *self.flags]
        self.key = shlex.join(self.cmd[2:])          # what identifies the run (not the interpreter)
        self.expected_s = expected_seconds(self.dir, quick)
        self.status, self.wall, self.tail, self.proc = "pending", None, "", None

    def done_before(self):
        """True when this exact command already wrote a valid results.json (resume)."""
        meta = self.out_dir / "run.json"
        if not (self.out.exists() and meta.exists()):
            return False
        try:
            from shared.results import read_results
            read_results(self.out)
            return json.loads(meta.read_text()).get("command") == self.key
        except (OSError, ValueError):
            return False


def expected_seconds(stub_dir, quick):
    if quick:
        return 10.0
    try:
        return float(json.loads((stub_dir / "results.json").read_text())["wall_s"])
    except (OSError, ValueError, KeyError):
        return 300.0


# ----------------------------------------------------------------------------------------------
# Running
# ----------------------------------------------------------------------------------------------
def job_env():
    """The environment of a stub process: one BLAS thread, no display."""
    return dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
                MPLBACKEND="Agg")


def start(job):
    job.out_dir.mkdir(parents=True, exist_ok=True)
    env = job_env()
    job.log = open(job.out_dir / "log.txt", "w")
    job.t0 = time.perf_counter()
    job.proc = subprocess.Popen(job.cmd, cwd=job.dir, stdout=job.log, stderr=subprocess.STDOUT,
                                env=env, start_new_session=True)
    job.status = "running"


def reap(job):
    """True once the job's process has ended; then ``job.proc.returncode`` is set and ``job.cpu``
    holds the CPU seconds (user + system) of the process and of the worker processes it waited
    for, from wait4's resource usage (None where the platform has no wait4)."""
    if not hasattr(os, "wait4"):
        return job.proc.poll() is not None
    try:
        pid, status, usage = os.wait4(job.proc.pid, os.WNOHANG)
    except ChildProcessError:                    # already reaped elsewhere
        return job.proc.poll() is not None
    if pid == 0:
        return False
    job.proc.returncode = os.waitstatus_to_exitcode(status)
    job.cpu = usage.ru_utime + usage.ru_stime
    return True


def finish(job, rc=None, wall=None):
    """Record a finished job (local process, or ``rc``/``wall`` from the dask engine)."""
    if job.proc is not None:
        job.log.close()
        rc = job.proc.returncode
    job.wall = time.perf_counter() - job.t0 if wall is None else wall
    cpu = getattr(job, "cpu", None)
    lines = (job.out_dir / "log.txt").read_text(errors="replace").splitlines()
    job.tail = "\n".join(lines[-8:])
    if rc == 0 and job.out.exists():
        job.status = "done"
        tmp = job.out_dir / ".run.json.tmp"
        rec = {"command": job.key, "wall_s": job.wall}
        if cpu is not None:
            rec["cpu_s"] = cpu
        tmp.write_text(json.dumps(rec) + "\n")
        os.replace(tmp, job.out_dir / "run.json")
    else:
        job.status = f"failed (exit {rc})"


def progress(jobs, t0, stream):
    done = sum(j.status in ("done", "skipped") for j in jobs)
    running = [j for j in jobs if j.status == "running"]
    failed = sum(j.status.startswith("failed") for j in jobs)
    left = sum(j.expected_s for j in jobs if j.status == "pending")
    left += sum(max(0.0, j.expected_s - (time.perf_counter() - j.t0)) for j in running)
    names = ", ".join(f"{j.slug}/{j.seed}" for j in running)
    print(f"[{done}/{len(jobs)} done, {len(running)} running, {failed} failed] "
          f"elapsed {clock(time.perf_counter() - t0)}, ~{clock(left)} of runs left"
          + (f" | {names}" if names else ""), file=stream, flush=True)


def run_jobs(jobs, n_parallel, stream=sys.stdout, engine="local", scheduler=None, report=None,
             heartbeat=None):
    """Run ``jobs``, ``n_parallel`` at a time, printing progress; returns the jobs.

    report(jobs, t0, stream): the progress line (default ``progress``); heartbeat: seconds between
    progress lines while jobs run (default: only when a job starts or ends)."""
    progress = report or globals()["progress"]
    t0 = time.perf_counter()
    for j in jobs:
        if j.done_before():
            j.status = "skipped"
    pending = [j for j in jobs if j.status == "pending"]
    skipped = len(jobs) - len(pending)
    if skipped:
        print(f"{skipped} job(s) already done (results.json present for the same command): skipped",
              file=stream)
    if engine == "dask":
        from catalog.dask_engine import run_jobs_dask

        def done(j, rc, wall):
            finish(j, rc, wall)
            print(f"  {j.slug} seed {j.seed}: {j.status} in {clock(j.wall)}", file=stream)
        run_jobs_dask(pending, n_parallel, scheduler, report=lambda: progress(jobs, t0, stream), on_done=done)
        return jobs
    running = []
    last = time.perf_counter()
    try:
        while pending or running:
            while pending and len(running) < n_parallel:
                j = pending.pop(0)
                start(j)
                running.append(j)
                progress(jobs, t0, stream)
                last = time.perf_counter()
            time.sleep(0.2)
            for j in list(running):
                if reap(j):
                    finish(j)
                    running.remove(j)
                    cpu = f" ({clock(j.cpu)} CPU)" if getattr(j, "cpu", None) is not None else ""
                    print(f"  {j.slug} seed {j.seed}: {j.status} in {clock(j.wall)}{cpu}", file=stream)
                    progress(jobs, t0, stream)
                    last = time.perf_counter()
            if heartbeat and running and time.perf_counter() - last >= heartbeat:
                progress(jobs, t0, stream)
                last = time.perf_counter()
    except KeyboardInterrupt:
        for j in running:
            try:
                os.killpg(j.proc.pid, 2)
            except ProcessLookupError:
                pass
        for j in running:
            j.proc.wait()
            j.log.close()
            j.status = "interrupted"
        raise
    return jobs


def verdicts_of(path):
    try:
        res = json.loads(Path(path).read_text())
        return [h["verdict"] for h in res["headline"]]
    except (OSError, ValueError, KeyError):
        return []


def closing_table(jobs):
    lines = ["", "| stub | seed | status | verdicts | wall |", "|---|---|---|---|---|"]
    for j in jobs:
        v = verdicts_of(j.out)
        counts = ", ".join(f"{k} {v.count(k)}" for k in ("yes", "partial", "no", "open") if v.count(k)) or "—"
        wall = clock(j.wall) if j.wall is not None else "—"
        lines.append(f"| {j.slug} | {j.seed} | {j.status} | {counts} | {wall} |")
    fails = [j for j in jobs if j.status.startswith("failed")]
    for j in fails:
        lines += ["", f"{j.slug} seed {j.seed} failed; last lines of {j.out_dir / 'log.txt'}:", j.tail]
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------
# Summaries across seeds
# ----------------------------------------------------------------------------------------------
def first_number(row):
    nums = row.get("numbers") or []
    return nums[0]["value"] if nums else None


def _earlier_agreement(root, slug, key):
    """The stub's committed agreement.json when it was written for the same configuration, else {}."""
    path = root / "stubs" / slug / "agreement.json"
    try:
        ag = json.loads(path.read_text()) if path.is_file() else {}
    except ValueError:
        return {}
    return ag if ag.get("config_key") == key else {}


def _carried_pool(old, carried, known):
    """The first numbers of the seeds ``carried`` over from an earlier agreement row ``old`` whose
    own values were not recorded (files written before rows kept ``values``), as a pool
    (n, sum, sum of squares), or None when it cannot be recovered exactly.

    The earlier row kept the mean and sd over its seeds, which fixes their count, sum and sum of
    squares; taking away the seeds whose values are known now (``known``: seed -> value, the same
    runs) leaves the pool of the carried seeds."""
    if old.get("mean") is None:
        return None
    pool = old.get("pooled")
    if pool is not None and set(pool["seeds"]) == set(carried):
        return pool["n"], pool["sum"], pool["sumsq"]
    seeds_a = [int(k) for k in old.get("verdicts", {})]
    others = [s for s in seeds_a if s not in carried]
    if pool is not None or any(known.get(s) is None for s in others):
        return None                                   # not exactly recoverable: leave them out
    n_a = len(seeds_a)
    m, sd = float(old["mean"]), float(old["sd"] or 0.0)
    n = n_a - len(others)
    if n <= 0:
        return None
    total = n_a * m - sum(known[s] for s in others)
    sumsq = (n_a - 1) * sd * sd + n_a * m * m - sum(known[s] ** 2 for s in others)
    return n, total, sumsq


def summarise(root, slug, seeds, tag="", quick=False):
    """Per headline row: verdict per seed and the mean and sd of the row's first number over those
    seeds. The committed headline stands for its own seed (the ``seed`` it records) unless a runner
    folder holds a run of that seed. A seed with no run folder keeps what the stub's committed
    agreement.json recorded for it (same configuration): run folders are not committed, so seeds
    can be added later without running the earlier ones again. Other seeds are left out."""
    committed = json.loads((root / "stubs" / slug / "results.json").read_text())
    key = config_key(committed.get("config"))
    per_seed, skipped = {}, []
    for s in seeds:
        p = root / "runs" / slug / f"{tag}{'quick-' if quick else ''}seed-{s}" / "results.json"
        if p.exists():
            res = json.loads(p.read_text())
            if quick or config_key(res.get("config")) == key:
                per_seed[s] = res
            else:                                   # another budget or size: not a seed of this run
                skipped.append(s)
        elif s == committed.get("seed") and not tag and not quick:
            per_seed[s] = committed
    if skipped:
        print(f"{slug}: seed(s) {skipped} left out: their runs' configuration differs from the committed "
              f"results.json's (re-run them with the committed flags)", file=sys.stderr)
    earlier = {} if (tag or quick) else _earlier_agreement(root, slug, key)
    old_rows = earlier.get("rows", [])
    if len(old_rows) != len(committed["headline"]):
        old_rows = []
    carried = sorted({int(k) for r in old_rows for k in r.get("verdicts", {})}
                     & (set(seeds) - set(per_seed) - set(skipped)))
    rows = []
    for i, h in enumerate(committed["headline"]):
        verdicts, values = {}, {}
        for s, res in per_seed.items():
            # rows match by position: the same stub and flags write the same rows in the same order
            # (names may carry the run's sizes, and their wording may have been edited since)
            if i < len(res["headline"]) and len(res["headline"]) == len(committed["headline"]):
                verdicts[s] = res["headline"][i]["verdict"]
                values[s] = first_number(res["headline"][i])
        old = old_rows[i] if old_rows else {}
        here = [s for s in carried if str(s) in old.get("verdicts", {})]
        for s in here:
            verdicts[s] = old["verdicts"][str(s)]
        old_values = old.get("values", {})
        unknown = [s for s in here if str(s) not in old_values]
        values.update({s: old_values[str(s)] for s in here if str(s) in old_values})
        pool = _carried_pool(old, unknown, values) if unknown else None
        nums = [x for x in values.values() if x is not None]
        n, total = len(nums), math.fsum(nums)
        sumsq = math.fsum(x * x for x in nums)
        if pool is not None:
            n, total, sumsq = n + pool[0], total + pool[1], sumsq + pool[2]
        mean = total / n if n else None
        sd = math.sqrt(max(0.0, (sumsq - total * total / n) / (n - 1))) if n > 1 else None
        if pool is None:                              # exact, from the values themselves
            mean = statistics.fmean(nums) if nums else None
            sd = statistics.stdev(nums) if len(nums) > 1 else None
        seen = set(verdicts.values()) | {h["verdict"]}
        row = {
            "name": h["name"], "committed": h["verdict"],
            "verdicts": {s: verdicts[s] for s in sorted(verdicts)},
            "stable": (len(seen) == 1) if len(verdicts) >= 2 else None,      # one seed: nothing to compare
            "mean": mean, "sd": sd,
            "values": {s: values[s] for s in sorted(values)},
        }
        if pool is not None:      # carried seeds whose single values an older file did not keep
            row["pooled"] = {"seeds": unknown, "n": pool[0], "sum": pool[1], "sumsq": pool[2]}
        rows.append(row)
    got = sorted(set(per_seed) | {int(k) for r in rows for k in r["verdicts"]})
    return {"stub": slug, "seeds": got, "config_key": key, "rows": rows}


def summary_markdown(summaries):
    lines = ["| stub | claim | committed (seed 0) | verdicts by seed | stable | first number, mean ± sd |",
             "|---|---|---|---|---|---|"]
    for sm in summaries:
        for r in sm["rows"]:
            by = ", ".join(f"{s}: {v}" for s, v in sorted(r["verdicts"].items())) or "no runs"
            num = "—" if r["mean"] is None else f"{r['mean']:.4g}"
            if r["sd"] is not None:
                num += f" ± {r['sd']:.2g}"
            name = r["name"].replace("|", "\\|")
            lines.append(f"| {sm['stub']} | {name} | {r['committed']} | {by} | "
                         f"{ {True: 'yes', False: 'no', None: '—'}[r['stable']] } | {num} |")
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------
# Command line
# ----------------------------------------------------------------------------------------------
def build_parser():
    ap = argparse.ArgumentParser(prog="python3 -m catalog", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    for name, helptext in (("run", "run stubs' headline commands (or --quick) as separate processes"),
                           ("summary", "compare verdicts across seeds for finished runs")):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("--family", help="only this family (see stubs/catalog.toml)")
        p.add_argument("--stubs", help="comma list of stub folder names")
        p.add_argument("--seeds", type=parse_seeds, default=[0], help="e.g. 0-2 or 0,3 (default 0)")
        p.add_argument("--tag", default="", help="prefix of the run folders (runs/<stub>/<tag>seed-N)")
        p.add_argument("--quick", action="store_true", help="pass --quick (seconds per stub)")
        p.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    run_p = sub.choices["run"]
    run_p.add_argument("--jobs", type=int, default=1,
                       help="processes (or local Dask workers) at a time, 1-64")
    run_p.add_argument("--engine", choices=("local", "dask"), default="local",
                       help="local processes, or Dask distributed (optional extra: "
                            "pip install -r requirements-cluster.txt)")
    run_p.add_argument("--scheduler", help="with --engine dask: a running scheduler's address "
                                           "(default: start a LocalCluster of --jobs workers)")
    run_p.add_argument("stub_flags", nargs=argparse.REMAINDER,
                       help="after --: flags passed to every stub (e.g. -- --setting catalog)")
    sub.choices["summary"].add_argument("--write", action="store_true",
                                        help="write stubs/<slug>/agreement.json for the generated pages")
    from catalog import suite
    sp = sub.add_parser("suite", help="a family's full protocol as resumable jobs (catalog/suite.py)")
    suite.add_arguments(sp)
    sp.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    return ap


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        if args.command == "suite":
            from catalog import suite
            return suite.main(args)
        names = [n.strip() for n in args.stubs.split(",") if n.strip()] if args.stubs else None
        stubs = select(args.root, args.family, names)
        if not stubs:
            raise RunnerError("no stubs selected")
        if args.tag and not all(c.isalnum() or c in "-_" for c in args.tag):
            raise RunnerError(f"--tag may hold letters, digits, - and _ only, got {args.tag!r}")
        tag = f"{args.tag}-" if args.tag else ""
        if args.command == "summary":
            sms = [summarise(args.root, s["slug"], args.seeds, tag, args.quick) for s in stubs]
            print(summary_markdown(sms))
            if args.write:
                for sm in (sm for sm in sms if len(sm["seeds"]) >= 2):     # only stubs re-run with more seeds
                    path = args.root / "stubs" / sm["stub"] / "agreement.json"
                    tmp = path.with_suffix(".json.tmp")
                    tmp.write_text(json.dumps(sm, indent=2) + "\n")
                    os.replace(tmp, path)
            unstable = sum(r["stable"] is False for sm in sms for r in sm["rows"])
            print(f"\n{unstable} headline row(s) not stable across the seeds run")
            return 0
        if not 1 <= args.jobs <= 64:
            raise RunnerError(f"--jobs must be 1-64, got {args.jobs}")
        flags = args.stub_flags[1:] if args.stub_flags[:1] == ["--"] else args.stub_flags
        bad = [f for f in flags if f in ("--seed", "--out")]
        if bad:
            raise RunnerError("--seed and --out are set by the runner (use --seeds and --tag)")
        jobs = [Job(args.root, s["slug"], seed, flags, tag, args.quick) for s in stubs for seed in args.seeds]
        print(f"{len(jobs)} job(s), {args.jobs} at a time; results under runs/<stub>/")
        if args.scheduler and args.engine != "dask":
            raise RunnerError("--scheduler needs --engine dask")
        if args.engine == "dask":
            try:
                import distributed  # noqa: F401
            except ImportError:
                raise RunnerError("--engine dask needs the optional extra: "
                                  "pip install -r requirements-cluster.txt") from None
        run_jobs(jobs, args.jobs, engine=args.engine, scheduler=args.scheduler)
        print(closing_table(jobs))
        return 1 if any(j.status.startswith("failed") for j in jobs) else 0
    except RunnerError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:                 # output piped into head or less, which closed early
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("interrupted; finished runs are kept and a re-run resumes after them", file=sys.stderr)
        return 130
