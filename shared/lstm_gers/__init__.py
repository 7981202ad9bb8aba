"""Gers-line LSTM family: memory blocks with forget gates (2000) and peephole connections (2001/2002).

    lstm.py       the cell as seed-batched arrays: Cell (layout and variant), squashing functions,
                  step, forward, grads_bptt (exact, or the papers' truncation), jacobians,
                  step_jacobian (one step's, for peephole cells); in the
                  split layout run, backprop (with the initial-state gradient), state_jacobians
                  (and closed_state_jacobians, the same in closed form)
    reference.py  the same step for one net, unit by unit, written like the papers' equations

The stubs that train this cell (anbn-anbncn, continual-embedded-reber, timing-counting-spikes)
keep their tasks and their online learning rules (truncated RTRL) in their own files; the
truncated backward pass here is the independent second implementation their RTRL is checked
against; timing-counting-spikes runs its tests and dynamics on the core's step and step_jacobian
in the ``unrolled`` arithmetic (u(t) W summed row by row), the scalar form its runs recorded.
lstm-search-space-odyssey trains Greff et al.'s vanilla LSTM and its eight variants as
switches of this cell (split layout, float32) and keeps its random search in its own file.
clockwork-rnn (an input-free peephole cell) and blues-improvisation (blocks of two cells with
peepholes, chord and melody blocks wired by weight masks) train the split layout with exact BPTT
and take their Lyapunov spectra from closed_state_jacobians; each keeps its recorded rounding
through a layout option (deriv_first, logistic_values).
"""
