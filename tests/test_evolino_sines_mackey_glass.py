"""Checks of stubs/evolino-sines-mackey-glass: determinism of --quick, the genome layout against the
family core's unit-by-unit LSTM step (shared/lstm_gers/reference.py), the batched readout against
numpy's pseudo-inverse, the two fitness phases against a plain loop, the closed-loop (complex step)
and open-loop (core step_jacobian) Jacobians against central differences, the data (sines,
Mackey-Glass against a finer integration), the verdict rules, and bad flags in one line. The ESP
core's checks (including Evolino's reproduction) are in tests/test_esp_core.py."""
import json

import numpy as np

from conftest import ROOT, load_stub, run_stub
from shared.gradcheck import numeric_jacobian
from shared.lstm_gers import reference

STUB = ROOT / "stubs" / "evolino-sines-mackey-glass"
ev = load_stub("evolino-sines-mackey-glass")


def random_net(C, S=1, scale=0.8, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(-scale, scale, size=(S, C, ev.genome_size(C)))


def test_quick_run_is_deterministic(tmp_path):
    outs = []
    for i in range(2):
        proc = run_stub(STUB, "--quick", "--out", tmp_path / f"r{i}.json", timeout=300)
        assert proc.returncode == 0, proc.stderr
        r = json.loads((tmp_path / f"r{i}.json").read_text())
        r["metrics"].pop("timing")
        outs.append((r["headline"], r["metrics"], r["lyapunov"]))
    assert outs[0] == outs[1]


def test_genome_layout_matches_the_cores_reference_step():
    C = 3
    g = random_net(C, S=2)
    cell = ev.make_cell(C)
    p = ev.params(g)
    rng = np.random.default_rng(1)
    x, s, y = rng.normal(size=(2, 1)), rng.normal(size=(2, 1, C)), rng.uniform(-1, 1, size=(2, 1, C))
    s1, y1, _ = ev.step(cell, p, x, s, y)
    for b in range(2):
        # the reference reads the genome directly: cell c's gate q column is genome[c, q*D:(q+1)*D]
        D = C + 2
        W = np.zeros((D, 4 * C))
        for c in range(C):
            for q in range(4):
                W[:, q * C + c] = g[b, c, q * D:(q + 1) * D]
        P = g[b, :, 4 * D:].T
        sr, yr = reference.step(cell, W, P, x[b], s[b, 0], y[b, 0])
        assert np.allclose(s1[b, 0], sr, rtol=1e-12) and np.allclose(y1[b, 0], yr, rtol=1e-12)


def test_readout_is_the_pseudo_inverse_solution():
    rng = np.random.default_rng(2)
    Y, d = np.tanh(rng.normal(size=(200, 4, 5))), rng.normal(size=200)
    V = ev.readouts(Y, d)
    for s in range(4):
        ref = np.linalg.pinv(ev.features(Y[:, s])) @ d
        assert np.allclose(V[s], ref, atol=1e-10)


def test_sines_fitness_matches_a_plain_loop():
    C, k = 3, 2
    cell = ev.make_cell(C)
    g = random_net(C, S=3, scale=0.5, seed=3)
    series = ev.sines(k, 80)
    err, V = ev.fitness_sines(cell, ev.params(g), series, 20)
    for b in range(3):
        p = ev.params(g[b:b + 1])
        s, y = np.zeros((1, 1, C)), np.zeros((1, 1, C))
        ys = []
        for t in range(80):                              # phase 1: teacher forcing
            xin = series[t - 1] if t else 0.0
            s, y, _ = ev.step(cell, p, np.array([[xin]]), s, y)
            ys.append(y[0, 0].copy())
        Phi = np.c_[np.array(ys[20:]), np.ones(60)]
        v = np.linalg.pinv(Phi) @ series[20:]
        assert np.allclose(v, V[b], atol=1e-8)
        s, y = np.zeros((1, 1, C)), np.zeros((1, 1, C))   # phase 2: washout, then own outputs
        out, out_prev = [], 0.0
        for t in range(80):
            xin = (series[t - 1] if t else 0.0) if t < 20 else out_prev
            s, y, _ = ev.step(cell, p, np.array([[xin]]), s, y)
            out_prev = float(np.r_[y[0, 0], 1.0] @ v)
            if t >= 19:
                out.append(out_prev)
        e = ((np.array(out[1:]) - series[20:]) ** 2).mean() / series[20:].var()
        assert np.isclose(e, err[b], rtol=1e-6)


def test_closed_loop_jacobian_complex_step_vs_central_differences():
    C = 4
    cell = ev.make_cell(C)
    p = ev.params(random_net(C, seed=4))
    V = np.random.default_rng(5).normal(size=(1, C + 1))
    z = np.random.default_rng(6).normal(0, 0.5, size=2 * C)
    J = ev.closed_jacobian(cell, p, V, z)
    num = numeric_jacobian(lambda v: ev.closed_map(cell, p, V, v[None, None])[0, 0], z.copy())
    assert np.abs(J - num).max() / np.abs(num).max() < 1e-7


def test_open_loop_jacobians_vs_central_differences():
    C = 4
    cell = ev.make_cell(C)
    p = ev.params(random_net(C, seed=7))
    series = ev.sines(3, 12)
    Js = ev.open_jacobians(cell, p, series)
    Y, Sx = ev.teacher_forced(cell, p, series)
    t = 7
    z = np.r_[Sx[t - 1, 0], Y[t - 1, 0]]

    def f(v):
        s, y, _ = ev.step(cell, p, np.array([[series[t - 1]]]), v[None, None, :C], v[None, None, C:])
        return np.r_[s[0, 0], y[0, 0]]
    num = numeric_jacobian(f, z.copy())
    assert np.abs(Js[t] - num).max() / np.abs(num).max() < 1e-7


def test_data():
    s = ev.sines(5, 700)
    t = np.arange(700)
    assert np.allclose(s, sum(np.sin(w * t) for w in (0.2, 0.311, 0.42, 0.51, 0.74)) / 5)
    # chaotic, so compare a short stretch after a short transient: RK4 at dt 0.1 and 0.05 agree
    coarse, fine = ev.mackey_glass(100, transient=20), ev.mackey_glass(100, dt=0.05, transient=20)
    assert np.abs(coarse - fine).max() < 1e-4
    x = np.arctanh(ev.mackey_glass(400)) + 1.0
    assert 0.2 < x.min() < 0.6 and 1.1 < x.max() < 1.5       # the tau = 17 attractor's range


def test_verdict_rules():
    cfg = dict(ev.DEFAULTS)
    sines = [dict(k=2, cells=10, test_nmse=3e-3, train_nmse=1e-3, evals=12000),
             dict(k=5, cells=20, test_nmse=0.4, train_nmse=0.1, evals=12000)]
    rows = ev.headline_rows({"sines": sines, "mg": dict(cells=20, nrmse84=3.5e-3, evals=8000)}, cfg)
    assert [r["verdict"] for r in rows] == ["partial", "open", "partial"]
    rows = ev.headline_rows({"sines": sines[:1], "mg": dict(cells=20, nrmse84=0.05, evals=8000)}, cfg)
    assert [r["verdict"] for r in rows] == ["partial", "open"]


def test_bad_flags_are_one_line(tmp_path):
    for args in (["--sines", "7"], ["--sines", "x"], ["--mg-train", "120", "--mg-washout", "100"],
                 ["--share", "median"]):
        proc = run_stub(STUB, *args, "--quick", "--out", tmp_path / "r.json", timeout=60)
        assert proc.returncode != 0 and len(proc.stderr.strip().splitlines()) == 1, (args, proc.stderr)


def test_crossing_counts_evaluations_to_the_first_generation_below():
    curve = np.array([0.5, 0.2, 0.009, 0.009, 5e-4])
    assert ev.crossing(curve, 40, 1e-2) == 120 and ev.crossing(curve, 40, 1e-3) == 200
    assert ev.crossing(curve, 40, 1e-4) is None
