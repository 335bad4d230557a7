"""Shared pieces of the theory tables (``regimes gm``, ``regimes cw``): the default time grid."""

from __future__ import annotations

import numpy as np

__all__ = ["DEFAULT_T_FRACTIONS", "default_times"]

DEFAULT_T_FRACTIONS = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5)


def default_times(t_S: float) -> tuple[np.ndarray, str]:
    """The default times of a theory table and where they come from (the ``t_source`` key):
    t_S × (0.25 … 1.5) (``"t_S fractions"``), or 0.25 … 1.5 in OU time units when t_S ≤ 0
    (Λ ≤ 1: no speciation at t > 0; ``"default (t_S <= 0)"``)."""
    if t_S > 0:
        return t_S * np.array(DEFAULT_T_FRACTIONS), "t_S fractions"
    return np.array(DEFAULT_T_FRACTIONS), "default (t_S <= 0)"
