"""Gaussian data (THEORY §1): ``theory/gauss.py`` derives, this folder simulates and checks.

The names below are importable from ``numerics.models.gauss`` directly (the submodule is imported on
first use, so the package itself is cheap to import).
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    'GaussianModel': 'model',
    'expected_kl': 'model',
    'expected_kl_large_n': 'model',
    'kl_gaussians': 'model',
    'sample_covariance': 'model',
    'mp_density': 'model',
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
