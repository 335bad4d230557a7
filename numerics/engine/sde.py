"""Backward (generative) SDE integrators (THEORY §0).

In reverse time τ = T - t the generative dynamics is ``dy/dτ = y + 2 S(y, t) + sqrt(2) η``,
started from N(0, I) at large T and stopped at ``t_min > 0``. With the exact score the
marginal of y at time t is exactly P_t; time discretisation adds a bias:

- ``"euler"`` (Euler–Maruyama): ``y += h (y + 2 S) + sqrt(2h) ξ``; weak order 1, bias O(h).
- ``"exponential"``: the linear part is integrated exactly, the score is frozen over the step:
  ``y' = e^h y + 2 (e^h - 1) S(y, t_k) + sqrt(e^{2h} - 1) ξ``. Exact for S = 0 (pure OU), weak
  order 1 in the score's variation, and stable for any step; the default.

Grids run from ``T`` down to ``t_min``: ``uniform``, ``geometric`` (refined toward small t,
where the score of a narrow law varies fastest) or ``mixed`` (half the steps uniform in t,
half geometric: resolves both the speciation window t ~ t_S and the small-t end).
:func:`merge_times` inserts requested times (branch times) into a grid exactly.

Bias (measured in tests/test_engine_sde.py on the Gaussian model, where the variance
recursion of the linear dynamics gives the exact discrete answer): both methods converge at
weak order 1 in the step; the exponential integrator's constant is smaller, it is exact in the
score-free directions at any step and never blows up for h > 1, whereas Euler needs h ≪ 1.
Stopping at ``t_min > 0`` is a bias of its own: the output is distributed as P_{t_min}, not
P_0 (exactly so with the exact score and an exponential step in the linear directions).
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from numerics import validate
from numerics.engine import memory

__all__ = ["time_grid", "step_coefficients", "backward_step", "integrate_backward", "merge_times", "METHODS", "GRIDS",
           "H_MAX"]

METHODS = ("exponential", "euler")
GRIDS = ("uniform", "geometric", "mixed")
Score = Callable[[np.ndarray, float], np.ndarray]
# Largest step: the exponential coefficients e^h, sqrt(e^{2h} - 1) stay finite (e^{700} < 1.8e308).
# Far beyond any useful step: P_T equals N(0, I) to double precision once σ² e^{-2T} < 1e-16.
H_MAX = 350.0


def time_grid(T: float, t_min: float, steps: int, kind: str = "geometric") -> np.ndarray:
    """Decreasing times ``T = t_0 > t_1 > ... > t_steps = t_min``.

    Refused (``ValueError`` naming the parameter) before allocating when the grid exceeds the memory
    budget (:mod:`numerics.engine.memory`), and when its largest step exceeds ``H_MAX`` = 350 (the
    integrator's coefficients e^h would overflow): lower ``T`` or raise ``steps``.
    """
    T = validate.positive("T", T)
    t_min = validate.positive("t_min", t_min)
    steps = validate.positive_int("steps", steps)
    if t_min >= T:
        raise ValueError(f"t_min must be < T, got t_min={t_min!r}, T={T!r}")
    if kind not in GRIDS:
        raise ValueError(f"grid kind must be one of {GRIDS}, got {kind!r}")
    memory.require(4.0 * memory.FLOAT * (steps + 1), "the time grid", steps=steps)
    if kind == "uniform":
        grid = np.linspace(T, t_min, steps + 1)
    elif kind == "geometric":
        grid = np.geomspace(T, t_min, steps + 1)
    elif steps < 2:
        grid = np.array([T, t_min])
    else:
        # uniform from T to t_mid, geometric from t_mid to t_min, t_mid = min(1, T/2)
        t_mid = max(min(1.0, 0.5 * T), t_min * 1.0000001)
        k1 = steps // 2
        head = np.linspace(T, t_mid, k1 + 1)
        tail = np.geomspace(t_mid, t_min, steps - k1 + 1)
        grid = np.concatenate([head, tail[1:]])
    h = float(np.max(grid[:-1] - grid[1:]))
    if not h <= H_MAX:
        raise ValueError(f"T={T:g} with steps={steps}: the largest step h = {h:.3g} exceeds {H_MAX:g} (the "
                         f"integrator's e^h overflows); lower T (P_T is N(0, I) to double precision far below) "
                         f"or raise steps")
    return grid


def merge_times(grid: np.ndarray, times) -> tuple[np.ndarray, np.ndarray]:
    """Insert ``times`` (each in [grid[-1], grid[0]]) into the decreasing ``grid``.

    Returns (new_grid, index) with new_grid[index[i]] == times[i] exactly. Grid points closer
    than 1e-12 (relative) to an inserted time are replaced by it. Vectorised: O(len(grid) × len(times)).
    """
    grid = np.asarray(grid, dtype=float)
    ts = np.atleast_1d(np.asarray(times, dtype=float))
    if np.any(ts > grid[0] * (1 + 1e-12)) or np.any(ts < grid[-1] * (1 - 1e-12)):
        raise ValueError(f"times must lie within [t_min, T] = [{grid[-1]:g}, {grid[0]:g}], got {ts.tolist()}")
    keep = np.ones(grid.size, dtype=bool)
    for t in ts:
        keep &= ~(np.abs(grid - t) <= 1e-12 * grid)
    new = np.unique(np.concatenate([grid[keep], ts]))[::-1]
    index = np.array([int(np.argmin(np.abs(new - t))) for t in ts], dtype=np.int64)
    return new, index


def step_coefficients(h: float, method: str = "exponential") -> tuple[float, float, float]:
    """Coefficients ``(a, b, c)`` of one backward step of length ``h``: ``y' = a y + b S(y, t) + c ξ``.

    - exponential: ``a = e^h``, ``b = 2(e^h - 1)``, ``c = sqrt(e^{2h} - 1)`` (linear part exact);
    - euler: ``a = 1 + h``, ``b = 2h``, ``c = sqrt(2h)``.

    ``h`` must lie in [0, ``H_MAX``] (``ValueError`` otherwise: the coefficients would overflow).

    >>> step_coefficients(0.0)
    (1.0, 0.0, 0.0)
    """
    h = validate.nonnegative("h", h)
    if h > H_MAX:
        raise ValueError(f"h must be <= {H_MAX:g} (e^h overflows), got {h!r}")
    if method == "exponential":
        return math.exp(h), 2.0 * math.expm1(h), math.sqrt(math.expm1(2.0 * h))
    if method == "euler":
        return 1.0 + h, 2.0 * h, math.sqrt(2.0 * h)
    raise ValueError(f"method must be one of {METHODS}, got {method!r}")


def backward_step(y: np.ndarray, t: float, t_next: float, score: Score, noise: np.ndarray, method: str = "exponential") -> np.ndarray:
    """One step from time ``t`` to ``t_next < t`` with standard normal ``noise`` of y's shape
    (coefficients from :func:`step_coefficients`)."""
    a, b, c = step_coefficients(t - t_next, method)
    return a * y + b * score(y, t) + c * noise


def integrate_backward(
    score: Score,
    y0: np.ndarray,
    grid: np.ndarray,
    rng: np.random.Generator,
    method: str = "exponential",
    *,
    progress: bool = False,
    desc: str = "backward SDE",
) -> np.ndarray:
    """Run the backward SDE along ``grid`` (decreasing times) from ``y0``; returns y at grid[-1]
    (``progress``: a tqdm bar on stderr)."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    from tqdm.auto import tqdm

    y = np.array(y0, copy=True)
    pairs = zip(grid[:-1], grid[1:])
    for t, t_next in tqdm(pairs, total=len(grid) - 1, desc=desc, disable=not progress, leave=False):
        y = backward_step(y, float(t), float(t_next), score, rng.standard_normal(y.shape).astype(y.dtype, copy=False), method)
    return y
