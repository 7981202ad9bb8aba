"""The conventional recurrent net the chunker papers compare against: one fully recurrent sigmoid
net (``shared.chunker.net``) with A's first two error terms (predict the next input; emit the
target where there is one) and no chunker, trained by BPTT through whole training sequences.

The state is never reset (the stream runs on); each training sequence is one BPTT window whose
outputs predict that sequence's inputs and target: the window reads the previous sequence's last
input and then this sequence's inputs but its last, so the prediction of the target (made one step
before the last input arrives) is credited back through every step to the sequence's first symbol,
the whole lag. The weights change once per sequence (epochwise BPTT, Williams & Peng 1990). Each
run may have its own learning rate.

    W (R, n_in + H + 1, H + n_out); h (R, H); lr (R,)
"""
import numpy as np

from shared.chunker import net


class Conventional:
    def __init__(self, rng, R, n_in, n_out, H, scale, lr):
        self.W = net.init(rng, R, n_in, H, n_out, scale)
        self.h = np.zeros((R, H))
        self.u_last = np.zeros((R, n_in))                 # nothing was read before the stream
        self.lr = np.broadcast_to(np.asarray(lr, float), (R,)).copy()

    def train_sequence(self, us, targets, masks):
        """One training sequence: us (T, R, n_in) its inputs, targets and masks (T, R, n_out) the
        wanted predictions of them (the input itself, and the target where ``masks`` says so).
        Returns (loss (R,), the scored predictions (T, R, n_out))."""
        window = np.concatenate([self.u_last[None], us[:-1]])
        loss, dW, self.h, ys = net.bptt(self.W, window, self.h, targets, masks)
        self.W -= self.lr[:, None, None] * dW
        self.u_last = us[-1]
        return loss, ys
