"""World Models, the DoomTakeCover experiment: a controller trained only inside M's dream, at five
sampling temperatures, then tested in the real game (Ha & Schmidhuber, "Recurrent world models
facilitate policy evolution", NeurIPS 2018; "World Models", arXiv:1803.10122).

V, a variational autoencoder, compresses each frame into z. M, an LSTM with a mixture-density head
and a death head (MDN-RNN), learns P(z_{t+1}, done_{t+1} | a_t, z_t, h_t) from random-policy
rollouts. C, one linear unit on [z, h], is trained by CMA-ES entirely inside M's dream: M samples
the next z at temperature tau and says when the agent dies; the fitness is the number of steps
survived. The controller is then dropped, unchanged, into the real game. V, M (with the death head)
and CMA-ES are the family core ``shared/world_models``; this file holds the game, C, the schedule
and the dream.

    z_t ~ V(frame_t)       a_t = tanh(w_c . [z_t, h_t] + b_c)      h_{t+1} = LSTM_M([z_t, a_t], h_t)
    move = left if a_t < -1/3, right if a_t > 1/3, else stay                (the authors' code)
    dream: z_{t+1} ~ mixture(h_{t+1}) at temperature tau;  dead when logit_done(h_{t+1}) > 0

At tau = 0.1 the dream is nearly deterministic: M's rare modes (a monster firing) are almost never
drawn, so the controller survives the dream easily and learns nothing that helps in the game.
Warmer dreams fire, and are harder than the game; the paper's best real score is at tau = 1.15.

The game (VizDoom is outside the dependencies, so a numpy substitute of Take Cover): a 32 x 32
grayscale view of a room; three monsters on the far wall; the agent on the floor moves left, right
or stays (1 pixel per step); an idle monster fires with probability P_FIRE per step, a fireball
aimed at where the agent is now, landing 16 steps later; a fireball landing within HIT pixels of
the agent kills it. Reward: 1 per step survived; episodes end at death or after --cap steps;
"solved" = mean survival over 100 episodes above --cap x 750 / 2,100 (the paper: 750 of 2,100).

Lyapunov fingerprint: the spectrum of M's state map [c, h] along real [z, a] sequences of the
tau = 1.15 controller in the game; and, per tau, how fast a dream started from a real history
drifts away from the real latents it should follow.

    python3 world_models_vizdoom_dream.py --seed 0       # headline
    python3 world_models_vizdoom_dream.py --quick        # smoke test, seconds
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
# The paper's temperature table (DoomTakeCover; mean +- sd over 100 trials), read in the article's
# source (worldmodels.github.io, draft_body.html): tau -> (dream score, real score).
TAUS = (0.1, 0.5, 1.0, 1.15, 1.3)
PAPER_TABLE = {0.1: ((2086, 140), (193, 58)), 0.5: ((2060, 277), (196, 50)), 1.0: ((1145, 690), (868, 511)),
               1.15: ((918, 546), (1092, 556)), 1.3: ((732, 269), (753, 139))}
PAPER_RANDOM, PAPER_LEADERBOARD = (210, 108), (820, 58)
PAPER_CAP, PAPER_SOLVED = 2100, 750          # frames per episode; solved: mean > 750 over 100 trials

# ---- the game (units: pixels, one step per frame)
FRAME = 32
MON_X, MON_Y, FIRE_Y, AGENT_Y = np.array([5.0, 16.0, 26.0]), 2.5, 5.0, 29.5
X_MIN, X_MAX, X_START = 3.5, 27.5, 15.5       # the agent's range on the floor
SPEED, FLIGHT, HIT, P_FIRE = 1.0, 16, 3.0, 0.04
AGENT_HALF, BALL_R = 2.5, 2.0                 # drawn half-width of the agent, radius of a fireball
_Y, _X = np.mgrid[0:FRAME, 0:FRAME] + 0.5
PX, PY = _X.ravel(), _Y.ravel()               # (P,) pixel centres
FLOOR = (np.abs(PY - AGENT_Y) < 1.5).astype(float)
WALL = np.max([0.5 * np.clip(2.5 - np.hypot(PX - mx, PY - MON_Y), 0, 1) for mx in MON_X], axis=0)

DEFAULTS = dict(data_episodes=600, data_steps=200, z_dim=32, kl_tolerance=0.5, vae_hidden=128, vae_steps=1500,
                m_hidden=64, mixtures=5, m_steps=1500, window=32, done_weight=10.0, pop=12, rollouts=8,
                generations=30, cap=500, eval_episodes=100, sigma0=0.1, lyap_seqs=8, lyap_steps=120,
                lyap_transient=20)
QUICK = dict(data_episodes=8, data_steps=30, z_dim=4, vae_hidden=16, vae_steps=5, m_hidden=8, m_steps=3,
             window=8, pop=6, rollouts=1, generations=2, cap=30, eval_episodes=3, lyap_seqs=2, lyap_steps=12,
             lyap_transient=2)


# ---------------------------------------------------------------- the game

def new_games(E):
    """E games at their start: the agent in the middle, no fireball in the air. Every array leads
    with E; fireballs are one slot per monster (E, 3): in the air, x at launch, x step, age."""
    n = len(MON_X)
    return {"x": np.full(E, X_START), "air": np.zeros((E, n), bool), "fx0": np.zeros((E, n)),
            "vx": np.zeros((E, n)), "age": np.zeros((E, n), int)}


def ball_xy(st):
    """Fireball centres (E, 3) each: straight from the monster towards the aimed spot on the floor."""
    return (st["fx0"] + st["vx"] * st["age"], FIRE_Y + (AGENT_Y - FIRE_Y) * st["age"] / FLIGHT)


def game_step(st, move, u):
    """One step of every game (in place): move (E,) in {-1, 0, 1}; u (E, 3) uniform draws that
    decide which idle monsters fire. Returns hit (E,): a fireball landed on the agent."""
    st["x"] = np.clip(st["x"] + SPEED * move, X_MIN, X_MAX)
    st["age"] = st["age"] + st["air"]
    fx, _ = ball_xy(st)
    land = st["air"] & (st["age"] >= FLIGHT)
    hit = (land & (np.abs(fx - st["x"][:, None]) < HIT)).any(1)
    st["air"] = st["air"] & ~land
    fire = ~st["air"] & (u < P_FIRE)                  # an idle monster fires, aiming at the agent now
    st["fx0"] = np.where(fire, MON_X, st["fx0"])
    st["vx"] = np.where(fire, (st["x"][:, None] - MON_X) / FLIGHT, st["vx"])
    st["age"] = np.where(fire, 0, st["age"])
    st["air"] = st["air"] | fire
    return hit


def render(st):
    """The frame every agent sees (E, P), P = FRAME^2: monsters (gray) on the far wall, fireballs
    (white discs), the agent (a white bar on the floor). Where a fireball is heading is not in
    any one frame."""
    bar = np.clip(AGENT_HALF + 0.5 - np.abs(PX - st["x"][:, None]), 0, 1) * FLOOR
    fx, fy = ball_xy(st)
    d = np.hypot(PX - fx[..., None], PY - fy[..., None])                    # (E, 3, P)
    balls = (np.clip(BALL_R + 0.5 - d, 0, 1) * st["air"][..., None]).max(1)
    return np.maximum(np.maximum(WALL, bar), balls)


def to_move(a):
    """Continuous action a in [-1, 1] -> move in {-1, 0, 1}: the authors' thresholds at +-1/3."""
    return np.where(a > 1 / 3, 1, np.where(a < -1 / 3, -1, 0))


