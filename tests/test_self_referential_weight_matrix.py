"""Checks of stubs/self-referential-weight-matrix: the episode schedule on a hand-worked case, the
address layout, hand-built weights that read and write one chosen connection (so the read and
write machinery does what the 1993 equations say), the ablations' guarantees (no write leaves W
fixed; reset plus no write makes the queries blind to the demos), the exact gradient against
finite differences, the step Jacobian of the Lyapunov fingerprint, determinism and the verdicts."""
import numpy as np

from conftest import load_stub
from shared.gradcheck import numeric_jacobian

sr = load_stub("self-referential-weight-matrix")
CFG = dict(sr.DEFAULTS, n_r=2, n_demo=2, n_query=2)
L = sr.layout(sr.address_bits(0), 0)
A = sr.addresses(L)


def test_layout_is_the_smallest_self_consistent_one():
    # 9 ana + 9 mod + o + delta = 20 non-input units, 25 units, 500 connections <= 2^9
    assert (L["K"], L["N"], L["M"], L["C"]) == (9, 20, 25, 500)
    assert sr.layout(8, 0)["C"] > 2 ** 8                       # 8 bits cannot address them all
    assert len({tuple(a) for a in A}) == L["C"] and set(np.unique(A)) == {0.0, 1.0}
    assert A[5].tolist() == [0, 0, 0, 0, 0, 0, 1, 0, 1]        # connection 5 -> binary 000000101


def test_schedule_on_a_hand_worked_episode():
    fn, demo, query = np.array([2]), np.array([[3, 1]]), np.array([[1, 0]])   # XOR
    s = sr.schedule(fn, demo, query, CFG)
    assert s["x"].shape == (12, 1, 2) and s["t_query"] == 8
    assert s["x"][:, 0].tolist() == [[1, 1]] * 4 + [[0, 1]] * 4 + [[0, 1]] * 2 + [[0, 0]] * 2
    assert s["fb"].tolist() == [0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0]
    assert s["ls"].tolist() == [0] * 9 + [1, 0, 1]
    assert s["d"][2, 0] == 0 and s["d"][6, 0] == 1              # XOR(1,1) = 0, XOR(0,1) = 1
    assert s["dq"][s["ls"]][:, 0].tolist() == [1, 0]


def test_eval_is_the_error_of_the_previous_step_on_feedback_steps_only():
    # the paper's eval(t + 1) = d(t) - o(t) where a target exists, 0 elsewhere
    fn, demo, query = np.array([2, 0]), np.array([[3, 1], [0, 2]]), np.array([[1, 0], [3, 3]])
    s = sr.schedule(fn, demo, query, CFG)
    W = sr.init_weights(np.random.default_rng(5), 2, L) * 3
    c = sr.forward(W, s, np.ones(2), np.zeros(2), A, L, 4.0)
    ev = c["y"][:, :, sr.I_EVAL]                                 # (T, B)
    o_prev = c["u"][:-2, :, L["o"]]                             # o(t - 1) for t = 1 .. T - 1
    want = np.where(s["fb"][1:, None], s["d"][1:] - o_prev, 0.0)
    assert ev[0].tolist() == [0.0, 0.0] and np.array_equal(ev[1:], want)
    assert np.abs(ev[s["fb"]]).min() > 0 and not ev[~s["fb"]].any()
    # XOR(1, 1) = 0 and AND(0, 0) = 0: the first feedback step of each carries -o
    assert np.allclose(ev[2], -c["u"][1, :, L["o"]])


def test_prior_ceiling_by_hand():
    # majority labels per pair over AND, OR, XOR, NAND: 3/4, 3/4, 3/4, 1/2
    assert sr.prior_ceiling() == 0.6875


def pointer_net(target_c, part, beta_big=True):
    """W(1) whose `part` units (ana or mod) sit at connection target_c's address from step 2 on
    (weights +-12 from the constant unit) and whose delta unit is on (tanh(12))."""
    W = np.zeros((1, L["N"], L["M"]))
    rows = np.arange(L["N"])[L[part]]
    W[0, rows, sr.I_ONE] = np.where(A[target_c] > 0, 12.0, -12.0)
    W[0, L["delta"], sr.I_ONE] = 12.0
    return W


