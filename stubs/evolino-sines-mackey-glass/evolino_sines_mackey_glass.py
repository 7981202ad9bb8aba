"""Evolino: ESP-evolved LSTM memory cells with a pseudo-inverse linear readout, on superimposed
sines and Mackey-Glass (Schmidhuber, Wierstra, Gagliolo & Gomez, "Training recurrent networks by
Evolino", Neural Computation 19(3):757-779, 2007; first Schmidhuber, Wierstra & Gomez, IJCAI 2005).

Evolino splits an RNN in two. Evolution searches the nonlinear, recurrent part (here C LSTM memory
cells); the linear output layer is never evolved but computed, for every candidate, as the
least-squares (Moore-Penrose pseudo-inverse) map from the cells' outputs to the targets. The
recurrent part is evolved by ESP (Enforced SubPopulations, family core ``shared/esp``): one
subpopulation per memory cell, networks formed by drawing one cell from each, a network's fitness
shared back to the cells that formed it, Cauchy mutation, burst mutation on stagnation.

Model (family core ``shared/lstm_gers``: peephole cells with forget gates, one cell per block,
g = h = tanh, the cell input with a bias): with u(t) = [x(t), y_c(t-1), 1] and x(t) the
previous value of the series (the target during teacher forcing, the net's own output when
running free),

    i, f = sigma(W_i u + p_i s(t-1)), sigma(W_f u + p_f s(t-1))
    s(t) = f s(t-1) + i tanh(W_g u),     o = sigma(W_o u + p_o s(t)),    y_c(t) = o tanh(s(t))
    out(t) = V [y_c(t), 1]                          (V by pseudo-inverse, never evolved)

A cell's genome is its four weight columns (input gate, forget gate, cell input, output gate over
u: 4 (C + 2) numbers) and its three peepholes: G = 4 C + 11.

Fitness of a network (two phases): (1) feed the training sequence with teacher forcing, collect
the cell outputs after the washout, solve V by pseudo-inverse; (2) with V fixed, run the net again
and score its error. Sines: free-running generation after the washout over the rest of the
training sequence. Mackey-Glass: 84-step free runs from points of the training sequence.
Score used by ESP: -log10(NMSE); a cell's fitness is the best score of the networks it joined.

Tasks:
  sines: sum of k sines sin(w_j t), w = 0.2, 0.311, 0.42, 0.51, 0.74 (first k), t = 0, 1, ...;
         train on steps 0-399 (washout 100), test on free-running steps 400-699 (NMSE).
  mg:    Mackey-Glass, tau = 17, one step per time unit, squashed tanh(x - 1); the NRMSE at 84
         free-running steps over 100 test starts (NRMSE84, Jaeger & Haas 2004's measure).

Lyapunov fingerprint of the best predictor of each task: the closed loop (output fed back as
input; state [s, y_c], 2C dims, Jacobians by complex step) and the open loop driven by the true
series (the core's step_jacobian).

    python3 evolino_sines_mackey_glass.py --seed 0       # headline
    python3 evolino_sines_mackey_glass.py --quick        # smoke test, seconds
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401  (pins BLAS to one thread before numpy loads)

import numpy as np

from shared import cli
from shared.esp import esp
from shared.lstm_gers import lstm
from shared.lyapunov import qr_spectrum
from shared.results import finish_run, headline_row, record
from shared.rng import streams

PAPER = ("J. Schmidhuber, D. Wierstra, M. Gagliolo, F. Gomez, Training recurrent networks by "
         "Evolino, Neural Computation 19(3):757-779, 2007 (first: J. Schmidhuber, D. Wierstra, "
         "F. Gomez, Evolino: hybrid neuroevolution / optimal linear search for sequence learning, "
         "IJCAI 2005)")
FREQS = (0.2, 0.311, 0.42, 0.51, 0.74)          # recalled: the paper's sine frequencies
PAPER_MG_NRMSE84 = 1.9e-3                      # recalled (the issue and the earlier catalog quote it)
CATALOG_MG_NRMSE84 = 0.29                      # the earlier catalog's seed-1 result
SINE_BAR = 1e-2                                # pre-registered: a generated sum of sines, test NMSE
MG_T, MG_SQUASH_SHIFT = 17.0, 1.0
# alpha, burst_alpha, stagnation and init_scale were chosen by a short pilot on 2 sines (seed 1):
# alpha 0.03 / burst 0.3 never improved on the first generation, 0.003 / 0.01 reached 1e-5.
# share: a cell's fitness is the best network it joined ("max"); the mean stalled in a pilot on 2
# sines (best NMSE 0.47 and 0.46 after 300 generations, generator seeds 0 and 2; "max": 2e-4, 4e-6)
DEFAULTS = dict(sines=[2, 3, 4, 5], cells_per_sine=5, max_cells=20, mg_cells=20, subpop=20, trials=2,
                sine_gens=300, mg_gens=200, alpha=0.003, burst_alpha=0.01, stagnation=40,
                init_scale=0.3, sine_train=400, sine_washout=100, sine_test=300,
                mg_train=600, mg_washout=100, mg_fit_starts=12, mg_horizon=84, mg_test_starts=100,
                mg_test_spacing=10, lyap_steps=2000, lyap_transient=200, share="max")
QUICK = dict(sines=[2], cells_per_sine=2, max_cells=4, mg_cells=4, subpop=8, trials=1, sine_gens=3,
             mg_gens=3, sine_train=120, sine_washout=30, sine_test=60, mg_train=200, mg_washout=30,
             mg_fit_starts=4, mg_horizon=20, mg_test_starts=10, lyap_steps=60, lyap_transient=10)


# ---------------------------------------------------------------- data

def sines(k, T):
    """The sum of the first k sines at t = 0..T-1, divided by k so it stays in [-1, 1]: (T,)."""
    t = np.arange(T, dtype=np.float64)
    return np.sin(np.outer(t, FREQS[:k])).sum(axis=1) / k


def mackey_glass(T, tau=MG_T, dt=0.1, transient=1000, x0=1.2):
    """Mackey-Glass dx/dt = 0.2 x(t - tau) / (1 + x(t - tau)^10) - 0.1 x(t), RK4 with step dt (the
    delayed term at half steps by linear interpolation), constant history x0, sampled once per time
    unit after `transient` time units, squashed as tanh(x - 1): (T,)."""
    lag, per = int(round(tau / dt)), int(round(1 / dt))
    n = (transient + T) * per
    x = np.full(lag + n + 1, x0)

    def f(xt, xd):
        return 0.2 * xd / (1.0 + xd ** 10) - 0.1 * xt
    for i in range(lag, lag + n):
        d0, d1 = x[i - lag], x[i - lag + 1]
        dh = 0.5 * (d0 + d1)
        k1 = f(x[i], d0)
        k2 = f(x[i] + 0.5 * dt * k1, dh)
        k3 = f(x[i] + 0.5 * dt * k2, dh)
        k4 = f(x[i] + dt * k3, d1)
        x[i + 1] = x[i] + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
    samples = x[lag + transient * per::per][:T]
    return np.tanh(samples - MG_SQUASH_SHIFT)


# ---------------------------------------------------------------- model

def make_cell(C):
    """The core's peephole cell for C memory cells on one input; the stub owns the readout."""
    return lstm.Cell(1, C, forget=True, peephole=True, squash=lstm.TANH, cell_bias=True,
                     out="linear", out_x=False)


