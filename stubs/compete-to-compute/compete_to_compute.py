"""Compete to compute: local winner-take-all (LWTA) blocks vs ReLU and sigmoid units, and how much
of a first MNIST task survives training on a second one (Srivastava et al. 2013).

R. K. Srivastava, J. Masci, S. Kazerounian, F. Gomez & J. Schmidhuber, "Compete to compute",
NIPS 2013 (pp. 2310-2318).

Real MNIST (all 60,000 training and 10,000 test digits, read offline by ``shared.data.mnist``),
split into two tasks by digit: task 1 = digits 0-4, task 2 = digits 5-9 (each about 30,000
training images). One net per (unit kind, seed): 784 -> 500 -> 500 -> one 5-way softmax head per
task. Phase 1 trains the hidden layers and head 1 on task 1; phase 2 trains the hidden layers and
head 2 on task 2 (head 1 is left alone). Forgetting = task-1 test error through head 1 after phase
2 minus after phase 1, in percentage points.

    a = h W + b                                  (B, H), H hidden units in blocks of 2
    LWTA:    h'_i = a_i if a_i is the largest in its block, else 0   (winner passes, loser silent)
    ReLU:    h'_i = max(a_i, 0)
    sigmoid: h'_i = 1 / (1 + exp(-a_i))
    output:  p = softmax(h2 Wo_t + bo_t),  loss = mean cross-entropy on task t's 5 classes

The backward pass of all three is "dh'/da = gate": the winner mask for LWTA (the loser of a block
gets no gradient, so a block's losing unit keeps its weights), [a > 0] for ReLU, h'(1 - h') for
sigmoid. Every unit kind and every seed train side by side: each weight carries leading axes
(K, S) = (unit kind, seed); the seeds of one kind see their own batch order, shared with the same
seed of the other kinds (paired comparisons).

Not recurrent, so no Lyapunov spectrum; the diagnostics the note names instead: the fraction of
LWTA blocks whose usual winner differs between task-1 and task-2 inputs, and the change of each
hidden unit's incoming weights during phase 2 against how much task-2 gradient its gate let
through at the end of phase 1.

No family core: the model is this stub's alone (``shared.data`` for MNIST, ``shared.gradcheck``,
``shared.stats``, ``shared.cli``, ``shared.results`` for plumbing).

    python3 compete_to_compute.py --seed 0      # headline
    python3 compete_to_compute.py --quick       # smoke test, seconds
"""
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401  (pins BLAS to one thread before numpy loads)

import numpy as np

from shared import cli, optim
from shared.data import mnist
from shared.results import at_unknown_budget, finish_run, headline_row, record
from shared.rng import streams

PAPER = ("Srivastava, Masci, Kazerounian, Gomez & Schmidhuber, \"Compete to compute\", "
         "NIPS 2013, pp. 2310-2318")
KINDS = ("lwta", "relu", "sigmoid")       # unit kinds, in the order of the K axis
N_IN, N_CLASS, BLOCK = 784, 5, 2          # pixels; classes per task; LWTA block size (paper: 2)
TASKS = ((0, 1, 2, 3, 4), (5, 6, 7, 8, 9))
DEFAULTS = dict(n_seeds=10, hidden=500, epochs1=1, epochs2=1, batch=100, momentum=0.9,
                lr_lwta=0.02, lr_relu=0.02, lr_sigmoid=0.05, evals_per_epoch=6, curve_images=2000,
                probe_images=2000)
QUICK = dict(n_seeds=2, hidden=40, epochs1=1, epochs2=1, evals_per_epoch=2, curve_images=200,
             probe_images=200)
QUICK_TRAIN = 1500                        # --quick: training images per task


# ---------------------------------------------------------------- data

def load_tasks(quick=False):
    """Two tasks, each (x_train (N, 784) float32 in [0, 1], y_train (N,) in 0..4, x_test, y_test)."""
    x_tr, y_tr, x_te, y_te = mnist.load()
    out = []
    for digits in TASKS:
        task = []
        for x, y in ((x_tr, y_tr), (x_te, y_te)):
            keep = np.isin(y, digits)
            task += [x[keep].reshape(-1, N_IN).astype(np.float32) / 255.0,
                     (y[keep] - digits[0]).astype(np.int64)]
        if quick:
            task[0], task[1] = task[0][:QUICK_TRAIN], task[1][:QUICK_TRAIN]
        out.append(tuple(task))
    return out


