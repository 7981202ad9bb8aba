"""shared.rng: named random streams."""
import numpy as np
import pytest

from shared.rng import streams


def test_streams_are_reproducible_independent_and_stable_under_appending():
    a = streams(3, ["init", "data"])
    b = streams(3, ["init", "data", "eval"])
    assert np.array_equal(a["init"].random(4), b["init"].random(4))
    assert np.array_equal(a["data"].random(4), b["data"].random(4))
    c = streams(3, ["init", "data"])
    assert not np.array_equal(c["init"].random(4), c["data"].random(4))
    assert not np.array_equal(streams(4, ["init"])["init"].random(4), streams(3, ["init"])["init"].random(4))
    for bad in (-1, 1.5, "0", True):
        with pytest.raises(ValueError):
            streams(bad, ["x"])
    with pytest.raises(ValueError):
        streams(0, ["x", "x"])
