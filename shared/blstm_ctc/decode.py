"""Dictionary-constrained CTC decoding of one sequence, and the forced alignment of a labelling.

Graves et al. (2009) decode the CTC outputs of a handwritten line with *token passing* over a word
dictionary: every word w is a left-to-right model over its extended labelling w' (w with a blank
before, between and after its letters, as in ``ctc.py``); a token in state s of w at frame t holds
the score of the best path through the outputs that spells w up to s; tokens move to s, s+1, or
s+2 (skipping a blank between two different letters), are multiplied by y_{w'_s}(t), and only the
best token per state survives. For an isolated word (no word-to-word transitions, no language
model) token passing reduces to one Viterbi pass per dictionary word,

    delta_t(s) = y_{w'_s}(t) max(delta_{t-1}(s), delta_{t-1}(s-1), delta_{t-1}(s-2) if allowed)
    score(w)   = max(delta_T(|w'|), delta_T(|w'| - 1))   (the most probable single path of w)

and the decoded word is argmax_w score(w). Replacing max by a sum gives the CTC forward variable
and the exact p(w | x) = sum over the paths of w (``mode="sum"``): the most probable dictionary
word, exact for single-word recognition. Both run for the whole dictionary at once, batched over
words: logy (T, K+1) with the blank last, words as label lists.

``forced_alignment`` is the same Viterbi pass for one given labelling, with back-pointers: the
most probable path that spells it, hence the frame at which each label is emitted.
``tests/test_blstm_ctc.py`` checks all three against enumeration of every path on tiny cases.
"""
import numpy as np

from shared.blstm_ctc.ctc import NEG, extended_labels


def _pad(words):
    """Label lists -> labels (W, U) padded with 0, lengths (W,)."""
    lengths = np.array([len(w) for w in words])
    labels = np.zeros((len(words), max(1, lengths.max(initial=0))), dtype=np.int64)
    for i, w in enumerate(words):
        labels[i, :len(w)] = w
    return labels, lengths


def word_scores(logy, words, mode="max"):
    """ln score of every dictionary word (W,) for one sequence logy (T, K+1): ``mode="max"`` the
    most probable path of the word (token passing for an isolated word), ``"sum"`` ln p(w | x).
    A word that cannot fit in T frames scores -inf.

    The recursion runs on probabilities, each word's row rescaled to a maximum of 1 after every
    frame and the logarithms of the scales summed (the 2006 paper's rescaling; exact for the sum
    and for the max alike, and much cheaper than log-space arithmetic over a whole dictionary)."""
    if mode not in ("max", "sum"):
        raise ValueError(f"mode must be 'max' or 'sum', got {mode!r}")
    T, Kp = logy.shape
    labels, lengths = _pad(words)
    ext, skip = extended_labels(labels, lengths, Kp - 1)   # (W, S)
    W, S = ext.shape
    Sn = 2 * lengths + 1
    valid = np.arange(S)[None] < Sn[:, None]
    y = np.exp(logy - logy.max(axis=1, keepdims=True))      # (T, K+1), each frame scaled to max 1
    shift = logy.max(axis=1).sum()                           # ... and the scales' logarithms
    A = np.zeros((W, S + 2))                                 # two zero columns: states -2, -1
    a = A[:, 2:]
    a[:, :2] = (y[0, ext] * valid)[:, :2]                    # start in the first blank or letter
    log_scale = np.zeros(W)
    for t in range(1, T):
        if mode == "max":
            new = np.maximum(np.maximum(a, A[:, 1:-1]), A[:, :-2] * skip)
        else:
            new = a + A[:, 1:-1] + A[:, :-2] * skip
        new *= y[t, ext] * valid                             # y_{w'_s}(t), 0 past |w'|
        c = new.max(axis=1)
        c = np.where(c > 0, c, 1.0)
        a[:] = new / c[:, None]
        log_scale += np.log(c)
    rows = np.arange(W)
    last = a[rows, Sn - 1]
    before = np.where(lengths > 0, a[rows, np.maximum(Sn - 2, 0)], 0.0)
    fin = np.maximum(last, before) if mode == "max" else last + before
    with np.errstate(divide="ignore"):
        return np.log(fin) + log_scale + shift


def lexicon_decode(logy, words, mode="max"):
    """The dictionary word with the highest ``word_scores``: (index, ln score)."""
    s = word_scores(logy, words, mode)
    i = int(np.argmax(s))
    return i, float(s[i])


def forced_alignment(logy, labels):
    """The most probable path pi (T,) of logy (T, K+1) with B(pi) = labels, and the first frame at
    which each label is emitted (len(labels),). Raises ValueError if the labels do not fit."""
    T, Kp = logy.shape
    blank = Kp - 1
    lab, n = _pad([list(labels)])
    ext, skip = extended_labels(lab, n, blank)
    ext, skip = ext[0, :2 * len(labels) + 1], skip[0, :2 * len(labels) + 1]
    S = len(ext)
    ly = logy[:, ext]                                        # (T, S)
    d = np.full((T, S), NEG)
    back = np.zeros((T, S), dtype=np.int64)
    d[0, 0] = ly[0, 0]
    if S > 1:
        d[0, 1] = ly[0, 1]
    for t in range(1, T):
        cand = np.stack([d[t - 1],
                         np.r_[NEG, d[t - 1, :-1]],
                         np.where(skip, np.r_[NEG, NEG, d[t - 1, :-2]], NEG)])   # (3, S)
        k = np.argmax(cand, axis=0)
        back[t] = np.arange(S) - k
        d[t] = cand[k, np.arange(S)] + ly[t]
    ends = [S - 1] + ([S - 2] if S > 1 else [])
    s = max(ends, key=lambda e: d[T - 1, e])
    if not np.isfinite(d[T - 1, s]):
        raise ValueError("the labelling does not fit in the sequence")
    states = np.empty(T, dtype=np.int64)
    for t in range(T - 1, -1, -1):
        states[t] = s
        s = back[t, s]
    path = ext[states]
    first = np.array([int(np.flatnonzero(states == 2 * i + 1)[0]) for i in range(len(labels))],
                     dtype=np.int64)
    return path, first
