"""Two-class Gaussian mixture (THEORY §2): ``theory/gm.py`` derives, this folder simulates and checks.

The names below are importable from ``numerics.models.gm`` directly (the submodule is imported on
first use, so the package itself is cheap to import).
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    'GaussianMixture': 'model',
    'ProjectedMixture': 'model',
    'speciation_time': 'model',
    'collapse_time': 'model',
    'cloning_probability': 'model',
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
