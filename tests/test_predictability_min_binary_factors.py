"""Checks of stubs/predictability-min-binary-factors: the paper's pattern ensembles, the code
judge (binary, invertible, factorial) on known codes, the paper's own numbers for the 1/9..4/9
ensemble (V_C = 2 for its factorial code F and 19/10 for its invertible code B, reached by
predictors trained on the frozen codes), the Fisher test and the verdict rule, and that the
variants of a setting start from the same weights and see the same patterns. The family core's
own checks are in tests/test_pm_core.py."""
import math

import numpy as np
from conftest import load_stub

from shared.pm import core

pm = load_stub("predictability-min-binary-factors")


def test_ensembles():
    X, w = pm.ensemble("local", 4, "uniform")
    assert np.array_equal(X, np.eye(4)) and np.array_equal(w, np.ones(4))
    X, w = pm.ensemble("distributed", 2, "1/9-4/9")
    assert X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]          # x^a, x^b, x^c, x^d
    assert w.tolist() == [1, 2, 2, 4] and w.sum() == 9
    X, _ = pm.ensemble("distributed", 4, "uniform")
    assert len({tuple(r) for r in X}) == 16
    # the two input bits of the 1/9..4/9 ensemble are independent: the inputs are a factorial code
    rep = pm.code_report(pm.ensemble("distributed", 2, "1/9-4/9")[0][None] * 0.98 + 0.01,
                         np.array([1, 2, 2, 4]) / 9)
    assert rep["factorial"][0]


CODE_F = np.array([[1, 1], [0, 1], [1, 0], [0, 0]], float)          # the paper's factorial code
CODE_B = np.array([[0, 1], [0, 0], [1, 0], [1, 1]], float)          # invertible, not factorial
P9 = np.array([1, 2, 2, 4]) / 9


def soft(c, eps=0.02):
    return c * (1 - 2 * eps) + eps


def test_code_report_known_codes():
    uniform = np.full(4, 0.25)
    y = np.stack([soft(CODE_F), soft(CODE_B), soft(CODE_F[:, [0, 0]]), soft(np.c_[CODE_F, np.full(4, 0.6)]
                                                                             [:, [0, 1]])])
    rep = pm.code_report(y, P9)
    assert rep["factorial"].tolist() == [True, False, False, True]
    assert rep["invertible"].tolist() == [True, True, False, True]
    # uniform patterns: any 2-bit bijection is factorial; a third unit stuck at 0.6 is constant
    y3 = np.concatenate([soft(CODE_B), np.full((4, 1), 0.6)], 1)[None]
    rep = pm.code_report(y3, uniform)
    assert rep["factorial"][0] and rep["constant"][0] == 1
    # a unit that is neither binary nor constant spoils the binary criterion
    y4 = soft(CODE_B).copy()
    y4[0, 0] = 0.3
    assert not pm.code_report(y4[None], uniform)["binary"][0]
    # the paper's rule: within 0.05 of 0 or 1
    assert pm.code_report(soft(CODE_B, 0.05)[None], uniform)["binary"][0]
    assert not pm.code_report(soft(CODE_B, 0.06)[None], uniform)["binary"][0]
    # distinct code words of 16 uniform patterns coded by 4 units with two patterns merged
    X16 = pm.ensemble("distributed", 4, "uniform")[0]
    y16 = soft(X16.copy())
    y16[1] = y16[0]
    rep = pm.code_report(y16[None], np.full(16, 1 / 16))
    assert rep["distinct"][0] == 15 and not rep["invertible"][0]


def optimal_vc(y, w):
    """V_C = 1/2 sum_p w_p sum_i (E[y_i | y_-i] - y_i)^2 with exact conditional expectations."""
    total = 0.0
    for i in range(y.shape[1]):
        rest = [tuple(r) for r in np.delete(y, i, 1)]
        for key in set(rest):
            sel = np.array([r == key for r in rest])
            m = (w[sel] * y[sel, i]).sum() / w[sel].sum()
            total += 0.5 * (w[sel] * (m - y[sel, i]) ** 2).sum()
    return total


def test_paper_vc_values_of_codes_f_and_b():
    w = np.array([1, 2, 2, 4], float)
    assert math.isclose(optimal_vc(CODE_F, w), 2.0)
    assert math.isclose(optimal_vc(CODE_B, w), 1.9)
    # the core's predictors (one hidden unit each, as in the paper) reach those values on the
    # frozen codes by plain descent of E_P
    rng = np.random.default_rng(0)
    y = np.stack([CODE_F, CODE_B])
    pp = core.init_predictors(rng, 2, 2, 1, 1.0)
    for _ in range(3000):
        _, pc = core.predictor_forward(pp, y)
        gp, _ = core.predictor_backward(pp, pc, y, w, need_dz=False)
        for k in pp:
            pp[k] -= 1.0 * gp[k]
    E = core.objective(core.predictor_forward(pp, y)[0], y, w)
    assert np.allclose(E, [2.0, 1.9], atol=2e-3)


def test_fisher_and_verdicts():
    assert math.isclose(pm.fisher_p(3, 10, 3, 10), 1.0)
    assert math.isclose(pm.fisher_p(0, 10, 10, 10), 2 / math.comb(20, 10))
    assert math.isclose(pm.fisher_p(6, 30, 8, 10), pm.fisher_p(8, 10, 6, 30))
    assert pm.fisher_p(6, 30, 8, 10) < 0.01 and pm.agrees(20, 30, 8, 10) and not pm.agrees(6, 30, 8, 10)
    assert [pm.verdict_readings(a, b) for a, b in ((True, True), (True, False), (False, True),
                                                   (False, False))] == ["yes", "partial", "partial", "no"]


def test_variants_share_start_and_patterns():
    cfg = dict(pm.DEFAULTS, runs=3, budget_scale=0.002, settings=["u2"])
    rs = {"init": np.random.default_rng(1), "data": np.random.default_rng(2)}
    vs = [pm.variant("full", 1.0, 0.3), pm.variant("own", 1.0, 0.3), pm.variant("full", 2.0, 0.3)]
    outs = pm.run_setting("u2", cfg, rs, vs)
    y0 = [o["film_y"][0] for o in outs]
    assert np.array_equal(y0[0], y0[1]) and not np.array_equal(y0[0], y0[2])
    # same directions: the init-2 run's weights are twice the init-1 run's at the start
    rs = {"init": np.random.default_rng(1), "data": np.random.default_rng(2)}
    cfg0 = dict(cfg, budget_scale=1e-9)
    outs = pm.run_setting("n1", cfg0, rs, [pm.variant("full", 1.0, 0.3), pm.variant("full", 2.0, 0.3)])
    assert outs[0]["total"] == 1 and len(outs[0]["first"]) == 3
