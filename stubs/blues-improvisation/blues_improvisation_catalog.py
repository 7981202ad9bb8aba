"""Blues improvisation, the earlier catalog's setting (``--setting catalog`` of blues_improvisation.py).

The earlier catalog's blues stub, kept for comparison with the paper's set-up in
blues_improvisation.py: two stacked forget-gate LSTM layers (20 and 24 units, no peepholes) on
symbolic tokens (3 chords; 7 notes of the C blues scale and a rest), a softmax head for the next
chord from layer 1 and one for the next pitch from layer 2, eight synthesised choruses of
chord-tone-biased melodies, full BPTT over each chorus from a reset state, Adam at 8e-3 halved
every 80 epochs with the gradient clipped at 2 per net, 200 epochs. Its statistic is the chord at
the 12 bar onsets of one free-running chorus.

Layer cell (i, f, g, o order; forget-gate bias 1):
    c = f c' + i tanh(a_g),  h = o tanh(c),  gates sig(a) = (1 + tanh(a / 2)) / 2
Arrays are time-major: X (T, S, B, 11) = (time, net, chorus, 3 chord + 8 pitch one-hot);
W (S, n_in + H + 1, 4H) with rows [x, h(t-1), 1]; heads Vc (S, 21, 3), Vp (S, 25, 8).

    python3 blues_improvisation.py --setting catalog [--catalog-nets 10]
"""
from blues_improvisation import CHORUS, FORM, PAPER, STEPS_PER_BAR  # first: its preamble pins BLAS

import numpy as np

from shared import cli
from shared.gradcheck import check_gradients
from shared.optim import Adam
from shared.results import finish_run, record
from shared.rng import streams

TITLE = "Blues improvisation: the earlier catalog's setting"


CAT_PITCHES = ("C4", "Eb4", "F4", "G4", "Bb4", "C5", "Eb5", "rest")    # C blues scale + REST
CAT_TONES = ((0, 3, 4, 5), (0, 1, 2, 5, 6), (2, 3))                   # chord tones in CAT_PITCHES
CAT_H1, CAT_H2, CAT_PIECES = 20, 24, 8


def catalog_corpus(rng, n_pieces):
    """Chord tokens (96,) and pitch tokens (n_pieces, 96): chord-tone-biased blues-scale melodies."""
    chord = np.repeat(np.array(FORM), STEPS_PER_BAR)
    pitch = np.empty((n_pieces, CHORUS), int)
    for n in range(n_pieces):
        for t in range(CHORUS):
            weak = t % 2 == 1
            if weak and rng.uniform() < 0.2:
                pitch[n, t] = 7                                          # rest
            elif rng.uniform() < 0.6:
                pitch[n, t] = rng.choice(CAT_TONES[chord[t]])            # a chord tone
            else:
                pitch[n, t] = rng.integers(0, 7)                         # any scale note
    return chord, pitch


def std_lstm_init(rng, S, n_in, H):
    """Forget-gate LSTM, no peepholes: W (S, n_in + H + 1, 4H) in i, f, g, o order; forget bias 1."""
    k = 1 / np.sqrt(H)
    W = rng.uniform(-k, k, (S, n_in + H + 1, 4 * H))
    W[:, -1] = 0.0
    W[:, -1, H:2 * H] = 1.0
    return W


_BUF = {}


