"""Checks of stubs/iam-handwriting: the gradients of both nets with the CTC loss (float64 finite
differences), the word list and its split (disjoint, every letter in many training words), the pen
trajectories (strokes, pen-up flags, letters in order, constant pen speed), evaluation sets that do
not depend on the training budget, the matched weight counts, the state Jacobians behind the
Lyapunov spectra against finite differences, evaluation and emission timing on hand-made outputs,
and the verdict rules. The BLSTM, CTC and the dictionary decoders themselves are checked in
tests/test_blstm_ctc.py."""
import argparse

import numpy as np
import pytest

from conftest import load_stub
from shared import cli
from shared.blstm_ctc import blstm
from shared.gradcheck import TOLERANCE, numeric_jacobian
from shared.lstm_gers import lstm
from shared.rng import streams

ih = load_stub("iam-handwriting")
dg = cli.load_sibling(ih.__file__, "iam_handwriting_diagnostics", vars(ih))
STREAMS = ["split", "writers", "train", "eval", "init", "order"]


def test_gradcheck_flag_passes():
    errs = ih.gradcheck(argparse.Namespace(seed=0))
    assert {k.split(".")[0] for k in errs} == {"blstm", "lstm"}
    assert max(errs.values()) < TOLERANCE, errs


def test_word_list_and_split():
    words = ih.load_words()
    assert len(words) == len(set(words)) >= 300
    assert all(w.isalpha() and w.islower() and 3 <= len(w) <= 10 for w in words)
    train, val, test = ih.split_words(words, np.random.default_rng(0), 60, 160)
    assert len(test) == 160 and len(val) == 60 and len(train) == len(words) - 220
    assert not (set(train) & set(test)) and not (set(train) & set(val)) and not (set(val) & set(test))
    counts = np.bincount([ih.ALPHABET.index(c) for c in "".join(train)], minlength=ih.K)
    assert counts.min() >= ih.MIN_LETTER
    with pytest.raises(cli.StubError):
        ih.split_words(words, np.random.default_rng(0), 400, 410)


def test_trajectory_strokes_letters_and_pen_speed():
    rng = np.random.default_rng(1)
    writer = dict(ih.draw_writer(rng), jitter=0.0)
    pts, up, letter = ih.trajectory("quiz", writer, rng)
    n_strokes = sum(len(ih.glyph(c)[0]) for c in "quiz")     # one stroke per glyph contour
    assert up[0] == 0 and up.sum() == n_strokes - 1
    assert np.all(np.diff(letter) >= 0) and set(letter) == {0, 1, 2, 3}
    step = np.hypot(*np.diff(pts, axis=0).T)[up[1:] == 0]   # pen-down moves
    assert np.median(step) == pytest.approx(writer["step"], rel=0.15) and step.max() < 1.5 * writer["step"]
    x = ih.features(pts, up)
    assert x.shape == (len(pts), ih.N_IN) and np.allclose(np.cumsum(x[:, :2], 0)[-1], pts[-1] - pts[0])
    # letters go left to right: each letter's mean x beyond the previous one's (small slants)
    writer.update(slant=0.0, tilt=0.0)
    pts, _, letter = ih.trajectory("abc", writer, rng)
    assert np.all(np.diff([pts[letter == i, 0].mean() for i in range(3)]) > 0)


def test_evaluation_sets_do_not_depend_on_the_training_budget():
    cfg = dict(ih.DEFAULTS, n_val_words=10, n_test_words=12, n_seen_test=8)
    a = ih.make_data(streams(0, STREAMS), dict(cfg, writers_per_word=1), quick=True)
    b = ih.make_data(streams(0, STREAMS), dict(cfg, writers_per_word=2), quick=True)
    assert len(b["train"]) == 2 * len(a["train"])
    for key in ("val", "test_seen", "test_unseen"):
        assert [s["word"] for s in a[key]] == [s["word"] for s in b[key]]
        assert all(np.array_equal(s["pts"], t["pts"]) for s, t in zip(a[key], b[key], strict=True))
    assert not set(a["words"]["train"]) & {s["word"] for s in a["test_unseen"]}
    assert {s["word"] for s in a["test_seen"]} <= set(a["words"]["train"])


def test_weights_are_matched():
    rng = np.random.default_rng(0)
    b, u = ih.Net("blstm", rng, 100), ih.Net("lstm", rng, 100)
    assert b.n_weights() == 90_027 and u.cell.nc == 144
    assert abs(u.n_weights() / b.n_weights() - 1) < 0.01


