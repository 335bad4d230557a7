"""Command-line declaration of ``regimes verify`` (the code that runs: :mod:`numerics.verify.commands`)."""

from __future__ import annotations

from numerics.cli import args as A


def register(sub) -> None:
    """Declare ``regimes verify``."""
    p = sub.add_parser("verify", help="check every theory result against Monte Carlo; exit 0 only if all pass",
                       description="Run the verification checks (each names the registered results it tests) and "
                                   "judge each measurement by a z-score from its measured standard error. "
                                   "Exit 0 only if all pass, 1 if one fails.")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="small sizes, under 5 minutes (default)")
    mode.add_argument("--full", action="store_true", help="the papers' sizes (long)")
    p.add_argument("--only", default=None,
                   help="run checks whose name matches this glob/substring (matching none: exit 2)")
    p.add_argument("--json", nargs="?", const="-", default=None, type=A.output_json, metavar="PATH",
                   help="write the results as JSON to PATH (checked before the run, written atomically); "
                        "--json alone or --json - prints the JSON on stdout (the table then goes to stderr)")
    p.add_argument("--out", default=None, type=A.output_dir, metavar="DIR",
                   help="write figures (--format) and raw numbers (NPZ/CSV) to DIR (created if its parent exists; "
                        "files written atomically)")
    p.add_argument("--format", default="png", choices=("png", "pdf", "svg"),
                   help="figure format with --out (default png; pdf and svg are vector)")
    p.add_argument("--dpi", type=A.positive, default=None, help="figure resolution with --out (default 150)")
    p.add_argument("--seed", type=A.seed, default=0, help="master seed (default 0)")
    p.add_argument("--mutate", action="append", default=[], metavar="NAME=FACTOR",
                   help="multiply the theory values of registered result NAME by FACTOR in every check "
                        "(repeatable; the simulations are untouched): a check that names NAME must then fail")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run the checks as tasks on this dask.distributed scheduler (tcp://host:port), gathered "
                        "in order: the same numbers as in-process (pip install 'regimes[dask]')")
    p.add_argument("--list", action="store_true", help="list the checks (with the results they test) and exit")
    p.add_argument("--coverage", action="store_true",
                   help="list which checks test which registered results, and the results no check tests; exit 1 if "
                        "a result with a Monte Carlo meaning is untested")
    p.add_argument("--power", action="store_true",
                   help="detection limits: for every (check, result) pair the smallest relative perturbation of the "
                        "result (both signs) that makes the check fail (re-runs each check several times)")
    p.add_argument("--power-rows", type=A.positive_int, default=None, metavar="K",
                   help="with --power: measure the limits at the Bonferroni threshold of K judged rows (e.g. the "
                        "whole quick suite's count, printed by a whole run) instead of the rows selected, so that "
                        "--only CHECK gives the numbers of the whole-suite table")
    A.add_memory_budget(p)
    A.add_progress(p)
    p.set_defaults(func="numerics.verify.commands:run")
