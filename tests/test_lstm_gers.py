"""shared/lstm_gers: the fast cell against the papers' unit-by-unit step, exact BPTT and the
Jacobians against finite differences, the papers' truncation, the squashing functions.

The stubs' --gradcheck runs finite differences on their own nets (anbn-anbncn: peephole cells with
g = 4 sigma - 2 and the tanh variant; continual-embedded-reber: 4 blocks of 2 cells with and without
forget gates, 12 cells with a softmax; timing-counting-spikes: the identity cell); the variants
checked here are other wirings of the same code. The split layout (lstm-search-space-odyssey's nine
cells: no input gate, coupled gates, no forget or output gate, identity g or h, gate recurrence) is
checked here against the same unit-by-unit step, finite differences, and the W layout."""
import numpy as np
import pytest

from shared.gradcheck import check_gradients, numeric_jacobian, rel_error
from shared.lstm_gers import lstm, reference

VARIANTS = {
    "peephole 2x1 GERS": lstm.Cell(3, 2, peephole=True),
    "peephole 3x1 tanh, cell bias, linear outputs on y_c": lstm.Cell(
        2, 3, peephole=True, squash=lstm.TANH, cell_bias=True, out_x=False, out="linear"),
    "peephole 1x1 identity (timing)": lstm.Cell(1, 1, peephole=True, squash=lstm.IDENTITY, cell_bias=True,
                                                 out_x=False, out="linear"),
    "peephole 1x1 identity, unrolled (timing's scalar step)": lstm.Cell(
        1, 1, peephole=True, squash=lstm.IDENTITY, cell_bias=True, out_x=False, out="linear", unrolled=True),
    "peephole 3x1 GERS, unrolled": lstm.Cell(2, 3, peephole=True, unrolled=True),
    "blocks 3x2 forget, logistic 2000, row layout": lstm.Cell(4, 3, 2, squash=lstm.LOGISTIC_2000, rows=True),
    "blocks 2x3 no forget, GERS, softmax": lstm.Cell(3, 2, 3, forget=False, out="softmax", n_out=4),
    "blocks 3x1 forget, tanh, cell bias": lstm.Cell(2, 3, squash=lstm.TANH, cell_bias=True, n_out=2),
}


def random_params(a, rng, S, w=1.0):
    p = {"W": rng.uniform(-w, w, size=(S, a.D, a.H)) * a.wmask,
         "V": rng.uniform(-w, w, size=(S, a.n_out, a.D)) * a.vmask}
    if a.peephole:
        p["P"] = rng.uniform(-w, w, size=(S, 3, a.nc))
    return p


def loss_and_dz(a, y, tgt):
    """A loss of the outputs and dE/dz for it: squared error (logistic, linear) or cross-entropy."""
    if a.out == "softmax":
        return -np.sum(tgt * np.log(y)), y * tgt.sum(-1, keepdims=True) - tgt
    dy = y * (1 - y) if a.out == "sigmoid" else np.ones_like(y)
    return 0.5 * np.sum((y - tgt) ** 2), (y - tgt) * dy


@pytest.mark.parametrize("name", VARIANTS)
def test_fast_forward_is_the_papers_unit_by_unit_step(name):
    a = VARIANTS[name]
    rng = np.random.default_rng(0)
    L, S, N = 4, 2, 3
    p = random_params(a, rng, S)
    x = rng.normal(size=(L, S, N, a.K))
    s0, y0 = rng.normal(size=(S, N, a.nc)), rng.uniform(-0.5, 0.5, size=(S, N, a.nc))
    c = lstm.forward(a, p, x, s0, y0)
    for i in range(S):
        P = p["P"][i] if a.peephole else None
        for n in range(N):
            s, yc = s0[i, n], y0[i, n]
            for t in range(L):
                s, yc = reference.step(a, p["W"][i], P, x[t, i, n], s, yc)
                assert rel_error(c["s"][t + 1, i, n], s) < 1e-12
                assert rel_error(c["y"][t, i, n], reference.outputs(a, p["V"][i], x[t, i, n], yc)) < 1e-12
            assert rel_error(c["yc_last"][i, n], yc) < 1e-12


