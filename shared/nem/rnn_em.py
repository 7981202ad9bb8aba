"""RNN-EM: the differentiable EM loop of Neural EM, forward, backward and map Jacobian.

Shapes (time-major): T EM steps, B images, K slots, D pixels, H recurrent units.

    x_in   (T, B, D)     the input seen at each EM step (the image, bit-flip corrupted anew per step)
    x      (B, D)        the target the E-step and the loss compare with (the clean image)
    gamma0 (B, K, D)     initial responsibilities (sum to 1 over K)
    params Wx (D, H), Wh (H, H), b (H,)     the recurrent M-step, sigmoid units
           Wo (H, D), bo (D,)               the decoder to pixel means, sigmoid output

One EM step t = 1..T (psi^0 = psi0, a constant; h^0 = 0; gamma^0 = gamma0):

    u_k^t     = gamma_k^{t-1} * (x_in^t - psi_k^{t-1})          responsibility-masked error
    h_k^t     = sigmoid(u_k^t Wx + h_k^{t-1} Wh + b)             M-step: one RNN step per slot
    psi_k^t   = sigmoid(z_k^t),  z_k^t = h_k^t Wo + bo            pixel means of slot k
    p_k^t     = x psi_k^t + (1 - x)(1 - psi_k^t) + eps            Bernoulli likelihood of x
    gamma_k^t = p_k^t / sum_j p_j^t                               E-step

Loss of step t, summed over slots and pixels, averaged over images (prior pixel value 0):

    L^t = (1/B) sum_{k,i} [ gamma * BCE(psi, x) + (1 - gamma) * KL(0 || psi) ]
        = (1/B) sum_{k,i} [ softplus(z) - gamma x z ]            (in logits: BCE = softplus(z) - x z,
                                                                   KL(0 || psi) = softplus(z))
    L = sum_t w_t L^t       (w = 0,...,0,1: the last step only; or all ones)

``gamma_grad=False`` stops the gradient at gamma (in the mask and in the loss), as the authors'
code does for sequential data; with True the gradient flows through every E-step.

From t = 2 on, psi^{t-1} and gamma^{t-1} are functions of h^{t-1}, so the iteration is a map
h^t = F(h^{t-1}; x_in^t, x) on the K slot states: ``em_map`` and its Jacobian ``em_map_jacobian``.
"""
import numpy as np

EPS = 1e-6          # added to each slot's likelihood before normalising (authors' code)


def sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))          # overflow-free logistic


def softplus(z):
    return np.logaddexp(0.0, z)


def init_params(rng, D, H, dtype=np.float32):
    """Glorot-uniform weights (the recurrent layer's input and recurrent weights drawn as one
    (D + H, H) matrix, as a fused RNN cell does), zero biases."""
    a = np.sqrt(6.0 / (D + H + H))
    W = rng.uniform(-a, a, (D + H, H))
    c = np.sqrt(6.0 / (H + D))
    p = {"Wx": W[:D], "Wh": W[D:], "b": np.zeros(H),
         "Wo": rng.uniform(-c, c, (H, D)), "bo": np.zeros(D)}
    return {k: np.ascontiguousarray(v, dtype=dtype) for k, v in p.items()}


def random_gamma(rng, B, K, D, dtype=np.float32):
    """gamma0 (B, K, D): |N(0, 1)| normalised over the slots (authors' initialisation)."""
    g = np.abs(rng.standard_normal((B, K, D)))
    return (g / g.sum(axis=1, keepdims=True)).astype(dtype)


def loss_weights(T, which):
    """w (T,): ``last`` (the authors' default for static data) or ``all`` EM steps."""
    if which == "last":
        w = np.zeros(T)
        w[-1] = 1.0
        return w
    if which == "all":
        return np.ones(T)
    raise ValueError(f"loss steps must be 'last' or 'all', got {which!r}")


def e_step(psi, x, eps=EPS):
    """gamma (B, K, D) and the normaliser S (B, D) from pixel means psi (B, K, D), target x (B, D)."""
    xb = x[:, None, :]
    p = (1.0 - xb + eps) + psi * (2.0 * xb - 1.0)       # x psi + (1 - x)(1 - psi) + eps
    S = p.sum(axis=1)
    return p / S[:, None, :], S


# ---------------------------------------------------------------- fast loop: B x K rows at once

