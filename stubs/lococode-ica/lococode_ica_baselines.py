"""The paper's comparison methods, each told that there are 10 sources: PCA (the top 10 principal
directions) and ICA. The paper ran Cardoso's JADE; this stub runs its own numpy FastICA
(Hyvarinen's fixed-point iteration, symmetric decorrelation, log cosh contrast g = tanh) on the
data whitened to 10 dimensions. Both are fitted on 1,000 patterns (the paper's count for 5x5 fields)
and return filters, so codes on new patterns are filters @ (x - mean)."""
import numpy as np


def pca(X, n):
    """Top-n principal directions of X (P, D): filters (n, D) with unit norm, variances (n,), mean."""
    mu = X.mean(0)
    C = np.cov(X - mu, rowvar=False)
    val, vec = np.linalg.eigh(C)
    order = np.argsort(val)[::-1][:n]
    return vec[:, order].T, val[order], mu


def fastica(X, n, rng, iters=500, tol=1e-8):
    """Symmetric FastICA on X (P, D) whitened to n dimensions.

    whiten:  z = V (x - mean), V = diag(val^-1/2) E^T over the top n eigenpairs, so cov(z) = I;
    iterate: W <- E[g(W z) z^T] - diag(E[g'(W z)]) W,  g = tanh, g' = 1 - tanh^2,
             then W <- (W W^T)^(-1/2) W (symmetric decorrelation), until every row stops turning
             (1 - |<w_new, w_old>| < tol) or ``iters`` passes.
    Returns filters (n, D) = W V (sources = filters @ (x - mean)), the mean, and the passes used."""
    E, val, mu = pca(X, n)
    V = E / np.sqrt(val)[:, None]                     # (n, D) whitening filters
    Zw = (X - mu) @ V.T                               # (P, n)
    W = _decorrelate(rng.normal(size=(n, n)))
    passes = 0
    for passes in range(1, iters + 1):  # noqa: B007  (the count is returned)
        U = Zw @ W.T                                  # (P, n)
        G = np.tanh(U)
        W_new = _decorrelate(G.T @ Zw / len(Zw) - np.diag((1 - G ** 2).mean(0)) @ W)
        done = np.max(1 - np.abs(np.sum(W_new * W, 1))) < tol
        W = W_new
        if done:
            break
    return W @ V, mu, passes


def _decorrelate(W):
    """(W W^T)^(-1/2) W, the symmetric orthogonalisation."""
    val, vec = np.linalg.eigh(W @ W.T)
    return vec @ np.diag(1 / np.sqrt(np.maximum(val, 1e-300))) @ vec.T @ W


def codes(filters, mu, X):
    """Code components (P, n) of the patterns X under the filters."""
    return (X - mu) @ filters.T
