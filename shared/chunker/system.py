"""The on-line two-net chunking system (Schmidhuber 1991/1992, "history compression"), batched
over independent runs, beside a plain one-run reference.

Two fully recurrent sigmoid nets (``shared.chunker.net``): the automatizer A and the chunker C.
At time t the environment gives a normal input x(t) (n_I) and, at some steps, a target d(t)
(n_D; zero when there is none, ``has_d`` says which steps have one). A's input is i(t) = x(t) d(t).

    A's outputs y_A = [p_A ; d_A ; c_A], computed before x(t), d(t) are seen:
        p_A  predicts x(t),   d_A predicts d(t) (scored only when there is a target),
        c_A  predicts C's state s_C = [h_C ; o_C] as it stands before any update at t
             (the collapse term: A learns to reproduce C's internal representation).
    C's outputs o_C = [d_C ; p_C] predict C's next input (the next unexpected i(t)).

    surprise(t) = any |p_A - x(t)| > eps   or   (has_d and any |d_A - d(t)| > eps)

Each step, in this order: A's three-term error is formed; if the step is a surprise, C is first
trained to have predicted i(t) (p_C always, d_C only when there is a target A failed to emit),
then C reads i(t) and updates its state; otherwise C does nothing. Then A's weights change and A
reads i(t). Both nets learn on-line, every weight change right after its error, with the error
propagated ``depth`` steps back (A in real time, C in its own time: its last ``depth`` updates).
No unique time representation is given to C (the 22-symbol experiment needed none).

Arrays (R runs on the leading axis): WA (R, n_I + n_D + H_A + 1, H_A + n_I + n_D + H_C + n_D +
n_I), WC (R, n_I + n_D + H_C + 1, H_C + n_D + n_I); hA (R, H_A), yA (R, n_out_A), hC (R, H_C),
oC (R, n_D + n_I); zA, zC (R, depth + 1, K): the last z's, oldest first (zeros before the first
steps, which carry no gradient back).
"""
import numpy as np

from shared.chunker import net


class Chunker:
    """R independent A/C systems stepped together (``step``). rng draws the initial weights
    (A's, then C's), U(-scale, scale); lr_A, lr_C are the learning rates of plain gradient descent;
    eps the accepted mismatch; depth the truncation of BPTT; collapse=False drops A's third term."""

    def __init__(self, rng, R, n_I, n_D, H_A, H_C, scale, lr_A, lr_C, eps, depth, collapse=True):
        self.n_I, self.n_D, self.H_A, self.H_C = n_I, n_D, H_A, H_C
        self.collapse = collapse          # False: A's prediction of C's state gets no error (ablation)
        self.lr_A, self.lr_C, self.eps, self.depth = lr_A, lr_C, eps, depth
        n_in = n_I + n_D
        self.n_state_C = H_C + n_D + n_I
        self.WA = net.init(rng, R, n_in, H_A, n_I + n_D + self.n_state_C, scale)
        self.WC = net.init(rng, R, n_in, H_C, n_D + n_I, scale)
        zero_in = np.zeros((R, n_in))
        self.hA, self.yA, zA = net.step(self.WA, zero_in, np.zeros((R, H_A)))
        self.hC, self.oC, zC = net.step(self.WC, zero_in, np.zeros((R, H_C)))
        self.zA = np.zeros((R, depth + 1, zA.shape[1]))
        self.zA[:, -1] = zA
        self.zC = np.zeros((R, depth + 1, zC.shape[1]))
        self.zC[:, -1] = zC

    def predictions(self):
        """p_A (R, n_I), d_A (R, n_D), c_A (R, n_state_C) as they stand before the next input."""
        n_I, n_D = self.n_I, self.n_D
        return self.yA[:, :n_I], self.yA[:, n_I:n_I + n_D], self.yA[:, n_I + n_D:]

    def state_C(self):
        return np.concatenate([self.hC, self.oC], axis=1)

    def step(self, x, d, has_d):
        """One time step for all runs: x (R, n_I), d (R, n_D), has_d (R,) bool.

        Returns dict of (R,) arrays: surprise, miss_d (A failed to emit the target), err_d
        (max |d_A - d|), dC_err (max |d_C - d|, C's prediction of the target, before its update),
        collapse (mean squared error of c_A against C's state)."""
        n_I, n_D, eps = self.n_I, self.n_D, self.eps
        p_A, d_A, c_A = self.predictions()
        target_C = self.state_C()
        err_d = np.abs(d_A - d).max(axis=1)
        miss_x = (np.abs(p_A - x) > eps).any(axis=1)
        miss_d = has_d & (err_d > eps)
        surprise = miss_x | miss_d
        i_t = np.concatenate([x, d], axis=1)
        # A's threefold error: next input, target (where given), C's state
        tgt_A = np.concatenate([x, d, target_C], axis=1)
        mask_A = np.ones_like(tgt_A)
        mask_A[:, n_I:n_I + n_D] = has_d[:, None]
        if not self.collapse:
            mask_A[:, n_I + n_D:] = 0.0
        dA = net.truncated_grad(self.WA, self.zA, net.output_delta(self.yA, tgt_A, mask_A),
                                n_I + n_D, self.depth)
        # C: trained on the unexpected input before it reads it (runs without a surprise: idle)
        d_C = self.oC[:, :n_D]
        dC_err = np.abs(d_C - d).max(axis=1)
        if surprise.any():
            tgt_C = np.concatenate([d, x], axis=1)
            mask_C = np.ones_like(tgt_C)
            mask_C[:, :n_D] = miss_d[:, None]
            mask_C *= surprise[:, None]
            dC = net.truncated_grad(self.WC, self.zC, net.output_delta(self.oC, tgt_C, mask_C),
                                    n_I + n_D, self.depth)
            self.WC -= self.lr_C * dC
            hC, oC, zC = net.step(self.WC, i_t, self.hC)
            s = surprise[:, None]
            self.hC = np.where(s, hC, self.hC)
            self.oC = np.where(s, oC, self.oC)
            self.zC = np.where(s[:, :, None], np.concatenate([self.zC[:, 1:], zC[:, None]], axis=1),
                               self.zC)
        # A: weight change, then it reads i(t)
        self.WA -= self.lr_A * dA
        self.hA, self.yA, zA = net.step(self.WA, i_t, self.hA)
        self.zA = np.concatenate([self.zA[:, 1:], zA[:, None]], axis=1)
        collapse = np.mean((c_A - target_C) ** 2, axis=1)
        return dict(surprise=surprise, miss_d=miss_d, err_d=err_d, dC_err=dC_err, collapse=collapse)


