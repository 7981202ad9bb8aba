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
    headline  list  of {name, value, paper_value, verdict, note, numbers}; verdict in
                    yes/partial/no/open; ``value`` is the display text or number, ``numbers`` the
                    numeric value(s) behind it (see ``numbers_of``)
    lyapunov  dict or None: {"method": str, "exponents": {model: [top exponents, descending]}, ...}
    wall_s    float wall-clock seconds of the run
    env       dict  {python, numpy, platform, blas_threads, cpu, simd}

The same schema as JSON Schema is ``shared/results.schema.json`` (checked by the tests).
Writes go to a temporary file in the target folder and are renamed into place, so an
interrupted run never leaves a half-written file. A headline re-run that reproduces the committed
numbers leaves the committed files as they are (see ``finish_run``).
"""
import io
import json
import math
import os
import platform
import re
import tempfile
import tomllib

import numpy as np

VERDICTS = ("yes", "partial", "no", "open")
TOP_KEYS = {
    "stub": str, "family": str, "title": str, "paper": str, "seed": int, "quick": bool,
    "config": dict, "metrics": dict, "headline": list, "lyapunov": (dict, type(None)),
    "wall_s": (int, float), "env": dict,
}
HEADLINE_KEYS = ("name", "value", "paper_value", "verdict", "note")
OPTIONAL_HEADLINE_KEYS = ("numbers",)
ENV_KEYS = ("python", "numpy", "platform", "blas_threads")
# written by every run since 2026-12-06; runs committed before then lack them
ENV_KEYS_NEW = ("cpu", "simd")
# the parts of a record that may differ between two runs of the same seed on the same machine
VOLATILE_KEYS = ("wall_s", "env")


def cpu_model():
    """The CPU's model name (from /proc/cpuinfo on Linux, else the platform module)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def simd_level():
    """The SIMD extensions numpy dispatches to on this CPU: baseline and the best dispatched
    targets that the CPU supports (float results can differ between, e.g., AVX2 and AVX-512)."""
    try:
        from numpy._core import _multiarray_umath as um
        feats = um.__cpu_features__
        used = [t for t in um.__cpu_dispatch__ if feats.get(t)]
        return "baseline " + "+".join(um.__cpu_baseline__) + "; dispatched " + ("+".join(used) or "none")
    except (ImportError, AttributeError):
        return "unknown"


def env_info():
    """What the numbers were measured on."""
    threads = os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS") or "default"
    return {"python": platform.python_version(), "numpy": np.__version__,
            "platform": platform.platform(), "blas_threads": threads,
            "cpu": cpu_model(), "simd": simd_level(),
            "load_avg": [round(x, 2) for x in os.getloadavg()]}


_NUMBER = re.compile(r"[-+−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?|[-+−]?\.\d+")
_SPREAD = re.compile(r"\s*(?:±|\+-|\+/-)\s*")


def numbers_of(value):
    """The numeric content of a headline value, as a list of ``{"value": x}`` or
    ``{"value": x, "spread": s}`` (``a ± b`` text), in the order they appear.

    A number stays a number; a list gives its elements; text gives every number written in it
    ("0/10" -> 0 and 10, "1,273,000" -> 1273000, "0.31 ± 0.23 vs 1.06 ± 0.21" -> two values with
    spreads); None and text without numbers give []. Stubs that want a different reading pass
    ``numbers`` themselves in the headline row.
    """
    if value is None or isinstance(value, bool):
        return []
    if isinstance(value, (int, float)):
        return [{"value": value}]
    if isinstance(value, (list, tuple)):
        return [n for v in value for n in numbers_of(v)]
    if isinstance(value, dict):
        return [n for v in value.values() for n in numbers_of(v)]
    text, out, i = str(value), [], 0
    while True:
        m = _NUMBER.search(text, i)
        if m is None:
            return out
        if m.start() > 0 and (text[m.start() - 1].isalpha() or text[m.start() - 1] == "_") \
                and m.group()[0] not in "-+−":
            i = m.end()                            # part of a name such as "E3" or "lambda_1"
            continue
        x = _to_number(m.group())
        sp = _SPREAD.match(text, m.end())
        if sp:
            m2 = _NUMBER.match(text, sp.end())
            if m2:
                out.append({"value": x, "spread": _to_number(m2.group())})
                i = m2.end()
                continue
        out.append({"value": x})
        i = m.end()


