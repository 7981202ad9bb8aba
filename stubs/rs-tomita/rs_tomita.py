"""Random weight guessing on Tomita grammars 1, 2 and 4 (Hochreiter & Schmidhuber 1996, "LSTM can
solve hard long time lag problems", NIPS 9, section 1; Schmidhuber, Hochreiter & Bengio 2001).

Tomita's regular languages over {0, 1}: #1 = 1*, #2 = (10)*, #4 = no "000" anywhere. A string is
fed one symbol per step (1 -> +1.0, 0 -> -1.0) to a guessed recurrent net whose sigmoid output at
the string's end must be within 0.1 of 1.0 (in the language) or 0.0 (not). Random guessing (RG,
family core ``shared/random_guess``): REPEAT draw every free weight uniformly in [-100, 100]
UNTIL the net classifies all of Tomita's training strings; then test it on every other string
of length 1-14 (and on longer ones, 15-50).

    net A1 n=3: 3 biased hidden units + 1 output, fully recurrent, all see the input
    h_t = sigmoid(W_hs s_{t-1} + V_h x_t + b_h),  o_t = sigmoid(W_oh h_t + W_oo o_{t-1} + V_o x_t),
    s_0 = 0, output = o_T

30 runs per grammar share Tomita's training set and draw from their own weight streams. Beside
them, a fixed number of guesses per architecture (A1 with n = 1, 2, 3, 5 hidden units and A2 with
10) estimates each net's per-draw success probability p. Diagnostics of the solvers: how many
distinct end states they use on the test strings against the grammar's minimal automaton, and the
Lyapunov exponents of J_t = ds_t/ds_{t-1} along long strings. RG has no gradient, so
``--gradcheck`` reports an empty check.

    python3 rs_tomita.py --seed 0          # headline
    python3 rs_tomita.py --quick           # smoke test, seconds
"""
import itertools
import math
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401  (pins BLAS to one thread before numpy loads)

import numpy as np

from shared import cli
from shared.random_guess import net
from shared.random_guess.search import search, trial_stats
from shared.random_guess.verdicts import in_band, trial_rate_verdict
from shared.results import finish_run, headline_row, record
from shared.rng import streams

GRAMMARS = (1, 2, 4)
# Tomita's (1982) training strings, as reproduced in the recurrent-net literature (recalled, not
# read here), without the empty string, which every set lists as accepted: with activations reset
# to 0 a net's output before any input is 0.0, so no guessed net could accept it.
TRAIN = {
    1: (["1", "11", "111", "1111", "11111", "111111", "1111111", "11111111"],
        ["0", "10", "01", "00", "011", "110", "11111110", "10111111"]),
    2: (["10", "1010", "101010", "10101010", "10101010101010"],
        ["1", "0", "11", "00", "01", "101", "100", "1001010", "10110", "110101010"]),
    4: (["1", "0", "10", "01", "00", "100100", "001111110100", "0100100100", "11100", "0010"],
        ["000", "11000", "0001", "000000000", "11111000011", "1101010000010111", "1010010001",
         "0000", "00000"]),
}
# the paper's mean trials, two figures per grammar (recalled: quoted by the earlier catalog; the
# paper's Tomita table was not found in any text retrieved here, so which figure belongs to which
# net or training set is unknown)
PAPER_TRIALS = {1: (182, 288), 2: (1511, 17953), 4: (13833, 35610)}
DFA_STATES = {1: 2, 2: 3, 4: 4}      # minimal automaton's states reached by non-empty strings
SWEEP = ((1, "A1 n=1"), (2, "A1 n=2"), (3, "A1 n=3"), (5, "A1 n=5"), (10, "A2 n=10"))
STREAMS = ("guess", "bootstrap", "sweep", "long", "lyap")
DEFAULTS = dict(runs=30, hidden=3, max_trials=20_000_000, test_len=14, long_max=50, long_per_len=10,
                sweep_draws=1_000_000, sweep_draws_easy=200_000, lyap_len=200, block=4096)
QUICK = dict(runs=3, max_trials=20_000, test_len=8, long_max=20, long_per_len=2, sweep_draws=20_000,
             sweep_draws_easy=5_000, lyap_len=40, block=512)
