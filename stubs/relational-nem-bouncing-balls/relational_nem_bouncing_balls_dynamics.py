"""Dynamics, metrics, verdicts and gradient checks of relational-nem-bouncing-balls, loaded on demand
by relational_nem_bouncing_balls.py.

Lyapunov exponents, per frame, of two maps:

- the simulator, frame to frame, on the 4 n numbers (positions, velocities) of n hard disks: a
  billiard, whose collisions between round disks spread nearby trajectories apart (positive top
  exponent); its Jacobian is taken by central differences (the collision rule is piecewise smooth:
  exact within a piece, and a perturbation of 1e-7 rarely crosses a piece's border), checked in the
  tests against the exact Jacobian of a collision-free frame, and its top exponent cross-checked by
  a perturbed twin trajectory;
- each trained model's rollout map h^{t+1} = F(h^t) on its K x H slot states, from the state it
  reached after the observed frames of a test sequence (``shared.nem.relational.rollout_jacobian``,
  checked against finite differences in the tests).
"""
import numpy as np

from relational_nem_bouncing_balls import LAST, frame_map
from shared.gradcheck import check_gradients, numeric_jacobian
from shared.lyapunov import qr_spectrum
from shared.nem import relational as nem
from shared.results import headline_row

ALIGN = 10               # rollout frames that only align the QR frame
FD_EPS = 1e-7            # central-difference step of the simulator's Jacobian
LOG_FLOOR = -30.0        # a model exponent below this (a saturated direction) is recorded at the floor
PARTIAL_AMI = 0.5        # pre-registered: objects "are discovered" when the last-10-step AMI reaches this
BETTER = 0.02            # pre-registered: R-NEM "beats" RNN-EM when its BCE is lower by this fraction
NAMES = {"rnem": "R-NEM", "rnn": "RNN-EM"}


# ---------------------------------------------------------------- the simulator's spectrum

def sim_jacobian(state, mass):
    """d frame_map / d state by central differences: state (S, m), mass (S, n) -> (S, m, m)."""
    m = state.shape[-1]
    e = FD_EPS * np.eye(m)
    plus = frame_map(state[:, None, :] + e, mass[:, None, :])             # (S, m (column), m)
    minus = frame_map(state[:, None, :] - e, mass[:, None, :])
    return np.swapaxes((plus - minus) / (2 * FD_EPS), 1, 2)


def _sim_jacobians(state, mass, n):
    for _ in range(n):
        yield sim_jacobian(state, mass)
        state = frame_map(state, mass)


def twin_top_exponent(state, mass, n, rng, d0=1e-8):
    """Top exponent (S,) from a twin trajectory kept at distance d0 (renormalised every frame)."""
    d = rng.standard_normal(state.shape)
    twin = state + d0 * d / np.linalg.norm(d, axis=-1, keepdims=True)
    logs = np.zeros(state.shape[0])
    for _ in range(n):
        state, twin = frame_map(state, mass), frame_map(twin, mass)
        dist = np.linalg.norm(twin - state, axis=-1)
        logs += np.log(dist / d0)
        twin = state + (twin - state) * (d0 / dist)[:, None]
    return logs / n


# ---------------------------------------------------------------- the learned rollout's spectrum

def _model_jacobians(p, h, n):
    for _ in range(n):
        yield nem.rollout_jacobian(p, h)
        h = nem.rollout_step(p, h)[0]


def lyapunov(models, scores, test4, cfg, rng):
    """Leading exponents (S, k) of the simulator and of each trained model's rollout, on the first
    ``lyap_seqs`` 4-ball test sequences, from the state at the last observed frame on; the
    simulator's twin-trajectory top exponent (S,)."""
    S, L, k, T = cfg["lyap_seqs"], cfg["lyap_steps"], cfg["lyap_k"], cfg["steps"]
    state, mass = test4["states"][T, :S].astype(np.float64), test4["mass"][:S]
    full = qr_spectrum(_sim_jacobians(state, mass, L), n_transient=ALIGN)       # all 4 n exponents
    out = {"simulator": full[:, :k], "simulator_sum": full.sum(1),
           "simulator_twin": twin_top_exponent(state, mass, L - ALIGN, rng)}
    for cell, p in models.items():
        p64 = {name: v.astype(np.float64) for name, v in p.items()}
        h = scores[cell + "_4"]["h_last"][:S].astype(np.float64)
        spectrum = qr_spectrum(_model_jacobians(p64, h, L), k=k, n_transient=ALIGN)
        out[cell] = np.maximum(spectrum, LOG_FLOOR)
    return out


