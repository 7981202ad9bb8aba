"""A recurrent world model M and a recurrent controller C, learning on-line by real-time recurrent
learning (Schmidhuber 1990, FKI-126-90 / NIPS 3).

Both nets have the same form: a fully recurrent hidden layer (every hidden unit sees every input,
a bias and every hidden unit one step before) and logistic output units that read the inputs, the
bias and the hidden layer of the same step:

    h(t) = f(Wh [x(t); 1; h(t-1)])          o(t) = f(Wo [x(t); 1; h(t)])          f logistic

C reads the environment's input e(t) (its pain components included). Its first n_a output units are
the action means mu(t), the next n_a the noise scales nu(t). The action is

    a(t) = f(s_mu(t) + sigma(t) eps(t)),   eps ~ N(0, 1),   s_mu the mean units' net input
    sigma(t) = sigma_max (g nu(t) + g' J_mu(t))                 adaptive randomness, two forms:
        g = 1:  C's noise units set the scale and learn it through M like everything else
        g' = 1: the scale follows M's predicted pain J_mu(t) for the mean action mu(t) (not
                differentiated: more noise where M expects pain)
    a(t) = mu(t)                                    (g = g' = 0)
    a(t) = uniform random                           (M-first phase)

M reads x_M(t) = [e(t); a(t)] and its outputs p(t) predict the next input e(t + 1). M learns on-line:

    E_M(t+1) = 1/2 sum_i m_i (e_i(t+1) - p_i(t))^2,     W_M <- W_M - eta_M dE_M(t+1)/dW_M

C learns on-line to make M's predicted pain J(t) = sum_i c_i p_i(t) small, with M's weights held
fixed for this purpose, by the gradient carried forward through C and through M:

    P(t)  = dh_C(t)/dWh_C   = f'(s_hC) (Wh_C,rec P(t-1) + [dh_k / dWh_C[k, :] = u_hC(t)])
    da(t)/dtheta_C          = f'(s_a) (ds_mu/dtheta_C + g sigma_max eps f'(s_nu) ds_nu/dtheta_C)
    Q(t)  = dh_M(t)/dtheta_C = f'(s_hM) (Wh_M[:, a] da(t)/dtheta_C + k Wh_M,rec Q(t-1))
    dp(t)/dtheta_C          = f'(s_oM) (Wo_M[:, a] da(t)/dtheta_C + Wo_M,h Q(t))
    theta_C <- theta_C - eta_C sum_i c_i dp_i(t)/dtheta_C

with k = 1 (the full recurrent gradient of the frozen M) or k = 0 (truncated through M: only the
path from a(t) to p(t) within one step; C's own recurrence stays exact). The environment's input
e(t) is not differentiated (the world is not differentiable; M stands in for it). M's own
sensitivities P_M(t) = dh_M(t)/dWh_M follow the same recursion as P. Nothing is ever reset.

Shapes, R independent runs on the leading axis (a one-run reference drops it):
    net {"Wh": (R, H, I + 1 + H), "Wo": (R, O, I + 1 + H)}, I inputs, H hidden, O outputs
    C: I = m (input size), O = 2 n_a;  M: I = m + n_a, O = m
    theta_C = [Wh_C.ravel(), Wo_C.ravel()] (N = H_C (m + 1 + H_C) + 2 n_a (m + 1 + H_C) entries)
    P (R, H_C, H_C, m + 1 + H_C)   Q (R, H_M, N)   P_M (R, H_M, H_M, m + n_a + 1 + H_M)
    e (R, m)   a, eps (R, n_a)   flags: (R,) arrays (``Flags``)   pain_w c: (m,) or (R, m)
"""
from dataclasses import dataclass

import numpy as np


def logistic(s):
    """f(s) and f'(s) without overflow in either tail."""
    z = np.exp(-np.abs(s))
    f = np.where(s >= 0, 1.0, z) / (1.0 + z)
    return f, z / (1.0 + z) ** 2


