"""Science checks of stubs/clockwork-rnn: the clockwork schedule and wiring, parameter budgets,
the target data, Jacobians and the optimiser. The gradients are checked once, by --gradcheck
(tests/test_stubs.py)."""
import numpy as np
from conftest import load_stub

from shared.gradcheck import numeric_jacobian
from shared.optim import NesterovSGD

cw = load_stub("clockwork-rnn")
STUB = cw.HERE


def test_parameter_budgets_match_the_papers_four_sizes():
    # SRN: (n + 1)^2; LSTM with peepholes: 4n^2 + 8n + 1; CW-RNN: block-triangular W
    assert [cw.n_params_rnn("srn", n, 1) for n in cw.HIDDEN["srn"]] == [100, 256, 529, 1024]
    assert [cw.n_params_lstm(n) for n in cw.HIDDEN["lstm"]] == [97, 253, 481, 1021]
    assert [cw.n_params_rnn("cw", n, 9) for n in cw.HIDDEN["cw"]] == [91, 240, 460, 971]
    # the earlier catalog's nets (constant input 1): 2,497 and 2,449 weights
    cat = cw.catalog_setting().SETTING
    assert cw.n_params_rnn("cw", 64, cat["n_modules"], n_inputs=cat["n_inputs"]) == 2497 == cat["budgets"][0]
    assert cw.n_params_rnn("srn", 48, 1, n_inputs=1) == 2449


def test_clockwork_schedule_and_slow_to_fast_wiring():
    n, g, T = 27, 9, 320
    Wm, um, act = cw.rnn_structure("cw", n, g, 30, T)
    mod = cw.cw_modules(n, g)
    assert np.bincount(mod).tolist() == [3] * 9
    # module i (period 2^i) updates exactly when t mod 2^i == 0
    for i in range(g):
        col = act[:, np.flatnonzero(mod == i)[0]]
        assert np.array_equal(np.flatnonzero(col), np.arange(0, T, 2 ** i))
    # W[j, i] (from unit j to unit i) exists only if j's module is at least as slow as i's
    assert Wm[np.flatnonzero(mod == 8)[0], np.flatnonzero(mod == 0)[0]] == 1      # slow -> fast
    assert Wm[np.flatnonzero(mod == 0)[0], np.flatnonzero(mod == 8)[0]] == 0      # fast -/-> slow
    assert Wm[n:].sum() == 0 and Wm[:, n:].sum() == 0 and um[n:].sum() == 0 and act[:, n:].sum() == 0
    assert cw.cw_modules(11, 9).tolist() == [0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8]


def test_idle_modules_keep_their_state():
    rng = np.random.default_rng(0)
    cfg = dict(cw.SETTINGS["paper"], hidden={"cw": (27,)})
    p, masks, aux = cw.build("cw", cfg, 2, rng)
    Y, (H, A) = cw.rnn_forward(p, aux["act"], 40)
    mod = cw.cw_modules(27, 9)
    slow = mod == 5                                            # period 32
    for t in range(1, 40):
        changed = np.any(H[t + 1][:, slow] != H[t][:, slow])
        assert changed == (t % 32 == 0)


def test_targets_are_the_shipped_audio_fragments():
    D = cw.load_fragments()
    assert D.shape == (5, 320)
    assert np.allclose(D.min(1), -1) and np.allclose(D.max(1), 1)
    # a plucked string: the waveform repeats with a period of about 42 samples
    d = D[0] - D[0].mean()
    ac = [np.dot(d[:-k], d[k:]) / np.dot(d, d) for k in range(20, 60)]
    assert 20 + int(np.argmax(ac)) in (41, 42, 43)
    text = (STUB / "pluck_fragments.txt").read_text()
    assert "Python Software Foundation License" in text


def test_rnn_and_cw_jacobians_match_finite_differences():
    rng = np.random.default_rng(3)
    cfg = dict(cw.SETTINGS["paper"], hidden={"cw": (10,), "srn": (6,)}, n_modules=3, init_std=0.6)
    for kind in ("cw", "srn"):
        p, _, aux = cw.build(kind, cfg, 2, rng)
        x = rng.uniform(-0.8, 0.8, (2, p["b"].shape[1]))
        for m in ([np.ones(x.shape[1])] if kind == "srn" else [aux["act"][0, 0], aux["act"][3, 0]]):
            J = cw.rnn_jacobian(p, x, m)
            Jn = numeric_jacobian(lambda z, m=m, p=p: cw.rnn_step(p, z, m), x)
            assert np.max(np.abs(J - Jn)) < 1e-8


