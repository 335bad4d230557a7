"""The numeric side of the registry of named results: generated functions and theory values.

Two ways to get the number of a registered result (``gm.t_S``, ``cw.p_plus`` ...):

- :func:`numeric` returns the *generated* function (``numerics/generated/<model>.py``), unchanged.
  Simulations (scores, samplers) use it: it is never mutated.
- :func:`theory` returns the same function wrapped for the *theory side* of a comparison: its value is
  multiplied by the factor of an active mutation (:func:`mutations`), and each call is recorded
  (:func:`recording`), so the verification suite knows which results a check really used.
  Results without generated code (e.g. ``gm.phi``, computed by quadrature) pass their value through
  :func:`theory_value` instead.

Mutation (``regimes verify --mutate NAME=FACTOR``) is how the suite proves that a check can fail: the
theory values of NAME are scaled by FACTOR wherever checks use them, the simulations are not.

Importing this module never imports SymPy or Numba.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import importlib
import math
from typing import Callable, Iterator, Mapping

import numpy as np

__all__ = ["numeric", "theory", "theory_value", "mutations", "factor", "recording", "parse_mutation"]

_MUTATIONS: contextvars.ContextVar[Mapping[str, float]] = contextvars.ContextVar("regimes_mutations", default={})
_RECORD: contextvars.ContextVar[set | None] = contextvars.ContextVar("regimes_record", default=None)


def _split(name: str) -> tuple[str, str]:
    model, _, short = str(name).partition(".")
    if not model or not short:
        raise ValueError(f"result name must look like 'model.name', got {name!r}")
    return model, short


@functools.lru_cache(maxsize=None)
def numeric(name: str) -> Callable:
    """The generated NumPy function of result ``name``, e.g. ``numeric("gm.t_S")(d, mu, sigma, p_plus)``.

    Generated functions live in ``numerics/generated/<model>.py`` (written by ``make generate``
    from the theory registry: one NumPy body per result, broadcasting over arrays). Arguments
    are those of the registered result, in its order (``theory.registry.catalog()`` lists them).
    Importing a generated module costs little beyond NumPy: it never imports SymPy or Numba, and
    SciPy only inside the functions that need it.

    Parameters
    ----------
    name : str
        ``"<model>.<result>"``.

    Returns
    -------
    callable
        The generated function (never mutated; :func:`theory` wraps it for the theory side).

    Raises
    ------
    ValueError
        For a malformed or unknown name.
    """
    model, short = _split(name)
    try:
        mod = importlib.import_module(f"numerics.generated.{model}")
    except ModuleNotFoundError:
        raise ValueError(f"no generated module for model {model!r} (result {name!r})") from None
    if short.startswith("_") or short not in getattr(mod, "__all__", ()):
        raise ValueError(f"no generated function for result {name!r}")
    return getattr(mod, short)


def factor(name: str) -> float:
    """Mutation factor currently applied to result ``name`` (1.0 when none)."""
    return float(_MUTATIONS.get().get(name, 1.0))


def theory_value(name: str, value):
    """``value`` of result ``name`` as the theory side sees it: scaled by the active mutation factor,
    and recorded as used. Arrays and scalars are both accepted; the type is kept."""
    rec = _RECORD.get()
    if rec is not None:
        rec.add(name)
    f = factor(name)
    if f == 1.0:
        return value
    if isinstance(value, np.ndarray):
        return value * f
    return type(value)(value * f) if isinstance(value, (float, int, np.floating)) else np.asarray(value) * f


def theory(name: str) -> Callable:
    """The generated function of ``name`` for the theory side (mutations applied, use recorded)."""
    fn = numeric(name)

    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        return theory_value(name, fn(*args, **kwargs))

    return wrapped


@contextlib.contextmanager
def mutations(factors: Mapping[str, float] | None) -> Iterator[None]:
    """Within the block, multiply the theory values of the named results by their factors."""
    merged = dict(_MUTATIONS.get())
    for k, v in (factors or {}).items():
        _split(k)
        v = float(v)
        if not (math.isfinite(v) and v > 0):
            raise ValueError(f"mutation factor for {k} must be finite and > 0, got {v!r}")
        merged[k] = merged.get(k, 1.0) * v
    token = _MUTATIONS.set(merged)
    try:
        yield
    finally:
        _MUTATIONS.reset(token)


@contextlib.contextmanager
def recording() -> Iterator[set]:
    """Collect the names of the results whose theory values are used within the block."""
    used: set = set()
    token = _RECORD.set(used)
    try:
        yield used
    finally:
        _RECORD.reset(token)


def parse_mutation(text: str) -> tuple[str, float]:
    """``"gm.t_S=1.03"`` -> ``("gm.t_S", 1.03)``; ``ValueError`` naming the problem otherwise."""
    name, sep, val = str(text).partition("=")
    if not sep:
        raise ValueError(f"mutate must look like NAME=FACTOR, got {text!r}")
    if "." not in name.strip():
        raise ValueError(f"mutate: result name must look like 'model.name', got {name.strip()!r}")
    try:
        f = float(val)
    except ValueError:
        raise ValueError(f"mutate factor must be a number, got {val!r}") from None
    if not (math.isfinite(f) and f > 0):
        raise ValueError(f"mutate factor must be finite and > 0, got {val!r}")
    return name.strip(), f