def init_net(rng, R, n_in, n_hidden, n_out, scale):
    """Weights uniform in [-scale, scale]: {"Wh": (R, H, I + 1 + H), "Wo": (R, O, I + 1 + H)}."""
    q = n_in + 1 + n_hidden
    return {"Wh": rng.uniform(-scale, scale, (R, n_hidden, q)),
            "Wo": rng.uniform(-scale, scale, (R, n_out, q))}


def net_forward(net, x, h_prev):
    """One step of a net: h (R, H), o (R, O), their derivatives and the vectors the units read."""
    one = np.ones(x.shape[:-1] + (1,))
    u_h = np.concatenate([x, one, h_prev], axis=-1)
    h, sp_h = logistic(np.einsum("...hq,...q->...h", net["Wh"], u_h))
    u_o = np.concatenate([x, one, h], axis=-1)
    s_o = np.einsum("...oq,...q->...o", net["Wo"], u_o)
    o, sp_o = logistic(s_o)
    return dict(h=h, o=o, s_o=s_o, sp_h=sp_h, sp_o=sp_o, u_h=u_h, u_o=u_o)


def hidden_sensitivity(Wh, P, sp_h, u_h, n_in, carry=1.0):
    """RTRL for the hidden weights: P(t)[k, i, j] = dh_k(t)/dWh[i, j] from P(t-1) (R, H, H, q).

        P(t) = f'(s_h) (carry Wh_rec P(t-1) + delta_ki u_h,j(t))
    """
    R, H, q = Wh.shape
    rec = Wh[:, :, n_in + 1:]                                            # (R, H, H)
    B = np.matmul(rec, P.reshape(R, H, H * q)).reshape(R, H, H, q)
    B = _per_run(carry, R, 4) * B
    idx = np.arange(H)
    B[:, idx, idx, :] += u_h[:, None, :]
    return sp_h[:, :, None, None] * B


def weigh(o, pain_w):
    """The predicted pain sum_i c_i o_i (R,) of outputs o (R, m): pain_w (m,) shared by every run,
    or (R, m), one weighting per run (pole-balance-non-markov trains a failure-pain group and a
    shaped-cost group in one batch)."""
    return o @ pain_w if np.ndim(pain_w) == 1 else np.sum(o * pain_w, axis=-1)


def _per_run(v, R, ndim):
    """A scalar or (R,) value shaped to broadcast against an (R, ...) array of ndim axes."""
    v = np.asarray(v, dtype=np.float64)
    return v if v.ndim == 0 else v.reshape((R,) + (1,) * (ndim - 1))


def n_theta(C):
    """Entries of theta_C = [Wh_C, Wo_C] per run."""
    return C["Wh"][0].size + C["Wo"][0].size


def unflatten(C, g):
    """A gradient over theta_C (R, N) as {"Wh": ..., "Wo": ...} shaped like C."""
    R = g.shape[0]
    n = C["Wh"][0].size
    return {"Wh": g[:, :n].reshape(C["Wh"].shape), "Wo": g[:, n:].reshape(R, *C["Wo"].shape[1:])}


@dataclass
class Flags:
    """Per-run switches for one step, each a scalar or an (R,) array.

    random: the action is the given uniform sample (M-first phase); noise: 1 where C's noise
    units scale the action noise; pain_noise: 1 where M's predicted pain for the mean action does;
    learn_C, learn_M: 1 where the net changes its weights this step; carry: 1 for the full
    recurrent gradient through M, 0 for the one truncated through M."""
    random: object = False
    noise: object = 0.0
    pain_noise: object = 0.0
    learn_C: object = 1.0
    learn_M: object = 1.0
    carry: object = 1.0


def init_state(C, M, n_act):
    """Activations at rest (all hidden units 0.5) and sensitivities at zero, for R runs."""
    R, H_C, q_C = C["Wh"].shape
    H_M, q_M = M["Wh"].shape[1:]
    return dict(C=C, M=M, n_act=n_act, h_C=np.full((R, H_C), 0.5), h_M=np.full((R, H_M), 0.5),
                P=np.zeros((R, H_C, H_C, q_C)), Q=np.zeros((R, H_M, n_theta(C))),
                P_M=np.zeros((R, H_M, H_M, q_M)))


