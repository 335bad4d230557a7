"""Command-line declarations of ``regimes results`` and ``regimes latex`` (the code that runs:
:mod:`numerics.cli.registry`)."""

from __future__ import annotations

from numerics.cli import args as A


def register(sub) -> None:
    """Declare ``regimes results`` and ``regimes latex``."""
    p = sub.add_parser("results", help="list the registered theory results",
                       description="List every named theory result of the registry: its arguments (in the order "
                                   "of the generated function), symbol, description and generated function. "
                                   "JSON: results = [{name, args, symbol, description, generated}].")
    A.add_json(p)
    p.set_defaults(func="numerics.cli.registry:run_results")

    q = sub.add_parser("latex", help="print one result as LaTeX, or write all as a document",
                       description="Print one registered result as a LaTeX equation (with its derivation steps on "
                                   "request), or every result as a standalone document. The output file is checked "
                                   "before the derivations run and written atomically.")
    q.add_argument("name", nargs="?", help="result name, e.g. gm.t_C (see `regimes results`)")
    q.add_argument("--all", action="store_true", help="all results as a standalone document")
    q.add_argument("-o", "--output", type=A.output_file, default=None, metavar="FILE",
                   help="write to FILE (atomically) instead of stdout")
    q.add_argument("--steps", action="store_true", help="append the derivation steps (as comments)")
    style = q.add_mutually_exclusive_group()
    style.add_argument("--inline", dest="style", action="store_const", const="inline",
                       help="$symbol = expression$ on one line (for running text)")
    style.add_argument("--equation", dest="style", action="store_const", const="equation",
                       help="a numbered, labelled equation; a split when wider than the page (default)")
    style.add_argument("--align", dest="style", action="store_const", const="align",
                       help="an align environment, one line per piece, only the first numbered")
    q.set_defaults(style="equation")
    q.set_defaults(func="numerics.cli.registry:run_latex")
