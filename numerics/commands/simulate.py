"""``regimes simulate <kind>``: Monte Carlo backward dynamics (kinds in numerics/simulations/)."""

from __future__ import annotations

import importlib
import pkgutil

from numerics.cli import Parser


def register(sub) -> None:
    from numerics import simulations

    p = sub.add_parser("simulate", help="Monte Carlo backward-dynamics experiments")
    simsub = p.add_subparsers(dest="simulation", metavar="KIND", parser_class=Parser)
    for info in sorted(pkgutil.iter_modules(simulations.__path__), key=lambda i: i.name):
        mod = importlib.import_module(f"numerics.simulations.{info.name}")
        if hasattr(mod, "register"):
            mod.register(simsub)
    p.set_defaults(func=lambda ns: (p.print_help(), 2)[1])
