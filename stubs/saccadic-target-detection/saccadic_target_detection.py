"""Learning to generate artificial fovea trajectories for target detection (Schmidhuber & Huber,
Int. J. Neural Systems 2(1&2):135-141, 1991; TR FKI-128-90, TU Munich, 1990).

The task: a dark object lies somewhere on a white 512 x 512 pixel field. A fovea of 40 input units
with circular receptive fields (each unit averages the pixels it covers, black = 1, white = 0)
starts at a random place where it partly overlaps the object. A controller C sees only the fovea's
40 inputs and, at every step, moves the fovea: 4 logistic outputs (up, down, left, right) are each
scaled to a vector of 0-20 pixels, and the move is their sum. After T steps the trajectory is cut
off; the only error is at its end, the difference between the fovea input reached and the desired
input d (the input the fovea sees when it sits centred on the object). In the rotation variant C
has 2 more outputs (0-50 degrees clockwise, 0-50 degrees counter-clockwise; the rotation is their
sum), the object is a triangle placed and turned at random, and d is the input seen from a point
near the triangle's centre with the fovea's "arrow" pointing at the triangle's sharpest corner.

No teacher says which move is right. A model net M learns first, from random moves, to predict
the whole next fovea input; then C learns through M: the final-input error is carried back along
the chain C -> M -> C -> M ... of the whole trajectory, with M's weights fixed, the world's own
Jacobians (unknown, not differentiable) replaced by M's. Both nets are feed-forward (no internal
feedback), logistic, initial weights U(-0.1, 0.1), plain gradient steps of 0.1 after every cycle.

    net(x)  = f(W2 [f(W1 [x; 1]); 1])                   f logistic, one hidden layer
    C:  a(t) = C(x(t))                     40 -> 20 -> 4 (6 with rotations)
    M:  p(t) = M([x(t); a(t)])             44 (46) -> 40 -> 40, predicts x(t+1)
    M phase (n_M cycles, one random start and one uniform random action each):
        E_M = 1/2 |p(t) - x(t+1)|^2,       W_M <- W_M - eta_M dE_M/dW_M
    C phase (n_C trajectories of T steps on the real world, one update per trajectory):
        E_C = 1/2 |x(T) - d|^2             x(T) the real final input
        dx(T) = x(T) - d;  for t = T-1 .. 0:
            [dx_M; da(t)] = (dM/d[x; a])^T dx(t+1)     at the real x(t), a(t)
            dW_C += (dC/dW_C)^T da(t);   dx(t) = dx_M + (dC/dx)^T da(t)
        W_C <- W_C - eta_C dW_C

This is the same recursion as exact back-propagation through a pure model chain
x(t+1) = M(x(t), C(x(t))); the gradient check differentiates that chain (``_checks``).

No family core: the nets, the scene and both learning phases are this stub's own. Several seeds
train at once (every weight has a leading seed axis). The closed loop "fovea position -> input ->
C -> move" is a map of the fovea's pose; its fixed point near the target, the Jacobian there and
its basin of attraction are the dynamical diagnostic (``_diagnostics``).

Shapes: S seeds, B starts per seed; pose p (S, B, 2) pixels, theta (S, B) radians; object centre
c (S, B, 2), angle phi (S, B); fovea input x (S, B, 40); action a (S, B, 4 or 6);
net {"W1": (S, H, I + 1), "W2": (S, O, H + 1)}.

    python3 saccadic_target_detection.py --seed 0     # headline: 5 seeds, both variants
    python3 saccadic_target_detection.py --quick      # smoke test, seconds
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401  (pins BLAS to one thread before numpy loads)

import numpy as np

from shared import cli
from shared.results import finish_run, headline_row, record
from shared.rng import streams

PAPER = ("J. Schmidhuber and R. Huber, Learning to generate artificial fovea trajectories for target "
         "detection, International Journal of Neural Systems 2(1&2):135-141, 1991 (TR FKI-128-90, "
         "TU Munich, 1990); experiment sections (translation, rotation)")

FIELD = 512            # pixel field (paper)
MOVE_PX = 20.0         # each direction unit's activation scaled to 0..20 pixels (paper)
ROT_DEG = 50.0         # each rotation unit's activation scaled to 0..50 degrees (paper)
# The fovea (reconstruction: the paper shows the 40 receptive fields only in a figure): 5 rings
# of 8 discs, finer near the centre, coarser outside; its diameter (about 78 px) is about the
# object's, as the paper states.
RING_RADII = (4.0, 9.0, 15.0, 22.0, 30.0)
RF_RADII = (3, 4, 5, 7, 9)
PER_RING = 8
HALF = 128             # half-width of the lookup window around the object (object + fovea fit)

DEFAULTS = dict(seeds=5, steps=5, m_cycles=50_000, c_trajectories=10_000, rot_m_cycles=100_000,
                rot_c_trajectories=20_000, eta_m=0.1, eta_c=0.1, init_scale=0.1, hidden_m=40,
                hidden_c=20, start_radius=64.0, n_eval=1000, tol_px=8.0, tol_deg=15.0, curve_points=20,
                curve_eval=200, basin_grid=41,
                ablation_eta_c=0.02)
CHUNK = 1000           # M cycles whose inputs are sensed in one vectorised call


# ----------------------------------------------------------------------------------------------
# Scene: objects, the fovea, sensing and moving
# ----------------------------------------------------------------------------------------------
def fovea_layout():
    """Receptive-field centres (40, 2) in the fovea's own frame (x right, y down) and radii (40,);
    the fovea's "arrow" is its +x axis."""
    centres, radii = [], []
    for k, (r, rf) in enumerate(zip(RING_RADII, RF_RADII, strict=True)):
        ang = np.arange(PER_RING) * 2 * np.pi / PER_RING + (np.pi / PER_RING) * (k % 2)
        centres.append(np.stack([r * np.cos(ang), r * np.sin(ang)], 1))
        radii += [rf] * PER_RING
    return np.concatenate(centres), np.array(radii)


