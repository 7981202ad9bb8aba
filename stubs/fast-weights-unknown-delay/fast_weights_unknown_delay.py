"""Fast weights on the flip-flop task with unknown time delays (Schmidhuber 1992, section 3.1).

J. Schmidhuber, "Learning to control fast-weight memories: an alternative to dynamic recurrent
networks", Neural Computation 4(1):131-139, 1992 (FKI-147-91).

A continuous stream of events A, B, C, one uniformly random event per step, one-hot. F's single
output must be on (1) exactly at the first B after an A and off (0) at every other step (the
Williams-Zipser flip-flop); lags are arbitrary and nothing marks an episode boundary. On-line
learning, nothing ever reset. F: 3 inputs -> 1 identity output through 3 fast weights; S: the same
3 inputs -> identity outputs that change F's weights, either one per fast weight (eq. 4, "direct")
or 3 FROM units and 1 TO unit whose products are the changes (eq. 5, "fromto"). No hidden units.

    y(t) = sum_a w_a(t-1) x_a(t)                   w_a(t) = sigma(T (w_a(t-1) + dw_a(t) - 0.5))
    dw_a(t) = s_a(t)  (eq. 4)   or   s_FROM,a(t) s_TO(t)  (eq. 5),   s(t) = W_S x(t)

with T = 10 and W_S learned on-line by the exact gradient carried forward in time (family core
``shared/fast_weights``), eta = 1.0 (eq. 4) or 0.5 (eq. 5), W_S initialised in [-0.1, 0.1].
Solved: E(t) = (d - y)^2 / 2 <= 0.05 at 100 steps in a row (paper: within 300 steps with eq. 4,
within 800 with eq. 5). Each rule runs --runs independent runs at the paper's setting, and the
same runs again at other learning rates, other steepnesses T and with a one-step truncated
gradient; an S frozen where its run met the criterion is then tested on a fresh stream, and the
Lyapunov exponents of the fast-weight map are taken along it.

    python3 fast_weights_unknown_delay.py --seed 0     # headline
    python3 fast_weights_unknown_delay.py --quick      # smoke test, seconds
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
from shared.results import at_budget, finish_run, headline_row, record
from shared.rng import streams

A, B, C = 0, 1, 2                         # event codes, also F's input lines and S's inputs
RULES = {"direct": "direct rule (eq. 4)", "fromto": "FROM/TO rule (eq. 5)"}
PAPER_STEPS = {"direct": 300, "fromto": 800}          # the paper: solved within this many steps
PAPER_ETA = {"direct": 1.0, "fromto": 0.5}
PAPER_T = 10.0
ETAS = (0.1, 0.25, 0.5, 1.0, 2.0)         # learning-rate sweep at T = 10
TEMPS = (2.0, 4.0, 6.0, 10.0, 20.0)       # steepness sweep at the paper's eta (T <= 4: no latch)
DEFAULTS = dict(runs=50, max_steps=20_000, window=100, tol=0.05, test_steps=10_000,
                lyap_steps=2_000, lyap_transient=100, film_steps=3_000)
QUICK = dict(runs=4, max_steps=600, test_steps=400, lyap_steps=200, lyap_transient=20, film_steps=300)


# ---------------------------------------------------------------- data

def flip_flop(rng, n_steps, runs):
    """Events (N + 1, R) in {A, B, C}, uniform and independent, with their targets and armed
    states (``targets``, starting unarmed). Step 0 only initialises the fast weights."""
    ev = rng.integers(0, 3, (n_steps + 1, runs))
    return (ev,) + targets(ev, np.zeros(runs, bool))


def targets(ev, armed0):
    """The flip-flop's target d (N, R): 1 at a B when an A came after the last B, else 0; and
    armed (N, R), that "A seen" state after each event, from the state armed0 (R,) before ev[0]."""
    d, armed = np.zeros(ev.shape), np.zeros(ev.shape, bool)
    state = armed0.copy()
    for t in range(ev.shape[0]):
        d[t] = (ev[t] == B) & state
        state = np.where(ev[t] == A, True, np.where(ev[t] == B, False, state))
        armed[t] = state
    return d, armed


def continued(ev, armed0):
    """Targets of a running system that meets the events ev[1:] in the state armed0 (R,): d and
    armed (N + 1, R) aligned with ev, row 0 holding armed0 (ev[0] is not an event here)."""
    d, armed = targets(ev[1:], armed0)
    return np.vstack([np.zeros((1,) + d.shape[1:]), d]), np.vstack([armed0[None], armed])


def one_hot(ev):
    return np.eye(3)[ev]                  # (..., 3): the event's input unit at 1.0, the others 0


# ---------------------------------------------------------------- variants of one rule

def variants(rule):
    """(label, eta, T, carry) per variant; the paper's setting first, then the sweeps."""
    eta, out = PAPER_ETA[rule], [("paper", PAPER_ETA[rule], PAPER_T, 1.0)]
    out += [(f"eta={e:g}", e, PAPER_T, 1.0) for e in ETAS if e != eta]
    out += [(f"T={T:g}", eta, T, 1.0) for T in TEMPS if T != PAPER_T]
    return out + [("truncated", eta, PAPER_T, 0.0)]


