"""Bidirectional LSTM and Connectionist Temporal Classification (Graves & Schmidhuber 2005; Graves,
Fernandez, Gomez & Schmidhuber 2006).

    blstm.py      the bidirectional LSTM layer with a softmax output layer, built on the Gers-line
                  cell of ``shared/lstm_gers`` (split layout: forget gates, peepholes, one cell per
                  block). The forward and the backward net are the two nets of the cell's net axis
                  S: the backward net reads every sequence reversed within its own length, so one
                  ``run`` and one ``backprop`` serve both directions of a padded batch. Also the
                  unidirectional net (S = 1) and the state Jacobians of each direction.
    ctc.py        CTC: the batched log-space forward-backward loss and its gradient with respect to
                  the softmax inputs, best-path decoding, prefix beam-search decoding, edit distance.
    decode.py     dictionary decoding of one sequence: token passing for an isolated word (the
                  best path of every dictionary word) or the exact ln p(w|x) of every word; the
                  forced alignment of a labelling (the frame where each label is emitted).
    reference.py  the same for one sequence, written like the papers' equations: the BLSTM from the
                  lstm_gers unit-by-unit step run forwards and backwards in time, and CTC with the
                  2006 paper's rescaled alpha/beta recursions (eqs. 6-11) and its gradient (eq. 16);
                  plus brute-force enumeration of all alignments for tiny cases.

Used by timit-blstm-ctc (framewise and CTC training on a TIMIT-shaped corpus) and by
iam-handwriting (BLSTM + CTC on pen trajectories, dictionary decoding). The blank is the last
output unit, index K, as in the 2006 paper ("one more unit than there are labels").
tests/test_blstm_ctc.py checks the
batched code against the plain one, CTC against brute force and the gradients against finite
differences.
"""