def _buffers(slot, T, S, B, n_in, H):
    """Work arrays of one layer (``slot``) and their per-step views, made once and reused across
    epochs: with nets this small, allocating and slicing inside the time loop costs as much as
    the arithmetic."""
    key = (slot, T, S, B, n_in, H)
    if key in _BUF:
        return _BUF[key]
    A, dz = np.empty((T, S, B, 4 * H)), np.empty((T, S, B, 4 * H))
    Cs, TC, Hs = (np.empty((T, S, B, H)) for _ in range(3))
    b = dict(A=A, Cs=Cs, TC=TC, Hs=Hs, dz=dz, h0=np.zeros((S, B, H)), c0=np.zeros((S, B, H)),
             tmp=np.empty((S, B, H)), dh=np.empty((S, B, H)), dc=np.empty((S, B, H)),
             dh_next=np.empty((S, B, H)), dc_next=np.empty((S, B, H)))
    b["dc4"] = b["dc"][..., None, :]
    b["v"] = [dict(a=A[t], i=A[t, ..., :H], f=A[t, ..., H:2 * H], g=A[t, ..., 2 * H:3 * H],
                   o=A[t, ..., 3 * H:],
                   c=Cs[t], tc=TC[t], h=Hs[t], c_prev=Cs[t - 1] if t else b["c0"],
                   h_prev=Hs[t - 1] if t else b["h0"], dz=dz[t],
                   dz3=dz[t, ..., :3 * H].reshape(S, B, 3, H), dzo=dz[t, ..., 3 * H:])
              for t in range(T)]
    _BUF[key] = b
    return b


def std_lstm_forward(W, X, slot=0):
    """X (T, S, B, n_in) -> h (T, S, B, H) and the cache. c = f c + i tanh(.), h = o tanh(c).

    Gates use sig(z) = (1 + tanh(z / 2)) / 2, so one tanh serves all four columns: the net inputs
    are scaled by 1/2 (gates) or 1 (cell input) and the tanh mapped back by a * m + k. ``slot``
    names the layer whose work arrays (reused between calls, see _buffers) hold the result."""
    T, S, B, n_in = X.shape
    H = W.shape[-1] // 4
    m = np.concatenate([np.full(2 * H, 0.5), np.ones(H), np.full(H, 0.5)])
    k = np.concatenate([np.full(2 * H, 0.5), np.zeros(H), np.full(H, 0.5)])
    Ws = W * m                                                           # scaled net inputs
    Wh = Ws[:, n_in:n_in + H]
    Z = np.matmul(X, Ws[:, :n_in]) + Ws[:, -1][:, None]                 # (T, S, B, 4H)
    b = _buffers(slot, T, S, B, n_in, H)
    tmp = b["tmp"]
    for t, v in enumerate(b["v"]):
        a = v["a"]
        np.matmul(v["h_prev"], Wh, out=a)
        a += Z[t]
        np.tanh(a, out=a)
        a *= m
        a += k                                                           # i, f, o in (0, 1); g in (-1, 1)
        np.multiply(v["f"], v["c_prev"], out=v["c"])
        np.multiply(v["i"], v["g"], out=tmp)
        v["c"] += tmp
        np.tanh(v["c"], out=v["tc"])
        np.multiply(v["o"], v["tc"], out=v["h"])
    return b["Hs"], {"X": X, "a": b["A"], "c": b["Cs"], "tc": b["TC"], "h": b["Hs"], "W": W, "buf": b}


def std_lstm_backward(cache, dh_out):
    """dh_out (T, S, B, H) -> dW (S, n_in + H + 1, 4H), dX (T, S, B, n_in)."""
    X, a, c, tc, h, W, b = (cache[k] for k in ("X", "a", "c", "tc", "h", "W", "buf"))
    T, S, B, n_in = X.shape
    H = W.shape[-1] // 4
    WhT = W[:, n_in:n_in + H].transpose(0, 2, 1).copy()
    c_prev = np.concatenate([np.zeros((1, S, B, H)), c[:-1]])
    h_prev = np.concatenate([np.zeros((1, S, B, H)), h[:-1]])
    i, f, g, o = a[..., :H], a[..., H:2 * H], a[..., 2 * H:3 * H], a[..., 3 * H:]
    # local factors of every step at once: dz_i = dc g i(1-i), dz_f = dc c_prev f(1-f),
    # dz_g = dc i (1-g^2), dz_o = dh tc o(1-o);  dc += dh o (1 - tc^2)
    Q = np.stack([g * i * (1 - i), c_prev * f * (1 - f), i * (1 - g * g)], axis=-2)   # (T, S, B, 3, H)
    R = tc * o * (1 - o)
    D = o * (1 - tc * tc)
    f = np.ascontiguousarray(f)
    dz, tmp, dh, dc, dc4 = b["dz"], b["tmp"], b["dh"], b["dc"], b["dc4"]
    dh_next, dc_next = b["dh_next"], b["dc_next"]
    dh_next[...] = 0.0
    dc_next[...] = 0.0
    for t in range(T - 1, -1, -1):
        v = b["v"][t]
        np.add(dh_out[t], dh_next, out=dh)
        np.multiply(dh, D[t], out=tmp)
        np.add(dc_next, tmp, out=dc)
        np.multiply(dc4, Q[t], out=v["dz3"])
        np.multiply(dh, R[t], out=v["dzo"])
        np.multiply(dc, f[t], out=dc_next)
        np.matmul(v["dz"], WhT, out=dh_next)
    U = np.concatenate([X, h_prev, np.ones((T, S, B, 1))], -1)
    dW = np.matmul(U.transpose(1, 3, 0, 2).reshape(S, -1, T * B),
                   dz.transpose(1, 0, 2, 3).reshape(S, T * B, -1))
    dX = np.matmul(dz, W[:, :n_in].transpose(0, 2, 1))
    return dW, dX


def softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def catalog_loss_grads(p, X, chord_next, pitch_next):
    """CE(chord) + CE(pitch), mean over (T, B), per net; layer 1 -> chord head, layer 2 -> pitch head."""
    T, S, B, _ = X.shape
    h1, c1 = std_lstm_forward(p["W1"], X)
    h2, c2 = std_lstm_forward(p["W2"], h1, slot=1)
    pc = softmax(np.matmul(h1, p["Vc"][:, :-1]) + p["Vc"][:, -1][:, None])
    pp = softmax(np.matmul(h2, p["Vp"][:, :-1]) + p["Vp"][:, -1][:, None])
    n = T * B
    loss = (-np.log(np.take_along_axis(pc, chord_next[..., None], -1) + 1e-12).sum(axis=(0, 2, 3))
            - np.log(np.take_along_axis(pp, pitch_next[..., None], -1) + 1e-12).sum(axis=(0, 2, 3))) / n
    dlc = pc.copy()
    np.put_along_axis(dlc, chord_next[..., None], np.take_along_axis(dlc, chord_next[..., None], -1) - 1, -1)
    dlp = pp.copy()
    np.put_along_axis(dlp, pitch_next[..., None], np.take_along_axis(dlp, pitch_next[..., None], -1) - 1, -1)
    dlc /= n
    dlp /= n

    def head(hh, dl):                                                    # logits = [h, 1] Vh
        U = np.concatenate([hh, np.ones(hh.shape[:-1] + (1,))], -1)
        return np.matmul(U.transpose(1, 3, 0, 2).reshape(S, -1, n),
                         dl.transpose(1, 0, 2, 3).reshape(S, n, -1))
    dVc, dVp = head(h1, dlc), head(h2, dlp)
    dW2, dh1 = std_lstm_backward(c2, np.matmul(dlp, p["Vp"][:, :-1].transpose(0, 2, 1)))
    dW1, _ = std_lstm_backward(c1, dh1 + np.matmul(dlc, p["Vc"][:, :-1].transpose(0, 2, 1)))
    return loss, {"W1": dW1, "W2": dW2, "Vc": dVc, "Vp": dVp}, (pc, pp)


def catalog_onehot(chord, pitch):
    """(..., ) tokens -> (..., 11) = 3 chord + 8 pitch one-hot."""
    return np.concatenate([np.eye(3)[chord], np.eye(8)[pitch]], -1)