def test_lstm_jacobian_matches_finite_differences():
    rng = np.random.default_rng(4)
    cfg = dict(cw.SETTINGS["paper"], hidden={"lstm": (5,)}, init_std=0.7, forget_bias=1.0)
    p, _, _ = cw.build("lstm", cfg, 3, rng)
    x = rng.uniform(-1, 1, (3, 10))
    J = cw.lstm_jacobians(p, cw.lstm_forward(p, 1, (x[:, :5], x[:, 5:]))[1])[0]
    Jn = numeric_jacobian(lambda z: cw.lstm_step(p, z), x)
    assert np.max(np.abs(J - Jn)) < 1e-8


def test_padding_does_not_change_a_net():
    """A net padded to a larger size (masked weights) computes exactly what it computes alone."""
    rng = np.random.default_rng(5)
    cfg = dict(cw.SETTINGS["paper"], hidden={"cw": (11, 19), "lstm": (4, 7)})
    for kind in ("cw", "lstm"):
        p, masks, aux = cw.build(kind, cfg, 1, rng)
        Y, _ = cw.forward(kind, p, aux, 50)
        n = cfg["hidden"][kind][0]
        if kind == "lstm":
            q = {"R": p["R"][:1].reshape(1, 7, 4, 7)[:, :n, :, :n].reshape(1, n, 4 * n),
                 "b": p["b"][:1].reshape(1, 4, 7)[:, :, :n].reshape(1, 4 * n),
                 "peep": p["peep"][:1, :, :n], "wy": p["wy"][:1, :n], "by": p["by"][:1]}
            Y1, _ = cw.lstm_forward(q, 50)
        else:
            q = {"W": p["W"][:1, :n, :n], "b": p["b"][:1, :n], "wy": p["wy"][:1, :n], "by": p["by"][:1]}
            Y1, _ = cw.rnn_forward(q, aux["act"][:, :1, :n], 50)
        assert np.allclose(Y[:, 0], Y1[:, 0], atol=1e-12)


def test_nesterov_step_and_masks():
    p = {"w": np.array([1.0, 2.0])}
    opt = NesterovSGD(p, lr=0.1, momentum=0.5, masks={"w": np.array([1.0, 0.0])})
    opt.step({"w": np.array([1.0, 1.0])})
    # v = -0.1 g; p += 0.5 v - 0.1 g = -0.15 g on the unmasked entry, nothing on the masked one
    assert np.allclose(p["w"], [0.85, 2.0])
    opt.step({"w": np.array([1.0, 1.0])})
    # v = 0.5 (-0.1) - 0.1 = -0.15; p += 0.5 (-0.15) - 0.1 = -0.175
    assert np.allclose(p["w"], [0.675, 2.0])


def test_training_lowers_the_error_and_keeps_the_structure():
    cfg = dict(cw.SETTINGS["paper"], hidden={"cw": (11,)}, epochs=40, lr={"cw": 3e-4}, snap_every=20)
    D = np.tile(cw.load_fragments()[:2].T, (1, 1))
    r = cw.train_kind({"kind": "cw", "cfg": cfg, "seed": 0, "D": D})
    assert r["curve"][-1].mean() < r["curve"][0].mean()
    Wm, _, _ = cw.rnn_structure("cw", 11, 9, 11, 1)
    assert np.all(r["p"]["W"][:, Wm == 0] == 0)


def test_cw_jacobian_is_block_triangular_and_identity_on_idle_modules():
    rng = np.random.default_rng(6)
    cfg = dict(cw.SETTINGS["paper"], hidden={"cw": (27,)})
    p, _, aux = cw.build("cw", cfg, 2, rng)
    mod = cw.cw_modules(27, 9)
    x = rng.uniform(-0.5, 0.5, (2, 27))
    m = aux["act"][6, 0]                                   # t = 6: modules of period 1 and 2 update
    J = cw.rnn_jacobian(p, x, m)
    # no path from a faster module into a slower one
    assert np.all(J[:, mod[:, None] > mod[None, :]] == 0)
    idle = m == 0
    assert np.array_equal(J[0][np.ix_(idle, idle)], np.eye(idle.sum()))
    assert np.all(J[:, idle][:, :, ~idle] == 0)
    # sum identity: the exponents add up to the mean log |det J| along the same sequence of steps
    lam = cw.qr_spectrum([cw.rnn_jacobian(p, x, aux["act"][t, 0]) for t in range(64)])
    logdet = np.mean([np.linalg.slogdet(cw.rnn_jacobian(p, x, aux["act"][t, 0]))[1] for t in range(64)], 0)
    assert np.allclose(lam.sum(1), logdet, atol=1e-8)
