"""Random-energy-model view of collapse (THEORY §3): ``theory/rem.py`` derives, this folder checks.

The names below are importable from ``numerics.models.rem`` directly (the submodule is imported on
first use, so the package itself is cheap to import).
"""

from __future__ import annotations

from numerics.lazy import lazy_getattr

_EXPORTS = {
    'alpha_c': 'model',
    'alpha_c_r': 'model',
    't_C': 'model',
    'free_entropy': 'model',
    'phase': 'model',
    'freezing_m': 'model',
    'participation_ratio': 'model',
    'phi_C': 'model',
    'gamma_t': 'model',
    'delta_t': 'model',
    'empirical_log_partition': 'model',
    'partition_blocks': 'model',
    'lowest_level_rho': 'model',
    'free_entropy_liquid_branch': 'model',
}

__all__ = sorted(_EXPORTS)

__getattr__ = lazy_getattr(__name__, _EXPORTS)
