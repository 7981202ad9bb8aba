"""Regime world (E2) of "Inductive Resonance in Gated Recurrent Networks" (Giebelhaus 2025).

The world (shared/tiny_worlds/worlds.py): T = 128 binary symbols s_t from a two-regime Markov
chain. The hidden regime r_t in {0, 1} starts as Bernoulli(0.5) and flips at t = 32, 64, 96;
s_0 ~ Bernoulli(0.5), then s_t repeats s_{t-1} with probability 0.9 (r_t = 0) or 0.6 (r_t = 1).
The net sees [s_t, t/(T - 1)] and predicts s_{t+1} under a Gaussian with fixed sigma = 0.05
(NLL = 200 MSE - 2.0768). 20,000 training and 2,000 eval sequences. Variants: struct; the
original's null (i.i.d. Bernoulli(0.5), which is the structured marginal, so it is also the
i.i.d.-marginal null); a within-sequence shuffle null (ours, as in the other two worlds).

Models (shared/tiny_worlds/models.py): tanh RNN, GRU, LSTM, H = 16, PyTorch's equations and
initialisation, Linear(16 -> 1) readout at every step; Adam 1e-3, batch 64, no clipping. Each
model kind trains one ensemble: S seeds x 3 worlds, seed i of every world from the same init;
the RNN also trains readout-only (core frozen at its init), as the original did.

Two protocols, kept apart in every table:
  (a) the original code's semantics and its 20-seed numbers (note §5.3): ΔNLL = NLL(trivial
      baseline) - NLL(model), one-sample sign flips over seeds, the original's probe of r_t
      (linear regression, Adam on an 80/20 row split, R^2 on all rows).
  (b) sound: the first-order Markov chain fitted on the training symbols as the baseline (what
      the paper says it used), paired struct - null ΔNLL per seed against both nulls, probes
      fitted on half the eval sequences and scored on the other half beside an untrained core
      and the input-only floor, the LSTM, Lyapunov spectra over many sequences and windows.

    python3 regime_world.py --seed 0      # headline (budget in the README)
    python3 regime_world.py --quick       # seconds; what the tests run

Arrays are time-major: inputs (T, S, B, 2), hidden states (T, S, B, H), S = ensemble members.
"""
import os
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401  (pins BLAS to one thread before numpy loads)

import numpy as np

from shared import cli
from shared.results import finish_run
from shared.rng import streams
from shared.tiny_worlds import KINDS, PAPER
from shared.tiny_worlds import models as M
from shared.tiny_worlds import stats as St
from shared.tiny_worlds import train as TR
from shared.tiny_worlds import worlds as W

VARIANTS = ("struct", "iid", "shuffle")
# The original's 20-seed files (note §5.3): (cell) -> (ΔNLL mean, sd over seeds, probe R^2).
ORIG = {("gru", "struct", "full"): (15.9695, 0.15, 0.8040),
        ("rnn", "struct", "full"): (14.7084, 0.70, 0.3913),
        ("rnn", "struct", "readout"): (12.0115, 0.52, -0.0046),
        ("rnn", "struct", "random"): (-58.85, 69.4, -0.0033),
        ("gru", "iid", "full"): (-0.0033, 0.0026, None),
        ("rnn", "iid", "full"): (-0.0041, 0.0043, None)}
ORIG_MS = {"rnn": (5.6, 6.0), "gru": (16.0, 18.7), "lstm": (4.2, 4.2)}    # note §6, E2, 1 thread
ORIG_WALL_1SEED = {"gru": 332.1, "rnn": None, "lstm": None}
README_TABLE = {"gru": -1.234, "rnn": -0.891}                          # seed README, "struct - null"


# ----------------------------------------------------------------------------------------------
# Reference predictors
# ----------------------------------------------------------------------------------------------
def oracle_nll(world):
    """NLL per step of the predictor that knows r_{t+1}: P(s_{t+1} = 1) = p_same(r_{t+1}) if
    s_t = 1 else 1 - p_same(r_{t+1}) (struct world)."""
    ev = world.eval
    p_same = np.where(ev.latent[1:] == 0, 0.9, 0.6)
    pred = np.where(ev.obs[:-1] == 1.0, p_same, 1.0 - p_same)
    return float(M.nll_from_mse(np.mean((ev.obs[1:] - pred) ** 2)))