def test_the_two_layouts_agree():
    """One matrix product per net or one vector-matrix product per row (Cell.rows): the same
    numbers up to rounding (each stub keeps the layout its recorded runs used)."""
    rng = np.random.default_rng(1)
    per_net, per_row = lstm.Cell(4, 3, 2), lstm.Cell(4, 3, 2, rows=True)
    p = random_params(per_net, rng, 3)
    u, s = rng.normal(size=(3, 5, per_net.D)), rng.normal(size=(3, 5, per_net.nc))
    for v, w in zip(lstm.step(per_net, p, u, s), lstm.step(per_row, p, u, s), strict=True):
        assert np.abs(v - w).max() < 1e-14
    x = rng.normal(size=(6, 3, 5, 4))
    assert np.abs(lstm.forward(per_net, p, x)["y"] - lstm.forward(per_row, p, x)["y"]).max() < 1e-14


@pytest.mark.parametrize("name", VARIANTS)
def test_exact_bptt_matches_finite_differences(name):
    a = VARIANTS[name]
    rng = np.random.default_rng(2)
    L, S, N = 5, 2, 2
    p = random_params(a, rng, S, w=0.8)
    x = rng.normal(size=(L, S, N, a.K))
    tgt = rng.uniform(size=(L, S, N, a.n_out))
    s0, y0 = rng.normal(size=(S, N, a.nc)), rng.uniform(-0.5, 0.5, size=(S, N, a.nc))

    def loss():
        return loss_and_dz(a, lstm.forward(a, p, x, s0, y0)["y"], tgt)[0]
    c = lstm.forward(a, p, x, s0, y0)
    g = lstm.grads_bptt(a, p, c, loss_and_dz(a, c["y"], tgt)[1])
    assert set(g) == set(p)
    errs = check_gradients(loss, p, g, eps=1e-3, richardson=True)
    assert max(errs.values()) < 1e-6, errs


@pytest.mark.parametrize("name", ["peephole 2x1 GERS", "blocks 3x2 forget, logistic 2000, row layout"])
def test_truncation_cuts_only_the_recurrent_paths(name):
    """The truncated gradient differs from the exact one (so the stubs' RTRL checks are not
    vacuous), except for the output weights; with the recurrent weights and peepholes at zero
    there is nothing to cut and the two are equal."""
    a = VARIANTS[name]
    rng = np.random.default_rng(3)
    p = random_params(a, rng, 2)
    x = rng.normal(size=(12, 2, 2, a.K))
    tgt = rng.uniform(size=(12, 2, 2, a.n_out))
    c = lstm.forward(a, p, x)
    dz = loss_and_dz(a, c["y"], tgt)[1]
    ex, tr = lstm.grads_bptt(a, p, c, dz), lstm.grads_bptt(a, p, c, dz, truncate=True)
    assert rel_error(ex["V"], tr["V"]) < 1e-12
    assert rel_error(ex["W"] * a.wmask, tr["W"] * a.wmask) > 1e-3
    p["W"][:, a.R] = 0.0
    if a.peephole:
        p["P"][:] = 0.0
    c = lstm.forward(a, p, x)
    dz = loss_and_dz(a, c["y"], tgt)[1]
    ex, tr = lstm.grads_bptt(a, p, c, dz), lstm.grads_bptt(a, p, c, dz, truncate=True)
    for k in ex:
        assert rel_error(ex[k], tr[k]) < 1e-12, k


