"""Checks of stubs/em-segmentation-isbi: the gradient check behind --gradcheck, the synthetic stack
(membrane thickness, the observer's disagreement), connected components, the Rand error on hand-made
segmentations, the prior correction, the median filter and the verdict rules. The layers are
checked in tests/test_cnn_core.py."""
import argparse

import numpy as np

from conftest import load_stub
from shared.gradcheck import TOLERANCE

em = load_stub("em-segmentation-isbi")


def test_gradcheck_passes():
    errs = em.gradcheck(argparse.Namespace(seed=0))
    assert {"K1", "b1", "K3", "b3", "W5", "b5", "W6", "b6", "x"} == set(errs)
    assert max(errs.values()) < TOLERANCE


def test_components_counts_four_connected_regions():
    fg = np.zeros((7, 9), bool)
    fg[0:3, 0:3] = True                 # a block
    fg[5, :] = True                     # a bar
    fg[3, 3] = True                     # touches the block only diagonally: its own component
    fg[0:5, 7] = True                   # a vertical bar that meets the horizontal one at (4, 7)-(5, 7)
    lab = em.components(fg)
    assert lab[~fg].max() == 0
    assert len(np.unique(lab[fg])) == 3  # block, diagonal pixel, the two joined bars
    assert lab[0, 0] == lab[2, 2] and lab[3, 3] != lab[2, 2] and lab[0, 7] == lab[5, 0]


def test_components_follow_a_long_spiral():
    fg = np.zeros((21, 21), bool)
    fg[1, 1:20] = fg[1:20, 19] = fg[19, 1:20] = fg[3:20, 1] = fg[3, 1:18] = fg[3:18, 17] = True
    assert len(np.unique(em.components(fg)[fg])) == 1


def test_rand_error_zero_for_a_perfect_segmentation_and_positive_for_a_merge():
    cells = np.zeros((10, 10), int)
    cells[:, 5:] = 1
    gt = np.zeros((10, 10), bool)
    gt[:, 4:6] = True                                   # a wall between two cells
    assert em.rand_error(gt, cells, gt) == 0.0
    leak = gt.copy()
    leak[4, 4:6] = False                                # a gap: the two cells merge
    merged = em.rand_error(leak, cells, gt)
    assert merged > 0.3                                 # one segment for two equal cells: P = 1/2
    split = gt.copy()
    split[:, 1] = True                                  # an extra wall splits the left cell
    assert 0 < em.rand_error(split, cells, gt) < merged


def test_synthetic_stack_and_observer():
    rng = np.random.default_rng(0)
    imgs, gt, cells, obs, _ = em.make_stack(rng, 64, 3)
    assert imgs.shape == gt.shape == obs.shape == (3, 64, 64)
    assert 0.1 < gt.mean() < 0.45                       # membranes a minority of the pixels
    assert imgs[gt].mean() < imgs[~gt].mean()           # membranes darker on average
    assert 0 < np.mean(obs != gt) < 0.2                 # the observer disagrees a little
    assert (gt[0] != gt[1]).mean() > 0                  # neighbouring sections differ


def test_windows_block_average_and_prior_correction():
    imgs = np.arange(2 * 50 * 50, dtype=np.float32).reshape(2, 50, 50)
    where = (np.array([1]), np.array([25]), np.array([25]))
    w24, w48 = em.windows(imgs, where, 24), em.windows(imgs, where, 48)
    assert w24.shape == w48.shape == (1, 24, 24, 1)
    assert w24[0, 12, 12, 0] == imgs[1, 25, 25]          # the pixel sits at the window's centre
    np.testing.assert_allclose(w48[0, 0, 0, 0], imgs[1, 1:3, 1:3].mean())
    p = np.array([0.2, 0.5, 0.9])
    np.testing.assert_allclose(em.prior_correct(p, 0.5), p)
    assert em.prior_correct(np.array([0.5]), 0.25)[0] == 0.25


def test_median_filter_removes_an_isolated_pixel():
    x = np.zeros((1, 9, 9))
    x[0, 4, 4] = 1.0
    assert em.median_filter(x).max() == 0.0


def M(e, o, w1, w2):
    return {"ensemble": e, "observer": o, "single_w24": w1, "single_w48": w2}


def test_verdict_rules():
    d = lambda p, r: {"pixel": p, "rand": r}            # noqa: E731
    rows = em.headline_rows(M(d(0.06, 0.05), d(0.07, 0.03), d(0.09, 0.2), d(0.08, 0.1)))
    assert [r["verdict"] for r in rows] == ["partial"] * 4
    rows = em.headline_rows(M(d(0.10, 0.3), d(0.07, 0.03), d(0.09, 0.2), d(0.08, 0.25)))
    assert [r["verdict"] for r in rows] == ["open"] * 4