def lyapunov_block(lyap, cfg):
    return {"method": (f"qr_spectrum over {cfg['lyap_steps']} frames after {ALIGN} alignment frames "
                       f"(counted: {cfg['lyap_steps'] - ALIGN}), on {cfg['lyap_seqs']} 4-ball test "
                       f"sequences from the last observed frame; 'simulator': the frame-to-frame map of "
                       f"the hard-disk simulator on 16 positions and velocities, Jacobian by central "
                       f"differences (step {FD_EPS:g}); 'rnem', 'rnn': the trained models' rollout maps "
                       f"h <- F(h) on K x hidden slot states (hand-written Jacobian); top "
                       f"{cfg['lyap_k']} exponents per frame (the models' floored at {LOG_FLOOR:g}), "
                       f"averaged over the sequences"),
            "exponents": {name: lyap[name].mean(0).tolist() for name in ("simulator", "rnem", "rnn")}}


# ---------------------------------------------------------------- metrics, arrays, verdicts

def _last(a):
    return float(np.mean(a[-LAST:]))


def density_bce(test, cfg):
    """Reference: the BCE of predicting every pixel of the last LAST frames at the test set's mean
    pixel density (knows how much is on, not where)."""
    x = test["x"][max(1, cfg["steps"] - LAST + 1):cfg["steps"] + 1]
    q = float(x.mean())
    return float(np.mean(-np.sum(x * np.log(q) + (1 - x) * np.log(1 - q), axis=-1)))


def summarise(cfg, runs, scores, lyap, tests):
    """Every number the README and the figures quote."""
    M = {"train_seqs": int(runs["rnem"]["seqs"]), "timing": {},
         "density_4_bce_last10": density_bce(tests["4"], cfg),
         "density_678_bce_last10": density_bce(tests["678"], cfg)}
    for cell in ("rnem", "rnn"):
        for test in ("4", "678"):
            s = scores[f"{cell}_{test}"]
            M[f"{cell}_{test}_bce_last10"] = _last(s["bce"])
            M[f"{cell}_{test}_ami_last10"] = _last(s["ami"])
            M[f"{cell}_{test}_bce_per_step"] = s["bce"].tolist()
            M[f"{cell}_{test}_ami_per_step"] = s["ami"].tolist()
            M[f"{cell}_{test}_rollout_bce"] = s["rollout_bce"].tolist()
            M[f"{cell}_{test}_share_seqs_ami_above_0.8"] = float(np.mean(s["ami_last_per_seq"] > 0.8))
        u = scores[cell + "_untrained"]
        M[f"{cell}_untrained_4_bce_last10"] = _last(u["bce"])
        M[f"{cell}_untrained_4_ami_last10"] = _last(u["ami"])
        M[f"{cell}_train_loss_last_20_batches"] = float(np.mean(runs[cell]["loss"][-20:]))
        M[f"{cell}_lyapunov_top"] = float(lyap[cell][:, 0].mean())
        M["timing"][f"{cell}_train_cpu_s"] = runs[cell]["cpu_s"]
    M["simulator_lyapunov_top"] = float(lyap["simulator"][:, 0].mean())
    M["simulator_lyapunov_top_twin"] = float(lyap["simulator_twin"].mean())
    # free flight and elastic kicks preserve phase-space volume: the full spectrum sums to ~0
    M["simulator_lyapunov_sum_all"] = float(lyap["simulator_sum"].mean())
    return M