@pytest.mark.parametrize("name", VARIANTS)
def test_jacobians_match_finite_differences(name):
    a = VARIANTS[name]
    rng = np.random.default_rng(4)
    S, C = 2, a.nc
    p = random_params(a, rng, S)
    x = rng.normal(size=(6, S, 1, a.K))
    c = lstm.forward(a, p, x, rng.normal(size=(S, 1, C)))
    J = lstm.jacobians(a, p, c)                          # J[t-1] = dz(t)/dz(t-1)
    for t in (1, 3, 5):
        def state_map(z, t=t):
            u = np.concatenate([x[t, :, 0], z[..., C:], np.ones(z.shape[:-1] + (1,))], -1)[:, None]
            _, s, yc = lstm.step(a, p, u, z[:, None, :C])
            return np.concatenate([s, yc], -1)[:, 0]
        z0 = np.concatenate([c["s"][t, :, 0], c["U"][t, :, 0, a.R]], -1)
        num = numeric_jacobian(lambda z, f=state_map: f(z.reshape(S, 2 * C)).ravel(), z0.ravel())
        num = num.reshape(S, 2 * C, S, 2 * C)[np.arange(S), :, np.arange(S)]     # nets do not interact
        assert rel_error(J[t - 1, :, 0], num) < 1e-6


def test_the_two_jacobian_paths_agree():
    """Peephole cells (one cell per block) group the products per cell, the block path per gate
    row: with the peepholes at zero they compute the same matrix."""
    rng = np.random.default_rng(5)
    peep, plain = lstm.Cell(3, 3, peephole=True), lstm.Cell(3, 3)
    p = random_params(peep, rng, 2)
    p["P"][:] = 0.0
    x = rng.normal(size=(7, 2, 2, 3))
    J1 = lstm.jacobians(peep, p, lstm.forward(peep, p, x))
    J2 = lstm.jacobians(plain, p, lstm.forward(plain, p, x))
    assert rel_error(J1, J2) < 1e-13


def test_unrolled_is_the_same_cell_rounded_another_way():
    """Cell.unrolled (net inputs summed row by row, the Jacobian grouped as step_jacobian does):
    the same step and Jacobians as the matrix-product cell up to rounding; step_jacobian of one
    step is that step's slice of jacobians, and it refuses cells without peepholes."""
    rng = np.random.default_rng(8)
    plain, unrolled = lstm.Cell(2, 3, peephole=True), lstm.Cell(2, 3, peephole=True, unrolled=True)
    p = random_params(plain, rng, 2)
    u, s = rng.normal(size=(2, 4, plain.D)), rng.normal(size=(2, 4, plain.nc))
    for v, w in zip(lstm.step(plain, p, u, s), lstm.step(unrolled, p, u, s), strict=True):
        assert np.abs(v - w).max() < 1e-13
    x = rng.normal(size=(7, 2, 3, 2))
    c = lstm.forward(unrolled, p, x)
    J = lstm.jacobians(unrolled, p, c)
    assert rel_error(J, lstm.jacobians(plain, p, lstm.forward(plain, p, x))) < 1e-12
    one = lstm.step_jacobian(unrolled, p, c["act"][3], c["s"][3], c["s"][4])
    assert np.array_equal(one, J[2])
    with pytest.raises(ValueError):
        lstm.step_jacobian(lstm.Cell(2, 3), p, c["act"][3], c["s"][3], c["s"][4])
    with pytest.raises(ValueError):
        lstm.Cell(2, 3, unrolled=True)


def test_closed_forget_gates_wipe_the_state_and_the_1997_cell_integrates():
    rng = np.random.default_rng(6)
    a = lstm.Cell(7, 4, 2, squash=lstm.LOGISTIC_2000)
    p = random_params(a, rng, 1, w=0.2)
    p["W"][:, -1, a.F] = -40.0                            # forget gates shut: the state is wiped
    x = np.eye(7)[rng.integers(0, 7, size=10)][:, None, None]
    J = lstm.jacobians(a, p, lstm.forward(a, p, x))
    assert np.abs(J[..., :8, :8]).max() < 1e-12
    b = lstm.Cell(7, 4, 2, forget=False, squash=lstm.LOGISTIC_2000)
    p = random_params(b, rng, 1, w=0.2)
    p["W"][:, -1, b.I] = p["W"][:, -1, b.O] = -40.0       # input and output gates shut: an integrator
    J = lstm.jacobians(b, p, lstm.forward(b, p, x))
    assert np.allclose(J[..., :8, :8], np.eye(8), atol=1e-12)


