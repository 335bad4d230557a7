"""Curie–Weiss model (THEORY §4): ``theory/cw.py`` derives, this folder simulates and checks.

The names below are importable from ``numerics.models.cw`` directly (the submodule is imported on
first use, so the package itself is cheap to import).
"""

from __future__ import annotations

from numerics.lazy import lazy_getattr

_EXPORTS = {
    'CurieWeiss': 'model',
    'equilibrium_m': 'model',
    'phi_typical': 'model',
    'bimodality_time': 'model',
    'state_of': 'model',
    'generate': 'generation',
    'magnetization_histogram': 'generation',
    'backward_grid': 'generation',
    'fit_pseudolikelihood': 'data_law',
    'fit_global_H': 'data_law',
    'data_law_measure': 'data_law',
    'data_law_theory': 'data_law',
    'data_law_figure': 'data_law',
    'score_exact': 'kernels',
    'score_saddle': 'kernels',
    'posterior_spins': 'kernels',
    'log_esp': 'kernels',
    'p_plus_of_fields': 'kernels',
    'mu_grid': 'kernels',
}

__all__ = sorted(_EXPORTS)

__getattr__ = lazy_getattr(__name__, _EXPORTS)
