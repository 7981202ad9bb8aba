"""CMA-ES with a full covariance matrix (Hansen 2016, "The CMA Evolution Strategy: A Tutorial"),
the optimiser World Models (Ha & Schmidhuber 2018) trains its controller C with.

Minimises f over R^n. Each generation samples lambda points around the mean m,

    y_k = B D z_k,  z_k ~ N(0, I),  x_k = m + sigma y_k            (C = B D^2 B^T)

ranks them by f and moves m to the weighted mean of the best mu = lambda // 2 (weights
w_i ~ ln(mu + 1/2) - ln i). Two evolution paths accumulate the steps: p_sigma (in the isotropic
frame C^{-1/2}) sets the step size by comparing its length with E||N(0, I)||; p_c feeds the
rank-one update of C, beside the rank-mu update from the selected steps:

    C <- (1 - c1 - cmu) C + c1 (p_c p_c^T + delta(h_sigma) C) + cmu sum_i w_i y_i y_i^T
    sigma <- sigma exp((c_sigma / d_sigma) (||p_sigma|| / E||N(0, I)|| - 1))

``tell`` forms the updates with matrix products over the whole population; ``tell_plain`` forms
them sample by sample, as the tutorial writes them; the tests check that the two agree.
"""
import numpy as np


class CMAES:
    """State of one search: mean (n,), sigma, C (n, n), paths p_sigma, p_c (n,), generation g."""

    def __init__(self, mean, sigma, popsize=None):
        self.mean = np.array(mean, dtype=np.float64)
        n = self.n = self.mean.size
        self.sigma = float(sigma)
        self.lam = popsize or 4 + int(3 * np.log(n))
        self.mu = self.lam // 2
        w = np.log(self.mu + 0.5) - np.log(np.arange(1, self.mu + 1))
        self.w = w / w.sum()
        self.mueff = 1.0 / (self.w ** 2).sum()
        mueff = self.mueff
        self.cs = (mueff + 2) / (n + mueff + 5)
        self.ds = 1 + 2 * max(0.0, np.sqrt((mueff - 1) / (n + 1)) - 1) + self.cs
        self.cc = (4 + mueff / n) / (n + 4 + 2 * mueff / n)
        self.c1 = 2 / ((n + 1.3) ** 2 + mueff)
        self.cmu = min(1 - self.c1, 2 * (mueff - 2 + 1 / mueff) / ((n + 2) ** 2 + mueff))
        self.chi = np.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n ** 2))     # E||N(0, I)||
        self.C = np.eye(n)
        self.B, self.D = np.eye(n), np.ones(n)
        self.ps, self.pc = np.zeros(n), np.zeros(n)
        self.g = 0
        self.Y = None

    def ask(self, rng):
        """lambda candidates (lambda, n); the steps y_k are kept for ``tell``."""
        Z = rng.standard_normal((self.lam, self.n))
        self.Y = (Z * self.D) @ self.B.T                  # y_k = B D z_k, row by row
        return self.mean + self.sigma * self.Y

    def _paths(self, yw):
        """Shared by both tells: the paths from the weighted step yw; returns h_sigma."""
        inv_sqrt_C_yw = self.B @ ((self.B.T @ yw) / self.D)
        self.ps = (1 - self.cs) * self.ps + np.sqrt(self.cs * (2 - self.cs) * self.mueff) * inv_sqrt_C_yw
        norm = np.linalg.norm(self.ps) / np.sqrt(1 - (1 - self.cs) ** (2 * (self.g + 1)))
        hs = float(norm < (1.4 + 2 / (self.n + 1)) * self.chi)
        self.pc = (1 - self.cc) * self.pc + hs * np.sqrt(self.cc * (2 - self.cc) * self.mueff) * yw
        return hs

    def _finish(self, rank_mu, hs):
        dh = (1 - hs) * self.cc * (2 - self.cc)
        self.C = ((1 - self.c1 - self.cmu) * self.C + self.c1 * (np.outer(self.pc, self.pc) + dh * self.C)
                  + self.cmu * rank_mu)
        self.sigma *= np.exp((self.cs / self.ds) * (np.linalg.norm(self.ps) / self.chi - 1))
        self.C = np.triu(self.C) + np.triu(self.C, 1).T   # keep it exactly symmetric
        d2, self.B = np.linalg.eigh(self.C)
        self.D = np.sqrt(np.maximum(d2, 1e-20))
        self.g += 1

    def tell(self, f):
        """Update from the values f (lambda,) of the last ``ask`` (lower is better)."""
        order = np.argsort(f, kind="stable")[:self.mu]
        Ysel = self.Y[order]                              # (mu, n) best steps first
        yw = self.w @ Ysel
        self.mean = self.mean + self.sigma * yw
        hs = self._paths(yw)
        self._finish((Ysel.T * self.w) @ Ysel, hs)

    def tell_plain(self, f):
        """The same update, one selected sample at a time."""
        order = np.argsort(f, kind="stable")
        yw = np.zeros(self.n)
        rank_mu = np.zeros((self.n, self.n))
        for i in range(self.mu):
            y = self.Y[order[i]]
            yw += self.w[i] * y
            rank_mu += self.w[i] * np.outer(y, y)
        self.mean = self.mean + self.sigma * yw
        hs = self._paths(yw)
        self._finish(rank_mu, hs)
