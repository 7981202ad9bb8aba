"""Science checks of stubs/lstm-search-space-odyssey: the nine cells, their Jacobians, the padding
of hidden sizes and the continual Reber stream. The gradients are checked once, by --gradcheck
(tests/test_stubs.py); Welch's test and the main-effect split are tested in tests/test_stats.py."""
import numpy as np
import pytest
from conftest import load_stub

from shared.gradcheck import numeric_jacobian

od = load_stub("lstm-search-space-odyssey")


def state_vector(cell, st):
    """The state (c, y) or, for FGR, (c, y, i, f, o) as one vector: the layout of cell_jacobians."""
    parts = [st["c"], st["y"]] + ([st["g"]] if cell.fgr else [])
    return np.concatenate(parts, axis=-1)


def state_dict(cell, v):
    H = cell.H
    st = {"c": v[..., :H], "y": v[..., H:2 * H]}
    if cell.fgr:
        st["g"] = v[..., 2 * H:]
    return st


def test_weight_counts():
    D, H, K = 7, 10, 7
    per_gate = (D + H + 1) * H
    out = (H + 1) * K
    expect = {"V": 4 * per_gate + 3 * H, "NIG": 3 * per_gate + 2 * H, "NFG": 3 * per_gate + 2 * H,
              "NOG": 3 * per_gate + 2 * H, "NIAF": 4 * per_gate + 3 * H, "NOAF": 4 * per_gate + 3 * H,
              "NP": 4 * per_gate, "CIFG": 3 * per_gate + 2 * H, "FGR": 4 * per_gate + 3 * H + 9 * H * H}
    for v, n in expect.items():
        cell = od.Cell(v, D, H, K)
        p = cell.init(np.random.default_rng(0), 1)
        assert cell.n_weights() == n + out == sum(a.size for a in p.values()), v


