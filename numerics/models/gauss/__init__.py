"""Gaussian data (THEORY §1): ``theory/gauss.py`` derives, this folder simulates and checks.

Its public names are re-exported lazily (:mod:`numerics.lazy`).
"""

from __future__ import annotations

from numerics.lazy import exports, lazy_getattr

_EXPORTS = exports(
    model="GaussianModel expected_kl expected_kl_large_n kl_gaussians sample_covariance mp_density",
)

__all__ = sorted(_EXPORTS)

__getattr__ = lazy_getattr(__name__, _EXPORTS)