# ---------------------------------------------------------------- the policies

class RandomPolicy:
    """The data-collecting policy of the authors' code: a uniform a in [-1, 1], held for a random
    1-10 steps."""

    def __init__(self, E, rng):
        self.rng, self.a, self.hold = rng, np.zeros(E), np.zeros(E, int)

    def __call__(self, z=None, h=None):
        new = self.hold <= 0
        self.a[new] = self.rng.uniform(-1, 1, new.sum())
        self.hold[new] = self.rng.integers(1, 11, new.sum())
        self.hold -= 1
        return self.a.copy()


def controller(theta, z, h):
    """C: a = tanh(w_c . [z, h] + b_c) per row; theta (E, Z + H + 1) = [w_c, b_c], z (E, Z), h (E, H)."""
    d = z.shape[1] + h.shape[1]
    return np.tanh(np.einsum("ed,ed->e", theta[:, :d], np.concatenate([z, h], 1)) + theta[:, d])


class Groups:
    """Rows side by side, each group a controller's parameters (E_g, n) or the random policy
    (a count). ``__call__(z, h)`` -> a (E,)."""

    def __init__(self, groups, rng=None):
        self.groups, self.slices, start = groups, [], 0
        for kind, theta in groups:
            n = theta if kind == "random" else len(theta)
            self.slices.append(slice(start, start + n))
            start += n
        self.E = start
        n_random = sum(th for kind, th in groups if kind == "random")
        self.random = RandomPolicy(n_random, rng) if n_random else None

    def __call__(self, z, h):
        a = np.empty(self.E)
        for (kind, theta), sl in zip(self.groups, self.slices, strict=True):
            a[sl] = self.random() if kind == "random" else controller(theta, z[sl], h[sl])
        return a


