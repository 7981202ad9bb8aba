"""Deep-supervision bookkeeping shared by the family's TRM and HRM trainers.

Both papers train on a persistent batch of slots: every (seed, slot) holds one training maze in
one of its 8 orientations and a carried recursion state. After each optimizer step a slot halts
when it has had n_sup supervision steps, or when the model's halting signal fires past a minimum
step count (random in 2..n_sup with probability ``explore``, else 0); a halted slot is refilled
with a fresh maze and the initial state. The model's step, its loss and what its halting signal
is stay in each trainer; this module draws the mazes, counts the steps and applies the rule, and
runs the recipe's optimizer (AdamW, linear warm-up, an EMA of the weights); ``unroll_accuracy``
scores a trained recursion after every supervision step (no halting), given its step function.

Random draws, all from the one stream given, in this order every step: refill (maze index, then
orientation, for the halted slots), then halting (the explore coin, then the minimum).
Arrays: masks and counts (S, B) for S seeds and B slots; tokens (S, B, P, P).
"""
import numpy as np

from shared.mazes import net
from shared.optim import AdamW


class Slots:
    """Which training maze each (seed, slot) holds, in which orientation, for how many steps.

    cfg keys used: n_seeds, batch, n_sup, explore. ``n_train`` mazes to draw from; ``rng`` the
    batch stream. ``n_done`` (S, B) counts the supervision steps of the current maze;
    ``halt_steps`` lists the count at every halt (training's halting statistics).
    """

    def __init__(self, cfg, n_train, rng):
        S, B = cfg["n_seeds"], cfg["batch"]
        self.shape, self.n_train, self.rng = (S, B), n_train, rng
        self.n_sup, self.explore = cfg["n_sup"], cfg["explore"]
        self.idx = np.zeros((S, B), dtype=np.int64)        # training maze of each slot
        self.tf = np.zeros((S, B), dtype=np.int64)         # its dihedral orientation, 0..7
        self.n_done = np.zeros((S, B), dtype=np.int64)
        self.halted = np.ones((S, B), dtype=bool)          # every slot starts empty
        self.halt_steps = []

    def refill(self, Xa, Ya):
        """Give every halted slot a fresh maze and orientation and zero its count.

        Xa, Ya (8, N, P, P) the training mazes in their 8 orientations. Returns the tokens and
        targets of all slots (S, B, P, P); ``self.halted`` still marks the refilled slots.
        """
        fresh = self.halted
        n_new = int(fresh.sum())
        self.idx[fresh] = self.rng.integers(self.n_train, size=n_new)
        self.tf[fresh] = self.rng.integers(8, size=n_new)
        self.n_done[fresh] = 0
        return Xa[self.tf, self.idx], Ya[self.tf, self.idx]

    def reset(self, state, init):
        """The carried state with the refilled slots set to the initial state.

        state (S, B, P, P, d); init (S, d), broadcast over the grid.
        """
        return np.where(self.halted[:, :, None, None, None], init[:, None, None, None, :], state)

    def halt(self, signal):
        """Count one supervision step and decide which slots halt; return the mask (S, B).

        signal (S, B) bool: the model asks to stop (TRM q > 0, HRM Q_halt > Q_continue). A slot
        halts at n_sup steps, or on its signal once past its minimum (exploration).
        """
        self.n_done += 1
        explore = self.rng.random(self.shape) < self.explore
        min_steps = explore * self.rng.integers(2, self.n_sup + 1, size=self.shape)
        self.halted = (self.n_done >= self.n_sup) | (signal & (self.n_done >= min_steps))
        self.halt_steps.extend(self.n_done[self.halted].tolist())
        return self.halted


def optimizer(p, cfg):
    """The recipe's AdamW on the weights p (cfg: lr, beta1, beta2, wd) and an EMA copy of them."""
    ema = {k: v.copy() for k, v in p.items()}
    opt = AdamW(p, lr=cfg["lr"], betas=(cfg["beta1"], cfg["beta2"]), weight_decay=cfg["wd"])
    return opt, ema


def optimizer_step(opt, p, ema, g, step, cfg):
    """One AdamW step at the linearly warmed-up rate (cfg: lr, warmup; step counts from 1),
    then ema <- ema + (1 - cfg['ema']) (p - ema), in place."""
    opt.lr = cfg["lr"] * min(1.0, step / cfg["warmup"])
    opt.step(g)
    for k in p:
        ema[k] += (1 - cfg["ema"]) * (p[k] - ema[k])


def unroll_accuracy(p, init, X, Y, n_steps, step, chunk=200, keep=0):
    """Run a recursion from its initial states for n_steps supervision steps on every maze (no
    halting) and score the answer after each step, per seed.

    init = (a0, b0), the two initial states (S, d) (TRM's y, z; HRM's z_L, z_H), broadcast over
    the grid; ``step(p, xe, a, b) -> (a', b', logits (S, m, P, P, 5), q (S, m, ...))`` is one
    supervision step (TRM) or segment (HRM) on the embedded input xe (S, m, P, P, d). X, Y (M, P, P),
    run ``chunk`` mazes at a time. Returns exact, token (S, n_steps); ok_all (S, n_steps, M) and
    ok (S, M) at the last step; pred (S, M, P, P) at the last step; q (S, M, n_steps, ...); kept
    (n_steps, S, keep, P, P), the answers of the first ``keep`` mazes after every step (all M
    mazes if keep > M).
    """
    a0, b0 = init
    S, M, P = a0.shape[0], X.shape[0], X.shape[1]
    keep = min(keep, M)
    ok = np.zeros((S, n_steps, M), bool)
    tok = np.zeros((S, n_steps, M))
    qs = None                                                  # (S, M, n_steps, ...) once q's shape is known
    pred_last = np.zeros((S, M, P, P), np.int8)
    kept = np.zeros((n_steps, S, keep, P, P), np.int8)
    for c in range(0, M, chunk):
        xb, yb = X[c:c + chunk], Y[c:c + chunk]
        xe = net.embed(p, np.broadcast_to(xb, (S,) + xb.shape))
        a = np.broadcast_to(a0[:, None, None, None, :], xe.shape).astype(xe.dtype)
        b = np.broadcast_to(b0[:, None, None, None, :], xe.shape).astype(xe.dtype)
        for s in range(n_steps):
            a, b, logits, q = step(p, xe, a, b)
            if qs is None:
                qs = np.zeros((S, M, n_steps) + q.shape[2:])
            pred = logits.argmax(-1).astype(np.int8)
            ok[:, s, c:c + chunk] = np.all(pred == yb, axis=(2, 3))
            tok[:, s, c:c + chunk] = np.mean(pred == yb, axis=(2, 3))
            qs[:, c:c + chunk, s] = q
            if c < keep:                          # this chunk holds kept mazes c .. hi - 1
                hi = min(keep, c + len(xb))
                kept[s, :, c:hi] = pred[:, :hi - c]
        pred_last[:, c:c + chunk] = pred
    return dict(exact=ok.mean(2), token=tok.mean(2), ok=ok[:, -1], ok_all=ok, pred=pred_last, q=qs,
                kept=kept)
