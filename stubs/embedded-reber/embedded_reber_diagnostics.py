"""Why does Experiment 1 learn so slowly here? (``embedded_reber.py --setting diagnostics``).

Candidate readings of the paper, each run on the 3x2 net at lr 0.5 (Table 1's fastest row), 3 set
pairs x 10 initialisations, 6,000 strings each, with the same sets, initial weights and string
draws as each other (the same named streams) unless the variant changes them. Each variant's
solved count, final test-step accuracies and the size of the cell states at the inner E (state
drift) go to results_diagnostics.json. The net, the training and the success test are those of
embedded_reber.py.
"""
import numpy as np

from embedded_reber import (ARCHS, evaluate, forward, init_lstm, make_sets, step_accuracy, train)
from shared import cli
from shared.rng import streams

DIAG_SEQUENCES = 6_000
DIAG_VARIANTS = {
    "as_headline": ({}, "the headline's reading (step updates, igb U[-0.2, 0.2], next-symbol targets)"),
    "igb_0.1": ({"igb": 0.1}, "input-gate biases U[-0.1, 0.1] (Table 10's 'r')"),
    "string_updates": ({"update": "string"}, "weights changed once per string (truncated gradient summed)"),
    "exact_gradient": ({"update": "exact"}, "exact BPTT gradient, once per string (paper: truncated)"),
    "lr_1.0": ({"lr": 1.0}, "lr 1.0, i.e. E = sum (t - y)^2 without the 1/2 at lr 0.5"),
    "legal_targets": ({"target": "legal"}, "target 1 for every legal next symbol (not the paper's wording)"),
    "distinct_train": ({"distinct": True}, "256 different training strings (the paper does not say so)"),
    "igb_-1-2-3": ({"igb": [-1.0, -2.0, -3.0]},
                   "input-gate biases -1, -2, -3 against state drift (not the paper's)"),
}


def diagnostics_run(args, save):
    """Each variant on the 3x2 net at lr 0.5, 3 set pairs x 10 inits, the same sets, initial
    weights and string draws (from the same named streams) unless the variant changes them.
    ``save(cfg, metrics, headline)`` is called after every variant (a long run can be cut short)."""
    q = cli.quick(args, n_pairs=1, n_inits=2, check_every=50).quick
    a = ARCHS["3x2"]
    P, I_, every = args.n_pairs, args.n_inits, args.check_every
    cap = args.max_sequences if cli.given(args, "max_sequences") else (200 if q else DIAG_SEQUENCES)
    S = P * I_
    names = [v.strip() for v in args.variants.split(",")] if args.variants else list(DIAG_VARIANTS)
    bad = [v for v in names if v not in DIAG_VARIANTS]
    if bad:
        raise cli.StubError(f"--variants: unknown {bad}; known: {', '.join(DIAG_VARIANTS)}")
    names = names[:2] if q and not args.variants else names            # --quick: the first two
    pair_of = np.repeat(np.arange(P), I_)
    metrics, headline, timing = {}, [], {}
    print(f"embedded Reber diagnostics: 3x2, lr 0.5 unless changed, {S} nets, cap {cap:,} strings")
    for name in names:
        opt, what = DIAG_VARIANTS[name]
        t_v = cli.Timer()
        r = streams(args.seed, ["sets", "init", "data", "eval"])
        sets = make_sets(r["sets"], P, distinct=opt.get("distinct", False))
        p = init_lstm(a, r["init"], S, igb=opt.get("igb"))
        out = train(a, p, sets, pair_of, opt.get("lr", 0.5), cap, r["data"], check_every=every,
                    label=name, update=opt.get("update", "step"), target=opt.get("target", "next"))
        st = out["solved_at"]
        ok = st >= 0
        wrong_te, y_te = evaluate(a, p, sets["test"], pair_of)
        te = sets["test"]
        acc = step_accuracy(y_te, te["legal"][:, pair_of], te["length"][pair_of])
        # state drift: |s| of every cell at the inner E, over the test strings
        s_abs = []
        for c in range(0, te["x"].shape[2], 128):
            L = int(te["length"][:, c:c + 128].max())
            sc = forward(a, p, te["x"][:L, pair_of, c:c + 128])["s"]
            at = te["length"][pair_of, c:c + 128] - 2                       # s index of the inner E
            s_abs.append(np.abs(np.take_along_axis(sc, at[None, :, :, None], 0)[0]).mean(-1))
        s_abs = np.concatenate(s_abs, 1)
        timing[name] = t_v()
        metrics[name] = {
            "variant": what, "options": {k: v for k, v in opt.items()}, "solved_at": st.tolist(),
            "n_solved": int(ok.sum()),
            "mean_sequences_to_success": float(st[ok].mean()) if ok.any() else None,
            "fraction_strings_correct_at_end_mean": float(out["curve_frac"][-1].mean()),
            "wrong_test_strings_median": float(np.median((~wrong_te).sum(1))),
            "test_step_accuracy_at_end_mean": {k: float(v.mean()) for k, v in acc.items()},
            "mean_abs_cell_state_at_inner_E": float(s_abs.mean())}
        m = metrics[name]
        print(f"  {name}: solved {m['n_solved']}/{S}, recall acc "
              f"{m['test_step_accuracy_at_end_mean']['recall']:.3f}, "
              f"|s| at inner E {m['mean_abs_cell_state_at_inner_E']:.2f}, {timing[name]:.1f}s", flush=True)
        headline.append({"name": f"{name}: nets solved within {cap:,} strings (3x2, 276 weights)",
                         "value": f"{m['n_solved']}/{S}", "paper_value": "100 %; mean 8,440",
                         "verdict": "partial" if ok.any() else "no", "note": what})
        metrics["timing"] = {"variant_wall_s": timing}
        done = list(timing)
        cfg = {"setting": "diagnostics", "arch": "3x2", "n_pairs": P, "n_inits": I_, "n_seeds": S,
               "max_sequences": cap, "check_every": every, "variants_run": done,
               "variants": {k: DIAG_VARIANTS[k][1] for k in done}}
        save(cfg, metrics, headline)