def blob_mask(x, y):
    """The translation object (reconstruction; the paper's is shown only in a figure): a disc of
    radius 32 px with a square bump, so that it has no rotational symmetry."""
    return (x ** 2 + y ** 2 <= 32 ** 2) | ((np.abs(x - 22) <= 14) & (np.abs(y + 22) <= 14))


TRIANGLE = np.array([[48.0, 0.0], [-24.0, 23.4], [-24.0, -23.4]])   # centroid 0, apex +x, 36 deg


def triangle_mask(x, y):
    """The rotation object: an isosceles triangle, apex angle 36 degrees (its sharpest corner) on
    the +x axis, 72 px long, centroid at the origin (sizes are a reconstruction)."""
    def side(a, b, px, py):                 # > 0 on one side of the edge a -> b, < 0 on the other
        return (b[0] - a[0]) * (py - a[1]) - (b[1] - a[1]) * (px - a[0])
    inside = np.ones(np.broadcast(x, y).shape, bool)
    for i in range(3):
        a, b, c = TRIANGLE[i], TRIANGLE[(i + 1) % 3], TRIANGLE[(i + 2) % 3]
        inside &= side(a, b, x, y) * np.sign(side(a, b, *c)) >= 0
    return inside


def rf_maps(mask_fn, radii):
    """Exact receptive-field averages at every integer offset from the object's centre:
    maps[k, j, i] = mean of the object's pixels inside disc k centred at (i - HALF, j - HALF),
    computed as one FFT convolution per disc size. (40, 2 HALF + 1, 2 HALF + 1)."""
    g = np.arange(-HALF, HALF + 1, dtype=float)
    yy, xx = np.meshgrid(g, g, indexing="ij")
    img = np.fft.rfft2(mask_fn(xx, yy).astype(float))
    by_radius = {}
    for r in np.unique(radii):
        disc = (xx ** 2 + yy ** 2 <= r ** 2).astype(float)
        kernel = np.fft.ifftshift(disc)                    # centred disc -> correlation = pixel count
        count = np.rint(np.fft.irfft2(img * np.fft.rfft2(kernel), s=xx.shape))   # exact integers
        by_radius[r] = count / disc.sum()
    return np.stack([by_radius[r] for r in radii])


def rot(v, ang):
    """Rotate vectors v (..., 2) by angles ang (...) (radians; clockwise on screen, y down)."""
    c, s = np.cos(ang), np.sin(ang)
    return np.stack([c * v[..., 0] - s * v[..., 1], s * v[..., 0] + c * v[..., 1]], -1)


