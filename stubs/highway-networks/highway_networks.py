"""Highway networks vs plain networks: training loss against depth on MNIST (Srivastava et al. 2015).

R. K. Srivastava, K. Greff & J. Schmidhuber, "Training very deep networks", NIPS 2015
(arXiv:1507.06228; first version "Highway networks", arXiv:1505.00387). Section 3.1.

Real MNIST (all 60,000 training digits, read offline by ``shared.data.mnist``). Thin fully
connected nets of 10, 20, 50 and 100 layers: a plain first layer 784 -> n, then L - 1 square
layers of n units, then a softmax over the 10 digits. Highway nets have n = 50 blocks per layer,
plain nets n = 71 units, so both have about 5,100 weights per layer (section 3.1):

    plain layer:    h' = f(h W + b)                              W (n, n),   n = 71
    highway layer:  [a_H | a_T] = h W + b                        W (n, 2n),  n = 50
                    H = f(a_H),  T = sigmoid(a_T)
                    h' = H * T + h * (1 - T)  =  h + T * (H - h)  (carry gate C = 1 - T)
    f = ReLU or tanh (a hyperparameter); softmax output; loss = mean cross-entropy

The transform-gate bias b_T starts negative (a hyperparameter, the paper searches -1 to -10),
so a fresh highway layer mostly carries its input. Every other weight takes the "normalized"
initialisation; biases start at 0. Training: mini-batch SGD with momentum and a learning rate
decayed exponentially per epoch. For each depth and each family a small grid of hyperparameters
(learning rate x activation, x gate bias for highway) trains side by side on the same batches,
vectorised over the grid (a leading member axis S on every weight), and the best member's
training cross-entropy is the family's number at that depth, as in the paper's figure 1.

Depth acts like time: the diagnostics push a tangent frame through the per-layer Jacobians
dh_l/dh_{l-1} of the square layers (``shared.lyapunov.qr_spectrum``: mean log-stretch per layer,
Lyapunov-like), follow the singular values of the input-output Jacobian layer by layer, record
the mean transform-gate value per layer and lesion each highway layer (T = 0: the layer copies its
input), as in the paper's section 4.

No family core: the model is this stub's alone (``shared.data`` for MNIST, ``shared.lyapunov``,
``shared.gradcheck``, ``shared.cli``, ``shared.results`` for plumbing).

    python3 highway_networks.py --seed 0      # headline
    python3 highway_networks.py --quick       # smoke test, seconds
"""
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401  (pins BLAS to one thread before numpy loads)

import numpy as np

from shared import cli, optim
from shared.data import mnist
from shared.results import finish_run, headline_row, record
from shared.rng import streams

PAPER = ("Srivastava, Greff & Schmidhuber, \"Training very deep networks\", NIPS 2015 "
         "(arXiv:1507.06228; arXiv:1505.00387)")
FAMILIES = ("highway", "plain")
WIDTH = {"highway": 50, "plain": 71}      # section 3.1: ~5,000 weights per layer for both
DEPTHS = (10, 20, 50, 100)                # layers, the first one plain (section 3.1)
N_IN, N_OUT = 784, 10                     # pixels in, digit classes out
ACTS = ("tanh", "relu")
DEFAULTS = dict(epochs=3, batch=100, momentum=0.9, lr_decay=0.9, lrs=(0.01, 0.03, 0.1, 0.3),
                gate_biases=(-2.0, -4.0), n_train=60_000, n_test=10_000, depths=DEPTHS,
                search_images=20_000, window=5_000, jac_images=32, lesion_depth=50, probe_images=10_000)
QUICK = dict(epochs=1, n_train=600, n_test=300, depths=(4, 6), search_images=300, window=100,
             jac_images=4, lesion_depth=6, probe_images=300)
PAPER_PLAIN_SHALLOW = 1e-4                # "mean loss < 1e-4" for the 10- and 20-layer plain nets
PAPER_RATIO_100 = 100.0                   # 100-layer highway "more than 2 orders of magnitude" better
SIMILAR = 3.0                             # pre-registered: "similar" = best losses within a factor 3
IDLE_POINTS = 0.5                         # a lesioned layer is idle if train error rises < 0.5 points


