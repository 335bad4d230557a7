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
    """``regimes latex``: one result, or every result as a standalone document."""
    if ns.all == bool(ns.name):
        raise ValueError("give either a result NAME or --all")
    text = latex.document() if ns.all else latex.result_latex(ns.name, steps=ns.steps)
    if ns.output:
        Path(ns.output).write_text(text)
        print(f"wrote {ns.output}")
    else:
        print(text)
    return 0
