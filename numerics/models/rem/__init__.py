"""Random-energy-model view of collapse (THEORY §3): ``theory/rem.py`` derives, this folder checks.

Its public names are re-exported lazily (:mod:`numerics.lazy`).
"""

from __future__ import annotations

from numerics.lazy import exports, lazy_getattr

_EXPORTS = exports(
    model="alpha_c alpha_c_r t_C free_entropy phase freezing_m participation_ratio phi_C gamma_t delta_t "
          "empirical_log_partition partition_blocks lowest_level_rho free_entropy_liquid_branch",
)

__all__ = sorted(_EXPORTS)

__getattr__ = lazy_getattr(__name__, _EXPORTS)