# ----------------------------------------------------------------------------------------------
# Gradient checks and the headline run
# ----------------------------------------------------------------------------------------------
def gradient_checks(args=None):
    """Every parameter tensor, input and initial state of the three models on a short E2 window."""
    return TR.gradient_checks("regime")


def main(args):
    timer = cli.Timer()
    load0 = float(os.getloadavg()[0])                                  # other jobs share the machine
    if args.quick:
        args.n_seeds, args.steps, args.n_train, args.n_eval = 2, 8, 96, 40
        args.T, args.n_flips, args.n_snaps, args.log_every = 32, 99, 3, 4
    if args.T < 32:
        raise cli.StubError(f"--T must be at least 32 (three Lyapunov windows after alignment), got {args.T}")
    S, T = args.n_seeds, args.T
    n_seq = 4 if args.quick else 32
    n_mon = min(args.n_eval, 200)
    windows, n_align, free = TR.lyapunov_windows(T)                   # protocol (b) spectra
    cfg = {"world": "E2 regime (p_same 0.9 / 0.6, regime flips at t = 32, 64, 96)", "T": T, "H": 16,
           "n_train": args.n_train, "n_eval": args.n_eval, "batch": 64, "lr": 1e-3, "optimizer": "Adam",
           "loss": "Gaussian NLL, fixed sigma 0.05", "time_feature": "t/(T-1), always (the world's own)",
           "n_seeds": S, "steps": args.steps, "step_fraction_of_original": args.steps / 20000,
           "original_steps": 20000, "original_seeds": 20, "variants": list(VARIANTS),
           "members_per_ensemble": S * len(VARIANTS), "n_flips": args.n_flips, "lyap_sequences": n_seq,
           "lyap_windows": windows, "lyap_align": n_align, "lyap_input_free": list(free),
           "log_every": args.log_every, "n_snaps": args.n_snaps, "probe_monitor_sequences": n_mon}
    print(f"regime world: T={T}, {S} seeds x {len(VARIANTS)} worlds per ensemble, {args.steps} steps "
          f"({100 * args.steps / 20000:.1f} % of the original's 20,000)", flush=True)
    r = streams(args.seed, ["data", "init", "order", "eval", "stats"])
    wd = {v: W.make_world("regime", v, r["data"], n_train=args.n_train, n_eval=args.n_eval, T=T)
          for v in VARIANTS}
    init_seeds, order_seeds = r["init"].spawn(len(KINDS)), r["order"].spawn(len(KINDS))
    ev_rng, st_rng = r["eval"], r["stats"]
    markov = {v: St.markov_nll(wd[v].train.obs, wd[v].eval.obs) for v in VARIANTS}
    res, arrays, timing, status, lyap = {}, {}, {}, {}, {}
    for j, kind in enumerate(KINDS):
        tr = TR.train_ensemble(kind, 16, [wd[v] for v in VARIANTS], S, args.steps, init_seeds[j],
                               order_seeds[j], n_snaps=args.n_snaps if kind != "lstm" else 0,
                               log_every=args.log_every, label=f"{kind}16 x {len(VARIANTS)} worlds",
                               snap_fn=TR.probe_snapshot(kind, wd["struct"], n_mon))
        timing[kind] = TR.timing_line(tr, S * len(VARIANTS), S, ORIG_MS[kind], ORIG_WALL_1SEED[kind])
        status[kind] = TR.learning_status(tr["curve"], S, VARIANTS, tol=0.01)
        ev = {v: TR.evaluate(kind, TR.members(tr["params"], g, S), wd[v], ev_rng)
              for g, v in enumerate(VARIANTS)}
        ev["random"] = TR.evaluate(kind, tr["init"], wd["struct"], ev_rng)
        if kind == "rnn":                                               # the original's readout-only RNN
            ro = TR.train_ensemble(kind, 16, [wd["struct"]], S, args.steps, init_seeds[j], order_seeds[j],
                                   mode="readout", log_every=args.log_every, label="rnn16 readout-only",
                                   init=tr["init"])
            timing["rnn_readout"] = TR.timing_line(ro, S, S, ORIG_MS[kind])
            status["rnn_readout"] = TR.learning_status(ro["curve"], S, ("struct",), tol=0.01)
            ev["readout"] = TR.evaluate(kind, ro["params"], wd["struct"], ev_rng)
            arrays["rnn_readout_curve"] = ro["curve"]
        for v, e in ev.items():
            e["dnll_markov"] = markov[v if v in VARIANTS else "struct"][0] - e["nll"]
            arrays[f"{kind}_{v}_dnll"] = e["dnll"]
        res[kind] = ev
        arrays[f"{kind}_curve"] = tr["curve"]
        arrays.update(TR.snapshot_arrays(kind, tr))
        # Lyapunov spectra (protocol b) of the trained struct members and of the untrained init
        driven, fr, lyap[kind] = TR.lyapunov_trained_untrained(kind, tr, S, wd["struct"].eval.inputs, n_seq,
                                                               windows, n_align, free)
        arrays[f"{kind}_lyap_driven"], arrays[f"{kind}_lyap_free"] = driven, fr
        print(f"  {kind}16 ΔNLL: " + ", ".join(f"{v} {e['dnll'].mean():+.4f}" for v, e in ev.items())
              + f"  λ1 driven {lyap[kind]['trained']['driven_mean'][0]:+.3f}  {timer():.0f}s", flush=True)
    arrays.update(TR.probe_arrays(wd["struct"], n_mon))
    base = {v: float(St.baseline_nll(wd[v].eval.obs, wd[v].train_mean)) for v in VARIANTS}
    metrics = {"baselines": base, "learning_status": status,
               "markov": {v: {"nll": m[0], "p1_given_0": m[1], "p1_given_1": m[2],
                              "dnll_vs_trivial": base[v] - m[0]} for v, m in markov.items()},
               "oracle_nll_struct": oracle_nll(wd["struct"]),
               "oracle_dnll_struct": base["struct"] - oracle_nll(wd["struct"])}
    # ---- protocol (a): the original's statistics beside its 20-seed files -----------------------
    a_rows = []
    for (kind, v, mode), (ref, ref_sd, ref_r2) in ORIG.items():
        e = res[kind][v if mode == "full" else mode]
        _, p = St.sign_flip_test(e["dnll"], args.n_flips, st_rng)
        s = St.summary(e["dnll"])
        tol = max(2 * ref_sd, 0.01)
        inside = abs(s["mean"] - ref) <= tol
        conv = mode == "random" or status["rnn_readout" if mode == "readout" else kind][v]["converged"]
        tag = " (no training)" if mode == "random" else (" (converged)" if conv else " (still learning)")
        cell = ("matches" if inside else "differs") + tag
        a_rows.append({"kind": kind, "world": v, "mode": mode, "n_seeds": S, "dnll": s, "p": p,
                       "baseline": e["baseline"],
                       "r2_orig": St.nanmean_or_none(e["r2_orig"]),
                       "orig_dnll": ref, "orig_sd": ref_sd, "orig_r2": ref_r2, "tolerance": tol,
                       "cell": cell})
    readme = {kind: {"ours_unpaired": float(res[kind]["struct"]["dnll"].mean()
                                            - res[kind]["iid"]["dnll"].mean()),
                     "original_files": ORIG[(kind, "struct", "full")][0] - ORIG[(kind, "iid", "full")][0],
                     "seed_readme": README_TABLE[kind]} for kind in ("gru", "rnn")}
    metrics["a"] = {"table": a_rows, "readme_struct_minus_null": readme}
    # ---- protocol (b): Markov baseline, paired differences, held-out probes, LSTM ---------------
    b_rows = []
    for kind in KINDS:
        ev = res[kind]
        _, pm = St.sign_flip_test(ev["struct"]["dnll_markov"], args.n_flips, st_rng, alternative="two-sided")
        row = {"kind": kind, "n_seeds": S, "struct_dnll": St.summary(ev["struct"]["dnll"]),
               "struct_dnll_vs_markov": {**St.summary(ev["struct"]["dnll_markov"]), "p_two_sided": pm}}
        for null in ("iid", "shuffle"):
            _, p0 = St.sign_flip_test(ev[null]["dnll"], args.n_flips, st_rng, alternative="two-sided")
            row[f"{null}_null_dnll"] = {**St.summary(ev[null]["dnll"]), "p_two_sided": p0}
            row[f"{null}_null_dnll_vs_markov"] = St.summary(ev[null]["dnll_markov"])
            row[f"struct_minus_{null}"] = TR.paired_difference(ev["struct"]["dnll"], ev[null]["dnll"],
                                                               args.n_flips, st_rng)
        row["r2_heldout"] = St.summary(ev["struct"]["r2_heldout"])
        row["r2_heldout_untrained"] = St.summary(ev["random"]["r2_heldout"])
        row["r2_input_only"] = ev["struct"]["r2_input"]
        if "readout" in ev:
            _, pr = St.sign_flip_test(ev["readout"]["dnll_markov"], args.n_flips, st_rng,
                                      alternative="two-sided")
            row["readout_dnll_vs_markov"] = {**St.summary(ev["readout"]["dnll_markov"]), "p_two_sided": pr}
            row["readout_r2_heldout"] = St.summary(ev["readout"]["r2_heldout"])
        b_rows.append(row)
    metrics["b"] = {"table": b_rows, "lyapunov": lyap}
    bench = TR.benchmark(2 if args.quick else 15, T, rng=np.random.default_rng(0))
    metrics["timing"] = {**timing, "bench_15_member_ms_per_step_T128": bench,
                         "load_average_1min_start_end": [load0, float(os.getloadavg()[0])],
                         "cpu_count": os.cpu_count()}
    headline = build_headline(metrics, args)
    lyapunov = TR.lyapunov_record(lyap, n_seq, windows, n_align)
    finish_run(args.out, {"stub": "regime-world", "family": "tiny-worlds", "paper": PAPER,
                          "title": "Regime world (Giebelhaus 2025, E2)", "seed": args.seed,
                          "quick": bool(args.quick), "config": cfg, "metrics": metrics, "headline": headline,
                          "lyapunov": lyapunov}, arrays, timer)


