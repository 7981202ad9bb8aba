"""Tests of the evolved nets for torcs_vision_evolution.py (loaded on demand by its main): laps on
held-out tracks, one recorded lap (the images, hidden states and steering the figures and the GIF
show), the Lyapunov fingerprint of the recurrent net along that lap, and the control without
evolution (random genomes of each coding)."""
import numpy as np

from shared.lyapunov import qr_spectrum
from torcs_vision_evolution import CODINGS, camera, decode, drive, genome_size, raw_weights, rnn_jacobian

ALIGN = 10          # alignment steps before the exponents are counted
FLOOR = -50.0       # exponents below this (a saturated neuron: derivative ~0) are recorded as FLOOR


def laps_on(genomes, coding, r, cfg, tracks, maps):
    """Share of a lap each net (M, n) covers on each track: (M, n_tracks)."""
    nets = decode(genomes, coding, cfg["hidden"], r, cfg["k_in"])
    E, M = len(tracks), genomes.shape[0]
    ep = np.repeat(np.arange(M), E)
    return drive(tuple(v[ep] for v in nets), np.tile(np.arange(E), M), maps, tracks, camera(r)).reshape(M, E)


def lap_record(genome, coding, r, cfg, track, tmap):
    """One net on one track, every step recorded: laps, poses (T, 3), images (T, r*r), hidden
    states (T, H), steering (T,), and the net's W_in (H, r*r) and W_rec (H, H)."""
    nets = decode(genome[None], coding, cfg["hidden"], r, cfg["k_in"])
    laps, log = drive(nets, np.zeros(1, int), tmap[None], [track], camera(r), record=True)
    T = int(np.isfinite(np.array(log["u"])[:, 0]).sum())
    out = {k: np.array(v)[:T, 0] for k, v in log.items()}
    out["img"] = out["img"].astype(np.uint8)                  # binary images: (T, r*r)
    return dict(laps=float(laps[0]), W_in=nets[0][0], W_rec=nets[1][0], **out)


def fingerprint(recs):
    """Lyapunov spectra of the nets alone, driven by the images they saw along their lap:
    J_t = diag(1 - h_t^2) W_rec (shared.lyapunov.qr_spectrum), per step."""
    out = {}
    for name, rec in recs.items():
        J = rnn_jacobian(np.repeat(rec["W_rec"][None], len(rec["h"]), 0), rec["h"])
        out[name] = np.maximum(qr_spectrum(J, n_transient=min(ALIGN, len(J) // 2)), FLOOR)
    return out


def random_search(coding, r, cfg, tracks, maps, rng, n):
    """The control without evolution: n random genomes (the initial distribution of a run) on the
    given tracks. Returns the share that solve (a lap on every track) and the best fitness."""
    size = genome_size(coding, cfg["hidden"], r, cfg["k_in"])
    g = rng.uniform(-cfg["init_scale"], cfg["init_scale"], (n, size))
    laps = laps_on(g, coding, r, cfg, tracks, maps)
    return float((laps >= 1).all(1).mean()), float(laps.mean(1).max())


# ---------------------------------------------------------------- what the run records

def cell_metrics(res, gen, rand, cfg):
    """Per (coding, resolution): sizes, runs solved, evaluations, best fitness, held-out laps, and
    the random-genome control (share solving run 0's tracks, best fitness)."""
    H, K = cfg["hidden"], cfg["k_in"]
    return {f"{c}_{r}": dict(
        resolution=r, coding=c, raw_weights=raw_weights(H, r), genes=genome_size(c, H, r, K),
        solved=int((out["solved_at"] >= 0).sum()), evals_to_solve=out["solved_at"].tolist(),
        evals_used=out["evals"].tolist(), best_fitness=[t[-1][1] for t in out["trace"]],
        test_laps_completed=float((gen[c][r] >= 1).mean()), test_lap_share=float(gen[c][r].mean()),
        random_solved_share=rand[c][r][0], random_best_fitness=rand[c][r][1])
        for c in CODINGS for r, out in res[c].items()}


def saved_arrays(res, recs, lyap, track, test_tracks):
    """What the figures and the GIF read: the recorded laps, every run's fitness trace, the tracks."""
    arrays = {f"{k}_{c}": v for c in CODINGS for k, v in recs[c].items() if k != "laps"}
    arrays.update({f"trace_{c}_{r}_{i}": np.array(t) for c in CODINGS for r in res[c]
                   for i, t in enumerate(res[c][r]["trace"])})
    arrays.update({f"lyap_{c}": lyap[c] for c in CODINGS}, track_a=track[0], track_p=track[1],
                  test_a=np.array([t[0] for t in test_tracks]), test_p=np.array([t[1] for t in test_tracks]))
    return arrays


def frozen_metrics(out, r, cfg):
    """The control with W_in frozen at a random draw: only the 81 recurrent/output genes evolve."""
    return dict(resolution=r, genes=genome_size("frozen", cfg["hidden"], r, cfg["k_in"]),
                solved=int((out["solved_at"] >= 0).sum()), evals_to_solve=out["solved_at"].tolist(),
                best_fitness=[t[-1][1] for t in out["trace"]])


def top_weight_share(rec, k=10):
    """How much of each neuron's input feature along the recorded lap its k largest input weights
    carry: var(x_top . w_top) / var(x . w) over the lap's images, median over the neurons, and the
    median ratio of the largest |w| to the median |w|."""
    x = rec["img"].astype(float)
    x /= np.sqrt(x.shape[1])                                   # the net's input, image / r
    share, spread = [], []
    for w in rec["W_in"].astype(float):
        top = np.argsort(-np.abs(w))[:k]
        f, ft = x @ w, x[:, top] @ w[top]
        share.append(np.var(ft) / max(np.var(f), 1e-300))
        spread.append(np.abs(w).max() / np.median(np.abs(w)))
    return dict(k=k, feature_variance_share=float(np.median(share)), max_over_median=float(np.median(spread)))