class Scene:
    """One object type on the 512 x 512 field, seen through the fovea. ``rotation`` adds the
    fovea's rotation (C gets 6 outputs) and random object angles."""

    def __init__(self, rotation):
        self.rotation = rotation
        self.offsets, self.radii = fovea_layout()
        self.maps = rf_maps(triangle_mask if rotation else blob_mask, self.radii)
        self.n_act = 6 if rotation else 4
        self.target = np.zeros(2)                            # object frame: centroid / centre

    def sense_rel(self, q, psi):
        """Fovea input (..., 40) for the fovea at q (..., 2) in the object's frame, turned by psi
        (...) relative to the object. Receptive-field averages at sub-pixel places are bilinear
        interpolations of the exact integer-place averages."""
        centres = q[..., None, :] + rot(self.offsets, psi[..., None])          # (..., 40, 2)
        u = np.clip(centres[..., 0] + HALF, 0, 2 * HALF - 1e-9)
        v = np.clip(centres[..., 1] + HALF, 0, 2 * HALF - 1e-9)
        i0, j0 = np.floor(u).astype(int), np.floor(v).astype(int)
        fu, fv = u - i0, v - j0
        k = np.arange(len(self.radii))
        m = self.maps
        return ((1 - fu) * (1 - fv) * m[k, j0, i0] + fu * (1 - fv) * m[k, j0, i0 + 1]
                + (1 - fu) * fv * m[k, j0 + 1, i0] + fu * fv * m[k, j0 + 1, i0 + 1])

    def relative(self, st):
        """The fovea's pose in the object's frame: position (..., 2) and angle (...)."""
        return rot(st["p"] - st["c"], -st["phi"]), st["theta"] - st["phi"]

    def sense(self, st):
        return self.sense_rel(*self.relative(st))

    def move(self, a):
        """C's outputs (..., n_act) in [0, 1] -> displacement (..., 2) in the fovea's own frame and
        rotation (...): (right - left, down - up) x 20 px, (cw - ccw) x 50 degrees."""
        d = MOVE_PX * np.stack([a[..., 3] - a[..., 2], a[..., 1] - a[..., 0]], -1)
        turn = np.radians(ROT_DEG) * (a[..., 4] - a[..., 5]) if self.rotation else 0.0 * a[..., 0]
        return d, turn

    def step(self, st, a):
        """The world's move: the fovea shifts in its own frame and stays inside the field."""
        d, turn = self.move(a)
        p = np.clip(st["p"] + rot(d, st["theta"]), 0.0, FIELD - 1.0)
        return {**st, "p": p, "theta": wrap(st["theta"] + turn)}

    def desired(self):
        """d (40,): the input with the fovea at the target, arrow on the sharpest corner."""
        return self.sense_rel(self.target[None], np.zeros(1))[0]

    def draw_starts(self, rng, shape, radius):
        """Random object placements and fovea starts that partly overlap the object (some input
        above zero), the fovea within ``radius`` px of the object's centre. Dict of arrays."""
        c = rng.uniform(HALF, FIELD - 1 - HALF, shape + (2,))
        phi = rng.uniform(-np.pi, np.pi, shape) if self.rotation else np.zeros(shape)
        theta = rng.uniform(-np.pi, np.pi, shape) if self.rotation else np.zeros(shape)
        st = {"c": c, "phi": phi, "theta": theta, "p": c.copy()}
        todo = np.ones(shape, bool)
        while todo.any():                                  # rejection: redraw starts that see nothing
            r = radius * np.sqrt(rng.uniform(0, 1, shape))
            ang = rng.uniform(-np.pi, np.pi, shape)
            p = c + np.stack([r * np.cos(ang), r * np.sin(ang)], -1)
            st["p"] = np.where(todo[..., None], p, st["p"])
            todo = self.sense(st).sum(-1) <= 1e-6
        return st


def wrap(ang):
    """Angles into [-pi, pi)."""
    return (ang + np.pi) % (2 * np.pi) - np.pi


def errors(scene, st):
    """Distance (px) of the fovea centre from the target and |angle| (degrees) from the target
    orientation, both (...)."""
    q, psi = scene.relative(st)
    return np.linalg.norm(q - scene.target, axis=-1), np.degrees(np.abs(wrap(psi)))


# ----------------------------------------------------------------------------------------------
# Nets: one logistic hidden layer, forward then backward, batched over seeds
# ----------------------------------------------------------------------------------------------
def logistic(s):
    return 0.5 * (1.0 + np.tanh(0.5 * s))


def init_net(rng, S, n_in, n_hidden, n_out, scale):
    """Weights U(-scale, scale), bias in the last column: {"W1": (S, H, I+1), "W2": (S, O, H+1)}."""
    return {"W1": rng.uniform(-scale, scale, (S, n_hidden, n_in + 1)),
            "W2": rng.uniform(-scale, scale, (S, n_out, n_hidden + 1))}


def add_bias(z):
    return np.concatenate([z, np.ones(z.shape[:-1] + (1,))], -1)


def net_forward(W, x):
    """x (S, B, I) -> y (S, B, O) and the cache for the backward pass."""
    xb = add_bias(x)
    h = logistic(xb @ W["W1"].transpose(0, 2, 1))                  # (S, B, H)
    hb = add_bias(h)
    y = logistic(hb @ W["W2"].transpose(0, 2, 1))                  # (S, B, O)
    return y, (xb, h, hb, y)


