"""Gers-line LSTM family: memory blocks with forget gates (2000) and peephole connections (2001/2002).

    lstm.py       the cell as seed-batched arrays: Cell (layout), squashing functions, step,
                  forward, grads_bptt (exact, or the papers' truncation), jacobians
    reference.py  the same step for one net, unit by unit, written like the papers' equations

The stubs that train this cell (anbn-anbncn, continual-embedded-reber, timing-counting-spikes)
keep their tasks and their online learning rules (truncated RTRL) in their own files; the
truncated backward pass here is the independent second implementation their RTRL is checked
against.
"""
