"""General Gaussian mixtures (THEORY §6): ``theory/mixture.py`` derives, this folder simulates and checks.

The names below are importable from ``numerics.models.mixture`` directly (the submodule is imported on
first use, so the package itself is cheap to import).
"""

from __future__ import annotations

from numerics.lazy import lazy_getattr

_EXPORTS = {
    "Mixture": "model",
    "Cov": "spec",
    "Spec": "spec",
    "load_spec": "spec",
    "parse_spec": "spec",
    "t_C_gaussian_spectrum": "collapse",
}

__all__ = sorted(_EXPORTS)

__getattr__ = lazy_getattr(__name__, _EXPORTS)