# ---------------------------------------------------------------- plain reference (one run)

def _truncated_grad_reference(W, zs, delta_out, n_in, n_hid, depth):
    """The truncated gradient written unit by unit, from the definition: the error at the output
    step's net inputs, then at the hidden net inputs of the depth steps before it."""
    K, N = W.shape
    dW = np.zeros((K, N))
    n_out = N - n_hid
    for k in range(n_out):
        for i in range(K):
            dW[i, n_hid + k] += zs[-1][i] * delta_out[k]
    # error arriving at h_{s-1}: through the output weights
    e = [sum(W[n_in + j, n_hid + k] * delta_out[k] for k in range(n_out)) for j in range(n_hid)]
    for step_back in range(1, depth + 1):
        h = zs[-step_back][n_in:n_in + n_hid]
        dnet = [e[j] * h[j] * (1 - h[j]) for j in range(n_hid)]
        for j in range(n_hid):
            for i in range(K):
                dW[i, j] += zs[-step_back - 1][i] * dnet[j]
        e = [sum(W[n_in + m, j] * dnet[j] for j in range(n_hid)) for m in range(n_hid)]
    return dW


def run_reference(WA, WC, xs, ds, has_d, n_I, n_D, H_A, H_C, lr_A, lr_C, eps, depth, collapse=True):
    """The same on-line system for one run, step by step in plain Python: WA, WC one run's
    initial weights; xs (T, n_I), ds (T, n_D), has_d (T,). Returns (surprise (T,), WA, WC)."""
    WA, WC = WA.copy(), WC.copy()
    n_in = n_I + n_D
    hA, yA = net.step_reference(WA, np.zeros(n_in), np.zeros(H_A))
    hC, oC = net.step_reference(WC, np.zeros(n_in), np.zeros(H_C))
    zA = [np.zeros(n_in + H_A + 1) for _ in range(depth)] + [np.r_[np.zeros(n_in + H_A), 1.0]]
    zC = [np.zeros(n_in + H_C + 1) for _ in range(depth)] + [np.r_[np.zeros(n_in + H_C), 1.0]]
    out = []
    for x, d, hd in zip(xs, ds, has_d, strict=True):
        p_A, d_A = yA[:n_I], yA[n_I:n_in]
        sC = list(hC) + list(oC)
        miss_x = any(abs(p_A[i] - x[i]) > eps for i in range(n_I))
        miss_d = bool(hd) and any(abs(d_A[i] - d[i]) > eps for i in range(n_D))
        surprise = miss_x or miss_d
        i_t = np.r_[x, d]
        tgt = list(x) + list(d) + sC
        mask = [1.0] * n_I + [float(hd)] * n_D + [float(collapse)] * len(sC)
        delta = np.array([(yA[k] - tgt[k]) * mask[k] * yA[k] * (1 - yA[k]) for k in range(len(tgt))])
        gA = _truncated_grad_reference(WA, zA, delta, n_in, H_A, depth)
        if surprise:
            tgt_C = list(d) + list(x)
            mask_C = [float(miss_d)] * n_D + [1.0] * n_I
            delta_C = np.array([(oC[k] - tgt_C[k]) * mask_C[k] * oC[k] * (1 - oC[k])
                                for k in range(len(tgt_C))])
            WC = WC - lr_C * _truncated_grad_reference(WC, zC, delta_C, n_in, H_C, depth)
            zC = zC[1:] + [np.r_[i_t, hC, 1.0]]
            hC, oC = net.step_reference(WC, i_t, hC)
        WA = WA - lr_A * gA
        zA = zA[1:] + [np.r_[i_t, hA, 1.0]]
        hA, yA = net.step_reference(WA, i_t, hA)
        out.append(surprise)
    return np.array(out), WA, WC
