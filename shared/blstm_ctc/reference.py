"""The BLSTM and CTC for one sequence, written like the papers' equations (slow; for the tests).

BLSTM (Graves & Schmidhuber 2005): the forward net runs t = 1..T, the backward net t = T..1, each
with the unit-by-unit Gers-line step of ``shared.lstm_gers.reference`` (W = [Wx; R; b] of one
direction, rows [x(t), y_c(t-1 or t+1), 1]); the softmax output layer sees both at every frame.

CTC (Graves et al. 2006, section 4.1), with the paper's rescaling instead of logarithms:

    alpha_1(1) = y_b(1),  alpha_1(2) = y_{l_1}(1),  alpha_1(s) = 0 for s > 2
    alpha_t(s) = [alpha_{t-1}(s) + alpha_{t-1}(s-1) (+ alpha_{t-1}(s-2))] y_{l'_s}(t)
    alpha_t(s) = 0 for s < |l'| - 2(T - t) - 1 (too far from the end to reach it)
    C_t = sum_s alpha_t(s),  alpha^_t(s) = alpha_t(s) / C_t,  ln p(l|x) = sum_t ln C_t
    beta_T(|l'|) = y_b(T),  beta_T(|l'|-1) = y_{l_|l|}(T)
    beta_t(s)  = [beta_{t+1}(s) + beta_{t+1}(s+1) (+ beta_{t+1}(s+2))] y_{l'_s}(t),  D_t = sum_s beta_t(s)
    dO/du_k(t) = y_k(t) - 1 / (y_k(t) Z_t) sum_{s: l'_s = k} alpha^_t(s) beta^_t(s),
                 Z_t = sum_s alpha^_t(s) beta^_t(s) / y_{l'_s}(t)

(the s-2 / s+2 terms only when l'_s is a label different from l'_{s-2} / l'_{s+2}; indices here are
0-based). ``brute_force`` sums p(pi|x) over every path pi, for tiny T and K.
"""
import itertools
import math

import numpy as np

from shared.lstm_gers import reference as cell_reference


def blstm_outputs(cell, p, x):
    """One sequence x (T, K) through the BLSTM of ``blstm.py``'s params -> softmax outputs (T, n_out)."""
    T = x.shape[0]
    D, C = p["Wx"].shape[0], cell.nc
    h = np.zeros((T, D * C))
    for d in range(D):
        W = np.concatenate([p["Wx"][d], p["R"][d], p["b"][d][None]], axis=0)   # rows [x, y_c, 1]
        s, yc = np.zeros(C), np.zeros(C)
        times = range(T) if d == 0 else range(T - 1, -1, -1)   # the backward net runs from T to 1
        for t in times:
            s, yc = cell_reference.step(cell, W, p["P"][d], x[t], s, yc)
            h[t, d * C:(d + 1) * C] = yc
    y = np.zeros((T, p["V"].shape[1]))
    for t in range(T):
        u = [sum(h[t, j] * p["V"][j, k] for j in range(D * C)) + p["c"][k] for k in range(p["V"].shape[1])]
        e = np.exp(np.array(u) - max(u))
        y[t] = e / e.sum()
    return y


def _extend(labels, blank):
    ext = [blank]
    for k in labels:
        ext += [k, blank]
    return ext


def _may_skip(ext, s, blank):
    return s >= 2 and ext[s] != blank and ext[s] != ext[s - 2]


def ctc(y, labels):
    """y (T, K+1) softmax outputs (blank last), labels a list -> (-ln p(l|x), dO/du (T, K+1))."""
    T, Kp = y.shape
    blank = Kp - 1
    ext = _extend(labels, blank)
    S = len(ext)
    a = np.zeros((T, S))
    b = np.zeros((T, S))
    ln_p = 0.0
    a[0, 0] = y[0, blank]
    if S > 1:
        a[0, 1] = y[0, ext[1]]
    for t in range(T):
        if t > 0:
            for s in range(S):
                v = a[t - 1, s] + (a[t - 1, s - 1] if s >= 1 else 0.0)
                if _may_skip(ext, s, blank):
                    v += a[t - 1, s - 2]
                a[t, s] = v * y[t, ext[s]]
        a[t, :max(0, S - 2 - 2 * (T - 1 - t))] = 0.0     # states that can no longer reach the end
        C_t = a[t].sum()
        a[t] /= C_t
        ln_p += math.log(C_t)
    b[T - 1, S - 1] = y[T - 1, blank]
    if S > 1:
        b[T - 1, S - 2] = y[T - 1, ext[S - 2]]
    b[T - 1] /= b[T - 1].sum()
    for t in range(T - 2, -1, -1):
        for s in range(S):
            v = b[t + 1, s] + (b[t + 1, s + 1] if s + 1 < S else 0.0)
            if s + 2 < S and _may_skip(ext, s + 2, blank):
                v += b[t + 1, s + 2]
            b[t, s] = v * y[t, ext[s]]
        b[t] /= b[t].sum()
    grad = np.array(y, dtype=float)
    for t in range(T):
        Z = sum(a[t, s] * b[t, s] / y[t, ext[s]] for s in range(S))
        for k in range(Kp):
            occ = sum(a[t, s] * b[t, s] for s in range(S) if ext[s] == k)
            grad[t, k] -= occ / (y[t, k] * Z)
    return -ln_p, grad


def collapse(path, blank):
    out, prev = [], None
    for k in path:
        if k != prev and k != blank:
            out.append(k)
        prev = k
    return out


def brute_force(y, labels):
    """p(l|x) as the sum of prod_t y_{pi_t}(t) over every path pi with B(pi) = l ((K+1)^T paths)."""
    T, Kp = y.shape
    total = 0.0
    for path in itertools.product(range(Kp), repeat=T):
        if collapse(path, Kp - 1) == list(labels):
            total += math.prod(y[t, k] for t, k in enumerate(path))
    return total
