"""What every Monte Carlo experiment returns: numbers, their standard errors, the parameters and
seed that reproduce them, and the versions of the packages they depend on.

:class:`ExperimentResult` is the one base class (``to_dict`` for ``--json``); :func:`binomial_stderr`
is the standard error of an agreement fraction (cloning φ, collapse φ_C).
"""

from __future__ import annotations

import importlib.metadata as _md
import platform
from dataclasses import asdict, dataclass, field
from typing import ClassVar

import numpy as np

__all__ = ["ExperimentResult", "versions", "binomial_stderr"]


def versions() -> dict:
    """Versions of the packages whose behaviour the numbers depend on (``python``, ``regimes``,
    ``numpy``, ``numba``, ``scipy``, ``sympy``)."""
    out = {"python": platform.python_version()}
    for pkg in ("regimes", "numpy", "numba", "scipy", "sympy"):
        try:
            out[pkg] = _md.version(pkg)
        except _md.PackageNotFoundError:  # pragma: no cover
            out[pkg] = None
    return out


def binomial_stderr(p, n: int) -> np.ndarray:
    """Binomial standard error ``sqrt(p(1-p)/n)`` of an agreement fraction over ``n`` independent pairs.

    ``p(1-p)`` is floored at ``1/(4n)`` (the Wilson-interval scale) so that the error stays > 0 when
    every pair agrees or none does.

    >>> float(binomial_stderr(0.5, 100))
    0.05
    """
    p = np.asarray(p, dtype=float)
    if n <= 0:
        return np.full_like(p, np.nan)
    return np.sqrt(np.maximum(p * (1 - p), 0.25 / n) / n)


@dataclass(kw_only=True)
class ExperimentResult:
    """Base of every experiment result: ``samples``, ``seed``, ``seconds`` (simulation wall time),
    ``params`` (everything needed to reproduce the run with the seed) and ``versions``.

    Subclasses (``@dataclass(kw_only=True)``) add their measured arrays as fields; :meth:`to_dict` turns arrays into lists
    (the ``--json`` payload). Fields named in ``_per_item`` are dropped unless ``per_item=True``.
    """

    samples: int
    seed: int
    seconds: float
    params: dict = field(default_factory=dict)
    versions: dict = field(default_factory=versions)

    _per_item: ClassVar[tuple] = ()

    def to_dict(self, *, per_item: bool = False) -> dict:
        """JSON-ready dictionary of every field (arrays as lists)."""
        d = asdict(self)
        if not per_item:
            for k in self._per_item:
                d.pop(k, None)
        return {k: _plain(v) for k, v in d.items()}


def _plain(v):
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v
