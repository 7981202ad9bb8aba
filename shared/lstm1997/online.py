"""The 1997 experiments' online regime: S nets in lock-step, one training sequence each per update.

Experiments 4-6 (adding-problem, multiplication-problem, temporal-order-3bit and -4bit) train
every net on its own stream of sequences, one weight update per sequence, the error only at the
sequence's last step, until a stopping rule on the most recent training sequences is met. This
module holds the loop, once; what differs per stub comes in as arguments:

    out = online.train(net, p, draw, rule, max_sequences, lr=0.5, opt=None, name="lstm1997",
                       snapshot=snap, n_snaps=40, log=log, log_every=5000)

- ``net`` (shared.lstm1997.nets): forward, readout, grads (its training gradient);
- ``draw(n)``: the next n training sequences of every net, (x (L, S, n, n_in), target (S, n, ...),
  length (S, n)), drawn 256 at a time (the stubs' stream: the order of random draws is part of
  their committed numbers);
- ``rule``: the stopping rule: ``active`` (S,) bool and ``update(k, err, p)`` after each update
  (``ST3Rule`` here, or the stub's own); ``watch(k, y, target)`` sees each sequence's outputs;
- the update: plain online gradient descent w <- w - lr dE/dw (the paper's) when ``opt`` is None,
  else one step of the per-net optimiser (Adam for the baselines); nets whose rule is met freeze;
- ``snapshot(p)`` every max_sequences / n_snaps sequences and at the cap: (state, outputs) of a
  probe, stacked into snap_state and snap_y; ``log(k)`` every ``log_every`` sequences, at the cap
  and when every net has stopped (curves and the printed line are the stub's).

E = 1/2 sum_k err_k^2 with err = y - target at the last step, so dE/dy = err.

A 1997 net (nets.BlocksNet on cell.forward or cell.forward_folded) trained by plain gradient
descent runs each sequence through fast.LastStepSGD: the same operations in the same order in
buffers made once, bit-identical to the plain path (tests/test_lstm1997_fast.py) and about twice
as fast (benchmarks/lstm1997.py); ``fast=False`` forces the plain path.
"""
import os
import time

import numpy as np

from shared import cli
from shared.checkpoint import Checkpoint, folder_beside, remove_folder
from shared.ensemble import map_jobs, per_seed
from shared.lstm1997 import fast as fused
from shared.online import ST3, adam_step_active
from shared.rng import streams

CHUNK = 256             # training sequences drawn at a time, for every net


def sgd_step_active(p, grads, lr, active):
    """w <- w - lr dE/dw for the nets with ``active`` (S,) True; the others keep their weights."""
    for n in p:
        p[n] -= lr * grads[n] * active.reshape((-1,) + (1,) * (p[n].ndim - 1))


