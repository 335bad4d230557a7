"""Where a measured curve crosses a level: the speciation and collapse *times* measured from a grid of
times, with bootstrap errors over independent units (clone pairs, Monte Carlo points).

The estimator is a straight-line least-squares fit of the curve on the grid points, solved for the
level. Its bias (the curve's curvature over the grid) is a property of the curve, not of the noise: a
check computes it exactly by applying :func:`linear_crossing` to the *theory* curve on the same grid
and comparing with the theory curve's exact crossing (a derived correction, never a calibrated one).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["linear_crossing", "bootstrap_crossing"]


def linear_crossing(t, y, level: float) -> float:
    """Time where the least-squares line through ``(t_k, y_k)`` equals ``level`` (NaN if flat).

    >>> round(linear_crossing([0.0, 1.0, 2.0], [1.0, 0.5, 0.0], 0.25), 12)
    1.5
    """
    t = np.asarray(t, dtype=float)
    y = np.asarray(y, dtype=float)
    tm, ym = t.mean(), y.mean()
    sxx = float(np.sum((t - tm) ** 2))
    if sxx == 0.0:
        return math.nan
    slope = float(np.sum((t - tm) * (y - ym))) / sxx
    if slope == 0.0:
        return math.nan
    return float(tm + (level - ym) / slope)


def bootstrap_crossing(t, units, level: float, *, n_boot: int = 400, rng: np.random.Generator | None = None):
    """Crossing time of the mean curve of ``units`` (rows: independent units, columns: times ``t``) and
    its bootstrap standard error (rows resampled with replacement). Returns ``(estimate, stderr)``."""
    units = np.asarray(units, dtype=float)
    rng = rng or np.random.default_rng(0)
    est = linear_crossing(t, units.mean(axis=0), level)
    n = units.shape[0]
    boots = np.empty(n_boot)
    for b in range(n_boot):  # a replicate's mean curve = (resampling counts) @ units / n
        boots[b] = linear_crossing(t, np.bincount(rng.integers(0, n, n), minlength=n) @ units / n, level)
    ok = np.isfinite(boots)
    return est, (float(np.std(boots[ok], ddof=1)) if ok.sum() > 2 else math.nan)
