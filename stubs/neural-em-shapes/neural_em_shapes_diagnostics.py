"""Diagnostics of neural-em-shapes, loaded on demand by neural_em_shapes.py: the Lyapunov spectrum
of the trained EM iteration, the metrics and saved arrays, and the gradient checks.

The EM iteration as a map. From the second EM step on, a slot's pixel means psi_k and the
responsibilities gamma are functions of the slot states h = (h_1, ..., h_K), so one EM step is a
map h^t = F(h^{t-1}; x_noisy^t, x) on K x H numbers (``shared.nem.rnn_em.em_map``, Jacobian
``em_map_jacobian``). For a few fixed test images the leading exponents come from
``shared.lyapunov.qr_spectrum`` twice: over the trained horizon (steps 2..T: how strongly the
trained loop contracts or spreads slot states while it groups) and past it (steps T+1..L, the
frame aligned over the trained steps, fresh bit-flip noise at every step as in training: whether
the grouping the loop reaches is a stable fixed point of EM or drifts on).
"""
import numpy as np

from neural_em_shapes import PAPER_EPOCHS, PAPER_TRAIN, bitflip
from shared.gradcheck import check_gradients, rel_error
from shared.lyapunov import qr_spectrum
from shared.nem import rnn_em

LOG_FLOOR = -30.0     # an exponent below this (a saturated direction) is recorded at the floor
N_EXAMPLES = 8        # test images whose every EM step is saved for the figures and the GIF


# ---------------------------------------------------------------- Lyapunov spectrum of the EM map

def _jacobians(p, h, x_in, x, t0, t1):
    """Yield dF/dh along the trajectory from h (state after step t0 - 1) for steps t0..t1 (1-based)."""
    for t in range(t0, t1 + 1):
        yield rnn_em.em_map_jacobian(p, h, x_in[t - 1], x)
        h = rnn_em.em_map(p, h, x_in[t - 1], x)


def _first_state(p, x_in, x, gamma0):
    """h^1: the first EM step is not the map (psi^0 and gamma^0 are the initial values)."""
    return rnn_em.forward(p, x_in[:1], x, gamma0, np.ones(1))[1]["h"][1]


def _collapse_jacobians(p, h, x_in, x, t1):
    """Along the slot-collapsed trajectory (every slot in the same state, the mean of h^1 over the
    slots), yield the Jacobian of the map restricted to slot differences, steps 2..t1. There
    J_kj = A delta_kj + C for all k, j (the slots are interchangeable), a difference between two
    slots grows with A = J_00 - J_01, and the collapsed set {h_1 = ... = h_K} is invariant."""
    H = h.shape[2]
    h = np.repeat(h.mean(axis=1, keepdims=True), h.shape[1], axis=1)
    for t in range(2, t1 + 1):
        J = rnn_em.em_map_jacobian(p, h, x_in[t - 1], x)
        yield J[:, :H, :H] - J[:, :H, H:2 * H]
        h = rnn_em.em_map(p, h, x_in[t - 1], x)


