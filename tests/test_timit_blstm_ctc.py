"""Checks of stubs/timit-blstm-ctc: the gradients of all four nets with their own losses (float64
finite differences), the TIMIT-shaped corpus (shapes, h# at both ends, no phone after itself,
durations, standardisation, evaluation data independent of the training budget), the MLP's time
windows, the segmentation of framewise decisions, the matched weight counts, the CTC output
analysis on a hand-made case and the verdict rules. The BLSTM and CTC themselves (and the state
Jacobians behind the Lyapunov spectra) are checked in tests/test_blstm_ctc.py."""
import argparse

import numpy as np
import pytest

from conftest import load_stub
from shared import cli
from shared.gradcheck import TOLERANCE, check_gradients
from shared.rng import streams

tb = load_stub("timit-blstm-ctc")
dg = cli.load_sibling(tb.__file__, "timit_blstm_ctc_diagnostics", vars(tb))


def test_gradcheck_flag_passes():
    errs = tb.gradcheck(argparse.Namespace(seed=0))
    assert {k.split(".")[0] for k in errs} == {"blstm", "lstm", "mlp", "ctc"}
    assert max(errs.values()) < TOLERANCE, errs


def test_frame_loss_gradient():
    rng = np.random.default_rng(0)
    z = {"z": rng.normal(size=(5, 2, tb.K))}
    frames = np.array([[3, 1], [3, 1], [0, -1], [7, -1], [7, -1]])
    _, dz = tb.frame_loss(z["z"], frames)
    errs = check_gradients(lambda: float(tb.frame_loss(z["z"], frames)[0]), z, {"z": dz},
                           n_samples=60, rng=rng)
    assert errs["z"] < TOLERANCE and np.all(dz[2:, 1] == 0)


def corpus(seed=0, **kw):
    cfg = dict(tb.DEFAULTS, **dict(dict(n_train=30, n_val=5, n_test=8), **kw))
    return tb.make_corpus(streams(seed, ["language", "train", "eval", "init", "order", "noise"]), cfg)


def test_corpus_shape():
    data = corpus()
    for x, f, p in data["train"] + data["test"]:
        assert x.shape == (len(f), tb.N_IN) and p[0] == tb.SIL and p[-1] == tb.SIL
        assert np.all(np.diff(p) != 0)                         # no phone follows itself
        assert tb.segment(f, 1) == list(p)                     # the frame labels spell the phones
        runs = np.diff(np.r_[0, np.flatnonzero(np.diff(f)) + 1, len(f)])
        assert runs.min() >= 2 and 10 <= len(p) <= 22
    X = np.concatenate([u[0] for u in data["train"]])
    assert np.allclose(X.mean(0), 0, atol=1e-9) and np.allclose(X.std(0), 1)
    lab = np.concatenate([u[1] for u in data["train"]])
    assert lab.min() >= 0 and lab.max() < tb.K and len(np.unique(lab)) > 30


def test_evaluation_utterances_do_not_depend_on_the_training_budget():
    a, b = corpus(n_train=30), corpus(n_train=50)
    assert all(np.array_equal(u[1], v[1]) for u, v in zip(a["test"], b["test"], strict=True))
    assert not np.array_equal(corpus(seed=1)["test"][0][1], a["test"][0][1])


def test_mlp_windows_repeat_the_edge_frames():
    x = np.arange(2 * 5 * 1, dtype=float).reshape(5, 2, 1) * np.ones((1, 1, tb.N_IN))
    w = tb.windows(x, np.array([5, 3]), W=2)                   # (L, N, 5 * 26)
    first = w[..., ::tb.N_IN]                                  # feature 0 of each window frame
    assert np.array_equal(first[0, 0], [0, 0, 0, 2, 4])        # t = 0: frames 0, 0, 0, 1, 2
    assert np.array_equal(first[2, 1], [1, 3, 5, 5, 5])        # length 3: frames 0, 1, 2, 2, 2


def test_segmentation():
    f = [0, 0, 0, 5, 5, 7, 5, 5, 5, 0, 0]
    assert tb.segment(f, 1) == [0, 5, 7, 5, 0]
    assert tb.segment(f, 2) == [0, 5, 0]                       # the one-frame 7 dropped, the 5s merge


def test_weights_are_matched():
    rng = np.random.default_rng(0)
    nets = {k: tb.Net(k, rng, target_weights=101_245) for k in ("blstm", "lstm", "mlp", "ctc")}
    n = {k: v.n_weights() for k, v in nets.items()}
    assert n["ctc"] == 114_662
    assert all(abs(n[k] / n["blstm"] - 1) < 0.01 for k in ("lstm", "mlp"))


def test_ctc_output_analysis_by_hand():
    # 2 phones of 3 frames; spikes: label 4 at t = 1 (inside its phone), label 9 at t = 3 (inside 9)
    f = np.array([4, 4, 4, 9, 9, 9])
    arg = [tb.K, 4, tb.K, 9, 9, tb.K]
    ly = np.full((6, tb.K + 1), -10.0)
    ly[np.arange(6), arg] = 0.0
    out, rel, off = dg.ctc_outputs([ly], [(None, f, None)])
    assert out["blank_frame_share"] == pytest.approx(0.5) and out["n_spikes"] == 2
    assert out["spike_in_own_phone"] == 1.0 and np.allclose(rel, [0.5, 0.5 / 3]) and list(off) == [1, 0]


def test_phone_loop_viterbi():
    K = tb.K
    frames = [3] * 4 + [5] + [3] * 3 + [9] * 4               # a one-frame 5 inside a run of 3s
    lp = np.full((len(frames), K), np.log(0.2 / (K - 1)))
    lp[np.arange(len(frames)), frames] = np.log(0.8)
    flat = np.zeros(K)
    assert dg.viterbi_phones(lp, flat, 0.0, 0.0) == [3, 5, 3, 9]             # no penalty: argmax runs
    assert dg.viterbi_phones(lp, flat, 2 * np.log(0.8 / 0.2 * (K - 1)), 0.0) == [3, 9]   # the blip costs more


def test_position_accuracy():
    f = np.array([1, 1, 1, 1, 1, 2, 2, 2, 2, 2])
    ly = np.zeros((10, tb.K))
    ly[np.arange(10), [0, 1, 1, 1, 1, 0, 2, 2, 2, 2]] = 1.0    # the first frame of each phone wrong
    acc = dg.position_accuracy([ly], [(None, f, None)])
    assert np.allclose(acc, [0, 1, 1, 1, 1])


def test_verdict_rules():
    cfg = dict(tb.DEFAULTS)
    M = {"frame_accuracy": {"blstm": 0.72, "lstm": 0.70, "mlp": 0.60},
         "ler": {"ctc_best_path": 0.30, "ctc_prefix": 0.29, "framewise_hybrid": 0.33},
         "ctc_outputs": {"blank_frame_share": 0.7, "spike_in_own_phone": 0.9}}
    assert [r["verdict"] for r in tb.headline_rows(M, cfg)] == ["partial"] * 3
    M["frame_accuracy"]["lstm"] = 0.715                         # within the 1-point margin
    M["ler"]["ctc_best_path"] = M["ler"]["ctc_prefix"] = 0.40
    M["ctc_outputs"]["blank_frame_share"] = 0.3
    assert [r["verdict"] for r in tb.headline_rows(M, cfg)] == ["open"] * 3    # a cap is never a no
    M["ctc_outputs"] = {"blank_frame_share": 1.0, "spike_in_own_phone": 0.0}   # all blank: no labels
    assert tb.headline_rows(M, cfg)[2]["verdict"] == "open"
