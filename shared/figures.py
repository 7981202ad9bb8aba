"""Figure and GIF writing: Agg backend, atomic writes, no timestamps in the files.

PNG metadata (software, creation time) is stripped so a regenerated figure only changes when
its data changes; GIFs are palette-quantised and kept small.
"""
import io
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from shared.results import atomic_write_bytes  # noqa: E402


def save_figure(fig, path, dpi=110):
    """Save a matplotlib figure as PNG atomically with no metadata, then close it."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    plt.close(fig)
    atomic_write_bytes(path, buf.getvalue())


def figure_to_frame(fig, dpi=80):
    """Render a figure into an (H, W, 3) uint8 array (one GIF frame) and close it."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    buf.seek(0)
    return np.asarray(Image.open(buf).convert("RGB"))


def save_gif(frames, path, fps=4, loop=0, colors=128):
    """Write frames ((H, W, 3) uint8 arrays or PIL images, equal size) as an animated GIF.

    The last frame is held three times as long so the final state can be read.
    """
    frames = [f if isinstance(f, Image.Image) else Image.fromarray(np.asarray(f, dtype=np.uint8))
              for f in frames]
    if not frames:
        raise ValueError("save_gif: no frames")
    if fps <= 0:
        raise ValueError(f"save_gif: fps must be positive, got {fps}")
    if len({f.size for f in frames}) != 1:
        raise ValueError("save_gif: all frames must have the same size")
    # One shared palette, from a montage of up to 8 frames, keeps colours stable across frames.
    idx = np.linspace(0, len(frames) - 1, min(8, len(frames))).astype(int)
    pick = [frames[i].convert("RGB") for i in idx]
    w, h = pick[0].size
    montage = Image.new("RGB", (w, h * len(pick)))
    for i, im in enumerate(pick):
        montage.paste(im, (0, i * h))
    palette_src = montage.quantize(colors=colors, method=Image.Quantize.MEDIANCUT)
    pal = [f.convert("RGB").quantize(palette=palette_src, dither=Image.Dither.NONE) for f in frames]
    duration = [int(1000 / fps)] * len(pal)
    duration[-1] *= 3
    buf = io.BytesIO()
    pal[0].save(buf, format="GIF", save_all=True, append_images=pal[1:], duration=duration,
                loop=loop, optimize=True, disposal=1)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    atomic_write_bytes(path, buf.getvalue())
