"""Fast weights for temporary variable binding: where did I park? (Schmidhuber 1992, section 3.2).

J. Schmidhuber, "Learning to control fast-weight memories: an alternative to dynamic recurrent
networks", Neural Computation 4(1):131-139, 1992 (FKI-147-91).

A car owner drives for a while (he stops with probability 0.25 at each step), parks in one of
three slots, does business for a while (done with probability 0.25 at each step), then drives
off again. F has a single input, WHERE-IS-MY-CAR?, and three identity outputs P1..P3, joined by
three fast weights; whenever the question is asked while the car is parked, F must answer with
the slot (one-hot). S sees six binary inputs: three slot detectors, on for the one step at which
the car is parked in their slot, and three distractor bits, random at every step. S has no hidden
units and writes F's fast weights, either one output per fast weight (eq. 4, "direct"; the
paper's text gives S three outputs) or one FROM unit for F's input and three TO units for its
outputs whose products are the changes (eq. 5, "fromto"). On-line, nothing is ever reset:

    y_b(t)  = w_b(t-1) q(t)                         q(t) = 1 when the question is asked
    w_b(t)  = sigma(T (w_b(t-1) + dw_b(t) - 0.5))   dw_b = s_b (eq. 4) or s_FROM s_TO,b (eq. 5)
    s(t)    = W_S x_S(t)                            x_S = (3 slot detectors, 3 distractor bits)

W_S learns on-line by the exact gradient carried forward in time (family core
``shared/fast_weights``), initialised in [-0.1, 0.1]. The section's learning rate, steepness,
criterion and results are not readable in any copy found, so T = 10 is carried over from the
paper's section 3.1 and eta = 0.05 was fixed from a prototype; --runs runs of each rule train at
that setting and the same runs again at other learning rates and steepnesses, with a one-step
truncated gradient and with the question asked at every step, all in one batch. Criterion: the
squared error E(t) <= 0.05 on 100 queried steps in a row while parked. An S frozen at the
criterion, and at the budget's end, is then tested on a fresh stream asked at every parked
step, and the Lyapunov exponents of the fast-weight map are taken along it.

    python3 fast_weights_key_value.py --seed 0     # headline
    python3 fast_weights_key_value.py --quick      # smoke test, seconds
"""
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401  (pins BLAS to one thread before numpy loads)

import numpy as np

from shared import cli
from shared.fast_weights import PAPER, core, online
from shared.fast_weights.online import steps_summary
from shared.lyapunov import qr_spectrum
from shared.results import at_unknown_budget, finish_run, headline_row, record
from shared.rng import streams

DRIVE, PARK, BUSY = 0, 1, 2               # the car's phase at a step
N_SLOTS, N_DISTRACT = 3, 3                # F's outputs; S's inputs are the detectors, then the bits
P_STOP, P_DONE, P_BIT = 0.25, 0.25, 0.5   # stop driving, finish business, a distractor bit is on
RULES = {"direct": "direct rule (eq. 4)", "fromto": "FROM/TO rule (eq. 5)"}
HEAD = dict(eta=0.05, T=10.0, carry=1.0, p_query=0.5)
SEC31_ETA = {"direct": 1.0, "fromto": 0.5}      # the learning rates section 3.1 reports
ETAS = (0.02, 0.05, 0.1, 0.25, 0.5, 1.0)        # at T = 10
TEMPS = (4.0, 6.0, 8.0, 10.0, 20.0)             # at eta = 0.05
DEFAULTS = dict(runs=50, max_steps=100_000, window=100, tol=0.05, test_steps=10_000,
                lyap_steps=2_000, lyap_transient=100)
QUICK = dict(runs=4, max_steps=3_000, test_steps=600, lyap_steps=200, lyap_transient=20)
N_PROBES, PROBE_STEPS = 10, 2_000         # frozen copies of S tested along training
E_BLOCK, FILM_WIN, FILM_FRAMES = 1_000, 60, 24


