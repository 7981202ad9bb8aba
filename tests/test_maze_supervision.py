"""shared.mazes.supervision: the deep-supervision slot rule and the recipe's optimizer step,
against a second, written-out implementation of the same rule."""
import numpy as np

from shared.mazes import net
from shared.mazes import supervision
from shared.optim import AdamW

CFG = dict(n_seeds=2, batch=5, n_sup=3, explore=0.5, lr=1e-2, warmup=4, beta1=0.9, beta2=0.95, wd=0.1,
           ema=0.9)


def test_slots_follow_the_rule_and_draw_order():
    """Refill only halted slots, halt at n_sup or on the signal past the minimum, same draws."""
    S, B, n_train, P = CFG["n_seeds"], CFG["batch"], 7, 3
    Xa = np.arange(8 * n_train * P * P).reshape(8, n_train, P, P)
    Ya = -Xa
    slots = supervision.Slots(CFG, n_train, np.random.default_rng(0))
    rng, sig_rng = np.random.default_rng(0), np.random.default_rng(1)
    idx, tf = np.zeros((S, B), int), np.zeros((S, B), int)
    n_done, halted, halts = np.zeros((S, B), int), np.ones((S, B), bool), []
    state, init = np.zeros((S, B, P, P, 2)), np.arange(S * 2.0).reshape(S, 2) + 1
    for _ in range(12):
        n_new = halted.sum()
        idx[halted] = rng.integers(n_train, size=n_new)
        tf[halted] = rng.integers(8, size=n_new)
        n_done[halted] = 0
        tokens, target = slots.refill(Xa, Ya)
        assert np.array_equal(tokens, Xa[tf, idx]) and np.array_equal(target, Ya[tf, idx])
        new_state = slots.reset(state, init)
        want = np.broadcast_to(init[:, None, None, None, :], state.shape)
        assert np.array_equal(new_state[halted], want[halted])
        assert np.array_equal(new_state[~halted], state[~halted])
        state = new_state + 1.0
        signal = sig_rng.random((S, B)) < 0.3
        n_done += 1
        min_steps = (rng.random((S, B)) < CFG["explore"]) * rng.integers(2, CFG["n_sup"] + 1, size=(S, B))
        halted = (n_done >= CFG["n_sup"]) | (signal & (n_done >= min_steps))
        halts += n_done[halted].tolist()
        assert np.array_equal(slots.halt(signal), halted) and np.array_equal(slots.n_done, n_done)
        assert n_done.max() <= CFG["n_sup"]
    assert slots.halt_steps == halts and len(halts) > 0


def test_optimizer_step_warms_up_and_tracks_ema():
    rng = np.random.default_rng(2)
    p = {"w": rng.standard_normal((2, 3))}
    q = {"w": p["w"].copy()}
    opt, ema = supervision.optimizer(p, CFG)
    ref = AdamW(q, lr=CFG["lr"], betas=(CFG["beta1"], CFG["beta2"]), weight_decay=CFG["wd"])
    ema_ref = q["w"].copy()
    for step in range(1, 7):
        g = {"w": rng.standard_normal((2, 3))}
        supervision.optimizer_step(opt, p, ema, g, step, CFG)
        ref.lr = CFG["lr"] * min(1, step / CFG["warmup"])
        ref.step(g)
        ema_ref = CFG["ema"] * ema_ref + (1 - CFG["ema"]) * q["w"]
        assert opt.lr == ref.lr and np.array_equal(p["w"], q["w"])
        np.testing.assert_allclose(ema["w"], ema_ref, rtol=1e-12, atol=1e-15)
    assert opt.lr == CFG["lr"]



def test_unroll_accuracy_scores_every_step_across_chunks():
    """A scripted recursion answers 'all tokens = k' after step k; maze m is right only at step
    m % 3 + 1. Checked over three chunks, with HRM-shaped q (S, m, 2)."""
    S, M, P, d, n_steps, keep = 2, 7, 5, 3, 3, 2
    rng = np.random.default_rng(4)
    p = net.init_params(rng, S, d, 4)
    X = rng.integers(0, 4, size=(M, P, P))
    Y = np.stack([np.full((P, P), m % 3 + 1) for m in range(M)])

    def step(p, xe, a, b):
        a = a + 1                                                   # a counts the steps
        k = a[..., 0].astype(int)                                   # (S, m, P, P)
        logits = np.eye(5)[k]                                       # answer: every token = k
        q = np.stack([a[:, :, 0, 0, 0], -a[:, :, 0, 0, 0]], -1)     # (S, m, 2)
        return a, b, logits, q

    init = (np.zeros((S, d)), np.zeros((S, d)))
    r = supervision.unroll_accuracy(p, init, X, Y, n_steps, step, chunk=3, keep=keep)
    want = np.array([[s + 1 == m % 3 + 1 for m in range(M)] for s in range(n_steps)])   # (n_steps, M)
    assert np.array_equal(r["ok_all"], np.broadcast_to(want, (S, n_steps, M)))
    assert np.array_equal(r["ok"], r["ok_all"][:, -1])
    np.testing.assert_allclose(r["exact"], np.broadcast_to(want.mean(1), (S, n_steps)))
    assert np.array_equal(r["pred"], np.full((S, M, P, P), n_steps))
    assert r["q"].shape == (S, M, n_steps, 2) and np.array_equal(r["q"][1, 5, :, 0], [1, 2, 3])
    assert r["kept"].shape == (n_steps, S, keep, P, P)
    assert np.array_equal(r["kept"][:, 0, 1], np.stack([np.full((P, P), s + 1) for s in range(n_steps)]))


def test_unroll_accuracy_keeps_answers_across_chunks_and_clamps_keep():
    """keep larger than a chunk fills the kept answers from several chunks; keep larger than the
    number of mazes keeps them all (both used to fail with a shape error). Maze m is all token
    m % 4, and the scripted step answers the input token, read back from a one-hot embedding."""
    S, M, P, d, n_steps = 1, 7, 5, 4, 2
    p = net.init_params(np.random.default_rng(5), S, d, 4)
    p["emb"] = np.eye(4)[None]                                      # xe = one-hot of the token
    X = np.stack([np.full((P, P), m % 4) for m in range(M)])

    def step(p, xe, a, b):
        return a, b, np.eye(5)[xe.argmax(-1)], np.zeros(xe.shape[:2])

    init = (np.zeros((S, d)), np.zeros((S, d)))
    for keep, n_kept in ((5, 5), (30, M)):
        r = supervision.unroll_accuracy(p, init, X, X, n_steps, step, chunk=3, keep=keep)
        assert r["kept"].shape == (n_steps, S, n_kept, P, P) and r["exact"].min() == 1.0
        assert np.array_equal(r["kept"][:, 0], np.broadcast_to(X[:n_kept], (n_steps, n_kept, P, P)))
