"""The 1997 LSTM family core: Hochreiter & Schmidhuber's memory-block net, written once.

S. Hochreiter and J. Schmidhuber, Long Short-Term Memory, Neural Computation 9(8):1735-1780, 1997.
Experiments 1, 2c, 3, 4, 5 and 6 (embedded-reber, noise-free-long-lag, two-sequence-noise,
adding-problem, multiplication-problem, temporal-order-3bit, temporal-order-4bit) train this net;
each stub keeps its task, its wiring, its stopping rule and its analysis.

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

The cell's backward passes take dE/dy_c and return dE/dW only, so any output layer can sit on
top: Experiments 4-6 share one (output.py), Experiments 1-3 keep their own (error at every step,
or no bias).

What the module holds (cell.py):

- ``Blocks``: the layout of B blocks of ``block_size`` cells (column slices, cell -> block map,
  weight count). ``forget=True`` adds Gers, Schmidhuber & Cummins' (2000) forget gate per block,
  s_c(t) = y_f s_c(t-1) + y_in g: adding-problem trains it as a baseline. Nothing else about the
  1997 net changes with it: every unit's output stays recurrent, unlike the Gers-line nets of
  shared/lstm_gers (continual-embedded-reber and the others), which feed back only the cells. ``bias=False``
  drops W's bias row (D = n_in + H; noise-free-long-lag's 2c net). ``arith`` is how the squashings
  are computed: "tanh" (the default: one tanh of half each net input, g = 2 tanh(z/2)) or "sigma"
  (g = 4 sigma - 2 from sigma = (1 + tanh(z/2))/2, h' = (1 - h^2)/2; noise-free-long-lag's 2c
  net). Equal in value, not in every bit, and the stubs' committed numbers depend on the bits.
- Inputs are vectors x (L, S, N, n_in) or symbols, integers x (L, S, N) standing for one-hot
  vectors; ``step`` reads a symbol's input part as a row of W (noise-free-long-lag's 2c net).
- ``reference_step`` / ``reference_forward``: the paper's step, plain, with its own sigma; the
  tests check every fast path against it.
- ``step``: one step in the net's arithmetic, for online learning rules that carry their own
  traces (noise-free-long-lag's RTRL); ``forward`` and ``forward_last`` of a "sigma" net loop it.
- ``forward`` (per-seed matmuls; temporal-order, embedded-reber, two-sequence-noise) and
  ``forward_folded`` (the S nets folded into one block-diagonal map, unit-major; adding and
  multiplication): the speed-tuned forward passes. Both are kept because the stubs' committed
  numbers depend on their order of floating-point operations; they agree with each other and with
  the reference to round-off. ``forward`` follows W's dtype (two-sequence-noise trains in float32).
- ``forward_last``: the cell outputs at each sequence's last step, no cache, unit-major: the
  evaluation pass for many sequences (two-sequence-noise's tests and random guessing).
- ``grads_truncated``: the paper's truncated gradient (Appendix A.1: error reaches the past only
  through the cell states), in closed form for an error at each sequence's last step, dyc
  (S, N, C), or at every step, dyc (L, S, N, C) (embedded-reber; a reverse cumulative sum).
- ``grads_bptt``: step-by-step BPTT, exact (checked by finite differences) or truncated (a second,
  independent implementation of the truncation, to check ``grads_truncated``); the same two
  shapes of dyc. ``deriv_first=True``: the same equations with the local derivatives multiplied
  together first and the errors in W's dtype (two-sequence-noise's catalog trainer, in float32).
- ``jacobians``: dz(t)/dz(t-1) for the carried state z = [s, r], for the Lyapunov spectra.

tanh_rnn.py holds the vanilla tanh RNN that adding-problem, multiplication-problem and the
temporal-order stubs train beside the LSTM as a baseline (the paper ran none on these tasks): a
plain reference step, two forward passes (one matmul of [x, h, 1] per step; or the input part
projected for all steps first, multiplication-problem's order of operations), exact BPTT and
Jacobians.

output.py, nets.py, online.py and fast.py serve Experiments 4-6 (adding, multiplication,
temporal order): output.py is the logistic output layer on [y_c, 1] read at each sequence's last
step (one or K units; a plain loop beside the vectorised pass); nets.py joins a core net and that
layer (forward, gradients, test-set outputs, Lyapunov spectra, the gradient-check helpers);
online.py is their lock-step online training loop (one sequence per net per update, the stopping
rule as a hook, stopped nets frozen); fast.py is that loop's sequence fused for the 1997 net under
plain gradient descent (forward, readout, truncated gradient and update in preallocated buffers,
the same arithmetic bit for bit; online.train uses it unless told ``fast=False``, and
benchmarks/lstm1997.py times the two paths side by side).

What stays in the stubs that use the core, and why:

- embedded-reber (Exp. 1): ``Blocks(n_in=7, n_blocks=3, block_size=2)`` (or 4 x 1); the cells'
  missing bias (a weight mask), the 7 outputs at every step, and its forward RTRL
  (``rtrl_string``, eqs. 19-28, the online learning rule) are the stub's.
- two-sequence-noise (Exp. 3): ``Blocks(n_in=1, n_blocks=3, block_size=1)``, trained in float32;
  the catalog net's cut gate rows (a mask) and the output unit are the stub's. The catalog
  setting's trainer uses ``grads_bptt(deriv_first=True)`` in float32 (its committed numbers depend
  on that order of operations).
- noise-free-long-lag (Exp. 2): 2a/2b use another cell (one cell, input gate only, no output gate,
  g = sigma, h = identity), the stub's own. 2c is ``Blocks(n_in=p + 4, n_blocks=2, block_size=1,
  bias=False, arith="sigma")`` on symbol inputs and uses the core's layout, init, step, forward
  passes, BPTT and Jacobians; its learning rule, RTRL traces of the input-gate and cell-input
  weights (eqs. 25, 27) advanced with ``step``, stays in the stub.
"""
