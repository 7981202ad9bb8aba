"""Named, independent random streams spawned from one integer seed.

Every stub takes one ``--seed``. Each use of randomness (weight init, training data, evaluation
data, ...) gets its own generator, so that, for example, the evaluation set does not change when
training runs longer. Streams are derived with ``SeedSequence.spawn`` in a fixed name order, never
by adding offsets to the seed.
"""
import numpy as np


def streams(seed, names):
    """Return a dict name -> np.random.Generator, one independent stream per name.

    The i-th name always receives the i-th child of ``SeedSequence(seed)``, so adding a name at
    the end of the list leaves the earlier streams unchanged.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    names = list(names)
    if len(set(names)) != len(names):
        raise ValueError(f"stream names must be unique, got {names}")
    children = np.random.SeedSequence(int(seed)).spawn(len(names))
    return {name: np.random.default_rng(child) for name, child in zip(names, children, strict=True)}