def forward(params, x_in, x, gamma0, w, psi0=0.0):
    """Run T EM steps. Returns the total loss and the cache (every array the backward pass and
    the diagnostics need): h (T+1, B, K, H), psi, gamma (T+1, B, K, D) with step 0 the
    initial values, u, z (T, B, K, D), S (T, B, D), step_loss (T,)."""
    T, B, D = x_in.shape
    K = gamma0.shape[1]
    H = params["Wh"].shape[0]
    dt = params["Wx"].dtype
    h = np.zeros((T + 1, B, K, H), dt)
    psi = np.empty((T + 1, B, K, D), dt)
    gamma = np.empty((T + 1, B, K, D), dt)
    u, z = np.empty((T, B, K, D), dt), np.empty((T, B, K, D), dt)
    S = np.empty((T, B, D), dt)
    psi[0], gamma[0] = psi0, gamma0
    step_loss = np.zeros(T)
    xb = x[:, None, :]
    for t in range(1, T + 1):
        u[t - 1] = gamma[t - 1] * (x_in[t - 1][:, None, :] - psi[t - 1])
        pre = (u[t - 1].reshape(B * K, D) @ params["Wx"] + h[t - 1].reshape(B * K, H) @ params["Wh"]
               + params["b"])
        h[t] = sigmoid(pre).reshape(B, K, H)
        z[t - 1] = (h[t].reshape(B * K, H) @ params["Wo"] + params["bo"]).reshape(B, K, D)
        psi[t] = sigmoid(z[t - 1])
        gamma[t], S[t - 1] = e_step(psi[t], x)
        if w[t - 1] != 0:          # steps outside the loss are not scored (saves time in training)
            step_loss[t - 1] = float(np.sum(softplus(z[t - 1]) - gamma[t] * xb * z[t - 1])) / B
    loss = float(np.dot(w, step_loss))
    cache = {"x_in": x_in, "x": x, "h": h, "psi": psi, "gamma": gamma, "u": u, "z": z, "S": S,
             "w": np.asarray(w, dtype=np.float64), "step_loss": step_loss}
    return loss, cache


def backward(params, cache, gamma_grad=True):
    """Gradients of the loss keyed like ``params``: BPTT through all T EM steps."""
    x_in, x, h, psi, gamma = cache["x_in"], cache["x"], cache["h"], cache["psi"], cache["gamma"]
    u, z, S, w = cache["u"], cache["z"], cache["S"], cache["w"]
    T, B, D = x_in.shape
    K, H = h.shape[2], h.shape[3]
    xb = x[:, None, :]
    gz_all = np.empty((T, B * K, D), h.dtype)       # dL/dz^t and dL/dpre^t of every step: the weight
    gpre_all = np.empty((T, B * K, H), h.dtype)     # gradients are one matrix product each, at the end
    gh_next = np.zeros((B, K, H), h.dtype)      # dL/dh^t arriving from step t+1
    gu_next = None                              # dL/du^{t+1}
    for t in range(T, 0, -1):
        wt = float(w[t - 1]) / B           # a Python float keeps float32 arrays float32
        # L^t = softplus(z) - gamma x z:  dz = psi - gamma x,  dgamma = -x z
        gz = wt * (psi[t] - gamma[t] * xb)
        ggam = -wt * xb * z[t - 1] if gamma_grad else None
        gpsi = np.zeros_like(psi[t])
        if gu_next is not None:
            # u^{t+1} = gamma^t (x_in^{t+1} - psi^t)
            gpsi -= gu_next * gamma[t]
            if gamma_grad:
                ggam = ggam + gu_next * (x_in[t][:, None, :] - psi[t])
        if gamma_grad:
            # gamma_k = p_k / S,  p_k = x psi_k + (1 - x)(1 - psi_k) + eps
            gp = (ggam - np.sum(ggam * gamma[t], axis=1, keepdims=True)) / S[t - 1][:, None, :]
            gpsi += gp * (2.0 * xb - 1.0)
        gz += gpsi * psi[t] * (1.0 - psi[t])
        gz_all[t - 1] = gz.reshape(B * K, D)
        # z = h Wo + bo
        gh = gh_next + (gz_all[t - 1] @ params["Wo"].T).reshape(B, K, H)
        # h^t = sigmoid(u Wx + h^{t-1} Wh + b)
        gpre = gpre_all[t - 1]
        np.multiply(gh.reshape(B * K, H), (h[t] * (1.0 - h[t])).reshape(B * K, H), out=gpre)
        gh_next = (gpre @ params["Wh"].T).reshape(B, K, H)
        gu_next = (gpre @ params["Wx"].T).reshape(B, K, D) if t > 1 else None
    # the weights are shared across steps: sum over t of (input of step t)^T (gradient at step t)
    gpre_flat = gpre_all.reshape(-1, H)
    return {"Wo": h[1:].reshape(-1, H).T @ gz_all.reshape(-1, D), "bo": gz_all.sum(axis=(0, 1)),
            "Wx": u.reshape(-1, D).T @ gpre_flat, "Wh": h[:-1].reshape(-1, H).T @ gpre_flat,
            "b": gpre_flat.sum(axis=0)}


