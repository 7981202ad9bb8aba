"""Optimisers working in place on dicts of numpy arrays (name -> array)."""
import numpy as np


def global_norm(grads, axis=None):
    """sqrt of the sum of squares over every gradient tensor.

    With ``axis=0`` every tensor is taken to carry a leading ensemble (seed) axis of the same
    length S, and the norm is computed per member: shape (S,).
    """
    if axis is None:
        return float(np.sqrt(sum(float(np.sum(g * g)) for g in grads.values())))
    if axis != 0:
        raise ValueError("global_norm: axis must be None or 0")
    return np.sqrt(sum(np.sum(g * g, axis=tuple(range(1, g.ndim))) for g in grads.values()))


def clip_by_global_norm(grads, max_norm, per_member=False):
    """Scale gradients in place so their global norm is at most ``max_norm``; return the norm(s).

    ``per_member=True`` clips each member of a leading ensemble axis separately, so that seeds
    trained together behave exactly as if each were trained alone.
    """
    if max_norm is None:
        return None
    norm = global_norm(grads, axis=0 if per_member else None)
    scale = np.minimum(1.0, max_norm / np.maximum(norm, 1e-12))
    for g in grads.values():
        g *= np.reshape(scale, (-1,) + (1,) * (g.ndim - 1)) if per_member else scale
    return norm


class Adam:
    """Adam (Kingma & Ba 2015) with optional global-norm clipping, updating ``params`` in place.

    params, grads: dicts name -> float array with matching keys and shapes.
    ``per_member=True``: arrays carry a leading seed axis; clipping is done per seed.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, clip=None, per_member=False):
        if lr <= 0:
            raise ValueError(f"Adam: learning rate must be positive, got {lr}")
        if clip is not None and clip <= 0:
            raise ValueError(f"Adam: clip must be positive or None, got {clip}")
        self.params, self.lr, self.eps, self.clip = params, lr, eps, clip
        self.b1, self.b2 = betas
        self.per_member = per_member
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}
        self.t = 0

    def step(self, grads):
        """One update; returns the pre-clip global gradient norm (array if per_member)."""
        if set(grads) != set(self.params):
            raise ValueError(f"Adam: gradient keys {sorted(grads)} != parameter keys {sorted(self.params)}")
        norm = clip_by_global_norm(grads, self.clip, self.per_member) if self.clip else None
        self.t += 1
        c1 = 1.0 - self.b1 ** self.t
        c2 = 1.0 - self.b2 ** self.t
        for k, p in self.params.items():
            g = grads[k]
            self.m[k] = self.b1 * self.m[k] + (1.0 - self.b1) * g
            self.v[k] = self.b2 * self.v[k] + (1.0 - self.b2) * g * g
            p -= self.lr * (self.m[k] / c1) / (np.sqrt(self.v[k] / c2) + self.eps)
        return norm


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter 2019): p -= lr * (adam_step + wd * p).

    ``lr`` may be changed between steps (warm-up schedules set ``opt.lr``).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01, **kw):
        super().__init__(params, lr=lr, betas=betas, eps=eps, **kw)
        if weight_decay < 0:
            raise ValueError(f"AdamW: weight decay must be >= 0, got {weight_decay}")
        self.weight_decay = weight_decay

    def step(self, grads):
        """Decay every parameter by lr * wd (using the pre-update value), then take the Adam step."""
        for p in self.params.values():
            p -= (self.lr * self.weight_decay) * p
        return super().step(grads)


def sgd_step(params, grads, lr):
    """Plain gradient descent in place (no momentum, no clipping), as in the 1990s papers."""
    for k, p in params.items():
        p -= lr * grads[k]


def momentum_step(params, velocity, grads, lr, mu):
    """Classical momentum SGD in place:  v <- mu v - lr g;  w <- w + v.

    ``lr`` is a number, or an array (S,) of step sizes, one per member of a leading ensemble axis
    (nets of different step sizes trained side by side). ``velocity`` holds one array per
    parameter, zeros at the start; it is updated in place, so a caller may edit its entries.
    """
    for k, p in params.items():
        eta = lr.reshape((-1,) + (1,) * (p.ndim - 1)) if np.ndim(lr) else lr
        v = velocity[k]
        v *= mu
        v -= eta * grads[k]
        p += v


class NesterovSGD:
    """Stochastic gradient descent with Nesterov momentum (Sutskever et al. 2013), in place.

        v <- mu v - lr g(p)        p <- p + mu v - lr g(p)

    the usual rewriting of "take the gradient at the look-ahead point p + mu v" in terms of the
    gradient at the current parameters. No clipping, no per-parameter scaling. ``masks`` (name ->
    0/1 array broadcastable to the parameter) keeps structurally absent weights at exactly zero.
    """

    def __init__(self, params, lr, momentum=0.9, masks=None):
        if lr <= 0 or not 0 <= momentum < 1:
            raise ValueError(f"NesterovSGD: need lr > 0 and 0 <= momentum < 1, got {lr}, {momentum}")
        self.params, self.lr, self.mu = params, lr, momentum
        self.masks = masks or {}
        self.v = {k: np.zeros_like(p) for k, p in params.items()}

    def step(self, grads):
        if set(grads) != set(self.params):
            raise ValueError(f"NesterovSGD: gradient keys {sorted(grads)} != {sorted(self.params)}")
        for k, p in self.params.items():
            g = grads[k] * self.masks[k] if k in self.masks else grads[k]
            v = self.v[k]
            v *= self.mu
            v -= self.lr * g
            p += self.mu * v - self.lr * g


class MomentumSGD:
    """Stochastic gradient descent with classical momentum (Rumelhart, Hinton & Williams 1986;
    the optimiser of Graves' BLSTM/CTC papers), in place:

        v <- mu v - lr g(p)        p <- p + v

    ``momentum_step`` with the velocities kept in the object and the keys checked.
    """

    def __init__(self, params, lr, momentum=0.9):
        if lr <= 0 or not 0 <= momentum < 1:
            raise ValueError(f"MomentumSGD: need lr > 0 and 0 <= momentum < 1, got {lr}, {momentum}")
        self.params, self.lr, self.mu = params, lr, momentum
        self.v = {k: np.zeros_like(p) for k, p in params.items()}

    def step(self, grads):
        if set(grads) != set(self.params):
            raise ValueError(f"MomentumSGD: gradient keys {sorted(grads)} != {sorted(self.params)}")
        momentum_step(self.params, self.v, grads, self.lr, self.mu)
