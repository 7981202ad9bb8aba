"""Dynamics of the timing nets (``timing_counting_spikes.py``): Lyapunov exponents, 10-step
multipliers, recovery after a kick, the slope of s between spikes, for the trained nets and for
hand-set reference nets that solve GTS and MSD with the paper's 17-weight cell.

Arrays as in timing_counting_spikes.py: weights theta (S, 17), sequences (L, S).
"""
import numpy as np
from timing_counting_spikes import N_WEIGHTS, evaluate, jacobian, output, split, step, test_streams

from shared.lyapunov import qr_spectrum


def dynamics(theta, x, period, warm):
    """Along input x (L, S) (zeros for GTS/PFG: the free-running orbit; a test stream for MSD).

    Returns exponents (S, 2) over steps [warm, L) (QR method, 10 alignment steps), the moduli of
    the 10-step multipliers (S, 2) = |eig| of the product of the Jacobians over the last ``period``
    steps (Floquet multipliers when the orbit has that period), the states s (L, S), and a flag
    (S,) for orbits that overflow: with g and h the identity, y_c -> g feedback can make s grow
    geometrically; from the first non-finite step on, such a net's Jacobian is held at its last
    finite value (saturated gates: the growth factor itself).
    """
    L, S = x.shape
    s, yc = np.zeros(S), np.zeros(S)
    Js, ss = [], []
    J_last = np.broadcast_to(np.eye(2), (S, 2, 2)).copy()
    diverged = np.zeros(S, bool)
    for t in range(L):
        J = jacobian(theta, x[t], s, yc)
        bad = ~np.isfinite(J).all(axis=(1, 2)) | ~np.isfinite(s)
        diverged |= bad
        J = np.where(diverged[:, None, None], J_last, J)
        J_last = J
        if t >= warm:
            Js.append(J)
        _, s, yc = step(theta, x[t], s, yc)
        ss.append(s)
    Js = np.array(Js)                                                 # (L - warm, S, 2, 2)
    ex = np.maximum(qr_spectrum(Js, n_transient=10), -50.0)
    M = np.broadcast_to(np.eye(2), (S, 2, 2)).copy()
    for J in Js[-period:]:
        M = np.nan_to_num(J @ M, posinf=1e300, neginf=-1e300)
    mult = np.sort(np.abs(np.linalg.eigvals(M)), axis=-1)[:, ::-1]
    return ex, mult, np.array(ss), diverged


def recovery(theta, linear, L, kick_at, kick, F):
    """Free run of L steps with s kicked by ``kick`` at step kick_at: periods (of F steps) after the
    kick until the output stays within 0.05 of the unkicked run for a whole period (-1: never)."""
    S = theta.shape[0]
    x = np.zeros(S)
    out = []
    for kicked in (False, True):
        s, yc = np.zeros(S), np.zeros(S)
        ys = []
        for t in range(L):
            if kicked and t == kick_at:
                s = s + kick
            _, s, yc = step(theta, x, s, yc)
            ys.append(output(theta, yc, linear)[0])
        out.append(np.array(ys))
    d = np.abs(out[0] - out[1])[kick_at:]                             # (L - kick_at, S)
    n_per = d.shape[0] // F
    per = d[:n_per * F].reshape(n_per, F, S).max(axis=1) < 0.05       # (n_per, S)
    # first period from which the runs stay together until the end
    tail_ok = np.flip(np.cumprod(np.flip(per, 0), axis=0), 0).astype(bool)
    first = np.where(tail_ok.any(0), tail_ok.argmax(0), -1)
    return first


def slope_stats(s, x):
    """Per net: mean and coefficient of variation of the per-step change of s between spikes
    (MSD), over steps that are neither a spike nor the step after one. s, x (L, S)."""
    ds = np.diff(s, axis=0)
    quiet = (x[1:] == 0) & (x[:-1] == 0)
    mean = np.array([ds[quiet[:, j], j].mean() for j in range(s.shape[1])])
    sd = np.array([ds[quiet[:, j], j].std() for j in range(s.shape[1])])
    return mean, sd / np.maximum(np.abs(mean), 1e-12)


