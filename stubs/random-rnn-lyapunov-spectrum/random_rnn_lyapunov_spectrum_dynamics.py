"""The paper's continuous-time network and the point symmetry of its spectrum (side experiment of
random_rnn_lyapunov_spectrum.py, loaded on demand).

    tau dh/dt = -h + J tanh(h),   J_ij ~ N(0, g^2/N), J_ii = 0   (tau = 1),

integrated with forward Euler steps dt as in Engelken's code; the Jacobian of one step is
(1 - dt) I + dt J diag(sech^2 h). The paper reports a point-symmetric spectrum; for this flow the
pairs lambda_i + lambda_{N+1-i} all equal -2/tau, and Euler steps shift that centre to
2 ln(1 - dt)/dt. Arrays: J (B, N, N) for B = nets x gains, h (B, N).
"""
import numpy as np

from random_rnn_lyapunov_spectrum import BARS, dky_stats, make_nets, sech2
from shared.lyapunov import qr_spectrum
from shared.results import headline_row


def flow_step(J, h, dt):
    """h + dt (-h + J tanh h). J (N, N) with zero diagonal, h (N,) -> (N,)."""
    return (1.0 - dt) * h + dt * (J @ np.tanh(h))


def flow_jacobian(J, h, dt):
    """d h_{t+1} / d h_t = (1 - dt) I + dt J diag(sech^2 h), (N, N)."""
    return (1.0 - dt) * np.eye(len(h)) + dt * J * sech2(h)[None, :]


def flow_blocks(J, h, dt, n_blocks, per_block):
    """Yield the Jacobian of per_block Euler steps, n_blocks times; J (B, N, N), h (B, N)."""
    for _ in range(n_blocks):
        M = np.broadcast_to(np.eye(J.shape[-1]), J.shape).copy()
        for _ in range(per_block):
            M = (1.0 - dt) * M + dt * (J * sech2(h)[..., None, :]) @ M   # chain rule, newest left
            h = (1.0 - dt) * h + dt * (J @ np.tanh(h)[..., None])[..., 0]
        yield M


def flow_spectra(cfg, rng_net, rng_ic, rng_frame):
    """Full spectra per unit time of the Euler-discretised rate network for each net and gain.

    J_ij = g N(0, 1/N) with J_ii = 0 (as in Engelken's code); h0 ~ (g - 1) N(0, 1) (ditto).
    Returns lam (S, G, N). Point symmetry: lambda_i + lambda_{N+1-i} is the same for every i; for
    the flow it is -2/tau, for Euler steps 2 ln(1 - dt)/dt (the leak's own exponent).
    """
    S, N, dt = cfg["nets"], cfg["N"], cfg["dt"]
    W = make_nets(rng_net, S, N)
    W[:, np.arange(N), np.arange(N)] = 0.0
    g = np.asarray(cfg["g"], float)
    J = (g[None, :, None, None] * W[:, None]).reshape(-1, N, N)
    h = (g[None, :, None] - 1.0) * rng_ic.standard_normal((S, len(g), N))
    h = h.reshape(-1, N)
    for _ in range(int(round(cfg["warm_tau"] / dt))):
        h = (1.0 - dt) * h + dt * (J @ np.tanh(h)[..., None])[..., 0]
    per = int(round(cfg["qr_tau"] / dt))
    n_align = int(round(cfg["align_tau"] / cfg["qr_tau"]))
    n_count = int(round(cfg["tau"] / cfg["qr_tau"]))
    lam = qr_spectrum(flow_blocks(J, h, dt, n_align + n_count, per), dt=dt * per,
                      n_transient=n_align, rng=rng_frame)
    return lam.reshape(S, len(g), N)


def pair_sums(lam):
    """lambda_i + lambda_{N+1-i} for i = 1 .. N/2, on the last axis."""
    N = lam.shape[-1]
    return lam[..., :N // 2] + lam[..., ::-1][..., :N // 2]


def flow_summary(lam, cfg):
    """Pair sums per net and gain (mean, sd over pairs), lambda_1, D_KY/N; centre 2 ln(1-dt)/dt."""
    ps = pair_sums(lam)                                                  # (S, G, N/2)
    d, ent = dky_stats(lam)
    return dict(g=cfg["g"], centre=2 * np.log(1 - cfg["dt"]) / cfg["dt"], pair_mean=ps.mean(-1),
                pair_sd=ps.std(-1), lam1=lam[..., 0], dky=d, entropy=ent)


def verdict_pairs(mean, sd, centre, tol, sd_bar):
    """Point symmetry: every net's mean pair sum within tol of the centre and the sd of the pair
    sums below sd_bar: yes; the means only: partial; else no."""
    a = bool(np.all(np.abs(np.asarray(mean) - centre) < tol))
    b = bool(np.all(np.asarray(sd) < sd_bar))
    return "yes" if a and b else "partial" if a else "no"


def flow_row(m, cfg):
    """The headline row of the point-symmetry claim."""
    f, fc = m["flow"], cfg["flow"]
    value = "; ".join(f"g={g:g}: mean {np.mean(mu):.4f}, sd {np.max(sd):.3f}" for g, mu, sd in
                      zip(f["g"], np.transpose(f["pair_mean"]), np.transpose(f["pair_sd"]), strict=True))
    return headline_row(
        f"continuous time (N = {fc['N']}): point symmetry, pair sums lambda_i + lambda_{{N+1-i}}",
        value,
        f"constant = -2/tau; Euler dt {fc['dt']}: {f['centre']:.4f} (paper abstract: point-symmetric "
        "spectrum)",
        verdict_pairs(f["pair_mean"], f["pair_sd"], f["centre"], BARS["pair_mean_tol"], BARS["pair_sd"]),
        f"bars: every net's mean within {BARS['pair_mean_tol']}, sd over pairs < {BARS['pair_sd']}; "
        f"{fc['nets']} nets, {fc['tau']:g} tau, QR every {fc['qr_tau']:g} tau; sd is the largest over nets")
