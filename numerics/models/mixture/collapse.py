r"""Collapse of Gaussian-spectrum data (THEORY §6): the excess entropy from covariance spectra and the
collapse time it predicts, for a mixture or for a dataset's own sample spectrum.

    f(t) = α − (1/2d) Σ_c p_c Σ_i ln(1 + λ_{c,i} e^{−2t}/Δ_t),   α = ln n / d,

each term ``mixture.entropy_term`` (½ ln Γ/Δ_t of one eigen-coordinate). f increases with t from −∞ (any
λ > 0) to α, so t_C (f = 0) is unique: with s = e^{2t} − 1, Σ_i w_i ln(1 + λ_i/s) = 2 ln n is solved in ln s
by Brent's method (bracket doubled until it holds; relative tolerance 1e-15). For one eigenvalue λ of
multiplicity D this is ``mixture.t_C_rank`` = ½ ln(1 + λ/(n^{2/D} − 1)) (tested to 1e-10).

:func:`t_C_gaussian_spectrum` is the *Gaussian-spectrum* prediction for a dataset (``regimes times`` key
``t_C_gaussian``): the formula with the sample covariance spectrum of the data, to set beside the Monte
Carlo t_C of f^e; their difference measures how far the data are from Gaussian.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq

from numerics import validate
from numerics.results import theory

__all__ = ["entropy_sum", "excess_entropy_spectrum", "t_C_spectrum", "t_C_gaussian_spectrum", "covariance_eigenvalues"]


def entropy_sum(t, eigenvalues, multiplicities) -> np.ndarray:
    r""":math:`\sum_i w_i\,\frac12\ln(1 + \lambda_ie^{-2t}/\Delta_t)` (``mixture.entropy_term``), vectorised over t."""
    t = np.atleast_1d(np.asarray(t, dtype=float))
    lam = np.asarray(eigenvalues, dtype=float).ravel()
    w = np.asarray(multiplicities, dtype=float).ravel()
    term = theory("mixture.entropy_term")
    return np.asarray(term(t[:, None], lam[None, :]), dtype=float) @ w


def excess_entropy_spectrum(t, eigenvalues, multiplicities, d: int, n: float) -> np.ndarray:
    """f(t) = ln n / d − (1/d) Σ_i w_i ½ ln(1 + λ_i e^{−2t}/Δ_t) (weights w_i = p_c × multiplicity)."""
    d = validate.positive("d", d)
    n = validate.at_least("n", n, 1)
    return math.log(n) / d - entropy_sum(t, eigenvalues, multiplicities) / d


def t_C_spectrum(eigenvalues, multiplicities, d: int, n: float) -> float:
    """Root of f(t) = 0 for the weighted spectrum (+inf for n = 1; NaN for an all-zero spectrum)."""
    n = validate.at_least("n", n, 1)
    lam = np.asarray(eigenvalues, dtype=float).ravel()
    w = np.asarray(multiplicities, dtype=float).ravel()
    keep = (lam > 0) & (w > 0)
    lam, w = lam[keep], w[keep]
    if n == 1:
        return math.inf
    if lam.size == 0:
        return math.nan
    target = 2.0 * math.log(n)
    term = theory("mixture.entropy_term")

    def g(log_s: float) -> float:  # Σ w ln(1 + λ/s) − 2 ln n with s = e^{2t} − 1; decreasing in ln s
        t = 0.5 * math.log1p(math.exp(log_s))
        return 2.0 * float(np.dot(w, term(t, lam))) - target

    lo, hi = -1.0, 1.0
    while g(lo) < 0:
        lo = 2 * lo - 1.0
        if lo < -1400:
            return 0.0
    while g(hi) > 0:
        hi = 2 * hi + 1.0
        if hi > 1400:
            return math.inf
    root = brentq(g, lo, hi, xtol=1e-15, rtol=1e-15, maxiter=400)
    return 0.5 * math.log1p(math.exp(root))


def t_C_gaussian_spectrum(eigenvalues, d: int, n: float) -> float:
    """Collapse time of Gaussian data with this covariance spectrum (eigenvalues of the data covariance,
    zeros may be omitted), d dimensions, n training points: the root of
    f(t) = α − (1/2d) Σ_i ln(1 + λ_i e^{−2t}/Δ_t), α = ln n / d (THEORY §6; units: those of the data).

    >>> round(t_C_gaussian_spectrum([1.0] * 8, 256, 3000), 10) == round(0.5 * math.log(1 + 1 / (3000 ** 0.25 - 1)), 10)
    True
    """
    lam = np.asarray(eigenvalues, dtype=float).ravel()
    if lam.size and (not np.all(np.isfinite(lam)) or np.any(lam < -1e-10 * max(1.0, float(np.max(np.abs(lam)))))):
        raise ValueError("eigenvalues: must be finite and >= 0")
    d = validate.positive_int("d", d)
    if lam.size > d:
        raise ValueError(f"eigenvalues: at most d = {d} of them, got {lam.size}")
    return t_C_spectrum(np.maximum(lam, 0.0), np.ones(lam.size), d, n)


def covariance_eigenvalues(X: np.ndarray) -> np.ndarray:
    """All non-zero-able eigenvalues of the covariance (1/n) Σ (x − x̄)(x − x̄)ᵀ of the rows of X:
    from the d × d matrix when d ≤ n, else from the n × n Gram matrix (same non-zero spectrum)."""
    X = np.asarray(X, dtype=float)
    n, _ = X.shape
    Xc = X - X.mean(axis=0)
    if Xc.shape[1] <= n:
        w = np.linalg.eigvalsh(Xc.T @ Xc / n)
    else:
        w = np.linalg.eigvalsh(Xc @ Xc.T / n)
    return np.maximum(w[::-1], 0.0)
