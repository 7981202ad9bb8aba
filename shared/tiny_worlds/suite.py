"""The original's full protocol as a list of jobs: one job = one configuration, trained and evaluated.

A configuration is (world, mode, model, H, variant): e.g. E3, full training, GRU, H = 16, the
structured world. Its job trains all seeds as one ensemble (train.train_ensemble, the fast core),
evaluates them (train.evaluate: ΔNLL against the trivial baseline, the original's probe, the
held-out probe and its input-only floor) and writes one result (result.json + result.npz with the
trained and initial parameters), atomically, when it finishes. The runner
(``python3 -m catalog suite tiny-worlds``, catalog/suite.py) runs the jobs as separate processes,
skips those whose result is already there, and prints progress with an estimate of the time left.

    GROUPS     the job list, in the order the issue asks for them: "headline" (E1, E2, E3 x GRU-16
               and RNN-16 x struct and the original's null), "sweep" (E3 capacity, H 2, 4, 8, 32),
               "controls" (E3 readout-only and nonstationary, the i.i.d. null of E1 and E3),
               "lstm" (the LSTM-16 on each structured world)
    settings   the protocol's sizes: the original's (20 seeds x 20,000 steps, batch 64, Adam 1e-3,
               20,000 / 2,000 sequences) or --quick's (seconds per job)
    run_job    one configuration -> (record, arrays)
    main       ``python3 -m shared.tiny_worlds.suite --job NAME --out DIR/result.json [--quick]``:
               the process the runner starts for one job

Random streams are keyed by the configuration, not by the order jobs run in: a job's data from
(seed, world, variant), its initial weights from (seed, world, model, H) - shared by the struct
and null jobs and the readout-only job of that model, so ΔNLL(struct) - ΔNLL(null) pairs by seed,
as in the world stubs - and its batch order and evaluation from the whole configuration. A job
gives the same result whichever process runs it, in whichever order.
"""
import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from shared import cli
from shared.results import atomic_write_bytes, env_info, save_npz, to_jsonable
from shared.tiny_worlds import models, stats, train
from shared.tiny_worlds.worlds import VARIANTS, make_world

WORLDS = {"E1": "drift", "E2": "regime", "E3": "oscillator"}
NULL = {"E1": "shuffle", "E2": "iid", "E3": "shuffle"}           # the original's null of each world
MODELS = ("gru", "rnn", "lstm")
MODES = ("full", "readout")
FULL = {"seeds": 20, "steps": 20_000, "batch": 64, "lr": 1e-3, "n_train": 20_000, "n_eval": 2_000,
        "T": {"E1": 64, "E2": 128, "E3": 256}, "log_every": 500, "n_flips": 9_999}
QUICK = {"seeds": 2, "steps": 4, "batch": 64, "lr": 1e-3, "n_train": 96, "n_eval": 40,
         "T": {"E1": 24, "E2": 32, "E3": 40}, "log_every": 2, "n_flips": 99}
# fast-path ms per seed-step at T = 256, H = 16 (the prototype on this kind of machine),
# for the runner's first estimate of the time left; it rescales by the jobs that finish
MS_PER_SEED_STEP = {"gru": 6.3, "rnn": 1.6, "lstm": 6.5}
STARTUP_S = 2.0                                                   # process, imports, world, evaluation


@dataclass(frozen=True)
class Job:
    """One configuration of the protocol."""
    world: str
    model: str
    H: int
    variant: str
    mode: str = "full"

    @property
    def name(self):
        mode = "" if self.mode == "full" else f"-{self.mode}"
        return f"{self.world}-{self.model}{self.H}-{self.variant}{mode}"

    def check(self):
        if self.world not in WORLDS or self.model not in MODELS or self.mode not in MODES or self.H < 1:
            raise ValueError(f"bad job {self}")
        if self.variant not in VARIANTS[WORLDS[self.world]]:
            raise ValueError(f"{self.world} has no variant {self.variant!r}")
        return self


def _groups():
    headline = [Job(w, m, 16, v) for w in WORLDS for m in ("gru", "rnn") for v in ("struct", NULL[w])]
    sweep = [Job("E3", m, H, "struct") for H in (2, 4, 8, 32) for m in ("gru", "rnn")]
    controls = ([Job("E3", m, 16, "struct", "readout") for m in ("gru", "rnn")]
                + [Job("E3", m, 16, "nonstat") for m in ("gru", "rnn")]
                + [Job(w, m, 16, "iid") for w in ("E1", "E3") for m in ("gru", "rnn")])
    lstm = [Job(w, "lstm", 16, "struct") for w in WORLDS]
    return {"headline": headline, "sweep": sweep, "controls": controls, "lstm": lstm}


GROUPS = {g: [j.check() for j in jobs] for g, jobs in _groups().items()}
JOBS = {j.name: j for jobs in GROUPS.values() for j in jobs}


