"""Checks of stubs/oscillator-world: the named random streams of its ensembles, the sweep flag,
the dynamics windows and verdict rules (ensemble training, controls, evaluation and spectra are
family-core code: test_tiny_worlds.py)."""
import numpy as np
import pytest
from conftest import ROOT, load_stub, run_stub

ow = load_stub("oscillator-world")
STUB = ROOT / "stubs" / "oscillator-world"


def test_ensemble_streams_are_named_and_stable():
    """Each ensemble's stream is the child of the init stream at its place in ensemble_names; a
    sweep size added at the end leaves every earlier ensemble's stream as it was."""
    names = ow.ensemble_names([2, 16])
    assert names == ["gru16", "rnn16", "lstm16", "sweep gru2", "sweep rnn2", "sweep gru16", "sweep rnn16"]
    a = ow.ensemble_streams(np.random.default_rng(np.random.SeedSequence(0)), [2, 16])
    b = ow.ensemble_streams(np.random.default_rng(np.random.SeedSequence(0)), [2, 16, 32])
    for name in names:
        assert a[name].random() == b[name].random()
    # the same children the run used when it addressed them by index: spawn(n)[i]
    kids = np.random.default_rng(np.random.SeedSequence(0)).spawn(len(names))
    c = ow.ensemble_streams(np.random.default_rng(np.random.SeedSequence(0)), [2, 16])
    for i, name in enumerate(names):
        assert kids[i].random() == c[name].random()


def test_dynamics_windows():
    """The original's windows at T = 256; shorter ones fit inside a short run."""
    assert ow.dynamics_windows(256) == (100, 150, 50, 200)
    cut, stop, l0, l1 = ow.dynamics_windows(40)
    assert 0 < cut < stop <= 40 and 0 <= l0 < l1 <= 40


def test_verdict_rules():
    assert ow.verdict_capped(True, capped=True) == "partial"
    assert ow.verdict_capped(True, capped=False) == "yes" and ow.verdict_capped(False, capped=True) == "open"
    assert ow.verdict_capped(False, capped=False) == "no"
    assert ow.verdict_untrained_lambda(-0.40, -0.14) == "yes"
    assert ow.verdict_untrained_lambda(-0.2, -0.14) == "no"


@pytest.mark.parametrize("sizes", [("2", "2", "16"), ("2", "4")])
def test_sweep_sizes_must_be_distinct_and_include_16(sizes, tmp_path):
    proc = run_stub(STUB, "--quick", "--sweep-h", *sizes, "--out", tmp_path / "r.json", timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "--sweep-h" in proc.stderr


def test_protocol_b_windows_fit_short_runs():
    """The three driven windows and their aligning steps stay inside [0, T), also for --quick's T."""
    for T in (40, 63, 64, 256):
        wins, n_align = ow.lyapunov_windows(T)
        assert wins[0][0] - n_align >= 0 and wins[-1][1] <= T
    assert ow.lyapunov_windows(256) == ([(64, 128), (128, 192), (192, 256)], 16)
