"""The standard-RL baseline of upside_down_rl.py: synchronous advantage actor-critic (A2C).

The experiments paper compares UDRL with DQN and A2C. A2C is the one kept here: it is on-policy and
runs many landers side by side, so it vectorises over landers and seeds the way the lander does,
and it costs one small gradient step per ``n_step`` x ``n_envs`` environment steps, where DQN
would need about one replay update per environment step (several times the compute at the same
number of environment steps, which is the budget both methods share here).

The net is the behaviour function's trunk without the command gate (the paper keeps the
architectures identical apart from the command inputs), with two heads:

    h0 = tanh(s Ws + bs)              s (M, B, 8), Ws (M, 8, H)
    h1 = tanh(h0 W1 + b1)             W1 (M, H, H)
    logits = h1 Wo + bo               Wo (M, H, 4)      policy pi = softmax(logits)
    v = h1 Wv + bv                    Wv (M, H, 1)      state value V(s)

and the loss per member, over a batch of B transitions with n-step returns R and advantages
A = R - V(s) held fixed (no gradient through them):

    L = mean_b [ -A log pi(a | s) - beta H(pi(. | s)) + c_v (v - R)^2 / 2 ]

Rewards are divided by REWARD_SCALE before the critic sees them (a standard normalisation;
returns of the lander reach a few hundred).
"""
import numpy as np

from shared import cli

REWARD_SCALE = 100.0


def init_params(rng, M, H, n_obs, n_act, dtype=np.float64):
    """Uniform fan-in initialisation, U[-1/sqrt(fan_in), 1/sqrt(fan_in)]; biases 0. Leading M axis."""
    def u(fan_in, fan_out):
        a = 1.0 / np.sqrt(fan_in)
        return rng.uniform(-a, a, (M, fan_in, fan_out)).astype(dtype)
    return {"Ws": u(n_obs, H), "bs": np.zeros((M, H), dtype), "W1": u(H, H), "b1": np.zeros((M, H), dtype),
            "Wo": u(H, n_act) * 0.1, "bo": np.zeros((M, n_act), dtype),
            "Wv": u(H, 1), "bv": np.zeros((M, 1), dtype)}


def forward(p, s):
    """s (M, B, 8) -> logits (M, B, 4), v (M, B), cache."""
    h0 = np.tanh(s @ p["Ws"] + p["bs"][:, None])
    h1 = np.tanh(h0 @ p["W1"] + p["b1"][:, None])
    return h1 @ p["Wo"] + p["bo"][:, None], (h1 @ p["Wv"])[..., 0] + p["bv"], (s, h0, h1)


def log_softmax(z):
    z = z - z.max(-1, keepdims=True)
    return z - np.log(np.exp(z).sum(-1, keepdims=True))


def loss_and_grads(p, s, a, R, beta, c_v, A=None):
    """Per-member loss (M,) and gradients keyed like p. s (M, B, 8), a (M, B) ints, R (M, B) targets;
    A (M, B) the advantages, R - V(s) from the current net unless given (the gradient check fixes
    them, as the update treats them as constants)."""
    logits, v, (s, h0, h1) = forward(p, s)
    B = s.shape[1]
    logp = log_softmax(logits)
    pi = np.exp(logp)
    A = R - v if A is None else A                                   # held fixed below
    lp_a = np.take_along_axis(logp, a[..., None], -1)[..., 0]
    ent = -(pi * logp).sum(-1)
    loss = (-A * lp_a - beta * ent + 0.5 * c_v * (v - R) ** 2).mean(-1)
    # d(-A log pi_a)/dlogits = -A (onehot - pi);  d(-beta H)/dlogits = beta pi (logp + H)
    onehot = np.zeros_like(pi)
    np.put_along_axis(onehot, a[..., None], 1.0, -1)
    dlog = (-A[..., None] * (onehot - pi) + beta * pi * (logp + ent[..., None])) / B
    dv = c_v * (v - R) / B                                          # (M, B)
    g = {"Wo": np.swapaxes(h1, 1, 2) @ dlog, "bo": dlog.sum(1),
         "Wv": np.swapaxes(h1, 1, 2) @ dv[..., None], "bv": dv.sum(1)[:, None]}
    # h1 = tanh(h0 W1 + b1)
    d1 = (dlog @ np.swapaxes(p["Wo"], 1, 2) + dv[..., None] @ np.swapaxes(p["Wv"], 1, 2)) * (1 - h1 ** 2)
    g["W1"], g["b1"] = np.swapaxes(h0, 1, 2) @ d1, d1.sum(1)
    # h0 = tanh(s Ws + bs)
    d0 = (d1 @ np.swapaxes(p["W1"], 1, 2)) * (1 - h0 ** 2)
    g["Ws"], g["bs"] = np.swapaxes(s, 1, 2) @ d0, d0.sum(1)
    return loss, g