def controller_step(st, e, eps, a_rand, flags, sigma_max, pain_w, eta_C):
    """C acts on e(t) (R, m), M predicts e(t + 1), C learns through the frozen M. Updates st in
    place (C's weights, both hidden layers, P, Q, P_M) and returns the action a (R, n_a), the mean
    mu (R, n_a), the noise scale sigma (R, n_a), M's prediction p (R, m), the predicted pain
    J (R,), C's gradient (R, N), the action's sensitivity da/dtheta_C (R, n_a, N) and what
    ``model_step`` needs once e(t + 1) is known."""
    C, M, na = st["C"], st["M"], st["n_act"]
    R, m = e.shape
    # ---- C: h_C(t) = f(Wh_C [e; 1; h_C(t-1)]),  o_C(t) = f(Wo_C [e; 1; h_C(t)])
    fc = net_forward(C, e, st["h_C"])
    P = hidden_sensitivity(C["Wh"], st["P"], fc["sp_h"], fc["u_h"], m)
    H_C, q_C = P.shape[1], P.shape[3]
    n_o = C["Wo"].shape[1]
    # ds_o/dtheta_C: through h_C(t) for Wh_C, directly for Wo_C
    ds_Wh = np.matmul(C["Wo"][:, :, m + 1:], P.reshape(R, H_C, H_C * q_C))     # (R, 2na, H_C q_C)
    ds_Wo = np.zeros((R, n_o, n_o, q_C))
    idx = np.arange(n_o)
    ds_Wo[:, idx, idx, :] = fc["u_o"][:, None, :]
    ds = np.concatenate([ds_Wh, ds_Wo.reshape(R, n_o, -1)], axis=2)            # (R, 2na, N)
    # ---- the action
    mu, nu = fc["o"][:, :na], fc["o"][:, na:2 * na]
    g, gp = _per_run(flags.noise, R, 2), _per_run(flags.pain_noise, R, 2)
    sigma = g * sigma_max * nu
    if np.any(gp):                     # M's predicted pain if C took its mean action
        J_mu = weigh(net_forward(M, np.concatenate([e, mu], axis=1), st["h_M"])["o"], pain_w)
        sigma = sigma + gp * sigma_max * J_mu[:, None]
    a, fp_a = logistic(fc["s_o"][:, :na] + sigma * eps)
    # a = f(s_mu + g sigma_max nu eps): the noise scale's path carries eps
    dnu = (g * sigma_max * eps * fc["sp_o"][:, na:2 * na])[..., None] * ds[:, na:2 * na]
    da = fp_a[..., None] * (ds[:, :na] + dnu)                                   # (R, na, N)
    rnd = np.broadcast_to(np.asarray(flags.random, bool), (R,))
    if rnd.any():
        a = np.where(rnd[:, None], a_rand, a)
        da = np.where(rnd[:, None, None], 0.0, da)
    # ---- M: h_M(t) = f(Wh_M [e; a; 1; h_M(t-1)]),  p(t) = f(Wo_M [e; a; 1; h_M(t)])
    fm = net_forward(M, np.concatenate([e, a], axis=1), st["h_M"])
    n_in_M = m + na
    Wh_a, Wo_a = M["Wh"][:, :, m:n_in_M], M["Wo"][:, :, m:n_in_M]
    # Q(t) = f'(s_hM) (Wh_M[:, a] da + carry Wh_M,rec Q(t-1))
    Q = fm["sp_h"][..., None] * (np.matmul(Wh_a, da) + _per_run(flags.carry, R, 3)
                                 * np.matmul(M["Wh"][:, :, n_in_M + 1:], st["Q"]))
    dp = fm["sp_o"][..., None] * (np.matmul(Wo_a, da) + np.matmul(M["Wo"][:, :, n_in_M + 1:], Q))
    grad = (np.einsum("i,rin->rn", pain_w, dp) if np.ndim(pain_w) == 1        # dJ(t)/dtheta_C
            else np.einsum("ri,rin->rn", pain_w, dp))
    J = weigh(fm["o"], pain_w)
    # ---- M's own sensitivities, for its learning once e(t + 1) arrives
    P_M = hidden_sensitivity(M["Wh"], st["P_M"], fm["sp_h"], fm["u_h"], n_in_M)
    # ---- C learns (after everything of this step has used the old weights)
    lc = _per_run(flags.learn_C, R, 2) * eta_C
    gC = unflatten(C, lc * grad)
    C["Wh"] = C["Wh"] - gC["Wh"]
    C["Wo"] = C["Wo"] - gC["Wo"]
    st.update(h_C=fc["h"], P=P, h_M=fm["h"], Q=Q, P_M=P_M)
    return dict(a=a, mu=mu, sigma=sigma, p=fm["o"], J=J, grad=grad, da=da,
                sp_o=fm["sp_o"], u_o=fm["u_o"])


