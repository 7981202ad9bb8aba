"""Hand the runner's jobs to Dask distributed instead of local processes (an optional extra:
``pip install -r requirements-cluster.txt``; the catalog itself never imports this module).

    python3 -m catalog run --engine dask --jobs 2                 # a LocalCluster, 2 workers here
    python3 -m catalog run --engine dask --scheduler tcp://host:8786   # any running scheduler

Each job is one task that runs the same stub command as a subprocess on a worker (one BLAS thread,
one thread per worker). A task whose worker dies is re-run elsewhere by the scheduler; the stub's
atomic writes mean a half-finished attempt leaves nothing behind, and the runner marks a job done
(run.json) only once, here, after its task came back. The stub's process dies with its worker
(PR_SET_PDEATHSIG), so a lost attempt does not run on unseen.
"""
import subprocess
import time


def _die_with_parent():
    try:                                   # Linux: SIGKILL this child when the worker process dies
        import ctypes
        import signal
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def run_command(cmd, cwd, log_path):
    """Run one stub command on a worker; returns (exit code, wall seconds)."""
    from catalog.runner import job_env
    env = job_env()
    t0 = time.perf_counter()
    with open(log_path, "w") as log:
        rc = subprocess.run(cmd, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, env=env,
                            preexec_fn=_die_with_parent).returncode
    return rc, time.perf_counter() - t0


def run_jobs_dask(jobs, n_workers, scheduler=None, stream=None, report=None, on_done=None):
    """Run ``jobs`` (catalog.runner.Job) as Dask tasks; ``on_done(job, rc, wall)`` is called as each
    comes back. Starts a LocalCluster of ``n_workers`` single-threaded worker processes unless a
    scheduler address is given."""
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise RuntimeError("the dask engine needs the optional extra: "
                           "pip install -r requirements-cluster.txt") from None
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        futures = {}
        for j in jobs:
            j.out_dir.mkdir(parents=True, exist_ok=True)
            f = client.submit(run_command, j.cmd, str(j.dir), str(j.out_dir / "log.txt"),
                              key=f"{j.slug}-{j.out_dir.name}-{time.time_ns()}", pure=False, retries=2)
            futures[f] = j
            j.status = "running"
            j.t0 = time.perf_counter()
        if report:
            report()
        for f in as_completed(futures):
            j = futures[f]
            try:
                rc, wall = f.result()
            except Exception as e:  # noqa: BLE001  (a task that failed on every retry)
                rc, wall = -1, time.perf_counter() - j.t0
                with open(j.out_dir / "log.txt", "a") as log:
                    log.write(f"\n[dask] task failed: {type(e).__name__}: {e}\n")
            on_done(j, rc, wall)
            if report:
                report()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return jobs