def train(net, p, draw, rule, max_sequences, lr=None, opt=None, name="net", watch=None, snapshot=None,
          n_snaps=40, log=None, log_every=5000, fast=True, checkpoint=None, state=None):
    """Train the S nets of ``p`` in place until every one met ``rule`` or the cap; see the module
    docstring. Returns {"params", "n_trained"} and, with ``snapshot``, snap_n (n,), snap_state
    and snap_y (the stacked snapshots).

    A 1997 net trained by plain gradient descent runs each sequence through the fused step of
    fast.py (the same arithmetic, bit for bit, in preallocated buffers); ``fast=False``, another
    net or an optimiser takes the plain path below (net.forward, net.readout, net.grads).

    ``checkpoint`` (shared.checkpoint.Checkpoint, its ``every`` a multiple of CHUNK) makes the loop
    resumable: the weights, optimiser, rule, snapshots and the caller's ``state`` (a dict of the
    other objects the loop changes: the data stream's generator, curves, ...) are saved before
    every ``every``-th chunk is drawn and once more at the end, and restored in place at the
    start, so a resumed run is bit-identical to one that was never stopped."""
    snaps, snap_n = [], []
    snap_every = max(1, max_sequences // n_snaps)
    use_fused = fast and opt is None and fused.supports(net, p)
    fused_step = fused.LastStepSGD(net, p["W"].shape[0]) if use_fused else None
    ck = checkpoint if checkpoint is not None else Checkpoint(None, 1, None)
    if ck.path is not None and ck.every % CHUNK:
        raise ValueError(f"checkpoint every {ck.every} is not a multiple of the chunk ({CHUNK})")
    objects = {"p": p, "rule": rule, "snaps": snaps, "snap_n": snap_n, **(state or {})}
    if opt is not None:
        objects["opt"] = opt
    k0 = ck.restore(objects)
    if k0:
        print(f"  {name}: resumed at sequence {k0:,} from {ck.path}" + (" (finished)" if ck.final else ""),
              flush=True)
    k = k0 - 1
    for k in range(k0, k0 if ck.final else max_sequences):
        if ck.due(k):
            ck.save(k, objects)
        if k % CHUNK == 0:
            xs, ts, lens = draw(CHUNK)
        j = k % CHUNK
        L = int(lens[:, j].max())
        last = lens[:, j:j + 1] - 1                                     # (S, 1)
        if fused_step is not None:
            y, err = fused_step.sequence(p, xs[:L, :, j:j + 1], last, ts[:, j])
            cli.check_finite(k, **{f"{name} output": err, f"{name} weights W": p["W"]})
            fused_step.sgd(p, fused_step.grads(p, err), lr, rule.active)
        else:
            cache = net.forward(p, xs[:L, :, j:j + 1])
            y, _ = net.readout(p, cache, last)
            err = y[:, 0] - ts[:, j]                                    # (S,) or (S, K)
            cli.check_finite(k, **{f"{name} output": err, f"{name} weights W": p["W"]})
            grads = net.grads(p, cache, last, err[:, None])             # dE/dy = err
            if opt is not None:
                adam_step_active(opt, grads, rule.active)
            else:
                sgd_step_active(p, grads, lr, rule.active)
        rule.update(k, err, p)
        if watch is not None:
            watch(k, y[:, 0], ts[:, j])                                 # e.g. a running accuracy
        if snapshot is not None and (k % snap_every == 0 or k == max_sequences - 1):
            snaps.append(snapshot(p))
            snap_n.append(k + 1)
        finished = not rule.active.any()
        if log is not None and ((k + 1) % log_every == 0 or k + 1 == max_sequences or finished):
            log(k)
        if finished:
            break
    ck.save(k + 1, objects, final=True)
    out = {"params": p, "n_trained": k + 1}
    if snaps:
        out["snap_n"] = np.array(snap_n)
        out["snap_state"] = np.stack([s for s, _ in snaps])
        out["snap_y"] = np.stack([y for _, y in snaps])
    return out


class ST3Rule:
    """ST3 (Exps. 4-6): a net stops once its ``window`` most recent training sequences were all
    correct (every output's |err| < tol) and their mean error is below max_mean.

    A sequence's error is sum_k err_k^2 (``error="squared"``) or sum_k |err_k| (``"absolute"``).
    Where tol^2 < max_mean (the adding problem: tol 0.04, max_mean 0.01) the squared reading makes
    the mean-error condition follow from the correctness one, so only the absolute reading gives
    the paper's second condition any force."""

    def __init__(self, S, window, max_mean, tol, error="squared"):
        if error not in ("squared", "absolute"):
            raise ValueError(f"ST3Rule: error must be squared or absolute, got {error!r}")
        self.st3, self.tol, self.error = ST3(S, window, max_mean), tol, error

    @property
    def active(self):
        return self.st3.active

    def update(self, k, err, p=None):
        e = err.reshape(err.shape[0], -1)                               # (S, K), K = 1 for one output
        a = np.abs(e)
        self.st3.update(k, a.max(axis=1) < self.tol, (e ** 2 if self.error == "squared" else a).sum(axis=1))


# ----------------------------------------------------------------------------------------------
# Snapshots of a probe during training (for the stubs' GIFs)
# ----------------------------------------------------------------------------------------------
def probe_every_net(net, probe):
    """probe = (x (L, 1, 1, n_in), last (1, 1)): one sequence run through every net. Returns
    snapshot(p) -> (net 0's cell states s (L, C) along it, every net's output (S,)); None without
    a probe."""
    if probe is None:
        return None
    xp, lastp = probe

    def snapshot(p):
        S = p["W"].shape[0]
        cache = net.forward(p, per_seed(xp, S))
        y, _ = net.readout(p, cache, np.broadcast_to(lastp, (S, 1)))
        return cache["s"][1:, 0, 0], y[:, 0]
    return snapshot


def probe_net0(net, probe):
    """probe = (x (L, 1, P, n_in), last (1, P)): P sequences through net 0. Returns snapshot(p) ->
    (its state along them: cell states s (L, P, C), or an RNN's h; its outputs (P, ...)); None
    without a probe."""
    if probe is None:
        return None
    xp, lastp = probe

    def snapshot(p):
        p0 = {n: v[:1] for n, v in p.items()}
        cache = net.forward(p0, xp)
        y, _ = net.readout(p0, cache, lastp)
        return cache["s"][1:, 0] if "s" in cache else cache["yc"][:, 0], y[0]
    return snapshot


# ----------------------------------------------------------------------------------------------
# Every kind of net at once, one worker process each
# ----------------------------------------------------------------------------------------------
def _kind_job(job):
    """One kind of net, all seeds (run in a worker process): its named streams are drawn anew, so
    every kind sees the same "data" stream."""
    train_online, kind, seed, cfg, probe, stream_names, extra = job
    r = streams(seed, stream_names)
    timer, cpu0 = cli.Timer(), time.process_time()
    if cfg.get("checkpoint_dir"):                       # resumable: see train and shared/checkpoint.py
        fingerprint = {"cfg": {k: v for k, v in cfg.items() if k not in CHECKPOINT_FREE}, "seed": seed,
                       "kind": kind}
        extra = {**extra, "checkpoint": Checkpoint(os.path.join(cfg["checkpoint_dir"], f"{kind}.pkl"),
                                                   cfg["checkpoint_every"], fingerprint)}
    out = train_online(kind, cfg["n_seeds"], cfg["T"], cfg["max_sequences"], r["init_" + kind], r["data"],
                       probe=probe, n_snaps=cfg["n_snaps"], log_every=cfg["log_every"], timer=timer,
                       lr=cfg["lr"], **extra)
    out["wall_s"], out["cpu_s"], out["load"] = timer(), time.process_time() - cpu0, os.getloadavg()[0]
    return kind, out


# config entries that do not change what a run computes (a checkpoint stays valid across them)
CHECKPOINT_FREE = ("workers", "checkpoint_dir", "checkpoint_every", "budget")


def checkpoint_config(out, seed, every=CHUNK * 200):
    """The config entries that make a headline run resumable: its checkpoints go to a hidden folder
    beside its results (``.<results stem>-seed<seed>.checkpoint/<kind>.pkl``), saved every
    ``every`` sequences (51,200 by default); remove_checkpoints clears it once the results exist."""
    return {"checkpoint_dir": folder_beside(out, seed), "checkpoint_every": every}


def remove_checkpoints(cfg):
    """Delete a finished run's checkpoint folder (call after its results are written)."""
    remove_folder(cfg.get("checkpoint_dir"))


def drop_checkpoints(out, seed):
    """Delete the checkpoints of the run whose results go to ``out`` (call once they are written)."""
    remove_checkpoints(checkpoint_config(out, seed))


def train_kinds(train_online, kinds, seed, cfg, probe, stream_names, workers, resumable_out=None, **extra):
    """{kind: train_online(kind, cfg's sizes, its "init_<kind>" and the "data" stream, ...)} for every
    kind, side by side in up to ``workers`` processes; each result also holds wall_s, cpu_s (the
    machine may be shared) and load (the 1-minute load average at its end).

    resumable_out: the run's results path, or None. When given, every kind checkpoints to a hidden
    folder beside it (checkpoint_config) and a re-run with the same configuration continues from
    there; call drop_checkpoints(resumable_out, seed) once the results are written."""
    if resumable_out is not None:
        cfg = {**cfg, **checkpoint_config(resumable_out, seed)}
    jobs = [(train_online, kind, seed, cfg, probe, stream_names, extra) for kind in kinds]
    return dict(map_jobs(_kind_job, jobs, workers))


# ----------------------------------------------------------------------------------------------
# Verdicts on the stopping-rule rows of the papers' tables (Tables 7-9)
# ----------------------------------------------------------------------------------------------
def verdict_all_met(n_met, n):
    """Nets meeting the stopping rule within the cap: yes when all n did, partial when some did."""
    return "yes" if n_met == n else ("partial" if n_met else "no")


def verdict_sequences(mean_seq, n_met, n, paper_mean):
    """Sequences until the stopping rule (mean over the nets that met it): yes when every net met it
    within twice the paper's mean, partial when some met it, no when none did."""
    if not n_met or mean_seq is None:
        return "no"
    return "yes" if n_met == n and mean_seq <= 2 * paper_mean else "partial"
