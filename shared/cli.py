"""The command-line skeleton every stub shares.

    parser = make_parser(__doc__, __file__)      # --seed, --quick, --out
    parser.add_argument("--steps", type=positive_int, ...)
    run(main, parser)                            # clear one-line errors, non-zero exit

Bad flags and impossible values end with one line on stderr and exit code 2; a run that
diverges (NaN/inf) ends with the step and the quantity that went bad (exit 3); Ctrl-C exits 130
without a traceback. Writes are atomic (see shared.results), so nothing is left half-written.
"""
import argparse
import json
import os
import signal
import sys
import threading
import time

import numpy as np
# numpy loads numpy.random on first use; imported here, before main, because a Ctrl-C that lands
# while an extension module initialises can be swallowed by the import, and the run goes on
import numpy.random  # noqa: F401

from shared.gradcheck import TOLERANCE


class StubError(Exception):
    """An expected failure with a message meant for the user (no traceback)."""


class TrainingDiverged(StubError):
    """Training produced a non-finite number."""


# Every numeric flag has a lower and an upper bound. The default upper bounds only stop absurd
# values (a typo, an extra zero or three) at parse time, before any training; a stub whose sizes
# must stay smaller (memory, run time) gives its flag a tighter bound with int_range/float_range.
MAX_INT = 10**8
MAX_FLOAT = 1e6
MAX_SEED = 2**32 - 1


def int_range(lo, hi):
    """argparse type: an integer in [lo, hi]; the upper bound refuses a size that would run for
    hours or exhaust memory, with one line instead of a run that never ends."""
    def parse(text):
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if v < lo:
            raise argparse.ArgumentTypeError(f"must be >= {lo}, got {v}")
        if v > hi:
            raise argparse.ArgumentTypeError(f"must be <= {hi}, got {v}")
        return v
    parse.__name__ = "integer"
    return parse


def int_flags(parser, specs, defaults):
    """Add one bounded integer flag per entry of ``specs`` (name -> (lo, hi, help)): ``--name-with-
    dashes``, checked by ``int_range(lo, hi)``, defaulting to ``defaults[name]``."""
    for name, (lo, hi, text) in specs.items():
        parser.add_argument("--" + name.replace("_", "-"), type=int_range(lo, hi), default=defaults[name],
                            help=text)


def float_range(lo, hi):
    """argparse type: a finite float with lo < value <= hi (e.g. a learning rate in (0, 1])."""
    def parse(text):
        try:
            v = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if not np.isfinite(v) or not lo < v <= hi:
            raise argparse.ArgumentTypeError(f"must be a number in ({lo:g}, {hi:g}], got {text}")
        return v
    parse.__name__ = "number"
    return parse


nonneg_int = int_range(0, MAX_INT)
positive_int = int_range(1, MAX_INT)
seed_int = int_range(0, MAX_SEED)


def positive_float(text):
    """argparse type: a finite float with 0 < v <= MAX_FLOAT."""
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not np.isfinite(v) or v <= 0:
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text}")
    if v > MAX_FLOAT:
        raise argparse.ArgumentTypeError(f"must be <= {MAX_FLOAT:g}, got {text}")
    return v


def name_list(choices, required=None):
    """argparse type: a comma list of distinct names from ``choices``, returned in the order of
    ``choices``; it must include ``required`` when that is given (e.g. the paper's own net)."""
    def parse(text):
        names = [t.strip() for t in text.split(",") if t.strip()]
        if (not names or any(n not in choices for n in names) or len(set(names)) != len(names)
                or (required is not None and required not in names)):
            need = f" including {required}" if required is not None else ""
            raise argparse.ArgumentTypeError(f"expected a comma list of {', '.join(choices)}{need}, "
                                             f"got {text!r}")
        return [c for c in choices if c in names]
    parse.__name__ = "name list"
    return parse


