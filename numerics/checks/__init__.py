"""Registry of verification checks: a named theory value paired with a Monte Carlo
measurement, its standard error, its parameters, and a statistical acceptance rule.

Model modules ``numerics/checks/<topic>.py`` register checks with :func:`check`::

    @check("gm.phi.d256", quick=True, description="cloning φ(t) at d=256 vs theory")
    def _(rng: np.random.Generator, full: bool) -> Measurement | list[Measurement]:
        ...
        return Measurement(theory=..., value=..., stderr=..., params={...})

A check function may return several measurements (e.g. one per branch time); each becomes
a row named ``<name>[<label>]``. Acceptance (applied by ``numerics.verify``): the z-score
``z = max(0, |value - theory| - bias_allowance) / stderr`` must be below a threshold that
accounts for the number of checks (Bonferroni at family-wise error 1e-3).
``bias_allowance`` is only for documented systematic biases (integrator step, finite d).
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

__all__ = ["Measurement", "Check", "check", "all_checks"]


@dataclass
class Measurement:
    theory: float
    value: float
    stderr: float
    params: dict = field(default_factory=dict)
    label: str = ""
    bias_allowance: float = 0.0
    # raw numbers / figure data a check wants written by ``regimes verify --out``
    extra: dict = field(default_factory=dict)


@dataclass
class Check:
    name: str
    fn: Callable[[np.random.Generator, bool], "Measurement | list[Measurement]"]
    quick: bool
    description: str
    full_only: bool = False


_CHECKS: dict[str, Check] = {}


def check(name: str, *, quick: bool = True, description: str = "", full_only: bool = False):
    """Register ``fn(rng, full) -> Measurement | list[Measurement]`` as check ``name``.

    ``quick=True``: part of ``regimes verify --quick`` (keep it to a few seconds);
    ``full`` is True under ``--full`` (use the papers' sizes); ``full_only``: skipped in quick."""

    def deco(fn):
        if name in _CHECKS:
            raise ValueError(f"check {name!r} registered twice")
        _CHECKS[name] = Check(name, fn, quick and not full_only, description or (fn.__doc__ or "").strip(), full_only)
        return fn

    return deco


def all_checks() -> list[Check]:
    """Every registered check (modules in this package are imported on first call)."""
    from numerics import checks as pkg

    for info in pkgutil.iter_modules(pkg.__path__):
        importlib.import_module(f"numerics.checks.{info.name}")
    return [_CHECKS[k] for k in sorted(_CHECKS)]
