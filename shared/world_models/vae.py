"""V: the variational autoencoder of World Models (Ha & Schmidhuber 2018), fully connected.

The paper's V is a convolutional VAE on 64x64x3 frames with z in R^32; the stubs of this family
work on small grayscale frames, where one hidden layer each way is enough:

    encoder   e = relu(x W1 + b1)                          x (B, P) pixels in [0, 1], e (B, Hv)
              mu = e Wm + bm,   logvar = e Wv + bv          (B, Z)
    sample    z = mu + exp(logvar / 2) * eps,   eps ~ N(0, I)
    decoder   d = relu(z W3 + b3),   xhat = sigmoid(d W4 + b4)        d (B, Hv), xhat (B, P)
    loss      per frame: sum_p (x_p - xhat_p)^2 + KL,
              KL = -1/2 sum_j (1 + logvar_j - mu_j^2 - exp(logvar_j)),   averaged over the batch

(the paper's loss: an L2 reconstruction term plus the KL term). ``kl_tolerance`` > 0 is the floor of
the authors' code (DoomTakeCover): each frame's KL counts as max(KL, kl_tolerance x Z), so a frame
whose latents carry less than that pays nothing for them and gets no KL gradient.
``loss_and_grads`` is the batched pass; ``plain_loss_and_grads`` runs frame by frame with vectors,
as the equations read; the tests check that the two agree and the first against central
differences.
"""
import numpy as np

NAMES = ("W1", "b1", "Wm", "bm", "Wv", "bv", "W3", "b3", "W4", "b4")


def init(rng, P, Z, hidden, dtype=np.float64):
    """He-scaled weights; logvar starts near 0 (unit posterior widths)."""
    def w(n_in, n_out, gain=2.0):
        return (rng.standard_normal((n_in, n_out)) * np.sqrt(gain / n_in)).astype(dtype)
    return {"W1": w(P, hidden), "b1": np.zeros(hidden, dtype),
            "Wm": w(hidden, Z, 1.0), "bm": np.zeros(Z, dtype),
            "Wv": w(hidden, Z, 0.1), "bv": np.zeros(Z, dtype),
            "W3": w(Z, hidden), "b3": np.zeros(hidden, dtype),
            "W4": w(hidden, P, 1.0), "b4": np.zeros(P, dtype)}


def sigmoid(a):
    return 0.5 + 0.5 * np.tanh(0.5 * a)


def encode(p, x):
    """x (B, P) -> mu, logvar (B, Z). The controllers read mu (the posterior mean)."""
    e = np.maximum(x @ p["W1"] + p["b1"], 0.0)
    return e @ p["Wm"] + p["bm"], e @ p["Wv"] + p["bv"]


def decode(p, z):
    """z (B, Z) -> xhat (B, P)."""
    return sigmoid(np.maximum(z @ p["W3"] + p["b3"], 0.0) @ p["W4"] + p["b4"])


def loss_and_grads(p, x, eps, kl_tolerance=0.0):
    """Batched forward and backward. x (B, P), eps (B, Z) the reparametrisation noise.
    Returns the mean loss, its parts {"recon", "kl"} (batch means) and grads keyed like p."""
    B = x.shape[0]
    a1 = x @ p["W1"] + p["b1"]
    e = np.maximum(a1, 0.0)
    mu, logvar = e @ p["Wm"] + p["bm"], e @ p["Wv"] + p["bv"]
    sd = np.exp(0.5 * logvar)
    z = mu + sd * eps
    a3 = z @ p["W3"] + p["b3"]
    d = np.maximum(a3, 0.0)
    xhat = sigmoid(d @ p["W4"] + p["b4"])
    recon = ((x - xhat) ** 2).sum(1)
    kl = -0.5 * (1.0 + logvar - mu ** 2 - sd ** 2).sum(1)
    kl_scale = 1.0 / B                                    # d(mean KL)/d(frame's KL)
    if kl_tolerance > 0:                                  # frames under the floor: no KL gradient
        floor = kl_tolerance * mu.shape[1]
        kl_scale = ((kl > floor) / B)[:, None]
        kl = np.maximum(kl, floor)
    g = {}
    # xhat = sigmoid(a4), a4 = d W4 + b4; loss = mean_b [sum_p (x - xhat)^2 + KL]
    da4 = (2.0 / B) * (xhat - x) * xhat * (1.0 - xhat)
    g["W4"], g["b4"] = d.T @ da4, da4.sum(0)
    # d = relu(a3), a3 = z W3 + b3
    da3 = (da4 @ p["W4"].T) * (a3 > 0)
    g["W3"], g["b3"] = z.T @ da3, da3.sum(0)
    dz = da3 @ p["W3"].T
    # z = mu + exp(logvar / 2) eps; KL = -1/2 sum (1 + logvar - mu^2 - exp(logvar))
    if kl_tolerance > 0:
        dmu = dz + mu * kl_scale
        dlv = dz * eps * 0.5 * sd + 0.5 * (sd ** 2 - 1.0) * kl_scale
    else:
        dmu = dz + mu / B
        dlv = dz * eps * 0.5 * sd + 0.5 * (sd ** 2 - 1.0) / B
    g["Wm"], g["bm"] = e.T @ dmu, dmu.sum(0)
    g["Wv"], g["bv"] = e.T @ dlv, dlv.sum(0)
    # e = relu(a1), a1 = x W1 + b1
    da1 = (dmu @ p["Wm"].T + dlv @ p["Wv"].T) * (a1 > 0)
    g["W1"], g["b1"] = x.T @ da1, da1.sum(0)
    return float((recon + kl).mean()), {"recon": float(recon.mean()), "kl": float(kl.mean())}, g


def plain_loss_and_grads(p, x, eps, kl_tolerance=0.0):
    """The same loss and gradients, one frame at a time with vectors (the equations as written)."""
    B = x.shape[0]
    g = {k: np.zeros_like(v) for k, v in p.items()}
    total = 0.0
    for b in range(B):
        xb = x[b]
        e = np.maximum(xb @ p["W1"] + p["b1"], 0.0)
        mu = e @ p["Wm"] + p["bm"]
        logvar = e @ p["Wv"] + p["bv"]
        z = mu + np.exp(logvar / 2) * eps[b]
        d = np.maximum(z @ p["W3"] + p["b3"], 0.0)
        xhat = sigmoid(d @ p["W4"] + p["b4"])
        kl = -0.5 * np.sum(1 + logvar - mu ** 2 - np.exp(logvar))
        floor = kl_tolerance * mu.size
        live = kl > floor or kl_tolerance == 0            # under the floor the KL is a constant
        total += np.sum((xb - xhat) ** 2) + max(kl, floor)
        # backward, one frame, everything divided by B for the batch mean
        dxhat = 2 * (xhat - xb) / B
        da4 = dxhat * xhat * (1 - xhat)
        g["W4"] += np.outer(d, da4)
        g["b4"] += da4
        da3 = (p["W4"] @ da4) * (d > 0)
        g["W3"] += np.outer(z, da3)
        g["b3"] += da3
        dz = p["W3"] @ da3
        dmu = dz + live * mu / B
        dlogvar = dz * eps[b] * np.exp(logvar / 2) / 2 + live * (np.exp(logvar) - 1) / (2 * B)
        g["Wm"] += np.outer(e, dmu)
        g["bm"] += dmu
        g["Wv"] += np.outer(e, dlogvar)
        g["bv"] += dlogvar
        de = (p["Wm"] @ dmu + p["Wv"] @ dlogvar) * (e > 0)
        g["W1"] += np.outer(xb, de)
        g["b1"] += de
    return total / B, g
