"""The online regime's sequence, fused: forward, last-step readout, truncated gradient, SGD step.

Experiments 4-6 update every net's weights after each sequence, so a training run is hundreds of
thousands of short passes over tiny arrays (10 nets x 8-12 units x ~100 steps) and its cost is
numpy's per-call overhead, not arithmetic. ``LastStepSGD`` does for one sequence per net exactly
what ``online.train``'s plain path does with ``net.forward``, ``net.readout``, ``net.grads`` and
``online.sgd_step_active``, with the overhead taken out:

- every buffer (unit inputs, activations, cell states, errors, gradients) is allocated once per
  training run and written with ``out=``; the views each step reads and writes are made once;
- each step is one matmul and 8 (folded) or 11 (per-net) numpy calls on flat contiguous
  arrays: the gates each cell needs are gathered with one ``take`` (a block's gate broadcast over
  its cells costs numpy about three times a flat product), constants are arrays, not scalars;
- the weights are laid out for the step once per sequence (the folded net's block-diagonal map is
  a fixed zero matrix whose diagonal is rewritten in one call);
- the truncated gradient (``cell.grads_truncated``) is computed in the forward pass's time-major
  layout (each gate's rows contiguous over the S nets) and written straight into the layout of
  the final batched matmul;
- readout, output gradient and error are computed once (the plain path reads out twice).

It performs the same floating-point operations in the same order as the plain path: the same
BLAS calls on operands of the same shapes and strides (the step's matmul, the input projection,
the gradient's batched matmul; BLAS kernels sum in an order that depends on them), and the same
elementwise operations, which numpy evaluates identically whatever the memory layout. The
results are bit-identical, which tests/test_lstm1997_fast.py checks over whole training runs on
the machine it runs on; benchmarks/lstm1997.py times the two side by side. The floor is numpy's
cost per call (~0.3-0.5 us on these arrays, ~1.4 us for the matmul): about 4-6 us per step
against 9-13 us on the plain path.

Supported: ``nets.BlocksNet`` with ``cell.forward_folded`` (adding-problem,
multiplication-problem) or ``cell.forward`` (temporal-order-3bit and -4bit), the "tanh"
arithmetic, with or without forget gate, one or K logistic outputs, float64; anything else trains
on the plain path (``supports``).
"""
import numpy as np
from numpy.lib.stride_tricks import as_strided

from shared.lstm1997 import cell, output


def supports(net, p):
    """True when ``LastStepSGD`` reproduces ``net``'s plain online step (see the module docstring)."""
    blocks = getattr(net, "blocks", None)
    return (blocks is not None and blocks.arith == "tanh" and blocks.bias
            and getattr(net, "_forward", None) in (cell.forward, cell.forward_folded)
            and p["W"].dtype == np.float64 and p["V"].dtype == np.float64)