def _to_number(tok):
    tok = tok.replace(",", "").replace("−", "-")
    v = float(tok)
    return int(v) if re.fullmatch(r"[-+]?\d+", tok) else v


def headline_row(name, value, paper_value, verdict, note="", numbers=None):
    """One headline row; ``numbers`` defaults to ``numbers_of(value)``."""
    if verdict not in VERDICTS:
        raise ValueError(f"verdict {verdict!r} not in {VERDICTS}")
    row = {"name": name, "value": value, "paper_value": paper_value, "verdict": verdict, "note": note}
    row["numbers"] = numbers_of(value) if numbers is None else numbers
    return row


def at_budget(verdict, reached, needed):
    """SPEC's rule "a cap is never a no": a failure seen before the paper's own budget is `open`.

    reached: the training budget the run used (sequences, steps, ...); needed: the paper's budget
    in the same unit (its mean to success, or its stated training length). Any other verdict is
    returned unchanged; a row made `open` should say both numbers in its note (budget_note).
    """
    if reached is None or needed is None or not (reached >= 0 and needed > 0):
        raise ValueError(f"need a reached budget >= 0 and a paper budget > 0, got {reached!r}, {needed!r}")
    return "open" if verdict == "no" and reached < needed else verdict


def at_unknown_budget(verdict):
    """``at_budget`` where the paper states no budget (it trained "until learned"): a failure within
    any budget run here is untested, so a `no` is `open`; any other verdict is returned unchanged.
    The row should say so in its note."""
    return "open" if verdict == "no" else verdict


def budget_note(reached, needed, unit, cost_s=None):
    """The clause an `open` row carries: how far the run went and what the paper's budget costs."""
    text = (f"open: stopped at {reached:,} {unit}, {reached / needed:.1%} of the paper's {needed:,}")
    if cost_s is not None:
        text += f"; the paper's budget would take about {cost_s / 3600:.1f} h here at this run's speed"
    return text


def _catalog_family(stub, root):
    path = os.path.join(root, "stubs", "catalog.toml")
    with open(path, "rb") as f:
        cat = tomllib.load(f)
    for entry in cat.get("stub", []):
        if entry.get("slug") == stub:
            return entry["family"]
    raise ValueError(f"{stub} is not listed in {path}")


def record(args, script_file, *, title, paper, config, metrics, headline, lyapunov=None):
    """The record a stub hands to ``finish_run``: its folder name, its family (from
    stubs/catalog.toml), the seed and quick flag from ``args``, and the parts the stub computed."""
    stub_dir = os.path.dirname(os.path.abspath(script_file))
    stub = os.path.basename(stub_dir)
    family = _catalog_family(stub, os.path.dirname(os.path.dirname(stub_dir)))
    return {"stub": stub, "family": family, "title": title, "paper": paper, "seed": args.seed,
            "quick": bool(args.quick), "config": config, "metrics": metrics, "headline": headline,
            "lyapunov": lyapunov}


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
        if not isinstance(h, dict) or not set(HEADLINE_KEYS) <= set(h) \
                or not set(h) <= set(HEADLINE_KEYS + OPTIONAL_HEADLINE_KEYS):
            raise ValueError(f"headline[{i}] must have the keys {HEADLINE_KEYS} "
                             f"(and optionally {OPTIONAL_HEADLINE_KEYS})")
        nums = h.get("numbers", [])
        if not isinstance(nums, list) or not all(
                isinstance(n, dict) and set(n) <= {"value", "spread"} and "value" in n
                and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in n.values())
                for n in nums):
            raise ValueError(f"headline[{i}] numbers must be a list of {{value[, spread]}} numbers")
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


