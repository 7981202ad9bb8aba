"""Scoring a grouping: adjusted mutual information (AMI) with the expected-mutual-information
correction (Vinh, Epps & Bailey 2010), the authors' test-time measure in Neural EM and Relational
N-EM. Moved here from stubs/neural-em-shapes so that both N-EM stubs score groupings with one
implementation."""
import numpy as np


def _log_factorials(n):
    return np.concatenate([[0.0], np.cumsum(np.log(np.arange(1, n + 1)))])


def expected_mutual_info(a, b):
    """E[MI] (nats) of two labelings with cluster sizes a (R,) and b (C,) under the hypergeometric
    model of random labelings with those sizes (Vinh, Epps & Bailey 2010):

        E[MI] = sum_{i,j} sum_{n=max(1, a_i+b_j-N)}^{min(a_i, b_j)} n/N log(N n / (a_i b_j))
                * a_i! b_j! (N-a_i)! (N-b_j)! / (N! n! (a_i-n)! (b_j-n)! (N-a_i-b_j+n)!)
    """
    a, b = np.asarray(a, np.int64), np.asarray(b, np.int64)
    N = int(a.sum())
    lf = _log_factorials(N)
    emi = 0.0
    for ai in a:
        for bj in b:
            n = np.arange(max(1, ai + bj - N), min(ai, bj) + 1)
            if n.size == 0:
                continue
            logp = (lf[ai] + lf[bj] + lf[N - ai] + lf[N - bj] - lf[N] - lf[n] - lf[ai - n]
                    - lf[bj - n] - lf[N - ai - bj + n])
            emi += np.sum(n / N * np.log(N * n / (ai * bj)) * np.exp(logp))
    return float(emi)


def ami(true, pred, average="max"):
    """Adjusted mutual information of two labelings (1-D int arrays):
    (MI - E[MI]) / (avg(H_true, H_pred) - E[MI]), avg = max (scikit-learn's definition before
    version 0.22, current when the paper was written) or arithmetic (its default since).
    Two one-cluster labelings (or none) score 1, as in scikit-learn."""
    _, ti = np.unique(true, return_inverse=True)
    _, pi = np.unique(pred, return_inverse=True)
    R, C, N = ti.max(initial=-1) + 1, pi.max(initial=-1) + 1, len(true)
    if (R == C == 1) or N == 0:
        return 1.0
    table = np.zeros((R, C))
    np.add.at(table, (ti, pi), 1)
    a, b = table.sum(1), table.sum(0)
    nz = table > 0
    mi = float(np.sum(table[nz] / N * np.log(N * table[nz] / np.outer(a, b)[nz])))
    h_true, h_pred = (float(-np.sum(v / N * np.log(v / N))) for v in (a, b))
    emi = expected_mutual_info(a, b)
    norm = max(h_true, h_pred) if average == "max" else 0.5 * (h_true + h_pred)
    den = norm - emi
    return float((mi - emi) / den) if den > 1e-15 else 0.0


def ami_scores(groups, gamma, average="max"):
    """AMI per image (B,) of argmax_k gamma (B, K, D) against groups (B, D) over pixels with a label."""
    pred = gamma.argmax(axis=1)
    return np.array([ami(g[g > 0], p[g > 0], average) for g, p in zip(groups, pred, strict=True)])
