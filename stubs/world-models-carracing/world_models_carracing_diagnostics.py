"""Metrics, saved arrays and M's Lyapunov fingerprint for ``world_models_carracing.py`` (loaded on
demand by its ``diagnostics()``).

    lyapunov    M's LSTM state map [c, h] along the [z, a] sequences of C(z, h)'s test drives:
                Jacobians from the core (shared.lstm_gers state_jacobians), spectrum by
                shared.lyapunov.qr_spectrum
    summarise   every number the README quotes (scores per policy, the paired test, V and M losses,
                CMA-ES end points, parameter counts, the exponents)
    artefacts   what the figures and the GIF read
    report      the closing lines of the run's log; lyapunov_block: the record's ``lyapunov`` entry
"""
import numpy as np

from shared.lyapunov import qr_spectrum
from shared.stats import sign_flip_test
from shared.world_models import mdn_rnn, vae
from world_models_carracing import PAPER_ROWS, SOLVED, centre_line


def lyapunov(M, cell, rec, cfg):
    """Top exponents of M's state map [c, h] along the latent sequences of the first --lyap-seqs
    C(z, h) drives: (n_seqs, k), per step."""
    x = np.concatenate([rec["z"], rec["a"]], -1)[:, :cfg["lyap_seqs"]]      # (T, n, Z + 3)
    H = M["R"].shape[1]
    J = []
    for j in range(x.shape[1]):
        _, _, cache = mdn_rnn.run(cell, M, x[:, j:j + 1], mdn_rnn.zero_state(H, 1))
        J.append(mdn_rnn.state_jacobians(cell, M, cache))
    return qr_spectrum(np.stack(J, 1), k=min(6, 2 * H), n_transient=min(cfg["lyap_transient"], len(x) // 2))


def policy_stats(scores, shares):
    return {"mean": float(scores.mean()), "sd": float(scores.std()), "median": float(np.median(scores)),
            "min": float(scores.min()), "max": float(scores.max()),
            "solved_share": float((scores >= SOLVED).mean()),
            "laps_completed": float((shares == 1.0).mean()), "tiles": float(shares.mean())}


def summarise(cfg, vae_curve, m_curve, m_held, curves, scores, shares, lam, timing):
    diff = scores["zh"] - scores["z"]
    _, p = sign_flip_test(diff, rng=np.random.default_rng(0))
    Z, H = cfg["z_dim"], cfg["m_hidden"]
    tail = max(1, len(vae_curve) // 10)
    return {"eval": {k: policy_stats(scores[k], shares[k]) for k in scores},
            "paired": {"mean": float(diff.mean()), "p": p, "wins": int((diff > 0).sum()),
                       "losses": int((diff < 0).sum())},
            "vae_loss_end": float(vae_curve[-tail:].mean()),
            "m_nll_end": float(m_curve[-max(1, len(m_curve) // 10):].mean()),
            "m_nll_held_out": m_held,
            "cma_end": {k: float(v[-1]) for k, v in curves.items()},
            "controller_parameters": {"z": 3 * (Z + 1), "zh": 3 * (Z + H + 1), "paper_zh": 867},
            "lyapunov_mean": lam.mean(0).tolist(), "lyapunov_top_by_sequence": lam[:, 0].tolist(),
            "paper": {k: list(v) for k, v in PAPER_ROWS.items()}, "timing": timing}


def artefacts(V, rec, rec_z, shown, frames, scores, curves, vae_curve, m_curve, lam):
    """What the figures and the GIF need (uint8 frames: 0-255 gray)."""
    def gray(x):
        return np.round(255 * np.clip(x, 0, 1)).astype(np.uint8)
    f0 = rec["frame"][:, 0]
    flat = frames.reshape(-1, frames.shape[-1])
    roads = np.flatnonzero(flat.mean(1) > 0.1)            # data frames with road in view
    sample = flat[roads[np.linspace(0, len(roads) - 1, 8).astype(int)]] if len(roads) else flat[:8]
    return dict(centre=centre_line(shown), pos_zh=rec["pos"], alive_zh=rec["alive"], pos_z=rec_z["pos"],
                alive_z=rec_z["alive"], frames=gray(f0), recon=gray(vae.decode(V, vae.encode(V, f0)[0])),
                sample=gray(sample), sample_recon=gray(vae.decode(V, vae.encode(V, sample)[0])),
                scores_zh=scores["zh"], scores_z=scores["z"], scores_random=scores["random"],
                vae_curve=vae_curve, m_curve=m_curve, lyapunov=lam,
                **{f"cma_{k}": v for k, v in curves.items()})


def report(metrics, lam, cfg):
    for k, name in (("zh", "C(z, h)"), ("z", "C(z)"), ("random", "random")):
        e = metrics["eval"][k]
        print(f"  {name:8s} {e['mean']:7.1f} ± {e['sd']:5.1f} over {cfg['eval_tracks']} unseen tracks "
              f"(laps completed {e['laps_completed']:.0%})")
    print(f"  Lyapunov exponents of M along C(z, h)'s latent sequences (mean of {lam.shape[0]}): "
          f"{np.round(lam.mean(0), 4)}")


def lyapunov_block(lam, cfg):
    H = cfg["m_hidden"]
    return {"method": f"shared.lyapunov.qr_spectrum, per step: M's LSTM state [c, h] ({2 * H} dims) "
                      f"driven by the [z, a] sequences of C(z, h) on the first {lam.shape[0]} test tracks "
                      f"(up to {cfg['episode_steps']} steps, {cfg['lyap_transient']} alignment steps), "
                      f"Jacobians from shared.lstm_gers state_jacobians; mean over the sequences",
            "exponents": {"M (MDN-LSTM), driven by real latents": lam.mean(0).tolist()}}