def model_step(st, out, e_next, flags, mask, eta_M):
    """M learns from its prediction error on e(t + 1) (R, m); updates M in place. Returns E_M (R,)
    and M's gradient {"Wh", "Wo"}."""
    M = st["M"]
    R = e_next.shape[0]
    n_in_M = out["u_o"].shape[1] - 1 - M["Wh"].shape[1]
    err = e_next - out["p"]
    E = 0.5 * np.sum(mask * err * err, axis=1)
    d_o = -mask * err * out["sp_o"]                                             # dE/ds_o
    g_Wo = d_o[:, :, None] * out["u_o"][:, None, :]
    d_h = np.einsum("ro,roh->rh", d_o, M["Wo"][:, :, n_in_M + 1:])
    g_Wh = np.einsum("rk,rkij->rij", d_h, st["P_M"])
    lm = _per_run(flags.learn_M, R, 3) * eta_M
    M["Wh"] = M["Wh"] - lm * g_Wh
    M["Wo"] = M["Wo"] - lm * g_Wo
    return E, {"Wh": g_Wh, "Wo": g_Wo}


# ---------------------------------------------------------------- one run, unit by unit

def step_reference(st, e, eps, a_rand, e_next, flags, sigma_max, pain_w, eta_C, mask, eta_M):
    """The whole on-line step for one run, written out unit by unit (the test's reference for
    ``controller_step`` + ``model_step``). st holds one run's arrays (no R axis); flags are
    scalars. Returns (a, J, grad over theta_C, E_M); updates st in place."""
    C, M, na = st["C"], st["M"], st["n_act"]
    f = lambda s: 1.0 / (1.0 + np.exp(-s))                                  # noqa: E731
    m = len(e)
    H_C, q_C = C["Wh"].shape
    n_oC = C["Wo"].shape[0]
    H_M, q_M = M["Wh"].shape
    n_oM = M["Wo"].shape[0]
    # C's hidden layer and P(t)[k, i, j] = dh_k/dWh[i, j]
    u = list(e) + [1.0] + list(st["h_C"])
    sh = [sum(C["Wh"][k, j] * u[j] for j in range(q_C)) for k in range(H_C)]
    h = [f(s) for s in sh]
    P = np.zeros_like(st["P"])
    for k in range(H_C):
        for i in range(H_C):
            for j in range(q_C):
                acc = sum(C["Wh"][k, m + 1 + z] * st["P"][z, i, j] for z in range(H_C))
                P[k, i, j] = h[k] * (1 - h[k]) * (acc + (u[j] if i == k else 0.0))
    uo = list(e) + [1.0] + h
    so = [sum(C["Wo"][c, j] * uo[j] for j in range(q_C)) for c in range(n_oC)]
    o = [f(s) for s in so]
    N = C["Wh"].size + C["Wo"].size
    ds = np.zeros((n_oC, N))                                  # d s_o,c / d theta_C
    for c in range(n_oC):
        for i in range(H_C):
            for j in range(q_C):
                ds[c, i * q_C + j] = sum(C["Wo"][c, m + 1 + k] * P[k, i, j] for k in range(H_C))
        for j in range(q_C):
            ds[c, C["Wh"].size + c * q_C + j] = uo[j]
    a, da = np.zeros(na), np.zeros((na, N))
    J_mu = 0.0
    if flags.pain_noise:                            # M's predicted pain for the mean action
        vm = list(e) + o[:na] + [1.0] + list(st["h_M"])
        hm0 = [f(sum(M["Wh"][k, j] * vm[j] for j in range(q_M))) for k in range(H_M)]
        vm0 = list(e) + o[:na] + [1.0] + hm0
        J_mu = sum(pain_w[c] * f(sum(M["Wo"][c, j] * vm0[j] for j in range(q_M))) for c in range(n_oM))
    for n in range(na):
        sig = sigma_max * (flags.noise * o[na + n] + flags.pain_noise * J_mu)
        a[n] = f(so[n] + sig * eps[n])
        fp = a[n] * (1 - a[n])
        da[n] = fp * (ds[n] + flags.noise * sigma_max * eps[n] * o[na + n] * (1 - o[na + n]) * ds[na + n])
        if flags.random:
            a[n], da[n] = a_rand[n], 0.0
    # M's hidden layer, Q(t) = dh_M/dtheta_C and P_M(t) = dh_M/dWh_M
    x = list(e) + list(a)
    nx = len(x)
    v = x + [1.0] + list(st["h_M"])
    shm = [sum(M["Wh"][k, j] * v[j] for j in range(q_M)) for k in range(H_M)]
    hm = [f(s) for s in shm]
    Q = np.zeros_like(st["Q"])
    for k in range(H_M):
        for n_ in range(N):
            acc = sum(M["Wh"][k, m + b] * da[b, n_] for b in range(na))
            acc += flags.carry * sum(M["Wh"][k, nx + 1 + z] * st["Q"][z, n_] for z in range(H_M))
            Q[k, n_] = hm[k] * (1 - hm[k]) * acc
    P_M = np.zeros_like(st["P_M"])
    for k in range(H_M):
        for i in range(H_M):
            for j in range(q_M):
                acc = sum(M["Wh"][k, nx + 1 + z] * st["P_M"][z, i, j] for z in range(H_M))
                P_M[k, i, j] = hm[k] * (1 - hm[k]) * (acc + (v[j] if i == k else 0.0))
    vo = x + [1.0] + hm
    pred = [f(sum(M["Wo"][c, j] * vo[j] for j in range(q_M))) for c in range(n_oM)]
    grad = np.zeros(N)
    for c in range(n_oM):
        for n_ in range(N):
            acc = sum(M["Wo"][c, m + b] * da[b, n_] for b in range(na))
            acc += sum(M["Wo"][c, nx + 1 + k] * Q[k, n_] for k in range(H_M))
            grad[n_] += pain_w[c] * pred[c] * (1 - pred[c]) * acc
    J = sum(pain_w[c] * pred[c] for c in range(n_oM))
    # M learns from e(t + 1), with the weights it had during this step
    E, gWo, gWh = 0.0, np.zeros_like(M["Wo"]), np.zeros_like(M["Wh"])
    for c in range(n_oM):
        err = e_next[c] - pred[c]
        E += 0.5 * mask[c] * err * err
        d_o = -mask[c] * err * pred[c] * (1 - pred[c])
        for j in range(q_M):
            gWo[c, j] += d_o * vo[j]
        for k in range(H_M):
            gWh += d_o * M["Wo"][c, nx + 1 + k] * P_M[k]
    M["Wh"] = M["Wh"] - flags.learn_M * eta_M * gWh
    M["Wo"] = M["Wo"] - flags.learn_M * eta_M * gWo
    C["Wh"] = C["Wh"] - flags.learn_C * eta_C * grad[:C["Wh"].size].reshape(C["Wh"].shape)
    C["Wo"] = C["Wo"] - flags.learn_C * eta_C * grad[C["Wh"].size:].reshape(C["Wo"].shape)
    st.update(h_C=np.array(h), P=P, h_M=np.array(hm), Q=Q, P_M=P_M)
    return a, J, grad, E


