"""Science checks of stubs/blues-improvisation: the form, the nets' wiring and dynamics, and the
earlier catalog's stack. The gradients and state Jacobians are checked once, by --gradcheck
(tests/test_stubs.py)."""
import numpy as np
from conftest import load_stub

bi = load_stub("blues-improvisation")


def test_the_form_and_its_note_level_chords():
    assert bi.CHORUS == 96 and bi.CHORD_ROLL.shape == (96, 12)
    assert np.all(bi.CHORD_ROLL.sum(1) == 4)                              # four chord tones every step
    names = bi.chord_names(bi.CHORD_ROLL > 0.5)
    assert names == ["C7", "C7", "C7", "C7", "F7", "F7", "C7", "C7", "G7", "F7", "C7", "C7"]
    assert bi.ALWAYS_C7 == 8 / 12
    assert np.all(bi.bars_on_form(np.tile(bi.CHORD_ROLL > 0.5, (3, 1))[:, None]))
    shifted = np.roll(np.tile(bi.CHORD_ROLL > 0.5, (2, 1)), 16, axis=0)[:, None]
    assert not bi.bars_on_form(shifted).all() and bi.best_phase_on_form(shifted)[0] == 1.0


def test_training_streams():
    rng = np.random.default_rng(0)
    S, B = 2, 8
    frag = rng.integers(0, len(bi.FRAGMENTS), (S, B, 40))
    phase0 = (np.arange(B) * 96) // B
    x = bi.stream_window(frag, 96, phase0, 97)
    assert x.shape == (97, S, B, 25)
    for b in range(B):                                       # chords follow the form at each phase
        np.testing.assert_array_equal(x[:, 0, b, :12], bi.CHORD_ROLL[(phase0[b] + 96 + np.arange(97)) % 96])
    assert x[..., 12:].sum(-1).max() == 1                                  # monophonic melody or a rest
    pcs = np.flatnonzero(x[..., 12:].sum((0, 1, 2)))
    assert set(pcs) <= set(bi.PENT)                                        # pentatonic fragments only
    assert bi.stream_window(frag, 0, phase0, 5, melody=False).shape == (5, S, B, 12)


def test_weight_counts_and_wiring():
    a1, a2 = bi.architecture(1), bi.architecture(2)
    assert bi.n_weights(a1) == 544        # 20 units x 21 rows - 8 cell biases + 24 peepholes + 8x12 + 12
    assert bi.n_weights(a2) == 1621       # chord 412 + melody 832 + 48 peepholes + 96 + 208 + 25
    p = bi.init_net(np.random.default_rng(0), a2, 3)
    assert sum(int((v[0] != 0).sum()) for v in p.values()) == 1621 - 25  # output biases start at 0
    mW, nb, C = a2["mask_W"], a2["nb"], a2["C"]
    chord_cols = np.r_[0:4, nb:nb + 4, 2 * nb:2 * nb + 8, 2 * nb + C:2 * nb + C + 4]
    assert mW[12:25, chord_cols].sum() == 0                  # chord blocks never see melody inputs
    assert mW[25 + 8:25 + 16, chord_cols].sum() == 0                      # ... nor the melody cells
    assert mW[:, np.setdiff1d(np.arange(a2["G"]), chord_cols)][:-1].all()  # melody blocks see everything
    assert a2["mask_V"][8:, :12].sum() == 0 and a2["mask_V"][:, 12:].all()
    assert np.all(p["W"][:, -1, :nb] < 0) and np.all(p["W"][:, -1, nb:2 * nb] > 0)  # gate biases


def test_generation_runs_the_same_cell_as_training():
    """States of a free run equal the teacher-forced forward pass on the inputs it produced."""
    a = bi.architecture(2)
    p = bi.init_net(np.random.default_rng(5), a, 2)
    _, _, (xs, ss, ys) = bi.generate(p, a, np.random.default_rng(6), 1, 3, record_state=True)
    _, cache = bi.forward(p, a, xs, np.zeros((2, 3, a["nb"], a["cpb"])), np.zeros((2, 3, a["C"])))
    np.testing.assert_allclose(cache["s"][1:], ss, atol=1e-12)
    np.testing.assert_allclose(cache["y"][1:], ys, atol=1e-12)


def test_melody_sampling():
    rng = np.random.default_rng(7)
    assert bi.sample_melody(rng, np.zeros((500, 13))).sum() == 0            # all units off: a rest
    pm = np.full((4000, 13), 1e-4)
    pm[:, 3] = 0.9                                                         # odds 9 against 1 for a rest
    m = bi.sample_melody(rng, pm)
    assert m.sum(-1).max() == 1 and 0.85 < m[:, 3].mean() < 0.95


def test_catalog_step_matches_the_sequence_forward():
    cat = bi.catalog_setting()
    rng = np.random.default_rng(8)
    W = cat.std_lstm_init(rng, 2, 11, 20)
    X = rng.uniform(0, 1, (6, 2, 3, 11))
    hs, _ = cat.std_lstm_forward(W, X)
    h, c = np.zeros((2, 3, 20)), np.zeros((2, 3, 20))
    for t in range(6):
        h, c = cat.std_lstm_step(W, X[t], h, c)
        np.testing.assert_allclose(h, hs[t], atol=1e-12)