def select(groups=None, names=None):
    """Jobs of the given groups (all by default) and/or names, in GROUPS order, each once."""
    bad = [g for g in groups or () if g not in GROUPS] + [n for n in names or () if n not in JOBS]
    if bad:
        raise ValueError(f"unknown group(s) or job(s): {', '.join(bad)} (groups: {', '.join(GROUPS)}; "
                         f"`python3 -m catalog suite tiny-worlds --list` lists the jobs)")
    if not groups and not names:
        groups = list(GROUPS)
    chosen = {j.name for g in groups or () for j in GROUPS[g]} | set(names or ())
    return [j for j in JOBS.values() if j.name in chosen]


def settings(quick=False, seeds=None, steps=None):
    """The protocol's sizes (FULL, or QUICK), with seeds / steps overridden if given."""
    s = json.loads(json.dumps(QUICK if quick else FULL))
    if seeds is not None:
        s["seeds"] = seeds
    if steps is not None:
        s["steps"] = steps
    return s


def cost_s(job, s):
    """A rough estimate of one job's wall seconds on a quiet machine (the runner's first guess):
    the training steps, plus the evaluations (forward passes over the eval set, about one
    training step's cost per 64 sequences; three of them for a struct job with its controls)."""
    T = s["T"][job.world]
    per = MS_PER_SEED_STEP[job.model] * T / 256 * (job.H + 4) / 20
    n_evals = 3 if job.mode == "full" and job.variant == "struct" else 1
    evals = n_evals * s["n_eval"] / 64 * per * s["seeds"] / 1e3
    if job.mode == "readout":
        per *= 0.45                                                    # forward only, no BPTT
    return STARTUP_S + per * s["seeds"] * s["steps"] / 1e3 + evals


def _rng(seed, *key):
    return np.random.default_rng([seed, *key])


def streams(job, seed):
    """The job's random streams, keyed by its configuration (see the module docstring)."""
    w = list(WORLDS).index(job.world)
    v = VARIANTS[WORLDS[job.world]].index(job.variant)
    m, mode = MODELS.index(job.model), MODES.index(job.mode)
    return {"data": _rng(seed, 1, w, v), "init": _rng(seed, 2, w, m, job.H),
            "order": _rng(seed, 3, w, m, job.H, v, mode), "eval": _rng(seed, 4, w, m, job.H, v, mode)}


# ----------------------------------------------------------------------------------------------
# One job
# ----------------------------------------------------------------------------------------------
def _finite(x):
    """Numbers (or arrays of them) for json: NaN / inf become None (a probe with nothing to fit)."""
    if isinstance(x, (list, tuple, np.ndarray)):
        return [_finite(v) for v in x]
    x = float(x)
    return x if np.isfinite(x) else None


def _eval_block(e, n_flips, rng):
    """Per-seed evaluation arrays -> the result's summary and per-seed lists."""
    _, p = stats.sign_flip_test(e["dnll"], n_flips, rng)               # the original's one-sided test
    out = {"dnll": stats.summary(e["dnll"]), "p_dnll_positive": p, "nll": stats.summary(e["nll"]),
           "baseline_nll": _finite(e["baseline"]), "r2_orig": stats.nanmean_or_none(e["r2_orig"]),
           "r2_heldout": stats.nanmean_or_none(e["r2_heldout"]), "r2_input_only": _finite(e["r2_input"])}
    per_seed = {k: _finite(np.asarray(e[k], np.float64)) for k in ("dnll", "nll", "r2_orig", "r2_heldout")}
    return out, per_seed


def run_job(job, s, seed=0, log_every=None):
    """Train and evaluate one configuration; returns (record, arrays). record["per_seed"] holds
    the per-seed numbers the cross-job comparisons pair (struct - null by seed)."""
    job.check()
    t0, cpu0, load0 = time.perf_counter(), time.process_time(), os.getloadavg()[0]
    rng = streams(job, seed)
    world = make_world(WORLDS[job.world], job.variant, rng["data"], n_train=s["n_train"], n_eval=s["n_eval"],
                       T=s["T"][job.world])
    tr = train.train_ensemble(job.model, job.H, [world], s["seeds"], s["steps"], rng["init"], rng["order"],
                              batch=s["batch"], lr=s["lr"], mode=job.mode,
                              log_every=log_every or s["log_every"], label=job.name)
    evals = {"trained": train.evaluate(job.model, tr["params"], world, rng["eval"])}
    if job.mode == "full" and job.variant == "struct":              # the original's two controls
        evals["untrained"] = train.evaluate(job.model, tr["init"], world, rng["eval"])
        evals["scrambled"] = train.evaluate(job.model, train.scramble(tr["params"], rng["eval"]), world,
                                            rng["eval"])
    summary, per_seed, arrays = {}, {}, {}
    for name, e in evals.items():
        summary[name], per_seed[name] = _eval_block(e, s["n_flips"], rng["eval"])
        arrays.update({f"{name}_{k}": np.asarray(evals[name][k], np.float64)
                       for k in ("dnll", "nll", "r2_orig", "r2_heldout")})
    arrays.update({f"params_{k}": v for k, v in tr["params"].items()})
    arrays.update({f"init_{k}": v for k, v in tr["init"].items()})
    arrays["curve"] = tr["curve"]
    wall = time.perf_counter() - t0
    record = {
        "suite": "tiny-worlds", "job": asdict(job), "name": job.name, "seed": seed, "settings": s,
        "world": WORLDS[job.world], "n_params": models.n_params(job.model, job.H),
        "summary": summary, "per_seed": per_seed,
        "final_train_nll": tr["curve"][-1] if len(tr["curve"]) else None,
        "timing": {"wall_s": wall, "cpu_s": time.process_time() - cpu0, "train_wall_s": tr["wall_s"],
                   "ms_per_seed_step": tr["ms_per_step_train_only"] / s["seeds"],
                   "load_avg_1min_start_end": [load0, os.getloadavg()[0]]},
        "env": env_info(), "commit": _commit(),
    }
    return record, arrays


