"""results.json: the one schema of the catalog, atomic writing and validation.

Every stub's headline run writes one ``results.json`` with these top-level keys:

    stub      str   folder name under stubs/ (kebab-case)
    family    str   catalog family (see stubs/catalog.toml)
    title     str   human title
    paper     str   citation
    seed      int   the --seed value
    quick     bool  True for a --quick run
    config    dict  every resolved hyperparameter (``n_seeds`` when several seeds train at once)
    metrics   dict  every number the README or figures quote, JSON-serialisable
    headline  list  of {name, value, paper_value, verdict, note}; verdict in yes/partial/no
    lyapunov  dict or None: {"method": str, "exponents": {model: [top exponents, descending]}, ...}
    wall_s    float wall-clock seconds of the run
    env       dict  {python, numpy, platform, blas_threads}

Writes go to a temporary file in the target folder and are renamed into place, so an
interrupted run never leaves a half-written file.
"""
import io
import json
import math
import os
import platform
import tempfile

import numpy as np

VERDICTS = ("yes", "partial", "no")
TOP_KEYS = {
    "stub": str, "family": str, "title": str, "paper": str, "seed": int, "quick": bool,
    "config": dict, "metrics": dict, "headline": list, "lyapunov": (dict, type(None)),
    "wall_s": (int, float), "env": dict,
}
HEADLINE_KEYS = ("name", "value", "paper_value", "verdict", "note")
ENV_KEYS = ("python", "numpy", "platform", "blas_threads")


def env_info():
    """What the numbers were measured on."""
    threads = os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS") or "default"
    return {"python": platform.python_version(), "numpy": np.__version__,
            "platform": platform.platform(), "blas_threads": threads}