def batch_orders(rng, n_seeds, n, batch, epochs):
    """Per seed, the minibatches of ``epochs`` passes over n images: (steps, S, batch) indices."""
    per = n // batch
    orders = [np.stack([rng.permutation(n)[:per * batch].reshape(per, batch) for _ in range(n_seeds)], 1)
              for _ in range(epochs)]
    return np.concatenate(orders, 0)


# ---------------------------------------------------------------- model: forward, then backward

def init_params(rng, n_seeds, hidden, kinds=KINDS, n_in=N_IN, dtype=np.float32):
    """Weights of K x S nets, each with leading axes (K, S):

    W1 (K, S, n_in, H), b1 (K, S, H); W2 (K, S, H, H), b2 (K, S, H);
    Wo (K, S, 2, H, 5), bo (K, S, 2, 5): one output head per task.
    Uniform, variance 2 / fan_in ahead of LWTA and ReLU units (He), 2 / (fan_in + fan_out) ahead of
    sigmoid units and the heads (Glorot); biases 0.
    """
    K, S, H = len(kinds), n_seeds, hidden
    if H % BLOCK:
        raise ValueError(f"hidden {H} is not a multiple of the block size {BLOCK}")
    he = np.array([k != "sigmoid" for k in kinds])

    def uniform(shape, fan_in, fan_out):
        var = np.where(he, 2.0 / fan_in, 2.0 / (fan_in + fan_out)).reshape((K,) + (1,) * (len(shape) - 1))
        return rng.uniform(-1.0, 1.0, shape) * np.sqrt(3.0 * var)

    p = {"W1": uniform((K, S, n_in, H), n_in, H), "b1": np.zeros((K, S, H)),
         "W2": uniform((K, S, H, H), H, H), "b2": np.zeros((K, S, H)),
         "Wo": rng.uniform(-1, 1, (K, S, 2, H, N_CLASS)) * np.sqrt(6.0 / (H + N_CLASS)),
         "bo": np.zeros((K, S, 2, N_CLASS))}
    return {k: v.astype(dtype) for k, v in p.items()}


def activate(a, kinds):
    """Unit outputs h (K, S, B, H) and gates dh/da (same shape) of pre-activations a (K, S, B, H)."""
    h, gate = np.empty_like(a), np.empty_like(a)
    for k, kind in enumerate(kinds):
        ak = a[k]
        if kind == "lwta":
            blocks = ak.reshape(ak.shape[:-1] + (-1, BLOCK))           # (S, B, H/2, 2)
            win = np.argmax(blocks.real, axis=-1)[..., None]           # ties: the first unit wins
            mask = (np.arange(BLOCK) == win).reshape(ak.shape)
            gate[k] = mask
            h[k] = ak * mask
        elif kind == "relu":
            gate[k] = ak.real > 0
            h[k] = ak * gate[k]
        else:
            h[k] = 0.5 * (1.0 + np.tanh(0.5 * ak))                     # overflow-free logistic
            gate[k] = h[k] * (1.0 - h[k])
    return h, gate


def forward(p, x, task, kinds=KINDS):
    """x (S, B, n_in) (seed s's images) -> logits (K, S, B, 5) of head ``task`` and the cache."""
    x = x[None]                                                        # (1, S, B, n_in)
    h1, g1 = activate(x @ p["W1"] + p["b1"][..., None, :], kinds)      # (K, S, B, H)
    h2, g2 = activate(h1 @ p["W2"] + p["b2"][..., None, :], kinds)
    z = h2 @ p["Wo"][:, :, task] + p["bo"][:, :, task, None, :]        # (K, S, B, 5)
    return z, (x, h1, g1, h2, g2)


def cross_entropy(z, y):
    """Mean cross-entropy per net (K, S) and dL/dz (K, S, B, 5); y (S, B) labels 0..4."""
    z = z - z.real.max(axis=-1, keepdims=True)                         # (.real: complex-step checks)
    logp = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    onehot = (np.arange(z.shape[-1]) == y[..., None])                  # (S, B, 5)
    loss = -(logp * onehot).sum(-1).mean(-1)
    return loss, (np.exp(logp) - onehot) / y.shape[-1]


