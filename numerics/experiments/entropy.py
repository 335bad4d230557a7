"""Excess entropy of the empirical law by Monte Carlo and the collapse time t_C (THEORY §2, §5).

    f^e(t) = α - [s^e(t) - s_Δ(t)],  s^e = -(1/d) E_{x~P^e_t} ln P^e_t(x),  s_Δ = ½ ln(2πe Δ_t),  α = ln(n)/d.

Substituting ln P^e_t(x) = LSE_μ(-|x - c a_μ|²/(2Δ_t)) - ln n - (d/2) ln(2πΔ_t) the large terms
cancel exactly, and the estimator is computed in the stable form

    f^e(t) = ½ + (1/d) E[ LSE_μ(-|x - c a_μ|²/(2Δ_t)) ],  x = c a_ν + sqrt(Δ_t) z,  ν uniform,

with the log-sum-exp over the training set done by chunked GEMM (:class:`EmpiricalScore`).
f^e ≥ 0 (the ν term alone gives ½ - |z|²/(2d) on average 0), and f^e → max(0, f) as d → ∞.
Standard error: sample standard deviation / sqrt(samples), per t.

t_C (:func:`estimate_t_C`): f^e is ≈ 0 below t_C and rises roughly linearly above; the estimate
is the zero of a weighted straight-line fit of f^e(t) on the points with
window[0]·α ≤ f^e ≤ window[1]·α (the rising part), error by the delta method from the fit's
covariance (equivalently, the stderr of f^e propagated through the slope).
For finite d the kink is rounded; with the default window the estimate tracks the theory
t_C = ½ ln(1 + σ²/(n^{2/d} - 1)) of a Gaussian mixture to O(1/d) (checked in the tests).
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field

import numpy as np

from numerics import validate
from numerics.experiments import versions
from numerics.scores import EmpiricalScore

__all__ = ["EntropyResult", "excess_entropy_mc", "estimate_t_C", "TCEstimate"]


@dataclass
class TCEstimate:
    """t_C estimate with its standard error and the fit points used."""

    t_C: float
    stderr: float
    slope: float
    points: int


@dataclass
class EntropyResult:
    """Result of :func:`excess_entropy_mc`: per time t, f^e and its stderr, s^e - s_Δ, α,
    the t_C estimate (NaN when the rising part is not resolved) and, when the training
    set came from a mixture, its theory curve ``f_theory`` and ``t_C_theory``."""

    t: np.ndarray
    f: np.ndarray
    stderr: np.ndarray
    s_minus_s_delta: np.ndarray
    alpha: float
    t_C: float
    t_C_stderr: float
    f_theory: np.ndarray | None
    t_C_theory: float | None
    samples: int
    seed: int
    seconds: float
    params: dict = field(default_factory=dict)
    versions: dict = field(default_factory=versions)

    def to_dict(self) -> dict:
        d = asdict(self)
        return {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in d.items()}


def excess_entropy_mc(
    train,
    t_grid,
    samples: int = 2000,
    seed: int = 0,
    *,
    dtype=np.float64,
    n_chunk: int | None = None,
    model=None,
    window: tuple[float, float] = (0.15, 0.6),
    progress: bool = False,
) -> EntropyResult:
    """Monte Carlo f^e(t) on the training set (rows of ``train``, or an :class:`EmpiricalScore`).

    For each t: ``samples`` draws ν ~ U{1..n}, x = e^{-t} a_ν + sqrt(Δ_t) z. Common random
    numbers across t (same ν and z at every t) make the curve smooth. ``model``: optional
    :class:`GaussianMixture` for the theory curve. Reproducible from (train, t_grid, samples, seed).
    """
    t0 = time.perf_counter()
    es = train if isinstance(train, EmpiricalScore) else EmpiricalScore(train, dtype=dtype, n_chunk=n_chunk)
    ts = validate.times("t_grid", t_grid).ravel()
    samples = validate.positive_int("samples", samples)
    if samples < 2:
        raise ValueError("samples must be >= 2 for a standard error")
    seed = int(validate.nonnegative("seed", seed))
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, es.n, samples)
    z = rng.standard_normal((samples, es.d))
    a = es.train[idx].astype(np.float64)
    f = np.empty(ts.size)
    se = np.empty(ts.size)
    const = math.log(es.n) + 0.5 * es.d * math.log(2 * math.pi)  # ln P^e = LSE - ln n - (d/2)ln(2πΔ) - |x|²... see below
    from tqdm.auto import tqdm

    for k, t in enumerate(tqdm(ts, desc="excess entropy", disable=not progress, leave=False)):
        c, delta = math.exp(-t), -math.expm1(-2.0 * t)
        x = c * a + math.sqrt(delta) * z
        logp = es.log_density(x, t)
        # per-sample f contribution: ½ + (1/d)[ln P^e + ln n + (d/2) ln(2πΔ)]
        v = 0.5 + (logp + const + 0.5 * es.d * math.log(delta)) / es.d
        f[k] = v.mean()
        se[k] = v.std(ddof=1) / math.sqrt(samples)
    alpha = math.log(es.n) / es.d
    est = estimate_t_C(ts, f, se, alpha, window=window)
    f_th = tc_th = None
    if model is not None:
        f_th = np.asarray(model.excess_entropy(ts, es.n), dtype=float)
        tc_th = model.t_C(es.n)
    params = {"n": es.n, "d": es.d, "samples": samples, "dtype": es.dtype.name, "window": list(window)}
    return EntropyResult(ts, f, se, alpha - f, alpha, est.t_C, est.stderr, f_th, tc_th, samples, seed,
                         time.perf_counter() - t0, params)


def estimate_t_C(t, f, stderr, alpha: float, *, window: tuple[float, float] = (0.15, 0.6)) -> TCEstimate:
    """Zero of a weighted linear fit of f^e(t) on its rising part, with delta-method stderr.

    Points with ``window[0]·α ≤ f ≤ window[1]·α`` are fitted by f ≈ A + B t (weights 1/stderr²);
    t_C = -A/B, var(t_C) = [var(A) + t_C² var(B) + 2 t_C cov(A,B)] / B². Returns NaN when fewer
    than 2 points fall in the window or the slope is not positive.
    """
    t = np.asarray(t, dtype=float)
    f = np.asarray(f, dtype=float)
    se = np.maximum(np.asarray(stderr, dtype=float), 1e-12)
    lo, hi = window
    sel = (f >= lo * alpha) & (f <= hi * alpha)
    if sel.sum() < 2:
        return TCEstimate(math.nan, math.nan, math.nan, int(sel.sum()))
    X = np.stack([np.ones(sel.sum()), t[sel]], axis=1)
    w = 1.0 / se[sel] ** 2
    cov = np.linalg.inv(X.T @ (X * w[:, None]))
    A, B = cov @ (X.T @ (w * f[sel]))
    if not B > 0:
        return TCEstimate(math.nan, math.nan, float(B), int(sel.sum()))
    tc = -A / B
    var = (cov[0, 0] + tc * tc * cov[1, 1] + 2 * tc * cov[0, 1]) / (B * B)
    return TCEstimate(float(tc), float(math.sqrt(max(var, 0.0))), float(B), int(sel.sum()))
