"""The Exp. 4-6 nets as one object each (shared/lstm1997/nets.py): weight counts are what init
draws; the readout and gradients are the core's and the output layer's, composed; test-set
outputs do not depend on the chunking; the gradient-check helpers can fail. The gradients
themselves are checked once, by each stub's --gradcheck (through nets.check_exact and
nets.check_truncation)."""
import numpy as np
import pytest

from shared.lstm1997 import cell, nets, output, tanh_rnn

NETS = {"blocks, one output": lambda: nets.BlocksNet(cell.Blocks(2, 2, 2), forward=cell.forward_folded,
                                                     squash="exp"),
        "blocks, 4 outputs": lambda: nets.BlocksNet(cell.Blocks(8, 2, 2), n_out=4),
        "forget blocks": lambda: nets.BlocksNet(cell.Blocks(2, 2, 2, forget=True)),
        "rnn, one output": lambda: nets.TanhNet(2, 8, forward=tanh_rnn.forward_projected),
        "rnn, 8 outputs": lambda: nets.TanhNet(8, 11, n_out=8)}


@pytest.mark.parametrize("name", NETS)
def test_weight_count_is_what_init_draws(name):
    net = NETS[name]()
    p = net.init(np.random.default_rng(0), 3)
    assert sum(v[0].size for v in p.values()) == net.n_weights()
    assert np.abs(p["W"]).max() <= 0.1 and np.abs(p["V"]).max() <= 0.1


def test_the_papers_weight_counts():
    assert nets.BlocksNet(cell.Blocks(2, 2, 2)).n_weights() == 93           # Exps. 4 and 5
    assert nets.BlocksNet(cell.Blocks(8, 2, 2), n_out=4).n_weights() == 156  # Exp. 6a
    assert nets.BlocksNet(cell.Blocks(8, 3, 2), n_out=8).n_weights() == 308  # Exp. 6b


@pytest.mark.parametrize("name", NETS)
def test_gradients_are_the_cores_behind_the_output_layer(name):
    """grads = the core's gradient fed with the output layer's dLoss/dy_c (composition, bit for bit)."""
    net = NETS[name]()
    rng = np.random.default_rng(1)
    p = net.init(rng, 2, scale=0.5)
    n_in = p["W"].shape[1] - p["W"].shape[2] - 1 if isinstance(net, nets.TanhNet) else net.blocks.n_in
    x = rng.normal(size=(6, 2, 3, n_in))
    last = np.full((2, 3), 5)
    last[1, 2] = 3
    cache = net.forward(p, x)
    y, feat = net.readout(p, cache, last)
    dy = rng.normal(size=y.shape)
    dV, dyc = output.backward(p["V"], feat, output.logistic_delta(y, dy))
    g = net.grads(p, cache, last, dy)
    if isinstance(net, nets.TanhNet):
        want = tanh_rnn.grads(p["W"], cache, dyc, last)
    else:
        want = cell.grads_truncated(net.blocks, cache, dyc, last)
    np.testing.assert_array_equal(g["W"], want)
    np.testing.assert_array_equal(g["V"], dV)


def test_last_outputs_are_each_nets_outputs_at_each_sequences_end():
    """Test metrics are |last_outputs - target|: it must give outputs, chunked or not."""
    rng = np.random.default_rng(10)
    net = NETS["blocks, one output"]()
    p = {k: v * 10 for k, v in net.init(rng, 3).items()}
    x = rng.normal(size=(22, 1, 7, 2))
    length = rng.integers(15, 23, size=(1, 7))
    y = nets.last_outputs(net, p, x, length, chunk=3)
    for s in range(3):
        for n in range(7):
            L = int(length[0, n])
            c = net.forward({k: v[s:s + 1] for k, v in p.items()}, x[:L, :, n:n + 1])
            y1, _ = net.readout({k: v[s:s + 1] for k, v in p.items()}, c, np.array([[L - 1]]))
            assert abs(y[s, n] - y1[0, 0]) < 1e-12
    assert y.shape == (3, 7) and y.min() > 0 and y.max() < 1


class _Broken(nets.BlocksNet):
    """A net whose exact gradient is wrong by a factor on W: the checks must say so."""

    def grads_bptt(self, p, cache, last, dy, truncate=False):
        g = super().grads_bptt(p, cache, last, dy, truncate=truncate)
        return {"W": 1.01 * g["W"], "V": g["V"]}


def test_the_gradient_checks_catch_a_wrong_gradient():
    rng = np.random.default_rng(2)
    net, broken = nets.BlocksNet(cell.Blocks(2, 1, 2)), _Broken(cell.Blocks(2, 1, 2))
    x, target, last = nets.check_batch(rng, 2)
    p = net.init(rng, 2, scale=1.0)
    good = nets.check_exact("net", net, {k: v.copy() for k, v in p.items()}, x, target, last)
    bad = nets.check_exact("net", broken, p, x, target, last)
    assert good["net exact BPTT vs finite differences: W"] < 1e-6
    assert bad["net exact BPTT vs finite differences: W"] > 1e-3
    p = net.init(rng, 2)
    errs = nets.check_truncation("net", broken, p, x, target, last, rng)
    assert errs["net truncated: closed form vs step-by-step: W"] > 1e-3


@pytest.mark.parametrize("name", ["blocks, one output", "blocks, 4 outputs", "forget blocks"])
def test_the_truncated_gradient_is_the_derivative_of_the_frozen_activation_pass(name):
    """Appendix A.1's truncation as a definition: holding every step's r(t-1) at the run's own
    values and differentiating the rest gives the closed form; the exact gradient does not."""
    rng = np.random.default_rng(5)
    net = NETS[name]()
    x, target, last = nets.check_batch(rng, net.blocks.n_in, n_out=net.n_out, T=12)
    p = net.init(rng, 2, scale=1.0)
    cache = net.forward(p, x)
    r = cell.carried_activations(net.blocks, cache)
    assert np.allclose(cell.frozen_forward(net.blocks, p["W"], x, r)["yc"], cache["yc"])  # same run
    y, _ = net.readout(p, cache, last)
    trunc = nets.check_frozen("n", net, p, x, target, last, cache, net.grads(p, cache, last, y - target))
    dy = y - target
    exact = nets.check_frozen("n", net, p, x, target, last, cache, net.exact_grads(p, cache, last, dy))
    key = "n truncated vs derivatives of the frozen-activation pass: W"
    assert trunc[key] < 1e-10 and exact[key] > 1e-2
