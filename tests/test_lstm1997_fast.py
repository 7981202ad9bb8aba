"""The fused online step (shared/lstm1997/fast.py) against the plain path, bit for bit.

online.train runs a 1997 net trained by plain gradient descent through fast.LastStepSGD; with
fast=False it takes the plain path (net.forward, net.readout, net.grads, sgd_step_active), the
code the stubs' committed numbers were made with. The two must end with identical weights, stop
counts and outputs, for both forward passes (folded, per-net), with and without forget gate, one
or K outputs, blocks of 1, 2 or 3 cells, sequences of different lengths within each update and
from one update to the next (the buffers grow), and nets that stop and freeze on the way.
"""
import numpy as np
import pytest

from shared.lstm1997 import cell, fast, nets, online


def _stream(S, T, n_in, n_out, seed, one_hot=False):
    rng = np.random.default_rng(seed)
    state = {"calls": 0}

    def draw(n):
        state["calls"] += 1
        L = T + 3 + 4 * state["calls"]                   # later chunks are longer: buffers regrow
        if one_hot:
            x = np.eye(n_in)[rng.integers(0, n_in, size=(L, S, n))]
        else:
            x = rng.normal(size=(L, S, n, n_in))
        target = rng.uniform(0.2, 0.8, size=(S, n) if n_out is None else (S, n, n_out))
        return x, target, rng.integers(T - 2, L + 1, size=(S, n))
    return draw


def _train_both(net, S, n_seq, lr, rule_args, stream_args, init_kw):
    p0 = net.init(np.random.default_rng(1), S, **init_kw)
    out = {}
    for use_fast in (False, True):
        p = {k: v.copy() for k, v in p0.items()}
        rule = online.ST3Rule(S, *rule_args)
        seen = []
        res = online.train(net, p, _stream(S, *stream_args), rule, n_seq, lr=lr, fast=use_fast,
                           watch=lambda k, y, t, seen=seen: seen.append(y.copy()))
        out[use_fast] = (p, rule.st3.stopped_at.copy(), res["n_trained"], np.array(seen))
    return p0, out


CASES = [(fwd, forget, n_out, B, bs)
         for fwd in ("folded", "per_net") for forget in (False, True) for n_out in (None, 3)
         for B, bs in ((2, 2), (3, 1), (2, 3))]


@pytest.mark.parametrize("fwd, forget, n_out, B, bs", CASES)
def test_fused_step_equals_the_plain_path_bit_for_bit(fwd, forget, n_out, B, bs):
    forward = cell.forward_folded if fwd == "folded" else cell.forward
    net = nets.BlocksNet(cell.Blocks(4, B, bs, forget=forget), n_out=n_out, forward=forward,
                         squash="exp" if n_out is None else "tanh")
    init_kw = {"in_bias": -np.arange(1.0, B + 1), "forget_bias": 2.0 if forget else None}
    p0, out = _train_both(net, 4, 270, 0.5, (50, 1e-3, 1e-2), (12, 4, n_out, 5), init_kw)
    (pa, sa, na, ya), (pb, sb, nb, yb) = out[False], out[True]
    for k in p0:
        np.testing.assert_array_equal(pa[k], pb[k])
        assert not np.array_equal(pa[k], p0[k])
    np.testing.assert_array_equal(ya, yb)
    np.testing.assert_array_equal(sa, sb)
    assert na == nb


def test_frozen_nets_and_early_stop_agree():
    """A generous rule stops nets at different sequences; both paths freeze the same nets."""
    net = nets.BlocksNet(cell.Blocks(8, 2, 2), n_out=4)
    p0, out = _train_both(net, 5, 400, 0.5, (20, 0.2, 0.45), (10, 8, 4, 3, True), {})
    (pa, sa, na, _), (pb, sb, nb, _) = out[False], out[True]
    assert (sa > 0).any() and na == nb
    np.testing.assert_array_equal(sa, sb)
    for k in p0:
        np.testing.assert_array_equal(pa[k], pb[k])


def test_what_the_fused_step_takes_and_what_it_leaves_to_the_plain_path():
    rng = np.random.default_rng(0)
    lstm = nets.BlocksNet(cell.Blocks(2, 2, 2), forward=cell.forward_folded)
    p = lstm.init(rng, 2)
    assert fast.supports(lstm, p)
    assert not fast.supports(lstm, {k: v.astype(np.float32) for k, v in p.items()})
    assert not fast.supports(nets.TanhNet(2, 4), nets.TanhNet(2, 4).init(rng, 2))
    sigma_net = nets.BlocksNet(cell.Blocks(2, 2, 1, arith="sigma"))
    assert not fast.supports(sigma_net, sigma_net.init(rng, 2))
    no_bias = nets.BlocksNet(cell.Blocks(2, 2, 1, bias=False))
    assert not fast.supports(no_bias, no_bias.init(rng, 2))


def test_the_benchmark_runs_both_paths_and_finds_them_identical():
    """benchmarks/lstm1997.py at a tiny size: both paths timed, same final weights, RNN row too."""
    import subprocess
    import sys

    from conftest import ROOT
    script = str(ROOT / "benchmarks" / "lstm1997.py")
    proc = subprocess.run([sys.executable, script, "--tasks", "adding-problem", "temporal-order-4bit",
                           "--sequences", "10", "--rounds", "1", "--nets", "3"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    assert out.count("final weights bit-identical: yes") == 2 and "load average at end" in out
    assert "rnn baseline" in out
    bad = subprocess.run([sys.executable, script, "--sequences", "0"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
