"""The guessing loop: many independent RG runs at once, each with its own training set and its own
weight stream.

Run r draws nets from its own generator, ``block`` at a time, and stops at the first net that
classifies all of its training sequences correctly; its trial count is that net's index in the
run's stream (1-based). Because each net consumes the same uniforms however many are drawn per
call (``net.guess``), the trial count does not depend on ``block``: blocks only set how many nets
share one numpy call. Early rejection: every net is first run on the first ``stages[0]`` training
sequences (one per class, since the tasks alternate classes); only the nets that get those right
go on to the next ``stages[1]`` sequences, and so on, and then to the rest. A net must be right on
every sequence, so this changes nothing but the cost.
"""
import numpy as np

from shared.random_guess.net import correct, guess


def search_reference(arch, data, run, rng, max_trials, tol=0.1, draw=None, first_input=None):
    """Plain RG for one run: one net at a time on all training sequences. Returns (trials or 0,
    solver params or None). ``data`` as in ``search``; the same draws as ``search`` makes."""
    draw = draw or (lambda g, k: guess(arch, g, k))
    B = data["target"].shape[1]
    idx = np.arange(B)
    for trial in range(1, max_trials + 1):
        p = draw(rng, 1)
        fi = None if first_input is None else first_input(p, np.array([run]), idx)
        if correct(arch, p, data, idx, np.array([run]), fi, tol).all():
            return trial, {k: v[0] for k, v in p.items()}
    return 0, None


def search(arch, data, rngs, max_trials, block=1024, stages=(2, 8), tol=0.1, draw=None, first_input=None,
           on_block=None):
    """RG for R runs at once.

    data: x (T, R, B, D) zero-padded, lengths (R, B), target (R, B) (plus whatever ``first_input``
    reads). rngs: R generators, one weight stream per run. draw(rng, k) -> params dict with W (k, U, U),
    V (k, U, D), b (k, U) and any extra guessed parameters (default ``guess(arch, rng, k)``).
    first_input(params, run_of, idx) -> (N, len(idx), D) or None: a guessed first input (latch I).
    Returns dict trials (R,) (0 = not solved within max_trials), solved (R,) bool, drawn (R,),
    solvers: list of R param dicts (None where unsolved)."""
    draw = draw or (lambda g, k: guess(arch, g, k))
    R, B = data["target"].shape
    cuts = np.minimum(np.cumsum([0, *stages, B]), B)
    parts_idx = [np.arange(a, b) for a, b in zip(cuts[:-1], cuts[1:], strict=True) if b > a]
    trials = np.zeros(R, np.int64)
    drawn = np.zeros(R, np.int64)
    done = np.zeros(R, bool)
    solvers = [None] * R
    while True:
        active = np.flatnonzero(~done & (drawn < max_trials))
        if active.size == 0:
            break
        # when few runs are left, each gets a larger block so a numpy call stays large (up to 8x);
        # the trial counts do not depend on it
        per_run = block * min(8, max(1, R // active.size))
        ks = np.minimum(per_run, max_trials - drawn[active])
        parts = [draw(rngs[r], int(k)) for r, k in zip(active, ks, strict=True)]
        params = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
        run_of = np.repeat(active, ks)
        ok = np.ones(len(run_of), bool)
        for idx in parts_idx:                       # early rejection, stage by stage
            alive = np.flatnonzero(ok)
            if alive.size == 0:
                break
            sub = {k: v[alive] for k, v in params.items()}
            fi = None if first_input is None else first_input(sub, run_of[alive], idx)
            ok[alive] = correct(arch, sub, data, idx, run_of[alive], fi, tol).all(axis=1)
        offsets = np.concatenate([[0], np.cumsum(ks)])
        for j, r in enumerate(active):
            seg = ok[offsets[j]:offsets[j + 1]]
            if seg.any():
                i = int(np.argmax(seg))
                trials[r] = drawn[r] + i + 1
                done[r] = True
                solvers[r] = {k: v[offsets[j] + i] for k, v in params.items()}
            drawn[r] += ks[j]
        if on_block is not None:
            on_block(int(done.sum()), R, int(drawn.sum()))
    return {"trials": trials, "solved": done, "drawn": np.where(done, trials, drawn), "solvers": solvers}


def trial_stats(trials, solved, max_trials, rng, n_boot=2000):
    """Median, mean, a 95 % percentile-bootstrap interval of the mean over solved runs (trial
    counts are geometric, far from normal, so a t interval would dip below zero), and the per-draw
    success probability p = solved runs / all draws (the geometric maximum-likelihood estimate,
    counting an unsolved run's max_trials draws as failures), with 1/p."""
    t = np.asarray(trials)[np.asarray(solved)]
    n_draws = int(np.where(solved, trials, max_trials).sum())
    p = len(t) / n_draws if n_draws else 0.0
    out = {"runs": int(len(trials)), "solved": int(len(t)), "draws": n_draws, "p_success": p,
           "one_over_p": (1.0 / p) if p > 0 else None}
    if len(t) >= 2:
        boot = t[rng.integers(0, len(t), size=(n_boot, len(t)))].mean(axis=1)
        lo, hi = np.percentile(boot, [2.5, 97.5])
        out.update(median=float(np.median(t)), mean=float(t.mean()), ci95=[float(lo), float(hi)],
                   min=int(t.min()), max=int(t.max()))
    elif len(t) == 1:
        out.update(median=float(t[0]), mean=float(t[0]), ci95=None, min=int(t[0]), max=int(t[0]))
    return out
