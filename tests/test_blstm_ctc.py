"""shared/blstm_ctc: the batched BLSTM against the papers' step run forwards and backwards for each
sequence, padding and reversal, its backward pass against finite differences, the state Jacobians
against finite differences of the cell's step; CTC against brute-force enumeration of every
alignment, the batched log-space pass against the paper's rescaled recursions, its gradient against
finite differences, best-path and prefix beam-search decoding, the edit distance."""
import itertools

import numpy as np
import pytest

from shared.blstm_ctc import blstm, ctc, decode, reference
from shared.gradcheck import TOLERANCE, check_gradients, numeric_jacobian
from shared.lstm_gers import lstm


def tiny(n_dir, K=3, nb=2, n_out=4, seed=0, scale=0.5):
    rng = np.random.default_rng(seed)
    cell = blstm.make_cell(K, nb)
    return cell, blstm.init_params(rng, cell, n_dir, n_out, scale=scale, dtype=np.float64), rng


@pytest.mark.parametrize("n_dir", [1, 2])
def test_batched_padded_blstm_is_the_plain_one_per_sequence(n_dir):
    cell, p, rng = tiny(n_dir)
    lengths = np.array([5, 3, 1])
    x = rng.normal(size=(5, 3, 3))
    z, _ = blstm.forward(cell, p, x, lengths)
    for n, T in enumerate(lengths):
        y = reference.blstm_outputs(cell, p, x[:T, n])
        assert np.allclose(ctc.log_softmax(z[:T, n]), np.log(y), atol=1e-12)


def test_padding_never_reaches_a_real_frame():
    cell, p, rng = tiny(2)
    lengths = np.array([4, 2])
    x = rng.normal(size=(6, 2, 3))
    z, _ = blstm.forward(cell, p, x, lengths)
    x2 = x.copy()
    x2[4:, 0] = 99.0
    x2[2:, 1] = -7.0
    z2, _ = blstm.forward(cell, p, x2, lengths)
    assert np.array_equal(z[:4, 0], z2[:4, 0]) and np.array_equal(z[:2, 1], z2[:2, 1])
    rev = blstm.reverse_index(lengths, 6)
    assert np.array_equal(rev[rev, np.arange(2)], np.tile(np.arange(6)[:, None], (1, 2)))


def test_the_parameter_count_of_the_2006_net():
    cell = blstm.make_cell(26, 100)
    assert blstm.n_weights(cell, 2, 62) == 114_662
    p = blstm.init_params(np.random.default_rng(0), cell, 2, 62)
    assert sum(v.size for v in p.values()) == 114_662


@pytest.mark.parametrize("n_dir", [1, 2])
def test_blstm_gradient_with_ctc_matches_finite_differences(n_dir):
    cell, p, rng = tiny(n_dir, seed=3)
    lengths = np.array([6, 4])
    x = rng.normal(size=(6, 2, 3))
    labels, label_lengths = np.array([[0, 1, 0], [2, 2, 0]]), np.array([3, 2])

    def loss():
        z, _ = blstm.forward(cell, p, xs["x"], lengths)
        return float(ctc.loss_and_grad(z, lengths, labels, label_lengths)[0].sum())
    xs = {"x": x}
    z, cache = blstm.forward(cell, p, x, lengths)
    _, dz = ctc.loss_and_grad(z, lengths, labels, label_lengths)
    g, dx = blstm.backward(cell, p, cache, dz, need_dx=True)
    dx[4:, 1] = 0.0                                      # padded inputs do not matter
    errs = check_gradients(loss, p, g, eps=1e-5)
    errs.update(check_gradients(loss, xs, {"x": dx}, eps=1e-5))
    assert max(errs.values()) < TOLERANCE, errs