def arrays(runs, scores, test4, test678, lyap):
    """What the figures and the GIF read (frames as uint8, slot indices as uint8)."""
    out = {"lyap_simulator": lyap["simulator"], "lyap_rnem": lyap["rnem"], "lyap_rnn": lyap["rnn"],
           "lyap_simulator_twin": lyap["simulator_twin"]}
    for cell in ("rnem", "rnn"):
        out[f"{cell}_loss"], out[f"{cell}_curve"] = runs[cell]["loss"], runs[cell]["curve"]
        for test in ("4", "678"):
            s = scores[f"{cell}_{test}"]
            for k, v in s["examples"].items():
                out[f"{cell}_{test}_{k}"] = v
            out[f"{cell}_{test}_ami_last_per_seq"] = s["ami_last_per_seq"]
    for name, t in (("4", test4), ("678", test678)):
        m = scores["rnem_" + name]["examples"]["slot"].shape[1]
        out[f"x_{name}"] = (t["x"][:, :m] * 255).astype(np.uint8)
        out[f"labels_{name}"] = t["labels"][:, :m]
        out[f"x_in_{name}"] = (t["x_in"][:, :m] * 255).astype(np.uint8)
    return out


def headline_rows(M, cfg):
    """Four rows; none can be `yes` (one seed, a smaller net than the paper's, mass values not read
    in the paper); a failure within this budget is `open` (the paper trains up to 500 epochs)."""
    budget = (f"{M['train_seqs']:,} training sequences per model (the authors' code: up to 500 epochs "
              f"of a training set whose size was not read); one seed")
    r4, n4, r8, n8 = (M[f"{c}_{t}_bce_last10"] for t in ("4", "678") for c in ("rnem", "rnn"))
    a4, b4, a8, b8 = (M[f"{c}_{t}_ami_last10"] for t in ("4", "678") for c in ("rnem", "rnn"))
    lam, lam_sim = M["rnem_lyapunov_top"], M["simulator_lyapunov_top"]
    v1 = "partial" if r4 <= (1 - BETTER) * n4 else "open"
    v2 = "partial" if a4 >= PARTIAL_AMI else "open"
    v3 = "partial" if (r8 <= (1 - BETTER) * n8 and a8 >= PARTIAL_AMI) else "open"
    v4 = "partial" if (lam > 0 and lam_sim > 0 and 1 / 3 <= lam / lam_sim <= 3) else "open"
    return [
        headline_row(f"Next-frame BCE, 4 balls, K = {cfg['K']}, last {LAST} steps: R-NEM / RNN-EM",
                     f"{r4:.2f} / {n4:.2f}", "R-NEM lower than RNN-EM (qualitative; figure values not read)",
                     v1,
                     f"partial when R-NEM is lower by {BETTER:.0%} (pre-registered); BCE summed over the "
                     f"pixels of the prediction max_k psi_k; untrained R-NEM "
                     f"{M['rnem_untrained_4_bce_last10']:.2f}, constant pixel density "
                     f"{M['density_4_bce_last10']:.2f}; {budget}", numbers=[{"value": r4}, {"value": n4}]),
        headline_row(f"AMI of the grouping, 4 balls, K = {cfg['K']}, last {LAST} steps: R-NEM / RNN-EM",
                     f"{a4:.3f} / {b4:.3f}", "objects discovered without supervision (qualitative)", v2,
                     f"partial when R-NEM reaches {PARTIAL_AMI} (pre-registered); untrained "
                     f"{M['rnem_untrained_4_ami_last10']:.3f}; {budget}",
                     numbers=[{"value": a4}, {"value": b4}]),
        headline_row(f"Extrapolation to 6-8 balls with K = {cfg['K_test']}: BCE R-NEM / RNN-EM; "
                     f"AMI R-NEM / RNN-EM",
                     f"{r8:.2f} / {n8:.2f}; {a8:.3f} / {b8:.3f}",
                     "R-NEM extrapolates to 6-8 balls, better than RNN-EM (qualitative)", v3,
                     f"partial when R-NEM's BCE is lower by {BETTER:.0%} and its AMI reaches {PARTIAL_AMI} "
                     f"(pre-registered); the same weights as trained on 4 balls; {budget}",
                     numbers=[{"value": r8}, {"value": n8}, {"value": a8}, {"value": b8}]),
        headline_row("Top Lyapunov exponent per frame: R-NEM rollout / RNN-EM rollout / simulator",
                     f"{lam:.3f} / {M['rnn_lyapunov_top']:.3f} / {lam_sim:.3f}",
                     "not in the paper (this catalog's hypothesis: a model that captures collisions is "
                     "chaotic like the billiard)", v4,
                     f"partial when R-NEM's top exponent is positive and within a factor 3 of the "
                     f"simulator's (pre-registered); simulator's by a twin trajectory "
                     f"{M['simulator_lyapunov_top_twin']:.3f}; {budget}",
                     numbers=[{"value": lam}, {"value": M["rnn_lyapunov_top"]}, {"value": lam_sim}]),
    ]


