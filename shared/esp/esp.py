"""One ESP generation, vectorised over R independent runs (each with its own random stream).

pops (R, H, n, G): R runs, H subpopulations (one per neuron of the network), n neurons each, a
neuron being G = 4 + H weights. Per generation:

1. trials: `trials` rounds; in each, every subpopulation is shuffled and network k takes the k-th
   neuron of every subpopulation, so each neuron joins exactly `trials` networks (K = trials * n
   networks per generation);
2. every network is evaluated once (by the caller) and each neuron's fitness is the mean fitness of
   the networks it joined;
3. in each subpopulation, sorted by fitness, each neuron of the top quarter is crossed (one-point
   crossover) with a higher-ranked one (the best with any of the top quarter); the two children
   replace neurons at the bottom, so the bottom half is renewed each generation;
4. each new child, with probability mut_rate, has one of its weights moved by Cauchy noise
   (scale alpha);
5. burst mutation (called when the best fitness has not improved for `stagnation` generations):
   every subpopulation is refilled with the best network's neuron plus Cauchy noise on every
   weight (the neuron itself kept as the first member).

Evolino's variant (Schmidhuber, Wierstra, Gagliolo & Gomez 2007; used by
evolino-sines-mackey-glass) replaces step 3-4 with ``duplicate_mutate``: no crossover; the top
quarter of each subpopulation is copied and every weight of each copy moved by Cauchy noise, the
copies replacing the bottom quarter. Trials and burst mutation are the same; a neuron's share of
fitness can be the best network it joined (``neuron_fitness(..., reduce="max")``).
"""
import numpy as np


def init_pops(rngs, H, n, G, scale):
    """Uniform weights in [-scale, scale]: (R, H, n, G)."""
    return np.stack([rng.uniform(-scale, scale, size=(H, n, G)) for rng in rngs])


def trial_index(rngs, H, n, trials):
    """(R, H, trials * n): which neuron of subpopulation h joins network k of run r."""
    return np.stack([np.concatenate([np.stack([rng.permutation(n) for _ in range(H)])
                                     for _ in range(trials)], axis=1) for rng in rngs])


def gather(pops, idx):
    """The networks of a generation: pops (R, H, n, G), idx (R, H, K) -> W (R, K, H, G)."""
    R, H = idx.shape[:2]
    W = pops[np.arange(R)[:, None, None], np.arange(H)[None, :, None], idx]   # (R, H, K, G)
    return W.transpose(0, 2, 1, 3)


def neuron_fitness(idx, fit, n, reduce="mean"):
    """Fitness of the networks each neuron joined, shared back: idx (R, H, K), fit (R, K) ->
    (R, H, n). reduce="mean" (ESP's average), or "max" (the best network the neuron joined, the
    choice evolino-sines-mackey-glass measures against the mean)."""
    R, H, K = idx.shape
    flat = (np.arange(R * H)[:, None] * n + idx.reshape(R * H, K)).ravel()
    if reduce == "max":
        best = np.full(R * H * n, -np.inf)
        np.maximum.at(best, flat, np.repeat(fit, H, axis=0).ravel())
        return best.reshape(R, H, n)
    if reduce != "mean":
        raise ValueError(f"reduce must be 'mean' or 'max', got {reduce!r}")
    tot = np.bincount(flat, weights=np.repeat(fit, H, axis=0).ravel(), minlength=R * H * n)
    cnt = np.bincount(flat, minlength=R * H * n)
    return (tot / np.maximum(cnt, 1)).reshape(R, H, n)


def recombine(sub, nfit, rng, mut_rate, alpha):
    """One subpopulation's new generation. sub (n, G), nfit (n,) -> new (n, G)."""
    n, G = sub.shape
    order = np.argsort(-nfit, kind="stable")
    new = sub[order].copy()
    q = n // 4
    for i in range(q):
        mate = rng.integers(0, i) if i > 0 else rng.integers(0, q)
        cut = rng.integers(1, G)
        a, b = new[i], new[mate]
        new[n - 1 - 2 * i] = np.concatenate([a[:cut], b[cut:]])
        new[n - 2 - 2 * i] = np.concatenate([b[:cut], a[cut:]])
    for j in range(n - 2 * q, n):
        if rng.random() < mut_rate:
            new[j, rng.integers(0, G)] += alpha * rng.standard_cauchy()
    return new


def burst(best, n, rng, alpha):
    """Burst mutation of one subpopulation around the best neuron best (G,): (n, G)."""
    new = best[None, :] + alpha * rng.standard_cauchy(size=(n, best.shape[0]))
    new[0] = best
    return new


def duplicate_mutate(sub, nfit, rng, alpha, frac=0.25):
    """Evolino's reproduction for one subpopulation: sorted by fitness, the top ``frac`` are copied,
    each copy gets Cauchy noise (scale alpha) on every weight, and the copies replace the bottom
    ``frac``. sub (n, G), nfit (n,) -> new (n, G), sorted best first (the copies last)."""
    n, G = sub.shape
    order = np.argsort(-nfit, kind="stable")
    new = sub[order].copy()
    q = max(1, int(n * frac))
    new[n - q:] = new[:q] + alpha * rng.standard_cauchy(size=(q, G))
    return new
