"""The dynamics side of linear_transformers_fwp: the Lyapunov fingerprint of the fast-weight
matrix along task streams, and one memory written pair by pair for the figures and the GIF.

The fast-weight matrix W (n x p) is the model's only recurrent state. One write of the delta rule
maps each row w of W to w M_t + (its share of beta_t v_t) kt_t^T with M_t = I - beta_t kt_t kt_t^T,
so the Jacobian of the map is block-diagonal with n copies of the symmetric p x p matrix M_t
(``shared.fast_weights.linear_attention.delta_transition``): the spectrum of M's products, each
exponent n times. The sum rule adds v_t f_t^T whatever W holds, so its map is the identity and
every exponent is 0: nothing is ever forgotten, and interference can only grow. The delta rule
contracts W along each key it writes, by the factor 1 - beta_t |kt_t|^2, and leaves the
directions no key touches alone.
"""
import numpy as np

from linear_transformers_fwp import one_hot, queries, sequences, slow_net
from shared.fast_weights import linear_attention as la
from shared.lyapunov import qr_spectrum


def fingerprint(p, rng, N, fmap, rule, cfg):
    """Exponents of the fast-weight map W_{t-1} -> W_t along setting-2 token streams of
    lyap_steps steps (lyap_transient of them only align the frame), per trained net and stream:
    J_t = I - beta_t kt_t kt_t^T on each row of W (the delta rule; ``la.delta_transition``), J_t = I
    (the sum rule). Returns exponents (S, streams, p), descending, and the mean of beta and of
    |kt|^2 along the streams (the contraction 1 - beta |kt|^2 per write along the written key)."""
    S, L = p["E"].shape[0], cfg["lyap_steps"] + cfg["lyap_transient"]
    k, v = sequences(rng, L, S, cfg["lyap_streams"], N, True)
    K, beta = slow_net(p, k, v, rule)
    F = la.phi_forward(K, fmap)[0]                               # (L, S, M, p)
    if beta is None:
        beta = np.zeros(F.shape[:-1])                            # no correction term: J_t = I
    P = F.shape[-1]
    # one step's Jacobians at a time: all L of them at d = 64 would not fit in memory
    J = (la.delta_transition(F[t:t + 1], beta[t:t + 1])[0].reshape(-1, P, P) for t in range(L))
    lam = qr_spectrum(J, n_transient=cfg["lyap_transient"]).reshape(S, -1, P)
    kt = F / np.where(F.sum(-1, keepdims=True) > 0, F.sum(-1, keepdims=True), 1.0)
    return lam, float(beta.mean()), float((kt ** 2).sum(-1).mean())


def film(R, cfg):
    """One setting-2 sequence written into the memory step by step by the first trained net of
    each rule (N = 10, or the grid's N nearest to it): W_t (T + 1, N, p) and the read-out of
    every key after each step (T + 1, N, N), for the GIF and the memory figure."""
    N = min(range(cfg["n_step"], cfg["s2_max_n"] + 1, cfg["n_step"]), key=lambda n: abs(n - 10))
    rng = np.random.default_rng(0)                   # a fixed sequence: a figure, not a result
    k, v = sequences(rng, 2 * N, 1, 1, N, True)
    out = {"film/k": k[:, 0, 0], "film/v": v[:, 0, 0]}
    for rule in ("sum", "delta"):
        p = {key: val[:1] for key, val in R[f"s2/dpfp/{rule}/N{N}"]["params"].items()}
        K, beta = slow_net(p, k, v, rule)
        F = la.phi_forward(K, "dpfp")[0]
        fq = la.phi_forward(queries(p), "dpfp")[0][:, None]      # (1, 1, N, p)
        V = one_hot(v, N)
        Ws, ys = [np.zeros((N, F.shape[-1]))], [np.zeros((N, N))]
        for t in range(1, 2 * N + 1):
            if rule == "sum":
                W, z = la.sum_memory(V[:t], F[:t])
                y = la.sum_read(W, z, fq)
            else:
                W = la.delta_write(V[:t], F[:t], beta[:t])[0]
                y = la.delta_read(W, fq)[0]
            Ws.append(W[0, 0])
            ys.append(y[0, 0])
        out[f"film/{rule}/W"], out[f"film/{rule}/y"] = np.array(Ws), np.array(ys)
        out[f"film/{rule}/beta"] = np.ones(2 * N) if beta is None else beta[:, 0, 0]
    return out


def lyapunov_record(R, cfg):
    ex = {}
    for lab, r in R.items():
        if "lyap" in r:
            rule = "sum rule" if "/sum/" in lab else "delta rule"
            spec = [float(x) for x in np.median(r["lyap"], axis=(0, 1))]
            ex[f"{rule}, {lab}"] = spec[:6]
            if rule == "delta rule":          # the directions the memory writes: the bottom of the spectrum
                ex[f"{rule}, {lab}, 6 most negative"] = spec[-6:]
    return {"method": f"shared.lyapunov.qr_spectrum on J_t = d row(W_t) / d row(W_(t-1)) = "
                      f"I - beta_t kt_t kt_t^T (delta rule; I for the sum rule, whose exponents are "
                      f"therefore 0 up to round-off), p x p per value row, along setting-2 token streams of "
                      f"{cfg['lyap_steps']} steps after {cfg['lyap_transient']} alignment steps, "
                      f"{cfg['lyap_streams']} streams per trained net; "
                      f"median over nets and streams (each exponent by rank), the top 6 of p and, for the "
                      f"delta rule, the 6 most negative",
            "exponents": ex}
