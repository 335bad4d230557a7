"""Curie–Weiss model (THEORY §4): ``theory/cw.py`` derives, this folder simulates and checks.

Its public names are re-exported lazily (:mod:`numerics.lazy`).
"""

from __future__ import annotations

from numerics.lazy import exports, lazy_getattr

_EXPORTS = exports(
    model="CurieWeiss equilibrium_m phi_typical bimodality_time state_of",
    generation="generate magnetization_histogram backward_grid",
    data_law="fit_pseudolikelihood fit_global_H data_law_measure data_law_theory data_law_figure",
    kernels="score_exact score_saddle posterior_spins log_esp p_plus_of_fields mu_grid",
)

__all__ = sorted(_EXPORTS)

__getattr__ = lazy_getattr(__name__, _EXPORTS)
