"""Monte Carlo experiments on the backward dynamics (THEORY §2, §5).

- :mod:`numerics.experiments.cloning`: cloning probability φ(t) at many branch times in one pass.
- :mod:`numerics.experiments.collapse`: collapse onto training points with the empirical score.
- :mod:`numerics.experiments.entropy`: excess entropy f^e(t) by Monte Carlo and the collapse time t_C.

Every experiment is reproducible from (parameters, seed) and returns a result carrying both,
plus package versions (:func:`versions`).
"""

from __future__ import annotations

import importlib.metadata as _md
import platform

__all__ = ["versions"]


def versions() -> dict:
    """Versions of the packages whose behaviour the numbers depend on."""
    out = {"python": platform.python_version()}
    for pkg in ("regimes", "numpy", "numba", "scipy"):
        try:
            out[pkg] = _md.version(pkg)
        except _md.PackageNotFoundError:  # pragma: no cover
            out[pkg] = None
    return out
