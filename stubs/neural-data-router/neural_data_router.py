"""The Neural Data Router on compositional table lookup (Csordas, Irie & Schmidhuber 2022).

R. Csordas, K. Irie, J. Schmidhuber, "The Neural Data Router: Adaptive Control Flow in
Transformers Improves Systematic Generalization", ICLR 2022 (arXiv:2110.07732), Sec. 3 (CTL).

Task (the authors' generator, argument-first order): 9 random permutation tables of the 8 values
of a 3-bit symbol. A depth-n example is the token sequence  v g_1 g_2 ... g_n  (length n + 1) and
its answer is g_n(...g_2(g_1(v))), read from the last column. Training depths 1-5; the paper
checks length generalisation on depths 6-8 (its validation split) and 9-10 (its test split).

Model: ONE layer, shared, applied n_steps times to all columns at once (a Universal-Transformer
recurrence in depth). Every column's state x (d) is updated per step t as

    NDR (no positional encoding):
      a   = Wo^T sum_j A_ij (Wv^T x_j)          A: direction-sensitive geometric attention
      net = LN1(x + a)
      u   = LN2(W2^T relu(W1^T net + b1) + b2)                     (no residual around FF)
      g   = sigmoid(G2^T relu(G1^T net + c1) + c2)                 vector copy gate, c2 = -3 at init
      x'  = g * u + (1 - g) * x                                    (gate closed: copy x)
    geometric attention, for query column i and key column j != i:
      z_ij = (q_i + cb) . k_j / sqrt(d) + [j < i] back_i + [j > i] front_i + sb
      P_ij = sigmoid(z_ij),  A_ij = P_ij prod_{k closer to i than j} (1 - P_ik)
      ("closer": |i - k| < |i - j|, or equal distance with k left of j; the product is an
      exclusive cumulative sum of log(1 - P) along the keys sorted by distance, one gather)
    baseline (the same shared layer without the NDR's parts): sinusoidal positions added to the
      embedding, softmax attention, standard post-LN residuals, no gate:
      net = LN1(x + a),  x' = LN2(net + W2^T relu(W1^T net + b1) + b2)

Loss: cross-entropy of the 8-way readout of the last column after n_steps. Every array of the
model carries a leading seed axis S: --n-seeds nets of each kind train at once, each with its own
init and data. States are (S, B, L, d): the recurrence runs over the steps, not over the L columns.
Backward passes are hand-written and gradient-checked (--gradcheck). The Lyapunov spectrum of the
per-column layer map along the steps, and the gate and attention maps per step, close the run
(``neural_data_router_dynamics.py``).

    python3 neural_data_router.py --seed 0        # headline, a few minutes
    python3 neural_data_router.py --quick         # smoke test, seconds
"""
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401  (pins BLAS to one thread before numpy loads)

import numpy as np

from shared import cli
from shared.optim import AdamW
from shared.results import finish_run, record
from shared.rng import streams

PAPER = ("R. Csordas, K. Irie, J. Schmidhuber, The Neural Data Router: Adaptive Control Flow in "
         "Transformers Improves Systematic Generalization, ICLR 2022 (arXiv:2110.07732)")
N_VALUES, N_TABLES = 8, 9            # 3-bit symbols; the 9 tables the authors compose
TRAIN_DEPTHS, VALID_DEPTHS, TEST_DEPTHS = (1, 2, 3, 4, 5), (6, 7, 8), (9, 10)
ARCHS = ("ndr", "baseline")
DEFAULTS = dict(d=64, n_steps=14, n_seeds=3, batch=32, steps=1000, lr=3e-3, wd=0.01, clip=1.0,
                eval_every=200, n_eval=256, lyap_seqs=2, baseline_low_lr=3e-4)
QUICK = dict(d=16, n_steps=11, n_seeds=2, batch=8, steps=6, eval_every=3, n_eval=8, lyap_seqs=1)


# ---------------------------------------------------------------- data

def make_tables(rng):
    """N_TABLES random permutations of the N_VALUES values: (N_TABLES, N_VALUES)."""
    return np.argsort(rng.random((N_TABLES, N_VALUES)), axis=1)


def batch(rng, tables, depth, S, B):
    """Tokens (S, B, depth + 1) (values 0..7, table g as token 8 + g) and answers (S, B)."""
    v = rng.integers(0, N_VALUES, (S, B))
    g = rng.integers(0, N_TABLES, (S, B, depth))
    y = v.copy()
    for t in range(depth):                 # apply g_1 first: it sits next to the argument
        y = tables[g[..., t], y]
    return np.concatenate([v[..., None], N_VALUES + g], axis=-1), y


