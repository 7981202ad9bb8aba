"""Diagnostics of compete-to-compute: forgetting statistics over seeds, the LWTA winners on the two
tasks' inputs, and each hidden unit's weight change during phase 2.

Loaded by ``compete_to_compute.py`` (``cli.load_sibling``); uses its forward pass and constants.
"""
import numpy as np

from compete_to_compute import KINDS, activate, unit_change
from shared.stats import ci95, sign_flip_test, t_interval

RARE = 0.05      # a unit is "rarely used by task 2" when its gate averages below this on task-2 inputs


def subset(rng, task, n):
    """n test images of a task (x (n, 784), y (n,)), drawn once from the eval stream."""
    idx = np.sort(rng.choice(len(task[3]), size=min(n, len(task[3])), replace=False))
    return task[2][idx], task[3][idx]


def gates(p, x):
    """Mean gate dh/da of every hidden unit over the images x (N, 784): two arrays (K, S, H),
    one per hidden layer, and the LWTA blocks' share of unit 0 winning, two arrays (S, H/2)."""
    S = p["W1"].shape[1]
    xb = np.broadcast_to(x, (S,) + x.shape)[None]
    h1, g1 = activate(xb @ p["W1"] + p["b1"][..., None, :], KINDS)
    _, g2 = activate(h1 @ p["W2"] + p["b2"][..., None, :], KINDS)
    k = KINDS.index("lwta")
    return [g1.mean(-2), g2.mean(-2)], [g[k][..., 0::2].mean(-2) for g in (g1, g2)]


def pearson(a, b):
    a, b = a - a.mean(), b - b.mean()
    den = np.sqrt((a * a).sum() * (b * b).sum())
    return float((a * b).sum() / den) if den > 0 else 0.0


def paired(d):
    """Paired differences d (S,) (LWTA minus another kind): mean, 95 % t-interval, sign-flip p of
    "LWTA forgets less" (mean below 0), and how many seeds have LWTA below."""
    mean, lo, hi = t_interval(d)
    _, p = sign_flip_test(-d, alternative="greater", exact=True)
    return {"mean": mean, "lo": lo, "hi": hi, "p": p, "wins": int((d < 0).sum()), "values": d}


def summarise(end, curves, probes, cfg):
    """metrics (for results.json) and arrays (for the figures) of one run.

    end[t]: the nets and full-test-set errors (K, S) after phase t; curves[t]: train_phase's
    curve; probes: (x, y) test subsets of the two tasks."""
    S = cfg["n_seeds"]
    e = {key: end[t][f"err{task}"] for t in (0, 1) for task in (1, 2)
         for key in [f"err{task}_after{t + 1}"]}
    forget = 100 * (e["err1_after2"] - e["err1_after1"])                # (K, S) points
    F = {k: dict(zip(("mean", "half"), ci95(forget[i]), strict=True), values=forget[i])
         for i, k in enumerate(KINDS)}
    li = KINDS.index("lwta")
    F["paired"] = {f"lwta_minus_{k}": paired(forget[li] - forget[i])
                   for i, k in enumerate(KINDS) if k != "lwta"}
    final = {k: {key: dict(zip(("mean", "half"), ci95(v[i]), strict=True), values=v[i])
                 for key, v in e.items()} for i, k in enumerate(KINDS)}

    # gates and winners at the end of each phase, on task-1 and task-2 inputs
    use, win = {}, {}
    for t in (0, 1):
        for task in (0, 1):
            use[t, task], win[t, task] = gates(end[t]["p"], probes[task][0])
    routing = {}
    for t in (0, 1):
        routing[f"after{t + 1}"] = {
            f"layer{j + 1}": {
                "lwta_blocks_switching_winner": float(((win[t, 0][j] > 0.5) != (win[t, 1][j] > 0.5)).mean()),
                "lwta_mean_abs_winner_share_diff": float(np.abs(win[t, 0][j] - win[t, 1][j]).mean()),
                "mean_abs_gate_diff": {k: float(np.abs(use[t, 0][j][i] - use[t, 1][j][i]).mean())
                                       for i, k in enumerate(KINDS)},
                "units_rarely_used_by_task2": {k: float((use[t, 1][j][i] < RARE).mean())
                                               for i, k in enumerate(KINDS) if k != "sigmoid"}}
            for j in (0, 1)}

    # weight change of each unit's incoming weights during phase 2, against its task-2 gate
    change = [unit_change(end[0]["p"][W], end[1]["p"][W]) for W in ("W1", "W2")]   # (K, S, H) each
    weights = {}
    for j in (0, 1):
        u2 = use[0, 1][j]                                               # task-2 gate before phase 2
        weights[f"layer{j + 1}"] = {k: {
            "median_rel_change": float(np.median(change[j][i])),
            "corr_with_task2_gate": float(np.mean([pearson(u2[i, s], change[j][i, s]) for s in range(S)])),
            "median_rel_change_rarely_used": (float(np.median(change[j][i][u2[i] < RARE]))
                                              if (u2[i] < RARE).any() else None),
            "median_rel_change_often_used": float(np.median(change[j][i][u2[i] >= RARE]))
            if (u2[i] >= RARE).any() else None}
            for i, k in enumerate(KINDS)}

    metrics = {"forgetting": F, "final": final, "routing": routing, "weight_change": weights,
               "timing": {}}
    arrays = {
        "curve_err1": np.concatenate([curves[0]["err1"], curves[1]["err1"]]),     # (points, K, S)
        "curve_err2": np.concatenate([curves[0]["err2"], curves[1]["err2"]]),
        "curve_images": np.concatenate([curves[0]["images"], curves[0]["images"][-1] + curves[1]["images"]]),
        "phase1_points": np.array(len(curves[0]["images"])),
        "dW_curve": curves[1]["dW"],                                   # (points2, K, H) layer 1, seed 0
        "forgetting": forget,                                          # (K, S) points
        "change_W1": change[0], "change_W2": change[1],                # (K, S, H)
        "gate1_task1": use[0, 0][0], "gate1_task2": use[0, 1][0],      # (K, S, H) layer 1, after phase 1
        "gate2_task1": use[0, 0][1], "gate2_task2": use[0, 1][1],
        "win1_task1": win[0, 0][0], "win1_task2": win[0, 1][0],        # (S, H/2) LWTA, after phase 1
        "win1_task1_after2": win[1, 0][0], "win1_task2_after2": win[1, 1][0],
    }
    return metrics, arrays