# ---------------------------------------------------------------- data

def phases(u_done, u_stop):
    """The car's phase at steps 0..N (N + 1, R) from two uniform draws per step: a step after PARK
    or BUSY stays BUSY while u_done >= P_DONE; otherwise (and after DRIVE) the car parks when
    u_stop < P_STOP, else it drives. So business and driving each last zero or more steps;
    step 0 (which only initialises the fast weights) has the car on the road."""
    ph = np.empty(u_done.shape, np.int8)
    prev = ph[0] = np.full(u_done.shape[1], DRIVE)
    for t in range(1, u_done.shape[0]):
        park_or_drive = np.where(u_stop[t] < P_STOP, PARK, DRIVE)
        busy = (prev != DRIVE) & (u_done[t] >= P_DONE)
        prev = ph[t] = np.where(busy, BUSY, park_or_drive)
    return ph


def parking_stream(rng, n_steps, runs):
    """One stream per run for steps 0..N: phase (N + 1, R), the slot the car is in or was last
    parked in (N + 1, R; 0 before the first parking, when no target is asked), the distractor
    bits (N + 1, R, 3) and a uniform draw per step (N + 1, R) that decides whether the question
    is asked (u < p_query), so that variants with different p_query share everything else."""
    shape = (n_steps + 1, runs)
    ph = phases(rng.random(shape), rng.random(shape))
    pick = rng.integers(0, N_SLOTS, shape)
    slot = np.where(ph == PARK, pick, -1)
    for t in range(1, shape[0]):                      # the slot stays until the next parking
        slot[t] = np.where(slot[t] < 0, slot[t - 1], slot[t])
    slot = np.maximum(slot, 0).astype(np.int8)
    bits = rng.random(shape + (N_DISTRACT,)) < P_BIT
    return dict(phase=ph, slot=slot, bits=bits, u_query=rng.random(shape))


def slow_input(phase, slot, bits):
    """S's input x_S (..., 6): the detector of the slot at a PARK step, then the distractor bits."""
    det = np.eye(N_SLOTS)[slot] * (phase == PARK)[..., None]
    return np.concatenate([det, bits.astype(float)], axis=-1)


def targets(phase, slot):
    """F's target (..., 3), the current slot one-hot, and whether it counts (...,): while parked,
    after the PARK step (F reads the weights of the step before, so at the PARK step itself the
    new slot cannot be known yet)."""
    return np.eye(N_SLOTS)[slot], phase == BUSY


# ---------------------------------------------------------------- variants

def variants(rule):
    """(label, eta, T, carry, p_query) per variant: the headline setting first, then the sweeps."""
    h = HEAD
    out = [("headline", h["eta"], h["T"], h["carry"], h["p_query"])]
    out += [(f"eta={e:g}", e, h["T"], h["carry"], h["p_query"]) for e in ETAS if e != h["eta"]]
    out += [(f"T={T:g}", h["eta"], T, h["carry"], h["p_query"]) for T in TEMPS if T != h["T"]]
    out += [("truncated", h["eta"], h["T"], 0.0, h["p_query"]),
            ("asked every step", h["eta"], h["T"], h["carry"], 1.0)]
    return out


def film_steps(max_steps):
    """Steps of run 0 kept for the GIF: FILM_FRAMES windows of FILM_WIN steps, log-spaced."""
    ends = np.unique(np.geomspace(FILM_WIN, max_steps, FILM_FRAMES).astype(int))
    return ends, np.unique(np.concatenate([np.arange(e - FILM_WIN + 1, e + 1) for e in ends]))


# ---------------------------------------------------------------- on-line training