# ---------------------------------------------------------------- data

def load_data(cfg):
    """Training inputs (N, 784) float32 in [0, 1] with labels (N,), the same for the test set."""
    x_tr, y_tr, x_te, y_te = mnist.load()
    n, m = cfg["n_train"], cfg["n_test"]
    return (x_tr[:n].reshape(n, -1).astype(np.float32) / 255.0, y_tr[:n].astype(np.int64),
            x_te[:m].reshape(m, -1).astype(np.float32) / 255.0, y_te[:m].astype(np.int64))


# ---------------------------------------------------------------- the grid of hyperparameters

def grid(family, cfg):
    """The members trained side by side: a list of dicts (lr, act[, gate_bias]), grouped by
    activation (tanh members first) so each activation is applied to one slice of the S axis."""
    out = []
    for act in ACTS:
        for lr in cfg["lrs"]:
            if family == "highway":
                out += [{"act": act, "lr": lr, "gate_bias": b} for b in cfg["gate_biases"]]
            else:
                out.append({"act": act, "lr": lr})
    return out


def act_slices(members):
    """{activation: slice of the member axis}."""
    acts = [m["act"] for m in members]
    return {a: slice(acts.index(a), len(acts) - acts[::-1].index(a)) for a in ACTS if a in acts}


# ---------------------------------------------------------------- model: forward, then backward

def init_params(rng, family, depth, members, dtype=np.float32):
    """Weights of S = len(members) nets of one family and depth, each with a leading S axis:

    W0 (S, 784, n), b0 (S, n): the plain first layer;  W (S, L-1, n, k), b (S, L-1, k): the square
    layers, k = n (plain) or 2n (highway: columns [H | T]);  Wo (S, n, 10), bo (S, 10): the output.
    "Normalized" initialisation: uniform with variance 2 / (fan_in + fan_out) (Glorot & Bengio)
    ahead of tanh and the gates, 2 / fan_in (He et al.) ahead of ReLU; biases 0, b_T = gate_bias.
    """
    n, S, L = WIDTH[family], len(members), depth
    relu = np.array([m["act"] == "relu" for m in members])

    def uniform(shape, var):
        """U[-a, a] with a^2 / 3 = var; var (S,) per member (or a scalar)."""
        var = np.reshape(var, (-1,) + (1,) * (len(shape) - 1))
        return rng.uniform(-1.0, 1.0, shape) * np.sqrt(3.0 * var)

    def var_ahead_of_f(fan_in, fan_out):           # He for ReLU, Glorot for tanh
        return np.where(relu, 2.0 / fan_in, 2.0 / (fan_in + fan_out))

    p = {"W0": uniform((S, N_IN, n), var_ahead_of_f(N_IN, n)), "b0": np.zeros((S, n))}
    W = uniform((S, L - 1, n, n), var_ahead_of_f(n, n))
    if family == "highway":
        WT = uniform((S, L - 1, n, n), 2.0 / (n + n))
        W = np.concatenate([W, WT], axis=-1)
        bT = np.array([m["gate_bias"] for m in members])[:, None, None] * np.ones((S, L - 1, n))
        p["b"] = np.concatenate([np.zeros((S, L - 1, n)), bT], axis=-1)
    else:
        p["b"] = np.zeros((S, L - 1, n))
    p["W"] = W
    p["Wo"] = uniform((S, n, N_OUT), 2.0 / (n + N_OUT))
    p["bo"] = np.zeros((S, N_OUT))
    return {k: v.astype(dtype) for k, v in p.items()}


def activate(a, acts):
    """f(a) per member group: a (S, B, n) -> (S, B, n)."""
    out = np.empty_like(a)
    for name, sl in acts.items():
        out[sl] = np.tanh(a[sl]) if name == "tanh" else np.maximum(a[sl], 0.0)
    return out


def act_grad(fa, acts):
    """f'(a) written through f(a): 1 - f^2 (tanh) or [f > 0] (ReLU)."""
    out = np.empty_like(fa)
    for name, sl in acts.items():
        out[sl] = 1.0 - fa[sl] ** 2 if name == "tanh" else (fa[sl] > 0)
    return out


def sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))          # overflow-free logistic


