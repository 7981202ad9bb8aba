"""Tests of the shared plumbing: gradient checks, Adam, random streams, results, GIFs, CLI."""
import json
import os

import numpy as np
import pytest

from shared import cli, optim, results
from shared.figures import save_gif
from shared.gradcheck import check_gradients
from shared.rng import streams


# ---------------------------------------------------------------- gradcheck on a tiny tanh RNN
def _rnn_setup(seed=0, T=6, B=3, n_in=2, H=4):
    rng = np.random.default_rng(seed)
    params = {"Wx": rng.normal(0, 0.6, (n_in, H)), "Wh": rng.normal(0, 0.6, (H, H)),
              "b": rng.normal(0, 0.3, H), "h0": rng.normal(0, 0.5, (B, H))}
    x = rng.normal(size=(T, B, n_in))
    y = rng.normal(size=(B, H))
    return params, x, y


def _rnn_loss_and_grads(params, x, y, bug=None):
    """h_t = tanh(x_t Wx + h_{t-1} Wh + b); loss = 0.5 |h_T - y|^2; exact BPTT."""
    hs = [params["h0"]]
    for t in range(x.shape[0]):
        hs.append(np.tanh(x[t] @ params["Wx"] + hs[-1] @ params["Wh"] + params["b"]))
    loss = 0.5 * np.sum((hs[-1] - y) ** 2)
    g = {k: np.zeros_like(v) for k, v in params.items()}
    dh = hs[-1] - y
    for t in range(x.shape[0] - 1, -1, -1):
        dz = dh * (1 - hs[t + 1] ** 2)
        g["Wx"] += x[t].T @ dz
        g["Wh"] += hs[t].T @ dz
        g["b"] += dz.sum(0)
        dh = dz @ params["Wh"].T
    g["h0"] = dh
    if bug == "Wh":
        g["Wh"] = g["Wh"] * 1.01            # a planted 1 % error in one tensor
    return loss, g


def test_gradcheck_passes_correct_bptt():
    params, x, y = _rnn_setup()
    _, g = _rnn_loss_and_grads(params, x, y)
    errs = check_gradients(lambda: _rnn_loss_and_grads(params, x, y)[0], params, g)
    assert set(errs) == set(params)
    assert max(errs.values()) < 1e-7, errs


def test_gradcheck_flags_exactly_the_planted_bug():
    params, x, y = _rnn_setup(0)
    _, g = _rnn_loss_and_grads(params, x, y, bug="Wh")
    errs = check_gradients(lambda: _rnn_loss_and_grads(params, x, y)[0], params, g)
    assert errs["Wh"] > 1e-3
    assert all(v < 1e-7 for k, v in errs.items() if k != "Wh"), errs


def test_gradcheck_restores_parameters_bit_identically():
    params, x, y = _rnn_setup(2)
    before = {k: v.copy() for k, v in params.items()}
    _, g = _rnn_loss_and_grads(params, x, y)
    check_gradients(lambda: _rnn_loss_and_grads(params, x, y)[0], params, g, n_samples=5,
                    rng=np.random.default_rng(0))
    for k in params:
        assert params[k].tobytes() == before[k].tobytes()


def test_richardson_extrapolation_is_more_accurate_and_still_catches_bugs():
    params, x, y = _rnn_setup(4, T=12)
    _, g = _rnn_loss_and_grads(params, x, y)
    loss = lambda: _rnn_loss_and_grads(params, x, y)[0]  # noqa: E731
    plain = check_gradients(loss, params, g, eps=1e-3)
    rich = check_gradients(loss, params, g, eps=1e-3, richardson=True)
    assert max(rich.values()) < 1e-7 < max(plain.values())
    _, bad = _rnn_loss_and_grads(params, x, y, bug="Wh")
    assert check_gradients(loss, params, bad, eps=1e-3, richardson=True)["Wh"] > 1e-3


