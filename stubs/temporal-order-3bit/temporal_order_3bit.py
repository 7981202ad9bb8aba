"""Temporal order, two relevant symbols: Hochreiter & Schmidhuber (1997), LSTM, Experiment 6a.

Neural Computation 9(8):1735-1780, Section 5.6, Task 6a.

Task (the paper's own). Eight symbols, one local input unit each: E, B, a, b, c, d, X, Y. A
sequence starts with E and ends with the trigger B; every other element is drawn from
{a, b, c, d}, except at two random positions t1 in [10, 20] and t2 in [50, 60], which hold X or Y.
Length is uniform in [100, 110]. The class is the ordered pair: Q = XX, R = XY, S = YX, U = YY,
one logistic output unit each (local targets 1/0), squared error at the last step only. A
sequence is correct when every output's final absolute error is below 0.3.

Net (the paper's): 2 memory blocks of 2 cells, shared input and output gate per block, no forget
gate: the 1997 cell of the family core shared/lstm1997 (cell.py: forward, truncated gradient,
BPTT, Jacobians; nets.py: the whole net with its output layer of output.py; online.py: the
lock-step online training loop). Every cell and gate sees the 8 inputs, all 8 cells and gates of
step t-1 and a bias; this stub's output layer is 4 logistic units on the 4 cells and a bias:
8 * (8 + 8 + 1) + 4 * (4 + 1) = 156 weights.

    u(t) = [x(t), r(t-1), 1]       r = [y_in (2), y_c (4), y_out (2)]
    y_in = sigma(net_in), y_out = sigma(net_out)        (one per block)
    s_c(t) = s_c(t-1) + y_in(t) g(net_c(t))             g = 4 sigma - 2, range [-2, 2]
    y_c(t) = y_out(t) h(s_c(t))                         h = 2 sigma - 1, range [-1, 1]
    y_k = sigma(sum_c v_kc y_c(last) + b_k)             k = Q, R, S, U

Learning (the paper's): the truncated gradient of Appendix A.1 (error flows back in time only
through the cell states s), online, one update per sequence, learning rate 0.5, no momentum, no
clipping. Stop (ST3(0.1)): mean training error over the last 2000 sequences below 0.1 and all of
them correct. Test on 2560 fresh sequences.

Baseline (the project's addition; the paper ran none on this task): a vanilla tanh RNN of 8
units (172 weights), exact BPTT, per-sequence Adam, same budget. ``--setting catalog`` runs the
earlier catalog's easier task and training (temporal_order_3bit_catalog.py).

    python3 temporal_order_3bit.py --seed 0     # headline: 10 seeds of each model at once
    python3 temporal_order_3bit.py --quick      # seconds; what the tests run

Arrays are time-major: x (L, S, N, 8) = (time, seed ensemble, sequences per seed, symbol).
Columns of W (S, 17, 8): [input gates (2) | cell inputs (4) | output gates (2)], the catalog's
i, g, o order with no forget gate; rows [x(t) (8), r(t-1) (8), 1]. V (S, 4, 5): rows Q, R, S, U.
"""
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
import shared  # noqa: F401  (pins BLAS to one thread before numpy loads)

import numpy as np

from shared import cli
from shared.ensemble import per_seed
from shared.lstm1997 import cell, nets, online
from shared.optim import Adam
from shared.results import finish_run, record
from shared.rng import streams

PAPER = ("S. Hochreiter and J. Schmidhuber, Long Short-Term Memory, Neural Computation 9(8):1735-1780, "
         "1997, Section 5.6, Experiment 6a (temporal order)")
CATALOG = "temporal_order_3bit_catalog"      # the earlier catalog's setting, its own file (loaded on demand)
SYMBOLS = "EBabcdXY"                     # one local input unit per symbol
E, B_, X, Y = 0, 1, 6, 7
CLASSES = ("Q (XX)", "R (XY)", "S (YX)", "U (YY)")
NX, NK = 8, 4                            # input units, output units
PAPER_SEQS = 31_390                      # Table 9: mean sequences until ST3(0.1), 20 trials
PAPER_WRONG = 1                          # Table 9: wrong test sequences out of 2560
WINDOW, MAX_MEAN_ERR, TOL = 2000, 0.1, 0.3


