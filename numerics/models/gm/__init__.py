"""Two-class Gaussian mixture (THEORY §2): ``theory/gm.py`` derives, this folder simulates and checks.

Its public names are re-exported lazily (:mod:`numerics.lazy`).
"""

from __future__ import annotations

from numerics.lazy import exports, lazy_getattr

_EXPORTS = exports(
    model="GaussianMixture ProjectedMixture speciation_time collapse_time cloning_probability",
)

__all__ = sorted(_EXPORTS)

__getattr__ = lazy_getattr(__name__, _EXPORTS)
