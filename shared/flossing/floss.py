"""Gradient flossing: the top-k Lyapunov exponents of a driven RNN, differentiated exactly.

    D_n = diag(sech^2 h_n) J,   D_n Q_{n-1} = Q_n R_n (QR every step),
    lambda_i = mean_{n > transient} ln R_n[i, i],   flossing loss = mean_i lambda_i^2.

floss_forward is batched over runs (leading axis R); floss_forward_reference is the same
estimator written step by step for one run with numpy's QR, for the test that they agree.
floss_grads back-propagates the loss through every QR step (shared.lyapunov.qr_backward) and
through the state trajectory, for J, b and w_s.
"""
import numpy as np

from shared.lyapunov import qr_backward, qr_positive


def floss_forward(p, u, k, transient, Q0):
    """Top-k exponents of the driven RNN along u (H, R) from x0[:, 0]: (R, k), and the tape."""
    H = u.shape[0]
    JT = p["J"].transpose(0, 2, 1)
    h = np.empty((H + 1,) + p["x0"][:, 0].shape)
    h[0] = p["x0"][:, 0]
    Qs, Rs = [Q0], []
    Q = Q0
    log_r = np.zeros(Q0.shape[0:1] + (k,))
    for n in range(H):
        h[n + 1] = (np.tanh(h[n])[:, None, :] @ JT)[:, 0] + p["b"] + u[n][:, None] * p["ws"]
        c = 1.0 / np.cosh(h[n + 1]) ** 2
        Q, Rm = qr_positive(c[:, :, None] * (p["J"] @ Q))
        Qs.append(Q)
        Rs.append(Rm)
        if n >= transient:
            log_r += np.log(np.diagonal(Rm, axis1=-2, axis2=-1))
    lam = log_r / (H - transient)
    return lam, (h, Qs, Rs)


def floss_loss(lam):
    """Engelken's flossing loss per run: mean_i (lambda_i - 0)^2."""
    return np.mean(lam * lam, axis=-1)


def floss_grads(p, u, k, transient, Q0, dlam=None):
    """Exact gradient of sum_runs floss_loss w.r.t. J, b, w_s: back through QR and the states.

    dlam (R, k), optional: the upstream gradient d objective / d lambda of any other objective
    of the exponents (e.g. one exponent alone, for checking d lambda_i / d J); default: the
    flossing loss mean_i lambda_i^2, whose d / d lambda is 2 lambda / k.
    """
    lam, (h, Qs, Rs) = floss_forward(p, u, k, transient, Q0)
    H = u.shape[0]
    J = p["J"]
    dlam = 2 * lam / k if dlam is None else np.asarray(dlam, dtype=float)
    dlam = dlam / (H - transient)                               # d objective / d (sum_n ln R_ii)
    g = {"J": np.zeros_like(J), "b": np.zeros_like(p["b"]), "ws": np.zeros_like(p["ws"])}
    dQ = np.zeros_like(Qs[-1])
    dh_next = np.zeros_like(h[0])                               # d loss / d h_{n+1} from later steps
    for n in range(H - 1, -1, -1):
        Rm, Qn, Qp = Rs[n], Qs[n + 1], Qs[n]
        dR = np.zeros_like(Rm)
        if n >= transient:
            idx = np.arange(k)
            dR[:, idx, idx] = dlam / np.diagonal(Rm, axis1=-2, axis2=-1)
        dA = qr_backward(Qn, Rm, dQ, dR)                          # A = c * (J Q_prev)
        hn = h[n + 1]
        th = np.tanh(hn)
        c = 1 - th * th
        JQ = J @ Qp
        dc = np.sum(dA * JQ, axis=-1)                             # (R, N)
        dJQ = c[:, :, None] * dA
        g["J"] += dJQ @ Qp.transpose(0, 2, 1)
        dQ = J.transpose(0, 2, 1) @ dJQ
        # c = sech^2(h): dc/dh = -2 tanh(h) sech^2(h); plus what h_{n+2} sends back
        dh = dc * (-2 * th * c) + dh_next
        # h_{n+1} = J tanh(h_n) + b + w_s u_n
        ph = np.tanh(h[n])
        g["J"] += dh[:, :, None] * ph[:, None, :]
        g["b"] += dh
        g["ws"] += dh * u[n][:, None]
        dh_next = (dh[:, None, :] @ J)[:, 0] * (1 - ph * ph)
    return lam, g


def floss_forward_reference(J, b, ws, x0, u, k, transient, Q0):
    """The plain version of floss_forward for one run: J (N, N), b, ws, x0 (N,), u (H,), Q0 (N, k).

    Step n: h <- J tanh(h) + b + w_s u_n; the frame Q goes through D = diag(sech^2 h) J and is
    re-orthonormalised by numpy's QR with the signs chosen so that diag(R) > 0. Returns (k,).
    """
    h, Q, total = x0.copy(), Q0.copy(), np.zeros(k)
    for n in range(len(u)):
        h = J @ np.tanh(h) + b + ws * u[n]
        D = (1.0 / np.cosh(h) ** 2)[:, None] * J
        Q, R = np.linalg.qr(D @ Q)
        signs = np.sign(np.diag(R))
        Q, R = Q * signs, R * signs[:, None]
        if n >= transient:
            total += np.log(np.diag(R))
    return total / (len(u) - transient)
