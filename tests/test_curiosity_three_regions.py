"""Checks of stubs/curiosity-three-regions: the world, the batched step against a plain one-agent
step written out like the paper's five steps, the delta rule's known answer in a deterministic
state, the curiosity reward's telescoping sum, random search's actions, the threshold timing with
censored runs, the verdict rules and a bad flag in one line."""
import numpy as np

from conftest import ROOT, load_stub, run_stub

STUB = ROOT / "stubs" / "curiosity-three-regions"
ct = load_stub("curiosity-three-regions")
PAR = dict(eta_c=0.3, alpha=0.5, gamma=0.9, eta_a=1.0)


def test_world():
    nxt = ct.grid_moves()
    assert nxt[0, 0] == 0 and nxt[0, 3] == 0 and nxt[0, 1] == 1 and nxt[0, 2] == 10   # corner: N, W stay
    assert nxt[99, 1] == 99 and nxt[99, 2] == 99 and nxt[55, 0] == 45
    sizes = {w: int(ct.det_mask(w).sum()) for w in ct.WORLDS}
    assert sizes == {"9%": 9, "25%": 25, "50%": 50}
    assert ct.det_mask("9%")[9] and ct.det_mask("9%")[27] and not ct.det_mask("9%")[30]


def plain_step(net, s, env, par, p, a_rand, d_rand):
    """One agent, one step, in the order the paper lists (steps 2-4 as reconstructed)."""
    a = a_rand if p < par["eps"] else int(np.argmax(net["A"][s]))             # 1.
    s2 = env["next"][s, a]                                                      # 2.
    d = env["react"][s, a] if env["det"][s] else d_rand
    k = 4 * s + a
    e = (d - net["M"][k]) ** 2                                                  # 3.
    before = net["C"][k]
    net["C"][k] = before + par["eta_c"] * (e - before)
    r = par["sign"] * (before - net["C"][k])
    net["M"][k] = net["M"][k] + par["eta_m"] * (d - net["M"][k])
    net["Q"][k] = net["Q"][k] + par["alpha"] * (r + par["gamma"] * net["U"][s2] - net["Q"][k])   # 4.
    q = net["Q"][4 * s:4 * s + 4]
    net["A"][s] = net["A"][s] + par["eta_a"] * (np.eye(4)[int(np.argmax(q))] - net["A"][s])
    net["U"][s] = q.max()                                                       # 5.
    return s2, r


def test_batched_step_matches_plain_loop():
    rng = np.random.default_rng(3)
    N, T = 6, 300
    det = np.array([ct.det_mask(w) for w in ("9%", "25%", "50%", "9%", "25%", "50%")])
    env = {"next": ct.grid_moves(), "det": det, "react": rng.uniform(-1, 1, (N, 100, 4))}
    par = {"eps": np.array([0.1, 0.1, 0.1, 1, 1, 1.0]), "eta_m": np.full(N, 0.2),
           "sign": np.array([1, -1, 1, 1, 1, 1.0]), **PAR}
    net = {"M": rng.uniform(-.1, .1, (N, 400)), "C": rng.uniform(-.1, .1, (N, 400)),
           "Q": rng.uniform(-.1, .1, (N, 400)), "U": rng.uniform(-.1, .1, (N, 100)),
           "A": rng.uniform(-.1, .1, (N, 100, 4))}
    plain = [{k: v[i].copy() for k, v in net.items()} for i in range(N)]
    s = rng.integers(0, 100, N)
    sp = s.copy()
    for _ in range(T):
        draws = {"p": rng.random(N), "a": rng.integers(0, 4, N), "d": rng.uniform(-1, 1, N)}
        s, _, r = ct.step(net, s, env, par, draws)
        for i in range(N):
            pi = {k: (v[i] if np.ndim(v) else v) for k, v in par.items()}
            envi = {"next": env["next"], "det": det[i], "react": env["react"][i]}
            sp[i], ri = plain_step(plain[i], sp[i], envi, pi, draws["p"][i], draws["a"][i], draws["d"][i])
            assert np.isclose(ri, r[i], rtol=1e-12, atol=1e-15)
    assert np.array_equal(s, sp)
    for k in net:
        assert np.allclose(np.stack([p[k] for p in plain]), net[k], rtol=1e-12, atol=1e-15), k