class LastStepSGD:
    """One training sequence for each of S nets: ``sequence`` (forward, readout, error), then
    ``grads`` (dE/dW, dE/dV into fixed buffers) and ``sgd`` (w <- w - lr dE/dw for the active nets).

    The time axis of the buffers grows to the longest sequence seen (a regrow rebuilds them).
    """

    def __init__(self, net, S):
        self.net, self.b, self.S = net, net.blocks, S
        self.folded = net._forward is cell.forward_folded
        self.Lmax = 0

    # ------------------------------------------------------------------------------------------
    # Buffers and fixed views, made once per training run (again if a longer sequence comes)
    # ------------------------------------------------------------------------------------------
    def _alloc(self, L):
        b, S = self.b, self.S
        D, H, C, B, nx = b.D, b.H, b.C, b.B, b.n_in
        i_, f_, g_, o_ = b.i_sl, b.f_sl, b.g_sl, b.o_sl
        self.Lmax = L
        # each cell's gates: the input (and output, forget) gate of its block, for every cell
        gate_of = lambda sl: (sl.start + b.blk) if sl.stop > sl.start else None   # noqa: E731
        gates = [gate_of(sl) for sl in ((i_, o_, f_) if b.forget else (i_, o_))]
        if self.folded:
            # W_T[(h, s), (d, s')] = W[s, d, h] / 2 if s = s' else 0; its diagonal as one view
            self.W_T4 = np.zeros((H, S, D, S))
            st = self.W_T4.strides
            self.W_T_diag = as_strided(self.W_T4, shape=(H, S, D), strides=(st[0], st[1] + st[3], st[2]))
            self.W_T = self.W_T4.reshape(H * S, D * S)
            # time-major, unit-major: U[t] = [x(t), r(t-1), 1] by rows (d, s)
            self.U = np.zeros((L + 1, D * S, 1))
            U3 = self.U.reshape(L + 1, D, S)
            U3[:, -1] = 1.0
            self.th = np.empty((L, H * S, 1))                             # tanh(net/2), rows (h, s)
            th3 = self.th.reshape(L, H, S)
            self.sh = np.zeros((L + 1, C, S))                             # s/2, s_half[0] = 0
            self.half = np.full((H * S, 1), 0.5)                          # 0.5 as an array: no scalar
            self.inc = np.empty(C * S)
            self.hs = np.empty(C * S)
            self.dup = np.empty((len(gates), C * S))                      # each cell's gates, rows (c, s)
            # flat indices into U[t] of the gates of cell c, net s
            self.dup_idx = np.stack([((nx + gi)[:, None] * S + np.arange(S)).ravel() for gi in gates])
            shf = self.sh.reshape(L + 1, C * S)
            Uf = self.U.reshape(L + 1, D * S)
            self.steps = [(self.th[t], self.U[t], self.U[t + 1, nx * S:(nx + H) * S], Uf[t + 1],
                           th3[t, g_].reshape(C * S), shf[t], shf[t + 1],
                           Uf[t + 1, (nx + g_.start) * S:(nx + g_.stop) * S])
                          for t in range(L)]
            # what the gradient reads, time-major (L, units, S)
            self.Y = U3[1:, nx:nx + H]                                    # sigma of the gates
            self.TH = th3
            self.X_rows = U3[:, :nx]
        else:
            self.Wh = np.empty((S, D, H))
            self.Wr = np.empty((S, H, H))
            self.th = np.empty((L, S, 1, H))
            self.r = np.zeros((L + 1, S, 1, H))                            # r[0] = 0
            self.q = np.zeros((L + 1, S * C))                              # s/2, rows (s, c), q[0] = 0
            self.half = np.full(S * H, 0.5)
            self.inc = np.empty(S * C)
            self.hs = np.empty(S * C)
            self.thg = np.empty(S * C)
            self.dup = np.empty((len(gates), S * C))                       # each cell's gates, (s, c)
            # flat indices into r(t) (S, H) of net s's cell c: its gates, and the cell itself
            self.dup_idx = np.stack([(np.arange(S)[:, None] * H + gi).ravel() for gi in gates])
            self.cell_idx = (np.arange(S)[:, None] * H + np.arange(g_.start, g_.stop)).ravel()
            rf = self.r.reshape(L + 1, S * H)
            thf = self.th.reshape(L, S * H)
            # the matmul's (S, 1, H) operands, and flat views of the same memory for the rest
            self.steps = [(self.th[t], self.r[t], rf[t + 1], thf[t], self.q[t], self.q[t + 1])
                          for t in range(L)]
            # the gradient's time-major copies (L, units, S), filled after each forward pass
            self.Y = np.empty((L, H, S))
            self.TH = np.empty((L, H, S))
            self.sh = np.empty((L + 1, C, S))
        # gradient buffers, time-major (L, units, S)
        self.alive = np.empty((L, 1, S))
        self.G = np.empty((L, C, S))                                      # g(net_c) = 2 tanh(net_c/2)
        self.ds = np.empty((L, C, S))
        self.t1 = np.empty((L, C, S))
        self.t2 = np.empty((L, C, S))
        self.tB = np.empty((L, B, S))
        self.tB2 = np.empty((L, B, S))
        # sum_outer's operands are transposed views of (L, S, N, D) and (L, S, N, H) arrays: the
        # same views of these buffers, so that the batched matmul gets the same strides
        self.U_LSD = np.empty((L, S, D))
        self.U_LSD[:, :, -1] = 1.0
        self.dnet_LSH = np.empty((L, S, H))
        self.dW = np.empty((S, D, H))
        self.t_idx = np.arange(L)[:, None, None]

    # ------------------------------------------------------------------------------------------
    # Forward pass and readout of one sequence per net
    # ------------------------------------------------------------------------------------------
    def sequence(self, p, x, last, target):
        """x (L, S, 1, n_in) (a slice of the stream), last (S, 1), target (S,) or (S, K).
        Runs the S nets over x and reads the output at each last step.
        Returns y (S, 1[, K]) and err = y[:, 0] - target, as the plain path does."""
        L = x.shape[0]
        if L > self.Lmax:
            self._alloc(L)
        self.L, self.last = L, last
        if self.folded:
            self._forward_folded(p["W"], x, L)
        else:
            self._forward(p["W"], x, L)
        b, S = self.b, self.S
        lst = last[:, 0]
        ar = np.arange(S)
        if self.folded:
            yc_last = self.U.reshape(-1, b.D, S)[lst + 1, b.n_in + b.g_sl.start:b.n_in + b.g_sl.stop, ar]
        else:
            yc_last = self.r[lst + 1, ar, 0, b.g_sl]
        # output.readout: features [y_c(last), 1] (S, 1, C+1), then sigma(V feat)
        feat = np.concatenate([yc_last[:, None], np.ones((S, 1, 1))], axis=-1)
        y = self.net.sigma(output.net_input(p["V"], feat))
        self.feat, self.y, self.lst, self.ar = feat, y, lst, ar
        return y, y[:, 0] - target

    def _forward_folded(self, W, x, L):
        """cell.forward_folded for N = 1, in the fixed buffers."""
        b = self.b
        np.multiply(W.transpose(2, 0, 1), 0.5, out=self.W_T_diag)
        self.X_rows[:L] = x[:, :, 0].transpose(0, 2, 1)
        W_T, inc, hs, half, dup, idx = self.W_T, self.inc, self.hs, self.half, self.dup, self.dup_idx
        tanh, multiply, add = np.tanh, np.multiply, np.add
        yi, yo = dup[0], dup[1]
        yf = dup[2] if b.forget else None
        for z, u, r, u1, thg, s0, s1, yc in self.steps[:L]:      # (out= given by position)
            W_T.dot(u, z)                                            # half of every net input
            tanh(z, z)
            multiply(z, half, r)
            add(r, half, r)                                          # sigma of every unit: r(t)
            u1.take(idx, out=dup, mode="clip")                       # each cell's y_in, y_out
            multiply(yi, thg, inc)                                   # s/2 grows by y_in g/2
            if yf is None:
                add(s0, inc, s1)
            else:                                                    # s/2 = y_f s/2 + ...
                multiply(yf, s0, s1)
                add(s1, inc, s1)
            tanh(s1, hs)                                             # h(s) = tanh(s/2)
            multiply(yo, hs, yc)                                     # y_c into the cell rows

    def _forward(self, W, x, L):
        """cell.forward (per-net matmuls) for N = 1, in the fixed buffers."""
        b, S = self.b, self.S
        nx, H = b.n_in, b.H
        self._x = x[:, :, 0]                                              # (L, S, n_in)
        Wh = self.Wh
        np.multiply(W, 0.5, Wh)
        XB = np.matmul(x, Wh[:, :nx])                                     # (L, S, 1, H): input part
        np.add(XB, Wh[:, -1][:, None], XB)                               # ... + bias
        XB = XB.reshape(L, S * H)
        np.copyto(self.Wr, Wh[:, nx:nx + H])
        Wr, inc, hs, thg, half, dup = self.Wr, self.inc, self.hs, self.thg, self.half, self.dup
        idx, g_idx = self.dup_idx, self.cell_idx
        tanh, multiply, add, matmul = np.tanh, np.multiply, np.add, np.matmul
        yi, yo = dup[0], dup[1]
        yf = dup[2] if b.forget else None
        for t, (z, r0, r1f, zf, q0, q1) in enumerate(self.steps[:L]):
            matmul(r0, Wr, z)
            add(zf, XB[t], zf)
            tanh(zf, zf)
            multiply(zf, half, r1f)
            add(r1f, half, r1f)                                      # sigma of every unit: r(t)
            r1f.take(idx, out=dup, mode="clip")                      # each cell's y_in, y_out
            zf.take(g_idx, out=thg, mode="clip")                     # tanh(net_c/2)
            multiply(yi, thg, inc)
            if yf is None:
                add(q0, inc, q1)
            else:
                multiply(yf, q0, q1)
                add(q1, inc, q1)
            tanh(q1, hs)
            multiply(yo, hs, inc)
            r1f.put(g_idx, inc, mode="clip")                         # y_c into the cell columns
        # time-major copies (L, units, S) for the gradient
        self.TH[:L] = self.th[:L, :, 0].transpose(0, 2, 1)
        self.Y[:L] = self.r[1:L + 1, :, 0].transpose(0, 2, 1)
        self.sh[:L + 1] = self.q[:L + 1].reshape(L + 1, S, b.C).transpose(0, 2, 1)

    # ------------------------------------------------------------------------------------------
    # The paper's truncated gradient (cell.grads_truncated, error at the last step) and the update
    # ------------------------------------------------------------------------------------------
    def grads(self, p, err):
        """dE/dW (S, D, H) and dE/dV for E = 1/2 sum err^2 at the last steps, into fixed buffers.
        Returns {"W": dW, "V": dV}."""
        b, S, L, lst, ar = self.b, self.S, self.L, self.lst, self.ar
        B, bs, C, nx = b.B, b.bs, b.C, b.n_in
        i_, f_, g_, o_ = b.i_sl, b.f_sl, b.g_sl, b.o_sl
        # output layer (output.backward through output.logistic_delta)
        dV, dyc = output.backward(p["V"], self.feat, output.logistic_delta(self.y, err[:, None]))
        dyc = dyc[:, 0]                                                   # (S, C)
        Y, TH, sh = self.Y[:L], self.TH[:L], self.sh
        # last step: the output gates' error, and e_s = dE/ds(last)
        yo = Y[lst, o_, ar]                                               # (S, B)
        s_last = 2.0 * sh[lst + 1, :, ar]                                 # (S, C)
        dnet_o = np.add.reduceat(dyc * cell.h(s_last), np.r_[0:C:bs], axis=-1) * yo * (1 - yo)
        e_s = (dyc * yo[:, b.blk] * b.h_prime(s_last)).T                 # (C, S)
        alive = self.alive[:L]
        np.less_equal(self.t_idx[:L], lst, out=alive, casting="unsafe")
        ds, t1, t2, G = self.ds[:L], self.t1[:L], self.t2[:L], self.G[:L]
        if b.forget:
            # ds(t) = e_s prod_{tau = t+1..last} f(tau), 0 after the last step
            yf4 = Y[:, f_, None]                                          # (L, B, 1, S)
            f = t1.reshape(L, B, bs, S)
            np.copyto(f, yf4)
            np.copyto(t1, 1.0, where=alive == 0.0)
            rev = t2[::-1]
            np.cumprod(t1[::-1], axis=0, out=rev)                         # prod_{tau >= t}
            later = ds
            later[:-1] = t2[1:]
            later[-1] = 1.0
            np.multiply(e_s, later, out=ds)
            np.multiply(ds, alive, out=ds)
        else:
            np.multiply(e_s, alive, out=ds)                               # e_s for t <= last, 0 after
        dnet = self.dnet_LSH[:L]
        dnT = dnet.transpose(0, 2, 1)                                     # (L, H, S) view
        np.multiply(TH[:, g_], 2.0, out=G)                                # g = 2 tanh(net_c/2)
        yi = Y[:, i_]
        yi4 = yi[:, :, None]                                              # (L, B, 1, S)
        # d net_c = ds y_in g'(net_c),  g' = (4 - g^2) / 4
        np.multiply(G, G, out=t1)
        np.subtract(4.0, t1, out=t1)
        np.divide(t1, 4.0, out=t1)
        np.multiply(ds.reshape(L, B, bs, S), yi4, out=t2.reshape(L, B, bs, S))
        np.multiply(t2, t1, out=dnT[:, g_])
        # d net_in = sum over the block's cells of ds g, times sigma'
        tB, tB2 = self.tB[:L], self.tB2[:L]
        self._block_sum(np.multiply(ds, G, out=t1), tB)
        self._dsigma(tB, yi, tB2, dnT[:, i_])
        if b.forget:
            s_prev = np.multiply(sh[:L], 2.0, out=t2)                     # s(t-1)
            self._block_sum(np.multiply(ds, s_prev, out=t1), tB)
            self._dsigma(tB, Y[:, f_], tB2, dnT[:, f_])
        dnT[:, o_] = 0.0
        dnet[lst, ar, o_] = dnet_o + 0.0
        # dE/dW = sum_t U(t)^T dnet(t): shared.ensemble.sum_outer's batched matmul, same strides
        U = self.U_LSD[:L]
        if self.folded:
            U[...] = self.U[:L].reshape(L, b.D, S).transpose(0, 2, 1)
        else:
            U[:, :, :nx] = self._x
            U[:, :, nx:nx + b.H] = self.r[:L, :, 0]                       # r(t-1)
        np.matmul(U.transpose(1, 2, 0), dnet.transpose(1, 0, 2), out=self.dW)
        return {"W": self.dW, "V": dV}

    def _block_sum(self, v, out):
        """Sum over each block's cells, as np.add.reduceat sums them: (L, C, S) -> (L, B, S)."""
        b = self.b
        v4 = v.reshape(v.shape[0], b.B, b.bs, v.shape[-1])
        if b.bs == 1:
            np.copyto(out, v4[:, :, 0])
        elif b.bs == 2:
            np.add(v4[:, :, 0], v4[:, :, 1], out=out)
        else:                                   # reduceat's own order for longer blocks
            out[...] = np.add.reduceat(v.transpose(0, 2, 1), np.r_[0:b.C:b.bs], axis=-1).transpose(0, 2, 1)
        return out

    @staticmethod
    def _dsigma(v, y, tmp, out):
        """out = v y (1 - y), in that order."""
        np.subtract(1, y, out=tmp)
        np.multiply(v, y, out=out)
        np.multiply(out, tmp, out=out)

    @staticmethod
    def sgd(p, grads, lr, active):
        """online.sgd_step_active in place: p[n] -= (lr dE/dp[n]) * active."""
        for n in p:
            g = grads[n]
            np.multiply(g, lr, out=g)
            np.multiply(g, active.reshape((-1,) + (1,) * (g.ndim - 1)), out=g)
            np.subtract(p[n], g, out=p[n])
