"""A numpy mini lunar lander: LunarLander-v2's task without Box2D, vectorised over a batch of landers.

Box2D cannot ship here, so this file rebuilds the parts of LunarLander-v2 that make the task: a 2-D
rigid body (position, velocity, angle, angular velocity) under gravity, a main engine that pushes
along the body's axis, two side engines that turn it (and push it a little sideways), two sprung
legs that touch the flat ground, a landing pad at x in [-PAD, PAD], and the same 8-d observation
and reward shaping as the gym environment:

    obs = (x, y - Y_REST, vx, vy, theta, omega / 2, left leg touches, right leg touches)
    shaping = -100 |(x, y - Y_REST)| - 100 |(vx, vy)| - 100 |theta| + 10 legL + 10 legR
    r_t = shaping_t - shaping_{t-1} - 0.3 [main fired] - 0.03 [side fired]
          - 100 on a crash (a body corner hits the ground, a leg touches down faster than V_CRASH,
                 or the lander leaves the box)
          + 100 when it comes to rest (both legs down, speed < 0.05, |omega| < 0.1)

Actions as in LunarLander-v2: 0 nothing, 1 left side engine, 2 main engine, 3 right side engine.
An episode ends on a crash, on rest, or after ``t_max`` steps. The sparse variant pays nothing
until the episode ends and then the whole episode's dense return in its last step, so every
episode has exactly the same return in both variants (the paper's LunarLanderSparse, as described
in the experiments paper's section on sparse delayed rewards).

Units: lengths in "screens" (the box is x in [-1, 1], y in [0, 2]), time in seconds, one step is
DT = 0.05 s (two physics sub-steps of semi-implicit Euler). Legs are spring-dampers against the
ground with viscous friction; a touchdown faster than V_CRASH breaks a leg (a crash), a soft one
settles. The main engine has a small random sideways dispersion, as in gym.

State arrays are (..., 6) = (x, y, vx, vy, theta, omega) with any leading batch shape.
"""
import numpy as np

DT, SUBSTEPS = 0.05, 3
G = 1.0                        # gravity, screens / s^2
MAIN_ACC = 2.2                 # main-engine acceleration along the body axis (can hover: > G)
SIDE_ACC = 0.3                 # sideways push of a side engine
SIDE_ALPHA = 3.0               # angular acceleration of a side engine, rad / s^2
DISPERSION = 0.15              # sd of the main engine's random sideways acceleration
LEG_X, LEG_Y = 0.08, 0.10      # leg tips in the body frame: (-LEG_X, -LEG_Y) and (+LEG_X, -LEG_Y)
BODY_HW, BODY_HH = 0.07, 0.05  # half width and half height of the body box
I_RATIO = 0.006                # moment of inertia / mass (the box plus its legs)
K_LEG, C_LEG, MU = 300.0, 24.0, 4.0   # leg spring, leg damping (about critical), ground friction
V_CRASH = 0.6                  # a leg touching down faster than this breaks: a crash
Y_REST = LEG_Y                 # centre height when both legs stand on the ground
PAD = 0.2                      # the pad is x in [-PAD, PAD]
BOX_X, BOX_Y = 1.0, 2.0        # leaving |x| < BOX_X or y < BOX_Y is a crash
N_OBS, N_ACT = 8, 4


def reset(rng, shape):
    """Initial states (*shape, 6): high above the ground, a random offset and push, as in gym."""
    z = np.zeros(shape + (6,))
    z[..., 0] = rng.uniform(-0.3, 0.3, shape)
    z[..., 1] = 1.0
    z[..., 2] = rng.uniform(-0.3, 0.3, shape)
    z[..., 3] = rng.uniform(-0.3, 0.0, shape)
    z[..., 4] = rng.uniform(-0.05, 0.05, shape)
    return z


def _legs(z):
    """Leg-tip offsets from the centre (rx, ry), each (..., 2) for (left, right), and tip heights."""
    s, c = np.sin(z[..., 4:5]), np.cos(z[..., 4:5])
    bx = np.array([-LEG_X, LEG_X])
    rx = bx * c + LEG_Y * s
    ry = bx * s - LEG_Y * c
    return rx, ry, z[..., 1:2] + ry