def to_jsonable(x):
    """Convert numpy scalars/arrays (recursively) into plain Python for json; NaN/inf are refused."""
    if isinstance(x, dict):
        return {str(k): to_jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [to_jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return to_jsonable(x.tolist())
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        x = float(x)
        if not math.isfinite(x):
            raise ValueError(f"results contain a non-finite number ({x}); record it as a string or None")
        return x
    if x is None or isinstance(x, str):
        return x
    raise TypeError(f"cannot store {type(x).__name__} in results.json")


def atomic_write_bytes(path, data):
    """Write ``data`` to ``path`` through a temporary file and an atomic rename."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)                      # mkstemp creates 0600; these files are for sharing
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def save_npz(path, **arrays):
    """Atomic ``np.savez_compressed`` (the artefacts that visualize/GIF scripts read)."""
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    atomic_write_bytes(path, buf.getvalue())


def load_npz(path, what="artefacts"):
    """Load a saved .npz, or fail with a message that says which run creates it."""
    if not os.path.exists(path):
        raise FileNotFoundError(
            f"{path} not found: run the stub's headline command first to create the {what}")
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def validate_results(res):
    """Raise ValueError naming the first problem if ``res`` breaks the catalog schema."""
    if not isinstance(res, dict):
        raise ValueError("results must be a JSON object")
    missing = [k for k in TOP_KEYS if k not in res]
    if missing:
        raise ValueError(f"results missing keys: {missing}")
    for k, typ in TOP_KEYS.items():
        if not isinstance(res[k], typ) or (typ is int and isinstance(res[k], bool)):
            raise ValueError(f"results[{k!r}] has type {type(res[k]).__name__}")
    if not res["headline"]:
        raise ValueError("results['headline'] is empty")
    for i, h in enumerate(res["headline"]):
        if not isinstance(h, dict) or tuple(sorted(h)) != tuple(sorted(HEADLINE_KEYS)):
            raise ValueError(f"headline[{i}] must have exactly the keys {HEADLINE_KEYS}")
        if h["verdict"] not in VERDICTS:
            raise ValueError(f"headline[{i}] verdict {h['verdict']!r} not in {VERDICTS}")
        if not isinstance(h["name"], str) or not h["name"]:
            raise ValueError(f"headline[{i}] needs a name")
    lyap = res["lyapunov"]
    if lyap is not None:
        if not isinstance(lyap.get("method"), str) or not isinstance(lyap.get("exponents"), dict):
            raise ValueError("lyapunov must hold 'method' (str) and 'exponents' (model -> list)")
        for model, ex in lyap["exponents"].items():
            if not isinstance(ex, list) or not ex or not all(isinstance(v, (int, float)) for v in ex):
                raise ValueError(f"lyapunov exponents of {model!r} must be a non-empty list of numbers")
            if any(a < b - 1e-12 for a, b in zip(ex, ex[1:], strict=False)):
                raise ValueError(f"lyapunov exponents of {model!r} must be sorted descending")
    missing_env = [k for k in ENV_KEYS if k not in res["env"]]
    if missing_env:
        raise ValueError(f"results['env'] missing {missing_env}")
    if res["wall_s"] < 0:
        raise ValueError("wall_s is negative")
    return res


def write_results(path, res):
    """Validate ``res``, fill ``env`` if absent, and write it atomically as pretty JSON."""
    res = to_jsonable(dict(res))
    res.setdefault("env", env_info())
    validate_results(res)
    text = json.dumps(res, indent=2, sort_keys=False) + "\n"
    atomic_write_bytes(path, text.encode())
    return res


def finish_run(out, record, arrays, timer):
    """The end of every headline run: artefacts, then results.json, then the closing block.

    ``record`` holds every top-level key but ``wall_s`` and ``env``, which are filled here.
    float64 arrays are stored as float32 (figures need no more; it halves the committed file).
    The .npz is written before the JSON, so a results.json never names artefacts that are not
    there. Prints the headline as "paper X; here Y [verdict]" and returns the written dict.
    """
    out = os.fspath(out)
    npz = os.path.splitext(out)[0] + ".npz"
    res = validate_results(to_jsonable({**record, "wall_s": timer(), "env": env_info()}))  # before any write
    small = {}
    for k, v in arrays.items():
        v = np.asarray(v)
        small[k] = v.astype(np.float32) if v.dtype == np.float64 else v
    save_npz(npz, **small)
    res = write_results(out, res)
    print("\nheadline (paper vs here):")
    for h in res["headline"]:
        print(f"  {h['name']}: paper {format_value(h['paper_value'])}; here {format_value(h['value'])}"
              f"  [{h['verdict']}]")
    print(f"wrote {out} and {npz} in {timer():.1f}s")
    return res


def read_results(path):
    """Load and validate a results.json."""
    with open(path) as f:
        return validate_results(json.load(f))



def nets_trained(res):
    """How many nets a run trained: config ``n_nets`` where the stub records it (stubs that train
    several kinds, tasks or variants per seed), else config ``n_seeds``, else 1."""
    cfg = res.get("config") or {}
    return int(cfg.get("n_nets") or cfg.get("n_seeds") or 1)


def format_value(x):
    """A value as table text: floats to 4 significant digits, ints and strings as they are, None as —."""
    if x is None:
        return "—"
    if isinstance(x, (list, tuple)):
        return ", ".join(format_value(v) for v in x)
    if isinstance(x, dict):
        return ", ".join(f"{k} {format_value(v)}" for k, v in x.items())
    if not isinstance(x, float):
        return str(x)
    a = abs(x)
    if a == 0 or 1e-3 <= a < 1e4:
        return "0" if a == 0 else f"{x:.4g}"
    return f"{x:.0f}" if 1e4 <= a < 1e7 else f"{x:.3e}"


HEADLINE_START, HEADLINE_END = "<!-- headline:start -->", "<!-- headline:end -->"


def headline_markdown(res):
    """The headline table every stub README carries between the headline markers.

    Generated from results.json by docs/generate.py; a test fails when a README's copy differs.
    """
    lines = ["| claim | paper | here | verdict | note |", "|---|---|---|---|---|"]
    for h in res["headline"]:
        cells = [h["name"], format_value(h["paper_value"]), format_value(h["value"]), h["verdict"],
                 h["note"] or ""]
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    run = "quick run (not the headline)" if res["quick"] else f"seed {res['seed']}"
    lines.append("")
    lines.append(f"*From `results.json` ({run}, {format_value(float(res['wall_s']))} s wall on "
                 f"{res['env'].get('platform', '?')}, BLAS threads {res['env'].get('blas_threads', '?')}).*")
    return "\n".join(lines)


def replace_block(text, start, end, body, where="README"):
    """Replace what lies between two marker lines; ValueError if the markers are missing."""
    i, j = text.find(start), text.find(end)
    if i < 0 or j < i:
        raise ValueError(f"{where} lacks the markers {start} ... {end}")
    return text[:i + len(start)] + "\n" + body.strip("\n") + "\n" + text[j:]


def load_run(results_path):
    """(results dict, arrays dict) of a saved run: results.json and the .npz beside it."""
    results_path = os.fspath(results_path)
    if not os.path.exists(results_path):
        raise FileNotFoundError(f"{results_path} not found: run the stub's headline command first")
    res = read_results(results_path)
    return res, load_npz(os.path.splitext(results_path)[0] + ".npz")
