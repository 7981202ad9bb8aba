"""Random weight guessing on Tasks 3a and 3c (``two_sequence_noise.py --setting guessing``).

The paper remarks (Section 5.3) that Task 3a is so simple that random weight guessing solves it
faster than LSTM and every other published method, while 3c, which needs precise weights, cannot
be solved quickly by guessing. It gives no numbers and no protocol; this is ours, on the paper's
own 102-weight net (``two_sequence_noise.py``):

    REPEAT draw all 102 weights uniformly from [-R, R] UNTIL the net passes the task's stopping
    test on its 256 test sequences (3a: ST1, and ST2 is recorded; 3c: its stop test)

R = 100 is the interval of Schmidhuber and Hochreiter's guessing experiments. Candidates are
screened on the first 32 test sequences; those that pass run on all 256, and the solutions on
2560 fresh sequences. One stream of trials per task; the trials between successive solutions are
independent searches. The cost is counted in sequence forward passes.
"""
import time

import numpy as np

from shared import cli
from shared.rng import streams
from two_sequence_noise import (N_TEST_FINAL, N_TEST_STOP, PAPER_NET, RULES, load_average, lstm_outputs,
                                two_sequence_batch)

GUESSING_QUICK = {"T": 20, "guess_trials": 2000}
LSTM_ST1_3A = 27_380           # the paper's mean sequences to ST1 on 3a, T = 100, N = 3 (Table 4)


