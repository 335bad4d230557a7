"""The verification suite: named checks pairing registered theory results with Monte Carlo
measurements, judged by a z-score from measured standard errors (runner: :mod:`numerics.verify.runner`).

Checks live beside their model (``numerics/models/<model>/checks.py``) or data
(``numerics/data/checks.py``) and register with :func:`check`::

    @check("gm.phi.d256", tests=("gm.phi", "gm.kappa"), description="cloning φ(t) at d=256 vs theory")
    def _(rng: np.random.Generator, full: bool) -> Measurement | list[Measurement]:
        ...
        return Measurement(theory=..., value=..., stderr=..., params={...})

``tests`` names the registered results the check verifies: the check must fail when one of them is
wrong by a few percent, which ``regimes verify --mutate NAME=FACTOR`` demonstrates (theory values are
read through :func:`numerics.results.theory`, which applies the mutation; the simulation never is).
A check may return several measurements (e.g. one per branch time); each becomes a row named
``<name>[<label>]``. Acceptance (:mod:`numerics.verify.runner`):
``z = max(0, |value - theory| - bias_allowance) / stderr`` below a Bonferroni threshold.
``bias_allowance`` is only for documented, *derived* systematic biases (integrator step, finite d),
stated with ``allowance_formula``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

__all__ = ["Measurement", "Check", "check", "all_checks", "seed_from"]


@dataclass
class Measurement:
    """One compared number: ``theory`` (from registered results), ``value`` (simulated) and the
    measured ``stderr`` of their difference; ``bias_allowance`` a derived systematic allowance with
    its formula ``allowance_formula``; ``extra`` raw numbers / figure data for ``verify --out``;
    ``informational`` rows are reported with their z but never pass or fail (e.g. a leading-order
    prediction shown beside the sharp one)."""

    theory: float
    value: float
    stderr: float
    params: dict = field(default_factory=dict)
    label: str = ""
    bias_allowance: float = 0.0
    allowance_formula: str = ""
    extra: dict = field(default_factory=dict)
    informational: bool = False  # reported with its z, never judged (and not counted in the threshold)


@dataclass
class Check:
    """A registered check: ``fn(rng, full)`` returns measurements; ``tests`` the results it verifies."""

    name: str
    fn: Callable[[np.random.Generator, bool], "Measurement | list[Measurement]"]
    quick: bool
    description: str
    tests: tuple[str, ...] = ()
    full_only: bool = False


_CHECKS: dict[str, Check] = {}


def check(name: str, *, tests: tuple[str, ...] | list[str], quick: bool = True, description: str = "",
          full_only: bool = False):
    """Register ``fn(rng, full) -> Measurement | list[Measurement]`` as check ``name``.

    ``tests``: registered results the check verifies (non-empty). ``quick=True``: part of
    ``regimes verify --quick`` (keep it to seconds); ``full`` is True under ``--full`` (the papers'
    sizes); ``full_only``: skipped in quick mode."""
    tests = tuple(tests)
    if not tests:
        raise ValueError(f"check {name!r} must name the results it tests")

    def deco(fn):
        if name in _CHECKS:
            raise ValueError(f"check {name!r} registered twice")
        _CHECKS[name] = Check(name, fn, quick and not full_only, description or (fn.__doc__ or "").strip(),
                              tests, full_only)
        if not (fn.__doc__ or "").strip():
            fn.__doc__ = f"Verification check ``{name}`` (tests {', '.join(tests)}): {description}"
        return fn

    return deco


def all_checks() -> list[Check]:
    """Every registered check: the ``checks`` module of every model folder and of ``numerics.data``."""
    from numerics import models

    models.parts("checks")
    importlib.import_module("numerics.data.checks")
    return [_CHECKS[k] for k in sorted(_CHECKS)]


def seed_from(rng: np.random.Generator) -> int:
    """A seed for an experiment drawn from a check's own stream (reproducible per check)."""
    return int(rng.integers(0, 2**31 - 1))