def sample(rng, logits):
    """One action per row from softmax(logits) (..., 4) by inverse CDF."""
    pi = np.exp(log_softmax(logits))
    u = rng.random(pi.shape[:-1] + (1,))
    return np.minimum((pi.cumsum(-1) < u).sum(-1), pi.shape[-1] - 1)


def train(cfg, lander, rng_init, rng_env, sparse, optim, evaluate):
    """A2C on M = len(sparse) members at once, each with cfg['a2c_envs'] landers, until every member
    has taken cfg['env_steps'] environment steps. sparse (M,) bool picks each member's reward.

    ``evaluate(policy_fn) -> dict`` runs the evaluation episodes; it is called every
    cfg['eval_every'] environment steps. Returns (params, curve) with curve a list of
    (env steps, eval dict)."""
    M, E, n = len(sparse), cfg["a2c_envs"], cfg["a2c_nstep"]
    p = init_params(rng_init, M, cfg["hidden"], lander.N_OBS, lander.N_ACT)
    opt = optim.Adam(p, lr=cfg["a2c_lr"], clip=cfg["a2c_clip"], per_member=True)
    z = lander.reset(rng_env, (M, E))
    obs, acc, t = lander.observe(z), np.zeros((M, E)), np.zeros((M, E), int)
    steps, next_eval, curve = 0, 0, []
    gamma = cfg["a2c_gamma"]
    while steps < cfg["env_steps"]:
        if steps >= next_eval:
            curve.append((steps, evaluate(lambda o, c=None: forward(p, o)[0])))
            next_eval += cfg["eval_every"]
        S, A, Rw, D = [], [], [], []
        for _ in range(n):
            logits, _, _ = forward(p, obs)
            a = sample(rng_env, logits)
            z, obs2, r, done, _ = lander.step(z, a, rng_env)
            t += 1
            done = done | (t >= cfg["t_max"])
            acc += r
            # sparse: the whole episode's return is paid in its last step
            rv = np.where(sparse[:, None], np.where(done, acc, 0.0), r)
            S.append(obs), A.append(a), Rw.append(rv / REWARD_SCALE), D.append(done)
            fresh = lander.reset(rng_env, (M, E))
            z = np.where(done[..., None], fresh, z)
            obs = np.where(done[..., None], lander.observe(z), obs2)
            acc, t = np.where(done, 0.0, acc), np.where(done, 0, t)
        steps += n * E
        # n-step returns, bootstrapped from V(s_n), cut at episode ends (time limits included)
        R = forward(p, obs)[1]
        targets = []
        for k in range(n - 1, -1, -1):
            R = Rw[k] + gamma * R * (1.0 - D[k])
            targets.append(R)
        targets = np.concatenate(targets[::-1], axis=1)            # (M, n E), time-major blocks
        loss, g = loss_and_grads(p, np.concatenate(S, 1), np.concatenate(A, 1), targets,
                                 cfg["a2c_entropy"], cfg["a2c_value_coef"])
        cli.check_finite(steps, a2c_loss=loss)
        opt.step(g)
    curve.append((steps, evaluate(lambda o, c=None: forward(p, o)[0])))
    return p, curve
