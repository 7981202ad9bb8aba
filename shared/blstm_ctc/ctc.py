"""Connectionist Temporal Classification, batched, in log space (Graves et al. 2006).

The net's softmax outputs y(t) over K labels and a blank (index K, the last unit) define a
distribution over paths pi in {0..K}^T, p(pi | x) = prod_t y_{pi_t}(t). The map B removes repeated
labels and then blanks (B(a--ab-) = aab... no: B(aa-ab-) = aab); p(l | x) = sum over B(pi) = l of
p(pi | x). With l' = l with a blank before, between and after its labels (|l'| = 2|l| + 1):

    alpha_t(s) = y_{l'_s}(t) [alpha_{t-1}(s) + alpha_{t-1}(s-1) + alpha_{t-1}(s-2)]
                 (the last term only if l'_s is a label and l'_s != l'_{s-2})
    beta_t(s)  = y_{l'_s}(t) [beta_{t+1}(s) + beta_{t+1}(s+1) + beta_{t+1}(s+2)]
                 (the last term only if l'_s is a label and l'_s != l'_{s+2})
    p(l | x)   = alpha_T(|l'|) + alpha_T(|l'| - 1)
    alpha_t(s) beta_t(s) / y_{l'_s}(t) = sum of p(pi | x) over the paths of l through s at t

The loss is O = -ln p(l | x) per sequence and, for softmax inputs u,

    dO/du_k(t) = y_k(t) - sum_{s: l'_s = k} alpha_t(s) beta_t(s) / (y_k(t) p(l | x))    (eq. 16)

Here alpha and beta are kept as logarithms (the paper rescales them instead; ``reference.py`` does
that), batched over padded sequences: logits z (L, N, K+1), lengths (N,), labels (N, U) padded,
label lengths (N,). Decoding: ``best_path`` (the most probable path, collapsed), ``prefix_search``
(the paper's best-first search for the most probable labelling, in sections split at confident
blanks) and ``prefix_beam_search`` (a beam over labellings, the common cheaper variant).
``edit_distance`` scores a decoding (label error rate = total edits /
total reference labels).
"""
import numpy as np

NEG = -np.inf


def log_softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def _logaddexp3(a, b, c):
    m = np.maximum(np.maximum(a, b), c)
    m_safe = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):
        return m_safe + np.log(np.exp(a - m_safe) + np.exp(b - m_safe) + np.exp(c - m_safe))


def extended_labels(labels, label_lengths, blank):
    """l' per sequence (N, 2U+1): blanks at even positions, the labels at odd ones (padded labels
    become blanks past 2|l|+1), and skip (N, 2U+1): True where s may be reached from s-2."""
    N, U = labels.shape
    ext = np.full((N, 2 * U + 1), blank, dtype=np.int64)
    ext[:, 1::2] = np.where(np.arange(U)[None] < label_lengths[:, None], labels, blank)
    skip = np.zeros(ext.shape, bool)
    skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
    return ext, skip


def forward_backward(logy, lengths, labels, label_lengths):
    """Log alpha and log beta (L, N, 2U+1) (both include y(t), as in the paper), ln p(l|x) (N,) and
    l' (N, 2U+1). Entries past a sequence's end (t >= length, s >= 2|l|+1) are -inf."""
    L, N, Kp = logy.shape
    blank = Kp - 1
    ext, skip = extended_labels(labels, label_lengths, blank)
    S = ext.shape[1]
    Sn = 2 * label_lengths + 1
    valid_s = np.arange(S)[None] < Sn[:, None]              # (N, S)
    ly = np.take_along_axis(logy, np.broadcast_to(ext[None], (L, N, S)), axis=2)   # y_{l'_s}(t)
    ly = np.where(valid_s[None], ly, NEG)
    la = np.full((L, N, S), NEG)
    la[0, :, 0] = ly[0, :, 0]
    la[0, :, 1] = np.where(label_lengths > 0, ly[0, :, 1], NEG)
    for t in range(1, L):
        a = la[t - 1]
        a1 = np.concatenate([np.full((N, 1), NEG), a[:, :-1]], axis=1)
        a2 = np.concatenate([np.full((N, 2), NEG), a[:, :-2]], axis=1)
        la[t] = _logaddexp3(a, a1, np.where(skip, a2, NEG)) + ly[t]
    lb = np.full((L, N, S), NEG)
    rows = np.arange(N)
    last = np.asarray(lengths) - 1
    skip_b = np.zeros(ext.shape, bool)                      # s may reach s+2
    skip_b[:, :-2] = skip[:, 2:]
    for t in range(L - 1, -1, -1):
        b = lb[t + 1] if t + 1 < L else np.full((N, S), NEG)
        b1 = np.concatenate([b[:, 1:], np.full((N, 1), NEG)], axis=1)
        b2 = np.concatenate([b[:, 2:], np.full((N, 2), NEG)], axis=1)
        rec = _logaddexp3(b, b1, np.where(skip_b, b2, NEG)) + ly[t]
        start = np.full((N, S), NEG)                         # beta_T: the last blank and label
        start[rows, Sn - 1] = ly[t, rows, Sn - 1]
        has = label_lengths > 0
        start[rows[has], Sn[has] - 2] = ly[t, rows[has], Sn[has] - 2]
        lb[t] = np.where((t == last)[:, None], start, np.where((t < last)[:, None], rec, NEG))
    fin = la[last, rows]                                     # (N, S) at t = T
    end2 = np.where(label_lengths > 0, fin[rows, np.maximum(Sn - 2, 0)], NEG)
    logp = np.logaddexp(fin[rows, Sn - 1], end2)
    return la, lb, logp, ext


