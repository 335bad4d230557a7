"""Gaussian data, numeric side (THEORY §1): noisy law, exact linear score, backward
generation, and the learned-covariance law (expected KL, Marchenko–Pastur)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from numerics import sde, validate
from numerics.generated import gauss as G

__all__ = ["GaussianModel", "expected_kl", "kl_gaussians", "sample_covariance", "mp_density"]


@dataclass(frozen=True)
class GaussianModel:
    """P_0 = N(0, C) with C diagonal (eigenvalues ``lams``; any C is this in its eigenbasis)."""

    lams: np.ndarray

    def __post_init__(self) -> None:
        lams = np.asarray(self.lams, dtype=float)
        if lams.ndim != 1 or lams.size == 0 or np.any(~np.isfinite(lams)) or np.any(lams <= 0):
            raise ValueError("lams must be a non-empty 1-D array of positive finite eigenvalues")
        object.__setattr__(self, "lams", lams)

    @property
    def d(self) -> int:
        return self.lams.size

    def var_t(self, t: float) -> np.ndarray:
        """Eigenvalues e^{-2t} λ + Δ_t of the covariance of P_t (``gauss.var_t``)."""
        return G.var_t(validate.positive("t", t), self.lams)

    def score(self, x: np.ndarray, t: float) -> np.ndarray:
        """S(x,t) = -Σ_t^{-1} x (``gauss.score_coef``)."""
        return (x * G.score_coef(t, self.lams)).astype(x.dtype, copy=False)

    def sample(self, size: int, rng: np.random.Generator) -> np.ndarray:
        return rng.standard_normal((validate.positive_int("size", size), self.d)) * np.sqrt(self.lams)

    def generate(self, size: int, rng: np.random.Generator, *, T: float = 10.0, t_min: float = 1e-3,
                 steps: int = 200, method: str = "exponential") -> np.ndarray:
        """Backward generation with the exact score, from N(0, I) at time T down to t_min."""
        grid = sde.time_grid(T, t_min, steps)
        y0 = rng.standard_normal((validate.positive_int("size", size), self.d))
        return sde.integrate_backward(self.score, y0, grid, rng, method)


def sample_covariance(a: np.ndarray) -> np.ndarray:
    """Ĉ = (1/n) Σ_μ a_μ a_μ^T (known zero mean: the linear-score learning estimator)."""
    a = np.asarray(a, dtype=float)
    return a.T @ a / a.shape[0]


def kl_gaussians(c: np.ndarray, chat: np.ndarray) -> float:
    """KL(N(0,C) ‖ N(0,Ĉ)) = ½[tr(Ĉ^{-1}C) - d + ln det Ĉ - ln det C]."""
    d = c.shape[0]
    lc = np.linalg.cholesky(chat)
    tr = np.trace(np.linalg.solve(chat, c))
    _, logdet_c = np.linalg.slogdet(c)
    logdet_chat = 2.0 * np.sum(np.log(np.diag(lc)))
    return 0.5 * (tr - d + logdet_chat - logdet_c)


def expected_kl(n: int, d: int) -> float:
    """Exact E KL(N(0,C) ‖ N(0,Ĉ)) for n Ĉ ~ Wishart_d(C, n) (``gauss.kl_expected``); n > d + 1."""
    n = validate.positive_int("n", n)
    d = validate.positive_int("d", d)
    if n <= d + 1:
        raise ValueError(f"n must exceed d + 1 for a finite expected KL, got n={n}, d={d}")
    return float(G.kl_expected(n, d))


def expected_kl_large_n(n: float, d: float) -> float:
    """Leading large-n form d(d+1)/(4n) (``gauss.kl_large_n``)."""
    return float(G.kl_large_n(validate.positive("n", n), validate.positive("d", d)))


def mp_density(x, gamma: float) -> np.ndarray:
    """Marchenko–Pastur density (C = I, γ = d/n < 1); zero outside the edges (``gauss.mp_density``)."""
    gamma = validate.positive("gamma", gamma)
    if gamma >= 1:
        raise ValueError(f"gamma must be < 1 (no atom at zero), got {gamma!r}")
    x = np.asarray(x, dtype=float)
    lo, hi = G.mp_edge_minus(gamma), G.mp_edge_plus(gamma)
    inside = (x > lo) & (x < hi)
    xs = np.where(inside, x, 1.0)
    with np.errstate(invalid="ignore"):
        return np.where(inside, G.mp_density(xs, gamma), 0.0)
