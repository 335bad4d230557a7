"""Input validation: every public entry point raises ``ValueError`` naming the parameter.

One set of rules for the API, matching the CLI's argument types (:mod:`numerics.cli.args`): numbers are
finite (NaN, ±inf and values beyond the float range are rejected), booleans are not numbers, integers
are integers (``2.5`` is rejected, ``2.0`` accepted, never truncated), seeds are integers ≥ 0.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

__all__ = ["as_float", "positive", "nonnegative", "probability", "at_least", "at_most", "integer", "positive_int",
           "times", "seed"]


def as_float(name: str, value: Any) -> float:
    """``value`` as a finite float (``ValueError`` naming ``name`` otherwise)."""
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    try:
        v = float(value)
    except OverflowError:
        raise ValueError(f"{name} must be finite (within the float range), got {value!r}") from None
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return v


def positive(name: str, value: Any) -> float:
    """A finite number > 0."""
    v = as_float(name, value)
    if v <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return v


def nonnegative(name: str, value: Any) -> float:
    """A finite number ≥ 0."""
    v = as_float(name, value)
    if v < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return v


def at_least(name: str, value: Any, low: float) -> float:
    """A finite number ≥ ``low``."""
    v = as_float(name, value)
    if v < low:
        raise ValueError(f"{name} must be >= {low:g}, got {value!r}")
    return v


def at_most(name: str, value: Any, high: float) -> float:
    """A finite number ≤ ``high``."""
    v = as_float(name, value)
    if v > high:
        raise ValueError(f"{name} must be <= {high:g}, got {value!r}")
    return v


def probability(name: str, value: Any) -> float:
    """A number strictly between 0 and 1."""
    v = as_float(name, value)
    if not 0.0 < v < 1.0:
        raise ValueError(f"{name} must lie strictly between 0 and 1, got {value!r}")
    return v


def integer(name: str, value: Any, low: int = 1) -> int:
    """An integer ≥ ``low``: Python/NumPy integers as they are, floats only when integral (never truncated)."""
    if isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)):
        v = int(value)
    else:
        f = as_float(name, value)
        if f != math.floor(f):
            raise ValueError(f"{name} must be an integer, got {value!r}")
        v = int(f)
    if v < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    return v


def positive_int(name: str, value: Any) -> int:
    """An integer ≥ 1 (see :func:`integer`)."""
    return integer(name, value, 1)


def times(name: str, values: Any) -> np.ndarray:
    """A non-empty 1-D array of finite, strictly positive times."""
    arr = np.atleast_1d(np.asarray(values, dtype=object))
    if arr.size == 0:
        raise ValueError(f"{name} must contain at least one time")
    out = np.array([positive(name, v) for v in arr.ravel()], dtype=float)
    return out.reshape(arr.shape)


def seed(name: str, value: Any) -> int:
    """A random seed: an integer ≥ 0 (a fractional value is rejected, never truncated)."""
    return integer(name, value, 0)