def catalog_generate(p, rng, x0, temp=0.85):
    """One free-running chorus per net: argmax chord, pitch sampled at temperature temp."""
    S = p["W1"].shape[0]
    H1, H2 = CAT_H1, CAT_H2
    st = [np.zeros((S, 1, H1)), np.zeros((S, 1, H1)), np.zeros((S, 1, H2)), np.zeros((S, 1, H2))]
    x = np.broadcast_to(x0, (S, 1, 11)).copy()
    chords = np.empty((CHORUS, S), int)
    for t in range(CHORUS):
        chords[t] = x[:, 0, :3].argmax(-1)
        h1, c = std_lstm_step(p["W1"], x, st[0], st[1])
        st[0], st[1] = h1, c
        h2, c = std_lstm_step(p["W2"], h1, st[2], st[3])
        st[2], st[3] = h2, c
        zc = np.matmul(h1, p["Vc"][:, :-1]) + p["Vc"][:, -1][:, None]
        zp = (np.matmul(h2, p["Vp"][:, :-1]) + p["Vp"][:, -1][:, None]) / temp
        ch = zc.argmax(-1)
        pr = softmax(zp)
        u = rng.uniform(0, 1, pr.shape[:-1] + (1,))
        pi = (u > np.cumsum(pr, -1)).sum(-1).clip(0, 7)
        x = catalog_onehot(ch, pi)
    return chords


def std_lstm_step(W, x, h, c):
    n_in = x.shape[-1]
    H = h.shape[-1]
    z = np.matmul(x, W[:, :n_in]) + np.matmul(h, W[:, n_in:n_in + H]) + W[:, -1][:, None]
    sg = 1 / (1 + np.exp(-z))
    c = sg[..., H:2 * H] * c + sg[..., :H] * np.tanh(z[..., 2 * H:3 * H])
    return sg[..., 3 * H:] * np.tanh(c), c


def training_tensors(chord, pitch, S):
    """Inputs X (95, S, 8, 11) and next-step chord and pitch tokens (95, S, 8) of the corpus."""
    X = catalog_onehot(np.broadcast_to(chord, pitch.shape), pitch).transpose(1, 0, 2)  # (96, 8, 11)
    X = np.ascontiguousarray(np.broadcast_to(X[:, None], (CHORUS, S, CAT_PIECES, 11)))
    chord_next = np.broadcast_to(np.roll(chord, -1)[:, None, None], (CHORUS, S, CAT_PIECES))
    pitch_next = np.broadcast_to(np.roll(pitch, -1, axis=1).T[:, None], (CHORUS, S, CAT_PIECES))
    return X[:-1], chord_next[:-1], pitch_next[:-1]                      # next-step targets


def init_stack(r, S):
    """Both layers, then the two heads, U[-1/sqrt(H), 1/sqrt(H)] (drawn in this order from r)."""
    k1, k2 = 1 / np.sqrt(CAT_H1), 1 / np.sqrt(CAT_H2)
    return {"W1": std_lstm_init(r, S, 11, CAT_H1), "W2": std_lstm_init(r, S, CAT_H1, CAT_H2),
            "Vc": r.uniform(-k1, k1, (S, CAT_H1 + 1, 3)), "Vp": r.uniform(-k2, k2, (S, CAT_H2 + 1, 8))}


