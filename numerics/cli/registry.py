"""``regimes results`` and ``regimes latex`` (declared in :mod:`numerics.cli.results`): the registry of
named theory results."""

from __future__ import annotations

from pathlib import Path

from numerics.cli import emit
from theory import latex, registry


def run_results(ns) -> int:
    rows = [{"name": r.name, "args": list(r.args), "symbol": r.symbol, "description": r.description,
             "generated": f"{r.generated_module}.{r.function_name}" if r.codegen else None}
            for r in registry.all_results()]
    table = "\n".join(f"{r['name']:<28} ({', '.join(r['args'])})  {r['description']}" for r in rows)
    emit({"results": rows}, ns.json, table)
    return 0


def run_latex(ns) -> int:
    if ns.all == bool(ns.name):
        raise ValueError("give either a result NAME or --all")
    text = latex.document() if ns.all else latex.result_latex(ns.name, steps=ns.steps)
    if ns.output:
        Path(ns.output).write_text(text)
        print(f"wrote {ns.output}")
    else:
        print(text)
    return 0
