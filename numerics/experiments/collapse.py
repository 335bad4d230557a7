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
from dataclasses import asdict, dataclass, field

import numpy as np

from numerics import sde
from numerics.experiments import versions
from numerics.experiments.cloning import _setup_score, binomial_stderr, initial_state, validate_run
from numerics.experiments.engine import run_cloned

__all__ = ["CollapseResult", "collapse_experiment"]


@dataclass
class CollapseResult:
    """Result of :func:`collapse_experiment`.

    t, phi_C, stderr_C, phi, stderr: per branch time. grid: times of the recorded curves;
    on_final, ratio (+ their stderr): per grid time. collapse_time: per trajectory (B,);
    collapse_time_mean / _stderr; nearest_final: (B,) training index of each original at t_min;
    ratio_final: mean distance ratio at t_min; t_C_theory, t_S_theory when a mixture generated data.
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
    samples: int
    seed: int
    seconds: float
    params: dict = field(default_factory=dict)
    versions: dict = field(default_factory=versions)

    def to_dict(self, *, per_trajectory: bool = False) -> dict:
        d = asdict(self)
        if not per_trajectory:
            d.pop("collapse_time")
            d.pop("nearest_final")
        return {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in d.items()}


def collapse_experiment(
    model_or_score,
    branch_times,
    samples: int,
    seed: int,
    *,
    n: int | None = None,
    train: np.ndarray | None = None,
    labels: np.ndarray | None = None,
    steps: int = 200,
    t_min: float = 1e-3,
    T: float | None = None,
    grid: str = "mixed",
    method: str = "exponential",
    dtype=np.float32,
    start: str = "exact",
    progress: bool = False,
) -> CollapseResult:
    """Empirical-score dynamics with cloning and nearest-training-point tracking (one pass).

    ``model_or_score``: a :class:`GaussianMixture` (draws ``n`` training points with the run's rng,
    unless ``train``/``labels`` are given) or an :class:`EmpiricalScore` (labels optional: without
    them ``phi`` is None). Reproducible bit-for-bit from (arguments, seed).
    """
    t0 = time.perf_counter()
    ts, samples, seed, steps, t_min, T = validate_run(branch_times, samples, seed, steps, t_min, T)
    rng = np.random.default_rng(seed)
    dtype = np.dtype(dtype)
    model, es = _setup_score(model_or_score, "empirical", n, train, labels, rng, dtype)
    g, bidx = sde.merge_times(sde.time_grid(T, t_min, steps, grid), ts)
    ratios = []

    def score_eval(y, t):
        res = es.evaluate(y, t, want_score=True)
        ratios.append(res.dist_ratio[:samples])
        return res.score, res.nearest

    y0 = initial_state(es, samples, T, rng, start=start, dtype=dtype)
    run = run_cloned(score_eval, y0, g, bidx, rng, method=method, tracking=True, progress=progress,
                     desc="collapse (empirical)")
    B = samples
    near = run.final_info
    phi_C = np.array([np.mean(near[:B] == near[run.rows(j)]) for j in range(len(ts))])
    phi = stderr = None
    if es.labels is not None:
        cls = es.labels[near]
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
    if model is not None:
        params.update(model="gm", mu=model.mu, sigma=model.sigma, p_plus=model.p_plus)
    return CollapseResult(
        t=ts, phi_C=phi_C, stderr_C=binomial_stderr(phi_C, B), phi=phi, stderr=stderr, grid=g,
        on_final=on_final, on_final_stderr=binomial_stderr(on_final, B), ratio=ratio_mean, ratio_stderr=ratio_se,
        collapse_time=collapse_time, collapse_time_mean=float(collapse_time.mean()),
        collapse_time_stderr=float(collapse_time.std(ddof=1) / np.sqrt(B)) if B > 1 else float("nan"),
        nearest_final=final, ratio_final=float(ratio_mean[-1]),
        t_C_theory=None if model is None else model.t_C(es.n),
        t_S_theory=None if model is None else model.t_S,
        samples=B, seed=seed, seconds=time.perf_counter() - t0, params=params)
