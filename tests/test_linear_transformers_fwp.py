"""Checks of stubs/linear-transformers-fwp: the two retrieval settings' generators on hand-worked
cases, gather/scatter as adjoints, the model's closed-form delta rule against its recurrence, the
gradient of the whole model, a hand-built net that solves setting 1 with the sum rule and setting 2
with the delta rule (and what the sum rule does with updates), the evaluation, the fingerprint and
the verdict rules. The family core's own checks are in tests/test_fast_weights_linear_attention.py."""
import numpy as np
import pytest

from conftest import load_stub

lt = load_stub("linear-transformers-fwp")
CFG = dict(lt.DEFAULTS, n_seeds=2, lyap_steps=60, lyap_transient=20, lyap_streams=3)


def test_last_value_on_a_hand_worked_sequence():
    k = np.array([2, 0, 2, 1, 0])[:, None]
    v = np.array([5, 6, 7, 8, 9])[:, None]
    val, present = lt.last_value(k, v, np.array([0, 1, 2, 3])[:, None])
    assert val[:3, 0].tolist() == [9, 8, 7] and present[:, 0].tolist() == [True, True, True, False]


def test_generators_of_the_two_settings():
    rng = np.random.default_rng(0)
    k, v, q, tgt = lt.batch(rng, 2, 50, 7, False)            # setting 1: permutations, T = N
    assert k.shape == (7, 2, 50) and (np.sort(k, axis=0) == np.arange(7)[:, None, None]).all()
    assert (np.sort(v, axis=0) == np.arange(7)[:, None, None]).all()
    pos = np.argmax(k == q[None], axis=0)                      # the query's only position
    assert (np.take_along_axis(v, pos[None], 0)[0] == tgt).all()
    k, v, q, tgt = lt.batch(rng, 2, 400, 7, True)             # setting 2: with replacement, T = 2N
    assert k.shape == (14, 2, 400) and (k == q[None]).any(0).all()
    assert np.mean([len(np.unique(k[:, 0, b])) for b in range(400)]) < 7     # keys do repeat
    last = 13 - np.argmax((k == q[None])[::-1], axis=0)
    assert (np.take_along_axis(v, last[None], 0)[0] == tgt).all()


def test_gather_and_scatter_are_adjoints():
    rng = np.random.default_rng(1)
    M, idx = rng.normal(size=(3, 6, 4)), rng.integers(0, 6, (5, 3, 2))
    G = rng.normal(size=(5, 3, 2, 4))
    assert np.isclose((lt.gather(M, idx, 1) * G).sum(), (M * lt.scatter(idx, G, 6, 1)).sum())


@pytest.mark.parametrize("fmap", ["linear", "dpfp"])
def test_closed_form_delta_rule_equals_the_recurrence_in_the_model(fmap):
    rng = np.random.default_rng(2)
    p = lt.init_params(rng, 2, 6, 8, "delta")
    data = lt.batch(rng, 2, 4, 6, True)
    l1, c1, y1 = lt.forward(p, *data, fmap, "delta", "parallel")
    l2, c2, y2 = lt.forward(p, *data, fmap, "delta", "recurrent")
    assert np.allclose(y1, y2, atol=1e-13) and np.allclose(l1, l2, atol=1e-13)
    g1, g2 = lt.backward(p, c1, "delta"), lt.backward(p, c2, "delta")
    assert all(np.allclose(g1[k], g2[k], atol=1e-12) for k in g1)


@pytest.mark.parametrize("fmap,rule", [("linear", "sum"), ("dpfp", "delta")])
def test_model_gradient(fmap, rule):
    checks = lt.cli.load_sibling(lt.__file__, "linear_transformers_fwp_checks", vars(lt))
    errs = checks.model_errors(np.random.default_rng(3), fmap, rule, "s2", "parallel")[0]
    assert max(errs.values()) < 1e-6, errs


def hand_net(N, rule):
    """A net built by hand: key token i -> x with x_2i = x_2i+1 = 1, so its DPFP-1 features are
    the one-hot e_{2i+1} (orthogonal keys, d = 2N); queries likewise; beta = sigmoid(40) ~ 1."""
    d = 2 * N
    p = lt.init_params(np.random.default_rng(0), 1, N, d, rule)
    p = {k: np.zeros_like(v) for k, v in p.items()}
    p["E"][0, :, :N] = np.eye(N)
    for i in range(N):
        p["Wk"][0, 2 * i: 2 * i + 2, N + i] = 1.0
        p["Wq"][0, 2 * i: 2 * i + 2, i] = 1.0
    if rule == "delta":
        p["bb"][:] = 40.0
    return p


