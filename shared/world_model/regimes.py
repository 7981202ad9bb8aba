"""The training regimes of the model/controller system (Schmidhuber 1990, FKI-126-90 / NIPS 3):
many independent runs in one batch, on-line, never reset.

    sequential: M learns first, for ``model_steps`` steps, from uniformly random actions while C
                does not act or learn; then M is frozen and C learns through it, acting with its
                mean output (no noise)
    parallel:   M and C learn at once from step 0, on C's own actions, which carry adaptive
                noise (the paper's remedy for the parallel case) scaled by C's noise units
                (``noise_unit``) or by M's predicted pain (``noise_pain``) where set

Each run has its own regime (``Regime``), so every variant of an experiment trains in one batch.
The environment is an object with ``obs`` (R, m), the input at the current step, and
``step(a)`` -> (next input (R, m), info dict): C's action a (R, n_a) is applied, the world moves
one step. A ``monitor(t, out, E_M, info)`` callback sees every step (success streaks, curves).

    regime = Regime(seq=..., model_steps=..., noise_unit=..., noise_pain=..., carry=...)  # (R,)
    run(env, state, regime, hyper, n_steps, rng_noise, monitor)
"""
from dataclasses import dataclass

import numpy as np

from shared import cli
from shared.world_model import core


@dataclass
class Regime:
    """Per-run training regime, each an (R,) array: seq (bool) sequential rather than parallel;
    model_steps (int) length of the M-first phase of a sequential run; noise_unit, noise_pain
    (bool) a parallel run's actions carry noise scaled by C's noise units or by M's predicted
    pain; carry (float) 1 for the full recurrent gradient through M, 0 for the gradient truncated
    through M."""
    seq: np.ndarray
    model_steps: np.ndarray
    noise_unit: np.ndarray
    noise_pain: np.ndarray
    carry: np.ndarray

    def flags(self, t):
        """The switches of step t (``core.Flags``)."""
        first = self.seq & (t < self.model_steps)               # M-first phase of a sequential run
        return core.Flags(random=first,
                          noise=(self.noise_unit & ~self.seq).astype(float),
                          pain_noise=(self.noise_pain & ~self.seq).astype(float),
                          learn_C=(~first).astype(float),
                          learn_M=(~self.seq | first).astype(float),
                          carry=self.carry)


@dataclass
class Hyper:
    """Scalars of the learning rules: C's and M's learning rates, the largest noise scale, the
    weights of M's outputs in the predicted pain (m,) or (R, m) and in M's error (m,) or (R, m)."""
    eta_C: float
    eta_M: float
    sigma_max: float
    pain_w: np.ndarray
    mask: np.ndarray


def run(env, st, regime, hyper, t0, n_steps, rng, monitor=None, chunk=1000):
    """Steps t0 .. t0 + n_steps - 1 of every run; st (``core.init_state``) and env change in
    place. The noise eps ~ N(0, 1) and the M-first phase's uniform actions come from ``rng`` in
    chunks of ``chunk`` steps (the same numbers whatever the chunking of the calls, as long as
    t0 is a multiple of ``chunk``)."""
    R, na = env.obs.shape[0], st["n_act"]
    for t in range(t0, t0 + n_steps):
        k = (t - t0) % chunk
        if k == 0:
            eps = rng.standard_normal((chunk, R, na))
            a_rand = rng.uniform(0.0, 1.0, (chunk, R, na))
        flags = regime.flags(t)
        out = core.controller_step(st, env.obs, eps[k], a_rand[k], flags, hyper.sigma_max,
                                   hyper.pain_w, hyper.eta_C)
        e_next, info = env.step(out["a"])
        E, _ = core.model_step(st, out, e_next, flags, hyper.mask, hyper.eta_M)
        if t % 256 == 0:
            cli.check_finite(t, W_C=st["C"]["Wh"], W_M=st["M"]["Wh"])
        if monitor is not None:
            monitor(t, out, E, info)
    return st