# ---------------------------------------------------------------- off-line gradients of a stream

def rollout(C, M, n_act, e, eps, a_rand, flags, sigma_max, pain_w, mask, h_C0=None, h_M0=None):
    """Weights fixed, inputs e (N + 1, R, m) given (not reacting to the actions): the predicted
    pain summed over steps 0..N-1 and M's error summed over the same steps, with their gradients
    by the forward recursion (theta_C (R, N_theta); Wh_M, Wo_M). eps, a_rand (N, R, n_a)."""
    C = {k: v.copy() for k, v in C.items()}
    M = {k: v.copy() for k, v in M.items()}
    st = init_state(C, M, n_act)
    if h_C0 is not None:
        st["h_C"], st["h_M"] = h_C0.copy(), h_M0.copy()
    R = e.shape[1]
    J, E = np.zeros(R), np.zeros(R)
    gC = np.zeros((R, n_theta(C)))
    gM = {"Wh": np.zeros_like(M["Wh"]), "Wo": np.zeros_like(M["Wo"])}
    frozen = Flags(flags.random, flags.noise, flags.pain_noise, 0.0, 0.0, flags.carry)
    for t in range(e.shape[0] - 1):
        out = controller_step(st, e[t], eps[t], a_rand[t], frozen, sigma_max, pain_w, 0.0)
        Et, g = model_step(st, out, e[t + 1], frozen, mask, 0.0)
        J += out["J"]
        E += Et
        gC += out["grad"]
        gM["Wh"] += g["Wh"]
        gM["Wo"] += g["Wo"]
    return J, gC, E, gM


