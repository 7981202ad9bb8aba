"""Tiny worlds family (Giebelhaus 2025): worlds, seed-batched RNN/GRU/LSTM (models.py, the reference;
fast.py, the same training step laid out for speed), training, statistics, the resumable suite."""

# the source the family's world stubs reproduce, cited in their results.json
PAPER = ("N. Giebelhaus, Inductive Resonance in Gated Recurrent Networks, 2025 (README, paper/main.tex "
         "and code of chimera-sigma/tiny-worlds at commit acdd1c1)")
KINDS = ("gru", "rnn", "lstm")              # the three recurrent nets every world trains