def test_gradcheck_sampling_and_errors():
    params, x, y = _rnn_setup(3)
    _, g = _rnn_loss_and_grads(params, x, y)
    calls = []

    def loss():
        calls.append(1)
        return _rnn_loss_and_grads(params, x, y)[0]
    check_gradients(loss, params, g, n_samples=2)
    assert len(calls) == 2 * 2 * len(params)              # 2 coordinates x 2 evaluations per tensor
    with pytest.raises(ValueError, match="keys"):
        check_gradients(loss, params, {"Wx": g["Wx"]})
    with pytest.raises(ValueError, match="float64"):
        check_gradients(loss, {"a": np.zeros(3, np.float32)}, {"a": np.zeros(3)})
    with pytest.raises(ValueError, match="shape"):
        check_gradients(loss, {"a": np.zeros(3)}, {"a": np.zeros(4)})


# ---------------------------------------------------------------- Adam
def test_adam_matches_the_textbook_update():
    rng = np.random.default_rng(0)
    p = {"w": rng.normal(size=5)}
    ref = p["w"].copy()
    m = v = np.zeros(5)
    opt = optim.Adam(p, lr=0.1)
    for t in range(1, 4):
        g = rng.normal(size=5)
        opt.step({"w": g.copy()})
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        ref = ref - 0.1 * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
    np.testing.assert_allclose(p["w"], ref, rtol=1e-12)


def test_global_norm_clipping_whole_and_per_member():
    g = {"a": np.array([[3.0, 0.0], [0.3, 0.0]]), "b": np.array([[4.0], [0.4]])}
    norms = optim.clip_by_global_norm({k: v.copy() for k, v in g.items()}, 1.0, per_member=True)
    np.testing.assert_allclose(norms, [5.0, 0.5])
    clipped = {k: v.copy() for k, v in g.items()}
    optim.clip_by_global_norm(clipped, 1.0, per_member=True)
    np.testing.assert_allclose(optim.global_norm(clipped, axis=0), [1.0, 0.5])   # only member 0 clipped
    whole = {k: v.copy() for k, v in g.items()}
    optim.clip_by_global_norm(whole, 1.0)
    assert abs(optim.global_norm(whole) - 1.0) < 1e-12
    with pytest.raises(ValueError):
        optim.Adam({"w": np.zeros(2)}, lr=-1)


# ---------------------------------------------------------------- random streams
def test_streams_are_reproducible_independent_and_stable_under_appending():
    a = streams(3, ["init", "data"])
    b = streams(3, ["init", "data", "eval"])
    assert np.array_equal(a["init"].random(4), b["init"].random(4))
    assert np.array_equal(a["data"].random(4), b["data"].random(4))
    c = streams(3, ["init", "data"])
    assert not np.array_equal(c["init"].random(4), c["data"].random(4))
    assert not np.array_equal(streams(4, ["init"])["init"].random(4), streams(3, ["init"])["init"].random(4))
    for bad in (-1, 1.5, "0", True):
        with pytest.raises(ValueError):
            streams(bad, ["x"])
    with pytest.raises(ValueError):
        streams(0, ["x", "x"])


# ---------------------------------------------------------------- results.json
def _valid_results():
    return {"stub": "demo", "family": "schmidhuber", "title": "Demo", "paper": "A. B., 1997",
            "seed": 0, "quick": True, "config": {"n_seeds": 2}, "metrics": {"x": np.float64(1.5)},
            "headline": [{"name": "x", "value": np.int64(3), "paper_value": 2, "verdict": "partial",
                          "note": ""}],
            "lyapunov": {"method": "qr", "exponents": {"m": [0.1, -0.2]}}, "wall_s": 1.0}


def test_write_results_round_trip_and_env(tmp_path):
    out = tmp_path / "results.json"
    results.write_results(out, _valid_results())
    res = results.read_results(out)
    assert res["metrics"]["x"] == 1.5 and res["headline"][0]["value"] == 3
    assert set(results.ENV_KEYS) <= set(res["env"])
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]      # no temporary file left


