"""The catalog's shared code, under one rule (SPEC.md, "Where the science lives").

- Top-level ``shared/*.py`` is plumbing every stub needs and none should re-implement: Lyapunov
  spectra, gradient checks, optimisers, random streams, statistics, atomic results/artefact
  writing, GIF writing, worker processes and the command-line skeleton. No model lives here.
- ``shared/<family>/`` holds a family core: a model or algorithm that two or more stubs train,
  written once, with a plain reference step that reads like the paper beside any speed-tuned
  version, and a test that they agree.
- A stub's own science (its task, its cell variant, its learning rule, its analysis) stays in
  the stub's file, which names the core it uses.
"""
import os as _os

# The catalog's matrices are tiny: BLAS threads only add contention (5-11x slow-downs were seen
# with two processes on two cores). Pin one thread unless the user asked otherwise; this must
# run before numpy is first imported, so stubs import `shared` first.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    _os.environ.setdefault(_var, "1")
