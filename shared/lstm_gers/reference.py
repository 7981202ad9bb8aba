"""The Gers-line cell for one net, unit by unit, as the papers write it (slow; for the tests).

Block j has an input gate (in_j), a forget gate (phi_j), an output gate (out_j) and cells
c = j bs .. j bs + bs - 1. With u(t) = [x(t), y_c(t-1), 1] and W, P, V one net's weights in
the layout of ``lstm.py`` (W (D, H), P (3, C), V (K_out, D)):

    net_in_j(t)  = sum_m W[m, in_j]  u_m(t) + sum_{c in j} p_in_c  s_c(t-1)
    net_phi_j(t) = sum_m W[m, phi_j] u_m(t) + sum_{c in j} p_phi_c s_c(t-1)
    s_c(t)       = y_phi_j(t) s_c(t-1) + y_in_j(t) g(sum_m W[m, c] u_m(t))
    net_out_j(t) = sum_m W[m, out_j] u_m(t) + sum_{c in j} p_out_c s_c(t)
    y_c(t)       = y_out_j(t) h(s_c(t)),      y_k(t) = f_out(sum_m V[k, m] [x(t), y_c(t), 1]_m)

with y = sigma(net) for the gates, y_phi = 1 without forget gates and p = 0 without peepholes.
"""
import math

import numpy as np


def _sigma(v):
    return 1.0 / (1.0 + math.exp(-v))


def _dot(W, col, u):
    return sum(W[m, col] * u[m] for m in range(len(u)))


def step(cell, W, P, x, s_prev, yc_prev):
    """One time step of one net. x (K,), s_prev, yc_prev (C,) -> s(t), y_c(t) (C,)."""
    a = cell
    u = list(x) + list(yc_prev) + [1.0]
    s, yc = np.zeros(a.nc), np.zeros(a.nc)
    for j in range(a.nb):
        cells = range(j * a.bs, (j + 1) * a.bs)
        peep_in = sum(P[0, c] * s_prev[c] for c in cells) if a.peephole else 0.0
        y_in = _sigma(_dot(W, a.I.start + j, u) + peep_in)
        if a.forget:
            peep_phi = sum(P[1, c] * s_prev[c] for c in cells) if a.peephole else 0.0
            y_phi = _sigma(_dot(W, a.F.start + j, u) + peep_phi)
        else:
            y_phi = 1.0
        for c in cells:
            g = float(a.squash.g(np.array(_dot(W, a.G.start + c, u))))
            s[c] = y_phi * s_prev[c] + y_in * g
        peep_out = sum(P[2, c] * s[c] for c in cells) if a.peephole else 0.0
        y_out = _sigma(_dot(W, a.O.start + j, u) + peep_out)
        for c in cells:
            yc[c] = y_out * float(a.squash.h(np.array(s[c])))
    return s, yc


def outputs(cell, V, x, yc):
    """The output units of one net: y (K_out,) from x (K,) and y_c(t) (C,)."""
    o = list(x) + list(yc) + [1.0]
    z = np.array([sum(V[k, m] * o[m] for m in range(len(o))) for k in range(V.shape[0])])
    if cell.out == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if cell.out == "softmax":
        e = np.exp(z - z.max())
        return e / e.sum()
    return z
