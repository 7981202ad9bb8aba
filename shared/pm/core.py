"""Predictability minimization: coder, predictors, the opposed objectives and their gradients.

Shapes (R independent runs on the leading axis of every weight; B patterns; D inputs; H hidden
units shared by the code units, 0 for none; n code units; K hidden units per predictor, 0 for
none; f the logistic function):

    coder       W1 (R, D, H), b1 (R, H), W2 (R, H, n), b2 (R, n)   [H = 0: W2 (R, D, n), no W1/b1]
    predictors  V1 (R, n, n-1, K), c1 (R, n, K), V2 (R, n, K), c2 (R, n)
                                                                    [K = 0: V2 (R, n, n-1), no V1/c1]
    x (B, D) or (R, B, D) inputs; w (B,) or (R, B) pattern weights (how often a pattern counts in
    one epoch; 1 for a single on-line presentation)

    h   = f(x W1 + b1)                    (R, B, H)     coder hidden units
    y   = f(h W2 + b2)                    (R, B, n)     code units
    z_i = (y_k : k != i)                  (R, B, n, n-1) what predictor i sees
    g_i = f(z_i V1_i + c1_i)              (R, B, n, K)  predictor hidden units
    P_i = f(g_i . V2_i + c2_i)            (R, B, n)     predictions
    Q   = 1/2 sum_b w_b sum_i (P_i - y_i)^2   (R,)      E_P for the predictors (minimised),
                                                        V_C for the coder (maximised)

The predictors descend dQ/dtheta_P with y held fixed. The coder ascends dQ/dtheta_C with the
predictor weights held fixed; ``through_predictors=True`` (the paper's T = V_C differentiated with
respect to the coder weights) includes the path y_k -> P_i (k != i), ``False`` only the direct
term of each unit's own prediction error (P treated as a constant target); an (R,) array of 0/1
chooses per run, so both readings can train side by side in one batch. Learning rates may be
scalars or (R,) arrays (one per run).
"""
import functools

import numpy as np


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


@functools.lru_cache(maxsize=None)
def others(n):
    """(n, n-1) index array: row i lists the code units predictor i sees (all but i, in order)."""
    idx = np.array([[k for k in range(n) if k != i] for i in range(n)], dtype=int).reshape(n, n - 1)
    idx.flags.writeable = False                  # cached: shared by every call
    return idx


@functools.lru_cache(maxsize=None)
def scatter_matrix(n):
    """(n, n-1, n) one-hot map from predictor inputs back to code units: S[i, j, idx[i, j]] = 1."""
    S = np.zeros((n, n - 1, n))
    idx = others(n)
    for i in range(n):
        S[i, np.arange(n - 1), idx[i]] = 1.0
    S.flags.writeable = False
    return S


# ---------------------------------------------------------------- initialisation

def init_coder(rng, R, D, H, n, scale):
    """Coder weights uniform in [-scale, scale] (biases too: the paper's 'true unit' connections)."""
    u = lambda *s: rng.uniform(-scale, scale, s)  # noqa: E731
    if H == 0:
        return {"W2": u(R, D, n), "b2": u(R, n)}
    return {"W1": u(R, D, H), "b1": u(R, H), "W2": u(R, H, n), "b2": u(R, n)}


def init_predictors(rng, R, n, K, scale):
    """Predictor weights uniform in [-scale, scale], one predictor per code unit."""
    u = lambda *s: rng.uniform(-scale, scale, s)  # noqa: E731
    if K == 0:
        return {"V2": u(R, n, n - 1), "c2": u(R, n)}
    return {"V1": u(R, n, n - 1, K), "c1": u(R, n, K), "V2": u(R, n, K), "c2": u(R, n)}


# ---------------------------------------------------------------- forward

def coder_forward(cp, x):
    """y (R, B, n) and the cache for the backward pass; x (B, D) or (R, B, D)."""
    if "W1" in cp:
        h = sigmoid(np.matmul(x, cp["W1"]) + cp["b1"][:, None, :])        # (R, B, H)
    else:
        h = np.broadcast_to(x, (cp["W2"].shape[0],) + x.shape[-2:])        # the inputs themselves
    y = sigmoid(np.matmul(h, cp["W2"]) + cp["b2"][:, None, :])            # (R, B, n)
    return y, {"x": x, "h": h, "y": y}