def _commit():
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                             timeout=10, cwd=Path(__file__).resolve().parent)
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def write_result(out, record, arrays):
    """result.npz, then result.json, each atomically: a result.json means the job finished."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    save_npz(out.with_suffix(".npz"), **arrays)
    atomic_write_bytes(out, (json.dumps(to_jsonable(record), indent=1) + "\n").encode())


def finished(out, job, s, seed):
    """The result at ``out`` if it is a finished run of exactly this job, settings and seed, else None."""
    try:
        res = json.loads(Path(out).read_text())
    except (OSError, ValueError):
        return None
    if res.get("name") != job.name or res.get("settings") != s or res.get("seed") != seed:
        return None
    return res if Path(out).with_suffix(".npz").is_file() else None


def load_job(out_dir, name):
    """A finished job: (result, trained parameters, initial parameters, world). The world is rebuilt
    from the job's own data stream, so it holds the very sequences the job trained and evaluated on.
    Raises FileNotFoundError when the job has not finished."""
    folder = Path(out_dir) / name
    if not (folder / "result.json").is_file():
        raise FileNotFoundError(f"{folder / 'result.json'} is missing: the job {name} has not finished")
    res = json.loads((folder / "result.json").read_text())
    job, s = JOBS[name], res["settings"]
    with np.load(folder / "result.npz") as z:
        params = {k[len("params_"):]: z[k].astype(np.float64) for k in z.files if k.startswith("params_")}
        init = {k[len("init_"):]: z[k].astype(np.float64) for k in z.files if k.startswith("init_")}
    world = make_world(WORLDS[job.world], job.variant, streams(job, res["seed"])["data"],
                       n_train=s["n_train"], n_eval=s["n_eval"], T=s["T"][job.world])
    return res, params, init, world


# ----------------------------------------------------------------------------------------------
# One job as a process (what the runner starts)
# ----------------------------------------------------------------------------------------------
def build_parser():
    ap = argparse.ArgumentParser(prog="python3 -m shared.tiny_worlds.suite",
                                 description="run ONE job of the tiny-worlds suite "
                                             "(the runner: python3 -m catalog suite)")
    ap.add_argument("--job", required=True, help="job name (e.g. E3-gru16-struct)")
    ap.add_argument("--out", required=True, type=cli.writable_path,
                    help="result.json to write (npz beside it)")
    ap.add_argument("--seed", type=cli.seed_int, default=0, help="master seed of the suite")
    ap.add_argument("--quick", action="store_true", help="the quick sizes (seconds)")
    ap.add_argument("--seeds", type=cli.int_range(2, train.MAX_SEEDS), default=None,
                    help="override the seeds per job")
    ap.add_argument("--steps", type=cli.int_range(1, train.MAX_STEPS), default=None,
                    help="override the Adam steps")
    return ap


def main(argv=None):
    a = build_parser().parse_args(argv)
    if a.job not in JOBS:
        print(f"error: unknown job {a.job!r}", file=sys.stderr)
        return 2
    job, s = JOBS[a.job], settings(a.quick, a.seeds, a.steps)
    if finished(a.out, job, s, a.seed) is not None:
        print(f"{job.name}: already finished ({a.out})")
        return 0
    print(f"{job.name}: {s['seeds']} seeds x {s['steps']} steps, T {s['T'][job.world]}, "
          f"~{cli.clock(cost_s(job, s))} expected on a quiet machine", flush=True)
    try:
        record, arrays = run_job(job, s, a.seed)
    except KeyboardInterrupt:
        print(f"{job.name}: interrupted; nothing written", file=sys.stderr)
        return 130
    write_result(a.out, record, arrays)
    d = record["summary"]["trained"]["dnll"]
    print(f"{job.name}: ΔNLL {d['mean']:+.4f} ± {d['sd']:.4f} over {s['seeds']} seeds; wrote {a.out} "
          f"in {cli.clock(record['timing']['wall_s'])}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
