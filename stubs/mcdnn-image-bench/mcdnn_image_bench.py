"""Multi-column deep neural networks on MNIST (Cireşan, Meier & Schmidhuber 2012).

D. Cireşan, U. Meier & J. Schmidhuber, "Multi-column deep neural networks for image
classification", CVPR 2012 (arXiv:1202.2745).

Real MNIST (60,000 training and 10,000 test digits, read offline by ``shared.data.mnist``).
Each column is a convolutional net of the paper's MNIST shape, built from the family core
``shared.cnn`` (convolution, max-pooling, dense layers; hand-written backward passes):

    1x29x29-20C4-MP2-40C5-MP3-150N-10N
    conv 4x4 -> 20 maps 26x26 -> max-pool 2 -> 13x13 -> conv 5x5 -> 40 maps 9x9 -> max-pool 3
    -> 3x3x40 -> 150 units -> 10 outputs -> softmax;  f(a) = 1.7159 tanh(2a/3) after every
    convolution and hidden layer; weights and biases ~ U[-0.05, 0.05]

The columns differ in how their inputs are preprocessed: column 0 sees the original digits, the
others digits whose bounding box is stretched or squeezed horizontally to a fixed width of w
pixels (height and vertical position unchanged). Each column trains by gradient descent on its
own preprocessed training images, deformed anew (rotation, shear, scaling, elastic field:
``shared.data.deform``), the gradient summed over small mini-batches. A test digit is
preprocessed the same way for each column, and the multi-column net (MCDNN) averages the
columns' softmax outputs:

    P(class | x) = (1 / n) sum_c softmax(column_c(preprocess_c(x)))

Diagnostics (not recurrent, so no Lyapunov spectrum): each column's test error, the pairwise
disagreement of the columns' decisions, and the averaged net's error against the number of
columns averaged (mean over every subset of that size).

    python3 mcdnn_image_bench.py --seed 0      # headline: 5 columns, one pass each
    python3 mcdnn_image_bench.py --quick       # smoke test, seconds
"""
import itertools
import math
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401  (pins BLAS to one thread before numpy loads)

import numpy as np

from shared import cli
from shared.cnn.column import Column
from shared.data import deform, mnist
from shared.results import at_budget, finish_run, headline_row, record
from shared.rng import streams

PAPER = ("Cireşan, Meier & Schmidhuber, \"Multi-column deep neural networks for image "
         "classification\", CVPR 2012 (arXiv:1202.2745)")
ARCH = "1x29x29-20C4-MP2-40C5-MP3-150N-10N"     # the paper's MNIST column
INIT = 0.05
PAPER_ERR = 0.23          # % test error of the 35-column MCDNN on MNIST
PAPER_COLUMNS = 35        # 7 preprocessings (original, widths 10-20 in steps of 2) x 5 columns
PAPER_EPOCHS = 800        # recalled: columns trained for hundreds of epochs (see README)
PAPER_WIDTHS = (0, 10, 12, 14, 16, 18, 20)
DEFORM = deform.Deformation(beta=15.0, beta_narrow=7.5, gamma=15.0, sigma=6.0, alpha=36.0)
DEFAULTS = dict(widths="0,10,14,18,20", n_train=60_000, n_test=10_000, batch=8, lr=3e-3,
                probes=6, probe_images=1000)
QUICK = dict(widths="0,12,20", n_train=600, n_test=300, probes=2, probe_images=100)


# ---------------------------------------------------------------- data: width normalisation

def normalise_width(img, width):
    """img (N, 28, 28) in [0, 1] -> each digit's bounding box stretched horizontally to ``width``
    pixels and centred on column 13.5 (bilinear reads, 0 outside); width 0 keeps the original.

    Output column x reads source column cx + (x - 13.5) * w / width, with w the box's width and
    cx its centre, so the box [cx - w/2, cx + w/2] lands on [13.5 - width/2, 13.5 + width/2]."""
    if width == 0:
        return img.astype(np.float32)
    n, size = len(img), img.shape[1]
    ink = img.max(axis=1) > 0                                        # (N, 28) columns with ink
    has = ink.any(1)
    first = np.where(has, ink.argmax(1), 0)
    last = np.where(has, size - 1 - ink[:, ::-1].argmax(1), size - 1)
    w = (last - first + 1).astype(np.float32)
    cx = (first + last) / 2.0
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    sx = cx[:, None, None] + (xx - deform.CENTRE) * (w / width)[:, None, None]
    sy = np.broadcast_to(yy, (n, size, size))
    return deform.bilinear(img.astype(np.float32), sx, sy)


