"""Command-line declaration of ``regimes bench`` (the code that runs: :mod:`numerics.cli.benchmarks`)."""

from __future__ import annotations

from numerics.cli import args as A


def register(sub) -> None:
    """Declare ``regimes bench``."""
    p = sub.add_parser("bench", help="benchmarks: FLOP rates vs this machine's GEMM peak, speed-ups, start-up times",
                       description="Performance as ratios measured in one run: the engine (empirical score vs the "
                                   "GEMM peak and a naive reference) and every model's benchmark; --startup times "
                                   "the CLI against bare imports.")
    p.add_argument("--quick", action="store_true", help="smaller shapes (seconds)")
    p.add_argument("--only", default=None,
                   help="run only benchmarks whose name contains this (engine, gm, cw ...); matching none is an error")
    p.add_argument("--startup", action="store_true",
                   help="only the start-up table: warm wall time of CLI commands vs `python -c 'import numpy'` / "
                        "`import sympy` (best of --repeats runs, after one warm-up)")
    p.add_argument("--notebooks", action="store_true",
                   help="only the notebook table: wall time of every shipped notebook at its small size in a fresh "
                        "kernel, and of its cells alone (best of --repeats; needs the lab extra)")
    p.add_argument("--repeats", type=A.positive_int, default=3,
                   help="runs per start-up command or notebook (default 3)")
    A.add_json(p)
    p.set_defaults(func="numerics.cli.benchmarks:run")
