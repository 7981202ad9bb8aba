"""Gradient flossing (Engelken 2023, arXiv 2312.17306) and its positive control, the delayed-XOR RNN.

rnn: the vanilla tanh RNN, the delayed-XOR task, exact BPTT, per-array clipping, accuracy;
floss: the differentiable top-k Lyapunov exponents of the driven RNN and the exact flossing
gradient (through the QR steps and the state trajectory), with a plain per-run reference;
control: Engelken's experiment (plain, pre-flossed, pre- and inter-flossed arms) as one ensemble.
Used by maze-flossing (its positive control); meant for the catalog's gradient-flossing stub too.
"""