# ---------------------------------------------------------------- model: parts

def init_params(rng, S, arch, d, dtype=np.float32):
    """Per-seed parameters (S, ...), Xavier-uniform matrices as in the authors' code; the gate's
    output bias c2 = -3 (gate nearly closed at init: copy by default)."""
    def xav(fan_in, fan_out, gain=1.0):
        a = gain * np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-a, a, (S, fan_in, fan_out))
    F, V = 2 * d, N_VALUES + N_TABLES
    p = dict(E=rng.standard_normal((S, V, d)),          # unit scale per unit, like the LN outputs
             Wq=xav(d, d), Wk=xav(d, d), Wv=xav(d, d), Wo=xav(d, d),
             ln1_g=np.ones((S, d)), ln1_b=np.zeros((S, d)),
             W1=xav(d, F, np.sqrt(2)), b1=np.zeros((S, F)), W2=xav(F, d), b2=np.zeros((S, d)),
             ln2_g=np.ones((S, d)), ln2_b=np.zeros((S, d)),
             Wout=xav(d, N_VALUES), bout=np.zeros((S, N_VALUES)))
    if arch == "ndr":
        p.update(cb=np.zeros((S, d)), Wp=xav(d, 2), bp=np.zeros((S, 2)), sb=np.zeros((S, 1)),
                 G1=xav(d, d, np.sqrt(2)), c1=np.zeros((S, d)), G2=xav(d, d), c2=np.full((S, d), -3.0))
    return {k: v.astype(dtype) for k, v in p.items()}


def lin(x, W, b=None):
    """x (S, ..., m) @ W (S, m, n) [+ b (S, n)] -> (S, ..., n)."""
    S = x.shape[0]
    y = np.matmul(x.reshape(S, -1, x.shape[-1]), W).reshape(x.shape[:-1] + (W.shape[-1],))
    return y if b is None else y + b.reshape((S,) + (1,) * (x.ndim - 2) + (-1,))


def lin_back(dy, x, W, grads, wname, bname=None):
    """Backward of y = x W + b: accumulate dW (and db) into grads; return dx."""
    S = x.shape[0]
    x2, dy2 = x.reshape(S, -1, x.shape[-1]), dy.reshape(S, -1, dy.shape[-1])
    grads[wname] = grads.get(wname, 0) + np.matmul(x2.transpose(0, 2, 1), dy2)
    if bname is not None:
        grads[bname] = grads.get(bname, 0) + dy2.sum(1)
    return np.matmul(dy2, W.transpose(0, 2, 1)).reshape(x.shape)


def bcast(v, ndim):
    """A per-seed vector (S, n) shaped to broadcast against (S, ..., n) of ndim dims."""
    return v.reshape((v.shape[0],) + (1,) * (ndim - 2) + (v.shape[-1],))


def layer_norm(h, gam, bet, eps=1e-5):
    """LayerNorm over the last axis: (S, ..., d) -> (S, ..., d), and its cache."""
    mu = h.mean(-1, keepdims=True)
    r = 1.0 / np.sqrt(((h - mu) ** 2).mean(-1, keepdims=True) + eps)
    nh = (h - mu) * r
    return nh * bcast(gam, h.ndim) + bcast(bet, h.ndim), (nh, r, gam)


def layer_norm_back(dy, cache, grads, gname, bname):
    # y = nh * gamma + beta,  nh = (h - mean h) / sqrt(var h + eps)
    nh, r, gam = cache
    S, d = dy.shape[0], dy.shape[-1]
    grads[gname] = grads.get(gname, 0) + (dy * nh).reshape(S, -1, d).sum(1)
    grads[bname] = grads.get(bname, 0) + dy.reshape(S, -1, d).sum(1)
    dn = dy * bcast(gam, dy.ndim)
    return r * (dn - dn.mean(-1, keepdims=True) - nh * (dn * nh).mean(-1, keepdims=True))


def sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def distance_order(L):
    """perm (L, L): row i lists the key columns by distance from query i (i itself, then i-1,
    i+1, i-2, i+2, ...; left first at equal distance); inv (L, L) its inverse per row."""
    perm = np.array([sorted(range(L), key=lambda j: (abs(j - i), j)) for i in range(L)])
    return perm, np.argsort(perm, axis=1)


