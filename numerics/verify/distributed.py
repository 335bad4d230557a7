"""``regimes verify --scheduler ADDRESS``: the checks as independent tasks on a dask.distributed
cluster (the optional extra ``pip install 'regimes[dask]'``), gathered in order.

Each task receives a check's *name* and looks the check up on the worker in the registry
(:func:`numerics.verify.all_checks`); it runs :func:`numerics.verify.runner.run_check` with the same
``mode``, ``seed`` and ``mutate`` as in-process. Every check draws from its own stream
``default_rng([seed, crc32(name)])``, so its numbers do not depend on where or in which order it
runs, and :func:`numerics.verify.runner.build_report` assembles the rows exactly as
:func:`numerics.verify.runner.run_checks` does (same rows, same order, same threshold).
"""

from __future__ import annotations

import time

from numerics.verify import Check
from numerics.verify.runner import Report, build_report

__all__ = ["run_checks_distributed", "run_named_check"]


def run_named_check(name: str, mode: str, seed: int, mutate: dict | None):
    """Worker side: look the check up by name and run it (:func:`numerics.verify.runner.run_check`)."""
    from numerics.verify import all_checks
    from numerics.verify.runner import run_check

    checks = {c.name: c for c in all_checks()}
    if name not in checks:
        return [None], 0.0, f"check {name!r} is not registered on the worker", ()
    return run_check(checks[name], mode=mode, seed=seed, mutate=mutate)


def run_checks_distributed(checks: list[Check], *, mode: str = "quick", seed: int = 0, mutate: dict | None = None,
                           scheduler: str, progress=None) -> Report:
    """Run ``checks`` as tasks on the Dask scheduler at ``scheduler`` and report as
    :func:`numerics.verify.runner.run_checks` does. ``progress(name)`` is called as each result is gathered (in order)."""
    from numerics.data.parallel import DaskExecutor

    t0 = time.perf_counter()
    ex = DaskExecutor(scheduler)
    try:
        futures = [ex.client.submit(run_named_check, c.name, mode, seed, dict(mutate or {}), pure=False) for c in checks]
        results = []
        for c, f in zip(checks, futures):  # in order: each result as soon as it and those before it are done
            results.append(f.result())
            if progress:
                progress(c.name)
    finally:
        ex.close()
    return build_report(checks, results, mode=mode, seed=seed, mutate=mutate, seconds=time.perf_counter() - t0)
