"""The double pole on a cart: Wieland's (1991) equations, as in the benchmark's reference physics.

State s = (x, x', th1, th1', th2, th2'): cart position (m) and velocity, the angles (rad, 0 =
upright) and angular velocities of the long and the short pole, both hinged on the cart. With
G = -9.8, cart mass M, pole masses m_i, half-lengths l_i and pivot friction mu_p:

    F_i~  = m_i l_i th_i'^2 sin th_i + 3/4 m_i cos th_i (mu_p th_i' / (m_i l_i) + G sin th_i)
    m_i~  = m_i (1 - 3/4 cos^2 th_i)
    x''   = (F + F_1~ + F_2~) / (M + m_1~ + m_2~)
    th_i''= -3/(4 l_i) (x'' cos th_i + G sin th_i + mu_p th_i' / (m_i l_i))

integrated by classical RK4 with TAU = 0.01 s, two RK4 steps per control decision (so one
network step is 0.02 s). The cart-track friction mu_c appears among the reference code's
constants but not in its equations; it is left out here too. Failure: |x| > 2.4 m or either
|th_i| > 36 degrees.

Every function takes a trailing batch axis: s is (6, B) (or (6,)); F is (B,) (or scalar). The
arithmetic is analytic (no abs, no branches), so complex states give exact complex-step
derivatives for the Lyapunov Jacobians.
"""
import math

import numpy as np

G = -9.8
M_CART = 1.0
M1, M2 = 0.1, 0.01           # pole masses, kg
L1, L2 = 0.5, 0.05           # HALF lengths, m (poles of 1 m and 0.1 m)
MU_P = 2e-6                  # pivot friction
FORCE_MAG = 10.0             # N; the network's output o in [0, 1] gives F = 2 (o - 0.5) FORCE_MAG
TAU = 0.01                   # s per RK4 step
SUBSTEPS = 2                 # RK4 steps per control decision
TRACK = 2.4                  # m, failure beyond +-TRACK
FAIL_ANGLE = 0.628329        # rad, 36 degrees, as the reference code writes it
START_TH1 = 0.07             # rad (4.01 deg): the reference code's start tilt of the long pole


def derivs(s, F):
    """ds/dt for states s (6, ...) under force F (...): returns (6, ...)."""
    x, xd, t1, t1d, t2, t2d = s
    c1, s1, c2, s2 = np.cos(t1), np.sin(t1), np.cos(t2), np.sin(t2)
    ml1, ml2 = L1 * M1, L2 * M2
    fr1, fr2 = MU_P * t1d / ml1, MU_P * t2d / ml2
    Fi1 = ml1 * t1d * t1d * s1 + 0.75 * M1 * c1 * (fr1 + G * s1)
    Fi2 = ml2 * t2d * t2d * s2 + 0.75 * M2 * c2 * (fr2 + G * s2)
    mi1 = M1 * (1.0 - 0.75 * c1 * c1)
    mi2 = M2 * (1.0 - 0.75 * c2 * c2)
    xdd = (F + Fi1 + Fi2) / (mi1 + mi2 + M_CART)
    t1dd = -0.75 * (xdd * c1 + G * s1 + fr1) / L1
    t2dd = -0.75 * (xdd * c2 + G * s2 + fr2) / L2
    return np.stack([xd, xdd, t1d, t1dd, t2d, t2dd])


def rk4(s, F, h=TAU):
    """One classical RK4 step of length h."""
    k1 = derivs(s, F)
    k2 = derivs(s + 0.5 * h * k1, F)
    k3 = derivs(s + 0.5 * h * k2, F)
    k4 = derivs(s + h * k3, F)
    return s + (h / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4)


def step(s, F):
    """One control decision: SUBSTEPS RK4 steps with the force held. s (6, B), F (B,)."""
    for _ in range(SUBSTEPS):
        s = rk4(s, F)
    return s


def force(o):
    """Network output o in [0, 1] -> force in [-FORCE_MAG, FORCE_MAG]."""
    return (o - 0.5) * 2.0 * FORCE_MAG


