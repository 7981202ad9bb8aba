"""The training step of the tiny-worlds RNN, GRU and LSTM, laid out for numpy (same maths as models.py).

``models.forward`` / ``models.backward`` are the reference: they read like the equations, with
the gates as column blocks of (S, B, G*H) arrays. Here the same step is reorganised for speed:

- one fused weight matrix per member, Wf (S, R, K), acting on the column z_t = [h_{t-1}; x_t; 1]
  (K = H + D + 1; the bias is the last column), so each step is ONE matmul Wf @ Z[t] that gives
  every gate's pre-activation, rows gate-major (each gate an (H, B) block, contiguous per
  member), and in its last row the readout of h_{t-1} (the prediction of step t - 1);
- the sigmoid gates' rows are halved in Wf, so that tanh over the rows gives tanh(a/2) and
  sig(a) = 1/2 + tanh(a/2)/2 needs no exp; one tanh call covers every gate of a step;
- the backward pass differentiates with respect to the *unscaled* pre-activations a, so it uses
  the plain matrix Wb (Wf with the halving undone) and Wb's gradient is the weights' gradient;
- every array is allocated once per (kind, S, H, T, B, dtype) and written with ``out=``; the
  views each step reads and writes are built once;
- the weight gradient is accumulated per step (dWb += dA_t Z_t^T, one product per gate block),
  no history is re-laid out;
- training sequences are gathered whole from a sequence-major copy of the training set
  (``gather``) and written into the input rows of Z in one transposing copy;
- a large ensemble runs as blocks of members (``Ensemble``), each block small enough that one
  step's arrays stay in the core's cache, so the cost per net does not grow with the ensemble
  (a 80-net GRU in one block was ~17 % slower per net than in blocks of 20 here).

Fused rows (per member; torch's gate blocks of W_ih / W_hh / biases in brackets):

    kind  rows                                                   R
    rnn   a = [h | x | b_ih + b_hh]                              H + 1
    gru   r [r], z [z] (both halved in Wf), gh = [h W_hn | 0 | b_hn], xn = [0 | x W_in | b_in]
                                                                 4H + 1
    lstm  i [i], f [f], o [o] (halved in Wf), g [g]              4H + 1
    all   last row: the readout [w_out | 0 | b_out]

Step t (Z[t] = [h_{t-1}; x_t; 1], h_t written into Z[t + 1]'s first H rows):

    rnn : h = tanh(a)
    gru : r, z = 1/2 + tanh(a_rz / 2) / 2;  n = tanh(xn + r * gh);  h = n + z (h_prev - n)
    lstm: i, f, o = 1/2 + tanh(a / 2) / 2;  g = tanh(a_g);  c = f c_prev + i g;  h = o tanh(c)

These are models.py's equations term by term; the results differ from the reference only by
floating-point rounding (the fused product sums x W_ih, h W_hh and the biases in one BLAS call,
the reference in three steps). tests/test_tiny_worlds_fast.py checks forward outputs, gradients
and Adam trajectories against models.forward / models.backward in float64 (to ~1e-12) and the
gradients against finite differences. Only the training loss's gradients are computed (dL/dyhat
in, parameter and initial-state gradients out, optionally dL/dx); a loss on the hidden states
(``models.backward``'s dhs) goes through the reference path.
"""
import numpy as np

from shared.tiny_worlds import models

# fused row blocks (in units of H rows) -> (torch gate block, which of "h" (W_hh, b_hh) and
# "i" (W_ih, b_ih) feed it); the first N_SIGMOID blocks are sigmoid gates
BLOCKS = {"rnn": ((0, "hi"),),
          "gru": ((0, "hi"), (1, "hi"), (2, "h"), (2, "i")),
          "lstm": ((0, "hi"), (1, "hi"), (3, "hi"), (2, "hi"))}
N_SIGMOID = {"rnn": 0, "gru": 2, "lstm": 3}


BLOCK_BYTES = 400_000          # one step's gate buffer per member block (about 1/3 of a core's L2 here)


def n_rows(kind, H):
    """Rows R of the fused matrix: the gate blocks plus the readout row."""
    return len(BLOCKS[kind]) * H + 1


