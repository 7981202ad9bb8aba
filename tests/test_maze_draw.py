"""shared.mazes.draw: the pick of a solved and an unsolved maze, the wrong-token count, the FTLE bins."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from shared.mazes.draw import draw_answer, ftle_figure, histogram_bins, pick_pair  # noqa: E402


def _run(ok, wrong_counts):
    """A saved run of one step, seed 1 of 2, with the given solved flags and wrong-token counts."""
    m = len(ok)
    Y = np.zeros((m, 3, 3), np.int8)
    pred = np.zeros((1, 2, m, 3, 3), np.int8)
    for j, w in enumerate(wrong_counts):
        pred[0, 1, j].flat[:w] = 1
    ok_test = np.zeros((2, 1, m), bool)
    ok_test[1, 0] = ok
    return dict(ok_test=ok_test, pred_steps=pred, Y_test=Y)


def test_pick_pair():
    assert pick_pair(_run([False, True, True, False], [2, 0, 0, 5]), 1, seed=1) == (1, 0)
    # all solved: the farthest from exact stands in for the unsolved one; none: the closest for the solved
    assert pick_pair(_run([True, True], [0, 0]), 1, seed=1) == (0, 0)
    assert pick_pair(_run([False, False, False], [4, 1, 6]), 1, seed=1) == (1, 0)


def test_draw_answer_counts_and_marks_wrong_tokens():
    fig, ax = plt.subplots()
    grid, target = np.array([[0, 1], [4, 4]]), np.array([[0, 1], [1, 4]])
    assert draw_answer(ax, grid) == 0 and len(ax.lines) == 0
    assert draw_answer(ax, grid, target) == 1 and len(ax.lines) == 1
    assert tuple(ax.lines[0].get_xydata()[0]) == (0, 1)           # (column, row) of the wrong token
    plt.close(fig)


def test_ftle_histogram_survives_equal_exponents(tmp_path):
    """Every lambda_1 equal (e.g. an untrained or collapsed recursion): the bins still increase
    and the figure is written; distinct values keep the plain [min, max + pad] span."""
    assert np.all(np.diff(histogram_bins(np.full(6, -0.25))) > 0)
    assert np.all(np.diff(histogram_bins(np.full(6, -0.25, np.float32))) > 0)
    assert np.all(np.diff(histogram_bins(np.zeros(3))) > 0)
    assert np.array_equal(histogram_bins(np.array([0.0, 1.0]), 0.5), np.linspace(0, 1.5, 25))
    assert histogram_bins(np.array([0.5, 1.0], np.float32)).dtype == np.float32     # figures unchanged
    lam = np.full((2, 3, 4), -0.1)
    ok = np.array([[True, False, True], [False, False, True]])
    ftle_figure(lam, ok, tmp_path / "ftle.png", "lambda_1")
    assert (tmp_path / "ftle.png").stat().st_size > 0