def to_input(img):
    """(N, 28, 28) in [0, 1] -> the column's input (N, 29, 29, 1) in [-1, 1]: one background row
    and column are added at the bottom and right (the paper's columns take 29 x 29 images)."""
    out = np.zeros((len(img), 29, 29, 1), np.float32)
    out[:, :28, :28, 0] = np.clip(img, 0.0, 1.0)
    return 2.0 * out - 1.0


def load_data(cfg):
    """Training images (N, 28, 28) in [0, 1] with labels, test images and labels (first n)."""
    x_tr, y_tr, x_te, y_te = mnist.load()
    return (x_tr[:cfg["n_train"]].astype(np.float32) / 255.0, y_tr[:cfg["n_train"]].astype(np.int64),
            x_te[:cfg["n_test"]].astype(np.float32) / 255.0, y_te[:cfg["n_test"]].astype(np.int64))


# ---------------------------------------------------------------- training one column

def train_column(col, p, img, y, width, lr, batch, rng, probe, probes):
    """One pass over the training images of one preprocessing, each deformed anew once.

    img (N, 28, 28) in [0, 1]; y (N,); probe: (inputs (M, 29, 29, 1), labels) of test images
    preprocessed for this column. Update w <- w - lr * (gradient summed over each mini-batch).
    Returns the error (%) on the probe images at ``probes`` evenly spaced points, the images seen
    at each, and the CPU seconds of deformation and of training."""
    c0 = time.process_time()
    x = to_input(deform.deform(normalise_width(img, width), y, rng, DEFORM))
    deform_s = time.process_time() - c0
    order = rng.permutation(len(x))
    n_batches = -(-len(x) // batch)
    at = set(np.linspace(0, n_batches, probes + 1).astype(int)[1:] - 1)
    curve, seen, c0 = [], [], time.process_time()
    for b in range(n_batches):
        idx = order[b * batch:(b + 1) * batch]
        loss, g, _ = col.loss_and_grads(p, x[idx], y[idx])
        for k in p:
            p[k] -= lr * g[k]
        if b in at:
            cli.check_finite(b + 1, loss=loss, K1=p["K1"])
            curve.append(error_pct(col.probabilities(p, probe[0]), probe[1]))
            seen.append(min((b + 1) * batch, len(x)))
    return curve, seen, deform_s, time.process_time() - c0


# ---------------------------------------------------------------- evaluation

def error_pct(prob, y):
    return float(100.0 * np.mean(prob.argmax(1) != y))


def ensemble_curve(probs, y):
    """Mean, min and max test error (%) of the average of every subset of k columns, k = 1..n.
    probs (n, N, 10)."""
    n = len(probs)
    out = {"k": list(range(1, n + 1)), "mean": [], "min": [], "max": []}
    for k in range(1, n + 1):
        errs = [error_pct(probs[list(s)].mean(0), y) for s in itertools.combinations(range(n), k)]
        out["mean"].append(float(np.mean(errs)))
        out["min"].append(float(np.min(errs)))
        out["max"].append(float(np.max(errs)))
    return out


def disagreement(probs):
    """(n, n) fraction of test digits on which columns i and j decide differently."""
    dec = probs.argmax(2)
    return (dec[:, None, :] != dec[None, :, :]).mean(2)


def paired_counts(probs, y):
    """Per column: test digits the average gets right that the column gets wrong ("fixed"), the
    reverse ("broken"), and the exact two-sided sign-test p-value of that split (McNemar's exact
    test: under "the average is no better than the column" a disputed digit goes either way with
    probability 1/2). A paired view of the same 10,000 digits, sharper than comparing two error
    rates as if they were measured on different images."""
    avg_ok = probs.mean(0).argmax(1) == y
    out = []
    for pr in probs:
        ok = pr.argmax(1) == y
        fixed, broken = int(np.sum(avg_ok & ~ok)), int(np.sum(~avg_ok & ok))
        n, k = fixed + broken, min(fixed, broken)
        tail = sum(math.comb(n, i) for i in range(k + 1)) / 2.0 ** n if n else 1.0
        out.append({"fixed": fixed, "broken": broken, "p_two_sided": float(min(1.0, 2 * tail))})
    return out


def noise_points(a, b, n):
    """Two standard errors (points) of the difference of two error rates (%) measured on the
    same n images, each taken as a binomial proportion: a smaller gap is noise."""
    p = np.array([a, b]) / 100.0
    return float(200.0 * np.sqrt(np.sum(p * (1 - p)) / n))


def headline_rows(M, cfg):
    """The MCDNN's error beside the paper's 0.23 % (`open`: one pass per column, not hundreds),
    and whether averaging the columns beats the mean and the best single column. The rule was
    fixed before the first headline run: `partial` (never `yes`: one pass per column and settings
    recalled) when the average is below the best column by more than two standard errors of the
    difference of two error rates, else `open` (short of the paper's budget a shortfall is no
    `no`). The notes hold no measured time (it varies from run to run): the cost of the paper's
    budget is in metrics.timing."""
    n, ens, mean1, best1 = M["n_columns"], M["ensemble_err"], M["mean_column_err"], M["best_column_err"]
    passes = cfg["n_train"] / mnist.N_TRAIN
    v1 = at_budget("yes" if ens <= PAPER_ERR else "no", passes, PAPER_EPOCHS)
    cut = 100.0 * (mean1 - ens) / mean1
    noise = noise_points(ens, best1, cfg["n_test"])
    beats = ens < best1 - noise
    v2 = "partial" if beats else at_budget("no", passes, PAPER_EPOCHS)
    if beats:
        why = (f"the average is below the best column ({best1:.2f} %) by more than the {noise:.2f}-point "
               "noise of two error rates; partial: one pass per column, settings recalled")
    else:
        why = (f"the average is below the mean column, but not below the best column ({best1:.2f} %) by "
               f"more than the {noise:.2f}-point noise of two error rates; open: one pass per column, "
               f"not the paper's ~{PAPER_EPOCHS} epochs")
    return [
        headline_row(f"MNIST test error, average of {n} columns ({passes:g} pass each)", f"{ens:.2f} %",
                     f"{PAPER_ERR} % ({PAPER_COLUMNS} columns, ~{PAPER_EPOCHS} epochs each)", v1,
                     f"open: {passes:g} of the paper's ~{PAPER_EPOCHS} epochs per column and {n} of its "
                     f"{PAPER_COLUMNS} columns (the CPU cost of its budget: metrics.timing)",
                     numbers=[{"value": ens}]),
        headline_row("Averaging cuts the error: MCDNN vs mean single column (relative cut)",
                     f"{ens:.2f} % vs {mean1:.2f} % ({cut:.0f} % lower)",
                     "30-40 % lower than single columns (secondary)", v2, why,
                     numbers=[{"value": ens}, {"value": mean1}, {"value": cut}]),
    ]


# ---------------------------------------------------------------- main

def resolve(args):
    cli.quick(args, **QUICK)
    try:
        widths = [int(w) for w in args.widths.split(",")]
    except ValueError:
        raise cli.StubError(f"--widths must be comma-separated integers, got {args.widths!r}") from None
    if not 2 <= len(widths) <= 10 or any(w != 0 and not 6 <= w <= 24 for w in widths):
        raise cli.StubError("--widths needs 2-10 entries, each 0 (original) or 6-24 pixels")
    if args.probe_images > args.n_test:
        raise cli.StubError("--probe-images must not exceed --n-test")
    cfg = {k: getattr(args, k) for k in DEFAULTS}
    cfg["widths"] = widths
    return cfg


def main(args):
    timer = cli.Timer()
    cfg = resolve(args)
    col = Column.parse(ARCH)
    rs = streams(args.seed, ["init", "train", "examples"])
    print(f"MNIST, {len(cfg['widths'])} columns {ARCH} (scaled tanh, U[-{INIT}, {INIT}]); widths "
          f"{cfg['widths']} (0 = original); {cfg['n_train']:,} training images deformed once per "
          f"column, batch {cfg['batch']}, lr {cfg['lr']:g}; {cfg['n_test']:,} test images")
    img_tr, y_tr, img_te, y_te = load_data(cfg)
    inits = [rs["init"].spawn(1)[0] for _ in cfg["widths"]]
    trains = [rs["train"].spawn(1)[0] for _ in cfg["widths"]]
    probs, curves, seen, cpu, kernels, params = [], [], None, [], [], 0
    for c, w in enumerate(cfg["widths"]):
        p = col.init(inits[c], INIT)
        params = col.n_weights(p)
        x_te = to_input(normalise_width(img_te, w))
        probe = (x_te[:cfg["probe_images"]], y_te[:cfg["probe_images"]])
        curve, seen, d_s, t_s = train_column(col, p, img_tr, y_tr, w, cfg["lr"], cfg["batch"],
                                             trains[c], probe, cfg["probes"])
        c0 = time.process_time()
        probs.append(col.probabilities(p, x_te))
        cpu.append({"deform_s": d_s, "train_s": t_s, "test_s": time.process_time() - c0})
        curves.append(curve)
        kernels.append(p["K1"][:, :, 0, :].transpose(2, 0, 1).copy())
        print(f"  column {c} ({'original' if w == 0 else f'width {w} px'}): test error "
              f"{error_pct(probs[-1], y_te):5.2f} %   probe curve {', '.join(f'{e:.1f}' for e in curve)}  "
              f"[{cli.progress(c + 1, len(cfg['widths']), timer())}]", flush=True)
    probs = np.stack(probs)                                          # (n, N, 10)
    metrics, arrays = summarise(probs, y_te, curves, seen, kernels, img_te, cfg, rs["examples"])
    metrics["n_weights_per_column"] = params
    metrics["timing"] = timing(cpu, cfg)
    print(f"  averaged: {metrics['ensemble_err']:.2f} %; columns {metrics['mean_column_err']:.2f} % "
          f"on average, best {metrics['best_column_err']:.2f} %; CPU per column-epoch "
          f"{metrics['timing']['column_epoch_cpu_s']:.0f} s, the paper's budget "
          f"~{metrics['timing']['paper_budget_cpu_h']:,.0f} CPU-h")
    rec = record(args, __file__, title="Multi-column deep neural networks on MNIST", paper=PAPER,
                 config=dict(cfg, arch=ARCH, init=INIT, deformation=vars(DEFORM),
                             n_nets=len(cfg["widths"]), paper_widths=PAPER_WIDTHS),
                 metrics=metrics, headline=headline_rows(metrics, cfg), lyapunov=None)
    finish_run(args.out, rec, arrays, timer)


def timing(cpu, cfg):
    """CPU seconds per column, per full 60k-image epoch, and for the paper's budget."""
    per_col = [c["deform_s"] + c["train_s"] for c in cpu]
    epoch = float(np.mean(per_col)) * mnist.N_TRAIN / cfg["n_train"]
    return {"per_column": cpu, "column_epoch_cpu_s": epoch,
            "paper_budget_cpu_h": epoch * PAPER_EPOCHS * PAPER_COLUMNS / 3600, "cpu_s": time.process_time()}


def summarise(probs, y, curves, seen, kernels, img_te, cfg, rng):
    """metrics (errors, disagreement, error vs number of columns) and the arrays for the figures."""
    col_err = [error_pct(pr, y) for pr in probs]
    avg = probs.mean(0)
    dis = disagreement(probs)
    n = len(probs)
    off = dis[~np.eye(n, dtype=bool)]
    wrong = np.flatnonzero(avg.argmax(1) != y)
    M = {"n_columns": n, "column_err": col_err, "mean_column_err": float(np.mean(col_err)),
         "best_column_err": float(np.min(col_err)), "worst_column_err": float(np.max(col_err)),
         "ensemble_err": error_pct(avg, y), "n_wrong": int(len(wrong)),
         "disagreement": dis.tolist(), "mean_disagreement_pct": float(100 * off.mean()),
         "ensemble_vs_k": ensemble_curve(probs, y),
         "all_columns_wrong": int(np.sum((probs.argmax(2) != y).all(0))),
         "any_column_wrong": int(np.sum((probs.argmax(2) != y).any(0))),
         "paired_vs_columns": paired_counts(probs, y),
         "probe_curves": curves, "probe_seen": seen}
    pick = np.array([int(np.flatnonzero(y == d)[0]) for d in range(10) if np.any(y == d)])
    views = np.stack([normalise_width(img_te[pick], w) for w in cfg["widths"]])   # (n, 10, 28, 28)
    arrays = {"column_pred": probs.argmax(2).astype(np.int8), "labels": y.astype(np.int8),
              "ensemble_pred": avg.argmax(1).astype(np.int8),
              "ensemble_conf": avg.max(1).astype(np.float16),
              "wrong_idx": wrong, "wrong_img": (img_te[wrong[:60]] * 255).round().astype(np.uint8),
              "views": (np.clip(views, 0, 1) * 255).round().astype(np.uint8),
              "kernels1": np.stack(kernels), "probe_curves": np.array(curves),
              "probe_seen": np.array(seen), "disagreement": dis,
              "ens_k_mean": np.array(M["ensemble_vs_k"]["mean"])}
    # the same ten digits as each column sees them during training (width-normalised, then
    # deformed anew), eight draws, for the GIF
    frames = [np.stack([deform.deform(normalise_width(img_te[pick], w), y[pick], rng, DEFORM)
                        for w in cfg["widths"]]) for _ in range(8)]
    arrays["deform_views"] = (np.clip(np.stack(frames), 0, 1) * 255).round().astype(np.uint8)
    return M, arrays


def build_parser():
    parser = cli.make_parser(__doc__, __file__)
    parser.add_argument("--widths", default=DEFAULTS["widths"],
                        help="one column per entry: 0 = original digits, w = digit width normalised "
                             "to w pixels (the paper: 0,10,12,14,16,18,20, five columns each); a "
                             "repeated entry is another column on the same input, differing only in "
                             "its random streams (0,0,0,0,0 is the same-input control)")
    parser.add_argument("--n-train", type=cli.int_range(100, mnist.N_TRAIN), default=DEFAULTS["n_train"],
                        help="training images per column (the first n of MNIST's 60,000), one pass")
    parser.add_argument("--n-test", type=cli.int_range(100, mnist.N_TEST), default=DEFAULTS["n_test"],
                        help="test images (the first n of MNIST's 10,000)")
    parser.add_argument("--batch", type=cli.int_range(1, 256), default=DEFAULTS["batch"],
                        help="images per update (1 = the paper's on-line gradient descent; the "
                             "gradient is summed, so lr is a per-image step)")
    parser.add_argument("--lr", type=cli.float_range(1e-6, 0.1), default=DEFAULTS["lr"],
                        help="per-image learning rate (constant over the one pass)")
    parser.add_argument("--probes", type=cli.int_range(1, 50), default=DEFAULTS["probes"],
                        help="points per column at which the error on the probe images is logged")
    parser.add_argument("--probe-images", type=cli.int_range(50, mnist.N_TEST),
                        default=DEFAULTS["probe_images"],
                        help="test images of the learning-curve probe (the first n)")
    return parser


def gradcheck(args):
    """Every parameter tensor and the input of a small column of the same kind (two convolutions,
    pools 2 and 3, two dense layers), float64, central differences with step 1e-5: some
    kernel gradients are ~5e-5, where a 1e-6 step's roundoff alone reaches a 1e-6 relative error."""
    from shared.gradcheck import check_gradients
    rng = np.random.default_rng(args.seed)
    small = Column.parse("1x11x11-3C2-MP2-4C3-MP3-6N-10N")
    p = small.init(rng, init=0.5, dtype=np.float64)
    x = rng.uniform(-1, 1, (4, 11, 11, 1))
    y = rng.integers(0, 10, 4)
    _, g, dx = small.loss_and_grads(p, x, y, reduce="mean", need_dx=True)
    errs = check_gradients(lambda: small.loss_and_grads(p, x, y, reduce="mean")[0], p, g, eps=1e-5,
                           rng=rng)
    xs = {"x": x}
    errs.update(check_gradients(lambda: small.loss_and_grads(p, xs["x"], y, reduce="mean")[0], xs,
                                {"x": dx}, eps=1e-5, n_samples=60, rng=rng))
    return errs


if __name__ == "__main__":
    cli.run(main, build_parser(), gradcheck=gradcheck)