def loss_and_grads(params, x_in, x, gamma0, w, gamma_grad=True, psi0=0.0):
    loss, cache = forward(params, x_in, x, gamma0, w, psi0)
    return loss, backward(params, cache, gamma_grad), cache


# ---------------------------------------------------------------- plain loop: one slot at a time

def m_step_plain(params, u_k, h_k):
    """h_k' = sigmoid(u_k Wx + h_k Wh + b) and psi_k' = sigmoid(h_k' Wo + bo) for one slot;
    u_k (B, D), h_k (B, H). Returns h_k', z_k, psi_k'."""
    h_new = sigmoid(u_k @ params["Wx"] + h_k @ params["Wh"] + params["b"])
    z_k = h_new @ params["Wo"] + params["bo"]
    return h_new, z_k, sigmoid(z_k)


def e_step_plain(psis, x, eps=EPS):
    """Responsibilities of K slots, each psi (B, D): a list of K arrays gamma_k (B, D) and S."""
    ps = [x * psi + (1.0 - x) * (1.0 - psi) + eps for psi in psis]
    S = sum(ps)
    return [p / S for p in ps], S


def forward_plain(params, x_in, x, gamma0, w, psi0=0.0):
    """The same loop as ``forward``, written slot by slot (reference for tests). Returns the loss
    and lists per step t = 0..T of per-slot lists (h, psi, gamma), plus u, z, S per step."""
    T, B, D = x_in.shape
    K, H = gamma0.shape[1], params["Wh"].shape[0]
    hs = [[np.zeros((B, H)) for _ in range(K)]]
    psis = [[np.full((B, D), psi0) for _ in range(K)]]
    gams = [[gamma0[:, k] for k in range(K)]]
    us, zs, Ss, loss = [], [], [], 0.0
    for t in range(1, T + 1):
        u_t = [gams[-1][k] * (x_in[t - 1] - psis[-1][k]) for k in range(K)]
        outs = [m_step_plain(params, u_t[k], hs[-1][k]) for k in range(K)]
        h_t, z_t, psi_t = ([o[i] for o in outs] for i in range(3))
        gam_t, S_t = e_step_plain(psi_t, x)
        step = 0.0
        for k in range(K):
            intra = gam_t[k] * (softplus(z_t[k]) - x * z_t[k])       # gamma * BCE(psi, x)
            inter = (1.0 - gam_t[k]) * softplus(z_t[k])             # (1 - gamma) * KL(0 || psi)
            step += np.sum(intra + inter) / B
        loss += w[t - 1] * step
        hs.append(h_t), psis.append(psi_t), gams.append(gam_t)
        us.append(u_t), zs.append(z_t), Ss.append(S_t)
    return loss, {"h": hs, "psi": psis, "gamma": gams, "u": us, "z": zs, "S": Ss}