def test_hand_built_read_returns_the_addressed_weight():
    c = 3 * L["M"] + 7                       # into unit 3 (an ana unit) from unit 7
    W = pointer_net(c, "ana")
    W[0].reshape(-1)[c] = 0.37
    s = sr.schedule(np.array([0]), np.array([[0, 1]]), np.array([[0, 1]]), CFG)
    out = sr.forward(W, s, np.zeros(1), np.zeros(1), A, L, 50.0)
    # u(1) = f(0) is not an address; from step 2 on ana is c's address, so val(3) = W_c
    assert abs(out["y"][2, 0, sr.I_VAL] - 0.37) < 1e-6
    assert np.all(out["W"] == W[0])                            # writing off: W never moves


def test_hand_built_write_changes_only_the_addressed_weight():
    c = 1 * L["M"] + sr.I_ONE                # delta's own bias weight: the machinery writes itself
    W = pointer_net(c, "mod")
    s = sr.schedule(np.array([0]), np.array([[0, 1]]), np.array([[0, 1]]), CFG)
    out = sr.forward(W, s, np.ones(1), np.zeros(1), A, L, 50.0)
    dW = (out["W"][-1, 0] - W[0]).reshape(-1)
    T = s["x"].shape[0]
    # from step 2 on, delta = tanh(>= 12) and mod hits c: about +1 per step there, ~0 elsewhere
    assert abs(dW[c] - (T - 1)) < 0.01
    assert np.abs(np.delete(dW, c)).max() < 1e-6


def test_reset_and_no_write_make_queries_blind_to_the_demos():
    rng = np.random.default_rng(0)
    W = sr.init_weights(rng, 1, L) * 3
    query = np.array([[0, 3], [0, 3], [0, 3], [0, 3]])
    demo = np.array([[0, 1], [2, 3], [1, 0], [3, 2]])
    s = sr.schedule(np.arange(4), demo, query, CFG)
    Wb = np.repeat(W, 4, 0)
    blind = sr.forward(Wb, s, np.zeros(4), np.ones(4), A, L, 4.0)["o"]
    assert np.ptp(blind, axis=1).max() == 0.0                  # identical for every function
    seeing = sr.forward(Wb, s, np.ones(4), np.ones(4), A, L, 4.0)["o"]
    assert np.ptp(seeing, axis=1).max() > 1e-6                 # writing lets the demos through


def test_exact_gradient_matches_finite_differences():
    # every group (the four variants on the cross-entropy, the paper's squared error), two sharpnesses
    checks = sr.cli.load_sibling(sr.__file__, "self_referential_weight_matrix_checks", vars(sr))
    errs = checks.run_checks(np.random.default_rng(1), L, CFG, n_samples=40)
    assert max(errs.values()) < 1e-6, errs


def test_gradient_check_sees_a_missing_path_through_eval():
    # the backward pass run as if eval carried no feedback (the path eval(t + 1) = d - o(t) cut)
    # must fail the same check: the checked gradient really flows through the net's own errors
    checks = sr.cli.load_sibling(sr.__file__, "self_referential_weight_matrix_checks", vars(sr))
    rng = np.random.default_rng(6)
    per = 2
    write, reset, sse = sr.variant_masks(1, per, ["full"])
    fn, demo, query = sr.episodes(rng, per, CFG)
    s = sr.schedule(fn, demo, query, CFG)
    W0 = rng.normal(0.0, 1.0, (1, L["N"], L["M"]))

    def loss():
        return sr.forward(sr.expand(W0, per), s, write, reset, A, L, 1.0, sse=sse)["loss"]

    c, good = sr.loss_and_grad(W0, s, write, reset, A, L, 1.0, per, sse=sse)
    cut = sr.backward(c, dict(s, fb=np.zeros_like(s["fb"])), write, reset, A, L, 1.0).sum(0)[None]
    idx = rng.choice(np.flatnonzero(np.abs(good.reshape(-1)) > checks.SMALL), 30, replace=False)
    assert checks._check_entries(loss, W0, good, idx) < 1e-6
    assert checks._check_entries(loss, W0, cut, idx) > 1e-3


