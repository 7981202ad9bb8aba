"""Checks of stubs/pole-balance-markov-vac: the hand-written gradients (both nets, the critic's action
input, the controller's state gradient, the closed loop's Jacobian), the cart-pole against worked
values, the pain vector, a hand-built linear controller that balances and whose linearisation the
stub computes right, the pairing of the groups (identical while the controller waits), the trial
bookkeeping, the sign test and the verdict rules."""
import numpy as np

from conftest import load_stub
from shared.gradcheck import TOLERANCE

pb = load_stub("pole-balance-markov-vac")


def test_gradients_match_central_differences():
    errs = pb.gradcheck()
    assert len(errs) == 11
    assert all(v < TOLERANCE for v in errs.values()), errs


def test_cart_pole_step_worked_values():
    # at rest upright with no force nothing moves
    s = np.zeros((1, 4))
    assert np.array_equal(pb.plant_step(s, np.zeros(1)), s)
    # 10 N at rest upright: temp = 10 / 1.1, theta'' = -temp / (0.5 (4/3 - 0.1 / 1.1)),
    # x'' = temp - 0.05 theta'' / 1.1; Euler moves only the velocities in the first step
    temp = 10 / 1.1
    thacc = -temp / (0.5 * (4 / 3 - 0.1 / 1.1))
    xacc = temp - 0.05 * thacc / 1.1
    s1 = pb.plant_step(s, np.array([10.0]))[0]
    assert np.allclose(s1, [0.0, 0.02 * xacc, 0.0, 0.02 * thacc])
    assert abs(thacc + 14.634) < 1e-3 and abs(xacc - 9.756) < 1e-3
    # a tilted pole at rest falls further (gravity), and positions move with the old velocities
    s = np.array([[0.1, 0.5, 0.1, -0.2]])
    s1 = pb.plant_step(s, np.zeros(1))[0]
    assert np.isclose(s1[0], 0.1 + 0.02 * 0.5) and np.isclose(s1[2], 0.1 - 0.02 * 0.2)
    assert s1[3] > -0.2


def test_pain_vector():
    s = np.array([[0.0, 0, 0, 0], [2.5, 0, 0, 0], [0, 0, -0.22, 0], [-2.41, 0, 0.3, 0],
                  [2.39, 9, 0.2, 9]])
    assert pb.pains(s).tolist() == [[0, 0], [0, 1], [1, 0], [1, 1], [0, 0]]
    p = np.array([[1.0, 1.0], [0.0, 1.0]])
    assert pb.pain_targets(p, np.array([True, False])).tolist() == [[1, 1], [1, 0]]


def discrete_lqr_gain(A, b, q, r, n_iter=2000):
    P = np.diag(q)
    for _ in range(n_iter):
        k = (b @ P @ A) / (r + b @ P @ b)
        P = np.diag(q) + A.T @ P @ (A - np.outer(b, k))
    return k


def hand_built_controller():
    """A linear LQR controller u = -k s, written as the stub's controller with one small-gain
    hidden unit (tanh nearly linear over the balancing range)."""
    J, Jf = pb.plant_jacobian(np.zeros(4), 0.0)
    k = discrete_lqr_gain(J, Jf * pb.F_MAX, [1.0, 0.1, 10.0, 0.1], 1.0)
    a = 0.01
    P = {"W1": (-k * pb.SCALE * a)[None, :, None], "b1": np.zeros((1, 1)),
         "w2": np.array([[1.0 / a]]), "b2": np.zeros(1)}
    return P, J, Jf, k


def test_hand_built_controller_balances_and_its_linearisation():
    P, J, Jf, k = hand_built_controller()
    lam, f0 = pb.upright_linearisation(P)
    # independent: A - b k with the small-signal gain of tanh(tanh(.)) at 0 (= 1)
    ref = np.linalg.eigvals(J - pb.F_MAX * np.outer(Jf, k))
    assert np.allclose(np.sort_complex(lam[0]), np.sort_complex(ref), atol=1e-9)
    assert f0[0] == 0.0 and np.abs(lam).max() < 1
    starts = np.random.default_rng(0).uniform(-0.05, 0.05, (5, 4))
    assert (pb.evaluate(P, starts, 3000) == 3000).all()
    # the same controller with its sign flipped pushes the wrong way and fails fast
    Pw = dict(P, w2=-P["w2"])
    assert np.abs(pb.upright_linearisation(Pw)[0]).max() > 1
    assert (pb.evaluate(Pw, starts, 3000) < 100).all()


