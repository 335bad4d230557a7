"""Input validation: every public entry point raises ``ValueError`` naming the parameter."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["as_float", "positive", "nonnegative", "probability", "at_least", "positive_int", "times", "seed"]


def as_float(name: str, value: Any) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return v


def positive(name: str, value: Any) -> float:
    v = as_float(name, value)
    if v <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return v


def nonnegative(name: str, value: Any) -> float:
    v = as_float(name, value)
    if v < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return v


def at_least(name: str, value: Any, low: float) -> float:
    v = as_float(name, value)
    if v < low:
        raise ValueError(f"{name} must be >= {low:g}, got {value!r}")
    return v


def probability(name: str, value: Any) -> float:
    v = as_float(name, value)
    if not 0.0 < v < 1.0:
        raise ValueError(f"{name} must lie strictly between 0 and 1, got {value!r}")
    return v


def positive_int(name: str, value: Any) -> int:
    v = as_float(name, value)
    if v != int(v) or v < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(v)


def times(name: str, values: Any) -> np.ndarray:
    """A non-empty 1-D array of finite, strictly positive times."""
    arr = np.atleast_1d(np.asarray(values, dtype=object))
    if arr.size == 0:
        raise ValueError(f"{name} must contain at least one time")
    out = np.array([positive(name, v) for v in arr.ravel()], dtype=float)
    return out.reshape(arr.shape)


def seed(name: str, value: Any) -> int:
    """A random seed: an integer ≥ 0 (a fractional value is rejected, never truncated)."""
    v = as_float(name, value)
    if v != int(v) or v < 0:
        raise ValueError(f"{name} must be an integer >= 0, got {value!r}")
    return int(v)