# ---------------------------------------------------------------- data, V, M

def collect(rng, cfg):
    """Random-policy episodes until death (or --data-steps): frames (T + 1, N, P) uint8 (0-255),
    actions (T, N), and per episode its number of steps (N,) and whether it ended in death (N,)."""
    N, T = cfg["data_episodes"], cfg["data_steps"]
    st, pol = new_games(N), RandomPolicy(N, rng)
    frames, acts = np.zeros((T + 1, N, FRAME * FRAME), np.uint8), np.zeros((T, N))
    steps, died, alive = np.zeros(N, int), np.zeros(N, bool), np.ones(N, bool)
    frames[0] = gray(render(st))
    for t in range(T):
        acts[t] = pol()
        hit = game_step(st, to_move(acts[t]), rng.random((N, len(MON_X))))
        steps += alive
        died |= alive & hit
        alive &= ~hit
        frames[t + 1] = gray(render(st))
        if not alive.any():
            break
    return frames, acts, steps, died


def gray(x):
    return np.round(255 * np.clip(x, 0, 1)).astype(np.uint8)


def train_vae(frames, steps, cfg, rng, log=print):
    """Adam on minibatches of 64 frames seen in the episodes (not after a death), each frame's KL
    floored at --kl-tolerance x Z (the authors' code). Returns V and the loss curve."""
    t_idx, n_idx = np.nonzero(np.arange(frames.shape[0])[:, None] <= steps[None, :])
    p = vae.init(rng, FRAME * FRAME, cfg["z_dim"], cfg["vae_hidden"])
    opt, curve = Adam(p, lr=1e-3), []
    for step in range(cfg["vae_steps"]):
        k = rng.integers(0, len(t_idx), 64)
        x = frames[t_idx[k], n_idx[k]] / 255.0
        eps = rng.standard_normal((64, cfg["z_dim"]))
        loss, parts, g = vae.loss_and_grads(p, x, eps, cfg["kl_tolerance"])
        cli.check_finite(step, vae_loss=loss)
        opt.step(g)
        curve.append(loss)
        if (step + 1) % max(1, cfg["vae_steps"] // 5) == 0:
            log(f"  V step {step + 1:5d}  loss {loss:8.3f}  (recon {parts['recon']:.3f}, "
                f"KL {parts['kl']:.3f})")
    return p, np.array(curve)


def encode_all(V, frames):
    """Posterior means and standard deviations of every frame: (T + 1, N, Z) each."""
    mu, lv = vae.encode(V, frames.reshape(-1, frames.shape[-1]) / 255.0)
    shape = frames.shape[:2] + (mu.shape[-1],)
    return mu.reshape(shape), np.exp(0.5 * lv).reshape(shape)


def windows(mu, sd, acts, steps, died, idx, t0, L, rng):
    """Training windows of M: episodes idx (B,), first steps t0 (B,), length L. z sampled from V's
    posterior (as in the paper). Returns x (L, B, Z + 1), target (L, B, Z), done (L, B), mask (L, B)."""
    T = acts.shape[0]
    tt = t0[None, :] + np.arange(L)[:, None]                                 # (L, B) transition index
    mask = (tt < steps[idx][None, :]).astype(float)
    tc = np.minimum(tt, T - 1)
    z = mu[tc, idx] + sd[tc, idx] * rng.standard_normal(tc.shape + (mu.shape[-1],))
    z1 = mu[tc + 1, idx] + sd[tc + 1, idx] * rng.standard_normal(tc.shape + (mu.shape[-1],))
    done = ((tt == steps[idx][None, :] - 1) & died[idx][None, :]).astype(float)
    x = np.concatenate([z, acts[tc, idx][..., None]], -1) * mask[..., None]
    return x, z1 * mask[..., None], done, mask


def train_m(mu, sd, acts, steps, died, cfg, rng, log=print):
    """Adam (global clip 1) on batches of 32 windows of --window steps from 90% of the episodes,
    half starting at the first step, half anywhere (steps past the episode's end are masked out,
    and M starts every window from its zero state); the loss
    is the mixture NLL plus the death head's cross-entropy, deaths weighted --done-weight. Returns
    M, its cell, the loss curves and the held-out losses (posterior means as inputs and targets)."""
    Z, K, H, L = cfg["z_dim"], cfg["mixtures"], cfg["m_hidden"], cfg["window"]
    N = len(steps)
    n_fit = max(1, int(0.9 * N))
    cell, p = mdn_rnn.make_cell(Z + 1, H), mdn_rnn.init(rng, Z, 1, H, K, done=True)
    opt, curve = Adam(p, lr=1e-3, clip=1.0), {"z": [], "done": []}
    for step in range(cfg["m_steps"]):
        idx = rng.integers(0, n_fit, 32)
        # half the windows start where every dream starts (a new game, M's zero state), half anywhere
        t0 = np.where(rng.random(32) < 0.5, 0, (rng.random(32) * steps[idx]).astype(int))
        x, tgt, done, mask = windows(mu, sd, acts, steps, died, idx, t0, L, rng)
        parts, g, _ = mdn_rnn.loss_and_grads_done(cell, p, x, tgt, done, mask, Z, K, cfg["done_weight"])
        cli.check_finite(step, m_loss=parts["total"])
        opt.step(g)
        curve["z"].append(parts["z"])
        curve["done"].append(parts["done"])
        if (step + 1) % max(1, cfg["m_steps"] // 5) == 0:
            log(f"  M step {step + 1:5d}  NLL per latent {parts['z']:8.4f}  death loss {parts['done']:.4f}")
    held = np.arange(n_fit, N) if N > n_fit else np.arange(N)
    T = acts.shape[0]
    mask = (np.arange(T)[:, None] < steps[held][None, :]).astype(float)
    done = ((np.arange(T)[:, None] == steps[held][None, :] - 1) & died[held][None, :]).astype(float)
    x = np.concatenate([mu[:-1, held], acts[:, held, None]], -1) * mask[..., None]
    parts = mdn_rnn.loss_and_grads_done(cell, p, x, mu[1:, held] * mask[..., None], done, mask, Z, K,
                                        cfg["done_weight"])[0]
    return p, cell, {k: np.array(v) for k, v in curve.items()}, parts


# ---------------------------------------------------------------- the dream and the game

def m_step(cell, M, z, a, state):
    """M reads [z_t, a_t]: returns h_{t+1} (E, H), the mixture (logits, means, logsd) (E, Z, K),
    the death logit (E,) and the new state."""
    Z = z.shape[1]
    K = M["bo"].shape[0] // (3 * Z)
    h, state, _ = mdn_rnn.run(cell, M, np.concatenate([z, a[:, None]], 1)[None], state)
    return h[0], mdn_rnn.head(M, h[0], Z, K), mdn_rnn.done_logit(M, h[0]), state


def dream(cell, M, policy, taus, init_z, cap, rng, record=0):
    """Run policy.E agents inside M's dream, all at once: rows in consecutive blocks, block j at
    temperature taus[j] (taus: list of (tau, n_rows)). Starts from z drawn from init_z (a list of
    (mu, sd) of real first frames). Returns survival (E,) and, for the first ``record`` rows, the
    dreamt latents (T, record, Z)."""
    E, H = policy.E, M["R"].shape[1]
    mu0, sd0 = init_z
    k = rng.integers(0, len(mu0), E)
    z = mu0[k] + sd0[k] * rng.standard_normal((E, mu0.shape[1]))
    state = mdn_rnn.zero_state(H, E)
    alive, steps, rec = np.ones(E, bool), np.zeros(E, int), []
    for _ in range(cap):
        if record:
            rec.append(z[:record].copy())
        a = policy(z, state["y"][0])
        _, (lg, mean, lsd), dlogit, state = m_step(cell, M, z, a, state)
        steps += alive
        alive &= ~(dlogit > 0)                             # the authors' rule: dead when logit > 0
        start = 0
        for tau, n in taus:
            sl = slice(start, start + n)
            z[sl] = mdn_rnn.sample(lg[sl], mean[sl], lsd[sl], tau, rng)
            start += n
        if not alive.any():
            break
    return steps, (np.array(rec) if record else None)


def play(V, cell, M, policy, n_games, cap, rng_game, rng_v, record=()):
    """Run policy.E agents in the real game: rows in blocks of n_games, block b plays games
    0..n_games-1 with the same monster draws as every other block (common random numbers, so
    the policies can be compared game by game). frame -> z ~ V -> a = policy(z, h) -> step, and
    M's update h <- LSTM([z, a], h). The game runs on after a death (the step count stops), so
    recorded rows keep one length. Returns survival (E,) and, for the rows in ``record``, the
    frames (uint8), z, a, the agent's x and alive flags (time-major)."""
    E, H, Z = policy.E, M["R"].shape[1], V["bm"].shape[0]
    st, state = new_games(E), mdn_rnn.zero_state(H, E)
    alive, steps = np.ones(E, bool), np.zeros(E, int)
    rows = np.asarray(record, int)
    kept = np.zeros(E, bool)
    kept[rows] = True
    rec = {k: [] for k in ("frame", "z", "a", "x", "alive")}
    frame, z = np.zeros((E, FRAME * FRAME)), np.zeros((E, Z))
    for _ in range(cap):
        on = alive | kept                                  # the dead are no longer drawn or seen
        frame[on] = render({k: v[on] for k, v in st.items()})
        mu, lv = vae.encode(V, frame[on])
        z[on] = mu + np.exp(0.5 * lv) * rng_v.standard_normal(mu.shape)  # V's sample, as in the paper
        a = policy(z, state["y"][0])
        if len(rows):
            for key, v in (("frame", gray(frame)), ("z", z), ("a", a), ("x", st["x"]), ("alive", alive)):
                rec[key].append(v[rows].copy())
        u = np.tile(rng_game.random((n_games, len(MON_X))), (E // n_games, 1))
        hit = game_step(st, to_move(a), u)
        steps += alive
        alive &= ~hit
        _, _, _, state = m_step(cell, M, z, a, state)
        if not alive.any():
            break
    return steps, {k: np.array(v) for k, v in rec.items()}


# ---------------------------------------------------------------- CMA-ES inside the dream

def evolve(cell, M, init_z, cfg, rng_es, rng_dream, log=print):
    """One CMA-ES search per temperature, all five side by side in one dream batch: every candidate
    dreams --rollouts episodes at its search's tau; fitness = mean steps survived. Returns the final
    search means (n_tau, n) and the curves (generations, n_tau) of population mean and best."""
    n = cfg["z_dim"] + cfg["m_hidden"] + 1
    lam, r = cfg["pop"], cfg["rollouts"]
    es = [cmaes.CMAES(np.zeros(n), cfg["sigma0"], lam) for _ in TAUS]
    curves = {"pop_mean": [], "best": []}
    for gen in range(cfg["generations"]):
        theta = np.concatenate([np.repeat(e.ask(rng_es), r, axis=0) for e in es])
        surv, _ = dream(cell, M, Groups([("c", theta)]), [(tau, lam * r) for tau in TAUS], init_z, cfg["cap"],
                        rng_dream)
        fit = surv.reshape(len(TAUS), lam, r).mean(2)
        cli.check_finite(gen, fitness=fit)
        for e, f in zip(es, fit, strict=True):
            e.tell(-f)
        curves["pop_mean"].append(fit.mean(1))
        curves["best"].append(fit.max(1))
        if (gen + 1) % max(1, cfg["generations"] // 6) == 0 or gen == 0:
            log(f"  generation {gen + 1:4d}  dream survival, population mean / best by tau:  "
                + "  ".join(f"{tau:g}: {f.mean():5.0f}/{f.max():4.0f}"
                            for tau, f in zip(TAUS, fit, strict=True)))
    return np.array([e.mean for e in es]), {k: np.array(v) for k, v in curves.items()}


# ---------------------------------------------------------------- evaluation

def evaluate(V, cell, M, best, init_z, cfg, rng_dream, rng_game, rng_v, rng_random):
    """Each tau's controller for --eval-episodes dream episodes at its own tau, and the random
    policy in the dream at every tau (how hard each dream is); then every controller and the random
    policy in the real game, on the same games. Returns the dream and real survival per policy and
    the recorded real games (the first lyap_seqs games of every policy)."""
    n, cap = cfg["eval_episodes"], cfg["cap"]
    groups = [("c", np.repeat(best[j][None], n, 0)) for j in range(len(TAUS))] + [("random", n * len(TAUS))]
    taus = [(tau, n) for tau in TAUS] * 2
    # the random block is one group; its rows follow the controllers' in the same tau order
    surv, dreamt = dream(cell, M, Groups(groups, rng_random), taus, init_z, cap, rng_dream, record=0)
    dream_c = {tau: surv[j * n:(j + 1) * n] for j, tau in enumerate(TAUS)}
    dream_r = {tau: surv[(len(TAUS) + j) * n:(len(TAUS) + j + 1) * n] for j, tau in enumerate(TAUS)}
    show = min(n, cfg["lyap_seqs"])
    record_rows = [j * n + i for j in range(len(TAUS) + 1) for i in range(show)]
    real_groups = [("c", np.repeat(best[j][None], n, 0)) for j in range(len(TAUS))] + [("random", n)]
    surv, rec = play(V, cell, M, Groups(real_groups, rng_random), n, cap, rng_game, rng_v, record_rows)
    real = {tau: surv[j * n:(j + 1) * n] for j, tau in enumerate(TAUS)}
    real["random"] = surv[len(TAUS) * n:]
    return dream_c, dream_r, real, rec


# ---------------------------------------------------------------- gradient checks, diagnostics

def gradcheck(args):
    """V's and M's (with the death head) backward passes against central differences
    (world_models_vizdoom_dream_checks.py)."""
    return cli.load_sibling(__file__, "world_models_vizdoom_dream_checks", globals()).gradcheck(args)


def diagnostics():
    """Verdicts, metrics, saved arrays, M's Lyapunov spectrum and the dream's drift
    (world_models_vizdoom_dream_diagnostics.py)."""
    return cli.load_sibling(__file__, "world_models_vizdoom_dream_diagnostics", globals())


# ---------------------------------------------------------------- main

def resolve(args):
    cli.quick(args, **QUICK)
    cfg = {k: getattr(args, k) for k in DEFAULTS}
    if cfg["lyap_steps"] > cfg["cap"]:
        raise cli.StubError("--lyap-steps must not exceed --cap")
    if cfg["lyap_transient"] >= cfg["lyap_steps"]:
        raise cli.StubError("--lyap-transient must be smaller than --lyap-steps")
    return cfg


def main(args):
    timer = cli.Timer()
    cfg = resolve(args)
    rs = streams(args.seed, ["data", "vae", "mdn", "es", "dream", "eval_dream", "game", "v_noise", "random",
                             "drift"])
    Z, H, cap = cfg["z_dim"], cfg["m_hidden"], cfg["cap"]
    print(f"World Models, Take Cover in the dream: V = MLP-VAE ({FRAME}x{FRAME} frames -> z in R^{Z}), "
          f"M = MDN-LSTM ({H} cells, {cfg['mixtures']} Gaussians per latent, death head); C linear on [z, h] "
          f"({Z + H + 1} parameters) by CMA-ES inside the dream (population {cfg['pop']}, {cfg['rollouts']} "
          f"dreams each, {cfg['generations']} generations) at tau = {', '.join(map(str, TAUS))}; episodes "
          f"capped at {cap} steps, solved above {solved(cap):.1f}; {cfg['eval_episodes']} test episodes")
    t = {"start": timer()}
    frames, acts, steps, died = collect(rs["data"], cfg)
    print(f"data: {cfg['data_episodes']} random-policy episodes, {steps.sum()} steps, survival "
          f"{steps.mean():.1f} (deaths in {died.mean():.0%})")
    V, vae_curve = train_vae(frames, steps, cfg, rs["vae"])
    mu, sd = encode_all(V, frames)
    M, cell, m_curve, m_held = train_m(mu, sd, acts, steps, died, cfg, rs["mdn"])
    print(f"  M held-out: NLL per latent {m_held['z']:.4f}, death loss {m_held['done']:.4f}")
    init_z = (mu[0], sd[0])                                # V's posteriors of the real first frames
    t["models"] = timer()
    best, curves = evolve(cell, M, init_z, cfg, rs["es"], rs["dream"])
    t["evolution"] = timer()
    dream_c, dream_r, real, rec = evaluate(V, cell, M, best, init_z, cfg, rs["eval_dream"], rs["game"],
                                           rs["v_noise"], rs["random"])
    dg = diagnostics()
    lam = dg.lyapunov(cell, M, rec, cfg)
    drift = dg.drift(cell, M, rec, cfg, rs["drift"])
    t["evaluation"] = timer()
    timing = {"models_s": t["models"] - t["start"], "evolution_s": t["evolution"] - t["models"],
              "evaluation_s": t["evaluation"] - t["evolution"]}
    metrics = dg.summarise(cfg, steps, died, vae_curve, m_curve, m_held, curves, dream_c, dream_r, real, lam,
                           drift, timing)
    dg.report(metrics, cfg)
    rec_out = record(args, __file__,
                     title="World Models: Take Cover learned inside the dream, across temperatures",
                     paper=PAPER, config=dict(cfg, frame=FRAME, taus=list(TAUS), p_fire=P_FIRE, flight=FLIGHT,
                                              hit=HIT, solved=solved(cap)),
                     metrics=metrics, headline=dg.headline_rows(metrics, cfg),
                     lyapunov=dg.lyapunov_block(lam, cfg))
    arrays = dg.artefacts(V, cell, M, best, init_z, rec, frames, steps, vae_curve, m_curve, curves, dream_c,
                          dream_r, real, lam, drift, cfg, rs["drift"])
    finish_run(args.out, rec_out, arrays, timer)


def solved(cap):
    """The paper's bar scaled to the cap: mean survival above cap x 750 / 2,100."""
    return cap * PAPER_SOLVED / PAPER_CAP


def build_parser():
    p = cli.make_parser(__doc__, __file__)
    ints = dict(data_episodes=(2, 2000, "random-policy episodes collected for V and M"),
                data_steps=(10, 2100, "step limit of a data episode"),
                **world_models.VM_FLAGS,
                pop=(4, 128, "CMA-ES population per temperature"),
                rollouts=(1, 64, "dream episodes per candidate per generation"),
                generations=(1, 10_000, "CMA-ES generations"),
                cap=(10, 2100, "step limit of an episode (dream and game)"),
                eval_episodes=(1, 1000, "test episodes per policy, in the dream and in the game"),
                lyap_seqs=(1, 100, "real games recorded per policy (Lyapunov spectrum, drift, GIF)"),
                lyap_steps=(4, 2100, "steps of each real [z, a] sequence used for the spectrum"),
                lyap_transient=(0, 1000, "alignment steps of the spectrum"))
    cli.int_flags(p, ints, DEFAULTS)
    p.add_argument("--kl-tolerance", type=cli.float_range(0.0, 10.0), default=DEFAULTS["kl_tolerance"],
                   help="floor of V's KL per frame, in nats per latent (the authors' code: 0.5)")
    p.add_argument("--done-weight", type=cli.float_range(0.1, 1000.0), default=DEFAULTS["done_weight"],
                   help="weight of the death steps in M's death loss (the authors' code: 10)")
    p.add_argument("--sigma0", type=cli.float_range(1e-4, 10.0), default=DEFAULTS["sigma0"],
                   help="initial CMA-ES step size")
    return p


if __name__ == "__main__":
    cli.run(main, build_parser(), gradcheck=gradcheck)