def loss_and_grads(p, x, y, task, kinds=KINDS):
    """Each net's loss (K, S), the gradients keyed like p (zero for the idle head), dL/dx (K, S, B, n_in)."""
    z, (x1, h1, g1, h2, g2) = forward(p, x, task, kinds)
    loss, dz = cross_entropy(z, y)
    g = {"Wo": np.zeros_like(p["Wo"]), "bo": np.zeros_like(p["bo"])}
    # z = h2 Wo_t + bo_t
    g["Wo"][:, :, task] = h2.swapaxes(-1, -2) @ dz
    g["bo"][:, :, task] = dz.sum(-2)
    # h2 = f(a2), a2 = h1 W2 + b2;  dh2/da2 = gate (winner mask, [a > 0] or h2 (1 - h2))
    da2 = (dz @ p["Wo"][:, :, task].swapaxes(-1, -2)) * g2
    g["W2"], g["b2"] = h1.swapaxes(-1, -2) @ da2, da2.sum(-2)
    # h1 = f(a1), a1 = x W1 + b1
    da1 = (da2 @ p["W2"].swapaxes(-1, -2)) * g1
    g["W1"], g["b1"] = x1.swapaxes(-1, -2) @ da1, da1.sum(-2)
    return loss, g, da1 @ p["W1"].swapaxes(-1, -2)


def error_rate(p, x, y, task, kinds=KINDS, chunk=1000):
    """Test error (K, S) of head ``task`` on images x (N, n_in), labels y (N,), all nets alike."""
    S = p["W1"].shape[1]
    wrong = 0
    for i in range(0, len(y), chunk):
        xb = np.broadcast_to(x[i:i + chunk], (S,) + x[i:i + chunk].shape)
        z, _ = forward(p, xb, task, kinds)
        wrong = wrong + (z.argmax(-1) != y[i:i + chunk]).sum(-1)
    return wrong / len(y)


# ---------------------------------------------------------------- training

