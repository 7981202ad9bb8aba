"""Diagnostics of timit-blstm-ctc (loaded by the main file on demand): test scores, accuracy by
position inside a phone, the CTC outputs (blank share, where the label spikes fall relative to the
phones), and the Lyapunov spectra of the forward and the backward LSTM of the framewise BLSTM and of
the CTC BLSTM, driven by test utterances; the record's metrics and arrays.

Lyapunov spectra: each direction's state is [s (C), y_c (C)] and its step Jacobian comes in closed
form from ``shared.blstm_ctc.blstm.state_jacobians`` (``shared.lstm_gers``); the top exponents are
the QR iteration of ``shared.lyapunov.qr_spectrum`` along the longest test utterances (cut to a
common length, the first frames only aligning the frame), in nats per 10 ms frame. 1/|lambda_1| is
the slowest forgetting time of the layer, set beside the span of one phone plus its coarticulation.
"""
import numpy as np
import timit_blstm_ctc as m

from shared.blstm_ctc import blstm, ctc
from shared.lyapunov import qr_spectrum

N_EXP = 10                 # exponents kept per direction
TRANSIENT = 20             # frames that only align the QR frame
POS_BINS = 5               # bins of the relative position inside a phone


def position_accuracy(logys, utts):
    """Frame accuracy in POS_BINS bins of the relative position inside the true phone (0 = its first
    frame, 1 = its last): where bidirectional context should help most is at a phone's start."""
    hit, tot = np.zeros(POS_BINS), np.zeros(POS_BINS)
    for ly, (_, f, _) in zip(logys, utts, strict=True):
        starts = np.r_[0, np.flatnonzero(np.diff(f)) + 1]
        ends = np.r_[starts[1:], len(f)]
        for a, b in zip(starts, ends, strict=True):
            rel = (np.arange(b - a) + 0.5) / (b - a)
            bins = np.minimum((rel * POS_BINS).astype(int), POS_BINS - 1)
            np.add.at(hit, bins, ly[a:b].argmax(-1) == f[a:b])
            np.add.at(tot, bins, 1)
    return hit / np.maximum(tot, 1)


def ctc_outputs(logys, utts):
    """The blank-dominated share of frames, and per label spike (first frame of a run of one
    non-blank argmax label) whether it lies inside a phone of the same label, its relative position
    inside that phone, and its offset in frames from the phone's start."""
    blank_frames, frames, inside, rel, offset = 0, 0, [], [], []
    for ly, (_, f, _) in zip(logys, utts, strict=True):
        blank = ly.shape[-1] - 1
        arg = ly.argmax(-1)
        blank_frames += int((arg == blank).sum())
        frames += len(arg)
        starts = np.r_[0, np.flatnonzero(np.diff(f)) + 1]
        ends = np.r_[starts[1:], len(f)]
        seg = np.repeat(np.arange(len(starts)), ends - starts)       # phone index of every frame
        for t in np.flatnonzero((arg != blank) & (np.r_[-1, arg[:-1]] != arg)):
            j = seg[t]
            inside.append(f[t] == arg[t])
            if f[t] == arg[t]:
                rel.append((t - starts[j] + 0.5) / (ends[j] - starts[j]))
                offset.append(t - starts[j])
    med = lambda v: float(np.median(v)) if v else None        # noqa: E731
    share = {"blank_frame_share": blank_frames / frames, "n_spikes": len(inside),
             "spike_in_own_phone": float(np.mean(inside)) if inside else 0.0,
             "spike_rel_position_median": med(rel), "spike_offset_median_frames": med(offset)}
    return share, np.array(rel), np.array(offset)