def test_cell_equations_by_hand():
    """One step of V, NFG, CIFG and NOAF against the equations written out for one unit."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((1, 1, 1, 2))
    c0, y0 = np.array([[[0.3]]]), np.array([[[-0.2]]])
    sig = lambda a: 1 / (1 + np.exp(-a))                   # noqa: E731
    for v in ("V", "NFG", "CIFG", "NOAF"):
        cell = od.Cell(v, 2, 1, 1)
        p = cell.init(rng, 1, scale=0.8, dtype=np.float64)
        p["b"] = rng.standard_normal(p["b"].shape)
        Y, st, _ = od.cell_forward(cell, p, x, {"c": c0, "y": y0})
        a = x[0, 0, 0] @ p["Wx"][0] + y0[0, 0] @ p["R"][0] + p["b"][0]
        g = dict(zip(cell.gates, a, strict=True))
        pp = dict(zip(cell.peep, p["P"][0, :, 0], strict=True))
        f = sig(g["f"] + pp["f"] * 0.3) if "f" in g else 1.0
        i = 1 - f if v == "CIFG" else sig(g["i"] + pp["i"] * 0.3)
        c = f * 0.3 + i * np.tanh(g["g"])
        o = sig(g["o"] + pp["o"] * c)
        y = o * (c if v == "NOAF" else np.tanh(c))
        assert np.isclose(st["c"][0, 0, 0], c) and np.isclose(Y[0, 0, 0, 0], y), v


@pytest.mark.parametrize("v", od.VARIANTS)
def test_jacobian_matches_finite_differences(v):
    rng = np.random.default_rng(5)
    H = 3
    cell = od.Cell(v, 7, H, 7)
    p = cell.init(rng, 1, scale=0.7, dtype=np.float64)
    x = rng.standard_normal((4, 1, 1, 7))
    st = {k: 0.4 * rng.standard_normal(a.shape) for k, a in od.zero_state(cell, 1, 1, np.float64).items()}
    _, _, cache = od.cell_forward(cell, p, x, st)
    J = od.cell_jacobians(cell, p, cache)                   # (T, 1, n, n)
    for t in range(4):
        z0 = state_vector(cell, {k: cache[{"c": "C", "y": "Y", "g": "GP"}[k]][t] for k in st})[0, 0]

        def step(z, t=t):
            s = state_dict(cell, np.asarray(z)[None, None])
            _, fin, _ = od.cell_forward(cell, p, x[t:t + 1], s)
            return state_vector(cell, fin)[0, 0]
        # entries of order 1 and exact zeros: an absolute floor keeps round-off of tiny entries out
        np.testing.assert_allclose(J[t, 0], numeric_jacobian(step, z0), rtol=1e-6, atol=1e-9)


def test_padding_is_exact():
    """A trial padded with zero-weight units computes the same loss and gradients as its own net, and
    the padded weights get exactly zero gradient (so they stay zero under SGD with momentum)."""
    rng = np.random.default_rng(11)
    x = rng.standard_normal((6, 2, 3, 7))
    tgt = (rng.random((6, 3, 7)) < 0.3).astype(float)
    for v in ("V", "FGR", "CIFG"):
        big = od.Cell(v, 7, 5, 7)
        p = big.init(rng, 2, sizes=np.array([3, 5]), scale=0.5, dtype=np.float64)
        loss, g, _, _ = od.loss_and_grads(big, p, x, od.zero_state(big, 2, 3, np.float64), tgt)
        masks = big.pad_masks([3, 5])
        for k in p:
            dead = np.broadcast_to(masks[k], p[k].shape) == 0
            if k == "Rg":                                   # padded gates sit at 0.5: projected away
                assert np.any(g[k][dead] != 0)
            else:
                assert np.all(g[k][dead] == 0), (v, k)
        small, q = od.select_trial(big, p, 0, 3)
        l2, g2, _, _ = od.loss_and_grads(small, q, x[:, :1], od.zero_state(small, 1, 3, np.float64), tgt)
        assert np.isclose(loss[0], l2[0])
        _, q_grad_big = od.select_trial(big, g, 0, 3)
        for k in g2:
            np.testing.assert_allclose(q_grad_big[k], g2[k], rtol=1e-10, atol=1e-12)
        gb = g["b"][0].reshape(len(big.gates), 5)
        assert np.all(gb[:, 3:] == 0)                       # padded units' biases get no gradient
        assert np.all(p["Wx"][0][:, masks["Wx"][0, 0] == 0] == 0)


def test_continual_reber_stream():
    sym, legal, longlag = od.reber_streams(np.random.default_rng(2), 3000, 3)
    assert sym.shape == (3000, 3) and legal.shape == (3000, 3, 7)
    assert np.all(sym[0] == od.B_)
    # every next symbol is among the targets of the step before (the stream never resets)
    nxt = sym[1:]
    assert np.all(np.take_along_axis(legal[:-1], nxt[..., None].astype(int), axis=-1) == 1)
    # long-lag steps: exactly one legal symbol, T or P, equal to the symbol two before the next B
    assert np.all(legal[longlag].sum(-1) == 1)
    t, b = np.nonzero(longlag[:-1])
    assert set(np.unique(sym[t + 1, b])) <= {od.T_, od.P_}
    assert longlag.sum() > 300
    # after every E that ends a string comes B; the outer T/P are repeated
    strings = "".join(od.SYMBOLS[s] for s in sym[:, 0])
    for s in strings.split("EB")[1:-1]:
        assert s[0] in "TP" and s[-1] == s[0] and s[1] == "B", s


def test_hyperparameter_ranges():
    hp = od.sample_hyperparameters(np.random.default_rng(0), 4000)
    assert hp["hidden"].min() == 2 and hp["hidden"].max() == 20
    assert 1e-6 <= hp["lr"].min() and hp["lr"].max() <= 1e-2
    assert 0.0 <= hp["momentum"].min() and hp["momentum"].max() <= 0.99
    assert 0.0 <= hp["noise"].min() and hp["noise"].max() <= 1.0
    # log-uniform: the median learning rate sits near 1e-4
    assert 0.5e-4 < np.median(hp["lr"]) < 2e-4