def test_state_jacobians_match_finite_differences():
    cell, p, rng = tiny(2, K=2, nb=3)
    x = rng.normal(size=(4, 1, 2))
    _, cache = blstm.forward(cell, p, x, np.array([4]))
    J = blstm.state_jacobians(cell, p, cache["lstm"], 0, 4)          # (4, 2, 1, 6, 6)
    C = cell.nc
    for d in range(2):
        q = {k: p[k][d:d + 1] for k in ("Wx", "R", "b", "P")}
        X = cache["lstm"]["x"][:, d:d + 1]
        for t in range(1, 4):
            def step(state, t=t, q=q, X=X):
                st = {"c": state[:C].reshape(1, 1, C), "y": state[C:].reshape(1, 1, C)}
                _, fin, _ = lstm.run(cell, q, X[t:t + 1], st)
                return np.concatenate([fin["c"].ravel(), fin["y"].ravel()])
            z0 = np.concatenate([cache["lstm"]["s"][t, d, 0], cache["lstm"]["y"][t, d, 0]])
            assert np.allclose(J[t, d, 0], numeric_jacobian(step, z0), atol=1e-8)


def test_ctc_equals_brute_force_enumeration():
    rng = np.random.default_rng(1)
    for T, labels in [(1, [0]), (3, [1]), (4, [0, 0]), (5, [1, 0, 1]), (4, []), (5, [1, 1, 0])]:
        y = rng.dirichlet(np.ones(3), size=T)               # K = 2 labels + blank
        nll, _ = reference.ctc(y, labels)
        assert np.isclose(np.exp(-nll), reference.brute_force(y, labels), rtol=1e-12)


def test_brute_force_sums_to_one_over_labellings():
    rng = np.random.default_rng(2)
    y = rng.dirichlet(np.ones(3), size=4)
    total = sum(reference.brute_force(y, list(lab)) for n in range(5)
                for lab in itertools.product(range(2), repeat=n))
    assert np.isclose(total, 1.0)


def test_batched_log_space_ctc_is_the_papers_rescaled_recursion():
    rng = np.random.default_rng(4)
    lengths = np.array([7, 5, 3, 6])
    labels = np.array([[0, 2, 2, 1], [3, 1, 0, 0], [1, 0, 0, 0], [2, 2, 2, 0]])
    label_lengths = np.array([4, 2, 1, 3])
    z = rng.normal(size=(7, 4, 5))
    nll, dz = ctc.loss_and_grad(z, lengths, labels, label_lengths)
    for n, T in enumerate(lengths):
        y = np.exp(ctc.log_softmax(z[:T, n]))
        r_nll, r_grad = reference.ctc(y, list(labels[n, :label_lengths[n]]))
        assert np.isclose(nll[n], r_nll, rtol=1e-12)
        assert np.allclose(dz[:T, n], r_grad, atol=1e-12) and np.all(dz[T:, n] == 0)


def test_ctc_gradient_matches_finite_differences():
    rng = np.random.default_rng(5)
    lengths, labels, label_lengths = np.array([6, 4]), np.array([[1, 1, 0], [2, 0, 0]]), np.array([3, 1])
    z = rng.normal(size=(6, 2, 4))
    _, dz = ctc.loss_and_grad(z, lengths, labels, label_lengths)
    p = {"z": z}
    errs = check_gradients(lambda: float(ctc.loss_and_grad(p["z"], lengths, labels, label_lengths)[0].sum()),
                           p, {"z": dz}, eps=1e-6)
    assert errs["z"] < TOLERANCE


def test_impossible_labelling_is_refused():
    with pytest.raises(ValueError):
        ctc.loss_and_grad(np.zeros((2, 1, 3)), np.array([2]), np.array([[0, 0]]), np.array([2]))


def test_decoders():
    blank = 3
    path = [blank, 0, 0, blank, 0, 1, 1, blank, 2]
    assert ctc.collapse(path, blank) == [0, 0, 1, 2]
    logy = np.log(np.full((len(path), 4), 0.01))
    logy[np.arange(len(path)), path] = np.log(0.97)
    assert ctc.best_path(logy[:, None], [len(path)]) == [[0, 0, 1, 2]]
    assert ctc.prefix_beam_search(logy) == [0, 0, 1, 2]
    # two paths of "a" beat the single most probable path "b": best path and prefix search differ
    y = np.array([[0.3, 0.0, 0.7], [0.3, 0.4, 0.3]]) + 1e-12
    y /= y.sum(1, keepdims=True)
    assert ctc.best_path(np.log(y)[:, None], [2]) == [[1]]
    assert ctc.prefix_beam_search(np.log(y), beam=4, min_prob=1e-6) == [0]


