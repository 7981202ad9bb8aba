"""Resumable long loops: a training loop's whole state saved every so often, restored in place.

A paper-budget run can outlast a sitting (the 1997 experiments' online loops run for hours here).
The loop names the objects that make up its state (weights, optimiser, stopping rule, curves,
the data stream's random generator, ...); ``save`` pickles them atomically at a point where the
loop can restart (for the online loops: before a chunk of sequences is drawn), and ``restore``
writes the saved values back *into the same objects*, so closures and callers that hold them see
the restored state. A resumed run is bit-identical to an uninterrupted one (tested).

    ck = Checkpoint(path, every=50_000, fingerprint={"cfg": cfg, "seed": seed, "kind": kind})
    k0 = ck.restore(objects)            # 0 without a usable checkpoint
    for k in range(k0, n):
        if ck.due(k):
            ck.save(k, objects)
        ...
    ck.save(n_done, objects, final=True)  # a finished part is kept until the results are written

A checkpoint whose fingerprint differs from the run's (another configuration, seed or code
version of the state) is ignored with a message, never half-used.
"""
import os
import pickle
import tempfile

import numpy as np


def _restore_into(obj, saved):
    """Write ``saved`` into ``obj`` in place (arrays, dicts, lists, generators, plain objects);
    returns the object to keep (``saved`` itself where nothing can be written in place)."""
    if isinstance(obj, np.ndarray) and isinstance(saved, np.ndarray) and obj.shape == saved.shape \
            and obj.dtype == saved.dtype:
        obj[...] = saved
        return obj
    if isinstance(obj, np.random.Generator):
        obj.bit_generator.state = saved.bit_generator.state
        return obj
    if isinstance(obj, dict) and isinstance(saved, dict):
        _restore_mapping(obj, saved)
        return obj
    if isinstance(obj, list) and isinstance(saved, list):
        obj[:] = saved
        return obj
    if hasattr(obj, "__dict__") and type(obj) is type(saved):
        # attribute by attribute, so that references the object holds (an optimiser's parameter
        # dict is the loop's weights) keep pointing at the live objects
        _restore_mapping(obj.__dict__, saved.__dict__)
        return obj
    return saved


def _restore_mapping(obj, saved):
    for key in list(obj):
        if key not in saved:
            del obj[key]
    for key, value in saved.items():
        obj[key] = _restore_into(obj[key], value) if key in obj else value


def folder_beside(out, seed):
    """A run's checkpoint folder: hidden, beside its results file ``out``
    (``.<results stem>-seed<seed>.checkpoint/``), so that a re-run of the same command finds it."""
    stem = os.path.splitext(os.path.basename(out))[0]
    return os.path.join(os.path.dirname(os.path.abspath(out)), f".{stem}-seed{seed}.checkpoint")


def remove_folder(folder):
    """Delete a finished run's checkpoint files (``*.pkl``) and the folder once it is empty; call
    after the results are written. ``None`` or a missing folder is a no-op."""
    if folder and os.path.isdir(folder):
        for name in os.listdir(folder):
            if name.endswith(".pkl"):
                os.unlink(os.path.join(folder, name))
        if not os.listdir(folder):
            os.rmdir(folder)


class Checkpoint:
    """One loop's checkpoint file. ``path`` None disables it (every method is then a no-op)."""

    def __init__(self, path, every, fingerprint):
        if path is not None and not (isinstance(every, int) and every > 0):
            raise ValueError(f"checkpoint every must be a positive int, got {every!r}")
        self.path, self.every, self.fingerprint = path, every, repr(fingerprint)
        self.final = False

    def due(self, k):
        return self.path is not None and k > 0 and k % self.every == 0

    def save(self, k, objects, final=False):
        """Pickle {k, final, fingerprint, objects} to ``path`` atomically (temp file, then rename)."""
        if self.path is None:
            return
        folder = os.path.dirname(os.path.abspath(self.path))
        os.makedirs(folder, exist_ok=True)
        blob = {"k": int(k), "final": bool(final), "fingerprint": self.fingerprint, "objects": objects}
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".pkl")
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(blob, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def restore(self, objects):
        """Write a matching checkpoint's objects into ``objects`` (in place); return its k (0 when
        there is none or it does not match). ``self.final`` tells whether the loop had finished."""
        if self.path is None or not os.path.isfile(self.path):
            return 0
        try:
            with open(self.path, "rb") as f:
                blob = pickle.load(f)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as e:
            print(f"  checkpoint {self.path} unreadable ({type(e).__name__}); starting afresh", flush=True)
            return 0
        if blob.get("fingerprint") != self.fingerprint or set(blob.get("objects", {})) != set(objects):
            print(f"  checkpoint {self.path} is from another configuration; starting afresh", flush=True)
            return 0
        for name, saved in blob["objects"].items():
            kept = _restore_into(objects[name], saved)
            if kept is not objects[name]:
                what = type(objects[name]).__name__
                raise ValueError(f"checkpoint: cannot restore {name!r} in place ({what})")
        self.final = blob["final"]
        return blob["k"]

    def remove(self):
        if self.path is not None and os.path.isfile(self.path):
            os.unlink(self.path)
