"""The three tiny worlds of Giebelhaus (2025) as its code builds them, plus the sound i.i.d. null.

All arrays are time-major: obs (T, N) raw observation y_t (the training target is y_{t+1}),
inputs (T, N, 2) = [observation feature, time feature], latent (T, N) the probe target.

    E1 drift       x_0 = 0, x_{t+1} = x_t + 0.03 + N(0, 0.005^2); y_t = x_t + N(0, 0.02^2); T = 64
                   input [y_t - y_0, time]; decoy: latent sin(0.1 t + phi), phi ~ U(0, 2 pi)
    E2 regime      T = 128; r_0 ~ Bern(0.5), r flips at t = 32, 64, 96; s_0 ~ Bern(0.5),
                   s_t = s_{t-1} w.p. 0.9 (r_t = 0) or 0.6 (r_t = 1); input [s_t, t/(T-1)] always
    E3 oscillator  z_0 ~ N(0, 0.1^2 I); Euler dt = 0.05 of the Hopf normal form with omega = 1
                   (nonstat: omega_t = 0.8 + 0.4 t/(T-1)); o_t = x_t + N(0, 0.05^2); T = 256;
                   input (o_t - mu) / (sd + 1e-6) with mu, sd (ddof 1) over all training obs

Variants: "struct"; "shuffle" = the original null (each sequence's observations permuted in time,
input rebuilt from the permuted sequence, latent zeroed); "iid" = the sound null (every value an
independent draw from the pooled structured observations of the same split, so it keeps the
marginal and carries no temporal or per-sequence structure); "nonstat" (E3); "decoy" (E1).
For E2 the original null is "iid" with Bernoulli(0.5) values (the structured marginal is 0.5);
its "shuffle" is this module's addition (the code has none for E2).
"""
from dataclasses import dataclass

import numpy as np

SPECS = {  # world -> (T, default train sequences, eval sequences)
    "drift": (64, 20000, 2000), "regime": (128, 20000, 2000), "oscillator": (256, 20000, 2000)}
TIME_CONDS = ("full_time", "no_time", "constant_time", "random_time")
VARIANTS = {"drift": ("struct", "shuffle", "iid", "decoy"), "regime": ("struct", "shuffle", "iid"),
            "oscillator": ("struct", "shuffle", "iid", "nonstat")}
DT, OMEGA = 0.05, 1.0


@dataclass
class Split:
    """One set of sequences: obs (T, N), inputs (T, N, 2), latent (T, N), all float64."""
    obs: np.ndarray
    inputs: np.ndarray
    latent: np.ndarray

    @property
    def n(self):
        return self.obs.shape[1]


@dataclass
class World:
    """Train and eval splits of one world variant, and the training-observation mean the
    trivial baseline uses."""
    name: str
    variant: str
    train: Split
    eval: Split
    train_mean: float


# ----------------------------------------------------------------------------------------------
# Generators (latent, observation)
# ----------------------------------------------------------------------------------------------
def drift_latent(rng, n, T):
    """E1 latent (T, n): x_0 = 0, x_{t+1} = x_t + 0.03 + N(0, 0.005^2)."""
    x = np.zeros((T, n))
    x[1:] = np.cumsum(0.03 + 0.005 * rng.standard_normal((T - 1, n)), axis=0)
    return x


def decoy_latent(rng, n, T):
    """E1 decoy (T, n): sin(0.1 t + phi), phi ~ U(0, 2 pi) per sequence."""
    phi = rng.uniform(0.0, 2 * np.pi, size=n)
    return np.sin(0.1 * np.arange(T)[:, None] + phi[None, :])


def regime_chain(rng, n, T):
    """E2 regimes r (T, n) and symbols s (T, n), both in {0, 1}."""
    t = np.arange(T)
    flips = np.cumsum((t % 32 == 0) & (t > 0))                      # flips before or at t
    r = (rng.integers(0, 2, size=n)[None, :] + flips[:, None]) % 2
    s = np.empty((T, n))
    s[0] = rng.integers(0, 2, size=n)
    u = rng.random((T, n))
    p_same = np.where(r == 0, 0.9, 0.6)                               # the current regime r_t
    for k in range(1, T):
        s[k] = np.where(u[k] < p_same[k], s[k - 1], 1.0 - s[k - 1])
    return r.astype(np.float64), s