def train_stack(p, X, chord_next, pitch_next, epochs):
    """Full-batch Adam on the 8 choruses; returns the loss per epoch and the last heads' outputs."""
    opt = Adam(p, lr=8e-3, clip=2.0, per_member=True)
    losses = []
    for ep in range(epochs):
        opt.lr = 8e-3 * 0.5 ** (ep // 80)
        loss, g, heads = catalog_loss_grads(p, X, chord_next, pitch_next)
        cli.check_finite(ep, loss=loss)
        opt.step(g)
        losses.append(loss)
    return np.array(losses), heads


def verdict_net0(onset0):
    """yes: net 0 gets all 12 bar onsets right (the catalog's claim); partial: at least 6."""
    return "yes" if onset0 == 12 else ("partial" if onset0 >= 6 else "no")


def verdict_all_nets(n_all, S):
    return "yes" if n_all == S else ("partial" if n_all else "no")


def headline_rows(onset, step_match, S):
    n_all = int((onset == 12).sum())
    return [
        {"name": "bar-onset chord match, net 0 (the earlier catalog's headline)",
         "value": f"{int(onset[0])}/12",
         "paper_value": "12/12 (catalog README; 7/12 when re-run here)",
         "verdict": verdict_net0(onset[0]),
         "note": "one free-running chorus; the catalog's own statistic, not the paper's"},
        {"name": f"nets with 12/12 bar onsets, of {S}", "value": f"{n_all}/{S}", "paper_value": None,
         "verdict": verdict_all_nets(n_all, S),
         "note": f"mean bar-onset match {onset.mean() / 12:.3f}, mean step match {step_match.mean():.3f}"}]


def run(args, timer):
    """--setting catalog: train the stack, generate one chorus per net, score its bar onsets."""
    cli.quick(args, catalog_nets=2)
    S, epochs = args.catalog_nets, 5 if args.quick else 200
    rng = streams(args.seed, ["init", "data", "eval"])
    chord, pitch = catalog_corpus(rng["data"], CAT_PIECES)
    X, chord_next, pitch_next = training_tensors(chord, pitch, S)
    p = init_stack(rng["init"], S)
    losses, (pc, pp) = train_stack(p, X, chord_next, pitch_next, epochs)
    chord_acc = (pc.argmax(-1) == chord_next).mean(axis=(0, 2))
    pitch_acc = (pp.argmax(-1) == pitch_next).mean(axis=(0, 2))
    gen = catalog_generate(p, rng["eval"], catalog_onehot(chord[0], pitch[0, 0]))    # (96, S)
    want = np.repeat(np.array(FORM), STEPS_PER_BAR)
    onset = (gen[::STEPS_PER_BAR] == want[::STEPS_PER_BAR, None]).sum(0)            # of 12 bars
    step_match = (gen == want[:, None]).mean(0)
    cfg = {"setting": "catalog", "n_seeds": S, "epochs": epochs, "pieces": CAT_PIECES, "h1": CAT_H1,
           "h2": CAT_H2, "optimizer": "Adam lr 8e-3 halved every 80 epochs, clip 2.0 per net, batch 8",
           "loss": "CE(chord) + CE(pitch), mean over (T, B)",
           "tokens": "3 chords + 8 pitches (C blues scale + rest)",
           "generation": "one chorus per net; argmax chord, pitch sampled at T = 0.85"}
    metrics = {"bar_onset_match_of_12": onset.tolist(), "bar_onset_match_seed0": int(onset[0]),
               "bar_onset_match_mean": float(onset.mean() / 12), "step_chord_match": step_match.tolist(),
               "teacher_forced_chord_acc": chord_acc.tolist(), "teacher_forced_pitch_acc": pitch_acc.tolist(),
               "final_loss": losses[-1].tolist(),
               "timing": {"wall_s_before_writing": timer()}}
    rec = record(args, __file__, title=TITLE, paper=PAPER, config=cfg, metrics=metrics,
                 headline=headline_rows(onset, step_match, S), lyapunov=None)
    finish_run(args.out, rec, {"loss": losses, "gen_chords": gen, "pitch_corpus": pitch}, timer)


def gradient_checks(rng):
    """Finite differences (Richardson) of the stack and both heads, on draws from ``rng``."""
    T, S, B = 5, 2, 3
    p = {"W1": rng.normal(0, 0.5, (S, 11 + 4 + 1, 16)), "W2": rng.normal(0, 0.5, (S, 4 + 5 + 1, 20)),
         "Vc": rng.normal(0, 0.5, (S, 5, 3)), "Vp": rng.normal(0, 0.5, (S, 6, 8))}
    X = rng.uniform(0, 1, (T, S, B, 11))
    cn, pn = rng.integers(0, 3, (T, S, B)), rng.integers(0, 8, (T, S, B))
    _, g, _ = catalog_loss_grads(p, X, cn, pn)
    e = check_gradients(lambda: catalog_loss_grads(p, X, cn, pn)[0].sum(), p, g, eps=1e-3, richardson=True)
    return {f"catalog_{k}": v for k, v in e.items()}
