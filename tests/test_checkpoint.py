"""Resumable online training (shared/checkpoint.py, shared/lstm1997/online.py): a run stopped after
a checkpoint and started again ends bit-identical to one that was never stopped; a checkpoint of
another configuration is ignored; a finished one is reused without training."""
import os

import numpy as np
import pytest

from shared.checkpoint import Checkpoint
from shared.lstm1997 import cell, nets, online
from shared.optim import Adam

CHUNK = online.CHUNK


class Stop(Exception):
    pass


def _run(tmp_path, fingerprint="a", stop_at=None, every=CHUNK, adam=False, use_checkpoint=True):
    """Train 3 nets for 3 chunks on a toy stream (its generator handed over as state); with
    ``stop_at`` the run is broken off at that sequence, as a Ctrl-C would."""
    net = nets.BlocksNet(cell.Blocks(2, 2, 2), forward=cell.forward_folded, squash="exp")
    p = net.init(np.random.default_rng(1), 3)
    rng = np.random.default_rng(2)
    curve, calls = [], []                 # curve: state (restored); calls: this process's sequences

    def draw(n):
        x = rng.normal(size=(11, 3, n, 2))
        return x, rng.uniform(0.2, 0.8, size=(3, n)), rng.integers(9, 12, size=(3, n))

    def watch(k, y, t):
        if k == stop_at:
            raise Stop
        calls.append(k)
        curve.append(float(np.abs(y - t).mean()))
    rule = online.ST3Rule(3, 50, 0.01, 0.04)
    opt = Adam(p, lr=1e-2, per_member=True) if adam else None
    ck = Checkpoint(str(tmp_path / "ck.pkl"), every, fingerprint) if use_checkpoint else None
    out = online.train(net, p, draw, rule, 3 * CHUNK, lr=0.5, opt=opt, watch=watch,
                       snapshot=lambda q: (q["W"][0, :2].copy(), q["V"][:, 0].copy()), n_snaps=5,
                       checkpoint=ck, state={"data": rng, "curve": curve})
    return out, curve, rule, calls


@pytest.mark.parametrize("adam", [False, True])
def test_a_resumed_run_is_bit_identical_to_an_unbroken_one(tmp_path, adam):
    ref, ref_curve, ref_rule, _ = _run(tmp_path / "ref", adam=adam, use_checkpoint=False)
    with pytest.raises(Stop):
        _run(tmp_path, stop_at=2 * CHUNK + 40, adam=adam)        # checkpoints at 256 and 512 exist
    out, curve, rule, calls = _run(tmp_path, adam=adam)          # resumes at 512
    assert calls == list(range(2 * CHUNK, 3 * CHUNK))            # only the rest was trained again
    assert curve == ref_curve
    for k in ref["params"]:
        assert np.array_equal(out["params"][k], ref["params"][k])
    for k in ("snap_state", "snap_y"):
        assert np.array_equal(out[k], ref[k])
    assert np.array_equal(rule.st3.stopped_at, ref_rule.st3.stopped_at)
    assert out["n_trained"] == ref["n_trained"]


def test_another_configuration_starts_afresh_and_a_finished_run_is_reused(tmp_path, capsys):
    with pytest.raises(Stop):
        _run(tmp_path, stop_at=CHUNK + 5)
    _, curve, _, calls = _run(tmp_path, fingerprint="b")         # not the checkpoint's run
    assert "another configuration" in capsys.readouterr().out and len(calls) == 3 * CHUNK
    done, again, _, calls = _run(tmp_path, fingerprint="b")      # its final checkpoint: no training
    assert calls == [] and again == curve and done["n_trained"] == 3 * CHUNK
    assert "(finished)" in capsys.readouterr().out


def test_checkpoint_refuses_an_every_off_the_chunk(tmp_path):
    with pytest.raises(ValueError, match="multiple of the chunk"):
        _run(tmp_path, every=100)


def test_remove_checkpoints_clears_the_folder(tmp_path):
    cfg = online.checkpoint_config(str(tmp_path / "results.json"), 3)
    assert cfg["checkpoint_dir"].endswith(".results-seed3.checkpoint")
    Checkpoint(str(tmp_path / ".results-seed3.checkpoint" / "lstm.pkl"), CHUNK, "x").save(0, {"a": 1})
    online.remove_checkpoints(cfg)
    assert list(tmp_path.iterdir()) == []


def test_train_kinds_checkpoints_beside_the_results_and_drop_clears_them(tmp_path):
    seen = []

    def fake_train(kind, n_seeds, T, max_sequences, init, data, checkpoint=None, **kw):
        seen.append(checkpoint)
        checkpoint.save(0, {"kind": kind})
        return {"kind": kind}

    out = str(tmp_path / "results.json")
    cfg = dict(n_seeds=1, T=10, max_sequences=CHUNK, n_snaps=1, log_every=CHUNK, lr=0.1)
    names = ["init_a", "data"]
    got = online.train_kinds(fake_train, ["a"], 5, cfg, None, names, 1, resumable_out=out)
    assert got["a"]["kind"] == "a" and seen[0] is not None
    assert (tmp_path / ".results-seed5.checkpoint").is_dir()
    online.drop_checkpoints(out, 5)
    assert list(tmp_path.iterdir()) == []
    online.train_kinds(_no_checkpoint, ["a"], 5, cfg, None, names, 1)     # not resumable: no folder
    assert list(tmp_path.iterdir()) == []


def _no_checkpoint(kind, n_seeds, T, max_sequences, init, data, checkpoint=None, **kw):
    assert checkpoint is None
    return {"kind": kind}


def test_the_checkpoint_folder_sits_beside_the_results_and_goes_when_done(tmp_path):
    from shared.checkpoint import folder_beside, remove_folder
    folder = folder_beside(str(tmp_path / "results_long.json"), 3)
    assert folder == str(tmp_path / ".results_long-seed3.checkpoint")
    os.makedirs(folder)
    for name in ("a.pkl", ".tmp-x.pkl"):
        (tmp_path / ".results_long-seed3.checkpoint" / name).write_bytes(b"x")
    remove_folder(folder)
    assert not os.path.exists(folder)
    os.makedirs(folder)
    (tmp_path / ".results_long-seed3.checkpoint" / "keep.txt").write_text("not ours")
    remove_folder(folder)                                  # only checkpoint files are deleted
    assert os.path.isfile(os.path.join(folder, "keep.txt"))
    remove_folder(None)
    remove_folder(str(tmp_path / "missing"))
