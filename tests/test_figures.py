"""shared.figures: GIF writing."""
import numpy as np
import pytest

from shared.figures import save_gif


def test_save_gif_writes_all_frames(tmp_path):
    from PIL import Image
    frames = [np.full((20, 30, 3), 40 * i, dtype=np.uint8) for i in range(5)]
    save_gif(frames, tmp_path / "a.gif", fps=5)
    im = Image.open(tmp_path / "a.gif")
    assert im.size == (30, 20) and im.n_frames == 5
    with pytest.raises(ValueError):
        save_gif([], tmp_path / "b.gif")
    with pytest.raises(ValueError):
        save_gif([frames[0], np.zeros((5, 5, 3), np.uint8)], tmp_path / "b.gif")
    assert not (tmp_path / "b.gif").exists()
