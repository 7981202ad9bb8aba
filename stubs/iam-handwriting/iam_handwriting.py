"""BLSTM + CTC recognition of online pen trajectories of words, with dictionary decoding.

A. Graves, M. Liwicki, S. Fernandez, R. Bertolami, H. Bunke & J. Schmidhuber, "A novel connectionist
system for unconstrained handwriting recognition", IEEE TPAMI 31(5):855-868, 2009.

The paper reads the pen trajectory of a handwritten line (IAM-OnDB) with a bidirectional LSTM whose
softmax outputs are the letters plus a blank, trains it with Connectionist Temporal Classification
on the unsegmented transcription, and decodes the outputs with token passing over a word
dictionary (plus a bigram language model). IAM-OnDB needs registration and cannot ship, so the
trajectories here are synthetic (font contours, not natural handwriting):

    data     every lowercase word of words.txt (822 common English words) is rendered from
             matplotlib's bundled DejaVu Sans outlines (``matplotlib.textpath.TextPath``); each glyph
             contour becomes one pen-down stroke, resampled at a constant pen speed; a "writer"
             sets slant, size, width, tilt, letter spacing, speed and jitter. Inputs per pen point:
             (dx, dy, y, pen-up). Words are split into training, validation and unseen test words;
             training, validation and test writers are disjoint pools.
    nets     BLSTM: 100 memory blocks per direction (forget gates, peepholes), 26 letters + blank;
             uni-LSTM: one forward layer with about the same number of weights (144 blocks).
             z(t) = [h_f(t), h_b(t)] V + c, y(t) = softmax(z(t)); O = -ln p(l | x) (CTC)
    training momentum SGD on the per-word CTC loss, early stopping on the validation words.
    decoding best path (greedy) and the dictionary: token passing over all 822 words (for an
             isolated word, the word whose best CTC path is most probable).
    reported character error rate and word accuracy, per net and decoder, on training words by new
             writers and on unseen words by new writers; where the CTC emissions fall along the
             trajectory relative to each letter's own strokes; Lyapunov spectra per direction.

Family core: ``shared/blstm_ctc`` (BLSTM on ``shared/lstm_gers``, CTC, dictionary decoding).

    python3 iam_handwriting.py --seed 0      # headline
    python3 iam_handwriting.py --quick       # smoke test, seconds
"""
import functools
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401  (pins BLAS to one thread before numpy loads)

import numpy as np

from shared import cli
from shared.blstm_ctc import blstm, ctc, decode
from shared.optim import MomentumSGD
from shared.results import finish_run, headline_row, record
from shared.rng import streams

PAPER = ("A. Graves, M. Liwicki, S. Fernandez, R. Bertolami, H. Bunke & J. Schmidhuber, A novel "
         "connectionist system for unconstrained handwriting recognition, IEEE TPAMI 31(5):855-868, 2009")
ALPHABET = "abcdefghijklmnopqrstuvwxyz"
K = len(ALPHABET)                       # letters; the blank is output K
N_IN = 4                                # dx, dy, y, pen-up
WORDS_FILE = pathlib.Path(__file__).with_name("words.txt")
MIN_LETTER = 6                          # every letter appears at least this often in training words
DEFAULTS = dict(n_blocks=100, n_val_words=60, n_test_words=160, n_seen_test=160, writers_per_word=2,
                n_train_writers=30, n_test_writers=10, epochs=24, batch=16, lr=1e-2, momentum=0.9,
                n_lyap=8)
QUICK = dict(n_blocks=6, n_val_words=6, n_test_words=8, n_seen_test=8, writers_per_word=1, epochs=1,
             n_lyap=2)
QUICK_TRAIN_WORDS = 40                  # --quick trains on the first 40 training words only
WRITER = dict(slant=0.35, scale_lo=0.8, scale_hi=1.25, width=0.15, tilt=0.06, gap_lo=0.03, gap_hi=0.14,
              step_lo=0.13, step_hi=0.19, jitter_lo=0.008, jitter_hi=0.03,
              letter_scale=0.15, letter_rot=0.12, letter_shear=0.15, letter_shift=0.06)
