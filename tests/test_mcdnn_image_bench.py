"""Checks of stubs/mcdnn-image-bench: the gradient check behind --gradcheck, width normalisation,
the averaging diagnostics (error against the number of columns, pairwise disagreement) and the
verdict rules. The layers themselves are checked in tests/test_cnn_core.py, the MNIST loader and
the deformations in tests/test_data_core.py."""
import argparse

import numpy as np

from conftest import load_stub
from shared.gradcheck import TOLERANCE

mc = load_stub("mcdnn-image-bench")


def test_gradcheck_passes():
    errs = mc.gradcheck(argparse.Namespace(seed=0))
    assert {"K1", "b1", "K3", "b3", "W5", "b5", "W6", "b6", "x"} == set(errs)
    assert max(errs.values()) < TOLERANCE


def test_normalise_width_sets_the_box_width_and_centre():
    img = np.zeros((3, 28, 28), np.float32)
    img[0, 4:24, 5:9] = 1.0          # a narrow bar, width 4
    img[1, 4:24, 2:24] = 1.0         # a wide block, width 22
    img[2, 10:12, 20:26] = 1.0       # off-centre, width 6
    for w in (10, 16, 20):
        out = mc.normalise_width(img, w)
        ink = out.max(axis=1) > 0.5
        first, last = ink.argmax(1), 27 - ink[:, ::-1].argmax(1)
        assert np.all(np.abs((last - first + 1) - w) <= 1), (w, first, last)
        assert np.all(np.abs((first + last) / 2 - 13.5) <= 1)
        # rows are untouched: the same rows carry ink
        np.testing.assert_array_equal(out.max(axis=2) > 0.5, img.max(axis=2) > 0.5)
    np.testing.assert_array_equal(mc.normalise_width(img, 0), img)


def test_to_input_pads_to_29_with_background():
    x = mc.to_input(np.ones((2, 28, 28), np.float32))
    assert x.shape == (2, 29, 29, 1)
    assert np.all(x[:, 28, :, 0] == -1) and np.all(x[:, :, 28, 0] == -1) and np.all(x[:, :28, :28] == 1)


def test_averaging_diagnostics_on_hand_made_columns():
    y = np.array([0, 1, 2, 0])
    eye = np.eye(3)
    # column a wrong on digit 1, column b wrong on digit 2, column c right everywhere but unsure
    a = eye[[0, 2, 2, 0]] * 0.9 + 0.1 / 3
    b = eye[[0, 1, 0, 0]] * 0.9 + 0.1 / 3
    c = np.full((4, 3), 0.2) + eye[y] * 0.2
    probs = np.stack([a, b, c])
    curve = mc.ensemble_curve(probs, y)
    assert curve["mean"][0] == np.mean([25.0, 25.0, 0.0])
    # every pair still errs on one digit (a and b tie on digit 2, and argmax takes class 0) ...
    assert curve["min"][1] == curve["max"][1] == 25.0
    # ... while the three together outvote each column's mistake
    assert curve["mean"][2] == 0.0
    d = mc.disagreement(probs)
    np.testing.assert_allclose(d, [[0, 0.5, 0.25], [0.5, 0, 0.25], [0.25, 0.25, 0]])


def metrics(ens, mean1, best1):
    return {"n_columns": 5, "ensemble_err": ens, "mean_column_err": mean1, "best_column_err": best1,
            "timing": {"paper_budget_cpu_h": 100.0}}


def test_verdicts_cap_at_open_and_partial():
    cfg = {"n_train": 60_000, "n_test": 10_000}
    r = mc.headline_rows(metrics(1.0, 1.6, 1.4), cfg)
    assert r[0]["verdict"] == "open"                  # far from 0.23 % after one pass: a cap, not a no
    assert r[1]["verdict"] == "partial"               # 1.0 < 1.4 - noise
    r = mc.headline_rows(metrics(1.35, 1.6, 1.4), cfg)
    assert r[1]["verdict"] == "open"                  # within noise of the best column
    r = mc.headline_rows(metrics(0.2, 0.4, 0.35), cfg)
    assert r[0]["verdict"] == "yes"


def test_paired_counts_and_exact_sign_test():
    y = np.zeros(12, int)
    eye = np.eye(2)
    col = eye[[1] * 6 + [0] * 6]                     # wrong on the first six digits
    other = eye[[0] * 12]                            # right everywhere
    probs = np.stack([col * 0.4 + 0.3, other])       # the average follows the confident column 2
    out = mc.paired_counts(probs, y)
    assert out[0] == {"fixed": 6, "broken": 0, "p_two_sided": 2 / 64}
    assert out[1] == {"fixed": 0, "broken": 0, "p_two_sided": 1.0}