def oscillator_latent(rng, n, T, nonstat=False):
    """E3 latent z (T, n, 2): the state before the t-th Euler step of the Hopf normal form."""
    z = 0.1 * rng.standard_normal((n, 2))
    out = np.empty((T, n, 2))
    for t in range(T):
        out[t] = z
        w = 0.8 + 0.4 * t / (T - 1) if nonstat else OMEGA
        x, y = z[:, 0], z[:, 1]
        r2 = x * x + y * y
        z = np.stack([x + DT * ((1 - r2) * x - w * y), y + DT * ((1 - r2) * y + w * x)], axis=1)
    return out


# ----------------------------------------------------------------------------------------------
# Nulls and inputs
# ----------------------------------------------------------------------------------------------
def shuffle_in_time(rng, obs):
    """Each column (sequence) of obs (T, n) independently permuted in time."""
    idx = np.argsort(rng.random(obs.shape), axis=0)
    return np.take_along_axis(obs, idx, axis=0)


def iid_from_marginal(rng, obs):
    """(T, n) values drawn independently, with replacement, from all entries of obs."""
    flat = obs.reshape(-1)
    return flat[rng.integers(0, flat.size, size=obs.shape)]


def time_feature(T, n, time_cond="full_time", rng=None):
    """The second input channel (T, n) under the original's time_cond options."""
    if time_cond not in TIME_CONDS:
        raise ValueError(f"time_cond must be one of {TIME_CONDS}, got {time_cond!r}")
    ramp = np.repeat((np.arange(T) / (T - 1))[:, None], n, axis=1)
    if time_cond == "no_time":
        return np.zeros((T, n))
    if time_cond == "constant_time":
        return np.full((T, n), 0.5)
    if time_cond == "random_time":
        return shuffle_in_time(rng, ramp)
    return ramp


def make_world(world, variant="struct", rng=None, n_train=None, n_eval=None, T=None,
               time_cond="full_time"):
    """Build one world variant; train and eval sets come from the same generator call order.

    n_train, n_eval, T default to the original's sizes (SPECS). Returns a World.
    """
    if world not in SPECS:
        raise ValueError(f"unknown world {world!r}; expected one of {sorted(SPECS)}")
    if variant not in VARIANTS[world]:
        raise ValueError(f"world {world!r} has no variant {variant!r}; expected {VARIANTS[world]}")
    T0, n0, e0 = SPECS[world]
    T, n_train, n_eval = T or T0, n_train or n0, n_eval or e0
    rng = np.random.default_rng(0) if rng is None else rng
    sizes = (n_train, n_eval)
    if world == "drift":
        lat = [decoy_latent(rng, n, T) if variant == "decoy" else drift_latent(rng, n, T) for n in sizes]
        obs = [x + 0.02 * rng.standard_normal(x.shape) for x in lat]
    elif world == "regime":
        pairs = [regime_chain(rng, n, T) for n in sizes]
        lat, obs = [r for r, _ in pairs], [s for _, s in pairs]
    else:
        lat = [oscillator_latent(rng, n, T, variant == "nonstat")[..., 0] for n in sizes]
        obs = [x + 0.05 * rng.standard_normal(x.shape) for x in lat]
    mu, sd = obs[0].mean(), obs[0].std(ddof=1)                        # before any shuffle
    if variant in ("shuffle", "iid"):
        if world == "regime" and variant == "iid":                     # the original's E2 null
            obs = [rng.integers(0, 2, size=o.shape).astype(np.float64) for o in obs]
        elif variant == "shuffle":
            obs = [shuffle_in_time(rng, o) for o in obs]
        else:
            obs = [iid_from_marginal(rng, o) for o in obs]
        lat = [np.zeros_like(o) for o in obs]
    splits = []
    for o, lt in zip(obs, lat, strict=True):
        if world == "drift":
            feat = o - o[:1]
        elif world == "regime":
            feat = o
        else:
            feat = (o - mu) / (sd + 1e-6)
        tc = "full_time" if world == "regime" else time_cond          # E2 ignores time_cond
        tf = time_feature(T, o.shape[1], tc, rng)
        splits.append(Split(obs=o, inputs=np.stack([feat, tf], axis=-1), latent=lt))
    return World(name=world, variant=variant, train=splits[0], eval=splits[1],
                 train_mean=float(obs[0].mean()))