# ---------------------------------------------------------------- on-line training

def train(rule, cfg, W0, ev, d):
    """All variants x runs of one rule in one batch, on-line for max_steps steps. Run r of every
    variant starts from W0[r] on stream r. Returns the step at which each run first met the
    criterion (0: never) for E(t) <= tol and for |d - y| <= tol, W_S and the fast weights w at
    that step and at the end, block means of E for the paper variant, and the first film_steps
    steps of its run 0."""
    V, R = variants(rule), cfg["runs"]
    n = len(V) * R
    eta = np.repeat([v[1] for v in V], R)
    T = np.repeat([v[2] for v in V], R)
    carry = np.repeat([v[3] for v in V], R)
    eye = np.eye(3)
    W = np.tile(W0, (len(V), 1, 1))                                  # (n, K, 3)
    w, p = core.start(W, eye[np.tile(ev[0], len(V))], rule, 3, 1)
    win, tol = cfg["window"], cfg["tol"]
    streak, streak_abs = np.zeros(n, int), np.zeros(n, int)
    crit, crit_abs = np.zeros(n, int), np.zeros(n, int)
    W_crit, w_crit = W.copy(), w.copy()
    block = 50
    E_blocks = np.zeros((cfg["max_steps"] // block, R))
    F = cfg["film_steps"]
    film = dict(y=np.zeros(F), w=np.zeros((F + 1, 3)), W=np.zeros((F // 10 + 1,) + W.shape[1:]),
                ev=ev[:F + 1, 0], d=d[:F + 1, 0])
    film["w"][0], film["W"][0] = w[0, 0], W[0]
    for t in range(1, cfg["max_steps"] + 1):
        x, dt = eye[np.tile(ev[t], len(V))], np.tile(d[t], len(V))    # (n, 3), (n,)
        W, w, p, y, E, _ = core.step(W, w, p, x, x, dt[:, None], T, eta, rule, carry=carry)
        cli.check_finite(t, W_S=W)
        streak = np.where(E <= tol, streak + 1, 0)
        streak_abs = np.where(np.abs(dt - y[:, 0]) <= tol, streak_abs + 1, 0)
        new = (crit == 0) & (streak >= win)
        crit[new], W_crit[new], w_crit[new] = t, W[new], w[new]
        crit_abs[(crit_abs == 0) & (streak_abs >= win)] = t
        if t <= E_blocks.shape[0] * block:
            E_blocks[(t - 1) // block] += E[:R] / block
        if t <= F:
            film["y"][t - 1], film["w"][t] = y[0, 0], w[0, 0]
            if t % 10 == 0:
                film["W"][t // 10] = W[0]
    shape = (len(V), R)
    return dict(crit=crit.reshape(shape), crit_abs=crit_abs.reshape(shape),
                W_crit=W_crit.reshape(shape + W.shape[1:]), W_end=W.reshape(shape + W.shape[1:]),
                w_crit=w_crit.reshape(shape + w.shape[1:]), w_end=w.reshape(shape + w.shape[1:]),
                E_blocks=E_blocks, film=film, labels=[v[0] for v in V], eta=eta[::R], T=T[::R])


# ---------------------------------------------------------------- the frozen S on a fresh stream

def hold_states(c, T, grid=4001):
    """Stable fixed points of the hold map w -> sigma(T (w + c - 0.5)) (what a C does to w_B):
    two for a latch, one for a memory that fades. c (R,), T (R,) -> count (R,)."""
    w = np.linspace(-0.01, 1.01, grid)       # past both ends: a state at 1e-17 still counts
    f = 0.5 * (1.0 + np.tanh(0.5 * T[:, None] * (w[None] + c[:, None] - 0.5)))
    g = f - w[None]
    slope = T[:, None] * f * (1 - f)
    cross = (g[:, :-1] > 0) != (g[:, 1:] > 0)          # a root on a grid point counts once
    return (cross & (slope[:, :-1] < 1.0)).sum(1)


def frozen_test(rule, W, T, ev, cfg, w0, armed0):
    """S frozen (W (R, K, 3), T (R,)) while the system keeps running on fresh events ev[1:], from
    the fast weights w0 (R, 1, 3) and armed state armed0 (R,) it had when S was frozen (never
    reset, as in training). Returns the largest E, whether w_B carries the armed bit while w_A
    and w_C stay low (the paper's "typical solution"), the hold map's stable states and the
    Lyapunov exponents of the fast-weight map."""
    x = one_hot(ev)
    d, armed = continued(ev, armed0)
    y, w, sp = core.run_frozen(W, x, x, T, rule, 1, w0)       # (N, R, 1), (N + 1, R, 1, 3), (N, R, 1, 3)
    E = 0.5 * (d[1:] - y[:, :, 0]) ** 2
    wB, other = w[1:, :, 0, B], np.maximum(w[1:, :, 0, A], w[1:, :, 0, C])
    latch = np.all((wB > 0.5) == armed[1:], axis=0) & np.all(other < 0.5, axis=0)
    s_C = np.einsum("rkm,m->rk", W, np.eye(3)[C])
    dw_C = core.weight_change(rule, s_C, 3, 1)[0][:, 0, B]
    L, L0 = cfg["lyap_steps"], cfg["lyap_transient"]
    J = core.weight_jacobian(sp[:L0 + L])                               # (L0 + L, R, 3, 3)
    lam = qr_spectrum(J, n_transient=L0)                                # (R, 3), descending
    # the map is diagonal, so each exponent is one weight's mean log-derivative (A, B, C order);
    # w_B's splits into the steps that hold it (C) and those that write it (A, B)
    logd = np.log(np.diagonal(J[L0:], axis1=-2, axis2=-1))              # (L, R, 3)
    on_C = (ev[L0 + 1:L0 + L + 1] == C)
    hold = (logd[..., B] * on_C).sum(0) / np.maximum(on_C.sum(0), 1)
    write = (logd[..., B] * ~on_C).sum(0) / np.maximum((~on_C).sum(0), 1)
    return dict(E_max=E.max(0), real=E.max(0) <= cfg["tol"], latch=latch, hold_c=dw_C,
                hold_states=hold_states(dw_C, T), lyap=lam, lyap_weight=logd.mean(0),
                lyap_B_hold=hold, lyap_B_write=write)


# ---------------------------------------------------------------- summaries and verdicts

def verdict_steps(st, paper, budget):
    """yes: >= 90 % of the runs meet the criterion within the budget and the median run meets it
    within the paper's step count; partial: the median run meets it, but later, or < 90 % meet it;
    no: fewer than half meet it within the budget (25-67 times the paper's count, so not a cap)."""
    if st["solved"] * 2 <= st["runs"]:
        return at_budget("no", budget, paper)
    return "yes" if st["solved"] >= 0.9 * st["runs"] and st["median"] <= paper else "partial"


def verdict_latch(n_latch, n_solved):
    """yes: >= 90 % of the runs that met the criterion hold the bit in w_B as the paper describes
    and keep E <= tol on every step of the fresh stream; partial: some do; no: none."""
    if n_solved == 0 or n_latch == 0:
        return "no"
    return "yes" if n_latch >= 0.9 * n_solved else "partial"


def learned_changes(rule, W):
    """Median over runs of S's change to each fast weight on each event: rows A, B, C (events),
    columns w_A, w_B, w_C, before the squash (the paper's "typical solution" in numbers)."""
    if len(W) == 0:
        return None
    eye = np.eye(3)
    table = [core.weight_change(rule, np.einsum("rkm,m->rk", W, eye[e]), 3, 1)[0][:, 0] for e in range(3)]
    return np.median(np.stack(table, 1), axis=0)


def failure_kinds(ft, crit):
    """Why runs that met the criterion fail the fresh stream: a C that arms w_B (hold change
    c above the bistable window, one stable state near 1), a C that disarms it (one state near
    0), or something else; and when the real and the failing runs met the criterion."""
    bad, one = ~ft["real"], ft["hold_states"] == 1
    out = dict(c_arms=int((bad & one & (ft["hold_c"] > 0)).sum()),
               c_disarms=int((bad & one & (ft["hold_c"] < 0)).sum()),
               other=int((bad & ~one).sum()), real_with_one_state=int((ft["real"] & one).sum()))
    if bad.any():
        out.update(min_abs_c=float(np.abs(ft["hold_c"][bad]).min()), crit_min=int(crit[bad].min()),
                   crit_max=int(crit[bad].max()), crit_median=float(np.median(crit[bad])))
    if ft["real"].any():
        out["real_crit_median"] = float(np.median(crit[ft["real"]]))
    return out


def rule_metrics(rule, tr, ev_test, armed_train, W0, cfg):
    """Steps-to-criterion for every variant, and the frozen test of every run that met it."""
    out = {}
    for i, label in enumerate(tr["labels"]):
        ok = tr["crit"][i] > 0
        m = dict(eta=float(tr["eta"][i]), T=float(tr["T"][i]), steps=steps_summary(tr["crit"][i]),
                 steps_abs=steps_summary(tr["crit_abs"][i]))
        T = np.full(int(ok.sum()), tr["T"][i])
        if ok.any():
            runs = np.flatnonzero(ok)
            ft = frozen_test(rule, tr["W_crit"][i][ok], T, ev_test[:, ok], cfg, tr["w_crit"][i][ok],
                             armed_train[tr["crit"][i][ok], runs])
            m.update(real=int(ft["real"].sum()), latch=int((ft["latch"] & ft["real"]).sum()),
                     bistable_hold=int((ft["hold_states"] == 2).sum()),
                     real_and_bistable=int((ft["real"] & (ft["hold_states"] == 2)).sum()),
                     lyap=np.median(ft["lyap"], axis=0), lyap_weight=np.median(ft["lyap_weight"], axis=0),
                     lyap_B_hold=float(np.median(ft["lyap_B_hold"])),
                     lyap_B_write=float(np.median(ft["lyap_B_write"])))
            if label == "paper":
                m["per_run"] = ft
                m["failures"] = failure_kinds(ft, tr["crit"][i][ok])
                m["dw_median_real"] = learned_changes(rule, tr["W_crit"][i][ok][ft["real"]])
        if label == "paper":                  # the same runs after the whole budget, still learning
            T_all = np.full(cfg["runs"], tr["T"][i])
            fe = frozen_test(rule, tr["W_end"][i], T_all, ev_test, cfg, tr["w_end"][i], armed_train[-1])
            m["at_budget_end"] = dict(real=int(fe["real"].sum()), latch=int((fe["latch"] & fe["real"]).sum()),
                                      bistable_hold=int((fe["hold_states"] == 2).sum()))
            m["per_run_end"] = fe
        out[label] = m
    T0 = np.full(cfg["runs"], PAPER_T)
    start = np.zeros((cfg["runs"], 1, 3)), np.zeros(cfg["runs"], bool)     # all fast weights off
    out["initial_S"] = {"lyap": np.median(frozen_test(rule, W0, T0, ev_test, cfg, *start)["lyap"], axis=0)}
    return out


def headline_rows(M, cfg):
    rows = []
    for rule, name in RULES.items():
        m = M[rule]["paper"]
        st, sa, paper = m["steps"], m["steps_abs"], PAPER_STEPS[rule]
        v = verdict_steps(st, paper, cfg["max_steps"])
        value = (f"median {st['median']:,.0f} steps (IQR {st['q1']:,.0f}-{st['q3']:,.0f}), "
                 f"{st['solved']}/{st['runs']} runs" if st["solved"] else f"0/{st['runs']} runs")
        within = int(((M[rule]["crit"] > 0) & (M[rule]["crit"] <= paper)).sum())
        note = (f"T = 10, eta = {m['eta']:g}; {within}/{st['runs']} runs within the paper's {paper} "
                f"steps; budget {cfg['max_steps']:,} steps; with |d - y| <= 0.05 instead: "
                + (f"median {sa['median']:,.0f}, {sa['solved']}/{sa['runs']} runs" if sa["solved"]
                   else f"0/{sa['runs']} runs"))
        rows.append(headline_row(f"{name}: steps until E(t) <= 0.05 for 100 steps in a row",
                                 value, f"within {paper} steps", v, note,
                                 numbers=[{"value": st.get("median", 0)}]))
    parts, verdicts, nums = [], [], []
    for rule in RULES:
        m = M[rule]["paper"]
        n_ok, n_l = m["steps"]["solved"], m.get("latch", 0)
        parts.append(f"{'direct' if rule == 'direct' else 'FROM/TO'} {n_l}/{n_ok}")
        verdicts.append(verdict_latch(n_l, n_ok))
        nums.append({"value": n_l})
    v = "yes" if all(x == "yes" for x in verdicts) else ("no" if all(x == "no" for x in verdicts)
                                                           else "partial")
    rows.append(headline_row(
        "runs meeting the criterion whose frozen S is the paper's latch on a fresh stream",
        ", ".join(parts), "typical solution: an A raises the weight on F's B line, a B resets it", v,
        f"E <= 0.05 on all {cfg['test_steps']:,} steps of a fresh stream, w_B > 0.5 exactly while an "
        "A is pending, w_A and w_C < 0.5", numbers=nums))
    return rows


# ---------------------------------------------------------------- main

def resolve(args):
    cli.quick(args, **QUICK)
    cfg = {k: getattr(args, k) for k in DEFAULTS}
    if cfg["lyap_steps"] + cfg["lyap_transient"] > cfg["test_steps"]:
        raise cli.StubError(f"--lyap-steps + --lyap-transient ({cfg['lyap_steps'] + cfg['lyap_transient']}) "
                            f"exceed --test-steps ({cfg['test_steps']})")
    if cfg["film_steps"] > cfg["max_steps"]:
        raise cli.StubError(f"--film-steps {cfg['film_steps']} exceeds --max-steps {cfg['max_steps']}")
    return cfg


def main(args):
    timer = cli.Timer()
    cfg = resolve(args)
    rs = streams(args.seed, ["init", "train", "test"])
    W0 = {rule: core.init_slow(rs["init"], cfg["runs"], core.n_slow_outputs(rule, 3, 1), 3)
          for rule in RULES}
    ev, d, armed = flip_flop(rs["train"], cfg["max_steps"], cfg["runs"])
    ev_t = flip_flop(rs["test"], cfg["test_steps"], cfg["runs"])[0]
    print(f"flip-flop on a continuous A/B/C stream, on-line, never reset; {cfg['runs']} runs per "
          f"variant, {cfg['max_steps']:,} steps each; criterion E <= {cfg['tol']} for "
          f"{cfg['window']} steps in a row")
    M, arrays, cpu = {}, {}, {}
    for rule in RULES:
        c0 = time.process_time()
        tr = train(rule, cfg, W0[rule], ev, d)
        M[rule] = rule_metrics(rule, tr, ev_t, armed, W0[rule], cfg)
        M[rule]["crit"] = tr["crit"][0]
        cpu[f"{rule}_cpu_s"] = time.process_time() - c0
        for label, m in M[rule].items():
            if isinstance(m, dict) and "steps" in m:
                st = m["steps"]
                print(f"  {rule:6s} {label:10s} solved {st['solved']:3d}/{st['runs']}  median "
                      f"{st.get('median', float('nan')):8.1f}  real {m.get('real', 0):3d}  "
                      f"latch {m.get('latch', 0):3d}")
        arrays.update(saved_arrays(rule, tr, M[rule]))
    lyap = {}
    for rule in RULES:
        if "lyap" in M[rule]["paper"]:                     # only runs that met the criterion
            lyap[f"{rule}, S frozen at the criterion"] = M[rule]["paper"]["lyap"]
        lyap[f"{rule}, initial S"] = M[rule]["initial_S"]["lyap"]
    lyap_rec = {"method": f"shared.lyapunov.qr_spectrum on J_t = dw(t)/dw(t-1) = diag(T w (1 - w)) of the "
                f"3 fast weights, S frozen, along a fresh event stream ({cfg['lyap_steps']} steps after "
                f"{cfg['lyap_transient']} alignment steps); median over runs, per rule",
                "exponents": {k: [float(x) for x in v] for k, v in lyap.items()}}
    metrics = {rule: {k: v for k, v in M[rule].items() if k != "crit"} for rule in RULES}
    for rule in RULES:
        metrics[rule]["paper"].pop("per_run", None)
        metrics[rule]["paper"].pop("per_run_end", None)
    metrics["timing"] = dict(cpu, cpu_s=time.process_time())
    rec = record(args, __file__, title="Fast weights on the flip-flop task with unknown time delays",
                 paper=PAPER, config=dict(cfg, T=PAPER_T, eta=PAPER_ETA, etas=ETAS, temps=TEMPS,
                                          n_nets=2 * cfg["runs"] * len(variants("direct"))),
                 metrics=metrics, headline=headline_rows(M, cfg), lyapunov=lyap_rec)
    finish_run(args.out, rec, arrays, timer)


def saved_arrays(rule, tr, M):
    """What the figures and the GIF need: steps per run and variant, the paper variant's frozen
    test per run, its E block means, W_S of every run at the criterion, and run 0's film."""
    pr = M["paper"].get("per_run", {})
    out = {f"{rule}_crit": tr["crit"], f"{rule}_crit_abs": tr["crit_abs"],
           f"{rule}_E_blocks": tr["E_blocks"], f"{rule}_W_crit": tr["W_crit"][0],
           f"{rule}_eta": tr["eta"], f"{rule}_T": tr["T"]}
    for k in ("lyap", "lyap_weight", "lyap_B_hold", "lyap_B_write", "E_max", "latch", "hold_c",
              "hold_states"):                     # empty when no run met the criterion
        out[f"{rule}_test_{k}"] = pr.get(k, np.zeros((0, 3) if k.startswith("lyap") and "B" not in k
                                                     else (0,)))
    pe = M["paper"]["per_run_end"]
    for k in ("E_max", "hold_c"):
        out[f"{rule}_end_{k}"] = pe[k]
    out.update({f"{rule}_film_{k}": v for k, v in tr["film"].items()})
    return out


# ---------------------------------------------------------------- gradient checks

def gradcheck(args):
    """Both rules, float64. (1) The forward-carried gradient (eqs. 2-3) of the total error of a
    5-step stream against central differences (Richardson), at T = 10 and T = 4, with S's inputs
    jittered around the one-hot events and targets in [0, 1] so that no coordinate is tiny: T = 10
    saturates the fast weights within a few steps, and a longer horizon leaves coordinates below
    the round-off of the differences. (2) The same gradient against unfolding in time (the paper's
    section 2.2, an independent implementation) on a 200-step flip-flop stream at the paper's
    setting (T = 10, S initialised in [-0.1, 0.1], one-hot inputs)."""
    from shared.gradcheck import check_gradients, rel_error
    rng = np.random.default_rng(args.seed)
    errs, T = {}, np.array([PAPER_T, 4.0])
    for rule in RULES:
        ev = rng.integers(0, 3, (5, 2))
        x_F = one_hot(ev)
        x_S = x_F + rng.normal(0.0, 0.3, x_F.shape)
        d = rng.uniform(0.0, 1.0, (5, 2, 1))
        W = rng.uniform(-0.05, 0.05, (2, core.n_slow_outputs(rule, 3, 1), 3))
        w0 = rng.uniform(0.45, 0.55, (2, 1, 3))

        def loss(W=W, w0=w0, x_F=x_F, x_S=x_S, d=d, rule=rule):
            return core.offline_gradient(W, w0, x_F, x_S, d, T, rule)[0].sum()
        g = core.offline_gradient(W, w0, x_F, x_S, d, T, rule)[1]
        errs[f"{rule}: W_S by central differences"] = check_gradients(
            loss, {"W_S": W}, {"W_S": g}, eps=1e-4, richardson=True)["W_S"]
        ev, dd, _ = flip_flop(rng, 200, 4)
        x = one_hot(ev)
        W = core.init_slow(rng, 4, core.n_slow_outputs(rule, 3, 1), 3)
        w0, _ = core.start(W, x[0], rule, 3, 1)
        g = core.offline_gradient(W, w0, x[1:], x[1:], dd[1:, :, None], PAPER_T, rule)[1]
        errs[f"{rule}: W_S forward recursion vs unfolding in time, 200 flip-flop steps"] = rel_error(
            g, core.bptt_gradient(W, w0, x[1:], x[1:], dd[1:, :, None], PAPER_T, rule))
    return errs


def build_parser():
    parser = cli.make_parser(__doc__, __file__)
    online.add_online_flags(
        parser, DEFAULTS, max_steps_range=(200, 200_000),
        runs_help="independent runs per variant (each its own S init and event stream)",
        window_help="steps in a row with small error that make a run solved (paper: 100)",
        tol_help="largest E(t) = (d - y)^2 / 2 counted as correct (paper: 0.05)")
    parser.add_argument("--film-steps", type=cli.int_range(10, 20_000), default=DEFAULTS["film_steps"],
                        help="first steps of run 0 saved for the GIF")
    return parser


if __name__ == "__main__":
    cli.run(main, build_parser(), gradcheck=gradcheck)