def genome_size(C):
    return 4 * (C + 2) + 3


def params(genomes):
    """Genomes (S, C, G) of S networks -> the core's weights {W (S, D, 4C), P (S, 3, C)}.

    A cell's genome: [input gate, forget gate, cell input, output gate] weights over
    u = [x, y_c(t-1) (C), 1] (4 x D numbers, D = C + 2), then its peepholes [p_i, p_f, p_o]."""
    S, C, _ = genomes.shape
    D = C + 2
    W = genomes[..., :4 * D].reshape(S, C, 4, D).transpose(0, 3, 2, 1).reshape(S, D, 4 * C)
    return {"W": W, "P": genomes[..., 4 * D:].transpose(0, 2, 1)}


def step(cell, p, x, s, y):
    """One step of S nets on N sequences: x (S, N), s, y (S, N, C) -> s(t), y_c(t), act."""
    u = np.concatenate([x[..., None], y, np.ones(x.shape + (1,), dtype=y.dtype)], axis=-1)
    act, s, y = lstm.step(cell, p, u, s)
    return s, y, act


def teacher_forced(cell, p, series, N=1):
    """Drive S nets with the true series: input at step t is series[t-1] (0 at t = 0).
    Returns the cell outputs Y (T, S, C) and states Sx (T, S, C) after each step (sequence axis
    N = 1 dropped)."""
    S, C = p["W"].shape[0], cell.nc
    s, y = np.zeros((S, 1, C)), np.zeros((S, 1, C))
    xs = np.concatenate([[0.0], series[:-1]])
    Y, Sx = np.empty((len(series), S, C)), np.empty((len(series), S, C))
    for t, xv in enumerate(xs):
        s, y, _ = step(cell, p, np.full((S, 1), xv), s, y)
        Y[t], Sx[t] = y[:, 0], s[:, 0]
    return Y, Sx


