"""Sequential N-EM with two M-steps: RNN-EM and Relational N-EM (van Steenkiste, Chang, Greff &
Schmidhuber, ICLR 2018), forward, hand-written backward, plain reference, rollout Jacobian.

Shapes (time-major): T frames, B sequences, K slots, D pixels, H state units; the interaction
function uses E (encoded state), C (pair embedding), F (effect) and A (attention hidden) units.

    x_in   (T, B, D)   the (noisy) frame each step sees: x_in[t-1] is frame t
    x_next (T, B, D)   the clean frame each step must predict: x_next[t-1] is frame t + 1
    gamma0 (B, K, D)   initial responsibilities

One step t = 1..T on every slot k (psi^0 = 0, h^0 = 0, as in the authors' code):

    u_k     = gamma_k^{t-1} (x_in^t - psi_k^{t-1})        responsibility-masked error (gamma stopped)
    h_k^t   = M(u_k, h^{t-1})                              M-step, one of the two cells below
    psi_k^t = sigmoid(h_k^t Wo + bo)                        the slot's prediction of frame t + 1
    gamma^t = E-step of psi^t against frame t + 1           (rnn_em.e_step)
    L       = (1 / T) sum_t (1/B) sum_{k,i} [softplus(z) - gamma x z]     gamma held constant

Cells (``cell="rnn"``: RNN-EM; ``cell="rnem"``: R-NEM, the paper's contribution):

    RNN-EM   h_k' = sigmoid(LN(u_k Wx + h_k Wh))
    R-NEM    hh_k = relu(h_k We + be)                                 encoder of each slot's state
             xi_ki = relu(hh_k Wc1 + hh_i Wc2 + bc)   (i != k)         pair embedding [hh_k; hh_i] Wc
             e_ki = relu(xi_ki Wf + bf)                                effect of slot i on slot k
             a_ki = sigmoid(tanh(xi_ki Wa1 + ba1) wa2 + ba2)           attention weight of the pair
             E_k  = sum_{i != k} a_ki e_ki                             summed, attention-weighted effects
             h_k' = sigmoid(LN(u_k Wx + hh_k Wr1 + E_k Wr2))

LN is layer normalisation over the H units with a gain and a bias (``layer_norm=False``: a plain
bias b instead). (The authors' code also normalises the interaction's layers and uses a conv
encoder/decoder; see the stub's deviations.) The fast code computes all K x K pairs at once and
masks the diagonal; the plain code (``interaction_plain``, ``forward_plain``) loops over slots
and pairs. With K = 1 the interaction is empty (E = 0).

Rollout (``rollout_step``, after the authors' rollout code): with no frame to observe, the frame
is taken to be max_k psi_k binarised at 0.1, the E-step runs against it, and the mixture
sum_k gamma_k psi_k is fed back as the input; the learned dynamics are then an autonomous map
h^{t+1} = F(h^t) on the K x H slot states; ``rollout_jacobian`` builds its Jacobian from the
hand-written backward pass (one cotangent per output unit).
"""
import numpy as np

from shared.nem.rnn_em import e_step, sigmoid, softplus

CELLS = ("rnn", "rnem")
ROLLOUT_THRESHOLD = 0.1     # the authors' rollout binarises max_k psi_k at 0.1


def _glorot(rng, n_in, n_out):
    a = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-a, a, (n_in, n_out))


def init_params(rng, D, H, cell, E=None, C=None, F=None, A=None, layer_norm=True, dtype=np.float32):
    """Glorot-uniform weights, zero biases. ``cell`` "rnn" or "rnem"; E, C, F, A default to H.
    ``layer_norm``: the state's pre-activation is layer-normalised (gain ln_g, bias ln_b, which
    replaces the bias b), as in the authors' cells."""
    if cell not in CELLS:
        raise ValueError(f"cell must be one of {CELLS}, got {cell!r}")
    p = {"Wx": _glorot(rng, D, H), "Wo": _glorot(rng, H, D), "bo": np.zeros(D)}
    if layer_norm:
        p["ln_g"], p["ln_b"] = np.ones(H), np.zeros(H)
    else:
        p["b"] = np.zeros(H)
    if cell == "rnn":
        p["Wh"] = _glorot(rng, H, H)
    else:
        E, C, F, A = (H if v is None else v for v in (E, C, F, A))
        Wc = _glorot(rng, 2 * E, C)                    # one (2E, C) layer on [hh_k; hh_i]
        p.update({"We": _glorot(rng, H, E), "be": np.zeros(E), "Wc1": Wc[:E], "Wc2": Wc[E:],
                  "bc": np.zeros(C), "Wf": _glorot(rng, C, F), "bf": np.zeros(F),
                  "Wa1": _glorot(rng, C, A), "ba1": np.zeros(A), "wa2": _glorot(rng, A, 1)[:, 0],
                  "ba2": np.zeros(1)})
        Wr = _glorot(rng, E + F + D, H)                # the update layer sees [hh; E; u]
        p["Wr1"], p["Wr2"] = Wr[:E], Wr[E:E + F]
    return {k: np.ascontiguousarray(v, dtype=dtype) for k, v in p.items()}