def constructed_nets():
    """Hand-set weights that solve GTS (F = 10, with peepholes) and MSD (F = 10 and 49, without
    peepholes): what the 17-weight net can represent, as a reference for the trained nets.

    GTS timer: i open and g = 1, so s counts steps; the output gate opens through p_o when
    s(t) reaches 10; the large y_c that follows closes the forget gate at the next step (reset).
    MSD counter: the same count, read at each input spike through an input-driven output gate;
    the output unit thresholds the count between F and F + 1. Returns theta (3, 17), kind, F,
    linear, tol, peep, names.
    """
    theta = np.zeros((3, N_WEIGHTS))
    W, P, V = split(theta)
    W[:, 2, 0], W[:, 2, 2] = 20.0, 1.0                                 # input gate open, g = 1
    W[0, 2, 1], W[0, 1, 1] = 20.0, -60.0                               # GTS: reset after firing
    P[0, 2], W[0, 2, 3] = 40.0, -40.0 * 9.5                            # fire when s(t) > 9.5
    V[0] = 4.0, -20.0
    W[1:, 2, 1], W[1:, 1, 1] = 15.0, -40.0                             # MSD: reset after a read-out
    W[1:, 0, 3], W[1:, 2, 3] = 20.0, -10.0                             # read out at input spikes
    F = np.array([10, 10, 49])
    V[1:, 0], V[1:, 1] = 10.0, -10.0 * (F[1:] + 0.5)
    names = ["GTS F=10 timer (peephole)", "MSD F=10 counter (no peephole)", "MSD F=49 counter (no peephole)"]
    peep = np.array([True, False, False])
    return theta, np.array([1, 0, 0]), F, np.zeros(3, bool), np.full(3, 0.49), peep, names


def constructed_report(rng, n_events, L_dyn, warm, rec_len, kick_at):
    """Test and dynamics of the hand-set nets, same measures as for the trained nets."""
    theta, kind, F, lin, tol, peep, names = constructed_nets()
    ok, n_ev = evaluate(theta, lin, tol, test_streams(kind, F, rng, n_events))
    x = np.zeros((L_dyn, 3))
    xt = test_streams(kind, F, rng, L_dyn // 10 + 2)[0]
    x[:, 1:] = xt[:L_dyn, 1:]
    ex, mult, s, _ = dynamics(theta, x, period=10, warm=warm)
    slope_m, slope_cv = slope_stats(s, x)
    rec = recovery(theta, lin, rec_len, kick_at, 0.5, 10)
    out = {}
    for j, name in enumerate(names):
        out[name] = {"test_passed": bool(ok[j]), "test_events": int(n_ev[j]),
                     "lyapunov": sorted(ex[j].tolist())[::-1]}
        if kind[j] == 1:
            out[name].update({"multiplier_moduli_10_steps": mult[j].tolist(),
                              "recovery_periods_after_kick": int(rec[j])})
        else:
            out[name].update({"slope_s_mean": float(slope_m[j]), "slope_s_cv": float(slope_cv[j])})
    return out


def trained_dynamics(theta, nets, test, sizes):
    """Lyapunov exponents, 10-step multipliers, orbits, slopes of s and kick recovery of every net
    (free run for GTS/PFG, the start of the test stream for MSD)."""
    L_dyn = sizes["L_dyn"]
    x_dyn = np.zeros((L_dyn, len(nets["task"])))
    msd = nets["kind"] == 0
    n_copy = min(L_dyn, test[0].shape[0])
    x_dyn[:n_copy, msd] = test[0][:n_copy, msd]
    ex, mult, s_dyn, div = dynamics(theta, x_dyn, period=10, warm=L_dyn // 2)
    mult[msd] = np.nan                                                 # MSD: Floquet makes no sense
    slope_m, slope_cv = slope_stats(s_dyn, x_dyn)
    rec = recovery(theta, nets["linear"], sizes["rec_len"], sizes["kick_at"], 0.5, 10)
    return {"ex": ex, "mult": mult, "s": s_dyn, "x": x_dyn, "div": div, "slope_m": slope_m,
            "slope_cv": slope_cv, "rec": rec}
