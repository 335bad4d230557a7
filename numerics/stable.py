"""Elementary functions in overflow-free form, shared by the models' closed forms where the generated
expression over- or underflows (the generated code stays the primary route; these are its stable forms)."""

from __future__ import annotations

import math

__all__ = ["log_expm1", "log_sq", "half_log1p_ratio"]


def log_expm1(x: float) -> float:
    """ln(e^x - 1) for x > 0 without overflow: x + ln(1 - e^{-x}) for x > 1, ln(expm1 x) below.

    >>> round(log_expm1(1000.0), 12)
    1000.0
    """
    if not x > 0:
        raise ValueError(f"x must be > 0, got {x!r}")
    return x + math.log1p(-math.exp(-x)) if x > 1.0 else math.log(math.expm1(x))


def log_sq(x: float) -> float:
    """ln x² = 2 ln|x| (-inf for x = 0), without forming x² (no overflow for |x| > 1e154)."""
    return 2.0 * math.log(abs(x)) if x != 0 else -math.inf


def half_log1p_ratio(log_num: float, log_den: float) -> float:
    """½ ln(1 + e^{log_num}/e^{log_den}) = ½ logaddexp(0, log_num - log_den), the collapse-time form
    ½ ln(1 + σ²/(e^{2α} - 1)) with its numerator and denominator given as logarithms."""
    z = log_num - log_den
    return 0.5 * (z + math.log1p(math.exp(-z)) if z > 0 else math.log1p(math.exp(z)))
