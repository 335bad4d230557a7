"""``regimes results`` and ``regimes latex`` (declared in :mod:`numerics.cli.results`): the registry of
named theory results."""

from __future__ import annotations

from numerics.cli import emit
from numerics.io import write_text_atomic
from theory import latex, registry


def run_results(ns) -> int:
    """``regimes results``: the catalog (no derivation runs): name, arguments, kind, description."""
    rows = registry.catalog()
    table = "\n".join(f"{r['name']:<30} {r['kind']:<10} ({', '.join(r['args'])})  {r['description']}" for r in rows)
    emit({"results": rows}, ns.json, table)
    return 0


def run_latex(ns) -> int:
    """``regimes latex NAME | --all [-o FILE]``: one result (``--inline|--equation|--align``), or every result
    as a standalone document (``--all``; compiles with pdflatex, see :func:`theory.latex.document`). FILE is
    checked when the command line is parsed and written atomically."""
    if ns.all and ns.name:
        raise ValueError("--all: give either a result NAME or --all, not both")
    if not ns.all and not ns.name:
        raise ValueError("NAME: give a result NAME (see `regimes results`) or --all")
    text = latex.document() if ns.all else latex.result_latex(ns.name, style=ns.style, steps=ns.steps)
    if ns.output is not None:
        write_text_atomic(ns.output, text)
        print(f"wrote {ns.output}")
    else:
        print(text)
    return 0
