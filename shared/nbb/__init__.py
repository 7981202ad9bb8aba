"""Family core: the Neural Bucket Brigade (Schmidhuber 1989), used by nbb-xor and nbb-moving-light.

``core.py`` holds the rule once: a plain per-run, per-connection step that reads like the
equations (``step_reference``) beside a step batched over independent runs (``step``); the
tests check that they agree tick by tick. ``core.weight_jacobian`` is the Jacobian of one tick's
weight update with the winners held fixed (the learning dynamics' fingerprint)."""