def test_groups_are_paired_while_the_controller_waits():
    cfg = dict(pb.DEFAULTS, runs=2, steps=300, warmup=300, long=50)
    actor, critic = pb.init_nets(np.random.default_rng(0), 2, cfg)
    tile = lambda d: {k: np.concatenate([v, v]) for k, v in d.items()}   # noqa: E731
    noise = np.tile(np.random.default_rng(1).standard_normal((300, 2)), (1, 2))
    vector = np.array([True, True, False, False])
    a, c, rec = pb.train(cfg, tile(actor), tile(critic), vector, np.ones(4, bool), np.full(4, 0.9),
                         np.full(4, 0.95), noise)
    A = rec.arrays()
    for r in range(2):           # vector run r and scalar run r behave identically
        assert A["trial_length"][A["trial_run"] == r].tolist() == \
            A["trial_length"][A["trial_run"] == r + 2].tolist()
    assert np.array_equal(a["W1"][:2], a["W1"][2:])       # the controller never moved
    assert np.array_equal(a["W1"][:2], actor["W1"])
    assert not np.array_equal(c["W2"][:2], c["W2"][2:])   # the critics learned differently
    assert np.all(c["W2"][2:, :, 1] == 0)                 # the scalar critic's unused output stays 0


def test_trial_bookkeeping():
    rec = pb.Trials(3, long=3)
    p0 = np.zeros((3, 2))
    rec.update(0, p0, np.zeros(3, bool))
    p = np.array([[1.0, 0], [0, 0], [1.0, 1.0]])
    rec.update(1, p, p.any(1))
    for t in range(2, 5):
        rec.update(t, p0, np.zeros(3, bool))
    A = rec.arrays()
    assert A["trial_run"].tolist() == [0, 2] and A["trial_length"].tolist() == [2, 2]
    assert A["trial_cause"].tolist() == [1, 3] and A["trial_end"].tolist() == [2, 2]
    assert rec.first_long.tolist() == [1, 0, 1] and rec.first_long_step.tolist() == [5, 3, 5]


def test_sign_test():
    assert pb.sign_test(0, 5) == 0.0625 and pb.sign_test(5, 0) == 0.0625
    assert pb.sign_test(3, 3) == 1.0 and pb.sign_test(0, 0) == 1.0
    assert abs(pb.sign_test(2, 10) - 0.0386) < 1e-4


def metrics(v_bal, s_bal, v_first, s_first, p, R=20):
    return {"vector": {"balanced": v_bal, "runs": R}, "scalar": {"balanced": s_bal, "runs": R},
            "vector vs scalar": {"vector_first": v_first, "scalar_first": s_first, "sign_test_p": p}}


def test_verdict_rules():
    assert pb.verdict_learns(metrics(10, 0, 0, 0, 1)) == "partial"
    assert pb.verdict_learns(metrics(9, 0, 0, 0, 1)) == "open"
    assert pb.verdict_vector_vs_scalar(metrics(2, 2, 1, 1, 1.0)) == "open"
    assert pb.verdict_vector_vs_scalar(metrics(12, 8, 9, 4, 0.27)) == "partial"
    assert pb.verdict_vector_vs_scalar(metrics(8, 8, 3, 5, 0.73)) == "partial"
    assert pb.verdict_vector_vs_scalar(metrics(12, 8, 3, 10, 0.02)) == "open"
    assert pb.verdict_vector_vs_scalar(metrics(4, 14, 2, 12, 0.01)) == "open"
    assert pb.verdict_vector_vs_scalar(metrics(0, 5, 0, 5, 0.06)) == "open"
    assert pb.verdict_vector_vs_scalar(metrics(4, 14, 6, 8, 0.79)) == "open"
