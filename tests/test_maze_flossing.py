"""Science checks of stubs/maze-flossing: the QR backward rule, the exact flossing gradient of
the RNN, the TRM secant-flossing gradient, the XOR task, determinism and bad input."""
import importlib.util
import json

import numpy as np
from conftest import ROOT, run_stub

from shared.gradcheck import TOLERANCE
from shared.lyapunov import qr_backward, qr_positive, qr_spectrum

STUB = ROOT / "stubs" / "maze-flossing"
_spec = importlib.util.spec_from_file_location("maze_flossing", STUB / "maze_flossing.py")
mf = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mf)


def test_all_gradients_match_finite_differences():
    errs = mf.gradcheck()
    for part in ("xor bptt", "flossing J", "qr backward", "trm flossing conv0", "trm flossing emb"):
        assert any(k.startswith(part) for k in errs), part
    assert max(errs.values()) < TOLERANCE, errs


def test_qr_backward_on_a_worked_case():
    """n = 8 columns pushed through 20 random linear steps; loss = sum of ln R_ii (the flossing
    loss's building block), differentiated w.r.t. the first step's input matrix."""
    rng = np.random.default_rng(3)
    mats = rng.standard_normal((20, 8, 8)) / np.sqrt(8)
    A0 = rng.standard_normal((8, 5))

    def loss(A):
        Q, total = A, 0.0
        for M in mats:
            Q, R = qr_positive(M @ Q)
            total += np.log(np.diag(R)).sum()
        return total

    Qs, Rs, Q = [], [], A0
    for M in mats:
        Q, R = qr_positive(M @ Q)
        Qs.append(Q)
        Rs.append(R)
    dQ = np.zeros_like(Qs[-1])
    for t in range(19, -1, -1):
        dR = np.diag(1 / np.diag(Rs[t]))
        dA = qr_backward(Qs[t], Rs[t], dQ, dR)
        dQ = mats[t].T @ dA
    num = np.zeros_like(A0)
    for idx in np.ndindex(A0.shape):
        e = np.zeros_like(A0)
        e[idx] = 1e-6
        num[idx] = (loss(A0 + e) - loss(A0 - e)) / 2e-6
    assert np.abs(dQ - num).max() < 1e-6 * max(1.0, np.abs(num).max())


def test_flossing_exponents_equal_qr_spectrum():
    """The differentiable estimator in the stub gives the same exponents as shared.lyapunov on
    the Jacobians D_n = diag(sech^2 h_n) J of the same driven trajectory."""
    rng = np.random.default_rng(0)
    p = mf.rnn_init(rng, 1, 7, 2, 1.3, 0.1)
    u = rng.integers(0, 2, size=(30, 1)).astype(float)
    Q0 = qr_positive(rng.standard_normal((7, 7)))[0][None]
    lam, (h, _, _) = mf.floss_forward(p, u, 7, 5, Q0)
    jacs = [(1 / np.cosh(h[n + 1, 0]) ** 2)[:, None] * p["J"][0] for n in range(30)]
    # same frame, same transient: accumulate ln R_ii from step 5 on
    Q, acc = Q0[0], np.zeros(7)
    for n, Jn in enumerate(jacs):
        Q, R = qr_positive(Jn @ Q)
        if n >= 5:
            acc += np.log(np.diag(R))
    assert np.allclose(lam[0], acc / 25, atol=1e-10)
    assert np.isclose(np.sum(lam[0]), np.mean([np.log(abs(np.linalg.det(J))) for J in jacs[5:]]), atol=1e-8)
    assert qr_spectrum(jacs, k=3, n_transient=5).shape == (3,)


def test_xor_targets():
    u, y, mask = mf.xor_data(np.random.default_rng(0), 2, 3, 20, (2, 5))
    assert mask[:4, 0].sum() == 0 and mask[4:, 0].all() and mask[:10, 1].sum() == 0 and mask[10:, 1].all()
    t = 13
    assert np.array_equal(y[t, 1], (u[t - 5, 1] != u[t - 10, 1]).astype(float))
    assert np.array_equal(y[t, 0], (u[t - 2, 0] != u[t - 4, 0]).astype(float))


def test_quick_run_is_deterministic(tmp_path):
    outs = []
    for i in range(2):
        proc = run_stub(STUB, "--quick", "--workers", "1", "--out", tmp_path / f"r{i}.json", timeout=300)
        assert proc.returncode == 0, proc.stderr
        r = json.loads((tmp_path / f"r{i}.json").read_text())
        outs.append((r["headline"], r["metrics"]["xor"]["by_arm_delay"], r["metrics"]["maze"]["delta"]))
    assert outs[0] == outs[1]


def test_bad_delays_fail_with_one_line():
    proc = run_stub(STUB, "--quick", "--delays", "30", "--out", "/tmp/never-written.json", timeout=120)
    err = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert proc.returncode == 2 and len(err) == 1 and "delay" in err[0] and "Traceback" not in proc.stderr
