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
import sys
import time

import numpy as np

from shared.gradcheck import TOLERANCE


class StubError(Exception):
    """An expected failure with a message meant for the user (no traceback)."""


class TrainingDiverged(StubError):
    """Training produced a non-finite number."""


def _int_at_least(lo):
    def parse(text):
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if v < lo:
            raise argparse.ArgumentTypeError(f"must be >= {lo}, got {v}")
        return v
    parse.__name__ = "integer"
    return parse


nonneg_int = _int_at_least(0)
positive_int = _int_at_least(1)


def int_range(lo, hi):
    """argparse type: an integer in [lo, hi]; the upper bound refuses a size that would run for
    hours or exhaust memory, with one line instead of a run that never ends."""
    at_least = _int_at_least(lo)

    def parse(text):
        v = at_least(text)
        if v > hi:
            raise argparse.ArgumentTypeError(f"must be <= {hi}, got {v}")
        return v
    parse.__name__ = "integer"
    return parse


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


def positive_float(text):
    """argparse type: a finite float > 0."""
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not np.isfinite(v) or v <= 0:
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text}")
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
    parser.add_argument("--seed", type=nonneg_int, default=0,
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


def check_finite(step, **named):
    """Stop training with a clear message if any named array holds NaN or inf."""
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


def run(main, parser, argv=None, gradcheck=None):
    """Parse arguments, call ``main(args)``, turn expected failures into one stderr line.

    ``gradcheck(args) -> dict name -> relative error`` serves ``--gradcheck`` (stubs without a
    hand-written gradient pass None and report an empty check).
    """
    args = parser.parse_args(argv)
    args._given = _given_flags(parser, argv)
    default_out = "out" not in args._given
    if getattr(args, "out", "") is None:                    # see make_parser(settings=...)
        name = "results.json" if args.setting == args._headline_setting else f"results_{args.setting}.json"
        args.out = os.path.join(args._out_dir, name)
    if getattr(args, "quick", False) and default_out and getattr(args, "out", None):
        # a quick run is a smoke test, not a result: it never lands on the committed files
        args.out = quick_out_path(args.out)
        os.makedirs(os.path.dirname(args.out), exist_ok=True)
    if getattr(args, "out", None) and not getattr(args, "gradcheck", False):
        try:                          # refuse an unwritable output before any training, not after
            writable_path(args.out)
        except argparse.ArgumentTypeError as e:
            parser.error(f"argument --out: {e}")
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
