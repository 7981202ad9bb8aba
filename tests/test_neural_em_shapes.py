"""Checks of stubs/neural-em-shapes: the gradient check behind --gradcheck, the shapes generator,
the bit-flip noise, the AMI (its expected-mutual-information term against brute force over every
relabeling), and the verdict rules. The RNN-EM loop itself is checked in tests/test_nem_core.py."""
import argparse
import itertools

import numpy as np

from conftest import load_stub
from shared.gradcheck import TOLERANCE

ne = load_stub("neural-em-shapes")


def test_gradcheck_passes():
    errs = ne.gradcheck(argparse.Namespace(seed=0))
    assert {"last.Wx", "all.Wo", "stopgrad_vs_plain.last.Wh", "stopgrad_vs_plain.all.bo"} <= set(errs)
    assert max(errs.values()) < TOLERANCE, errs


def test_shapes_are_the_three_outlines():
    sq, up, down = ne.SHAPES
    assert sq.shape == (7, 7) and sq.sum() == 40 and not sq[2:5, 2:5].any()
    assert up.shape == (7, 12) and up.sum() == 48 and up[5:].all() and up[0].sum() == 2
    np.testing.assert_array_equal(down, up[::-1])


def test_images_and_groups():
    rng = np.random.default_rng(1)
    x, g = ne.make_images(rng, 200)
    assert x.shape == g.shape == (200, 784) and set(np.unique(x)) <= {0.0, 1.0}
    assert set(np.unique(g)) <= {0, 1, 2, 3}
    assert np.all(x[g > 0] == 1)                       # a labelled pixel is foreground
    per_shape = np.stack([(g == j).sum(1) for j in (1, 2, 3)], 1)
    assert per_shape.max() <= 48                       # never more pixels than the largest shape
    # images without overlap: every foreground pixel is labelled, each shape fully
    clean = (x.sum(1) == per_shape.sum(1))
    assert clean.mean() > 0.2                           # about 30 % of the images here
    assert np.all(np.isin(per_shape[clean], (40, 48)))


def test_bitflip_rate_and_independence():
    rng = np.random.default_rng(2)
    x = (rng.random((50, 784)) < 0.2).astype(np.float32)
    xs = ne.bitflip(rng, x, 3, 0.1)
    rate = (xs != x).mean()
    assert abs(rate - 0.1) < 0.005
    assert (xs[0] != xs[1]).mean() > 0.1               # fresh noise per EM step


def mutual_info(t, p):
    _, ti = np.unique(t, return_inverse=True)
    _, pi = np.unique(p, return_inverse=True)
    table = np.zeros((ti.max() + 1, pi.max() + 1))
    np.add.at(table, (ti, pi), 1)
    N, a, b = len(t), table.sum(1), table.sum(0)
    nz = table > 0
    return float(np.sum(table[nz] / N * np.log(N * table[nz] / np.outer(a, b)[nz])))


def test_expected_mutual_info_equals_the_mean_over_every_relabeling():
    true = np.array([0, 0, 0, 1, 1, 2, 2])
    pred = np.array([0, 0, 1, 1, 1, 1, 2])
    perms = list(itertools.permutations(pred))
    brute = np.mean([mutual_info(true, np.array(q)) for q in perms])
    emi = ne.expected_mutual_info(np.bincount(true), np.bincount(pred))
    assert abs(emi - brute) < 1e-12
    # so the AMI averages to exactly zero over random labelings with these cluster sizes
    mean_ami = np.mean([ne.ami(true, np.array(q)) for q in perms])
    assert abs(mean_ami) < 1e-12


def test_ami_known_values():
    a = np.array([0, 0, 1, 1, 2, 2, 2])
    assert ne.ami(a, a) == 1.0
    assert abs(ne.ami(a, np.array([5, 5, 3, 3, 9, 9, 9])) - 1.0) < 1e-12       # relabeled
    assert ne.ami(np.zeros(4, int), np.arange(4)) == 0.0                        # no information
    assert ne.ami(np.zeros(4, int), np.zeros(4, int)) == 1.0                    # both one cluster
    b = np.array([0, 1, 1, 1, 2, 2, 0])
    assert abs(ne.ami(a, b) - ne.ami(b, a)) < 1e-12                             # symmetric
    assert ne.ami(a, b, "arithmetic") >= ne.ami(a, b, "max")                    # smaller normaliser


def test_ami_scores_use_labelled_pixels_only():
    groups = np.array([[0, 1, 1, 2, 2, 0]])
    gamma = np.zeros((1, 3, 6))
    gamma[0, 0, [1, 2]] = 1.0          # slot 0 holds shape 1
    gamma[0, 1, [3, 4]] = 1.0          # slot 1 holds shape 2
    gamma[0, 2, [0, 5]] = 1.0          # the background goes to slot 2: not scored
    assert ne.ami_scores(groups, gamma)[0] == 1.0
    gamma[0, :, 3] = [1.0, 0.0, 0.0]   # one pixel of shape 2 in slot 0
    assert ne.ami_scores(groups, gamma)[0] < 1.0


def metrics(last, first, untrained):
    return {"ami_last": last, "ami_per_step": [first] + [last] * 14, "untrained_ami_last": untrained,
            "ami_last_arithmetic": last, "epochs_seen": 0.4, "train_images": 24_000, "n_test": 1000,
            "timing": {"paper_budget_cpu_h": 100.0}}


def test_verdicts():
    cfg = {"steps": 15}
    r = ne.headline_rows(metrics(0.85, 0.3, 0.05), cfg)
    assert [x["verdict"] for x in r] == ["partial", "partial"]
    r = ne.headline_rows(metrics(0.4, 0.3, 0.05), cfg)
    assert [x["verdict"] for x in r] == ["open", "partial"]      # a budget cap is never a no
    r = ne.headline_rows(metrics(0.33, 0.3, 0.05), cfg)
    assert [x["verdict"] for x in r] == ["open", "open"]


def test_training_resumes_bit_identically(tmp_path, monkeypatch):
    import pytest
    cfg = dict(ne.DEFAULTS, hidden=8, steps=3, train_images=64 * 12, n_test=16, eval_every=64 * 4,
               eval_images=8)

    def fresh():
        rs = ne.streams(0, ["init", "data", "eval", "lyap"])
        return ne.rnn_em.init_params(rs["init"], 784, 8), rs, ne.make_batch(rs["eval"], 16, cfg)
    p1, rs1, t1 = fresh()
    r1 = ne.train(p1, cfg, rs1, t1, ne.Checkpoint(None, 1, None))
    ck = ne.Checkpoint(str(tmp_path / "train.pkl"), 3, {"v": 1})
    p2, rs2, t2 = fresh()
    real, calls = ne.make_batch, {"n": 0, "stop": True}

    def interrupted(*a, **k):          # Ctrl-C while drawing the 8th batch (saved after the 6th)
        calls["n"] += 1
        if calls["stop"] and calls["n"] == 8:
            raise KeyboardInterrupt
        return real(*a, **k)
    monkeypatch.setattr(ne, "make_batch", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ne.train(p2, cfg, rs2, t2, ck)
    calls["stop"] = False
    p3, rs3, t3 = fresh()
    r3 = ne.train(p3, cfg, rs3, t3, ck)
    assert calls["n"] == 8 + 1 + 6             # the test set, then batches 7-12 only: resumed after 6
    np.testing.assert_array_equal(r1["loss"], r3["loss"])
    np.testing.assert_array_equal(r1["ami_curve"], r3["ami_curve"])
    for k in p1:
        np.testing.assert_array_equal(p1[k], p3[k])
