"""Gaussian data (THEORY §1): ``theory/gauss.py`` derives, this folder simulates and checks.

The names below are importable from ``numerics.models.gauss`` directly (the submodule is imported on
first use, so the package itself is cheap to import).
"""

from __future__ import annotations

from numerics.lazy import lazy_getattr

_EXPORTS = {
    'GaussianModel': 'model',
    'expected_kl': 'model',
    'expected_kl_large_n': 'model',
    'kl_gaussians': 'model',
    'sample_covariance': 'model',
    'mp_density': 'model',
}

__all__ = sorted(_EXPORTS)

__getattr__ = lazy_getattr(__name__, _EXPORTS)