def cell_of(params):
    return "rnem" if "We" in params else "rnn"


def _mm(a, W):
    """a (..., m) @ W (m, n) as one 2-D product (a stacked matmul would loop over the leading axes)."""
    return (a.reshape(-1, a.shape[-1]) @ W).reshape(a.shape[:-1] + (W.shape[1],))


# ---------------------------------------------------------------- the interaction function

def interaction(p, hh):
    """E (N, K, F) from the encoded slot states hh (N, K, E); returns E and the cache."""
    N, K, _ = hh.shape
    mask = 1.0 - np.eye(K, dtype=hh.dtype)                            # (K, K): no self-pair
    pre_c = _mm(hh, p["Wc1"])[:, :, None, :] + _mm(hh, p["Wc2"])[:, None, :, :] + p["bc"]   # (N, K, K, C)
    xi = np.maximum(pre_c, 0.0)
    pre_f = _mm(xi, p["Wf"]) + p["bf"]                                    # (N, K, K, F)
    eff = np.maximum(pre_f, 0.0)
    s = np.tanh(_mm(xi, p["Wa1"]) + p["ba1"])                             # (N, K, K, A)
    a = sigmoid(s @ p["wa2"] + p["ba2"])                              # (N, K, K)
    am = a * mask
    E = np.einsum("nki,nkif->nkf", am, eff)
    return E, {"hh": hh, "mask": mask, "pre_c": pre_c, "xi": xi, "pre_f": pre_f, "eff": eff, "s": s,
               "a": a, "am": am}


def interaction_backward(p, c, gE, weights=True):
    """Gradients of the interaction's parameters (none if not ``weights``) and dL/dhh (N, K, E),
    given dL/dE (N, K, F)."""
    xi, eff, s, a, mask = c["xi"], c["eff"], c["s"], c["a"], c["mask"]
    C, A = xi.shape[-1], s.shape[-1]
    # E_k = sum_i am_ki e_ki
    g_am = np.einsum("...kf,...kif->...ki", gE, eff)
    g_pre_f = (c["am"][..., None] * gE[..., None, :]) * (c["pre_f"] > 0)       # e = relu(pre_f)
    # a = sigmoid(s wa2 + ba2), masked on the diagonal
    g_pre_a2 = g_am * mask * a * (1.0 - a)                                     # (N, K, K)
    g_s = g_pre_a2[..., None] * p["wa2"]
    g_pre_a1 = g_s * (1.0 - s * s)                                             # s = tanh(pre_a1)
    # xi_ki = relu(hh_k Wc1 + hh_i Wc2 + bc)
    g_pre_c = (_mm(g_pre_f, p["Wf"].T) + _mm(g_pre_a1, p["Wa1"].T)) * (c["pre_c"] > 0)  # (N, K, K, C)
    gA, gB = g_pre_c.sum(axis=-2), g_pre_c.sum(axis=-3)                        # (N, K, C) each
    g = {}
    if weights:
        xi2, gf2, ga2 = xi.reshape(-1, C), g_pre_f.reshape(-1, g_pre_f.shape[-1]), g_pre_a1.reshape(-1, A)
        hh2 = c["hh"].reshape(-1, c["hh"].shape[-1])
        g = {"Wf": xi2.T @ gf2, "bf": gf2.sum(0), "Wa1": xi2.T @ ga2, "ba1": ga2.sum(0),
             "wa2": s.reshape(-1, A).T @ g_pre_a2.reshape(-1), "ba2": np.array([g_pre_a2.sum()], xi.dtype),
             "Wc1": hh2.T @ gA.reshape(-1, C), "Wc2": hh2.T @ gB.reshape(-1, C),
             "bc": g_pre_c.sum(axis=(0, 1, 2))}
    return g, _mm(gA, p["Wc1"].T) + _mm(gB, p["Wc2"].T)