def test_finish_run_writes_float32_artefacts_then_results(tmp_path, capsys):
    rec = _valid_results()
    rec.pop("wall_s")
    arrays = {"w": np.linspace(0, 1, 5), "n": np.arange(3), "f32": np.ones(2, np.float32)}
    res = results.finish_run(tmp_path / "results.json", rec, arrays, lambda: 2.5)
    assert res["wall_s"] == 2.5 and set(results.ENV_KEYS) <= set(res["env"])
    back, a = results.load_run(tmp_path / "results.json")
    assert back == res
    assert a["w"].dtype == np.float32 and a["n"].dtype == np.arange(3).dtype
    np.testing.assert_allclose(a["w"], np.linspace(0, 1, 5), rtol=1e-7)
    text = capsys.readouterr().out
    assert "x: paper 2; here 3  [partial]" in text
    # a schema violation is caught before anything is written
    bad = dict(rec, headline=[])
    with pytest.raises(ValueError):
        results.finish_run(tmp_path / "other.json", bad, arrays, lambda: 1.0)
    assert not (tmp_path / "other.json").exists() and not (tmp_path / "other.npz").exists()


@pytest.mark.parametrize("breakage", [
    lambda r: r.pop("wall_s"),
    lambda r: r["headline"][0].update(verdict="maybe"),
    lambda r: r["headline"].clear(),
    lambda r: r.update(seed="0"),
    lambda r: r.update(lyapunov={"method": "qr", "exponents": {"m": [-0.2, 0.1]}}),
    lambda r: r["metrics"].update(bad=float("nan")),
])
def test_schema_violations_are_refused_and_nothing_is_written(tmp_path, breakage):
    res = _valid_results()
    breakage(res)
    with pytest.raises((ValueError, TypeError)):
        results.write_results(tmp_path / "results.json", res)
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_keeps_old_file_when_interrupted(tmp_path, monkeypatch):
    out = tmp_path / "results.json"
    out.write_text('{"old": true}')

    def boom(*a, **k):
        raise KeyboardInterrupt
    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(KeyboardInterrupt):
        results.atomic_write_bytes(out, b"new")
    assert json.loads(out.read_text()) == {"old": True}
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


def test_npz_round_trip_and_missing_file_message(tmp_path):
    results.save_npz(tmp_path / "a.npz", x=np.arange(3))
    assert results.load_npz(tmp_path / "a.npz")["x"].tolist() == [0, 1, 2]
    with pytest.raises(FileNotFoundError, match="headline command"):
        results.load_npz(tmp_path / "missing.npz")


# ---------------------------------------------------------------- GIF writing
def test_save_gif_writes_all_frames(tmp_path):
    from PIL import Image
    frames = [np.full((20, 30, 3), 40 * i, dtype=np.uint8) for i in range(5)]
    save_gif(frames, tmp_path / "a.gif", fps=5)
    im = Image.open(tmp_path / "a.gif")
    assert im.size == (30, 20) and im.n_frames == 5
    with pytest.raises(ValueError):
        save_gif([], tmp_path / "b.gif")
    with pytest.raises(ValueError):
        save_gif([frames[0], np.zeros((5, 5, 3), np.uint8)], tmp_path / "b.gif")
    assert not (tmp_path / "b.gif").exists()


# ---------------------------------------------------------------- CLI skeleton
def _parse(argv):
    parser = cli.make_parser("Demo stub.", __file__)
    parser.add_argument("--steps", type=cli.positive_int, default=3)
    return parser.parse_args(argv)


@pytest.mark.parametrize("argv", [["--seed", "x"], ["--seed", "-1"], ["--steps", "0"], ["--bogus"],
                                  ["--out", "/nonexistent-dir/r.json"]])
def test_bad_flags_exit_2_with_one_line(argv, capsys):
    with pytest.raises(SystemExit) as e:
        _parse(argv)
    assert e.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "error" in err[0] and "Traceback" not in err[0]


def test_defaults_and_check_finite():
    args = _parse([])
    assert args.seed == 0 and args.quick is False and args.out.endswith("results.json")
    cli.check_finite(3, w=np.ones((2, 2)))
    with pytest.raises(cli.TrainingDiverged, match=r"step 7: w .*members \[1\]"):
        cli.check_finite(7, w=np.array([[1.0, 2.0], [np.nan, 1.0]]))