# ---------------------------------------------------------------- gradient checks

KINK_MARGIN = 0.02       # every relu input of a checked problem keeps at least this distance from 0
SCALE = 1.0              # weights at Glorot scale: larger ones saturate tanh, gradients then sink to roundoff


def _kink_distance(p, cache):
    """Smallest |input| of any relu along the forward pass (0 if the cell has none)."""
    if "We" not in p:
        return np.inf
    d = [np.abs(h @ p["We"] + p["be"]).min() for h in cache["h"][:-1]]
    d += [min(np.abs(c["ic"]["pre_c"]).min(), np.abs(c["ic"]["pre_f"]).min()) for c in cache["cells"]]
    return float(min(d))


def small_problem(seed, cell, D=12, H=5, K=3, T=4, B=2, layer_norm=True):
    """A float64 model small enough for central differences, weights and biases large enough that
    every path carries a gradient; redrawn until no relu input lies within KINK_MARGIN of its kink
    (a central difference across a kink measures neither one-sided derivative)."""
    rng = np.random.default_rng(seed)
    while True:
        p = nem.init_params(rng, D, H, cell, E=4, C=4, F=3, A=3, layer_norm=layer_norm, dtype=np.float64)
        p = {k: v * SCALE + rng.normal(0, 0.2, v.shape) for k, v in p.items()}
        x = (rng.random((T + 1, B, D)) < 0.4).astype(np.float64)
        x_in = np.where(rng.random((T, B, D)) < 0.2, 1.0 - x[:T], x[:T])
        g0 = rng.random((B, K, D))
        g0 /= g0.sum(1, keepdims=True)
        if _kink_distance(p, nem.forward(p, x_in, x[1:], g0)[1]) >= KINK_MARGIN:
            return p, x_in, x[1:], g0


def gradcheck(seed):
    """name -> largest relative error: both cells' gamma-stopped gradient against central
    differences (Richardson, eps 1e-4) of the loss with gamma held at the values the E-steps gave;
    the rollout Jacobian against central differences of the rollout step (largest error over the
    largest entry)."""
    errs = {}
    for cell in nem.CELLS:
        p, x_in, x_next, g0 = small_problem(seed, cell)
        _, g, cache = nem.loss_and_grads(p, x_in, x_next, g0)
        fixed = cache["gamma"].copy()
        def loss(p=p, x_in=x_in, x_next=x_next, g0=g0, fixed=fixed):
            return nem.forward(p, x_in, x_next, g0, gamma_given=fixed)[0]
        e = check_gradients(loss, p, g, eps=1e-3, richardson=True)
        errs.update({f"{cell}.{k}": v for k, v in e.items()})
        h = np.random.default_rng(seed + 1).random((2, 3, 5))
        J = nem.rollout_jacobian(p, h)
        Jn = numeric_jacobian(lambda v, p=p: nem.rollout_step(p, v.reshape(2, 3, 5))[0].reshape(2, -1),
                              h.reshape(2, -1), eps=1e-5)
        # normwise: entries that vanish (dead relu paths) make an elementwise ratio meaningless
        errs[f"{cell}.rollout_jacobian"] = float(np.abs(J - Jn).max() / max(1e-12, np.abs(J).max()))
    return errs