def backward_plain(params, x_in, x, cache, w, gamma_grad=True):
    """Gradients of ``forward_plain``'s loss, slot by slot and step by step."""
    T, B, D = x_in.shape
    hs, psis, gams, us, zs, Ss = (cache[k] for k in ("h", "psi", "gamma", "u", "z", "S"))
    K = len(hs[0])
    g = {k: np.zeros_like(v, dtype=np.float64) for k, v in params.items()}
    dh = [np.zeros_like(hs[0][k]) for k in range(K)]         # dL/dh_k^t from step t+1
    du = None                                                # dL/du_k^{t+1}
    for t in range(T, 0, -1):
        dpsi = [np.zeros((B, D)) for _ in range(K)]
        dgam = [np.zeros((B, D)) for _ in range(K)]
        dz = []
        for k in range(K):
            psi, gam, zk = psis[t][k], gams[t][k], zs[t - 1][k]
            dz.append(w[t - 1] / B * (gam * (psi - x) + (1.0 - gam) * psi))
            if gamma_grad:
                # d/dgamma of gamma BCE + (1 - gamma) softplus(z) = -x z
                dgam[k] += w[t - 1] / B * (-x * zk)
            if du is not None:
                dpsi[k] -= du[k] * gam
                if gamma_grad:
                    dgam[k] += du[k] * (x_in[t] - psi)
        if gamma_grad:
            mean = sum(dgam[j] * gams[t][j] for j in range(K))
            for k in range(K):
                dpsi[k] += (dgam[k] - mean) / Ss[t - 1] * (2.0 * x - 1.0)
        new_dh, new_du = [], []
        for k in range(K):
            psi, h_t, h_prev = psis[t][k], hs[t][k], hs[t - 1][k]
            dzk = dz[k] + dpsi[k] * psi * (1.0 - psi)
            g["Wo"] += h_t.T @ dzk
            g["bo"] += dzk.sum(0)
            dpre = (dh[k] + dzk @ params["Wo"].T) * h_t * (1.0 - h_t)
            g["Wx"] += us[t - 1][k].T @ dpre
            g["Wh"] += h_prev.T @ dpre
            g["b"] += dpre.sum(0)
            new_dh.append(dpre @ params["Wh"].T)
            new_du.append(dpre @ params["Wx"].T)
        dh, du = new_dh, new_du
    return g


# ---------------------------------------------------------------- the EM iteration as a map

def em_map(params, h, x_in_t, x):
    """h^t = F(h^{t-1}) for t >= 2: h (B, K, H) -> (B, K, H), given the step's input x_in_t (B, D)."""
    B, K, H = h.shape
    psi = sigmoid(h @ params["Wo"] + params["bo"])
    gamma, _ = e_step(psi, x)
    u = gamma * (x_in_t[:, None, :] - psi)
    return sigmoid(u @ params["Wx"] + h @ params["Wh"] + params["b"])


def em_map_jacobian(params, h, x_in_t, x):
    """dF/dh as (B, K H, K H), slot-major (row block k, column block j is dh_k^t / dh_j^{t-1}):

        J_kj = diag(s_k) [ Wx^T diag(c_kj) Wo^T + delta_kj (Wh^T - Wx^T diag(gamma_k psi_k') Wo^T) ]
        c_kj = (x_in - psi_k) (2x - 1) / S * (delta_kj - gamma_k) * psi_j'

    with s_k = h_k^t (1 - h_k^t), psi' = psi (1 - psi): the mask u_k = gamma_k (x_in - psi_k)
    depends on every slot through the E-step's normaliser S, and on its own slot through psi_k."""
    B, K, H = h.shape
    Wx, Wo = params["Wx"], params["Wo"]
    psi = sigmoid(h @ Wo + params["bo"])
    gamma, S = e_step(psi, x)
    u = gamma * (x_in_t[:, None, :] - psi)
    hn = sigmoid(u @ Wx + h @ params["Wh"] + params["b"])
    s = hn * (1.0 - hn)                                                 # (B, K, H)
    dpsi = psi * (1.0 - psi)                                            # (B, K, D)
    A = (x_in_t[:, None, :] - psi) * (2.0 * x[:, None, :] - 1.0) / S[:, None, :]
    eye = np.eye(K)
    J = np.empty((B, K, H, K, H))
    for b in range(B):
        C = A[b][:, None, :] * (eye[:, :, None] - gamma[b][:, None, :]) * dpsi[b][None, :, :]  # (K, K, D)
        C = C - eye[:, :, None] * (gamma[b] * dpsi[b])[:, None, :]     # own-slot psi term
        blocks = (Wx.T[None, None] * C[:, :, None, :]) @ Wo.T          # (K, K, H, H)
        blocks = blocks + eye[:, :, None, None] * params["Wh"].T
        J[b] = np.transpose(s[b][:, None, :, None] * blocks, (0, 2, 1, 3))
    return J.reshape(B, K * H, K * H)