def _strip_timing(x):
    """A record without the parts allowed to differ between two runs of one seed."""
    x = {k: v for k, v in x.items() if k not in VOLATILE_KEYS}
    if isinstance(x.get("metrics"), dict):
        x["metrics"] = {k: v for k, v in x["metrics"].items() if k != "timing"}
        x["metrics"] = {k: ({kk: vv for kk, vv in v.items() if kk != "timing"} if isinstance(v, dict) else v)
                        for k, v in x["metrics"].items()}
    x["headline"] = [{k: v for k, v in h.items() if k != "numbers"} for h in x.get("headline", [])]
    return x


def same_numbers(a, b):
    """True when two records agree on everything but wall time, env and timing metrics."""
    return json.dumps(_strip_timing(a), sort_keys=True) == json.dumps(_strip_timing(b), sort_keys=True)


def _leaves(x, prefix=""):
    """(path, value) of every number, string and bool in a nested record."""
    if isinstance(x, dict):
        for k, v in x.items():
            yield from _leaves(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(x, list):
        for i, v in enumerate(x):
            yield from _leaves(v, f"{prefix}[{i}]")
    else:
        yield prefix, x


def compare_runs(old, new):
    """How a run differs from an earlier one of the same stub: a one-paragraph text naming the
    verdicts that changed, how many numbers differ and the largest relative difference."""
    a, b = dict(_leaves(_strip_timing(old))), dict(_leaves(_strip_timing(new)))
    if set(a) != set(b):
        return "its record has a different shape (another setting or version of the stub)"
    diff = [k for k in a if a[k] != b[k]]
    nums = [(k, a[k], b[k]) for k in diff if isinstance(a[k], (int, float)) and isinstance(b[k], (int, float))
            and not isinstance(a[k], bool)]
    rel = max((abs(x - y) / max(abs(x), abs(y), 1e-300) for _, x, y in nums), default=0.0)
    pairs = zip(old.get("headline", []), new.get("headline", []), strict=False)
    verdicts = [f"{h['name']}: {h['verdict']} -> {g['verdict']}" for h, g in pairs
                if h["verdict"] != g["verdict"]]
    text = (f"{len(diff)} of {len(a)} values differ ({len(nums)} numbers, largest relative difference "
            f"{rel:.2g})")
    return text + ("; verdicts changed: " + "; ".join(verdicts) if verdicts
                   else "; every verdict is the same")


def _same_arrays(path, arrays):
    if not os.path.exists(path):
        return False
    try:
        old = load_npz(path)
    except (OSError, ValueError):
        return False
    return set(old) == set(arrays) and all(
        old[k].dtype == arrays[k].dtype and old[k].shape == arrays[k].shape
        and np.array_equal(old[k], arrays[k], equal_nan=arrays[k].dtype.kind in "fc") for k in arrays)


def finish_run(out, record, arrays, timer):
    """The end of every headline run: artefacts, then results.json, then the closing block.

    ``record`` holds every top-level key but ``wall_s`` and ``env``, which are filled here
    (``numbers`` is added to every headline row that lacks it). float64 arrays are stored as
    float32 (figures need no more; it halves the committed file). The .npz is written before the
    JSON, so a results.json never names artefacts that are not there.

    If ``out`` already holds a run with the same numbers and arrays (only wall time, env and
    timing metrics differ), both files are left as they are: re-running a committed headline
    reproduces it without touching the checkout. Prints the headline as "paper X; here Y
    [verdict]" and returns the record of this run.
    """
    out = os.fspath(out)
    npz = os.path.splitext(out)[0] + ".npz"
    record = dict(record)
    record["headline"] = [h if "numbers" in h else {**h, "numbers": numbers_of(h.get("value"))}
                          for h in record.get("headline", [])]
    res = validate_results(to_jsonable({**record, "wall_s": timer(), "env": env_info()}))  # before any write
    small = {}
    for k, v in arrays.items():
        v = np.asarray(v)
        small[k] = v.astype(np.float32) if v.dtype == np.float64 else v
    previous = None
    if os.path.exists(out):
        try:
            previous = read_results(out)
        except (OSError, ValueError):
            previous = None
    print("\nheadline (paper vs here):")
    for h in res["headline"]:
        print(f"  {h['name']}: paper {format_value(h['paper_value'])}; here {format_value(h['value'])}"
              f"  [{h['verdict']}]")
    if previous is not None and same_numbers(previous, res) and _same_arrays(npz, small):
        print(f"reproduced {out} exactly (numbers and arrays identical; only the wall time, "
              f"{timer():.1f}s here, differs): left the files as they were")
        return res
    if previous is not None:
        print(f"this run differs from the results that were at {out}: {compare_runs(previous, res)}; "
              f"env then: {previous['env'].get('cpu', previous['env'].get('platform'))}, "
              f"{previous['env'].get('simd', 'SIMD level not recorded')}")
    save_npz(npz, **small)
    res = write_results(out, res)
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


def across_seeds(verdicts):
    """One verdict for a claim judged at several seeds: the common verdict when every seed agrees;
    `partial` ("holds in some seeds", SPEC's Verdicts) when they differ, unless no seed found the
    claim holding at all (then `open` if any seed could not test it, else `no`)."""
    got = set(verdicts)
    if not got:
        raise ValueError("across_seeds needs at least one verdict")
    if len(got) == 1:
        return got.pop()
    if got <= {"no", "open"}:
        return "open" if "open" in got else "no"
    return "partial"


# config entries that do not change what a run computes (how many processes ran it)
CONFIG_FREE = ("workers",)


def config_key(config):
    """A short fingerprint of a run's resolved configuration (without CONFIG_FREE): two runs whose
    keys differ (another budget, size or setting) are not seeds of the same experiment."""
    import hashlib
    kept = {k: v for k, v in (config or {}).items() if k not in CONFIG_FREE}
    return hashlib.sha256(json.dumps(to_jsonable(kept), sort_keys=True).encode()).hexdigest()[:16]


def agreement_applies(res, agreement):
    """False when ``agreement`` records the configuration its seeds ran (``config_key``) and the
    committed run's is another: its seeds judged a different experiment (e.g. a shorter budget)."""
    key = (agreement or {}).get("config_key")
    return key is None or key == config_key(res.get("config"))


def with_agreement(res, agreement):
    """``res`` with each headline verdict judged across the seeds of ``agreement`` (a stub's
    agreement.json, or None): a row whose verdict changes with the seed takes ``across_seeds``'s
    verdict and says so in its note. Rows the agreement does not cover, or judged there by an
    earlier rule (its seed-0 verdict is not the committed one), are left as they are, and so is
    every row when the seeds ran another configuration (``agreement_applies``). A copy."""
    if not agreement or not agreement_applies(res, agreement):
        return res
    rows = [dict(h) for h in res["headline"]]
    for h, a in zip(rows, agreement.get("rows", []), strict=False):
        seeds = sorted(a.get("verdicts", {}).items(), key=lambda kv: int(kv[0]))
        if a.get("name") != h["name"] or a.get("committed") != h["verdict"] or len(seeds) < 2:
            continue
        v = across_seeds([v for _, v in seeds])
        if v != h["verdict"]:
            by = ", ".join(f"{k}: {x}" for k, x in seeds)
            h["note"] = ((h["note"] + "; ") if h["note"] else "") + (
                f"verdict across seeds ({by}; agreement.json): {v}, seed 0 alone said {h['verdict']}")
            h["verdict"] = v
    return {**res, "headline": rows}


def headline_markdown(res, agreement=None):
    """The headline table every stub README carries between the headline markers, verdicts judged
    across the seeds of ``agreement`` where it covers a row (``with_agreement``).

    Generated from results.json by docs/generate.py; a test fails when a README's copy differs.
    """
    res = with_agreement(res, agreement)
    lines = ["| claim | paper | here | verdict | note |", "|---|---|---|---|---|"]
    for h in res["headline"]:
        cells = [h["name"], format_value(h["paper_value"]), format_value(h["value"]), h["verdict"],
                 h["note"] or ""]
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    run = "quick run (not the headline)" if res["quick"] else f"seed {res['seed']}"
    lines.append("")
    load = res["env"].get("load_avg")
    load = f", load average {load[0]:g} at the end" if load else ""
    lines.append(f"*From `results.json` ({run}, {format_value(float(res['wall_s']))} s wall on "
                 f"{res['env'].get('platform', '?')}, BLAS threads {res['env'].get('blas_threads', '?')}"
                 f"{load}).*")
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
