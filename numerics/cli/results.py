"""Command-line declarations of ``regimes results`` and ``regimes latex`` (the code that runs:
:mod:`numerics.cli.registry`)."""

from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser("results", help="list the registered theory results")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func="numerics.cli.registry:run_results")

    q = sub.add_parser("latex", help="print one result as LaTeX, or write all as a document")
    q.add_argument("name", nargs="?", help="result name, e.g. gm.t_C")
    q.add_argument("--all", action="store_true", help="all results as a standalone document")
    q.add_argument("-o", "--output", default=None, help="write to this file instead of stdout")
    q.add_argument("--steps", action="store_true", help="append the derivation steps (as comments)")
    q.set_defaults(func="numerics.cli.registry:run_latex")