@pytest.mark.parametrize("squash", [lstm.GERS, lstm.LOGISTIC_2000, lstm.TANH, lstm.IDENTITY,
                                    lstm.IDENTITY_G, lstm.IDENTITY_H],
                         ids=lambda q: q.name.split(",")[0])
def test_squash_derivatives(squash):
    z = np.linspace(-6, 6, 25)
    h = 1e-6
    assert np.allclose(squash.dg(squash.g(z)), (squash.g(z + h) - squash.g(z - h)) / (2 * h), atol=1e-8)
    assert np.allclose(squash.dh(z), (squash.h(z + h) - squash.h(z - h)) / (2 * h), atol=1e-8)


def test_the_two_spellings_of_the_2000_functions_agree():
    z = np.linspace(-30, 30, 601)
    assert np.allclose(lstm.GERS.g(z), lstm.LOGISTIC_2000.g(z), rtol=0, atol=1e-15)
    assert np.array_equal(lstm.GERS.h(z), lstm.LOGISTIC_2000.h(z))
    assert np.allclose(lstm.GERS.dh(z), lstm.LOGISTIC_2000.dh(z), rtol=0, atol=1e-15)
    assert np.array_equal(lstm.GERS.dg(lstm.GERS.g(z)), lstm.LOGISTIC_2000.dg(lstm.GERS.g(z)))


def test_weight_counts_and_layout():
    a = lstm.Cell(7, 4, 2)                                # the 2000 paper's net: 424 weights
    assert a.n_weights() == 4 * 2 * 15 + 12 * 16 + 7 * 16 == 424
    assert (a.I, a.F, a.G, a.O) == (slice(0, 4), slice(4, 8), slice(8, 16), slice(16, 20))
    assert lstm.Cell(7, 4, 2, forget=False).n_weights() == 360
    assert lstm.Cell(3, 1, peephole=True).n_weights() == 37       # 2001's a^n b^n net
    with pytest.raises(ValueError):
        lstm.Cell(3, 2, 2, peephole=True)


# ----------------------------------------------------------------------------------------------
# The split layout (Wx, R, b; the stub owns the output layer) and the cells it adds
# ----------------------------------------------------------------------------------------------
SPLIT = {
    "peephole tanh (Greff et al.'s vanilla V)": lstm.Cell(3, 2, peephole=True, squash=lstm.TANH, split=True),
    "no input gate": lstm.Cell(3, 2, peephole=True, squash=lstm.TANH, input_gate=False, split=True),
    "coupled input and forget gates": lstm.Cell(3, 2, peephole=True, squash=lstm.TANH, input_gate="coupled",
                                                split=True),
    "no forget gate, peepholes": lstm.Cell(3, 2, forget=False, peephole=True, squash=lstm.TANH, split=True),
    "no output gate": lstm.Cell(3, 2, peephole=True, squash=lstm.TANH, output_gate=False, split=True),
    "g identity": lstm.Cell(3, 2, peephole=True, squash=lstm.IDENTITY_G, split=True),
    "h identity": lstm.Cell(3, 2, peephole=True, squash=lstm.IDENTITY_H, split=True),
    "gate recurrence": lstm.Cell(3, 2, peephole=True, squash=lstm.TANH, gate_recurrence=True, split=True),
    "blocks 2x2 GERS, no peepholes": lstm.Cell(3, 2, 2, split=True),
    "blocks 2x3 logistic 2000, peepholes from every cell": lstm.Cell(3, 2, 3, peephole=True,
                                                                     squash=lstm.LOGISTIC_2000, split=True),
    "peephole tanh, derivatives first (clockwork-rnn's rounding)": lstm.Cell(
        2, 3, peephole=True, squash=lstm.TANH, split=True, deriv_first=True),
    "blocks 2x2 logistic 2000 through the logistic's values (blues-improvisation's rounding)": lstm.Cell(
        3, 2, 2, peephole=True, squash=lstm.LOGISTIC_2000, split=True, logistic_values=True),
}


