"""The experiments of modern_hopfield_retrieval.py (loaded by its main; see its docstring).

Each function draws its own data from the stream it is given and returns plain arrays; the main
file turns them into metrics, verdicts and saved arrays. Shapes as in the main file: patterns
X (d, N), states as rows (Q, d), softmax p (Q, N).
"""

import numpy as np

from modern_hopfield_retrieval import (
    binary_patterns,
    capacity_from_curve,
    classical_retrieve,
    energy,
    flip_bits,
    hebbian,
    iterate,
    jacobian,
    retrieval_error,
    softmax,
    theorem3_bound,
    update,
)
from shared.lyapunov import map_spectrum
from shared.stats import t_interval


def exp_error(cfg, rng_pat, rng_q):
    """One update from queries with k flipped bits at every beta at once (a leading beta axis):
    measured error, query separation, pattern separation, the fixed point reached from x_i, and
    the paper's bounds. Returns one flat array per column."""
    S, d, rows = cfg["n_seeds"], cfg["d"], []
    b = np.array(cfg["err_betas"])[:, None]  # (nb, 1)
    M = np.sqrt(d)
    for N in cfg["err_N"]:
        for s in range(S):
            X = binary_patterns(rng_pat, (d, N))
            G = X.T @ X
            np.fill_diagonal(G, -np.inf)
            delta_all = d - G.max(1)  # Delta_i, (N,)
            tgt = rng_q.integers(N, size=cfg["err_targets"])
            Q, delta = len(tgt), delta_all[tgt]
            # the fixed point near x_i, reached from x_i (Theorem 4's x_i*), kept as its offset
            x0 = np.broadcast_to(X[:, tgt].T, (len(b), Q, d))
            dstar_n, dstar = retrieval_error(iterate(x0, X, b[:, :, None], cfg["fp_steps"], 1e-13)[1], X, tgt)
            for k in cfg["err_flips"]:
                xi = flip_bits(rng_q, X[:, tgt].T, k)  # (Q, d)
                sc = xi @ X
                own = sc[np.arange(Q), tgt]
                sc_o = sc.copy()
                sc_o[np.arange(Q), tgt] = -np.inf
                c_q = own - sc_o.max(1)  # query separation, (Q,)
                dq = 2 * np.sqrt(k)  # ||xi - x_i||
                err, diff = retrieval_error(softmax(b[:, :, None] * sc), X, tgt)  # (nb, Q), (nb, Q, d)
                to_fp = np.sqrt(((diff - dstar) ** 2).sum(-1))  # ||f(xi) - x_i*||
                q_fp = np.sqrt(((xi - X[:, tgt].T - dstar) ** 2).sum(-1))  # ||xi - x_i*||
                expo = np.exp(-b * (delta - 2 * np.maximum(dq, dstar_n) * M))
                cols = (
                    N, s, k, b, err, c_q, delta, dq, dstar_n, to_fp,
                    2 * (N - 1) * np.exp(-b * c_q) * M,  # Lemma A4
                    2 * (N - 1) * expo * M,  # Theorem 5
                    2 * b * N * M**2 * (N - 1) * expo * q_fp,  # Theorem 4
                    2 * np.e * (N - 1) * M * np.exp(-b * delta),  # Theorem 5, second form
                )  # fmt: skip
                rows.append(np.stack([c.reshape(-1) for c in np.broadcast_arrays(*cols)], 1))
    cols = ["N", "seed", "flips", "beta", "err", "c_query", "delta", "dist_query", "dist_fp", "to_fp",
            "bound_A4", "bound_T5", "bound_T4", "bound_T5b"]  # fmt: skip
    return dict(zip(cols, np.concatenate(rows).T, strict=True))