def predictor_forward(pp, y):
    """P (R, B, n) and the cache; predictor i sees y without its own unit i.

    Internally unit-major: zt (R, n, B, n-1), gt (R, n, B, K), so each layer is one batched matmul
    over (run, predictor)."""
    n = y.shape[-1]
    zt = np.swapaxes(y[:, :, others(n)], 1, 2)                            # (R, n, B, n-1)
    if "V1" in pp:
        gt = sigmoid(np.matmul(zt, pp["V1"]) + pp["c1"][:, :, None, :])    # (R, n, B, K)
        u2 = np.matmul(gt, pp["V2"][..., None])[..., 0]                    # (R, n, B)
    else:
        gt = None
        u2 = np.matmul(zt, pp["V2"][..., None])[..., 0]
    P = sigmoid(np.swapaxes(u2, 1, 2) + pp["c2"][:, None, :])              # (R, B, n)
    return P, {"zt": zt, "gt": gt, "P": P}


def objective(P, y, w):
    """Q = 1/2 sum_b w_b sum_i (P_i - y_i)^2 per run: (R,). w (B,) or (R, B)."""
    w = np.broadcast_to(w, P.shape[:2])
    return 0.5 * np.einsum("rb,rbi->r", w, (P - y) ** 2)


# ---------------------------------------------------------------- backward

def predictor_backward(pp, pc, y, w, need_dz=True):
    """dQ/dtheta_P (keyed like pp) with y fixed, and dQ/dz (R, B, n, n-1), the gradient reaching
    the predictors' inputs (used by the coder's path through the predictors; None when need_dz
    is False, as in PASS 1)."""
    P, zt, gt = pc["P"], pc["zt"], pc["gt"]
    w = np.broadcast_to(w, P.shape[:2])
    # Q = 1/2 sum w (P - y)^2  ->  dQ/dP = w (P - y);  P = f(u2)  ->  du2 = dP P (1 - P)
    du2 = w[..., None] * (P - y) * P * (1.0 - P)                           # (R, B, n)
    du2t = np.swapaxes(du2, 1, 2)[..., None]                               # (R, n, B, 1)
    grads = {"c2": du2.sum(1)}
    if gt is None:
        # u2_i = z_i . V2_i + c2_i
        grads["V2"] = np.matmul(np.swapaxes(zt, 2, 3), du2t)[..., 0]      # (R, n, n-1)
        if not need_dz:
            return grads, None
        dzt = du2t * pp["V2"][:, :, None, :]                               # (R, n, B, n-1)
        return grads, np.swapaxes(dzt, 1, 2)
    # u2_i = g_i . V2_i + c2_i
    grads["V2"] = np.matmul(np.swapaxes(gt, 2, 3), du2t)[..., 0]          # (R, n, K)
    # g_i = f(u1_i),  u1_i = z_i V1_i + c1_i
    du1 = du2t * pp["V2"][:, :, None, :] * gt * (1.0 - gt)                 # (R, n, B, K)
    grads["V1"] = np.matmul(np.swapaxes(zt, 2, 3), du1)                    # (R, n, n-1, K)
    grads["c1"] = du1.sum(2)
    if not need_dz:
        return grads, None
    dzt = np.matmul(du1, np.swapaxes(pp["V1"], 2, 3))                      # (R, n, B, n-1)
    return grads, np.swapaxes(dzt, 1, 2)


def coder_backward(cp, cc, P, dz, w, through_predictors=True):
    """dQ/dtheta_C (keyed like cp) with the predictor weights fixed (the coder ascends it).

    dQ/dy_k = -w (P_k - y_k)                       its own prediction error (direct term)
              + sum_{i != k} dQ/dz_{i,k}           through every predictor that sees k
    """
    return coder_backprop(cp, cc, code_gradient(P, cc["y"], dz, w, through_predictors))


def code_gradient(P, y, dz, w, through_predictors=True):
    """dQ/dy (R, B, n) with the predictor weights fixed, for any coder that produced y: the direct
    term -w (P_k - y_k), plus (``through_predictors``) the path through every predictor that sees
    unit k (dz from ``predictor_backward``; may be None when that path is off)."""
    n = y.shape[-1]
    w = np.broadcast_to(w, P.shape[:2])
    dy = -w[..., None] * (P - y)                                           # (R, B, n)
    if np.ndim(through_predictors):                                        # per run: (R,) of 0/1
        dy = dy + np.asarray(through_predictors, float)[:, None, None] * np.einsum(
            "rbij,ijk->rbk", dz, scatter_matrix(n))
    elif through_predictors:
        dy = dy + np.einsum("rbij,ijk->rbk", dz, scatter_matrix(n))
    return dy