def train(rule, cfg, W0, st, probe):
    """All variants x runs of one rule in one batch, on-line for max_steps steps; run r of every
    variant starts from W0[r] on stream r. Returns per run the step at which it first met the
    criterion (0: never), on queried parked steps and (literally) on all steps; W_S and w there
    and at the end; a frozen probe of S every max_steps / N_PROBES steps; per-block mean E of the
    headline variant; and run 0's film."""
    V, R = variants(rule), cfg["runs"]
    n = len(V) * R
    col = {k: np.repeat([v[i] for v in V], R) for i, k in enumerate(("eta", "T", "carry", "p_query"), 1)}
    W = np.tile(W0, (len(V), 1, 1))                                  # (n, K, 6)
    x0 = slow_input(st["phase"][0], st["slot"][0], st["bits"][0])
    w, p = core.start(W, np.tile(x0, (len(V), 1)), rule, 1, N_SLOTS)
    tol, win, N = cfg["tol"], cfg["window"], cfg["max_steps"]
    streak, streak_lit = np.zeros(n, int), np.zeros(n, int)
    crit, crit_lit = np.zeros(n, int), np.zeros(n, int)
    W_crit, w_crit = W.copy(), w.copy()
    E_sum, E_cnt = np.zeros((N // E_BLOCK, R)), np.zeros((N // E_BLOCK, R))
    every = max(N // N_PROBES, 1)
    probes = []
    ends, keep = film_steps(N)
    film = dict(ends=ends, t=keep, w=np.zeros((keep.size, N_SLOTS)), y=np.zeros((keep.size, N_SLOTS)),
                asked=np.zeros(keep.size, bool), phase=st["phase"][keep, 0], slot=st["slot"][keep, 0])
    timer = cli.Timer()
    j = 0
    for t in range(1, N + 1):
        x_S = np.tile(slow_input(st["phase"][t], st["slot"][t], st["bits"][t]), (len(V), 1))
        d1, parked1 = targets(st["phase"][t], st["slot"][t])            # (R, 3), (R,)
        d, parked = np.tile(d1, (len(V), 1)), np.tile(parked1, len(V))
        q = np.tile(st["u_query"][t], len(V)) < col["p_query"]
        m = (q & parked).astype(float)[:, None] * np.ones(N_SLOTS)
        W, w, p, y, E, _ = core.step(W, w, p, q[:, None].astype(float), x_S, d, col["T"], col["eta"],
                                     rule, m, carry=col["carry"])
        cli.check_finite(t, W_S=W)
        asked = m[:, 0] > 0
        streak = np.where(asked, np.where(E <= tol, streak + 1, 0), streak)
        streak_lit = np.where(E <= tol, streak_lit + 1, 0)
        new = (crit == 0) & (streak >= win)
        crit[new], W_crit[new], w_crit[new] = t, W[new], w[new]
        crit_lit[(crit_lit == 0) & (streak_lit >= win)] = t
        if t <= E_sum.shape[0] * E_BLOCK:
            E_sum[(t - 1) // E_BLOCK] += E[:R]
            E_cnt[(t - 1) // E_BLOCK] += asked[:R]
        if t % every == 0 and len(probes) < N_PROBES:
            probes.append(probe(W, w, col["T"]))
            print(f"    {rule:6s} step {t:9,d}  headline runs solving the probe stream "
                  f"{int(probes[-1][:R].sum()):3d}/{R}  {cli.progress(t, N, timer())}", flush=True)
        if j < keep.size and keep[j] == t:
            film["w"][j], film["y"][j], film["asked"][j] = w[0, :, 0], y[0], asked[0]
            j += 1
    shape = (len(V), R)
    return dict(crit=crit.reshape(shape), crit_lit=crit_lit.reshape(shape),
                W_crit=W_crit.reshape(shape + W.shape[1:]), w_crit=w_crit.reshape(shape + w.shape[1:]),
                W_end=W.reshape(shape + W.shape[1:]), w_end=w.reshape(shape + w.shape[1:]),
                probes=np.array(probes).reshape(-1, *shape), probe_at=every * np.arange(1, len(probes) + 1),
                E_blocks=E_sum / np.maximum(E_cnt, 1), film=film, labels=[v[0] for v in V],
                **{k: v[::R] for k, v in col.items()})


# ---------------------------------------------------------------- the frozen S on a fresh stream

def bistable_window(T):
    """Half-width c* of the shifts c for which the hold map w -> sigma(T (w + c - 0.5)) has two
    stable states (|c| < c*; none for T <= 4): the shift at which the map touches the diagonal
    with slope 1, where sigma (1 - sigma) = 1 / T."""
    T = np.asarray(T, float)
    r = np.sqrt(np.clip(1.0 - 4.0 / T, 0.0, None))
    s = (1.0 - r) / 2.0                                       # the lower tangency point
    with np.errstate(divide="ignore"):
        c = 0.5 - s + np.log(s / (1.0 - s)) / T
    return np.where(T > 4.0, c, 0.0)


def stable_state_log_slope(T, n_iter=500):
    """ln sigma' = ln(T w (1 - w)) at the stable states of w -> sigma(T (w - 0.5)) (T > 4; by
    symmetry the same at both): how fast a held weight contracts once it has settled."""
    w = 0.0
    for _ in range(n_iter):
        w = 1.0 / (1.0 + np.exp(-T * (w - 0.5)))
    return float(np.log(T * w * (1.0 - w)))


def hold_shifts(rule, W):
    """S's change dw_b (R, 8, 3) on a step without a parking, for each of the 8 distractor patterns:
    the shift c of each fast weight's hold map."""
    pats = np.array([[(i >> k) & 1 for k in range(N_DISTRACT)] for i in range(2 ** N_DISTRACT)], float)
    x = np.concatenate([np.zeros((len(pats), N_SLOTS)), pats], axis=1)       # (8, 6)
    s = np.einsum("rkm,pm->rpk", W, x)
    R, P, K = s.shape
    return core.weight_change(rule, s.reshape(R * P, K), 1, N_SLOTS)[0].reshape(R, P, N_SLOTS)


def frozen_test(rule, W, T, st, w0, cfg):
    """S frozen (W (R, K, 6), T (R,)) while the system runs on a fresh stream, the question asked at
    every step, from fast weights w0 (R, 3, 1). Returns the largest E on a parked step, whether
    the weights bind the slot (while parked, w of the car's slot > 0.5 and the others < 0.5), the
    largest hold shift against the bistable window, and the Lyapunov exponents of the fast-weight
    map over the first lyap_steps steps after lyap_transient, with each weight's mean
    log-derivative on the steps that hold it (no parking) and on those that write it (PARK)."""
    x_S = slow_input(st["phase"], st["slot"], st["bits"])
    x_F = np.ones(st["phase"].shape + (1,))
    y, w, sp = core.run_frozen(W, x_F, x_S, T, rule, N_SLOTS, w0)   # (N, R, 3), (N + 1, R, 3, 1), ...
    d, parked = targets(st["phase"][1:], st["slot"][1:])
    E = 0.5 * np.sum((d - y) ** 2, axis=-1) * parked
    bound = np.all(((w[1:, :, :, 0] > 0.5) == (d > 0.5)) | ~parked[..., None], axis=(0, 2))
    c_max = np.abs(hold_shifts(rule, W)).max(axis=(1, 2))
    L, L0 = cfg["lyap_steps"], cfg["lyap_transient"]
    # the map is diagonal (S reads no fast weight), so each fast weight is its own 1-D driven map and
    # the spectrum is the three 1-D exponents, sorted. Taking them per weight (1 x 1 Jacobians) is
    # exact; a 3 x 3 QR loses a weight whose derivative is 1e-16 times another's in one step (-inf)
    J = core.weight_jacobian(sp[:L0 + L])                          # (L0 + L, R, 3, 3), diagonal
    jd = np.diagonal(J, axis1=-2, axis2=-1)                        # (L0 + L, R, 3), P1..P3
    R = jd.shape[1]
    lam = qr_spectrum(jd.reshape(L0 + L, R * N_SLOTS, 1, 1), n_transient=L0).reshape(R, N_SLOTS)
    lam = -np.sort(-lam, axis=1)                                   # (R, 3), descending
    logd = np.log(jd[L0:])                                         # (L, R, 3)
    write = (st["phase"][L0 + 1:L0 + L + 1] == PARK)[..., None]
    hold_rate = (logd * ~write).sum(0) / np.maximum((~write).sum(0), 1)
    write_rate = (logd * write).sum(0) / np.maximum(write.sum(0), 1)
    return dict(E_max=E.max(0), real=E.max(0) <= cfg["tol"], bound=bound, c_max=c_max,
                in_window=c_max < bistable_window(T), lyap=lam, lyap_hold=hold_rate, lyap_write=write_rate)


# ---------------------------------------------------------------- summaries and verdicts

def verdict_steps(st):
    """Capped at partial: the section's own numbers and settings cannot be read. partial: at least
    half the runs meet the criterion within the budget; otherwise open (the paper's budget is
    unknown, so a failure here is untested, never a no)."""
    return "partial" if 2 * st["solved"] >= st["runs"] else at_unknown_budget("no")


def verdict_binding(n_real):
    """partial (capped) when some run's frozen S binds the slot on the whole fresh stream, else open."""
    return "partial" if n_real > 0 else at_unknown_budget("no")


def learned_changes(rule, W):
    """Median over runs of S's change to each fast weight (columns P1..P3) on each single input
    (rows: the three slot detectors, then the three distractor bits), before the squash."""
    if len(W) == 0:
        return None
    eye = np.eye(N_SLOTS + N_DISTRACT)
    s = np.einsum("rkm,im->rik", W, eye)
    R, n_in, K = s.shape
    dw = core.weight_change(rule, s.reshape(R * n_in, K), 1, N_SLOTS)[0].reshape(R, n_in, N_SLOTS)
    return np.median(dw, axis=0)


def variant_metrics(rule, tr, i, st_test, cfg):
    """Steps to the criterion, the frozen tests at the criterion and at the budget's end, the
    probes along training, and the hold shifts of one variant."""
    crit, R = tr["crit"][i], cfg["runs"]
    T = np.full(R, tr["T"][i])
    m = dict(eta=float(tr["eta"][i]), T=float(tr["T"][i]), carry=float(tr["carry"][i]),
             p_query=float(tr["p_query"][i]), steps=steps_summary(crit),
             steps_literal=steps_summary(tr["crit_lit"][i]),
             probe_real=tr["probes"][:, i].sum(axis=1).tolist())
    ok = crit > 0
    if ok.any():
        fc = frozen_test(rule, tr["W_crit"][i][ok], T[ok], take(st_test, ok), tr["w_crit"][i][ok], cfg)
        m["real_at_criterion"] = int(fc["real"].sum())
    fe = frozen_test(rule, tr["W_end"][i], T, st_test, tr["w_end"][i], cfg)
    m.update(real_at_end=int(fe["real"].sum()), bound_at_end=int((fe["bound"] & fe["real"]).sum()),
             in_window_at_end=int(fe["in_window"].sum()),
             real_in_window=int((fe["real"] & fe["in_window"]).sum()),
             lyap=np.median(fe["lyap"], axis=0), lyap_hold=np.median(fe["lyap_hold"], axis=0))
    return m, fe


def take(st, keep):
    """The streams of the runs in keep (R,) bool."""
    return {k: v[:, keep] for k, v in st.items()}


def rule_metrics(rule, tr, st_test, W0, cfg):
    out, per_run = {}, None
    for i, label in enumerate(tr["labels"]):
        out[label], fe = variant_metrics(rule, tr, i, st_test, cfg)
        if label == "headline":
            per_run = fe
            real = fe["real"]
            out[label]["dw_median_real"] = learned_changes(rule, tr["W_end"][i][real])
            out[label]["dw_median_failing"] = learned_changes(rule, tr["W_end"][i][~real])
            # the largest distractor shift of a held weight, binding against failing runs
            if real.any():
                out[label]["c_max_real_max"] = float(fe["c_max"][real].max())
            if (~real).any():
                out[label]["c_max_failing_min"] = float(fe["c_max"][~real].min())
                out[label]["c_max_failing_max"] = float(fe["c_max"][~real].max())
            for name, sel in (("real", real), ("failing", ~real)):
                if sel.any():
                    out[label][f"lyap_{name}"] = np.median(fe["lyap"][sel], axis=0)
                    out[label][f"lyap_hold_{name}"] = np.median(fe["lyap_hold"][sel], axis=0)
                    out[label][f"lyap_write_{name}"] = np.median(fe["lyap_write"][sel], axis=0)
    T0 = np.full(cfg["runs"], HEAD["T"])
    w0 = np.zeros((cfg["runs"], N_SLOTS, 1))
    out["initial_S"] = {"lyap": np.median(frozen_test(rule, W0, T0, st_test, w0, cfg)["lyap"], axis=0)}
    return out, per_run


def headline_rows(M, cfg):
    rows = []
    for rule, name in RULES.items():
        m, sec31 = M[rule]["headline"], M[rule][f"eta={SEC31_ETA[rule]:g}"]
        st, sl = m["steps"], m["steps_literal"]
        value = (f"median {st['median']:,.0f} steps (IQR {st['q1']:,.0f}-{st['q3']:,.0f}), "
                 f"{st['solved']}/{st['runs']} runs" if st["solved"] else f"0/{st['runs']} runs")
        note = (f"T = 10 (section 3.1's), eta = {m['eta']:g} (assumed); budget {cfg['max_steps']:,} steps; "
                f"at section 3.1's eta = {SEC31_ETA[rule]:g}: {sec31['steps']['solved']}/{st['runs']} runs; "
                f"criterion counted over all steps instead: "
                + (f"median {sl['median']:,.0f}, {sl['solved']}/{sl['runs']} runs" if sl["solved"]
                   else f"0/{sl['runs']} runs"))
        rows.append(headline_row(f"{name}: steps until E <= 0.05 on 100 queried parked steps in a row",
                                 value, "not readable (the result paragraph is cut off)",
                                 verdict_steps(st), note, numbers=[{"value": st.get("median", 0)}]))
    short = {"direct": "direct", "fromto": "FROM/TO"}
    h = {r: M[r]["headline"] for r in RULES}
    at_crit = ", ".join(f"{short[r]} {h[r].get('real_at_criterion', 0)}/{h[r]['steps']['solved']}"
                        for r in RULES)
    rows.append(headline_row(
        "runs whose S, frozen at the budget's end, binds the slot on a fresh stream",
        ", ".join(f"{short[r]} {h[r]['real_at_end']}/{cfg['runs']}" for r in RULES),
        "learned on-line; how often is not readable",
        verdict_binding(max(h[r]["real_at_end"] for r in RULES)),
        f"E <= 0.05 at every parked step of {cfg['test_steps']:,} fresh steps, the question asked at "
        f"every step; S frozen at the step its run met the criterion instead: {at_crit}",
        numbers=[{"value": h[r]["real_at_end"]} for r in RULES]))
    return rows


# ---------------------------------------------------------------- main

def resolve(args):
    cli.quick(args, **QUICK)
    cfg = {k: getattr(args, k) for k in DEFAULTS}
    if cfg["lyap_steps"] + cfg["lyap_transient"] > cfg["test_steps"]:
        raise cli.StubError(f"--lyap-steps + --lyap-transient ({cfg['lyap_steps'] + cfg['lyap_transient']}) "
                            f"exceed --test-steps ({cfg['test_steps']})")
    return cfg


def main(args):
    timer = cli.Timer()
    cfg = resolve(args)
    rs = streams(args.seed, ["init", "train", "test", "probe"])
    W0 = {rule: core.init_slow(rs["init"], cfg["runs"], core.n_slow_outputs(rule, 1, N_SLOTS),
                               N_SLOTS + N_DISTRACT) for rule in RULES}
    st = parking_stream(rs["train"], cfg["max_steps"], cfg["runs"])
    st_test = parking_stream(rs["test"], cfg["test_steps"], cfg["runs"])
    n_var = len(variants("direct"))
    # the probes test every net of the batch (variant-major) on run r's probe stream
    st_probe = {k: np.tile(v, (1, n_var) + (1,) * (v.ndim - 2))
                for k, v in parking_stream(rs["probe"], PROBE_STEPS, cfg["runs"]).items()}
    print(f"parking lot, on-line, never reset; {cfg['runs']} runs x {n_var} variants per rule, "
          f"{cfg['max_steps']:,} steps each; criterion E <= {cfg['tol']} on {cfg['window']} queried "
          "parked steps in a row")
    M, arrays, cpu, per_run = {}, {}, {}, {}
    for rule in RULES:
        c0 = time.process_time()

        def probe(W, w, T, rule=rule):
            return frozen_test(rule, W, T, st_probe, w, dict(cfg, lyap_steps=1, lyap_transient=0))["real"]
        tr = train(rule, cfg, W0[rule], st, probe)
        M[rule], per_run[rule] = rule_metrics(rule, tr, st_test, W0[rule], cfg)
        cpu[f"{rule}_cpu_s"] = time.process_time() - c0
        for label, m in M[rule].items():
            if "steps" in m:
                s = m["steps"]
                print(f"  {rule:6s} {label:16s} criterion {s['solved']:3d}/{s['runs']}  median "
                      f"{s.get('median', float('nan')):9.1f}  real at end {m['real_at_end']:3d}  "
                      f"probes {m['probe_real']}")
        arrays.update(saved_arrays(rule, tr, per_run[rule]))
    lyap = {}
    for rule in RULES:
        h = M[rule]["headline"]
        for name in ("real", "failing"):
            if f"lyap_{name}" in h:
                lyap[f"{rule}, S frozen at the budget's end, {name} runs"] = h[f"lyap_{name}"]
        lyap[f"{rule}, initial S"] = M[rule]["initial_S"]["lyap"]
    lyap_rec = {"method": "shared.lyapunov.qr_spectrum on the diagonal J_t = dw(t)/dw(t-1) = "
                "diag(T w (1 - w)) of the 3 fast weights, one 1-D map per weight (exact for a diagonal "
                "map), sorted; S frozen, along a fresh parking stream with the question asked at every step "
                f"({cfg['lyap_steps']} steps after {cfg['lyap_transient']} alignment steps); median over "
                "runs, per rule, headline setting",
                "exponents": {k: [float(x) for x in v] for k, v in lyap.items()}}
    metrics = {rule: M[rule] for rule in RULES}
    metrics["window_c_star"] = {f"T={T:g}": float(bistable_window(T)) for T in TEMPS}
    metrics["stable_state_log_slope"] = {f"T={T:g}": stable_state_log_slope(T) for T in TEMPS if T > 4}
    metrics["timing"] = dict(cpu, cpu_s=time.process_time())
    config = dict(cfg, **HEAD, p_stop=P_STOP, p_done=P_DONE, p_bit=P_BIT, sec31_eta=SEC31_ETA,
                  etas=ETAS, temps=TEMPS, n_probes=N_PROBES, probe_steps=PROBE_STEPS,
                  n_nets=len(RULES) * cfg["runs"] * n_var)
    rec = record(args, __file__, title="Fast weights for temporary variable binding: the parking lot",
                 paper=PAPER, config=config, metrics=metrics, headline=headline_rows(M, cfg),
                 lyapunov=lyap_rec)
    finish_run(args.out, rec, arrays, timer)


def saved_arrays(rule, tr, fe):
    """What the figures and the GIF need: steps per run and variant, the probes, the headline
    variant's frozen test per run, W_S at the end, E per block, and run 0's film."""
    out = {f"{rule}_{k}": tr[k] for k in ("crit", "crit_lit", "probes", "probe_at", "E_blocks", "eta", "T")}
    out[f"{rule}_W_end"] = tr["W_end"][0]
    out.update({f"{rule}_test_{k}": fe[k] for k in ("E_max", "real", "bound", "c_max", "lyap",
                                                     "lyap_hold", "lyap_write")})
    out.update({f"{rule}_film_{k}": v for k, v in tr["film"].items()})
    return out


# ---------------------------------------------------------------- gradient checks

def gradcheck(args):
    """Both rules, float64. (1) The forward-carried gradient (eqs. 2-3) of the total error of a
    6-step stream against central differences (Richardson), at T = 10 and T = 4, with S's inputs
    jittered around a parking stream's and targets in [0, 1] on every output, so that no
    coordinate is tiny (T = 10 saturates the fast weights within a few steps). (2) The same
    gradient against unfolding in time (the paper's section 2.2, an independent implementation)
    on 300 steps of the parking stream at the headline setting, with its sparse queries and
    targets."""
    from shared.gradcheck import check_gradients, rel_error
    rng = np.random.default_rng(args.seed)
    errs, T = {}, np.array([HEAD["T"], 4.0])
    for rule in RULES:
        K = core.n_slow_outputs(rule, 1, N_SLOTS)
        st = parking_stream(rng, 5, 2)
        x_S = slow_input(st["phase"], st["slot"], st["bits"]) + rng.normal(0.0, 0.3, (6, 2, 6))
        x_F = np.ones((6, 2, 1))
        d = rng.uniform(0.0, 1.0, (6, 2, N_SLOTS))
        W = rng.uniform(-0.05, 0.05, (2, K, 6))
        w0 = rng.uniform(0.45, 0.55, (2, N_SLOTS, 1))

        def loss(W=W, w0=w0, x_F=x_F, x_S=x_S, d=d, rule=rule):
            return core.offline_gradient(W, w0, x_F, x_S, d, T, rule)[0].sum()
        g = core.offline_gradient(W, w0, x_F, x_S, d, T, rule)[1]
        errs[f"{rule}: W_S by central differences"] = check_gradients(
            loss, {"W_S": W}, {"W_S": g}, eps=1e-4, richardson=True)["W_S"]
        st = parking_stream(rng, 300, 4)
        x_S = slow_input(st["phase"], st["slot"], st["bits"])
        q = (st["u_query"] < HEAD["p_query"])[..., None].astype(float)
        d, parked = targets(st["phase"], st["slot"])
        mask = (q[..., 0] * parked)[..., None] * np.ones(N_SLOTS)
        W = core.init_slow(rng, 4, K, 6)
        w0, _ = core.start(W, x_S[0], rule, 1, N_SLOTS)
        args_ = (W, w0, q[1:], x_S[1:], d[1:], HEAD["T"], rule, mask[1:])
        errs[f"{rule}: W_S forward recursion vs unfolding in time, 300 parking steps"] = rel_error(
            core.offline_gradient(*args_)[1], core.bptt_gradient(*args_))
    return errs


def build_parser():
    parser = cli.make_parser(__doc__, __file__)
    online.add_online_flags(
        parser, DEFAULTS, max_steps_range=(1_000, 1_000_000),
        runs_help="independent runs per variant (each its own S init and parking stream)",
        window_help="queried parked steps in a row with small error that make a run solved",
        tol_help="largest E(t) = sum_b (d_b - y_b)^2 / 2 counted as correct")
    return parser


if __name__ == "__main__":
    cli.run(main, build_parser(), gradcheck=gradcheck)