def lyapunov(params, params0, test, cfg, rng):
    """Leading exponents (n, k) per image over the trained horizon and past it, the untrained
    net's over the horizon (params0), and the slot-state trajectory's step sizes |h^t - h^{t-1}|
    (L - 1,) averaged over the images."""
    n, L, T, k = cfg["lyap_images"], cfg["lyap_steps"], cfg["steps"], cfg["lyap_k"]
    p, p0 = ({name: v.astype(np.float64) for name, v in q.items()} for q in (params, params0))
    x = test[0][:n].astype(np.float64)
    x_in = np.concatenate([test[2][:, :n], bitflip(rng, test[0][:n], L - T, cfg["flip"])]).astype(np.float64)
    gamma0 = test[3][:n].astype(np.float64)
    h1 = _first_state(p, x_in, x, gamma0)
    within = np.maximum(qr_spectrum(_jacobians(p, h1, x_in, x, 2, T), k=k), LOG_FLOOR)
    untrained = np.maximum(qr_spectrum(_jacobians(p0, _first_state(p0, x_in, x, gamma0), x_in, x, 2, T),
                                       k=k), LOG_FLOOR)
    beyond = np.maximum(qr_spectrum(_jacobians(p, h1, x_in, x, 2, L), k=k, n_transient=T - 1), LOG_FLOOR)
    # does EM pull apart slots that start in the same state? (top transverse exponent of the
    # collapsed set; positive: symmetry breaking, negative: slots that collapse stay collapsed)
    transverse = np.full((n, 1), np.nan)
    if cfg["K"] >= 2:
        tops = [qr_spectrum(_collapse_jacobians(q, _first_state(q, x_in, x, gamma0), x_in, x, T), k=1)[:, 0]
                for q in (p, p0)]
        transverse = np.stack(tops, axis=1)                     # (n, 2): trained, untrained
    h, moves = h1, []
    for t in range(2, L + 1):
        h_new = rnn_em.em_map(p, h, x_in[t - 1], x)
        moves.append(float(np.mean(np.linalg.norm((h_new - h).reshape(n, -1), axis=1))))
        h = h_new
    return {"within": within, "beyond": beyond, "untrained": untrained, "transverse": transverse,
            "moves": np.array(moves)}


def lyapunov_block(lyap, cfg):
    T, L = cfg["steps"], cfg["lyap_steps"]
    return {"method": (f"qr_spectrum of the EM step as a map on the K x hidden slot states "
                       f"(em_map_jacobian, float64), {cfg['lyap_images']} test images with the test "
                       f"run's noisy inputs, then fresh bit-flip noise past step {T}; 'trained_horizon': "
                       f"steps 2..{T}, no alignment steps; 'beyond_horizon': steps {T + 1}..{L} after "
                       f"{T - 1} alignment steps; 'untrained_horizon': the initial weights, steps 2..{T}; "
                       f"top {cfg['lyap_k']} exponents (nats per EM step), "
                       f"each image's floored at {LOG_FLOOR:g}, then averaged over images"),
            "exponents": {"rnn_em_trained_horizon": lyap["within"].mean(0).tolist(),
                          "rnn_em_beyond_horizon": lyap["beyond"].mean(0).tolist(),
                          "rnn_em_untrained_horizon": lyap["untrained"].mean(0).tolist()}}


# ---------------------------------------------------------------- metrics and arrays

def summarise(cfg, run, untrained, final, final_arith, lyap):
    """Every number the README and the figures quote."""
    loss, curve, per_image, _ = final
    cpu_per_image = run["cpu_s"] / max(1, run["images"])
    q = np.quantile(per_image, [0.1, 0.25, 0.5, 0.75, 0.9]) if per_image.size else np.zeros(5)
    return {
        "ami_last": float(curve[-1]), "ami_per_step": curve.tolist(),
        "ami_last_arithmetic": float(final_arith),
        "ami_last_quantiles_10_25_50_75_90": q.tolist(),
        "share_images_ami_above_0.9": float(np.mean(per_image > 0.9)) if per_image.size else 0.0,
        "untrained_ami_last": float(untrained[1][-1]), "untrained_ami_per_step": untrained[1].tolist(),
        "test_loss": float(loss), "untrained_test_loss": float(untrained[0]),
        "train_loss_last_20_batches": float(np.mean(run["loss"][-20:])),
        "learning_curve_ami": run["ami_curve"][:, 1].tolist(),
        "learning_curve_images": run["ami_curve"][:, 0].astype(int).tolist(),
        "train_images": int(run["images"]), "epochs_seen": run["images"] / PAPER_TRAIN,
        "n_test": int(len(per_image)),
        "lyapunov_top_trained_horizon": float(lyap["within"][:, 0].mean()),
        "lyapunov_top_beyond_horizon": float(lyap["beyond"][:, 0].mean()),
        "lyapunov_top_untrained_horizon": float(lyap["untrained"][:, 0].mean()),
        "slot_collapse_transverse_exponent_trained_untrained": (
            None if lyap["transverse"].shape[1] < 2 else lyap["transverse"].mean(0).tolist()),
        "slot_state_step_first_last": [float(lyap["moves"][0]), float(lyap["moves"][-1])],
        "timing": {"train_cpu_s": run["cpu_s"], "cpu_s_per_image": cpu_per_image,
                   "paper_budget_cpu_h": cpu_per_image * PAPER_EPOCHS * PAPER_TRAIN / 3600.0},
    }


