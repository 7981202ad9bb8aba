"""Plumbing shared by every stub of the catalog.

The science (models, backward passes, the paper's algorithm) lives in each stub's own file;
this package holds only what every stub needs and should not re-implement: Lyapunov spectra,
gradient checks, an optimiser, random streams, atomic results/artefact writing, GIF writing and
the common command-line skeleton.
"""
import os as _os

# The catalog's matrices are tiny: BLAS threads only add contention (5-11x slow-downs were seen
# with two processes on two cores). Pin one thread unless the user asked otherwise; this must
# run before numpy is first imported, so stubs import `shared` first.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    _os.environ.setdefault(_var, "1")
