"""``regimes bench``: performance as ratios measured in one run (pieces in numerics/benchmarks/)."""

from __future__ import annotations

import importlib
import pkgutil
import platform
import time

from numerics.cli import emit


def register(sub) -> None:
    p = sub.add_parser("bench", help="benchmarks: achieved FLOP rates vs this machine's GEMM peak, speed-ups")
    p.add_argument("--quick", action="store_true", help="smaller shapes (seconds)")
    p.add_argument("--only", default=None, help="run only benchmark modules whose name contains this")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def run(ns) -> int:
    from numerics import benchmarks

    report: dict = {"machine": platform.machine(), "python": platform.python_version()}
    t0 = time.perf_counter()
    for info in sorted(pkgutil.iter_modules(benchmarks.__path__), key=lambda i: i.name):
        if ns.only and ns.only not in info.name:
            continue
        mod = importlib.import_module(f"numerics.benchmarks.{info.name}")
        if hasattr(mod, "run"):
            report.update(mod.run(ns.quick))
    report["seconds"] = time.perf_counter() - t0
    emit(report, ns.json)
    return 0
