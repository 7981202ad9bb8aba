"""Random weight guessing on the parity problem (Hochreiter & Schmidhuber 1996; Schmidhuber,
Hochreiter & Bengio 2001, "Evaluating benchmark problems by random guessing").

Sequences of 500-600 inputs, each +1 or -1, are classified by whether the number of +1s is odd
(target 1.0) or even (target 0.0), read from a sigmoid output unit at the sequence's end. Random
guessing (RG, family core ``shared/random_guess``): REPEAT draw every free weight uniformly in
[-100, 100] UNTIL the output is within 0.1 of the target on all 100 training sequences (50 odd,
50 even); then test on 100 new ones. Four settings, 30 independent runs each (own training set,
own weight stream), all units logistic sigmoids, activations reset to 0 per sequence:

    A1 n=1            fully recurrent: 1 hidden + 1 output unit, hidden bias     (paper:  2,906 trials)
    A2 n=10           hidden i <- input, output, itself; output <- all hidden   (paper:  2,797)
    A2 no self-loops  as A2 without the hidden self-connections                 (paper:    250)
    A1 n=1, noisy     uniform noise in [-0.2, 0.2] added to every input          (paper: 41,400)

    s_t = f(W s_{t-1} + V x_t + b),  f = sigmoid,  output = s_T[-1]

The noisy setting's runs stop at --max-trials-noise (default 8,000, a fifth of the paper's mean,
to keep the headline inside the time budget); its mean is then estimated as 1/p from all draws
(the geometric maximum-likelihood estimate with censored runs). The Lyapunov fingerprint of the
solver nets uses J_t = ds_t / ds_{t-1} (``shared.random_guess.net.jacobian``). RG has no
gradient, so ``--gradcheck`` reports an empty check.

    python3 rs_parity.py --seed 0          # headline
    python3 rs_parity.py --quick           # smoke test, seconds
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401  (pins BLAS to one thread before numpy loads)

import numpy as np

from shared import cli
from shared.lyapunov import qr_spectrum
from shared.random_guess import PAPER, net
from shared.random_guess.search import search, trial_stats
from shared.random_guess.verdicts import trial_rate_verdict
from shared.results import finish_run, headline_row, record
from shared.rng import streams

TASKS = ("a1", "a2", "a2noself", "a1noise")
LABEL = {"a1": "A1 n=1", "a2": "A2 n=10", "a2noself": "A2 n=10 without self-loops",
         "a1noise": "A1 n=1, noisy inputs"}
# the paper's mean trials, read in the 2001 text's section "Parity problem"
PAPER_TRIALS = {"a1": 2906, "a2": 2797, "a2noself": 250, "a1noise": 41400}
DEFAULTS = dict(runs=30, n_train=100, n_test=100, t_min=500, t_max=600, noise=0.2,
                max_trials=30_000, max_trials_noise=8_000, block=256)
QUICK = dict(runs=3, n_train=16, n_test=16, t_min=30, t_max=40, max_trials=3000, max_trials_noise=300,
             block=64)


# ---------------------------------------------------------------- data

def make_sets(rng, runs, n, t_min, t_max, noise):
    """Per run n sequences of +-1 inputs, odd and even alternating (odd first), plus uniform noise
    in [-noise, noise] on every element (noise = 0: none): x (T, R, n, 1) zero-padded, lengths
    (R, n), cls (R, n) (0 = odd), target (R, n) (1.0 odd, 0.0 even).

    The bits are uniform; the last bit of a sequence whose parity is not the wanted one is
    flipped, which leaves every bit uniform and only fixes the class balance at 50/50."""
    lengths = rng.integers(t_min, t_max + 1, size=(runs, n))
    T = int(lengths.max())
    bits = rng.integers(0, 2, size=(T, runs, n))
    pad = np.arange(T)[:, None, None] >= lengths[None]
    bits[pad] = 0
    cls = np.broadcast_to(np.arange(n) % 2, (runs, n)).copy()
    odd = bits.sum(axis=0) % 2 == 1
    flip = odd != (cls == 0)
    r, i = np.nonzero(flip)
    bits[lengths[r, i] - 1, r, i] ^= 1
    x = np.where(bits == 1, 1.0, -1.0)
    if noise > 0:
        x = x + rng.uniform(-noise, noise, size=x.shape)
    x[pad] = 0.0
    return {"x": x[..., None], "lengths": lengths, "cls": cls, "target": np.where(cls == 0, 1.0, 0.0)}


def arch_of(task):
    return {"a1": net.a1(1), "a1noise": net.a1(1), "a2": net.a2(10),
            "a2noself": net.a2(10, self_loops=False)}[task]


def sets_of(task, cfg, seed):
    rs = streams(seed, [f"{task}_train", f"{task}_test", f"{task}_guess", f"{task}_bootstrap"])
    noise = cfg["noise"] if task == "a1noise" else 0.0
    train = make_sets(rs[f"{task}_train"], cfg["runs"], cfg["n_train"], cfg["t_min"], cfg["t_max"], noise)
    test = make_sets(rs[f"{task}_test"], cfg["runs"], cfg["n_test"], cfg["t_min"], cfg["t_max"], noise)
    return rs, train, test


# ---------------------------------------------------------------- RG runs

def run_task(task, cfg, seed):
    """RG over cfg['runs'] runs of one architecture: trial statistics, test accuracy, solvers."""
    rs, train, test = sets_of(task, cfg, seed)
    arch = arch_of(task)
    cap = cfg["max_trials_noise"] if task == "a1noise" else cfg["max_trials"]
    seen = []

    def progress(d, r, n):
        if not seen or d != seen[-1] or len(seen) % 25 == 0:
            print(f"  {LABEL[task]:28s} solved {d:3d}/{r}  draws {n:10,d}")
        seen.append(d)
    res = search(arch, train, rs[f"{task}_guess"].spawn(cfg["runs"]), cap, block=cfg["block"],
                 on_block=progress)
    stats = trial_stats(res["trials"], res["solved"], cap, rs[f"{task}_bootstrap"])
    stats.update(max_trials=cap, test_accuracy=test_accuracy(arch, res, test))
    return dict(arch=arch, res=res, stats=stats, test=test)


def solver_params(res):
    runs = np.flatnonzero(res["solved"])
    return runs, {k: np.stack([res["solvers"][r][k] for r in runs]) for k in res["solvers"][runs[0]]}


def test_accuracy(arch, res, test):
    """Mean over solved runs of the solver's fraction of its run's test sequences within 0.1."""
    if not res["solved"].any():
        return None
    runs, params = solver_params(res)
    idx = np.arange(test["target"].shape[1])
    return float(net.correct(arch, params, test, idx, runs).mean())


# ---------------------------------------------------------------- Lyapunov fingerprint

def lyapunov_of(out, n_steps=500, n_transient=20):
    """Top exponent of each solver along its run's first two test sequences (one per class):
    (R_solved, 2), and the output unit along them (R_solved, 2, n_steps)."""
    arch, res, test = out["arch"], out["res"], out["test"]
    if not res["solved"].any():
        return None, None
    runs, params = solver_params(res)
    S, P = [], []
    for j, r in enumerate(runs):
        for i in (0, 1):
            x = test["x"][:n_steps, r, i]
            s, pre = net.states(arch, params["W"][j], params["V"][j], params["b"][j], x)
            S.append(s[:, -1])
            P.append(pre)
    P = np.array(P)                                              # (2R, T, U)
    J = net.jacobian(arch, np.repeat(params["W"], 2, axis=0)[:, None], P)     # (2R, T, U, U)
    lam = qr_spectrum(J.transpose(1, 0, 2, 3), k=1, n_transient=n_transient)  # (2R, 1)
    return lam[:, 0].reshape(len(runs), 2), np.array(S).reshape(len(runs), 2, -1)


# ---------------------------------------------------------------- verdicts

def headline_rows(out):
    rows = []
    for task in TASKS:
        st, paper = out[task]["stats"], PAPER_TRIALS[task]
        if task == "a1noise":
            v = trial_rate_verdict(st["one_over_p"], st["solved"], paper, st["max_trials"])
            value = (f"1/p = {st['one_over_p']:,.0f} trials ({st['solved']}/{st['runs']} runs solved "
                     f"within {st['max_trials']:,} each)" if st["one_over_p"] else
                     f"0/{st['runs']} runs solved within {st['max_trials']:,} each")
            nums = [{"value": st["one_over_p"] or 0}]
        else:
            mean = st.get("mean")
            v = trial_rate_verdict(st["one_over_p"], st["solved"], paper, st["max_trials"])
            med = st.get("median") or 0
            med = f"{med:,.0f}" if med == int(med) else f"{med:,.1f}"
            value = (f"mean {mean:,.1f} trials (median {med}, 95% CI {st['ci95'][0]:,.0f}-"
                     f"{st['ci95'][1]:,.0f}), {st['solved']}/{st['runs']} runs"
                     if st.get("ci95") else f"{st['solved']}/{st['runs']} runs solved")
            nums = [{"value": mean if mean is not None else st["solved"]}]
        note = (f"per-draw success p = {st['p_success']:.3g}; " if st["p_success"] else "no solver; ")
        acc = st["test_accuracy"]
        note += f"solvers' test accuracy {acc:.3f}" if acc is not None else "no solver to test"
        rows.append(headline_row(f"RG trials to solve parity, {LABEL[task]}", value,
                                 f"{paper:,} trials (mean)", v, note, numbers=nums))
    return rows


# ---------------------------------------------------------------- main

def resolve(args):
    cli.quick(args, **QUICK)
    cfg = {k: getattr(args, k) for k in DEFAULTS}
    if cfg["t_min"] > cfg["t_max"]:
        raise cli.StubError(f"--t-min {cfg['t_min']} exceeds --t-max {cfg['t_max']}")
    return cfg


def main(args):
    timer = cli.Timer()
    cfg = resolve(args)
    print(f"RG, weights U[-100, 100], sigmoid units; {cfg['runs']} runs per architecture; "
          f"{cfg['n_train']} train / {cfg['n_test']} test sequences of length {cfg['t_min']}-{cfg['t_max']}")
    out, arrays, timing, lyap = {}, {}, {}, {}
    for task in TASKS:
        t0 = timer()
        out[task] = run_task(task, cfg, args.seed)
        lam, S = lyapunov_of(out[task])
        timing[f"{task}_s"] = timer() - t0
        st = out[task]["stats"]
        arrays[f"{task}_trials"] = out[task]["res"]["trials"]
        arrays[f"{task}_solved"] = out[task]["res"]["solved"]
        if lam is not None:
            st["lyapunov_top"] = dict(median=float(np.median(lam)), min=float(lam.min()),
                                      max=float(lam.max()))
            lyap[LABEL[task]] = [float(np.median(lam))]
            arrays[f"{task}_lyap"] = lam
            arrays[f"{task}_outputs"] = S
        print(f"{LABEL[task]}: {st}")
    arrays.update(guessing_film(cfg, args.seed, out["a2noself"]["res"]))
    metrics = {task: out[task]["stats"] for task in TASKS}
    metrics["timing"] = timing
    lyap_rec = {"method": "shared.lyapunov.qr_spectrum on J_t = ds_t/ds_{t-1} (layered update) of each "
                          "solver net "
                          "along its run's first test sequence of each class (500 steps, 20 alignment "
                          "steps), top exponent; median over solver nets and both sequences; f' floored "
                          "at 1e-150", "exponents": lyap}
    rec = record(args, __file__, title="Random weight guessing on the parity problem", paper=PAPER,
                 config=cfg, metrics=metrics, headline=headline_rows(out), lyapunov=lyap_rec or None)
    finish_run(args.out, rec, arrays, timer)


def guessing_film(cfg, seed, result, n_guesses=19):
    """For the GIF: run 0's first guessed A2-without-self-loops nets (the stream the search drew
    from) and then its solver, on 4 of its training sequences: outputs (frames, 4, T), whether each
    fits all training sequences, its trial number, the targets and the input bits (T, 4)."""
    rs, train, _ = sets_of("a2noself", cfg, seed)
    arch = arch_of("a2noself")
    T = min(int(train["lengths"][0, :4].min()), 60)            # the first 60 steps are readable
    xs = train["x"][:T, 0, :4]                                  # (T, 4, 1)
    ys, fits, frames = net.guess_film(arch, rs["a2noself_guess"].spawn(cfg["runs"])[0],
                                      result, xs, n_guesses)
    return {"film_outputs": ys, "film_fits": fits, "film_trial": frames, "film_inputs": xs[..., 0]}


def build_parser():
    parser = cli.make_parser(__doc__, __file__)
    parser.add_argument("--runs", type=cli.int_range(2, 1000), default=DEFAULTS["runs"],
                        help="independent RG runs per architecture (each its own training set and weights)")
    parser.add_argument("--n-train", type=cli.int_range(4, 1000), default=DEFAULTS["n_train"],
                        help="training sequences per run (half odd, half even)")
    parser.add_argument("--n-test", type=cli.int_range(2, 1000), default=DEFAULTS["n_test"],
                        help="test sequences per run")
    parser.add_argument("--t-min", type=cli.int_range(2, 5000), default=DEFAULTS["t_min"],
                        help="shortest sequence")
    parser.add_argument("--t-max", type=cli.int_range(2, 5000), default=DEFAULTS["t_max"],
                        help="longest sequence")
    parser.add_argument("--noise", type=cli.float_range(0.0, 1.0), default=DEFAULTS["noise"],
                        help="noisy setting: uniform noise in [-noise, noise] on every input")
    parser.add_argument("--max-trials", type=cli.int_range(1, 10**6), default=DEFAULTS["max_trials"],
                        help="guesses per run before it counts as unsolved (noise-free settings)")
    parser.add_argument("--max-trials-noise", type=cli.int_range(1, 10**6),
                        default=DEFAULTS["max_trials_noise"],
                        help="guesses per run in the noisy setting (its mean is then estimated as 1/p)")
    parser.add_argument("--block", type=cli.int_range(1, 8192), default=DEFAULTS["block"],
                        help="guesses per run evaluated in one numpy call (speed only)")
    return parser


if __name__ == "__main__":
    cli.run(main, build_parser())
