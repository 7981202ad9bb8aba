"""The 1997 experiments' lock-step online training driver (shared/lstm1997/online.py): the loop
equals the same loop written out by hand, bit for bit; ST3Rule stops each net when its window is
full of correct sequences; stopped nets keep their weights; the probe snapshots and the kinds run
side by side."""
import numpy as np
import pytest

from shared.lstm1997 import cell, nets, online, tanh_rnn
from shared.online import ST3


def _stream(S, T=9, n_in=2, n_out=None, seed=0):
    """A toy stream: random inputs, lengths T .. T + 2, targets in (0, 1)."""
    rng = np.random.default_rng(seed)

    def draw(n):
        x = rng.normal(size=(T + 2, S, n, n_in))
        target = rng.uniform(0.2, 0.8, size=(S, n) if n_out is None else (S, n, n_out))
        return x, target, rng.integers(T, T + 3, size=(S, n))
    return draw


def _by_hand(net, p, draw, max_sequences, lr, window, max_mean, tol):
    """The online regime written out: one sequence per net, truncated gradient, w -= lr dE/dw,
    ST3 after each update, stopped nets frozen."""
    S = p["W"].shape[0]
    st3 = ST3(S, window, max_mean)
    for k in range(max_sequences):
        if k % online.CHUNK == 0:
            xs, ts, lens = draw(online.CHUNK)
        j = k % online.CHUNK
        L = int(lens[:, j].max())
        last = lens[:, j:j + 1] - 1
        cache = net.forward(p, xs[:L, :, j:j + 1])
        y, _ = net.readout(p, cache, last)
        err = y[:, 0] - ts[:, j]
        g = net.grads(p, cache, last, err[:, None])
        for n in p:
            p[n] -= lr * g[n] * st3.active.reshape((-1,) + (1,) * (p[n].ndim - 1))
        e = err.reshape(S, -1)
        st3.update(k, np.abs(e).max(axis=1) < tol, (e ** 2).sum(axis=1))
        if not st3.active.any():
            break
    return p, st3.stopped_at, k + 1


def test_the_driver_is_the_loop_written_out():
    net = nets.BlocksNet(cell.Blocks(2, 2, 2), n_out=2)
    p0 = net.init(np.random.default_rng(1), 3, in_bias=[-1.0, -2.0])
    p_hand, stop_hand, n_hand = _by_hand(net, {k: v.copy() for k, v in p0.items()},
                                         _stream(3, n_out=2), 300, 0.5, 20, 0.05, 0.3)
    rule = online.ST3Rule(3, 20, 0.05, 0.3)
    out = online.train(net, {k: v.copy() for k, v in p0.items()}, _stream(3, n_out=2), rule, 300, lr=0.5)
    for k in p0:
        np.testing.assert_array_equal(out["params"][k], p_hand[k])
    np.testing.assert_array_equal(rule.st3.stopped_at, stop_hand)
    assert out["n_trained"] == n_hand and not np.array_equal(out["params"]["W"], p0["W"])


def test_st3_rule_stops_each_net_when_its_window_is_full_and_freezes_it():
    """With a tolerance every sequence meets, every net stops at the window; its weights then stay."""
    net = nets.TanhNet(2, 4)
    p = net.init(np.random.default_rng(2), 2)
    rule = online.ST3Rule(2, 7, max_mean=10.0, tol=10.0)
    logged = []
    out = online.train(net, p, _stream(2), rule, 50, lr=0.1, log=logged.append, log_every=5)
    assert rule.st3.stopped_at.tolist() == [7, 7] and out["n_trained"] == 7
    assert logged == [4, 6]                               # every 5th sequence, and when all stopped