def lyapunov(net, utts, n_utts, params=None):
    """Top exponents (N_EXP,) per direction, averaged over the n_utts longest utterances driven
    together (cut to the shortest of them), and the per-utterance values (D, n_utts, N_EXP), for
    the trained weights or ``params``."""
    idx = np.argsort([-len(u[1]) for u in utts])[:n_utts]
    L = min(len(utts[i][1]) for i in idx)
    x = np.stack([utts[i][0][:L] for i in idx], axis=1).astype(np.float64)     # (L, n, 26)
    p = {k: v.astype(np.float64) for k, v in (params or net.p).items()}
    _, cache = blstm.forward(net.cell, p, x, np.full(len(idx), L))
    D, n = p["Wx"].shape[0], len(idx)
    n2 = 2 * net.cell.nc
    jac = (blstm.state_jacobians(net.cell, p, cache["lstm"], t, t + 1)[0].reshape(D * n, n2, n2)
           for t in range(L))
    lam = qr_spectrum(jac, k=N_EXP, n_transient=min(TRANSIENT, L // 2)).reshape(D, n, N_EXP)
    return lam.mean(axis=1), lam, L


def linear_accuracy(data, W):
    """Test frame accuracy of a ridge-regression classifier of the frames t-W..t+W (one-hot
    targets, ridge 1): how much of the task a linear read-out of local context solves."""
    def design(utts):
        x, lengths, *_ = m.pad_batch(utts, np.float64)
        xw = m.windows(x, lengths, W)
        rows = [xw[:n, j] for j, n in enumerate(lengths)]
        return np.concatenate(rows), np.concatenate([u[1] for u in utts])
    A, y = design(data["train"])
    A = np.c_[A, np.ones(len(A))]
    B = A.T @ np.eye(m.K)[y]
    Wt = np.linalg.solve(A.T @ A + np.eye(A.shape[1]), B)
    At, yt = design(data["test"])
    return float(((np.c_[At, np.ones(len(At))] @ Wt).argmax(1) == yt).mean())


def viterbi_phones(logpost, log_prior, penalty, prior_scale):
    """Phone-loop Viterbi over framewise posteriors, the decoding of a hybrid recogniser: frame
    scores log p(k|x_t) - prior_scale log p(k) (scaled likelihoods), staying in a phone is free,
    entering a new one costs ``penalty``; the best state path, collapsed into phones."""
    sc = logpost - prior_scale * log_prior                   # (T, K)
    T, K = sc.shape
    score, back = sc[0].copy(), np.zeros((T, K), int)
    idx = np.arange(K)
    for t in range(1, T):
        j1, j2 = np.argsort(-score)[:2]                      # best and second-best predecessor
        src = np.where(idx == j1, j2, j1)                    # the best other phone to come from
        switch = score[src] - penalty
        stay = score >= switch
        back[t] = np.where(stay, idx, src)
        score = np.where(stay, score, switch) + sc[t]
    path = [int(score.argmax())]
    for t in range(T - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    return m.segment(path[::-1], 1)


def hybrid_ler(net, data, penalties=(0.0, 1.0, 2.0, 4.0, 8.0), scales=(0.0, 1.0)):
    """Test LER of a framewise net decoded by ``viterbi_phones``, the penalty and prior scale
    picked on the validation set. Returns (test LER, {penalty, prior_scale})."""
    lab = np.concatenate([u[1] for u in data["train"]])
    log_prior = np.log(np.bincount(lab, minlength=m.K) + 1.0) - np.log(len(lab) + m.K)
    val, test = m.posteriors(net, data["val"]), m.posteriors(net, data["test"])
    refs_v, refs_t = [list(u[2]) for u in data["val"]], [list(u[2]) for u in data["test"]]
    grid = [(p, a) for p in penalties for a in scales]
    per = [ctc.label_error_rate(refs_v, [viterbi_phones(ly, log_prior, p, a) for ly in val]) for p, a in grid]
    p, a = grid[int(np.argmin(per))]
    return (ctc.label_error_rate(refs_t, [viterbi_phones(ly, log_prior, p, a) for ly in test]),
            {"penalty": p, "prior_scale": a})


def phone_span(utts, corpus):
    """Mean phone duration on the test frames plus the coarticulation reach on both sides (the
    smoothing kernel's +-2 sigma_c frames)."""
    durs = np.concatenate([np.diff(np.r_[0, np.flatnonzero(np.diff(f)) + 1, len(f)])
                           for _, f, _ in utts])
    return float(durs.mean()), float(durs.mean() + 4 * corpus["sigma_c"])


def summarise(nets, data, cfg, curves):
    """Scores, CTC output analysis, Lyapunov spectra -> (metrics, arrays)."""
    test = data["test"]
    logys = {k: m.posteriors(n, test) for k, n in nets.items()}
    acc = {k: m.frame_accuracy(logys[k], test) for k in ("blstm", "lstm", "mlp")}
    pos = {k: position_accuracy(logys[k], test) for k in ("blstm", "lstm", "mlp")}
    refs = [list(u[2]) for u in test]
    seg_ler, seg_run, seg_val = m.segmentation_ler(nets["blstm"], data)
    hyb_ler, hyb_cfg = hybrid_ler(nets["blstm"], data)
    uni_ler, uni_run, _ = m.segmentation_ler(nets["lstm"], data)
    stats = {}
    prefix = [ctc.prefix_search(ly, cfg["prefix_threshold"], cfg["max_expansions"], stats)
              for ly in logys["ctc"]]
    ler = {"ctc_best_path": ctc.label_error_rate(refs, m.best_paths(logys["ctc"])),
           "ctc_prefix": ctc.label_error_rate(refs, prefix), "prefix_sections": stats.get("sections", 0),
           "prefix_sections_capped": stats.get("capped", 0),
           "framewise_hybrid": hyb_ler, "framewise_hybrid_choice": hyb_cfg,
           "framewise_segmented": seg_ler, "framewise_min_run": seg_run,
           "framewise_val_ler_by_min_run": seg_val, "uni_lstm_segmented": uni_ler,
           "uni_lstm_min_run": uni_run}
    outs, rel, offset = ctc_outputs(logys["ctc"], test)
    mean_dur, span = phone_span(test, m.CORPUS)
    lyap, per_utt = {}, {}
    for k in ("blstm", "ctc"):
        lam, per_utt[k], L_lyap = lyapunov(nets[k], test, cfg["n_lyap"])
        lam0 = lyapunov(nets[k], test, cfg["n_lyap"], nets[k].p_init)[0]
        lyap[k] = {"forward": lam[0].tolist(), "backward": lam[1].tolist(),
                   "memory_frames": {d: float(1.0 / abs(lam[i, 0]))
                                     for i, d in enumerate(("forward", "backward"))},
                   "at_init": {"forward": lam0[0].tolist(), "backward": lam0[1].tolist()}}
    metrics = {
        "frame_accuracy": acc,
        "linear_frame_accuracy": {"single_frame": linear_accuracy(data, 0),
                                  f"window_{m.MLP_WINDOW}": linear_accuracy(data, m.MLP_WINDOW)},
        "accuracy_by_position": {k: v.tolist() for k, v in pos.items()},
        "val_frame_accuracy": {k: float(1 - curves[k]["val_error"].min()) for k in ("blstm", "lstm", "mlp")},
        "ler": ler, "ctc_outputs": outs,
        "weights": {k: n.n_weights() for k, n in nets.items()},
        "best_epoch": {k: c["best_epoch"] for k, c in curves.items()},
        "lyapunov": lyap, "lyapunov_frames": L_lyap,
        "phone_duration_mean_frames": mean_dur, "phone_plus_coarticulation_frames": span,
        "corpus": {"train_frames": int(sum(len(u[1]) for u in data["train"])),
                   "test_frames": int(sum(len(u[1]) for u in test)),
                   "test_phones": int(sum(map(len, refs)))},
        "timing": {f"{k}_cpu_s": c["cpu_s"] for k, c in curves.items()},
    }
    ex = test[0]
    arrays = {f"{k}_{c}": curves[k][c] for k in curves for c in ("train_loss", "val_error", "snapshots")}
    arrays.update({f"pos_{k}": v for k, v in pos.items()})
    arrays.update({f"lyap_{k}": v for k, v in per_utt.items()})
    arrays.update({"example_x": ex[0], "example_frames": ex[1], "example_phones": ex[2],
                   "spike_rel": rel, "spike_offset": offset})
    arrays.update({f"example_{k}": logys[k][0] for k in logys})
    return metrics, arrays


def lyapunov_block(M):
    return {"method": (f"qr_spectrum on closed-form state Jacobians ([s, y_c], 2C per direction) of each "
                       f"direction's LSTM, driven by the longest test utterances cut to "
                       f"{M['lyapunov_frames']} frames, {TRANSIENT} alignment frames, top {N_EXP}, "
                       f"nats per frame"),
            "exponents": {f"{k}_{d}": M["lyapunov"][k][d] for k in ("blstm", "ctc")
                          for d in ("forward", "backward")}}