def one_agent(state, action, det, eta_m, c0=0.0, sign=1.0):
    env = {"next": ct.grid_moves(), "det": det[None], "react": np.full((1, 100, 4), 0.8)}
    par = {"eps": np.array([1.0]), "eta_m": np.array([eta_m]), "sign": np.array([sign]), **PAR}
    net = {"M": np.zeros((1, 400)), "C": np.full((1, 400), c0), "Q": np.zeros((1, 400)),
           "U": np.zeros((1, 100)), "A": np.zeros((1, 100, 4))}
    return env, par, net


def test_delta_rule_known_answer_and_reward_telescopes():
    # state 9 (top-right corner) is deterministic in every world; north keeps the agent there
    env, par, net = one_agent(9, 0, ct.det_mask("9%"), eta_m=0.1, c0=0.5)
    s, rewards = np.array([9]), []
    for n in range(1, 41):
        draws = {"p": np.array([0.0]), "a": np.array([0]), "d": np.array([0.0])}
        s, a, r = ct.step(net, s, env, par, draws)
        assert s[0] == 9 and a[0] == 0
        rewards.append(r[0])
        # M's error after n visits: (1 - eta_M)^(2n) d^2
        assert np.isclose((0.8 - net["M"][0, 36]) ** 2, 0.9 ** (2 * n) * 0.64, rtol=1e-10)
    # the reward is the change of C's output, so its sum is C's total fall
    assert np.isclose(sum(rewards), 0.5 - net["C"][0, 36], rtol=1e-12)
    # while M improves and C still assumes more error than M makes, the reward is positive
    assert rewards[-1] > 0


def test_random_state_reward_has_no_learnable_part():
    # a random state (0 is random in the 9% world): M's best prediction stays the mean 0 it starts
    # at, C converges to E d^2 = 1/3 and the reward's sum is C's fall from 0 to 1/3, negative
    rng = np.random.default_rng(0)
    env, par, net = one_agent(0, 0, ct.det_mask("9%"), eta_m=0.01)
    s, total, cs = np.array([0]), 0.0, []
    for _ in range(4000):
        draws = {"p": np.array([0.0]), "a": np.array([0]), "d": rng.uniform(-1, 1, 1)}
        s, _, r = ct.step(net, s, env, par, draws)
        total += r[0]
        cs.append(net["C"][0, 0])
    assert abs(net["M"][0, 0]) < 0.1 and abs(np.mean(cs[2000:]) - 1 / 3) < 0.03
    assert np.isclose(total, -net["C"][0, 0], rtol=1e-9)


def test_random_search_takes_the_drawn_actions():
    env, par, net = one_agent(44, 0, ct.det_mask("50%"), eta_m=0.1)
    net["A"][:] = np.random.default_rng(1).normal(size=net["A"].shape)
    s = np.array([44])
    for a_draw in (0, 1, 2, 3, 3, 1):
        draws = {"p": np.array([0.99]), "a": np.array([a_draw]), "d": np.array([0.3])}
        s, a, _ = ct.step(net, s, env, par, draws)
        assert a[0] == a_draw


def test_first_hit_and_censoring():
    E = np.array([[10.0, 10.0], [4.0, 9.0], [0.5, 8.0], [0.05, 7.0]])[:, None, :]   # (n_log, P=1, S=2)
    hit = ct.first_hit(E, 0.1, 100)
    assert hit[0, 0] == 200 and np.isinf(hit[0, 1])
    assert ct.first_hit(E, 0.5, 100)[0, 0] == 100


def test_verdict_rules():
    def sp(first, best):
        return {"0.01": {"curious_first": first, "speedup_median": best},
                "0.1": {"speedup_median": 1.0}, "0.5": {"speedup_median": None}}
    assert ct.verdict_speedup(sp(18, 6.0), 20) == "yes"
    assert ct.verdict_speedup(sp(18, 4.0), 20) == "partial"
    assert ct.verdict_speedup(sp(12, 6.0), 20) == "partial"
    assert ct.verdict_speedup(sp(8, 6.0), 20) == "no"
    assert ct.verdict_focus({"focus_seeds": 16}, 20) == "yes"
    assert ct.verdict_focus({"focus_seeds": 10}, 20) == "no"


def test_bad_input_is_one_line(tmp_path):
    proc = run_stub(STUB, "--quick", "--log-every", "300", "--snap-every", "1000",
                    "--out", tmp_path / "r.json")
    assert proc.returncode != 0 and len(proc.stderr.strip().splitlines()) == 1
    assert "multiple" in proc.stderr