def random_split_params(a, rng, S, w=0.8):
    p = {"Wx": rng.uniform(-w, w, size=(S, a.K, a.H)), "R": rng.uniform(-w, w, size=(S, a.nc, a.H)),
         "b": rng.uniform(-w, w, size=(S, a.H))}
    if a.peep:
        p["P"] = rng.uniform(-w, w, size=(S, len(a.peep), a.nc))
    if a.gate_recurrence:
        p["Rg"] = rng.uniform(-w, w, size=(S, a.n_gates, a.n_gates))
    return p


def random_state(a, rng, S, N):
    st = {"c": rng.normal(size=(S, N, a.nc)), "y": rng.uniform(-0.5, 0.5, size=(S, N, a.nc))}
    if a.gate_recurrence:
        st["g"] = rng.uniform(size=(S, N, a.n_gates))
    return st


@pytest.mark.parametrize("name", SPLIT)
def test_split_layout_is_the_papers_unit_by_unit_step(name):
    a = SPLIT[name]
    rng = np.random.default_rng(10)
    L, S, N = 4, 2, 2
    p = random_split_params(a, rng, S)
    x = rng.normal(size=(L, S, N, a.K))
    st = random_state(a, rng, S, N)
    Y, final, cache = lstm.run(a, p, x, st)
    for i in range(S):
        W = np.concatenate([p["Wx"][i], p["R"][i], p["b"][i][None]])
        P = p["P"][i] if a.peep else None
        for n in range(N):
            s, yc = st["c"][i, n], st["y"][i, n]
            gates = st["g"][i, n] if a.gate_recurrence else None
            for t in range(L):
                if a.gate_recurrence:
                    s, yc, gates = reference.step(a, W, P, x[t, i, n], s, yc, gates, p["Rg"][i])
                    assert rel_error(cache["gp"][t + 1, i, n], gates) < 1e-12
                else:
                    s, yc = reference.step(a, W, P, x[t, i, n], s, yc)
                assert rel_error(cache["s"][t + 1, i, n], s) < 1e-12
                assert rel_error(Y[t, i, n], yc) < 1e-12
            assert rel_error(final["y"][i, n], yc) < 1e-12


@pytest.mark.parametrize("name", SPLIT)
def test_split_backprop_matches_finite_differences(name):
    """The weights and the initial state (the stubs carry the state across training windows)."""
    a = SPLIT[name]
    rng = np.random.default_rng(11)
    L, S, N = 5, 2, 2
    p = random_split_params(a, rng, S)
    x = rng.normal(size=(L, S, N, a.K))
    tgt = rng.uniform(-0.5, 0.5, size=(L, S, N, a.nc))
    st = random_state(a, rng, S, N)

    def loss():
        return 0.5 * np.sum((lstm.run(a, p, x, st)[0] - tgt) ** 2)
    Y, _, cache = lstm.run(a, p, x, st)
    g, d0 = lstm.backprop(a, p, cache, Y - tgt)
    assert set(g) == set(p) and set(d0) == set(st)
    errs = check_gradients(loss, p, g, eps=1e-3, richardson=True)
    errs.update(check_gradients(loss, st, d0, eps=1e-3, richardson=True))
    assert max(errs.values()) < 1e-6, errs


@pytest.mark.parametrize("name", SPLIT)
def test_split_state_jacobians_match_finite_differences(name):
    a = SPLIT[name]
    rng = np.random.default_rng(12)
    S, C = 2, a.nc
    p = random_split_params(a, rng, S)
    x = rng.normal(size=(4, S, 1, a.K))
    st = random_state(a, rng, S, 1)
    _, _, cache = lstm.run(a, p, x, st)
    J = lstm.state_jacobians(a, p, cache)               # J[t] = d state(t+1) / d state(t)
    keys = ["c", "y"] + (["g"] if a.gate_recurrence else [])
    sizes = [C, C] + ([a.n_gates] if a.gate_recurrence else [])
    n = sum(sizes)
    for t in range(4):
        def state_map(z, t=t):
            parts = np.split(z.reshape(S, 1, n), np.cumsum(sizes)[:-1], axis=-1)
            fin = lstm.run(a, p, x[t:t + 1], dict(zip(keys, parts, strict=True)))[1]
            return np.concatenate([fin[k] for k in keys], -1).ravel()
        z0 = np.concatenate([cache[{"c": "s", "y": "y", "g": "gp"}[k]][t] for k in keys], -1)
        num = numeric_jacobian(state_map, z0.ravel()).reshape(S, n, S, n)[np.arange(S), :, np.arange(S)]
        np.testing.assert_allclose(J[t], num, rtol=1e-6, atol=1e-9)