# ----------------------------------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------------------------------
def positions(T):
    """(t1 range, t2 range), inclusive, for minimal length T: [10, 20] and [50, 60] at T = 100."""
    return (T // 10, T // 5), (T // 2, 3 * T // 5)


def temporal_order_batch(rng, shape, T=100):
    """Sequences of Task 6a, padded with zeros to the longest possible length T + T/10.

    shape = (S, N). Returns x (L_max, S, N, 8) one-hot, target (S, N, 4) local, label (S, N) in
    0..3 (Q, R, S, U), length (S, N) in [T, T + T/10], pos (S, N, 2) = (t1, t2), 0-based indices
    (E sits at index 0, B at index length - 1).
    """
    S, N = shape
    L_max = T + T // 10
    (a1, b1), (a2, b2) = positions(T)
    length = rng.integers(T, L_max + 1, size=shape)
    sym = rng.integers(2, 6, size=(L_max, S, N))                    # a, b, c, d everywhere ...
    t1 = rng.integers(a1, b1 + 1, size=shape)
    t2 = rng.integers(a2, b2 + 1, size=shape)
    first, second = rng.integers(0, 2, size=shape), rng.integers(0, 2, size=shape)   # 0 = X, 1 = Y
    si, ni = np.indices(shape)
    sym[t1, si, ni] = X + first                                      # ... except at t1 and t2
    sym[t2, si, ni] = X + second
    sym[0] = E
    sym[length - 1, si, ni] = B_
    x = np.eye(NX)[sym]
    x *= (np.arange(L_max)[:, None, None] < length)[..., None]      # zero padding after B
    label = 2 * first + second                                       # XX, XY, YX, YY -> 0..3
    return x, np.eye(NK)[label], label, length, np.stack([t1, t2], axis=-1)


# ----------------------------------------------------------------------------------------------
# The nets (shared/lstm1997): the 1997 LSTM, 2 memory blocks of 2 cells, and a vanilla tanh RNN
# (the project's baseline; exact BPTT), each with this stub's 4 logistic outputs on [y_c(last), 1]
# (sigma through tanh); the LSTM runs the core's per-seed forward pass.
# ----------------------------------------------------------------------------------------------
LSTM = nets.BlocksNet(cell.Blocks(n_in=NX, n_blocks=2, block_size=2), n_out=NK)   # W (S, 17, 8), V (S, 4, 5)
I_, O_ = LSTM.blocks.i_sl, LSTM.blocks.o_sl            # the input and output gates' columns of W
NH = 8                                                 # the RNN's units: 8 * 17 + 4 * 9 = 172 weights
RNN = nets.TanhNet(n_in=NX, n_hidden=NH, n_out=NK)
MODELS = {"lstm1997": LSTM, "rnn": RNN}


def init_lstm(rng, S):
    """Weights U[-0.1, 0.1]; input-gate biases -2, -4 (Table 10); output-gate biases random."""
    return LSTM.init(rng, S, scale=0.1, in_bias=[-2.0, -4.0])


INITS = {"lstm1997": init_lstm, "rnn": RNN.init}


# ----------------------------------------------------------------------------------------------
# Training: the paper's online regime, S seeds in lock-step (one sequence per seed per update)
# ----------------------------------------------------------------------------------------------
def train_online(kind, S, T, max_sequences, rng_init, rng_data, probe=None, n_snaps=40, log_every=5000,
                 timer=None, lr=0.5, window=WINDOW):
    """Train S nets of one kind until each meets ST3(0.1) or the cap is reached
    (shared/lstm1997/online.py).

    LSTM: the truncated gradient, w <- w - lr dE/dw after every sequence (E = 1/2 sum_k err_k^2).
    RNN: exact BPTT, per-sequence Adam (lr 1e-3, clip 1 per seed). A seed that met ST3 is frozen.
    Returns params, stop counts (S,) (-1 = not stopped), a learning curve and (LSTM) snapshots of
    seed 0's cell states on the probe sequences.
    """
    p = INITS[kind](rng_init, S)
    opt = Adam(p, lr=1e-3, clip=1.0, per_member=True) if kind == "rnn" else None
    # ST3(0.1): last `window` sequences all correct (every |err_k| < 0.3), their mean sum_k err_k^2 < 0.1
    rule = online.ST3Rule(S, window, MAX_MEAN_ERR, TOL)
    curve_n, curve_err = [], []

    def log(k):
        filled = rule.st3.filled()
        curve_n.append(k + 1)
        curve_err.append(filled.mean(axis=1))
        print(f"  {kind:8s} seq {k + 1:7d}  mean err (last {window}) {filled.mean():.4f}  "
              f"stopped {int((~rule.active).sum())}/{S}  "
              f"{cli.progress(k + 1, max_sequences, timer() if timer else 0)}", flush=True)

    def draw(n):
        x, target, _, length, _ = temporal_order_batch(rng_data, (S, n), T)
        return x, target, length
    out = online.train(MODELS[kind], p, draw, rule, max_sequences, lr=lr, opt=opt, name=kind,
                       snapshot=online.probe_net0(MODELS[kind], probe), n_snaps=n_snaps, log=log,
                       log_every=log_every)
    out.update(stopped_at=rule.st3.stopped_at, curve_n=np.array(curve_n), curve_err=np.array(curve_err))
    return out


# ----------------------------------------------------------------------------------------------
# Evaluation
# ----------------------------------------------------------------------------------------------
def evaluate(kind, p, x, target, length, chunk=256):
    """Largest absolute output error per test sequence, and the outputs. x (L, 1, N, 8) shared
    by the S seeds. Returns err (S, N), y (S, N, 4)."""
    y = nets.last_outputs(MODELS[kind], p, x, length, chunk)
    return np.abs(y - target).max(axis=-1), y


# ----------------------------------------------------------------------------------------------
# Gradient checks (float64; --gradcheck and the tests)
# ----------------------------------------------------------------------------------------------
def gradient_checks(args=None):
    """Exact BPTT (LSTM, RNN) vs central differences with Richardson extrapolation on short dense
    random sequences; the truncated gradient's closed form vs the step-by-step truncated BPTT and
    vs complex-step derivatives of the frozen-activation pass (the truncation's definition) on the
    task's own (short) sequences, lengths differing within the batch; the earlier catalog's nets
    (its file)."""
    catalog = cli.load_sibling(__file__, CATALOG, globals())
    rng = np.random.default_rng(0)
    S, N = 2, 3
    x, target, last = nets.check_batch(rng, NX, NK)      # (5, S, N, n_in), one ending early
    errs = {}
    for kind, net in MODELS.items():
        # dense weights, no gate held closed by its bias: finite differences stay accurate there
        p = {n: rng.uniform(-1.0, 1.0, size=v.shape) for n, v in INITS[kind](rng, S).items()}
        errs.update(nets.check_exact(kind, net, p, x, target, last))
    xs, ts, _, lens, _ = temporal_order_batch(rng, (S, 4), 24)
    p = init_lstm(rng, S)
    errs.update(nets.check_truncation("lstm1997", LSTM, p, xs, ts, lens - 1, rng))
    errs.update(catalog.gradient_checks(rng, S, N))
    return errs


# ----------------------------------------------------------------------------------------------
# Headline run
# ----------------------------------------------------------------------------------------------
TITLES = {"paper": "Temporal order, two relevant symbols (LSTM 1997, Experiment 6a)",
          "catalog": "Temporal order, two relevant symbols: the earlier catalog's setting"}
STREAMS = ["init_lstm1997", "init_rnn", "data"]          # both kinds see the same data stream


def paper_config(args):
    """The resolved configuration of the paper setting (quick sizes only where no flag was given)."""
    cli.quick(args, T=24, n_seeds=2, max_sequences=300)
    q, T = args.quick, args.T
    return {"T": T, "lengths": [T, T + T // 10], "t1_range": list(positions(T)[0]),
            "t2_range": list(positions(T)[1]), "n_seeds": args.n_seeds, "max_sequences": args.max_sequences,
            "lr": args.lr, "window": 50 if q else WINDOW, "max_mean_err": MAX_MEAN_ERR, "tol": TOL,
            "n_test": 64 if q else 2560, "n_lyap": 8 if q else 64, "n_snaps": 5 if q else 40,
            "log_every": 100 if q else 5000,
            "weights": {k: MODELS[k].n_weights() for k in MODELS},
            "lstm_init": "U[-0.1, 0.1]; input-gate biases -2, -4; output-gate biases random",
            "rnn_optimizer": "Adam lr 1e-3, clip 1 per seed, per-sequence updates, exact BPTT",
            "error": "per sequence sum over the 4 outputs of squared errors; correct if all |err| < 0.3"}


def lyapunov_window(T):
    """Steps [t0, t1): after t2, before the trigger B."""
    return positions(T)[1][1] + 1, T - 1


def kind_metrics(kind, tr, cfg, test):
    """Test one kind's trained nets and take their Lyapunov spectra. Returns metrics, exponents
    (S, n, k) and the arrays to save."""
    x_te, y_te, lab_te, len_te, _ = test
    err, y = evaluate(kind, tr["params"], x_te, y_te, len_te)
    wrong = (err >= TOL).sum(axis=1)
    ex = nets.spectrum(MODELS[kind], tr["params"], x_te[:, :, :cfg["n_lyap"]], *lyapunov_window(cfg["T"]),
                       n_transient=5)
    st = tr["stopped_at"]
    ok = st >= 0
    metrics = {
        "weights": cfg["weights"][kind], "stopped_at": st.tolist(), "n_stopped": int(ok.sum()),
        "mean_sequences_to_stop": float(st[ok].mean()) if ok.any() else None,
        "sequences_trained": int(tr["n_trained"]), "wrong_of_test": wrong.tolist(),
        "mean_wrong_all_seeds": float(wrong.mean()),
        "mean_wrong_stopped": float(wrong[ok].mean()) if ok.any() else None,
        "class_accuracy": float((y.argmax(-1) == lab_te).mean()),
        "train_err_last_window_at_end": tr["curve_err"][-1].tolist()}
    arrays = {f"{kind}_curve_n": tr["curve_n"], f"{kind}_curve_err": tr["curve_err"],
              f"{kind}_stopped_at": st, f"{kind}_test_err": err, f"{kind}_lyap": ex,
              f"{kind}_snap_n": tr["snap_n"], f"{kind}_snap_state": tr["snap_state"],
              f"{kind}_snap_y": tr["snap_y"]}
    return metrics, ex, arrays


def gate_openings(p, cfg, test, probe, pick):
    """Where the trained input gates open: at t1, at t2, elsewhere (64 test sequences, every
    seed); and every seed's cell states and gates along the probe sequences (for the figures)."""
    x_te, _, lab_te, len_te, pos_te = test
    S = cfg["n_seeds"]
    c = LSTM.forward(p, per_seed(probe[0], S))
    arrays = {"probe_x": probe[0][:, 0], "probe_len": probe[1][0] + 1, "probe_pos": pos_te[0, pick],
              "probe_label": lab_te[0, pick], "lstm1997_probe_s": c["s"][1:],
              "lstm1997_probe_act": c["act"]}                                       # every seed
    n_g = min(64, cfg["n_test"])
    xg = np.ascontiguousarray(np.broadcast_to(x_te[:, :, :n_g], (x_te.shape[0], S, n_g, NX)))
    yi = LSTM.forward(p, xg)["act"][..., I_]                                        # (L, S, n_g, 2)
    tt = np.arange(x_te.shape[0])[:, None]
    at1, at2 = tt == pos_te[0, :n_g, 0], tt == pos_te[0, :n_g, 1]                 # (L, n_g)
    other = (tt > 0) & (tt < len_te[0, :n_g] - 1) & ~at1 & ~at2
    gate = {name: ((yi * mask[:, None, :, None]).sum(axis=(0, 2)) / mask.sum()).tolist()   # (S, 2 blocks)
            for name, mask in (("at_t1", at1), ("at_t2", at2), ("elsewhere", other))}
    return gate, arrays


def verdict_wrong(mw, n_test):
    """Wrong test sequences: yes at most 3 of 2560 (scaled to n_test), partial below 10% wrong."""
    return "yes" if mw <= 3 * n_test / 2560 else ("partial" if mw < 0.1 * n_test else "no")


def verdict_rnn_fails(mw, n_test):
    """The paper's claim for gradient-trained RNNs: most test sequences wrong."""
    return "yes" if mw > 0.5 * n_test else "no"


def paper_headline(m, r, cfg):
    """The rows of Table 9 (Task 6a) the run can be held against, and the RNN baseline."""
    T, S, cap, n_test = cfg["T"], cfg["n_seeds"], cfg["max_sequences"], cfg["n_test"]
    n_st, mean_seq, mw = m["n_stopped"], m["mean_sequences_to_stop"], m["mean_wrong_all_seeds"]
    return [
        {"name": f"nets meeting ST3(0.1) within the cap (T = {T})", "value": f"{n_st}/{S}",
         "paper_value": "20/20", "verdict": online.verdict_all_met(n_st, S),
         "note": f"1997 net, 156 weights, truncated gradient, online lr {cfg['lr']}; cap {cap:,} sequences"},
        {"name": "sequences until ST3, mean over the nets that met it",
         "value": mean_seq if mean_seq is not None else f"none within {cap:,}", "paper_value": PAPER_SEQS,
         "verdict": online.verdict_sequences(mean_seq, n_st, S, PAPER_SEQS),
         "note": "paper: mean of 20 trials (Table 9)"},
        {"name": f"wrong test sequences out of {n_test}, mean over all nets", "value": mw,
         "paper_value": PAPER_WRONG, "verdict": verdict_wrong(mw, n_test),
         "note": "correct: every output's |error| < 0.3; answering 0.25 everywhere gets all wrong"},
        {"name": f"vanilla tanh RNN (project's addition), same budget: wrong out of {n_test}",
         "value": r["mean_wrong_all_seeds"], "paper_value": None,
         "verdict": verdict_rnn_fails(r["mean_wrong_all_seeds"], n_test),
         "note": "the paper's claim that gradient-trained RNNs fail at long lags; exact BPTT, Adam"},
    ]


def lyapunov_record(cfg, lyap, lyap_sd):
    t0, t1 = lyapunov_window(cfg["T"])
    return {"method": (f"QR iteration of the full state Jacobian along {cfg['n_lyap']} test sequences "
                       f"per seed over steps [{t0}, {t1}) (after t2, before the trigger), 5 alignment "
                       "steps, exponents per step (floored at -50), mean over seeds and sequences"),
            "exponents": lyap, "sd_over_seeds": lyap_sd,
            "state": {"lstm1997": "s (4) + 8 unit activations", "rnn": "h (8)"}}


def run_paper(args, timer):
    cfg = paper_config(args)
    T, S = cfg["T"], cfg["n_seeds"]
    print(f"temporal order (Exp. 6a): T={T}, {S} seeds per model at once, cap {cfg['max_sequences']:,} "
          f"sequences, weights {cfg['weights']}")
    test = temporal_order_batch(streams(args.seed, ["eval"])["eval"], (1, cfg["n_test"]), T)
    x_te, _, lab_te, len_te, _ = test
    pick = [int(np.flatnonzero(lab_te[0] == c)[0]) if (lab_te[0] == c).any() else 0 for c in range(NK)]
    probe = (x_te[:, :, pick], len_te[:, pick] - 1)                    # one test sequence per class
    trained = online.train_kinds(train_online, MODELS, args.seed, cfg, probe, STREAMS, args.workers,
                                  window=cfg["window"])
    metrics, lyap, lyap_sd, arrays = {}, {}, {}, {}
    for kind in MODELS:
        metrics[kind], ex, kind_arrays = kind_metrics(kind, trained[kind], cfg, test)
        arrays.update(kind_arrays)
        lyap[kind] = np.sort(ex.mean(axis=(0, 1)))[::-1].tolist()
        lyap_sd[kind] = ex.mean(axis=1).std(axis=0).tolist()
        m = metrics[kind]
        print(f"  {kind:8s} stopped {m['n_stopped']}/{S}  wrong/{cfg['n_test']} per seed "
              f"{m['wrong_of_test']}  lambda_1..3 {np.round(lyap[kind][:3], 4).tolist()}  {timer():.1f}s")
    gate, probe_arrays = gate_openings(trained["lstm1997"]["params"], cfg, test, probe, pick)
    arrays.update(probe_arrays)
    metrics["lstm1997"]["input_gate_mean"] = gate
    headline = paper_headline(metrics["lstm1997"], metrics["rnn"], cfg)
    metrics["timing"] = {"train_wall_s": {k: trained[k]["wall_s"] for k in MODELS}, "workers": args.workers}
    return cfg, metrics, headline, lyapunov_record(cfg, lyap, lyap_sd), arrays


def main(args):
    timer = cli.Timer()
    check_sizes(args)
    run = run_paper if args.setting == "paper" else cli.load_sibling(__file__, CATALOG, globals()).catalog_run
    cfg, metrics, headline, lyapunov, arrays = run(args, timer)
    finish_run(args.out, record(args, __file__, title=TITLES[args.setting], paper=PAPER, config=cfg,
                                metrics=metrics, headline=headline, lyapunov=lyapunov), arrays, timer)


def check_sizes(args):
    """The paper setting's shortest sequences (the flags' other bounds are in the parser)."""
    if args.setting == "paper" and args.T < 20:
        raise cli.StubError(f"--T must be at least 20 (t1 in [T/10, T/5] must follow E), got {args.T}")


def build_parser():
    parser = cli.make_parser(__doc__, __file__, settings={
        "paper": "Exp. 6a as published (the headline)",
        "catalog": "the earlier catalog's easier task and training, for the speed comparison"})
    parser.add_argument("--T", type=cli.int_range(1, 1000), default=100,
                        help="minimal sequence length (paper: 100; t1, t2 and lengths scale with it; "
                             "20 to 1000)")
    parser.add_argument("--n-seeds", type=cli.int_range(1, 100), default=10,
                        help="nets of each kind trained at once on a leading seed axis (at most 100)")
    parser.add_argument("--max-sequences", type=cli.int_range(1, 10_000_000), default=80_000,
                        help="cap on training sequences per seed (the paper's mean is 31,390)")
    parser.add_argument("--lr", type=cli.float_range(0, 100), default=0.5,
                        help="learning rate of the LSTM's online gradient descent (paper: 0.5; at most 100)")
    parser.add_argument("--workers", type=cli.int_range(1, 8), default=2,
                        help="processes training the two model kinds side by side (1 = one after the other; "
                             "at most 8)")
    # the stub's own flags each setting reads (any other given flag is refused in one line)
    cli.setting_flags(parser, {
        "paper": ["T", "lr", "max_sequences", "n_seeds", "workers"],
        "catalog": ["n_seeds"]})
    return parser


if __name__ == "__main__":
    np.seterr(over="ignore", invalid="ignore")
    cli.run(main, build_parser(), gradcheck=gradient_checks)
