"""The 1997 LSTM family core: Hochreiter & Schmidhuber's memory-block net, written once.

S. Hochreiter and J. Schmidhuber, Long Short-Term Memory, Neural Computation 9(8):1735-1780, 1997.
Experiments 4, 5 and 6 (adding-problem, multiplication-problem, temporal-order-3bit,
temporal-order-4bit) train this net; each stub keeps its task, its output layer, its learning
loop and its analysis.

    from shared.lstm1997 import cell
    net = cell.Blocks(n_in=2, n_blocks=2, block_size=2)      # the paper's Exp. 4 net, 88 + 5 weights
    W = cell.init_weights(net, rng, S, in_bias=[-3.0, -6.0])  # (S, D, H); the stub draws V after
    cache = cell.forward(net, W, x)                           # x (L, S, N, n_in), time-major
    dW = cell.grads_truncated(net, cache, dyc, last)          # dyc (S, N, C): dE/dy_c at the end
    J = cell.jacobians(net, W, cache)                         # for shared.lyapunov

The equations (``cell.reference_step`` reads exactly like this; the fast paths compute the same):

    u(t)    = [x(t), r(t-1), 1]                   r = [y_in (B), y_f (B, Gers 2000 only), y_c (C), y_out (B)]
    net_j   = sum_m w_jm u_m(t)                   every gate and cell unit, W (S, D, H)
    y_in    = sigma(net_in),  y_out = sigma(net_out)       one input and one output gate per block
    s_c(t)  = s_c(t-1) + y_in(t) g(net_c(t))      g = 4 sigma - 2, range [-2, 2]  (the CEC)
    y_c(t)  = y_out(t) h(s_c(t))                  h = 2 sigma - 1, range [-1, 1]

The output layer (logistic units on the cells' y_c) belongs to each stub, since the experiments
differ there (one or several outputs, with or without bias, error at the end or at every step).
The core's backward passes therefore take dE/dy_c and return dE/dW only.

What the module holds (cell.py):

- ``Blocks``: the layout of B blocks of ``block_size`` cells (column slices, cell -> block map,
  weight count). ``forget=True`` adds Gers, Schmidhuber & Cummins' (2000) forget gate per block,
  s_c(t) = y_f s_c(t-1) + y_in g: adding-problem trains it as a baseline, and it is the cell of
  continual-embedded-reber. Nothing else about the 1997 net changes with it.
- ``reference_step`` / ``reference_forward``: the paper's step, plain, with its own sigma; the
  tests check every fast path against it.
- ``forward`` (per-seed matmuls; the temporal-order stubs) and ``forward_folded`` (the S nets
  folded into one block-diagonal map, unit-major; adding and multiplication): the speed-tuned
  forward passes. Both are kept because the stubs' committed numbers depend on their order of
  floating-point operations; they agree with each other and with the reference to round-off.
- ``grads_truncated``: the paper's truncated gradient (Appendix A.1: error reaches the past only
  through the cell states), in closed form for an error at each sequence's last step.
- ``grads_bptt``: step-by-step BPTT, exact (checked by finite differences) or truncated (a second,
  independent implementation of the truncation, to check ``grads_truncated``).
- ``jacobians``: dz(t)/dz(t-1) for the carried state z = [s, r], for the Lyapunov spectra.

tanh_rnn.py holds the vanilla tanh RNN the same stubs train beside the LSTM as a baseline (the
paper ran none on these tasks): a plain reference step, two forward passes (one matmul of
[x, h, 1] per step; or the input part projected for all steps first, multiplication-problem's
order of operations), exact BPTT and Jacobians.

What the other 1997 stubs would need to move onto this core (not migrated here; their files are
being restructured separately). Checked on their current code: embedded-reber's forward and
Jacobians and two-sequence-noise's forward (paper net) equal ``cell.forward`` / ``cell.jacobians``
bit for bit, so a move keeps their numbers.

- embedded-reber (Exp. 1): ``Blocks(n_in=7, n_blocks=3, block_size=2)`` (or 4 x 1); cells without
  bias (a weight mask keeping W's bias row zero in the cell columns, applied at init and after
  every update: the stub's), 7 logistic outputs at every step without bias (the stub's). Its error
  enters y_c at every step, so it needs a per-step truncated gradient: ds(t) = sum_{tau >= t}
  e_s(tau) (a reverse cumulative sum) and the output-gate term at every step, i.e.
  ``grads_truncated`` and ``grads_bptt`` taking dyc of shape (L, S, N, C) instead of (S, N, C) at
  ``last``. Its forward RTRL (``rtrl_string``, eqs. 19-28) stays the stub's.
- two-sequence-noise (Exp. 3): ``Blocks(n_in=1, n_blocks=3, block_size=1)``, one output without
  bias (the stub's); it trains in float32, so ``forward`` would need to follow W's dtype (it works
  in float64 today), and its catalog net cuts the gates' recurrent rows (a mask on W, the stub's).
  Its cache keys are the same (U, act, s, yc); its evaluation-only unit-major pass
  (``lstm_outputs``) would stay or become a third fast path.
- noise-free-long-lag (Exp. 2): 2a/2b use another cell (one cell, input gate only, no output gate,
  g = sigma, h = identity) and stay the stub's own. 2c (2 blocks of 1 cell, no biases, symbol
  inputs as rows of W, forward RTRL traces) matches ``Blocks(n_in=p + 4, n_blocks=2,
  block_size=1)`` without the bias row: it needs ``Blocks(bias=False)`` (D = n_in + H) and the
  input given as W[sym] instead of x @ W_x; its h' is written as (1 - h^2)/2, the core's through
  exp(-|s|): equal in value, not in every bit.
"""
