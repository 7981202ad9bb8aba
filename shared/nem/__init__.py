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

``relational`` runs the loop on sequences (each step sees frame t and predicts frame t + 1, the
gradient stopped at gamma, as the authors' code does for videos) with two M-steps: the RNN-EM cell
above and the Relational N-EM cell (van Steenkiste et al. 2018: an encoder of each slot's state,
an attention-weighted sum of pairwise effects); forward, backward, a plain pair-by-pair
reference, and the Jacobian of the rollout map. ``grouping`` holds the AMI that scores groupings.

Used by ``neural-em-shapes`` (static shapes, ``rnn_em``) and ``relational-nem-bouncing-balls``
(bouncing balls, ``relational``).
"""