def failed(s):
    """(B,) bool: cart off the track or a pole past 36 degrees."""
    return (np.abs(s[0]) > TRACK) | (np.abs(s[2]) > FAIL_ANGLE) | (np.abs(s[4]) > FAIL_ANGLE)


def observe(s):
    """What the controller sees (velocities hidden): (B, 3) = x / 4.8, th1 / 0.52, th2 / 0.52,
    the reference code's scaling."""
    return np.stack([s[0] / 4.8, s[2] / 0.52, s[4] / 0.52], axis=-1)


def jiggle(s):
    """Gruau's per-step damping term |x| + |x'| + |th1| + |th1'|: (B,)."""
    return np.abs(s[0]) + np.abs(s[1]) + np.abs(s[2]) + np.abs(s[3])


def damping_fitness(t, jiggle_sum):
    """Gruau et al.'s fitness F = 0.1 f1 + 0.9 f2 with f1 = t / 1000 and
    f2 = 0.75 / (sum of the jiggle over the last 100 balanced steps) when t > 100, else 0.
    t: steps balanced (B,), jiggle_sum (B,)."""
    t = np.asarray(t, dtype=np.float64)
    f2 = np.where(t > 100, 0.75 / np.maximum(jiggle_sum, 1e-300), 0.0)
    return 0.1 * t / 1000.0 + 0.9 * f2


def start_state(n=1):
    """The standard start: long pole at START_TH1, everything else zero. (6, n)."""
    s = np.zeros((6, n))
    s[2] = START_TH1
    return s


def generalisation_starts():
    """The 625 starts of the generalisation test: x, x', th1, th1' each on 5 levels
    (0.05, 0.25, 0.5, 0.75, 0.95 of their ranges: x in +-2.16 m, x' in +-1.35 m/s, th1 in
    +-3.6 deg, th1' in +-8.6 deg/s), the short pole upright and still. (6, 625), x slowest."""
    lv = np.array([0.05, 0.25, 0.5, 0.75, 0.95])
    x, xd, t1, t1d = np.meshgrid(lv * 4.32 - 2.16, lv * 2.70 - 1.35, lv * 0.12566304 - 0.06283152,
                                 lv * 0.30019504 - 0.15009752, indexing="ij")
    s = np.zeros((6, 625))
    s[0], s[1], s[2], s[3] = x.ravel(), xd.ravel(), t1.ravel(), t1d.ravel()
    return s


def step_reference(state, F):
    """The plain one-cart version of ``step``: Python floats, the equations written out, for the
    test that the batched step agrees. state: list of 6 floats."""
    def d(st):
        x, xd, t1, t1d, t2, t2d = st
        out = []
        acc = F
        den = M_CART
        parts = []
        for th, thd, m, half in ((t1, t1d, M1, L1), (t2, t2d, M2, L2)):
            fr = MU_P * thd / (m * half)
            acc += m * half * thd * thd * math.sin(th) + 0.75 * m * math.cos(th) * (fr + G * math.sin(th))
            den += m * (1.0 - 0.75 * math.cos(th) ** 2)
            parts.append((th, fr, half))
        xdd = acc / den
        out = [xd, xdd]
        for (th, fr, half), thd in zip(parts, (t1d, t2d), strict=True):
            out += [thd, -0.75 * (xdd * math.cos(th) + G * math.sin(th) + fr) / half]
        return out
    s = list(state)
    for _ in range(SUBSTEPS):
        k1 = d(s)
        k2 = d([a + 0.5 * TAU * b for a, b in zip(s, k1, strict=True)])
        k3 = d([a + 0.5 * TAU * b for a, b in zip(s, k2, strict=True)])
        k4 = d([a + TAU * b for a, b in zip(s, k3, strict=True)])
        s = [a + TAU / 6.0 * (b + 2 * c + 2 * e + f) for a, b, c, e, f in zip(s, k1, k2, k3, k4, strict=True)]
    return s