def coder_backprop(cp, cc, dy):
    """Gradient of any objective with respect to the coder weights, given its gradient dy
    (R, B, n) with respect to the code units (so other objectives on the code can reuse the
    coder, e.g. a stub whose code units serve a different criterion)."""
    x, h, y = cc["x"], cc["h"], cc["y"]
    # y = f(a2), a2 = h W2 + b2
    da2 = dy * y * (1.0 - y)
    grads = {"W2": np.einsum("rbh,rbn->rhn", h, da2), "b2": da2.sum(1)}
    if "W1" in cp:
        # h = f(a1), a1 = x W1 + b1
        da1 = np.matmul(da2, np.swapaxes(cp["W2"], 1, 2)) * h * (1.0 - h)   # (R, B, H)
        xb = np.broadcast_to(x, (y.shape[0],) + x.shape[-2:])
        grads["W1"] = np.einsum("rbd,rbh->rdh", xb, da1)
        grads["b1"] = da1.sum(1)
    return grads


def forward_backward(cp, pp, x, w, through_predictors=True):
    """Q (R,), dQ/dtheta_C, dQ/dtheta_P, y (R, B, n) and P (R, B, n) at one point."""
    y, cc = coder_forward(cp, x)
    P, pc = predictor_forward(pp, y)
    gp, dz = predictor_backward(pp, pc, y, w)
    gc = coder_backward(cp, cc, P, dz, w, through_predictors)
    return objective(P, y, w), gc, gp, y, P


# ---------------------------------------------------------------- the paper's training schemes

def _step(eta, g):
    """eta * g for a scalar eta or one eta per run (R,), broadcast over g (R, ...)."""
    if np.ndim(eta) == 0:
        return eta * g
    return np.reshape(eta, (-1,) + (1,) * (g.ndim - 1)) * g


def pass1(cp, pp, x, w, eta_p, n_epochs):
    """PASS 1 (off-line): ``n_epochs`` full-batch descent steps of the predictors on E_P, the code
    fixed. Updates pp in place; returns the code y (R, B, n)."""
    y, _ = coder_forward(cp, x)
    for _ in range(n_epochs):
        _, pc = predictor_forward(pp, y)
        gp, _ = predictor_backward(pp, pc, y, w, need_dz=False)
        for k in pp:
            pp[k] -= _step(eta_p, gp[k])
    return y


def pass2(cp, pp, x, w, eta_c, through_predictors=True):
    """PASS 2 (off-line): one full-batch ascent step of the coder on V_C, predictors fixed.
    Updates cp in place; returns V_C (R,) before the step."""
    y, cc = coder_forward(cp, x)
    P, pc = predictor_forward(pp, y)
    _, dz = predictor_backward(pp, pc, y, w, need_dz=bool(np.any(through_predictors)))
    gc = coder_backward(cp, cc, P, dz, w, through_predictors)
    for k in cp:
        cp[k] += _step(eta_c, gc[k])
    return objective(P, y, w)


def online_step(cp, pp, x, eta_c, eta_p, through_predictors=True):
    """On-line: one pattern per run, x (R, 1, D); both nets change at once from gradients taken
    at the same point (the predictors descend E_P, the coder ascends V_C). In place; returns Q."""
    w = np.ones(x.shape[:2])
    Q, gc, gp, _, _ = forward_backward(cp, pp, x, w, through_predictors)
    for k in pp:
        pp[k] -= _step(eta_p, gp[k])
    for k in cp:
        cp[k] += _step(eta_c, gc[k])
    return Q


# ---------------------------------------------------------------- the two-player game's field

def flatten(cp, pp):
    """theta (R, N): coder parameters then predictor parameters, each in sorted key order."""
    parts = [cp[k].reshape(cp[k].shape[0], -1) for k in sorted(cp)]
    parts += [pp[k].reshape(pp[k].shape[0], -1) for k in sorted(pp)]
    return np.concatenate(parts, axis=1)


