"""One column: a stack of convolution, max-pooling and fully connected layers (Cireşan et al.).

A column is written as the papers write it, e.g. ``"1x29x29-20C4-MP2-40C5-MP3-150N-10N"``:
input maps x height x width, then ``nCk`` (n maps from k x k kernels, scaled tanh),
``MPp`` (non-overlapping p x p max-pooling), ``nN`` (n fully connected units; scaled tanh except
the last, whose n outputs go to a softmax).

    column = Column.parse("1x29x29-20C4-MP2-40C5-MP3-150N-10N")
    p = column.init(rng)                           # {"K1", "b1", "K3", "b3", "W5", "b5", "W6", "b6"}
    logits, cache = column.forward(p, x)           # x (B, 29, 29, 1) -> (B, 10)
    loss, grads, dx = column.loss_and_grads(p, x, y)

Parameters are keyed by layer position (1-based, pooling layers count): ``K<i>`` (k, k, C, F)
and ``b<i>`` for a convolution, ``W<i>`` (N, O) and ``b<i>`` for a dense layer. Initial weights
and biases ~ U[-init, init].
"""
import re
from dataclasses import dataclass

import numpy as np

from . import layers as L


@dataclass(frozen=True)
class Column:
    """in_shape (H, W, C); stages: tuples ("C", maps, k) / ("MP", p) / ("N", units)."""
    in_shape: tuple
    stages: tuple

    @classmethod
    def parse(cls, text):
        parts = text.split("-")
        m = re.fullmatch(r"(\d+)x(\d+)x(\d+)", parts[0])
        if m is None:
            raise ValueError(f"column {text!r}: the first part must be CxHxW")
        C, H, W = (int(g) for g in m.groups())
        stages = []
        for part in parts[1:]:
            if (m := re.fullmatch(r"(\d+)C(\d+)", part)):
                stages.append(("C", int(m[1]), int(m[2])))
            elif (m := re.fullmatch(r"MP(\d+)", part)):
                stages.append(("MP", int(m[1])))
            elif (m := re.fullmatch(r"(\d+)N", part)):
                stages.append(("N", int(m[1])))
            else:
                raise ValueError(f"column {text!r}: cannot read stage {part!r}")
        if not stages or stages[-1][0] != "N":
            raise ValueError(f"column {text!r}: must end with a fully connected layer")
        col = cls((H, W, C), tuple(stages))
        col.shapes()                                         # refuse sizes that do not fit
        return col

    def shapes(self):
        """The output shape of every stage (feature maps (H, W, C) or (units,))."""
        shape, out = self.in_shape, []
        for st in self.stages:
            if st[0] == "C":
                H, W, _ = shape
                if st[2] > min(H, W):
                    raise ValueError(f"kernel {st[2]} larger than map {H}x{W}")
                shape = (H - st[2] + 1, W - st[2] + 1, st[1])
            elif st[0] == "MP":
                H, W, C = shape
                if H % st[1] or W % st[1]:
                    raise ValueError(f"max-pooling {st[1]} does not divide map {H}x{W}")
                shape = (H // st[1], W // st[1], C)
            else:
                shape = (st[1],)
            out.append(shape)
        return out

    def init(self, rng, init=0.05, dtype=np.float32):
        """Weights and biases ~ U[-init, init], keyed by layer position."""
        p, shape = {}, self.in_shape
        for i, (st, nxt) in enumerate(zip(self.stages, self.shapes(), strict=True), 1):
            if st[0] == "C":
                p[f"K{i}"] = rng.uniform(-init, init, (st[2], st[2], shape[2], st[1])).astype(dtype)
                p[f"b{i}"] = rng.uniform(-init, init, st[1]).astype(dtype)
            elif st[0] == "N":
                p[f"W{i}"] = rng.uniform(-init, init, (int(np.prod(shape)), st[1])).astype(dtype)
                p[f"b{i}"] = rng.uniform(-init, init, st[1]).astype(dtype)
            shape = nxt
        return p

    def n_weights(self, p):
        return int(sum(v.size for v in p.values()))

    # ------------------------------------------------------------ forward, then backward

    def forward(self, p, x):
        """x (B, H, W, C) -> logits (B, n_out) and the cache of every stage."""
        h, caches, last = x, [], len(self.stages)
        for i, st in enumerate(self.stages, 1):
            if st[0] == "C":
                a, c = L.conv_forward(h, p[f"K{i}"], p[f"b{i}"])
                h, hc = L.act_forward(a)
                caches.append((c, hc))
            elif st[0] == "MP":
                h, c = L.pool_forward(h, st[1])
                caches.append(c)
            else:
                flat_shape = h.shape
                a, c = L.dense_forward(h.reshape(len(h), -1), p[f"W{i}"], p[f"b{i}"])
                if i < last:
                    h, hc = L.act_forward(a)
                else:
                    h, hc = a, None                          # the logits
                caches.append((c, hc, flat_shape))
        return h, caches

    def backward(self, p, dz, caches, need_dx=False):
        """dz (B, n_out) = dloss/dlogits -> (grads keyed like p, dx (B, H, W, C) or None)."""
        g, d = {}, dz
        for i in range(len(self.stages), 0, -1):
            st, c = self.stages[i - 1], caches[i - 1]
            if st[0] == "C":
                cc, h = c
                d = L.act_backward(d, h)                     # h = f(conv(x))
                d, g[f"K{i}"], g[f"b{i}"] = L.conv_backward(d, cc, need_dx=need_dx or i > 1)
            elif st[0] == "MP":
                d = L.pool_backward(d, c)
            else:
                cc, h, flat_shape = c
                if h is not None:
                    d = L.act_backward(d, h)
                d, g[f"W{i}"], g[f"b{i}"] = L.dense_backward(d, cc)
                d = d.reshape(flat_shape)
        return g, d

    def loss_and_grads(self, p, x, y, reduce="sum", need_dx=False):
        """Cross-entropy of softmax(logits) against labels y (B,): (loss, grads, dx or None).
        reduce 'sum' (on-line steps summed over a mini-batch) or 'mean'."""
        z, caches = self.forward(p, x)
        logp = log_softmax(z)
        B = len(y)
        scale = 1.0 if reduce == "sum" else 1.0 / B
        loss = -logp[np.arange(B), y].sum() * scale
        # loss = -log softmax(z)_y  ->  dz = softmax(z) - onehot(y)
        dz = np.exp(logp)
        dz[np.arange(B), y] -= 1.0
        g, dx = self.backward(p, dz * scale, caches, need_dx=need_dx)
        return loss, g, dx

    def forward_loop(self, p, x):
        """The same forward pass through the loop layers (reference for tests)."""
        h, last = x, len(self.stages)
        for i, st in enumerate(self.stages, 1):
            if st[0] == "C":
                h = L.act_forward(L.conv_forward_loop(h, p[f"K{i}"], p[f"b{i}"]))[0]
            elif st[0] == "MP":
                h = L.pool_forward_loop(h, st[1])
            else:
                h = L.dense_forward_loop(h.reshape(len(h), -1), p[f"W{i}"], p[f"b{i}"])
                if i < last:
                    h = L.act_forward(h)[0]
        return h

    def probabilities(self, p, x, chunk=1000):
        """softmax outputs (N, n_out) for x (N, H, W, C), ``chunk`` images at a time."""
        return np.concatenate([np.exp(log_softmax(self.forward(p, x[i:i + chunk])[0]))
                               for i in range(0, len(x), chunk)])


def log_softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))