TITLE = "BLSTM + CTC on online pen trajectories of words, with dictionary decoding"
PAPER_WORD_ACC = 79.7                   # % online, dictionary + bigram LM (abstract, read)
MARGIN = 1.0                            # pre-registered: "lower" = by at least 1 point


# ---------------------------------------------------------------- data: pen trajectories of words

def load_words(path=WORDS_FILE):
    return [w for line in path.read_text().splitlines() if not line.startswith("#") for w in line.split()]


def split_words(words, rng, n_val, n_test, n_train=None):
    """Disjoint training / validation / unseen test words, redrawn until every letter appears at
    least MIN_LETTER times in the training words (so each is seen in many contexts)."""
    if n_val + n_test + 20 > len(words):
        raise cli.StubError(f"--n-val-words + --n-test-words must leave at least 20 of the "
                            f"{len(words)} words for training")
    for _ in range(100):
        order = [words[i] for i in rng.permutation(len(words))]
        test, val, train = order[:n_test], order[n_test:n_test + n_val], order[n_test + n_val:]
        train = train[:n_train] if n_train else train
        counts = np.bincount([ALPHABET.index(c) for c in "".join(train)], minlength=K)
        if counts.min() >= min(MIN_LETTER, len(train) // 100):
            return train, val, test
    raise cli.StubError("could not split the words so that every letter is in the training words")


@functools.lru_cache(maxsize=None)
def glyph(ch):
    """The closed contours of one lowercase letter of DejaVu Sans at size 1 (x-height ~0.55):
    a list of (n, 2) polylines, and the ink's left and right edge."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextPath
    path = TextPath((0, 0), ch, size=1.0, prop=FontProperties(family="DejaVu Sans"))
    polys = [np.asarray(q, float) for q in path.to_polygons(closed_only=False) if len(q) > 1]
    xs = np.concatenate([q[:, 0] for q in polys])
    return polys, float(xs.min()), float(xs.max())


def draw_writer(rng, w=WRITER):
    """One writer's style: slant (shear), size, width, tilt, letter gap, pen speed, jitter."""
    return {"slant": rng.uniform(-w["slant"], w["slant"]), "scale": rng.uniform(w["scale_lo"], w["scale_hi"]),
            "width": 1.0 + rng.uniform(-w["width"], w["width"]), "tilt": rng.uniform(-w["tilt"], w["tilt"]),
            "gap": rng.uniform(w["gap_lo"], w["gap_hi"]), "step": rng.uniform(w["step_lo"], w["step_hi"]),
            "jitter": rng.uniform(w["jitter_lo"], w["jitter_hi"])}


def resample(poly, step):
    """Points every ``step`` along the polyline (its first and last point included)."""
    seg = np.hypot(*np.diff(poly, axis=0).T)
    s = np.r_[0.0, np.cumsum(seg)]
    n = max(2, int(round(s[-1] / step)) + 1)
    at = np.linspace(0.0, s[-1], n)
    return np.stack([np.interp(at, s, poly[:, 0]), np.interp(at, s, poly[:, 1])], axis=1)


def trajectory(word, writer, rng):
    """The pen points of one written word: points (T, 2), pen_up (T,) (1 where the pen moved in the
    air to get there: the first point of every stroke but the first), letter index (T,). The writer
    sets the word's affine map and pen speed; each letter also gets its own small scale, rotation,
    shear and height change, and every point jitter (from ``rng``: a new draw for every sample)."""
    c, s = np.cos(writer["tilt"]), np.sin(writer["tilt"])
    A = writer["scale"] * np.array([[c, s], [-s, c]]) @ np.array([[writer["width"], 0.0],
                                                                   [writer["slant"], 1.0]])
    pts, up, letter, cursor = [], [], [], 0.0
    w = WRITER
    for i, ch in enumerate(word):
        polys, x0, x1 = glyph(ch)
        # every letter written a little differently: its own size, rotation, shear and height
        sc = 1.0 + rng.uniform(-w["letter_scale"], w["letter_scale"])
        rot = rng.uniform(-w["letter_rot"], w["letter_rot"])
        shear = rng.uniform(-w["letter_shear"], w["letter_shear"])
        R = np.array([[np.cos(rot), np.sin(rot)], [-np.sin(rot), np.cos(rot)]])
        B = sc * R @ [[1.0, 0.0], [shear, 1.0]]
        centre = np.array([(x0 + x1) / 2, 0.25])
        lift = rng.uniform(-w["letter_shift"], w["letter_shift"])
        for q in polys:                                   # each contour: one pen-down stroke
            q = (q - centre) @ B + centre + [cursor - x0, lift]
            q = q @ A                                     # row vectors: (x, y) A
            r = resample(q, writer["step"])
            pts.append(r)
            up.append(np.r_[1.0, np.zeros(len(r) - 1)])
            letter.append(np.full(len(r), i))
        cursor += (x1 - x0) + writer["gap"]
    pts = np.concatenate(pts)
    pts = pts + writer["jitter"] * rng.standard_normal(pts.shape)
    up = np.concatenate(up)
    up[0] = 0.0
    return pts, up, np.concatenate(letter)


def features(pts, up):
    """(T, 4): pen movement dx, dy since the last point, height y, pen-up flag."""
    d = np.diff(pts, axis=0, prepend=pts[:1])
    return np.column_stack([d, pts[:, 1], up])


def sample(word, writer, rng):
    pts, up, letter = trajectory(word, writer, rng)
    return {"word": word, "x": features(pts, up), "labels": np.array([ALPHABET.index(c) for c in word]),
            "letter": letter, "pts": pts, "up": up}


def make_data(rs, cfg, quick=False):
    """Words, writers and samples. Training samples: each training word by ``writers_per_word``
    training writers; validation: each validation word by one validation writer; tests: training
    words and unseen words, each by one test writer. Inputs standardised with the training frames'
    statistics (the pen-up flag kept as 0/1). Evaluation sets come from the 'eval' stream."""
    words = load_words()
    train_w, val_w, test_w = split_words(words, rs["split"], cfg["n_val_words"], cfg["n_test_words"],
                                         QUICK_TRAIN_WORDS if quick else None)
    writers = [draw_writer(rs["writers"]) for _ in range(cfg["n_train_writers"] + cfg["n_test_writers"] + 5)]
    tr_wr, te_wr = writers[:cfg["n_train_writers"]], writers[cfg["n_train_writers"]:-5]
    va_wr = writers[-5:]
    g, e = rs["train"], rs["eval"]
    train = [sample(w, tr_wr[j], g) for w in train_w
             for j in g.choice(len(tr_wr), cfg["writers_per_word"], replace=False)]
    val = [sample(w, va_wr[e.integers(len(va_wr))], e) for w in val_w]
    seen = [train_w[i] for i in e.choice(len(train_w), min(cfg["n_seen_test"], len(train_w)), replace=False)]
    test_seen = [sample(w, te_wr[e.integers(len(te_wr))], e) for w in seen]
    test_unseen = [sample(w, te_wr[e.integers(len(te_wr))], e) for w in test_w]
    X = np.concatenate([s["x"] for s in train])
    mu, sd = X.mean(0), X.std(0)
    mu[3], sd[3] = 0.0, 1.0
    for s in train + val + test_seen + test_unseen:
        s["x"] = (s["x"] - mu) / sd
    return {"train": train, "val": val, "test_seen": test_seen, "test_unseen": test_unseen,
            "words": {"train": train_w, "val": val_w, "test": test_w}, "lexicon": words,
            "norm": (mu, sd)}


def pad_batch(samples, dtype=np.float32):
    """x (L, N, 4), lengths (N,), labels (N, U) padded, label lengths (N,)."""
    lengths = np.array([len(s["x"]) for s in samples])
    ulen = np.array([len(s["labels"]) for s in samples])
    x = np.zeros((lengths.max(), len(samples), N_IN), dtype)
    labels = np.zeros((len(samples), ulen.max()), int)
    for n, s in enumerate(samples):
        x[:lengths[n], n], labels[n, :ulen[n]] = s["x"], s["labels"]
    return x, lengths, labels, ulen


# ---------------------------------------------------------------- the nets

def uni_blocks_for(n_weights):
    """Blocks of a unidirectional net with the weight count closest to ``n_weights``."""
    sizes = np.arange(1, 1000)
    counts = [blstm.n_weights(blstm.make_cell(N_IN, int(c)), 1, K + 1) for c in sizes]
    return int(sizes[np.argmin(np.abs(np.array(counts) - n_weights))])


class Net:
    """kind 'blstm' (n_blocks per direction) or 'lstm' (one direction, blocks matched in weights);
    softmax over 26 letters + blank; trained with CTC."""

    def __init__(self, kind, rng, n_blocks):
        self.kind, self.n_dir = kind, 2 if kind == "blstm" else 1
        if kind == "lstm":
            n_blocks = uni_blocks_for(blstm.n_weights(blstm.make_cell(N_IN, n_blocks), 2, K + 1))
        self.cell = blstm.make_cell(N_IN, n_blocks)
        self.p = blstm.init_params(rng, self.cell, self.n_dir, K + 1)
        self.p_init = {k: v.copy() for k, v in self.p.items()}

    def n_weights(self):
        return int(sum(v.size for v in self.p.values()))

    def logits(self, x, lengths):
        return blstm.forward(self.cell, self.p, x, lengths)[0]

    def loss_and_grads(self, x, lengths, labels, ulen):
        """Summed CTC loss of the batch and its gradient keyed like self.p."""
        z, cache = blstm.forward(self.cell, self.p, x, lengths)
        nll, dz = ctc.loss_and_grad(z, lengths, labels, ulen)
        return float(nll.sum()), blstm.backward(self.cell, self.p, cache, dz.astype(z.dtype))[0]


def batches(n, size, rng, lengths):
    """A random order cut into batches, sorted by length within groups of 8 batches (less padding)."""
    order = rng.permutation(n)
    out = []
    for i in range(0, n, 8 * size):
        chunk = sorted(order[i:i + 8 * size], key=lambda j: lengths[j])
        out += [chunk[k:k + size] for k in range(0, len(chunk), size)]
    return [out[i] for i in rng.permutation(len(out))]


def train(net, data, cfg, rng, log):
    """Momentum SGD (v <- mu v - lr g, w <- w + v) on the batch's mean per-word CTC gradient; after
    every epoch the validation CER (best path); the best epoch's weights are kept."""
    opt = MomentumSGD(net.p, cfg["lr"], cfg["momentum"])
    tr = data["train"]
    lengths = [len(s["x"]) for s in tr]
    best, best_p, curve, val_curve = np.inf, None, [], []
    t0 = time.process_time()
    for e in range(cfg["epochs"]):
        tot, frames = 0.0, 0
        for b in batches(len(tr), cfg["batch"], rng, lengths):
            x, lens, labels, ulen = pad_batch([tr[j] for j in b])
            loss, g = net.loss_and_grads(x, lens, labels, ulen)
            cli.check_finite(e, loss=loss)
            opt.step({k: v / len(b) for k, v in g.items()})
            tot, frames = tot + loss, frames + lens.sum()
        val_cer = evaluate(net, data["val"], None)["cer_greedy"]
        curve.append(tot / len(tr))
        val_curve.append(val_cer)
        if val_cer < best:
            best, best_p = val_cer, {k: w.copy() for k, w in net.p.items()}
        log(f"  {net.kind:5s} epoch {e + 1:3d}  train CTC loss/word {curve[-1]:7.3f}  val CER (best path) "
            f"{100 * val_cer:5.1f}%  {time.process_time() - t0:6.1f}s cpu")
    net.p.update(best_p)
    return {"train_loss": np.array(curve), "val_cer": np.array(val_curve),
            "best_epoch": int(np.argmin(val_curve)) + 1, "cpu_s": time.process_time() - t0}


# ---------------------------------------------------------------- evaluation

def posteriors(net, samples, chunk=32):
    """Per sample the log softmax outputs (T_n, K+1), float64."""
    out = []
    for i in range(0, len(samples), chunk):
        x, lengths, *_ = pad_batch(samples[i:i + chunk])
        logy = ctc.log_softmax(net.logits(x, lengths).astype(np.float64))
        out += [logy[:n, j] for j, n in enumerate(lengths)]
    return out


def evaluate(net, samples, lexicon, logys=None):
    """CER and word accuracy by best path and, if a lexicon is given, by dictionary decoding
    (token passing: the word with the most probable single path; and the exact sum over paths)."""
    logys = posteriors(net, samples) if logys is None else logys
    refs = [list(s["labels"]) for s in samples]
    hyps = {"greedy": [ctc.collapse(ly.argmax(-1), K) for ly in logys]}
    if lexicon is not None:
        lex = [[ALPHABET.index(c) for c in w] for w in lexicon]
        for mode, name in (("max", "lexicon"), ("sum", "lexicon_sum")):
            hyps[name] = [lex[decode.lexicon_decode(ly, lex, mode)[0]] for ly in logys]
    out = {}
    for k, h in hyps.items():
        out[f"cer_{k}"] = ctc.label_error_rate(refs, h)
        out[f"word_acc_{k}"] = float(np.mean([a == b for a, b in zip(refs, h, strict=True)]))
    return out


# ---------------------------------------------------------------- CLI and main

def build_parser():
    parser = cli.make_parser(__doc__, __file__)
    d = DEFAULTS
    parser.add_argument("--n-blocks", type=cli.int_range(1, 400), default=d["n_blocks"],
                        help="BLSTM memory blocks per direction (the uni-LSTM gets the same weight count)")
    parser.add_argument("--n-val-words", type=cli.int_range(2, 300), default=d["n_val_words"],
                        help="words held out for early stopping")
    parser.add_argument("--n-test-words", type=cli.int_range(2, 400), default=d["n_test_words"],
                        help="unseen words held out for testing")
    parser.add_argument("--n-seen-test", type=cli.int_range(2, 600), default=d["n_seen_test"],
                        help="training words written again by test writers (the seen-word test set)")
    parser.add_argument("--writers-per-word", type=cli.int_range(1, 20), default=d["writers_per_word"],
                        help="training writers per training word")
    parser.add_argument("--n-train-writers", type=cli.int_range(1, 1000), default=d["n_train_writers"],
                        help="training writers")
    parser.add_argument("--n-test-writers", type=cli.int_range(1, 1000), default=d["n_test_writers"],
                        help="test writers (never seen in training)")
    parser.add_argument("--epochs", type=cli.int_range(1, 500), default=d["epochs"],
                        help="passes over the training samples")
    parser.add_argument("--batch", type=cli.int_range(1, 500), default=d["batch"],
                        help="words per weight update (gradient = mean per-word gradient)")
    parser.add_argument("--lr", type=cli.float_range(1e-7, 1.0), default=d["lr"], help="learning rate")
    parser.add_argument("--momentum", type=cli.float_range(0.0, 0.999), default=d["momentum"],
                        help="momentum mu of v <- mu v - lr g")
    parser.add_argument("--n-lyap", type=cli.int_range(1, 200), default=d["n_lyap"],
                        help="unseen test words driving the Lyapunov spectra")
    return parser


def resolve(args):
    cli.quick(args, **QUICK)
    cfg = {k: getattr(args, k) for k in DEFAULTS}
    if cfg["writers_per_word"] > cfg["n_train_writers"]:
        raise cli.StubError("--writers-per-word must not exceed --n-train-writers")
    if cfg["n_lyap"] > cfg["n_test_words"]:
        raise cli.StubError("--n-lyap must not exceed --n-test-words")
    return cfg


def main(args):
    timer = cli.Timer()
    cfg = resolve(args)
    dg = cli.load_sibling(__file__, "iam_handwriting_diagnostics", globals())
    rs = streams(args.seed, ["split", "writers", "train", "eval", "init_blstm", "init_lstm",
                             "order_blstm", "order_lstm"])          # each net its own init and order
    data = make_data(rs, cfg, quick=args.quick)
    nets = {k: Net(k, rs[f"init_{k}"], cfg["n_blocks"]) for k in ("blstm", "lstm")}
    print(f"pen trajectories of words: {len(data['words']['train'])} training words x "
          f"{cfg['writers_per_word']} writers = {len(data['train'])} samples "
          f"({sum(len(s['x']) for s in data['train']):,} pen points), {len(data['val'])} validation, "
          f"{len(data['test_seen'])} seen-word / {len(data['test_unseen'])} unseen-word test samples by new "
          f"writers; dictionary {len(data['lexicon'])} words; momentum SGD lr {cfg['lr']:g} mu "
          f"{cfg['momentum']}, batch {cfg['batch']}, {cfg['epochs']} epochs; weights: "
          + ", ".join(f"{k} {n.n_weights():,} ({n.cell.nc} blocks x {n.n_dir})" for k, n in nets.items()),
          flush=True)
    log = lambda s: print(s, flush=True)                      # noqa: E731
    curves = {k: train(n, data, cfg, rs[f"order_{k}"], log) for k, n in nets.items()}
    metrics, arrays = dg.summarise(nets, data, cfg, curves)
    rec = record(args, __file__, title=TITLE,
                 paper=PAPER, config=dict(cfg, writer=WRITER, n_inputs=N_IN, n_letters=K,
                                          n_words=len(data["lexicon"])),
                 metrics=metrics, headline=headline_rows(metrics, cfg), lyapunov=dg.lyapunov_block(metrics))
    finish_run(args.out, rec, arrays, timer)


# ---------------------------------------------------------------- verdicts

def headline_rows(M, cfg):
    """Every row is capped at partial (font contours instead of IAM-OnDB, isolated words, one seed,
    the network settings recalled); a claim that does not show at this budget is open, never no."""
    S = M["scores"]
    bu, lu = S["blstm"]["test_unseen"], S["lstm"]["test_unseen"]
    bs = S["blstm"]["test_seen"]
    pct = lambda v: 100 * v                                   # noqa: E731
    cap = f"font contours, isolated words, {cfg['epochs']} epochs, one seed"
    acc = pct(bu["word_acc_lexicon"])
    v1 = "partial" if acc >= PAPER_WORD_ACC else "open"
    b_cer, l_cer = pct(bu["cer_greedy"]), pct(lu["cer_greedy"])
    v2 = "partial" if b_cer <= l_cer - MARGIN else "open"
    g_acc = pct(bu["word_acc_greedy"])
    v3 = "partial" if acc >= g_acc + 5 else "open"
    s_cer = pct(bs["cer_greedy"])
    v4 = "partial" if b_cer < 20 else "open"
    sp = M["spikes"]["blstm"]
    near = pct(sp["during_or_within_lag"])
    v5 = "partial" if near >= 50 else "open"
    return [
        headline_row("Word accuracy on unseen words by new writers, BLSTM-CTC + dictionary (token passing)",
                     f"{acc:.1f}%", "79.7 % online, IAM-OnDB lines, dictionary + bigram LM (abstract, read); "
                     "HMM 65.0 % (recalled, not verified)", v1,
                     f"partial when >= {PAPER_WORD_ACC} % (pre-registered); {M['lexicon']}-word dictionary "
                     f"that holds the test words, no language model; {cap}",
                     numbers=[{"value": acc}]),
        headline_row("Character error rate on unseen words, best path: BLSTM-CTC vs uni-LSTM-CTC "
                     "(matched weights)",
                     f"{b_cer:.1f}% vs {l_cer:.1f}%",
                     "not compared in the 2009 paper; bidirectional beats unidirectional LSTM on "
                     "framewise TIMIT (Graves & Schmidhuber 2005)", v2,
                     f"partial when BLSTM is lower by >= {MARGIN:g} point (pre-registered); "
                     f"{M['weights']['blstm']:,} vs {M['weights']['lstm']:,} weights; {cap}",
                     numbers=[{"value": b_cer}, {"value": l_cer}]),
        headline_row("Word accuracy on unseen words, BLSTM-CTC: best path -> dictionary",
                     f"{g_acc:.1f}% -> {acc:.1f}%",
                     "the dictionary (and LM) decoding is what gives the headline word accuracy "
                     "(paper's tables by dictionary size: recalled, not verified)", v3,
                     f"partial when the dictionary adds >= 5 points (pre-registered); {cap}",
                     numbers=[{"value": g_acc}, {"value": acc}]),
        headline_row("Character error rate, best path, BLSTM-CTC: unseen words vs training words "
                     "(new writers)",
                     f"{b_cer:.1f}% vs {s_cer:.1f}%",
                     "the paper's test lines are mostly unseen text; the earlier catalog: 64.7 % on "
                     "9 unseen words after 38 training words (memorised)", v4,
                     f"partial when the unseen-word CER is below 20 % (pre-registered); {cap}",
                     numbers=[{"value": b_cer}, {"value": s_cer}]),
        headline_row("BLSTM-CTC emissions (forced alignment) during or within "
                     f"{M['spike_lag']} pen points after their letter's own strokes",
                     f"{near:.0f}%", "not reported; the earlier catalog saw every spike at the word end", v5,
                     f"at the word's last 10 % of points: {pct(sp['in_last_tenth']):.0f}%; uni-LSTM "
                     f"{pct(M['spikes']['lstm']['during_or_within_lag']):.0f}%; partial when >= 50 % "
                     f"(pre-registered); unseen test words; {cap}",
                     numbers=[{"value": near}]),
    ]


def gradcheck(args):
    """Float64 central differences (Richardson-extrapolated) on small versions of both nets with the
    CTC loss on two short real trajectories (every parameter tensor, sampled where large)."""
    from shared.gradcheck import check_gradients
    rng = np.random.default_rng(args.seed)
    samples = [sample(w, draw_writer(rng), rng) for w in ("ox", "it")]
    for s in samples:
        s["x"] = s["x"][:12] / np.array([0.1, 0.1, 0.3, 1.0])
    x, lengths, labels, ulen = pad_batch(samples, np.float64)
    errs = {}
    for kind in ("blstm", "lstm"):
        net = Net(kind, rng, 3)
        net.p = {k: 5.0 * v.astype(np.float64) for k, v in net.p.items()}
        _, g = net.loss_and_grads(x, lengths, labels, ulen)
        e = check_gradients(lambda net=net: net.loss_and_grads(x, lengths, labels, ulen)[0],
                            net.p, g, eps=1e-3, n_samples=25, rng=rng, richardson=True)
        errs.update({f"{kind}.{k}": v for k, v in e.items()})
    return errs


if __name__ == "__main__":
    cli.run(main, build_parser(), gradcheck=gradcheck)