def test_edit_distance():
    assert ctc.edit_distance([1, 2, 3], [1, 3]) == 1
    assert ctc.edit_distance([], [4, 4]) == 2
    assert ctc.edit_distance([1, 2, 3, 4], [2, 1, 3, 5]) == 3
    assert ctc.label_error_rate([[1, 2], [3]], [[1, 2], []]) == pytest.approx(1 / 3)


def test_prefix_search_finds_the_most_probable_labelling():
    rng = np.random.default_rng(6)
    for T in (2, 3, 4, 5):
        for _ in range(3):
            y = rng.dirichlet(np.full(3, 0.7), size=T)
            probs = {lab: reference.brute_force(y, list(lab)) for n in range(T + 1)
                     for lab in itertools.product(range(2), repeat=n)}
            best = max(probs, key=probs.get)
            got = ctc.prefix_search(np.log(y), threshold=1.1)        # no sections
            assert np.isclose(probs[tuple(got)], probs[best], rtol=1e-12)
    # sections split at confident blanks give the same answer on a spiky output
    path = [3, 0, 3, 3, 1, 1, 3, 3, 0, 3]
    logy = np.log(np.full((len(path), 4), 1e-5))
    logy[np.arange(len(path)), path] = 0.0
    assert ctc.prefix_search(logy) == ctc.prefix_search(logy, threshold=1.1) == [0, 1, 0]


def _paths_of(y, labels):
    """Every path pi of y (T, K+1) with B(pi) = labels, with its probability."""
    T, Kp = y.shape
    return [(pi, float(np.prod(y[np.arange(T), pi]))) for pi in itertools.product(range(Kp), repeat=T)
            if reference.collapse(pi, Kp - 1) == list(labels)]


def test_dictionary_scores_are_the_sum_and_the_best_path_by_enumeration():
    rng = np.random.default_rng(7)
    words = [[0], [1], [0, 1], [1, 1], [0, 0, 1], [2, 1, 2], [2, 0, 0, 2]]
    for T in (1, 3, 5):
        y = rng.dirichlet(np.full(4, 0.8), size=T)           # K = 3 letters + blank
        s_sum = decode.word_scores(np.log(y), words, "sum")
        s_max = decode.word_scores(np.log(y), words, "max")
        for w, a, b in zip(words, s_sum, s_max, strict=True):
            probs = [p for _, p in _paths_of(y, w)]
            if not probs:                                   # too long for T frames
                assert a == b == -np.inf
                continue
            assert np.isclose(a, np.log(reference.brute_force(y, w)), rtol=1e-12)
            assert np.isclose(b, np.log(max(probs)), rtol=1e-12)
        i, score = decode.lexicon_decode(np.log(y), words, "sum")
        assert score == s_sum.max() and i == int(np.argmax(s_sum))


def test_dictionary_decoding_can_beat_best_path():
    # the single best path spells "b" (not in the dictionary); the dictionary word "a" is chosen
    y = np.array([[0.3, 0.0, 0.7], [0.3, 0.4, 0.3]]) + 1e-12
    y /= y.sum(1, keepdims=True)
    assert ctc.best_path(np.log(y)[:, None], [2]) == [[1]]
    assert decode.lexicon_decode(np.log(y), [[0], [0, 0]], "max")[0] == 0


def test_forced_alignment_is_the_most_probable_path_of_the_labelling():
    rng = np.random.default_rng(8)
    for T, labels in [(3, [1]), (4, [0, 0]), (5, [1, 0, 1]), (6, [2, 2, 1])]:
        y = rng.dirichlet(np.full(4, 0.8), size=T)
        path, first = decode.forced_alignment(np.log(y), labels)
        best_pi, best_p = max(_paths_of(y, labels), key=lambda kv: kv[1])
        assert np.isclose(np.prod(y[np.arange(T), path]), best_p, rtol=1e-12)
        assert reference.collapse(list(path), 3) == labels
        starts = [t for t in range(T) if path[t] != 3 and (t == 0 or path[t] != path[t - 1])]
        assert list(first) == starts                         # where each label's run begins
    with pytest.raises(ValueError):
        decode.forced_alignment(np.log(np.full((2, 3), 1 / 3)), [0, 0])
