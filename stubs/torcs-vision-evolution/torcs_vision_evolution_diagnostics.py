"""Tests of the evolved nets for torcs_vision_evolution.py (loaded on demand by its main): laps on
held-out tracks, one recorded lap (the images, hidden states and steering the figures and the GIF
show), and the Lyapunov fingerprint of the recurrent net along that lap."""
import numpy as np

from shared.lyapunov import qr_spectrum
from torcs_vision_evolution import camera, decode, drive, rnn_jacobian

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
    return dict(laps=float(laps[0]), W_in=nets[0][0], W_rec=nets[1][0], **out)


def fingerprint(recs):
    """Lyapunov spectra of the nets alone, driven by the images they saw along their lap:
    J_t = diag(1 - h_t^2) W_rec (shared.lyapunov.qr_spectrum), per step."""
    out = {}
    for name, rec in recs.items():
        J = rnn_jacobian(np.repeat(rec["W_rec"][None], len(rec["h"]), 0), rec["h"])
        out[name] = np.maximum(qr_spectrum(J, n_transient=min(ALIGN, len(J) // 2)), FLOOR)
    return out
