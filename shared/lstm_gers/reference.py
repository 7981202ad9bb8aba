"""The Gers-line cell for one net, unit by unit, as the papers write it (slow; for the tests).

Block j has an input gate (in_j), a forget gate (phi_j), an output gate (out_j) and cells
c = j bs .. j bs + bs - 1. With u(t) = [x(t), y_c(t-1), 1] and W, P, V one net's weights in
the layout of ``lstm.py`` (W (D, H), P (3, C), V (K_out, D)):

    net_in_j(t)  = sum_m W[m, in_j]  u_m(t) + sum_{c in j} p_in_c  s_c(t-1)
    net_phi_j(t) = sum_m W[m, phi_j] u_m(t) + sum_{c in j} p_phi_c s_c(t-1)
    s_c(t)       = y_phi_j(t) s_c(t-1) + y_in_j(t) g(sum_m W[m, c] u_m(t))
    net_out_j(t) = sum_m W[m, out_j] u_m(t) + sum_{c in j} p_out_c s_c(t)
    y_c(t)       = y_out_j(t) h(s_c(t)),      y_k(t) = f_out(sum_m V[k, m] [x(t), y_c(t), 1]_m)

with y = sigma(net) for the gates, y_phi = 1 without forget gates and p = 0 without peepholes;
y_in = 1 without input gates (1 - y_phi if coupled), y_out = 1 without output gates; with gate
recurrence every gate's net input also has sum_m Rg[m, gate] [y_in, y_phi, y_out](t-1)_m. The
split layout (Wx, R, b) is the same W with rows [Wx; R; b].
"""
import math

import numpy as np


def _sigma(v):
    return 1.0 / (1.0 + math.exp(-v))


def _dot(W, col, u):
    return sum(W[m, col] * u[m] for m in range(len(u)))


def step(cell, W, P, x, s_prev, yc_prev, gates_prev=None, Rg=None):
    """One time step of one net. x (K,), s_prev, yc_prev (C,) -> s(t), y_c(t) (C,); with gate
    recurrence also the gate activations [y_in, y_phi, y_out] (n_gates,) of step t-1 in, of step t
    out (Rg (n_gates, n_gates) one net's gate-to-gate weights)."""
    a = cell
    u = list(x) + list(yc_prev) + [1.0]
    peep = {gate: P[k] for k, gate in enumerate(a.peep)}
    gate_cols = list(range(a.G.start)) + list(range(a.O.start, a.O.stop))

    def net(col):
        v = _dot(W, col, u)
        if a.gate_recurrence and col in gate_cols:
            v += sum(Rg[m, gate_cols.index(col)] * gates_prev[m] for m in range(len(gate_cols)))
        return v
    s, yc = np.zeros(a.nc), np.zeros(a.nc)
    acts = {}
    for j in range(a.nb):
        cells = range(j * a.bs, (j + 1) * a.bs)
        if a.forget:
            peep_phi = sum(peep["f"][c] * s_prev[c] for c in cells) if "f" in peep else 0.0
            y_phi = acts[a.F.start + j] = _sigma(net(a.F.start + j) + peep_phi)
        else:
            y_phi = 1.0
        if a.input_gate is True:
            peep_in = sum(peep["i"][c] * s_prev[c] for c in cells) if "i" in peep else 0.0
            y_in = acts[a.I.start + j] = _sigma(net(a.I.start + j) + peep_in)
        else:
            y_in = 1.0 - y_phi if a.input_gate == "coupled" else 1.0
        for c in cells:
            g = float(a.squash.g(np.array(_dot(W, a.G.start + c, u))))
            s[c] = y_phi * s_prev[c] + y_in * g
        if a.output_gate:
            peep_out = sum(peep["o"][c] * s[c] for c in cells) if "o" in peep else 0.0
            y_out = acts[a.O.start + j] = _sigma(net(a.O.start + j) + peep_out)
        else:
            y_out = 1.0
        for c in cells:
            yc[c] = y_out * float(a.squash.h(np.array(s[c])))
    if a.gate_recurrence:
        return s, yc, np.array([acts[col] for col in gate_cols])
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
