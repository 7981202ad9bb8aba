"""Family core: the neural sequence chunker (Schmidhuber 1991/1992, principle of history
compression), used by chunker-22-symbol (and meant for chunker-very-deep-1200).

``net.py``: the fully recurrent sigmoid net of the papers (inputs, hidden and a bias feed every
hidden and output unit), batched over runs, beside a plain unit-by-unit step; its on-line truncated
BPTT gradient, full BPTT over a window, and the state Jacobian for Lyapunov spectra.
``system.py``: the on-line two-net system: automatizer A, chunker C, surprise gating (only inputs A
failed to predict reach C), and the collapse term (A predicts C's state), batched over runs beside a
plain one-run reference that the tests compare step by step.
``conventional.py``: the single recurrent net trained by BPTT through whole sequences, the papers'
"conventional algorithm".

The tasks (symbol streams, targets) and the experiments stay in the stubs.
"""
