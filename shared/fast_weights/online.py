"""What the on-line fast-weight stubs share around the core: the summary of steps to the criterion
over runs, and the block of command-line flags for the on-line runs, their frozen test stream and
the Lyapunov fingerprint along it.

Used by fast-weights-unknown-delay (section 3.1) and fast-weights-key-value (section 3.2).
"""

import numpy as np

from shared import cli


def steps_summary(crit):
    """Runs that met the criterion, and the median, quartiles and range of their steps to it.

    ``crit`` holds one entry per run: the step at which the run met the criterion, or 0 if it never
    did. The quartiles are left out when no run met it.
    """
    crit = np.asarray(crit)
    ok = crit[crit > 0]
    out = dict(solved=int(ok.size), runs=int(crit.size))
    if ok.size:
        q1, med, q3 = np.percentile(ok, [25, 50, 75])
        out.update(median=float(med), q1=float(q1), q3=float(q3), min=int(ok.min()), max=int(ok.max()))
    return out


def add_online_flags(parser, defaults, *, max_steps_range, runs_help, window_help, tol_help):
    """Add --runs, --max-steps, --window, --tol, --test-steps, --lyap-steps and --lyap-transient.

    ``defaults`` maps runs, max_steps, window, tol, test_steps, lyap_steps and lyap_transient to the
    stub's defaults; ``max_steps_range`` is the (low, high) range --max-steps accepts. The three help
    texts say what a run, the window and the tolerance mean in the stub's task.
    """
    lo, hi = max_steps_range
    parser.add_argument("--runs", type=cli.int_range(2, 1000), default=defaults["runs"], help=runs_help)
    parser.add_argument("--max-steps", type=cli.int_range(lo, hi), default=defaults["max_steps"],
                        help="on-line steps per run; a run that has not met the criterion by then counts "
                             "as unsolved")
    parser.add_argument("--window", type=cli.int_range(2, 10_000), default=defaults["window"],
                        help=window_help)
    parser.add_argument("--tol", type=cli.float_range(0.0, 1.0), default=defaults["tol"], help=tol_help)
    parser.add_argument("--test-steps", type=cli.int_range(200, 1_000_000), default=defaults["test_steps"],
                        help="length of the fresh stream on which each frozen S is tested")
    parser.add_argument("--lyap-steps", type=cli.int_range(10, 100_000), default=defaults["lyap_steps"],
                        help="steps of that stream the Lyapunov exponents average over")
    parser.add_argument("--lyap-transient", type=cli.int_range(0, 10_000), default=defaults["lyap_transient"],
                        help="alignment steps before the exponents are counted")
    return parser
