"""Cloning probability φ(t) by Monte Carlo, all branch times in one pass, for any model (THEORY §2, §5).

Clone a backward trajectory at time t, run both copies to ``t_min`` with independent noise; φ(t) is
the probability that they end in the same class. What "class" means is the model's business
(``model.labels(y, t_min, rng)``, one array per level of a class hierarchy); the engine only
integrates, clones and counts:

- ``phi[level](t)`` = fraction of the B pairs whose endpoints agree at that level,
  stderr = sqrt(φ(1-φ)/B) (binomial; the pairs are independent);
- ``phi_posterior[level](t)`` (models with ``posterior``): the exact conditional expectation
  ``Σ_c P(c | x_t)²`` averaged over the branch states x_t — the same φ without the SDE noise of the
  two copies (exact-posterior Monte Carlo), with its own standard error;
- ``phi_theory[level](t)`` (models with ``phi_theory``): the model's theory curve.

With the empirical score (``score="empirical"``: ``n`` training points drawn from the model, or any
:class:`~numerics.engine.empirical.EmpiricalModel`) the levels are the labels of the nearest training
point and the point itself; agreement at level ``"point"`` is the collapse probability φ_C(t).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from numerics import validate
from numerics.engine import memory, sde
from numerics.engine.cloned import run_cloned
from numerics.engine.empirical import DEFAULT_MEMORY_BYTES as EMPIRICAL_BLOCK_BYTES
from numerics.engine.empirical import EmpiricalModel, EmpiricalScore
from numerics.engine.protocol import LEVEL_CLASS, LEVEL_POINT, has, require
from numerics.engine.result import ExperimentResult, binomial_stderr

__all__ = ["CloneResult", "clone_phi", "clone_phi_resimulate", "initial_state", "default_T", "validate_run",
           "empirical_model", "binomial_stderr", "require_memory", "require_training_set"]


@dataclass(kw_only=True)
class CloneResult(ExperimentResult):
    """Result of :func:`clone_phi` (arrays indexed like ``t``, the branch times as given).

    ``levels``: one dict per class level (coarsest first) with ``level``, ``groups`` (group label of each
    class at that level, when the model declares it), ``phi``, ``stderr``, ``phi_theory`` (or None),
    ``phi_posterior`` / ``phi_posterior_stderr`` (or None). ``phi``/``stderr``/``phi_theory`` repeat the
    finest class level (``"class"``); ``phi_C``/``stderr_C`` the ``"point"`` level (empirical score).
    ``pair_agreement`` (with ``keep_pairs=True``): ``{level: (B, K) bool}``, whether pair b agrees at
    branch time k (the rows of a bootstrap over pairs; dropped from ``to_dict`` unless ``per_item``).
    """

    t: np.ndarray
    phi: np.ndarray | None
    stderr: np.ndarray | None
    phi_theory: np.ndarray | None
    phi_C: np.ndarray | None
    stderr_C: np.ndarray | None
    levels: list = field(default_factory=list)
    pair_agreement: dict | None = None

    _per_item = ("pair_agreement",)

    def level(self, name: str) -> dict:
        """The entry of ``levels`` named ``name`` (``ValueError`` when absent)."""
        for lv in self.levels:
            if lv["level"] == name:
                return lv
        raise ValueError(f"no level {name!r}; levels: {[lv['level'] for lv in self.levels]}")


def default_T(branch_times: np.ndarray) -> float:
    """Start time: a margin above the largest branch time, T = max(t) + 1 (the start law is exact)."""
    return float(np.max(branch_times)) + 1.0


def initial_state(model, size: int, T: float, rng: np.random.Generator, *, start: str = "exact",
                  dtype=np.float64) -> np.ndarray:
    """State at the start time T: an exact draw from P_T (``start='exact'``, the model's ``sample_t``)
    or N(0, I) (``'normal'``, the usual generative start, biased by O(e^{-2T}))."""
    if start == "exact":
        return np.asarray(model.sample_t(size, T, rng)).astype(dtype, copy=False)
    if start == "normal":
        return rng.standard_normal((size, model.dim)).astype(dtype)
    raise ValueError(f"start must be 'exact' or 'normal', got {start!r}")


def validate_run(branch_times, samples, seed, steps, t_min, T):
    """Validated (branch times, samples, seed, steps, t_min, T) of a cloned backward run;
    T defaults to :func:`default_T`. Raises ValueError naming the parameter."""
    ts = validate.times("branch_times", branch_times).ravel()
    samples = validate.positive_int("samples", samples)
    seed = validate.seed("seed", seed)
    steps = validate.positive_int("steps", steps)
    t_min = validate.positive("t_min", t_min)
    if np.any(ts <= t_min):
        raise ValueError(f"branch times must exceed t_min={t_min:g}, got {ts.tolist()}")
    T = default_T(ts) if T is None else validate.positive("T", T)
    if np.any(ts > T):
        raise ValueError(f"branch times must be <= T={T:g}, got {ts.tolist()}")
    return ts, samples, seed, steps, t_min, T


def require_training_set(model, n: int, dtype=np.float64) -> None:
    """Refuse (before drawing) a training set of ``n`` points of ``model`` that exceeds the memory budget:
    the draw (the model's ``sample_bytes`` hook, or 4 arrays of ``n × dim`` float64) plus its copy in
    ``dtype`` and the squared norms of :class:`EmpiricalScore`."""
    dim = float(model.dim)
    need = memory.sample_bytes(model, n) + float(n) * (dim * np.dtype(dtype).itemsize + memory.FLOAT)
    memory.require(need, "the training set", n=n, **{getattr(model, "dim_name", "d"): int(dim)})


def require_memory(model, samples: int, n_branch: int, dtype, *, n: int | None = None, steps: int = 0,
                   tracking: bool = False) -> None:
    """Refuse, before anything is allocated, a cloned backward run whose working set exceeds the memory
    budget (:func:`numerics.engine.memory.require`; ``ValueError`` naming the sizes).

    Counted: the training set of an empirical run (``n`` points drawn with the model's sampler, kept in
    ``dtype``, plus the 64 MiB logits block of :class:`EmpiricalScore`); the ``samples × (1 + n_branch)``
    trajectories (state, noise, score, one concatenation copy), the branch states, one score evaluation
    and the initial draw (the model's ``score_bytes`` / ``sample_bytes`` hooks, or 3 and 4 arrays of the
    batch); with ``tracking`` (collapse) the nearest point and distance ratio per grid time and trajectory.
    """
    item = float(np.dtype(dtype).itemsize)
    dim = float(model.dim)
    dn = {getattr(model, "dim_name", "d"): int(dim)}
    total = 0.0
    if n is not None:
        require_training_set(model, n, dtype)
        total += float(n) * (dim * item + memory.FLOAT) + EMPIRICAL_BLOCK_BYTES
        score = 3.0 * samples * (1 + n_branch) * dim * item
    else:
        score = memory.score_bytes(model, samples * (1.0 + n_branch))
    rows = float(samples) * (1 + n_branch)
    total += 4.0 * rows * dim * item + float(samples) * n_branch * dim * item + score
    total += memory.sample_bytes(model, samples)
    if tracking:
        total += 2.0 * memory.FLOAT * float(samples) * (steps + n_branch + 2)
    memory.require(total, "the cloned trajectories", samples=samples, branch_times=n_branch, **dn,
                   **({"steps": steps} if tracking else {}))


def empirical_model(model, rng: np.random.Generator, *, n: int | None = None, train=None, labels=None,
                    dtype=np.float32) -> EmpiricalModel:
    """The empirical-score model of ``n`` training points drawn from ``model`` with ``rng`` (labels from
    its ``sample_labelled`` when it has classes), or of the given ``train``/``labels``; ``model`` stays
    the theory source. An :class:`EmpiricalModel` or :class:`EmpiricalScore` is returned as a model."""
    if isinstance(model, EmpiricalModel):
        return model
    if isinstance(model, EmpiricalScore):
        return EmpiricalModel(model)
    if train is None:
        if n is None:
            raise ValueError("the empirical score needs n (number of training points) or train")
        n = validate.positive_int("n", n)
        if has(model, "sample_labelled"):
            train, labels = model.sample_labelled(n, rng)
        else:
            require(model, "sample", "draw a training set")
            train = model.sample(n, rng)
    return EmpiricalModel(train, labels, dtype=dtype, source=model)


def _agreement(lab: np.ndarray, B: int, rows: list[slice]) -> np.ndarray:
    """(B, K) bool: whether the original b and its clone made at branch k end at the same label."""
    return np.stack([lab[:B] == lab[r] for r in rows], axis=1)


def clone_phi(
    model,
    branch_times,
    samples: int,
    seed: int,
    *,
    score: str = "exact",
    n: int | None = None,
    train: np.ndarray | None = None,
    labels=None,
    fast_path: bool = False,
    steps: int = 200,
    t_min: float | None = None,
    T: float | None = None,
    grid: str = "mixed",
    method: str = "exponential",
    dtype=None,
    start: str = "exact",
    progress: bool = False,
    theory: bool = True,
    keep_pairs: bool = False,
) -> CloneResult:
    """Cloning probability at every branch time in ONE backward pass, for any model with labels.

    Parameters
    ----------
    model : DiffusionModel
        Any model of :mod:`numerics.engine.protocol` with ``labels`` (class notion), or an
        :class:`EmpiricalModel` / :class:`EmpiricalScore` (classes = labels of the nearest points).
    branch_times : array_like
        Times t > t_min (any order, duplicates allowed).
    samples : int
        Clone pairs per branch time. ``seed``: the run is reproducible bit-for-bit from (arguments, seed).
    score : {"exact", "empirical"}
        ``"empirical"``: the empirical score of ``n`` training points drawn from the model with the run's
        rng (or of ``train``/``labels``); the model stays the theory source.
    fast_path : bool
        Run the model's exact lower-dimensional ``fast_path()`` instead (exact score only).
    steps, t_min, T, grid, method, dtype, start
        Integration settings (:mod:`numerics.engine.sde`); ``t_min`` defaults to the model's
        ``defaults["t_min"]`` or 1e-3, ``dtype`` to float64 (exact) / float32 (empirical).
    theory : bool
        Evaluate the model's ``phi_theory`` (and ``posterior``) hooks.
    keep_pairs : bool
        Keep the (pairs × branch times) agreement matrix of every level (for bootstrap estimators).

    Returns
    -------
    CloneResult
        φ per level with binomial errors, theory and posterior values; ``seconds`` counts the simulation.
    """
    t0 = time.perf_counter()
    if score not in ("exact", "empirical"):
        raise ValueError(f"score must be 'exact' or 'empirical', got {score!r}")
    emp = score == "empirical" or isinstance(model, (EmpiricalModel, EmpiricalScore))
    defaults = dict(getattr(model, "defaults", None) or {})
    t_min = defaults.get("t_min", 1e-3) if t_min is None else t_min
    ts, samples, seed, steps, t_min, T = validate_run(branch_times, samples, seed, steps, t_min, T)
    rng = np.random.default_rng(seed)
    dtype = np.dtype(dtype if dtype is not None else (np.float32 if emp else np.float64))
    if dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"dtype must be float32 or float64, got {dtype.name!r}")
    if emp and fast_path:
        raise ValueError("fast_path (exact projection) needs score='exact'")
    if emp and n is not None:
        n = validate.positive_int("n", n)
    g0 = sde.time_grid(T, t_min, steps, grid)  # refuses an oversized grid or an overflowing step first
    if emp:
        if train is None and not isinstance(model, (EmpiricalModel, EmpiricalScore)):
            require_memory(model, samples, len(ts), dtype, n=n)
        run_model = empirical_model(model, rng, n=n, train=train, labels=labels, dtype=dtype)
    else:
        run_model = model
        if fast_path:
            require(model, "fast_path", "run the fast path")
            run_model = model.fast_path()
    require(run_model, "labels", "clone (no class notion)")
    require_memory(run_model, samples, len(ts), dtype)
    g, bidx = sde.merge_times(g0, ts)
    y0 = initial_state(run_model, samples, T, rng, start=start, dtype=dtype)
    run = run_cloned(run_model.score, y0, g, bidx, rng, method=method, progress=progress,
                     desc=f"cloning ({run_model.name})")
    lab = run_model.labels(run.y, float(g[-1]), rng)
    B = samples
    rows = [run.rows(j) for j in range(len(ts))]
    seconds = time.perf_counter() - t0  # simulation only (theory below not counted)

    th = run_model.phi_theory(ts) if (theory and has(run_model, "phi_theory")) else {}
    post = {}
    if theory and has(run_model, "posterior"):
        for j, t in enumerate(ts):
            for lv, P in run_model.posterior(run.branch_states[j], float(t)).items():
                v = np.sum(np.asarray(P, dtype=float) ** 2, axis=1)
                post.setdefault(lv, np.empty((2, len(ts))))[:, j] = v.mean(), v.std(ddof=1) / np.sqrt(len(v))
    groups = getattr(run_model, "level_groups", None) or {}
    levels = []
    pairs = {}
    for lv, arr in lab.items():
        agree = _agreement(np.asarray(arr), B, rows)
        if keep_pairs:
            pairs[lv] = agree
        phi = agree.mean(axis=0)
        tv = th.get(lv) if isinstance(th, dict) else None
        pv = post.get(lv)
        levels.append({"level": lv, "groups": groups.get(lv), "phi": phi, "stderr": binomial_stderr(phi, B),
                       "phi_theory": None if tv is None else np.asarray(tv, dtype=float),
                       "phi_posterior": None if pv is None else pv[0],
                       "phi_posterior_stderr": None if pv is None else pv[1]})
    main = next((lv for lv in levels if lv["level"] == LEVEL_CLASS), None)
    if main is None:
        main = next((lv for lv in levels if lv["level"] != LEVEL_POINT), None)
    point = next((lv for lv in levels if lv["level"] == LEVEL_POINT), None)
    params = {"branch_times": ts.tolist(), "samples": samples, "score": "empirical" if emp else "exact",
              "fast_path": fast_path, "steps": steps, "t_min": t_min, "T": T, "grid": grid, "method": method,
              "dtype": dtype.name, "start": start, "grid_points": len(g)}
    src = run_model.source if isinstance(run_model, EmpiricalModel) and run_model.source is not None else run_model
    params.update(model.params() if not isinstance(model, (EmpiricalModel, EmpiricalScore)) else run_model.params())
    if has(src, "t_S"):
        params["t_S"] = float(src.t_S)
    if isinstance(run_model, EmpiricalModel):
        params["n"] = run_model.n
        if has(src, "t_C") and src is not run_model:
            params["t_C"] = float(src.t_C(run_model.n))
    return CloneResult(
        t=ts, phi=None if main is None else main["phi"], stderr=None if main is None else main["stderr"],
        phi_theory=None if main is None else main["phi_theory"],
        phi_C=None if point is None else point["phi"], stderr_C=None if point is None else point["stderr"],
        levels=levels, pair_agreement=pairs if keep_pairs else None, samples=B, seed=seed, seconds=seconds,
        params=params)


def clone_phi_resimulate(model, branch_times, samples: int, seed: int, *, steps: int = 200,
                         t_min: float = 1e-3, T: float | None = None, grid: str = "mixed",
                         method: str = "exponential", fast_path: bool = False) -> np.ndarray:
    """Baseline for the benchmark: one full re-simulation from T per branch time (exact score).

    Returns φ (finest class level) per branch time; cost ~ 2K trajectories from T (vs ≤ 1 + K for
    :func:`clone_phi`).
    """
    ts = validate.times("branch_times", branch_times).ravel()
    T = default_T(ts) if T is None else T
    rng = np.random.default_rng(seed)
    m = model.fast_path() if fast_path else model
    out = []
    for tb in ts:
        g, bidx = sde.merge_times(sde.time_grid(T, t_min, steps, grid), [tb])
        y0 = initial_state(m, samples, T, rng)
        run = run_cloned(m.score, y0, g, bidx, rng, method=method)
        lab = m.labels(run.y, float(g[-1]), rng)[LEVEL_CLASS]
        out.append(np.mean(lab[:samples] == lab[samples:]))
    return np.array(out)
