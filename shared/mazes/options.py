"""Command-line pieces of the mazes family: bounded flag types, the task flags, the config.

Every numeric flag of the family's stubs has a lower and an upper bound, checked at parse time
(one line on stderr, exit 2): an absurd size would otherwise run for hours or exhaust memory
before failing. The upper bounds are generous (several times the headline's sizes).

    parser.add_argument("--steps", type=options.int_in(1, options.MAX_STEPS), default=None)
    cfg = options.resolve(args, DEFAULTS, QUICK, ("steps", "n_seeds"))
"""
import argparse

from shared import cli

# upper bounds of the family's flags (the headlines use 9-11 token grids, <= 900 steps, <= 5 seeds,
# 2000 training and 1000 test mazes)
MAX_GRID = 31          # token grid side 2k+1: the papers' Maze-Hard is 30 x 30
MAX_STEPS = 100_000    # optimizer steps
MAX_SEEDS = 16         # seeds trained at once (every weight and state carries the seed axis)
MAX_MAZES = 20_000     # training or test mazes
MAX_LIST = 16          # entries of a list flag (delays, noise scales)


# the catalog's bounded types (one line on a bad value), under the family's names
int_in = cli.int_range
float_in = cli.float_range


def grid_side(text):
    """argparse type: a token grid side 2k+1, odd, in 5..MAX_GRID."""
    v = int_in(5, MAX_GRID)(text)
    if v % 2 == 0:
        raise argparse.ArgumentTypeError(f"must be odd (2k+1 for k cells per side), got {v}")
    return v


def add_task_flags(parser, defaults, hard=""):
    """--grid, --kind, --steps, --n-seeds, --n-train, --n-test (defaults None: taken from the
    stub's DEFAULTS, or its QUICK sizes under --quick, unless given)."""
    parser.add_argument("--grid", type=grid_side, default=None,
                        help=f"token grid side 2k+1 (odd, 5..{MAX_GRID}); default {defaults['grid']}{hard}")
    parser.add_argument("--kind", choices=("wilson", "dfs", "loopy"), default=None,
                        help=f"maze generator (default {defaults['kind']}); "
                             "dfs has too few distinct 9x9 mazes")
    parser.add_argument("--steps", type=int_in(1, MAX_STEPS), default=None,
                        help=f"optimizer steps, 1..{MAX_STEPS} (default {defaults['steps']})")
    parser.add_argument("--n-seeds", type=int_in(1, MAX_SEEDS), default=None,
                        help=f"seeds trained at once, 1..{MAX_SEEDS} (default {defaults['n_seeds']})")
    parser.add_argument("--n-train", type=int_in(1, MAX_MAZES), default=None,
                        help=f"training mazes, 1..{MAX_MAZES} (default {defaults['n_train']})")
    parser.add_argument("--n-test", type=int_in(1, MAX_MAZES), default=None,
                        help=f"test mazes, 1..{MAX_MAZES} (default {defaults['n_test']})")


def resolve(args, defaults, quick, keys):
    """The run's config: ``defaults``, with ``quick`` on top under --quick, then every flag in
    ``keys`` the user gave (flags default to None), so a user's flag wins under --quick too."""
    cfg = dict(defaults)
    if args.quick:
        cfg.update(quick)
    for key in keys:
        v = getattr(args, key)
        if v is not None:
            cfg[key] = tuple(v) if isinstance(v, list) else v
    return cfg