def net_backward(W, cache, dy, weights=True):
    """dE/dy (S, B, O) -> ({"W1", "W2"} gradients or None, dE/dx (S, B, I))."""
    xb, h, hb, y = cache
    # y = f(W2 [h; 1])
    ds2 = dy * y * (1 - y)
    dh = ds2 @ W["W2"][:, :, :-1]
    # h = f(W1 [x; 1])
    ds1 = dh * h * (1 - h)
    dx = ds1 @ W["W1"][:, :, :-1]
    if not weights:
        return None, dx
    return {"W2": ds2.transpose(0, 2, 1) @ hb, "W1": ds1.transpose(0, 2, 1) @ xb}, dx


def sgd(W, g, eta):
    """Plain gradient step; eta a scalar or one rate per run (R, 1, 1)."""
    for k in W:
        W[k] -= eta * g[k]


def tile(tree, arms):
    """Repeat every array of a dict (or net) ``arms`` times along the run axis."""
    return {k: np.concatenate([v] * arms) for k, v in tree.items()}


# ----------------------------------------------------------------------------------------------
# Training: M from random moves, then C through M
# ----------------------------------------------------------------------------------------------
def train_model(scene, WM, n_cycles, eta, radius, rng):
    """M's phase: every cycle one random start and one uniform random action per seed, one
    gradient step on 1/2 |M([x; a]) - x_next|^2. Returns the per-cycle error (n_cycles, S)."""
    S = WM["W1"].shape[0]
    err = np.empty((n_cycles, S))
    for c0 in range(0, n_cycles, CHUNK):
        n = min(CHUNK, n_cycles - c0)
        st = scene.draw_starts(rng, (n, S), radius)
        a = rng.uniform(0.0, 1.0, (n, S, scene.n_act))
        inp = np.concatenate([scene.sense(st), a], -1)[:, :, None]     # (n, S, 1, 44|46)
        target = scene.sense(scene.step(st, a))[:, :, None]
        for i in range(n):
            y, cache = net_forward(WM, inp[i])
            e = y - target[i]
            g, _ = net_backward(WM, cache, e)
            sgd(WM, g, eta)
            err[c0 + i] = 0.5 * (e ** 2).sum((-1, -2))
        cli.check_finite(c0 + n, model_error=err[c0 + n - 1], model_weights=WM["W2"])
    return err


def rollout(scene, WC, st, T, WM=None, actions=None):
    """T steps on the real world from starts st (leaves (S, B, ...)). C acts unless ``actions``
    (T, S, B, n_act) are given; with WM, M's forward caches are kept for the chain gradient.
    Returns inputs xs (T+1, S, B, 40), poses, and the caches."""
    xs, poses, c_caches, m_caches = [scene.sense(st)], [st], [], []
    for t in range(T):
        if actions is None:
            a, cc = net_forward(WC, xs[-1])
            c_caches.append(cc)
        else:
            a = actions[t]
        if WM is not None:
            m_caches.append(net_forward(WM, np.concatenate([xs[-1], a], -1))[1])
        st = scene.step(st, a)
        poses.append(st)
        xs.append(scene.sense(st))
    return {"xs": np.stack(xs), "poses": poses, "c": c_caches, "m": m_caches}


def chain_gradient(WC, WM, c_caches, m_caches, dx_final):
    """Back-propagate dE/dx(T) along C -> M -> C -> M ... (M fixed): the gradient of the final
    input error with respect to C's weights, M's Jacobians standing in for the world's."""
    g = {k: np.zeros_like(v) for k, v in WC.items()}
    n_x = dx_final.shape[-1]
    dx = dx_final
    for cc, cm in zip(reversed(c_caches), reversed(m_caches), strict=True):
        # x(t+1) ~ M([x(t); a(t)])
        _, dxa = net_backward(WM, cm, dx, weights=False)
        dx_m, da = dxa[..., :n_x], dxa[..., n_x:]
        # a(t) = C(x(t))
        gc, dx_c = net_backward(WC, cc, da)
        for k in g:
            g[k] += gc[k]
        dx = dx_m + dx_c
    return g