def test_run_turns_errors_into_one_line(capsys):
    parser = cli.make_parser("Demo.", __file__)

    def fails(args):
        raise cli.TrainingDiverged("training diverged at step 5: loss became non-finite")
    with pytest.raises(SystemExit) as e:
        cli.run(fails, parser, [])
    assert e.value.code == 3
    assert capsys.readouterr().err.strip() == "error: training diverged at step 5: loss became non-finite"


# ---------------------------------------------------------------- ensembles
def _square(x):
    return x * x


def test_sum_outer_equals_the_loop_and_map_jobs_keeps_order():
    from shared.ensemble import map_jobs, sum_outer
    rng = np.random.default_rng(3)
    U, d = rng.normal(size=(4, 2, 3, 5)), rng.normal(size=(4, 2, 3, 6))
    loop = np.zeros((2, 5, 6))
    for t in range(4):
        for s in range(2):
            loop[s] += U[t, s].T @ d[t, s]
    np.testing.assert_allclose(sum_outer(U, d), loop, atol=1e-12)
    assert map_jobs(_square, range(5), workers=2) == [0, 1, 4, 9, 16]
    assert map_jobs(_square, [3], workers=1) == [9]


def test_setting_flag_picks_its_own_results_file(tmp_path):
    script = str(tmp_path / "demo.py")
    seen = []
    parser = cli.make_parser("Demo.", script, settings={"paper": "as published", "catalog": "older"})
    cli.run(seen.append, parser, [])
    cli.run(seen.append, parser, ["--setting", "catalog"])
    cli.run(seen.append, parser, ["--setting", "catalog", "--out", str(tmp_path / "x.json")])
    assert [os.path.basename(a.out) for a in seen] == ["results.json", "results_catalog.json", "x.json"]
    assert [a.setting for a in seen] == ["paper", "catalog", "catalog"]


def test_name_list_keeps_the_canonical_order_and_refuses_bad_lists():
    import argparse
    parse = cli.name_list(("lstm1997", "lstm_forget", "rnn"), required="lstm1997")
    assert parse("rnn, lstm1997") == ["lstm1997", "rnn"]
    for bad in ("", "rnn", "lstm1997,gru", "lstm1997,lstm1997"):
        with pytest.raises(argparse.ArgumentTypeError, match="including lstm1997"):
            parse(bad)
    assert cli.name_list(("3a", "3b", "3c"))("3c,3a") == ["3a", "3c"]
    with pytest.raises(argparse.ArgumentTypeError, match="3a, 3b, 3c, got '3d'"):
        cli.name_list(("3a", "3b", "3c"))("3d")


def test_per_seed_and_seed_chunks_cover_the_test_set():
    from shared.ensemble import per_seed, seed_chunks
    rng = np.random.default_rng(2)
    x, length = rng.normal(size=(9, 1, 7, 2)), rng.integers(3, 10, size=(1, 7))
    xs = per_seed(x, 3)
    assert xs.shape == (9, 3, 7, 2) and xs.flags.c_contiguous and (xs == x).all()
    got, seen = [], 0
    for xb, last in seed_chunks(x, length, 3, chunk=3):
        n = xb.shape[2]
        assert xb.flags.c_contiguous and xb.shape == (int(length[0, seen:seen + n].max()), 3, n, 2)
        np.testing.assert_array_equal(xb, np.broadcast_to(x[:xb.shape[0], :, seen:seen + n], xb.shape))
        np.testing.assert_array_equal(last, np.broadcast_to(length[:, seen:seen + n] - 1, (3, n)))
        got.append(n)
        seen += n
    assert got == [3, 3, 1]


def test_nets_trained_prefers_n_nets_then_n_seeds():
    from shared.results import nets_trained
    assert nets_trained({"config": {"n_seeds": 10, "n_nets": 160}}) == 160
    assert nets_trained({"config": {"n_seeds": 5}}) == 5
    assert nets_trained({"config": {}}) == 1
    assert nets_trained({"config": None}) == 1
