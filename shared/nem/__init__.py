"""Family core: Neural Expectation Maximization, the RNN-EM loop (Greff, van Steenkiste &
Schmidhuber, NIPS 2017).

An image x (D pixels) is explained by K slots. Slot k keeps a recurrent state h_k, decodes it to
pixel means psi_k, and owns the pixels in proportion to the responsibilities gamma_k (E-step);
the M-step is one step of a recurrent net fed the slot's responsibility-weighted prediction
error. ``rnn_em`` holds the loop, its loss, its hand-written backward pass (BPTT through every EM
step, optionally stopping the gradient at gamma), and the Jacobian of the EM iteration as a map
on the slot states (for Lyapunov spectra). The fast version batches the B images and K slots into
one matrix product; a plain version beside it loops over the slots and reads like the equations,
and tests/test_nem_core.py checks that the two agree.

Used by ``neural-em-shapes`` (static shapes); ``relational-nem-bouncing-balls`` is meant to build
on the same loop.
"""
