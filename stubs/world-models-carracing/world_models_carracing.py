"""World Models on a car-racing task: does M's hidden state help the controller? (Ha & Schmidhuber,
"Recurrent world models facilitate policy evolution", NeurIPS 2018; "World Models", arXiv:1803.10122.)

The agent is three parts trained one after the other. V, a variational autoencoder, compresses
each frame into a latent z. M, an LSTM with a mixture-density head (MDN-RNN), learns to predict
the next z from [z_t, a_t] on random-policy rollouts; its hidden state h_t summarises the past.
C, a single linear layer, maps [z_t, h_t] to the actions and is trained alone, by CMA-ES, on the
real task. V, M and CMA-ES are the family core ``shared/world_models`` (M's LSTM is the forget-gate
cell of ``shared/lstm_gers``); this file holds the task, C, the schedule and the analysis.

    z_t = mu_V(frame_t)         a_t = W_c [z_t, h_t] + b_c         h_{t+1} = LSTM_M([z_t, a_t], h_t)
    steer = tanh(a_0),  gas = (tanh(a_1) + 1) / 2,  brake = clip(tanh(a_2), 0, 1)

The paper's central ablation is rerun: C(z, h) sees [z, h]; C(z) sees z only; the paper's third
row, C(z) with a hidden layer, here gets as many parameters as C(z, h). The three are evolved with
the same CMA-ES budget on the same tracks and scored on the same 100 unseen tracks, beside the
random policy that collected V's and M's data.

The task (Gym's CarRacing-v0 needs Box2D, so a numpy substitute): every episode a new closed
track, r(theta) = R0 (1 + sum_{k=2..5} a_k cos(k theta + phi_k)) with random R0, a_k, phi_k (sharp
bends flattened until every radius of curvature is at least R_MIN); a road of half-width W_ROAD
cut into N_TILES tiles of equal arc length. Reward +1000/N_TILES for each new tile, -0.1 per step;
the episode ends when every tile is visited, after --episode-steps, or with -100 when the car
leaves the playfield. The car has speed, yaw-rate lag and sideways slip (grip), and slows on the
grass; the agent sees a 24 x 24 grayscale top-down frame that turns with the car (road 1, grass
0), so speed, yaw rate and slip are not visible in any one frame.

Lyapunov fingerprint: the spectrum of M's state map [c, h] along real latent sequences (the
C(z, h) evaluation drives), from the core's step Jacobians.

    python3 world_models_carracing.py --seed 0       # headline
    python3 world_models_carracing.py --quick        # smoke test, seconds
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401  (pins BLAS to one thread before numpy loads)

import numpy as np

from shared import cli
from shared.optim import Adam
from shared.results import finish_run, record
from shared.rng import streams
from shared import world_models
from shared.world_models import cmaes, mdn_rnn, vae

PAPER = ("D. Ha and J. Schmidhuber, Recurrent world models facilitate policy evolution, NeurIPS 2018 "
         "(long version: World Models, arXiv:1803.10122)")
# Table of the paper (CarRacing-v0, average score over 100 random tracks), read in the authors'
# article source (worldmodels.github.io, draft_body.html). Settings read in the authors' code
# (hardmaru/WorldModelsExperiments, carracing/): CMA-ES population 64, 16 episodes per candidate,
# initial step 0.1, start at 0; M 256 cells, 5 Gaussians, Adam 1e-3, gradients clipped at 1; the
# actions squashed as below; the hidden-layer controller has 40 tanh units.
PAPER_ROWS = {"zh": (906, 21), "z": (632, 251), "z_hidden": (788, 141), "dqn": (343, 18),
              "a3c_continuous": (591, 45), "a3c_discrete": (652, 10), "leaderboard": (838, 11)}
SOLVED = 900.0                      # Gym's bar for CarRacing-v0: 900 on average over 100 tracks

# ---- the track and the car (units: road widths are 2 W_ROAD, one step is one frame)
N_TILES, W_ROAD, R_MIN, HARMONICS = 50, 3.0, 7.0, (2, 3, 4, 5)
ARC_GRID = 1024                     # angles of the arc-length table (tile lookup)
# little drag: a steady gas setting runs away (top speed 10 per step), so holding a safe speed needs
# to know the speed, which no single frame shows
ACC, BRAKE, DRAG, GRASS_DRAG = 0.05, 0.08, 0.005, 0.12
OMEGA_MAX, OMEGA_LAG, V_TURN = 0.15, 0.35, 0.5               # yaw rate follows steering with a lag
GRIP, GRASS_GRIP = 0.25, 0.12                                # velocity turns towards the heading
FRAME = 24                          # pixels per side; one pixel per unit, 6 units behind the car
RASTER_HALF, RASTER_STEP = 80.0, 0.5  # each track is drawn once on a grid; frames sample it bilinearly
_f, _l = np.meshgrid(np.arange(FRAME)[::-1] - 5.5, np.arange(FRAME)[::-1] - 11.5, indexing="ij")
VIEW_F, VIEW_L = _f.ravel(), _l.ravel()                      # (P,) forward / left offset of each pixel

DEFAULTS = dict(data_rollouts=120, data_steps=80, z_dim=16, vae_hidden=128, vae_steps=1500,
                m_hidden=64, mixtures=5, m_steps=500, window=32, pop=16, rollouts=4, generations=80,
                episode_steps=200, eval_tracks=100, sigma0=0.1, lyap_seqs=8, lyap_transient=50)
QUICK = dict(data_rollouts=6, data_steps=20, z_dim=4, vae_hidden=16, vae_steps=5, m_hidden=8,
             m_steps=3, window=8, pop=6, rollouts=1, generations=2, episode_steps=25, eval_tracks=3,
             lyap_seqs=2, lyap_transient=5)


# ---------------------------------------------------------------- tracks

def _harmonics(c1, s1):
    """cos, sin of k theta for every k in HARMONICS, from cos theta, sin theta (recurrence)."""
    out, ck, sk = [], c1, s1
    for k in range(2, HARMONICS[-1] + 1):
        ck, sk = ck * c1 - sk * s1, sk * c1 + ck * s1
        if k in HARMONICS:
            out.append((ck, sk))
    return out


def radius(tr, c1, s1, second=False):
    """r(theta), r'(theta) [and r''(theta)] at angles given by cos, sin (E, ...); track fields (E,)
    broadcast over the trailing axes."""
    r, dr, d2r = 1.0, 0.0, 0.0
    for j, (ck, sk) in enumerate(_harmonics(c1, s1)):
        a, cp, sp = (tr[key][:, j].reshape((-1,) + (1,) * (c1.ndim - 1)) for key in ("amp", "cphi", "sphi"))
        k = HARMONICS[j]
        cos_k = ck * cp - sk * sp                         # cos(k theta + phi_k)
        r = r + a * cos_k
        dr = dr - k * a * (sk * cp + ck * sp)
        d2r = d2r - k * k * a * cos_k
    R0 = tr["R0"].reshape((-1,) + (1,) * (c1.ndim - 1))
    return (R0 * r, R0 * dr, R0 * d2r) if second else (R0 * r, R0 * dr)


def make_tracks(rng, n):
    """n random tracks: R0 (n,), amp, cphi, sphi (n, 4), arc (n, ARC_GRID + 1) arc length at the
    grid angles, length (n,)."""
    tr = {"R0": rng.uniform(24.0, 32.0, n), "amp": rng.uniform(0, 1, (n, 4)) * 0.5 / np.array(HARMONICS)}
    phi = rng.uniform(0, 2 * np.pi, (n, 4))
    tr["cphi"], tr["sphi"] = np.cos(phi), np.sin(phi)
    th = np.linspace(0, 2 * np.pi, ARC_GRID + 1)
    c1, s1 = np.broadcast_to(np.cos(th), (n, th.size)), np.broadcast_to(np.sin(th), (n, th.size))
    for _ in range(40):                                   # flatten bends sharper than R_MIN
        r, dr, r2 = radius(tr, c1, s1, second=True)
        kappa = np.abs(r ** 2 + 2 * dr ** 2 - r * r2) / (r ** 2 + dr ** 2) ** 1.5
        bad = kappa.max(1) > 1.0 / R_MIN
        if not bad.any():
            break
        tr["amp"][bad] *= 0.85
    r, dr = radius(tr, c1, s1)
    ds = np.sqrt(r ** 2 + dr ** 2) * (2 * np.pi / ARC_GRID)
    tr["arc"] = np.concatenate([np.zeros((n, 1)), np.cumsum(0.5 * (ds[:, 1:] + ds[:, :-1]), 1)], 1)
    tr["length"] = tr["arc"][:, -1]
    tr["raster"], tr["which"] = rasterise(tr), np.arange(n)
    return tr


def road_value(d):
    """Gray level at signed distance d from the centre line: 1 on the road, 0 on grass, soft edges."""
    return 0.5 - 0.5 * np.tanh((np.abs(d) - W_ROAD) / 0.6)


def rasterise(tr, chunk=8):
    """The road of every track on a square grid of side 2 RASTER_HALF: (n, G, G) float32, [y, x]."""
    g = np.arange(-RASTER_HALF, RASTER_HALF + RASTER_STEP / 2, RASTER_STEP)
    X, Y = np.meshgrid(g, g)
    n = len(tr["R0"])
    out = np.empty((n, g.size, g.size), np.float32)
    for a in range(0, n, chunk):
        sub = {k: v[a:a + chunk] for k, v in tr.items() if k not in ("raster", "which")}
        m = len(sub["R0"])
        d = road_offset(sub, np.broadcast_to(X.ravel(), (m, X.size)), np.broadcast_to(Y.ravel(), (m, X.size)))
        out[a:a + m] = road_value(d).reshape(m, g.size, g.size)
    return out


def pick(tr, idx):
    """The tracks of E environments: every field indexed by idx (E,); the rasters stay shared and
    ``which`` (E,) says whose each environment drives."""
    out = {k: v[idx] for k, v in tr.items() if k not in ("raster", "which")}
    out["raster"], out["which"] = tr["raster"], np.asarray(tr.get("which", np.arange(len(tr["R0"]))))[idx]
    return out


def road_offset(tr, x, y):
    """Signed distance from the centre line (to first order), x, y (E, ...): positive outside."""
    rho = np.hypot(x, y) + 1e-9
    r, dr = radius(tr, x / rho, y / rho)
    return (rho - r) / np.sqrt(1.0 + (dr / r) ** 2)


def centre_line(tr, n=256):
    th = np.linspace(0, 2 * np.pi, n)
    c, s = np.broadcast_to(np.cos(th), (len(tr["R0"]), n)), np.broadcast_to(np.sin(th), (len(tr["R0"]), n))
    r, _ = radius(tr, c, s)
    return np.stack([r * c, r * s], -1)                   # (n_tracks, n, 2)


# ---------------------------------------------------------------- the car

def reset(tr, rng=None):
    """Cars at the tile boundary theta = 0 (data rollouts: anywhere, at any speed), heading along
    the track. Returns the state dict (every array leads with E)."""
    E = len(tr["R0"])
    th = np.zeros(E) if rng is None else rng.uniform(0, 2 * np.pi, E)
    r, dr = radius(tr, np.cos(th), np.sin(th))
    pos = np.stack([r * np.cos(th), r * np.sin(th)], 1)
    tangent = np.stack([dr * np.cos(th) - r * np.sin(th), dr * np.sin(th) + r * np.cos(th)], 1)
    psi = np.arctan2(tangent[:, 1], tangent[:, 0])
    v = np.zeros(E) if rng is None else rng.uniform(0, 2.0, E)
    return {"pos": pos, "psi": psi, "v": v, "omega": np.zeros(E),
            "vel": v[:, None] * np.stack([np.cos(psi), np.sin(psi)], 1),
            "visited": np.zeros((E, N_TILES), bool)}


def render(tr, st):
    """The frame each car sees (E, P), P = FRAME^2: the road around it, turned with its heading."""
    c, s = np.cos(st["psi"])[:, None], np.sin(st["psi"])[:, None]
    x = st["pos"][:, :1] + VIEW_F * c - VIEW_L * s
    y = st["pos"][:, 1:] + VIEW_F * s + VIEW_L * c
    G = tr["raster"].shape[-1]
    fx, fy = (x + RASTER_HALF) / RASTER_STEP, (y + RASTER_HALF) / RASTER_STEP
    inside = (fx >= 0) & (fx < G - 1) & (fy >= 0) & (fy < G - 1)        # beyond the grid: grass
    ix, iy = np.clip(fx.astype(int), 0, G - 2), np.clip(fy.astype(int), 0, G - 2)
    wx, wy = fx - ix, fy - iy
    R, k = tr["raster"], np.asarray(tr["which"])[:, None]
    val = ((1 - wy) * ((1 - wx) * R[k, iy, ix] + wx * R[k, iy, ix + 1])
           + wy * ((1 - wx) * R[k, iy + 1, ix] + wx * R[k, iy + 1, ix + 1]))
    return np.where(inside, val, 0.0)


def tile_of(tr, pos):
    th = np.mod(np.arctan2(pos[:, 1], pos[:, 0]), 2 * np.pi)
    g = np.minimum((th / (2 * np.pi) * ARC_GRID).astype(int), ARC_GRID - 1)
    s = tr["arc"][np.arange(len(g)), g]
    return np.minimum((N_TILES * s / tr["length"]).astype(int), N_TILES - 1)


def env_step(tr, st, act):
    """Advance every car one step under act (E, 3) = [steer, gas, brake] (in place).
    Returns reward (E,) and done (E,)."""
    on = np.abs(road_offset(tr, st["pos"][:, :1], st["pos"][:, 1:]))[:, 0] < W_ROAD
    v = st["v"] + ACC * act[:, 1] - BRAKE * act[:, 2]
    v = np.maximum(v - np.where(on, DRAG, GRASS_DRAG) * v, 0.0)
    st["omega"] += OMEGA_LAG * (act[:, 0] * OMEGA_MAX * np.minimum(1.0, v / V_TURN) - st["omega"])
    st["psi"] = st["psi"] + st["omega"]
    head = v[:, None] * np.stack([np.cos(st["psi"]), np.sin(st["psi"])], 1)
    st["vel"] += np.where(on, GRIP, GRASS_GRIP)[:, None] * (head - st["vel"])
    st["pos"] = st["pos"] + st["vel"]
    st["v"] = v
    on = np.abs(road_offset(tr, st["pos"][:, :1], st["pos"][:, 1:]))[:, 0] < W_ROAD
    tile = tile_of(tr, st["pos"])
    rows = np.arange(len(tile))
    new = on & ~st["visited"][rows, tile]
    st["visited"][rows, tile] |= on
    out = np.hypot(st["pos"][:, 0], st["pos"][:, 1]) > 1.8 * tr["R0"]
    reward = new * (1000.0 / N_TILES) - 0.1 - 100.0 * out
    return reward, out | st["visited"].all(1)


# ---------------------------------------------------------------- the controller and the random policy

def squash(raw):
    """Raw outputs (E, 3) -> [steer in [-1, 1], gas in [0, 1], brake in [0, 1]]."""
    t = np.tanh(raw)
    return np.stack([t[:, 0], 0.5 * (t[:, 1] + 1.0), np.maximum(t[:, 2], 0.0)], 1)


class RandomPolicy:
    """The data-collecting policy: an AR(1) random walk per action through the same squashing,
    brake offset so that it is off most of the time."""

    def __init__(self, E, rng):
        self.rng, self.raw = rng, np.zeros((E, 3))

    def __call__(self):
        self.raw = 0.9 * self.raw + 0.45 * self.rng.standard_normal(self.raw.shape)
        return squash(self.raw + np.array([0.0, 0.3, -1.0]))


def controller(theta, feat):
    """a = W_c feat + b_c per environment: theta (E, 3 (d + 1)) = [W_c (3, d) row by row, b_c (3,)],
    feat (E, d)."""
    d = feat.shape[1]
    W, b = theta[:, :3 * d].reshape(-1, 3, d), theta[:, 3 * d:]
    return squash(np.einsum("ekd,ed->ek", W, feat) + b)


def hidden_layer_controller(theta, z, k):
    """The paper's other ablation, C(z) with a hidden layer: a = W2 tanh(W1 z + b1) + b2, theta
    (E, k (Z + 1) + 3 (k + 1)) = [W1 (k, Z), b1 (k,), W2 (3, k), b2 (3,)]."""
    E, Z = z.shape
    W1, b1 = theta[:, :k * Z].reshape(E, k, Z), theta[:, k * Z:k * (Z + 1)]
    hid = np.tanh(np.einsum("ekd,ed->ek", W1, z) + b1)
    return controller(theta[:, k * (Z + 1):], hid)


def n_params(kind, Z, H, k):
    return {"zh": 3 * (Z + H + 1), "z": 3 * (Z + 1), "z_hidden": k * (Z + 1) + 3 * (k + 1), "random": 0}[kind]


def hidden_units(Z, H):
    """Hidden units k that give C(z) with a hidden layer as many parameters as C(z, h) (or one
    more or fewer): k (Z + 1) + 3 (k + 1) = 3 (Z + H + 1)."""
    return max(1, round(3 * (Z + H) / (Z + 4)))


class Policy:
    """Groups of environments side by side, each group one kind of controller (E_g rows of
    parameters theta_g) or the random policy: groups = [(kind, theta_g or a count for random)].
    ``__call__(z, h)`` -> actions (E, 3) for all of them."""

    def __init__(self, groups, k, rng=None):
        self.groups, self.k, self.slices, start = groups, k, [], 0
        for kind, theta in groups:
            n = theta if kind == "random" else len(theta)
            self.slices.append(slice(start, start + n))
            start += n
        self.E = start
        n_random = sum(th for kind, th in groups if kind == "random")
        self.random = RandomPolicy(n_random, rng) if n_random else None

    def __call__(self, z, h):
        act = np.empty((self.E, 3))
        for (kind, theta), sl in zip(self.groups, self.slices, strict=True):
            if kind == "zh":
                act[sl] = controller(theta, np.concatenate([z[sl], h[sl]], 1))
            elif kind == "z":
                act[sl] = controller(theta, z[sl])
            elif kind == "z_hidden":
                act[sl] = hidden_layer_controller(theta, z[sl], self.k)
            else:
                act[sl] = self.random()
        return act


# ---------------------------------------------------------------- data, V, M

def collect(rng, cfg):
    """Random-policy rollouts from random places and speeds: frames (T + 1, N, P), actions (T, N, 3)."""
    N, T = cfg["data_rollouts"], cfg["data_steps"]
    tr = make_tracks(rng, N)
    st, pol = reset(tr, rng), RandomPolicy(N, rng)
    frames, acts = np.empty((T + 1, N, FRAME * FRAME)), np.empty((T, N, 3))
    for t in range(T):
        frames[t] = render(tr, st)
        acts[t] = pol()
        env_step(tr, st, acts[t])
    frames[T] = render(tr, st)
    return frames, acts


def train_vae(frames, cfg, rng, log=print):
    """Adam on minibatches of 64 frames. Returns V's weights and the loss curve."""
    X = frames.reshape(-1, frames.shape[-1])
    p = vae.init(rng, X.shape[1], cfg["z_dim"], cfg["vae_hidden"])
    opt, curve = Adam(p, lr=1e-3), []
    for step in range(cfg["vae_steps"]):
        x = X[rng.integers(0, len(X), 64)]
        loss, parts, g = vae.loss_and_grads(p, x, rng.standard_normal((64, cfg["z_dim"])))
        cli.check_finite(step, vae_loss=loss)
        opt.step(g)
        curve.append(loss)
        if (step + 1) % max(1, cfg["vae_steps"] // 5) == 0:
            log(f"  V step {step + 1:5d}  loss {loss:8.3f}  (recon {parts['recon']:.3f}, "
                f"KL {parts['kl']:.3f})")
    return p, np.array(curve)


def train_m(frames, acts, V, cfg, rng, log=print):
    """Encode every frame (z sampled from V's posterior for every minibatch, as in the paper), then
    Adam (clip 1) on windows of --window steps from 90% of the rollouts; the rest is held out.
    Returns M's weights, the cell, the loss curve and the held-out NLL."""
    Z, K, H, L = cfg["z_dim"], cfg["mixtures"], cfg["m_hidden"], cfg["window"]
    T, N, _ = acts.shape
    mu, lv = vae.encode(V, frames.reshape(-1, frames.shape[-1]))
    mu, sd = mu.reshape(T + 1, N, Z), np.exp(0.5 * lv).reshape(T + 1, N, Z)
    n_fit = max(1, int(0.9 * N))
    cell, p = mdn_rnn.make_cell(Z + 3, H), mdn_rnn.init(rng, Z, 3, H, K)
    opt, curve = Adam(p, lr=1e-3, clip=1.0), []
    for step in range(cfg["m_steps"]):
        seq, t0 = rng.integers(0, n_fit, 32), rng.integers(0, T - L + 1, 32)
        tt = t0[None, :] + np.arange(L + 1)[:, None]       # (L + 1, 32)
        z = mu[tt, seq] + sd[tt, seq] * rng.standard_normal((L + 1, 32, Z))
        x = np.concatenate([z[:-1], acts[tt[:-1], seq]], -1)
        loss, g, _ = mdn_rnn.loss_and_grads(cell, p, x, z[1:], Z, K)
        cli.check_finite(step, m_nll=loss)
        opt.step(g)
        curve.append(loss)
        if (step + 1) % max(1, cfg["m_steps"] // 5) == 0:
            log(f"  M step {step + 1:5d}  NLL per latent {loss:8.4f}")
    held = np.arange(n_fit, N) if N > n_fit else np.arange(N)
    x = np.concatenate([mu[:-1, held], acts[:, held]], -1)
    nll = mdn_rnn.loss_and_grads(cell, p, x, mu[1:, held], Z, K)[0]
    return p, cell, np.array(curve), nll


# ---------------------------------------------------------------- rollouts with the whole agent

def rollout(V, M, cell, policy, tr, T, record_envs=0):
    """Run the E = policy.E agents on their tracks tr for up to T steps, all at once: frame ->
    z = mu_V(frame) -> a = C(z, h) -> environment step, and M's update h <- LSTM([z, a], h).
    Returns the total rewards (E,), {"tiles": share of tiles visited, "steps": steps until the
    episode ended} (E,) each, and for the first record_envs
    environments the positions, alive flags, frames, the [z, a] sequences, M's h_t and the car's
    speed (time-major)."""
    E, H = policy.E, M["R"].shape[1]
    st, state = reset(tr), mdn_rnn.zero_state(H, E)
    total, alive, steps = np.zeros(E), np.ones(E, bool), np.zeros(E, int)
    keys = ("pos", "alive", "frame", "z", "a", "h", "v")
    rec = {k: [] for k in keys}
    for _ in range(T):
        frame = render(tr, st)
        z = vae.encode(V, frame)[0]
        act = policy(z, state["y"][0])
        if record_envs:
            now = (st["pos"], alive, frame, z, act, state["y"][0], st["v"])
            for k, v in zip(keys, now, strict=True):
                rec[k].append(v[:record_envs].copy())
        r, done = env_step(tr, st, act)
        total += r * alive
        steps += alive
        alive &= ~done
        _, state, _ = mdn_rnn.run(cell, M, np.concatenate([z, act], 1)[None], state)
        if not alive.any():
            break
    return total, {"tiles": st["visited"].mean(1), "steps": steps}, {k: np.array(v) for k, v in rec.items()}


# ---------------------------------------------------------------- CMA-ES on C(z) and C(z, h)

KINDS = ("zh", "z", "z_hidden")
NAMES = {"zh": "C(z, h)", "z": "C(z)", "z_hidden": "C(z) + hidden layer", "random": "random"}


def evolve(V, M, cell, cfg, rng_tracks, rng_es, log=print):
    """The three searches side by side, C(z, h), C(z) and C(z) with a hidden layer: every generation
    draws --rollouts new tracks, and every candidate of every population drives all of them
    (common tracks, so the searches compare fairly). Fitness: the mean total reward. Returns the
    final search means and the curves."""
    Z, H, lam, n_r = cfg["z_dim"], cfg["m_hidden"], cfg["pop"], cfg["rollouts"]
    k = hidden_units(Z, H)
    es = {kind: cmaes.CMAES(np.zeros(n_params(kind, Z, H, k)), cfg["sigma0"], lam) for kind in KINDS}
    curves = {f"{kind}_{s}": [] for kind in KINDS for s in ("pop_mean", "best")}
    for gen in range(cfg["generations"]):
        tr = make_tracks(rng_tracks, n_r)
        policy = Policy([(kind, np.repeat(es[kind].ask(rng_es), n_r, axis=0)) for kind in KINDS], k)
        total, _, _ = rollout(V, M, cell, policy, pick(tr, np.tile(np.arange(n_r), len(KINDS) * lam)),
                              cfg["episode_steps"])
        cli.check_finite(gen, fitness=total)
        fit = total.reshape(len(KINDS), lam, n_r).mean(2)
        for kind, f in zip(KINDS, fit, strict=True):
            es[kind].tell(-f)
            curves[f"{kind}_pop_mean"].append(f.mean())
            curves[f"{kind}_best"].append(f.max())
        if (gen + 1) % max(1, cfg["generations"] // 10) == 0 or gen == 0:
            parts = [f"{NAMES[kd]} {fit[i].mean():6.1f} / {fit[i].max():6.1f}" for i, kd in enumerate(KINDS)]
            log(f"  generation {gen + 1:4d}  population mean / best:  " + "  ".join(parts))
    return {kind: e.mean for kind, e in es.items()}, {key: np.array(v) for key, v in curves.items()}


# ---------------------------------------------------------------- evaluation

def evaluate(V, M, cell, best, cfg, rng_tracks, rng_random):
    """The three controllers and the random policy on the same n unseen tracks. Returns scores and
    tile shares per policy (n,), the recorded drives of C(z, h) and C(z) on the first tracks, and
    those tracks."""
    n, Z, H = cfg["eval_tracks"], cfg["z_dim"], cfg["m_hidden"]
    k = hidden_units(Z, H)
    tr = make_tracks(rng_tracks, n)
    show = min(n, max(cfg["lyap_seqs"], 4))
    groups = [(kind, np.repeat(best[kind][None], n, 0)) for kind in KINDS] + [("random", n)]
    names = KINDS + ("random",)
    total, info, rec = rollout(V, M, cell, Policy(groups, k, rng_random), pick(tr, np.tile(np.arange(n), 4)),
                                cfg["episode_steps"], show)
    scores = {kind: total[i * n:(i + 1) * n] for i, kind in enumerate(names)}
    shares = {kind: {key: v[i * n:(i + 1) * n] for key, v in info.items()} for i, kind in enumerate(names)}
    # a second, small rollout records C(z) on the shown tracks (the batch above recorded C(z, h))
    _, _, rec_z = rollout(V, M, cell, Policy([("z", groups[1][1][:show])], k), pick(tr, np.arange(show)),
                          cfg["episode_steps"], record_envs=show)
    return scores, shares, rec, rec_z, pick(tr, np.arange(show))


# ---------------------------------------------------------------- gradient checks, diagnostics

def gradcheck(args):
    """V's and M's backward passes against central differences (world_models_carracing_checks.py)."""
    return cli.load_sibling(__file__, "world_models_carracing_checks", globals()).gradcheck(args)


def diagnostics():
    """Verdicts, metrics, saved arrays and M's Lyapunov spectrum (world_models_carracing_diagnostics.py)."""
    return cli.load_sibling(__file__, "world_models_carracing_diagnostics", globals())


# ---------------------------------------------------------------- main

def resolve(args):
    cli.quick(args, **QUICK)
    cfg = {k: getattr(args, k) for k in DEFAULTS}
    if cfg["window"] >= cfg["data_steps"]:
        raise cli.StubError("--window must be shorter than --data-steps")
    return cfg


def main(args):
    timer = cli.Timer()
    cfg = resolve(args)
    rs = streams(args.seed, ["data", "vae", "mdn", "tracks", "es", "eval", "random", "dream"])
    Z, H = cfg["z_dim"], cfg["m_hidden"]
    k = hidden_units(Z, H)
    print(f"World Models on numpy car racing: V = MLP-VAE ({FRAME}x{FRAME} frames -> z in R^{Z}), "
          f"M = MDN-LSTM ({H} cells, {cfg['mixtures']} Gaussians per latent); C by CMA-ES (population "
          f"{cfg['pop']}, {cfg['rollouts']} tracks each, {cfg['generations']} generations): C(z, h) linear, "
          f"{n_params('zh', Z, H, k)} parameters; C(z) linear, {n_params('z', Z, H, k)}; C(z) with {k} "
          f"hidden units, {n_params('z_hidden', Z, H, k)}; episodes of {cfg['episode_steps']} steps; "
          f"{cfg['eval_tracks']} test tracks")
    t = {"start": timer()}
    frames, acts = collect(rs["data"], cfg)
    print(f"data: {cfg['data_rollouts']} random-policy rollouts x {cfg['data_steps']} steps "
          f"(road in {frames.mean():.0%} of the pixels)")
    V, vae_curve = train_vae(frames, cfg, rs["vae"])
    M, cell, m_curve, m_held = train_m(frames, acts, V, cfg, rs["mdn"])
    print(f"  M held-out NLL per latent (posterior means as targets): {m_held:.4f}")
    t["models"] = timer()
    best, curves = evolve(V, M, cell, cfg, rs["tracks"], rs["es"])
    t["evolution"] = timer()
    scores, shares, rec, rec_z, shown = evaluate(V, M, cell, best, cfg, rs["eval"], rs["random"])
    dg = diagnostics()
    lam = dg.lyapunov(M, cell, rec, cfg)
    probe = dg.what_h_knows(M, cell, rec, cfg)
    dreamt = dg.dream(V, M, cell, best["zh"], rec, cfg, rs["dream"])
    t["evaluation"] = timer()
    timing = {"models_s": t["models"] - t["start"], "evolution_s": t["evolution"] - t["models"],
              "evaluation_s": t["evaluation"] - t["evolution"]}
    metrics = dg.summarise(cfg, vae_curve, m_curve, m_held, curves, scores, shares, lam, timing) | probe
    dg.report(metrics, lam, cfg)
    rec_out = record(args, __file__, title="World Models on car racing: C(z) vs C(z, h)", paper=PAPER,
                     config=dict(cfg, frame=FRAME, n_tiles=N_TILES, road_half_width=W_ROAD),
                     metrics=metrics, headline=dg.headline_rows(metrics, cfg),
                     lyapunov=dg.lyapunov_block(lam, cfg))
    arrays = dg.artefacts(V, rec, rec_z, shown, frames, scores, curves, vae_curve, m_curve, lam, dreamt)
    finish_run(args.out, rec_out, arrays, timer)


def build_parser():
    p = cli.make_parser(__doc__, __file__)
    ints = dict(data_rollouts=(2, 300, "random-policy rollouts collected for V and M"),
                data_steps=(10, 1000, "steps per data rollout"),
                **world_models.VM_FLAGS,
                pop=(4, 128, "CMA-ES population per controller"),
                rollouts=(1, 32, "tracks every candidate drives per generation"),
                generations=(1, 10_000, "CMA-ES generations"),
                episode_steps=(10, 2000, "step limit of an episode"),
                eval_tracks=(1, 300, "unseen tracks of the final test"),
                lyap_seqs=(1, 100, "latent sequences for M's Lyapunov spectrum"),
                lyap_transient=(0, 1000, "alignment steps of the spectrum (at most half of each sequence)"))
    cli.int_flags(p, ints, DEFAULTS)
    p.add_argument("--sigma0", type=cli.float_range(0.0, 10.0), default=DEFAULTS["sigma0"],
                   help="initial CMA-ES step size")
    return p


if __name__ == "__main__":
    cli.run(main, build_parser(), gradcheck=gradcheck)
