"""Random weight guessing (RG) for small recurrent nets: Hochreiter & Schmidhuber 1996 ("Bridging
long time lags by weight guessing and LSTM"; NIPS 9 "LSTM can solve hard long time lag problems")
and Schmidhuber, Hochreiter & Bengio 2001 ("Evaluating benchmark problems by random guessing").

RG: REPEAT draw every free weight uniformly in [-100, 100] UNTIL the net classifies all training
sequences correctly (|output at sequence end - target| < 0.1); then test on a separate set.

net:    the architectures (A1, A2, A2 without hidden self-loops, the latch units), the plain
        per-net, per-sequence forward pass (``final_output_reference``) beside the batched one
        that runs many guessed nets over many sequences at once (``final_outputs``), and the
        Jacobian of the state map for the Lyapunov fingerprint; ``guess_film`` replays one
        run's guesses for a GIF.
search: the guessing loop, many independent runs at once, each with its own weight stream, with
        early rejection (a net that misses one of the first sequences is not run on the rest).
Used by rs-two-sequence, rs-parity and rs-tomita.
"""

# the source both stubs reproduce, cited in their results.json
PAPER = ("S. Hochreiter, J. Schmidhuber, Bridging long time lags by weight guessing and Long "
         "Short-Term Memory (1996); J. Schmidhuber, S. Hochreiter, Y. Bengio, Evaluating benchmark "
         "problems by random guessing, in A Field Guide to Dynamical Recurrent Networks (2001)")