def test_state_jacobians_match_finite_differences_on_pen_inputs():
    rng = np.random.default_rng(2)
    net = ih.Net("blstm", rng, 3)
    p = {k: 3.0 * v.astype(np.float64) for k, v in net.p.items()}
    x = ih.sample("zoo", ih.draw_writer(rng), rng)["x"][:6, None] / np.array([0.1, 0.1, 0.3, 1.0])
    _, cache = blstm.forward(net.cell, p, x, np.array([6]))
    J = blstm.state_jacobians(net.cell, p, cache["lstm"], 0, 6)     # (6, 2, 1, 6, 6)
    C = net.cell.nc
    for d in range(2):
        q = {k: p[k][d:d + 1] for k in ("Wx", "R", "b", "P")}
        X = cache["lstm"]["x"][:, d:d + 1]
        for t in range(1, 6):
            def step(state, t=t, q=q, X=X):
                st = {"c": state[:C].reshape(1, 1, C), "y": state[C:].reshape(1, 1, C)}
                _, fin, _ = lstm.run(net.cell, q, X[t:t + 1], st)
                return np.concatenate([fin["c"].ravel(), fin["y"].ravel()])
            z0 = np.concatenate([cache["lstm"]["s"][t, d, 0], cache["lstm"]["y"][t, d, 0]])
            assert np.allclose(J[t, d, 0], numeric_jacobian(step, z0), atol=1e-8)


def spiky(path):
    """log outputs (T, K+1) that put 0.99 on the given path."""
    ly = np.full((len(path), ih.K + 1), np.log(0.01 / ih.K))
    ly[np.arange(len(path)), path] = np.log(0.99)
    return ly


def test_evaluation_and_emission_timing_by_hand():
    B = ih.K
    # "ox": o written on points 0-5, x on 6-9; o emitted at 2 (during), x at 9 (its last point)
    s = {"labels": np.array([14, 23]), "letter": np.array([0] * 6 + [1] * 4), "x": np.zeros((10, 4))}
    ly = spiky([B, B, 14, B, B, B, B, B, B, 23])
    out = ih.evaluate(None, [s], ["ox", "ax", "oxo"], logys=[ly])
    assert out["cer_greedy"] == 0 and out["word_acc_greedy"] == 1 and out["word_acc_lexicon"] == 1
    summ, rel, after = dg.emission_timing([ly], [s], lag=0)
    assert np.allclose(rel, [2 / 5, 1.0]) and list(after) == [-3, 0]
    assert summ["during"] == 1 and summ["during_or_within_lag"] == 1 and summ["in_last_tenth"] == 0.5
    # both letters emitted at the very end: o after its letter by 3 points
    ly = spiky([B] * 8 + [14, 23])
    summ, _, after = dg.emission_timing([ly], [s], lag=2)
    assert list(after) == [3, 0] and summ["after"] == 0.5 and summ["during_or_within_lag"] == 0.5
    # the dictionary corrects a misread letter
    out = ih.evaluate(None, [s], ["ox", "zebra"], logys=[spiky([B, 14, B, 24, B, B, B, B, B, B])])
    assert out["word_acc_greedy"] == 0 and out["cer_greedy"] == 0.5 and out["word_acc_lexicon"] == 1


def test_verdict_rules():
    cfg = dict(ih.DEFAULTS)

    def M(acc_lex, acc_g, b_cer, l_cer, s_cer, near):
        sc = lambda cer, ag, al: {"cer_greedy": cer, "word_acc_greedy": ag, "word_acc_lexicon": al}  # noqa: E731
        return {"scores": {"blstm": {"test_unseen": sc(b_cer, acc_g, acc_lex), "test_seen": sc(s_cer, 0, 0)},
                           "lstm": {"test_unseen": sc(l_cer, 0, 0), "test_seen": sc(0, 0, 0)}},
                "spikes": {"blstm": {"during_or_within_lag": near, "in_last_tenth": 0.1},
                           "lstm": {"during_or_within_lag": near}},
                "spike_lag": 10, "lexicon": 822, "weights": {"blstm": 90027, "lstm": 90171}}
    good = M(0.85, 0.5, 0.10, 0.15, 0.05, 0.8)
    assert [r["verdict"] for r in ih.headline_rows(good, cfg)] == ["partial"] * 5
    bad = M(0.70, 0.68, 0.25, 0.255, 0.05, 0.3)
    assert [r["verdict"] for r in ih.headline_rows(bad, cfg)] == ["open"] * 5     # a cap is never a no