def interaction_plain(p, hh):
    """The same E, slot by slot and pair by pair (reference for tests); hh (N, K, E)."""
    N, K, _ = hh.shape
    out = np.zeros((N, K, p["Wf"].shape[1]))
    for k in range(K):
        for i in range(K):
            if i == k:
                continue
            xi = np.maximum(np.concatenate([hh[:, k], hh[:, i]], axis=1)
                            @ np.concatenate([p["Wc1"], p["Wc2"]]) + p["bc"], 0.0)
            e = np.maximum(xi @ p["Wf"] + p["bf"], 0.0)
            a = sigmoid(np.tanh(xi @ p["Wa1"] + p["ba1"]) @ p["wa2"] + p["ba2"])
            out[:, k] += a[:, None] * e
    return out


# ---------------------------------------------------------------- the M-step cells

def cell_forward(p, u, h):
    """h' (N, K, H) from u (N, K, D) and h (N, K, H); returns h' and the cache."""
    if "Wh" in p:
        hn, ln = _state(p, _mm(u, p["Wx"]) + _mm(h, p["Wh"]))
        return hn, {"u": u, "h": h, "hn": hn, "ln": ln}
    hh = np.maximum(_mm(h, p["We"]) + p["be"], 0.0)
    E, ic = interaction(p, hh)
    hn, ln = _state(p, _mm(u, p["Wx"]) + _mm(hh, p["Wr1"]) + _mm(E, p["Wr2"]))
    return hn, {"u": u, "h": h, "hn": hn, "hh": hh, "E": E, "ic": ic, "ln": ln}


LN_EPS = 1e-5


def _state(p, a):
    """h' = sigmoid(LN(a)) with LN(a) = ln_g (a - mean a) / sqrt(var a + eps) + ln_b over the H
    units, or sigmoid(a + b) without layer norm. Returns h' and the LN cache (None without)."""
    if "ln_g" not in p:
        return sigmoid(a + p["b"]), None
    mu = a.mean(axis=-1, keepdims=True)
    r = 1.0 / np.sqrt(a.var(axis=-1, keepdims=True) + LN_EPS)
    n = (a - mu) * r
    return sigmoid(p["ln_g"] * n + p["ln_b"]), {"n": n, "r": r}


def _state_backward(p, c, g_hn, g, weights):
    """dL/da of ``_state`` given dL/dh'; adds the LN (or bias) gradients to g."""
    hn = c["hn"]
    g_y = g_hn * hn * (1.0 - hn)                             # h' = sigmoid(y)
    ln = c["ln"]
    if ln is None:
        if weights:
            g["b"] = g_y.sum(axis=(0, 1))
        return g_y
    n, r = ln["n"], ln["r"]
    if weights:
        g["ln_g"], g["ln_b"] = (g_y * n).sum(axis=(0, 1)), g_y.sum(axis=(0, 1))
    # y = ln_g n + ln_b,  n = (a - mean a) r
    g_n = g_y * p["ln_g"]
    return r * (g_n - g_n.mean(axis=-1, keepdims=True) - n * (g_n * n).mean(axis=-1, keepdims=True))


def _tn(a, b):
    """sum over all leading axes of a^T b: (..., m), (..., n) -> (m, n)."""
    return a.reshape(-1, a.shape[-1]).T @ b.reshape(-1, b.shape[-1])


def cell_backward(p, c, g_hn, weights=True):
    """(grads of the cell's parameters, dL/du, dL/dh) from dL/dh' (N, K, H); ``weights=False``
    skips the parameter gradients (for Jacobians)."""
    g = {}
    g_pre = _state_backward(p, c, g_hn, g, weights)          # h' = sigmoid(LN(pre))
    if weights:
        g["Wx"] = _tn(c["u"], g_pre)
    g_u = _mm(g_pre, p["Wx"].T)
    if "Wh" in p:
        if weights:
            g["Wh"] = _tn(c["h"], g_pre)
        return g, g_u, _mm(g_pre, p["Wh"].T)
    # pre = u Wx + hh Wr1 + E Wr2 + b
    if weights:
        g["Wr1"], g["Wr2"] = _tn(c["hh"], g_pre), _tn(c["E"], g_pre)
    gi, g_hh = interaction_backward(p, c["ic"], _mm(g_pre, p["Wr2"].T), weights)
    g.update(gi)
    g_pe = (g_hh + _mm(g_pre, p["Wr1"].T)) * (c["hh"] > 0)       # hh = relu(h We + be)
    if weights:
        g["We"], g["be"] = _tn(c["h"], g_pe), g_pe.sum(axis=(0, 1))
    return g, g_u, _mm(g_pe, p["We"].T)