TOL = 0.1                            # |output - target| < 0.1 counts as correct (the paper's rule)


# ---------------------------------------------------------------- the grammars

def in_language(g, s):
    """Whether the string s (of '0' and '1') is in Tomita's language #g."""
    if g == 1:
        return "0" not in s
    if g == 2:
        return len(s) % 2 == 0 and s == "10" * (len(s) // 2)
    return "000" not in s


def dfa_state(g, s):
    """The minimal automaton's state after the non-empty string s (the last state is the sink).
    #1: 0 all ones, 1 dead. #2: 0 after a complete "10" block, 1 after a "1" that wants a "0",
    2 dead. #4: the number of trailing zeros (0, 1, 2), 3 dead."""
    if g == 1:
        return 0 if "0" not in s else 1
    if g == 2:
        state = 0
        for c in s:
            state = {(0, "1"): 1, (1, "0"): 0}.get((state, c), 2)
        return state
    return 3 if "000" in s else len(s) - len(s.rstrip("0"))


def accepted_string(g, length, rng):
    """A string of the language of the given length (#2: even lengths only); #4 draws symbols
    uniformly but forces a 1 after two 0s."""
    if g == 1:
        return "1" * length
    if g == 2:
        return "10" * (length // 2)
    s = ""
    for _ in range(length):
        s += "1" if s.endswith("00") else str(rng.integers(0, 2))
    return s


# ---------------------------------------------------------------- data

def encode(strings, runs=1):
    """x (T, runs, B, 1): +1.0 for '1', -1.0 for '0', zero-padded; lengths (runs, B)."""
    T = max(len(s) for s in strings)
    x = np.zeros((T, 1, len(strings), 1))
    for i, s in enumerate(strings):
        x[:len(s), 0, i, 0] = np.where(np.frombuffer(s.encode(), np.uint8) == ord("1"), 1.0, -1.0)
    lengths = np.array([[len(s) for s in strings]])
    return np.repeat(x, runs, axis=1), np.repeat(lengths, runs, axis=0)


def labelled(g, strings, runs=1):
    """The data dict of the RG core (x, lengths, target (runs, B)) plus the strings and the
    automaton state each one ends in."""
    x, lengths = encode(strings, runs)
    target = np.array([[1.0 if in_language(g, s) else 0.0 for s in strings]] * runs)
    return {"x": x, "lengths": lengths, "target": target, "strings": list(strings),
            "dfa": np.array([dfa_state(g, s) for s in strings])}


def train_set(g, runs):
    """Tomita's training strings, rejected and accepted alternating, shortest first, so the RG
    core's early rejection (2 strings, then 8, then the rest) tests one of each class first."""
    pos, neg = (sorted(v, key=len) for v in TRAIN[g])
    order = [s for pair in itertools.zip_longest(neg, pos) for s in pair if s is not None]
    return labelled(g, order, runs)


def test_set(g, max_len):
    """Every string of length 1..max_len that is not a training string."""
    seen = set(TRAIN[g][0]) | set(TRAIN[g][1])
    strings = ["".join(p) for n in range(1, max_len + 1) for p in itertools.product("01", repeat=n)]
    return labelled(g, [s for s in strings if s not in seen])


def long_set(g, rng, l_min, l_max, per_len):
    """Longer strings, l_min..l_max: accepted ones (#1, #2: the one string of each length; #4:
    per_len per length), for each a near miss (one symbol flipped so that it leaves the language)
    and a random rejected string of the same length."""
    pos, neg = [], []
    for n in range(l_min, l_max + 1):
        if g == 2 and n % 2:
            continue
        for _ in range(1 if g in (1, 2) else per_len):
            s = accepted_string(g, n, rng)
            pos.append(s)
            for i in rng.permutation(n):                  # a near miss, if one flip makes one
                t = s[:i] + ("1" if s[i] == "0" else "0") + s[i + 1:]
                if not in_language(g, t):
                    neg.append(t)
                    break
            while True:                                   # a random string outside the language
                t = "".join(rng.choice(["0", "1"], size=n))
                if not in_language(g, t):
                    neg.append(t)
                    break
    return labelled(g, pos + neg)


# ---------------------------------------------------------------- RG runs and the sweep

def run_grammar(g, cfg, rs):
    """RG over cfg['runs'] runs with A1 n=cfg['hidden'] on grammar g: trial statistics, solvers."""
    arch = net.a1(cfg["hidden"])
    train = train_set(g, cfg["runs"])
    seen = []

    def progress(d, r, n):
        if not seen or d != seen[-1] or len(seen) % 50 == 0:
            print(f"  Tomita #{g} {arch.name}: solved {d:3d}/{r}  draws {n:12,d}", flush=True)
        seen.append(d)
    rngs = rs["guess"].spawn(cfg["runs"])
    first = rngs[0].bit_generator.seed_seq          # run 0's stream, replayed for the GIF
    res = search(arch, train, rngs, cfg["max_trials"], block=cfg["block"], stages=(2, 8), tol=TOL,
                 on_block=progress)
    res["first_stream"] = first
    stats = trial_stats(res["trials"], res["solved"], cfg["max_trials"], rs["bootstrap"])
    stats["max_trials"] = cfg["max_trials"]
    return arch, train, res, stats


def success_count(arch, data, rng, n_draws, chunk=50_000):
    """How many of n_draws guessed nets fit every training string (early rejection as in the
    search: 2 strings, 8 more, the rest)."""
    B = data["target"].shape[1]
    cuts = [np.arange(0, 2), np.arange(2, min(10, B)), np.arange(min(10, B), B)]
    hits = 0
    for start in range(0, n_draws, chunk):
        p = net.guess(arch, rng, min(chunk, n_draws - start))
        ok = np.ones(len(p["b"]), bool)
        for idx in cuts:
            alive = np.flatnonzero(ok)
            if alive.size == 0 or idx.size == 0:
                continue
            sub = {k: v[alive] for k, v in p.items()}
            ok[alive] = net.correct(arch, sub, data, idx, np.zeros(alive.size, int), tol=TOL).all(axis=1)
        hits += int(ok.sum())
    return hits


def poisson_interval(k, level=0.95):
    """Exact (Garwood) interval for a Poisson mean given k events, by bisection on the CDF."""
    a = (1 - level) / 2

    def cdf(k, mu):                      # P(X <= k) for X ~ Poisson(mu)
        i = np.arange(k + 1)
        return float(np.exp(i * np.log(mu) - mu - np.array([math.lgamma(j + 1) for j in i])).sum())

    def root(f, lo, hi):                 # f increasing on [lo, hi]
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if f(mid) < 0 else (lo, mid)
        return 0.5 * (lo + hi)
    lower = 0.0 if k == 0 else root(lambda m: (1 - cdf(k - 1, m)) - a, 1e-12, k + 50.0)
    upper = root(lambda m: a - cdf(k, m), 1e-12, 3 * k + 50.0)
    return lower, upper


def sweep(g, cfg, rng):
    """Per-draw success probability of A1 n = 1, 2, 3, 5 and A2 n=10 on grammar g, each from its
    own stream and a fixed number of guesses; p with an exact 95 % interval."""
    data = train_set(g, 1)
    draws = cfg["sweep_draws"] if g == 4 else cfg["sweep_draws_easy"]
    out = []
    for (n, label), child in zip(SWEEP, rng.spawn(len(SWEEP)), strict=True):
        arch = net.a2(10) if label.startswith("A2") else net.a1(n)
        hits = success_count(arch, data, child, draws)
        lo, hi = poisson_interval(hits)
        out.append({"net": label, "free_weights": arch.n_free, "draws": draws, "hits": hits,
                    "p": hits / draws, "p_ci95": [lo / draws, hi / draws],
                    "one_over_p": draws / hits if hits else None})
        print(f"  sweep Tomita #{g} {label:8s} {hits:5d} fits in {draws:,} guesses", flush=True)
    return out


# ---------------------------------------------------------------- verdicts

def verdict_generalization(median_balanced_accuracy):
    """The text says RS's nets classified all test sequences (recalled). `partial` when the median
    solver is right on at least 99 % of each class of unseen strings (recalled setting), `no`
    below: fitting the training strings did not give the grammar."""
    if median_balanced_accuracy is None:
        return "open"
    return "partial" if median_balanced_accuracy >= 0.99 else "no"


def headline_rows(metrics, cfg):
    rows = []
    for g in GRAMMARS:
        st, paper = metrics[f"tomita{g}"], PAPER_TRIALS[g]
        figs = f"{paper[0]:,} or {paper[1]:,} trials (mean; recalled, two figures)"
        if st.get("ci95"):
            value = (f"mean {st['mean']:,.1f} trials (median {st['median']:,.1f}, 95% CI "
                     f"{st['ci95'][0]:,.0f}-{st['ci95'][1]:,.0f}), {st['solved']}/{st['runs']} runs")
        else:
            value = f"{st['solved']}/{st['runs']} runs solved within {cfg['max_trials']:,} each"
        band = "inside" if in_band(st["one_over_p"], paper) else "outside"
        note = (f"A1 n={cfg['hidden']}; per-draw success p = {st['p_success']:.3g}, 1/p = "
                f"{st['one_over_p']:,.0f}, {band} [half the lower, twice the upper figure]"
                if st["p_success"] else "no run fitted")
        rows.append(headline_row(f"RG trials to fit Tomita #{g}'s training strings", value, figs,
                                 trial_rate_verdict(st["one_over_p"], st["solved"], paper, cfg["max_trials"],
                                                    setting_read=False),
                                 note, numbers=[{"value": st.get("mean") or 0.0}]))
        acc = st.get("test_balanced_accuracy")
        if acc:
            value = (f"balanced accuracy median {acc['median']:.3f} (min {acc['min']:.3f}), "
                     f"{st['solvers_perfect']}/{st['solved']} solvers perfect")
            note = (f"all {st['test_strings']:,} other strings of length 1-{cfg['test_len']}; on "
                    f"lengths {cfg['test_len'] + 1}-{cfg['long_max']} median "
                    f"{st['long_balanced_accuracy']['median']:.3f}")
        else:
            value, note = "no solver to test", ""
        rows.append(headline_row(f"RG solvers classify unseen Tomita #{g} strings", value,
                                 "all test strings correct (recalled)",
                                 verdict_generalization(acc["median"] if acc else None), note,
                                 numbers=[{"value": acc["median"] if acc else 0.0}]))
    return rows


# ---------------------------------------------------------------- main

def resolve(args):
    cli.quick(args, **QUICK)
    if args.long_max <= args.test_len:
        raise cli.StubError(f"--long-max {args.long_max} must exceed --test-len {args.test_len}")
    return {k: getattr(args, k) for k in DEFAULTS}


def main(args):
    timer = cli.Timer()
    cfg = resolve(args)
    print(f"RG, weights U[-100, 100], sigmoid units, A1 n={cfg['hidden']}; {cfg['runs']} runs per grammar "
          f"on Tomita's training strings; test: all strings of length 1-{cfg['test_len']}")
    rs = streams(args.seed, [f"g{g}_{k}" for g in GRAMMARS for k in STREAMS])
    analysis = cli.load_sibling(__file__, "rs_tomita_diagnostics", globals())
    metrics, arrays, lyap, timing = {}, {}, {}, {}
    for g in GRAMMARS:
        r = {k: rs[f"g{g}_{k}"] for k in STREAMS}
        t0 = timer()
        arch, train, res, stats = run_grammar(g, cfg, r)
        diag, arr = analysis.diagnose(g, arch, res, cfg, r)
        stats.update(diag)
        stats["sweep"] = sweep(g, cfg, r["sweep"])
        timing[f"tomita{g}_s"] = timer() - t0
        metrics[f"tomita{g}"] = stats
        arrays.update(arr)
        arrays[f"g{g}_trials"], arrays[f"g{g}_solved"] = res["trials"], res["solved"]
        arrays[f"g{g}_sweep_p"] = np.array([s["p"] for s in stats["sweep"]])
        arrays[f"g{g}_sweep_ci"] = np.array([s["p_ci95"] for s in stats["sweep"]])
        arrays.update(film(g, arch, train, res))
        if diag:
            lyap[f"A1 n={cfg['hidden']} solvers, Tomita #{g}, random strings"] = [
                diag["lyapunov_random"]["median"], diag["lyapunov_second_random"]["median"]]
        print(f"Tomita #{g}: {({k: v for k, v in stats.items() if k != 'sweep'})}", flush=True)
    metrics["timing"] = timing
    lyap_rec = {"method": f"shared.lyapunov.qr_spectrum on J_t = ds_t/ds_{{t-1}} (layered update) of "
                          f"each solver net along a uniformly random string and an accepted string of "
                          f"{cfg['lyap_len']} symbols (20 alignment steps); top two exponents, median over "
                          f"solvers (random string); f' floored at 1e-150", "exponents": lyap}
    rec = record(args, __file__, title="Random weight guessing on Tomita grammars 1, 2 and 4",
                 paper=PAPER, config=cfg, metrics=metrics, headline=headline_rows(metrics, cfg),
                 lyapunov=lyap_rec if lyap else None)
    finish_run(args.out, rec, arrays, timer)


PAPER = ("S. Hochreiter, J. Schmidhuber, LSTM can solve hard long time lag problems, NIPS 9 (1997), "
         "section 1 (Tomita grammars); J. Schmidhuber, S. Hochreiter, Y. Bengio, Evaluating benchmark "
         "problems by random guessing, in A Field Guide to Dynamical Recurrent Networks (2001)")


def film(g, arch, train, res, n_guesses=15):
    """For the GIF: run 0's first guessed nets (its stream replayed from the start, so the same
    nets the search drew) and then its solver: the output at the end of each training string
    (frames, B), each frame's trial number, and the targets."""
    p = net.guess(arch, np.random.default_rng(res["first_stream"]), n_guesses)
    trial = int(res["trials"][0])
    shown = min(n_guesses, trial - 1) if trial else n_guesses      # the solver itself comes last
    nets = [{k: v[i:i + 1] for k, v in p.items()} for i in range(shown)]
    frames = list(range(1, len(nets) + 1))
    if trial:
        nets.append({k: v[None] for k, v in res["solvers"][0].items()})
        frames.append(trial)
    ys = np.array([net.final_outputs(arch, q, train["x"][:, :1], train["lengths"][:1], np.zeros(1, int))[0]
                   for q in nets])
    return {f"g{g}_film_outputs": ys, f"g{g}_film_trial": np.array(frames),
            f"g{g}_film_target": train["target"][0]}


def build_parser():
    parser = cli.make_parser(__doc__, __file__)
    parser.add_argument("--runs", type=cli.int_range(2, 1000), default=DEFAULTS["runs"],
                        help="independent RG runs per grammar (each its own weight stream)")
    parser.add_argument("--hidden", type=cli.int_range(1, 20), default=DEFAULTS["hidden"],
                        help="hidden units n of the A1 net the runs guess")
    parser.add_argument("--max-trials", type=cli.int_range(1, 10**8), default=DEFAULTS["max_trials"],
                        help="guesses per run before it counts as unsolved")
    parser.add_argument("--test-len", type=cli.int_range(2, 16), default=DEFAULTS["test_len"],
                        help="test on every string of length 1..test-len that is not a training string")
    parser.add_argument("--long-max", type=cli.int_range(3, 500), default=DEFAULTS["long_max"],
                        help="longest string of the second test set (lengths test-len+1..long-max)")
    parser.add_argument("--long-per-len", type=cli.int_range(1, 1000), default=DEFAULTS["long_per_len"],
                        help="accepted #4 strings per length in the second test set")
    parser.add_argument("--sweep-draws", type=cli.int_range(1, 10**8), default=DEFAULTS["sweep_draws"],
                        help="guesses per architecture in the sweep on Tomita #4")
    parser.add_argument("--sweep-draws-easy", type=cli.int_range(1, 10**8),
                        default=DEFAULTS["sweep_draws_easy"],
                        help="guesses per architecture in the sweep on Tomita #1 and #2")
    parser.add_argument("--lyap-len", type=cli.int_range(30, 10_000), default=DEFAULTS["lyap_len"],
                        help="symbols of the strings the Lyapunov exponents are taken along")
    parser.add_argument("--block", type=cli.int_range(1, 65536), default=DEFAULTS["block"],
                        help="guesses per run evaluated in one numpy call (speed only)")
    return parser


if __name__ == "__main__":
    cli.run(main, build_parser())