def test_step_jacobian_matches_finite_differences():
    # the state is z = (u, val, eval, W); eval(t + 1) = d - o(t) on feedback steps, else 0
    rng = np.random.default_rng(2)
    W = rng.normal(0, 1.0, (1, L["N"], L["M"]))
    s = sr.schedule(np.array([1]), np.array([[2, 0]]), np.array([[3, 1]]), CFG)
    fb_next = np.append(s["fb"][1:], False)
    beta = 1.0
    N = L["N"]
    for write in (1.0, 0.0):
        c = sr.forward(W, s, np.full(1, write), np.zeros(1), A, L, beta)
        for t in (1, 2, 3):                  # eval turns on at t + 1 = 2, stays on, turns off at 4
            J = sr.step_jacobian(c, t, 0, write, A, L, beta, fb_next[t])
            y = c["y"][t, 0]

            def step(z, y=y, write=write, t=t):
                u, val, ev, Wf = z[:N], z[N], z[N + 1], z[N + 2:]
                Wm = Wf.reshape(N, L["M"])
                yy = np.concatenate([y[:sr.I_EVAL], [ev, val], y[sr.I_VAL + 1:sr.N_IN], u])
                un = sr.act((Wm @ yy)[None], L)[0]
                r = sr.match(u[L["ana"]][None], A, beta)[0]
                g = sr.match(u[L["mod"]][None], A, beta)[0]
                ev_next = (s["d"][t + 1, 0] - u[L["o"]]) if fb_next[t] else 0.0
                return np.concatenate([un, [r @ Wf, ev_next], Wf + write * u[L["delta"]] * g])

            z0 = np.concatenate([c["u"][t, 0], [y[sr.I_VAL], y[sr.I_EVAL]], c["W"][t, 0].reshape(-1)])
            # the map reproduces the forward pass: its step from z(t) is z(t + 1)
            z1 = np.concatenate([c["u"][t + 1, 0], c["y"][t + 1, 0, [sr.I_VAL, sr.I_EVAL]],
                                 c["W"][t + 1, 0].reshape(-1)])
            assert np.allclose(step(z0), z1, atol=1e-12)
            num = numeric_jacobian(step, z0, eps=1e-6)
            assert np.abs(J - num).max() < 1e-7 * max(1.0, np.abs(num).max())


def test_training_is_deterministic_and_batching_changes_no_net():
    cfg = dict(CFG, iters=3, episodes=2, inits=1)
    W_init = np.tile(sr.init_weights(np.random.default_rng(3), 1, L), (len(sr.GROUPS), 1, 1))
    a = sr.train(W_init, cfg, np.random.default_rng(4), A, L)
    b = sr.train(W_init, cfg, np.random.default_rng(4), A, L)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert all(not np.allclose(a[0][i], W_init[i]) for i in range(len(sr.GROUPS)))   # all trained
    # a net's gradient does not depend on the other nets in the batch: each group's net alone on
    # its own rows of the episodes gets the same gradient as inside the batch
    per = 3
    write, reset, sse = sr.variant_masks(1, per)
    fn, demo, query = sr.episodes(np.random.default_rng(7), len(sr.GROUPS) * per, CFG)
    s = sr.schedule(fn, demo, query, CFG)
    _, g = sr.loss_and_grad(W_init, s, write, reset, A, L, 4.0, per, sse=sse)
    for p in range(len(sr.GROUPS)):
        rows = slice(p * per, (p + 1) * per)
        sp = sr.schedule(fn[rows], demo[rows], query[rows], CFG)
        _, gp = sr.loss_and_grad(W_init[p:p + 1], sp, write[rows], reset[rows], A, L, 4.0, per,
                                 sse=sse[rows])
        assert np.allclose(gp[0], g[p], rtol=1e-10, atol=1e-14)


def test_verdict_rules():
    ceil = 0.6875
    acc = {"full": [0.95, 0.9], "weights only": [0.9, 0.75], "activations only": [0.99, 0.97],
           "neither": [0.68, 0.69], sr.PAPER_RULE: [0.7, 0.8]}
    assert [r["verdict"] for r in sr.headline_rows(acc, ceil, 1e-9, 3.0)] == ["yes", "partial", "open"]
    acc = dict(acc, full=[0.6, 0.99])
    assert [r["verdict"] for r in sr.headline_rows(acc, ceil, 1e-3, 3.0)] == ["no", "open", "open"]
    # 0.7875 is not above the bar (ceiling + 0.1); a hair more is
    assert sr.verdict_meta([0.7875], ceil) == "open" and sr.verdict_meta([0.79], ceil) == "partial"


def test_fingerprint_exponents_are_finite_up_to_the_last_one_asked():
    # off feedback steps eval(t + 1) is the environment's 0 whatever the state: the step Jacobians
    # are singular, so only D - 1 exponents are finite; asking for more must not give -inf
    W = sr.init_weights(np.random.default_rng(8), 1, L)[0] * 3
    cfg = dict(sr.DEFAULTS, lyap_episodes=1, lyap_k=L["N"] + 2)
    lam, T, n = sr.fingerprint(W, W, cfg, np.random.default_rng(9), A, L)
    assert len(lam["activations only"]) == L["N"] + 1 and len(lam["full"]) == L["N"] + 2
    assert all(np.isfinite(v).all() for v in lam.values())
    assert (T, n) == (36, 1)