# ---------------------------------------------------------------- the sequential N-EM loop

def forward(p, x_in, x_next, gamma0, w=None, gamma_given=None):
    """Run T steps; returns the loss (sum_t w_t L^t / sum_t w_t, default w = 1) and the cache:
    h (T+1, B, K, H), psi, gamma (T+1, B, K, D) with step 0 the initial values, z (T, B, K, D),
    step_loss (T,), cells (the T cell caches). ``gamma_given`` (T+1, B, K, D) replaces every
    E-step by fixed responsibilities: the loss whose exact gradient is the gamma-stopped one,
    so central differences of it check ``backward``."""
    T, B, D = x_in.shape
    K, H = gamma0.shape[1], p["Wx"].shape[1]
    dt = p["Wx"].dtype
    w = np.ones(T) if w is None else np.asarray(w, dtype=np.float64)
    h = np.zeros((T + 1, B, K, H), dt)
    psi, gamma = np.zeros((T + 1, B, K, D), dt), np.empty((T + 1, B, K, D), dt)
    z = np.empty((T, B, K, D), dt)
    gamma[0] = gamma0
    step_loss, cells = np.zeros(T), []
    for t in range(1, T + 1):
        u = gamma[t - 1] * (x_in[t - 1][:, None, :] - psi[t - 1])
        h[t], cc = cell_forward(p, u, h[t - 1])
        cells.append(cc)
        z[t - 1] = _mm(h[t], p["Wo"]) + p["bo"]
        psi[t] = sigmoid(z[t - 1])
        gamma[t] = e_step(psi[t], x_next[t - 1])[0] if gamma_given is None else gamma_given[t]
        xz = x_next[t - 1][:, None, :] * z[t - 1]
        step_loss[t - 1] = float(np.sum(softplus(z[t - 1]) - gamma[t] * xz)) / B
    loss = float(np.dot(w, step_loss) / w.sum())
    return loss, {"x_next": x_next, "h": h, "psi": psi, "gamma": gamma, "z": z, "w": w,
                  "step_loss": step_loss, "cells": cells}


def backward(p, cache):
    """Gradients keyed like ``p``: BPTT through all T steps, the gradient stopped at gamma."""
    h, psi, gamma, x_next, w = cache["h"], cache["psi"], cache["gamma"], cache["x_next"], cache["w"]
    T, B = x_next.shape[0], x_next.shape[1]
    g = {k: np.zeros_like(v) for k, v in p.items()}
    gh_next, gu_next = np.zeros_like(h[0]), None
    for t in range(T, 0, -1):
        wt = float(w[t - 1] / w.sum()) / B
        # L^t = softplus(z) - gamma x z (gamma constant):  dz = psi - gamma x
        gz = wt * (psi[t] - gamma[t] * x_next[t - 1][:, None, :])
        if gu_next is not None:
            # u^{t+1} = gamma^t (x_in^{t+1} - psi^t)
            gz += -gu_next * gamma[t] * psi[t] * (1.0 - psi[t])
        g["Wo"] += _tn(h[t], gz)
        g["bo"] += gz.sum(axis=(0, 1))
        gc, gu_next, gh_next = cell_backward(p, cache["cells"][t - 1], gh_next + _mm(gz, p["Wo"].T))
        for k, v in gc.items():
            g[k] += v
    return g


def loss_and_grads(p, x_in, x_next, gamma0, w=None):
    loss, cache = forward(p, x_in, x_next, gamma0, w)
    return loss, backward(p, cache), cache


def forward_plain(p, x_in, x_next, gamma0):
    """The same loop and loss (w = 1), slot by slot, with ``interaction_plain`` (reference)."""
    T, B, D = x_in.shape
    K, H = gamma0.shape[1], p["Wx"].shape[1]
    hs, psis, gam = np.zeros((B, K, H)), np.zeros((B, K, D)), gamma0.copy()
    loss, gammas = 0.0, [gam]
    for t in range(T):
        hn = np.zeros_like(hs)
        if "Wh" in p:
            for k in range(K):
                hn[:, k] = _state(p, gam[:, k] * (x_in[t] - psis[:, k]) @ p["Wx"] + hs[:, k] @ p["Wh"])[0]
        else:
            hh = np.maximum(hs @ p["We"] + p["be"], 0.0)
            E = interaction_plain(p, hh)
            for k in range(K):
                u = gam[:, k] * (x_in[t] - psis[:, k])
                hn[:, k] = _state(p, u @ p["Wx"] + hh[:, k] @ p["Wr1"] + E[:, k] @ p["Wr2"])[0]
        hs = hn
        zs = [hs[:, k] @ p["Wo"] + p["bo"] for k in range(K)]
        psis = np.stack([sigmoid(zk) for zk in zs], axis=1)
        lik = [x_next[t] * psis[:, k] + (1 - x_next[t]) * (1 - psis[:, k]) + 1e-6 for k in range(K)]
        gam = np.stack([lk / sum(lik) for lk in lik], axis=1)
        for k in range(K):
            intra = gam[:, k] * (softplus(zs[k]) - x_next[t] * zs[k])      # gamma BCE(psi, x)
            inter = (1.0 - gam[:, k]) * softplus(zs[k])                     # (1 - gamma) KL(0 || psi)
            loss += np.sum(intra + inter) / B / T
        gammas.append(gam)
    return loss, gammas