def features(Y):
    """Readout inputs [y_c, 1]: (..., C) -> (..., C + 1)."""
    return np.concatenate([Y, np.ones(Y.shape[:-1] + (1,))], axis=-1)


def readouts(Y, target):
    """All networks' least-squares readouts at once: Y (T, S, C), target (T,) -> V (S, C + 1).

    V = pinv(Phi) d per network, computed as pinv(Phi^T Phi) Phi^T d (the same matrix identity;
    one batched eigendecomposition of (C + 1) x (C + 1) matrices instead of S SVDs of T x (C + 1):
    it truncates directions with singular values below ~3e-8 of the largest, pinv(Phi) below 1e-15)."""
    Phi = features(Y).transpose(1, 0, 2)                         # (S, T, C + 1)
    A = np.matmul(Phi.transpose(0, 2, 1), Phi)                   # (S, C + 1, C + 1)
    b = np.einsum("stk,t->sk", Phi, target)
    return np.einsum("skj,sj->sk", np.linalg.pinv(A, hermitian=True), b)


def free_run(cell, p, V, s, y, x0, steps):
    """Closed loop from states s, y (S, N, C) whose last output was x0 (S, N): the net's output is
    its next input. Returns the outputs (steps, S, N)."""
    out = np.empty((steps,) + x0.shape)
    x = x0
    for t in range(steps):
        s, y, _ = step(cell, p, x, s, y)
        x = np.einsum("snk,sk->sn", features(y), V)
        out[t] = x
    return np.clip(out, -10.0, 10.0) if not np.all(np.isfinite(out)) else out


# ---------------------------------------------------------------- fitness

def nmse(err2, var):
    return np.maximum(err2, 1e-30) / var


def fitness_sines(cell, p, series, washout):
    """Phase 1: teacher forcing, V by pseudo-inverse over steps washout..T-1. Phase 2: free run
    from the washout on. Returns the free-run NMSE (S,), V (S, C + 1)."""
    Y, Sx = teacher_forced(cell, p, series)
    V = readouts(Y[washout:], series[washout:])
    s0, y0 = Sx[washout - 1][:, None], Y[washout - 1][:, None]
    x0 = (features(Y[washout - 1]) * V).sum(-1)[:, None]           # the net's estimate of step washout - 1
    out = free_run(cell, p, V, s0, y0, x0, len(series) - washout)[:, :, 0]
    err = np.nan_to_num((out - series[washout:, None]) ** 2, nan=1e6, posinf=1e6).mean(axis=0)
    return nmse(err, series[washout:].var()), V


def fitness_mg(cell, p, series, washout, starts, horizon):
    """Phase 1 as for the sines (one-step teacher-forced regression). Phase 2: free runs of
    `horizon` steps from the given start indices (states from the teacher-forced pass): NMSE over
    all their steps (S,), V."""
    Y, Sx = teacher_forced(cell, p, series)
    V = readouts(Y[washout:], series[washout:])
    s0, y0 = Sx[starts - 1].transpose(1, 0, 2), Y[starts - 1].transpose(1, 0, 2)   # (S, N, C)
    x0 = np.einsum("snk,sk->sn", features(y0), V)
    out = free_run(cell, p, V, s0, y0, x0, horizon)                # (H, S, N)
    tgt = series[starts[None, :] + np.arange(horizon)[:, None]]    # (H, N)
    err = np.nan_to_num((out - tgt[:, None]) ** 2, nan=1e6, posinf=1e6).mean(axis=(0, 2))
    return nmse(err, series.var()), V