def test_hand_built_nets():
    """Orthogonal keys: the sum rule retrieves every value in setting 1 and the delta rule in
    setting 2; the sum rule with updates returns the average of a key's values instead."""
    N, rng = 6, np.random.default_rng(4)
    loss, acc = lt.evaluate(hand_net(N, "sum"), rng, 20, N, N, False, "dpfp", "sum")
    assert loss[0] < 1e-9 and acc[0] == 1.0
    loss, acc = lt.evaluate(hand_net(N, "delta"), rng, 20, N, 2 * N, True, "dpfp", "delta")
    assert loss[0] < 1e-9 and acc[0] == 1.0
    loss, _ = lt.evaluate(hand_net(N, "sum"), rng, 20, N, 2 * N, True, "dpfp", "sum")
    assert loss[0] > 0.05
    # the training loss agrees with the evaluation (same net, one query per sequence)
    data = lt.batch(rng, 1, 64, N, True)
    assert lt.forward(hand_net(N, "delta"), *data, "dpfp", "delta")[0][0] < 1e-9
    # its fast-weight map wipes a written key's direction (1 - beta |kt|^2 ~ 0 per write): very
    # negative exponents for the N written directions, exactly 0 for the N features no key uses
    lam, beta_mean, kt2 = lt.dynamics().fingerprint(hand_net(N, "delta"), rng, N, "dpfp", "delta", CFG)
    assert beta_mean > 0.999 and np.isclose(kt2, 1.0)
    assert (np.sort(lam[0, 0])[:N] < -1).all() and np.allclose(np.sort(lam[0, 0])[N:], 0.0, atol=1e-12)
    lam = lt.dynamics().fingerprint(hand_net(N, "sum"), rng, N, "dpfp", "sum", CFG)[0]
    assert np.abs(lam).max() < 1e-12                            # the identity map, to round-off


def test_training_reduces_the_loss_and_is_deterministic():
    cfg = dict(CFG, max_steps=300, eval_seqs=4)
    outs = []
    for _ in range(2):
        rs = lt.streams(0, ["init", "train", "eval"])
        outs.append(lt.train(cfg, rs, 5, 16, "s1", "dpfp", "sum"))
    a, b = outs
    assert np.array_equal(a["loss"], b["loss"]) and np.array_equal(a["steps"], b["steps"])
    first = a["curve"][0]
    assert (a["loss"] < first).all() or (a["how"] == ["solved", "solved"])


def test_verdict_rules():
    assert lt.first_failure({5: 1e-4, 10: 5e-4, 15: 0.03, 20: 0.1}, 1e-3) == (15, True)
    assert lt.first_failure({5: 1e-4, 10: 0.02, 15: 5e-4}, 1e-3) == (10, False)
    assert lt.first_failure({5: 1e-4}, 1e-3) == (None, True)
    # paper: linear fails from N = 60 at d = 64 -> 15 here
    assert lt.verdict_capacity(15, True, 60, 5, 40) == "yes"
    assert lt.verdict_capacity(20, True, 60, 5, 40) == "yes"
    assert lt.verdict_capacity(25, True, 60, 5, 40) == "partial"
    assert lt.verdict_capacity(15, False, 60, 5, 40) == "partial"
    assert lt.verdict_capacity(5, True, 120, 5, 40) == "no"
    assert lt.verdict_capacity(None, True, 60, 5, 40) == "no"
    assert lt.verdict_capacity(None, True, 120, 5, 40) == "open"
    s = {5: 0.1, 10: 0.11, 15: 0.12, 20: 0.12, 25: 0.12, 30: 0.13}
    assert lt.verdict_updates(s, {5: 1e-3, 10: 2e-3, 15: 5e-3, 20: 0.01, 25: 0.011, 30: 0.05}, 100) == "yes"
    slow = {5: 1e-3, 10: 2e-3, 15: 5e-3, 20: 0.03, 25: 0.011, 30: 0.05}
    assert lt.verdict_updates(s, slow, 100) == "partial"
    assert lt.verdict_updates(s, {5: 1e-3, 10: 0.2, 15: 5e-3, 20: 0.01, 25: 0.011, 30: 0.05}, 100) == "no"