def build_headline(metrics, args):
    """Protocol (a) against the original's 20-seed files, protocol (b) as the sound test."""
    S = args.n_seeds
    budget = (f"{S} seeds x {args.steps} steps = {100 * args.steps / 20000:.1f} % of the original's "
              "20 x 20,000")
    h = []
    for row in metrics["a"]["table"]:
        ok = row["cell"].startswith("matches")
        conv = "(converged)" in row["cell"] or "(no training)" in row["cell"]
        world = "struct" if row["world"] == "struct" else "null"
        h.append({"name": f"(a) E2 {world} {row['kind'].upper()}-16 {row['mode']} ΔNLL vs trivial baseline",
                  "value": row["dnll"]["mean"], "paper_value": row["orig_dnll"],
                  "verdict": ("yes" if conv else "partial") if ok else "no",
                  "note": f"original's 20-seed file (sd {row['orig_sd']}); ours {row['cell']} within ±"
                          f"{row['tolerance']:.2g}; p {row['p']:.2g}; {budget}"})
    rd = metrics["a"]["readme_struct_minus_null"]
    h.append({"name": "(a) seed README's E2 'ΔNLL (struct - null)', computed the README's way",
              "value": f"GRU {rd['gru']['ours_unpaired']:.2f}, RNN {rd['rnn']['ours_unpaired']:.2f}",
              "paper_value": "GRU -1.234, RNN -0.891",
              "verdict": "yes" if (abs(rd["gru"]["ours_unpaired"] + 1.234) < 0.1
                                   and abs(rd["rnn"]["ours_unpaired"] + 0.891) < 0.1) else "no",
              "note": f"from the original's own files: GRU {rd['gru']['original_files']:.2f}, "
                      f"RNN {rd['rnn']['original_files']:.2f}"})
    b = {r["kind"]: r for r in metrics["b"]["table"]}
    mk = metrics["markov"]["struct"]["dnll_vs_trivial"]
    for kind in KINDS:
        d = b[kind]["struct_dnll_vs_markov"]
        h.append({"name": f"(b) E2 struct {kind.upper()}-16 ΔNLL vs a fitted Markov chain (paper's baseline)",
                  "value": d["mean"], "paper_value": None,
                  "verdict": "yes" if d["mean"] > 0 and d["p_two_sided"] < 0.1 else "no",
                  "note": f"p {d['p_two_sided']:.2g} (two-sided sign flips, floor {2 / 2 ** S:.2g}); the "
                          f"Markov chain is {mk:.2f} above the trivial baseline; yes = uses the regime"})
    ro = b["rnn"]["readout_dnll_vs_markov"]
    ro_conv = metrics["learning_status"]["rnn_readout"]["struct"]["converged"]
    h.append({"name": "(b) readout-only RNN ΔNLL vs the Markov chain ('random networks do not beat it')",
              "value": ro["mean"], "paper_value": None,
              "verdict": ("yes" if ro_conv else "partial") if ro["mean"] < 0 else "no",
              "note": f"p {ro['p_two_sided']:.2g}; original readout-only RNN 12.01 vs trivial, Markov "
                      f"≈ 12.1; {'converged' if ro_conv else 'still learning, so only a lower bound'}"})
    for kind in ("gru", "rnn"):
        d = b[kind]["struct_minus_iid"]
        h.append({"name": f"(b) paired struct - i.i.d.-null ΔNLL per seed, {kind.upper()}-16",
                  "value": d["mean"], "paper_value": None,
                  "verdict": "yes" if d["mean"] > 0 and d["p_two_sided"] < 0.1 else "no",
                  "note": f"p {d['p_two_sided']:.2g}, d_z {d['d_z']:.1f}"})
    g, rn = b["gru"], b["rnn"]
    gt, g0, rt = g["r2_heldout"]["mean"], g["r2_heldout_untrained"]["mean"], rn["r2_heldout"]["mean"]
    order = gt > rt > g["r2_input_only"] + 0.02
    h.append({"name": "(b) held-out regime-probe R²: GRU above RNN, above the input-only floor, and "
                      "above its own untrained core (C7)",
              "value": f"GRU {gt:.3f} (untrained {g0:.3f}), RNN {rt:.3f}, LSTM "
                       f"{b['lstm']['r2_heldout']['mean']:.3f}; input {g['r2_input_only']:.3f}",
              "paper_value": "GRU 0.8040, RNN 0.3913 (all rows)",
              "verdict": ("yes" if gt > 0.75 else "partial") if order and gt > g0 + 0.02 else "no",
              "note": f"untrained RNN core {rn['r2_heldout_untrained']['mean']:.3f}; yes needs the "
                      f"original's level (> 0.75); {budget}"})
    ly = metrics["b"]["lyapunov"]
    gl, rl = ly["gru"]["trained"]["driven_mean"][0], ly["rnn"]["trained"]["driven_mean"][0]
    h.append({"name": "(b) trained driven λ1 per step: GRU near-neutral (|λ1| < 0.1), RNN more contracting",
              "value": f"GRU {gl:.3f}, RNN {rl:.3f}, LSTM {ly['lstm']['trained']['driven_mean'][0]:.3f}",
              "paper_value": "E3 only: GRU -0.062, RNN -0.115",
              "verdict": "yes" if abs(gl) < 0.1 and gl > rl else "no",
              "note": f"the original claims this for E3; here on E2, {S} seeds x 32 sequences x 3 windows"})
    return h


def build_parser():
    parser = cli.make_parser(__doc__, __file__)
    parser.add_argument("--n-seeds", type=cli.positive_int, default=5,
                        help="seeds per ensemble (original: 20)")
    parser.add_argument("--steps", type=cli.positive_int, default=500,
                        help="Adam steps of every ensemble (original: 20,000)")
    TR.add_world_args(parser, T=128)
    parser.add_argument("--log-every", type=cli.positive_int, default=25, help="steps between log lines")
    return parser


if __name__ == "__main__":
    cli.run(main, build_parser(), gradcheck=gradient_checks)
