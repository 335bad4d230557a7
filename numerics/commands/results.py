"""``regimes results`` and ``regimes latex``: the registry of named theory results."""

from __future__ import annotations

from pathlib import Path

from numerics.cli import emit


def register(sub) -> None:
    p = sub.add_parser("results", help="list the registered theory results")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_results)

    q = sub.add_parser("latex", help="print one result as LaTeX, or write all as a document")
    q.add_argument("name", nargs="?", help="result name, e.g. gm.t_C")
    q.add_argument("--all", action="store_true", help="all results as a standalone document")
    q.add_argument("-o", "--output", default=None, help="write to this file instead of stdout")
    q.add_argument("--steps", action="store_true", help="append the derivation steps (as comments)")
    q.set_defaults(func=run_latex)


def run_results(ns) -> int:
    from theory import registry

    rows = [{"name": r.name, "args": list(r.args), "symbol": r.symbol, "description": r.description,
             "generated": f"{r.generated_module}.{r.function_name}" if r.codegen else None}
            for r in registry.all_results()]
    table = "\n".join(f"{r['name']:<28} ({', '.join(r['args'])})  {r['description']}" for r in rows)
    emit({"results": rows}, ns.json, table)
    return 0


def run_latex(ns) -> int:
    from theory import latex

    if ns.all == bool(ns.name):
        raise ValueError("give either a result NAME or --all")
    text = latex.document() if ns.all else latex.result_latex(ns.name, steps=ns.steps)
    if ns.output:
        Path(ns.output).write_text(text)
        print(f"wrote {ns.output}")
    else:
        print(text)
    return 0