def test_split_and_joined_layouts_compute_the_same_cell():
    """The peephole cell in the W layout and in the split layout: the same states and outputs and
    the same weight gradients (W's rows are [Wx; R; b]) up to rounding."""
    rng = np.random.default_rng(13)
    joined = lstm.Cell(3, 2, peephole=True, squash=lstm.TANH, cell_bias=True, out_x=False, out="linear")
    split = lstm.Cell(3, 2, peephole=True, squash=lstm.TANH, split=True)
    p = random_split_params(split, rng, 2)
    V = rng.uniform(-1, 1, size=(2, joined.n_out, joined.D)) * joined.vmask
    V[..., -1] = 0.0                                      # outputs z = V_y y_c
    q = {"W": np.concatenate([p["Wx"], p["R"], p["b"][:, None]], 1), "P": p["P"], "V": V}
    x = rng.normal(size=(6, 2, 3, 3))
    c = lstm.forward(joined, q, x)
    Y, _, cache = lstm.run(split, p, x, lstm.zero_state(split, 2, 3))
    assert np.abs(cache["s"] - c["s"]).max() < 1e-14
    dz = rng.normal(size=c["z"].shape)
    gj = lstm.grads_bptt(joined, q, c, dz)
    gs, _ = lstm.backprop(split, p, cache, np.matmul(dz, V[None, :, :, joined.R]))
    assert rel_error(gj["W"], np.concatenate([gs["Wx"], gs["R"], gs["b"][:, None]], 1)) < 1e-12
    assert rel_error(gj["P"], gs["P"]) < 1e-12


def test_the_two_orders_of_rounding_agree():
    """deriv_first changes only where the backward pass rounds: the same gradients to 1e-11, here
    on an input-free net (no Wx rows, as clockwork-rnn's)."""
    rng = np.random.default_rng(14)
    plain = lstm.Cell(0, 3, peephole=True, squash=lstm.TANH, split=True)
    first = lstm.Cell(0, 3, peephole=True, squash=lstm.TANH, split=True, deriv_first=True)
    p = random_split_params(plain, rng, 2)
    _, _, cache = lstm.run(plain, p, np.zeros((9, 2, 1, 0)), random_state(plain, rng, 2, 1))
    dY = rng.normal(size=(9, 2, 1, 3))
    g1, d1 = lstm.backprop(plain, p, cache, dY)
    g2, d2 = lstm.backprop(first, p, cache, dY)
    for k in ("R", "b", "P"):
        assert rel_error(g1[k], g2[k]) < 1e-11, k       # other rounding (exactly 0 on some CPUs)
    assert rel_error(d1["c"], d2["c"]) < 1e-11 and rel_error(d1["y"], d2["y"]) < 1e-11


CLOSED = {
    "one cell per block, tanh (clockwork-rnn)": SPLIT[
        "peephole tanh, derivatives first (clockwork-rnn's rounding)"],
    "blocks 2x2, logistic values (blues-improvisation)": SPLIT[
        "blocks 2x2 logistic 2000 through the logistic's values (blues-improvisation's rounding)"],
}


