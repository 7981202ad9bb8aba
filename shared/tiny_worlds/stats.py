"""Statistics of the tiny-worlds family: ΔNLL against the trivial baseline and linear probes (the
original's and a held-out-sequence one); sign-flip tests, effect sizes and summaries come from
shared/stats.py and are re-exported here.

ΔNLL (the original's definition) = NLL(baseline) - NLL(model), nats per predicted step, on one
world's eval set; positive = the model is better. The baseline, per eval batch of 64 sequences
in order, is whichever of persistence (yhat_{t+1} = y_t) and the global training mean has the
lower MSE on that batch.

Probes work on "augmented Gram" matrices M = [X, 1, z]^T [X, 1, z] (F + 2, F + 2), accumulated
chunk by chunk, so 510k rows x 20 seeds never sit in memory at once; every least-squares quantity
(and the full-batch Adam probe of the original) follows exactly from M.
"""
import numpy as np

# the general seed statistics live in shared/stats.py; re-exported so the family reads stats.summary etc.
from shared.stats import cohen_d, cohen_d_two, nanmean_or_none, sign_flip_test, summary  # noqa: F401
from shared.tiny_worlds.models import nll_from_mse


# ----------------------------------------------------------------------------------------------
# ΔNLL
# ----------------------------------------------------------------------------------------------
def baseline_nll(obs, train_mean, batch=64):
    """The original's trivial baseline NLL per step on obs (T, N) (see module docstring)."""
    T, N = obs.shape
    total = 0.0
    for b0 in range(0, N, batch):
        y = obs[:, b0:b0 + batch]
        mse_persist = np.mean((y[1:] - y[:-1]) ** 2)
        mse_mean = np.mean((y[1:] - train_mean) ** 2)
        total += y.shape[1] * nll_from_mse(min(mse_persist, mse_mean))
    return total / N


def markov_nll(train_obs, eval_obs):
    """NLL per step of the first-order Markov predictor yhat_{t+1} = P(s_{t+1} = 1 | s_t) fitted
    on binary train_obs (T, N); the E2 baseline the paper describes. Returns (nll, p(1|0), p(1|1)).
    A symbol never seen in training (possible only in a tiny training set) predicts 0.5."""
    a, b = train_obs[:-1].ravel(), train_obs[1:].ravel()
    p1 = [b[a == v].mean() if np.any(a == v) else 0.5 for v in (0.0, 1.0)]
    pred = np.where(eval_obs[:-1] == 1.0, p1[1], p1[0])
    return float(nll_from_mse(np.mean((eval_obs[1:] - pred) ** 2))), p1[0], p1[1]


# ----------------------------------------------------------------------------------------------
# Probes
# ----------------------------------------------------------------------------------------------
def augmented_gram(X, z, mask=None):
    """M (S, F + 2, F + 2) = sum over rows of [x, 1, z]^T [x, 1, z].

    X (S, R, F) features, z (S, R) or (R,) targets, mask (S, R) or (R,) rows to include.
    """
    S, R, F = X.shape
    A = np.empty((S, R, F + 2))
    A[..., :F], A[..., F], A[..., F + 1] = X, 1.0, z
    if mask is not None:
        A *= np.broadcast_to(mask, (S, R))[..., None]
    return np.matmul(np.swapaxes(A, 1, 2), A)


def _parts(M):
    F1 = M.shape[-1] - 1                                              # features + bias
    return M[..., :F1, :F1], M[..., :F1, F1], M[..., F1, F1], M[..., F1 - 1, F1 - 1]


def _mse(M, w):
    """Mean squared error of z ~ [x, 1] w over the rows summarised in M; w (S, F + 1)."""
    G, b, c, n = _parts(M)
    quad = np.einsum("si,sij,sj->s", w, G, w)
    return (quad - 2 * np.einsum("si,si->s", w, b) + c) / n


def _var_z(M):
    """Unbiased variance of z over the rows of M."""
    _, b, c, n = _parts(M)
    zsum = b[..., -1]
    return (c - zsum * zsum / n) / (n - 1)


def probe_lstsq(M_fit, M_score, ridge=1e-6):
    """Least-squares probe fitted on M_fit, R^2 = 1 - MSE / Var(z) on the rows of M_score (S,).
    A tiny ridge (times the mean diagonal, bias excluded) keeps saturated features solvable."""
    G, b, _, _ = _parts(M_fit)
    F1 = G.shape[-1]
    reg = ridge * np.trace(G, axis1=1, axis2=2)[:, None, None] / F1 * np.diag(np.r_[np.ones(F1 - 1), 0.0])
    w = np.linalg.solve(G + reg, b[..., None])[..., 0]
    var = _var_z(M_score)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(var > 1e-8, 1.0 - _mse(M_score, w) / var, np.nan)


def probe_original(M_train, M_val, rng, lr=1e-2, weight_decay=1e-3, epochs=200, patience=20,
                   min_delta=1e-6):
    """The original's probe: Linear(F -> 1) fitted full-batch with Adam (coupled L2 weight decay)
    on a random 80 % of the rows, early stopping on the other 20 % (best weights restored), and
    R^2 = 1 - MSE / (Var(z) + 1e-8) on all rows. Exact from the Gram matrices. Returns (S,)."""
    G, b, _, n = _parts(M_train)
    S, F1 = b.shape
    k = 1.0 / np.sqrt(F1 - 1)
    w = rng.uniform(-k, k, size=(S, F1))                              # torch Linear init
    m, v = np.zeros_like(w), np.zeros_like(w)
    best, best_w = _mse(M_val, w), w.copy()
    stall = np.zeros(S, int)
    for t in range(1, epochs + 1):
        grad = 2.0 * (np.einsum("sij,sj->si", G, w) - b) / n[:, None] + weight_decay * w
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad * grad
        live = (stall < patience)[:, None]
        w = np.where(live, w - lr * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8), w)
        val = _mse(M_val, w)
        better = val < best - min_delta
        best = np.where(better, val, best)
        best_w = np.where(better[:, None], w, best_w)
        stall = np.where(better, 0, stall + 1)
        if not live.any():
            break
    M_all = M_train + M_val
    var = _var_z(M_all)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(var > 1e-8, 1.0 - _mse(M_all, best_w) / (var + 1e-8), np.nan)
