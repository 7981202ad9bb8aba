"""The earlier catalog's variant of the adding problem (``adding_problem.py --setting le2015``).

Not the paper's experiment: kept to run and time the earlier catalog's own recipe (after Le,
Jaitly & Hinton 2015). Fixed length T = 100, markers in {0, 1}, one marker anywhere in the first
half and one in the second half, target X1 + X2 (unscaled); a modern LSTM of 8 cells (each its
own input, forget and output gate, forget bias +1, tanh squashing) with a linear output, full
BPTT, MSE, Adam lr 5e-3 halved every 1500 steps, clipping at 1, batch 32, in float32.

Arrays as in the main file: x (T, S, N, 2). W (S, 2 + 8 + 1, 32) with columns i, f, g, o
(SPEC.md's order), rows [x(t), h(t-1), 1]; V (S, 9): y = V . [h(L), 1].
"""
import numpy as np

from adding_problem import TOL, evaluate
from shared import cli
from shared.lstm1997 import nets
from shared.optim import Adam
from shared.rng import streams


def le2015_batch(rng, shape, T):
    """The earlier catalog's variant (Le, Jaitly & Hinton 2015 style): fixed length T, markers {0, 1},
    one marker anywhere in the first half, one in the second half, target X1 + X2 (unscaled)."""
    S, N = shape
    x = np.zeros((T, S, N, 2))
    x[..., 0] = rng.uniform(-1.0, 1.0, size=(T, S, N))
    p1 = rng.integers(0, T // 2, size=shape)
    p2 = rng.integers(T // 2, T, size=shape)
    s_idx, n_idx = np.indices(shape)
    x[p1, s_idx, n_idx, 1] = 1.0
    x[p2, s_idx, n_idx, 1] = 1.0
    target = x[p1, s_idx, n_idx, 0] + x[p2, s_idx, n_idx, 0]
    return x, target, np.full(shape, T), np.stack([p1, p2], axis=-1)


# ----------------------------------------------------------------------------------------------
# The modern LSTM (forward, readout, exact BPTT, Jacobians)
# ----------------------------------------------------------------------------------------------
class ModernLSTM:
    """8 cells, each with its own input, forget and output gate; tanh squashing; linear output.

    W (S, n_in + H + 1, 4H): rows [x(t), h(t-1), 1], columns i, f, g, o (the catalog's order).
    V (S, H + 1): y = V . [h(L), 1].
    """

    def __init__(self, n_in=2, n_hidden=8):
        self.n_in, self.Hn = n_in, n_hidden
        self.D = n_in + n_hidden + 1
        H = n_hidden
        self.i_sl, self.f_sl, self.g_sl, self.o_sl = (slice(k * H, (k + 1) * H) for k in range(4))

    def n_weights(self):
        return self.D * 4 * self.Hn + self.Hn + 1

    def init(self, rng, S, forget_bias=1.0):
        """Uniform +-1/sqrt(H) as PyTorch does, forget-gate biases +1."""
        k = 1.0 / np.sqrt(self.Hn)
        W = rng.uniform(-k, k, size=(S, self.D, 4 * self.Hn))
        W[:, -1, self.f_sl] = forget_bias
        return {"W": W, "V": rng.uniform(-k, k, size=(S, self.Hn + 1))}

    # the functions below, as methods (what evaluate, nets.spectrum and nets.check_exact call)
    def forward(self, p, x):
        return modern_forward(p, self, x)

    def readout(self, p, cache, last):
        return modern_readout(p, self, cache, last)

    def exact_grads(self, p, cache, last, dy):
        return modern_grads(p, self, cache, last, dy)

    def jacobians(self, p, cache):
        return modern_jacobians(p, self, cache)


def modern_forward(p, net, x):
    """x (L, S, N, n_in) -> cache, stored feature-major so that one matrix product per step gives
    every gate and each gate is a contiguous block (numpy's strided paths cost several times more):
    th (L, S, 4H, N) = tanh of [z_i/2, z_f/2, z_g, z_o/2] (rows i, f, g, o), a = (1 + th)/2 the
    gate sigmoids (its g rows are unused), c (L+1, S, H, N), tc (L, S, H, N) = tanh(c),
    h (L+1, S, H, N) with h[0] = 0. Works in the parameters' dtype: the le2015 run trains in
    float32, where numpy's tanh is about 4x faster than in float64; the checks run in float64.
    """
    L, S, N, nx = x.shape
    H = net.Hn
    dt = p["W"].dtype
    half = np.full(4 * H, 0.5, dtype=dt)
    half[net.g_sl] = 1.0                                         # sigma(z) = (1 + tanh(z/2)) / 2
    W = p["W"] * half                                            # (S, D, 4H)
    XB = np.matmul(x.astype(dt), W[:, :nx]) + W[:, -1][None, :, None]      # (L, S, N, 4H)
    XB = np.ascontiguousarray(XB.transpose(0, 1, 3, 2))          # (L, S, 4H, N)
    W_hT = np.ascontiguousarray(np.swapaxes(W[:, nx:nx + H], 1, 2))        # (S, 4H, H)
    th = np.empty((L, S, 4 * H, N), dtype=dt)
    a = np.empty((L, S, 4 * H, N), dtype=dt)
    c = np.zeros((L + 1, S, H, N), dtype=dt)
    tc = np.empty((L, S, H, N), dtype=dt)
    h = np.zeros((L + 1, S, H, N), dtype=dt)
    ig = np.empty((S, H, N), dtype=dt)
    i_, f_, g_, o_ = net.i_sl, net.f_sl, net.g_sl, net.o_sl
    for t in range(L):
        z = th[t]
        np.matmul(W_hT, h[t], out=z)                             # (S, 4H, N) every net input
        z += XB[t]
        np.tanh(z, out=z)
        np.multiply(z, 0.5, out=a[t])
        a[t] += 0.5
        # c(t) = f c(t-1) + i g;  h(t) = o tanh(c(t))
        np.multiply(a[t, :, f_], c[t], out=c[t + 1])
        np.multiply(a[t, :, i_], z[:, g_], out=ig)
        c[t + 1] += ig
        np.tanh(c[t + 1], out=tc[t])
        np.multiply(a[t, :, o_], tc[t], out=h[t + 1])
    hs = h[1:].transpose(0, 1, 3, 2)                             # (L, S, N, H) view
    return {"x": x, "th": th, "a": a, "c": c, "tc": tc, "h": h, "hs": hs, "yc": hs}


def modern_readout(p, net, cache, last):
    """Linear output at each sequence's last step: y (S, N), feature (S, N, H+1)."""
    S, N = last.shape
    si, ni = np.indices((S, N))
    feat = np.concatenate([cache["hs"][last, si, ni], np.ones((S, N, 1))], axis=-1)
    return np.einsum("snc,sc->sn", feat, p["V"]), feat


def modern_grads(p, net, cache, last, dy):
    """Exact BPTT; dy (S, N) = dLoss/dy at each sequence's last step.

    Every local derivative is formed for all steps before the loop, so the loop only carries
    dh and dc back in time: six contiguous array operations and one matrix product per step.
    """
    th, a, c, tc, h = cache["th"], cache["a"], cache["c"], cache["tc"], cache["h"]
    L, S, _, N = th.shape
    nx, H = net.n_in, net.Hn
    i_, f_, g_, o_ = net.i_sl, net.f_sl, net.g_sl, net.o_sl
    dt = th.dtype
    y, feat = modern_readout(p, net, cache, last)
    dV = np.einsum("sn,snc->sc", dy, feat)
    inject = (dy[:, None, :] * p["V"][:, :H, None]).astype(dt)  # (S, H, N)
    ends = {int(t) for t in np.unique(last)}
    # dz = [dc g sig'(i), dc c(t-1) sig'(f), dc i tanh'(g), dh tanh(c) sig'(o)]
    G = a * (1.0 - a)
    G[:, :, i_] *= th[:, :, g_]
    G[:, :, f_] *= c[:-1]
    G[:, :, g_] = a[:, :, i_] * (1.0 - th[:, :, g_] ** 2)
    G[:, :, o_] *= tc
    dc_from_h = a[:, :, o_] * (1.0 - tc ** 2)                   # h = o tanh(c)
    f = np.ascontiguousarray(a[:, :, f_])                       # dc(t-1) = f(t) dc(t)
    W_h = p["W"][:, nx:nx + H].astype(dt)                       # (S, H, 4H)
    dZ = np.zeros((L, S, 4 * H, N), dtype=dt)
    dh = np.zeros((S, H, N), dtype=dt)
    dc = np.zeros((S, H, N), dtype=dt)
    tmp = np.empty((S, H, N), dtype=dt)
    for t in range(L - 1, -1, -1):
        if t in ends:
            dh += (last == t)[:, None, :] * inject
        np.multiply(dh, dc_from_h[t], out=tmp)
        dc += tmp
        dz = dZ[t].reshape(S, 4, H, N)
        np.multiply(G[t].reshape(S, 4, H, N)[:, :3], dc[:, None], out=dz[:, :3])   # i, f, g rows
        np.multiply(G[t, :, o_], dh, out=dz[:, 3])                                  # o rows
        dc *= f[t]
        np.matmul(W_h, dZ[t], out=dh)                           # to h(t-1)
    # dW = sum over t, n of [x, h(t-1), 1] dz^T, in the catalog's (S, D, 4H) layout
    U = np.concatenate([cache["x"].astype(dt).transpose(1, 3, 0, 2), h[:L].transpose(1, 2, 0, 3),
                        np.ones((S, 1, L, N), dtype=dt)], axis=1).reshape(S, net.D, L * N)
    dW = np.matmul(U, dZ.transpose(1, 0, 3, 2).reshape(S, L * N, 4 * H))
    return {"W": dW, "V": dV}


def modern_jacobians(p, net, cache):
    """J(t) = d[c, h](t) / d[c, h](t-1), shape (L-1, S, N, 2H, 2H)."""
    sw = lambda v: np.swapaxes(v, -1, -2)                        # noqa: E731  (.., H, N) -> (.., N, H)
    th, a = sw(cache["th"][1:]), sw(cache["a"][1:])              # (L-1, S, N, 4H)
    c, tc = sw(cache["c"]), sw(cache["tc"][1:])
    nx, H = net.n_in, net.Hn
    dsq = a * (1.0 - a)
    dsq[..., net.g_sl] = 1.0 - th[..., net.g_sl] ** 2            # tanh' of g
    W_hT = np.swapaxes(p["W"][:, nx:nx + H], 1, 2)               # (S, 4H, H_in)
    dA = dsq[..., None] * W_hT[None, :, None]                    # (L-1, S, N, 4H, H): d act / d h(t-1)
    c_prev = c[1:-1]
    i, f, o = a[..., net.i_sl], a[..., net.f_sl], a[..., net.o_sl]
    g = th[..., net.g_sl]
    dc_dh = (c_prev[..., None] * dA[..., net.f_sl, :] + g[..., None] * dA[..., net.i_sl, :]
             + i[..., None] * dA[..., net.g_sl, :])
    eye = np.eye(H)
    dtc = o * (1.0 - tc ** 2)
    J = np.zeros(c_prev.shape[:3] + (2 * H, 2 * H))
    J[..., :H, :H] = f[..., None] * eye
    J[..., :H, H:] = dc_dh
    J[..., H:, :H] = (dtc * f)[..., None] * eye
    J[..., H:, H:] = dtc[..., None] * dc_dh + tc[..., None] * dA[..., net.o_sl, :]
    return J


# ----------------------------------------------------------------------------------------------
# Training and the run
# ----------------------------------------------------------------------------------------------
def train_le2015(rng_init, rng_data, steps, T=100, batch=32, log_every=1000):
    """The earlier catalog's setting: modern LSTM (8 cells, each its own i/f/o gates, tanh, forget
    bias +1, linear output), full BPTT, MSE, Adam lr 5e-3 halved every 1500 steps, clip 1, batch 32."""
    net = ModernLSTM(n_hidden=8)
    p = {k: v.astype(np.float32) for k, v in net.init(rng_init, 1, forget_bias=1.0).items()}
    opt = Adam(p, lr=5e-3, clip=1.0)
    losses, t_loop = [], cli.Timer()
    for step in range(steps):
        opt.lr = 5e-3 * 0.5 ** (step // 1500)
        x, target, length, _ = le2015_batch(rng_data, (1, batch), T)
        x, target, last = x.astype(np.float32), target.astype(np.float32), length - 1
        cache = modern_forward(p, net, x)
        y, _ = modern_readout(p, net, cache, last)
        loss = float(np.mean((y - target) ** 2))
        cli.check_finite(step, loss=loss)
        opt.step(modern_grads(p, net, cache, last, 2.0 * (y - target) / batch))
        losses.append(loss)
        if (step + 1) % log_every == 0 or step + 1 == steps:
            print(f"  le2015 step {step + 1:6d}  mse(last {log_every}) "
                  f"{np.mean(losses[-log_every:]):.5f}  "
                  f"{cli.progress(step + 1, steps, t_loop())}", flush=True)
    return net, p, np.array(losses)


def run_le2015(args, timer):
    """``--setting le2015``: returns config, metrics, headline, Lyapunov record and arrays."""
    cli.quick(args, le2015_steps=60)
    steps = args.le2015_steps
    cfg = {"setting": "le2015", "T": 100, "batch": 32, "steps": steps, "n_seeds": 1,
           "model": "modern LSTM, 8 cells, forget bias +1, tanh, linear output, full BPTT",
           "optimizer": "Adam lr 5e-3 halved every 1500 steps, clip 1.0",
           "n_test": 256 if args.quick else 2560}
    print(f"adding problem, earlier catalog's setting (le2015): {steps} steps of batch 32, T=100")
    r = streams(args.seed, ["init", "data", "eval"])
    net, p, losses = train_le2015(r["init"], r["data"], steps,
                                  log_every=20 if args.quick else 1000)
    x, target, length, _ = le2015_batch(r["eval"], (1, cfg["n_test"]), 100)
    err = evaluate(net, p, x, target, length)
    ex = nets.spectrum(net, p, x[:, :, :64], 10, 100)
    metrics = {"test_mse": float(np.mean(err ** 2)), "solve_rate": float(np.mean(err < TOL)),
               "timing": {"train_wall_s": timer()}}
    headline = [{"name": "earlier catalog's variant: solve rate |err| < 0.04 on X1 + X2", "value":
                 metrics["solve_rate"], "paper_value": None, "verdict": "partial",
                 "note": "not the paper's task (second marker in the second half; minimal lag 1)"}]
    lyapunov = {"method": "QR iteration along 64 test sequences, steps [10, 100)",
                "exponents": {"lstm_modern": np.sort(ex.mean(axis=(0, 1)))[::-1].tolist()}}
    print(f"  test MSE {metrics['test_mse']:.5f}  solve rate {metrics['solve_rate']:.3f}  {timer():.1f}s")
    return cfg, metrics, headline, lyapunov, {"le2015_losses": losses, "le2015_test_err": err}