def bptt(C, M, n_act, e, eps, a_rand, flags, sigma_max, pain_w, mask, h_C0=None, h_M0=None):
    """The same sums and gradients by back-propagation through time: a forward pass that stores
    every step, then one backward sweep. An implementation independent of the forward recursion,
    for the tests. ``flags.carry`` 0 cuts M's hidden-to-hidden path for C's gradient only."""
    R, m = e.shape[1], e.shape[2]
    na, T = n_act, e.shape[0] - 1
    H_C, H_M = C["Wh"].shape[1], M["Wh"].shape[1]
    h_C = np.full((R, H_C), 0.5) if h_C0 is None else h_C0
    h_M = np.full((R, H_M), 0.5) if h_M0 is None else h_M0
    g, gp = _per_run(flags.noise, R, 2), _per_run(flags.pain_noise, R, 2)
    rnd = np.broadcast_to(np.asarray(flags.random, bool), (R,))
    S = []
    for t in range(T):
        fc = net_forward(C, e[t], h_C)
        mu, nu = fc["o"][:, :na], fc["o"][:, na:2 * na]
        J_mu = weigh(net_forward(M, np.concatenate([e[t], mu], axis=1), h_M)["o"], pain_w)
        sigma = sigma_max * (g * nu + gp * J_mu[:, None])        # J_mu: not differentiated
        a, fp_a = logistic(fc["s_o"][:, :na] + sigma * eps[t])
        a = np.where(rnd[:, None], a_rand[t], a)
        fm = net_forward(M, np.concatenate([e[t], a], axis=1), h_M)
        S.append(dict(fc=fc, fm=fm, fp_a=fp_a, h_C_prev=h_C, h_M_prev=h_M))
        h_C, h_M = fc["h"], fm["h"]
    J = sum(weigh(s["fm"]["o"], pain_w) for s in S)
    E = sum(0.5 * np.sum(mask * (e[t + 1] - S[t]["fm"]["o"]) ** 2, axis=1) for t in range(T))
    gC = {"Wh": np.zeros_like(C["Wh"]), "Wo": np.zeros_like(C["Wo"])}
    gM = {"Wh": np.zeros_like(M["Wh"]), "Wo": np.zeros_like(M["Wo"])}
    nxM = m + na
    dhC = np.zeros((R, H_C))                       # dJ_total/dh_C(t) from steps after t
    dhM_J = np.zeros((R, H_M))                     # dJ_total/dh_M(t) from steps after t (C's loss)
    dhM_E = np.zeros((R, H_M))                     # dE_total/dh_M(t) from steps after t (M's loss)
    carry = _per_run(flags.carry, R, 2)
    for t in range(T - 1, -1, -1):
        s = S[t]
        fc, fm = s["fc"], s["fm"]
        # C's loss J(t) = c . p(t): back through M's readout and hidden layer into a(t)
        d_oM = np.broadcast_to(pain_w, fm["sp_o"].shape) * fm["sp_o"]      # dJ(t)/ds_oM
        d_hM = np.einsum("ro,roh->rh", d_oM, M["Wo"][:, :, nxM + 1:]) + carry * dhM_J
        d_shM = d_hM * fm["sp_h"]
        d_a = (np.einsum("ro,ro...->r...", d_oM, M["Wo"][:, :, m:nxM])
               + np.einsum("rh,rh...->r...", d_shM, M["Wh"][:, :, m:nxM]))
        dhM_J = np.einsum("rh,rhk->rk", d_shM, M["Wh"][:, :, nxM + 1:])
        d_a = np.where(rnd[:, None], 0.0, d_a)
        # a = f(s_mu + g sigma_max nu eps)
        d_s = d_a * s["fp_a"]
        d_so = np.zeros((R, C["Wo"].shape[1]))
        d_so[:, :na] = d_s
        d_so[:, na:2 * na] = d_s * g * sigma_max * eps[t] * fc["sp_o"][:, na:2 * na]
        gC["Wo"] += d_so[:, :, None] * fc["u_o"][:, None, :]
        d_hC = np.einsum("ro,roh->rh", d_so, C["Wo"][:, :, m + 1:]) + dhC
        d_shC = d_hC * fc["sp_h"]
        gC["Wh"] += d_shC[:, :, None] * fc["u_h"][:, None, :]
        dhC = np.einsum("rh,rhk->rk", d_shC, C["Wh"][:, :, m + 1:])
        # M's loss E(t + 1) = 1/2 |mask (e(t + 1) - p(t))|^2
        d_oE = -mask * (e[t + 1] - fm["o"]) * fm["sp_o"]
        gM["Wo"] += d_oE[:, :, None] * fm["u_o"][:, None, :]
        d_hE = np.einsum("ro,roh->rh", d_oE, M["Wo"][:, :, nxM + 1:]) + dhM_E
        d_shE = d_hE * fm["sp_h"]
        gM["Wh"] += d_shE[:, :, None] * fm["u_h"][:, None, :]
        dhM_E = np.einsum("rh,rhk->rk", d_shE, M["Wh"][:, :, nxM + 1:])
    R_ = R
    return J, np.concatenate([gC["Wh"].reshape(R_, -1), gC["Wo"].reshape(R_, -1)], axis=1), E, gM


# ---------------------------------------------------------------- the fingerprint

def hidden_jacobian(Wh, sp_h, n_in, dx_dh=None):
    """dh(t)/dh(t-1) (R, H, H) of a net's hidden layer: f'(s_h) (Wh_rec + Wh_x dx(t)/dh(t-1)),
    where dx_dh (R, I, H) is how the net's input at t depends on its own state at t-1 through
    the environment (e.g. a pain input computed from the previous action), or None."""
    J = Wh[:, :, n_in + 1:].copy()
    if dx_dh is not None:
        J = J + np.matmul(Wh[:, :, :n_in], dx_dh)
    return sp_h[:, :, None] * J