def block_size(kind, H, B, dtype=np.float32, budget=BLOCK_BYTES):
    """Members per block: one step's gate activations (members x R x B) within ``budget`` bytes
    (GRU/LSTM-16 at batch 64, float32: 24; RNN-16: 91)."""
    return max(1, budget // (n_rows(kind, H) * B * np.dtype(dtype).itemsize))


class Core:
    """S members of one kind and size on batches of B sequences of length T, all buffers fixed.

    Typical training step::

        core.set_params(p)              # pack the standard parameter dict (models.init_params)
        core.gather(X, Y, idx)          # or core.set_batch(x, y)
        core.forward()
        nll, dpred = core.loss()
        grads = core.backward(dpred)    # keyed like p (plus "h0", "c0"); buffers reused each call
    """

    def __init__(self, kind, S, H, T, B, D=2, dtype=np.float32):
        if kind not in BLOCKS:
            raise ValueError(f"unknown model kind {kind!r}; expected one of {sorted(BLOCKS)}")
        self.kind, self.S, self.H, self.T, self.B, self.D = kind, S, H, T, B, D
        self.dtype = dt = np.dtype(dtype)
        self.K = K = H + D + 1
        self.R = R = n_rows(kind, H)
        self.one = np.array(1.0, dt)                       # constants as arrays: no scalar casts
        self.half = np.array(0.5, dt)
        self.Wb = np.zeros((S, R, K), dt)                  # plain fused weights (backward)
        self.Wf = np.zeros((S, R, K), dt)                  # sigmoid rows halved (forward)
        self.WbT = np.zeros((S, K, R), dt)                 # Wb transposed, contiguous
        self.Z = np.zeros((T + 1, S, K, B), dt)             # [h_{t-1}; x_t; 1] per step
        self.Z[:, :, K - 1, :] = 1.0
        self.A = np.zeros((T, S, R, B), dt)                # gate activations (and readouts) per step
        self.pred = np.zeros((T, S, B), dt)                # yhat_t = h_t . w_out + b_out
        self.p_last = np.zeros((S, 1, B), dt)              # readout of h_{T-1}
        self.err = np.zeros((T - 1, S, B), dt)
        self.dpred = np.zeros((T, S, B), dt)
        self.y = np.zeros((T, S, B), dt)
        self.dA = np.zeros((S, R, B), dt)
        self.dW = np.zeros((S, R, K), dt)
        self.dW_t = np.zeros((S, R, K), dt)
        self.dW_row = np.zeros((S, 1, K), dt)
        self.dh = [np.zeros((S, H, B), dt) for _ in range(2)]   # ping-pong dL/dh
        self.dZ = np.zeros((S, K, B), dt)                  # with need_dx: dL/dz_t
        self.tmp = np.zeros((S, H, B), dt)
        self.tmp3 = np.zeros((S, max(1, N_SIGMOID[kind]) * H, B), dt)
        if kind == "lstm":
            self.C = np.zeros((T + 1, S, H, B), dt)        # c_t at C[t + 1], c_0 at C[0]
            self.TC = np.zeros((T, S, H, B), dt)           # tanh(c_t)
            self.dc = np.zeros((S, H, B), dt)
        self.gx = np.zeros((S, B, T, D), dt)               # whole sequences, as gathered
        self.gy = np.zeros((S, B, T), dt)
        self.grads = self._grad_buffers()
        self._views()

    # ------------------------------------------------------------------------------------------
    # Parameters: the standard dict <-> the fused matrices
    # ------------------------------------------------------------------------------------------
    def _grad_buffers(self):
        S, H, D, B, dt = self.S, self.H, self.D, self.B, self.dtype
        G = models.GATES[self.kind]
        g = {"W_ih": np.zeros((S, D, G * H), dt), "W_hh": np.zeros((S, H, G * H), dt),
             "b_ih": np.zeros((S, G * H), dt), "b_hh": np.zeros((S, G * H), dt),
             "w_out": np.zeros((S, H), dt), "b_out": np.zeros((S,), dt), "h0": np.zeros((S, B, H), dt)}
        if self.kind == "lstm":
            g["c0"] = np.zeros((S, B, H), dt)
        return g

    def set_params(self, p):
        """Pack p (keys of models.CORE + models.HEAD, "input @ W" orientation) into Wb, Wf, WbT."""
        H, K, R, Wb = self.H, self.K, self.R, self.Wb
        for fb, (tb, parts) in enumerate(BLOCKS[self.kind]):
            rows, cols = slice(fb * H, (fb + 1) * H), slice(tb * H, (tb + 1) * H)
            bias = Wb[:, rows, K - 1]
            if "h" in parts:
                np.copyto(Wb[:, rows, :H], np.swapaxes(p["W_hh"][:, :, cols], 1, 2))
            if "i" in parts:
                np.copyto(Wb[:, rows, H:K - 1], np.swapaxes(p["W_ih"][:, :, cols], 1, 2))
            if parts == "hi":
                np.add(p["b_ih"][:, cols], p["b_hh"][:, cols], out=bias)
            else:
                np.copyto(bias, p["b_hh" if parts == "h" else "b_ih"][:, cols])
        np.copyto(Wb[:, R - 1, :H], p["w_out"])
        np.copyto(Wb[:, R - 1, K - 1], p["b_out"])
        np.copyto(self.Wf, Wb)
        sig = slice(0, N_SIGMOID[self.kind] * H)
        np.multiply(Wb[:, sig], self.half, out=self.Wf[:, sig])
        np.copyto(self.WbT, np.swapaxes(Wb, 1, 2))

    def _unpack(self, dW):
        """The standard gradient dict from the fused matrix's gradient dW (S, R, K)."""
        H, K, R, g = self.H, self.K, self.R, self.grads
        for fb, (tb, parts) in enumerate(BLOCKS[self.kind]):
            rows, cols = slice(fb * H, (fb + 1) * H), slice(tb * H, (tb + 1) * H)
            if "h" in parts:
                np.copyto(g["W_hh"][:, :, cols], np.swapaxes(dW[:, rows, :H], 1, 2))
                np.copyto(g["b_hh"][:, cols], dW[:, rows, K - 1])
            if "i" in parts:
                np.copyto(g["W_ih"][:, :, cols], np.swapaxes(dW[:, rows, H:K - 1], 1, 2))
                np.copyto(g["b_ih"][:, cols], dW[:, rows, K - 1])
        np.copyto(g["w_out"], dW[:, R - 1, :H])
        np.copyto(g["b_out"], dW[:, R - 1, K - 1])
        return g

    # ------------------------------------------------------------------------------------------
    # Inputs
    # ------------------------------------------------------------------------------------------
    def gather(self, X, Y, idx):
        """Batch from a sequence-major training set: member m gets sequences idx[m] (S, B) of
        X (N, T, D) and Y (N, T) (contiguous, this core's dtype); whole sequences are copied,
        then laid into the input rows of Z in one transposing copy."""
        np.take(X, idx, axis=0, out=self.gx)
        np.copyto(self.Z[:self.T, :, self.H:self.K - 1, :], self.gx.transpose(2, 0, 3, 1))
        np.take(Y, idx, axis=0, out=self.gy)
        np.copyto(self.y, self.gy.transpose(2, 0, 1))

    def set_batch(self, x, y=None):
        """Batch from time-major arrays x (T, S, B, D) and y (T, S, B), as models.forward takes."""
        np.copyto(self.Z[:self.T, :, self.H:self.K - 1, :], np.swapaxes(x, 2, 3))
        if y is not None:
            np.copyto(self.y, y)

    # ------------------------------------------------------------------------------------------
    # Forward, loss, backward
    # ------------------------------------------------------------------------------------------
    def _views(self):
        """The per-step views, made once."""
        H, R, Z, A = self.H, self.R, self.Z, self.A
        self.h = [Z[t, :, :H] for t in range(self.T + 1)]           # h[t + 1] = h_t, h[0] = h_0
        self.zT = [np.swapaxes(Z[t], 1, 2) for t in range(self.T + 1)]
        nb = len(BLOCKS[self.kind])
        self.blk = [[A[t, :, k * H:(k + 1) * H] for k in range(nb)] for t in range(self.T)]
        self.act = [A[t, :, :nb * H] for t in range(self.T)]         # all gate rows of step t
        self.sig = [A[t, :, :N_SIGMOID[self.kind] * H] for t in range(self.T)]
        self.dblk = [self.dA[:, k * H:(k + 1) * H] for k in range(nb)]
        self.dsig = self.dA[:, :N_SIGMOID[self.kind] * H]
        self.dro = self.dA[:, R - 1]
        self.WbT_h = self.WbT[:, :H]
        self.split_dw(self.kind != "rnn")

    def split_dw(self, split):
        """dA_t z_t^T as one product, or one per gate block plus the readout row (the default for
        the GRU and LSTM: OpenBLAS multiplies the (H, B) x (B, K) blocks faster than one
        (4H + 1, B) x (B, K) product here; the sums are the same, the rounding may differ)."""
        H, R = self.H, self.R
        if split:
            cuts = list(range(0, R - 1, H)) + [R - 1, R]
            self.dw_parts = [(self.dA[:, a:b], self.dW_t[:, a:b])
                             for a, b in zip(cuts[:-1], cuts[1:], strict=True)]
        else:
            self.dw_parts = [(self.dA, self.dW_t)]

    def forward(self, h0=None, c0=None):
        """Run the T steps on the current batch; returns pred (T, S, B), the prediction of y_{t+1}
        from h_t (a buffer, overwritten by the next call). h0, c0: (S, B, H) or None (zeros)."""
        T, Z, A, Wf, tmp = self.T, self.Z, self.A, self.Wf, self.tmp
        h, blk, half = self.h, self.blk, self.half
        if h0 is None:
            h[0].fill(0)
        else:
            np.copyto(h[0], np.swapaxes(h0, 1, 2))
        if self.kind == "rnn":
            for t in range(T):
                np.matmul(Wf, Z[t], out=A[t])
                np.tanh(blk[t][0], out=h[t + 1])
        elif self.kind == "gru":
            for t in range(T):
                np.matmul(Wf, Z[t], out=A[t])
                rz = self.sig[t]
                np.tanh(rz, out=rz)                          # tanh(a / 2)
                np.multiply(rz, half, out=rz)
                np.add(rz, half, out=rz)                     # r, z = sig(a)
                r, z, gh, n = blk[t]
                np.multiply(r, gh, out=tmp)
                np.add(n, tmp, out=n)                        # x W_in + b_in + r (h W_hn + b_hn)
                np.tanh(n, out=n)                            # n, in place of xn
                np.subtract(h[t], n, out=tmp)
                np.multiply(z, tmp, out=tmp)
                np.add(n, tmp, out=h[t + 1])                 # h = n + z (h_prev - n)
        else:
            C, TC = self.C, self.TC
            if c0 is None:
                C[0].fill(0)
            else:
                np.copyto(C[0], np.swapaxes(c0, 1, 2))
            for t in range(T):
                np.matmul(Wf, Z[t], out=A[t])
                act, s3 = self.act[t], self.sig[t]
                np.tanh(act, out=act)                        # tanh(a/2) for i, f, o; g = tanh(a_g)
                np.multiply(s3, half, out=s3)
                np.add(s3, half, out=s3)                     # i, f, o
                i, f, o, g = blk[t]
                np.multiply(f, C[t], out=C[t + 1])
                np.multiply(i, g, out=tmp)
                np.add(C[t + 1], tmp, out=C[t + 1])          # c = f c_prev + i g
                np.tanh(C[t + 1], out=TC[t])
                np.multiply(o, TC[t], out=h[t + 1])          # h = o tanh(c)
        R = self.R
        np.matmul(Wf[:, R - 1:R], Z[T], out=self.p_last)     # the readout of h_{T-1}
        np.copyto(self.pred[:T - 1], A[1:, :, R - 1])
        np.copyto(self.pred[T - 1], self.p_last[:, 0])
        return self.pred

    def hidden(self):
        """Hidden states (T, S, B, H) of the last forward pass (a new array)."""
        return np.ascontiguousarray(np.swapaxes(self.Z[1:, :, :self.H], 2, 3))

    def cells(self):
        """LSTM cell states (T, S, B, H) of the last forward pass (a new array)."""
        return np.ascontiguousarray(np.swapaxes(self.C[1:], 2, 3))

    def loss(self):
        """Per-member mean Gaussian NLL (S,) of the last forward pass against the batch's targets
        (yhat_t against y_{t+1}) and dL/dyhat (T, S, B) of the member-summed loss, as models.nll_loss."""
        err, n = self.err, (self.T - 1) * self.B
        np.subtract(self.pred[:-1], self.y[1:], out=err)
        nll = models.nll_from_mse(np.einsum("tsb,tsb->s", err, err) / n)
        np.divide(err, np.array(models.SIGMA ** 2 * n, self.dtype), out=self.dpred[:-1])
        self.dpred[-1].fill(0)
        return nll, self.dpred

    def backward(self, dpred, core=True, need_dx=False):
        """Gradients of a loss with dL/dyhat = dpred (T, S, B) through the readout and the core.

        Returns a dict keyed like models.backward (W_ih, W_hh, b_ih, b_hh, w_out, b_out, h0, and
        c0 for the LSTM; "x" (T, S, B, D) with need_dx), its arrays reused by the next call.
        core=False: only the readout's gradients (w_out, b_out), as models.backward(core=False).
        """
        T, H, K, R = self.T, self.H, self.K, self.R
        Z, dA, dW, dW_t, tmp = self.Z, self.dA, self.dW, self.dW_t, self.tmp
        g = self.grads
        if not core:
            np.einsum("tsb,tshb->sh", dpred, Z[1:, :, :H], out=g["w_out"])
            np.sum(dpred, axis=(0, 2), out=g["b_out"])
            return {"w_out": g["w_out"], "b_out": g["b_out"]}
        h, zT, blk, dblk, WbT_h = self.h, self.zT, self.blk, self.dblk, self.WbT_h
        one = self.one
        dx = np.zeros((T, self.S, self.D, self.B), self.dtype) if need_dx else None
        # the last prediction (yhat_{T-1}, not in the training loss) reads h_{T-1} outside the loop
        dlast = dpred[T - 1][:, None, :]                                     # (S, 1, B)
        np.matmul(dlast, zT[T], out=self.dW_row)
        dW.fill(0)
        dW[:, R - 1:R] += self.dW_row
        dh, nxt = self.dh[0], self.dh[1]
        np.multiply(self.Wb[:, R - 1, :H, None], dlast, out=dh)              # w_out dyhat_{T-1}
        if self.kind == "lstm":
            dc = self.dc
            dc.fill(0)
        for t in range(T - 1, -1, -1):
            if t > 0:
                np.copyto(self.dro, dpred[t - 1])                            # readout of h_{t-1}
            else:
                self.dro.fill(0)
            if self.kind == "rnn":
                da = dblk[0]
                np.multiply(h[t + 1], h[t + 1], out=da)
                np.subtract(one, da, out=da)
                np.multiply(da, dh, out=da)                                  # dh (1 - h^2)
            elif self.kind == "gru":
                r, z, gh, n = blk[t]
                dar, daz, dgh, dxn = dblk
                s1 = self.tmp3                                               # 1 - r, 1 - z
                np.subtract(one, self.sig[t], out=s1)
                np.multiply(dh, s1[:, H:], out=dxn)                          # dn = dh (1 - z)
                np.multiply(n, n, out=tmp)
                np.subtract(one, tmp, out=tmp)
                np.multiply(dxn, tmp, out=dxn)                               # d(xn + r gh)
                np.multiply(dxn, r, out=dgh)
                np.multiply(dxn, gh, out=dar)                                # dr
                np.subtract(h[t], n, out=tmp)
                np.multiply(dh, tmp, out=daz)                                # dz = dh (h_prev - n)
                np.multiply(s1, self.sig[t], out=s1)                         # sig' = s (1 - s)
                np.multiply(self.dsig, s1, out=self.dsig)
            else:
                i, f, o, gg = blk[t]
                dai, daf, dao, dag = dblk
                tc = self.TC[t]
                np.multiply(tc, tc, out=tmp)
                np.subtract(one, tmp, out=tmp)
                np.multiply(tmp, o, out=tmp)
                np.multiply(tmp, dh, out=tmp)
                np.add(dc, tmp, out=dc)                                      # dc += dh o (1 - tc^2)
                np.multiply(dc, gg, out=dai)
                np.multiply(dc, self.C[t], out=daf)
                np.multiply(dh, tc, out=dao)
                s1 = self.tmp3
                np.subtract(one, self.sig[t], out=s1)
                np.multiply(s1, self.sig[t], out=s1)
                np.multiply(self.dsig, s1, out=self.dsig)                    # i, f, o: sig'
                np.multiply(dc, i, out=dag)
                np.multiply(gg, gg, out=tmp)
                np.subtract(one, tmp, out=tmp)
                np.multiply(dag, tmp, out=dag)                               # g: tanh'
                np.multiply(dc, f, out=dc)                                   # dc_{t-1}
            for a, o in self.dw_parts:
                np.matmul(a, zT[t], out=o)
            np.add(dW, dW_t, out=dW)                                         # dWb += dA_t z_t^T
            if need_dx:
                np.matmul(self.WbT, dA, out=self.dZ)
                np.copyto(nxt, self.dZ[:, :H])
                np.copyto(dx[t], self.dZ[:, H:K - 1])
            else:
                np.matmul(WbT_h, dA, out=nxt)                                # dL/dh_{t-1}
            if self.kind == "gru":
                np.multiply(dh, blk[t][1], out=tmp)
                np.add(nxt, tmp, out=nxt)                                    # + dh z
            dh, nxt = nxt, dh
        self._unpack(dW)
        np.copyto(g["h0"], np.swapaxes(dh, 1, 2))
        if self.kind == "lstm":
            np.copyto(g["c0"], np.swapaxes(self.dc, 1, 2))
        if need_dx:
            return dict(g, x=np.ascontiguousarray(np.swapaxes(dx, 2, 3)))
        return g


class Ensemble:
    """S members as blocks of Cores (``block_size`` members each, as equal as possible), run one
    block after the other; the same interface for a training step. Members never interact: the
    gradients are those of one Core over all S members bit for bit (the reported loss to the last
    bit: numpy's einsum may sum a block of another size in another order)."""

    def __init__(self, kind, S, H, T, B, D=2, dtype=np.float32, block=None):
        size = block or block_size(kind, H, B, dtype)
        edges = np.linspace(0, S, -(-S // size) + 1).round().astype(int)
        self.slices = [slice(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:], strict=True)]
        self.cores = [Core(kind, sl.stop - sl.start, H, T, B, D, dtype) for sl in self.slices]
        self.S, self.dtype = S, np.dtype(dtype)
        self.grads = {k: np.zeros((S,) + v.shape[1:], dtype) for k, v in self.cores[0].grads.items()}
        self.nll = np.zeros(S)

    def set_params(self, p):
        for sl, c in zip(self.slices, self.cores, strict=True):
            c.set_params({k: v[sl] for k, v in p.items()})

    def gather(self, X, Y, idx):
        for sl, c in zip(self.slices, self.cores, strict=True):
            c.gather(X, Y, idx[sl])

    def set_batch(self, x, y=None):
        for sl, c in zip(self.slices, self.cores, strict=True):
            c.set_batch(x[:, sl], None if y is None else y[:, sl])

    def step(self, core=True, h0=None, c0=None):
        """forward, loss and backward of every block on its batch; returns the per-member NLL (S,)
        and the gradients (arrays reused by the next call; only w_out, b_out with core=False)."""
        for sl, c in zip(self.slices, self.cores, strict=True):
            c.forward(None if h0 is None else h0[sl], None if c0 is None else c0[sl])
            self.nll[sl], dpred = c.loss()
            g = c.backward(dpred, core=core)
            for k, v in g.items():
                self.grads[k][sl] = v
        return self.nll, (self.grads if core else {k: self.grads[k] for k in models.HEAD})