def _u8(a):
    return np.round(np.clip(a, 0.0, 1.0) * 255).astype(np.uint8)


def arrays(run, untrained, final, test, lyap):
    """What the figures and the GIF read: curves, AMI per step and per image, and every EM step of
    the first N_EXAMPLES test images (gamma and psi as uint8, 255 = 1)."""
    c = final[3]
    m = min(N_EXAMPLES, c["gamma"].shape[1])
    return {"train_loss": run["loss"], "ami_curve": run["ami_curve"],
            "ami_per_step": final[1], "untrained_ami_per_step": untrained[1], "ami_last_per_image": final[2],
            "ex_x": test[0][:m].astype(np.uint8), "ex_groups": test[1][:m], "ex_x_in": _u8(test[2][:, :m]),
            "ex_gamma": _u8(c["gamma"][:, :m]), "ex_psi": _u8(c["psi"][:, :m]),
            "ex_gamma_untrained": _u8(untrained[3]["gamma"][:, :m]),
            "lyap_within": lyap["within"], "lyap_beyond": lyap["beyond"], "lyap_untrained": lyap["untrained"],
            "lyap_transverse": lyap["transverse"],
            "lyap_moves": lyap["moves"]}


# ---------------------------------------------------------------- gradient checks

def small_problem(seed, D=12, H=5, K=3, T=4, B=2):
    """A float64 RNN-EM small enough for central differences, biases and weights large enough that
    every path carries a gradient."""
    rng = np.random.default_rng(seed)
    p = rnn_em.init_params(rng, D, H, np.float64)
    p = {k: v * 2.0 + (rng.normal(0, 0.3, v.shape) if k in ("b", "bo") else 0.0) for k, v in p.items()}
    x = (rng.random((B, D)) < 0.4).astype(np.float64)
    x_in = bitflip(rng, x, T, 0.2)
    gamma0 = rnn_em.random_gamma(rng, B, K, D, np.float64)
    return p, x_in, x, gamma0


def gradcheck(seed):
    """name -> largest relative error: central differences (Richardson, eps 1e-4) of every
    parameter tensor with the gradient through gamma, loss on the last step or on all steps; and
    the gamma-stopped gradient against the plain slot-by-slot implementation."""
    p, x_in, x, gamma0 = small_problem(seed)
    T = x_in.shape[0]
    errs = {}
    for which in ("last", "all"):
        w = rnn_em.loss_weights(T, which)
        _, g, _ = rnn_em.loss_and_grads(p, x_in, x, gamma0, w, gamma_grad=True)
        e = check_gradients(lambda w=w: rnn_em.forward(p, x_in, x, gamma0, w)[0], p, g, eps=1e-4,
                            richardson=True)
        errs.update({f"{which}.{k}": v for k, v in e.items()})
        _, gs, _ = rnn_em.loss_and_grads(p, x_in, x, gamma0, w, gamma_grad=False)
        _, cache = rnn_em.forward_plain(p, x_in, x, gamma0, w)
        gp = rnn_em.backward_plain(p, x_in, x, cache, w, gamma_grad=False)
        errs.update({f"stopgrad_vs_plain.{which}.{k}": rel_error(gs[k], gp[k]) for k in p})
    return errs