def writable_path(text):
    """argparse type: a file path whose folder exists and is writable."""
    folder = os.path.dirname(os.path.abspath(text)) or "."
    if os.path.isdir(text):
        raise argparse.ArgumentTypeError(f"{text} is a directory, expected a file path")
    if not os.path.isdir(folder):
        raise argparse.ArgumentTypeError(f"folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise argparse.ArgumentTypeError(f"folder {folder} is not writable")
    return text


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad flag costs one line on stderr, not a usage block."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def make_parser(doc, script_file, settings=None):
    """argparse parser with the catalog's common flags; ``--out`` defaults beside the script.

    ``settings`` (e.g. ``{"paper": "Exp. 4 as published", "catalog": "the earlier catalog's task"}``)
    adds ``--setting`` with the first key as default (the headline). A run of another setting
    writes ``results_<setting>.json`` unless ``--out`` is given, so it never overwrites the
    headline's results.
    """
    first = (doc or "").strip().splitlines()
    parser = _Parser(
        description=first[0] if first else None,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--seed", type=seed_int, default=0,
                        help="master seed; named random streams are spawned from it")
    parser.add_argument("--quick", action="store_true",
                        help="tiny run (seconds) exercising every code path; what the tests run")
    here = os.path.dirname(os.path.abspath(script_file))
    if settings:
        names = list(settings)
        parser.add_argument("--setting", choices=names, default=names[0],
                            help="; ".join(f"{k}: {v}" for k, v in settings.items())
                            + f" (a setting other than {names[0]} writes results_<setting>.json)")
        parser.set_defaults(_headline_setting=names[0], _out_dir=here)
        parser.add_argument("--out", type=writable_path, default=None,
                            help="where to write results.json (artefacts go beside it); default "
                                 "results.json, or results_<setting>.json for other settings")
    else:
        parser.add_argument("--out", type=writable_path, default=os.path.join(here, "results.json"),
                            help="where to write results.json (artefacts go beside it)")
    parser.add_argument("--gradcheck", action="store_true",
                        help="only run the stub's finite-difference gradient checks (float64); print "
                             "a JSON object check -> largest relative error; exit 1 if any is >= 1e-6")
    return parser


COMMON_FLAGS = ("seed", "quick", "out", "gradcheck", "setting")


def budget_flag(parser, dest, paper, short, unit="sequences", why="", default="paper"):
    """``--budget {paper,short}`` for a stub whose headline is judged at the paper's own budget.

    ``paper`` sets ``args.<dest>`` to ``paper`` and ``short`` to ``short`` unless the user gave
    ``--<dest>`` (which wins). The default is the budget of the committed headline: ``paper`` once
    that run exists. A run of the other budget writes ``results_<budget>.json`` unless ``--out``
    is given, so it never overwrites the headline. ``dest`` must be a flag already on the parser
    whose default is None.
    """
    action = next((a for a in parser._actions if a.dest == dest), None)
    if action is None or action.default is not None:
        raise ValueError(f"budget_flag: --{dest.replace('_', '-')} must exist with default None")
    if not (isinstance(paper, int) and isinstance(short, int) and 0 < short < paper):
        raise ValueError(f"budget_flag: need 0 < short < paper, got {short!r}, {paper!r}")
    if default not in ("paper", "short"):
        raise ValueError(f"budget_flag: default must be paper or short, got {default!r}")
    other = "short" if default == "paper" else "paper"
    action.help = (action.help or "") + "%(default).0s"     # no "(default: None)" in --help
    parser.add_argument("--budget", choices=["paper", "short"], default=default,
                        help=f"paper: {paper:,} {unit} per net{' (' + why + ')' if why else ''}; "
                             f"short: {short:,} {unit}, a capped run (rows short of the paper's budget "
                             f"say open); the default is the committed headline's, the other writes "
                             f"results_{other}.json")
    parser.set_defaults(_budget={"dest": dest, "paper": paper, "short": short, "default": default})


def _resolve_budget(args):
    spec = getattr(args, "_budget", None)
    if spec and not given(args, spec["dest"]):
        setattr(args, spec["dest"], spec[args.budget])


def setting_flags(parser, uses):
    """Declare which of the stub's own flags each ``--setting`` reads, e.g.

        cli.setting_flags(parser, {"paper": ["T", "n_seeds", "lr"], "le2015": ["le2015_steps"]})

    (flag destinations; the common flags are always allowed). A flag the user gives that the
    chosen setting does not read is refused in one line instead of being silently ignored.
    tests/test_settings.py checks each list against what a --quick run of the setting reads."""
    names = {a.dest for a in parser._actions}
    choices = next((a.choices for a in parser._actions if a.dest == "setting"), None)
    if choices is None or set(uses) != set(choices):
        raise ValueError(f"setting_flags needs exactly the settings {choices}, got {sorted(uses)}")
    unknown = sorted({d for ds in uses.values() for d in ds} - names)
    if unknown:
        raise ValueError(f"setting_flags: no such flags {unknown}")
    parser.set_defaults(_setting_flags={k: frozenset(v) for k, v in uses.items()})


def _check_setting_flags(parser, args):
    uses = getattr(args, "_setting_flags", None)
    if not uses:
        return
    stray = sorted(args._given - set(COMMON_FLAGS) - uses[args.setting])
    if stray:
        opts = {a.dest: a.option_strings[0] for a in parser._actions if a.option_strings}
        took = ", ".join(opts[d] for d in sorted(uses[args.setting])) or "none of the stub's own flags"
        parser.error(f"{', '.join(opts[d] for d in stray)} not used by --setting {args.setting} "
                     f"(it takes {took})")


class _RecordingArgs(argparse.Namespace):
    """The parsed flags, noting which ones code outside this module reads (CATALOG_RECORD_ARGS)."""

    def __getattribute__(self, name):
        if not name.startswith("_") and sys._getframe(1).f_code.co_filename != __file__:
            object.__getattribute__(self, "_reads").add(name)
        return object.__getattribute__(self, name)


def check_finite(step, **named):
    """Stop training with a clear message if any named array holds NaN or inf (and stop it on a
    Ctrl-C that something swallowed, see ``interrupted``)."""
    if _INTERRUPTED:
        raise KeyboardInterrupt
    for name, value in named.items():
        arr = np.asarray(value)
        if not np.all(np.isfinite(arr)):
            where = ""
            if arr.ndim >= 1 and arr.shape[0] > 1:
                bad = np.flatnonzero(~np.isfinite(arr.reshape(arr.shape[0], -1)).all(axis=1))
                where = f" (ensemble members {bad[:5].tolist()})"
            raise TrainingDiverged(f"training diverged at step {step}: {name} became non-finite{where}")


QUICK_BANNER = "quick run: not a result (sizes shrunk to test the code paths; verdicts mean nothing)"


def quick_out_path(out):
    """Where a --quick run writes when the user gave no --out: ``runs/<stub>/quick/<name>`` at the
    repository root (ignored by git), never over the committed results beside the script."""
    out = os.path.abspath(out)
    stub_dir = os.path.dirname(out)
    root = os.path.dirname(os.path.dirname(stub_dir))
    return os.path.join(root, "runs", os.path.basename(stub_dir), "quick", os.path.basename(out))


def _given_flags(parser, argv):
    """The destinations the user set on the command line (as opposed to defaults)."""
    saved = {}
    for a in parser._actions:
        saved[a] = a.default
        a.default = argparse.SUPPRESS
    saved_defaults, parser._defaults = parser._defaults, {}
    try:
        ns, _ = parser.parse_known_args(argv)
    finally:
        for a, d in saved.items():
            a.default = d
        parser._defaults = saved_defaults
    return frozenset(vars(ns))


def given(args, name):
    """True when the user set ``--name`` on the command line (not a default)."""
    return name in getattr(args, "_given", ())


def quick(args, **values):
    """Shrink sizes for ``--quick`` without overriding what the user asked for.

    Each ``name=value`` replaces ``args.name`` only when ``args.quick`` is set and the user did
    not give that flag; a flag the user gave is honoured. Returns ``args``.

        cli.quick(args, T=24, n_seeds=2)     # --quick --T 40 keeps T = 40
    """
    if getattr(args, "quick", False):
        for name, value in values.items():
            if not hasattr(args, name):
                raise AttributeError(f"quick(): no flag {name!r} on this parser")
            if not given(args, name):
                setattr(args, name, value)
    return args


def parse(parser, argv=None):
    """What ``run`` does before ``main``: parse, resolve ``--out`` (per setting; under runs/ for
    --quick) and refuse an unwritable output before any training."""
    args = parser.parse_args(argv)
    args._given = _given_flags(parser, argv)
    _check_setting_flags(parser, args)
    default_out = "out" not in args._given
    if getattr(args, "out", "") is None:                    # see make_parser(settings=...)
        name = "results.json" if args.setting == args._headline_setting else f"results_{args.setting}.json"
        args.out = os.path.join(args._out_dir, name)
    _resolve_budget(args)
    spec = getattr(args, "_budget", None)
    if spec and args.budget != spec["default"] and default_out and getattr(args, "out", None):
        stem, ext = os.path.splitext(args.out)
        args.out = f"{stem}_{args.budget}{ext}"
    if getattr(args, "quick", False) and default_out and getattr(args, "out", None):
        # a quick run is a smoke test, not a result: it never lands on the committed files
        args.out = quick_out_path(args.out)
        os.makedirs(os.path.dirname(args.out), exist_ok=True)
    if getattr(args, "out", None) and not getattr(args, "gradcheck", False):
        try:                          # refuse an unwritable output before any training, not after
            writable_path(args.out)
        except argparse.ArgumentTypeError as e:
            parser.error(f"argument --out: {e}")
    return args


# Hidden hooks for the test suite (environment variables, so --help and the flags stay as they are):
#   CATALOG_DUMP_FLAGS=1           print the parser's flags as JSON and exit 0 (see dump_flags)
#   CATALOG_PARSE_CASES=cases.json parse each argv list in the file as ``run`` would, print how
#                                  each ended (exit code, stderr, traceback) as JSON, exit 0
#   CATALOG_RECORD_ARGS=path       write the flags the run read (outside this module) as a JSON
#                                  list, so a test can check setting_flags declarations
#   CATALOG_READY_FILE=path        append a line per stage reached ("main" when main starts,
#                                  "workers" once a worker pool is up), so a test can interrupt a
#                                  run at a known point instead of sleeping
def _kind(action):
    """"int", "float" or "text" for a flag that takes a value (None for switches and choices)."""
    if action.nargs == 0 or action.choices is not None:
        return None
    if action.type is None:
        return "text"
    for probe in ("2", "1", "0.5", "100", "0.01", "3"):
        try:
            v = action.type(probe)
        except Exception:                                  # noqa: BLE001 - probing only
            continue
        if isinstance(v, (list, tuple)) and v:
            v = v[0]
        if isinstance(v, bool):
            return None
        if isinstance(v, int):
            return "int"
        if isinstance(v, float):
            return "float"
        return "text"
    return "text"


def dump_flags(parser):
    """Every optional flag of ``parser``: option strings, type name, kind, choices, default, nargs,
    and whether its only upper bound is the default one (MAX_INT/MAX_FLOAT of positive_int etc.)."""
    flags = []
    for a in parser._actions:
        if isinstance(a, argparse._HelpAction) or not a.option_strings:
            continue
        flags.append({"options": list(a.option_strings), "dest": a.dest,
                      "type": getattr(a.type, "__name__", None) if a.type is not None else None,
                      "kind": _kind(a), "choices": list(a.choices) if a.choices is not None else None,
                      "default": a.default, "nargs": a.nargs,
                      "default_bound": any(a.type is t for t in (positive_int, nonneg_int, positive_float))})
        if a.dest == "setting":             # which own flags each setting reads (setting_flags)
            uses = parser._defaults.get("_setting_flags") or {}
            flags[-1]["uses"] = {k: sorted(v) for k, v in uses.items()}
    return flags


def _parse_cases(parser, path):
    import contextlib
    import io
    import traceback
    with open(path) as f:
        cases = json.load(f)
    out = []
    for argv in cases:
        err = io.StringIO()
        code, tb = 0, None
        try:
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                parse(parser, argv)
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 1
        except Exception:                                  # noqa: BLE001 - reported, not hidden
            code, tb = None, traceback.format_exc()
        out.append({"argv": argv, "code": code, "stderr": err.getvalue(), "traceback": tb})
    return out


_INTERRUPTED = []


def _on_sigint(signum, frame):
    """Ctrl-C: remembered, then raised as usual. Code that swallows exceptions (an import that
    fails quietly, a ``__del__``) can eat the KeyboardInterrupt; ``interrupted()`` still knows."""
    _INTERRUPTED.append(signum)
    raise KeyboardInterrupt


def interrupted():
    """True once Ctrl-C reached a run started by ``run`` (checked by check_finite and map_jobs)."""
    return bool(_INTERRUPTED)


def mark_ready(stage):
    """Tell a waiting test that the run reached ``stage`` (only when CATALOG_READY_FILE is set)."""
    path = os.environ.get("CATALOG_READY_FILE")
    if path:
        with open(path, "a") as f:
            f.write(stage + "\n")


def run(main, parser, argv=None, gradcheck=None):
    """Parse arguments, call ``main(args)``, turn expected failures into one stderr line.

    ``gradcheck(args) -> dict name -> relative error`` serves ``--gradcheck`` (stubs without a
    hand-written gradient pass None and report an empty check).
    """
    if os.environ.get("CATALOG_DUMP_FLAGS"):
        print(json.dumps(dump_flags(parser), default=repr))
        sys.exit(0)
    if os.environ.get("CATALOG_PARSE_CASES"):
        print(json.dumps(_parse_cases(parser, os.environ["CATALOG_PARSE_CASES"])))
        sys.exit(0)
    args = parse(parser, argv)
    record_to = os.environ.get("CATALOG_RECORD_ARGS")
    if record_to:
        args = _RecordingArgs(**vars(args))
        args._reads = set()
    previous = signal.getsignal(signal.SIGINT)
    ours = previous is signal.default_int_handler and threading.current_thread() is threading.main_thread()
    _INTERRUPTED.clear()
    if ours:
        signal.signal(signal.SIGINT, _on_sigint)
    try:
        _run_main(main, args, gradcheck)
    finally:
        if ours:
            signal.signal(signal.SIGINT, previous)
        if record_to:
            with open(record_to, "w") as f:
                json.dump(sorted(object.__getattribute__(args, "_reads")), f)


def _run_main(main, args, gradcheck):
    if getattr(args, "quick", False) and not getattr(args, "gradcheck", False):
        print(f"{QUICK_BANNER} (writes {os.path.relpath(args.out)})")
    try:
        if getattr(args, "gradcheck", False):
            errs = gradcheck(args) if gradcheck else {}
            print(json.dumps({k: float(v) for k, v in errs.items()}, indent=1))
            bad = [k for k, v in errs.items() if not v < TOLERANCE]
            if bad:
                print(f"error: gradient check failed for {bad}", file=sys.stderr)
                sys.exit(1)
            return
        mark_ready("main")
        main(args)
        if getattr(args, "quick", False):
            print(QUICK_BANNER)
    except TrainingDiverged as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(3)
    except (StubError, FileNotFoundError, PermissionError) as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("interrupted; nothing half-written was left behind", file=sys.stderr)
        sys.exit(130)


class Timer:
    """Wall-clock seconds since construction."""

    def __init__(self):
        self.t0 = time.perf_counter()

    def __call__(self):
        return time.perf_counter() - self.t0


def clock(s):
    """Seconds as 1m04s, or 2h05m past an hour (log lines and the runner's table)."""
    s = int(round(s))
    return f"{s // 3600}h{s % 3600 // 60:02d}m" if s >= 3600 else f"{s // 60}m{s % 60:02d}s"


def progress(done, total, elapsed):
    """The progress part of a log line: share done, elapsed time and an estimate of the time left,
    from the rate so far, e.g. ``37.0% 1m04s, ~1m49s left``. ``done`` and ``total`` count the same
    unit (sequences, steps, runs); the estimate assumes the rest goes at the rate so far."""
    if total <= 0:
        return f"{clock(elapsed)}"
    frac = min(max(done / total, 0.0), 1.0)
    left = elapsed * (1.0 - frac) / frac if frac > 0 else float("nan")
    eta = f"~{clock(left)} left" if frac > 0 else "time left unknown"
    return f"{100 * frac:5.1f}% {clock(elapsed)}, {eta}"


def make_artifact_parser(doc, script_file, output):
    """Parser of a visualize/GIF script: ``--results`` (the headline run's results.json, whose
    .npz sits beside it) and ``--out-dir`` (figures) or ``--out`` (GIF). These scripts only read
    saved runs; they never train."""
    here = os.path.dirname(os.path.abspath(script_file))
    first = (doc or "").strip().splitlines()
    parser = _Parser(description=first[0] if first else None,
                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--results", default=os.path.join(here, "results.json"),
                        help="results.json of a headline (or --quick) run; its .npz must sit beside it")
    if output == "figures":
        parser.add_argument("--out-dir", default=os.path.join(here, "viz"), help="folder for the PNGs")
    else:
        stem = os.path.basename(here).replace("-", "_")
        parser.add_argument("--out", type=writable_path, default=os.path.join(here, f"{stem}.gif"),
                            help="where to write the GIF")
    return parser


def load_sibling(script_file, module_name, main_globals):
    """Import ``module_name`` from the folder of ``script_file`` (e.g. a stub's ``<snake>_catalog.py``),
    on demand, and return it.

    The sibling imports the main file by its module name (``from adding_problem import TOL``), so
    the running main module is registered under that name first: its own module object when it is
    in sys.modules (run as a script, as ``__main__``), else a module holding a copy of
    ``main_globals`` (a main file loaded from its path without registering, as the tests do). The
    main file is never executed a second time.

        catalog = cli.load_sibling(__file__, "adding_problem_catalog", globals())
    """
    import importlib
    import types
    folder = os.path.dirname(os.path.abspath(script_file))
    main_name = os.path.splitext(os.path.basename(script_file))[0]
    if main_name not in sys.modules:
        running = sys.modules.get(main_globals.get("__name__"))
        if running is None or vars(running) is not main_globals:
            running = types.ModuleType(main_name)
            running.__dict__.update(main_globals)
        sys.modules[main_name] = running
    if folder not in sys.path:
        sys.path.insert(0, folder)
    return importlib.import_module(module_name)