def test_st3_readings_of_the_mean_error():
    """Every sequence correct at tol 0.04 with |err| = 0.03: the squared reading's mean (9e-4) is
    under 0.01 whatever happens, the absolute one (0.03) is not; |err| = 0.005 passes both."""
    for err, stops in ((0.03, {"squared": True, "absolute": False}),
                       (0.005, {"squared": True, "absolute": True})):
        for reading, expect in stops.items():
            rule = online.ST3Rule(2, 5, 0.01, 0.04, error=reading)
            for k in range(5):
                rule.update(k, np.full((2, 1), err) * [[1.0], [-1.0]])
            assert (rule.st3.stopped_at == 5).all() == expect, (err, reading)
    with pytest.raises(ValueError):
        online.ST3Rule(2, 5, 0.01, 0.04, error="cubed")


def test_only_active_nets_move():
    rng = np.random.default_rng(3)
    p = {"W": rng.normal(size=(3, 4, 2)), "V": rng.normal(size=(3, 5))}
    before = {k: v.copy() for k, v in p.items()}
    g = {k: np.ones_like(v) for k, v in p.items()}
    online.sgd_step_active(p, g, 0.5, np.array([True, False, True]))
    for k in p:
        np.testing.assert_array_equal(p[k][1], before[k][1])
        np.testing.assert_array_equal(p[k][[0, 2]], before[k][[0, 2]] - 0.5)


def test_probe_snapshots():
    rng = np.random.default_rng(4)
    net = nets.BlocksNet(cell.Blocks(2, 2, 2))
    p = net.init(rng, 3)
    x = rng.normal(size=(9, 1, 1, 2))
    state, y = online.probe_every_net(net, (x, np.array([[8]])))(p)
    assert state.shape == (9, 4) and y.shape == (3,)
    rnn = nets.TanhNet(2, 5, n_out=4, forward=tanh_rnn.forward)
    q = rnn.init(rng, 3)
    xs = rng.normal(size=(9, 1, 2, 2))
    h, y0 = online.probe_net0(rnn, (xs, np.array([[8, 6]])))(q)
    assert h.shape == (9, 2, 5) and y0.shape == (2, 4)
    assert online.probe_every_net(net, None) is None and online.probe_net0(net, None) is None


def _train_toy(kind, S, T, max_sequences, rng_init, rng_data, probe=None, n_snaps=40, log_every=5000,
               timer=None, lr=0.5):
    """A stub's train_online in miniature (module level: the workers import it by name)."""
    net = nets.TanhNet(2, 3)
    p = net.init(rng_init, S)
    draw = _stream(S, T=T, seed=int(rng_data.integers(1 << 30)))
    return online.train(net, p, draw, online.ST3Rule(S, 5, 0.0, 0.0), max_sequences, lr=lr, name=kind)


def test_kinds_train_side_by_side_on_one_data_stream():
    cfg = {"n_seeds": 2, "T": 6, "max_sequences": 12, "n_snaps": 2, "log_every": 100, "lr": 0.3}
    names = ["init_a", "init_b", "data"]
    one = online.train_kinds(_train_toy, ["a", "b"], 0, cfg, None, names, workers=1)
    two = online.train_kinds(_train_toy, ["a", "b"], 0, cfg, None, names, workers=2)
    assert set(one) == {"a", "b"} and {"wall_s", "cpu_s", "load"} <= set(one["a"])
    for kind in one:
        np.testing.assert_array_equal(one[kind]["params"]["W"], two[kind]["params"]["W"])
    assert not np.array_equal(one["a"]["params"]["W"], one["b"]["params"]["W"])   # own init streams


def test_verdicts_on_the_stopping_rule_rows():
    assert [online.verdict_all_met(k, 10) for k in (10, 3, 0)] == ["yes", "partial", "no"]
    assert online.verdict_sequences(None, 0, 10, 1000) == "no"
    assert online.verdict_sequences(1999.0, 10, 10, 1000) == "yes"
    assert online.verdict_sequences(2001.0, 10, 10, 1000) == "partial"        # slower than twice the paper
    assert online.verdict_sequences(500.0, 9, 10, 1000) == "partial"          # not every net