def train_controller(scene, WC, WM, cfg, eta, n_traj, rng, on_curve):
    """C's phase: one real trajectory of T steps per run, one gradient step on the final input
    error through M. The batch holds the seeds once per learning-rate arm (eta (A S, 1, 1)); the
    arms see the same starts. ``on_curve(done)`` is called curve_points times."""
    d = scene.desired()
    every = max(1, n_traj // cfg["curve_points"])
    arms = WC["W1"].shape[0] // cfg["seeds"]
    for n in range(n_traj):
        st = tile(scene.draw_starts(rng, (cfg["seeds"], 1), cfg["start_radius"]), arms)
        run = rollout(scene, WC, st, cfg["steps"], WM)
        g = chain_gradient(WC, WM, run["c"], run["m"], run["xs"][-1] - d)
        sgd(WC, g, eta)
        if (n + 1) % every == 0:
            cli.check_finite(n + 1, controller_weights=WC["W2"])
            on_curve(n + 1)


# ----------------------------------------------------------------------------------------------
# Evaluation
# ----------------------------------------------------------------------------------------------
def success(scene, st, cfg):
    """Success (...) bool: within tol_px of the target (and tol_deg of its orientation)."""
    dist, ang = errors(scene, st)
    ok = dist <= cfg["tol_px"]
    return ok & (ang <= cfg["tol_deg"]) if scene.rotation else ok


def evaluate(scene, WC, starts, cfg, actions=None):
    """Success per step (T+1, S) and final distance / angle (S, B) from the fixed eval starts."""
    run = rollout(scene, WC, starts, cfg["steps"], actions=actions)
    per_step = np.stack([success(scene, st, cfg).mean(-1) for st in run["poses"]])
    dist, ang = errors(scene, run["poses"][-1])
    return {"per_step": per_step, "dist": dist, "ang": ang, "run": run}


def model_quality(scene, WM, starts, rng):
    """M's squared prediction error on random moves, against predicting 'no change', per seed."""
    a = rng.uniform(0.0, 1.0, starts["p"].shape[:-1] + (scene.n_act,))
    x, xn = scene.sense(starts), scene.sense(scene.step(starts, a))
    y, _ = net_forward(WM, np.concatenate([x, a], -1))
    return (0.5 * ((y - xn) ** 2).sum(-1).mean(-1), 0.5 * ((x - xn) ** 2).sum(-1).mean(-1))


def run_variant(scene, cfg, rs, name):
    """Train M, then C, for every seed at once; C twice from the same start weights against the
    same M, at the paper's rate and at the ablation rate (arms stacked on the run axis).
    Evaluate both, the untrained C and random moves on the same test starts."""
    S, T = cfg["seeds"], cfg["steps"]
    rot_ = scene.rotation
    n_m = cfg["rot_m_cycles"] if rot_ else cfg["m_cycles"]
    n_c = cfg["rot_c_trajectories"] if rot_ else cfg["c_trajectories"]
    timer = cli.Timer()
    WM = init_net(rs["init"], S, 40 + scene.n_act, cfg["hidden_m"], 40, cfg["init_scale"])
    WC0 = init_net(rs["init"], S, 40, cfg["hidden_c"], scene.n_act, cfg["init_scale"])
    m_err = train_model(scene, WM, n_m, cfg["eta_m"], cfg["start_radius"], rs["data"])
    print(f"[{name}] M: {n_m:,} cycles, error (last 5%) {m_err[-max(1, n_m // 20):].mean():.3f}  "
          f"{timer():.0f}s", flush=True)
    WC, WM2 = tile(WC0, 2), tile(WM, 2)                 # runs: paper-rate seeds, then ablation seeds
    eta = np.repeat([cfg["eta_c"], cfg["ablation_eta_c"]], S)[:, None, None]
    curve_starts = tile(scene.draw_starts(rs["eval"], (S, cfg["curve_eval"]), cfg["start_radius"]), 2)
    curve = []

    def on_curve(done):
        ok = success(scene, rollout(scene, WC, curve_starts, T)["poses"][-1], cfg).mean(-1)
        curve.append((done, *ok))
        print(f"[{name}] C: {done:6,}/{n_c:,} trajectories  success eta {cfg['eta_c']:g}: "
              f"{np.round(ok[:S], 2).tolist()}  eta {cfg['ablation_eta_c']:g}: {np.round(ok[S:], 2).tolist()}"
              f"  {cli.progress(done, n_c, timer())}", flush=True)

    on_curve(0)
    train_controller(scene, WC, WM2, cfg, eta, n_c, rs["data"], on_curve)
    starts = scene.draw_starts(rs["eval"], (S, cfg["n_eval"]), cfg["start_radius"])
    rand_a = rs["eval"].uniform(0.0, 1.0, (T, S, cfg["n_eval"], scene.n_act))
    both = evaluate(scene, WC, tile(starts, 2), cfg)
    arm = lambda ev, sl: {"per_step": ev["per_step"][:, sl], "dist": ev["dist"][sl],  # noqa: E731
                          "ang": ev["ang"][sl], "run": ev["run"] if sl.start == 0 else None}
    out = {"trained": arm(both, slice(0, S)), "untrained": evaluate(scene, WC0, starts, cfg),
           "random": evaluate(scene, WC0, starts, cfg, actions=rand_a)}
    m_mse, still_mse = model_quality(scene, WM, starts, rs["eval"])
    acts = np.stack([c[3] for c in both["run"]["c"]])                     # (T, 2 S, B, n_act)
    saturated = ((acts < 0.01) | (acts > 0.99)).mean((0, 2, 3))             # per run
    curve = np.array(curve, float)
    return {"saturated": saturated[:S], "WC": {k: v[:S] for k, v in WC.items()},
            "WM": WM,
            "WC_ablation": {k: v[S:] for k, v in WC.items()}, "m_err": m_err,
            "curve": curve[:, :S + 1], "eval": out, "starts": starts, "m_mse": m_mse,
            "still_mse": still_mse, "seconds": timer(),
            "ablation": {"per_step": both["per_step"][:, S:], "dist": both["dist"][S:],
                         "saturated": saturated[S:],
                         "curve": np.concatenate([curve[:, :1], curve[:, S + 1:]], 1)}}


# ----------------------------------------------------------------------------------------------
# Metrics, verdicts, saved arrays
# ----------------------------------------------------------------------------------------------
def variant_metrics(res, cfg):
    ev = res["eval"]
    per_seed = {k: ev[k]["per_step"][-1] for k in ev}
    return {
        "success_per_seed": {k: np.round(v, 4) for k, v in per_seed.items()},
        "success_mean": {k: float(v.mean()) for k, v in per_seed.items()},
        "success_sd": {k: float(v.std(ddof=1)) if len(v) > 1 else 0.0 for k, v in per_seed.items()},
        "success_per_step_mean": {k: np.round(ev[k]["per_step"].mean(-1), 4) for k in ev},
        "final_dist_median_px": {k: float(np.median(ev[k]["dist"])) for k in ev},
        "final_angle_median_deg": {k: float(np.median(ev[k]["ang"])) for k in ev},
        "start_dist_median_px": float(np.median(np.linalg.norm(res["starts"]["p"] - res["starts"]["c"],
                                                               axis=-1))),
        "model_mse_random_moves": np.round(res["m_mse"], 4),
        "no_change_mse_random_moves": np.round(res["still_mse"], 4),
        "controller_outputs_saturated": np.round(res["saturated"], 4),
        "ablation_eta_c": {"success_per_seed": np.round(res["ablation"]["per_step"][-1], 4),
                           "success_mean": float(res["ablation"]["per_step"][-1].mean()),
                           "final_dist_median_px": float(np.median(res["ablation"]["dist"])),
                           "controller_outputs_saturated": np.round(res["ablation"]["saturated"], 4)},
        "model_error_last5pct": float(res["m_err"][-max(1, len(res["m_err"]) // 20):].mean()),
    }



SUCCESS_BAR = 0.8


def seeds_holding(m, bar=SUCCESS_BAR):
    """Per seed, the pre-registered bar: success >= bar and above both baselines. (S,) bool."""
    s = {k: np.asarray(v) for k, v in m["success_per_seed"].items()}
    return (s["trained"] >= bar) & (s["trained"] > np.maximum(s["random"], s["untrained"]))


def verdict(ok):
    """Every seed: capped at partial (fovea layout, object and T are reconstructions); some seeds:
    partial (the verdicts' own rule); none: no."""
    return "partial" if ok.any() else "no"


def headline_rows(metrics, diag, cfg):
    rows = []
    for name, label, paper in (
            ("translation", "Translation: fovea ends within tol of the object's centre",
             "C learns trajectories to the target (figures only, no rate)"),
            ("rotation", "Rotation: fovea ends at the target point, arrow on the sharpest corner",
             "learned, harder than translation (figures only, no rate)")):
        m = metrics[name]
        s, sd = m["success_mean"], m["success_sd"]
        ok = seeds_holding(m)
        tol = f"{cfg['tol_px']:g} px" + (f", {cfg['tol_deg']:g} deg" if name == "rotation" else "")
        value = (f"{s['trained']:.3f} +/- {sd['trained']:.3f}, {ok.sum()}/{len(ok)} seeds >= {SUCCESS_BAR} "
                 f"(random moves {s['random']:.3f}, untrained C {s['untrained']:.3f})")
        rows.append(headline_row(
            label, value, paper, verdict(ok),
            f"{cfg['seeds']} seeds x {cfg['n_eval']} random starts, T = {cfg['steps']}, tol {tol}; a seed "
            f"holds if its success >= {SUCCESS_BAR} and beats both baselines; all seeds would still be "
            f"partial: fovea layout, object shape and T are reconstructions",
            numbers=[{"value": s["trained"], "spread": sd["trained"]}]))
    t = diag["translation"]
    at = at_target(t, cfg)
    rad = np.asarray(t["spectral_radius"])[at]
    value = (f"spectral radius {rad.mean():.3f} ({at.sum()}/{len(at)} seeds have their fixed point at "
             f"the target); basin {np.asarray(t['basin_fraction'])[at].mean():.2f} of starts"
             if at.any() else f"no seed has a fixed point within {cfg['tol_px']:g} px of the target")
    rows.append(headline_row(
        "Translation: contraction of the saccade map at the target fixed point", value,
        "not measured in the paper", "partial" if at.any() and (rad < 1).all() else "no",
        "Jacobian of one saccade (pose -> input -> C -> move) at its fixed point, seeds whose fixed "
        "point lies within tol of the target; basin = share of a +-96 px start grid within tol after T",
        numbers=[{"value": float(rad.mean() if at.any() else np.mean(t["spectral_radius"]))}]))
    return rows


def main(args):
    timer = cli.Timer()
    diag_mod = cli.load_sibling(__file__, "saccadic_target_detection_diagnostics", globals())
    cli.quick(args, seeds=2, m_cycles=600, c_trajectories=60, rot_m_cycles=600, rot_c_trajectories=60,
              n_eval=50, curve_eval=20, curve_points=3, basin_grid=7)
    cfg = {k: getattr(args, k.replace("-", "_")) for k in DEFAULTS}
    print(f"seeds {cfg['seeds']}, T {cfg['steps']}; M {cfg['m_cycles']:,} / C {cfg['c_trajectories']:,} "
          f"(rotation {cfg['rot_m_cycles']:,} / {cfg['rot_c_trajectories']:,}); eta {cfg['eta_m']}/"
          f"{cfg['eta_c']}, init U(+-{cfg['init_scale']}); success = within {cfg['tol_px']} px "
          f"(+ {cfg['tol_deg']} deg) after T steps")
    results, metrics, diag, arrays = {}, {}, {}, {}
    for name, rotation in (("translation", False), ("rotation", True)):
        scene = Scene(rotation)
        rs = streams(args.seed, [f"{name}_init", f"{name}_data", f"{name}_eval"])
        rs = {k.split("_", 1)[1]: v for k, v in rs.items()}
        res = run_variant(scene, cfg, rs, name)
        results[name] = res
        metrics[name] = variant_metrics(res, cfg)
        diag[name] = diag_mod.diagnose(scene, res["WC"], cfg)
        arrays.update(saved_arrays(name, scene, res, diag[name]))
        print(f"[{name}] success: C {metrics[name]['success_mean']['trained']:.3f}, random "
              f"{metrics[name]['success_mean']['random']:.3f}, untrained "
              f"{metrics[name]['success_mean']['untrained']:.3f}; spectral radius at the fixed point "
              f"{diag[name]['spectral_radius'].tolist()}, "
              f"residual {diag[name]['fixed_point_residual'].tolist()}",
              flush=True)
    metrics["diagnostics"] = {k: {kk: vv for kk, vv in v.items() if not kk.startswith("_")}
                              for k, v in diag.items()}
    metrics["timing"] = {"total_s": timer(), **{f"{k}_s": results[k]["seconds"] for k in results}}
    lyap = lyapunov_record(diag, cfg)
    rec = record(args, __file__, title="Fovea trajectories for target detection (model chain)",
                 paper=PAPER, config=cfg, metrics=metrics, headline=headline_rows(metrics, diag, cfg),
                 lyapunov=lyap)
    finish_run(args.out, rec, arrays, timer)


def at_target(dg, cfg):
    """Seeds whose closed loop has a true fixed point (residual < 1e-6) within tol of the target."""
    return ((np.asarray(dg["fixed_point_dist_px"]) <= cfg["tol_px"])
            & (np.asarray(dg["fixed_point_residual"]) < 1e-6))


def lyapunov_record(diag, cfg):
    """log |eigenvalues| of the saccade map's Jacobian at the target fixed point, mean over the
    seeds that have one; a variant where no seed has one is left out (None if neither has)."""
    exps = {k: np.log(dg["_eig_abs"][at_target(dg, cfg)]).mean(0).round(4).tolist()
            for k, dg in diag.items() if at_target(dg, cfg).any()}
    if not exps:
        return None
    n = {k: int(at_target(dg, cfg).sum()) for k, dg in diag.items()}
    return {"method": "saccade-map fingerprint: log |eigenvalues| of the Jacobian of one closed-loop "
                      "saccade (fovea pose -> input -> C -> move) at its fixed point near the target, "
                      "central differences (h = 1e-3 px / rad), mean over the seeds whose fixed point "
                      f"lies within tol of the target (of {cfg['seeds']}: {n}); no hidden state (both "
                      "nets are feed-forward)", "exponents": exps}


def saved_arrays(name, scene, res, dg):
    """What the figures and the GIF need, keyed by variant."""
    ev = res["eval"]
    run = ev["trained"]["run"]
    k, S = 12, len(res["saturated"])                   # example trajectories of every seed
    rel = [scene.relative({kk: v[:S, :k] for kk, v in st.items()}) for st in run["poses"]]
    rand_rel = [scene.relative({kk: v[:S, :k] for kk, v in st.items()})
                for st in ev["random"]["run"]["poses"]]
    return {f"{name}_m_err": res["m_err"][::50], f"{name}_curve": res["curve"],
            f"{name}_ablation_curve": res["ablation"]["curve"],
            f"{name}_ablation_per_step": res["ablation"]["per_step"],
            f"{name}_per_step": np.stack([ev[k_]["per_step"] for k_ in ("trained", "random", "untrained")]),
            f"{name}_final_dist": ev["trained"]["dist"], f"{name}_final_ang": ev["trained"]["ang"],
            f"{name}_traj_q": np.stack([r[0] for r in rel]),
            f"{name}_traj_psi": np.stack([r[1] for r in rel]),
            f"{name}_rand_q": np.stack([r[0] for r in rand_rel]),
            f"{name}_rand_psi": np.stack([r[1] for r in rand_rel]),
            f"{name}_desired": scene.desired(), **{f"{name}_{kk}": v for kk, v in dg.items()
                                                   if kk.startswith("_")}}


def gradcheck(args):
    checks = cli.load_sibling(__file__, "saccadic_target_detection_checks", globals())
    return checks.run_checks()


def build_parser():
    p = cli.make_parser(__doc__, __file__)
    p.add_argument("--seeds", type=cli.int_range(1, 64), default=DEFAULTS["seeds"],
                   help="independent runs trained at once (every weight has a seed axis)")
    p.add_argument("--steps", type=cli.int_range(1, 40), default=DEFAULTS["steps"],
                   help="saccades per trajectory T before it is cut off (not given in the paper)")
    p.add_argument("--m-cycles", type=cli.int_range(1, 2_000_000), default=DEFAULTS["m_cycles"],
                   help="M's training cycles, translation (paper: 50,000)")
    p.add_argument("--c-trajectories", type=cli.int_range(1, 500_000), default=DEFAULTS["c_trajectories"],
                   help="C's training trajectories, translation (not given in the paper)")
    p.add_argument("--rot-m-cycles", type=cli.int_range(1, 2_000_000), default=DEFAULTS["rot_m_cycles"],
                   help="M's training examples, rotation variant (paper: 100,000)")
    p.add_argument("--rot-c-trajectories", type=cli.int_range(1, 500_000),
                   default=DEFAULTS["rot_c_trajectories"],
                   help="C's training trajectories, rotation variant (paper: 20,000)")
    p.add_argument("--eta-m", type=cli.float_range(0.0, 10.0), default=DEFAULTS["eta_m"],
                   help="M's learning rate (paper: 0.1)")
    p.add_argument("--eta-c", type=cli.float_range(0.0, 10.0), default=DEFAULTS["eta_c"],
                   help="C's learning rate (paper: 0.1)")
    p.add_argument("--init-scale", type=cli.float_range(0.0, 10.0), default=DEFAULTS["init_scale"],
                   help="initial weights uniform in [-s, s] (paper: 0.1)")
    p.add_argument("--hidden-m", type=cli.int_range(1, 400), default=DEFAULTS["hidden_m"],
                   help="M's hidden units (paper: 40)")
    p.add_argument("--hidden-c", type=cli.int_range(1, 400), default=DEFAULTS["hidden_c"],
                   help="C's hidden units (paper: 20)")
    p.add_argument("--start-radius", type=cli.float_range(0.0, 120.0), default=DEFAULTS["start_radius"],
                   help="starts lie within this many px of the object's centre (and overlap it)")
    p.add_argument("--n-eval", type=cli.int_range(1, 20_000), default=DEFAULTS["n_eval"],
                   help="random test starts per seed")
    p.add_argument("--tol-px", type=cli.float_range(0.0, 200.0), default=DEFAULTS["tol_px"],
                   help="success: final fovea centre within this many px of the target")
    p.add_argument("--tol-deg", type=cli.float_range(0.0, 180.0), default=DEFAULTS["tol_deg"],
                   help="success (rotation): final orientation within this many degrees")
    p.add_argument("--curve-points", type=cli.int_range(1, 200), default=DEFAULTS["curve_points"],
                   help="points on C's learning curve")
    p.add_argument("--curve-eval", type=cli.int_range(1, 5000), default=DEFAULTS["curve_eval"],
                   help="test starts per seed at each learning-curve point")
    p.add_argument("--ablation-eta-c", type=cli.float_range(0.0, 10.0), default=DEFAULTS["ablation_eta_c"],
                   help="C's learning rate in the ablation arm (same seeds, same M, same starts)")
    p.add_argument("--basin-grid", type=cli.int_range(3, 201), default=DEFAULTS["basin_grid"],
                   help="start positions per axis of the basin-of-attraction grid (+-96 px)")
    return p


if __name__ == "__main__":
    cli.run(main, build_parser(), gradcheck=gradcheck)