def train_phase(p, task, data, orders, cfg, probe, log):
    """One phase: SGD with momentum on task ``task`` over the batches ``orders`` (steps, S, B).
    Every 1/evals_per_epoch epoch, records the curve-set error of both heads and the relative
    change of each hidden unit's incoming weights since the phase began (layer 1, seed 0).
    Returns {"err1", "err2": (points, K, S), "dW": (points, K, H), "images": (points,)}."""
    x, y = data[task][0], data[task][1]
    lr = np.array([cfg[f"lr_{k}"] for k in KINDS], np.float32)
    v = {k: np.zeros_like(w) for k, w in p.items()}                    # a fresh start each phase
    W1_0 = p["W1"][:, 0].copy()
    steps = len(orders)
    every = max(1, steps // (cfg["epochs1" if task == 0 else "epochs2"] * cfg["evals_per_epoch"]))
    curve = {"err1": [], "err2": [], "dW": [], "images": []}
    t0 = time.process_time()
    for i, idx in enumerate(orders):
        with np.errstate(over="ignore", invalid="ignore"):       # a diverging run stops just below
            loss, g, _ = loss_and_grads(p, x[idx], y[idx], task)
        cli.check_finite(i, loss=loss)
        optim.momentum_step(p, v, g, lr, cfg["momentum"])   # lr (K,): one per unit kind
        if (i + 1) % every == 0 or i + 1 == steps:
            e1 = error_rate(p, *probe[0], 0)
            e2 = error_rate(p, *probe[1], 1)
            curve["err1"].append(e1)
            curve["err2"].append(e2)
            curve["dW"].append(unit_change(W1_0, p["W1"][:, 0]))
            curve["images"].append((i + 1) * idx.shape[-1])
            show = [" ".join(f"{k} {100 * e[j].mean():5.2f}%" for j, k in enumerate(KINDS)) for e in (e1, e2)]
            log(f"  phase {task + 1}  step {i + 1:5d}/{steps}  task-1 error {show[0]}   "
                f"task-2 error {show[1]}   {time.process_time() - t0:6.1f} cpu-s")
    return {k: np.array(v) for k, v in curve.items()}


def unit_change(W_before, W_after):
    """Relative change of each hidden unit's incoming weight vector: (..., n_in, H) -> (..., H)."""
    return np.linalg.norm(W_after - W_before, axis=-2) / np.linalg.norm(W_before, axis=-2)


# ---------------------------------------------------------------- CLI and main

def build_parser():
    parser = cli.make_parser(__doc__, __file__)
    parser.add_argument("--n-seeds", type=cli.int_range(2, 64), default=DEFAULTS["n_seeds"],
                        help="seeds per unit kind, trained side by side (a seed axis on every weight)")
    parser.add_argument("--hidden", type=cli.int_range(2, 4000), default=DEFAULTS["hidden"],
                        help="units per hidden layer (even: LWTA blocks of 2)")
    parser.add_argument("--epochs1", type=cli.int_range(1, 200), default=DEFAULTS["epochs1"],
                        help="phase 1: passes over the task-1 training images (digits 0-4)")
    parser.add_argument("--epochs2", type=cli.int_range(1, 200), default=DEFAULTS["epochs2"],
                        help="phase 2: passes over the task-2 training images (digits 5-9)")
    parser.add_argument("--batch", type=cli.int_range(2, 5000), default=DEFAULTS["batch"],
                        help="images per SGD step (gradient = mean over the batch)")
    parser.add_argument("--momentum", type=cli.float_range(0.0, 0.999), default=DEFAULTS["momentum"],
                        help="momentum mu of v <- mu v - lr g")
    for k in KINDS:
        parser.add_argument(f"--lr-{k}", type=cli.float_range(1e-5, 10.0), default=DEFAULTS[f"lr_{k}"],
                            help=f"learning rate of the {k} nets")
    parser.add_argument("--evals-per-epoch", type=cli.int_range(1, 100), default=DEFAULTS["evals_per_epoch"],
                        help="points of the error curves per epoch")
    parser.add_argument("--curve-images", type=cli.int_range(10, 4800), default=DEFAULTS["curve_images"],
                        help="test images per task for the error curves (the final errors use all)")
    parser.add_argument("--probe-images", type=cli.int_range(10, 4800), default=DEFAULTS["probe_images"],
                        help="test images per task for the winner and gate statistics")
    return parser


def resolve(args):
    cli.quick(args, **QUICK)
    cfg = {k: getattr(args, k) for k in DEFAULTS}
    if cfg["hidden"] % BLOCK:
        raise cli.StubError(f"--hidden {cfg['hidden']} must be a multiple of the LWTA block size {BLOCK}")
    if args.quick:
        cfg["train_images_per_task"] = QUICK_TRAIN
    if cfg["batch"] > (QUICK_TRAIN if args.quick else 29_000):
        raise cli.StubError(f"--batch {cfg['batch']} exceeds a task's training images")
    return cfg


def main(args):
    timer = cli.Timer()
    cfg = resolve(args)
    dg = cli.load_sibling(__file__, "compete_to_compute_diagnostics", globals())
    rs = streams(args.seed, ["init", "order", "eval"])
    data = load_tasks(args.quick)
    S, B = cfg["n_seeds"], cfg["batch"]
    print(f"MNIST by digit: task 1 = 0-4 ({len(data[0][1]):,} train / {len(data[0][3]):,} test), "
          f"task 2 = 5-9 ({len(data[1][1]):,} / {len(data[1][3]):,}); 784-{cfg['hidden']}-{cfg['hidden']}"
          f"-(5 | 5) nets, {' / '.join(KINDS)} x {S} seeds side by side; SGD batch {B}, momentum "
          f"{cfg['momentum']}, lr {cfg['lr_lwta']}/{cfg['lr_relu']}/{cfg['lr_sigmoid']}; "
          f"{cfg['epochs1']} + {cfg['epochs2']} epochs")
    curve_sets = [dg.subset(rs["eval"], data[t], cfg["curve_images"]) for t in (0, 1)]
    probe_sets = [dg.subset(rs["eval"], data[t], cfg["probe_images"]) for t in (0, 1)]
    p = init_params(rs["init"], S, cfg["hidden"])
    orders = [batch_orders(rs["order"], S, len(data[t][1]), B, cfg[f"epochs{t + 1}"]) for t in (0, 1)]
    end = {}
    curves = []
    for t in (0, 1):
        curves.append(train_phase(p, t, data, orders[t], cfg, curve_sets, print))
        end[t] = {"p": {k: w.copy() for k, w in p.items()},
                  "err1": error_rate(p, data[0][2], data[0][3], 0),
                  "err2": error_rate(p, data[1][2], data[1][3], 1)}
    metrics, arrays = dg.summarise(end, curves, probe_sets, cfg)
    rec = record(args, __file__,
                 title="Compete to compute: LWTA vs ReLU and sigmoid, forgetting of a first MNIST task",
                 paper=PAPER, config=dict(cfg, kinds=KINDS, block=BLOCK, tasks=TASKS, n_nets=len(KINDS) * S),
                 metrics=metrics, headline=headline_rows(metrics, cfg))
    finish_run(args.out, rec, arrays, timer)


# ---------------------------------------------------------------- verdicts

def headline_rows(M, cfg):
    """Forgetting (task-1 test error after phase 2 minus after phase 1, points) of LWTA against
    ReLU and against sigmoid, paired by seed. Capped at partial: the paper's protocol and budget
    were not read (recalled, digit split chosen here), a few epochs. LWTA must forget less with the
    95 % interval of the paired difference below 0 (pre-registered); otherwise the row is open,
    never no (the paper's budget is unknown)."""
    F, S = M["forgetting"], cfg["n_seeds"]
    cap = (f"{cfg['epochs1']} + {cfg['epochs2']} epochs, {S} seeds, protocol recalled (digit split 0-4 / "
           f"5-9, one head per task), no dropout")
    rows = []
    for other in ("relu", "sigmoid"):
        d = F["paired"][f"lwta_minus_{other}"]
        holds = d["hi"] < 0
        v = "partial" if holds else at_unknown_budget("no")
        rows.append(headline_row(
            f"Forgetting of task 1 (test-error rise, points): LWTA vs {other}",
            f"{F['lwta']['mean']:.2f} ± {F['lwta']['half']:.2f} vs "
            f"{F[other]['mean']:.2f} ± {F[other]['half']:.2f}",
            f"LWTA forgets less than {other} nets (recalled; the paper's numbers not read)", v,
            f"paired LWTA - {other} {d['mean']:+.2f} points, "
            f"95 % t-interval [{d['lo']:+.2f}, {d['hi']:+.2f}], "
            f"sign-flip p = {d['p']:.3g}, LWTA less in {d['wins']}/{S} seeds; partial when the interval "
            f"lies below 0 (pre-registered), else open; {cap}",
            numbers=[{"value": F["lwta"]["mean"], "spread": F["lwta"]["half"]},
                     {"value": F[other]["mean"], "spread": F[other]["half"]}]))
    rows.append(headline_row(
        "Permutation-invariant MNIST test error, LWTA (10 digits, no augmentation)", "not run",
        "~1.28 % (recalled)", "open",
        "not run: the paper's number comes with dropout and hundreds of epochs (recalled); at this "
        "run's speed one epoch of 60,000 images for 10 LWTA + 10 ReLU nets of this size costs about "
        "two CPU-minutes, so a fair test does not fit the ~5-minute budget", numbers=[]))
    return rows


def gradcheck(args):
    """Every coordinate of every parameter tensor and of the input, for LWTA, ReLU and sigmoid nets
    (two seeds each, 8 hidden units = 4 LWTA blocks, 12 inputs, both heads), by complex steps in
    float64: d loss / d w = Im loss(w + i h) / h with h = 1e-30 (``shared.gradcheck``), exact to
    rounding; the winner mask and [a > 0] read the real part, so a step never crosses a kink. The
    tests add float64 central differences."""
    from shared.gradcheck import complex_step_gradients
    rng = np.random.default_rng(args.seed)
    errs = {}
    for task in (0, 1):
        p, x, y = gradcheck_net(rng)
        _, g, dx = loss_and_grads(p, x, y, task)

        def total(q, y=y, task=task):
            z, _ = forward({k: v for k, v in q.items() if k != "x"}, q["x"], task)
            return cross_entropy(z, y)[0].sum()                        # the nets' losses, summed
        e = complex_step_gradients(total, dict(p, x=x), dict(g, x=dx.sum(0)))
        errs.update({f"head{task + 1}.{k}": v for k, v in e.items()})
    return errs


def gradcheck_net(rng, n_seeds=2, hidden=8, n_in=12, batch=3):
    p = init_params(rng, n_seeds, hidden, n_in=n_in, dtype=np.float64)
    for k in ("b1", "b2", "bo"):
        p[k] = p[k] + rng.normal(0, 0.3, p[k].shape)
    return p, rng.random((n_seeds, batch, n_in)), rng.integers(0, N_CLASS, (n_seeds, batch))


if __name__ == "__main__":
    cli.run(main, build_parser(), gradcheck=gradcheck)
