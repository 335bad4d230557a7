"""``regimes results`` and ``regimes latex`` (declared in :mod:`numerics.cli.results`): the registry of
named theory results."""

from __future__ import annotations

from pathlib import Path

from numerics.cli import emit
from theory import latex, registry


def run_results(ns) -> int:
    """``regimes results``: the catalog (no derivation runs): name, arguments, kind, description."""
    rows = registry.catalog()
    table = "\n".join(f"{r['name']:<30} {r['kind']:<10} ({', '.join(r['args'])})  {r['description']}" for r in rows)
    emit({"results": rows}, ns.json, table)
    return 0


def run_latex(ns) -> int:
    """``regimes latex``: one result (``--inline|--equation|--align``), or every result as a standalone
    document (``--all``; compiles with pdflatex, see :func:`theory.latex.document`)."""
    if ns.all == bool(ns.name):
        raise ValueError("give either a result NAME or --all")
    text = latex.document() if ns.all else latex.result_latex(ns.name, style=ns.style, steps=ns.steps)
    if ns.output:
        out = Path(ns.output)
        tmp = out.with_name(out.name + ".tmp")
        tmp.write_text(text)
        tmp.replace(out)  # atomic
        print(f"wrote {ns.output}")
    else:
        print(text)
    return 0
