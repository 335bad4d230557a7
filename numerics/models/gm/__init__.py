"""Two-class Gaussian mixture (THEORY §2): ``theory/gm.py`` derives, this folder simulates and checks.

The names below are importable from ``numerics.models.gm`` directly (the submodule is imported on
first use, so the package itself is cheap to import).
"""

from __future__ import annotations

from numerics.lazy import lazy_getattr

_EXPORTS = {
    'GaussianMixture': 'model',
    'ProjectedMixture': 'model',
    'speciation_time': 'model',
    'collapse_time': 'model',
    'cloning_probability': 'model',
}

__all__ = sorted(_EXPORTS)

__getattr__ = lazy_getattr(__name__, _EXPORTS)