def exp_one_step(cfg, rng_pat, rng_q):
    """One update vs the fixed point the query converges to: d = 64, N as in exp_error,
    one_step_flips flipped bits, beta in one_step_betas. Returns distances / M, (S, nN, nb, Q)."""
    S, d = cfg["n_seeds"], cfg["d"]
    out = np.zeros((S, len(cfg["err_N"]), len(cfg["one_step_betas"]), cfg["err_targets"]))
    right = np.zeros_like(out, dtype=bool)
    for s in range(S):
        for a, N in enumerate(cfg["err_N"]):
            X = binary_patterns(rng_pat, (d, N))
            tgt = rng_q.integers(N, size=cfg["err_targets"])
            xi = flip_bits(rng_q, X[:, tgt].T, cfg["one_step_flips"])
            for c, b in enumerate(cfg["one_step_betas"]):
                one = update(xi, X, b)[0]
                fp, pf, _ = iterate(one, X, b, 200, 1e-13)
                out[s, a, c] = np.sqrt(((one - fp) ** 2).sum(-1)) / np.sqrt(d)
                right[s, a, c] = pf.argmax(-1) == tgt
    return out, right


def exp_capacity(cfg, rng_cap, rng_cl):
    """Share of cues (a stored pattern with d/8 bits flipped) that come back within rel_err: the
    modern net after one update, every beta, at d; the modern net at beta = cap_d_beta for each d
    of cap_ds; the classical net (asynchronous updates to a fixed point) at the same sizes; and the
    classical net started at the stored pattern itself at loads alpha = N/d (AGS's setting)."""
    S, d, Q, tol = cfg["n_seeds"], cfg["d"], cfg["cap_queries"], cfg["rel_err"]

    def modern(dim, logN_max, betas):
        Ns = 2 ** np.arange(1, logN_max + 1)
        succ = np.zeros((S, len(betas), len(Ns)))
        for s in range(S):
            for j, N in enumerate(Ns):
                X = binary_patterns(rng_cap, (dim, N))
                tgt = rng_cap.integers(N, size=Q)
                sc = flip_bits(rng_cap, X[:, tgt].T, dim // 8) @ X
                for i, b in enumerate(betas):  # one beta at a time: (Q, N) is 4M numbers at N = 2^16
                    succ[s, i, j] = (retrieval_error(softmax(b * sc), X, tgt)[0] <= tol * np.sqrt(dim)).mean()
        return Ns, succ

    def classical(dim, Ns, n_q, flips):
        succ = np.zeros((S, len(Ns)))
        for s in range(S):
            for j, N in enumerate(Ns):
                X = binary_patterns(rng_cl, (dim, N))
                tgt = rng_cl.integers(N, size=n_q)
                cue = flip_bits(rng_cl, X[:, tgt].T, flips)
                out = classical_retrieve(hebbian(X), cue, rng_cl, cfg["max_sweeps"])
                succ[s, j] = (np.sqrt(((out - X[:, tgt].T) ** 2).sum(-1)) <= tol * np.sqrt(dim)).mean()
        return succ

    res = {}
    res["Ns"], res["modern"] = modern(d, cfg["cap_logN_max"], cfg["cap_betas"])
    res["classical_Ns"] = np.arange(1, cfg["classical_Nmax"] + 1)
    res["classical"] = classical(d, res["classical_Ns"], Q, d // 8)
    res["d_Ns"] = 2 ** np.arange(1, cfg["cap_d_logN_max"] + 1)
    res["d_modern"] = np.stack(
        [modern(dd, cfg["cap_d_logN_max"], [cfg["cap_d_beta"]])[1][:, 0] for dd in cfg["cap_ds"]], 1
    )  # (S, nd, nN)
    dmax = max(cfg["cap_ds"])
    res["d_classical"] = np.stack(
        [_pad(classical(dd, np.arange(1, dd + 1), Q, dd // 8), dmax) for dd in cfg["cap_ds"]], 1
    )  # (S, nd, max d)
    alphas = np.array(cfg["classical_alphas"])
    res["fs_classical"] = np.stack(
        [
            classical(dd, np.maximum(1, np.round(alphas * dd)).astype(int), cfg["classical_queries"], 0)
            for dd in cfg["classical_ds"]
        ],
        1,
    )
    return res


def _pad(a, n):
    """Pad the last axis of a success curve to length n with zeros (sizes beyond N = d)."""
    return np.concatenate([a, np.zeros(a.shape[:-1] + (n - a.shape[-1],))], -1)


def exp_theorem3(cfg, rng):
    """Theorem 3's setting: random patterns on the sphere of radius M = K sqrt(d - 1). A draw fails
    unless every x_i (a) meets Lemma A7's separation condition and (b) is stored (Definition 1):
    the fixed point reached from x_i lies in S_i = {||xi - x_i|| <= 1 / (beta N M)} and a point on
    S_i's boundary converges to it."""
    beta, K, d, p = cfg["t3_beta"], cfg["t3_K"], cfg["t3_d"], cfg["t3_p"]
    M = K * np.sqrt(d - 1)
    c, n_bound, c_min = theorem3_bound(beta, K, d, p)

    def draws(N, n_draws):
        X = rng.standard_normal((n_draws, d, N))
        X *= M / np.sqrt((X * X).sum(1, keepdims=True))
        G = np.swapaxes(X, 1, 2) @ X
        G[:, np.arange(N), np.arange(N)] = -np.inf
        delta = M**2 - G.max(2)  # (draws, N)
        sep_ok = delta >= 2 / (beta * N) + np.log(2 * (N - 1) * N * beta * M**2) / beta
        r = 1 / (beta * N * M)
        x0 = np.swapaxes(X, 1, 2)  # (draws, N, d)
        u = rng.standard_normal(x0.shape)
        edge = x0 + r * u / np.sqrt((u * u).sum(-1, keepdims=True))
        fp = iterate(x0, X, beta, 50, 1e-12)[0]
        fp_edge = iterate(edge, X, beta, 50, 1e-12)[0]
        stored = (np.sqrt(((fp - x0) ** 2).sum(-1)) <= r) & (
            np.sqrt(((fp_edge - fp) ** 2).sum(-1)) <= 1e-9 * M
        )
        return sep_ok.all(1), stored.all(1)

    n_test = int(np.floor(n_bound))
    sep_b, sto_b = draws(n_test, cfg["t3_draws"])
    Ns = 2 ** np.array(cfg["t3_logN"])
    grid = [draws(int(N), cfg["t3_grid_draws"]) for N in Ns]
    return dict(
        c=c,
        n_bound=n_bound,
        c_min=c_min,
        n_test=n_test,
        fail_sep=float(1 - sep_b.mean()),
        fail_stored=float(1 - (sep_b & sto_b).mean()),
        draws=cfg["t3_draws"],
        grid_N=Ns,
        grid_sep=np.array([g[0].mean() for g in grid]),
        grid_stored=np.array([g[1].mean() for g in grid]),
    )


def cluster_patterns(rng, cfg):
    """8 x 8 +-1 images: fp_clusters prototypes, fp_members noisy copies of each (fp_flip bits
    flipped), fp_isolated unrelated images; returns X (d, N) and each pattern's cluster (-1 alone)."""
    d, C, m = cfg["d"], cfg["fp_clusters"], cfg["fp_members"]
    proto = binary_patterns(rng, (C, d))
    members = flip_bits(rng, np.repeat(proto, m, 0), cfg["fp_flip"])
    X = np.concatenate([members, binary_patterns(rng, (cfg["fp_isolated"], d))]).T
    return X, np.concatenate([np.repeat(np.arange(C), m), -np.ones(cfg["fp_isolated"], int)])


def fixed_point_types(cfg, rng):
    """Fixed points from every pattern and from a noisy copy of it, every beta, every seed: their
    softmax p, effective number of averaged patterns 1 / sum p^2, type, top Jacobian eigenvalues,
    ||J||, and the Lemma A3 / A2 / A8 bounds at each."""
    S, d = cfg["n_seeds"], cfg["d"]
    betas = np.array(cfg["fp_betas"])
    out = {
        k: []
        for k in (
            "X",
            "cluster",
            "neff",
            "kind",
            "top_eig",
            "jnorm",
            "bound_A3",
            "bound_A2",
            "bound_A8",
            "moved",
            "target",
            "weights",
            "beta_global",
            "beta_single",
            "state",
            "queries",
            "one_step",
            "one_step_p",
        )
    }
    for _ in range(S):
        X, cl = cluster_patterns(rng, cfg)
        N = X.shape[1]
        M = np.sqrt(d)
        starts = np.concatenate([X.T, flip_bits(rng, X.T, cfg["fp_query_flip"])])  # (2N, d)
        Xi = np.broadcast_to(starts, (len(betas),) + starts.shape).copy()
        fp, p, move = iterate(Xi, X, betas[:, None, None], cfg["fp_max_steps"], cfg["fp_tol"])
        p = update(fp, X, betas[:, None, None])[1]  # p at the fixed point
        neff = 1 / (p * p).sum(-1)
        kind = np.where(neff < 1.5, 2, np.where(neff > N / 2, 0, 1))  # 0 global, 1 meta, 2 single
        J = jacobian(p, X, betas[:, None, None, None])
        eig = np.linalg.eigvalsh(J)[..., ::-1]  # descending
        mx = X.mean(1, keepdims=True)
        m_max2 = ((X - mx) ** 2).sum(0).max()
        eps = 1 - p.max(-1)
        L = p >= 0.01  # the averaged subset
        gam = np.where(L, 0.0, p).sum(-1)
        w = np.where(L, 1.0, 0.0)
        ml = (w[..., None, :] * X).sum(-1) / w.sum(-1)[..., None]  # subset mean
        dist2 = ((X.T[None, None] - ml[..., None, :]) ** 2).sum(-1)
        m_l2 = np.where(L, dist2, 0.0).max(-1)
        b = betas[:, None]
        for k, v in (
            ("X", X),
            ("cluster", cl),
            ("neff", neff),
            ("kind", kind),
            ("top_eig", eig[..., : cfg["lyap_k"]]),
            ("jnorm", eig[..., 0]),
            ("bound_A3", np.broadcast_to(b * m_max2, neff.shape)),
            ("bound_A2", 2 * b * N * M**2 * eps * (1 - eps)),
            ("bound_A8", b * ((1 - gam) * m_l2 + gam * 2 * (2 - gam) * M**2)),
            ("moved", move),
            ("target", p.argmax(-1)),
            ("weights", p),
            ("state", fp),
            ("queries", starts),
            ("one_step", update(Xi, X, betas[:, None, None])[0]),
            ("one_step_p", update(Xi, X, betas[:, None, None])[1]),
        ):
            out[k].append(v)
        G = X.T @ X
        np.fill_diagonal(G, -np.inf)
        delta = d - G.max(1)
        fine = np.geomspace(betas[0], betas[-1], 4000)[:, None]
        single_ok = (delta >= 2 / (fine * N) + np.log(2 * (N - 1) * N * fine * M**2) / fine).all(1)
        out["beta_single"].append(
            fine[np.argmax(np.cumprod(single_ok[::-1])[::-1].astype(bool)), 0] if single_ok[-1] else np.inf
        )
        out["beta_global"].append(1 / m_max2)
    return {k: np.array(v) for k, v in out.items()}


def fp_lyapunov(cfg, fx):
    """Top exponents of the update map started at fixed points of seed 0 (shared.lyapunov's QR
    iteration along x_{t+1} = f(x_t)), one per type, at the middle beta (on the log grid) of the
    range where that type holds most fixed points."""
    X, betas, res = fx["X"][0], np.array(cfg["fp_betas"]), {}
    for kind, name in ((0, "global"), (1, "metastable"), (2, "single pattern")):
        share = (fx["kind"][0] == kind).mean(-1)
        if share.max() == 0:
            continue
        where = np.flatnonzero(share >= min(0.5, share.max()))
        ib = int(where[len(where) // 2])
        j = int(np.argmax(fx["kind"][0, ib] == kind))
        b = betas[ib]
        ex = map_spectrum(
            lambda x, b=b: update(x, X, b)[0],
            lambda x, b=b: jacobian(update(x, X, b)[1], X, b),
            fx["state"][0, ib, j],
            cfg["lyap_steps"],
            k=cfg["lyap_k"],
            n_transient=5,
        )
        floor = np.log(1e-300)  # an eigenvalue that underflowed to 0 would give -inf
        res[name] = dict(
            beta=float(b),
            start=j,
            exponents=np.maximum(ex, floor),
            ln_eig=np.log(np.maximum(fx["top_eig"][0, ib, j], 1e-300)),
        )
    return res


def exp_energy(cfg, rng):
    """E along the iteration from Gaussian starts (norm ~ M) at four betas: (S, nb, T+1, Q)."""
    S, d, betas = cfg["n_seeds"], cfg["d"], np.array([0.01, 0.05, 0.2, 1.0])
    E = np.zeros((S, len(betas), cfg["en_steps"] + 1, cfg["en_starts"]))
    for s in range(S):
        X = binary_patterns(rng, (d, 256))
        Xi = np.broadcast_to(rng.standard_normal((cfg["en_starts"], d)), (len(betas), cfg["en_starts"], d))
        for t in range(cfg["en_steps"] + 1):
            E[s, :, t] = energy(Xi, X, betas[:, None, None])
            Xi = update(Xi, X, betas[:, None, None])[0]
    return E, d


# ==============================================================================================
# Summaries: the metrics the main file records
# ==============================================================================================
def ci(values):
    """Mean and 95 % t-interval over seeds ([mean, lo, hi]; lo = hi = mean for one seed)."""
    v = np.asarray(values, np.float64)
    return list(t_interval(v)) if v.size > 1 else [float(v.mean())] * 3


def error_summary(e, cfg):
    """Bound violations (Lemma A4, Theorems 4 and 5) and the exponential rate: per seed, the slope
    of ln(error) on beta * (query separation) with one intercept per N, fitted where
    slope_window[0] <= beta c <= slope_window[1] (the tail; errors down to 1e-280 are exact)."""
    M = np.sqrt(cfg["d"])
    viol = {
        "lemma_A4": int((e["err"] > e["bound_A4"] * (1 + 1e-9)).sum()),
        "theorem_5": int((e["err"] > e["bound_T5"] * (1 + 1e-9)).sum()),
        "theorem_4": int((e["to_fp"] > e["bound_T4"] * (1 + 1e-9) + 1e-12 * M).sum()),
    }
    cond = (e["dist_fp"] <= 1 / (2 * e["beta"] * M)) & (e["dist_query"] <= 1 / (2 * e["beta"] * M))
    viol["theorem_5_fixed_point"] = int((e["dist_fp"][cond] > e["bound_T5b"][cond] * (1 + 1e-9)).sum())
    x = e["beta"] * e["c_query"]
    lo, hi = cfg["slope_window"]
    slopes = []
    for s in np.unique(e["seed"]):
        sel = (x >= lo) & (x <= hi) & (e["err"] > 1e-280) & (e["seed"] == s)
        A = np.column_stack([x[sel]] + [(e["N"][sel] == n).astype(float) for n in cfg["err_N"]])
        slopes.append(np.linalg.lstsq(A, np.log(e["err"][sel]), rcond=None)[0][0])
    return dict(
        n_cases=int(e["err"].size),
        violations=viol,
        n_theorem_5_fixed_point=int(cond.sum()),
        max_ratio_to_A4=float((e["err"] / e["bound_A4"]).max()),
        max_ratio_to_T5=float((e["err"] / e["bound_T5"]).max()),
        slope_per_seed=slopes,
        slope_ci=ci(slopes),
    )


def one_step_summary(dist, right, cfg):
    """Share of cues whose first update is within one_step_eps * M of the fixed point they
    converge to, per seed (all N and betas of the test pooled), and the share converging to x_i."""
    within = (dist <= cfg["one_step_eps"]).reshape(dist.shape[0], -1).mean(1)
    return dict(
        share_per_seed=within,
        share_ci=ci(within),
        right_fixed_point=float(right.mean()),
        max_distance_over_M=float(dist.max()),
    )


def capacity_summary(c, cfg):
    """Capacities (largest grid N with >= cap_success of cues retrieved) per seed; the slope of
    ln N_c on d for the modern net, and alpha_c = N_c / d of the classical net per d."""
    lvl, d = cfg["cap_success"], cfg["d"]
    Nc = capacity_from_curve(c["Ns"], c["modern"], lvl)  # (S, nb)
    Nc_cl = capacity_from_curve(c["classical_Ns"], c["classical"], lvl)  # (S,)
    Nd = capacity_from_curve(c["d_Ns"], c["d_modern"], lvl)  # (S, nd)
    Nd_cl = capacity_from_curve(np.arange(1, max(cfg["cap_ds"]) + 1), c["d_classical"], lvl)
    ds = np.array(cfg["cap_ds"], float)
    ln_nd = np.log(np.maximum(Nd, 1))  # N_c = 0 (even N = 2 fails) is counted as 1
    fit = [np.polyfit(ds, n, 1)[0] for n in ln_nd]
    mean_ln = ln_nd.mean(0)
    resid = mean_ln - np.polyval(np.polyfit(ds, mean_ln, 1), ds)
    r2 = float(1 - (resid**2).sum() / max(((mean_ln - mean_ln.mean()) ** 2).sum(), 1e-300))
    # the alternative, a power law: ln N_c linear in ln d
    resid_pw = mean_ln - np.polyval(np.polyfit(np.log(ds), mean_ln, 1), np.log(ds))
    r2_pw = float(1 - (resid_pw**2).sum() / max(((mean_ln - mean_ln.mean()) ** 2).sum(), 1e-300))
    # Theorem 3's guaranteed rate ln(c) / 4 per dimension for patterns of norm ~sqrt(d) (K = 1, beta = 1),
    # at the paper's own example d = 75, p = 0.001 (the theorem's condition on c fails at d <= 32)
    c_k1 = theorem3_bound(1.0, 1.0, 75, 1e-3)[0]
    a_c = capacity_from_curve(np.array(cfg["classical_alphas"]), c["fs_classical"], lvl)  # (S, nD)
    return dict(
        modern_Nc={f"beta={b:g}": ci(Nc[:, i]) for i, b in enumerate(cfg["cap_betas"])},
        modern_at_grid_end={
            f"beta={b:g}": bool((Nc[:, i] == c["Ns"][-1]).all()) for i, b in enumerate(cfg["cap_betas"])
        },
        classical_Nc=ci(Nc_cl),
        classical_alpha=ci(Nc_cl / d),
        ags_0138d=0.138 * d,
        d_modern_Nc={f"d={int(x)}": ci(Nd[:, i]) for i, x in enumerate(ds)},
        d_modern_at_grid_end={
            f"d={int(x)}": bool((Nd[:, i] == c["d_Ns"][-1]).any()) for i, x in enumerate(ds)
        },
        d_classical_Nc={f"d={int(x)}": ci(Nd_cl[:, i]) for i, x in enumerate(ds)},
        ln_Nc_slope_per_dim=ci(fit),
        ln_Nc_linear_r2=r2,
        ln_Nc_power_law_r2=r2_pw,
        theorem3_rate_K1_d75=float(np.log(c_k1) / 4),
        classical_alpha_c={f"d={dd}": ci(a_c[:, i]) for i, dd in enumerate(cfg["classical_ds"])},
        Nc_modern=Nc,
        Nc_classical=Nc_cl,
        Nc_d_modern=Nd,
        Nc_d_classical=Nd_cl,
        alpha_c=a_c,
    )


def fixed_point_summary(fx, cfg):
    """Per seed: (a) every start ends at the global fixed point for beta < 1 / m_max^2 (Lemma A3),
    (b) every start from a pattern ends at that pattern's single fixed point for beta above the
    Lemma A7 threshold of all patterns, (c) metastable fixed points occur, each averaging patterns
    of one cluster. Jacobian norms by type, and the Lemma A2/A3/A8 bounds."""
    betas = np.array(cfg["fp_betas"])
    S, nb, B = fx["kind"].shape
    N = B // 2
    ok = []
    for s in range(S):
        low = betas < fx["beta_global"][s]
        high = betas >= fx["beta_single"][s]
        a = bool(low.any() and (fx["kind"][s, low] == 0).all())
        b = bool(
            high.any()
            and ((fx["kind"][s, high, :N] == 2) & (fx["target"][s, high, :N] == np.arange(N))).all()
        )
        meta = fx["kind"][s] == 1
        p_cl = fx["cluster"][s]
        one_cluster = [
            len(set(p_cl[np.argsort(-fx["weights"][s, i, j])[:2]])) == 1
            and p_cl[np.argmax(fx["weights"][s, i, j])] >= 0
            for i, j in zip(*np.nonzero(meta), strict=True)
        ]
        c = bool(meta.any() and all(one_cluster))
        ok.append(
            dict(
                global_below_A3=a,
                single_above_A7=b,
                metastable_cluster_means=c,
                meta_betas=[float(betas[meta.any(1)].min()), float(betas[meta.any(1)].max())]
                if meta.any()
                else None,
            )
        )
    kind, jn = fx["kind"], fx["jnorm"]
    single = (kind == 2) & (betas[None, :, None] >= np.array(fx["beta_single"])[:, None, None])
    med = {
        name: float(np.median(jn[sel])) if sel.any() else None
        for name, sel in (("global", kind == 0), ("metastable", kind == 1), ("single_above_A7", single))
    }
    viol = {
        "lemma_A3": int((jn > fx["bound_A3"] * (1 + 1e-9) + 1e-12).sum()),
        "lemma_A8": int((jn > fx["bound_A8"] * (1 + 1e-9) + 1e-12).sum()),
        "lemma_A2_single": int((jn[kind == 2] > fx["bound_A2"][kind == 2] * (1 + 1e-9) + 1e-12).sum()),
    }
    return dict(
        per_seed=ok,
        seeds_all_three=int(
            sum(all((o["global_below_A3"], o["single_above_A7"], o["metastable_cluster_means"])) for o in ok)
        ),
        beta_global=ci(fx["beta_global"]),
        beta_single=ci(fx["beta_single"][np.isfinite(fx["beta_single"])])
        if np.isfinite(fx["beta_single"]).any()
        else None,
        jnorm_median=med,
        top_exponent_median={k: (float(np.log(v)) if v else None) for k, v in med.items()},
        bound_violations=viol,
        n_unconverged=int((fx["moved"] > 1e-9).sum()),
        share_by_type=np.stack([(kind == k).mean((0, 2)) for k in range(3)]),
    )


def energy_summary(E, d):
    """Largest one-step change of E (positive = an increase) relative to M^2 = d, and Lemma A1."""
    dE = np.diff(E, axis=2)
    return dict(
        max_increase_over_M2=float(dE.max() / d),
        min_energy=float(E.min()),
        max_energy_after_first_update=float(E[:, :, 1:].max()),
        two_M2=2.0 * d,
        n_steps=int(dE.size),
    )
