"""Cloning probability φ(t) by Monte Carlo, all branch times in one pass (THEORY §2, §5).

Clone a backward trajectory at time t, run both copies to t_min with independent noise; φ(t)
is the probability that they end in the same class. Class of an endpoint:

- Gaussian mixture, exact score: sign of q = m̂·x at t_min (m̂ = e_1);
- empirical score: the class (label) of the nearest training point at t_min. The same run also
  gives φ_C(t): the probability that the two copies end on the SAME training point (collapse).

φ = fraction of the B pairs that agree, stderr = sqrt(φ(1-φ)/B) (binomial; pairs independent).
Theory for the mixture: φ(t) = E_{x~P_t} Σ_c P(c|x)² (``GaussianMixture.phi``), exact at any d.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field

import numpy as np

from numerics import sde, validate
from numerics.experiments import versions
from numerics.experiments.engine import run_cloned
from numerics.mixture import GaussianMixture
from numerics.scores import EmpiricalScore

__all__ = ["CloneResult", "clone_phi", "clone_phi_resimulate", "initial_state", "default_T", "binomial_stderr"]


def binomial_stderr(p: np.ndarray, n: int) -> np.ndarray:
    """Binomial standard error sqrt(p(1-p)/n), with p(1-p) floored at 1/(4n) so that it stays > 0
    (≈ the Wilson-interval half-width scale) when every pair agrees or none does."""
    p = np.asarray(p, dtype=float)
    return np.sqrt(np.maximum(p * (1 - p), 0.25 / n) / n) if n > 0 else np.full_like(p, np.nan)


@dataclass
class CloneResult:
    """Result of :func:`clone_phi` (arrays indexed like ``t``, the branch times as given).

    phi/stderr: class agreement; phi_theory: exact theory (mixture with exact score or fast path)
    else None; phi_C/stderr_C: same-training-point agreement (empirical score) else None.
    """

    t: np.ndarray
    phi: np.ndarray
    stderr: np.ndarray
    phi_theory: np.ndarray | None
    phi_C: np.ndarray | None
    stderr_C: np.ndarray | None
    samples: int
    seed: int
    seconds: float
    params: dict = field(default_factory=dict)
    versions: dict = field(default_factory=versions)

    def to_dict(self) -> dict:
        d = asdict(self)
        return {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in d.items()}


def default_T(branch_times: np.ndarray) -> float:
    """Start time: a margin above the largest branch time, T = max(t) + 1 (the start law is exact)."""
    return float(np.max(branch_times)) + 1.0


def initial_state(model, size: int, T: float, rng: np.random.Generator, *, fast_path: bool = False,
                  start: str = "exact", dtype=np.float64) -> np.ndarray:
    """State at the start time T: an exact draw from P_T (``start='exact'``: the mixture's
    ``sample_t``, or P^e_T for an :class:`EmpiricalScore`), or N(0, I) (``'normal'``, the usual
    generative start, biased by O(e^{-2T}))."""
    if start not in ("exact", "normal"):
        raise ValueError(f"start must be 'exact' or 'normal', got {start!r}")
    if fast_path:
        if start == "normal":
            return rng.standard_normal((size, 1)).astype(dtype)
        labels = np.where(rng.random(size) < model.p_plus, 1.0, -1.0)
        q = labels * math.exp(-T) * model.m_norm + math.sqrt(model.Gamma(T)) * rng.standard_normal(size)
        return q[:, None].astype(dtype)
    if start == "normal":
        d = model.d if isinstance(model, EmpiricalScore) else model.dim
        return rng.standard_normal((size, d)).astype(dtype)
    return model.sample_t(size, T, rng).astype(dtype)


def _setup_score(model_or_score, score: str, n, train, labels, rng, dtype):
    """Return (model for theory or None, EmpiricalScore or None)."""
    if isinstance(model_or_score, EmpiricalScore):
        return None, model_or_score
    if not isinstance(model_or_score, GaussianMixture):
        raise ValueError("model_or_score must be a GaussianMixture or an EmpiricalScore")
    model = model_or_score
    if score == "exact":
        return model, None
    if score != "empirical":
        raise ValueError(f"score must be 'exact' or 'empirical', got {score!r}")
    if train is None:
        if n is None:
            raise ValueError("the empirical score needs n (number of training points) or train")
        n = validate.positive_int("n", n)
        train, labels = model.sample(n, rng, return_labels=True)
    return model, EmpiricalScore(train, dtype=dtype, labels=labels)


def validate_run(branch_times, samples, seed, steps, t_min, T):
    """Validated (branch times, samples, seed, steps, t_min, T) of a cloned backward run;
    T defaults to :func:`default_T`. Raises ValueError naming the parameter."""
    ts = validate.times("branch_times", branch_times).ravel()
    samples = validate.positive_int("samples", samples)
    seed = int(validate.nonnegative("seed", seed))
    steps = validate.positive_int("steps", steps)
    t_min = validate.positive("t_min", t_min)
    if np.any(ts <= t_min):
        raise ValueError(f"branch times must exceed t_min={t_min:g}, got {ts.tolist()}")
    T = default_T(ts) if T is None else validate.positive("T", T)
    if np.any(ts > T):
        raise ValueError(f"branch times must be <= T={T:g}, got {ts.tolist()}")
    return ts, samples, seed, steps, t_min, T


def clone_phi(
    model_or_score,
    branch_times,
    samples: int,
    seed: int,
    *,
    score: str = "exact",
    n: int | None = None,
    train: np.ndarray | None = None,
    labels: np.ndarray | None = None,
    fast_path: bool = False,
    steps: int = 200,
    t_min: float = 1e-3,
    T: float | None = None,
    grid: str = "mixed",
    method: str = "exponential",
    dtype=None,
    start: str = "exact",
    progress: bool = False,
    theory: bool = True,
) -> CloneResult:
    """Cloning probability at every branch time in ONE backward pass.

    ``model_or_score``: a :class:`GaussianMixture` (``score='exact'``: exact d-dim score, or the
    1-D projected fast path with ``fast_path=True``; ``score='empirical'``: the empirical score of
    ``n`` training points drawn from the mixture with the run's rng, or of ``train``/``labels``),
    or an :class:`EmpiricalScore` with ``labels`` set (classes = labels of nearest points).
    ``branch_times``: times t > t_min (any order, duplicates allowed). ``samples``: clone pairs per
    branch time. Reproducible bit-for-bit from (arguments, seed). ``theory=False`` skips the
    exact-theory quadrature. ``seconds`` counts the simulation only.
    Returns a :class:`CloneResult` with ``t, phi, stderr`` (+ ``phi_theory``, ``phi_C``).
    """
    t0 = time.perf_counter()
    ts, samples, seed, steps, t_min, T = validate_run(branch_times, samples, seed, steps, t_min, T)
    rng = np.random.default_rng(seed)
    emp_default = score == "empirical" or isinstance(model_or_score, EmpiricalScore)
    dtype = np.dtype(dtype if dtype is not None else (np.float32 if emp_default else np.float64))
    model, es = _setup_score(model_or_score, score, n, train, labels, rng, dtype)
    if fast_path and (model is None or es is not None):
        raise ValueError("fast_path (1-D projection) needs a GaussianMixture with the exact score")
    g, bidx = sde.merge_times(sde.time_grid(T, t_min, steps, grid), ts)

    if es is None:
        if fast_path:
            def score_eval(y, t):
                return np.asarray(model.score_q(y, t), dtype=y.dtype)
        else:
            score_eval = model.score
        y0 = initial_state(model, samples, T, rng, fast_path=fast_path, start=start, dtype=dtype)
        run = run_cloned(score_eval, y0, g, bidx, rng, method=method, progress=progress, desc="cloning")
        cls = np.sign(run.y[:, 0])
        same_point = None
    else:
        if es.labels is None:
            raise ValueError("the empirical-score cloning needs class labels of the training points")

        def score_eval(y, t):
            return es(y, t)

        y0 = initial_state(es, samples, T, rng, start=start, dtype=dtype)
        run = run_cloned(score_eval, y0, g, bidx, rng, method=method, progress=progress, desc="cloning (empirical)")
        nearest = es.evaluate(run.y, t_min, want_score=False).nearest
        cls = es.labels[nearest]
        same_point = nearest
    B = samples
    phi = np.array([np.mean(cls[:B] == cls[run.rows(j)]) for j in range(len(ts))])
    phi_C = stderr_C = None
    if same_point is not None:
        phi_C = np.array([np.mean(same_point[:B] == same_point[run.rows(j)]) for j in range(len(ts))])
        stderr_C = binomial_stderr(phi_C, B)
    seconds = time.perf_counter() - t0  # simulation only (theory quadrature below not counted)
    theory = np.asarray(model.phi(ts), dtype=float) if (model is not None and theory) else None
    params = {"branch_times": ts.tolist(), "samples": samples, "score": "empirical" if es is not None else "exact",
              "fast_path": fast_path, "steps": steps, "t_min": t_min, "T": T, "grid": grid, "method": method,
              "dtype": dtype.name, "start": start, "grid_points": len(g)}
    if model is not None:
        params.update(model="gm", d=model.d, mu=model.mu, sigma=model.sigma, p_plus=model.p_plus,
                      t_S=model.t_S)
    if es is not None:
        params.update(n=es.n)
        if model is not None:
            params.update(t_C=model.t_C(es.n))
    return CloneResult(ts, phi, binomial_stderr(phi, B), theory, phi_C, stderr_C, B, seed, seconds, params)


def clone_phi_resimulate(model: GaussianMixture, branch_times, samples: int, seed: int, *, steps: int = 200,
                         t_min: float = 1e-3, T: float | None = None, grid: str = "mixed",
                         method: str = "exponential", fast_path: bool = False) -> np.ndarray:
    """Baseline for the benchmark: one full re-simulation from T per branch time (exact score).

    Returns φ per branch time; cost ~ 2K trajectories from T (vs ≤ 1 + K for :func:`clone_phi`).
    """
    ts = validate.times("branch_times", branch_times).ravel()
    T = default_T(ts) if T is None else T
    rng = np.random.default_rng(seed)
    out = []
    for tb in ts:
        g, bidx = sde.merge_times(sde.time_grid(T, t_min, steps, grid), [tb])
        y0 = initial_state(model, samples, T, rng, fast_path=fast_path)
        score_eval = (lambda y, t: np.asarray(model.score_q(y, t), dtype=y.dtype)) if fast_path else model.score
        run = run_cloned(score_eval, y0, g, bidx, rng, method=method)
        cls = np.sign(run.y[:, 0])
        out.append(np.mean(cls[:samples] == cls[samples:]))
    return np.array(out)