def forward(p, x, family, acts, lesion=None):
    """x (B, 784) -> logits (S, B, 10) and the cache: hs, the input of every square layer and the
    last output (L entries of (S, B, n)), and per square layer H (f of the block state) and T.
    lesion: index (0-based, among the square layers) of a layer whose gates are closed (T = 0:
    the highway layer copies its input) or, for plain nets, that is replaced by the identity."""
    n = p["W0"].shape[-1]
    h = activate(x @ p["W0"] + p["b0"][:, None], acts)               # (S, B, n)
    hs, Hs, Ts = [h], [], []
    for j in range(p["W"].shape[1]):
        a = h @ p["W"][:, j] + p["b"][:, j, None]                    # (S, B, k)
        if family == "highway":
            H, T = activate(a[..., :n], acts), sigmoid(a[..., n:])
            if j == lesion:
                T = np.zeros_like(T)
            h = h + T * (H - h)                                      # H T + h (1 - T)
            Ts.append(T)
        else:
            H = activate(a, acts)
            h = h if j == lesion else H
        Hs.append(H)
        hs.append(h)
    return h @ p["Wo"] + p["bo"][:, None], (hs, Hs, Ts)


def cross_entropy(z, y):
    """Mean cross-entropy per member (S,) and dL/dz (S, B, 10) of logits z (S, B, 10), labels y (B,)."""
    z = z - z.max(axis=-1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    B = len(y)
    loss = -logp[:, np.arange(B), y].mean(axis=-1)
    dz = np.exp(logp)
    dz[:, np.arange(B), y] -= 1.0
    return loss, dz / B


def loss_and_grads(p, x, y, family, acts):
    """Each member's mean cross-entropy (S,), the gradients keyed like p, and dL/dx (S, B, 784).
    The members are independent: the gradient of member s is that of its own loss."""
    z, (hs, Hs, Ts) = forward(p, x, family, acts)
    loss, dz = cross_entropy(z, y)
    g = {"Wo": np.swapaxes(hs[-1], 1, 2) @ dz, "bo": dz.sum(axis=1)}
    d = dz @ np.swapaxes(p["Wo"], 1, 2)                             # dL/dh_L (S, B, n)
    gW, gb = np.empty_like(p["W"]), np.empty_like(p["b"])
    for j in range(p["W"].shape[1] - 1, -1, -1):
        h, H = hs[j], Hs[j]
        if family == "highway":
            T = Ts[j]
            # h' = h + T (H - h):  dH = d T,  dT = d (H - h),  carry path d (1 - T)
            da = np.concatenate([d * T * act_grad(H, acts),           # through H = f(a_H)
                                 d * (H - h) * T * (1.0 - T)], -1)   # through T = sigmoid(a_T)
            carry = d * (1.0 - T)
        else:
            # h' = f(h W + b)
            da, carry = d * act_grad(H, acts), 0.0
        gW[:, j] = np.swapaxes(h, 1, 2) @ da
        gb[:, j] = da.sum(axis=1)
        d = carry + da @ np.swapaxes(p["W"][:, j], 1, 2)
    g["W"], g["b"] = gW, gb
    # h_1 = f(x W0 + b0)
    da = d * act_grad(hs[0], acts)
    g["W0"] = x.T[None] @ da
    g["b0"] = da.sum(axis=1)
    return loss, g, da @ np.swapaxes(p["W0"], 1, 2)


def evaluate(p, x, y, family, acts, lesion=None, chunk=5000):
    """Mean cross-entropy (S,) and classification error in % (S,) on (x, y)."""
    tot, wrong = 0.0, 0.0
    for i in range(0, len(x), chunk):
        z, _ = forward(p, x[i:i + chunk], family, acts, lesion)
        tot = tot + cross_entropy(z, y[i:i + chunk])[0] * len(z[0])
        wrong = wrong + (z.argmax(-1) != y[i:i + chunk]).sum(-1)
    return tot / len(x), 100.0 * wrong / len(x)


# ---------------------------------------------------------------- training

def epoch_orders(rng, cfg):
    """One batch order per epoch, shared by every net of the run (both families, every depth)."""
    return [rng.permutation(cfg["n_train"]) for _ in range(cfg["epochs"])]


def finite_members(loss, g):
    """(S,) True where the member's loss and every gradient entry are finite."""
    ok = np.isfinite(loss)
    for gk in g.values():
        ok &= np.isfinite(gk.reshape(len(ok), -1)).all(axis=1)
    return ok


def train_grid(family, depth, cfg, data, orders, rng):
    """The grid search of one family at one depth, then the winner alone.

    Every member trains side by side on the same batches (momentum SGD, eta_e = eta_0 decay^e)
    for the first ``search_images`` images; the member with the lowest mean training loss over
    the last ``window`` images of that stretch wins (one rung of successive halving, a budget
    stand-in for the paper's 100 full runs) and carries on alone, from where it is, to the end of
    ``epochs`` epochs. A member whose loss or gradient turns non-finite has diverged: it is
    frozen (weights zeroed so its slice stays finite) and can never win.

    Returns a dict: p (the winner's weights, S axis of 1), p_init (its initial weights), members,
    winner (index), search_ce (S,) mean loss of each member over the window (inf if diverged),
    curve (the winner's mean batch loss per ``window`` images), search_curves (points, S), cpu_s."""
    x, y = data[0], data[1]
    members = grid(family, cfg)
    acts = act_slices(members)
    p = init_params(rng, family, depth, members)
    p_init = {k: w.copy() for k, w in p.items()}
    v = {k: np.zeros_like(w) for k, w in p.items()}
    lr0 = np.array([m["lr"] for m in members], np.float32)
    alive = np.ones(len(members), bool)
    B, W, seen = cfg["batch"], cfg["window"], 0
    acc, n_acc, curve, search_curves = np.zeros(len(members)), 0, [], []
    winner, search_ce, alone = None, None, {"cpu_s": 0.0, "images": 0}
    c0 = time.process_time()
    for e, order in enumerate(orders):
        for i in range(0, len(order) - B + 1, B):
            idx = order[i:i + B]
            t0 = time.process_time()
            with np.errstate(over="ignore", invalid="ignore"):
                loss, g, _ = loss_and_grads(p, x[idx], y[idx], family, acts)
            if winner is None:
                ok = finite_members(loss, g)
                if not ok.all():
                    alive &= ok
                    for k in p:
                        p[k][~alive], v[k][~alive], g[k][~alive] = 0.0, 0.0, 0.0
                    loss = np.where(alive, loss, 0.0)
            else:
                cli.check_finite(e * len(order) + i, loss=loss)
            eta = lr0 * cfg["lr_decay"] ** e * (alive if winner is None else 1.0)
            optim.momentum_step(p, v, g, eta.astype(np.float32), cfg["momentum"])
            if winner is not None:
                alone["cpu_s"] += time.process_time() - t0
                alone["images"] += B
            acc, n_acc, seen = acc + loss, n_acc + B, seen + B
            if n_acc >= W:                                           # one point per window
                mean = np.where(alive, acc * B / n_acc, np.inf) if winner is None else acc * B / n_acc
                if winner is None:
                    search_curves.append(mean)
                    curve.append(float(np.min(mean)))
                else:
                    curve.append(float(mean[0]))
                acc, n_acc = np.zeros_like(acc), 0
            if winner is None and seen >= cfg["search_images"]:
                search_ce = search_curves[-1]
                winner = int(np.argmin(search_ce))
                curve = [float(c[winner]) for c in search_curves]
                p, v, p_init = pick(p, winner), pick(v, winner), pick(p_init, winner)
                lr0, acts = lr0[winner:winner + 1], act_slices([members[winner]])
                acc = acc[winner:winner + 1]
        print(f"  {family:7s} depth {depth:3d}  epoch {e + 1}  winner {describe(members[winner])}  "
              f"running train CE {curve[-1]:.4g}  ({int(alive.sum())}/{len(members)} of the grid finite)",
              flush=True)
    return {"p": p, "p_init": p_init, "members": members, "winner": winner, "search_ce": search_ce,
            "acts": acts, "curve": np.array(curve), "search_curves": np.array(search_curves),
            "cpu_s": time.process_time() - c0,
            "alone_cpu_s_per_epoch": alone["cpu_s"] / max(1, alone["images"]) * mnist.N_TRAIN}


def describe(m):
    return ", ".join(f"{k} {v:g}" if isinstance(v, float) else f"{k} {v}" for k, v in m.items())


def pick(p, s):
    """Member s of a grid's params, keeping the S axis (size 1)."""
    return {k: w[s:s + 1].copy() for k, w in p.items()}


# ---------------------------------------------------------------- CLI and main

def build_parser():
    parser = cli.make_parser(__doc__, __file__)
    parser.add_argument("--epochs", type=cli.int_range(1, 500), default=DEFAULTS["epochs"],
                        help="passes over the training set per member of the grid")
    parser.add_argument("--batch", type=cli.int_range(2, 10_000), default=DEFAULTS["batch"],
                        help="images per SGD step (gradient = mean over the batch)")
    parser.add_argument("--momentum", type=cli.float_range(0.0, 0.999), default=DEFAULTS["momentum"],
                        help="momentum mu of v <- mu v - eta g")
    parser.add_argument("--lr-decay", type=cli.float_range(0.01, 1.0), default=DEFAULTS["lr_decay"],
                        help="the learning rate is multiplied by this after every epoch")
    parser.add_argument("--n-train", type=cli.int_range(100, mnist.N_TRAIN), default=DEFAULTS["n_train"],
                        help="training images used (the first n of MNIST's 60,000)")
    parser.add_argument("--n-test", type=cli.int_range(100, mnist.N_TEST), default=DEFAULTS["n_test"],
                        help="test images used (the first n of MNIST's 10,000)")
    parser.add_argument("--lrs", type=float_list(1e-5, 10.0), default=DEFAULTS["lrs"],
                        help="comma-separated initial learning rates of the grid, each 1e-5..10")
    parser.add_argument("--gate-biases", type=float_list(-20.0, 0.0), default=DEFAULTS["gate_biases"],
                        help="comma-separated initial transform-gate biases of the highway grid, each -20..0")
    parser.add_argument("--depths", type=depth_list, default=DEFAULTS["depths"],
                        help="comma-separated depths (layers, the first plain), each 2..200")
    parser.add_argument("--search-images", type=cli.int_range(100, 10_000_000),
                        default=DEFAULTS["search_images"],
                        help="images every grid member trains on before the best one is kept (the rest stop)")
    parser.add_argument("--window", type=cli.int_range(2, 1_000_000), default=DEFAULTS["window"],
                        help="images per point of the loss curves; the search picks by the last window")
    parser.add_argument("--probe-images", type=cli.int_range(10, mnist.N_TRAIN),
                        default=DEFAULTS["probe_images"],
                        help="training images for the gate statistics and the layer lesions")
    parser.add_argument("--jac-images", type=cli.int_range(1, 1000), default=DEFAULTS["jac_images"],
                        help="training images whose layer Jacobians are analysed")
    parser.add_argument("--lesion-depth", type=cli.int_range(2, 200), default=DEFAULTS["lesion_depth"],
                        help="depth of the nets whose layers are lesioned one at a time (one of --depths)")
    return parser


def float_list(lo, hi):
    """A parser of comma-separated distinct floats in [lo, hi] (at most 6)."""
    def parse(text):
        try:
            vs = tuple(float(t) for t in text.split(","))
        except ValueError:
            raise cli.argparse.ArgumentTypeError(f"not a comma-separated list of numbers: {text!r}") from None
        if not 1 <= len(vs) <= 6 or len(set(vs)) != len(vs) or not all(lo <= v <= hi for v in vs):
            raise cli.argparse.ArgumentTypeError(
                f"need 1 to 6 distinct numbers in [{lo:g}, {hi:g}], got {text!r}")
        return vs
    return parse


def depth_list(text):
    try:
        ds = tuple(int(t) for t in text.split(","))
    except ValueError:
        raise cli.argparse.ArgumentTypeError(f"not a comma-separated list of integers: {text!r}") from None
    if not ds or any(not 2 <= d <= 200 for d in ds) or len(set(ds)) != len(ds):
        raise cli.argparse.ArgumentTypeError(f"depths must be distinct integers in 2..200, got {text!r}")
    return tuple(sorted(ds))


def resolve(args):
    cli.quick(args, **QUICK)
    cfg = {k: getattr(args, k) for k in DEFAULTS}
    if cfg["lesion_depth"] not in cfg["depths"]:
        raise cli.StubError(f"--lesion-depth {cfg['lesion_depth']} is not one of --depths {cfg['depths']}")
    if max(cfg["jac_images"], cfg["probe_images"]) > cfg["n_train"]:
        raise cli.StubError("--jac-images and --probe-images must not exceed --n-train")
    if cfg["window"] % cfg["batch"] or cfg["search_images"] % cfg["window"]:
        raise cli.StubError("--window must be a multiple of --batch, and --search-images of --window")
    if cfg["search_images"] > cfg["epochs"] * (cfg["n_train"] // cfg["batch"]) * cfg["batch"]:
        raise cli.StubError("--search-images exceeds the images the run trains on (--epochs x --n-train)")
    return cfg


def main(args):
    timer = cli.Timer()
    cfg = resolve(args)
    dg = cli.load_sibling(__file__, "highway_networks_diagnostics", globals())
    rs = streams(args.seed, ["init", "order", "diag"])
    orders = epoch_orders(rs["order"], cfg)
    print(f"MNIST, {cfg['n_train']:,} training / {cfg['n_test']:,} test images; depths {cfg['depths']}; "
          f"highway {WIDTH['highway']} blocks vs plain {WIDTH['plain']} units per layer; momentum SGD "
          f"mu {cfg['momentum']}, batch {cfg['batch']}, {cfg['epochs']} epochs, "
          f"lr x {cfg['lr_decay']}/epoch; "
          f"grid: lr {cfg['lrs']} x {ACTS} (x gate bias {cfg['gate_biases']} for highway)")
    data = load_data(cfg)
    runs = {}
    for depth in cfg["depths"]:
        for family in FAMILIES:
            runs[family, depth] = train_grid(family, depth, cfg, data, orders, rs["init"])
    metrics, arrays = dg.summarise(runs, data, cfg, rs["diag"])
    rec = record(args, __file__, title="Highway networks vs plain networks: training loss against depth",
                 paper=PAPER,
                 config=dict(cfg, widths=WIDTH, activations=ACTS, n_nets=sum(len(r["members"])
                                                                            for r in runs.values())),
                 metrics=metrics, headline=headline_rows(metrics, cfg),
                 lyapunov=dg.lyapunov_block(metrics, cfg))
    finish_run(args.out, rec, arrays, timer)


# ---------------------------------------------------------------- verdicts

def headline_rows(M, cfg):
    """Best training cross-entropy per depth for both families, and the paper's three statements
    about them. Every verdict is capped at partial: one seed, a 2-to-12-member grid instead of a
    100-run random search, a few epochs, and the paper's epoch count not read."""
    ds, best = cfg["depths"], M["best"]
    hw = [best["highway"][str(d)]["train_ce"] for d in ds]
    pl = [best["plain"][str(d)]["train_ce"] for d in ds]
    fmt = " / ".join
    sizes = f"{len(grid('highway', cfg))}/{len(grid('plain', cfg))}"
    cap = f"{cfg['epochs']} epochs, {sizes}-member grids, one seed"
    hw_ratio = max(hw) / min(hw)
    v1 = "partial" if hw_ratio <= SIMILAR else "open"
    pl_ratio = pl[-1] / pl[0]
    v2 = "partial" if pl_ratio >= SIMILAR and pl[-1] > hw[-1] else "open"
    gap = pl[-1] / hw[-1]
    v3 = "partial" if gap >= SIMILAR else "open"
    dtxt = "/".join(map(str, ds))
    return [
        headline_row(f"Highway, best training cross-entropy at {dtxt} layers",
                     fmt(f"{v:.3g}" for v in hw),
                     "50/100 layers perform similar to 10/20 (fig. 1)", v1,
                     f"largest / smallest = {hw_ratio:.2f} (similar: within {SIMILAR:g}x, "
                     f"pre-registered); {cap}",
                     numbers=[{"value": v} for v in hw]),
        headline_row(f"Plain, best training cross-entropy at {dtxt} layers",
                     fmt(f"{v:.3g}" for v in pl),
                     f"10/20 layers: mean loss < {PAPER_PLAIN_SHALLOW:g}; significantly worse with depth", v2,
                     f"deepest / shallowest = {pl_ratio:.3g} (worse: by {SIMILAR:g}x or more and "
                     f"above highway); "
                     f"{cap}; the paper's < 1e-4 comes after far longer training",
                     numbers=[{"value": v} for v in pl]),
        headline_row(f"{ds[-1]} layers: plain over highway best training cross-entropy",
                     f"{gap:.3g}x", f"> {PAPER_RATIO_100:g}x (100 layers, more than 2 orders of magnitude)",
                     v3, f"partial when >= {SIMILAR:g}x (qualitative); "
                     f"{'at or above' if gap >= PAPER_RATIO_100 else 'below'}"
                     f" the paper's {PAPER_RATIO_100:g}x; {cap}",
                     numbers=[{"value": gap}]),
        lesion_row(M, cfg, cap),
    ]


def lesion_row(M, cfg, cap):
    """Section 4.2: lesioning one layer of the 50-layer MNIST highway net, ~60 % of the layers
    (15-45) have close to no effect, the early ones matter. Partial when 40-80 % are idle (training
    error up by < IDLE_POINTS) and the first third matters more than the last; open otherwise."""
    L = M["lesion"]["highway"]
    share, early, late = L["idle_share"], L["rise_first_third"], L["rise_last_third"]
    v = "partial" if 0.4 <= share <= 0.8 and early > late else "open"
    pl = M["lesion"]["plain"]["idle_share"]
    return headline_row(f"{cfg['lesion_depth']}-layer highway net: share of layers whose lesion (T = 0) "
                        f"raises training error < {IDLE_POINTS:g} points",
                        f"{share:.0%}", "about 60 % (layers 15-45); early layers matter (fig. 4)", v,
                        f"mean rise first / last third of the layers {early:.2f} / {late:.2f} points "
                        f"(partial when 40-80 % idle and the first third matters more, pre-registered); "
                        f"plain net, a layer replaced by the identity: {pl:.0%} idle; {cap}",
                        numbers=[{"value": 100 * share}])


def gradcheck_nets(rng, family, depth=3, n_in=12, batch=3):
    """A tanh and a ReLU member of the paper's width, ``depth`` layers, ``n_in`` inputs (the code
    does not depend on 784), non-zero biases so every path carries a gradient; float64."""
    members = [{"act": "tanh", "lr": 0.1, "gate_bias": -1.0}, {"act": "relu", "lr": 0.1, "gate_bias": -1.0}]
    p = init_params(rng, family, depth, members, np.float64)
    p["W0"] = p["W0"][:, :n_in] * np.sqrt(784 / n_in)
    for k in ("b0", "b", "bo"):
        p[k] = p[k] + rng.normal(0, 0.3, p[k].shape)
    return p, act_slices(members), rng.random((batch, n_in)), rng.integers(0, 10, batch)


def gradcheck(args):
    """Every coordinate of every parameter tensor and of the input, for highway and plain stacks
    (a tanh and a ReLU member each), by complex steps: d loss / d w = Im loss(w + i h) / h with
    h = 1e-30, exact to float64 precision and never across a ReLU kink (``shared.gradcheck``)."""
    from shared.gradcheck import complex_step_gradients
    rng = np.random.default_rng(args.seed)
    errs = {}
    for family in FAMILIES:
        p, acts, x, y = gradcheck_nets(rng, family)
        _, g, dx = loss_and_grads(p, x, y, family, acts)

        def total(q, family=family, acts=acts, y=y):
            z, _ = forward({k: v for k, v in q.items() if k != "x"}, q["x"], family, acts)
            return cross_entropy(z, y)[0].sum()                     # the members' losses, summed
        e = complex_step_gradients(total, dict(p, x=x), dict(g, x=dx.sum(0)))
        errs.update({f"{family}.{k}": v for k, v in e.items()})
    return errs


if __name__ == "__main__":
    cli.run(main, build_parser(), gradcheck=gradcheck)
