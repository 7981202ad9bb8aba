"""Tiny worlds family (Giebelhaus 2025): worlds, seed-batched RNN/GRU/LSTM, statistics."""
