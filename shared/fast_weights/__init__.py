"""Family core: fast-weight memories controlled by a slow net (Schmidhuber 1992, "Learning to control
fast-weight memories: an alternative to dynamic recurrent networks", Neural Computation 4(1):131-139;
FKI-147-91).

Two feed-forward nets without hidden units. The slow net S reads its input x_S(t) and produces
changes for the weights of the fast net F; F reads x_F(t) with the weights it had one step before.
S learns on-line by an exact gradient carried forward in time (the paper's eqs. 2-3, in the style
of real-time recurrent learning), with either interface between S and F: one S output per fast
weight (eq. 4) or FROM/TO outer products (eq. 5).

core: the plain per-run step that reads like the paper's equations (``step_reference``) beside
      the step batched over independent runs (``step``), tested to agree; the off-line gradient of
      a short stream by the same forward recursion and, independently, by unfolding in time (the
      paper's section 2.2), for the gradient checks; the fast-weight Jacobian for the Lyapunov
      fingerprint.
Used by fast-weights-unknown-delay (section 3.1) and, planned, fast-weights-key-value (3.2).
"""

PAPER = ("J. Schmidhuber, Learning to control fast-weight memories: an alternative to dynamic "
         "recurrent networks, Neural Computation 4(1):131-139, 1992 (TR FKI-147-91, TU Munich, 1991)")