def geometric_attention(z):
    """A (S, B, L, L) from the scores z (S, B, L, L), all queries at once. The diagonal is masked
    (P_ii = 0). log A_ij = log P_ij + sum over closer keys k of log(1 - P_ik): an exclusive
    cumulative sum along each query's distance order (gathered, summed, scattered back)."""
    L = z.shape[-1]
    perm, inv = distance_order(L)
    eye = np.eye(L, dtype=bool)
    P = np.where(eye, 0.0, sigmoid(z))
    lq = np.where(eye, 0.0, -np.logaddexp(0.0, z))                   # log(1 - P)
    lq_s = np.take_along_axis(lq, np.broadcast_to(perm, lq.shape), -1)
    excl = np.take_along_axis(np.cumsum(lq_s, -1) - lq_s, np.broadcast_to(inv, lq.shape), -1)
    A = np.where(eye, 0.0, np.exp(excl - np.logaddexp(0.0, -z)))     # P_ij * exp(excl_ij)
    return A, (P, perm, inv)


def geometric_attention_back(dA, A, cache):
    """dz from dA: log A = log P + excl; excl = scatter(excl_cumsum(gather(log(1 - P))))."""
    P, perm, inv = cache
    dl = dA * A                                                      # d log A
    dC = np.take_along_axis(dl, np.broadcast_to(perm, dl.shape), -1)  # to the sorted order
    rev = np.cumsum(dC[..., ::-1], -1)[..., ::-1] - dC              # sum over later ranks
    dlq = np.take_along_axis(rev, np.broadcast_to(inv, dl.shape), -1)
    dz = dl * (1.0 - P) - dlq * P                                    # d log P / dz, d log(1-P) / dz
    return np.where(np.eye(A.shape[-1], dtype=bool), 0.0, dz)