def guess_task(v, r, T, N_info, R, max_trials, batch, screen, n_final):
    """Random nets for task v until max_trials: trial numbers of the ST1 and ST2 solutions, the
    fraction of n_final fresh sequences each ST1 solution misclassifies, and the forward passes."""
    rule = RULES[v]
    x, clean, _, _, length = two_sequence_batch(r["eval"], (1, N_TEST_STOP), T, N_info, v)
    xf, cleanf, _, _, lenf = two_sequence_batch(r["eval"], (1, n_final), T, N_info, v)
    x, xf = x.astype(np.float32), xf.astype(np.float32)
    tol, strict = rule["tol"], v == "3c"

    def wrong_at(e):                                        # 3c: above 0.1; 3a: 0.2 or more
        return e > tol if strict else e >= tol

    def errors(p, xx, cc, ll):
        B = p["W"].shape[0]
        xb = np.broadcast_to(xx, (xx.shape[0], B) + xx.shape[2:])
        return np.abs(lstm_outputs(PAPER_NET, p, xb, np.broadcast_to(ll - 1, (B, ll.shape[1]))) - cc)
    hits, hits_st2, frac_final, n_eval = [], [], [], 0
    log_every, t_loop = max(batch, -(-max_trials // 10 // batch) * batch), cli.Timer()   # ~10 lines a task
    for start in range(0, max_trials, batch):
        B = min(batch, max_trials - start)
        p = {"W": r["init"].uniform(-R, R, size=(B, PAPER_NET.D, PAPER_NET.H)).astype(np.float32),
             "V": r["init"].uniform(-R, R, size=(B, 1, PAPER_NET.C)).astype(np.float32)}
        e = errors(p, x[:, :, :screen], clean[:, :screen], length[:, :screen])
        n_eval += B * screen
        keep = np.flatnonzero(wrong_at(e).sum(axis=1) <= rule["max_wrong"])
        if keep.size:
            pk = {k: w[keep] for k, w in p.items()}
            ek = errors(pk, x, clean, length)
            n_eval += keep.size * N_TEST_STOP
            ok1 = wrong_at(ek).sum(axis=1) <= rule["max_wrong"]
            ok2 = ok1 & (ek.mean(axis=1) < rule["max_mae"])
            hits += (start + keep[ok1] + 1).tolist()
            hits_st2 += (start + keep[ok2] + 1).tolist()
            if ok1.any():
                ef = errors({k: w[ok1] for k, w in pk.items()}, xf, cleanf, lenf)
                frac_final += wrong_at(ef).mean(axis=1).tolist()
        if (start + B) % log_every == 0 or start + B == max_trials:
            print(f"  {v} trial {start + B:11,d}  passed the first test {len(hits):6d}, "
                  f"the second {len(hits_st2):6d}  {cli.progress(start + B, max_trials, t_loop())}",
                  flush=True)
    return hits, hits_st2, frac_final, n_eval


def verdict_guessing_3a(per):
    """yes: a 3a solution costs fewer sequence forward passes than LSTM's training sequences."""
    return "no" if per is None else ("yes" if per < LSTM_ST1_3A else "partial")


def verdict_guessing_3c(n_stop):
    """yes: no random net passes 3c's stop test (the paper: it cannot be solved quickly)."""
    return "yes" if n_stop == 0 else "no"


def guessing_headline(v, m, max_trials, n_final):
    hits, hits_st2, frac_final = (m["st1_solutions_at_trial"], m["st2_solutions_at_trial"],
                                  m["frac_misclassified_final_of_solutions"])
    mt = m["mean_trials_between_st1_solutions"]
    if v == "3a":
        per = (m["sequence_forward_passes"] / len(hits)) if hits else None
        return {
            "name": "3a by random weight guessing: sequence forward passes per net passing ST1",
            "value": per if per is not None else f"none in {max_trials:,} trials",
            "paper_value": f"fewer than LSTM's {LSTM_ST1_3A:,} training sequences (no number given)",
            "verdict": verdict_guessing_3a(per),
            "note": f"{len(hits)} of {max_trials:,} random nets pass ST1 ({mt and round(mt)} trials each "
                    f"on average), {len(hits_st2)} also ST2; their fraction of {n_final} fresh sequences "
                    f"misclassified: mean {np.mean(frac_final) if frac_final else float('nan'):.4f}"}
    return {
        "name": "3c by random weight guessing: random nets passing the stop test",
        "value": f"{len(hits_st2)} of {max_trials:,}", "paper_value": "cannot be solved quickly",
        "verdict": verdict_guessing_3c(len(hits_st2)),
        "note": f"{len(hits)} of them classify all 256 within 0.1; the stop test also needs mean "
                "|err| < 0.015"}


def run_guessing(args, timer):
    """Random weight guessing on Tasks 3a and 3c; returns config, metrics, headline, None, arrays."""
    cli.quick(args, **GUESSING_QUICK)
    T, N_info = args.T, args.N
    R, batch, screen = args.guess_range, 200 if args.quick else 1000, 32
    max_trials = args.guess_trials
    n_final = 128 if args.quick else N_TEST_FINAL
    cfg = {"setting": "guessing", "variants": ["3a", "3c"], "T": T, "N": N_info, "weight_range": R,
           "max_trials": max_trials, "batch": batch, "screen": screen, "n_test_stop": N_TEST_STOP,
           "n_test_final": n_final, "rules": {v: RULES[v] for v in ("3a", "3c")}}
    print(f"random weight guessing: T={T}, N={N_info}, weights U[-{R}, {R}], {max_trials:,} trials per task")
    r = streams(args.seed, ["init", "data", "eval"])
    metrics, headline, arrays = {}, [], {}
    for v in ("3a", "3c"):
        hits, hits_st2, frac_final, n_eval = guess_task(v, r, T, N_info, R, max_trials, batch, screen,
                                                        n_final)
        gaps = np.diff([0] + hits)
        metrics[v] = {"st1_solutions_at_trial": hits, "st2_solutions_at_trial": hits_st2,
                      "st1_fraction": len(hits) / max_trials, "st2_fraction": len(hits_st2) / max_trials,
                      "mean_trials_between_st1_solutions": float(gaps.mean()) if hits else None,
                      "sequence_forward_passes": n_eval,
                      "frac_misclassified_final_of_solutions": frac_final}
        print(f"  {v}: {len(hits)} of {max_trials:,} random nets pass the first test, {len(hits_st2)} "
              f"the second; {n_eval:,} sequence forward passes  {timer():7.1f}s", flush=True)
        arrays[f"{v}_hits"] = np.array(hits, dtype=np.int64)
        headline.append(guessing_headline(v, metrics[v], max_trials, n_final))
    metrics["timing"] = {"wall_s": timer(), "process_cpu_s": time.process_time(),
                         "load_average_at_start": args.load_at_start, "load_average_at_end": load_average()}
    return cfg, metrics, headline, None, arrays