def loss_and_grad(z, lengths, labels, label_lengths):
    """CTC loss O = -ln p(l|x) per sequence (N,) and dO/dz (L, N, K+1) for logits z (L, N, K+1)
    (zero on padded frames). Raises ValueError if a labelling cannot fit its sequence."""
    logy = log_softmax(z.astype(np.float64))
    la, lb, logp, ext = forward_backward(logy, lengths, labels, label_lengths)
    if not np.all(np.isfinite(logp)):
        raise ValueError("a label sequence is longer than its input allows (p(l|x) = 0)")
    L, N, Kp = z.shape
    # ln of alpha beta / (y p): the posterior of being at s at t
    ly = np.take_along_axis(logy, np.broadcast_to(ext[None], la.shape), axis=2)
    with np.errstate(invalid="ignore"):
        post = np.exp(la + lb - ly - logp[None, :, None])
    post = np.nan_to_num(post)
    occ = np.zeros((L, N, Kp))                                # sum over s with l'_s = k
    np.add.at(occ, (slice(None), np.arange(N)[:, None], ext), post)  # (L, N, S) scattered on k
    mask = (np.arange(L)[:, None] < np.asarray(lengths)[None])[..., None]
    dz = (np.exp(logy) - occ) * mask
    return -logp, dz


def collapse(path, blank):
    """B: merge repeated labels, then drop blanks."""
    out, prev = [], None
    for k in path:
        if k != prev and k != blank:
            out.append(int(k))
        prev = k
    return out


def best_path(logy, lengths):
    """The labelling of the most probable path of each sequence: [list of labels] * N."""
    blank = logy.shape[-1] - 1
    arg = logy.argmax(axis=-1)
    return [collapse(arg[:n, i], blank) for i, n in enumerate(lengths)]


def prefix_beam_search(logy, beam=8, min_prob=1e-3, max_labels=4):
    """Beam search over labellings for one sequence, logy (T, K+1): each prefix keeps the
    probability of its paths that end in a blank and of those that end in its last label, so all
    paths of a prefix are summed (not only the best one). At each frame only the max_labels most
    probable labels with y_k(t) >= min_prob extend a prefix. Returns the most probable labelling."""
    T, Kp = logy.shape
    blank = Kp - 1
    beams = {(): (0.0, NEG)}                                  # prefix -> (ln p_blank, ln p_label)
    for t in range(T):
        lp = logy[t]
        nxt = {}
        top = np.argsort(-lp[:blank])[:max_labels]
        ext = [int(k) for k in top if lp[k] >= np.log(min_prob)]

        def add(prefix, pb, pl, nxt=nxt):
            ob, ol = nxt.get(prefix, (NEG, NEG))
            nxt[prefix] = (np.logaddexp(ob, pb), np.logaddexp(ol, pl))
        for prefix, (pb, pl) in beams.items():
            tot = np.logaddexp(pb, pl)
            add(prefix, tot + lp[blank], NEG)                  # a blank keeps the prefix
            if prefix:
                add(prefix, NEG, pl + lp[prefix[-1]])           # the last label repeated
            for k in ext:
                if prefix and k == prefix[-1]:                  # a new k after k needs a blank
                    add(prefix + (k,), NEG, pb + lp[k])
                else:
                    add(prefix + (k,), NEG, tot + lp[k])
        ranked = sorted(nxt.items(), key=lambda kv: -np.logaddexp(*kv[1]))
        beams = dict(ranked[:beam])
    best = max(beams.items(), key=lambda kv: np.logaddexp(*kv[1]))
    return list(best[0])