@pytest.mark.parametrize("name", CLOSED)
def test_closed_form_state_jacobians_agree_with_the_backward_steps_and_finite_differences(name):
    """closed_state_jacobians (the two stubs' groupings) against state_jacobians (one backward
    step per unit vector), the W layout's closed form (one cell per block), and finite differences
    of one step, on a batch of N = 2 streams."""
    a = CLOSED[name]
    rng = np.random.default_rng(15)
    S, N, C, L = 2, 2, a.nc, 5
    p = random_split_params(a, rng, S)
    x = rng.normal(size=(L, S, N, a.K))
    st = random_state(a, rng, S, N)
    _, _, cache = lstm.run(a, p, x, st)
    J = lstm.closed_state_jacobians(a, p, cache)          # J[t] = d state(t+1) / d state(t)
    assert J.shape == (L, S, N, 2 * C, 2 * C)
    for n in range(N):
        one = {k: v[:, :, n:n + 1] for k, v in cache.items()}
        assert rel_error(J[:, :, n], lstm.state_jacobians(a, p, one)) < 1e-12
    if a.bs == 1:
        joined = lstm.Cell(2, C, peephole=True, squash=lstm.TANH, cell_bias=True)
        q = {"W": np.concatenate([p["Wx"], p["R"], p["b"][:, None]], 1), "P": p["P"],
             "V": np.zeros((S, joined.n_out, joined.D))}
        c = lstm.forward(joined, q, x, st["c"], st["y"])
        assert rel_error(J[1:], lstm.jacobians(joined, q, c)) < 1e-12
    for t in range(L):
        def state_map(z, t=t):
            z = z.reshape(S, N, 2 * C)
            fin = lstm.run(a, p, x[t:t + 1], {"c": z[..., :C], "y": z[..., C:]})[1]
            return np.concatenate([fin["c"], fin["y"]], -1).ravel()
        z0 = np.concatenate([cache["s"][t], cache["y"][t]], -1)
        num = numeric_jacobian(state_map, z0.ravel()).reshape(S * N, 2 * C, S * N, 2 * C)
        num = num[np.arange(S * N), :, np.arange(S * N)].reshape(S, N, 2 * C, 2 * C)
        np.testing.assert_allclose(J[t], num, rtol=1e-6, atol=1e-9)


def test_closed_form_state_jacobians_refuse_other_cells():
    for a in (lstm.Cell(2, 2, 2, peephole=True, split=True), lstm.Cell(2, 2, split=True),
              SPLIT["gate recurrence"]):
        with pytest.raises(ValueError):
            lstm.closed_state_jacobians(a, {}, {})


def test_logistic_values_is_the_same_cell_rounded_another_way():
    """logistic_values keeps sigma(z_c) in act and forms g' and h' from values: the same states
    bit for bit (g = 4 sigma - 2 either way), the same gradients as the plain LOGISTIC_2000 cell to
    1e-11; the option refuses cells it does not cover."""
    rng = np.random.default_rng(16)
    plain = lstm.Cell(3, 2, 2, peephole=True, squash=lstm.LOGISTIC_2000, split=True)
    vals = lstm.Cell(3, 2, 2, peephole=True, squash=lstm.LOGISTIC_2000, split=True, logistic_values=True)
    p = random_split_params(plain, rng, 2)
    x = rng.normal(size=(7, 2, 3, 3))
    st = random_state(plain, rng, 2, 3)
    Y1, _, c1 = lstm.run(plain, p, x, st)
    Y2, _, c2 = lstm.run(vals, p, x, st)
    assert np.array_equal(Y1, Y2) and np.array_equal(c1["s"], c2["s"])
    assert np.array_equal(4.0 * c2["act"][..., vals.G] - 2.0, c1["act"][..., plain.G])
    dY = rng.normal(size=Y1.shape)
    g1, d1 = lstm.backprop(plain, p, c1, dY)
    g2, d2 = lstm.backprop(vals, p, c2, dY)
    for k in g1:
        assert rel_error(g1[k], g2[k]) < 1e-11, k       # other rounding (exactly 0 on some CPUs)
    assert rel_error(d1["c"], d2["c"]) < 1e-11 and rel_error(d1["y"], d2["y"]) < 1e-11
    for kw in (dict(squash=lstm.GERS, split=True), dict(squash=lstm.LOGISTIC_2000),
               dict(squash=lstm.LOGISTIC_2000, split=True, deriv_first=True)):
        with pytest.raises(ValueError):
            lstm.Cell(3, 2, 2, peephole=True, logistic_values=True, **kw)