def softmax_attention(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def positions(L, d):
    """Sinusoidal position encoding (L, d) of the baseline."""
    pos, i = np.arange(L)[:, None], np.arange(d // 2)[None]
    ang = pos / 10000.0 ** (2 * i / d)
    return np.concatenate([np.sin(ang), np.cos(ang)], -1)


# ---------------------------------------------------------------- model: the shared layer

def layer(p, x, arch):
    """One application of the shared layer to all columns: x (S, B, L, d) -> (S, B, L, d), cache."""
    d, L = x.shape[-1], x.shape[-2]
    q, k, v = lin(x, p["Wq"]), lin(x, p["Wk"]), lin(x, p["Wv"])
    c = dict(x=x, q=q, k=k, v=v)
    if arch == "ndr":
        qc = q + bcast(p["cb"], x.ndim)
        pq = lin(x, p["Wp"], p["bp"])                                # (S, B, L, 2): back, front
        lower = np.tril(np.ones((L, L)), -1)                         # [j < i]
        z = (np.matmul(qc, np.swapaxes(k, -1, -2)) * d ** -0.5 + pq[..., :1] * lower
             + pq[..., 1:] * lower.T + p["sb"].reshape(-1, 1, 1, 1))
        A, c["ga"] = geometric_attention(z)
        c.update(qc=qc, lower=lower)
    else:
        A = softmax_attention(np.matmul(q, np.swapaxes(k, -1, -2)) * d ** -0.5)
    av = np.matmul(A, v)
    net, c["ln1"] = layer_norm(x + lin(av, p["Wo"]), p["ln1_g"], p["ln1_b"])
    f = np.maximum(lin(net, p["W1"], p["b1"]), 0.0)
    up = lin(f, p["W2"], p["b2"])
    c.update(A=A, av=av, net=net, f=f)
    if arch == "ndr":
        u, c["ln2"] = layer_norm(up, p["ln2_g"], p["ln2_b"])
        gh = np.maximum(lin(net, p["G1"], p["c1"]), 0.0)
        g = sigmoid(lin(gh, p["G2"], p["c2"]))
        c.update(u=u, gh=gh, g=g)
        return g * u + (1.0 - g) * x, c
    out, c["ln2"] = layer_norm(net + up, p["ln2_g"], p["ln2_b"])
    return out, c


def layer_back(p, dout, c, arch, grads):
    """Backward of ``layer``: accumulates parameter gradients into grads, returns dx."""
    x, d = c["x"], c["x"].shape[-1]
    if arch == "ndr":
        # x' = g u + (1 - g) x,  g = sigmoid(gh G2 + c2),  gh = relu(net G1 + c1),  u = LN2(up)
        g = c["g"]
        dx = dout * (1.0 - g)
        dgz = dout * (c["u"] - x) * g * (1.0 - g)
        dgh = lin_back(dgz, c["gh"], p["G2"], grads, "G2", "c2") * (c["gh"] > 0)
        dnet = lin_back(dgh, c["net"], p["G1"], grads, "G1", "c1")
        dup = layer_norm_back(dout * g, c["ln2"], grads, "ln2_g", "ln2_b")
    else:
        # x' = LN2(net + up)
        dup = layer_norm_back(dout, c["ln2"], grads, "ln2_g", "ln2_b")
        dx, dnet = 0.0, dup
    # up = relu(net W1 + b1) W2 + b2
    df = lin_back(dup, c["f"], p["W2"], grads, "W2", "b2") * (c["f"] > 0)
    dnet = dnet + lin_back(df, c["net"], p["W1"], grads, "W1", "b1")
    # net = LN1(x + (A v) Wo)
    dh = layer_norm_back(dnet, c["ln1"], grads, "ln1_g", "ln1_b")
    dx = dx + dh
    dav = lin_back(dh, c["av"], p["Wo"], grads, "Wo")
    dA = np.matmul(dav, np.swapaxes(c["v"], -1, -2))
    dv = np.matmul(np.swapaxes(c["A"], -1, -2), dav)
    if arch == "ndr":
        dz = geometric_attention_back(dA, c["A"], c["ga"])
        lower = c["lower"]
        grads["sb"] = grads.get("sb", 0) + dz.sum((1, 2, 3))[:, None]
        dpq = np.stack([(dz * lower).sum(-1), (dz * lower.T).sum(-1)], -1)
        dx = dx + lin_back(dpq, x, p["Wp"], grads, "Wp", "bp")
        dzs = dz * d ** -0.5
        dq = np.matmul(dzs, c["k"])
        dk = np.matmul(np.swapaxes(dzs, -1, -2), c["qc"])
        grads["cb"] = grads.get("cb", 0) + dq.reshape(dq.shape[0], -1, d).sum(1)
    else:
        A = c["A"]
        dz = A * (dA - (dA * A).sum(-1, keepdims=True)) * d ** -0.5
        dq = np.matmul(dz, c["k"])
        dk = np.matmul(np.swapaxes(dz, -1, -2), c["q"])
    return (dx + lin_back(dq, x, p["Wq"], grads, "Wq") + lin_back(dk, x, p["Wk"], grads, "Wk")
            + lin_back(dv, x, p["Wv"], grads, "Wv"))


# ---------------------------------------------------------------- model: whole net

def embed(p, tok, arch):
    """x_0 (S, B, L, d): token embeddings (plus sinusoidal positions for the baseline)."""
    x = np.take_along_axis(p["E"][:, None], tok[..., None], axis=2)  # (S, B, L, d)
    if arch == "baseline":
        x = x + positions(tok.shape[-1], x.shape[-1]).astype(x.dtype)
    return x


def run_layers(p, tok, arch, n_steps):
    """States (n_steps + 1, S, B, L, d) and every step's cache."""
    xs, caches = [embed(p, tok, arch)], []
    for _ in range(n_steps):
        x, c = layer(p, xs[-1], arch)
        xs.append(x)
        caches.append(c)
    return xs, caches


def forward(p, tok, y, arch, n_steps):
    """Per-seed mean cross-entropy (S,), the cache, and the logits (S, B, 8) of the last column."""
    xs, caches = run_layers(p, tok, arch, n_steps)
    h = xs[-1][:, :, -1]                                             # (S, B, d)
    logits = lin(h, p["Wout"], p["bout"])
    lp = logits - logits.max(-1, keepdims=True)
    lp = lp - np.log(np.exp(lp).sum(-1, keepdims=True))
    loss = -np.take_along_axis(lp, y[..., None], -1)[..., 0].mean(-1)
    return loss, dict(tok=tok, y=y, h=h, lp=lp, caches=caches, L=tok.shape[-1]), logits


def backward(p, c, arch):
    """Gradients of the summed per-seed losses, keyed like p."""
    grads = {}
    B = c["y"].shape[1]
    dlog = np.exp(c["lp"])
    np.put_along_axis(dlog, c["y"][..., None], np.take_along_axis(dlog, c["y"][..., None], -1) - 1.0, -1)
    dh = lin_back(dlog / B, c["h"], p["Wout"], grads, "Wout", "bout")
    dx = np.zeros(c["caches"][0]["x"].shape, dtype=dh.dtype)
    dx[:, :, -1] = dh
    for cache in reversed(c["caches"]):
        dx = layer_back(p, dx, cache, arch, grads)
    # x_0 = E[tok] (+ positions)
    S, V, d = p["E"].shape
    flat = (np.arange(S)[:, None, None] * V + c["tok"]).ravel()
    dE = np.zeros((S * V, d), dtype=dx.dtype)
    np.add.at(dE, flat, dx.reshape(-1, d))
    grads["E"] = dE.reshape(S, V, d)
    return {k: np.asarray(grads[k], dtype=p[k].dtype).reshape(p[k].shape) for k in p}


# ---------------------------------------------------------------- training and evaluation

def eval_sets(rng, tables, S, n):
    """Fixed evaluation examples per depth 1..10: {depth: (tokens (S, n, L), answers (S, n))}."""
    return {dep: batch(rng, tables, dep, S, n) for dep in TRAIN_DEPTHS + VALID_DEPTHS + TEST_DEPTHS}


def accuracy(p, sets, arch, n_steps, chunk=128):
    """Accuracy per seed and depth: {depth: (S,)}."""
    out = {}
    for dep, (tok, y) in sets.items():
        hits = [forward(p, tok[:, i:i + chunk], y[:, i:i + chunk], arch, n_steps)[2].argmax(-1)
                == y[:, i:i + chunk] for i in range(0, tok.shape[1], chunk)]
        out[dep] = np.concatenate(hits, 1).mean(1)
    return out


def train(cfg, rs, tables, sets, arch, label=None):
    """S nets of one kind, AdamW, every batch one depth (length-bucketed, as the authors), drawn
    uniformly from the training depths; each net its own init and data (streams "<label>/init",
    "<label>/data"). Returns the parameters, the loss curve (steps, S) and the eval curve
    (n_evals, 10 depths, S)."""
    S, label = cfg["n_seeds"], label or arch
    p = init_params(rs[f"{label}/init"], S, arch, cfg["d"])
    opt = AdamW(p, lr=cfg["lr"], weight_decay=cfg["wd"], clip=cfg["clip"], per_member=True)
    losses, curve, timer = np.zeros((cfg["steps"], S)), [], cli.Timer()
    for step in range(1, cfg["steps"] + 1):
        dep = int(rs[f"{label}/data"].choice(TRAIN_DEPTHS))
        tok, y = batch(rs[f"{label}/data"], tables, dep, S, cfg["batch"])
        loss, c, _ = forward(p, tok, y, arch, cfg["n_steps"])
        grads = backward(p, c, arch)
        cli.check_finite(step, loss=loss, **grads)
        opt.step(grads)
        losses[step - 1] = loss
        if step % cfg["eval_every"] == 0 or step == cfg["steps"]:
            acc = accuracy(p, sets, arch, cfg["n_steps"])
            curve.append(np.stack([acc[dep] for dep in sorted(acc)]))
            bins = [bin_mean(acc, deps).mean() for deps in (TRAIN_DEPTHS, VALID_DEPTHS, TEST_DEPTHS)]
            print(f"  {label:8s} step {step:5d}  loss {losses[max(0, step - 50):step].mean():.3f}  acc "
                  f"1-5 {bins[0]:.3f}  6-8 {bins[1]:.3f}  9-10 {bins[2]:.3f}  "
                  f"[{cli.progress(step, cfg['steps'], timer())}]", flush=True)
    return p, losses, np.stack(curve)                                # curve (n_evals, 10, S)


def bin_mean(acc, depths):
    """Mean accuracy over a bin of depths, per seed (S,)."""
    return np.mean([acc[dep] for dep in depths], axis=0)


# ---------------------------------------------------------------- verdicts and main

def main(args):
    timer = cli.Timer()
    cli.quick(args, **QUICK)
    cfg = {k: getattr(args, k) for k in DEFAULTS}
    if cfg["n_steps"] < max(TEST_DEPTHS) + 1:
        raise cli.StubError(f"--n-steps {cfg['n_steps']} is below {max(TEST_DEPTHS) + 1}: depth-10 answers "
                            "need at least one step per table")
    print(f"CTL, {N_TABLES} tables of {N_VALUES} values, train depths 1-5; shared layer x "
          f"{cfg['n_steps']} steps, d = {cfg['d']}, {cfg['n_seeds']} nets per kind, batch {cfg['batch']}, "
          f"AdamW {cfg['lr']:g}, {cfg['steps']} steps")
    names = ["tables", "eval", "lyap"] + [f"{a}/{s}" for a in ARCHS + ("baseline_low",)
                                          for s in ("init", "data")]
    rs = streams(args.seed, names)
    tables = make_tables(rs["tables"])
    sets = eval_sets(rs["eval"], tables, cfg["n_seeds"], cfg["n_eval"])
    R = {}
    for arch in ARCHS:
        c0 = time.process_time()
        p, losses, curve = train(cfg, rs, tables, sets, arch)
        R[arch] = dict(p=p, losses=losses, curve=curve, cpu_s=time.process_time() - c0)
    # the baseline again at a lower learning rate: does it fail to fit only because of the NDR's lr?
    c0 = time.process_time()
    low = dict(cfg, lr=cfg["baseline_low_lr"])
    _, losses, curve = train(low, rs, tables, sets, "baseline", "baseline_low")
    R["baseline_low"] = dict(losses=losses, curve=curve, cpu_s=time.process_time() - c0)
    dyn = dynamics()
    film, lyap = dyn.analyse(R, cfg, tables, rs["lyap"])
    metrics, arrays = dyn.summarise(R, cfg, film, lyap)
    rec = record(args, __file__, title="Neural Data Router: compositional table lookup, NDR vs shared-layer "
                 "Transformer", paper=PAPER, config=dict(cfg, n_tables=N_TABLES, n_values=N_VALUES),
                 metrics=metrics, headline=dyn.headline_rows(metrics, cfg),
                 lyapunov=dyn.lyapunov_record(lyap, cfg))
    finish_run(args.out, rec, arrays, timer)


def dynamics():
    """Lyapunov spectra, the filmed example, metrics and headline (``neural_data_router_dynamics.py``)."""
    return cli.load_sibling(__file__, "neural_data_router_dynamics", globals())


def gradcheck(args):
    return cli.load_sibling(__file__, "neural_data_router_checks", globals()).gradcheck(args)


def build_parser():
    parser = cli.make_parser(__doc__, __file__)
    parser.add_argument("--d", type=cli.int_range(4, 256), default=DEFAULTS["d"],
                        help="state size d (paper: 256); feed-forward 2d, gate hidden d, one head")
    parser.add_argument("--n-steps", type=cli.int_range(1, 32), default=DEFAULTS["n_steps"],
                        help="applications of the shared layer (paper: 14); at least 11 for depth 10")
    parser.add_argument("--n-seeds", type=cli.int_range(1, 10), default=DEFAULTS["n_seeds"],
                        help="nets of each kind trained at once, each its own init and data (paper: 5)")
    parser.add_argument("--batch", type=cli.int_range(1, 1024), default=DEFAULTS["batch"],
                        help="sequences per training step (paper: 512)")
    parser.add_argument("--steps", type=cli.int_range(1, 100_000), default=DEFAULTS["steps"],
                        help="training steps per net (paper: 30,000)")
    parser.add_argument("--lr", type=cli.float_range(0.0, 1.0), default=DEFAULTS["lr"],
                        help="AdamW learning rate (paper: 1.5e-4 at batch 512)")
    parser.add_argument("--wd", type=cli.float_range(-1e-12, 1.0), default=DEFAULTS["wd"],
                        help="AdamW weight decay (paper: 0.01)")
    parser.add_argument("--clip", type=cli.float_range(0.0, 100.0), default=DEFAULTS["clip"],
                        help="global gradient-norm clip per net")
    parser.add_argument("--eval-every", type=cli.int_range(1, 100_000), default=DEFAULTS["eval_every"],
                        help="training steps between evaluations")
    parser.add_argument("--n-eval", type=cli.int_range(1, 4096), default=DEFAULTS["n_eval"],
                        help="fixed evaluation sequences per depth 1..10 and net")
    parser.add_argument("--baseline-low-lr", type=cli.float_range(0.0, 1.0),
                        default=DEFAULTS["baseline_low_lr"],
                        help="a second set of baseline nets trains at this learning rate (a check that the "
                             "baseline's result is not only the NDR's learning rate)")
    parser.add_argument("--lyap-seqs", type=cli.int_range(1, 64), default=DEFAULTS["lyap_seqs"],
                        help="depth-10 test sequences per net for the Lyapunov spectra")
    return parser


if __name__ == "__main__":
    cli.run(main, build_parser(), gradcheck=gradcheck)