def prefix_search(logy, threshold=0.999, max_expansions=5000, stats=None):
    """The 2006 paper's prefix search decoding for one sequence, logy (T, K+1).

    The output is first cut into sections at the frames where the blank's probability exceeds
    ``threshold`` (there the labelling cannot continue across), and each section is searched on
    its own, best first: the most probable prefix is extended by every label, each extension's
    probability of being a whole labelling and of being a prefix of one are computed, and the
    search stops when no remaining prefix is more probable than the best whole labelling found
    (exact within a section; ``max_expansions`` only guards against an untrained net: a section
    that reaches it returns its best labelling so far, counted in ``stats`` if a dict is given)."""
    blank = logy.shape[1] - 1
    cuts = np.flatnonzero(np.exp(logy[:, blank]) > threshold)
    bounds = np.r_[0, cuts + 1, len(logy)]
    out = []
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        if b > a:
            labels, capped = _prefix_search_section(logy[a:b], max_expansions)
            out += labels
            if stats is not None:
                stats["sections"] = stats.get("sections", 0) + 1
                stats["capped"] = stats.get("capped", 0) + capped
    return out


def _prefix_search_section(ly, max_expansions):
    """Best-first search over prefixes p. For a prefix, g_n(t) / g_b(t): ln of the probability
    that the outputs up to t spell p and end in its last label / in a blank; for an extension
    p + k (all k at once, vectors over the labels):

        new(t)    = g_b^p(t-1) + (g_n^p(t-1) unless k ends p)     a path that starts k at t
        g_n(t)    = y_k(t) [new(t) + g_n(t-1)],   g_b(t) = y_blank(t) [g_b(t-1) + g_n(t-1)]
        P(p + k is the labelling)   = g_n(T) + g_b(T)
        P(p + k is a prefix)        = sum_t y_k(t) new(t)
    """
    T, Kp = ly.shape
    K = Kp - 1
    yk, yb = ly[:, :K], ly[:, K]
    gb0 = np.cumsum(yb)
    best, best_lp = (), gb0[-1]
    cands = {(): (0.0, np.full(T, NEG), gb0)}
    for _ in range(max_expansions):
        if not cands:
            return list(best), False
        p = max(cands, key=lambda q: cands[q][0])
        lp, gn, gb = cands.pop(p)
        if lp <= best_lp:
            return list(best), False
        Gn, Gb = np.full((T, K), NEG), np.full((T, K), NEG)
        if not p:
            Gn[0] = yk[0]
        pre = Gn[0].copy()
        for t in range(1, T):
            new = np.full(K, np.logaddexp(gb[t - 1], gn[t - 1]))
            if p:
                new[p[-1]] = gb[t - 1]
            Gn[t] = yk[t] + np.logaddexp(new, Gn[t - 1])
            Gb[t] = yb[t] + np.logaddexp(Gb[t - 1], Gn[t - 1])
            pre = np.logaddexp(pre, yk[t] + new)
        lab = np.logaddexp(Gn[-1], Gb[-1])
        k = int(np.argmax(lab))
        if lab[k] > best_lp:
            best, best_lp = p + (k,), lab[k]
        for k in np.flatnonzero(pre > best_lp):
            cands[p + (int(k),)] = (pre[k], Gn[:, k].copy(), Gb[:, k].copy())
    return list(best), True


def edit_distance(a, b):
    """Levenshtein distance between label sequences a (reference) and b."""
    d = np.arange(len(b) + 1)
    for i in range(1, len(a) + 1):
        prev, d[0] = d.copy(), i
        for j in range(1, len(b) + 1):
            d[j] = min(prev[j] + 1, d[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1]))
    return int(d[-1])


def label_error_rate(refs, hyps):
    """Total edit distance over total reference length."""
    return sum(edit_distance(r, h) for r, h in zip(refs, hyps, strict=True)) / max(1, sum(map(len, refs)))