def _substep(z, main, side, noise, h):
    """One semi-implicit Euler sub-step of length h. main (...,) in {0, 1}, side (...,) in {-1, 0, 1}.
    Returns the new states and (...,) True where a leg hit the ground faster than V_CRASH."""
    x, y, vx, vy, th, om = np.moveaxis(z, -1, 0)
    s, c = np.sin(th), np.cos(th)
    # engines: main along the body axis (-sin, cos); side engines push along the body's x axis
    ax = main * (MAIN_ACC * -s + noise * c) - side * SIDE_ACC * c
    ay = main * (MAIN_ACC * c + noise * s) - side * SIDE_ACC * s - G
    al = side * SIDE_ALPHA
    # legs: spring-damper against the ground at each penetrating tip, viscous friction along it
    rx, ry, tip_y = _legs(z)
    pen = np.maximum(-tip_y, 0.0)
    on = pen > 0
    tvx = vx[..., None] - om[..., None] * ry
    tvy = vy[..., None] + om[..., None] * rx
    fy = np.where(on, np.maximum(K_LEG * pen - C_LEG * tvy, 0.0), 0.0)
    fx = np.where(on, np.clip(-MU * tvx, -fy, fy), 0.0)          # friction never exceeds the normal force
    ax = ax + fx.sum(-1)
    ay = ay + fy.sum(-1)
    al = al + ((rx * fy - ry * fx).sum(-1)) / I_RATIO
    hard = (on & (tvy < -V_CRASH)).any(-1)
    vx, vy, om = vx + h * ax, vy + h * ay, om + h * al
    return np.stack([x + h * vx, y + h * vy, vx, vy, th + h * om, om], -1), hard


def observe(z):
    """The 8-d observation (..., 8) of states z (..., 6)."""
    legs = (_legs(z)[2] <= 1e-3).astype(float)
    return np.concatenate([z[..., 0:1], z[..., 1:2] - Y_REST, z[..., 2:4], z[..., 4:5],
                           z[..., 5:6] / 2.0, legs], -1)


def shaping(obs):
    """gym's potential: closer, slower, level and standing is better. obs (..., 8) -> (...,)."""
    return (-100 * np.hypot(obs[..., 0], obs[..., 1]) - 100 * np.hypot(obs[..., 2], obs[..., 3])
            - 100 * np.abs(obs[..., 4]) + 10 * obs[..., 6] + 10 * obs[..., 7])


def crashed(z):
    """(...,) True where a body corner is below the ground or the lander left the box."""
    s, c = np.sin(z[..., 4:5]), np.cos(z[..., 4:5])
    cx = np.array([-BODY_HW, BODY_HW, -BODY_HW, BODY_HW])
    cy = np.array([-BODY_HH, -BODY_HH, BODY_HH, BODY_HH])
    low = (z[..., 1:2] + cx * s + cy * c).min(-1)
    return (low < 0) | (np.abs(z[..., 0]) >= BOX_X) | (z[..., 1] >= BOX_Y)


def at_rest(z, obs):
    """(...,) True where both legs stand and the lander has (almost) stopped."""
    return ((obs[..., 6] > 0) & (obs[..., 7] > 0) & (np.hypot(z[..., 2], z[..., 3]) < 0.05)
            & (np.abs(z[..., 5]) < 0.1))


def step(z, action, rng):
    """Advance every lander one step. z (..., 6), action (...,) ints in 0..3.

    Returns z', obs' (..., 8), the dense reward (...,), done (...,) and outcome (...,) in
    {0 running, 1 crash, 2 rest}; the caller decides which landers are still live."""
    main = (action == 2).astype(float)
    side = (action == 3).astype(float) - (action == 1).astype(float)
    noise = main * rng.normal(0.0, DISPERSION, main.shape)
    prev = shaping(observe(z))
    broke = np.zeros(main.shape, bool)
    for _ in range(SUBSTEPS):
        z, hard = _substep(z, main, side, noise, DT / SUBSTEPS)
        broke |= hard
    obs = observe(z)
    reward = shaping(obs) - prev - 0.3 * main - 0.03 * np.abs(side)
    crash, rest = crashed(z) | broke, at_rest(z, obs)
    rest &= ~crash
    reward = reward - 100.0 * crash + 100.0 * rest
    outcome = np.where(crash, 1, np.where(rest, 2, 0))
    return z, obs, reward, crash | rest, outcome


def landed_on_pad(z, outcome):
    """(...,) True where the episode ended at rest with the centre over the pad."""
    return (outcome == 2) & (np.abs(z[..., 0]) <= PAD)


def scripted_pilot(obs):
    """A hand-written reference pilot (..., 8) -> actions (...,): lean towards the pad, hold the
    lean with the side engines, and fire the main engine whenever falling faster than a speed
    that shrinks with height. It sets the level a good policy reaches on this lander."""
    x, y, vx, vy, th, om = (obs[..., i] for i in range(6))
    lean = np.clip(0.5 * x + 1.0 * vx, -0.4, 0.4)
    turn = 3.0 * (lean - th) - 2.0 * om
    a = np.where(turn > 0.3, 3, np.where(turn < -0.3, 1, 0))
    return np.where(vy < -0.3 - 0.5 * y, 2, a)