# ---------------------------------------------------------------- evolution

def evolve(fit, C, cfg, gens, rng, label, log=print):
    """ESP over C memory-cell subpopulations with Evolino's reproduction, one run.

    fit: genomes' weights p -> (NMSE (S,), V (S, C + 1)). Returns the best network seen (genomes
    (C, G), V, NMSE), the curve of the best NMSE after each generation (gens,) and the burst count."""
    n, G, K = cfg["subpop"], genome_size(C), cfg["subpop"] * cfg["trials"]
    pops = esp.init_pops([rng], C, n, G, cfg["init_scale"])       # (1, C, n, G)
    best_err, best_g, best_V, stale, bursts = np.inf, None, None, 0, 0
    curve = np.empty(gens)
    for g in range(gens):
        idx = esp.trial_index([rng], C, n, cfg["trials"])         # (1, C, K)
        genomes = esp.gather(pops, idx)[0]                         # (K, C, G)
        err, V = fit(params(genomes))
        cli.check_finite(g, genomes=genomes)
        score = -np.log10(err)                                     # what the cells share
        nfit = esp.neuron_fitness(idx, score[None], n, cfg["share"])[0]   # (C, n)
        k = int(np.argmin(err))
        if err[k] < best_err:
            best_err, best_g, best_V, stale = float(err[k]), genomes[k].copy(), V[k].copy(), 0
        else:
            stale += 1
        curve[g] = best_err
        pops[0] = np.stack([esp.duplicate_mutate(pops[0, c], nfit[c], rng, cfg["alpha"]) for c in range(C)])
        if stale >= cfg["stagnation"]:
            pops[0] = np.stack([esp.burst(best_g[c], n, rng, cfg["burst_alpha"]) for c in range(C)])
            stale, bursts = 0, bursts + 1
        if (g + 1) % max(1, gens // 6) == 0 or g == gens - 1:
            log(f"  {label}: generation {g + 1:4d}  evaluations {(g + 1) * K:6,d}  best NMSE {best_err:.3e}  "
                f"bursts {bursts}")
    return dict(genomes=best_g, V=best_V, err=best_err, curve=curve, bursts=bursts, evals_per_gen=K)


# ---------------------------------------------------------------- evaluation

def one(genomes):
    """Weights of one network (C, G) as a batch of one."""
    return params(genomes[None])


def test_sines(cell, best, series, train, washout):
    """The best net on the sines: teacher forcing over the training steps, then free running over
    the test steps. Returns the free-run output (T_test,) and its NMSE, the one-step training NMSE."""
    p, V = one(best["genomes"]), best["V"][None]
    Y, Sx = teacher_forced(cell, p, series[:train])
    one_step = (features(Y[washout:, 0]) @ V[0] - series[washout:train])
    x0 = (features(Y[-1]) * V).sum(-1)[:, None]
    out = free_run(cell, p, V, Sx[-1][:, None], Y[-1][:, None], x0, len(series) - train)[:, 0, 0]
    test = series[train:]
    test_nmse = float(((out - test) ** 2).mean() / test.var())
    return out, test_nmse, float((one_step ** 2).mean() / series[washout:train].var())


def test_mg(cell, best, series, cfg):
    """NRMSE84: the best net driven by the true series through the test region; from each of
    mg_test_starts points (mg_test_spacing apart, after a washout past the training sequence) it
    runs free for mg_horizon steps; NRMSE = sqrt(mean over starts of the squared error at the last
    step / variance of the series). Returns NRMSE84, the free runs (H, N), their starts."""
    p, V = one(best["genomes"]), best["V"][None]
    Y, Sx = teacher_forced(cell, p, series)
    starts = cfg["mg_train"] + cfg["mg_washout"] + cfg["mg_test_spacing"] * np.arange(cfg["mg_test_starts"])
    s0, y0 = Sx[starts - 1].transpose(1, 0, 2), Y[starts - 1].transpose(1, 0, 2)
    x0 = np.einsum("snk,sk->sn", features(y0), V)
    out = free_run(cell, p, V, s0, y0, x0, cfg["mg_horizon"])[:, 0]             # (H, N)
    tgt = series[starts[None, :] + np.arange(cfg["mg_horizon"])[:, None]]
    err_last = out[-1] - tgt[-1]
    nrmse_t = np.sqrt(((out - tgt) ** 2).mean(axis=1) / series.var())          # (H,) per horizon step
    return float(np.sqrt((err_last ** 2).mean() / series.var())), out, tgt, starts, nrmse_t


def mg_length(cfg):
    return (cfg["mg_train"] + cfg["mg_washout"] + cfg["mg_test_spacing"] * cfg["mg_test_starts"]
            + cfg["mg_horizon"])


# ---------------------------------------------------------------- Lyapunov fingerprint

def closed_map(cell, p, V, z):
    """The free-running net as a map of its state z = [s, y_c] (S, N, 2C): the output
    V [y_c, 1] is the next input."""
    C = cell.nc
    s, y = z[..., :C], z[..., C:]
    x = np.einsum("snk,sk->sn", features(y), V)
    s, y, _ = step(cell, p, x, s, y)
    return np.concatenate([s, y], axis=-1)


def closed_jacobian(cell, p, V, z, eps=1e-30):
    """d z(t+1) / d z(t) of the closed loop by complex step (exact to rounding): z (2C,) -> (2C, 2C)."""
    n = z.shape[-1]
    zc = np.repeat(z[None, None, :], n, axis=1).astype(complex)      # (1, n, n): one probe per column
    zc[0, np.arange(n), np.arange(n)] += 1j * eps
    return (closed_map(cell, p, V.astype(complex), zc)[0].imag / eps).T


def open_jacobians(cell, p, series):
    """J(t) = d[s, y_c](t) / d[s, y_c](t-1) along the net driven by the true series (the core's
    step_jacobian): (T, 2C, 2C)."""
    C = cell.nc
    s, y = np.zeros((1, 1, C)), np.zeros((1, 1, C))
    xs = np.concatenate([[0.0], series[:-1]])
    Js = []
    for xv in xs:
        s_new, y, act = step(cell, p, np.full((1, 1), xv), s, y)
        Js.append(lstm.step_jacobian(cell, p, act, s, s_new)[0, 0])
        s = s_new
    return np.array(Js)


def lyapunov_of(cell, best, series_drive, T, n_tr):
    """Closed-loop spectrum along the free run started from the teacher-forced state at the end of
    series_drive, and the open-loop spectrum along series_drive itself (both per step)."""
    p, V = one(best["genomes"]), best["V"][None]
    Y, Sx = teacher_forced(cell, p, series_drive)
    z = np.concatenate([Sx[-1, 0], Y[-1, 0]])[None, None]
    Jc, orbit = [], []
    for _ in range(T):
        Jc.append(closed_jacobian(cell, p, V, z[0, 0]))
        z = closed_map(cell, p, V, z)
        orbit.append(float((features(z[0, 0, cell.nc:]) * V[0]).sum()))
    lam_c = qr_spectrum(np.array(Jc), n_transient=n_tr)
    lam_o = qr_spectrum(open_jacobians(cell, p, series_drive), n_transient=min(n_tr, len(series_drive) // 4))
    return lam_c, lam_o, np.array(orbit)


# ---------------------------------------------------------------- verdicts

def headline_rows(res, cfg):
    """Rows fixed before the headline run. Every paper setting and figure here is recalled (the
    paper's text could not be read), so no row goes above partial, and a miss is open (the paper's
    generation budget is not known, so a cap is never a no).

    Sines, one row per k: partial when the free-running test NMSE (300 steps after the training
    sequence) is below SINE_BAR = 1e-2; else open.
    Mackey-Glass: partial when NRMSE84 <= 2 x 1.9e-3 (within a factor of two of the recalled
    figure); else open, with the NRMSE reached and the evaluations run."""
    rows = []
    for r in res["sines"]:
        ok = r["test_nmse"] < SINE_BAR
        rows.append(headline_row(
            f"{r['k']} sines, {r['cells']} cells: free-running test NMSE (steps "
            f"{cfg['sine_train']}-{cfg['sine_train'] + cfg['sine_test'] - 1})", f"{r['test_nmse']:.2e}",
            f"generated (recalled; bar NMSE < {SINE_BAR:g})", "partial" if ok else "open",
            f"{r['evals']:,} evaluations ({cfg['sine_gens']} generations x "
            f"{r['evals'] // cfg['sine_gens']}); "
            f"training free-run NMSE {r['train_nmse']:.2e}; settings recalled, so capped at partial"
            + ("" if ok else "; open: the paper's generation budget is not known (recalled settings), "
               "a cap is never a no"),
            numbers=[{"value": r["test_nmse"]}]))
    mg = res["mg"]
    ok = mg["nrmse84"] <= 2 * PAPER_MG_NRMSE84
    rows.append(headline_row(
        f"Mackey-Glass tau = 17, {mg['cells']} cells: NRMSE84 over {cfg['mg_test_starts']} test starts",
        f"{mg['nrmse84']:.2e}", f"{PAPER_MG_NRMSE84:.1e} (recalled)", "partial" if ok else "open",
        f"{mg['evals']:,} evaluations ({cfg['mg_gens']} generations); earlier catalog {CATALOG_MG_NRMSE84}; "
        + ("within a factor of two of the recalled figure; capped at partial (recalled)" if ok else
           f"open: {mg['nrmse84'] / PAPER_MG_NRMSE84:.0f}x the recalled figure at this budget; the paper's "
           "generations and sizes are recalled, not read, so the budget that would be needed is unknown"),
        numbers=[{"value": mg["nrmse84"]}]))
    return rows


# ---------------------------------------------------------------- main

def crossing(curve, K, level):
    """Evaluations until the best NMSE first fell below level (None if it never did)."""
    hit = np.flatnonzero(curve < level)
    return int((hit[0] + 1) * K) if hit.size else None


def run_sines(cfg, rng, arrays, lyap, fingerprint=True):
    out = []
    for k in cfg["sines"]:
        C = min(cfg["max_cells"], cfg["cells_per_sine"] * k)
        cell = make_cell(C)
        series = sines(k, cfg["sine_train"] + cfg["sine_test"])
        train = series[:cfg["sine_train"]]
        best = evolve(lambda p, cell=cell, train=train: fitness_sines(cell, p, train, cfg["sine_washout"]),
                      C, cfg, cfg["sine_gens"], rng, f"{k} sines, {C} cells")
        gen, test_nmse, one_step = test_sines(cell, best, series, cfg["sine_train"], cfg["sine_washout"])
        K = best["evals_per_gen"]
        row = dict(k=k, cells=C, test_nmse=test_nmse, train_nmse=best["err"], one_step_nmse=one_step,
                   evals=cfg["sine_gens"] * K, bursts=best["bursts"],
                   evals_below_1e2=crossing(best["curve"], K, 1e-2),
                   evals_below_1e3=crossing(best["curve"], K, 1e-3))
        if not fingerprint:
            print(f"  {k} sines ({cfg['share']} sharing): test NMSE {test_nmse:.3e}")
            out.append(row)
            continue
        lam_c, lam_o, orbit = lyapunov_of(cell, best, train, cfg["lyap_steps"], cfg["lyap_transient"])
        print(f"  {k} sines: test NMSE {test_nmse:.3e}; closed-loop top exponents {np.round(lam_c[:4], 4)}; "
              f"open-loop top {lam_o[0]:.4f}")
        out.append(dict(row, closed_loop=lam_c[:6].tolist(), open_loop=lam_o[:6].tolist(),
                        near_zero=int((np.abs(lam_c) < 2e-3).sum())))
        lyap[f"sines {k}: closed loop"] = lam_c[:6].tolist()
        lyap[f"sines {k}: open loop"] = lam_o[:6].tolist()
        arrays.update({f"sines{k}_curve": best["curve"], f"sines{k}_series": series, f"sines{k}_gen": gen,
                       f"sines{k}_lyap_closed": lam_c, f"sines{k}_lyap_open": lam_o,
                       f"sines{k}_orbit": orbit})
    return out


def run_mg(cfg, rng, arrays, lyap):
    C = cfg["mg_cells"]
    cell = make_cell(C)
    series = mackey_glass(mg_length(cfg))
    train = series[:cfg["mg_train"]]
    starts = np.linspace(cfg["mg_washout"] + 1, cfg["mg_train"] - cfg["mg_horizon"],
                         cfg["mg_fit_starts"]).astype(int)
    best = evolve(lambda p: fitness_mg(cell, p, train, cfg["mg_washout"], starts, cfg["mg_horizon"]),
                  C, cfg, cfg["mg_gens"], rng, f"Mackey-Glass, {C} cells")
    nrmse84, runs, tgt, test_starts, nrmse_t = test_mg(cell, best, series, cfg)
    lam_c, lam_o, orbit = lyapunov_of(cell, best, train, cfg["lyap_steps"], cfg["lyap_transient"])
    print(f"  Mackey-Glass: NRMSE84 {nrmse84:.3e}; closed-loop top exponents {np.round(lam_c[:4], 4)}; "
          f"open-loop top {lam_o[0]:.4f}")
    lyap["Mackey-Glass: closed loop"] = lam_c[:6].tolist()
    lyap["Mackey-Glass: open loop"] = lam_o[:6].tolist()
    arrays.update(mg_curve=best["curve"], mg_series=series, mg_runs=runs, mg_targets=tgt,
                  mg_starts=test_starts, mg_nrmse_t=nrmse_t, mg_lyap_closed=lam_c, mg_lyap_open=lam_o,
                  mg_orbit=orbit)
    by_step = nrmse_t[[0, 9, 19, 41, -1]] if len(nrmse_t) >= 42 else nrmse_t
    K = best["evals_per_gen"]
    return dict(cells=C, nrmse84=nrmse84, train_nmse=best["err"],
                evals=cfg["mg_gens"] * K, bursts=best["bursts"],
                evals_below_1e2=crossing(best["curve"], K, 1e-2),
                evals_below_1e3=crossing(best["curve"], K, 1e-3),
                nrmse_by_step=by_step.tolist(), closed_loop=lam_c[:6].tolist(), open_loop=lam_o[:6].tolist())


def resolve(args):
    cli.quick(args, **QUICK)
    cfg = {k: getattr(args, k) for k in DEFAULTS}
    if cfg["sine_washout"] >= cfg["sine_train"] - 10:
        raise cli.StubError("--sine-washout must leave at least 10 training steps")
    if cfg["mg_washout"] + cfg["mg_horizon"] + 2 > cfg["mg_train"]:
        raise cli.StubError("--mg-train must exceed --mg-washout + --mg-horizon")
    if cfg["lyap_transient"] >= cfg["lyap_steps"]:
        raise cli.StubError("--lyap-transient must be below --lyap-steps")
    return cfg


def main(args):
    timer = cli.Timer()
    cfg = resolve(args)
    rs = streams(args.seed, ["sines", "mg"])
    print(f"Evolino: ESP over LSTM memory cells (peepholes, forget gates), pseudo-inverse readout; "
          f"subpopulations of {cfg['subpop']}, {cfg['subpop'] * cfg['trials']} networks per generation; "
          f"sines k = {cfg['sines']} ({cfg['sine_gens']} generations each), Mackey-Glass "
          f"({cfg['mg_gens']} generations)")
    arrays, lyap = {}, {}
    t0 = timer()
    res = {"sines": run_sines(cfg, rs["sines"], arrays, lyap)}
    # the other way of sharing fitness on the first sines task, from the same initial population
    # (a fresh copy of the same stream): its cost at equal budget
    other = {**cfg, "share": "mean" if cfg["share"] == "max" else "max", "sines": cfg["sines"][:1]}
    res["other_share"] = dict(share=other["share"], **run_sines(other, streams(args.seed, ["sines"])["sines"],
                                                                 {}, {}, fingerprint=False)[0])
    t1 = timer()
    res["mg"] = run_mg(cfg, rs["mg"], arrays, lyap)
    metrics = dict(sines=res["sines"], mackey_glass=res["mg"], other_share=res["other_share"],
                   paper_mg_nrmse84=PAPER_MG_NRMSE84,
                   catalog_mg_nrmse84=CATALOG_MG_NRMSE84, timing=dict(sines_s=t1 - t0, mg_s=timer() - t1))
    lyap_rec = {"method": f"shared.lyapunov.qr_spectrum, per step, top 6; closed loop: the best net of each "
                          f"task running free (its output V[y_c, 1] fed back), state [s, y_c] (2C dims), "
                          f"from the teacher-forced state at the end of the training sequence, "
                          f"Jacobians by complex step, {cfg['lyap_steps']} steps, {cfg['lyap_transient']} "
                          f"alignment steps; open loop: the same net driven by the true training sequence, "
                          f"Jacobians from shared.lstm_gers step_jacobian, one sequence",
                "exponents": lyap}
    rec = record(args, __file__, title="Evolino: ESP-evolved LSTM with pseudo-inverse readout on sines "
                 "and Mackey-Glass", paper=PAPER, config=cfg, metrics=metrics,
                 headline=headline_rows(res, cfg), lyapunov=lyap_rec)
    finish_run(args.out, rec, arrays, timer)


def sine_list(text):
    """argparse type: a comma list of sine counts, each 1-5, returned sorted without repeats."""
    bad = cli.argparse.ArgumentTypeError(f"expected a comma list of sine counts 1-5, got {text!r}")
    try:
        ks = sorted({int(t) for t in text.split(",") if t.strip()})
    except ValueError:
        raise bad from None
    if not ks or ks[0] < 1 or ks[-1] > 5:
        raise bad
    return ks


def build_parser():
    p = cli.make_parser(__doc__, __file__)
    p.add_argument("--sines", type=sine_list, default=DEFAULTS["sines"],
                   help="numbers of superimposed sines to learn, comma list of 1-5")
    ints = dict(cells_per_sine=(1, 20, "memory cells per sine"),
                max_cells=(1, 60, "cap on the cells of a sines net"),
                mg_cells=(1, 60, "memory cells of the Mackey-Glass net"),
                subpop=(4, 400, "cells per subpopulation"),
                trials=(1, 50, "networks each cell joins per generation"),
                sine_gens=(1, 20_000, "generations per sines run"),
                mg_gens=(1, 20_000, "generations of the Mackey-Glass run"),
                stagnation=(1, 10_000, "generations without a better network before burst mutation"),
                sine_train=(20, 5000, "training steps of the sines"),
                sine_washout=(1, 4000, "washout steps (sines)"),
                sine_test=(10, 5000, "free-running test steps (sines)"),
                mg_train=(50, 10_000, "training steps (Mackey-Glass)"),
                mg_washout=(1, 5000, "washout steps (Mackey-Glass)"),
                mg_fit_starts=(1, 200, "free runs scored in the Mackey-Glass fitness"),
                mg_horizon=(1, 1000, "free-running steps (84 for NRMSE84)"),
                mg_test_starts=(1, 1000, "test starts of NRMSE84"),
                mg_test_spacing=(1, 1000, "steps between test starts"),
                lyap_steps=(10, 100_000, "steps of the Lyapunov runs"),
                lyap_transient=(0, 10_000, "alignment steps"))
    cli.int_flags(p, ints, DEFAULTS)
    p.add_argument("--share", choices=["max", "mean"], default=DEFAULTS["share"],
                   help="a cell's fitness: the best (max) or the mean score of the networks it joined")
    p.add_argument("--alpha", type=cli.float_range(0.0, 10.0), default=DEFAULTS["alpha"],
                   help="scale of the Cauchy mutation")
    p.add_argument("--burst-alpha", type=cli.float_range(0.0, 10.0), default=DEFAULTS["burst_alpha"],
                   help="scale of the Cauchy noise of burst mutation")
    p.add_argument("--init-scale", type=cli.float_range(0.0, 10.0), default=DEFAULTS["init_scale"],
                   help="initial weights uniform in [-init-scale, init-scale]")
    return p


if __name__ == "__main__":
    cli.run(main, build_parser())
