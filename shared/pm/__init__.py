"""Family core: predictability minimization (PM; Schmidhuber 1992, Neural Computation 4(6)).

Code units y = f(x) computed by one coder net (the paper's "representational modules", which may
share hidden units); one predictor P_i per code unit, seeing the other code units and trained to
predict y_i; the predictors minimise

    E_P = 1/2 sum_p w_p sum_i (P_i^p - y_i^p)^2

and the coder maximises the same sum, V_C (the paper's section 5, "local conditioned variance
maximization", T = V_C). ``core.py`` holds the nets, both gradients (hand-written, batched over
independent runs), the paper's off-line (PASS 1 / PASS 2) and on-line update schemes, the joint
gradient field of the two-player game, and a plain per-run, per-pattern, per-unit reference of
the objective and both gradients that the batched code is tested against
(tests/test_pm_core.py).

Used by predictability-min-binary-factors (the 1992 binary ensembles). Written so that the
later PM stubs can train it unchanged: hidden layers are optional on both sides (``H = 0``:
a one-layer coder; ``K = 0``: the semilinear predictors of the 1996 image-patch paper), learning
rates and the coder-gradient reading may differ per run, and ``coder_backprop`` takes the
gradient of any other objective on the code units (the 1993 predictable-classification nets)."""