# ---------------------------------------------------------------- rollout and its Jacobian

def rollout_inputs(p, h, threshold=ROLLOUT_THRESHOLD):
    """The M-step's input when no frame is observed, as in the authors' rollout: each slot's
    prediction psi = sigmoid(h Wo + bo), the "observed" frame binarised from the most confident
    slot (max_k psi_k > threshold), the E-step against it, and the mixture x_hat = sum_k gamma_k psi_k
    fed back as the next input: u_k = gamma_k (x_hat - psi_k). h (B, K, H) -> u (B, K, D), cache."""
    psi = sigmoid(_mm(h, p["Wo"]) + p["bo"])
    truth = (psi.max(axis=1) > threshold).astype(h.dtype)                  # (B, D)
    gamma, S = e_step(psi, truth)
    x_hat = np.sum(gamma * psi, axis=1)                                     # (B, D)
    u = gamma * (x_hat[:, None, :] - psi)
    return u, {"psi": psi, "truth": truth, "gamma": gamma, "S": S, "x_hat": x_hat}


def rollout_step(p, h):
    """h^{t+1} = M(u(h^t), h^t) (B, K, H) and the slots' predictions psi (B, K, D) of the next frame."""
    u, _ = rollout_inputs(p, h)
    hn, _ = cell_forward(p, u, h)
    return hn, sigmoid(_mm(hn, p["Wo"]) + p["bo"])


def rollout_backward(p, rc, cc, g_hn):
    """dL/dh (..., N, K, H) through one rollout step, given dL/dh' (..., N, K, H); rc, cc the caches
    of ``rollout_inputs`` and ``cell_forward`` (broadcast against the leading axes). The binarised
    frame is piecewise constant in h (zero derivative almost everywhere)."""
    _, g_u, g_h = cell_backward(p, cc, g_hn, weights=False)
    psi, gamma, truth = rc["psi"], rc["gamma"], rc["truth"]
    # u_k = gamma_k (x_hat - psi_k),  x_hat = sum_j gamma_j psi_j
    g_xhat = np.sum(g_u * gamma, axis=-2, keepdims=True)
    g_gam = g_u * (rc["x_hat"][..., None, :] - psi) + g_xhat * psi
    g_psi = -g_u * gamma + g_xhat * gamma
    # gamma_k = p_k / S,  p_k = truth psi_k + (1 - truth)(1 - psi_k) + eps
    g_p = (g_gam - np.sum(g_gam * gamma, axis=-2, keepdims=True)) / rc["S"][..., None, :]
    g_psi += g_p * (2.0 * truth[..., None, :] - 1.0)
    # psi = sigmoid(h Wo + bo)
    return g_h + _mm(g_psi * psi * (1.0 - psi), p["Wo"].T)


def rollout_jacobian(p, h):
    """d h^{t+1} / d h^t of the rollout map as (B, K H, K H), slot-major; from ``rollout_backward``
    with one unit cotangent per output coordinate (all B x K H of them in one batch)."""
    B, K, H = h.shape
    n = K * H
    u, rc = rollout_inputs(p, h)
    _, cc = cell_forward(p, u, h)
    rc, cc = _expand(rc), _expand(cc)                                   # every array (B, 1, ...)
    cot = np.broadcast_to(np.eye(n, dtype=h.dtype).reshape(n, K, H), (B, n, K, H))  # row r: unit r
    return rollout_backward(p, rc, cc, cot).reshape(B, n, n)


def _expand(cache):
    """A view of each cached array with an axis for the cotangents after the batch axis (the pair
    mask is shared)."""
    return {k: (_expand(v) if isinstance(v, dict) else v if (k == "mask" or v is None) else v[:, None])
            for k, v in cache.items()}