def unflatten(theta, cp_like, pp_like):
    """The inverse of ``flatten``: new dicts shaped like cp_like, pp_like from theta (R, N)."""
    out, i = [], 0
    for like in (cp_like, pp_like):
        d = {}
        for k in sorted(like):
            size = like[k][0].size
            d[k] = theta[:, i:i + size].reshape(like[k].shape[:1] + like[k].shape[1:])
            i += size
        out.append(d)
    return out[0], out[1]


def joint_field(theta, cp_like, pp_like, x, w, eta_c, eta_p, through_predictors=True):
    """The game's update field at theta (R, N): (+eta_c dV_C/dtheta_C, -eta_p dE_P/dtheta_P),
    i.e. one simultaneous full-batch step of both players, flattened like ``flatten``."""
    cp, pp = unflatten(theta, cp_like, pp_like)
    _, gc, gp, _, _ = forward_backward(cp, pp, x, w, through_predictors)
    return flatten({k: _step(eta_c, v) for k, v in gc.items()}, {k: -_step(eta_p, v) for k, v in gp.items()})


# ---------------------------------------------------------------- plain reference (one run)

def reference(cp, pp, x, w, r=0, through_predictors=True):
    """Q and both gradients for run r, written unit by unit and pattern by pattern with explicit
    sums, as the equations read. Returns (Q, coder grads, predictor grads) without the run axis.
    Slow; for tests only."""
    B, D = x.shape[-2:]
    xr = x[r] if x.ndim == 3 else x
    wr = np.broadcast_to(w, (cp["b2"].shape[0], B))[r]
    n = cp["b2"].shape[1]
    hidden = "W1" in cp
    H = cp["b1"].shape[1] if hidden else D
    two_layer = "V1" in pp
    K = pp["c1"].shape[2] if two_layer else 0
    gc = {k: np.zeros(v.shape[1:]) for k, v in cp.items()}
    gp = {k: np.zeros(v.shape[1:]) for k, v in pp.items()}
    Q = 0.0
    for b in range(B):
        if hidden:
            h = [sigmoid(sum(xr[b, d] * cp["W1"][r, d, j] for d in range(D)) + cp["b1"][r, j])
                 for j in range(H)]
        else:
            h = list(xr[b])
        y = [sigmoid(sum(h[j] * cp["W2"][r, j, i] for j in range(H)) + cp["b2"][r, i]) for i in range(n)]
        dy = [0.0] * n                                   # dQ/dy_k for this pattern
        for i in range(n):
            z = [y[k] for k in range(n) if k != i]
            ks = [k for k in range(n) if k != i]
            if two_layer:
                g = [sigmoid(sum(z[j] * pp["V1"][r, i, j, m] for j in range(n - 1)) + pp["c1"][r, i, m])
                     for m in range(K)]
                P = sigmoid(sum(g[m] * pp["V2"][r, i, m] for m in range(K)) + pp["c2"][r, i])
            else:
                P = sigmoid(sum(z[j] * pp["V2"][r, i, j] for j in range(n - 1)) + pp["c2"][r, i])
            Q += 0.5 * wr[b] * (P - y[i]) ** 2
            du2 = wr[b] * (P - y[i]) * P * (1 - P)
            gp["c2"][i] += du2
            dy[i] -= wr[b] * (P - y[i])
            if two_layer:
                for m in range(K):
                    gp["V2"][i, m] += du2 * g[m]
                    du1 = du2 * pp["V2"][r, i, m] * g[m] * (1 - g[m])
                    gp["c1"][i, m] += du1
                    for j in range(n - 1):
                        gp["V1"][i, j, m] += du1 * z[j]
                        if through_predictors:
                            dy[ks[j]] += du1 * pp["V1"][r, i, j, m]
            else:
                for j in range(n - 1):
                    gp["V2"][i, j] += du2 * z[j]
                    if through_predictors:
                        dy[ks[j]] += du2 * pp["V2"][r, i, j]
        for i in range(n):
            da2 = dy[i] * y[i] * (1 - y[i])
            gc["b2"][i] += da2
            for j in range(H):
                gc["W2"][j, i] += da2 * h[j]
                if hidden:
                    da1 = da2 * cp["W2"][r, j, i] * h[j] * (1 - h[j])
                    gc["b1"][j] += da1
                    for d in range(D):
                        gc["W1"][d, j] += da1 * xr[b, d]
    return Q, gc, gp
