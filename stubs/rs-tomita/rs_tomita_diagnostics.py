"""Analysis of the random-guessing solvers of rs_tomita.py: how they classify strings they never saw
(every other string of length 1..14, then longer ones), how many distinct end states they use
against the grammar's minimal automaton, and their Lyapunov exponents along long strings.

Loaded on demand by rs_tomita.py (``cli.load_sibling``); the grammars, the string encoding and the
test sets are that file's.
"""
import numpy as np

from rs_tomita import DFA_STATES, TOL, accepted_string, encode, long_set, test_set
from shared.lyapunov import qr_spectrum
from shared.random_guess import net


def solver_params(res):
    runs = np.flatnonzero(res["solved"])
    return runs, {k: np.stack([res["solvers"][r][k] for r in runs]) for k in res["solvers"][runs[0]]}


def end_states(arch, params, data, chunk=8):
    """(N, B, U) activations of N solvers at the end of each string of ``data``."""
    N = len(params["b"])
    parts = []
    for a in range(0, N, chunk):
        sub = {k: v[a:a + chunk] for k, v in params.items()}
        parts.append(net.final_outputs(arch, sub, data["x"], data["lengths"], np.zeros(len(sub["b"]), int),
                                       full_state=True))
    return np.concatenate(parts)


def accuracy(states, data):
    """Per solver: balanced accuracy (the mean of the accepted and the rejected strings'
    accuracy; the test sets are mostly rejects), plain accuracy, and each string's verdict
    (N, B), all within TOL."""
    ok = np.abs(states[..., -1] - data["target"][0]) < TOL          # (N, B)
    pos = data["target"][0] == 1
    per_class = [ok[:, m].mean(1) for m in (pos, ~pos) if m.any()]   # a class may be absent
    return np.mean(per_class, axis=0), ok.mean(1), ok


def by_class(ok, data):
    """Median over solvers of the accuracy on accepted and on rejected strings (None if absent)."""
    pos = data["target"][0] == 1
    return {name: (float(np.median(ok[:, m].mean(1))) if m.any() else None)
            for name, m in (("accepted", pos), ("rejected", ~pos))}


def most_missed(ok, data, k=5):
    """The k strings the most solvers get wrong, with how many do."""
    wrong = (~ok).sum(0)
    order = np.argsort(-wrong, kind="stable")[:k]
    return [[data["strings"][i], int(wrong[i])] for i in order if wrong[i] > 0]


def state_clusters(S, dfa, tol=0.05, max_clusters=500, table=False):
    """Group end states S (B, U) greedily: each group holds the states within ``tol`` (max norm)
    of its first member. Returns the number of groups, the number holding at least 1 % of the
    strings, and the purity: the share of strings whose group's most common automaton state is
    their own (1.0 when the groups refine the automaton); with ``table`` also the counts of
    strings per group and automaton state (groups, automaton states), largest group first."""
    label = np.full(len(S), -1)
    left = np.arange(len(S))
    k = 0
    while left.size and k < max_clusters:
        near = np.abs(S[left] - S[left[0]]).max(axis=1) < tol
        label[left[near]] = k
        left = left[~near]
        k += 1
    label[left] = k                                      # whatever is left, one last group
    groups = np.unique(label)
    sizes = np.array([(label == c).sum() for c in groups])
    pure = sum(np.bincount(dfa[label == c]).max() for c in groups)
    out = int(len(groups)), int((sizes >= 0.01 * len(S)).sum()), float(pure / len(S))
    if not table:
        return out
    counts = np.array([np.bincount(dfa[label == c], minlength=dfa.max() + 1) for c in groups])
    return out, counts[np.argsort(-sizes, kind="stable")]


def lyapunov(arch, params, strings):
    """Top two Lyapunov exponents of each solver along each string: (N, len(strings), 2)."""
    P = []
    for j in range(len(params["b"])):
        for s in strings:
            x = encode([s])[0][:, 0, 0]                                   # (T, 1)
            P.append(net.states(arch, params["W"][j], params["V"][j], params["b"][j], x)[1])
    W = np.repeat(params["W"], len(strings), axis=0)[:, None]             # (N*S, 1, U, U)
    J = net.jacobian(arch, W, np.array(P))                                # (N*S, T, U, U)
    lam = qr_spectrum(J.transpose(1, 0, 2, 3), k=2, n_transient=20)
    return lam.reshape(len(params["b"]), len(strings), 2)


def diagnose(g, arch, res, cfg, rs):
    """Test accuracy (all strings of length 1..test_len, then 15..long_max), end-state groups and
    Lyapunov exponents of the solver nets."""
    if not res["solved"].any():
        return {}, {}
    runs, params = solver_params(res)
    test = test_set(g, cfg["test_len"])
    S = end_states(arch, params, test)
    bal, plain, ok = accuracy(S, test)
    long = long_set(g, rs["long"], cfg["test_len"] + 1, cfg["long_max"], cfg["long_per_len"])
    long_bal, _, long_ok = accuracy(end_states(arch, params, long), long)
    # per solver and length 1..long_max: every string of that length right (exhaustive up to
    # test_len, the sampled long strings beyond); ``present``: the lengths that have strings
    lens = np.concatenate([test["lengths"][0], long["lengths"][0]])
    both = np.concatenate([ok, long_ok], axis=1)
    all_right = np.array([both[:, lens == n].all(1) for n in range(1, cfg["long_max"] + 1)]).T
    present = np.array([(lens == n).any() for n in range(1, cfg["long_max"] + 1)])
    groups = np.array([state_clusters(S[j], test["dfa"]) for j in range(len(runs))])
    table0 = state_clusters(S[0], test["dfa"], table=True)[1]         # run 0's solver
    rand = "".join(rs["lyap"].choice(["0", "1"], size=cfg["lyap_len"]))
    lam = lyapunov(arch, params, [rand, accepted_string(g, cfg["lyap_len"], rs["lyap"])])
    m = {"test_strings": int(len(test["strings"])), "test_balanced_accuracy": summary(bal),
         "test_accuracy": summary(plain), "solvers_perfect": int((bal == 1.0).sum()),
         "test_accuracy_by_class": by_class(ok, test), "test_most_missed": most_missed(ok, test),
         "long_strings": int(len(long["strings"])), "long_balanced_accuracy": summary(long_bal),
         "long_accuracy_by_class": by_class(long_ok, long),
         "long_solvers_perfect": int((long_bal == 1.0).sum()),
         "end_state_groups": summary(groups[:, 0]), "end_state_groups_1pct": summary(groups[:, 1]),
         "automaton_purity": summary(groups[:, 2]), "automaton_states": DFA_STATES[g],
         "lyapunov_random": summary(lam[:, 0, 0]), "lyapunov_accepted": summary(lam[:, 1, 0]),
         "lyapunov_second_random": summary(lam[:, 0, 1])}
    arrays = {f"g{g}_bal_acc": bal, f"g{g}_long_bal_acc": long_bal, f"g{g}_all_right_by_len": all_right,
              f"g{g}_len_present": present, f"g{g}_groups": groups, f"g{g}_lyap": lam, f"g{g}_table0": table0}
    return m, arrays


def summary(v):
    v = np.asarray(v, float)
    return {"median": float(np.median(v)), "mean": float(v.mean()), "min": float(v.min()),
            "max": float(v.max())}
