"""General Gaussian mixtures (THEORY §6): ``theory/mixture.py`` derives, this folder simulates and checks.

Its public names are re-exported lazily (:mod:`numerics.lazy`).
"""

from __future__ import annotations

from numerics.lazy import exports, lazy_getattr

_EXPORTS = exports(
    model="Mixture",
    spec="Cov Spec load_spec parse_spec",
    collapse="t_C_gaussian_spectrum",
)

__all__ = sorted(_EXPORTS)

__getattr__ = lazy_getattr(__name__, _EXPORTS)
