"""Collapse onto training points with the empirical score (THEORY §2 'Collapse', §3, §5).

One backward pass with the empirical score of n training points, cloned at the branch times,
tracking along every trajectory the nearest point c·a_μ (c = e^{-t}) and the ratio of the
nearest to the second-nearest distance. Measured:

- ``phi_C(t)``: probability that two clones split at t end on the SAME training point (→ 1 for
  t < t_C, → ~1/n for t > t_C), with the class agreement ``phi(t)`` from the same run (speciation);
- per-trajectory collapse time: the grid time from which the nearest training point no longer
  changes down to t_min (the last change along the trajectory);
- ``on_final(t)``: fraction of trajectories whose nearest point at t is already their final one;
- ``ratio(t)``: mean nearest/second-nearest distance ratio (→ 0 when collapsed, → 1 in the bulk).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from numerics import validate
from numerics.engine import sde
from numerics.engine.cloned import run_cloned
from numerics.engine.cloning import empirical_model, initial_state, require_memory, validate_run
from numerics.engine.empirical import EmpiricalModel, EmpiricalScore
from numerics.engine.protocol import LEVEL_CLASS, has
from numerics.engine.result import ExperimentResult, binomial_stderr

__all__ = ["CollapseResult", "collapse_experiment"]


@dataclass(kw_only=True)
class CollapseResult(ExperimentResult):
    """Result of :func:`collapse_experiment`.

    t, phi_C, stderr_C, phi, stderr: per branch time. grid: times of the recorded curves;
    on_final, ratio (+ their stderr): per grid time. collapse_time: per trajectory (B,);
    collapse_time_mean / _stderr; nearest_final: (B,) training index of each original at t_min;
    ratio_final: mean distance ratio at t_min; t_C_theory, t_S_theory when a model with those hooks
    generated the data. ``to_dict(per_item=True)`` keeps the per-trajectory arrays.
    """

    t: np.ndarray
    phi_C: np.ndarray
    stderr_C: np.ndarray
    phi: np.ndarray | None
    stderr: np.ndarray | None
    grid: np.ndarray
    on_final: np.ndarray
    on_final_stderr: np.ndarray
    ratio: np.ndarray
    ratio_stderr: np.ndarray
    collapse_time: np.ndarray
    collapse_time_mean: float
    collapse_time_stderr: float
    nearest_final: np.ndarray
    ratio_final: float
    t_C_theory: float | None
    t_S_theory: float | None

    _per_item = ("collapse_time", "nearest_final")


def collapse_experiment(
    model,
    branch_times,
    samples: int,
    seed: int,
    *,
    n: int | None = None,
    train: np.ndarray | None = None,
    labels: np.ndarray | None = None,
    steps: int = 200,
    t_min: float | None = None,
    T: float | None = None,
    grid: str = "mixed",
    method: str = "exponential",
    dtype=np.float32,
    start: str = "exact",
    progress: bool = False,
) -> CollapseResult:
    """Empirical-score dynamics with cloning and nearest-training-point tracking (one pass).

    ``model``: any model of :mod:`numerics.engine.protocol` that can draw a training set (``n`` points
    drawn with the run's rng, unless ``train``/``labels`` are given; its theory hooks ``t_C(n)``,
    ``t_S`` are reported), or an :class:`~numerics.engine.empirical.EmpiricalModel` /
    :class:`~numerics.engine.empirical.EmpiricalScore` (labels optional: without them ``phi`` is None).
    Reproducible bit-for-bit from (arguments, seed).
    """
    t0 = time.perf_counter()
    if t_min is None:
        t_min = dict(getattr(model, "defaults", None) or {}).get("t_min", 1e-3)
    ts, samples, seed, steps, t_min, T = validate_run(branch_times, samples, seed, steps, t_min, T)
    rng = np.random.default_rng(seed)
    dtype = np.dtype(dtype)
    if dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"dtype must be float32 or float64, got {dtype.name!r}")
    g0 = sde.time_grid(T, t_min, steps, grid)  # refuses an oversized grid or an overflowing step first
    fresh = train is None and not isinstance(model, (EmpiricalModel, EmpiricalScore))
    if fresh and n is not None:
        n = validate.positive_int("n", n)
        if n < 2:
            raise ValueError(f"n must be >= 2 (one training point: every trajectory ends on it), got {n}")
        require_memory(model, samples, len(ts), dtype, n=n, steps=len(g0), tracking=True)
    em = empirical_model(model, rng, n=n, train=train, labels=labels, dtype=dtype)
    es = em.es
    source = em.source
    require_memory(em, samples, len(ts), dtype, steps=len(g0), tracking=True)
    g, bidx = sde.merge_times(g0, ts)
    ratios = []

    def score_eval(y, t):
        res = es.evaluate(y, t, want_score=True)
        ratios.append(res.dist_ratio[:samples])
        return res.score, res.nearest

    y0 = initial_state(em, samples, T, rng, start=start, dtype=dtype)
    run = run_cloned(score_eval, y0, g, bidx, rng, method=method, tracking=True, progress=progress,
                     desc="collapse (empirical)")
    B = samples
    near = run.final_info
    phi_C = np.array([np.mean(near[:B] == near[run.rows(j)]) for j in range(len(ts))])
    phi = stderr = None
    if LEVEL_CLASS in em.label_levels:
        cls = em.label_levels[LEVEL_CLASS][near]
        phi = np.array([np.mean(cls[:B] == cls[run.rows(j)]) for j in range(len(ts))])
        stderr = binomial_stderr(phi, B)
    track = run.track  # (len(g), B) nearest of the originals at each grid time
    final = track[-1]
    on_final = (track == final[None, :]).mean(axis=1)
    # collapse time: first grid time k* such that track[k] == final for all k >= k*
    differ = track != final[None, :]
    any_differ = differ.any(axis=0)
    last_diff = np.where(any_differ, len(g) - 1 - np.argmax(differ[::-1], axis=0), -1)
    k_star = last_diff + 1
    collapse_time = np.where(k_star < len(g), g[np.minimum(k_star, len(g) - 1)], g[-1])
    collapse_time = np.where(any_differ, collapse_time, g[0])
    # the last ratio entry is the final evaluation at t_min (score_eval was called there)
    ratio_tr = np.stack(ratios)  # (len(g), B)
    ratio_mean = np.nanmean(ratio_tr, axis=1)
    ratio_se = np.nanstd(ratio_tr, axis=1) / np.sqrt(B)
    params = {"branch_times": ts.tolist(), "samples": samples, "n": es.n, "d": es.d, "steps": steps,
              "t_min": t_min, "T": T, "grid": grid, "method": method, "dtype": dtype.name, "start": start}
    if source is not None:
        params["source"] = source.params()
    return CollapseResult(
        t=ts, phi_C=phi_C, stderr_C=binomial_stderr(phi_C, B), phi=phi, stderr=stderr, grid=g,
        on_final=on_final, on_final_stderr=binomial_stderr(on_final, B), ratio=ratio_mean, ratio_stderr=ratio_se,
        collapse_time=collapse_time, collapse_time_mean=float(collapse_time.mean()),
        collapse_time_stderr=float(collapse_time.std(ddof=1) / np.sqrt(B)) if B > 1 else float("nan"),
        nearest_final=final, ratio_final=float(ratio_mean[-1]),
        t_C_theory=float(source.t_C(es.n)) if has(source, "t_C") else None,
        t_S_theory=float(source.t_S) if has(source, "t_S") else None,
        samples=B, seed=seed, seconds=time.perf_counter() - t0, params=params)
